// The try-it page: speak into a room or listen to it, with level meters.
// Room and token can come in the URL fragment (#room=…&token=…&mode=…),
// which browsers never send to the server.
import { publish, listen } from './whip.js';

const $ = (id) => document.getElementById(id);
const state = { session: null, audio: null, meters: [], raf: 0 };
// For diagnostics in the browser console (and the browser tests).
window.majlis = state;

function setStatus(kind, ar, en) {
  const el = $('status');
  el.dataset.state = kind;
  el.replaceChildren();
  const a = document.createElement('span');
  a.lang = 'ar';
  a.textContent = ar;
  const b = document.createElement('span');
  b.className = 'en';
  b.lang = 'en';
  b.dir = 'ltr';
  b.textContent = en;
  el.append(a, b);
}

function addMeter(label, stream) {
  if (!state.audio) state.audio = new AudioContext();
  const ctx = state.audio;
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const row = document.createElement('div');
  row.className = 'meter';
  const name = document.createElement('span');
  name.textContent = label;
  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('div');
  fill.className = 'fill';
  bar.append(fill);
  row.append(name, bar);
  $('meters').append(row);
  state.meters.push({ analyser, fill, data: new Float32Array(analyser.fftSize) });
  if (!state.raf) state.raf = requestAnimationFrame(drawMeters);
}

function drawMeters() {
  for (const m of state.meters) {
    m.analyser.getFloatTimeDomainData(m.data);
    let sum = 0;
    for (const v of m.data) sum += v * v;
    const rms = Math.sqrt(sum / m.data.length);
    const db = 20 * Math.log10(rms + 1e-9);
    const pct = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
    m.fill.style.width = `${pct}%`;
  }
  state.raf = requestAnimationFrame(drawMeters);
}

function inputs() {
  const room = $('room').value.trim();
  const token = $('token').value.trim();
  if (!room || !token) {
    setStatus('error', 'أدخل رقم الغرفة والرمز.', 'Enter the room id and the token.');
    return null;
  }
  return { room, token };
}

function busy(on) {
  $('speak').disabled = on;
  $('listen').disabled = on;
  $('leave').disabled = !on;
}

function watch(session) {
  session.pc.addEventListener('connectionstatechange', () => {
    const s = session.pc.connectionState;
    if (s === 'connected') setStatus('live', 'متصل.', 'Connected.');
    if (s === 'failed') setStatus('error', 'انقطع الاتصال.', 'The connection failed.');
  });
}

async function speak() {
  const v = inputs();
  if (!v) return;
  busy(true);
  try {
    setStatus('idle', 'نطلب الميكروفون…', 'Asking for the microphone…');
    // Speech wants echo cancellation and noise suppression; music and
    // test tones are damaged by them.
    const processing = !$('raw').checked;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing,
      },
    });
    state.session = await publish(location.origin, v.room, v.token, stream);
    state.session.stream = stream;
    watch(state.session);
    addMeter('أنت · you', stream);
    setStatus('idle', 'نتصل…', 'Connecting…');
  } catch (e) {
    busy(false);
    setStatus('error', `تعذّر النشر: ${e.message}`, `Could not publish: ${e.message}`);
  }
}

async function doListen() {
  const v = inputs();
  if (!v) return;
  busy(true);
  try {
    state.session = await listen(location.origin, v.room, v.token, 3, (stream, i) => {
      // Chromium decodes a remote track only when something plays it.
      const el = new Audio();
      el.autoplay = true;
      el.srcObject = stream;
      el.play().catch(() => {});
      addMeter(`مقعد ${i + 1} · slot ${i + 1}`, stream);
    });
    watch(state.session);
    setStatus('idle', 'نتصل…', 'Connecting…');
  } catch (e) {
    busy(false);
    setStatus('error', `تعذّر الاستماع: ${e.message}`, `Could not listen: ${e.message}`);
  }
}

async function leave() {
  const s = state.session;
  state.session = null;
  if (s) {
    if (s.stream) s.stream.getTracks().forEach((t) => t.stop());
    await s.close().catch(() => {});
  }
  state.meters = [];
  $('meters').replaceChildren();
  busy(false);
  setStatus('idle', 'غادرت الغرفة.', 'You left the room.');
}

function fromFragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get('room')) $('room').value = p.get('room');
  if (p.get('token')) $('token').value = p.get('token');
  if (p.get('raw') === '1') $('raw').checked = true;
  const mode = p.get('mode');
  if (mode === 'speak') $('speak').classList.add('primary');
  if (mode === 'listen') {
    $('listen').classList.add('primary');
    $('speak').classList.remove('primary');
  }
}

$('speak').addEventListener('click', speak);
$('listen').addEventListener('click', doListen);
$('leave').addEventListener('click', leave);
window.addEventListener('pagehide', () => { if (state.session) state.session.close(); });
fromFragment();
