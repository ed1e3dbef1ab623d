// TURN credentials: what GET /api/ice-servers and the Link headers of
// WHIP/WHEP answers hand out (coturn's TURN REST API scheme, checked here
// with Node's own HMAC), and Debian's coturn accepting them over TLS, on
// loopback, with turnutils_uclient relaying to turnutils_peer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createHmac } from 'node:crypto';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, signup, tempDir, runCli, freePort, freeUdpPort, expectError, sleep, NO_LIMITS,
} from './lib.mjs';
import { makeCA, makeLeaf } from './tls_lib.mjs';

const SECRET = 'a-turn-secret-of-enough-length';
const URLS = ['turns:turn.example.org:443?transport=tcp', 'turn:127.0.0.1:3478?transport=tcp'];
const SRC = process.env.MAJLIS_SOURCE_DIR || '.';

let dir;
let server;
let admin;

before(async () => {
  dir = tempDir();
  writeFileSync(join(dir, 'turn.secret'), `${SECRET}\n`);
  server = await startServer({
    env: NO_LIMITS,
    args: ['--turn-url', URLS[0], '--turn-url', URLS[1], '--turn-secret-file', join(dir, 'turn.secret'),
      '--turn-ttl', '300'],
  });
  admin = await signup(server, server.invite, 'admin');
});

after(async () => {
  assert.deepEqual(await server.stopAndClean(), { code: 0, signal: null });
  rmSync(dir, { recursive: true, force: true });
});

const password = (user, secret = SECRET) => createHmac('sha1', secret).update(user).digest('base64');

// A username is "EXPIRY:SUFFIX", the suffix random; its password is the
// HMAC coturn computes.
function checkCredential(username, credential, ttl) {
  const m = /^(\d+):([A-Za-z0-9_-]{12})$/.exec(username);
  assert.ok(m, username);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(Number(m[1]) - (now + ttl)) <= 5, `${username} expires in about ${ttl} s`);
  assert.equal(credential, password(username));
}

test('GET /api/ice-servers: members get a short-lived credential that names nobody', async () => {
  expectError(await server.client().get('/api/ice-servers'), 401, 'unauthorized');
  const r = await admin.get('/api/ice-servers');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ttl, 300);
  assert.equal(r.json.iceServers.length, 1);
  const [ice] = r.json.iceServers;
  assert.deepEqual(ice.urls, URLS);
  checkCredential(ice.username, ice.credential, 300);
  assert.doesNotMatch(ice.username, /admin/);
  const again = (await admin.get('/api/ice-servers')).json.iceServers[0];
  assert.notEqual(again.username, ice.username);
  checkCredential(again.username, again.credential, 300);
});

test('without --turn-url the list is empty', async () => {
  const plain = await startServer();
  try {
    const c = await signup(plain, plain.invite, 'owner');
    const r = await c.get('/api/ice-servers');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { iceServers: [], ttl: 0 });
  } finally {
    await plain.stopAndClean();
  }
});

test('WHIP and WHEP answers carry the TURN servers as Link headers', async () => {
  const room = (await runCli(['room', 'create', '--data', server.data, 'TURN'])).stdout.trim();
  const tok = (await runCli(['token', '--data', server.data, '--room', room, '--role', 'speaker'])).stdout.trim();
  const offer = readFileSync(join(SRC, 'tests/fixtures/sdp/chrome_whip_offer.sdp'), 'utf8');
  const res = await fetch(`${server.url}/whip/${room}`, {
    method: 'POST', body: offer,
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${tok}` },
  });
  assert.equal(res.status, 201, await res.clone().text());
  assert.match(res.headers.get('access-control-expose-headers'), /Link/);
  const links = res.headers.get('link').split(/,\s*(?=<)/);
  assert.equal(links.length, URLS.length, res.headers.get('link'));
  links.forEach((l, i) => {
    const m = /^<([^>]+)>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"; credential-type="password"$/.exec(l);
    assert.ok(m, l);
    assert.equal(m[1], URLS[i]);
    checkCredential(m[2], m[3], 300);
  });
  await fetch(`${server.url}${res.headers.get('location')}`, { method: 'DELETE', headers: { authorization: `Bearer ${tok}` } });
});

test('bad TURN options are refused at start', async () => {
  const data = tempDir();
  const short = join(dir, 'short.secret');
  writeFileSync(short, 'short\n');
  const cases = [
    [['--turn-url', URLS[0]], /--turn-url needs --turn-secret-file/],
    [['--turn-url', 'stun:stun.example.org', '--turn-secret-file', join(dir, 'turn.secret')], /turn: or turns:/],
    [['--turn-url', URLS[0], '--turn-secret-file', short], /TURN secret of 16 to 256 characters/],
    [['--turn-url', URLS[0], '--turn-secret-file', join(dir, 'missing')], /TURN secret/],
  ];
  try {
    for (const [args, why] of cases) {
      const r = await runCli(['serve', '--data', data, '--http', '127.0.0.1:0', ...args], {}, { timeout: 20000 });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, why);
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

// Runs a command for at most ms, or until its output matches `until`.
function run(cmd, args, ms, until) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d) => {
      out += d;
      if (until && until.test(out)) p.kill('SIGTERM');
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out }); });
  });
}

const accepts = (port) => new Promise((resolve) => {
  const sock = net.connect(port, '127.0.0.1', () => { sock.destroy(); resolve(true); });
  sock.on('error', () => resolve(false));
});

// coturn as the README configures it (use-auth-secret, TLS only), here
// on loopback ports of the test's own network namespace. Without the
// README's no-tlsv1 and no-tlsv1_1: with them, coturn 4.6.1 never
// completes turnutils_uclient's allocations over TLS (Chromium's it does:
// tests/browser/turn_tls.test.mjs runs with them).
async function startCoturn(work, { cert, key, listen = '127.0.0.1', relay = '127.0.0.1', extra = [] }) {
  const tlsPort = await freePort();
  const proc = spawn('turnserver', ['-n', '--no-cli', '--log-file', 'stdout', '--simple-log',
    '--listening-ip', listen, '--relay-ip', relay, '--tls-listening-port', String(tlsPort),
    '--listening-port', String(await freePort()), '--no-udp', '--no-dtls',
    '--cert', cert, '--pkey', key, '--use-auth-secret', '--static-auth-secret', SECRET,
    '--realm', 'majlis.test', '--allow-loopback-peers', '--min-port', '42600', '--max-port', '42699',
    '--pidfile', join(work, 'turnserver.pid'), '--userdb', join(work, 'turndb'), ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 100 && proc.exitCode === null && !(await accepts(tlsPort)); i++) await sleep(100);
  assert.equal(proc.exitCode, null, `turnserver exited:\n${log}`);
  return {
    tlsPort, proc, log: () => log,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) { resolve(); return; }
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    }),
  };
}

test('coturn accepts the credentials over TLS, and refuses wrong or expired ones', async () => {
  const ca = makeCA(dir);
  const leaf = makeLeaf(dir, ca, 'turn', ['turn.test', '127.0.0.1']);
  const turn = await startCoturn(dir, { cert: leaf.cert, key: leaf.key });
  const peerPort = await freeUdpPort();
  const peer = spawn('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)], { stdio: 'ignore' });
  // The client allocates a relay over TLS and sends UDP through it to the
  // echoing peer: a message that came back shows the relay works (UDP
  // may lose one, so the client is not asked to wait for all).
  const ECHOED = /tot_recv_msgs=[1-9]/;
  const relay = (user, pass) => run('turnutils_uclient', ['-t', '-S', '-u', user, '-w', pass,
    '-p', String(turn.tlsPort), '-n', '4', '-m', '1', '-e', '127.0.0.1', '-r', String(peerPort), '127.0.0.1'],
  20000, ECHOED);
  try {
    await sleep(300);
    const { username, credential } = (await admin.get('/api/ice-servers')).json.iceServers[0];
    const good = await relay(username, credential);
    assert.match(good.out, ECHOED, good.out);
    assert.doesNotMatch(good.out, /Cannot complete Allocation/);
    const wrong = await relay(username, password(username, 'another-secret-of-enough-length'));
    assert.notEqual(wrong.code, 0, wrong.out);
    assert.match(wrong.out, /Cannot complete Allocation/);
    const past = `${Math.floor(Date.now() / 1000) - 60}:AAAAAAAAAAAA`;
    const expired = await relay(past, password(past));
    assert.notEqual(expired.code, 0, expired.out);
    assert.match(expired.out, /Cannot complete Allocation/);
  } finally {
    peer.kill('SIGTERM');
    await turn.stop();
  }
});
