// Helpers for the HTTP API tests: the one server starter (../lib/server.mjs)
// and browser-like client (../lib/client.mjs) of every Node test, and
// what the API tests share on top: members signed up and signed in, the
// shape of an error, and requests fetch cannot send.
import net from 'node:net';
import assert from 'node:assert/strict';

export {
  BIN, sleep, tempDir, cleanup, freePort, freeUdpPort, waitFor, majlis, runCli, startServer,
} from '../lib/server.mjs';
export { Client } from '../lib/client.mjs';

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
