// WHIP and WHEP over plain HTTP: every refusal the endpoints promise, CORS,
// the session resource, /healthz and /metrics, the command line, and a
// media port fed garbage. No browser needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import dgram from 'node:dgram';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { startServer, createRoom, token, tempDir, cleanup, sleep, BIN } from '../browser/lib.mjs';

const SRC = process.env.MAJLIS_SOURCE_DIR || '.';
const fixture = (name) => readFileSync(join(SRC, 'tests/fixtures/sdp', name), 'utf8');

let server;
let dir;
let room;
let speak;
let hear;

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data'), args: ['--max-sessions', '3'] });
  room = createRoom(server.data, 'HTTP tests');
  speak = token(server.data, room, 'speaker');
  hear = token(server.data, room, 'listener');
});

after(async () => {
  if (server) await server.stopCleanly();
  cleanup(dir);
});

function post(kind, r, tok, body, type = 'application/sdp') {
  const headers = { 'Content-Type': type };
  if (tok) headers.Authorization = `Bearer ${tok}`;
  return fetch(`${server.url}/${kind}/${r}`, { method: 'POST', headers, body });
}

async function expectError(res, status, code) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const body = await res.json();
  assert.equal(body.error, code);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  return body;
}

test('healthz answers once the server is up', async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('tokens: missing, malformed, forged, expired, for another room', async () => {
  const offer = fixture('chrome_whip_offer.sdp');
  let body = await expectError(await post('whip', room, null, offer), 401, 'unauthorized');
  assert.match(body.message, /missing/);
  await expectError(await post('whip', room, 'garbage', offer), 401, 'unauthorized');
  const forged = `${speak.slice(0, -4)}AAAA`;
  await expectError(await post('whip', room, forged, offer), 401, 'unauthorized');
  const expired = token(server.data, room, 'speaker', 1);
  await sleep(2100);
  body = await expectError(await post('whip', room, expired, offer), 401, 'unauthorized');
  assert.match(body.message, /expired/);
  const other = createRoom(server.data, 'Other');
  body = await expectError(await post('whip', other, speak, offer), 401, 'unauthorized');
  assert.match(body.message, /another room/);
  const res = await post('whip', room, null, offer);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer');
});

test('a listener token cannot publish but can listen', async () => {
  await expectError(await post('whip', room, hear, fixture('chrome_whip_offer.sdp')), 403, 'forbidden');
  const res = await post('whep', room, hear, fixture('chrome_whep_offer_3audio.sdp'));
  assert.equal(res.status, 201);
  assert.equal((await fetch(new URL(res.headers.get('location'), server.url), { method: 'DELETE' })).status, 200);
});

test('unknown room 404, wrong type 415, too large 413, unusable offer 400', async () => {
  const ghost = 'nosuchroom00';
  const ghostToken = spawnSync(BIN, ['token', '--data', server.data, '--room', ghost, '--role', 'speaker']);
  assert.notEqual(ghostToken.status, 0, 'the CLI makes no token for a room that does not exist');
  // Sign one by hand with the server's secret, as a room deleted after its
  // tokens were handed out would leave behind.
  const secret = readFileSync(join(server.data, 'secret.key'));
  const sign = (version, text) => {
    const payload = Buffer.from(text);
    const tag = createHmac('sha256', secret).update(`majlis room token v${version}|`).update(payload).digest();
    return `mj${version}.${payload.toString('base64url')}.${tag.toString('base64url')}`;
  };
  const exp = Math.floor(Date.now() / 1000) + 600;
  const signed = sign(2, `${ghost}|speaker|0|${exp}|0011223344556677`);
  await expectError(await post('whip', ghost, signed, fixture('chrome_whip_offer.sdp')), 404, 'not_found');
  // A token of the format before rooms had members is refused, saying why.
  const old = sign(1, `${room}|speaker|${exp}|0011223344556677`);
  const refusal = await expectError(await post('whip', room, old, fixture('chrome_whip_offer.sdp')), 401, 'unauthorized');
  assert.match(refusal.message, /earlier version/);

  await expectError(await post('whip', room, speak, fixture('chrome_whip_offer.sdp'), 'text/plain'),
    415, 'unsupported_media_type');
  await expectError(await post('whip', room, speak, 'x'.repeat(70 * 1024)), 413, 'too_large');
  let body = await expectError(await post('whip', room, speak, 'hello'), 400, 'bad_offer');
  assert.ok(body.message.length < 200);
  body = await expectError(await post('whip', room, speak, fixture('video_only_offer.sdp')), 400, 'no_audio');
  assert.match(body.message, /Opus/);
  // A WHEP-shaped offer (recvonly) cannot publish.
  await expectError(await post('whip', room, speak, fixture('chrome_whep_offer_1audio.sdp')), 400, 'no_audio');
});

test('answers use the offer\'s payload type; sections over the cap are rejected', async () => {
  // An independent WHIP client that writes OPUS/48000/2 on type 96.
  let res = await post('whip', room, speak, fixture('whip_client_uppercase_opus.sdp'));
  assert.equal(res.status, 201);
  let answer = await res.text();
  assert.match(answer, /a=rtpmap:96 opus\/48000\/2/);
  assert.match(answer, /a=ice-lite/);
  assert.match(answer, /a=setup:passive/);
  assert.match(answer, /a=fingerprint:sha-256 [0-9A-F:]{95}/);
  assert.match(answer, /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
  assert.equal(res.headers.get('content-type'), 'application/sdp');
  await fetch(new URL(res.headers.get('location'), server.url), { method: 'DELETE' });

  // Four recvonly sections: three slots and one rejected with port 0.
  const three = fixture('chrome_whep_offer_3audio.sdp');
  const lines = three.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('m=audio'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  const section = lines.slice(start, end).map((l) => l.replace(/^a=mid:.*/, 'a=mid:9'));
  const four = [...lines.slice(0, end), ...section, ...lines.slice(end)].join('\r\n')
    .replace(/a=group:BUNDLE ([^\r\n]*)/, 'a=group:BUNDLE $1 9');
  res = await post('whep', room, hear, four);
  assert.equal(res.status, 201);
  answer = await res.text();
  const ports = [...answer.matchAll(/^m=audio (\d+)/gm)].map((m) => Number(m[1]));
  assert.equal(ports.length, 4);
  assert.equal(ports.filter((p) => p === 0).length, 1);
  assert.equal(ports[3], 0);
  assert.equal([...answer.matchAll(/^a=ssrc:\d+ cname:/gm)].length, 3);
  await fetch(new URL(res.headers.get('location'), server.url), { method: 'DELETE' });
});

test('the session resource: DELETE ends it, PATCH and GET are refused, OPTIONS is CORS', async () => {
  const res = await post('whip', room, speak, fixture('chrome_whip_offer.sdp'));
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-expose-headers'), /Location/);
  const loc = new URL(res.headers.get('location'), server.url);
  assert.match(loc.pathname, new RegExp(`^/whip/${room}/[0-9a-f]{32}$`));

  await expectError(await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' }), 405, 'method_not_allowed');
  await expectError(await fetch(loc), 405, 'method_not_allowed');
  const opt = await fetch(`${server.url}/whip/${room}`, { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(opt.status, 204);
  assert.match(opt.headers.get('access-control-allow-methods'), /POST/);
  assert.match(opt.headers.get('access-control-allow-headers'), /Authorization/);
  assert.equal(opt.headers.get('accept-post'), 'application/sdp');

  assert.equal((await fetch(loc, { method: 'DELETE' })).status, 200);
  await expectError(await fetch(loc, { method: 'DELETE' }), 404, 'not_found');
  // Another room's path does not reach it either.
  await expectError(await fetch(`${server.url}/whip/${room}/${'0'.repeat(32)}`, { method: 'DELETE' }), 404, 'not_found');
});

test('a full server answers 503 with Retry-After', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) {
    const res = await post('whep', room, hear, fixture('chrome_whep_offer_1audio.sdp'));
    assert.equal(res.status, 201);
    made.push(new URL(res.headers.get('location'), server.url));
  }
  const res = await post('whep', room, hear, fixture('chrome_whep_offer_1audio.sdp'));
  await expectError(res, 503, 'server_full');
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  for (const loc of made) assert.equal((await fetch(loc, { method: 'DELETE' })).status, 200);
  const again = await post('whep', room, hear, fixture('chrome_whep_offer_1audio.sdp'));
  assert.equal(again.status, 201);
  await fetch(new URL(again.headers.get('location'), server.url), { method: 'DELETE' });
});

test('limits per client address, and a reserve that token listeners cannot take', async () => {
  const d = await startServer({ data: join(dir, 'caps'),
    args: ['--max-sessions', '20', '--max-sessions-per-address', '5'] });
  try {
    const r = createRoom(d.data, 'Caps');
    const hearD = token(d.data, r, 'listener');
    const whep = () => fetch(`${d.url}/whep/${r}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${hearD}` },
      body: fixture('chrome_whep_offer_1audio.sdp'),
    });
    const made = [];
    for (let i = 0; i < 5; i++) {
      const res = await whep();
      assert.equal(res.status, 201);
      made.push(new URL(res.headers.get('location'), d.url));
    }
    // One address (here, the loopback every test client shares) holds 5.
    const sixth = await whep();
    await expectError(sixth, 429, 'too_many_sessions_here');
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    assert.equal((await fetch(made.pop(), { method: 'DELETE' })).status, 200);
    const again = await whep();
    assert.equal(again.status, 201);
    made.push(new URL(again.headers.get('location'), d.url));
    const text = await (await fetch(`${d.url}/metrics`)).text();
    assert.match(text, /^majlis_sessions_refused_address_total 1$/m);
    for (const loc of made) assert.equal((await fetch(loc, { method: 'DELETE' })).status, 200);
  } finally {
    await d.stopCleanly();
  }
  // With no limit per address, token listeners fill 19 of 20; the last
  // place is kept for a speaker.
  const e = await startServer({ data: join(dir, 'reserve'),
    args: ['--max-sessions', '20', '--max-sessions-per-address', '0'] });
  try {
    const r = createRoom(e.data, 'Reserve');
    const hearE = token(e.data, r, 'listener');
    const post2 = (kind, tok, sdp) => fetch(`${e.url}/${kind}/${r}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${tok}` },
      body: fixture(sdp),
    });
    for (let i = 0; i < 19; i++)
      assert.equal((await post2('whep', hearE, 'chrome_whep_offer_1audio.sdp')).status, 201);
    await expectError(await post2('whep', hearE, 'chrome_whep_offer_1audio.sdp'), 503, 'server_full');
    const spk = await post2('whip', token(e.data, r, 'speaker'), 'chrome_whip_offer.sdp');
    assert.equal(spk.status, 201);
  } finally {
    await e.stopCleanly();
  }
});

test('offers from one address are rate limited, with Retry-After', async () => {
  const d = await startServer({ data: join(dir, 'offers'), env: { MAJLIS_RATE_LIMITS: 'media_address=5/60' } });
  try {
    const r = createRoom(d.data, 'Offers');
    const offer = () => fetch(`${d.url}/whep/${r}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer not-a-token' },
      body: fixture('chrome_whep_offer_1audio.sdp'),
    });
    // Refused offers count too: each still costs the server its reading.
    for (let i = 0; i < 5; i++) await expectError(await offer(), 401, 'unauthorized');
    const sixth = await offer();
    await expectError(sixth, 429, 'rate_limited');
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
  } finally {
    await d.stopCleanly();
  }
});

test('a draining server (--max-load 0) refuses new listeners but not speakers', async () => {
  const d = await startServer({ data: join(dir, 'drain'), args: ['--max-load', '0'] });
  try {
    const r = createRoom(d.data, 'Drain');
    const res = await fetch(`${d.url}/whep/${r}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token(d.data, r, 'listener')}` },
      body: fixture('chrome_whep_offer_1audio.sdp'),
    });
    await expectError(res, 503, 'server_busy');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    const spk = await fetch(`${d.url}/whip/${r}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token(d.data, r, 'speaker')}` },
      body: fixture('chrome_whip_offer.sdp'),
    });
    assert.equal(spk.status, 201);
    const text = await (await fetch(`${d.url}/metrics`)).text();
    assert.match(text, /^majlis_listeners_refused_busy_total 1$/m);
    assert.match(text, /^majlis_media_worker_load\{worker="0"\} \d+\.\d{3}$/m);
  } finally {
    await d.stopCleanly();
  }
});

async function metrics() {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const value = (name) => {
    const m = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
  };
  return { text, value };
}

test('garbage on the media port is dropped, counted, and harms nothing', async () => {
  const before = await metrics();
  assert.match(before.text, /# TYPE majlis_media_rx_datagrams_total counter/);
  const sock = dgram.createSocket('udp4');
  const kinds = [
    () => Buffer.alloc(0),
    () => Buffer.from([0x00, 0x01, 0x00, 0x50]),                   // truncated STUN
    () => Buffer.concat([Buffer.from([0, 1, 0, 8, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(20)]),
    () => Buffer.concat([Buffer.from([0x16, 0xfe, 0xfd]), Buffer.alloc(60, 7)]), // DTLS junk
    () => Buffer.concat([Buffer.from([0x80, 111]), Buffer.alloc(150, 9)]),      // RTP, no session
    () => Buffer.alloc(1400, 0xff),
    () => Buffer.from(Array.from({ length: 300 }, () => Math.floor(Math.random() * 256))),
  ];
  for (let i = 0; i < 700; i++) {
    const msg = kinds[i % kinds.length]();
    await new Promise((r) => sock.send(msg, server.mediaPort, '127.0.0.1', r));
  }
  // An oversized datagram (bigger than any receive buffer).
  await new Promise((r) => sock.send(Buffer.alloc(8000, 1), server.mediaPort, '127.0.0.1', r));
  sock.close();
  await sleep(1200); // counters are published twice a second
  const after = await metrics();
  const rx = after.value('majlis_media_rx_datagrams_total') - before.value('majlis_media_rx_datagrams_total');
  const dropped = ['drop_unknown', 'drop_no_session', 'drop_stun', 'drop_dtls', 'drop_rtp']
    .map((k) => after.value(`majlis_media_${k}_total`) - before.value(`majlis_media_${k}_total`))
    .reduce((a, b) => a + b, 0);
  assert.ok(rx >= 690, `received ${rx}`);
  assert.ok(dropped >= 690, `dropped ${dropped}`);
  assert.ok(after.value('majlis_media_rx_truncated_total') >= 1);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  // The server still makes sessions.
  const res = await post('whip', room, speak, fixture('chrome_whip_offer.sdp'));
  assert.equal(res.status, 201);
  await fetch(new URL(res.headers.get('location'), server.url), { method: 'DELETE' });
});

// Regression: an empty body (Content-Length: 0) once reached the body
// callback as a NULL pointer.
test('empty bodies are answered, not crashed on', async () => {
  const raw = (method, path, headers) => new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers: { 'Content-Length': '0', ...headers } },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await raw('POST', `/whip/${room}`, { 'Content-Type': 'application/sdp', Authorization: `Bearer ${speak}` }), 400);
  assert.equal(await raw('DELETE', `/whip/${room}/${'a'.repeat(32)}`, {}), 404);
  assert.equal(await raw('POST', '/api/login', { 'Content-Type': 'application/json', Origin: server.url }), 400);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('command line: --help, unknown flags and missing values', () => {
  const run = (...args) => spawnSync(BIN, args, { encoding: 'utf8' });
  for (const cmd of [['serve'], ['room', 'create'], ['token']]) {
    const r = run(...cmd, '--help');
    assert.equal(r.status, 0, `${cmd.join(' ')} --help`);
    assert.match(r.stdout, /usage: majlis/);
  }
  let r = run('serve', '--nonsense');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown flag '--nonsense'/);
  r = run('token', '--room');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--room needs a value/);
  r = run('token', '--room', room, '--data', server.data);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--role is required/);
  r = run('token', '--room', room, '--role', 'king', '--data', server.data);
  assert.equal(r.status, 2);
  r = run('serve', '--media-port', 'abc');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /whole number/);
  r = run('room', 'create', '--data', server.data);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing TITLE/);
  r = run('frobnicate');
  assert.equal(r.status, 2);
  r = run('serve', '--http', 'localhost');
  assert.equal(r.status, 2);
  const id = run('room', 'create', '--data', server.data, 'قاعة');
  assert.equal(id.status, 0);
  assert.match(id.stdout, /^[a-z0-9]{12}\n$/);
});

test('the data directory is private to the server\'s user', () => {
  for (const name of ['.', 'majlis.db', 'secret.key']) {
    const mode = statSync(join(server.data, name)).mode & 0o777;
    assert.equal(mode & 0o077, 0, `${name} is mode ${mode.toString(8)}`);
  }
});
