// "/invites": the member's invite links. Making one (how many people it
// is for and for how many days, within the quota the server states),
// copying it while it is shown (once: the server keeps only a hash of the
// code), each link's state and who joined through it, and withdrawing a
// link that is still open.
import { api, explain } from './api.js';
import { t, tn, day } from './i18n.js';
import { h, say, memberLink, field, fieldError, loadingCard, keepValues, copyText } from './ui.js';
import { requireMe, signInFirst } from './session.js';

const MAX_USES = 100;
const MAX_DAYS = 30;
const DEFAULT_DAYS = 7;

export async function showInvites(ctx) {
  document.title = `${t('invites.title')} · ${t('app.name')}`;
  ctx.view.replaceChildren(loadingCard());
  const state = {
    invites: [], next: null, left: undefined, quota: null, loaded: false,
    fresh: null, status: null, copyStatus: null, error: null,
  };
  let user;
  try {
    user = await requireMe(ctx);
  } catch (err) {
    state.error = err;
  }
  if (ctx.stale() || (!user && !state.error)) return;

  const failed = (err) => {
    if (err.status === 401) {
      signInFirst(ctx, 'session.ended');
      return true;
    }
    return false;
  };

  let root = null;
  const paint = (focusSel) => {
    document.title = `${t('invites.title')} · ${t('app.name')}`;
    const restore = root ? keepValues(root) : null;
    root = page(state, { make, withdraw, more: () => load(true), copy, hide });
    ctx.view.replaceChildren(root);
    if (restore) restore(root);
    if (focusSel) {
      const el = root.querySelector(focusSel);
      if (el) el.focus();
    }
    return root;
  };

  async function load(append) {
    try {
      const r = await api('GET', append && state.next ? `/api/invites?before=${encodeURIComponent(state.next)}` : '/api/invites');
      if (ctx.stale()) return;
      state.invites = append ? state.invites.concat(r.invites) : r.invites;
      state.next = r.next;
      state.left = r.invites_left;
      state.quota = r.invite_quota;
      state.loaded = true;
      state.error = null;
    } catch (err) {
      if (ctx.stale() || failed(err)) return;
      state.error = err;
    }
    paint(append ? '.invite-list > li:last-child' : null);
  }

  async function make(uses, days, button) {
    button.disabled = true;
    state.status = null;
    say(root.querySelector(':scope > .form-status'), 'busy', t('invites.making'));
    try {
      const r = await api('POST', '/api/invites', { uses, ttl_days: days });
      if (ctx.stale()) return;
      state.fresh = r.invite;
      state.left = r.invites_left;
      state.status = null;
      state.copyStatus = null;
      await load(false);
      paint('#invite-link');
    } catch (err) {
      if (ctx.stale() || failed(err)) return;
      state.status = err.code === 'quota_exhausted' ? { kind: 'error', key: 'invites.err.quota' } : { kind: 'error', err };
      paint('#invite-make');
    }
  }

  async function withdraw(inv) {
    try {
      await api('DELETE', `/api/invites/${inv.id}`);
      if (ctx.stale()) return;
      if (state.fresh && state.fresh.id === inv.id) state.fresh = null;
      state.status = { kind: 'ok', key: 'invites.withdrawn' };
      await load(false);
      paint('#invites-title');
    } catch (err) {
      if (ctx.stale() || failed(err)) return;
      state.status = { kind: 'error', err };
      paint();
    }
  }

  async function copy(input) {
    const ok = await copyText(state.fresh.url, input);
    if (ctx.stale()) return;
    state.copyStatus = ok ? { kind: 'ok', key: 'invites.copied' } : { kind: 'error', key: 'invites.copy_failed' };
    const box = root.querySelector('.new-invite .form-status');
    say(box, state.copyStatus.kind, t(state.copyStatus.key));
    // Without a clipboard the text stays selected for the reader to copy.
    if (!ok) input.select();
  }

  function hide() {
    state.fresh = null;
    state.copyStatus = null;
    paint('#invite-make');
  }

  const first = paint();
  ctx.onLanguage(() => paint());
  if (ctx.focus) first.querySelector('h2').focus();
  if (!state.error) load(false);
}

// How many more people the member may invite, in words.
export function invitesLeft(left) {
  if (left === null || left === undefined) return t('invites.left_unlimited');
  if (left <= 0) return t('invites.left_none');
  return t('invites.left', { n: left });
}

const statusLine = (st) => {
  const p = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  if (st) say(p, st.kind, st.err ? explain(st.err) : t(st.key, st.vars || {}));
  return p;
};

function page(state, acts) {
  const card = h('section', { className: 'card invites-page', 'aria-labelledby': 'invites-page-title' },
    h('h2', { id: 'invites-page-title', tabIndex: -1 }, t('invites.title')),
    h('p', { className: 'intro' }, t('invites.intro')),
    state.left !== undefined ? h('p', { className: 'meta invites-left' }, invitesLeft(state.left)) : null,
    makeForm(state, acts),
    statusLine(state.status),
    state.fresh ? newLink(state, acts) : null,
    list(state, acts));
  return card;
}

function makeForm(state, acts) {
  const none = state.left !== null && state.left !== undefined && state.left <= 0;
  const maxUses = state.left === null || state.left === undefined ? MAX_USES : Math.max(1, Math.min(MAX_USES, state.left));
  const uses = h('input', { type: 'number', min: 1, max: maxUses, value: 1, inputMode: 'numeric', required: true, disabled: none });
  const days = h('input', { type: 'number', min: 1, max: MAX_DAYS, value: DEFAULT_DAYS, inputMode: 'numeric', required: true, disabled: none });
  const submit = h('button', { type: 'submit', className: 'primary', id: 'invite-make', disabled: none || !state.loaded },
    t('invites.make'));
  const form = h('form', { id: 'make-invite', noValidate: true, 'aria-labelledby': 'make-title' },
    h('h3', { id: 'make-title' }, t('invites.make_title')),
    h('div', { className: 'two' },
      field('invite-uses', t('invites.uses'), uses, t('invites.uses_hint', { n: maxUses })),
      field('invite-days', t('invites.days'), days, t('invites.days_hint', { n: MAX_DAYS }))),
    none ? h('p', { className: 'note' }, t('invites.err.quota')) : null,
    h('div', { className: 'buttons' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const u = Number(uses.value);
    const d = Number(days.value);
    fieldError(uses);
    fieldError(days);
    if (!Number.isInteger(u) || u < 1 || u > maxUses) fieldError(uses, t('invites.err.uses', { n: maxUses }));
    if (!Number.isInteger(d) || d < 1 || d > MAX_DAYS) fieldError(days, t('invites.err.days', { n: MAX_DAYS }));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      bad.focus();
      return;
    }
    acts.make(u, d, submit);
  });
  return form;
}

// The new link, shown once.
function newLink(state, acts) {
  const inv = state.fresh;
  const input = h('textarea', {
    id: 'invite-link', className: 'code link', dir: 'ltr', rows: 3, readOnly: true, spellcheck: false,
    'aria-describedby': 'invite-terms invite-warn',
  });
  input.value = inv.url;
  input.addEventListener('focus', () => input.select());
  const copy = h('button', { type: 'button', className: 'primary' }, t('invites.copy'));
  copy.addEventListener('click', () => acts.copy(input));
  const done = h('button', { type: 'button' }, t('invites.done'));
  done.addEventListener('click', acts.hide);
  const buttons = h('div', { className: 'buttons' }, copy);
  if (navigator.share) {
    const share = h('button', { type: 'button' }, t('invites.share'));
    share.addEventListener('click', () => navigator.share({ url: inv.url }).catch(() => {}));
    buttons.append(share);
  }
  buttons.append(done);
  const terms = inv.max_uses > 1
    ? t('invites.terms_many', { n: inv.max_uses, day: day(inv.expires_at) })
    : t('invites.terms_one', { day: day(inv.expires_at) });
  return h('div', { className: 'new-invite', role: 'group', 'aria-labelledby': 'new-invite-title' },
    h('h3', { id: 'new-invite-title' }, h('label', { htmlFor: 'invite-link' }, t('invites.your_link'))),
    h('p', { id: 'invite-warn', className: 'warn' }, t('invites.once')),
    input,
    h('p', { id: 'invite-terms', className: 'hint' }, terms),
    buttons,
    statusLine(state.copyStatus));
}

function list(state, acts) {
  const ul = h('ul', { className: 'invite-list', 'aria-busy': String(!state.loaded) });
  for (const inv of state.invites) ul.append(inviteRow(inv, acts));
  if (state.loaded && !state.invites.length) ul.append(h('li', { className: 'empty' }, t('invites.none')));
  const more = h('button', { type: 'button', className: 'more-button', hidden: !state.next }, t('common.more'));
  more.addEventListener('click', acts.more);
  return h('section', { className: 'invites', 'aria-labelledby': 'invites-title' },
    h('h3', { id: 'invites-title', tabIndex: -1 }, t('invites.yours')),
    state.error ? h('p', { className: 'form-status', 'data-state': 'error', role: 'alert' }, explain(state.error)) : null,
    ul, more);
}

function inviteRow(inv, acts) {
  const parts = [t('invites.used_of', { n: inv.uses, max: inv.max_uses })];
  if (inv.state === 'active') parts.push(t('invites.expires', { day: day(inv.expires_at) }));
  if (inv.state === 'expired') parts.push(t('invites.expired_on', { day: day(inv.expires_at) }));
  const li = h('li', { className: 'invite', 'data-state': inv.state },
    h('span', { className: 'chip' }, t(`invites.state.${inv.state}`)),
    h('p', { className: 'line' }, parts.join(' · ')));
  if (inv.joined && inv.joined.length) {
    const names = inv.joined.flatMap((m, i) => (i ? [t('common.list_sep'), memberLink(m)] : [memberLink(m)]));
    li.append(h('p', { className: 'joined' }, ...tn('invites.joined', { names: h('span', {}, ...names) })));
  }
  if (inv.state === 'active') {
    const b = h('button', { type: 'button', className: 'small' }, t('invites.withdraw'));
    b.addEventListener('click', () => {
      b.disabled = true;
      acts.withdraw(inv);
    });
    li.append(b);
  }
  return li;
}
