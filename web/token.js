// "/token": speak into a room or listen to it with a room token, as a bot
// does, with level meters: an operator's tool. Room and token can come in
// the URL fragment (#room=…&token=…&mode=…&raw=1), which browsers never
// send to the server.
import { publish, listen } from './whip.js';
import { t } from './i18n.js';
import { h } from './ui.js';

// For diagnostics in the browser console (and the browser tests).
const state = { session: null, audio: null, meters: [], raf: 0 };
window.majlis = state;

export function showToken(ctx) {
  document.title = `${t('token.title')} · ${t('app.name')}`;
  const room = h('input', {
    className: 'code', dir: 'ltr', spellcheck: false, required: true, pattern: '[A-Za-z0-9_\\-]{1,64}',
    placeholder: 'abc123def456', autocomplete: 'off',
  });
  const token = h('input', { className: 'code', dir: 'ltr', spellcheck: false, required: true, placeholder: 'mj1.…', autocomplete: 'off' });
  room.id = 'room';
  token.id = 'token';
  const raw = h('input', { type: 'checkbox', id: 'raw' });
  const speakB = h('button', { type: 'button', id: 'speak', className: 'primary' }, t('token.speak'));
  const listenB = h('button', { type: 'button', id: 'listen' }, t('token.listen'));
  const leaveB = h('button', { type: 'button', id: 'leave', disabled: true }, t('token.leave'));
  const status = h('p', { id: 'status', className: 'status', 'data-state': 'idle' }, t('token.idle'));
  const meters = h('div', { id: 'meters', className: 'meters' });
  const section = h('section', { id: 'demo', className: 'demo', 'aria-labelledby': 'demo-title' },
    h('h2', { id: 'demo-title', tabIndex: -1 }, t('token.title')),
    h('p', { className: 'sub' }, t('token.intro')),
    h('form', { id: 'join', className: 'card', autocomplete: 'off' },
      h('label', { htmlFor: 'room' }, t('token.room')), room,
      h('label', { htmlFor: 'token' }, t('token.token')), token,
      h('label', { className: 'check', htmlFor: 'raw' }, raw, h('span', {}, t('token.raw'))),
      h('div', { className: 'buttons' }, speakB, listenB, leaveB)),
    h('section', { className: 'card', 'aria-live': 'polite' }, status, meters),
    h('p', { className: 'note' }, t('token.note')));

  const setStatus = (kind, text) => {
    status.dataset.state = kind;
    status.textContent = text;
  };
  const busy = (on) => {
    speakB.disabled = on;
    listenB.disabled = on;
    leaveB.disabled = !on;
  };
  const inputs = () => {
    const v = { room: room.value.trim(), token: token.value.trim() };
    if (v.room && v.token) return v;
    setStatus('error', t('token.missing'));
    return null;
  };
  const watch = (session) => {
    const show = () => {
      const s = session.pc.connectionState;
      if (s === 'connected') setStatus('live', t('token.connected'));
      else if (s === 'failed') setStatus('error', t('token.failed'));
      else setStatus('idle', t('token.connecting'));
    };
    session.pc.addEventListener('connectionstatechange', show);
    show(); // it may have connected already (whip.js waits when it relays)
  };

  speakB.addEventListener('click', async () => {
    const v = inputs();
    if (!v) return;
    busy(true);
    try {
      setStatus('idle', t('token.asking_mic'));
      // Speech wants echo cancellation and noise suppression; music and
      // test tones are damaged by them.
      const processing = !raw.checked;
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing },
      });
      state.session = await publish(location.origin, v.room, v.token, stream);
      state.session.stream = stream;
      addMeter(meters, t('token.you'), stream);
      watch(state.session);
    } catch (e) {
      busy(false);
      setStatus('error', t('token.publish_failed', { why: e.message }));
    }
  });

  listenB.addEventListener('click', async () => {
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
        addMeter(meters, t('token.slot', { n: i + 1 }), stream);
      });
      watch(state.session);
    } catch (e) {
      busy(false);
      setStatus('error', t('token.listen_failed', { why: e.message }));
    }
  });

  const leave = async () => {
    const s = state.session;
    state.session = null;
    if (s) {
      if (s.stream) s.stream.getTracks().forEach((tr) => tr.stop());
      await s.close().catch(() => {});
    }
    state.meters = [];
    meters.replaceChildren();
  };
  leaveB.addEventListener('click', async () => {
    await leave();
    busy(false);
    setStatus('idle', t('token.left'));
  });

  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get('room')) room.value = p.get('room');
  if (p.get('token')) token.value = p.get('token');
  if (p.get('raw') === '1') raw.checked = true;
  if (p.get('mode') === 'listen') {
    listenB.classList.add('primary');
    speakB.classList.remove('primary');
  }

  // The language changes while connected: only the words change.
  ctx.onLanguage(() => {
    section.querySelector('h2').textContent = t('token.title');
    section.querySelector('.sub').textContent = t('token.intro');
    section.querySelector('label[for="room"]').textContent = t('token.room');
    section.querySelector('label[for="token"]').textContent = t('token.token');
    section.querySelector('label.check span').textContent = t('token.raw');
    speakB.textContent = t('token.speak');
    listenB.textContent = t('token.listen');
    leaveB.textContent = t('token.leave');
    section.querySelector('.note').textContent = t('token.note');
    document.title = `${t('token.title')} · ${t('app.name')}`;
  });
  const onHide = () => { if (state.session) state.session.close(); };
  window.addEventListener('pagehide', onHide);
  ctx.view.replaceChildren(section);
  if (ctx.focus) section.querySelector('h2').focus();
  return () => {
    window.removeEventListener('pagehide', onHide);
    leave();
  };
}

function addMeter(box, label, stream) {
  if (!state.audio) state.audio = new AudioContext();
  const analyser = state.audio.createAnalyser();
  analyser.fftSize = 2048;
  state.audio.createMediaStreamSource(stream).connect(analyser);
  const fill = h('div', { className: 'fill' });
  box.append(h('div', { className: 'meter' }, h('span', {}, label), h('div', { className: 'bar' }, fill)));
  state.meters.push({ analyser, fill, data: new Float32Array(analyser.fftSize) });
  if (!state.raf) state.raf = requestAnimationFrame(drawMeters);
}

function drawMeters() {
  for (const m of state.meters) {
    m.analyser.getFloatTimeDomainData(m.data);
    let sum = 0;
    for (const v of m.data) sum += v * v;
    const db = 20 * Math.log10(Math.sqrt(sum / m.data.length) + 1e-9);
    m.fill.style.width = `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;
  }
  state.raf = requestAnimationFrame(drawMeters);
}
