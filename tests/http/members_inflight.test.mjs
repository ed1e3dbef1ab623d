// A check of the passphrase that waited in the hashing queue while the
// passphrase changed must not let the old passphrase in. The queue is
// made to hold the login back with other logins from its network
// (X-Forwarded-For values behind --trusted-proxy 127.0.0.1), so that the
// change, from another network, is done first. All traffic is loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signup, expectError, sleep, PASS, NO_LIMITS } from './lib.mjs';

const NEW = 'the brand new passphrase';

async function server() {
  return startServer({
    env: { ...NO_LIMITS, MAJLIS_HASH_THREADS: '1' },
    args: ['--trusted-proxy', '127.0.0.1'],
  });
}

// Queues five logins for nobody from 203.0.113.0/24, then `then` from the
// same network, so that it waits behind them.
function behindOthers(s, then) {
  const from = (i) => ({ headers: { 'x-forwarded-for': `203.0.113.${i}` } });
  const others = [];
  for (let i = 1; i <= 5; i++) {
    others.push(s.client().post('/api/login', { handle: `nobody_${i}`, passphrase: 'anything at all' }, from(i)));
  }
  return { others, it: then(from(9)) };
}

test('a login waiting while the passphrase changes does not get in with the old one', async () => {
  const s = await server();
  try {
    const owner = await signup(s, s.invite, 'owner');
    const old = s.client();
    const { others, it } = behindOthers(s, (h) => old.post('/api/login', { handle: 'owner', passphrase: PASS }, h));
    await sleep(300); // the login is in the queue now
    const changed = await owner.post('/api/me/passphrase', { current: PASS, new: NEW });
    assert.equal(changed.status, 204, changed.text);
    const late = await it;
    expectError(late, 401, 'invalid_credentials');
    assert.equal(old.cookie, null);
    await Promise.all(others);
    assert.equal((await s.client().post('/api/login', { handle: 'owner', passphrase: NEW })).status, 200);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('a deletion waiting while the passphrase changes is refused', async () => {
  const s = await server();
  try {
    const owner = await signup(s, s.invite, 'owner');
    const other = s.client();
    assert.equal((await other.post('/api/login', { handle: 'owner', passphrase: PASS })).status, 200);
    const { others, it } = behindOthers(s, (h) => other.del('/api/me', { passphrase: PASS }, h));
    await sleep(300);
    assert.equal((await owner.post('/api/me/passphrase', { current: PASS, new: NEW })).status, 204);
    expectError(await it, 403, 'wrong_passphrase');
    await Promise.all(others);
    assert.equal((await owner.get('/api/me')).status, 200);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});
