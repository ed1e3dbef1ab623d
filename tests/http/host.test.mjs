// The Host header: a page of another site whose name an attacker points at
// this server's address (DNS rebinding) sends that name as Host. Only the
// public origin's host, IP addresses and localhost are answered; anything
// else gets 421 with a JSON body, so that no same-origin check passes and
// no invite link names a foreign host. All traffic stays on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, signup, expectError, PASS } from './lib.mjs';
import { openWs } from './ws.mjs';

// A request with a Host of our choosing (fetch always sends the URL's).
function request(port, { method = 'GET', path = '/', host, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { host, ...headers };
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}

let s;
let admin;

before(async () => {
  s = await startServer();
  admin = await signup(s, s.invite, 'boss');
});

after(async () => {
  const { code } = await s.stopAndClean();
  assert.equal(code, 0, s.stderr);
});

test('a foreign Host is refused with 421 and a JSON error, pages and API alike', async () => {
  const evil = `evil.example:${s.port}`;
  const as = (extra = {}) => ({ host: evil, headers: { cookie: admin.cookie, origin: `http://${evil}`, ...extra } });
  for (const path of ['/', '/login', '/api/me', '/app.js']) {
    expectError(await request(s.port, { path, ...as() }), 421, 'misdirected');
  }
  // What a rebinding page would do: sign in, make an invite. Its Origin
  // matches its Host, so only the Host rule stops it.
  expectError(await request(s.port, { method: 'POST', path: '/api/login', body: { handle: 'boss', passphrase: PASS }, ...as() }),
    421, 'misdirected');
  const inv = await request(s.port, { method: 'POST', path: '/api/invites', body: {}, ...as() });
  expectError(inv, 421, 'misdirected');
  assert.doesNotMatch(inv.text, /evil\.example/);
  // /metrics too: a rebinding page in the operator's own browser is a
  // loopback client.
  expectError(await request(s.port, { path: '/metrics', host: evil }), 421, 'misdirected');
  // Health checks come by any name.
  assert.equal((await request(s.port, { path: '/healthz', host: evil })).status, 200);
  // Event sockets follow the same rule.
  const { status, ws } = await openWs(s.url, '/api/hallway/events',
    { cookie: admin.cookie, protocol: 'majlis.hallway.v1', origin: `http://${evil}`, host: evil });
  assert.equal(status, 101);
  assert.equal((await ws.next('error')).error, 'cross_origin');
});

test('IP addresses and localhost, with any port, are ours; links name them', async () => {
  for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, 'localhost', `[::1]:${s.port}`, `LOCALHOST.:${s.port}`]) {
    const r = await request(s.port, { path: '/api/me', host, headers: { cookie: admin.cookie } });
    assert.equal(r.status, 200, `${host}: ${r.text}`);
  }
  const host = `localhost:${s.port}`;
  const inv = await request(s.port, { method: 'POST', path: '/api/invites', body: {}, host,
    headers: { cookie: admin.cookie, origin: `http://${host}` } });
  assert.equal(inv.status, 201, inv.text);
  assert.ok(inv.json.invite.url.startsWith(`http://${host}/invite/`), inv.json.invite.url);
  expectError(await request(s.port, { path: '/api/me', host: `127.0.0.1.evil.example:${s.port}` }), 421, 'misdirected');
  expectError(await request(s.port, { path: '/api/me', host: `localhost.evil.example` }), 421, 'misdirected');
});

test('with a public origin, its host is answered and links always name it', async () => {
  const p = await startServer({ env: { MAJLIS_PUBLIC_ORIGIN: 'https://majlis.example' } });
  try {
    const boss = p.client({ origin: 'https://majlis.example' });
    const up = await boss.post('/api/signup', { invite: p.invite, handle: 'boss', display_name: 'Boss', passphrase: PASS });
    assert.equal(up.status, 201, up.text);
    expectError(await request(p.port, { path: '/api/me', host: 'majlis.example' }), 401, 'unauthorized');
    expectError(await request(p.port, { path: '/api/me', host: 'MAJLIS.example:443' }), 401, 'unauthorized');
    expectError(await request(p.port, { path: '/api/me', host: 'other.example' }), 421, 'misdirected');
    expectError(await request(p.port, { path: '/api/me', host: 'majlis.example.evil.example' }), 421, 'misdirected');
    // Reached by its address (an operator on the machine): the link still
    // names the public origin.
    const r = await request(p.port, { method: 'POST', path: '/api/invites', body: {}, host: `127.0.0.1:${p.port}`,
      headers: { cookie: boss.cookie, origin: 'https://majlis.example' } });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.invite.url.startsWith('https://majlis.example/invite/'), r.json.invite.url);
  } finally {
    await p.stopAndClean();
  }
});
