// Administration over real HTTP: suspending a member or a whole invite
// branch (with its preview), lifting it, and the admin flag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, signup, invite, login, expectError, runCli, NO_LIMITS,
} from './lib.mjs';

let srv;
let admin;
const clients = {};

// The tree:           admin
//                   /   |   \
//                 ali  bara  (cli_root, from an operator's invite)
//                /   \    \
//            ali_1  ali_2  bara_1
//                     |
//                  ali_2a
async function grow(parent, handle) {
  clients[handle] = await signup(srv, await invite(clients[parent] ?? admin), handle, `اسم ${handle}`);
}

before(async () => {
  srv = await startServer({ env: NO_LIMITS });
  admin = await signup(srv, srv.invite, 'admin');
  clients.admin = admin;
  await grow('admin', 'ali');
  await grow('admin', 'bara');
  await grow('ali', 'ali_1');
  await grow('ali', 'ali_2');
  await grow('ali_2', 'ali_2a');
  await grow('bara', 'bara_1');
});

after(async () => {
  const { code } = await srv.stopAndClean();
  assert.equal(code, 0, `server exit status (sanitizers?):\n${srv.stderr}`);
});

const branch = ['ali', 'ali_1', 'ali_2', 'ali_2a'];
const outside = ['admin', 'bara', 'bara_1'];

test('only admins reach the admin API', async () => {
  expectError(await clients.ali.get('/api/admin/users/bara'), 403, 'forbidden');
  expectError(await clients.ali.post('/api/admin/users/bara/suspend', { subtree: true }), 403, 'forbidden');
  expectError(await srv.client().get('/api/admin/users/bara'), 401, 'unauthorized');
  expectError(await admin.get('/api/admin/users/nobody'), 404, 'not_found');
});

test('admins find members by the start of a handle or a part of a name', async () => {
  let r = await admin.get('/api/admin/users?q=ali');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.users.map((u) => u.handle), ['ali', 'ali_1', 'ali_2', 'ali_2a']);
  assert.equal(r.json.next, null);
  r = await admin.get(`/api/admin/users?q=${encodeURIComponent('اسم bara')}`);
  assert.deepEqual(r.json.users.map((u) => u.handle), ['bara', 'bara_1']);
  // LIKE's wildcards are matched as themselves.
  r = await admin.get('/api/admin/users?q=%25');
  assert.deepEqual(r.json.users, []);
  r = await admin.get('/api/admin/users?q=_');
  assert.deepEqual(r.json.users.map((u) => u.handle), ['ali_1', 'ali_2', 'ali_2a', 'bara_1'],
    'an underscore is an underscore, not any letter');
  expectError(await admin.get('/api/admin/users'), 400, 'bad_request');
  expectError(await clients.ali.get('/api/admin/users?q=a'), 403, 'forbidden');
});

test('the preview counts the branch', async () => {
  const r = await admin.get('/api/admin/users/ali/subtree');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { accounts: 4, active: 4, suspended: 0, includes_you: false });
  const leaf = await admin.get('/api/admin/users/bara_1/subtree');
  assert.equal(leaf.json.accounts, 1);
  const all = await admin.get('/api/admin/users/admin/subtree');
  assert.equal(all.json.accounts, 7);
  assert.equal(all.json.includes_you, true);
});

test('an admin cannot suspend a branch holding their own account', async () => {
  expectError(await admin.post('/api/admin/users/admin/suspend', { subtree: true }), 409, 'self');
  expectError(await admin.post('/api/admin/users/admin/suspend', {}), 409, 'self');
});

test('suspending a branch locks out every account in it and none outside', async () => {
  const spare = (await login(srv, 'ali_2a')).client; // a second session
  const leftover = await invite(clients.ali_2); // an unused invite of the branch
  const r = await admin.post('/api/admin/users/ali/suspend', { subtree: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { accounts: 4, changed: 4 });
  for (const h of branch) {
    expectError(await clients[h].get('/api/me'), 401, 'unauthorized');
    expectError((await login(srv, h)).res, 403, 'suspended');
    const seen = await admin.get(`/api/users/${h}`); // admins still see them, marked
    assert.equal(seen.json.user.suspended, true, h);
  }
  expectError(await spare.get('/api/me'), 401, 'unauthorized');
  for (const h of outside) {
    assert.equal((await clients[h].get('/api/me')).status, 200, h);
    assert.equal((await login(srv, h)).res.status, 200, h);
  }
  // Suspended members vanish for others, and their invites stop working.
  expectError(await clients.bara.get('/api/users/ali'), 404, 'not_found');
  expectError(await srv.client().get(`/api/invites/${leftover}`), 410, 'invite_revoked');
  const view = await admin.get('/api/admin/users/ali');
  assert.equal(view.status, 200);
  assert.equal(typeof view.json.user.suspended_at, 'number');
  const preview = await admin.get('/api/admin/users/ali/subtree');
  assert.deepEqual(preview.json, { accounts: 4, active: 0, suspended: 4, includes_you: false });
});

test('lifting the suspension of the branch lets them back in', async () => {
  const r = await admin.post('/api/admin/users/ali/unsuspend', { subtree: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.changed, 4);
  for (const h of branch) {
    const { client, res } = await login(srv, h);
    assert.equal(res.status, 200, h);
    clients[h] = client;
  }
});

test('suspending one member leaves their invitees alone', async () => {
  const r = await admin.post('/api/admin/users/ali/suspend', {});
  assert.deepEqual(r.json, { accounts: 1, changed: 1 });
  expectError(await clients.ali.get('/api/me'), 401, 'unauthorized');
  for (const h of ['ali_1', 'ali_2', 'ali_2a']) assert.equal((await clients[h].get('/api/me')).status, 200, h);
  assert.equal((await admin.post('/api/admin/users/ali/unsuspend')).status, 200);
  assert.equal((await login(srv, 'ali')).res.status, 200);
});

test('the operator command suspends a branch too, with a dry run first', async () => {
  const dry = await runCli(['user', 'suspend', '--data', srv.data, '--subtree', '--dry-run', 'BARA']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^2 account\(s\): 2 active, 0 suspended/);
  const { client } = await login(srv, 'bara_1');
  const run = await runCli(['user', 'suspend', '--data', srv.data, '--subtree', 'bara']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /suspended 2 of 2/);
  expectError(await client.get('/api/me'), 401, 'unauthorized');
  const lift = await runCli(['user', 'unsuspend', '--data', srv.data, '--subtree', 'bara']);
  assert.equal(lift.code, 0, lift.stderr);
  assert.equal((await login(srv, 'bara_1')).res.status, 200);
  const none = await runCli(['user', 'suspend', '--data', srv.data, 'ghost']);
  assert.equal(none.code, 1);
});

test('admins can make other admins, not change themselves', async () => {
  const r = await admin.patch('/api/admin/users/bara', { admin: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.admin, true);
  const bara = (await login(srv, 'bara')).client;
  assert.equal((await bara.get('/api/admin/users/ali/subtree')).status, 200);
  expectError(await bara.patch('/api/admin/users/bara', { admin: false }), 409, 'self');
  assert.equal((await admin.patch('/api/admin/users/bara', { admin: false })).status, 200);
  expectError(await bara.get('/api/admin/users/ali/subtree'), 403, 'forbidden');
  expectError(await admin.patch('/api/admin/users/bara', {}), 400, 'bad_request');
  expectError(await admin.patch('/api/admin/users/bara', { invite_quota: -1 }), 400, 'bad_request');
  expectError(await admin.patch('/api/admin/users/bara', { invite_quota: '5' }), 400, 'bad_request');
});
