// "/new": the form that starts a room. A title, one of the three kinds of
// room, and for a closed room the members it lets in; on success the page
// moves to /room/ID, which enters it.
import { api, ApiError } from './api.js';
import { h } from './ui.js';
import { t } from './i18n.js';
import { fieldRefusal } from './refusals.js';
import { signInFirst, explainIn } from './room-common.js';

const TITLE_MAX = 100;
const HANDLE_RE = /^[a-z0-9_]{3,20}$/;
const KINDS = ['open', 'social', 'closed'];

export async function showStartRoom(ctx) {
  ctx.view.replaceChildren(h('section', { className: 'card loading', 'aria-busy': 'true' },
    h('p', {}, t('common.loading'))));
  try {
    await api('GET', '/api/me');
  } catch (err) {
    if (ctx.stale()) return;
    if (err.status === 401) signInFirst(ctx);
    else renderForm(ctx, err);
    return;
  }
  if (!ctx.stale()) renderForm(ctx, null);
}

function fieldBox(id, label, input, hint) {
  const err = h('p', { id: `${id}-error`, className: 'field-error', 'aria-live': 'polite' });
  input.id = id;
  input.setAttribute('aria-describedby', hint ? `${id}-error ${id}-hint` : `${id}-error`);
  return h('div', { className: 'field' },
    h('label', { htmlFor: id }, label), input, err,
    hint ? h('p', { id: `${id}-hint`, className: 'hint' }, hint) : null);
}

function markField(input, message) {
  const box = input.closest('.field').querySelector('.field-error');
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    box.textContent = message;
  } else {
    input.removeAttribute('aria-invalid');
    box.textContent = '';
  }
}

// "a, @b c" -> ["a", "b", "c"]
function handlesOf(text) {
  return text.split(/[\s,،;]+/).map((s) => s.replace(/^@/, '').trim().toLowerCase()).filter(Boolean);
}

function renderForm(ctx, loadErr, kept = null) {
  document.title = `${t('start.title')} · ${t('app.name')}`;
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const title = h('input', {
    type: 'text', dir: 'auto', maxLength: TITLE_MAX, required: true, autocomplete: 'off', spellcheck: false,
  });
  const allowed = h('textarea', {
    className: 'code', dir: 'ltr', rows: 2, spellcheck: false, autocapitalize: 'none',
  });
  const allowedBox = fieldBox('start-allowed', t('start.allowed'), allowed, t('start.allowed_hint'));
  const kinds = KINDS.map((k, i) => {
    const input = h('input', {
      type: 'radio', name: 'type', value: k, id: `start-type-${k}`, checked: i === 0,
      'aria-describedby': `start-type-${k}-hint`,
    });
    return h('div', { className: 'choice' },
      input,
      h('label', { htmlFor: `start-type-${k}` }, t(`room.type.${k}`),
        h('span', { id: `start-type-${k}-hint`, className: 'hint' }, t(`start.type_hint.${k}`))));
  });
  const submit = h('button', { type: 'submit', className: 'primary big' }, t('start.submit'));
  const form = h('form', { id: 'start-room', noValidate: true, 'aria-labelledby': 'start-title' },
    fieldBox('start-title-input', t('start.field_title'), title, t('start.title_hint', { n: TITLE_MAX })),
    h('fieldset', { className: 'kinds' },
      h('legend', {}, t('start.kind')),
      ...kinds),
    allowedBox,
    h('div', { className: 'buttons' }, submit),
    status);

  if (kept) {
    title.value = kept.title;
    allowed.value = kept.allowed;
    form.elements.type.value = kept.type;
  }
  const paintKind = () => {
    allowedBox.hidden = form.elements.type.value !== 'closed';
  };
  form.addEventListener('change', paintKind);
  paintKind();
  title.addEventListener('input', () => markField(title));
  allowed.addEventListener('input', () => markField(allowed));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    markField(title);
    markField(allowed);
    status.textContent = '';
    const text = title.value.trim();
    const kind = form.elements.type.value;
    const handles = kind === 'closed' ? handlesOf(allowed.value) : [];
    if (!text) markField(title, t('start.err.title_empty'));
    else if ([...text].length > TITLE_MAX) markField(title, t('start.err.title_long', { n: TITLE_MAX }));
    const bad = handles.filter((x) => !HANDLE_RE.test(x));
    if (bad.length) markField(allowed, t('start.err.handles', { handles: bad.join(', ') }));
    else if (handles.length > 50) markField(allowed, t('start.err.too_many_handles', { n: 50 }));
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
      return;
    }
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    status.dataset.state = 'busy';
    status.textContent = t('start.busy');
    try {
      const body = { title: text, type: kind };
      if (handles.length) body.allowed = handles;
      const { room } = await api('POST', '/api/rooms', body);
      if (ctx.stale()) return;
      ctx.navigate(`/room/${encodeURIComponent(room.id)}`);
    } catch (err) {
      if (ctx.stale()) return;
      form.setAttribute('aria-busy', 'false');
      submit.disabled = false;
      status.dataset.state = 'error';
      status.textContent = '';
      await refused(ctx, err, { title, allowed, status, handles });
    }
  });

  const head = h('div', { className: 'view-head' },
    h('h2', { id: 'start-title', tabIndex: -1 }, t('start.title')));
  ctx.onLanguage(() => {
    const keep = { title: title.value, type: form.elements.type.value, allowed: allowed.value };
    renderForm({ ...ctx, focus: false }, loadErr, keep);
  });
  const card = h('section', { className: 'card start' }, head,
    h('p', { className: 'intro' }, t('start.intro')),
    loadErr ? h('p', { className: 'form-status', 'data-state': 'error', role: 'alert' }, explainIn(loadErr)) : null,
    form,
    h('p', { className: 'alt' }, h('a', { href: '/', 'data-nav': true }, t('common.back_home'))));
  ctx.view.replaceChildren(card);
  if (ctx.focus) head.querySelector('h2').focus();
}

async function refused(ctx, err, { title, allowed, status, handles }) {
  switch (err.code) {
    case 'invalid_title':
      // The server says why in English; refusals.js has it in words.
      markField(title, fieldRefusal(err));
      title.focus();
      return;
    case 'invalid_handle':
      markField(allowed, t('start.err.handle_refused'));
      allowed.focus();
      return;
    case 'no_such_member': {
      // Which one: ask about each (a member who is nobody answers 404).
      const missing = [];
      await Promise.all(handles.map((x) => api('GET', `/api/users/${encodeURIComponent(x)}`)
        .catch((e) => { if (e instanceof ApiError && e.status === 404) missing.push(x); })));
      if (ctx.stale()) return;
      markField(allowed, missing.length ? t('start.err.nobody', { handles: missing.join(', ') })
        : t('start.err.nobody_some'));
      allowed.focus();
      return;
    }
    case 'too_many_rooms':
      status.textContent = t('start.err.too_many_rooms');
      return;
    case 'unauthorized':
      signInFirst(ctx);
      return;
    default:
      status.textContent = explainIn(err);
  }
}
