// Slow clients: one address opening hundreds of connections that send
// their request heads a line every 2 s must not hold the server's header
// buffers and starve everyone else. Connections beyond the address's share
// are closed at once, the rest when their head is not complete within the
// deadline, and sign-ins from other addresses go on. Other addresses are
// other loopback addresses (127.0.0.2...); nothing leaves loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { startServer, signup, sleep, PASS } from './lib.mjs';

// Opens n connections that drip a header line every 2 s until the server
// closes them; counts those closed before sending back a single byte.
function drip(port, n, localAddress = '127.0.0.1') {
  const state = { opened: 0, closed: 0, answered: 0, socks: [] };
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('connect', () => { state.opened++; s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); });
    s.on('data', () => { state.answered++; });
    s.on('error', () => {});
    s.on('close', () => { state.closed++; });
    state.socks.push(s);
  }
  state.timer = setInterval(() => {
    for (const s of state.socks) if (!s.destroyed) s.write('X-Slow: 1\r\n');
  }, 2000);
  state.stop = () => { clearInterval(state.timer); for (const s of state.socks) s.destroy(); };
  return state;
}

function request(port, localAddress, { method = 'GET', path = '/healthz', body, headers = {}, agent = false } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
      h.origin = `http://127.0.0.1:${port}`;
    }
    const req = http.request({ host: '127.0.0.1', port, localAddress, method, path, headers: h, agent }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.setTimeout(15000, () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}

async function until(cond, ms) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(100);
}

test('200 dripping connections from one address: the rest are refused, others sign in', async () => {
  const s = await startServer({ args: ['--max-connections-per-address', '40'] });
  let d;
  try {
    await signup(s, s.invite, 'member');
    d = drip(s.port, 200);
    await until(() => d.opened + d.closed >= 200, 10000);
    await sleep(1000);
    // A quarter of 40 may be sending a head at once: the others were
    // closed as soon as they were accepted.
    const refused = d.closed;
    assert.ok(refused >= 190, `closed at once: ${refused} of 200`);
    assert.equal(d.answered, 0);
    // Another address signs in meanwhile.
    const r = await request(s.port, '127.0.0.2', { method: 'POST', path: '/api/login', body: { handle: 'member', passphrase: PASS } });
    assert.equal(r.status, 200, r.text);
    const m = await request(s.port, '127.0.0.3', { path: '/metrics' });
    const n = Number(/majlis_http_refused_connections_total (\d+)/.exec(m.text)?.[1]);
    assert.ok(n >= 190, `refused: ${n}`);
    // The ones let in get no more than the head deadline (10 s).
    await until(() => d.closed >= 200, 25000);
    assert.equal(d.closed, 200, 'every dripping connection was closed by the server');
    assert.equal(d.answered, 0);
  } finally {
    d?.stop();
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

// A connection from localAddress that sends one whole request, keeps the
// connection open, and resolves with it once the answer came.
function keptAlive(port, localAddress) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    sock.on('connect', () => sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    sock.once('data', (d) => resolve({ sock, answer: String(d) }));
    sock.on('error', reject);
    sock.on('close', () => reject(new Error('closed before an answer')));
  });
}

test('connections that finished their request do not count as slow ones', async () => {
  const s = await startServer({ args: ['--max-connections-per-address', '40'] });
  const held = [];
  try {
    // 30 kept-alive connections from one address, each done with a
    // request, opened five at a time like a browser would.
    for (let i = 0; i < 6; i++) {
      held.push(...await Promise.all(Array.from({ length: 5 }, () => keptAlive(s.port, '127.0.0.4'))));
    }
    assert.ok(held.every((h) => /^HTTP\/1\.1 200/.test(h.answer)));
    // More than a quarter of 40 are open, but none is sending a head:
    // a new connection from the same address is welcome.
    const again = await request(s.port, '127.0.0.4');
    assert.equal(again.status, 200);
  } finally {
    for (const h of held) h.sock.destroy();
    await s.stopAndClean();
  }
});

// A body sent a byte a second: libwebsockets' own timeout starts again
// with every chunk, so before the body deadline such a request held its
// connection (and its place in the address's share) for as long as the
// body lasted, 1,000 bytes for 17 minutes. Now it is answered 408 and
// closed 20 s after its head; a normal request beside it goes on.
test('a request body that drips gets 408 once its time is up', async () => {
  const server = await startServer();
  try {
    const t0 = Date.now();
    const got = await new Promise((resolve) => {
      const s = net.connect(server.port, '127.0.0.1');
      let data = '';
      let timer;
      s.on('connect', () => {
        s.write(`POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`
          + `Origin: http://127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n`
          + 'Content-Length: 1000\r\n\r\n');
        timer = setInterval(() => { if (!s.destroyed) s.write(' '); }, 1000);
      });
      s.on('data', (d) => { data += d; });
      s.on('error', () => {});
      s.on('close', () => { clearInterval(timer); resolve({ data, after: Date.now() - t0 }); });
      setTimeout(() => s.destroy(), 40000);
    });
    assert.match(got.data, /^HTTP\/1\.1 408 /);
    assert.match(got.data, /"error":"request_timeout"/);
    // Not before its time (the 408 itself shows the server, not our own
    // 40 s limit, ended it).
    assert.ok(got.after >= 19000, `closed after ${got.after} ms`);
    assert.equal((await request(server.port, '127.0.0.1')).status, 200);
  } finally {
    assert.equal((await server.stopAndClean()).code, 0, server.stderr);
  }
});

// Many addresses of one network (here 127.0.0.0/24; an IPv4 /24 or an
// IPv6 /48) share four addresses' worth of slow heads: eight addresses
// each within its own share (10 of --max-connections-per-address 40)
// hold 40 heads between them, not 80, and the rest are closed at once;
// an address of another network (127.0.1.1) still signs in.
test('the addresses of one network share its slow heads', async () => {
  const s = await startServer({ args: ['--max-connections-per-address', '40'] });
  const drips = [];
  try {
    await signup(s, s.invite, 'member');
    for (let i = 2; i < 10; i++) drips.push(drip(s.port, 10, `127.0.0.${i}`));
    const all = () => drips.reduce((n, d) => n + d.opened + d.closed, 0);
    await until(() => all() >= 80, 10000);
    await sleep(1000);
    const closed = drips.reduce((n, d) => n + d.closed, 0);
    // 80 connections, each address within its own share: 40 let in.
    assert.equal(closed, 40, `closed at once: ${closed} of 80`);
    assert.equal(drips.reduce((n, d) => n + d.answered, 0), 0);
    const r = await request(s.port, '127.0.1.1', { method: 'POST', path: '/api/login', body: { handle: 'member', passphrase: PASS } });
    assert.equal(r.status, 200, r.text);
  } finally {
    for (const d of drips) d.stop();
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});
