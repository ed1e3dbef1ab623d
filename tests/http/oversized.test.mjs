// Oversized requests: a path too long gets 414 with the usual JSON error,
// and headers too large do not write a log line each (a way to flood the
// log): the HTTP library's complaints about what clients send go to info
// level, and at most a few lines of it pass per period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest } from './lib.mjs';

test('414 carries a JSON error body', async () => {
  const s = await startServer();
  try {
    const r = await fetch(`${s.url}/${'a'.repeat(2000)}`);
    assert.equal(r.status, 414);
    assert.match(r.headers.get('content-type'), /application\/json/);
    const body = await r.json();
    assert.equal(body.error, 'uri_too_long');
    assert.equal(typeof body.message, 'string');
    // The server goes on answering.
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
  }
});

test('oversized headers do not write a line each to the log', async () => {
  const s = await startServer({ args: ['--log-level', 'warn'] });
  try {
    const big = 'x'.repeat(9000);
    for (let i = 0; i < 30; i++) {
      await rawRequest(s.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-Big: ${big}\r\n\r\n`, { timeoutMs: 5000 });
    }
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  } finally {
    const { code } = await s.stopAndClean();
    assert.equal(code, 0, s.stderr);
    const lines = s.stderr.split('\n').filter((l) => /header data space/.test(l));
    assert.equal(lines.length, 0, `lines at warn and above:\n${lines.join('\n')}`);
  }
});
