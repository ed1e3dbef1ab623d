// The rooms API over HTTP: starting rooms, who may see and enter which,
// the hosting limit, tokens for bots, and every refusal of the stage's
// actions by who may not take them (docs/api.md, "Rooms").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { expectError } from './lib.mjs';
import { community, createRoom, enter, arrive, visitOffer } from './rooms_lib.mjs';

let c;
let m; // members by handle

before(async () => {
  c = await community(['host', 'ally', 'fan', 'stranger', 'blocked', 'third'],
    { args: ['--max-stage', '3', '--max-hosted', '3'] });
  m = c.members;
  // fan follows nobody; the host follows ally; the host blocked `blocked`.
  assert.equal((await m.host.post('/api/users/ally/follow')).status, 204);
  assert.equal((await m.host.post('/api/users/blocked/block')).status, 204);
});

after(async () => {
  const r = await c.server.stopAndClean();
  assert.equal(r.code, 0, c.server.stderr);
});

test('starting a room: title and type are checked, the creator is its host', async () => {
  expectError(await m.host.post('/api/rooms', {}), 400, 'bad_request');
  expectError(await m.host.post('/api/rooms', { title: '' }), 400, 'invalid_title');
  expectError(await m.host.post('/api/rooms', { title: 'x'.repeat(101) }), 400, 'invalid_title');
  expectError(await m.host.post('/api/rooms', { title: 'a\u202Eb' }), 400, 'invalid_title');
  expectError(await m.host.post('/api/rooms', { title: 'ok', type: 'secret' }), 400, 'bad_request');
  expectError(await m.host.post('/api/rooms', { title: 'ok', allowed: ['nobody_here'] }), 404, 'no_such_member');
  expectError(await m.host.post('/api/rooms', { title: 'ok', allowed: 'fan' }), 400, 'bad_request');
  expectError(await c.server.client().post('/api/rooms', { title: 'ok' }), 401, 'unauthorized');
  expectError(await m.host.post('/api/rooms', { title: 'ok' }, { origin: 'https://evil.example' }), 403, 'cross_origin');
  const r = await m.host.post('/api/rooms', { title: '  مجلس   الخميس ', type: 'open' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/rooms/${r.json.room.id}`);
  const room = r.json.room;
  assert.equal(room.title, 'مجلس الخميس');
  assert.equal(room.type, 'open');
  assert.equal(room.live, true);
  assert.equal(room.host.handle, 'host');
  assert.deepEqual(room.stage, []);
  assert.equal(r.json.you, null);
  // A title of 100 Arabic letters with their marks is fine.
  const long = await m.third.post('/api/rooms', { title: 'مَ'.repeat(100) });
  assert.equal(long.status, 201, long.text);
  // Only people in a room act in it: the host enters, then ends it.
  expectError(await m.third.post(`/api/rooms/${long.json.room.id}/end`), 409, 'not_in_room');
  for (const [who, id] of [[m.third, long.json.room.id], [m.host, room.id]]) {
    await enter(who, id);
    assert.equal((await who.post(`/api/rooms/${id}/end`)).status, 204);
  }
});

test('a member hosts at most --max-hosted live rooms at once', async () => {
  const a = await createRoom(m.third, { title: 'one' });
  const b = await createRoom(m.third, { title: 'two' });
  const b2 = await createRoom(m.third, { title: 'two and a half' });
  const refused = await m.third.post('/api/rooms', { title: 'three' });
  expectError(refused, 409, 'too_many_rooms');
  assert.match(refused.json.message, /3 live rooms/);
  // The host ends one.
  await enter(m.third, a.id);
  assert.equal((await m.third.post(`/api/rooms/${a.id}/end`)).status, 204);
  const again = await createRoom(m.third, { title: 'three' });
  for (const id of [b.id, b2.id, again.id]) {
    await enter(m.third, id);
    await m.third.post(`/api/rooms/${id}/end`);
  }
});

test('open, social and closed rooms; blocks; unknown and ended rooms', async () => {
  const open = await createRoom(m.host, { title: 'open' });
  const social = await createRoom(m.host, { title: 'social', type: 'social' });
  const closed = await createRoom(m.host, { title: 'closed', type: 'closed', allowed: ['fan'] });
  // Anyone may see and enter an open room, except whom the host blocked.
  assert.equal((await m.stranger.get(`/api/rooms/${open.id}`)).status, 200);
  expectError(await m.blocked.get(`/api/rooms/${open.id}`), 404, 'not_found');
  expectError(await m.blocked.post(`/api/rooms/${open.id}/visits`, { offer: visitOffer() }), 404, 'not_found');
  // A social room: people a moderator follows.
  assert.equal((await m.ally.get(`/api/rooms/${social.id}`)).status, 200);
  expectError(await m.fan.get(`/api/rooms/${social.id}`), 403, 'not_followed');
  expectError(await m.fan.post(`/api/rooms/${social.id}/visits`, { offer: visitOffer() }), 403, 'not_followed');
  // A closed room: the named, and whom a moderator lets in later.
  assert.equal((await m.fan.get(`/api/rooms/${closed.id}`)).status, 200);
  expectError(await m.stranger.get(`/api/rooms/${closed.id}`), 403, 'not_named');
  expectError(await m.stranger.post(`/api/rooms/${closed.id}/visits`, { offer: visitOffer() }), 403, 'not_named');
  await enter(m.host, closed.id);
  const let_in = await m.host.post(`/api/rooms/${closed.id}/allowed`, { handle: 'stranger' });
  assert.equal(let_in.status, 200, let_in.text);
  assert.equal((await m.stranger.get(`/api/rooms/${closed.id}`)).status, 200);
  expectError(await m.host.post(`/api/rooms/${closed.id}/allowed`, { handle: 'no_such_one' }), 404, 'no_such_member');
  expectError(await m.fan.post(`/api/rooms/${closed.id}/allowed`, { handle: 'third' }), 409, 'not_in_room');
  await enter(m.fan, closed.id);
  expectError(await m.fan.post(`/api/rooms/${closed.id}/allowed`, { handle: 'third' }), 403, 'not_moderator');
  // Unknown rooms, and rooms that ended.
  expectError(await m.host.get('/api/rooms/nosuchroom00'), 404, 'not_found');
  expectError(await m.host.get('/api/rooms/x'), 404, 'not_found');
  assert.equal((await m.host.post(`/api/rooms/${closed.id}/end`)).status, 204);
  expectError(await m.host.get(`/api/rooms/${closed.id}`), 410, 'room_ended');
  expectError(await m.fan.post(`/api/rooms/${closed.id}/visits`, { offer: visitOffer() }), 410, 'room_ended');
  expectError(await m.fan.post(`/api/rooms/${closed.id}/hand`, { up: true }), 410, 'room_ended');
  for (const r of [open, social]) {
    await enter(m.host, r.id);
    await m.host.post(`/api/rooms/${r.id}/end`);
  }
});

test('entering: the offer is checked, the answer returned, the visit named', async () => {
  const room = await createRoom(m.host, { title: 'enter' });
  expectError(await m.fan.post(`/api/rooms/${room.id}/visits`, {}), 400, 'bad_request');
  expectError(await m.fan.post(`/api/rooms/${room.id}/visits`, { offer: 'hello' }), 400, 'bad_offer');
  expectError(await m.fan.post(`/api/rooms/${room.id}/visits`, { offer: '' }), 400, 'bad_offer');
  expectError(await m.fan.post(`/api/rooms/${room.id}/visits`, { offer: 'v'.repeat(40000) }), 413, 'too_large');
  expectError(await m.fan.post(`/api/rooms/${room.id}/visits`, { offer: visitOffer(), unlisted: 'yes' }), 400, 'bad_request');
  const r = await m.fan.post(`/api/rooms/${room.id}/visits`, { offer: visitOffer(), unlisted: true });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.visit, /^[0-9a-f]{32}$/);
  assert.equal(r.headers.get('location'), `/api/rooms/${room.id}/visits/${r.json.visit}`);
  // Three slots sent to the page, the microphone's section received.
  const answer = r.json.answer;
  assert.equal((answer.match(/^a=sendonly/gm) || []).length, 3, answer);
  assert.equal((answer.match(/^a=recvonly/gm) || []).length, 1, answer);
  assert.equal(r.json.you.role, 'listener');
  assert.equal(r.json.you.unlisted, true);
  assert.match(r.json.you.id, /^[0-9a-f]{16}$/);
  // The same member again is the same person (a second tab).
  const again = await enter(m.fan, room.id);
  assert.equal(again.you.id, r.json.you.id);
  // Leaving one visit keeps the other; another member cannot end it.
  expectError(await m.host.del(`/api/rooms/${room.id}/visits/${again.visit}`), 404, 'not_found');
  assert.equal((await m.fan.del(`/api/rooms/${room.id}/visits/${again.visit}`)).status, 204);
  expectError(await m.fan.del(`/api/rooms/${room.id}/visits/${again.visit}`), 404, 'not_found');
  assert.equal((await m.fan.get(`/api/rooms/${room.id}`)).json.you.id, r.json.you.id);
  assert.equal((await m.fan.post(`/api/rooms/${room.id}/leave`)).status, 204);
  assert.equal((await m.fan.get(`/api/rooms/${room.id}`)).json.you, null);
  await enter(m.host, room.id);
  await m.host.post(`/api/rooms/${room.id}/end`);
});

test('every action refused to whom may not take it, and nothing changes', async () => {
  const room = await createRoom(m.host, { title: 'refusals' });
  const base = `/api/rooms/${room.id}`;
  // Not in the room yet.
  expectError(await m.fan.post(`${base}/hand`, { up: true }), 409, 'not_in_room');
  expectError(await m.fan.post(`${base}/mute`, { muted: true }), 409, 'not_in_room');
  const host = await enter(m.host, room.id);
  const fan = await enter(m.fan, room.id);
  const ally = await enter(m.ally, room.id);
  const person = (id) => `${base}/people/${id}`;
  // A listener's bad tries.
  expectError(await m.fan.post(`${base}/mute`, { muted: false }), 409, 'not_on_stage');
  expectError(await m.fan.post(`${base}/audience`), 409, 'not_on_stage');
  expectError(await m.fan.post(`${base}/invitation`, { accept: true }), 409, 'not_invited');
  expectError(await m.fan.post(`${person(ally.you.id)}/invite`), 403, 'not_moderator');
  expectError(await m.fan.post(`${person(host.you.id)}/mute`), 403, 'not_moderator');
  expectError(await m.fan.put(`${person(ally.you.id)}/moderator`), 403, 'not_moderator');
  expectError(await m.fan.post(`${person(ally.you.id)}/remove`), 403, 'not_moderator');
  expectError(await m.fan.post(`${base}/end`), 403, 'not_moderator');
  expectError(await m.fan.patch(base, { hands: false }), 403, 'not_moderator');
  expectError(await m.fan.post(`${base}/hand`, { up: 1 }), 400, 'bad_request');
  // Moderators: impossible targets.
  expectError(await m.host.post(`${person('0123456789abcdef')}/invite`), 404, 'no_such_person');
  expectError(await m.host.post(`${person('zz')}/invite`), 404, 'no_such_person');
  expectError(await m.host.post(`${person(fan.you.id)}/mute`), 409, 'not_on_stage');
  expectError(await m.host.put(`${person(fan.you.id)}/moderator`), 409, 'not_on_stage');
  expectError(await m.host.post(`${person(host.you.id)}/remove`), 409, 'self');
  expectError(await m.host.post(`${base}/audience`), 403, 'host');
  // Hands off: raising refused; on again: allowed.
  assert.equal((await m.host.patch(base, { hands: false })).json.room.hands, false);
  expectError(await m.fan.post(`${base}/hand`, { up: true }), 409, 'hands_off');
  assert.equal((await m.host.patch(base, { hands: true })).json.room.hands, true);
  assert.notEqual((await m.fan.post(`${base}/hand`, { up: true })).json.you.hand, null);
  // On stage: no hand; the host is untouchable by another moderator.
  assert.equal((await m.host.post(`${person(ally.you.id)}/invite`)).status, 200);
  const on = await m.ally.post(`${base}/invitation`, { accept: true });
  assert.equal(on.json.you.role, 'speaker');
  assert.equal(on.json.you.muted, true);
  expectError(await m.ally.post(`${base}/hand`, { up: true }), 409, 'on_stage');
  expectError(await m.host.post(`${person(ally.you.id)}/invite`), 409, 'on_stage');
  assert.equal((await m.host.put(`${person(ally.you.id)}/moderator`)).json.room.stage.length, 2);
  expectError(await m.ally.post(`${person(host.you.id)}/mute`), 403, 'host');
  expectError(await m.ally.post(`${person(host.you.id)}/remove`), 403, 'host');
  expectError(await m.ally.del(`${person(host.you.id)}/moderator`), 403, 'host');
  // The stage holds three (--max-stage 3): host, ally, and one more.
  const third = await enter(m.third, room.id);
  const stranger = await enter(m.stranger, room.id);
  assert.equal((await m.host.post(`${person(fan.you.id)}/invite`)).status, 200);
  assert.equal((await m.host.post(`${person(third.you.id)}/invite`)).status, 200);
  assert.equal((await m.fan.post(`${base}/invitation`, { accept: true })).json.you.role, 'speaker');
  expectError(await m.third.post(`${base}/invitation`, { accept: true }), 409, 'stage_full');
  expectError(await m.host.post(`${person(stranger.you.id)}/invite`), 409, 'stage_full');
  // Nothing a refusal touched changed.
  const after_ = (await m.host.get(base)).json.room;
  assert.deepEqual(after_.stage.map((p) => p.role).sort(), ['moderator', 'moderator', 'speaker']);
  assert.equal(after_.counts.listeners, 2);
  await m.host.post(`${base}/end`);
});

test('removal is for good; tokens for bots answer to their member', async () => {
  const room = await createRoom(m.host, { title: 'bots' });
  const base = `/api/rooms/${room.id}`;
  await enter(m.host, room.id);
  const fan = await enter(m.fan, room.id);
  // Only someone who may enter gets a token; only a moderator a speaker's.
  expectError(await m.blocked.post(`${base}/tokens`, {}), 404, 'not_found');
  expectError(await m.fan.post(`${base}/tokens`, { seat: 'speaker' }), 403, 'not_moderator');
  expectError(await m.fan.post(`${base}/tokens`, { seat: 'moderator' }), 400, 'bad_request');
  expectError(await m.fan.post(`${base}/tokens`, { ttl_seconds: 5 }), 400, 'bad_request');
  const t = await m.fan.post(`${base}/tokens`, {});
  assert.equal(t.status, 201, t.text);
  assert.match(t.json.token, /^mj2\./);
  assert.equal(t.json.seat, 'listener');
  assert.equal(t.json.whip, undefined);
  assert.ok(t.json.whep.endsWith(`/whep/${room.id}`));
  const speak = await m.host.post(`${base}/tokens`, { seat: 'speaker', ttl_seconds: 600 });
  assert.equal(speak.status, 201, speak.text);
  assert.ok(speak.json.whip.endsWith(`/whip/${room.id}`));
  // The removed cannot come back, nor make tokens, nor use old ones.
  assert.equal((await m.host.post(`${base}/people/${fan.you.id}/remove`)).status, 200);
  expectError(await m.fan.get(base), 403, 'removed');
  expectError(await m.fan.post(`${base}/visits`, { offer: visitOffer() }), 403, 'removed');
  expectError(await m.fan.post(`${base}/tokens`, {}), 403, 'removed');
  const res = await fetch(`${c.server.url}/whep/${room.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${t.json.token}` },
    body: visitOffer(),
  });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error, 'removed');
  await m.host.post(`${base}/end`);
});
