// Starting and stopping `majlis serve` for the Node tests (HTTP and
// browser alike): a fresh data directory, free loopback ports, the URL
// and the first-start admin invite read from its output, and a stop that
// reports how it exited (a sanitizer report makes that non-zero). Tests
// run inside a private network namespace (scripts/netns-run).
import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';
import assert from 'node:assert/strict';
import { Client } from './client.mjs';

export const BIN = process.env.MAJLIS_BIN || 'build/majlis';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tempDir(prefix = 'majlis-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir) {
  try { rmSync(dir, { recursive: true, force: true }); } catch (_) { /* best effort */ }
}

// A free TCP port on loopback.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A free UDP port on loopback.
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

// Polls fn until it returns a truthy value or the time runs out.
export async function waitFor(fn, { timeout = 15000, interval = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// A majlis command, synchronously: its standard output, trimmed.
export function majlis(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', ...opts }).trim();
}

// A majlis command, as a promise of { code, stdout, stderr }.
export function runCli(args, env = {}, { timeout = 0 } = {}) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, ...env }, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

const LISTENING_RE = /listening on (https?:\/\/\S+?)\/?\n/;
const INVITE_RE = /\/invite\/([A-Za-z0-9_-]{22})/;

// Starts `majlis serve` and resolves once it prints its URL (and, on a
// data directory it makes afresh, its admin invite). data: the data
// directory (default: a new one); args: more serve flags; env: more
// environment; host and the ports default to loopback and free ports;
// wrap: a command the server runs under (nsenter into another network
// namespace).
export async function startServer({
  data, args = [], env = {}, host = '127.0.0.1', httpPort, mediaPort, wrap = [],
} = {}) {
  data = data || tempDir();
  const fresh = !existsSync(join(data, 'majlis.db'));
  httpPort = httpPort || await freePort();
  // The media port's number is taken over UDP and TCP (ICE-TCP): never
  // the HTTP port's.
  while (!mediaPort || mediaPort === httpPort) mediaPort = await freePort();
  const serve = ['serve', '--data', data, '--http', `${host}:${httpPort}`,
    '--media-port', String(mediaPort), ...args];
  const cmd = wrap.length ? wrap[0] : BIN;
  const argv = wrap.length ? [...wrap.slice(1), BIN, ...serve] : serve;
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = LISTENING_RE.exec(stdout);
      if (m && (!fresh || INVITE_RE.test(stdout))) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}):\n${stderr}`));
    });
  });
  return {
    url, host, httpPort, port: httpPort, mediaPort, data, proc,
    invite: fresh ? INVITE_RE.exec(stdout)[1] : null,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    client(opts) { return new Client(url, opts); },
    // A counter or gauge of /metrics, summed over its label sets (the
    // workers); headers for a server that asks for a token.
    async metric(name, headers = {}) {
      const text = await (await fetch(`${url}/metrics`, { headers })).text();
      const lines = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))];
      assert.ok(lines.length, `no ${name} in /metrics`);
      return lines.reduce((n, m) => n + Number(m[1]), 0);
    },
    // SIGTERM and wait: { code, signal }.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    // Stops it and fails unless it exited with 0 (a sanitizer report,
    // a crash or a hang on the way out all show here).
    async stopCleanly() {
      const { code, signal } = await this.stop();
      assert.equal(code, 0, `the server did not exit cleanly (${code ?? signal}):\n${stderr}`);
    },
    async kill9() {
      proc.kill('SIGKILL');
      return exited;
    },
    async stopAndClean() {
      const r = await this.stop();
      cleanup(data);
      return r;
    },
  };
}
