// "/schedule": announcing a room for later. A title, one of the three
// kinds of room (as in "Start a room"), and when it starts, entered in the
// reader's own time zone (named beside the field) and sent as unix
// seconds (docs/api.md, "Scheduled rooms"). Then back to the hallway,
// where it shows under "Upcoming" for the member and the people who
// follow them.
import { api } from './api.js';
import { t, when, fromNow, zoneName } from './i18n.js';
import { h, say, field, fieldError, clearOnInput, loadingCard, setBusy, keepValues } from './ui.js';
import { requireMe, signInFirst, setFlash } from './session.js';
import { fieldRefusal } from './refusals.js';
import { explainIn } from './room-common.js';

const TITLE_MAX = 100;
const DAYS_AHEAD = 90;
const KINDS = ['open', 'social', 'closed'];

// A moment as an <input type="datetime-local"> holds it: the reader's
// own wall clock, to the minute.
function localValue(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// The next full hour from now, on the reader's clock.
function nextHour(now = new Date()) {
  const d = new Date(now);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d;
}

// "2025-06-05T21:00" read as the reader's local time (a date-time without
// an offset is local to JavaScript), as unix seconds; NaN if it is not one.
function unixOf(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return NaN;
  return Math.floor(new Date(value).getTime() / 1000);
}

export async function showSchedule(ctx) {
  document.title = `${t('schedule.title')} · ${t('app.name')}`;
  ctx.view.replaceChildren(loadingCard());
  let loadErr = null;
  try {
    if (!(await requireMe(ctx))) return;
  } catch (err) {
    loadErr = err;
  }
  if (ctx.stale()) return;
  let root = null;
  const paint = (focus) => {
    const restore = root ? keepValues(root) : null;
    root = form(ctx, loadErr);
    ctx.view.replaceChildren(root);
    if (restore) restore(root);
    root.querySelector('#schedule-at').dispatchEvent(new Event('input'));
    if (focus) root.querySelector('h2').focus();
  };
  paint(ctx.focus);
  ctx.onLanguage(() => paint(false));
}

function form(ctx, loadErr) {
  document.title = `${t('schedule.title')} · ${t('app.name')}`;
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const title = h('input', {
    type: 'text', dir: 'auto', maxLength: TITLE_MAX, required: true, autocomplete: 'off', spellcheck: false,
  });
  const now = new Date();
  const at = h('input', {
    type: 'datetime-local', required: true, step: 60, value: localValue(nextHour(now)),
    min: localValue(now), max: localValue(new Date(now.getTime() + DAYS_AHEAD * 86400000)),
  });
  const zone = zoneName();
  // The identifier in its own direction, the space between outside it.
  const zoneLine = h('span', { className: 'zone', id: 'schedule-at-zone' },
    t('schedule.zone'), ' ', zone.name ? h('span', { className: 'zone-name' }, zone.name) : null,
    zone.name && zone.id ? ' ' : null,
    zone.id ? h('bdi', { className: 'zone-id', dir: 'ltr' }, zone.name ? `(${zone.id})` : zone.id) : null);
  // The chosen moment read back in the reader's language (the browser's
  // own picker may speak another), and how far off it is.
  const reads = h('p', { className: 'when-read', id: 'schedule-at-reads', 'aria-live': 'polite' });
  const readBack = () => {
    const unix = unixOf(at.value);
    reads.textContent = Number.isFinite(unix) ? t('schedule.reads', { when: when(unix), rel: fromNow(unix) }) : '';
  };
  at.addEventListener('input', readBack);
  const atField = field('schedule-at', t('schedule.when'), at, t('schedule.when_hint', { n: DAYS_AHEAD }));
  // The time zone beside the field, and read out with it.
  const row = h('div', { className: 'when-row' });
  at.replaceWith(row);
  row.append(at, zoneLine);
  row.after(reads);
  at.setAttribute('aria-describedby', `${at.getAttribute('aria-describedby')} schedule-at-zone`);

  const kinds = KINDS.map((k, i) => {
    const input = h('input', {
      type: 'radio', name: 'type', value: k, id: `schedule-type-${k}`, checked: i === 0,
      'aria-describedby': `schedule-type-${k}-hint`,
    });
    return h('div', { className: 'choice' },
      input,
      h('label', { htmlFor: `schedule-type-${k}` }, t(`room.type.${k}`),
        h('span', { id: `schedule-type-${k}-hint`, className: 'hint' }, t(`schedule.type_hint.${k}`))));
  });
  const submit = h('button', { type: 'submit', className: 'primary big' }, t('schedule.submit'));
  const f = h('form', { id: 'schedule-room', noValidate: true, 'aria-labelledby': 'schedule-title' },
    field('schedule-title-input', t('start.field_title'), title, t('start.title_hint', { n: TITLE_MAX })),
    atField,
    h('fieldset', { className: 'kinds' }, h('legend', {}, t('start.kind')), ...kinds),
    h('div', { className: 'buttons' }, submit),
    status);
  clearOnInput(title, at);
  at.addEventListener('change', () => fieldError(at));

  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (f.getAttribute('aria-busy') === 'true') return;
    fieldError(title);
    fieldError(at);
    say(status, '');
    const text = title.value.trim();
    const starts = unixOf(at.value);
    const nowS = Date.now() / 1000;
    if (!text) fieldError(title, t('start.err.title_empty'));
    else if ([...text].length > TITLE_MAX) fieldError(title, t('start.err.title_long', { n: TITLE_MAX }));
    if (!Number.isFinite(starts)) fieldError(at, t('schedule.err.no_time'));
    else if (starts < nowS - 60) fieldError(at, t('schedule.err.past'));
    else if (starts > nowS + DAYS_AHEAD * 86400) fieldError(at, t('schedule.err.too_far', { n: DAYS_AHEAD }));
    const invalid = f.querySelector('[aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
      return;
    }
    setBusy(f, true);
    say(status, 'busy', t('schedule.busy'));
    try {
      await api('POST', '/api/schedules', { title: text, type: f.elements.type.value, starts_at: starts });
      if (ctx.stale()) return;
      setFlash('schedule.done');
      ctx.navigate('/');
    } catch (err) {
      if (ctx.stale()) return;
      setBusy(f, false);
      say(status, '');
      refused(ctx, err, { title, at, status });
    }
  });

  const head = h('div', { className: 'view-head' }, h('h2', { id: 'schedule-title', tabIndex: -1 }, t('schedule.title')));
  return h('section', { className: 'card start schedule' }, head,
    h('p', { className: 'intro' }, t('schedule.intro')),
    loadErr ? h('p', { className: 'form-status', 'data-state': 'error', role: 'alert' }, explainIn(loadErr)) : null,
    f,
    h('p', { className: 'alt' }, h('a', { href: '/', 'data-nav': true }, t('schedule.back'))));
}

function refused(ctx, err, { title, at, status }) {
  switch (err.code) {
    case 'invalid_title':
      fieldError(title, fieldRefusal(err));
      title.focus();
      return;
    case 'bad_time':
      fieldError(at, t('schedule.err.bad_time', { n: DAYS_AHEAD }));
      at.focus();
      return;
    case 'too_many_schedules':
      say(status, 'error', t('schedule.err.too_many'));
      return;
    case 'unauthorized':
      signInFirst(ctx, 'session.ended');
      return;
    default:
      say(status, 'error', explainIn(err));
  }
}
