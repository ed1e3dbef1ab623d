// "/settings": the member's own settings, one section each: the
// language, the display name and bio, the passphrase, the sessions signed
// in (this one marked, each with its own "Sign out"), the members they
// blocked, and deleting the account.
import { api, explain } from './api.js';
import { t, tn, lang, shortWhen } from './i18n.js';
import {
  h, say, memberRow, field, fieldError, clearOnInput, passInput, setBusy, loadingCard, keepValues, confirmDialog,
} from './ui.js';
import { me, setMe, forgetMe, setFlash, signInFirst } from './session.js';
import { fieldRefusal, isFieldRefusal } from './refusals.js';

const NAME_MAX = 50;
const BIO_MAX = 160;
const BIO_LINES = 6;
const PASS_MIN = 10;

export async function showSettings(ctx) {
  document.title = `${t('settings.title')} · ${t('app.name')}`;
  ctx.view.replaceChildren(loadingCard());
  let user;
  try {
    user = await me({ fresh: true });
  } catch (err) {
    if (ctx.stale()) return;
    ctx.view.replaceChildren(h('section', { className: 'card problem' },
      h('h2', { tabIndex: -1 }, t('common.load_failed')), h('p', { className: 'msg', role: 'alert' }, explain(err))));
    return;
  }
  if (ctx.stale()) return;
  if (!user) {
    signInFirst(ctx);
    return;
  }
  const state = { user, sessions: null, blocks: null, blocksNext: null, st: {}, deleting: false };
  let root = null;

  // Any call may find the session gone (expired, revoked elsewhere).
  const gone = (err) => {
    if (err.status !== 401) return false;
    signInFirst(ctx, 'session.ended');
    return true;
  };
  const paint = (focusSel) => {
    document.title = `${t('settings.title')} · ${t('app.name')}`;
    const restore = root ? keepValues(root) : null;
    root = h('div', { className: 'settings' },
      h('h2', { id: 'settings-title', className: 'page-title', tabIndex: -1 }, t('settings.title')),
      languageSection(ctx),
      profileSection(ctx, state, { paint, gone }),
      passSection(ctx, state, { paint, gone }),
      sessionsSection(ctx, state, { paint, gone, loadSessions }),
      blocksSection(ctx, state, { paint, gone, loadBlocks }),
      deleteSection(ctx, state, { paint, gone }));
    ctx.view.replaceChildren(root);
    if (restore) restore(root);
    if (focusSel) {
      const el = root.querySelector(focusSel);
      if (el) el.focus();
    }
    return root;
  };

  async function loadSessions() {
    try {
      const r = await api('GET', '/api/me/sessions');
      if (ctx.stale()) return;
      state.sessions = r.sessions;
    } catch (err) {
      if (ctx.stale() || gone(err)) return;
      state.st.sessions = { kind: 'error', err };
    }
    paint();
  }

  async function loadBlocks(append) {
    try {
      const q = append && state.blocksNext ? `?before=${encodeURIComponent(state.blocksNext)}` : '';
      const r = await api('GET', `/api/me/blocks${q}`);
      if (ctx.stale()) return;
      state.blocks = append ? state.blocks.concat(r.users) : r.users;
      state.blocksNext = r.next;
    } catch (err) {
      if (ctx.stale() || gone(err)) return;
      state.st.blocks = { kind: 'error', err };
    }
    paint(append ? '.blocks li:last-child a' : null);
  }

  const first = paint();
  // From the language radios the focus stays on them; from the header's
  // switch it stays there.
  ctx.onLanguage(() => paint(ctx.view.contains(document.activeElement) ? '.lang-choice input:checked' : null));
  if (ctx.focus) first.querySelector('h2').focus();
  loadSessions();
  loadBlocks(false);
}

const statusLine = (st) => {
  const p = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  if (st) say(p, st.kind, st.err ? explain(st.err) : t(st.key, st.vars || {}));
  return p;
};

function section(id, title, ...kids) {
  return h('section', { className: 'card setting', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, tabIndex: -1 }, title), ...kids);
}

// ---- language ----

function languageSection(ctx) {
  const choices = ['ar', 'en'].map((l) => {
    const input = h('input', { type: 'radio', name: 'lang', value: l, id: `lang-${l}`, checked: lang() === l });
    input.addEventListener('change', () => { if (input.checked) ctx.setLanguage(l); });
    return h('div', { className: 'choice lang-choice' }, input,
      h('label', { htmlFor: `lang-${l}` }, h('span', { lang: l, dir: l === 'ar' ? 'rtl' : 'ltr' }, t(`lang.${l}`))));
  });
  return section('set-lang', t('settings.language'),
    h('fieldset', { className: 'kinds' }, h('legend', { className: 'sr' }, t('settings.language')), ...choices),
    h('p', { className: 'hint' }, t('settings.language_hint')));
}

// ---- display name and bio ----

function profileSection(ctx, state, { paint, gone }) {
  const { user } = state;
  const name = h('input', { dir: 'auto', autocomplete: 'nickname', spellcheck: false, required: true, value: user.display_name });
  const bio = h('textarea', { dir: 'auto', rows: 4, spellcheck: true });
  bio.value = user.bio || '';
  const count = h('span', { className: 'count', 'aria-live': 'off' });
  const paintCount = () => {
    const n = [...bio.value.normalize('NFC')].length;
    count.textContent = t('settings.bio_count', { n, max: BIO_MAX });
    count.dataset.over = String(n > BIO_MAX);
  };
  bio.addEventListener('input', paintCount);
  paintCount();
  clearOnInput(name, bio);
  const submit = h('button', { type: 'submit', className: 'primary' }, t('settings.save_profile'));
  const form = h('form', { id: 'profile-form', noValidate: true },
    field('set-name', t('field.name'), name, t('settings.name_rules', { n: NAME_MAX })),
    field('set-bio', t('settings.bio'), bio, t('settings.bio_rules', { n: BIO_MAX, lines: BIO_LINES })),
    h('p', { className: 'hint counter' }, count),
    h('div', { className: 'buttons' }, submit),
    statusLine(state.st.profile));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    fieldError(name);
    fieldError(bio);
    if (!name.value.trim()) fieldError(name, t('field.err.name_empty'));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      bad.focus();
      return;
    }
    const body = {};
    if (name.value !== user.display_name) body.display_name = name.value;
    if (bio.value !== (user.bio || '')) body.bio = bio.value;
    if (!Object.keys(body).length) {
      state.st.profile = { kind: 'ok', key: 'settings.nothing_changed' };
      say(form.querySelector('.form-status'), 'ok', t('settings.nothing_changed'));
      return;
    }
    setBusy(form, true);
    say(form.querySelector('.form-status'), 'busy', t('settings.saving'));
    try {
      const r = await api('PATCH', '/api/me', body);
      if (ctx.stale()) return;
      state.user = r.user;
      setMe(r.user);
      state.st.profile = { kind: 'ok', key: 'settings.profile_saved' };
      // The server tidied the text (spaces, line breaks): show it as kept.
      name.value = r.user.display_name;
      bio.value = r.user.bio || '';
      paint('#set-name');
    } catch (err) {
      if (ctx.stale() || gone(err)) return;
      setBusy(form, false);
      if (isFieldRefusal(err)) {
        const input = err.code === 'invalid_bio' ? bio : name;
        fieldError(input, fieldRefusal(err));
        say(form.querySelector('.form-status'), 'error', t('settings.fix_marked'));
        input.focus();
      } else {
        say(form.querySelector('.form-status'), 'error', explain(err));
      }
    }
  });
  return section('set-profile', t('settings.profile'),
    h('p', { className: 'intro' }, ...tn('settings.profile_intro', {
      link: h('a', { href: `/u/${user.handle}`, 'data-nav': true }, t('settings.your_profile')),
    })),
    form);
}

// ---- passphrase ----

// Password managers look for the account's name beside a passphrase.
const username = (user) => h('input', {
  type: 'text', autocomplete: 'username', value: user.handle, hidden: true, readOnly: true, tabIndex: -1,
});

function passSection(ctx, state, { paint, gone }) {
  const [current, t1, hide1] = passInput('current-password');
  const [next, t2, hide2] = passInput('new-password');
  clearOnInput(current, next);
  const form = h('form', { id: 'pass-form', noValidate: true }, username(state.user),
    field('pass-current', t('settings.pass_current'), current, null, t1),
    field('pass-new', t('settings.pass_new'), next, t('field.pass_hint', { n: PASS_MIN }), t2),
    h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, t('settings.pass_change'))),
    statusLine(state.st.pass));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    fieldError(current);
    fieldError(next);
    if (!current.value) fieldError(current, t('login.err.pass'));
    if ([...next.value].length < PASS_MIN) fieldError(next, t('field.err.pass_short', { n: PASS_MIN }));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      bad.focus();
      return;
    }
    const body = { current: current.value, new: next.value };
    current.value = '';
    next.value = '';
    hide1();
    hide2();
    setBusy(form, true);
    say(form.querySelector('.form-status'), 'busy', t('settings.pass_busy'));
    try {
      await api('POST', '/api/me/passphrase', body);
      body.current = '';
      body.new = '';
      if (ctx.stale()) return;
      state.st.pass = { kind: 'ok', key: 'settings.pass_changed' };
      // Every other session ended with the change.
      if (state.sessions) state.sessions = state.sessions.filter((s) => s.current);
      paint('#pass-current');
    } catch (err) {
      body.current = '';
      body.new = '';
      if (ctx.stale() || gone(err)) return;
      setBusy(form, false);
      const status = form.querySelector('.form-status');
      if (err.code === 'wrong_passphrase') {
        fieldError(current, t('settings.err.wrong_pass'));
        say(status, 'error', t('settings.pass_again'));
        current.focus();
      } else if (err.code === 'weak_passphrase') {
        fieldError(next, fieldRefusal(err));
        say(status, 'error', t('settings.pass_again'));
        next.focus();
      } else {
        say(status, 'error', explain(err));
      }
    }
  });
  return section('set-pass', t('settings.pass'),
    h('p', { className: 'intro' }, t('settings.pass_intro')), form);
}

// ---- sessions ----

function sessionsSection(ctx, state, { paint, gone, loadSessions }) {
  const list = h('ul', { className: 'session-list', 'aria-busy': String(!state.sessions) });
  const others = (state.sessions || []).filter((s) => !s.current);
  // This browser first, then the others as the server sorts them (the
  // most recently used first).
  const sorted = [...(state.sessions || [])].sort((a, b) => Number(b.current) - Number(a.current));
  for (const s of sorted) {
    const id = `session-${s.id}`;
    const b = h('button', { type: 'button', className: s.current ? 'small' : 'small danger', 'aria-describedby': id },
      t('session.sign_out'));
    b.addEventListener('click', () => revoke(ctx, state, [s], b, { paint, gone }));
    list.append(h('li', { className: s.current ? 'session current' : 'session' },
      h('div', { id, className: 'session-about' },
        h('p', { className: 'session-name' }, s.current ? t('session.this_one') : t('session.other')),
        h('p', { className: 'hint' }, t('session.signed_in', { when: shortWhen(s.created_at) })),
        h('p', { className: 'hint' }, t('session.last_used', { when: shortWhen(s.last_seen_at) })),
        h('p', { className: 'hint' }, t('session.ends', { when: shortWhen(s.expires_at) }))),
      b));
  }
  const all = h('button', { type: 'button', className: 'danger', hidden: !others.length }, t('session.sign_out_others'));
  all.addEventListener('click', () => revoke(ctx, state, others, all, { paint, gone }));
  const again = h('button', { type: 'button', className: 'small' }, t('common.retry'));
  again.addEventListener('click', loadSessions);
  return section('set-sessions', t('settings.sessions'),
    h('p', { className: 'intro' }, t('settings.sessions_intro')),
    list,
    h('div', { className: 'buttons' }, all, state.sessions ? null : again),
    statusLine(state.st.sessions));
}

// Signs sessions out one by one (the API ends one per call); this one
// last, since ending it signs the page out.
async function revoke(ctx, state, sessions, button, { paint, gone }) {
  button.disabled = true;
  const order = [...sessions].sort((a, b) => Number(a.current) - Number(b.current));
  let ended = 0;
  for (const s of order) {
    try {
      await api('DELETE', `/api/me/sessions/${encodeURIComponent(s.id)}`);
    } catch (err) {
      if (ctx.stale()) return;
      if (err.status === 404) { ended++; continue; } // ended already
      if (gone(err)) return;
      state.st.sessions = { kind: 'error', err };
      break;
    }
    if (ctx.stale()) return;
    if (s.current) {
      forgetMe();
      setFlash('login.signed_out', { kind: 'ok' });
      ctx.navigate('/login', { replace: true });
      return;
    }
    ended++;
    state.sessions = state.sessions.filter((x) => x.id !== s.id);
  }
  if (ended && !(state.st.sessions && state.st.sessions.kind === 'error')) {
    state.st.sessions = { kind: 'ok', key: 'session.ended_some', vars: { n: ended } };
  }
  paint('#set-sessions-title');
}

// ---- blocked members ----

function blocksSection(ctx, state, { paint, gone, loadBlocks }) {
  const list = h('ul', { className: 'people-list blocks', 'aria-busy': String(!state.blocks) });
  for (const m of state.blocks || []) {
    const b = h('button', { type: 'button', className: 'small' }, t('profile.unblock'));
    // A name read out needs no isolation marks (they are for the eye).
    b.setAttribute('aria-label', t('settings.unblock_named', { name: m.display_name || '' }).replace(/[\u2068\u2069]/g, ''));
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await api('DELETE', `/api/users/${encodeURIComponent(m.handle)}/block`, {});
        if (ctx.stale()) return;
        state.blocks = state.blocks.filter((x) => x.handle !== m.handle);
        state.st.blocks = { kind: 'ok', key: 'profile.unblocked_now', vars: { name: m.display_name } };
      } catch (err) {
        if (ctx.stale() || gone(err)) return;
        state.st.blocks = { kind: 'error', err };
      }
      paint('#set-blocks-title');
    });
    list.append(h('li', { className: 'with-action' }, memberRow(m), b));
  }
  if (state.blocks && !state.blocks.length) list.append(h('li', { className: 'empty' }, t('settings.blocks_none')));
  const more = h('button', { type: 'button', className: 'more-button', hidden: !state.blocksNext }, t('common.more'));
  more.addEventListener('click', () => loadBlocks(true));
  return section('set-blocks', t('settings.blocks'),
    h('p', { className: 'intro' }, t('settings.blocks_intro')), list, more, statusLine(state.st.blocks));
}

// ---- deleting the account ----

function deleteSection(ctx, state, { paint, gone }) {
  const open = h('button', { type: 'button', className: 'danger', 'aria-expanded': String(state.deleting), 'aria-controls': 'delete-form' },
    t('settings.delete'));
  open.addEventListener('click', () => {
    state.deleting = !state.deleting;
    paint(state.deleting ? '#delete-pass' : '#set-delete .danger');
  });
  const kids = [h('p', { className: 'intro' }, t('settings.delete_intro')), h('div', { className: 'buttons' }, open)];
  if (state.deleting) kids.push(deleteForm(ctx, state, { gone }));
  return section('set-delete', t('settings.delete_title'), ...kids);
}

function deleteForm(ctx, state, { gone }) {
  const { user } = state;
  const [pass, toggle, hide] = passInput('current-password');
  clearOnInput(pass);
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { id: 'delete-form', className: 'danger-zone', noValidate: true }, username(user),
    h('p', {}, t('settings.delete_goes')),
    h('p', {}, ...tn('settings.delete_stays', { handle: h('bdi', { dir: 'ltr' }, `@${user.handle}`) })),
    h('p', {}, t('settings.delete_backups')),
    field('delete-pass', t('settings.delete_pass'), pass, null, toggle),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', className: 'primary danger' }, t('settings.delete_confirm'))),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    fieldError(pass);
    if (!pass.value) {
      fieldError(pass, t('login.err.pass'));
      pass.focus();
      return;
    }
    const sure = await confirmDialog({
      title: t('settings.delete_sure'), body: [t('settings.delete_sure_hint')], yes: t('settings.delete_confirm'),
    });
    if (!sure || ctx.stale()) return;
    const body = { passphrase: pass.value };
    pass.value = '';
    hide();
    setBusy(form, true);
    say(status, 'busy', t('settings.deleting'));
    try {
      await api('DELETE', '/api/me', body);
      body.passphrase = '';
      if (ctx.stale()) return;
      forgetMe();
      setFlash('settings.deleted', { kind: 'ok' });
      ctx.navigate('/login', { replace: true });
    } catch (err) {
      body.passphrase = '';
      if (ctx.stale() || gone(err)) return;
      setBusy(form, false);
      if (err.code === 'wrong_passphrase') fieldError(pass, t('settings.err.wrong_pass'));
      else say(status, 'error', explain(err));
      pass.focus();
    }
  });
  return form;
}
