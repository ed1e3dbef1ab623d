// Firefox (Debian's firefox-esr) against a server on its default,
// loopback address, as a new user on the same machine meets it: Firefox
// listens over WHEP and hears a Chromium speaker; Firefox speaks over
// WHIP and a Chromium listener hears Firefox's fake microphone; leaving
// stops its audio and ends its session. Headless Firefox has no audio
// output here, so what it hears is judged by getStats (the decoded level
// and how much was concealed), and what it sends by a Chromium ear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createRoom, token, tone, launch, launchFirefox, addMachineAddress, tempDir, cleanup,
  waitFor, sleep, receiverPeaks,
} from './lib.mjs';

const FIREFOX_HZ = 1000; // the tone of Firefox's fake microphone

let server;
let dir;
let machineIp;
const browsers = [];

before(async () => {
  machineIp = addMachineAddress();
  dir = tempDir();
  server = await startServer({ data: `${dir}/data` });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

async function openToken(browser, room, tok) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/token#room=${room}&token=${encodeURIComponent(tok)}&raw=1`);
  await page.waitForSelector('#listen');
  return page;
}

const state = (page) => page.evaluate(() => window.majlis.session && window.majlis.session.pc.connectionState);

// What a page's connection receives and the pair it chose, from getStats.
const inbound = (page) => page.evaluate(async () => {
  const s = window.majlis.session;
  if (!s) return null;
  const out = { packets: 0, level: 0, samples: 0, concealed: 0, remote: null, local: null };
  const stats = await s.pc.getStats();
  const byId = new Map();
  stats.forEach((r) => byId.set(r.id, r));
  stats.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      out.packets += r.packetsReceived || 0;
      out.level = Math.max(out.level, r.audioLevel || 0);
      out.samples += r.totalSamplesReceived || 0;
      out.concealed += r.concealedSamples || 0;
    }
    if (r.type === 'candidate-pair' && r.state === 'succeeded' && (r.nominated || r.selected)) {
      out.remote = byId.get(r.remoteCandidateId)?.address;
      out.local = byId.get(r.localCandidateId)?.address;
    }
  });
  return out;
});

test('Firefox hears and is heard through a server on loopback, and leaving stops it',
  { timeout: 180000 }, async () => {
    const room = createRoom(server.data, 'Firefox');
    const ff = await launchFirefox();
    browsers.push(ff);
    const chrome = await launch({ audioFile: tone(dir, 440) });
    browsers.push(chrome);

    // The answer names the machine's own address after loopback, and
    // Firefox takes that one: it never pairs with a loopback candidate.
    const speaker = await openToken(chrome, room, token(server.data, room, 'speaker'));
    await speaker.click('#speak');
    await waitFor(async () => (await state(speaker)) === 'connected', { what: 'Chromium speaker connected' });

    const listener = await openToken(ff, room, token(server.data, room, 'listener'));
    await listener.click('#listen');
    await waitFor(async () => (await state(listener)) === 'connected', { timeout: 20000, what: 'Firefox listener connected' });
    const heard = await waitFor(async () => {
      const s = await inbound(listener);
      return s && s.packets > 150 && s.samples > 48000 ? s : null;
    }, { timeout: 20000, what: 'Firefox decoding the speaker' });
    assert.equal(heard.remote, machineIp, `Firefox paired with ${heard.remote}`);
    // The tone is at half scale: its level reads about 0.5; silence or
    // noise would read near 0. Concealment is loss made up by the decoder.
    assert.ok(heard.level > 0.3, `Firefox's decoded level ${heard.level}`);
    // Over the next two seconds (the first moments, while the jitter
    // buffer fills, do not count), little of it is made up.
    await sleep(2000);
    const later = await inbound(listener);
    const samples = later.samples - heard.samples;
    const concealed = later.concealed - heard.concealed;
    assert.ok(samples > 48000 && concealed < samples * 0.05, `${concealed} of ${samples} samples concealed`);

    // Firefox speaks; a Chromium listener hears its fake microphone.
    const ffSpeaker = await openToken(ff, room, token(server.data, room, 'speaker'));
    await ffSpeaker.click('#speak');
    await waitFor(async () => (await state(ffSpeaker)) === 'connected', { timeout: 20000, what: 'Firefox speaker connected' });
    const ear = await openToken(chrome, room, token(server.data, room, 'listener'));
    await ear.click('#listen');
    await waitFor(async () => (await state(ear)) === 'connected', { what: 'Chromium listener connected' });
    const near = (peaks, hz) => peaks.some((p) => p.db > -80 && Math.abs(p.freq - hz) < 15);
    await waitFor(async () => {
      const peaks = await ear.evaluate(receiverPeaks);
      return near(peaks, FIREFOX_HZ) && near(peaks, 440) ? peaks : null;
    }, { timeout: 20000, interval: 100, what: 'Firefox\'s tone and the 440 Hz speaker at the Chromium listener' });

    // Firefox leaves: its tone stops at the listener, the 440 Hz goes on,
    // and the server ends both its sessions when its listener leaves too.
    const before = await server.metric('majlis_media_sessions');
    await ffSpeaker.click('#leave');
    await waitFor(async () => {
      const peaks = await ear.evaluate(receiverPeaks);
      return !near(peaks, FIREFOX_HZ) && near(peaks, 440) ? peaks : null;
    }, { timeout: 15000, interval: 100, what: 'Firefox\'s tone gone, 440 Hz still there' });
    await listener.click('#leave');
    await waitFor(async () => (await server.metric('majlis_media_sessions')) === before - 2,
      { what: 'the server ending Firefox\'s two sessions' });
    assert.equal(await listener.evaluate(() => window.majlis.session), null);
    await sleep(200);
  });
