// A room in three real browsers, each its own Chromium with its own fake
// microphone: A (440 Hz) starts a room from the form in English and
// speaks; B (880 Hz, English) opens the room's link and hears A with no
// click, raises a hand, is invited, accepts and speaks; C (620 Hz,
// Arabic) hears both. A moves B back to the audience (C's 880 Hz stops:
// the time from the click is printed), removes C (C's audio stops, C is
// told, and cannot come back in), and ends the room (B reads "ended").
// C's microphone is pushed into its connection while it is a listener:
// nobody ever hears 620 Hz. Along the way: one peer connection per visit,
// a dropped socket that comes back, the sign-in detour of a shared link,
// the keyboard in a person's menu, leaving quietly, and a refused
// microphone. Screenshots of the form and the room, phone and desktop,
// Arabic and English, are taken (and checked for sideways scrolling) on
// every run; with MAJLIS_SCREENSHOTS=docs/screenshots they are kept there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, tempDir, cleanup, tone, waitFor, sleep } from './lib.mjs';
import {
  PASS, HEARD_DB, PHONE, DESKTOP, watchPage, signUp, makeInvite, levelsIn, hears, connected, button,
} from './room_lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.MAJLIS_SCREENSHOTS
  ? resolve(HERE, '..', '..', process.env.MAJLIS_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'majlis-shots-'));
const FAILURES = join(tmpdir(), 'majlis-room-failures');
const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;
const A_HZ = 440;
const B_HZ = 880;
const C_HZ = 620;

let server;
let dir;
const browsers = [];
const pages = [];
const problems = [];

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
  if (!process.env.MAJLIS_SCREENSHOTS) cleanup(SHOTS);
});

// One Chromium per person: the fake microphone's file is per process.
async function person(name, hz, locale) {
  // Long enough that the fake microphone never loops during the test.
  const browser = await launch({ audioFile: tone(dir, hz, 60) });
  browsers.push(browser);
  const ctx = await browser.newContext({ locale, viewport: PHONE });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  pages.push([name, page]);
  await watchPage(page, name, problems);
  return page;
}

// ---- in the page ----

// Resolves with the time (Date.now() in the page) at which hz fell
// silent (five readings in a row, 10 ms apart) after the page's
// window.testGo was set, or null after 15 seconds.
function watchStop(page, hz) {
  return page.evaluate(async ([f, db]) => {
    const streams = [...document.querySelectorAll('audio.slot')]
      .filter((a) => a.srcObject && a.srcObject.getAudioTracks().length).map((a) => a.srcObject);
    const ctx = new AudioContext();
    await ctx.resume();
    const taps = streams.map((s) => {
      const an = ctx.createAnalyser();
      an.fftSize = 2048; // 43 ms at 48 kHz: quick to notice
      an.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(s).connect(an);
      return an;
    });
    window.testWatchReady = true;
    return new Promise((resolve) => {
      let below = 0;
      let first = 0;
      const give = setTimeout(() => { clearInterval(iv); ctx.close(); resolve(null); }, 15000);
      const iv = setInterval(() => {
        let level = -Infinity;
        for (const an of taps) {
          const bins = new Float32Array(an.frequencyBinCount);
          an.getFloatFrequencyData(bins);
          const i = Math.round((f * an.fftSize) / ctx.sampleRate);
          for (let k = i - 2; k <= i + 2; k++) level = Math.max(level, bins[k]);
        }
        if (!window.testGo) return;
        if (level < db) {
          if (!below++) first = Date.now();
          if (below >= 5) {
            clearInterval(iv);
            clearTimeout(give);
            ctx.close();
            resolve(first);
          }
        } else {
          below = 0;
        }
      }, 10);
    });
  }, [hz, HEARD_DB]);
}

// RTP packets the page's live connection has sent.
const packetsSent = (page) => page.evaluate(async () => {
  const pc = window.testPcs.filter((p) => p.connectionState !== 'closed').pop();
  if (!pc) return -1;
  let n = 0;
  (await pc.getStats()).forEach((r) => { if (r.type === 'outbound-rtp') n += r.packetsSent; });
  return n;
});

// The microphone in the send slot: null, or 'live' and 'raw' (no echo
// cancellation, as music mode asks) or 'processed'.
const sendTrack = (page) => page.evaluate(() => {
  const pc = window.testPcs.filter((p) => p.connectionState !== 'closed').pop();
  const t = pc && pc.getTransceivers().find((x) => x.direction === 'sendonly');
  const track = t && t.sender.track;
  if (!track) return null;
  return `${track.readyState} ${track.getSettings().echoCancellation ? 'processed' : 'raw'}`;
});

// How many peer connections the page made, and the directions of the
// last one's transceivers.
const transceivers = (page) => page.evaluate(() => {
  const pc = window.testPcs.at(-1);
  return [window.testPcs.length, pc.getTransceivers().map((t) => t.direction).join()];
});

async function shoot(page, name) {
  for (const [size, tag] of [[PHONE, 'phone'], [DESKTOP, 'desktop']]) {
    await page.setViewportSize(size);
    await sleep(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} at ${size.width}px is ${overflow}px too wide`);
    await page.screenshot({ path: join(SHOTS, `${name.replace('*', tag)}.png`) });
  }
  await page.setViewportSize(PHONE);
}

// Every control of the bar is big enough to hit with a thumb.
async function checkTargets(page) {
  const small = await page.evaluate(() => [...document.querySelectorAll('.controls button, .room button')]
    .filter((b) => b.offsetParent && !b.closest('dialog'))
    .map((b) => [b.textContent.trim(), b.getBoundingClientRect().height])
    .filter(([, hgt]) => hgt < 40));
  assert.deepEqual(small, [], 'touch targets of at least 40 px');
}

async function dumpPages() {
  mkdirSync(FAILURES, { recursive: true });
  for (const [name, p] of pages) {
    if (p.isClosed()) continue;
    await p.screenshot({ path: join(FAILURES, `room-failure-${name}.png`) }).catch(() => {});
    const html = await p.locator('#view').innerHTML().catch((e) => e.message);
    console.error(`${name} at ${p.url()}:\n${html}`);
  }
}

test('a room: start, hear, raise a hand, speak, move, remove, end', { timeout: 240000 }, async () => {
  try {
    await journey();
  } catch (e) {
    await dumpPages();
    console.error(server.stderr);
    throw e;
  }
});

async function journey() {
  const started = Date.now();
  mkdirSync(SHOTS, { recursive: true });
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });

  // ---- three members
  const a = await person('A', A_HZ, 'en-US');
  const b = await person('B', B_HZ, 'en-GB');
  const c = await person('C', C_HZ, 'ar-IQ');
  await signUp(a, server.url, adminLink, 'amal', 'Amal Haddad');
  const linkB = await makeInvite(a);
  const linkC = await makeInvite(a);
  await signUp(b, server.url, linkB, 'bashir', 'بشير');
  await signUp(c, server.url, linkC, 'chadi', 'شادي');

  // ---- A starts a room from the form, in English
  await a.goto(server.url);
  await a.locator('main').getByRole('link', { name: 'Start a room' }).click();
  await a.waitForURL(`${server.url}/new`);
  assert.deepEqual(await a.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', 'ltr']);
  await a.getByLabel('Title', { exact: true }).fill('Thursday majlis: the elections');
  for (const kind of ['Open', 'Social', 'Closed']) assert.ok(await a.getByRole('radio', { name: kind }).isVisible());
  assert.ok(await a.getByRole('radio', { name: 'Open' }).isChecked());
  await shoot(a, 'start-room-*-en');
  await button(a, 'Start a room').click();
  await a.waitForURL(/\/room\/[A-Za-z0-9]+$/);
  const roomUrl = a.url();
  await a.locator('#room-title').getByText('Thursday majlis: the elections').waitFor();
  await waitFor(() => connected(a), { what: 'A connected' });
  // The host arrives on stage, muted; the microphone is asked for then.
  await button(a, 'Unmute').waitFor();
  assert.equal(await a.locator('.stage-list li').count(), 1);
  await a.getByLabel('Music mode').check();
  await waitFor(async () => (await sendTrack(a)) === 'live raw', { what: 'A microphone (music mode) in the send slot' });
  await button(a, 'Unmute').click();
  await button(a, 'Mute').waitFor();
  // Preferences only in localStorage.
  assert.deepEqual(await a.evaluate(() => Object.keys(localStorage).sort()), ['majlis.music']);

  // ---- B opens the link and hears A with no click
  await b.goto(roomUrl);
  await b.locator('#room-title').getByText('Thursday majlis: the elections').waitFor();
  await hears(b, A_HZ, 'B hears A');
  assert.ok(await b.locator('.audio-gate').isHidden(), 'no "Tap to start audio" was needed');
  assert.equal(await sendTrack(b), null, 'a listener sends no microphone');

  // One connection for the whole visit: three slots and the microphone's place.
  assert.deepEqual(await transceivers(b), [1, 'recvonly,recvonly,recvonly,sendonly']);

  // ---- the socket drops: the page says so, opens it again, and the audio goes on
  await b.evaluate(() => window.testSockets.at(-1).close(4001, 'test'));
  await b.getByRole('status').getByText('Connection lost').waitFor();
  await b.getByRole('status').getByText('Connection lost').waitFor({ state: 'hidden' });
  assert.equal(await b.evaluate(() => window.testSockets.filter((x) => x.readyState === 1).length), 1);
  await hears(b, A_HZ, 'B hears A after the socket came back');
  assert.equal((await transceivers(b))[0], 1, 'still one peer connection');

  // ---- C (in Arabic) sees the form; signed out, the room's link goes
  // through sign-in and back to the room
  await c.goto(`${server.url}/new`);
  await c.getByLabel('العنوان', { exact: true }).waitFor();
  assert.deepEqual(await c.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl']);
  await shoot(c, 'start-room-*-ar');
  assert.equal(await c.evaluate(async () => (await fetch('/api/logout', { method: 'POST' })).status), 204);
  await c.goto(roomUrl);
  await c.waitForURL(`${server.url}/login?next=${encodeURIComponent(new URL(roomUrl).pathname)}`);
  await c.getByLabel('اسم المستخدم', { exact: true }).fill('chadi');
  await c.getByLabel('عبارة المرور', { exact: true }).fill(PASS);
  await c.getByRole('button', { name: 'ادخل' }).click();
  await c.waitForURL(roomUrl);
  await hears(c, A_HZ, 'C hears A');
  assert.ok(await c.locator('.audio-gate').isHidden());
  // C's tone goes into its connection while it is a listener.
  await c.evaluate(async () => {
    const pc = window.testPcs.filter((p) => p.connectionState !== 'closed').pop();
    const s = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    await pc.getTransceivers().find((x) => x.direction === 'sendonly').sender.replaceTrack(s.getAudioTracks()[0]);
  });
  const sentBefore = await packetsSent(c);
  await waitFor(async () => (await packetsSent(c)) > sentBefore + 50, { what: 'C sending RTP as a listener' });

  // ---- B raises a hand; A sees it and invites B
  await button(b, 'Raise hand').click();
  await button(b, 'Lower hand').waitFor();
  const handRow = a.locator('.queue li', { hasText: 'بشير' });
  await handRow.waitFor();
  await a.locator('.audience-list li', { hasText: 'شادي' }).waitFor();
  await shoot(a, 'room-*-en');
  await checkTargets(a);

  // Keyboard: a person's menu opens with Enter, closes with Escape, and
  // the focus comes back to them.
  const tileC = a.locator('.audience-list li', { hasText: 'شادي' }).getByRole('button');
  await tileC.focus();
  await a.keyboard.press('Enter');
  const menu = a.getByRole('dialog');
  await menu.getByRole('button', { name: 'Remove from room' }).waitFor();
  assert.ok(await menu.getByRole('button', { name: 'Invite to speak' }).isVisible());
  await a.keyboard.press('Escape');
  await waitFor(async () => !(await menu.isVisible()), { what: 'menu closed' });
  assert.match(await a.evaluate(() => document.activeElement.textContent), /شادي/);

  await handRow.getByRole('button', { name: 'Invite to speak' }).click();
  const invitation = b.getByRole('dialog');
  await invitation.getByRole('button', { name: 'Decline' }).waitFor();
  await invitation.getByRole('button', { name: 'Accept' }).click();
  await button(b, 'Unmute').waitFor();
  await b.getByLabel('Music mode').check();
  await waitFor(async () => (await sendTrack(b)) === 'live raw', { what: 'B microphone (music mode) in the send slot' });
  await button(b, 'Unmute').click();
  await button(b, 'Mute').waitFor();
  assert.equal((await transceivers(b))[0], 1, 'going on stage made no new connection');

  // ---- C hears both, and nobody hears C
  await hears(c, B_HZ, 'C hears B');
  const atC = await levelsIn(c, [A_HZ, B_HZ, C_HZ]);
  assert.ok(atC[A_HZ] > HEARD_DB && atC[B_HZ] > HEARD_DB, `C hears A and B: ${JSON.stringify(atC)}`);
  await hears(a, B_HZ, 'A hears B');
  await hears(b, A_HZ, 'B still hears A');
  for (const [name, p] of [['A', a], ['B', b], ['C', c]]) {
    const l = await levelsIn(p, [C_HZ], 600);
    assert.ok(l[C_HZ] < HEARD_DB, `${name} does not hear C (listener): ${JSON.stringify(l)}`);
  }
  await c.locator('.stage-list li.speaking').first().waitFor();
  await shoot(c, 'room-*-ar');
  await checkTargets(c);

  // ---- A moves B to the audience: C's 880 Hz stops
  await a.locator('.stage-list li', { hasText: 'بشير' }).getByRole('button').click();
  const move = a.getByRole('dialog').getByRole('button', { name: 'Move to audience' });
  await move.waitFor();
  assert.deepEqual(await a.getByRole('dialog').locator('.menu-actions button').allInnerTexts(),
    ['Move to audience', 'Mute', 'Make moderator', 'Remove from room']);
  await c.evaluate(() => { window.testWatchReady = false; window.testGo = false; });
  const stopped = watchStop(c, B_HZ);
  await waitFor(() => c.evaluate(() => window.testWatchReady), { what: 'watcher ready' });
  await c.evaluate(() => { window.testGo = true; });
  const clickedAt = Date.now();
  await move.click();
  const silentAt = await stopped;
  assert.ok(silentAt, "C stopped hearing B's 880 Hz");
  const took = silentAt - clickedAt;
  console.log(`moved to the audience: C's 880 Hz stopped ${took} ms after A's click`);
  // Measured at 366-499 ms over 25 runs on an idle machine (release and
  // sanitized builds): what a listener hears includes the jitter buffer and
  // the browser's concealment of the last packets. No bound on it here: on
  // a shared machine a time says more about the neighbours than about us
  // (the media plane's own tests show the cut is at the next packet).
  await button(b, 'Raise hand').waitFor();
  await waitFor(async () => (await sendTrack(b)) === null, { what: 'B microphone off after leaving the stage' });
  // Hand raising off: listeners have no hand to raise; on again.
  const hands = a.getByRole('switch', { name: /Hand raising/ });
  assert.equal(await hands.getAttribute('aria-checked'), 'true');
  await hands.click();
  await button(b, 'Raise hand').waitFor({ state: 'hidden' });
  assert.equal(await hands.getAttribute('aria-checked'), 'false');
  await hands.click();
  await button(b, 'Raise hand').waitFor();
  const stillA = await levelsIn(c, [A_HZ, C_HZ], 600);
  assert.ok(stillA[A_HZ] > HEARD_DB, `C still hears A: ${JSON.stringify(stillA)}`);
  assert.ok(stillA[C_HZ] < HEARD_DB, `C is never heard: ${JSON.stringify(stillA)}`);

  // ---- A removes C: C's audio stops, C is told, and cannot come back
  await a.locator('.audience-list li', { hasText: 'شادي' }).getByRole('button').click();
  await a.getByRole('dialog').getByRole('button', { name: 'Remove from room' }).click();
  await c.getByRole('alert').getByText('أُخرجت من هذه الغرفة').waitFor();
  const afterRemoval = await levelsIn(c, [A_HZ], 600);
  assert.ok(afterRemoval[A_HZ] < HEARD_DB, `C hears nothing once removed: ${JSON.stringify(afterRemoval)}`);
  await waitFor(async () => (await a.locator('.audience-list li', { hasText: 'شادي' }).count()) === 0,
    { what: 'C gone from A\'s audience' });
  await c.reload();
  await c.locator('.room-end').getByText('فلا يمكنك العودة').waitFor();
  assert.ok(!(await connected(c)), 'the refused page has no live connection');

  // ---- A ends the room; B reads "ended"
  await button(a, 'End room').click();
  const confirm = a.getByRole('dialog');
  await confirm.getByRole('button', { name: 'Cancel' }).waitFor();
  await confirm.getByRole('button', { name: 'End room' }).click();
  await b.locator('.room-end').getByText(/ended/).waitFor();
  await a.locator('.room-end').getByText(/ended/).waitFor();
  const afterEnd = await levelsIn(b, [A_HZ], 600);
  assert.ok(afterEnd[A_HZ] < HEARD_DB, `B hears nothing once the room ended: ${JSON.stringify(afterEnd)}`);

  // ---- a second room: B leaves quietly and is gone from A's room at once
  await a.goto(`${server.url}/new`);
  await a.getByLabel('Title', { exact: true }).fill('Second room');
  await button(a, 'Start a room').click();
  await a.waitForURL(/\/room\/[A-Za-z0-9]+$/);
  // Music mode is remembered; the host arrives muted again.
  assert.ok(await a.getByLabel('Music mode').isChecked());
  await waitFor(async () => (await sendTrack(a)) === 'live raw', { what: 'A microphone in the second room' });
  await button(a, 'Unmute').click();
  await button(a, 'Mute').waitFor();
  await b.goto(a.url());
  await hears(b, A_HZ, 'B hears A in the second room');
  await a.locator('.audience-list li', { hasText: 'بشير' }).waitFor();
  await button(b, 'Leave quietly').click();
  await b.waitForURL(`${server.url}/`);
  await waitFor(async () => (await a.locator('.audience-list li', { hasText: 'بشير' }).count()) === 0,
    { timeout: 3000, what: 'B gone from the audience' });
  assert.ok(!(await connected(b)), 'B closed its connection');
  // The home speaks B's language, as the room did.
  assert.deepEqual(await b.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', 'ltr']);

  // ---- A in a second tab whose browser refuses the microphone: told how
  // to allow it, and kept on stage, muted (the first tab sees it too)
  const tab = await browsers[0].newContext({ locale: 'en-US', viewport: PHONE });
  await tab.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
  });
  const a2 = await tab.newPage();
  pages.push(['A2', a2]);
  await a2.goto(server.url);
  assert.equal(await a2.evaluate(async (pass) => (await fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ handle: 'amal', passphrase: pass }),
  })).status, PASS), 200);
  await a2.goto(a.url());
  await a2.getByRole('alert').getByText('did not allow the microphone').waitFor();
  assert.ok(await button(a2, 'Unmute').isVisible());
  await button(a, 'Unmute').waitFor();
  assert.ok(await a2.locator('.stage-list li', { hasText: 'Amal Haddad' }).locator('.mark.muted').isVisible());
  await tab.close();

  assert.deepEqual(problems, []);
  console.log(`room journey took ${Date.now() - started} ms`);
}
