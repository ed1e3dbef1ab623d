// `make install`: the CMake install rules it runs (cmake --install, with
// DESTDIR and a prefix) put the binary, the systemd unit and the config
// file in place; the installed binary starts with the installed config;
// systemd-analyze accepts the unit; uninstall takes it all away but a
// changed config file. The build installed is the one under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';

const SRC = process.env.MAJLIS_SOURCE_DIR;
const BIN = process.env.MAJLIS_BIN;
if (!SRC || !BIN) throw new Error('MAJLIS_SOURCE_DIR and MAJLIS_BIN must be set');
const BUILD = dirname(BIN);

function run(cmd, args, { env = {}, timeout = 120000 } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout },
      (err, stdout, stderr) => resolve({
        code: err ? (typeof err.code === 'number' ? err.code : 127) : 0, stdout, stderr,
      }));
  });
}

const install = (prefix, destdir = '') =>
  run('cmake', ['--install', BUILD, '--prefix', prefix], { env: { DESTDIR: destdir } });
const uninstall = (destdir) =>
  run('cmake', [`-DMANIFEST=${BUILD}/install_manifest.txt`, `-DMJ_SOURCE_DIR=${SRC}`, '-P',
    join(SRC, 'scripts', 'uninstall.cmake')], { env: { DESTDIR: destdir } });

// KEY=VALUE lines of a unit, every value of each key.
function unitKeys(text) {
  const keys = new Map();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) keys.set(m[1], [...(keys.get(m[1]) ?? []), m[2]]);
  }
  return keys;
}

function freePort(kind) {
  return new Promise((resolve, reject) => {
    const s = kind === 'udp' ? dgram.createSocket('udp4') : net.createServer();
    s.once('error', reject);
    const done = () => { const { port } = s.address(); s.close(() => resolve(port)); };
    if (kind === 'udp') s.bind(0, '127.0.0.1', done); else s.listen(0, '127.0.0.1', done);
  });
}

test('install into a DESTDIR: binary, unit, config, example; uninstall', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'majlis-install-'));
  try {
    const r = await install('/usr/local', dest);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const bin = join(dest, 'usr/local/bin/majlis');
    const unit = join(dest, 'usr/local/lib/systemd/system/majlis.service');
    const conf = join(dest, 'usr/local/etc/majlis/majlis.conf');
    const example = join(dest, 'usr/local/share/doc/majlis/majlis.conf.example');
    for (const f of [bin, unit, conf, example]) assert.ok(existsSync(f), `${f} missing`);
    assert.ok(statSync(bin).mode & 0o100, 'the binary is executable');
    assert.equal(readFileSync(conf, 'utf8'), readFileSync(join(SRC, 'dist/majlis.conf'), 'utf8'));

    // The installed binary runs, and its help is the whole manual of serve.
    const help = await run(bin, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /serve/);
    assert.match(help.stdout, /backup/);
    const serve = await run(bin, ['serve', '--help']);
    assert.equal(serve.code, 0, serve.stderr);
    for (const flag of ['config', 'data', 'http', 'media-port', 'announce', 'session-idle',
      'session-max', 'invite-quota', 'hash-threads', 'rate-limits', 'public-origin', 'log-level']) {
      assert.match(serve.stdout, new RegExp(`--${flag} `), `--${flag} in serve --help`);
    }
    assert.match(serve.stdout, /'name = value'/);

    // The unit: the installed paths, its own user, the sandbox, reload.
    const keys = unitKeys(readFileSync(unit, 'utf8'));
    assert.deepEqual(keys.get('ExecStart'),
      ['/usr/local/bin/majlis serve --config /usr/local/etc/majlis/majlis.conf']);
    const want = {
      DynamicUser: 'yes', StateDirectory: 'majlis', ProtectSystem: 'strict', ProtectHome: 'yes',
      NoNewPrivileges: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK', CapabilityBoundingSet: '',
      MemoryDenyWriteExecute: 'yes', LockPersonality: 'yes', RestrictRealtime: 'yes',
      ExecReload: '/bin/kill -HUP $MAINPID', Restart: 'on-failure',
    };
    for (const [k, v] of Object.entries(want)) assert.deepEqual(keys.get(k), [v], k);
    assert.ok(keys.get('SystemCallFilter').includes('@system-service'));

    // Installing again keeps a config file that was changed.
    writeFileSync(conf, 'http = 127.0.0.1:9000\n');
    const again = await install('/usr/local', dest);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Kept: .*majlis\.conf/);
    assert.equal(readFileSync(conf, 'utf8'), 'http = 127.0.0.1:9000\n');

    const u = await uninstall(dest);
    assert.equal(u.code, 0, u.stdout + u.stderr);
    for (const f of [bin, unit, example]) assert.ok(!existsSync(f), `${f} still there`);
    assert.ok(existsSync(conf), 'the changed config file stays');
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});

test('an unchanged config file goes with uninstall; the prefix /usr puts it in /etc', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'majlis-install-'));
  try {
    assert.equal((await install('/usr', dest)).code, 0);
    const conf = join(dest, 'etc/majlis/majlis.conf');
    assert.ok(existsSync(conf));
    assert.match(readFileSync(join(dest, 'usr/lib/systemd/system/majlis.service'), 'utf8'),
      /^ExecStart=\/usr\/bin\/majlis serve --config \/etc\/majlis\/majlis\.conf$/m);
    assert.equal((await uninstall(dest)).code, 0);
    assert.ok(!existsSync(conf));
    assert.ok(!existsSync(join(dest, 'etc/majlis')), 'its directory goes too');
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});

test('make install and uninstall pass DESTDIR and PREFIX to cmake', async () => {
  const r = await run('make', ['-n', '-C', SRC, 'install', 'uninstall', 'DESTDIR=/tmp/pkg',
    'PREFIX=/opt/majlis', 'BUILD=/tmp/majlis-no-such-build']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /DESTDIR="\/tmp\/pkg" cmake --install \/tmp\/majlis-no-such-build\/release --prefix "\/opt\/majlis"/);
  assert.match(r.stdout, /DESTDIR="\/tmp\/pkg" cmake -DMANIFEST=\/tmp\/majlis-no-such-build\/release\/install_manifest\.txt/);
});

test('the installed binary starts with the installed config file; flags win over it', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'majlis-install-'));
  try {
    assert.equal((await install('/usr/local', dest)).code, 0);
    const bin = join(dest, 'usr/local/bin/majlis');
    // The installed file as it is, but for its data directory (so that
    // nothing is made in /var/lib, whatever happens).
    const fileData = join(dest, 'data-from-file');
    const cliData = join(dest, 'data-from-flag');
    const conf = join(dest, 'majlis.conf');
    const text = readFileSync(join(dest, 'usr/local/etc/majlis/majlis.conf'), 'utf8');
    assert.match(text, /^data = \/var\/lib\/majlis$/m);
    writeFileSync(conf, text.replace(/^data = .*$/m, `data = ${fileData}`));
    const port = await freePort('tcp');
    const media = await freePort('udp');
    const child = spawn(bin, ['serve', '--config', conf, '--data', cliData,
      '--http', `127.0.0.1:${port}`, '--media-port', String(media)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start:\n${out}\n${err}`)), 20000);
      child.stdout.on('data', (d) => { out += d; if (/admin invite/.test(out)) { clearTimeout(timer); resolve(); } });
      exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${err}`)); });
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.ok(existsSync(join(cliData, 'majlis.db')));
    assert.ok(!existsSync(fileData), 'the --data flag wins over the file');
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});

test('systemd-analyze verify accepts the installed unit', async (t) => {
  if ((await run('systemd-analyze', ['--version'])).code !== 0) {
    t.skip('systemd-analyze is not installed (Debian package systemd)');
    return;
  }
  // Installed under a real prefix (no DESTDIR), so that ExecStart names a
  // binary that exists, which verify checks.
  const prefix = mkdtempSync(join(tmpdir(), 'majlis-prefix-'));
  try {
    assert.equal((await install(prefix)).code, 0);
    const unit = join(prefix, 'lib/systemd/system/majlis.service');
    const r = await run('systemd-analyze', ['verify', unit]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // verify warns and still exits 0: a good unit gets no word.
    assert.equal((r.stdout + r.stderr).trim(), '');

    // The check sees a mistake (so that silence above means something).
    const broken = join(prefix, 'lib/systemd/system/majlis-broken.service');
    writeFileSync(broken, readFileSync(unit, 'utf8').replace('ProtectSystem=strict', 'ProtectSystem=strickt'));
    const b = await run('systemd-analyze', ['verify', broken]);
    assert.match(b.stdout + b.stderr, /ProtectSystem|protect system/i);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
