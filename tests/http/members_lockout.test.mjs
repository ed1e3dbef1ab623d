// Guessing a member's passphrase must not lock the member out: a browser
// that signed in to the account before (its device cookie) always gets in
// with the right passphrase, whoever hammers the handle from wherever;
// browsers new to the account are held back per handle; wrong guesses from
// one address wait longer each time; and a stolen session guessing the
// passphrase slows only itself. Addresses other than loopback are header
// values behind --trusted-proxy 127.0.0.1; all traffic stays on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, signup, invite, expectError, sleep, PASS,
} from './lib.mjs';

const WRONG = 'not the passphrase at all';
const from = (ip) => ({ headers: { 'x-forwarded-for': ip } });

async function guess(s, handle, ip, passphrase = WRONG) {
  const c = s.client();
  return c.post('/api/login', { handle, passphrase }, ip ? from(ip) : undefined);
}

function tally(results) {
  const t = {};
  for (const r of results) t[r.status] = (t[r.status] ?? 0) + 1;
  return t;
}

test('guesses from the same address do not stop the owner\'s browser', async () => {
  // Default limits: login_account 10 per 15 minutes.
  const s = await startServer();
  try {
    const owner = await signup(s, s.invite, 'owner');
    assert.match(owner.device ?? '', /^mj_device=[A-Za-z0-9_-]{86}$/);
    assert.equal((await owner.post('/api/logout')).status, 204);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await guess(s, 'owner'));
    const t = tally(results);
    assert.ok((t[429] ?? 0) >= 1, JSON.stringify(t));
    // A new browser is held back, even with the right passphrase...
    expectError(await guess(s, 'owner', null, PASS), 429, 'rate_limited');
    // ...the owner's is not.
    const back = await owner.post('/api/login', { handle: 'owner', passphrase: PASS });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.user.handle, 'owner');
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('guesses from many addresses: the owner gets in, new browsers and the guesser wait', async () => {
  const s = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  try {
    const owner = await signup(s, s.invite, 'owner', 'Owner', PASS);
    const mallory = await signup(s, await invite(owner), 'mallory');
    // 30 addresses, 4 guesses each, a few at a time.
    const results = [];
    for (let round = 0; round < 4; round++) {
      const batch = [];
      for (let a = 1; a <= 30; a++) batch.push(guess(s, 'owner', `203.0.113.${a}`));
      results.push(...await Promise.all(batch));
    }
    const t = tally(results);
    assert.equal((t[401] ?? 0) + (t[429] ?? 0), 120, JSON.stringify(t));
    assert.ok(t[429] >= 100, `most guesses are refused before any hashing: ${JSON.stringify(t)}`);
    const refused = results.find((r) => r.status === 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // The owner's browser, from an address of its own or from one of the
    // guesser's: in at once.
    for (const ip of ['198.51.100.7', '203.0.113.1']) {
      const r = await owner.post('/api/login', { handle: 'owner', passphrase: PASS }, from(ip));
      assert.equal(r.status, 200, `${ip}: ${r.text}`);
    }
    // A browser new to the account waits, right passphrase or not.
    const fresh = await guess(s, 'owner', '198.51.100.8', PASS);
    expectError(fresh, 429, 'rate_limited');
    assert.ok(Number(fresh.headers.get('retry-after')) >= 1);
    // Another account's device cookie, or a made-up one, is no way in.
    const other = s.client();
    other.device = mallory.device;
    expectError(await other.post('/api/login', { handle: 'owner', passphrase: PASS }, from('198.51.100.9')),
      429, 'rate_limited');
    other.device = `mj_device=${'A'.repeat(86)}`;
    expectError(await other.post('/api/login', { handle: 'owner', passphrase: PASS }, from('198.51.100.9')),
      429, 'rate_limited');
    // Other handles are not affected.
    const m = await guess(s, 'mallory', '198.51.100.10', PASS);
    assert.equal(m.status, 200, m.text);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('the device cookie: HttpOnly, Strict, for the login only, a year, Secure over HTTPS', async () => {
  const s = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  try {
    const owner = await signup(s, s.invite, 'owner');
    const set = owner.setCookies.find((c) => c.startsWith('mj_device='));
    assert.ok(set, owner.setCookies.join('\n'));
    assert.match(set, /^mj_device=[A-Za-z0-9_-]{86}; Path=\/api\/login; Max-Age=31536000; HttpOnly; SameSite=Strict$/);
    // Each sign-in gets a new one; nothing in it repeats.
    const again = s.client();
    const r = await again.post('/api/login', { handle: 'owner', passphrase: PASS });
    assert.equal(r.status, 200);
    assert.notEqual(again.device, owner.device);
    const tls = s.client({ origin: s.url.replace('http:', 'https:') });
    const https = { headers: { 'x-forwarded-proto': 'https' } };
    assert.equal((await tls.post('/api/login', { handle: 'owner', passphrase: PASS }, https)).status, 200);
    const secure = tls.setCookies.find((c) => c.startsWith('__Secure-mj_device='));
    assert.ok(secure, tls.setCookies.join('\n'));
    assert.match(secure, /; Secure$/);
  } finally {
    await s.stopAndClean();
  }
});

test('wrong guesses from one address wait longer each time; other addresses do not', async () => {
  const s = await startServer({
    args: ['--trusted-proxy', '127.0.0.1'],
    env: { MAJLIS_RATE_LIMITS: 'login_account=off,login_pair=2/4,login_device=2/4' },
  });
  try {
    const owner = await signup(s, s.invite, 'owner');
    const ip = '203.0.113.50';
    expectError(await guess(s, 'owner', ip), 401, 'invalid_credentials');
    expectError(await guess(s, 'owner', ip), 401, 'invalid_credentials');
    const first = await guess(s, 'owner', ip, PASS);
    expectError(first, 429, 'rate_limited');
    const wait1 = Number(first.headers.get('retry-after'));
    assert.equal(wait1, 2);
    // Another address, or another handle from this one: not held back.
    expectError(await guess(s, 'owner', '203.0.113.51'), 401, 'invalid_credentials');
    expectError(await guess(s, 'someone', ip), 401, 'invalid_credentials');
    await sleep(wait1 * 1000 + 300);
    expectError(await guess(s, 'owner', ip), 401, 'invalid_credentials');
    const second = await guess(s, 'owner', ip, PASS);
    expectError(second, 429, 'rate_limited');
    const wait2 = Number(second.headers.get('retry-after'));
    assert.ok(wait2 > wait1, `Retry-After ${wait1} then ${wait2}`);
    // The owner's own browser mistyping has a back-off of its own.
    for (let i = 0; i < 2; i++) {
      const typo = await owner.post('/api/login', { handle: 'owner', passphrase: WRONG }, from(ip));
      expectError(typo, 401, 'invalid_credentials');
    }
    expectError(await owner.post('/api/login', { handle: 'owner', passphrase: PASS }, from(ip)), 429, 'rate_limited');
    // ...which follows the browser, not its address.
    const other = await owner.post('/api/login', { handle: 'owner', passphrase: PASS }, from('198.51.100.1'));
    expectError(other, 429, 'rate_limited');
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('a stolen session guessing the passphrase does not lock the owner out', async () => {
  const s = await startServer();
  try {
    const owner = await signup(s, s.invite, 'owner');
    const leaver = await signup(s, await invite(owner), 'leaver');
    // The thief holds another session of each account.
    const thief = s.client();
    assert.equal((await thief.post('/api/login', { handle: 'owner', passphrase: PASS })).status, 200);
    const thief2 = s.client();
    assert.equal((await thief2.post('/api/login', { handle: 'leaver', passphrase: PASS })).status, 200);
    const results = [];
    for (let i = 0; i < 12; i++) {
      results.push(await thief.post('/api/me/passphrase', { current: WRONG, new: 'the thief wants this one' }));
      results.push(await thief2.del('/api/me', { passphrase: WRONG }));
    }
    const t = tally(results);
    assert.ok(t[403] >= 2 && t[429] >= 2, JSON.stringify(t));
    const held = results.find((r) => r.status === 429);
    expectError(held, 429, 'rate_limited');
    assert.ok(Number(held.headers.get('retry-after')) >= 1);
    // The owners, from their own sessions: done at once.
    const changed = await owner.post('/api/me/passphrase', { current: PASS, new: 'a new passphrase for me' });
    assert.equal(changed.status, 204, changed.text);
    expectError(await thief.get('/api/me'), 401, 'unauthorized');
    const gone = await leaver.del('/api/me', { passphrase: PASS });
    assert.equal(gone.status, 204, gone.text);
    assert.ok(leaver.setCookies.some((c) => /^mj_device=; Path=\/api\/login; Max-Age=0/.test(c)),
      leaver.setCookies.join('\n'));
    // Logins were never involved.
    const fresh = s.client();
    assert.equal((await fresh.post('/api/login', { handle: 'owner', passphrase: 'a new passphrase for me' })).status, 200);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('a passphrase change forgets the other browsers\' device cookies', async () => {
  const s = await startServer({
    args: ['--trusted-proxy', '127.0.0.1'],
    env: { MAJLIS_RATE_LIMITS: 'login_account=1/900,login_pair=off' },
  });
  try {
    const owner = await signup(s, s.invite, 'owner');
    const laptop = s.client();
    assert.equal((await laptop.post('/api/login', { handle: 'owner', passphrase: PASS })).status, 200);
    const NEW = 'a new passphrase for me';
    assert.equal((await owner.post('/api/me/passphrase', { current: PASS, new: NEW })).status, 204);
    // The handle's rate for new browsers is used up...
    expectError(await guess(s, 'owner', '203.0.113.9', NEW), 429, 'rate_limited');
    // ...the browser that made the change is still known; the laptop,
    // whose cookie named the old passphrase, is new again.
    assert.equal((await owner.post('/api/login', { handle: 'owner', passphrase: NEW }, from('198.51.100.1'))).status, 200);
    expectError(await laptop.post('/api/login', { handle: 'owner', passphrase: NEW }, from('198.51.100.2')), 429, 'rate_limited');
  } finally {
    await s.stopAndClean();
  }
});
