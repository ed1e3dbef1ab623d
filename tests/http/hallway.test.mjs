// The hallway over HTTP and its event socket: which live rooms a member
// sees (and must not see), live updates within a second, the order
// (someone you follow on stage first, then branches of the invite tree,
// not head counts), and scheduled rooms (docs/api.md, "The hallway").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signup, invite, expectError, PASS } from './lib.mjs';
import { community, createRoom, enter, sleep } from './rooms_lib.mjs';
import { openWs } from './ws.mjs';

const HALL = 'majlis.hallway.v1';
let c;
let m;

before(async () => {
  c = await community(['host', 'fan', 'friend', 'stranger', 'blocked', 'closed_guest', 'star'],
    { args: ['--socket-grace', '120', '--consent-timeout', '300', '--connect-timeout', '300', '--max-hosted', '5'] });
  m = c.members;
  // The fan follows the host and the star; the host follows the fan and
  // the friend (a social room admits whom its moderators follow); the host
  // blocked `blocked`.
  for (const [who, whom] of [['fan', 'host'], ['fan', 'star'], ['host', 'fan'], ['host', 'friend'],
    ['friend', 'host']]) {
    assert.equal((await m[who].post(`/api/users/${whom}/follow`)).status, 204);
  }
  assert.equal((await m.host.post('/api/users/blocked/block')).status, 204);
});

after(async () => {
  const r = await c.server.stopAndClean();
  assert.equal(r.code, 0, c.server.stderr);
});

async function hallway(client) {
  const r = await client.get('/api/hallway');
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const ids = (h) => h.rooms.map((r) => r.id);

async function hallSocket(client) {
  const { status, ws } = await openWs(c.server.url, '/api/hallway/events', { cookie: client.cookie, protocol: HALL });
  assert.equal(status, 101);
  const snapshot = await ws.next('snapshot');
  return { ws, snapshot };
}

test('each member sees the rooms they may enter, and nothing else', async () => {
  const open = await createRoom(m.host, { title: 'open' });
  const social = await createRoom(m.host, { title: 'social', type: 'social' });
  const closed = await createRoom(m.host, { title: 'closed', type: 'closed', allowed: ['closed_guest'] });
  for (const r of [open, social, closed]) await enter(m.host, r.id);
  const seen = {};
  for (const h of ['host', 'fan', 'friend', 'stranger', 'blocked', 'closed_guest']) {
    seen[h] = new Set(ids(await hallway(m[h])));
  }
  assert.deepEqual([...seen.host].sort(), [open.id, social.id, closed.id].sort());
  // A social room: people its moderators follow and who follow them.
  assert.ok(seen.fan.has(social.id) && seen.friend.has(social.id));
  assert.ok(!seen.stranger.has(social.id), 'a social room of someone they do not follow');
  // A closed room: only whom it names.
  assert.ok(seen.closed_guest.has(closed.id));
  assert.ok(!seen.fan.has(closed.id) && !seen.stranger.has(closed.id), 'a closed room they were not let into');
  // Everyone sees the open room, except whom its host blocked.
  assert.ok(seen.stranger.has(open.id) && seen.fan.has(open.id));
  assert.equal(seen.blocked.size, 0, 'rooms of someone who blocked them');
  // An entry: title, type, host, the stage by name, counts; no listener by name.
  const entry = (await hallway(m.fan)).rooms.find((r) => r.id === open.id);
  assert.equal(entry.title, 'open');
  assert.equal(entry.host.handle, 'host');
  assert.deepEqual(entry.stage.map((p) => p.handle), ['host']);
  assert.equal(entry.speakers, 1);
  assert.equal(entry.listeners, 0);
  assert.equal(entry.followed, true, 'the fan follows the host, who is on stage');
  assert.equal(entry.score, undefined, 'the order is the only trace of the tree');
  for (const r of [open, social, closed]) await m.host.post(`/api/rooms/${r.id}/end`);
});

test('the hallway socket hears a new room within a second, and its end', async () => {
  const { ws, snapshot } = await hallSocket(m.fan);
  assert.deepEqual(snapshot.rooms, []);
  const t0 = Date.now();
  const room = await createRoom(m.star, { title: 'نجم الليلة' });
  const got = await ws.next((x) => x.type === 'room' && x.room.id === room.id, 'the new room', 10000);
  console.log(`a new room reached a hallway socket in ${Date.now() - t0} ms`);
  assert.equal(got.room.title, 'نجم الليلة');
  // The star comes on stage: the entry follows; the fan follows the star.
  await enter(m.star, room.id);
  const onStage = await ws.next((x) => x.type === 'room' && x.room.id === room.id && x.room.stage.length === 1,
    'the star on stage', 10000);
  assert.equal(onStage.room.followed, true);
  await ws.next((x) => x.type === 'order' && x.rooms[0] === room.id, 'the order', 10000);
  // Someone not allowed never hears of a closed room.
  const s2 = await hallSocket(m.stranger);
  const closed = await createRoom(m.star, { title: 'secret', type: 'closed' });
  await sleep(800);
  assert.ok(!s2.ws.messages.some((x) => x.type === 'room' && x.room.id === closed.id));
  await m.star.post(`/api/rooms/${room.id}/end`);
  await ws.next((x) => x.type === 'gone' && x.id === room.id, 'the end', 10000);
  await s2.ws.next((x) => x.type === 'gone' && x.id === room.id, 'the end, for the stranger', 10000);
  await enter(m.star, closed.id);
  await m.star.post(`/api/rooms/${closed.id}/end`);
  await ws.close();
  await s2.ws.close();
  // The socket follows the rules of the API.
  const bad = await openWs(c.server.url, '/api/hallway/events', { cookie: m.fan.cookie, protocol: HALL, origin: 'https://evil.example' });
  assert.equal((await bad.ws.next('error')).error, 'cross_origin');
  const anon = await openWs(c.server.url, '/api/hallway/events', { protocol: HALL });
  assert.equal((await anon.ws.next('error')).error, 'unauthorized');
});

test('branches of the invite tree, not head counts, order the hallway', async () => {
  // Ten members from ten separate branches in one room, twenty accounts
  // grown from one member in another.
  const heads = [];
  for (let i = 0; i < 10; i++) heads.push(await signup(c.server, await invite(c.admin), `branch${i}`));
  const infiltrator = await signup(c.server, await invite(c.admin), 'infiltrator');
  const army = [];
  const queue = [infiltrator];
  while (army.length < 20) {
    const parent = queue.shift();
    for (let k = 0; k < 3 && army.length < 20; k++) {
      const a = await signup(c.server, await invite(parent), `fake${army.length}`);
      army.push(a);
      queue.push(a);
    }
  }
  const hostA = await signup(c.server, await invite(c.admin), 'host_a');
  const hostB = await signup(c.server, await invite(c.admin), 'host_b');
  const wide = await createRoom(hostA, { title: 'wide' });
  const deep = await createRoom(hostB, { title: 'deep' });
  await enter(hostA, wide.id);
  await enter(hostB, deep.id);
  for (const h of heads) await enter(h, wide.id);
  for (const a of army) await enter(a, deep.id);
  await sleep(2500); // the order is looked at every two seconds
  const viewer = await signup(c.server, await invite(c.admin), 'viewer');
  const h = await hallway(viewer);
  const order = ids(h).filter((id) => id === wide.id || id === deep.id);
  assert.deepEqual(order, [wide.id, deep.id], 'ten branches before twenty accounts of one');
  const counts = Object.fromEntries(h.rooms.map((r) => [r.id, r.listeners]));
  assert.ok(counts[deep.id] > counts[wide.id], 'the deep room is the bigger one by heads');
  await hostA.post(`/api/rooms/${wide.id}/end`);
  await hostB.post(`/api/rooms/${deep.id}/end`);
});

test('scheduled rooms: announced, seen by followers, cancelled, started', async () => {
  const now = Math.floor(Date.now() / 1000);
  expectError(await m.host.post('/api/schedules', { title: 'x' }), 400, 'bad_request');
  expectError(await m.host.post('/api/schedules', { title: 'x', starts_at: now - 3600 }), 400, 'bad_time');
  expectError(await m.host.post('/api/schedules', { title: 'x', starts_at: now + 200 * 86400 }), 400, 'bad_time');
  expectError(await m.host.post('/api/schedules', { title: '', starts_at: now + 60 }), 400, 'invalid_title');
  const { ws } = await hallSocket(m.fan);
  const r = await m.host.post('/api/schedules', { title: 'الخميس', type: 'social', starts_at: now + 3600 });
  assert.equal(r.status, 201, r.text);
  const sc = r.json.schedule;
  assert.equal(sc.title, 'الخميس');
  assert.equal(sc.starts_at, now + 3600);
  assert.equal(sc.yours, true);
  // A follower hears of it at once and sees it in the list; others do not.
  const heard = await ws.next('upcoming');
  assert.equal(heard.schedule.id, sc.id);
  assert.equal(heard.schedule.yours, false);
  assert.deepEqual((await m.fan.get('/api/schedules')).json.schedules.map((x) => x.id), [sc.id]);
  assert.deepEqual((await hallway(m.fan)).upcoming.map((x) => x.id), [sc.id]);
  assert.deepEqual((await m.stranger.get('/api/schedules')).json.schedules, []);
  // A closed one is the host's own business.
  const secret = await m.host.post('/api/schedules', { title: 'secret', type: 'closed', starts_at: now + 60 });
  assert.equal(secret.status, 201);
  assert.deepEqual((await m.fan.get('/api/schedules')).json.schedules.map((x) => x.id), [sc.id]);
  // Only the host cancels or starts.
  expectError(await m.fan.del(`/api/schedules/${sc.id}`), 404, 'not_found');
  expectError(await m.fan.post(`/api/schedules/${sc.id}/start`), 404, 'not_found');
  assert.equal((await m.host.del(`/api/schedules/${secret.json.schedule.id}`)).status, 204);
  // Started: the room is live, the announcement gone.
  const started = await m.host.post(`/api/schedules/${sc.id}/start`);
  assert.equal(started.status, 201, started.text);
  assert.equal(started.json.room.title, 'الخميس');
  assert.equal(started.json.room.type, 'social');
  assert.equal((await ws.next('unscheduled')).id, sc.id);
  await ws.next((x) => x.type === 'room' && x.room.id === started.json.room.id, 'the started room', 10000);
  assert.deepEqual((await m.fan.get('/api/schedules')).json.schedules, []);
  await enter(m.host, started.json.room.id);
  await m.host.post(`/api/rooms/${started.json.room.id}/end`);
  await ws.close();
});

test('a suspended host leaves every hallway at once', async () => {
  const s = await signup(c.server, await invite(c.admin), 'soon_gone', 'Soon', PASS);
  const room = await createRoom(s, { title: 'short' });
  await enter(s, room.id);
  const { ws } = await hallSocket(m.stranger);
  await ws.next((x) => x.type === 'room' && x.room.id === room.id, 'the room', 10000);
  assert.equal((await c.admin.post('/api/admin/users/soon_gone/suspend', {})).status, 200);
  await ws.next((x) => x.type === 'gone' && x.id === room.id, 'gone', 10000);
  assert.ok(!ids(await hallway(m.stranger)).includes(room.id));
  await ws.close();
});

test('the hallway and announcements refuse whom the API refuses', async () => {
  const anon = c.server.client();
  expectError(await anon.get('/api/hallway'), 401, 'unauthorized');
  expectError(await anon.get('/api/schedules'), 401, 'unauthorized');
  expectError(await anon.post('/api/schedules', { title: 'x', starts_at: Math.floor(Date.now() / 1000) + 60 }), 401, 'unauthorized');
  const at = Math.floor(Date.now() / 1000) + 600;
  expectError(await m.fan.post('/api/schedules', { title: 'x', starts_at: at }, { origin: 'https://evil.example' }), 403, 'cross_origin');
  expectError(await m.fan.post('/api/schedules', { title: 'x', starts_at: at, type: 'party' }), 400, 'bad_request');
  expectError(await m.fan.post('/api/schedules', { title: 'x', starts_at: 'soon' }), 400, 'bad_request');
  expectError(await m.fan.del('/api/schedules/abc'), 404, 'not_found');
  expectError(await m.fan.post('/api/schedules/999999/start'), 404, 'not_found');
  expectError(await m.fan.put('/api/hallway'), 405, 'method_not_allowed');
  // Ten upcoming at most per member.
  const made = [];
  for (let i = 0; i < 10; i++) {
    const r = await m.fan.post('/api/schedules', { title: `t${i}`, starts_at: at + i });
    assert.equal(r.status, 201, r.text);
    made.push(r.json.schedule.id);
  }
  expectError(await m.fan.post('/api/schedules', { title: 'one too many', starts_at: at }), 409, 'too_many_schedules');
  for (const id of made) assert.equal((await m.fan.del(`/api/schedules/${id}`)).status, 204);
});

test('a room is in every hallway from its first moment', async () => {
  // Regression: snapshots once held only the rooms of the last ordering
  // (made every two seconds), and a socket not told of a room then never
  // heard of it.
  const room = await createRoom(m.star, { title: 'just now' });
  assert.ok(ids(await hallway(m.stranger)).includes(room.id));
  const { ws, snapshot } = await hallSocket(m.stranger);
  assert.ok(snapshot.rooms.some((r) => r.id === room.id));
  await enter(m.star, room.id);
  await ws.next((x) => x.type === 'room' && x.room.id === room.id && x.room.stage.length === 1,
    'the stage of a room first sent in the snapshot', 10000);
  await m.star.post(`/api/rooms/${room.id}/end`);
  await ws.close();
});
