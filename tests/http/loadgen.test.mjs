// majlis loadgen, briefly, against a real server: every listener joins,
// every packet authenticates, comes from a slot and a speaker of the run,
// and nearly none is lost; the JSON has the figures the benchmarks use.
// No timing assertions: the machine is shared. And the tool refuses to
// aim anywhere but this machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, createRoom, token, tempDir, cleanup, waitFor, BIN } from '../browser/lib.mjs';

let server;
let dir;

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
});

after(async () => {
  if (server) await server.stopCleanly();
  cleanup(dir);
});

function loadgen(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['loadgen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('20 listeners, 2 speakers, 5 seconds: all join, all authentic, no loss to speak of', async () => {
  const room = createRoom(server.data, 'Load');
  const json = join(dir, 'run.json');
  const r = await loadgen(['--url', server.url, '--room', room,
    '--speaker-token', token(server.data, room, 'speaker'),
    '--listener-token', token(server.data, room, 'listener'),
    '--listeners', '20', '--speakers', '2', '--ramp', '50', '--duration', '5',
    '--server-pid', String(server.proc.pid), '--json', json]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /20 joined, 0 failed/);
  assert.match(r.stderr, /joined \d+\/20/, 'a progress line');
  const j = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(j.joins.attempted, 20);
  assert.equal(j.joins.joined, 20);
  assert.equal(j.joins.failed, 0);
  assert.equal(j.joins.join_ms.count, 20);
  assert.ok(j.joins.join_ms.p50 > 0 && j.joins.join_ms.p99 >= j.joins.join_ms.p50);
  const p = j.packets;
  assert.equal(p.srtp_auth_failures, 0);
  assert.equal(p.srtp_replays, 0);
  assert.equal(p.bad_ssrc, 0);
  assert.equal(p.bad_origin, 0);
  assert.equal(p.bad_payload, 0);
  assert.equal(p.duplicates, 0);
  assert.ok(p.sent > 200, `speakers sent ${p.sent}`);
  // Each listener hears both speakers for most of the run.
  assert.ok(p.received > 20 * 2 * 50 * 2, `received ${p.received}`);
  assert.ok(p.loss_pct < 1, `loss ${p.loss_pct}%`);
  assert.ok(j.delay_ms.count > 0 && j.delay_ms.p99 >= j.delay_ms.p50);
  assert.ok(j.server.cpu_us_per_packet > 0, 'server CPU per packet from /proc');
  assert.ok(j.server.at_end.rss_kib > 0);
  assert.ok(j.loadgen.cpu_s > 0);
  assert.equal(j.listeners.length, 20);
  assert.ok(j.listeners.every((l) => l.joined && l.srtp_auth_failures === 0));
  if (j.server.metrics) assert.equal(j.server.metrics.forwarded_packets >= p.received, true);
});

test('refuses targets off this machine, runs without a duration, and oversized runs', async () => {
  const base = ['--room', 'abc', '--speaker-token', 't', '--listener-token', 't', '--listeners', '1'];
  let r = await loadgen(['--url', 'http://192.0.2.1:8080', ...base, '--duration', '5']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refused: .*192\.0\.2\.1.* not a loopback address/);
  r = await loadgen(['--url', server.url, ...base]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--duration is required/);
  r = await loadgen(['--url', server.url, ...base, '--duration', '3601']);
  assert.equal(r.code, 2);
  r = await loadgen(['--url', server.url, '--room', 'abc', '--speaker-token', 't',
    '--listener-token', 't', '--listeners', '20001', '--duration', '5']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--listeners wants a whole number from 0 to 20000/);
  // A refused token stops the run at once with the server's reason.
  const room = createRoom(server.data, 'Refused');
  r = await loadgen(['--url', server.url, '--room', room, '--speaker-token', 'bad',
    '--listener-token', 'bad', '--listeners', '1', '--duration', '5']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused the token/);
});

// A room spread over three workers (--room-split 6): its home worker hands
// each speaker packet to the two branch workers, which serve their share of
// the listeners; a second, listen-only load generator joins the same room.
test('one room over three workers: every listener on every worker hears every packet', async () => {
  const d = await startServer({ data: join(dir, 'split'), args: ['--workers', '3', '--room-split', '6'] });
  try {
    const room = createRoom(d.data, 'Split');
    const hear = token(d.data, room, 'listener');
    const main = loadgen(['--url', d.url, '--room', room,
      '--speaker-token', token(d.data, room, 'speaker'), '--listener-token', hear,
      '--listeners', '12', '--speakers', '2', '--ramp', '40', '--duration', '5',
      '--json', join(dir, 'split-a.json')]);
    await new Promise((r) => setTimeout(r, 600));
    const more = loadgen(['--url', d.url, '--room', room, '--listener-token', hear,
      '--listeners', '8', '--speakers', '0', '--ramp', '40', '--duration', '4',
      '--json', join(dir, 'split-b.json')]);
    const [a, b] = await Promise.all([main, more]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    for (const f of ['split-a.json', 'split-b.json']) {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      assert.equal(j.joins.failed, 0);
      assert.equal(j.packets.srtp_auth_failures, 0);
      assert.equal(j.packets.bad_ssrc + j.packets.bad_origin + j.packets.bad_payload, 0);
      assert.ok(j.packets.received > 0);
      assert.ok(j.packets.loss_pct < 1, `${f}: loss ${j.packets.loss_pct}%`);
      assert.ok(j.listeners.every((l) => l.joined && l.received > 0), `${f}: a listener heard nothing`);
    }
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    const v = (name, w) => Number(metrics.match(new RegExp(`^${name}\\{worker="${w}"\\} (\\d+)$`, 'm'))[1]);
    // Every worker forwarded, the home exported and the two branches injected.
    const homes = [0, 1, 2].filter((w) => v('majlis_media_exported_packets_total', w) > 0);
    assert.equal(homes.length, 1);
    for (const w of [0, 1, 2]) {
      assert.ok(v('majlis_media_forwarded_packets_total', w) > 0, `worker ${w} forwarded nothing`);
      if (w !== homes[0]) assert.ok(v('majlis_media_injected_packets_total', w) > 0);
    }
    assert.equal([0, 1, 2].map((w) => v('majlis_media_export_dropped_total', w)).reduce((x, y) => x + y), 0);
  } finally {
    await d.stopCleanly();
  }
});

// The same over ICE-TCP: every listener and speaker connects to the
// answer's passive TCP candidate; the media really went that way (the
// server counts the frames), with nothing lost or refused.
test('over ICE-TCP: all join, all authentic, nothing lost, and the frames went by TCP', async () => {
  const room = createRoom(server.data, 'Load over TCP');
  const json = join(dir, 'tcp.json');
  const before = await (await fetch(`${server.url}/metrics`)).text();
  const tcpFrames = (t) => Number(t.match(/^majlis_media_tcp_tx_frames_total\{worker="0"\} (\d+)$/m)[1]);
  const r = await loadgen(['--url', server.url, '--room', room, '--tcp',
    '--speaker-token', token(server.data, room, 'speaker'),
    '--listener-token', token(server.data, room, 'listener'),
    '--listeners', '10', '--speakers', '2', '--ramp', '50', '--duration', '4', '--json', json]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /10 joined, 0 failed/);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(j.config.transport, 'tcp');
  const p = j.packets;
  assert.equal(p.srtp_auth_failures + p.srtp_replays + p.bad_ssrc + p.bad_origin + p.bad_payload, 0);
  assert.equal(p.duplicates, 0);
  assert.ok(p.received > 10 * 2 * 50, `received ${p.received}`);
  assert.equal(p.lost, 0, 'TCP loses nothing on loopback');
  assert.ok(j.listeners.every((l) => l.joined && l.received > 0));
  let after;
  await waitFor(async () => {
    after = await (await fetch(`${server.url}/metrics`)).text();
    return tcpFrames(after) - tcpFrames(before) >= p.received;
  }, { what: 'the frames counted' });
});
