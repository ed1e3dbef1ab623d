// The app over HTTPS served by majlis itself (--tls-cert, --tls-key),
// with a certificate from a test CA made here and Chromium told to trust
// that CA's and the leaf's keys (--ignore-certificate-errors-spki-list):
// two members sign up over TLS (Secure cookies), A starts a room and
// speaks (440 Hz), B joins and hears it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, tempDir, cleanup, tone, waitFor } from './lib.mjs';
import { watchPage, signUp, makeInvite, hears, connected, button } from './room_lib.mjs';
import { makeCA, makeLeaf, spkiHash } from '../http/tls_lib.mjs';

const A_HZ = 440;
const INVITE_URL_RE = /(https:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;

let dir;
let server;
let spki;
const browsers = [];
const problems = [];

before(async () => {
  dir = tempDir();
  const ca = makeCA(dir);
  const leaf = makeLeaf(dir, ca, 'web', ['localhost']);
  spki = [spkiHash(leaf.cert), spkiHash(ca.cert)].join(',');
  server = await startServer({
    data: join(dir, 'data'),
    args: ['--tls-cert', leaf.cert, '--tls-key', leaf.key],
  });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

async function person(name, hz) {
  const browser = await launch({
    audioFile: tone(dir, hz, 60),
    args: [`--ignore-certificate-errors-spki-list=${spki}`],
  });
  browsers.push(browser);
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15000);
  await watchPage(page, name, problems);
  return page;
}

test('over HTTPS: sign up, start a room, speak; another member hears it', { timeout: 120000 }, async () => {
  // The server's own URL, by name: the certificate is for localhost.
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const origin = server.url.replace('127.0.0.1', 'localhost');
  const adminLink = (await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite' }))
    .replace('127.0.0.1', 'localhost');
  const a = await person('A', A_HZ);
  const b = await person('B', 880);
  await signUp(a, origin, adminLink, 'amal', 'Amal');
  // The session cookie is the Secure, __Host- one.
  const cookies = await a.context().cookies();
  const session = cookies.find((c) => c.name === '__Host-mj_session');
  assert.ok(session, JSON.stringify(cookies));
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);
  await signUp(b, origin, await makeInvite(a), 'bashir', 'Bashir');
  assert.equal(await a.evaluate(() => window.isSecureContext && location.protocol), 'https:');

  await a.goto(`${origin}/new`);
  await a.getByLabel('Title', { exact: true }).fill('Over TLS');
  await button(a, 'Start a room').click();
  await a.waitForURL(/\/room\/[A-Za-z0-9]+$/);
  const roomUrl = a.url();
  await waitFor(() => connected(a), { what: 'A connected' });
  await button(a, 'Unmute').click();
  await button(a, 'Mute').waitFor();

  await b.goto(roomUrl);
  await b.locator('#room-title').getByText('Over TLS').waitFor();
  await hears(b, A_HZ, 'B hears A over an HTTPS-signalled room');
  assert.deepEqual(problems, []);
});
