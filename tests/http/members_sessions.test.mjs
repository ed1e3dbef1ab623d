// Login, logout, cookies, session listing and expiry, the same-origin rule
// and rate limits, over real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, signup, invite, login, expectError, sleep, PASS, NO_LIMITS,
} from './lib.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer({ env: NO_LIMITS, args: ['--trusted-proxy', '127.0.0.1'] });
  admin = await signup(srv, srv.invite, 'boss');
});

after(async () => {
  const { code } = await srv.stopAndClean();
  assert.equal(code, 0, `server exit status (sanitizers?):\n${srv.stderr}`);
});

test('a wrong passphrase or an unknown handle gets the same 401', async () => {
  await signup(srv, await invite(admin), 'sami');
  const wrong = await login(srv, 'sami', 'not the passphrase');
  expectError(wrong.res, 401, 'invalid_credentials');
  assert.equal(wrong.client.cookie, null);
  const unknown = await login(srv, 'nobody_here', PASS);
  expectError(unknown.res, 401, 'invalid_credentials');
  assert.equal(unknown.res.json.message, wrong.res.json.message);
  expectError((await login(srv, 'x', PASS)).res, 401, 'invalid_credentials');
  const ok = await login(srv, 'SAMI', PASS);
  assert.equal(ok.res.status, 200, ok.res.text);
  assert.equal(ok.res.json.user.handle, 'sami');
});

test('the session cookie is HttpOnly, SameSite=Strict, and Secure behind HTTPS', async () => {
  const { client } = await login(srv, 'boss');
  const cookie = client.setCookies.find((c) => c.startsWith('mj_session='));
  assert.ok(cookie, client.setCookies.join('\n'));
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; Max-Age=\d+/);
  assert.doesNotMatch(cookie, /Secure/);
  assert.match(cookie, /^mj_session=[A-Za-z0-9_-]{43};/);
  // Behind a TLS-terminating proxy.
  const tls = srv.client({ origin: srv.url.replace('http:', 'https:') });
  const r = await tls.post('/api/login', { handle: 'boss', passphrase: PASS },
    { headers: { 'x-forwarded-proto': 'https' } });
  assert.equal(r.status, 200, r.text);
  const secure = tls.setCookies.find((c) => c.startsWith('__Host-mj_session='));
  assert.ok(secure, tls.setCookies.join('\n'));
  assert.match(secure, /; Secure/);
  const me = await tls.get('/api/me', { headers: { 'x-forwarded-proto': 'https' } });
  assert.equal(me.status, 200);
  // Over HTTPS only the __Host- cookie counts: a plain one may be planted.
  const planted = srv.client();
  planted.cookie = client.cookie;
  assert.equal((await planted.get('/api/me')).status, 200);
  expectError(await planted.get('/api/me', { headers: { 'x-forwarded-proto': 'https' } }), 401, 'unauthorized');
});

test('no cookie, a made-up cookie, or a malformed one gets 401', async () => {
  const anon = srv.client();
  expectError(await anon.get('/api/me'), 401, 'unauthorized');
  anon.cookie = `mj_session=${'A'.repeat(43)}`;
  expectError(await anon.get('/api/me'), 401, 'unauthorized');
  anon.cookie = 'mj_session=short; other=1';
  expectError(await anon.get('/api/me'), 401, 'unauthorized');
});

test('logout ends the session at once', async () => {
  const { client } = await login(srv, 'sami');
  const token = client.cookie;
  assert.equal((await client.get('/api/me')).status, 200);
  const out = await client.post('/api/logout');
  assert.equal(out.status, 204);
  assert.ok(out.headers.get('set-cookie').includes('Max-Age=0'));
  const replay = srv.client();
  replay.cookie = token;
  expectError(await replay.get('/api/me'), 401, 'unauthorized');
});

test('members list their sessions and revoke one', async () => {
  const a = (await login(srv, 'sami')).client;
  const b = (await login(srv, 'sami')).client;
  const list = await a.get('/api/me/sessions');
  assert.equal(list.status, 200);
  const mine = list.json.sessions.find((s) => s.current);
  const others = list.json.sessions.filter((s) => !s.current);
  assert.ok(mine);
  assert.ok(others.length >= 1);
  for (const s of list.json.sessions) {
    assert.match(s.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(Object.keys(s).sort(), ['created_at', 'current', 'expires_at', 'id', 'last_seen_at']);
  }
  const bId = (await b.get('/api/me/sessions')).json.sessions.find((s) => s.current).id;
  assert.equal((await a.del(`/api/me/sessions/${bId}`)).status, 204);
  expectError(await b.get('/api/me'), 401, 'unauthorized');
  assert.equal((await a.get('/api/me')).status, 200);
  // Another member's session cannot be revoked by id.
  const boss = (await login(srv, 'boss')).client;
  const bossId = (await boss.get('/api/me/sessions')).json.sessions.find((s) => s.current).id;
  expectError(await a.del(`/api/me/sessions/${bossId}`), 404, 'not_found');
  assert.equal((await boss.get('/api/me')).status, 200);
});

test('a passphrase change ends the other sessions', async () => {
  await signup(srv, await invite(admin), 'changer');
  const a = (await login(srv, 'changer')).client;
  const b = (await login(srv, 'changer')).client;
  expectError(await a.post('/api/me/passphrase', { current: 'wrong wrong wrong', new: 'brand new passphrase' }),
    403, 'wrong_passphrase');
  expectError(await a.post('/api/me/passphrase', { current: PASS, new: 'short' }), 400, 'weak_passphrase');
  assert.equal((await a.post('/api/me/passphrase', { current: PASS, new: 'brand new passphrase' })).status, 204);
  assert.equal((await a.get('/api/me')).status, 200);
  expectError(await b.get('/api/me'), 401, 'unauthorized');
  expectError((await login(srv, 'changer')).res, 401, 'invalid_credentials');
  assert.equal((await login(srv, 'changer', 'brand new passphrase')).res.status, 200);
});

test('cross-origin state changes are refused', async () => {
  const { client } = await login(srv, 'boss');
  const evil = { origin: 'http://evil.example' };
  expectError(await client.post('/api/invites', {}, evil), 403, 'cross_origin');
  expectError(await client.post('/api/logout', undefined, evil), 403, 'cross_origin');
  expectError(await client.patch('/api/me', { bio: 'pwned' }, evil), 403, 'cross_origin');
  expectError(await client.del('/api/me', { passphrase: PASS }, evil), 403, 'cross_origin');
  expectError(await client.post('/api/invites', {}, { origin: 'null' }), 403, 'cross_origin');
  // Same host, other port or scheme: another origin.
  const otherPort = srv.url.replace(/:\d+$/, ':1');
  expectError(await client.post('/api/invites', {}, { origin: otherPort }), 403, 'cross_origin');
  expectError(await client.post('/api/invites', {}, { origin: srv.url.replace('http:', 'https:') }), 403, 'cross_origin');
  // No Origin at all: refused, unless the browser says same-origin.
  expectError(await client.post('/api/invites', {}, { origin: null }), 403, 'cross_origin');
  const sameSite = await client.post('/api/invites', {}, { origin: null, headers: { 'sec-fetch-site': 'same-origin' } });
  assert.equal(sameSite.status, 201, sameSite.text);
  expectError(await client.post('/api/invites', {}, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'cross_origin');
  // Login from another site is refused too (login CSRF).
  expectError(await srv.client(evil).post('/api/login', { handle: 'boss', passphrase: PASS }), 403, 'cross_origin');
  // Reads are not state changes; the session stayed intact.
  assert.equal((await client.get('/api/me', evil)).status, 200);
  assert.equal((await client.get('/api/me')).json.user.bio, '');
});

test('API responses are never cached', async () => {
  const { client } = await login(srv, 'boss');
  const r = await client.get('/api/me');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('sessions expire when idle and at their absolute limit', async () => {
  const s = await startServer({ env: { ...NO_LIMITS, MAJLIS_SESSION_IDLE: '2', MAJLIS_SESSION_MAX: '4' } });
  try {
    const first = await signup(s, s.invite, 'short_lived');
    // Idle: unused for longer than 2 s.
    assert.equal((await first.get('/api/me')).status, 200);
    await sleep(2600);
    expectError(await first.get('/api/me'), 401, 'unauthorized');
    // Absolute: used every second, still ends 4 s after login.
    const { client, res } = await login(s, 'short_lived');
    assert.equal(res.status, 200);
    assert.match(client.setCookies[0], /Max-Age=[34];/);
    const started = Date.now();
    let last = 200;
    while (Date.now() - started < 6000) {
      last = (await client.get('/api/me')).status;
      if (last !== 200) break;
      await sleep(900);
    }
    assert.equal(last, 401);
    const lived = (Date.now() - started) / 1000;
    assert.ok(lived >= 2.5 && lived <= 5.5, `session lived ${lived} s`);
  } finally {
    await s.stopAndClean();
  }
});

test('429 with Retry-After once a limit is reached', async () => {
  const s = await startServer({
    env: {
      MAJLIS_RATE_LIMITS: 'login_account=3/60,login_address=6/60,signup_invite=2/60,'
        + 'signup_address=off,api_session=5/60,api_address=off',
    },
  });
  try {
    const root = await signup(s, s.invite, 'limited');
    // Login attempts per account: 3, then 429, even with the right passphrase.
    for (let i = 0; i < 3; i++) expectError((await login(s, 'limited', 'wrong passphrase!')).res, 401, 'invalid_credentials');
    const blocked = (await login(s, 'limited', PASS)).res;
    expectError(blocked, 429, 'rate_limited');
    const after = Number(blocked.headers.get('retry-after'));
    assert.ok(after >= 1 && after <= 60, `Retry-After ${after}`);
    // Per address: 6 in all from here, whatever the handle.
    expectError((await login(s, 'someone_else', PASS)).res, 401, 'invalid_credentials');
    expectError((await login(s, 'someone_else', PASS)).res, 401, 'invalid_credentials');
    expectError((await login(s, 'third_person', PASS)).res, 429, 'rate_limited');
    // API calls per session: 5 in all (the sign-up did not count).
    for (let i = 0; i < 5; i++) assert.equal((await root.get('/api/me')).status, 200);
    const busy = await root.get('/api/me');
    expectError(busy, 429, 'rate_limited');
    assert.ok(Number(busy.headers.get('retry-after')) >= 1);
    // Sign-up attempts per invite: 2.
    const anon = s.client();
    const code = 'BBBBBBBBBBBBBBBBBBBBBB';
    const body = { invite: code, handle: 'x_user', display_name: 'X', passphrase: PASS };
    expectError(await anon.post('/api/signup', body), 404, 'invite_invalid');
    expectError(await anon.post('/api/signup', body), 404, 'invite_invalid');
    expectError(await anon.post('/api/signup', body), 429, 'rate_limited');
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});
