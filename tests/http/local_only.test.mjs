// A server on loopback is for this machine only, yet Firefox there needs
// a candidate that is not loopback: answers name this machine's own
// addresses after 127.0.0.1, the media socket listens on them, and it
// takes datagrams from this machine's addresses alone. Another machine
// (a second network namespace, joined by a veth pair) is refused; naming
// --media-bind keeps exactly that address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { spawn, execFileSync } from 'node:child_process';
import { startServer, createRoom, token, tempDir, cleanup, waitFor } from '../browser/lib.mjs';

const SRC = process.env.MAJLIS_SOURCE_DIR || '.';
const OFFER = readFileSync(join(SRC, 'tests/fixtures/sdp/firefox_whep_offer.sdp'), 'utf8');
const HERE = '10.98.0.1'; // this machine's address on the link
const THERE = '10.98.0.2'; // the other machine's

let other; // a process holding the other machine's namespace
let dir;

const sh = (cmd) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

before(async () => {
  dir = tempDir();
  other = spawn('unshare', ['-n', 'sleep', '120'], { stdio: 'ignore' });
  await waitFor(() => {
    try {
      return sh(`readlink /proc/${other.pid}/ns/net`) !== sh('readlink /proc/self/ns/net');
    } catch (_) {
      return false;
    }
  }, { what: 'the other namespace' });
  sh(`ip link add lo0a type veth peer name lo0b && ip link set lo0b netns ${other.pid}`);
  sh(`ip addr add ${HERE}/24 dev lo0a && ip link set lo0a up`);
  sh(`nsenter -t ${other.pid} -n sh -c 'ip addr add ${THERE}/24 dev lo0b && ip link set lo0b up && ip link set lo up'`);
});

after(() => {
  if (other) other.kill('SIGKILL');
  cleanup(dir);
});

// The host candidates of a WHEP answer, in order, as "ip port".
async function candidates(server) {
  const room = createRoom(server.data, 'Local');
  const res = await fetch(`${server.url}/whep/${room}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token(server.data, room, 'listener')}` },
    body: OFFER,
  });
  assert.equal(res.status, 201);
  const sdp = await res.text();
  const first = sdp.split(/\r\n(?=m=)/)[1];
  return [...first.matchAll(/^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/gm)].map((m) => `${m[1]} ${m[2]}`);
}

// One junk datagram to the media port, from `from` (here, or the other
// namespace).
function sendJunk(to, port, from) {
  const js = `const s=require('dgram').createSocket('udp4');s.bind(0,'${from}',()=>` +
    `s.send(Buffer.from('not stun, not dtls'),${port},'${to}',()=>s.close()))`;
  const node = [process.execPath, '-e', js];
  if (from === THERE) execFileSync('nsenter', ['-t', String(other.pid), '-n', ...node]);
  else execFileSync(node[0], node.slice(1));
}

test('on loopback: answers name this machine, and only this machine is heard', async () => {
  const server = await startServer({ data: join(dir, 'a') });
  try {
    const port = server.mediaPort;
    assert.deepEqual(await candidates(server), [`127.0.0.1 ${port}`, `${HERE} ${port}`]);

    // From this machine's own address: taken (and dropped as junk).
    const junk0 = await server.metric('majlis_media_drop_unknown_total');
    sendJunk(HERE, port, HERE);
    await waitFor(async () => (await server.metric('majlis_media_drop_unknown_total')) === junk0 + 1,
      { what: 'the local datagram read' });
    assert.equal(await server.metric('majlis_media_rx_not_local_total'), 0);

    // From the other machine: refused before any parsing.
    sendJunk(HERE, port, THERE);
    await waitFor(async () => (await server.metric('majlis_media_rx_not_local_total')) === 1,
      { what: 'the other machine\'s datagram refused' });
    assert.equal(await server.metric('majlis_media_drop_unknown_total'), junk0 + 1);
  } finally {
    await server.stopCleanly();
  }
});

test('--media-bind and --announce keep exactly what they say', async () => {
  const bound = await startServer({ data: join(dir, 'b'), args: ['--media-bind', '127.0.0.1'] });
  try {
    assert.deepEqual(await candidates(bound), [`127.0.0.1 ${bound.mediaPort}`]);
  } finally {
    await bound.stopCleanly();
  }
  const told = await startServer({ data: join(dir, 'c'), args: ['--announce', '127.0.0.1'] });
  try {
    assert.deepEqual(await candidates(told), [`127.0.0.1 ${told.mediaPort}`]);
  } finally {
    await told.stopCleanly();
  }
});
