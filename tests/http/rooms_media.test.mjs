// The stage enforced in the media plane, end to end through a real server:
// a bot with a moderator's speaker token speaks 440 Hz; a member's
// recording bot hears it while it is on stage and unmuted, and hears
// nothing of it once a moderator moves it to the audience, mutes it or
// removes it. What the recordings carry is checked, not just that bytes
// came.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, cleanup } from '../browser/lib.mjs';
import { bot, botSays, dominant, readWav, analyze } from './bot_audio.mjs';
import { community, createRoom, arrive, sleep } from './rooms_lib.mjs';

let c;
let m;
let dir;
let room;
let host;

before(async () => {
  dir = tempDir();
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', join(dir, 'tone.wav'),
    'synth', '4', 'sine', '440']);
  // Our host's page never does ICE: give its visit time before consent ends.
  c = await community(['host', 'fan'], { args: ['--consent-timeout', '120', '--connect-timeout', '120'] });
  m = c.members;
  room = await createRoom(m.host, { title: 'stage' });
  host = await arrive(c.server, m.host, room.id);
});

after(async () => {
  const r = await c.server.stopAndClean();
  assert.equal(r.code, 0, c.server.stderr);
  cleanup(dir);
});

async function token(client, seat) {
  const r = await client.post(`/api/rooms/${room.id}/tokens`, { seat });
  assert.equal(r.status, 201, r.text);
  return r.json.token;
}

// Records the room for `seconds`; returns what the recording carries and
// how many packets came.
async function record(hear, name, seconds = 2) {
  const out = join(dir, `${name}.wav`);
  const r = await bot(['record', '--url', c.server.url, '--room', room.id, '--token', hear,
    '--out', out, '--seconds', String(seconds)]).done;
  assert.equal(r.code, 0, r.stderr);
  const packets = Number(/(\d+) packets;/.exec(r.stderr)?.[1] ?? -1);
  return { ...dominant(out), packets };
}

function hears440(rec, what) {
  assert.ok(rec.packets > 40, `${what}: only ${rec.packets} packets`);
  assert.ok(Math.abs(rec.freq - 440) <= 10, `${what}: peak at ${rec.freq} Hz`);
  assert.ok(rec.db > -30, `${what}: too quiet (${rec.db} dB)`);
}

function silent(rec, what) {
  assert.equal(rec.packets, 0, `${what}: ${rec.packets} packets arrived`);
}

test('a speaker bot is heard only while on stage and unmuted, and not after removal', async () => {
  const speak = await token(m.host, 'speaker');
  const hear = await token(m.fan, 'listener');
  const speaker = bot(['speak', '--url', c.server.url, '--room', room.id, '--token', speak, '--loop',
    join(dir, 'tone.wav')]);
  await botSays(speaker, /connected; speaking/);
  // The bot is a person on stage, shown with the name of its member.
  const on = await host.ws.next((x) => x.type === 'person' && x.person.bot && x.person.role === 'speaker', 'bot');
  const botId = on.person.id;
  assert.equal(on.person.handle, 'host');
  assert.equal(on.person.muted, false);
  hears440(await record(hear, 'on-stage'), 'on stage');

  // Moved to the audience: its packets stop at the server.
  assert.equal((await m.host.post(`/api/rooms/${room.id}/people/${botId}/audience`)).status, 200);
  silent(await record(hear, 'audience'), 'moved to the audience');
  // Invited back: a bot comes on stage at once and is heard again.
  assert.equal((await m.host.post(`/api/rooms/${room.id}/people/${botId}/invite`)).status, 200);
  await sleep(300);
  hears440(await record(hear, 'back'), 'back on stage');
  // Muted by a moderator: silent (a bot cannot unmute itself).
  assert.equal((await m.host.post(`/api/rooms/${room.id}/people/${botId}/mute`)).status, 200);
  silent(await record(hear, 'muted'), 'muted');

  // Removed: its session ends and its token is refused from now on.
  assert.equal((await m.host.post(`/api/rooms/${room.id}/people/${botId}/remove`)).status, 200);
  silent(await record(hear, 'removed'), 'removed');
  const again = await bot(['speak', '--url', c.server.url, '--room', room.id, '--token', speak,
    join(dir, 'tone.wav')]).done;
  assert.equal(again.code, 1);
  assert.match(again.stderr, /403 removed/);
  speaker.proc.kill('SIGTERM');
  await speaker.done;
});

test('a member\'s token holds at most 8 media sessions at once', async () => {
  const hear = await token(m.fan, 'listener');
  const offer = readFileSync(join(process.env.MAJLIS_SOURCE_DIR || '.',
    'tests/fixtures/sdp/chrome_whep_offer_1audio.sdp'), 'utf8');
  const whep = () => fetch(`${c.server.url}/whep/${room.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${hear}` },
    body: offer,
  });
  const made = [];
  for (let i = 0; i < 8; i++) {
    const res = await whep();
    assert.equal(res.status, 201, await res.text());
    made.push(new URL(res.headers.get('location'), c.server.url));
  }
  const ninth = await whep();
  assert.equal(ninth.status, 429);
  assert.equal((await ninth.json()).error, 'too_many_sessions');
  assert.ok(Number(ninth.headers.get('retry-after')) > 0);
  // Another member's token is not held back by this one.
  const other = await token(m.host, 'listener');
  const theirs = await fetch(`${c.server.url}/whep/${room.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${other}` },
    body: offer,
  });
  assert.equal(theirs.status, 201);
  made.push(new URL(theirs.headers.get('location'), c.server.url));
  for (const loc of made) assert.equal((await fetch(loc, { method: 'DELETE' })).status, 200);
  assert.equal((await whep()).status, 201);
});

test('suspending the member a bot answers to ends the bot', async () => {
  const speak = await token(m.host, 'speaker');
  const hear = await token(m.fan, 'listener');
  const speaker = bot(['speak', '--url', c.server.url, '--room', room.id, '--token', speak, '--loop',
    join(dir, 'tone.wav')]);
  await botSays(speaker, /connected; speaking/);
  hears440(await record(hear, 'before'), 'before');
  // The fan's own bot goes when the fan is suspended, mid-recording: the
  // recording's start carries the tone, its end nothing.
  const rec = bot(['record', '--url', c.server.url, '--room', room.id, '--token', hear,
    '--out', join(dir, 'cut.wav'), '--seconds', '6']);
  await botSays(rec, /connected/);
  await sleep(2000);
  assert.equal((await c.admin.post('/api/admin/users/fan/suspend', {})).status, 200);
  const r = await rec.done;
  assert.equal(r.code, 0, r.stderr);
  const { samples, rate } = readWav(join(dir, 'cut.wav'));
  const start = analyze(samples.subarray(rate / 2, rate * 1.5), rate);
  const end = analyze(samples.subarray(samples.length - 2 * rate), rate);
  assert.ok(Math.abs(start.freq - 440) <= 10 && start.db > -30, `before: ${JSON.stringify(start)}`);
  assert.ok(end.db < -60, `the suspended member's bot still heard the room: ${JSON.stringify(end)}`);
  const refused = await bot(['record', '--url', c.server.url, '--room', room.id, '--token', hear,
    '--out', join(dir, 'x.wav'), '--seconds', '1']).done;
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /403 suspended/);
  speaker.proc.kill('SIGTERM');
  await speaker.done;
});
