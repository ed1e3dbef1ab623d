// The room journey with a Firefox member, on a server at its default,
// loopback address: A (Chromium, 440 Hz) starts a room and speaks; B
// (Firefox ESR, English) opens its link, taps to start the audio (Firefox
// blocks audible autoplay, as it does for a real user) and hears A,
// raises a hand, is invited, accepts, unmutes, and A hears Firefox's fake
// microphone (a 1 kHz tone); B leaves quietly and A stops hearing it.
// Firefox has no audio output here: what B hears is judged by getStats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  startServer, launch, launchFirefox, addMachineAddress, tempDir, cleanup, tone, waitFor,
} from './lib.mjs';
import {
  HEARD_DB, PHONE, watchPage, trackPage, signUp, makeInvite, levelsIn, hears, connected, button,
} from './room_lib.mjs';

const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;
const A_HZ = 440;
const FIREFOX_HZ = 1000;

let server;
let dir;
const browsers = [];
const problems = [];

before(async () => {
  addMachineAddress();
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

// ---- Firefox's page (puppeteer): tracked as watchPage tracks Chromium's
async function firefoxPage() {
  const ff = await launchFirefox({ autoplay: false });
  browsers.push(ff);
  const page = await ff.newPage();
  await page.setViewport(PHONE);
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => problems.push(`B: page error: ${e.message}`));
  await page.evaluateOnNewDocument(trackPage);
  return page;
}

// Clicks, with a real pointer, the visible button whose text or label is
// name (inside selector, if given), once there is one.
async function press(page, name, within = 'body') {
  const handle = await page.waitForFunction((n, w) => {
    const scope = document.querySelector(w);
    return scope && [...scope.querySelectorAll('button')].find((b) => b.offsetParent &&
      !b.disabled && (b.textContent.trim() === n || b.getAttribute('aria-label') === n));
  }, { timeout: 15000 }, name, within);
  await handle.asElement().click();
}

// What the page's live connection decodes: the loudest level and how
// much was concealed, from getStats.
const decoded = (page) => page.evaluate(async () => {
  const pc = window.testPcs.filter((p) => p.connectionState === 'connected').pop();
  if (!pc) return null;
  const out = { level: 0, samples: 0, concealed: 0 };
  (await pc.getStats()).forEach((r) => {
    if (r.type !== 'inbound-rtp' || r.kind !== 'audio') return;
    out.level = Math.max(out.level, r.audioLevel || 0);
    out.samples += r.totalSamplesReceived || 0;
    out.concealed += r.concealedSamples || 0;
  });
  return out;
});

test('a Firefox member hears, raises a hand, speaks and leaves', { timeout: 180000 }, async () => {
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });
  const chrome = await launch({ audioFile: tone(dir, A_HZ, 60) });
  browsers.push(chrome);
  const a = await (await chrome.newContext({ locale: 'en-US', viewport: PHONE })).newPage();
  a.setDefaultTimeout(15000);
  await watchPage(a, 'A', problems);
  const b = await firefoxPage();
  try {
    await signUp(a, server.url, adminLink, 'amal', 'Amal Haddad');
    await signUp(b, server.url, await makeInvite(a), 'bashir', 'Bashir');

    // ---- A starts a room and speaks
    await a.goto(`${server.url}/new`);
    await a.getByLabel('Title', { exact: true }).fill('Firefox evening');
    await button(a, 'Start a room').click();
    await a.waitForURL(/\/room\/[A-Za-z0-9]+$/);
    await waitFor(() => connected(a), { what: 'A connected' });
    await a.getByLabel('Music mode').check(); // the tone as it is, unprocessed
    await button(a, 'Unmute').click();
    await button(a, 'Mute').waitFor();

    // ---- B opens the link; Firefox asks for a tap before playing
    await b.goto(a.url());
    await b.waitForFunction(() => document.documentElement.lang === 'en' &&
      document.querySelector('#room-title')?.textContent.includes('Firefox evening'));
    await waitFor(() => b.evaluate(() => window.testPcs.some((pc) => pc.connectionState === 'connected')),
      { timeout: 20000, what: 'B (Firefox) connected' });
    // Whether Firefox lets the audio start unasked depends on whether the
    // track was audible yet when the page called play(): either it plays,
    // or the page shows its tap-to-start and playing starts with the tap.
    const playing = () => [...document.querySelectorAll('audio.slot')].some((x) => !x.paused);
    const gated = await b.waitForFunction(() => {
      if (!document.querySelector('.audio-gate').hidden) return 'gate';
      return [...document.querySelectorAll('audio.slot')].some((x) => !x.paused) && 'playing';
    });
    if ((await gated.jsonValue()) === 'gate') await press(b, 'Tap to start audio', '.audio-gate');
    await b.waitForFunction(() => document.querySelector('.audio-gate').hidden);
    const heard = await waitFor(async () => {
      const s = await decoded(b);
      return s && s.samples > 48000 && s.level > 0.3 ? s : null;
    }, { timeout: 20000, what: 'B decoding A at its level' });
    // Once it plays, what it decodes is the audio, not made up for loss:
    // over two seconds, concealment is a small share of what it decoded
    // (the first moments, while the jitter buffer fills, do not count).
    await new Promise((r) => setTimeout(r, 2000));
    const later = await decoded(b);
    const samples = later.samples - heard.samples;
    const concealed = later.concealed - heard.concealed;
    assert.ok(samples > 48000 && concealed < samples * 0.05, `B: ${concealed} of ${samples} concealed`);
    assert.ok(await b.evaluate(playing), 'B plays the room in an audio element');

    // ---- B raises a hand; A invites; B accepts and unmutes
    await press(b, 'Raise hand');
    await press(b, 'Lower hand'); // a hand goes down again
    await press(b, 'Raise hand');
    const handRow = a.locator('.queue li', { hasText: 'Bashir' });
    await handRow.waitFor();
    await handRow.getByRole('button', { name: 'Invite to speak' }).click();
    await press(b, 'Accept', 'dialog[open]');
    await press(b, 'Unmute');
    await b.waitForFunction(() => [...document.querySelectorAll('button')].some((x) => x.textContent.trim() === 'Mute'));
    await hears(a, FIREFOX_HZ, 'A hears B (Firefox) on stage');

    // ---- B leaves quietly: gone from A's stage, and silent
    await press(b, 'Leave quietly');
    await b.waitForFunction((u) => location.href === u, {}, `${server.url}/`);
    await waitFor(async () => (await a.locator('.stage-list li', { hasText: 'Bashir' }).count()) === 0,
      { what: 'B gone from the stage' });
    const after = await levelsIn(a, [FIREFOX_HZ], 800);
    assert.ok(after[FIREFOX_HZ] < HEARD_DB, `A hears nothing of B once gone: ${JSON.stringify(after)}`);
    assert.deepEqual(problems, []);
  } catch (e) {
    await b.screenshot({ path: join(tmpdir(), 'majlis-firefox-room-B.png') }).catch(() => {});
    await a.screenshot({ path: join(tmpdir(), 'majlis-firefox-room-A.png') }).catch(() => {});
    console.error(server.stderr);
    throw e;
  }
});
