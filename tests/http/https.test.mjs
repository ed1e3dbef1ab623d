// HTTPS without a proxy: `majlis serve --tls-cert --tls-key` with a test
// CA made here, the certificate read again on SIGHUP (and a bad one
// refused, keeping the old), bad pairs refused at start, Secure cookies
// over TLS, and the plain HTTP port that only redirects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, freePort, tempDir, runCli, rawRequest, sleep, PASS,
} from './lib.mjs';
import {
  makeCA, makeLeaf, fingerprint, servedFingerprint, httpsRequest,
} from './tls_lib.mjs';

let dir;
let ca;
let first;
let second;

before(() => {
  dir = tempDir();
  ca = makeCA(dir);
  first = makeLeaf(dir, ca, 'first', ['localhost', '127.0.0.1']);
  second = makeLeaf(dir, ca, 'second', ['localhost', '127.0.0.1']);
});

after(() => rmSync(dir, { recursive: true, force: true }));

// The served pair lives at fixed paths, as with a certificate renewer.
function install(leaf) {
  copyFileSync(leaf.cert, join(dir, 'live.pem'));
  copyFileSync(leaf.key, join(dir, 'live.key'));
}

async function startTls(extra = []) {
  install(first);
  const s = await startServer({
    args: ['--tls-cert', join(dir, 'live.pem'), '--tls-key', join(dir, 'live.key'), ...extra],
  });
  s.https = `https://127.0.0.1:${s.port}`;
  return s;
}

test('serves HTTPS with the certificate given, and Secure cookies over it', async () => {
  const s = await startTls();
  try {
    assert.match(s.stdout, new RegExp(`listening on https://127\\.0\\.0\\.1:${s.port}/`));
    assert.match(s.stdout, new RegExp(`invite[^\\n]*https://127\\.0\\.0\\.1:${s.port}/invite/`));
    assert.equal(await servedFingerprint(s.port, ca), fingerprint(first.cert));
    const health = await httpsRequest(`${s.https}/healthz`, { ca });
    assert.equal(health.status, 200, health.text);
    // Browsers that came once come back over HTTPS only.
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');
    // Plain HTTP on the TLS port gets no answer of ours (the connection
    // closes, or resets).
    const plain = await rawRequest(s.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`,
      { timeoutMs: 3000 }).catch(() => '');
    assert.doesNotMatch(plain, /^HTTP\/1\.1 200/);
    // Signing up over TLS: the session cookie is __Host- and Secure.
    const body = JSON.stringify({ invite: s.invite, handle: 'owner', display_name: 'Owner', passphrase: PASS });
    const r = await httpsRequest(`${s.https}/api/signup`, {
      method: 'POST', ca, body,
      headers: { origin: s.https, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    assert.equal(r.status, 201, r.text);
    const cookies = r.headers['set-cookie'] || [];
    const session = cookies.find((c) => c.startsWith('__Host-mj_session='));
    assert.ok(session, cookies.join('\n'));
    assert.match(session, /; Secure/);
    // The same origin rule knows the scheme: an http:// Origin is another site.
    const cross = await httpsRequest(`${s.https}/api/login`, {
      method: 'POST', ca, body: '{}',
      headers: { origin: `http://127.0.0.1:${s.port}`, 'content-type': 'application/json', 'content-length': 2 },
    });
    assert.equal(cross.status, 403, cross.text);
    assert.equal(cross.json.error, 'cross_origin');
  } finally {
    assert.deepEqual(await s.stopAndClean(), { code: 0, signal: null });
  }
});

test('SIGHUP reads the certificate again; a bad one keeps the old', async () => {
  const s = await startTls();
  try {
    assert.equal(await servedFingerprint(s.port, ca), fingerprint(first.cert));
    install(second);
    s.proc.kill('SIGHUP');
    let fp;
    for (let i = 0; i < 50 && fp !== fingerprint(second.cert); i++) {
      await sleep(100);
      fp = await servedFingerprint(s.port, ca);
    }
    assert.equal(fp, fingerprint(second.cert), 'the new certificate is served');
    // A broken certificate file, then a key that is not the certificate's:
    // each is refused with its reason, and the second certificate stays.
    writeFileSync(join(dir, 'live.pem'), 'not a certificate\n');
    s.proc.kill('SIGHUP');
    for (let i = 0; i < 50 && !/keeping the old certificate: no PEM certificate/.test(s.stderr); i++) await sleep(100);
    assert.match(s.stderr, /keeping the old certificate: no PEM certificate/);
    copyFileSync(first.cert, join(dir, 'live.pem')); // live.key is still the second's
    s.proc.kill('SIGHUP');
    for (let i = 0; i < 50 && !/is not the key of the certificate/.test(s.stderr); i++) await sleep(100);
    assert.match(s.stderr, /keeping the old certificate: the key in \S+ is not the key of the certificate/);
    assert.equal(await servedFingerprint(s.port, ca), fingerprint(second.cert));
    const health = await httpsRequest(`${s.https}/healthz`, { ca });
    assert.equal(health.status, 200);
  } finally {
    assert.deepEqual(await s.stopAndClean(), { code: 0, signal: null });
  }
});

test('a bad certificate or key at start is an error, exit status 2', async () => {
  const data = tempDir();
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const expired = makeLeaf(dir, ca, 'expired', ['localhost'], { days: -1 });
  const cases = [
    [['--tls-cert', join(dir, 'missing.pem'), '--tls-key', first.key], /cannot open the certificate file/],
    [['--tls-cert', garbage, '--tls-key', first.key], /no PEM certificate/],
    [['--tls-cert', first.cert, '--tls-key', garbage], /no PEM private key/],
    [['--tls-cert', first.cert, '--tls-key', second.key], /is not the key of the certificate/],
    [['--tls-cert', expired.cert, '--tls-key', expired.key], /has expired/],
    [['--tls-cert', first.cert], /--tls-cert and --tls-key go together/],
    [['--http-redirect', '127.0.0.1:42080'], /--http-redirect needs --tls-cert/],
    [['--tls-cert', first.cert, '--tls-key', first.key, '--http-redirect', 'nowhere'], /--http-redirect wants IP:PORT/],
  ];
  try {
    for (const [args, why] of cases) {
      const r = await runCli(['serve', '--data', data, '--http', '127.0.0.1:0', ...args], {}, { timeout: 20000 });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('the plain HTTP port only redirects to HTTPS', async () => {
  const rport = await freePort();
  const s = await startTls(['--http-redirect', `127.0.0.1:${rport}`]);
  const ask = (head) => rawRequest(rport, `${head}\r\nConnection: close\r\n\r\n`, { timeoutMs: 5000 });
  try {
    assert.match(s.stdout, new RegExp(`redirecting http://127\\.0\\.0\\.1:${rport}/ to HTTPS`));
    const page = await ask(`GET /invite/abc?x=1&y=a%20b HTTP/1.1\r\nHost: 127.0.0.1:${rport}`);
    assert.match(page, /^HTTP\/1\.1 301 /);
    assert.match(page, new RegExp(`\\r\\nlocation: https://127\\.0\\.0\\.1:${s.port}/invite/abc\\?x=1&y=a%20b\\r\\n`, 'i'));
    // The API is not there: every path, every method is a redirect.
    for (const path of ['/api/me', '/healthz', '/metrics', '/', '/app.js']) {
      const r = await ask(`GET ${path} HTTP/1.1\r\nHost: localhost:${rport}`);
      assert.match(r, /^HTTP\/1\.1 301 /, `${path}: ${r}`);
      assert.match(r, new RegExp(`\\r\\nlocation: https://localhost:${s.port}${path.replace('.', '\\.')}\\r\\n`, 'i'));
      assert.doesNotMatch(r, /set-cookie|strict-transport-security|\{"/i, r);
    }
    const body = JSON.stringify({ handle: 'owner', passphrase: PASS });
    const post = await ask(`POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${rport}\r\n`
      + `Origin: http://127.0.0.1:${rport}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.match(post, /^HTTP\/1\.1 308 /);
    assert.match(post, new RegExp(`\\r\\nlocation: https://127\\.0\\.0\\.1:${s.port}/api/login\\r\\n`, 'i'));
    // No WebSocket opens on it.
    const ws = await ask(`GET /api/hallway/events HTTP/1.1\r\nHost: 127.0.0.1:${rport}\r\n`
      + 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: majlis.hallway.v1');
    assert.doesNotMatch(ws, /^HTTP\/1\.1 101/, ws);
    // A Host that is not a name is not put in a Location.
    const odd = await ask(`GET / HTTP/1.1\r\nHost: evil"name<x>`);
    assert.match(odd, /^HTTP\/1\.1 400 /, odd);
    assert.doesNotMatch(odd, /location:/i);
    // The HTTPS port serves as usual.
    assert.equal((await httpsRequest(`${s.https}/healthz`, { ca })).status, 200);
  } finally {
    assert.deepEqual(await s.stopAndClean(), { code: 0, signal: null });
  }
});
