// Behind a reverse proxy: the client's address comes from X-Forwarded-For
// only when the connection is from a --trusted-proxy, and /metrics is never
// served through a proxy. Every address here is a documentation address in
// a header; all traffic stays on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, expectError, runCli, rawRequest, tempDir, PASS,
} from './lib.mjs';

const LIMITS = {
  MAJLIS_RATE_LIMITS: 'login_account=off,login_address=2/600,signup_invite=off,'
    + 'signup_address=off,api_session=off,api_address=off',
};

const from = (xff) => ({ headers: { 'x-forwarded-for': xff } });
const attempt = (c, xff) => c.post('/api/login', { handle: 'nobody_here', passphrase: PASS },
  xff ? from(xff) : undefined);

test('without --trusted-proxy, X-Forwarded-For is ignored', async () => {
  const s = await startServer({ env: LIMITS });
  try {
    const c = s.client();
    expectError(await attempt(c, '203.0.113.1'), 401, 'invalid_credentials');
    expectError(await attempt(c, '203.0.113.2'), 401, 'invalid_credentials');
    // Every request is loopback's: the third is over the limit.
    expectError(await attempt(c, '203.0.113.3'), 429, 'rate_limited');
  } finally {
    await s.stopAndClean();
  }
});

test('through a trusted proxy, each forwarded client counts on its own', async () => {
  const s = await startServer({ env: LIMITS, args: ['--trusted-proxy', '127.0.0.1,10.0.0.0/8'] });
  try {
    const c = s.client();
    expectError(await attempt(c, '203.0.113.1'), 401, 'invalid_credentials');
    expectError(await attempt(c, '203.0.113.1'), 401, 'invalid_credentials');
    const over = await attempt(c, '203.0.113.1');
    expectError(over, 429, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    // Another client of the proxy is not held back by the first.
    expectError(await attempt(c, '203.0.113.2'), 401, 'invalid_credentials');
    // A client cannot choose its address: entries it wrote itself are to
    // the left of the one the proxy appended, which is what counts...
    expectError(await attempt(c, '198.51.100.99, 203.0.113.1'), 429, 'rate_limited');
    // ...also when the proxy adds a header line of its own after the
    // client's.
    const port = s.port;
    const body = JSON.stringify({ handle: 'nobody_here', passphrase: PASS });
    const two = await rawRequest(port, 'POST /api/login HTTP/1.1\r\n'
      + `Host: 127.0.0.1:${port}\r\nOrigin: ${s.url}\r\n`
      + 'X-Forwarded-For: 198.51.100.98\r\nX-Forwarded-For: 203.0.113.1\r\n'
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`
      + `Connection: close\r\n\r\n${body}`);
    assert.match(two, /^HTTP\/1\.1 429/, two);
    // Trusted hops (a second proxy in front) are skipped.
    expectError(await attempt(c, '203.0.113.1, 10.1.2.3'), 429, 'rate_limited');
    expectError(await attempt(c, '203.0.113.7, 10.1.2.3'), 401, 'invalid_credentials');
    // A request from the proxy itself, for nobody, is the proxy's.
    expectError(await attempt(c, null), 401, 'invalid_credentials');
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('/metrics: loopback only, never through a proxy, or with its token', async () => {
  const dir = tempDir();
  const tokenFile = join(dir, 'metrics.token');
  writeFileSync(tokenFile, 'a-metrics-token-of-enough-length\n');
  const plain = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  const tokened = await startServer({ args: ['--metrics-token-file', tokenFile] });
  try {
    const c = plain.client();
    assert.equal((await c.get('/metrics')).status, 200);
    // Forwarded by the trusted proxy: someone else's request.
    expectError(await c.get('/metrics', from('203.0.113.1')), 403, 'forbidden');
    expectError(await c.get('/metrics', from('127.0.0.1')), 403, 'forbidden');
    // A proxy nobody declared still gives itself away by its headers.
    const t = tokened.client();
    expectError(await t.get('/metrics', from('203.0.113.1')), 401, 'unauthorized');
    const undeclared = await startServer();
    try {
      const u = undeclared.client();
      assert.equal((await u.get('/metrics')).status, 200);
      expectError(await u.get('/metrics', from('203.0.113.1')), 403, 'forbidden');
      expectError(await u.get('/metrics', { headers: { 'x-real-ip': '203.0.113.1' } }), 403, 'forbidden');
      expectError(await u.get('/metrics', { headers: { forwarded: 'for=203.0.113.1' } }), 403, 'forbidden');
    } finally {
      await undeclared.stopAndClean();
    }
    // With a token: the token, from anywhere, and nothing else.
    const none = await t.get('/metrics');
    expectError(none, 401, 'unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    expectError(await t.get('/metrics', { headers: { authorization: 'Bearer wrong-token-of-some-length' } }),
      401, 'unauthorized');
    const ok = await t.get('/metrics', { headers: { authorization: 'Bearer a-metrics-token-of-enough-length' } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /majlis_http_requests_total/);
  } finally {
    await plain.stopAndClean();
    await tokened.stopAndClean();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --trusted-proxy and --metrics-token-file values are refused', async () => {
  const dir = tempDir();
  try {
    for (const bad of ['proxy.example', '10.0.0.1/8', '::1/129', '127.0.0.1;10.0.0.1']) {
      const r = await runCli(['serve', '--data', dir, '--http', '127.0.0.1:0', '--trusted-proxy', bad],
        {}, { timeout: 20000 });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--trusted-proxy/);
    }
    const short = join(dir, 'short.token');
    writeFileSync(short, 'short\n');
    const r = await runCli(['serve', '--data', dir, '--http', '127.0.0.1:0', '--metrics-token-file', short],
      {}, { timeout: 20000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /token/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// X-Forwarded-Proto says whether the browser's side of a proxy was
// HTTPS: believed from anyone, a client on plain HTTP could have its
// cookies marked for HTTPS and its Origin matched as
// https. Only a trusted proxy's word counts.
test('X-Forwarded-Proto counts only from a --trusted-proxy', async () => {
  const plain = await startServer();
  const proxied = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  const https = { headers: { 'x-forwarded-proto': 'https' } };
  const body = (s) => ({ invite: s.invite, handle: 'owner', display_name: 'Owner', passphrase: PASS });
  try {
    // From anyone: the request is plain HTTP, whatever the header says.
    // An https Origin is then another origin, and is refused...
    const claims = plain.client({ origin: plain.url.replace('http:', 'https:') });
    expectError(await claims.post('/api/signup', body(plain), https), 403, 'cross_origin');
    // ...and the cookie of a sign-up from our own origin is the plain one.
    const c = plain.client();
    const r = await c.post('/api/signup', body(plain), https);
    assert.equal(r.status, 201, r.text);
    assert.ok(c.setCookies.some((k) => k.startsWith('mj_session=')), c.setCookies.join('\n'));
    assert.ok(!c.setCookies.some((k) => /Secure/.test(k)), c.setCookies.join('\n'));
    // From the trusted proxy: HTTPS, with its origin and Secure cookies.
    const t = proxied.client({ origin: proxied.url.replace('http:', 'https:') });
    const tr = await t.post('/api/signup', body(proxied), https);
    assert.equal(tr.status, 201, tr.text);
    const secure = t.setCookies.find((k) => k.startsWith('__Host-mj_session='));
    assert.ok(secure, t.setCookies.join('\n'));
    assert.match(secure, /; Secure/);
  } finally {
    await plain.stopAndClean();
    await proxied.stopAndClean();
  }
});
