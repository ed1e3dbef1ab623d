// Helpers the room's browser tests share: members signed up in a page's
// own session, every peer connection and socket a page makes kept where
// the test can read them, and what the room's audio elements play,
// measured by frequency.
import assert from 'node:assert/strict';
import { waitFor } from './lib.mjs';

export const PASS = 'a long enough passphrase';
export const HEARD_DB = -50;  // a tone at half scale reads about -15 dB; silence below -100
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

// In the page, before its own scripts: every peer connection it makes is
// kept in window.testPcs and every socket in window.testSockets, and
// unhandled rejections are reported on the console.
export function trackPage() {
  // The test reads every peer connection the page makes (stats, and
  // C's listener who sends anyway).
  const Native = window.RTCPeerConnection;
  window.testPcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.testPcs.push(this);
    }
  };
  const NativeSocket = window.WebSocket;
  window.testSockets = [];
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      window.testSockets.push(this);
    }
  };
  window.addEventListener('unhandledrejection', (e) => console.error(`unhandled: ${e.reason && e.reason.stack}`));
}

// Tracks the page (trackPage) and adds its script errors, refusals of the
// security policy and unhandled rejections to problems.
export async function watchPage(page, name, problems) {
  await page.addInitScript(trackPage);
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to|^unhandled/i.test(m.text())) {
      problems.push(`${name}: ${m.text()}`);
    }
  });
}

// Signs up in the page's own session (the form is tested elsewhere).
export async function signUp(page, url, link, handle, displayName) {
  await page.goto(url);
  const code = link.split('/').pop();
  const status = await page.evaluate(async (body) => {
    const r = await fetch('/api/signup', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    return r.status;
  }, { invite: code, handle, display_name: displayName, passphrase: PASS });
  assert.equal(status, 201, `sign-up of ${handle}`);
}

export async function makeInvite(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/invites', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    return (await r.json()).invite.url;
  });
}

// How loud each frequency is in what the room's audio elements play, in
// dB (the loudest slot), after listening for ms.
export function levelsIn(page, freqs, ms = 1200) {
  return page.evaluate(async ([fs, wait]) => {
    const streams = [...document.querySelectorAll('audio.slot')]
      .filter((a) => a.srcObject && !a.paused && a.srcObject.getAudioTracks().length)
      .map((a) => a.srcObject);
    const out = Object.fromEntries(fs.map((f) => [f, -Infinity]));
    if (!streams.length) return out;
    const ctx = new AudioContext();
    await ctx.resume();
    const taps = streams.map((s) => {
      const an = ctx.createAnalyser();
      an.fftSize = 8192;
      an.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(s).connect(an);
      return an;
    });
    await new Promise((r) => setTimeout(r, wait));
    for (const an of taps) {
      const bins = new Float32Array(an.frequencyBinCount);
      an.getFloatFrequencyData(bins);
      for (const f of fs) {
        const i = Math.round((f * an.fftSize) / ctx.sampleRate);
        for (let k = i - 2; k <= i + 2; k++) out[f] = Math.max(out[f], bins[k]);
      }
    }
    await ctx.close();
    return out;
  }, [freqs, ms]);
}

export async function hears(page, hz, what) {
  await waitFor(async () => {
    const l = await levelsIn(page, [hz], 800);
    return l[hz] > HEARD_DB || null;
  }, { timeout: 15000, interval: 100, what });
}

export const connected = (page) => page.evaluate(() => window.testPcs.some((pc) => pc.connectionState === 'connected'));

export const button = (page, name) => page.getByRole('button', { name, exact: true });
