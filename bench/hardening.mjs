// The attacks of docs/hardening.md, measured the same way against any
// build of the server: loopback only, every loop bounded in count and time.
//
//   node bench/hardening.mjs --bin build/release/majlis [--old] [--only a,b]
//
// --old: the build predates --trusted-proxy and the new limit names, so
// every client is loopback itself (X-Forwarded-For is sent anyway; such a
// build ignores it, as it would behind a real proxy).
// Scenarios: lockout, own-address, flood, slow, host, oversized, metrics.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import net from 'node:net';
import http from 'node:http';

const { values: opt } = parseArgs({
  options: { bin: { type: 'string' }, old: { type: 'boolean', default: false }, only: { type: 'string' } },
});
if (!opt.bin) throw new Error('--bin BUILD/majlis');
process.env.MAJLIS_BIN = resolve(opt.bin);
const { startServer, signup, sleep, PASS } = await import('../tests/http/lib.mjs');

const OLD = opt.old;
const PROXY = OLD ? [] : ['--trusted-proxy', '127.0.0.1'];
const LIMITS_OFF = 'login_account=off,login_address=off,signup_invite=off,signup_address=off,'
  + 'api_session=off,api_address=off' + (OLD ? '' : ',login_pair=off,login_device=off,passphrase_session=off');
const from = (ip) => ({ headers: { 'x-forwarded-for': ip } });
const tally = (rs) => rs.reduce((t, r) => ({ ...t, [r.status]: (t[r.status] ?? 0) + 1 }), {});
const report = (name, fields) => console.log(JSON.stringify({ scenario: name, build: OLD ? 'old' : 'new', ...fields }));

function request(port, { method = 'GET', path = '/', host, localAddress, headers = {}, body } = {}) {
  return new Promise((ok) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (host) h.host = host;
    if (payload !== undefined) { h['content-type'] = 'application/json'; h['content-length'] = Buffer.byteLength(payload); }
    const started = Date.now();
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, localAddress, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, text, ms: Date.now() - started }));
    });
    req.on('error', () => ok({ status: 'error', text: '', ms: Date.now() - started }));
    req.setTimeout(30000, () => req.destroy());
    req.end(payload);
  });
}

// 1,000 wrong guesses at the owner's handle from 50 addresses, 20 at a
// time, then the owner's browser (it signed in before) and a new browser.
async function lockout() {
  const s = await startServer({ args: PROXY });
  try {
    const owner = await signup(s, s.invite, 'owner');
    const results = [];
    for (let round = 0; round < 50; round++) {
      const batch = [];
      for (let k = 0; k < 20; k++) {
        const ip = `203.0.113.${((round * 20 + k) % 50) + 1}`;
        batch.push(s.client().post('/api/login', { handle: 'owner', passphrase: `guess ${round} ${k}` }, from(ip)));
      }
      results.push(...await Promise.all(batch));
    }
    const own = await owner.post('/api/login', { handle: 'owner', passphrase: PASS }, from('198.51.100.7'));
    const fresh = await s.client().post('/api/login', { handle: 'owner', passphrase: PASS }, from('198.51.100.8'));
    report('lockout', {
      guesses: tally(results),
      owner: own.status, owner_retry_after: own.headers.get('retry-after'),
      new_browser: fresh.status, new_browser_retry_after: fresh.headers.get('retry-after'),
    });
  } finally { await s.stopAndClean(); }
}

// The test's case: 12 wrong guesses from the owner's own address.
async function ownAddress() {
  const s = await startServer();
  try {
    const owner = await signup(s, s.invite, 'owner');
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await s.client().post('/api/login', { handle: 'owner', passphrase: `guess ${i}` }));
    const own = await owner.post('/api/login', { handle: 'owner', passphrase: PASS });
    report('own-address', { guesses: tally(results), owner: own.status, owner_retry_after: own.headers.get('retry-after') });
  } finally { await s.stopAndClean(); }
}

// 200 addresses of one /56 send logins for unknown handles for 10 s, each
// again as soon as answered (at most 50 each); after 2 s a member signs in
// from elsewhere. Rate limits off: only the queue stands in the way.
async function flood() {
  const s = await startServer({ env: { MAJLIS_RATE_LIMITS: LIMITS_OFF }, args: PROXY });
  try {
    await signup(s, s.invite, 'member');
    const answers = [];
    const end = Date.now() + 10000;
    const attacker = async (ip, i) => {
      for (let n = 0; n < 50 && Date.now() < end; n++) {
        const r = await s.client().post('/api/login', { handle: `nobody_${i % 50}`, passphrase: 'guessing' }, from(ip))
          .catch(() => ({ status: 'error' }));
        answers.push(r);
        if (r.status !== 401) await sleep(20);
      }
    };
    const all = [];
    for (let i = 0; i < 200; i++) all.push(attacker(`2001:db8:1:1${(i % 256).toString(16).padStart(2, '0')}::${i + 1}`, i));
    await sleep(2000);
    const t0 = Date.now();
    const m = await s.client().post('/api/login', { handle: 'member', passphrase: PASS }, from('198.51.100.7'));
    const memberMs = Date.now() - t0;
    await Promise.all(all);
    report('flood', { member: m.status, member_ms: memberMs, flood: tally(answers) });
  } finally { await s.stopAndClean(); }
}

// 600 connections from 127.0.0.1 send a header line every 2 s, and are
// opened again a second after the server closes one, for 25 s; meanwhile
// 127.0.0.2 asks for /healthz every 500 ms.
async function slow() {
  const s = await startServer();
  const end = Date.now() + 25000;
  const socks = new Set();
  let opened = 0;
  let closedAtOnce = 0;
  const open = () => {
    if (Date.now() > end) return;
    const t = Date.now();
    const sock = net.connect(s.port, '127.0.0.1');
    opened++;
    sock.on('connect', () => sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    sock.on('error', () => {});
    sock.on('close', () => {
      socks.delete(sock);
      if (Date.now() - t < 1000) closedAtOnce++;
      setTimeout(open, 1000);
    });
    socks.add(sock);
  };
  try {
    for (let i = 0; i < 600; i++) open();
    const timer = setInterval(() => { for (const k of socks) k.write('X-Slow: 1\r\n'); }, 2000);
    const lat = [];
    while (Date.now() < end) {
      lat.push(await request(s.port, { path: '/healthz', localAddress: '127.0.0.2' }));
      await sleep(500);
    }
    clearInterval(timer);
    for (const k of socks) k.destroy();
    const ms = lat.map((r) => r.ms).sort((a, b) => a - b);
    report('slow', {
      requests: lat.length, ok: lat.filter((r) => r.status === 200).length,
      median_ms: ms[Math.floor(ms.length / 2)], max_ms: ms[ms.length - 1],
      over_1s: ms.filter((x) => x > 1000).length,
      drip_connections_opened: opened, closed_within_1s: closedAtOnce,
    });
  } finally { await s.stopAndClean(); }
}

// What a DNS-rebinding page would do: make an invite with its own Host.
async function host() {
  const s = await startServer();
  try {
    const admin = await signup(s, s.invite, 'admin');
    const evil = `evil.example:${s.port}`;
    const r = await request(s.port, { method: 'POST', path: '/api/invites', host: evil, body: {},
      headers: { cookie: admin.cookie, origin: `http://${evil}` } });
    let url = null;
    try { url = JSON.parse(r.text).invite?.url ?? null; } catch { url = null; }
    report('host', { status: r.status, invite_url: url });
  } finally { await s.stopAndClean(); }
}

// 1,000 requests with headers over 8 KiB, and one path over 1 KiB.
async function oversized() {
  const s = await startServer();
  try {
    const big = 'x'.repeat(9000);
    for (let i = 0; i < 1000; i++) {
      await new Promise((ok) => {
        const k = net.connect(s.port, '127.0.0.1', () => k.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`));
        k.on('error', ok);
        k.on('close', ok);
        k.setTimeout(5000, () => k.destroy());
      });
    }
    const long = await request(s.port, { path: `/${'a'.repeat(2000)}` });
    await s.stop();
    const lines = s.stderr.split('\n').filter((l) => /header data space/.test(l)).length;
    report('oversized', { log_lines_at_warn_or_above: lines, status_414: long.status, body_414: long.text });
  } finally { await s.stopAndClean(); }
}

// /metrics asked through a proxy on the same machine.
async function metrics() {
  const s = await startServer({ args: PROXY });
  try {
    const r = await request(s.port, { path: '/metrics', headers: { 'x-forwarded-for': '203.0.113.1' } });
    report('metrics', { status_through_proxy: r.status });
  } finally { await s.stopAndClean(); }
}

const all = { lockout, 'own-address': ownAddress, flood, slow, host, oversized, metrics };
for (const name of (opt.only ? opt.only.split(',') : Object.keys(all))) await all[name]();
