// ICE over TCP with real browsers: the server sits in a network namespace
// of its own behind a veth pair, and nftables drops every UDP packet the
// browsers send it, as a firewall that blocks VoIP would. A speaker and a
// listener still connect, by themselves, through the answer's passive TCP
// candidate; the listener hears the speaker's tone, and its selected
// candidate pair is TCP at both ends. When the listener closes its peer
// connection, its TCP connection and its session end on the server.
// Then, with UDP let through again, new browsers choose UDP: the TCP
// candidate's lower priority keeps TCP for when UDP fails.
//
// Needs root (namespaces, veth, nftables) and nft; skips otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import {
  startServer, createRoom, token, tone, launch, tempDir, cleanup, waitFor,
  inboundPackets, receiverPeaks,
} from './lib.mjs';

const SERVER_IP = '10.201.0.1';
const CLIENT_IP = '10.201.0.2';
const HTTP_PORT = 41080;
const MEDIA_PORT = 41090; // UDP and TCP alike
const TABLE = 'majlis_ice_tcp';
const METRICS_TOKEN = 'ice-tcp-test-metrics-token';

function missing() {
  if (process.getuid && process.getuid() !== 0) return 'needs root for its namespace, veth pair and nftables';
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch (_) {
    return 'needs nft (nftables; scripts/install-deps)';
  }
  return null;
}
const why = missing();
if (why) console.log(`# skipping ice_tcp: ${why}`);

let dir;
let server;
let holder; // the process that keeps the server's namespace
const browsers = [];

const sh = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' });
const inServer = (cmd, args) => sh('nsenter', ['-t', String(holder.pid), '-n', cmd, ...args]);

before(async () => {
  if (why) return;
  dir = tempDir();
  // The server's namespace lives as long as this process sleeps.
  holder = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
  await waitFor(() => {
    try {
      return sh('readlink', [`/proc/${holder.pid}/ns/net`]) !== sh('readlink', ['/proc/self/ns/net']);
    } catch (_) {
      return false;
    }
  }, { what: 'the server namespace' });
  sh('ip', ['link', 'add', 'mjtcp-c', 'type', 'veth', 'peer', 'name', 'mjtcp-s', 'netns', String(holder.pid)]);
  sh('ip', ['addr', 'add', `${CLIENT_IP}/24`, 'dev', 'mjtcp-c']);
  sh('ip', ['link', 'set', 'mjtcp-c', 'up']);
  inServer('ip', ['addr', 'add', `${SERVER_IP}/24`, 'dev', 'mjtcp-s']);
  inServer('ip', ['link', 'set', 'mjtcp-s', 'up']);
  inServer('ip', ['link', 'set', 'lo', 'up']);
  // Every UDP packet to the server is dropped, and counted.
  execFileSync('nft', ['-f', '-'], {
    input: `table inet ${TABLE} {
      chain out {
        type filter hook output priority 0; policy accept;
        ip daddr ${SERVER_IP} meta l4proto udp counter drop
      }
    }\n`,
  });
  // /metrics answers loopback only, or this token: the test is not on the
  // server's loopback.
  writeFileSync(`${dir}/metrics.token`, `${METRICS_TOKEN}\n`);
  server = await startServer({
    data: `${dir}/data`,
    args: ['--metrics-token-file', `${dir}/metrics.token`],
    host: SERVER_IP,
    httpPort: HTTP_PORT,
    mediaPort: MEDIA_PORT,
    wrap: ['nsenter', '-t', String(holder.pid), '-n'],
  });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) {
    await server.stopCleanly();
  }
  try { execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' }); } catch (_) { /* gone already */ }
  if (holder) holder.kill('SIGKILL'); // its namespace and the veth pair go with it
  if (dir) cleanup(dir);
});

function droppedUdp() {
  const out = sh('nft', ['list', 'table', 'inet', TABLE]);
  const m = out.match(/counter packets (\d+)/);
  return m ? Number(m[1]) : -1;
}

const metric = (name) => server.metric(name, { Authorization: `Bearer ${METRICS_TOKEN}` });

async function openPage(browser, room, tok) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/token#room=${room}&token=${encodeURIComponent(tok)}&raw=1`);
  return page;
}

const connected = (page) => page.evaluate(
  () => window.majlis.session && window.majlis.session.pc.connectionState);

// The selected candidate pair's two ends, from getStats.
const selectedPair = async () => {
  const stats = await window.majlis.session.pc.getStats();
  let pair = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
  });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    state: pair.state,
    local: { protocol: local.protocol, tcpType: local.tcpType },
    remote: { protocol: remote.protocol, address: remote.address, port: remote.port, tcpType: remote.tcpType },
  };
};

test('with UDP to the server dropped, a speaker reaches a listener over ICE-TCP',
  { skip: why || false }, async () => {
    const room = createRoom(server.data, 'Over TCP');
    const origin = server.url;

    const sb = await launch({ audioFile: tone(dir, 440), origin });
    browsers.push(sb);
    const speaker = await openPage(sb, room, token(server.data, room, 'speaker'));
    await speaker.click('#speak');

    const lb = await launch({ origin });
    browsers.push(lb);
    const listener = await openPage(lb, room, token(server.data, room, 'listener'));
    await listener.click('#listen');

    for (const page of [speaker, listener]) {
      await waitFor(async () => (await connected(page)) === 'connected',
        { timeout: 30000, what: 'connected over TCP' });
      const pair = await waitFor(() => page.evaluate(selectedPair), { what: 'a selected pair' });
      assert.equal(pair.local.protocol, 'tcp', JSON.stringify(pair));
      assert.equal(pair.remote.protocol, 'tcp', JSON.stringify(pair));
      assert.equal(pair.remote.tcpType, 'passive', JSON.stringify(pair));
      assert.equal(pair.remote.address, SERVER_IP);
      assert.equal(pair.remote.port, MEDIA_PORT);
    }

    // The tone really arrives, over TCP.
    await waitFor(async () => (await listener.evaluate(inboundPackets)) > 100,
      { timeout: 20000, what: 'audio packets at the listener' });
    const peaks = await waitFor(async () => {
      const p = await listener.evaluate(receiverPeaks);
      return p.some((x) => x.db > -80 && Math.abs(x.freq - 440) < 15) ? p : null;
    }, { timeout: 20000, interval: 100, what: 'the tone at the listener' });
    assert.ok(peaks);

    // UDP was tried and dropped: the browsers did not just prefer TCP.
    assert.ok(droppedUdp() > 0, 'no UDP packet to the server was dropped');
    // And the server really forwarded over TCP.
    await waitFor(async () => (await metric('majlis_media_tcp_tx_frames_total')) > 100,
      { what: 'frames counted' });
    assert.equal(await metric('majlis_media_tcp_connections'), 2);
    assert.equal(await metric('majlis_media_sessions'), 2);

    // The listener leaves by closing its peer connection (no DELETE): its
    // TCP connection closes and its session ends with it; the speaker's
    // goes on.
    await listener.evaluate(() => window.majlis.session.pc.close());
    await waitFor(async () => (await metric('majlis_media_tcp_connections')) === 1
      && (await metric('majlis_media_sessions')) === 1, { what: 'the listener gone' });
    assert.equal(await connected(speaker), 'connected');
  });

test('with UDP open again, a new listener takes UDP: the TCP candidate is only the way around',
  { skip: why || false }, async () => {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE]);
    const room = createRoom(server.data, 'Over UDP');
    const sb = await launch({ audioFile: tone(dir, 660), origin: server.url });
    browsers.push(sb);
    const speaker = await openPage(sb, room, token(server.data, room, 'speaker'));
    await speaker.click('#speak');
    const lb = await launch({ origin: server.url });
    browsers.push(lb);
    const listener = await openPage(lb, room, token(server.data, room, 'listener'));
    await listener.click('#listen');
    for (const page of [speaker, listener]) {
      await waitFor(async () => (await connected(page)) === 'connected', { what: 'connected' });
      const pair = await waitFor(() => page.evaluate(selectedPair), { what: 'a selected pair' });
      assert.equal(pair.local.protocol, 'udp', JSON.stringify(pair));
      assert.equal(pair.remote.protocol, 'udp', JSON.stringify(pair));
    }
    await waitFor(async () => (await listener.evaluate(inboundPackets)) > 100,
      { timeout: 20000, what: 'audio packets over UDP' });
    // Browsers connect to the TCP candidate too while they check every
    // pair; none of those connections stays (at most the first test's
    // speaker, which was on TCP, keeps its own).
    await waitFor(async () => (await metric('majlis_media_tcp_connections')) <= 1,
      { timeout: 40000, interval: 500, what: 'the TCP connections of UDP users closed' });
  });
