// Helpers for the HTTP API tests: start a real `majlis serve` on free ports
// with a fresh data directory, talk to it with fetch, keep the session
// cookie like a browser would, and stop it by its PID.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';
import assert from 'node:assert/strict';

export const BIN = process.env.MAJLIS_BIN;
if (!BIN) throw new Error('MAJLIS_BIN must point to the majlis binary');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'majlis-http-'));
}

export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const INVITE_RE = /\/invite\/([A-Za-z0-9_-]{22})/;

// Starts a server. With a fresh data directory it waits for the first-start
// admin invite and returns its code as `invite`.
export async function startServer({ dataDir, env = {}, firstStart = !dataDir, args = [] } = {}) {
  dataDir ??= tempDir();
  const port = await freeTcpPort();
  // The media port's number is taken over TCP too (ICE-TCP): never the
  // HTTP port's.
  let mediaPort;
  do mediaPort = await freeUdpPort(); while (mediaPort === port);
  const child = spawn(BIN, ['serve', '--data', dataDir, '--http', `127.0.0.1:${port}`,
    '--media-port', String(mediaPort), '--log-level', 'warn', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const ready = firstStart ? INVITE_RE.test(stdout) : stdout.includes('listening on');
      if (ready) { clearTimeout(timer); resolve(); }
    });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${stderr}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const invite = firstStart ? INVITE_RE.exec(stdout)[1] : null;
  return {
    base, port, dataDir, child, invite,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    client(opts) { return new Client(base, opts); },
    // SIGTERM and wait; the exit status shows sanitizer reports too.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      return exited;
    },
    async stopAndClean() {
      const r = await this.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return r;
    },
  };
}

// A browser-like client: sends Origin on every request and keeps the
// session cookie and the device cookie it is given.
export class Client {
  constructor(base, { origin = base } = {}) {
    this.base = base;
    this.origin = origin;
    this.cookie = null;
    this.device = null;
    this.setCookies = [];
  }

  async req(method, path, body, { headers = {}, raw = false, origin = this.origin } = {}) {
    const h = { ...headers };
    if (origin) h.origin = origin;
    const jar = [this.cookie, this.device].filter(Boolean).join('; ');
    if (jar && !Object.keys(h).some((k) => k.toLowerCase() === 'cookie')) h.cookie = jar;
    let payload;
    if (body !== undefined) {
      payload = raw ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    this.setCookies = res.headers.getSetCookie();
    for (const c of this.setCookies) {
      const m = /^((?:__Host-)?mj_session)=([^;]*)/.exec(c);
      if (m) this.cookie = m[2] ? `${m[1]}=${m[2]}` : null;
      const d = /^((?:__Secure-)?mj_device)=([^;]*)/.exec(c);
      if (d) this.device = d[2] ? `${d[1]}=${d[2]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, opts) { return this.req('GET', path, undefined, opts); }
  post(path, body, opts) { return this.req('POST', path, body, opts); }
  patch(path, body, opts) { return this.req('PATCH', path, body, opts); }
  put(path, body, opts) { return this.req('PUT', path, body, opts); }
  del(path, body, opts) { return this.req('DELETE', path, body, opts); }
}

export const PASS = 'a long enough passphrase';

// Rate limits get in the way of tests that sign up many people from one
// address; the tests of the limits themselves set their own.
export const NO_LIMITS = {
  MAJLIS_RATE_LIMITS: 'login_account=off,login_address=off,signup_invite=off,'
    + 'signup_address=off,api_session=off,api_address=off,'
    + 'login_pair=off,login_device=off,passphrase_session=off',
};

export async function signup(server, invite, handle, displayName = handle, passphrase = PASS) {
  const c = server.client();
  const r = await c.post('/api/signup', { invite, handle, display_name: displayName, passphrase });
  assert.equal(r.status, 201, `sign-up of ${handle}: ${r.text}`);
  return c;
}

export async function login(server, handle, passphrase = PASS) {
  const c = server.client();
  const r = await c.post('/api/login', { handle, passphrase });
  return { client: c, res: r };
}

export async function invite(client, opts = {}) {
  const r = await client.post('/api/invites', opts);
  assert.equal(r.status, 201, r.text);
  return r.json.invite.code;
}

export function expectError(r, status, code) {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status} ${r.text}`);
  assert.equal(r.json?.error, code, r.text);
  assert.equal(typeof r.json.message, 'string');
}

export function runCli(args, env = {}, { timeout = 0 } = {}) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, ...env }, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

// Sends bytes as they are (for what fetch cannot send: repeated headers,
// odd request lines) and returns everything the server answers until it
// closes the connection or timeoutMs passes.
export function rawRequest(port, text, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(data); }, timeoutMs);
    sock.on('connect', () => sock.write(text));
    sock.on('data', (d) => { data += d; });
    sock.on('error', (e) => { clearTimeout(timer); if (data) resolve(data); else reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(data); });
  });
}
