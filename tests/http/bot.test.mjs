// majlis bot against a real server: a bot speaks a 44.1 kHz stereo WAV
// (resampling and downmixing), two bots record it to WAV and Ogg Opus, and
// the recordings carry 440 Hz; the Ogg recording is spoken back in and
// recorded again; Ctrl-C ends a bot with a DELETE; and every failure a
// user can meet has a clear message and a non-zero exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, createRoom, token, tempDir, cleanup, freePort, waitFor, BIN } from '../browser/lib.mjs';
import { bot, botSays, dominant } from './bot_audio.mjs';

let server;
let dir;
let room;
let speak;
let hear;

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
  room = createRoom(server.data, 'Bots');
  speak = token(server.data, room, 'speaker');
  hear = token(server.data, room, 'listener');
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', join(dir, 'tone.wav'),
    'synth', '6', 'sine', '440']);
});

after(async () => {
  if (server) await server.stopCleanly();
  cleanup(dir);
});

const common = () => ['--url', server.url, '--room', room];

const sessions = () => server.metric('majlis_media_sessions');

function probe(path) {
  return JSON.parse(execFileSync(BIN, ['bot', 'probe', path], { encoding: 'utf8' }));
}

test('a bot speaks a WAV; bots record it to WAV and Ogg; Ctrl-C leaves with a DELETE', async () => {
  const speaker = bot(['speak', ...common(), '--token', speak, '--loop', join(dir, 'tone.wav')]);
  await botSays(speaker, /connected; speaking/);
  const wav = join(dir, 'rec.wav');
  const ogg = join(dir, 'rec.ogg');
  const r1 = bot(['record', ...common(), '--token', hear, '--out', wav, '--seconds', '3']);
  const r2 = bot(['record', ...common(), '--token', hear, '--out', ogg, '--seconds', '3']);
  const [d1, d2] = await Promise.all([r1.done, r2.done]);
  assert.equal(d1.code, 0, d1.stderr);
  assert.equal(d2.code, 0, d2.stderr);
  assert.match(d1.stderr, /wrote 3\.00 s/);
  assert.match(d1.stderr, /\d+ packets; 0 lost/);

  const w = dominant(wav);
  assert.ok(Math.abs(w.freq - 440) <= 10, `WAV recording peaks at ${w.freq} Hz`);
  assert.ok(w.db > -30, `WAV recording is too quiet (${w.db} dB)`);
  assert.ok(Math.abs(w.seconds - 3) < 0.05, `WAV holds ${w.seconds} s`);
  const o = probe(ogg);
  assert.equal(o.format, 'Ogg Opus');
  assert.ok(Math.abs(o.peak_hz - 440) <= 10, `Ogg recording peaks at ${o.peak_hz} Hz`);
  assert.ok(Math.abs(o.seconds - 3) < 0.1, `Ogg holds ${o.seconds} s`);

  // Ctrl-C: the bot DELETEs its session and exits 0; the server has none left.
  speaker.proc.kill('SIGINT');
  const ds = await speaker.done;
  assert.equal(ds.code, 0, ds.stderr);
  assert.match(ds.stderr, /stopping/);
  await waitFor(async () => (await sessions()) === 0, { what: 'no sessions left' });

  // The Ogg recording, spoken back in and recorded again, is still 440 Hz.
  const again = bot(['speak', ...common(), '--token', speak, '--loop', ogg]);
  await botSays(again, /connected; speaking/);
  const wav2 = join(dir, 'rec2.wav');
  const r3 = await bot(['record', ...common(), '--token', hear, '--out', wav2, '--seconds', '2']).done;
  assert.equal(r3.code, 0, r3.stderr);
  again.proc.kill('SIGTERM');
  assert.equal((await again.done).code, 0);
  const w2 = dominant(wav2);
  assert.ok(Math.abs(w2.freq - 440) <= 10, `re-recording peaks at ${w2.freq} Hz`);
});

// Where UDP is blocked: both bots over the server's ICE-TCP candidate
// (--tcp); the recording still carries the tone, and the server counts
// the two TCP connections it accepted.
test('bots speak and record over ICE-TCP', async () => {
  const before = await server.metric('majlis_media_tcp_accepted_total');
  const speaker = bot(['speak', ...common(), '--token', speak, '--loop', '--tcp', join(dir, 'tone.wav')]);
  await botSays(speaker, /connected; speaking/);
  const wav = join(dir, 'rec-tcp.wav');
  const r = await bot(['record', ...common(), '--token', hear, '--tcp', '--out', wav, '--seconds', '2']).done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\d+ packets; 0 lost/);
  const w = dominant(wav);
  assert.ok(Math.abs(w.freq - 440) <= 10, `TCP recording peaks at ${w.freq} Hz`);
  assert.ok(w.db > -30, `TCP recording is too quiet (${w.db} dB)`);
  assert.ok((await server.metric('majlis_media_tcp_accepted_total')) >= before + 2, 'two ICE-TCP connections');
  speaker.proc.kill('SIGINT');
  assert.equal((await speaker.done).code, 0);
  await waitFor(async () => (await sessions()) === 0, { what: 'no sessions left' });
});

test('clear errors: unreachable server, refused tokens, unreadable and undecodable files', async () => {
  const tone = join(dir, 'tone.wav');
  const port = await freePort();
  let r = await bot(['speak', '--url', `http://127.0.0.1:${port}`, '--room', room, '--token', speak, tone]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot connect to http:\/\/127\.0\.0\.1:\d+\/whip\/\w+.*is majlis serve running there\?/);

  r = await bot(['speak', ...common(), '--token', `${speak.slice(0, -4)}AAAA`, tone]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the server refused the token \(401 unauthorized/);

  r = await bot(['speak', ...common(), '--token', hear, tone]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /403 forbidden: a listener token cannot publish/);

  r = await bot(['record', ...common(), '--token', 'garbage', '--out', join(dir, 'x.wav'), '--seconds', '1']).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused the token/);

  r = await bot(['speak', ...common(), '--token', speak, join(dir, 'missing.wav')]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot open .*missing\.wav: No such file or directory/);

  const junk = join(dir, 'junk.wav');
  writeFileSync(junk, 'RIFF\x10\x00\x00\x00WAVEfmt \x02\x00');
  r = await bot(['speak', ...common(), '--token', speak, junk]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /junk\.wav is not a WAV file we can play/);

  const text = join(dir, 'notes.ogg');
  writeFileSync(text, 'hello, this is text');
  r = await bot(['speak', ...common(), '--token', speak, text]).done;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /neither a WAV nor an Ogg Opus file/);

  r = await bot(['record', ...common(), '--token', hear, '--out', join(dir, 'x.mp3')]).done;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out must end in \.wav, \.ogg or \.opus/);

  r = await bot(['speak', ...common(), tone], { env: { ...process.env, MAJLIS_TOKEN: '' } }).done;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--token is required/);
  assert.equal(await sessions(), 0, 'failed bots leave no sessions behind');
});
