// Crash safety: kill -9 the server in the middle of a burst of sign-ups.
// After a restart the database opens cleanly, every sign-up that was
// answered 201 is there (its account logs in, its session still works),
// and every other one either happened completely or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, signup, invite, login, NO_LIMITS, PASS,
} from './lib.mjs';

const BURST = 30;
const KILL_AFTER = 10; // 201s seen before the kill

// scripts/install-deps installs the sqlite3 shell: without it this fails.
function sqliteIntegrity(dbPath) {
  return execFileSync('sqlite3', [dbPath, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim();
}

test('kill -9 during a burst of sign-ups loses no answered sign-up', async () => {
  const srv = await startServer({ env: NO_LIMITS });
  const admin = await signup(srv, srv.invite, 'admin');
  const codes = [];
  for (let i = 0; i < BURST; i++) codes.push(await invite(admin));

  const outcomes = new Array(BURST).fill(null);
  const clients = [];
  let created = 0;
  let killed = null;
  const burst = codes.map(async (code, i) => {
    const c = srv.client();
    clients[i] = c;
    try {
      const r = await c.post('/api/signup', {
        invite: code, handle: `burst_${i}`, display_name: `عضو ${i}`, passphrase: PASS,
      });
      outcomes[i] = r.status;
      if (r.status === 201 && ++created === KILL_AFTER) killed = srv.kill9();
    } catch {
      outcomes[i] = 'lost'; // the connection died with the server
    }
  });
  await Promise.all(burst);
  const exit = await (killed ?? srv.kill9());
  assert.equal(exit.signal, 'SIGKILL');
  const answered = outcomes.flatMap((s, i) => (s === 201 ? [i] : []));
  const lost = outcomes.flatMap((s, i) => (s === 'lost' ? [i] : []));
  assert.ok(answered.length >= KILL_AFTER, `answered: ${outcomes.join(',')}`);
  assert.ok(lost.length > 0, `the kill came too late to test anything: ${outcomes.join(',')}`);
  assert.ok(outcomes.every((s) => s === 201 || s === 'lost'), outcomes.join(','));

  const integrity = sqliteIntegrity(join(srv.data, 'majlis.db'));
  assert.equal(integrity, 'ok');

  const again = await startServer({ data: srv.data, env: NO_LIMITS });
  for (const c of clients) c.base = again.url;
  try {
    for (const i of answered) {
      // The session handed out with the 201 survived the crash too.
      const me = await clients[i].get('/api/me');
      assert.equal(me.status, 200, `burst_${i}: ${me.text}`);
      assert.equal(me.json.user.display_name, `عضو ${i}`);
      assert.equal(me.json.user.invited_by.handle, 'admin');
      const { res } = await login(again, `burst_${i}`);
      assert.equal(res.status, 200, `burst_${i} cannot log in after the crash`);
    }
    // The rest: all or nothing. Either the account exists and its invite is
    // spent, or neither.
    for (const i of lost) {
      const check = await again.client().get(`/api/invites/${codes[i]}`);
      const { res } = await login(again, `burst_${i}`);
      if (res.status === 200) assert.equal(check.status, 410, `burst_${i}: account without a spent invite`);
      else assert.equal(check.status, 200, `burst_${i}: invite spent without an account`);
    }
  } finally {
    const { code } = await again.stopAndClean();
    assert.equal(code, 0, again.stderr);
  }
});
