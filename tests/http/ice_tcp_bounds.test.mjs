// The ICE-TCP port's bounds, against a real server with raw TCP
// connections: one that never completes ICE is closed, so is one that
// sends a frame too long or checks for no session, and past
// --max-tcp-connections a new one is closed at once. /metrics counts each.
// No timing assertions: "closed" means closed before a generous deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { startServer, tempDir, cleanup, waitFor } from '../browser/lib.mjs';

const MAX = 3;
let server;
let dir;

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data'), args: ['--max-tcp-connections', String(MAX)] });
});

after(async () => {
  if (server) await server.stopCleanly();
  cleanup(dir);
});

// A connection to the media TCP port (the same number as the UDP one), with
// a promise of its end.
function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.mediaPort, '127.0.0.1');
    s.ended = new Promise((r) => s.once('close', () => r(true)));
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Whether s closes within ms (the timer does not hold the process).
const closedWithin = (s, ms) => Promise.race([s.ended,
  new Promise((r) => setTimeout(() => r(false), ms).unref())]);

const metric = (name) => server.metric(name);

// RFC 4571: two length bytes, then the frame.
const frame = (body) => Buffer.concat([Buffer.from([body.length >> 8, body.length & 255]), body]);

// A STUN binding request for a ufrag nobody has.
function stunRequest() {
  const user = Buffer.from('nobody00:remote0') // 16 bytes: no padding;
  const attr = Buffer.alloc(4 + user.length);
  attr.writeUInt16BE(0x0006, 0);
  attr.writeUInt16BE(user.length, 2);
  user.copy(attr, 4);
  const hdr = Buffer.alloc(20);
  hdr.writeUInt16BE(0x0001, 0);
  hdr.writeUInt16BE(attr.length, 2);
  hdr.writeUInt32BE(0x2112a442, 4);
  return Buffer.concat([hdr, attr]);
}

test('past the connection limit a new connection is closed at once', async () => {
  const held = [];
  for (let i = 0; i < MAX; i++) held.push(await connect());
  const extra = await connect();
  assert.equal(await closedWithin(extra, 20000), true, 'the connection over the limit stays open');
  await waitFor(async () => (await metric('majlis_media_tcp_refused_total')) >= 1,
    { what: 'the refusal counted' });
  for (const s of held) s.destroy();
});

test('a connection that never completes ICE is closed', async () => {
  const quiet = await connect();
  const stranger = await connect();
  // Frames that are not ICE for any session: garbage, and a check for a
  // ufrag nobody has. Neither binds the connection to anything.
  stranger.write(Buffer.concat([frame(Buffer.from('not a datagram of ours')), frame(stunRequest()),
    frame(Buffer.alloc(0))]));
  assert.equal(await closedWithin(quiet, 30000), true, 'a silent connection stays open');
  assert.equal(await closedWithin(stranger, 30000), true, 'a connection of strangers stays open');
  await waitFor(async () => (await metric('majlis_media_tcp_closed_ice_total')) >= 2,
    { what: 'the closes counted' });
  assert.ok(await metric('majlis_media_tcp_rx_frames_total') >= 2, 'frames counted');
  assert.ok(await metric('majlis_media_drop_no_session_total') >= 1, 'the check counted as for nobody');
});

test('a frame too long closes its connection', async () => {
  const s = await connect();
  s.write(Buffer.from([0xff, 0xff, 1, 2, 3]));
  assert.equal(await closedWithin(s, 30000), true);
  await waitFor(async () => (await metric('majlis_media_tcp_closed_bad_total')) >= 1,
    { what: 'the bad frame counted' });
  await waitFor(async () => (await metric('majlis_media_tcp_connections')) === 0,
    { what: 'no connection left' });
});
