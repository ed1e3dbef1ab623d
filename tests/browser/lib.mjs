// Shared helpers for the browser tests: the one server starter of every
// Node test (../lib/server.mjs), room and token commands, tones from sox,
// and Debian's Chromium and Firefox started with the flags that keep them
// off every network but loopback. Tests run inside a private network
// namespace (scripts/netns-run).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { majlis } from '../lib/server.mjs';

export {
  BIN, sleep, tempDir, cleanup, freePort, waitFor, majlis, runCli, startServer,
} from '../lib/server.mjs';

export const CHROMIUM = process.env.MAJLIS_CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.MAJLIS_FIREFOX || '/usr/bin/firefox-esr';

export function createRoom(data, title = 'Test room') {
  return majlis(['room', 'create', '--data', data, title]);
}

export function token(data, room, role, ttl) {
  const args = ['token', '--data', data, '--room', room, '--role', role];
  if (ttl) args.push('--ttl', String(ttl));
  return majlis(args);
}

// A sine tone WAV for Chromium's fake microphone.
export function tone(dir, freq, seconds = 30) {
  const path = join(dir, `tone${freq}.wav`);
  if (!existsSync(path)) {
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', path,
      'synth', String(seconds), 'sine', String(freq), 'vol', '0.5']);
  }
  return path;
}

// Chromium with the flags from our browser-testing notes: headless, no
// background networking, every host name unresolvable but localhost, and
// WebRTC allowed on loopback. audioFile feeds the fake microphone; args
// come after ours (a later --host-resolver-rules wins), and
// executablePath may be a wrapper that starts Chromium elsewhere (in a
// network namespace). origin: a server on another address (a test's own
// network namespace), which is then reachable and treated as a secure
// context.
export async function launch({ audioFile, args: extra = [], executablePath = CHROMIUM, origin } = {}) {
  const also = origin ? ` , EXCLUDE ${new URL(origin).hostname}` : '';
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1${also}`,
    '--allow-loopback-in-peer-connection',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (audioFile) args.push(`--use-file-for-fake-audio-capture=${audioFile}`);
  if (origin) args.push(`--unsafely-treat-insecure-origin-as-secure=${origin}`);
  args.push(...extra);
  return chromium.launch({ executablePath, headless: true, args });
}

// Firefox gathers no ICE candidate at all in a namespace that has only
// loopback, and never pairs its own candidates with a loopback one. Like
// a real machine, the test's namespace gets an interface with an address
// and a default route: a veth pair whose other end is in the same
// namespace, so nothing leaves it. Returns the address.
export const FIREFOX_NET = '10.99.0.1';
export function addMachineAddress() {
  const have = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
  if (have.includes(` ${FIREFOX_NET}/`)) return FIREFOX_NET;
  for (const cmd of [
    'ip link add mj0 type veth peer name mj1', `ip addr add ${FIREFOX_NET}/24 dev mj0`,
    'ip link set mj0 up', 'ip link set mj1 up', 'ip route add default via 10.99.0.2 dev mj0',
  ]) execFileSync('sh', ['-c', cmd]);
  return FIREFOX_NET;
}

// Debian's Firefox ESR over WebDriver BiDi (puppeteer-core; it never
// downloads a browser), headless, a fresh profile, a fake microphone
// (Firefox's own 1 kHz tone) granted without asking, and every background
// service that would call out turned off. autoplay: false keeps Firefox's
// own rule (no audible autoplay before a tap). Its pages have the same
// goto/evaluate/click as Playwright's for what the tests use.
export async function launchFirefox({ autoplay = true } = {}) {
  const off = [
    'app.update.enabled', 'browser.safebrowsing.malware.enabled',
    'browser.safebrowsing.phishing.enabled', 'browser.safebrowsing.downloads.enabled',
    'network.captive-portal-service.enabled', 'network.connectivity-service.enabled',
    'extensions.update.enabled', 'datareporting.healthreport.uploadEnabled',
    'toolkit.telemetry.enabled', 'media.gmp-manager.updateEnabled', 'network.prefetch-next',
    'browser.search.update', 'network.dns.disablePrefetch',
  ];
  const prefs = Object.fromEntries(off.map((k) => [k, k === 'network.dns.disablePrefetch']));
  Object.assign(prefs, {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'network.trr.mode': 5,
    'browser.region.network.url': '',
    'media.gmp-manager.url': '',
  });
  if (autoplay) prefs['media.autoplay.default'] = 0;
  return puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: prefs,
  });
}

// In-page helpers, evaluated in the browser.

// Total RTP packets received on every inbound audio stream of pc.
export const inboundPackets = async () => {
  const s = window.majlis.session;
  if (!s) return -1;
  const stats = await s.pc.getStats();
  let n = 0;
  stats.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived; });
  return n;
};

// Each inbound audio stream's receive statistics and what the server's
// RTCP sender reports said about it (its remote-outbound-rtp), with the
// page's clock when they were read.
export const rtcpStats = async () => {
  const s = window.majlis.session;
  if (!s) return null;
  const stats = await s.pc.getStats();
  const inbound = [];
  const remote = {};
  stats.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      inbound.push({
        ssrc: r.ssrc, packetsReceived: r.packetsReceived, packetsLost: r.packetsLost,
        jitter: r.jitter,
      });
    } else if (r.type === 'remote-outbound-rtp' && r.kind === 'audio') {
      remote[r.ssrc] = {
        packetsSent: r.packetsSent, bytesSent: r.bytesSent, reportsSent: r.reportsSent,
        remoteTimestamp: r.remoteTimestamp,
      };
    }
  });
  return { now: Date.now(), inbound, remote };
};

// The loudest frequency of each receiver's track, with its level in dB.
export const receiverPeaks = async () => {
  const s = window.majlis.session;
  const ctx = new AudioContext();
  await ctx.resume();
  const taps = s.pc.getReceivers().map((r) => {
    const src = ctx.createMediaStreamSource(new MediaStream([r.track]));
    const an = ctx.createAnalyser();
    an.fftSize = 8192;
    an.smoothingTimeConstant = 0;
    src.connect(an);
    return an;
  });
  await new Promise((r) => setTimeout(r, 1500));
  const out = taps.map((an) => {
    const bins = new Float32Array(an.frequencyBinCount);
    an.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return { freq: (best * ctx.sampleRate) / an.fftSize, db: bins[best] };
  });
  await ctx.close();
  return out;
};
