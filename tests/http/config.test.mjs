// majlis serve --config FILE: the file's settings take effect, flags on
// the command line win over it, and it wins over the environment; a bad
// file stops the server before it starts, naming the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, invite, runCli, tempDir, PASS, NO_LIMITS } from './lib.mjs';

const ORIGIN = 'https://majlis.example';

// A sign-up from a page of the public origin: with public-origin set,
// only such requests pass the same-origin rule.
async function signup(server, code, handle) {
  const c = server.client({ origin: ORIGIN });
  const r = await c.post('/api/signup', { invite: code, handle, display_name: handle, passphrase: PASS });
  assert.equal(r.status, 201, `sign-up of ${handle}: ${r.text}`);
  return c;
}

test('settings from the file; the command line wins over it, it over the environment', async () => {
  const dir = tempDir();
  const conf = join(dir, 'majlis.conf');
  writeFileSync(conf, [
    '# members may invite one person each',
    'invite-quota = 1',
    `public-origin = "${ORIGIN}"   # links and the same-origin rule`,
    'max-hosted 1',
    '',
  ].join('\n'));
  const env = { ...NO_LIMITS, MAJLIS_INVITE_QUOTA: '5', MAJLIS_PUBLIC_ORIGIN: 'https://env.example' };
  const server = await startServer({ env, args: ['--config', conf] });
  try {
    // A page of the request's own origin is refused: the file's origin
    // is the server's (and the environment's lost to it).
    const local = await server.client().post('/api/signup',
      { invite: server.invite, handle: 'admin', display_name: 'admin', passphrase: PASS });
    assert.equal(local.status, 403, local.text);
    assert.equal(local.json.error, 'cross_origin');
    const admin = await signup(server, server.invite, 'admin');
    const r = await admin.post('/api/invites', {});
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.invite.url.startsWith(`${ORIGIN}/invite/`), r.json.invite.url);
    const member = await signup(server, r.json.invite.code, 'amal');
    const m = await member.post('/api/invites', {});
    assert.equal(m.status, 201, m.text);
    assert.equal(m.json.invite_quota, 1, 'the file wins over MAJLIS_INVITE_QUOTA=5');
    // 'max-hosted 1' (no '='): a second live room is one too many.
    assert.equal((await admin.post('/api/rooms', { title: 'one' })).status, 201);
    const two = await admin.post('/api/rooms', { title: 'two' });
    assert.equal(two.status, 409, two.text);
    assert.equal(two.json.error, 'too_many_rooms');
  } finally {
    const r = await server.stopAndClean();
    assert.equal(r.code, 0, server.stderr); // and no sanitizer report
  }

  // --invite-quota on the command line wins over the file.
  const flagged = await startServer({ env, args: ['--config', conf, '--invite-quota', '2'] });
  try {
    const admin = await signup(flagged, flagged.invite, 'admin');
    const member = await signup(flagged, await invite(admin), 'amal');
    const m = await member.post('/api/invites', {});
    assert.equal(m.status, 201, m.text);
    assert.equal(m.json.invite_quota, 2);
  } finally {
    const r = await flagged.stopAndClean();
    assert.equal(r.code, 0, flagged.stderr);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad config file is refused with its line, before anything starts', async () => {
  const dir = tempDir();
  try {
    const cases = [
      ['log-level = warn\nworkers = lots\n', /majlis\.conf:2: workers wants a whole number from 1 to 64, not 'lots'/],
      ['# x\n\nsesion-idle = 60\n', /majlis\.conf:3: unknown setting 'sesion-idle'/],
      ['rate-limits = login_account=5\n', /majlis\.conf:1: rate-limits wants SCOPE=COUNT\/SECONDS/],
      ['public-origin = majlis.example\n', /majlis\.conf:1: public-origin wants http:\/\/HOST/],
      ['http = 127.0.0.1:1\nhttp = 127.0.0.1:2\n', /majlis\.conf:2: http is set twice \(first on line 1\)/],
    ];
    const conf = join(dir, 'majlis.conf');
    const data = join(dir, 'data');
    for (const [text, want] of cases) {
      writeFileSync(conf, text);
      const r = await runCli(['serve', '--config', conf, '--data', data], {}, { timeout: 20000 });
      assert.equal(r.code, 2, `${text}: ${r.stderr}`);
      assert.match(r.stderr, want);
    }
    const missing = await runCli(['serve', '--config', join(dir, 'nope.conf'), '--data', data]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.conf \(No such file or directory\)/);
    assert.ok(!existsSync(data), 'nothing was started');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
