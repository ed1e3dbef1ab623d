// Helpers for the bot tests: running `majlis bot`, and reading what a
// recording holds (a WAV's samples, its loudest frequency by a Goertzel
// scan), so the tests check the audio itself, not just that bytes arrived.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from '../browser/lib.mjs';

// Starts `majlis bot ARGS`; resolves {code, stdout, stderr} when it exits.
export function bot(args, opts = {}) {
  const proc = spawn(BIN, ['bot', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { proc, done, stderr: () => stderr };
}

// Resolves once `majlis bot` has printed `pattern` on stderr.
export async function botSays(b, pattern, timeout = 20000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (pattern.test(b.stderr())) return;
    if (b.proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bot did not say ${pattern}: ${b.stderr()}`);
}

// The samples of a 16-bit PCM WAV as floats (first channel), and its rate.
export function readWav(path) {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path} is not a WAV file`);
  }
  let off = 12;
  let fmt = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      fmt = { channels: buf.readUInt16LE(off + 10), rate: buf.readUInt32LE(off + 12), bits: buf.readUInt16LE(off + 22) };
    } else if (id === 'data') {
      if (!fmt || fmt.bits !== 16) throw new Error('expected 16-bit PCM');
      const frames = Math.floor(Math.min(size, buf.length - off - 8) / (2 * fmt.channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(off + 8 + i * 2 * fmt.channels) / 32768;
      return { ...fmt, samples, declared: size };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

function power(x, rate, f) {
  const c = 2 * Math.cos((2 * Math.PI * f) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

// The loudest frequency (1 Hz steps, lo..hi) of x, Hann-windowed, and the
// RMS level in dBFS.
export function analyze(x, rate, lo = 50, hi = 2000) {
  const w = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    w[i] = x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (x.length - 1)));
    sum += x[i] * x[i];
  }
  let best = lo;
  let bestP = -1;
  for (let f = lo; f <= hi; f += 1) {
    const p = power(w, rate, f);
    if (p > bestP) { bestP = p; best = f; }
  }
  return { freq: best, db: 10 * Math.log10(sum / x.length + 1e-20) };
}

// Analyzes the middle half second of a recording.
export function dominant(path) {
  const { samples, rate } = readWav(path);
  const n = Math.min(samples.length, rate / 2);
  const from = Math.floor((samples.length - n) / 2);
  return { ...analyze(samples.subarray(from, from + n), rate), seconds: samples.length / rate };
}
