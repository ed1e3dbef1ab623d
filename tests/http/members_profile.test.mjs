// Profiles, follows, blocks and account deletion over real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, signup, invite, login, expectError, NO_LIMITS, PASS,
} from './lib.mjs';

let srv;
let admin;
let huda;
let omar;
let zaid;

before(async () => {
  srv = await startServer({ env: NO_LIMITS });
  admin = await signup(srv, srv.invite, 'admin');
  huda = await signup(srv, await invite(admin), 'huda', 'هدى');
  omar = await signup(srv, await invite(admin), 'omar', 'Omar Khalid');
  zaid = await signup(srv, await invite(admin), 'zaid', 'زيد');
});

after(async () => {
  const { code } = await srv.stopAndClean();
  assert.equal(code, 0, `server exit status (sanitizers?):\n${srv.stderr}`);
});

test('a member edits their display name and bio', async () => {
  const r = await huda.patch('/api/me', { display_name: 'هدى العلي', bio: 'سطر أول\r\nسطر ثانٍ  ' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.display_name, 'هدى العلي');
  assert.equal(r.json.user.bio, 'سطر أول\nسطر ثانٍ');
  assert.equal(r.json.user.avatar.initials, 'ه\u200Cع'); // al- skipped
  assert.ok(r.json.user.avatar.hue >= 0 && r.json.user.avatar.hue < 360);
  const seen = await omar.get('/api/users/huda');
  assert.equal(seen.status, 200);
  assert.equal(seen.json.user.bio, 'سطر أول\nسطر ثانٍ');
  assert.equal(seen.json.user.invited_by, undefined, 'the invite tree is not public');
  expectError(await huda.patch('/api/me', { bio: 'x\u202Ey' }), 400, 'invalid_bio');
  expectError(await huda.patch('/api/me', { display_name: '' }), 400, 'invalid_display_name');
  expectError(await huda.patch('/api/me', {}), 400, 'bad_request');
  expectError(await huda.patch('/api/me', { bio: 'b'.repeat(161) }), 400, 'invalid_bio');
  const omarMe = await omar.get('/api/me');
  assert.equal(omarMe.json.user.avatar.initials, 'O\u200CK');
});

test('a profile shows who brought the member in, and no more of the tree', async () => {
  const h = await omar.get('/api/users/huda');
  assert.equal(h.json.user.joined_through.handle, 'admin');
  assert.deepEqual(Object.keys(h.json.user.joined_through).sort(), ['avatar', 'display_name', 'handle']);
  assert.equal(h.json.user.invitees, undefined);
  // An operator's invite brought the admin: nobody.
  assert.equal((await omar.get('/api/users/admin')).json.user.joined_through, null);
});

test('follow, unfollow, and the lists', async () => {
  assert.equal((await omar.post('/api/users/huda/follow')).status, 204);
  assert.equal((await omar.post('/api/users/huda/follow')).status, 204, 'following twice is fine');
  assert.equal((await zaid.post('/api/users/huda/follow')).status, 204);
  assert.equal((await huda.post('/api/users/omar/follow')).status, 204);
  const followers = await zaid.get('/api/users/huda/followers');
  assert.equal(followers.status, 200);
  assert.deepEqual(followers.json.users.map((u) => u.handle), ['zaid', 'omar']);
  assert.equal(followers.json.next, null);
  const following = await zaid.get('/api/users/omar/following');
  assert.deepEqual(following.json.users.map((u) => u.handle), ['huda']);
  const profile = await omar.get('/api/users/huda');
  assert.equal(profile.json.user.followers, 2);
  assert.equal(profile.json.user.you_follow, true);
  assert.equal(profile.json.user.follows_you, true);
  assert.equal((await zaid.del('/api/users/huda/follow')).status, 204);
  assert.equal((await omar.get('/api/users/huda')).json.user.followers, 1);
  expectError(await omar.post('/api/users/omar/follow'), 400, 'self');
  expectError(await omar.post('/api/users/nobody_at_all/follow'), 404, 'not_found');
});

test('a blocked member cannot follow you, see you in lists, or see your profile', async () => {
  assert.equal((await zaid.post('/api/users/huda/follow')).status, 204);
  assert.equal((await huda.post('/api/users/zaid/follow')).status, 204);
  // Huda blocks Zaid: follows both ways end.
  assert.equal((await huda.post('/api/users/zaid/block')).status, 204);
  // For Zaid, Huda is not there at all; Huda cannot follow whom she blocks.
  expectError(await zaid.post('/api/users/huda/follow'), 404, 'not_found');
  expectError(await huda.post('/api/users/zaid/follow'), 403, 'blocked');
  expectError(await zaid.get('/api/users/huda'), 404, 'not_found');
  expectError(await zaid.get('/api/users/huda/followers'), 404, 'not_found');
  // Huda follows Omar: others see her among Omar's followers, Zaid does not.
  const forOthers = await admin.get('/api/users/omar/followers');
  assert.ok(forOthers.json.users.some((u) => u.handle === 'huda'));
  const forZaid = await zaid.get('/api/users/omar/followers');
  assert.ok(!forZaid.json.users.some((u) => u.handle === 'huda'));
  assert.equal((await huda.get('/api/users/zaid')).json.user.you_blocked, true);
  assert.equal((await huda.get('/api/users/zaid')).json.user.follows_you, false);
  const blocks = await huda.get('/api/me/blocks');
  assert.deepEqual(blocks.json.users.map((u) => u.handle), ['zaid']);
  // Unblocking restores visibility, not the follows.
  assert.equal((await huda.del('/api/users/zaid/block')).status, 204);
  assert.equal((await zaid.get('/api/users/huda')).status, 200);
  assert.equal((await zaid.get('/api/users/huda')).json.user.you_follow, false);
  assert.equal((await zaid.post('/api/users/huda/follow')).status, 204);
});

test('deleting an account removes its data and keeps an anonymous node in the tree', async () => {
  const mid = await signup(srv, await invite(admin), 'mid');
  const leaver = await signup(srv, await invite(mid), 'leaver', 'سأغادر');
  const kid = await signup(srv, await invite(leaver), 'leaver_kid');
  const unused = await invite(leaver);
  await leaver.patch('/api/me', { bio: 'secret bio' });
  assert.equal((await leaver.post('/api/users/omar/follow')).status, 204);
  const second = (await login(srv, 'leaver')).client;
  expectError(await leaver.del('/api/me', { passphrase: 'not my passphrase' }), 403, 'wrong_passphrase');
  expectError(await leaver.del('/api/me'), 400, 'bad_request');
  const r = await leaver.del('/api/me', { passphrase: PASS });
  assert.equal(r.status, 204, r.text);
  // Every session is gone, and so is the login.
  expectError(await leaver.get('/api/me'), 401, 'unauthorized');
  expectError(await second.get('/api/me'), 401, 'unauthorized');
  expectError((await login(srv, 'leaver')).res, 401, 'invalid_credentials');
  // The profile and the follows are gone.
  expectError(await omar.get('/api/users/leaver'), 404, 'not_found');
  const omarFollowers = await omar.get('/api/users/omar/followers');
  assert.ok(!omarFollowers.json.users.some((u) => u.handle === 'leaver'));
  // Their unused invite no longer works.
  expectError(await srv.client().get(`/api/invites/${unused}`), 410, 'invite_revoked');
  // The handle stays taken, so nobody can pose as them.
  expectError(await srv.client().post('/api/signup',
    { invite: await invite(admin), handle: 'Leaver', display_name: 'x', passphrase: PASS }), 409, 'handle_taken');
  // The tree keeps an anonymous node: the kid's inviter is "deleted".
  const kidMe = await kid.get('/api/me');
  assert.deepEqual(kidMe.json.user.invited_by, { handle: null, display_name: null, deleted: true });
  const adminView = await admin.get('/api/admin/users/leaver_kid');
  assert.deepEqual(adminView.json.user.invited_by, { handle: null, display_name: null, deleted: true });
  // Accountability survives: suspending the branch above the deleted node
  // still reaches the kid below it.
  const preview = await admin.get('/api/admin/users/mid/subtree');
  assert.deepEqual(preview.json, { accounts: 3, active: 2, suspended: 0, includes_you: false });
  const r2 = await admin.post('/api/admin/users/mid/suspend', { subtree: true });
  assert.deepEqual(r2.json, { accounts: 3, changed: 2 });
  expectError(await kid.get('/api/me'), 401, 'unauthorized');
  expectError(await mid.get('/api/me'), 401, 'unauthorized');
});
