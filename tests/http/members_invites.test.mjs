// Invite-only sign-up over real HTTP: the first-start admin invite, invalid,
// expired, used and withdrawn invites, quotas, the invite tree, handles and
// display names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, signup, invite, expectError, runCli, sleep, PASS, NO_LIMITS,
} from './lib.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer({ env: NO_LIMITS });
  admin = await signup(srv, srv.invite, 'founder', 'المؤسس');
});

after(async () => {
  const { code } = await srv.stopAndClean();
  assert.equal(code, 0, `server exit status (sanitizers?):\n${srv.stderr}`);
});

const signupBody = (inv, handle, extra = {}) => ({
  invite: inv, handle, display_name: handle, passphrase: PASS, ...extra,
});

test('first start prints the admin invite once, and it made an admin', async () => {
  assert.match(srv.stdout, /admin invite .*http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9_-]{22}/);
  const me = await admin.get('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.admin, true);
  assert.equal(me.json.user.handle, 'founder');
  assert.equal(me.json.user.invited_by, null);
  // The admin invite is single-use.
  const again = await srv.client().post('/api/signup', signupBody(srv.invite, 'second'));
  expectError(again, 410, 'invite_used');
});

test('a restart does not print a new admin invite', async () => {
  const s = await startServer();
  assert.equal((await s.stop()).code, 0, s.stderr);
  const again = await startServer({ data: s.data });
  await sleep(200);
  assert.doesNotMatch(again.stdout, /invite/);
  assert.equal((await again.stopAndClean()).code, 0, again.stderr);
});

test('invite links open the web app and can be checked', async () => {
  const code = await invite(admin);
  const page = await fetch(`${srv.url}/invite/${code}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  const check = await srv.client().get(`/api/invites/${code}`);
  assert.equal(check.status, 200);
  assert.equal(check.json.valid, true);
  assert.equal(check.json.invited_by.handle, 'founder');
  assert.equal(check.json.invited_by.display_name, 'المؤسس');
});

test('invalid invites are refused', async () => {
  const anon = srv.client();
  expectError(await anon.post('/api/signup', signupBody('AAAAAAAAAAAAAAAAAAAAAA', 'nobody1')), 404, 'invite_invalid');
  expectError(await anon.post('/api/signup', signupBody('short', 'nobody1')), 404, 'invite_invalid');
  expectError(await anon.post('/api/signup', signupBody('../../etc/passwd/xxxxxxx', 'nobody1')), 404, 'invite_invalid');
  expectError(await anon.get('/api/invites/AAAAAAAAAAAAAAAAAAAAAA'), 404, 'invite_invalid');
  expectError(await anon.get('/api/invites/nope'), 404, 'invite_invalid');
});

test('a used invite is refused, and so is a second use raced against the first', async () => {
  const code = await invite(admin);
  const a = srv.client();
  const b = srv.client();
  const [ra, rb] = await Promise.all([
    a.post('/api/signup', signupBody(code, 'racer_a')),
    b.post('/api/signup', signupBody(code, 'racer_b')),
  ]);
  const statuses = [ra.status, rb.status].sort();
  assert.deepEqual(statuses, [201, 410], `${ra.text} / ${rb.text}`);
  expectError(ra.status === 410 ? ra : rb, 410, 'invite_used');
  expectError(await srv.client().post('/api/signup', signupBody(code, 'racer_c')), 410, 'invite_used');
});

test('a multi-use invite takes exactly its number of people', async () => {
  const code = await invite(admin, { uses: 2 });
  await signup(srv, code, 'multi_1');
  await signup(srv, code, 'multi_2');
  expectError(await srv.client().post('/api/signup', signupBody(code, 'multi_3')), 410, 'invite_used');
});

test('an expired invite is refused', async () => {
  const code = await invite(admin, { ttl_seconds: 1 });
  await sleep(2100);
  expectError(await srv.client().post('/api/signup', signupBody(code, 'too_late')), 410, 'invite_expired');
  expectError(await srv.client().get(`/api/invites/${code}`), 410, 'invite_expired');
});

test('a withdrawn invite is refused', async () => {
  const r = await admin.post('/api/invites', {});
  const { code, id } = r.json.invite;
  assert.equal((await admin.del(`/api/invites/${id}`)).status, 204);
  expectError(await srv.client().post('/api/signup', signupBody(code, 'withdrawn')), 410, 'invite_revoked');
  expectError(await admin.del('/api/invites/999999'), 404, 'not_found');
});

test('quota: three seats by default, then quota_exhausted; an admin can raise it', async () => {
  const member = await signup(srv, await invite(admin), 'quota_user');
  let me = await member.get('/api/me');
  assert.equal(me.json.user.invite_quota, 3);
  assert.equal(me.json.user.invites_left, 3);
  const first = await invite(member, { uses: 2 });
  await invite(member);
  me = await member.get('/api/me');
  assert.equal(me.json.user.invites_left, 0);
  expectError(await member.post('/api/invites', {}), 403, 'quota_exhausted');
  // Someone joins through the first link: the seat stays used.
  await signup(srv, first, 'quota_kid');
  expectError(await member.post('/api/invites', {}), 403, 'quota_exhausted');
  // Withdrawing the unused one-seat link frees its seat.
  const list = await member.get('/api/invites');
  const unused = list.json.invites.find((i) => i.max_uses === 1);
  assert.equal((await member.del(`/api/invites/${unused.id}`)).status, 204);
  await invite(member);
  expectError(await member.post('/api/invites', {}), 403, 'quota_exhausted');
  // An admin raises the quota.
  const patched = await admin.patch('/api/admin/users/quota_user', { invite_quota: 5 });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.user.invite_quota, 5);
  await invite(member, { uses: 2 });
  expectError(await member.post('/api/invites', {}), 403, 'quota_exhausted');
  expectError(await member.patch('/api/admin/users/quota_user', { invite_quota: 50 }), 403, 'forbidden');
});

test('members see their links and who joined; the inviter is recorded', async () => {
  const parent = await signup(srv, await invite(admin), 'parent', 'Parent Name');
  const code = await invite(parent, { uses: 2 });
  const kid = await signup(srv, code, 'kid_one', 'Kid One');
  const list = await parent.get('/api/invites');
  assert.equal(list.status, 200);
  const inv = list.json.invites.find((i) => i.max_uses === 2);
  assert.equal(inv.uses, 1);
  assert.equal(inv.state, 'active');
  assert.deepEqual(inv.joined.map((u) => u.handle), ['kid_one']);
  assert.equal(inv.code, undefined, 'codes are shown only at creation');
  const me = await kid.get('/api/me');
  assert.equal(me.json.user.invited_by.handle, 'parent');
  // Admins see the tree.
  const view = await admin.get('/api/admin/users/parent');
  assert.equal(view.status, 200);
  assert.equal(view.json.user.invited_by.handle, 'founder');
  assert.deepEqual(view.json.user.invitees.map((u) => u.handle), ['kid_one']);
});

test('handles are unique whatever their letter case, and well-formed', async () => {
  const c1 = await signup(srv, await invite(admin), 'Layla_7');
  const me = await c1.get('/api/me');
  assert.equal(me.json.user.handle, 'layla_7');
  const code = await invite(admin);
  expectError(await srv.client().post('/api/signup', signupBody(code, 'LAYLA_7')), 409, 'handle_taken');
  expectError(await srv.client().post('/api/signup', signupBody(code, 'layla_7')), 409, 'handle_taken');
  for (const bad of ['ab', 'a'.repeat(21), 'has space', 'dash-ed', 'حسن', 'ıstanbul', '']) {
    expectError(await srv.client().post('/api/signup', signupBody(code, bad)), 400, 'invalid_handle');
  }
  // The invite was not spent by the refusals.
  await signup(srv, code, 'layla_8');
});

test('display names: bidi overrides, isolates, marks and control characters are refused', async () => {
  const code = await invite(admin);
  const bad = [
    'evil\u202Egnp.exe', 'a\u202Ab', 'a\u202Bb', 'a\u202Cb', 'a\u202Db',
    'x\u2066y', 'x\u2067y', 'x\u2068y', 'x\u2069y', 'x\u200Fy', 'x\u200Ey', 'x\u061Cy',
    'bell\u0007', 'new\nline', 'tab\there', 'esc\u001b[31m', 'del\u007f', 'c1\u0085',
    'zero\u200Bwidth', 'bom\uFEFF', 'line\u2028sep', '\u3164', '\u2800\u2800', '   ',
    'a\u0301\u0301\u0301\u0301\u0301\u0301\u0301', '\u0301accent', 'priv\uE000',
    'x'.repeat(51), 'ا'.repeat(51),
  ];
  for (const name of bad) {
    const r = await srv.client().post('/api/signup', signupBody(code, 'badname', { display_name: name }));
    expectError(r, 400, 'invalid_display_name');
  }
  // JSON cannot smuggle NUL into a name.
  const nul = await srv.client().post('/api/signup',
    '{"invite":"' + code + '","handle":"nul_name","display_name":"a\\u0000b","passphrase":"' + PASS + '"}', { raw: true });
  assert.equal(nul.status, 400);
  await signup(srv, code, 'goodname', 'Good Name');
});

test('Arabic and other scripts round-trip intact, normalized to NFC', async () => {
  const names = [
    'عبد الله بن محمد',
    'مُحَمَّد الصَّدْر',               // harakat, shadda typed before fatha
    'زهراء ٢٠٢٤',                       // Arabic-Indic digits
    'می‌خواهم',                          // Persian with ZWNJ
    'کوردستان هەولێر',                  // Sorani Kurdish
    'Ωmega café',
    'e\u0301te\u0301',                   // decomposed: comes back composed
    '👩‍👩‍👧 family',                     // ZWJ emoji sequence
    'ا'.repeat(50),
  ];
  for (const [i, name] of names.entries()) {
    const c = await signup(srv, await invite(admin), `script_${i}`, name);
    const me = await c.get('/api/me');
    assert.equal(me.json.user.display_name, name.normalize('NFC'), `name ${i}`);
    const other = await admin.get(`/api/users/script_${i}`);
    assert.equal(other.json.user.display_name, name.normalize('NFC'));
  }
  // Surrounding whitespace goes, inner runs become one space.
  const c = await signup(srv, await invite(admin), 'spaces', '  علي\u00A0\u00A0 حسن  ');
  assert.equal((await c.get('/api/me')).json.user.display_name, 'علي حسن');
});

test('passphrases: too short is refused, Arabic passphrases work in any normalization', async () => {
  const code = await invite(admin);
  for (const p of ['short', '123456789', 'spaces   ']) {
    expectError(await srv.client().post('/api/signup', signupBody(code, 'weakpass', { passphrase: p })),
      400, 'weak_passphrase');
  }
  expectError(await srv.client().post('/api/signup', signupBody(code, 'samename1234', { passphrase: 'SameName1234' })),
    400, 'weak_passphrase');
  const arabic = 'كلمة سر طويلة جداً';
  await signup(srv, code, 'arabic_pass', 'Arabic', arabic.normalize('NFD'));
  const r = await srv.client().post('/api/login', { handle: 'arabic_pass', passphrase: arabic.normalize('NFC') });
  assert.equal(r.status, 200, r.text);
});

test('malformed bodies get 400 or 415 with a clear message', async () => {
  const code = await invite(admin);
  const anon = srv.client();
  expectError(await anon.post('/api/signup', 'not json', { raw: true }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', '[1,2]', { raw: true }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', { ...signupBody(code, 'extra'), admin: true }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', { ...signupBody(code, 'types'), handle: 42 }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', { invite: code, handle: 'missing' }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', '{"invite":"a","invite":"b"}', { raw: true }), 400, 'bad_request');
  expectError(await anon.post('/api/signup', JSON.stringify(signupBody(code, 'ctype')),
    { raw: true, headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
  expectError(await anon.get('/api/nothing/here'), 404, 'not_found');
  const r = await anon.req('PUT', '/api/signup', {});
  expectError(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
});

test('majlis invite create works on a running server\'s data directory', async () => {
  const r = await runCli(['invite', 'create', '--data', srv.data, '--url', srv.url, '--uses', '2']);
  assert.equal(r.code, 0, r.stderr);
  const m = /^http:\/\/127\.0\.0\.1:\d+\/invite\/([A-Za-z0-9_-]{22})\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const c = await signup(srv, m[1], 'from_cli');
  const me = await c.get('/api/me');
  assert.equal(me.json.user.invited_by, null);
  assert.equal(me.json.user.admin, false);
  const bad = await runCli(['invite', 'create', '--data', srv.data, '--uses', '0']);
  assert.equal(bad.code, 2);
});

test('a long list of invites comes in pages: ?before=NEXT gives the rest', async () => {
  const made = new Set();
  for (let i = 0; i < 53; i++) {
    const r = await admin.post('/api/invites', {});
    assert.equal(r.status, 201, r.text);
    made.add(r.json.invite.id);
  }
  const first = await admin.get('/api/invites');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.invites.length, 50);
  assert.equal(typeof first.json.next, 'number');
  const rest = await admin.get(`/api/invites?before=${first.json.next}`);
  assert.equal(rest.status, 200, rest.text);
  const ids = [...first.json.invites, ...rest.json.invites].map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'no invite twice');
  for (const id of made) assert.ok(ids.includes(id), `invite ${id} is on a page`);
  assert.ok(rest.json.invites.every((x) => x.id < first.json.next), 'the second page is older');
});
