// The room's tools in real browsers. A (440 Hz, English, in Baghdad's
// time zone) hosts and speaks; B (Arabic), C (English) and D (Arabic)
// listen, each in a browser context of their own.
//   * Listening unlisted: B turns it on in the room; A (a moderator)
//     still sees B's name, marked, while C only counts B; B's raised
//     hand goes up again; B still hears A, enters unlisted from the
//     start after a reload, and shows up again for C once it is off.
//   * Letting in: D is refused by a closed room until A lets D in from
//     the sheet (after a handle that is not one and one that is nobody's);
//     then D opens the link and hears A. C, let in at the start, has no
//     such control.
//   * A bot's token: A makes a speaker token, copies the command the
//     sheet shows and runs it as shown (a 660 Hz file): D hears 660 Hz
//     and sees the bot on stage with A's name. D, no moderator, gets a
//     listener's token whose `majlis bot record` hears A.
// Screenshots of the sheet at 360 px, Arabic and English, go where the
// room test's go.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, tempDir, cleanup, tone, waitFor, sleep } from './lib.mjs';
import {
  PHONE, HEARD_DB, watchPage, signUp, makeInvite, levelsIn, hears, connected, button,
} from './room_lib.mjs';
import { bot, botSays, dominant } from '../http/bot_audio.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.MAJLIS_SCREENSHOTS
  ? resolve(HERE, '..', '..', process.env.MAJLIS_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'majlis-shots-'));
const FAILURES = join(tmpdir(), 'majlis-room-tools-failures');
const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;
const A_HZ = 440;
const BOT_HZ = 660;
const ZONE = 'Asia/Baghdad';

let server;
let dir;
const browsers = [];
const pages = [];
const problems = [];
let a;
let b;
let c;
let d;

before(async () => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ data: join(dir, 'data') });
  const speaker = await launch({ audioFile: tone(dir, A_HZ, 120) });
  const listeners = await launch();
  browsers.push(speaker, listeners);
  // Granted from the start: granting later would take the microphone away.
  a = await person(speaker, 'A', 'en-US', {
    timezoneId: ZONE, permissions: ['microphone', 'clipboard-read', 'clipboard-write'],
  });
  b = await person(listeners, 'B', 'ar-IQ');
  c = await person(listeners, 'C', 'en-GB');
  d = await person(listeners, 'D', 'ar-IQ');
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });
  await signUp(a, server.url, adminLink, 'amal', 'Amal Haddad');
  for (const [p, handle, name] of [[b, 'bushra', 'بشرى'], [c, 'chadi', 'Chadi'], [d, 'dalal', 'دلال']]) {
    await signUp(p, server.url, await makeInvite(a), handle, name);
  }
});

after(async () => {
  for (const br of browsers) await br.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
  if (!process.env.MAJLIS_SCREENSHOTS) cleanup(SHOTS);
});

async function person(browser, name, locale, extra = {}) {
  const ctx = await browser.newContext({ locale, viewport: PHONE, ...extra });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  pages.push([name, page]);
  await watchPage(page, name, problems);
  return page;
}

// A room started by A's session; A enters it and speaks (music mode, so
// the tone arrives as it is).
async function startRoom(title, type, allowed) {
  await a.goto(server.url);
  const id = await a.evaluate(async (body) => {
    const r = await fetch('/api/rooms', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    return (await r.json()).room.id;
  }, { title, type, allowed });
  const url = `${server.url}/room/${id}`;
  await a.goto(url);
  await button(a, 'Unmute').waitFor();
  await a.getByLabel('Music mode').check();
  await button(a, 'Unmute').click();
  await button(a, 'Mute').waitFor();
  return { id, url };
}

const tools = (page, ar = false) => page.getByRole('dialog', { name: ar ? 'أدوات الغرفة' : 'Room tools' });

async function openTools(page, ar = false) {
  await button(page, ar ? 'أدوات الغرفة' : 'Room tools').click();
  await tools(page, ar).waitFor();
  return tools(page, ar);
}

async function closeTools(page, ar = false) {
  await page.keyboard.press('Escape');
  await tools(page, ar).waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), ar ? 'أدوات الغرفة' : 'Room tools',
    'the focus is back on the button that opened the sheet');
}

const audienceTile = (page, name) => page.locator('.audience-list li', { hasText: name });

// A phone-sized screenshot, after checking that neither the page nor an
// open sheet scrolls sideways and that every control in the sheet is big
// enough for a thumb.
async function shoot(page, name) {
  await page.setViewportSize(PHONE);
  await sleep(150);
  const wide = await page.evaluate(() => {
    const sheet = document.querySelector('dialog[open]');
    return [document.documentElement.scrollWidth - window.innerWidth, sheet ? sheet.scrollWidth - sheet.clientWidth : 0];
  });
  assert.deepEqual(wide, [0, 0], `${name}: the page and its sheet fit 360 px`);
  const small = await page.evaluate(() => [...document.querySelectorAll('dialog[open] button, dialog[open] input')]
    .filter((x) => x.offsetParent && x.type !== 'checkbox' && x.type !== 'radio')
    .map((x) => [x.textContent.trim() || x.id, x.getBoundingClientRect().height])
    .filter(([, hgt]) => hgt < 40));
  assert.deepEqual(small, [], `${name}: touch targets of at least 40 px`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function dumpPages() {
  mkdirSync(FAILURES, { recursive: true });
  for (const [name, p] of pages) {
    if (p.isClosed()) continue;
    await p.screenshot({ path: join(FAILURES, `room-tools-failure-${name}.png`) }).catch(() => {});
    const html = await p.locator('#view').innerHTML().catch((e) => e.message);
    console.error(`${name} at ${p.url()}:\n${html}`);
  }
  console.error(server.stderr);
}

async function guarded(fn) {
  try {
    await fn();
  } catch (e) {
    await dumpPages();
    throw e;
  }
  assert.deepEqual(problems, []);
}

test('listening unlisted: named to moderators, counted by others', { timeout: 120000 }, () => guarded(async () => {
  const { url } = await startRoom('Open evening', 'open');
  await b.goto(url);
  await hears(b, A_HZ, 'B hears A');
  await c.goto(url);
  await hears(c, A_HZ, 'C hears A');
  await audienceTile(c, 'بشرى').waitFor();
  await audienceTile(a, 'بشرى').waitFor();

  // B, hand raised, turns it on in the room: B enters again, unlisted,
  // as someone new, and the hand goes up again.
  await button(b, 'ارفع يدك').click();
  const handRow = a.locator('.queue li', { hasText: 'بشرى' });
  await handRow.waitFor();
  const oldId = await handRow.getAttribute('data-id');
  const sheet = await openTools(b, true);
  assert.equal(await sheet.locator('#unlisted-state').innerText(), 'يرى كل من في الغرفة اسمك الآن بين المستمعين.');
  assert.ok(await sheet.getByText('لا يرى اسمك إلا مديرو الغرفة.').isVisible());
  await sheet.getByRole('checkbox', { name: 'استمع دون أن يظهر اسمك' }).check();
  await sheet.locator('#unlisted-state').getByText('تستمع الآن واسمك مخفي').waitFor();
  await b.locator('.room-meta .chip.unlisted').getByText('اسمك مخفي').waitFor();
  await shoot(b, 'room-tools-phone-ar');
  await closeTools(b, true);
  assert.equal(await audienceTile(b, 'بشرى').locator('.mark.unlisted').innerText(), 'مخفي');

  await waitFor(async () => (await handRow.count()) === 1 && (await handRow.getAttribute('data-id')) !== oldId,
    { what: 'B\'s hand up again after entering unlisted' });
  await button(b, 'أنزل يدك').click();
  await handRow.waitFor({ state: 'detached' });

  // A, a moderator, still sees B by name, marked; C only counts B.
  await waitFor(async () => (await audienceTile(a, 'بشرى').count()) === 1
    && (await audienceTile(a, 'بشرى').locator('.mark.unlisted').count()) === 1, { what: 'A sees B, unlisted' });
  await waitFor(async () => (await audienceTile(c, 'بشرى').count()) === 0, { what: 'B gone from C\'s audience' });
  await c.locator('.audience .more').getByText('and 1 more').waitFor();
  assert.equal(await c.locator('#audience-title .count').innerText(), '(2)');
  assert.equal(await audienceTile(c, 'Chadi').locator('.mark.unlisted').count(), 0);
  await shoot(a, 'room-unlisted-phone-en');

  // B entered again with a new connection and ended the old visit; the
  // audio goes on.
  assert.deepEqual(await b.evaluate(() => [window.testPcs.length,
    window.testPcs.filter((pc) => pc.connectionState !== 'closed').length]), [2, 1]);
  await hears(b, A_HZ, 'B hears A after entering unlisted');
  assert.equal(await b.evaluate(() => localStorage.getItem('majlis.unlisted')), '1');

  // The choice is kept: after a reload B enters unlisted at once.
  await b.reload();
  await hears(b, A_HZ, 'B hears A after a reload');
  await b.locator('.room-meta .chip.unlisted').waitFor();
  assert.equal(await b.evaluate(() => window.testPcs.length), 1, 'entered unlisted without entering twice');
  await waitFor(async () => (await audienceTile(a, 'بشرى').count()) === 1, { what: 'B once in A\'s audience' });
  assert.equal(await audienceTile(c, 'بشرى').count(), 0);

  // On stage the choice changes nothing, and the sheet says so.
  const aSheet = await openTools(a);
  assert.match(await aSheet.locator('#unlisted-state').innerText(), /^On stage everyone sees you anyway/);
  assert.ok(await aSheet.getByRole('heading', { name: 'Let someone in' }).isHidden(), 'no letting in to an open room');
  await closeTools(a);

  // Off again: C sees B by name.
  await (await openTools(b, true)).getByRole('checkbox', { name: 'استمع دون أن يظهر اسمك' }).uncheck();
  await closeTools(b, true);
  await audienceTile(c, 'بشرى').waitFor();
  await waitFor(async () => (await audienceTile(a, 'بشرى').count()) === 1
    && (await audienceTile(a, 'بشرى').locator('.mark.unlisted').count()) === 0, { what: 'A sees B listed' });
  await b.locator('.room-meta .chip.unlisted').waitFor({ state: 'detached' });
  await button(b, 'غادر بهدوء').click();
  await button(c, 'Leave quietly').click();
}));

test('a moderator lets a member into a closed room', { timeout: 120000 }, () => guarded(async () => {
  const { url } = await startRoom('Closed circle', 'closed', ['chadi']);
  await d.goto(url);
  await d.locator('.room-end').getByText('هذه غرفة مغلقة').waitFor();

  // C was let in at the start, and is no moderator: no such control.
  await c.goto(url);
  await hears(c, A_HZ, 'C hears A in the closed room');
  const cSheet = await openTools(c);
  assert.ok(await cSheet.getByRole('heading', { name: 'Let someone in' }).isHidden());
  assert.equal(await cSheet.locator('#let-in-handle').count(), 1);
  assert.ok(await cSheet.locator('#let-in-handle').isHidden());
  await closeTools(c);

  const sheet = await openTools(a);
  await sheet.getByRole('heading', { name: 'Let someone in' }).waitFor();
  const handle = sheet.getByLabel('Their handle');
  const status = sheet.locator('#let-in-status');
  await handle.fill('x!');
  await sheet.getByRole('button', { name: 'Let in' }).click();
  await status.getByText('That is not a handle').waitFor();
  assert.equal(await handle.getAttribute('aria-invalid'), 'true');
  await handle.fill('nobody_here');
  await handle.press('Enter');
  await status.getByText(/No member has the handle .@nobody_here./).waitFor();
  await handle.fill('@Dalal');
  await handle.press('Enter');
  await status.getByText(/.@dalal. may now enter\./).waitFor();
  assert.equal(await handle.inputValue(), '');
  assert.equal(await handle.getAttribute('aria-invalid'), null);
  await shoot(a, 'room-tools-phone-en');
  await closeTools(a);

  await d.goto(url);
  await hears(d, A_HZ, 'D, let in, hears A');
  assert.ok(await connected(d));
}));

test('a bot\'s token from the sheet, and the command it shows', { timeout: 120000 }, () => guarded(async () => {
  // The closed room of the test before: A speaks, C and D listen.
  const sheet = await openTools(a);
  await sheet.getByRole('radio', { name: /^On stage/ }).check();
  const made = Date.now();
  await sheet.getByRole('button', { name: 'Make a token' }).click();
  const command = sheet.getByLabel('To play a sound file (WAV or Ogg Opus) into the room');
  await command.waitFor();
  const token = await sheet.getByLabel('The token', { exact: true }).inputValue();
  assert.match(token, /^mj2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const roomId = new URL(a.url()).pathname.split('/').pop();
  const line = await command.inputValue();
  assert.equal(line, `majlis bot speak --url ${server.url} --room ${roomId} --token ${token} FILE.wav`);
  assert.ok(await sheet.getByText('Whoever holds this token enters this room as a bot that answers to you').isVisible());
  // It expires in six hours, said in the reader's own time zone.
  const expires = await sheet.locator('#token-expires').innerText();
  const at = (ms) => new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' })
    .format(new Date(ms + 6 * 3600 * 1000));
  assert.ok(expires.includes('GMT+3') && [at(made), at(made + 60000)].some((x) => expires.includes(x)),
    `expiry in Baghdad's time: ${expires}`);
  await sheet.getByRole('button', { name: 'Copy the command' }).click();
  await sheet.getByText('Copied.').waitFor();
  assert.equal(await a.evaluate(() => navigator.clipboard.readText()), line);
  await sheet.locator('#token-warning').scrollIntoViewIfNeeded();
  await shoot(a, 'room-token-phone-en');

  // Kept nowhere: closing the sheet forgets it.
  await closeTools(a);
  assert.deepEqual(await a.evaluate((tok) => [
    document.documentElement.outerHTML.includes(tok),
    JSON.stringify({ ...localStorage }).includes(tok),
    JSON.stringify({ ...sessionStorage }).includes(tok),
    location.href.includes(tok),
  ], token), [false, false, false, false]);

  // The command, as shown, with a 660 Hz file in place of FILE.wav.
  const args = line.split(' ');
  assert.deepEqual(args.slice(0, 3), ['majlis', 'bot', 'speak']);
  args[args.length - 1] = tone(dir, BOT_HZ, 30);
  const speaker = bot(args.slice(2));
  try {
    await botSays(speaker, /connected; speaking/);
    await hears(d, BOT_HZ, 'D hears the bot\'s 660 Hz');
    const both = await levelsIn(d, [A_HZ, BOT_HZ]);
    assert.ok(both[A_HZ] > HEARD_DB && both[BOT_HZ] > HEARD_DB, `D hears A and the bot: ${JSON.stringify(both)}`);
    const tile = d.locator('.stage-list li', { has: d.locator('.mark.bot') });
    await tile.waitFor();
    assert.match(await tile.innerText(), /Amal Haddad/);
    assert.equal(await tile.locator('.mark.bot').innerText(), 'آلي');
    assert.equal(await tile.locator('.mark.muted').count(), 0, 'a bot on stage arrives unmuted');
    await a.locator('.stage-list li', { hasText: 'Amal Haddad' }).locator('.mark.bot').waitFor();
  } finally {
    speaker.proc.kill('SIGINT');
  }
  assert.equal((await speaker.done).code, 0);
  await waitFor(async () => (await d.locator('.stage-list .mark.bot').count()) === 0, { what: 'the bot off stage' });

  // D is no moderator: a listener's token, and its command records.
  const dSheet = await openTools(d, true);
  assert.ok(await dSheet.locator('fieldset.seats').isHidden());
  assert.ok(await dSheet.getByText('لا يضع حسابًا آليًا على المنصّة إلا المديرون').isVisible());
  await dSheet.getByRole('button', { name: 'أنشئ رمزًا' }).click();
  const record = dSheet.getByLabel('لتسجيل الغرفة');
  await record.waitFor();
  const recLine = await record.inputValue();
  assert.match(recLine, new RegExp(`^majlis bot record --url ${server.url} --room ${roomId} --token mj2\\.\\S+ --out talk\\.ogg$`));
  await dSheet.locator('#token-warning').scrollIntoViewIfNeeded();
  await shoot(d, 'room-token-phone-ar');
  await closeTools(d, true);
  const out = join(dir, 'room.wav');
  const recArgs = recLine.split(' ').slice(2);
  recArgs[recArgs.length - 1] = out;
  const r = await bot([...recArgs, '--seconds', '3']).done;
  assert.equal(r.code, 0, r.stderr);
  const { freq } = dominant(out);
  assert.ok(Math.abs(freq - A_HZ) <= 10, `the bot's recording peaks at ${freq} Hz`);
}));
