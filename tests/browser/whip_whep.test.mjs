// Real browsers through the media plane: two speakers publish tones over
// WHIP, two listeners hear both over WHEP, a listener token cannot publish,
// and leaving really stops the audio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createRoom, token, tone, launch, tempDir, cleanup, waitFor, sleep,
  inboundPackets, receiverPeaks, rtcpStats,
} from './lib.mjs';

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

async function connected(page) {
  return page.evaluate(() => window.majlis.session && window.majlis.session.pc.connectionState);
}

test('two speakers reach two listeners; a listener token cannot publish; leaving stops audio',
  async () => {
    const room = createRoom(server.data, 'Tones');
    const hear = token(server.data, room, 'listener');

    // Speakers A (440 Hz) and B (880 Hz), each its own browser and fake mic,
    // and each its own token: one token is one person in the room, and one
    // person holds one slot however many connections it opens.
    const speakers = [];
    for (const freq of [440, 880]) {
      const b = await launch({ audioFile: tone(dir, freq) });
      browsers.push(b);
      const page = await openPage(b, room, token(server.data, room, 'speaker'));
      await page.click('#speak');
      speakers.push(page);
    }
    for (const page of speakers) {
      await waitFor(async () => (await connected(page)) === 'connected', { what: 'speaker connected' });
    }

    // Listeners C and D share one browser without a microphone.
    const lb = await launch();
    browsers.push(lb);
    const listeners = [];
    for (let i = 0; i < 2; i++) {
      const page = await openPage(lb, room, hear);
      await page.click('#listen');
      listeners.push(page);
    }
    for (const page of listeners) {
      await waitFor(async () => (await connected(page)) === 'connected', { what: 'listener connected' });
      await waitFor(async () => (await page.evaluate(inboundPackets)) > 100, { what: 'audio packets' });
    }

    // Both listeners hear both tones, each in its own slot.
    for (const page of listeners) {
      const found = await waitFor(async () => {
        const peaks = await page.evaluate(receiverPeaks);
        const loud = peaks.filter((p) => p.db > -80).map((p) => p.freq);
        const has = (f) => loud.some((x) => Math.abs(x - f) < 15);
        return has(440) && has(880) ? peaks : null;
      }, { timeout: 20000, interval: 100, what: 'both tones at a listener' });
      assert.ok(found);
    }

    // The server's sender reports reach each listener: every stream it
    // receives has a remote-outbound-rtp saying what the server sent it
    // (about what it received: reports are a second apart at most 1.5 s)
    // and when, by a clock that agrees with the page's; and the receive
    // side's jitter and loss are sane.
    for (const page of listeners) {
      const st = await waitFor(async () => {
        const s = await page.evaluate(rtcpStats);
        const live = s ? s.inbound.filter((i) => i.packetsReceived > 0) : [];
        return live.length === 2 && live.every((i) => s.remote[i.ssrc]) ? s : null;
      }, { timeout: 10000, interval: 250, what: 'sender reports at a listener' });
      for (const i of st.inbound.filter((x) => x.packetsReceived > 0)) {
        const r = st.remote[i.ssrc];
        assert.ok(r.packetsSent > 0 && r.bytesSent > 0, `SR counts for ${i.ssrc}`);
        assert.ok(Math.abs(r.packetsSent - i.packetsReceived) < 150,
          `SR says ${r.packetsSent} sent, ${i.packetsReceived} received`);
        assert.ok(Math.abs(st.now - r.remoteTimestamp) < 3000,
          `SR time ${r.remoteTimestamp} is not near ${st.now}`);
        assert.ok(i.jitter >= 0 && i.jitter < 0.1, `jitter ${i.jitter} s`);
        assert.ok(i.packetsLost >= 0 && i.packetsLost <= Math.max(5, i.packetsReceived / 100),
          `${i.packetsLost} lost of ${i.packetsReceived}`);
      }
    }

    // A listener token on WHIP is refused with 403.
    const refused = await listeners[0].evaluate(async ({ room: r, hear: t }) => {
      const res = await fetch(`/whip/${r}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${t}` },
        body: 'v=0\r\n',
      });
      return { status: res.status, body: await res.json() };
    }, { room, hear });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');

    // C ends its session with DELETE but keeps its connection open: its
    // packet count must stop growing while D's goes on.
    const [c, d] = listeners;
    const status = await c.evaluate(async () => (await fetch(window.majlis.session.location, { method: 'DELETE' })).status);
    assert.equal(status, 200);
    await sleep(300); // packets already in flight
    const c1 = await c.evaluate(inboundPackets);
    const d1 = await d.evaluate(inboundPackets);
    await sleep(2000);
    const c2 = await c.evaluate(inboundPackets);
    const d2 = await d.evaluate(inboundPackets);
    assert.equal(c2, c1, `C still receives after DELETE (${c1} -> ${c2})`);
    assert.ok(d2 - d1 > 100, `D stopped receiving (${d1} -> ${d2})`);

    // Deleting again: the session is gone.
    const again = await c.evaluate(async () => (await fetch(window.majlis.session.location, { method: 'DELETE' })).status);
    assert.equal(again, 404);
  });
