// The room's event socket: who may open it, what each reader hears, and
// presence: nobody stays in a room after their tab closed, their network
// went away or their media stopped; suspensions and the end reach
// everyone within a second (docs/protocol.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './lib.mjs';
import { community, createRoom, enter, arrive, socket, sleep } from './rooms_lib.mjs';
import { openWs } from './ws.mjs';

let c;
let m;

before(async () => {
  c = await community(['host', 'mod2', 'fan', 'shy', 'other', 'gone', 'branch', 'leaf'], {
    args: ['--socket-grace', '1', '--moderator-grace', '2'],
  });
  m = c.members;
  // `branch` invited `leaf`: suspending the branch reaches both.
  const inv = await m.branch.post('/api/invites', {});
  await c.server.client().post('/api/signup', { invite: inv.json.invite.code, handle: 'leaf2', display_name: 'Leaf', passphrase: 'a long enough passphrase' });
});

after(async () => {
  const r = await c.server.stopAndClean();
  assert.equal(r.code, 0, c.server.stderr);
});

const eventsPath = (room, visit) => `/api/rooms/${room}/visits/${visit}/events`;

test('opening the socket: the same-origin rule, the session, the visit', async () => {
  const room = await createRoom(m.host, { title: 'sockets' });
  const v = await enter(m.host, room.id);
  const other = await enter(m.other, room.id);
  const refused = async (opts, code, error, path = eventsPath(room.id, v.visit)) => {
    const { status, ws } = await openWs(c.server.url, path, opts);
    assert.equal(status, 101);
    const msg = await ws.next('error');
    assert.equal(msg.error, error);
    assert.equal((await ws.closed).code, code);
  };
  await refused({ cookie: m.host.cookie, origin: 'https://evil.example' }, 4403, 'cross_origin');
  await refused({ cookie: m.host.cookie, origin: null }, 4403, 'cross_origin');
  await refused({}, 4401, 'unauthorized');
  await refused({ cookie: 'mj_session=forged' }, 4401, 'unauthorized');
  // Someone else's visit, an unknown one, a bad path.
  await refused({ cookie: m.host.cookie }, 4404, 'no_visit', eventsPath(room.id, other.visit));
  await refused({ cookie: m.host.cookie }, 4404, 'no_visit', eventsPath(room.id, '0'.repeat(32)));
  await refused({ cookie: m.host.cookie }, 4404, 'not_found', `/api/rooms/${room.id}/events`);
  await refused({ cookie: m.host.cookie }, 4410, 'room_ended', eventsPath('nosuchroom00', v.visit));
  // Without our subprotocol the server does not switch at all.
  const plain = await openWs(c.server.url, eventsPath(room.id, v.visit), { cookie: m.host.cookie, protocol: null });
  assert.notEqual(plain.status, 101);
  // The right one: a snapshot, and a ping is answered.
  const { ws, snapshot } = await socket(c.server, m.host, room.id, v.visit);
  assert.equal(snapshot.room.id, room.id);
  assert.equal(snapshot.you.role, 'moderator');
  assert.equal(snapshot.you.id, v.you.id);
  ws.send({ type: 'ping' });
  await ws.next('pong');
  await m.host.post(`/api/rooms/${room.id}/end`);
  assert.equal((await ws.next('ended')).reason, 'moderator');
  assert.equal((await ws.closed).code, 1000);
});

test('what each reader hears: the stage, unlisted listeners, hands, invitations', async () => {
  const room = await createRoom(m.host, { title: 'hearing' });
  const host = await arrive(c.server, m.host, room.id);
  const fan = await arrive(c.server, m.fan, room.id);
  // An unlisted listener: moderators see them, others count them.
  const shy = await arrive(c.server, m.shy, room.id, { unlisted: true });
  const seen = await host.ws.next((x) => x.type === 'person' && x.person.id === shy.id, 'shy');
  assert.equal(seen.person.unlisted, true);
  const counts = await fan.ws.next((x) => x.type === 'counts' && x.counts.listeners === 2, 'counts');
  assert.equal(counts.audience_live, true);
  assert.ok(!fan.ws.messages.some((x) => x.type === 'person' && x.person.id === shy.id));
  assert.ok(!fan.snapshot.people.some((p) => p.id === shy.id));
  assert.ok(!shy.snapshot.people.some((p) => p.id === fan.id && p.unlisted !== undefined));
  // A hand: moderators and the person hear it; other listeners do not.
  await m.fan.post(`/api/rooms/${room.id}/hand`, { up: true });
  const hand = await host.ws.next((x) => x.type === 'person' && x.person.id === fan.id && x.person.hand, 'hand');
  assert.ok(hand.person.hand > 0);
  await fan.ws.next((x) => x.type === 'person' && x.person.id === fan.id && x.person.hand, 'own hand');
  // The invitation goes to the person; accepting puts them on stage, muted.
  await m.host.post(`/api/rooms/${room.id}/people/${fan.id}/invite`);
  const inv = await fan.ws.next('invited');
  assert.equal(inv.by, host.id);
  assert.equal(inv.by_name, 'HOST');
  await m.fan.post(`/api/rooms/${room.id}/invitation`, { accept: true });
  const onStage = await shy.ws.next((x) => x.type === 'person' && x.person.id === fan.id && x.person.role === 'speaker', 'fan on stage');
  assert.equal(onStage.person.muted, true);
  assert.equal(onStage.person.hand, undefined);
  // Unmuting, and a moderator's mute, reach everyone.
  await m.fan.post(`/api/rooms/${room.id}/mute`, { muted: false });
  await shy.ws.next((x) => x.type === 'person' && x.person.id === fan.id && !x.person.muted, 'unmuted');
  await m.host.post(`/api/rooms/${room.id}/people/${fan.id}/mute`);
  await shy.ws.next((x) => x.type === 'person' && x.person.id === fan.id && x.person.muted, 'muted');
  // The unlisted listener on stage is named to all; back in the audience
  // they leave the others' view again.
  await m.host.post(`/api/rooms/${room.id}/people/${shy.id}/invite`);
  await shy.ws.next('invited');
  await m.shy.post(`/api/rooms/${room.id}/invitation`, { accept: true });
  await fan.ws.next((x) => x.type === 'person' && x.person.id === shy.id && x.person.role === 'speaker', 'shy on stage');
  await m.shy.post(`/api/rooms/${room.id}/audience`);
  await fan.ws.next((x) => x.type === 'left' && x.id === shy.id, 'shy unlisted again');
  // Hand raising off: everyone hears the room changed.
  await m.host.patch(`/api/rooms/${room.id}`, { hands: false });
  assert.equal((await fan.ws.next('room')).room.hands, false);
  // A moderator made, a person removed.
  await m.host.put(`/api/rooms/${room.id}/people/${fan.id}/moderator`);
  await shy.ws.next((x) => x.type === 'person' && x.person.id === fan.id && x.person.role === 'moderator', 'fan mod');
  await m.host.post(`/api/rooms/${room.id}/people/${shy.id}/remove`);
  await shy.ws.next('removed');
  assert.equal((await shy.ws.closed).code, 1000);
  await host.ws.next((x) => x.type === 'left' && x.id === shy.id, 'shy removed');
  await m.host.post(`/api/rooms/${room.id}/end`);
  assert.equal((await fan.ws.next('ended')).type, 'ended');
});

test('no ghosts: a closed tab leaves at once, a lost network after the grace', async () => {
  const room = await createRoom(m.host, { title: 'ghosts' });
  const host = await arrive(c.server, m.host, room.id);
  // A closed tab: the browser sends 1001.
  const fan = await arrive(c.server, m.fan, room.id);
  await fan.ws.close(1001);
  await host.ws.next((x) => x.type === 'left' && x.id === fan.id, 'closed tab');
  // A lost network: no close frame; gone after --socket-grace (1 s).
  const other = await arrive(c.server, m.other, room.id);
  await m.host.post(`/api/rooms/${room.id}/people/${other.id}/invite`);
  await m.other.post(`/api/rooms/${room.id}/invitation`, { accept: true });
  await host.ws.next((x) => x.type === 'person' && x.person.id === other.id && x.person.role === 'speaker', 'on stage');
  await other.ws.drop();
  const t0 = Date.now();
  await host.ws.next((x) => x.type === 'left' && x.id === other.id, 'lost network', 10000);
  console.log(`a dropped socket's speaker left after ${Date.now() - t0} ms (grace 1 s)`);
  // A reconnect within the grace keeps the visit and gets a fresh snapshot.
  const back = await arrive(c.server, m.other, room.id);
  await back.ws.drop();
  await sleep(300);
  const again = await socket(c.server, m.other, room.id, back.visit);
  assert.equal(again.snapshot.you.id, back.id);
  await sleep(1500);
  assert.ok((await m.other.get(`/api/rooms/${room.id}`)).json.you, 'still in after reconnecting');
  // A page that entered and never opened its socket is gone after the grace.
  const never = await enter(m.shy, room.id);
  await host.ws.next((x) => x.type === 'person' && x.person.id === never.you.id, 'entered');
  await host.ws.next((x) => x.type === 'left' && x.id === never.you.id, 'never attached', 10000);
  await m.host.post(`/api/rooms/${room.id}/end`);
});

test('no ghosts: a media connection that never answers ends its visit', async () => {
  const d = await community(['host', 'fan'], { args: ['--consent-timeout', '2'] });
  try {
    const room = await createRoom(d.members.host, { title: 'consent' });
    const host = await arrive(d.server, d.members.host, room.id);
    // Our visits' offers are never followed by ICE: consent runs out.
    const fan = await arrive(d.server, d.members.fan, room.id);
    const closed = await fan.ws.closed;
    assert.equal(closed.code, 4008);
    assert.equal((await host.ws.closed).code, 4008);
    assert.equal((await d.members.fan.get(`/api/rooms/${room.id}`)).json.you, null);
  } finally {
    const r = await d.server.stopAndClean();
    assert.equal(r.code, 0, d.server.stderr);
  }
});

test('suspensions cut rooms within a second: the admin API and the command line', async () => {
  const room = await createRoom(m.host, { title: 'suspensions' });
  const host = await arrive(c.server, m.host, room.id);
  const gone = await arrive(c.server, m.gone, room.id);
  const t0 = Date.now();
  const r = await c.admin.post('/api/admin/users/gone/suspend', {});
  assert.equal(r.status, 200, r.text);
  // The cut happens within the admin's request: when it is answered, the
  // room no longer counts them.
  assert.equal((await m.host.get(`/api/rooms/${room.id}`)).json.room.counts.listeners, 0);
  await host.ws.next((x) => x.type === 'left' && x.id === gone.id, 'suspended', 10000);
  console.log(`the admin's suspension reached the room's sockets in ${Date.now() - t0} ms`);
  assert.equal((await gone.ws.closed).code, 1000);
  // Their session ended with the suspension: no way back in.
  const back = await m.gone.post(`/api/rooms/${room.id}/visits`, { offer: 'v=0' });
  assert.equal(back.status, 401);
  const { ws: refused } = await openWs(c.server.url, eventsPath(room.id, gone.visit), { cookie: m.gone.cookie });
  assert.equal((await refused.next('error')).error, 'unauthorized');
  // From the operator's command line, a whole branch.
  const br = await arrive(c.server, m.branch, room.id);
  const cli = await runCli(['user', 'suspend', '--data', c.server.data, '--subtree', 'branch']);
  assert.equal(cli.code, 0, cli.stderr);
  const t1 = Date.now();
  await host.ws.next((x) => x.type === 'left' && x.id === br.id, 'suspended by the CLI', 10000);
  console.log(`the command line's suspension reached the room in ${Date.now() - t1} ms`);
  // A suspended host's room ends.
  const hosted = await createRoom(m.mod2, { title: 'hosted' });
  const h2 = await arrive(c.server, m.mod2, hosted.id);
  const listener = await arrive(c.server, m.fan, hosted.id);
  await c.admin.post('/api/admin/users/mod2/suspend', {});
  assert.equal((await listener.ws.next('ended')).type, 'ended');
  await h2.ws.closed;
  await m.host.post(`/api/rooms/${room.id}/end`);
});

test('a room left without a moderator ends by itself; an operator ends one too', async () => {
  const room = await createRoom(m.host, { title: 'abandoned' });
  const host = await arrive(c.server, m.host, room.id);
  const fan = await arrive(c.server, m.fan, room.id);
  await host.ws.close(1000);
  const ended = await fan.ws.next('ended', 'ended', 10000);
  assert.equal(ended.reason, 'no_moderator');
  // The command line's `room end` reaches a running server.
  const r2 = await createRoom(m.host, { title: 'operator ends' });
  const h = await arrive(c.server, m.host, r2.id);
  const cli = await runCli(['room', 'end', '--data', c.server.data, r2.id]);
  assert.equal(cli.code, 0, cli.stderr);
  await h.ws.next('ended', 'ended by the operator', 10000);
});

test('opening sockets counts against the rate limits of the API', async () => {
  const { startServer } = await import('./lib.mjs');
  const s = await startServer({ env: { MAJLIS_RATE_LIMITS: 'api_address=2/600' } });
  try {
    const path = eventsPath('nosuchroom00', '0'.repeat(32));
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const { ws } = await openWs(s.url, path, { cookie: 'mj_session=nothing' });
      const msg = await ws.next('error');
      codes.push([msg.error, (await ws.closed).code]);
    }
    assert.deepEqual(codes, [['unauthorized', 4401], ['unauthorized', 4401], ['rate_limited', 4429]]);
  } finally {
    const r = await s.stopAndClean();
    assert.equal(r.code, 0, s.stderr);
  }
});
