// Audio relayed over TURN on TCP port 443, TLS, where nothing else gets
// through. Three network namespaces made here (each name carries this
// process's id; all are removed at the end):
//
//   client  10.231.1.2   Chromium (two members, each its own browser)
//     |       nft: out only to TCP 443 of 10.231.1.1 and 10.231.1.3
//   turn    10.231.1.1   coturn, TLS on 443 (use-auth-secret)
//           10.231.1.3   443 forwarded (DNAT) to majlis' HTTPS: the web
//                        server shares port 443 by having its own address
//           10.231.2.1   coturn's relay address
//     |       nft: forwards only the DNAT'd web connections
//   server  10.231.2.2   majlis: HTTPS on 443, media on UDP
//
// The server is reachable only through the turn namespace; the client
// sends no UDP at all. A starts a room and speaks, B joins and hears it,
// and both pages' selected ICE candidate pairs are relays over TLS. Then a
// WHEP listener (the /token page, with a room token A makes) hears A too:
// its first connection, made before it knew of any relay, cannot connect;
// it makes it again through the relays the answer's Link headers named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, tempDir, cleanup, tone, waitFor, BIN, CHROMIUM, receiverPeaks,
} from './lib.mjs';
import { watchPage, signUp, makeInvite, hears, connected, button } from './room_lib.mjs';
import { makeCA, makeLeaf, spkiHash } from '../http/tls_lib.mjs';

const A_HZ = 440;
const SECRET = 'a-turn-secret-of-enough-length';
const NS = { client: `mjc${process.pid}`, turn: `mjt${process.pid}`, server: `mjs${process.pid}` };
const CLIENT = '10.231.1.2';
const TURN = '10.231.1.1';
const WEB = '10.231.1.3';
const RELAY = '10.231.2.1';
const SERVER = '10.231.2.2';

let dir;
let spki;
let majlis;
let coturn;
let serverOut = '';
let serverErr = '';
let turnLog = '';
const browsers = [];
const problems = [];

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (ns, cmd, args, opts) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args],
  { stdio: ['pipe', 'pipe', 'pipe'], ...opts });

function network() {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS.client, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 't1', 'netns', NS.turn);
  ip('-n', NS.turn, 'link', 'add', 't2', 'type', 'veth', 'peer', 'name', 's2', 'netns', NS.server);
  const addr = (ns, dev, ...cidrs) => {
    for (const c of cidrs) ip('-n', ns, 'addr', 'add', c, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
  };
  addr(NS.client, 'c0', `${CLIENT}/24`);
  addr(NS.turn, 't1', `${TURN}/24`, `${WEB}/24`);
  addr(NS.turn, 't2', `${RELAY}/24`);
  addr(NS.server, 's2', `${SERVER}/24`);
  // The web connections forwarded to the server come back the same way.
  ip('-n', NS.server, 'route', 'add', '10.231.1.0/24', 'via', RELAY);
  inNs(NS.turn, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  inNs(NS.turn, 'nft', ['-f', '-'], { input: `
table inet mj {
  chain to_web {
    type nat hook prerouting priority dstnat;
    ip daddr ${WEB} tcp dport 443 dnat ip to ${SERVER}:443
  }
  chain only_web {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ct status dnat accept
  }
}
` });
  inNs(NS.client, 'nft', ['-f', '-'], { input: `
table inet mj {
  chain leaving {
    type filter hook output priority filter; policy drop;
    oif "lo" accept
    ct state established,related accept
    ip daddr { ${TURN}, ${WEB} } tcp dport 443 accept
  }
  chain arriving {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
  }
}
` });
}

function teardown() {
  for (const ns of Object.values(NS)) {
    try { ip('netns', 'del', ns); } catch (_) { /* was not made */ }
  }
}

function startCoturn(cert) {
  coturn = spawn('ip', ['netns', 'exec', NS.turn, 'turnserver', '-n', '--no-cli', '--log-file', 'stdout',
    '--simple-log', '--listening-ip', TURN, '--relay-ip', RELAY, '--tls-listening-port', '443',
    '--no-udp', '--no-tcp', '--no-dtls', '--no-tlsv1', '--no-tlsv1_1', '--cert', cert.cert, '--pkey', cert.key,
    '--use-auth-secret', '--static-auth-secret', SECRET, '--realm', 'majlis.test',
    '--denied-peer-ip', '10.0.0.0-10.255.255.255', '--allowed-peer-ip', SERVER,
    '--min-port', '49152', '--max-port', '49252',
    '--pidfile', join(dir, 'turnserver.pid'), '--userdb', join(dir, 'turndb')],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  coturn.stdout.on('data', (d) => { turnLog += d; });
  coturn.stderr.on('data', (d) => { turnLog += d; });
}

async function startMajlis(web) {
  writeFileSync(join(dir, 'turn.secret'), `${SECRET}\n`);
  majlis = spawn('ip', ['netns', 'exec', NS.server, BIN, 'serve', '--data', join(dir, 'data'),
    '--http', `${SERVER}:443`, '--media-port', '42700', '--tls-cert', web.cert, '--tls-key', web.key,
    '--turn-url', 'turns:turn.test:443?transport=tcp', '--turn-secret-file', join(dir, 'turn.secret')],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MAJLIS_PUBLIC_ORIGIN: 'https://web.test' } });
  majlis.stdout.on('data', (d) => { serverOut += d; });
  majlis.stderr.on('data', (d) => { serverErr += d; });
  await waitFor(() => /invite\/[A-Za-z0-9_-]{22}/.test(serverOut) || majlis.exitCode !== null,
    { what: 'majlis started' });
  assert.equal(majlis.exitCode, null, serverErr);
}

before(async () => {
  dir = tempDir();
  teardown();
  network();
  const ca = makeCA(dir);
  const web = makeLeaf(dir, ca, 'web', ['web.test']);
  const turn = makeLeaf(dir, ca, 'turn', ['turn.test', TURN]);
  spki = [spkiHash(web.cert), spkiHash(turn.cert), spkiHash(ca.cert)].join(',');
  startCoturn(turn);
  await startMajlis(web);
  // Chromium runs in the client namespace.
  const wrapper = join(dir, 'chromium-in-client');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS.client} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  const stop = (p) => new Promise((resolve) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) { resolve(p ? p.exitCode : null); return; }
    p.once('exit', (code) => resolve(code));
    p.kill('SIGTERM');
  });
  const code = await stop(majlis);
  await stop(coturn);
  teardown();
  cleanup(dir);
  assert.equal(code, 0, `majlis did not exit cleanly:\n${serverErr}`);
});

async function person(name, hz) {
  const browser = await launch({
    audioFile: tone(dir, hz, 60),
    executablePath: join(dir, 'chromium-in-client'),
    args: [
      `--host-resolver-rules=MAP web.test ${WEB} , MAP turn.test ${TURN} , MAP * ~NOTFOUND`,
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
  });
  browsers.push(browser);
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(20000);
  await watchPage(page, name, problems);
  return page;
}

// The selected candidate pair of the page's live connection: the local
// candidate's type and relay protocol, the remote's address.
const selectedPair = (page) => page.evaluate(async () => {
  const pc = window.testPcs.filter((p) => p.connectionState === 'connected').pop();
  if (!pc) return null;
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
  });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    type: local.candidateType, relayProtocol: local.relayProtocol, remote: remote.address,
    bytesReceived: pair.bytesReceived,
  };
});

test('only TCP 443 gets through: the room is heard, relayed by coturn over TLS', { timeout: 180000 }, async () => {
  try {
    // The web address answers; the server's own address is out of reach.
    const curl = (...args) => inNs(NS.client, 'curl', ['-sS', '--max-time', '3', ...args]).toString();
    assert.match(curl('-k', '--resolve', `web.test:443:${WEB}`, 'https://web.test/healthz'), /"ok"/);
    assert.throws(() => curl('-k', `https://${SERVER}/healthz`));
    const link = /(https:\/\/web\.test\/invite\/[A-Za-z0-9_-]{22})/.exec(serverOut)[1];
    const a = await person('A', A_HZ);
    const b = await person('B', 880);
    await signUp(a, 'https://web.test', link, 'amal', 'Amal');
    await signUp(b, 'https://web.test', await makeInvite(a), 'bashir', 'Bashir');

    await a.goto('https://web.test/new');
    await a.getByLabel('Title', { exact: true }).fill('Through 443');
    await button(a, 'Start a room').click();
    await a.waitForURL(/\/room\/[A-Za-z0-9]+$/);
    const roomUrl = a.url();
    await waitFor(() => connected(a), { timeout: 30000, what: 'A connected' });
    await button(a, 'Unmute').click();
    await button(a, 'Mute').waitFor();

    await b.goto(roomUrl);
    await b.locator('#room-title').getByText('Through 443').waitFor();
    await hears(b, A_HZ, 'B hears A through the relay');
    for (const [name, page] of [['A', a], ['B', b]]) {
      const pair = await selectedPair(page);
      assert.equal(pair?.type, 'relay', `${name}: ${JSON.stringify(pair)}`);
      assert.equal(pair.relayProtocol, 'tls', `${name}: ${JSON.stringify(pair)}`);
      assert.equal(pair.remote, SERVER, `${name}: ${JSON.stringify(pair)}`);
    }

    // A WHEP listener on the token page, with a token A makes.
    const room = new URL(roomUrl).pathname.split('/').pop();
    const tok = await a.evaluate(async (id) => {
      const r = await fetch(`/api/rooms/${id}/tokens`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
      });
      return (await r.json()).token;
    }, room);
    const w = await (await b.context().browser().newContext()).newPage();
    await watchPage(w, 'W', problems);
    await w.goto(`https://web.test/token#room=${room}&token=${encodeURIComponent(tok)}`);
    await w.click('#listen');
    await waitFor(async () => (await w.evaluate(() => window.majlis.session?.pc.connectionState)) === 'connected',
      { timeout: 30000, what: 'the WHEP listener connected' });
    assert.equal(await w.evaluate(() => window.testPcs.length), 2, 'a first connection, then one through the relay');
    await w.locator('#status[data-state="live"]').waitFor();
    const pair = await selectedPair(w);
    assert.equal(pair?.type, 'relay', `W: ${JSON.stringify(pair)}`);
    assert.equal(pair.relayProtocol, 'tls', `W: ${JSON.stringify(pair)}`);
    await waitFor(async () => {
      const peaks = await w.evaluate(receiverPeaks);
      return peaks.some((p) => p.db > -80 && Math.abs(p.freq - A_HZ) < 15) || null;
    }, { timeout: 20000, interval: 100, what: 'the WHEP listener hears A' });
    assert.deepEqual(problems, []);
  } catch (e) {
    console.error(`majlis:\n${serverErr}\ncoturn:\n${turnLog.split('\n').slice(-40).join('\n')}`);
    throw e;
  }
});
