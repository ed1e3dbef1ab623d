// The control plane under a full room: N members enter one room the way
// pages do (POST the offer, open the event socket, read the snapshot),
// then the room's events fan out to all of them. Measures join latency,
// the server's CPU per event delivered to a socket, the latency of an
// action to the last socket, what a speaking bot's level reports cost,
// and memory per visitor. The visitors never do ICE (their offers are
// answered, then nobody sends media), so this is the control plane alone:
// the media plane has its own benchmarks.
//
//   scripts/netns-run node bench/room-events.mjs [--visitors 500] [--actions 200]
//
// Uses build/release/majlis (MAJLIS_BIN to change), pins the server to
// CPU 0 and this process to CPU 1 when there are two, and talks only to
// loopback inside the namespace netns-run makes.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { openWs } from '../tests/http/ws.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.MAJLIS_BIN || join(ROOT, 'build', 'release', 'majlis');
process.env.MAJLIS_SOURCE_DIR ??= ROOT;
process.env.MAJLIS_BIN = BIN;
const { visitOffer } = await import('../tests/http/rooms_lib.mjs');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const VISITORS = arg('visitors', 500);
const ACTIONS = arg('actions', 200);
const CONCURRENCY = arg('concurrency', 16);
const PASS = 'a long enough passphrase';
const TICK = 100; // clock ticks per second in /proc

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

class Client {
  constructor(base) { this.base = base; this.cookie = null; }

  async req(method, path, body) {
    const headers = { origin: this.base };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const m = /^(mj_session)=([^;]+)/.exec(c);
      if (m) this.cookie = `${m[1]}=${m[2]}`;
    }
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }
}

async function startServer() {
  const data = mkdtempSync(join(tmpdir(), 'majlis-bench-'));
  const port = await freePort();
  let media = await freePort(); // taken over TCP too (ICE-TCP): never the HTTP port
  while (media === port) media = await freePort();
  const pin = cpus().length >= 2 ? ['taskset', '-c', '0'] : [];
  const cmd = [...pin, BIN, 'serve', '--data', data, '--http', `127.0.0.1:${port}`,
    '--media-port', String(media), '--log-level', 'warn', '--consent-timeout', '300', '--connect-timeout', '300',
    '--socket-grace', '60', '--max-sessions', String(VISITORS * 2 + 100)];
  const proc = spawn(cmd[0], cmd.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MAJLIS_RATE_LIMITS: 'login_account=off,login_address=off,signup_invite=off,signup_address=off,api_session=off,api_address=off' },
  });
  let out = '';
  const invite = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /\/invite\/([A-Za-z0-9_-]{22})/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { base: `http://127.0.0.1:${port}`, data, proc, invite };
}

async function signup(base, invite, handle) {
  const c = new Client(base);
  const r = await c.req('POST', '/api/signup', { invite, handle, display_name: handle, passphrase: PASS });
  if (r.status !== 201) throw new Error(`signup ${handle}: ${r.status} ${JSON.stringify(r.json)}`);
  return c;
}

async function inParallel(n, limit, fn) {
  let next = 0;
  const out = new Array(n);
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

async function main() {
  if (cpus().length >= 2) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const srv = await startServer();
  const pid = srv.proc.pid;
  try {
    console.log(`room-events: ${VISITORS} visitors, ${ACTIONS} actions, server ${BIN}`);
    const admin = await signup(srv.base, srv.invite, 'admin');
    let t = Date.now();
    const members = await inParallel(VISITORS, 4, async (i) => {
      const inv = await admin.req('POST', '/api/invites', {});
      return signup(srv.base, inv.json.invite.code, `member${i}`);
    });
    console.log(`  members    ${VISITORS} signed up in ${((Date.now() - t) / 1000).toFixed(1)} s (argon2id on the server's pool)`);

    const created = await admin.req('POST', '/api/rooms', { title: 'Benchmark' });
    const room = created.json.room.id;
    const enter = async (c) => {
      const t0 = performance.now();
      const r = await c.req('POST', `/api/rooms/${room}/visits`, { offer: visitOffer() });
      if (r.status !== 201) throw new Error(`enter: ${r.status} ${JSON.stringify(r.json)}`);
      const { ws } = await openWs(srv.base, `/api/rooms/${room}/visits/${r.json.visit}/events`, { cookie: c.cookie });
      await ws.next('snapshot', 'snapshot', 30000);
      return { ws, id: r.json.you.id, ms: performance.now() - t0 };
    };
    const host = await enter(admin);
    const rss0 = rssKiB(pid);
    const cpu0 = cpuSeconds(pid);
    t = Date.now();
    const visitors = await inParallel(VISITORS, CONCURRENCY, (i) => enter(members[i]));
    const joinS = (Date.now() - t) / 1000;
    const joinCpu = cpuSeconds(pid) - cpu0;
    await sleep(1500); // counts settle
    const rss1 = rssKiB(pid);
    const joins = visitors.map((v) => v.ms);
    console.log(`  joins      ${VISITORS} in ${joinS.toFixed(1)} s (${CONCURRENCY} at a time): p50 ${pct(joins, 50).toFixed(1)} ms, p99 ${pct(joins, 99).toFixed(1)} ms, max ${Math.max(...joins).toFixed(1)} ms (POST offer -> snapshot)`);
    console.log(`             server CPU ${(joinCpu * 1000 / VISITORS).toFixed(2)} ms per join`);
    console.log(`  memory     ${((rss1 - rss0) * 1024 / VISITORS / 1024).toFixed(1)} KiB of server RSS per visitor (media session, socket, person)`);

    // Actions: the host mutes and unmutes; every socket hears each one.
    for (const v of visitors) v.ws.messages.length = 0;
    await admin.req('POST', `/api/rooms/${room}/mute`, { muted: false });
    await sleep(500);
    const lat = [];
    const cpu1 = cpuSeconds(pid);
    for (let i = 0; i < ACTIONS; i++) {
      const muted = i % 2 === 0;
      const t0 = performance.now();
      await admin.req('POST', `/api/rooms/${room}/mute`, { muted });
      const match = (x) => x.type === 'person' && x.person.id === host.id && x.person.muted === muted;
      await Promise.all(visitors.map((v) => v.ws.next(match, 'mute', 30000)));
      lat.push(performance.now() - t0);
    }
    const actCpu = cpuSeconds(pid) - cpu1;
    const delivered = ACTIONS * (VISITORS + 1);
    console.log(`  actions    ${ACTIONS} mutes, each to ${VISITORS + 1} sockets: to the last socket p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms`);
    console.log(`             server CPU ${(actCpu * 1e6 / delivered).toFixed(2)} us per event delivered to a socket (${(actCpu * 1000 / ACTIONS).toFixed(2)} ms per action)`);

    // Levels: a bot speaks; every socket hears who speaks ~4.5 times a second.
    const tok = await admin.req('POST', `/api/rooms/${room}/tokens`, { seat: 'speaker' });
    const wav = join(srv.data, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', wav, 'synth', '20', 'sine', '440']);
    for (const v of visitors) v.ws.messages.length = 0;
    const idle0 = cpuSeconds(pid);
    await sleep(5000);
    const idle = (cpuSeconds(pid) - idle0) / 5;
    const bot = spawn(BIN, ['bot', 'speak', '--url', srv.base, '--room', room, '--token', tok.json.token, '--loop', wav], { stdio: 'ignore' });
    await sleep(2000);
    for (const v of visitors) v.ws.messages.length = 0;
    const lv0 = cpuSeconds(pid);
    await sleep(10000);
    const levelsCpu = (cpuSeconds(pid) - lv0) / 10;
    const got = visitors.map((v) => v.ws.messages.filter((x) => x.type === 'levels').length);
    bot.kill('SIGTERM');
    console.log(`  levels     ${pct(got, 50)} reports per socket in 10 s (p50), ${Math.min(...got)} at least`);
    console.log(`             server ${(levelsCpu * 100).toFixed(1)}% of a core with a bot speaking (idle: ${(idle * 100).toFixed(1)}%)`);
    if (process.env.HOLD) {
      console.log(`  holding: server pid ${pid}`);
      await sleep(Number(process.env.HOLD) * 1000);
    }
    for (const v of visitors) v.ws.drop();
  } finally {
    srv.proc.kill('SIGTERM');
    await new Promise((r) => srv.proc.once('exit', r));
    rmSync(srv.data, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
