// The C client with real browsers: a Chromium listener hears a bot
// speaker's tone, and a bot records a Chromium speaker (fake microphone,
// 880 Hz, no voice processing) whose tone is in the recording.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, createRoom, token, tone, launch, tempDir, cleanup, waitFor,
  inboundPackets, receiverPeaks,
} from './lib.mjs';
import { bot, botSays, dominant } from '../http/bot_audio.mjs';

let server;
let dir;
const browsers = [];

before(async () => {
  dir = tempDir();
  server = await startServer({ data: `${dir}/data` });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

async function openPage(browser, room, tok) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/token#room=${room}&token=${encodeURIComponent(tok)}&raw=1`);
  return page;
}

const connected = (page) => page.evaluate(() => window.majlis.session && window.majlis.session.pc.connectionState);

test('a Chromium listener hears a bot speaker', async () => {
  const room = createRoom(server.data, 'Bot speaks');
  const wav = join(dir, 'bot440.wav');
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', '3', 'sine', '440', 'vol', '0.5']);
  const speaker = bot(['speak', '--url', server.url, '--room', room,
    '--token', token(server.data, room, 'speaker'), '--loop', wav]);
  await botSays(speaker, /connected; speaking/);

  const b = await launch();
  browsers.push(b);
  const page = await openPage(b, room, token(server.data, room, 'listener'));
  await page.click('#listen');
  await waitFor(async () => (await connected(page)) === 'connected', { what: 'listener connected' });
  await waitFor(async () => (await page.evaluate(inboundPackets)) > 100, { what: 'audio packets' });
  const found = await waitFor(async () => {
    const peaks = await page.evaluate(receiverPeaks);
    return peaks.some((p) => p.db > -80 && Math.abs(p.freq - 440) < 15) ? peaks : null;
  }, { timeout: 20000, interval: 100, what: 'the bot\'s 440 Hz tone in the browser' });
  assert.ok(found);

  speaker.proc.kill('SIGINT');
  assert.equal((await speaker.done).code, 0);
});

test('a bot records a Chromium speaker', async () => {
  const room = createRoom(server.data, 'Bot records');
  const b = await launch({ audioFile: tone(dir, 880) });
  browsers.push(b);
  const page = await openPage(b, room, token(server.data, room, 'speaker'));
  await page.click('#speak');
  await waitFor(async () => (await connected(page)) === 'connected', { what: 'speaker connected' });

  const out = join(dir, 'browser.wav');
  const r = await bot(['record', '--url', server.url, '--room', room,
    '--token', token(server.data, room, 'listener'), '--out', out, '--seconds', '4']).done;
  assert.equal(r.code, 0, r.stderr);
  const { freq, db } = dominant(out);
  assert.ok(Math.abs(freq - 880) <= 10, `the recording peaks at ${freq} Hz (${r.stderr})`);
  assert.ok(db > -40, `the recording is too quiet: ${db} dB`);
});
