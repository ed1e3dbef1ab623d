// --metrics ADDR:PORT: /metrics moves to a listen address of its own
// (behind a proxy every visitor's connection is a loopback one, so
// "loopback only" is no protection there). The main address then has no
// /metrics; the metrics address answers /metrics and /healthz and
// nothing else, to an IP-literal or localhost Host only (a page on another
// site cannot rebind a name to it), or with --metrics-token-file to
// whoever shows the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, freePort, tempDir, runCli, expectError, rawRequest,
} from './lib.mjs';

const TOKEN = 'a-metrics-token-of-enough-length';

// A GET on the metrics port with a Host header of our choosing (fetch
// sets Host itself), as status and body.
async function getRaw(port, path, host, extra = '') {
  const text = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`,
    { timeoutMs: 5000 });
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
  return { status, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

test('metrics on their own address, and only there', async () => {
  const mport = await freePort();
  const server = await startServer({ args: ['--metrics', `127.0.0.1:${mport}`] });
  try {
    assert.match(server.stdout, new RegExp(`metrics on http://127\\.0\\.0\\.1:${mport}/metrics`));
    const c = server.client();
    // The main address: no /metrics, from loopback or not.
    expectError(await c.get('/metrics'), 404, 'not_found');
    assert.equal((await c.get('/healthz')).status, 200);

    const m = `http://127.0.0.1:${mport}`;
    const ok = await fetch(`${m}/metrics`);
    assert.equal(ok.status, 200);
    const text = await ok.text();
    assert.match(text, /^majlis_http_requests_total\{class="4xx"\} 1$/m);
    assert.match(text, /^majlis_media_sessions\{worker="0"\} 0/m);
    assert.deepEqual(await (await fetch(`${m}/healthz`)).json(), { status: 'ok' });
    // Nothing else: not the API, not the pages, no writes.
    for (const path of ['/api/me', '/', '/whep/x', '/room/x']) {
      const r = await fetch(`${m}${path}`);
      assert.equal(r.status, 404, path);
      assert.equal((await r.json()).error, 'not_found');
    }
    const post = await fetch(`${m}/metrics`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');

    // A rebound name is refused; an IP literal or localhost is fine.
    assert.equal((await getRaw(mport, '/metrics', 'evil.example')).status, 421);
    assert.equal((await getRaw(mport, '/metrics', `evil.example:${mport}`)).status, 421);
    assert.equal((await getRaw(mport, '/metrics', `localhost:${mport}`)).status, 200);
    assert.equal((await getRaw(mport, '/metrics', '[::1]')).status, 200);
    assert.equal((await getRaw(mport, '/metrics', `127.0.0.1:${mport}`)).status, 200);
  } finally {
    assert.equal((await server.stopAndClean()).code, 0, server.stderr);
  }
});

test('with a token, the metrics address asks for it, by any name', async () => {
  const dir = tempDir();
  const tokenFile = join(dir, 'metrics.token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const mport = await freePort();
  const server = await startServer({ args: ['--metrics', `127.0.0.1:${mport}`, '--metrics-token-file', tokenFile] });
  try {
    const none = await getRaw(mport, '/metrics', `127.0.0.1:${mport}`);
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).error, 'unauthorized');
    const good = await getRaw(mport, '/metrics', 'prometheus.internal', `Authorization: Bearer ${TOKEN}\r\n`);
    assert.equal(good.status, 200);
    assert.match(good.body, /majlis_http_requests_total/);
    expectError(await server.client().get('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }),
      404, 'not_found');
  } finally {
    assert.equal((await server.stopAndClean()).code, 0, server.stderr);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --metrics values are refused', async () => {
  const dir = tempDir();
  try {
    for (const bad of ['9100', 'localhost:9100', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:99999']) {
      const r = await runCli(['serve', '--data', dir, '--http', '127.0.0.1:0', '--metrics', bad], {}, { timeout: 20000 });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--metrics wants IP:PORT/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
