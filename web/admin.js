// "/admin": finding a member (results as the admin types), and
// "/admin/u/HANDLE": a member's record and place in the invite tree (whom
// they joined through, whom they brought in, the size of their branch),
// suspending the member or their whole branch after a preview of how many
// accounts it touches, lifting a suspension, and their invite quota and
// admin flag. Members who are not admins are told this is not for them;
// the server refuses them anyway (403 forbidden).
import { api, explain } from './api.js';
import { t, day, when } from './i18n.js';
import {
  h, say, nameOf, avatarOf, memberRow, field, fieldError, loadingCard, keepValues, confirmDialog,
} from './ui.js';
import { requireMe, signInFirst } from './session.js';

const SEARCH_DELAY_MS = 250;
const HANDLE_RE = /^[A-Za-z0-9_]{3,20}$/;
const QUOTA_MAX = 10000;
const adminHref = (m) => (m && m.handle ? `/admin/u/${m.handle}` : null);

function frame(ctx, paint) {
  const card = paint();
  ctx.onLanguage(() => paint());
  if (ctx.focus) card.querySelector('h2').focus();
}

function refusedCard(ctx, key, hintKey) {
  frame(ctx, () => {
    document.title = `${t('admin.title')} · ${t('app.name')}`;
    const card = h('section', { className: 'card problem', 'aria-labelledby': 'admin-refused' },
      h('h2', { id: 'admin-refused', tabIndex: -1 }, t(key)),
      h('p', {}, t(hintKey)),
      h('p', { className: 'alt' }, h('a', { href: '/', 'data-nav': true }, t('common.back_home'))));
    ctx.view.replaceChildren(card);
    return card;
  });
}

function problem(ctx, err, again) {
  if (err.status === 401) {
    signInFirst(ctx, 'session.ended');
    return;
  }
  if (err.status === 403) {
    refusedCard(ctx, 'admin.only', 'admin.only_hint');
    return;
  }
  if (err.status === 404) {
    refusedCard(ctx, 'profile.not_found', 'admin.not_found_hint');
    return;
  }
  const retry = h('button', { type: 'button' }, t('common.retry'));
  retry.addEventListener('click', again);
  ctx.view.replaceChildren(h('section', { className: 'card problem' },
    h('h2', { tabIndex: -1 }, t('common.load_failed')),
    h('p', { className: 'msg', role: 'alert' }, explain(err)),
    h('div', { className: 'buttons' }, retry)));
}

async function admin(ctx) {
  ctx.view.replaceChildren(loadingCard());
  const user = await requireMe(ctx);
  if (!user || ctx.stale()) return null;
  if (!user.admin) {
    refusedCard(ctx, 'admin.only', 'admin.only_hint');
    return null;
  }
  return user;
}

// ---- finding a member ----

export async function showAdmin(ctx) {
  let user;
  try {
    user = await admin(ctx);
  } catch (err) {
    if (!ctx.stale()) problem(ctx, err, () => showAdmin(ctx));
    return;
  }
  if (!user) return;
  const state = { q: new URLSearchParams(location.search).get('q') || '', users: null, error: null };
  let timer = 0;
  let asked = 0;

  const input = h('input', {
    type: 'search', dir: 'auto', autocomplete: 'off', spellcheck: false, 'aria-controls': 'admin-results',
  });
  input.value = state.q;
  const results = h('ul', { id: 'admin-results', className: 'people-list' });
  const count = h('p', { className: 'meta', role: 'status', 'aria-live': 'polite' });

  const paintResults = () => {
    results.replaceChildren();
    if (state.error) {
      say(count, 'error', explain(state.error));
      return;
    }
    if (!state.q.trim()) {
      say(count, '', t('admin.search_empty'));
      return;
    }
    if (!state.users) return;
    say(count, '', state.users.length ? t('admin.found', { n: state.users.length }) : t('admin.found_none'));
    for (const m of state.users) {
      const extra = m.suspended ? [' ', h('span', { className: 'badge warn-badge' }, t('member.suspended'))] : [];
      results.append(h('li', {}, memberRow(m, adminHref(m), extra)));
    }
  };

  async function search() {
    const q = state.q.trim();
    const mine = ++asked;
    if (!q) {
      state.users = null;
      paintResults();
      return;
    }
    try {
      const r = await api('GET', `/api/admin/users?q=${encodeURIComponent(q)}`);
      if (ctx.stale() || mine !== asked) return;
      state.users = r.users;
      state.error = null;
    } catch (err) {
      if (ctx.stale() || mine !== asked) return;
      if (err.status === 401 || err.status === 403) {
        problem(ctx, err, () => showAdmin(ctx));
        return;
      }
      state.error = err;
    }
    paintResults();
  }

  input.addEventListener('input', () => {
    state.q = input.value;
    // The address keeps the search, for the way back from a member's page.
    history.replaceState(null, '', state.q ? `/admin?q=${encodeURIComponent(state.q)}` : '/admin');
    clearTimeout(timer);
    timer = setTimeout(search, SEARCH_DELAY_MS);
  });
  const form = h('form', { role: 'search', className: 'admin-search' },
    field('admin-q', t('admin.find'), input, t('admin.find_hint')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    search();
  });

  frame(ctx, () => {
    document.title = `${t('admin.title')} · ${t('app.name')}`;
    form.querySelector('label').textContent = t('admin.find');
    form.querySelector('.hint').textContent = t('admin.find_hint');
    const card = h('section', { className: 'card admin', 'aria-labelledby': 'admin-title' },
      h('h2', { id: 'admin-title', tabIndex: -1 }, t('admin.title')),
      h('p', { className: 'intro' }, t('admin.intro')),
      form, count, results);
    ctx.view.replaceChildren(card);
    paintResults();
    return card;
  });
  search();
}

// ---- a member ----

export async function showAdminMember(ctx, handle) {
  let me;
  try {
    me = await admin(ctx);
  } catch (err) {
    if (!ctx.stale()) problem(ctx, err, () => showAdminMember(ctx, handle));
    return;
  }
  if (!me) return;
  if (!HANDLE_RE.test(handle)) {
    refusedCard(ctx, 'profile.not_found', 'admin.not_found_hint');
    return;
  }
  const base = `/api/admin/users/${encodeURIComponent(handle)}`;
  const state = { me, user: null, tree: null, status: null, saved: null };
  let root = null;

  async function load() {
    const [u, tree] = await Promise.all([api('GET', base), api('GET', `${base}/subtree`)]);
    state.user = u.user;
    state.tree = tree;
  }
  const paint = (focusSel) => {
    document.title = `${state.user.display_name} · ${t('admin.title')} · ${t('app.name')}`;
    const restore = root ? keepValues(root) : null;
    root = memberPage(state, { suspend, lift, save });
    ctx.view.replaceChildren(root);
    if (restore) restore(root);
    if (focusSel) {
      const el = root.querySelector(focusSel);
      if (el) el.focus();
    }
    return root;
  };
  const failed = (err) => {
    if (ctx.stale()) return;
    if (err.status === 401 || err.status === 403 || err.status === 404) {
      problem(ctx, err, () => showAdminMember(ctx, handle));
      return;
    }
    state.status = { kind: 'error', err };
    paint('.actions-status');
  };

  // Suspends the member or their branch, after showing what it touches.
  async function suspend(subtree) {
    let tree;
    try {
      tree = await api('GET', `${base}/subtree`);
    } catch (err) {
      failed(err);
      return;
    }
    if (ctx.stale()) return;
    state.tree = tree;
    if (subtree && tree.includes_you) {
      state.status = { kind: 'error', key: 'admin.err.self_branch' };
      paint('.actions-status');
      return;
    }
    const name = state.user.display_name;
    const ok = await confirmDialog(subtree ? {
      title: t('admin.suspend_branch_title', { name }),
      body: [t('admin.preview_branch', { n: tree.accounts, active: tree.active }), t('admin.suspend_effects')],
      yes: t('admin.suspend_n', { n: tree.active || tree.accounts }),
    } : {
      title: t('admin.suspend_title', { name }),
      body: [t('admin.preview_one'), t('admin.suspend_effects'), tree.accounts > 1 ? t('admin.branch_stays', { n: tree.accounts - 1 }) : null]
        .filter(Boolean),
      yes: t('admin.suspend'),
    });
    if (!ok || ctx.stale()) return;
    try {
      const r = await api('POST', `${base}/suspend`, { subtree });
      if (ctx.stale()) return;
      await load();
      if (ctx.stale()) return;
      state.status = { kind: 'ok', key: 'admin.suspended_n', vars: { n: r.changed } };
      paint('.actions-status');
    } catch (err) {
      if (err.code === 'self') {
        state.status = { kind: 'error', key: 'admin.err.self_branch' };
        paint('.actions-status');
      } else {
        failed(err);
      }
    }
  }

  async function lift(subtree) {
    try {
      const r = await api('POST', `${base}/unsuspend`, { subtree });
      if (ctx.stale()) return;
      await load();
      if (ctx.stale()) return;
      state.status = { kind: 'ok', key: 'admin.lifted_n', vars: { n: r.changed } };
      paint('.actions-status');
    } catch (err) {
      failed(err);
    }
  }

  async function save(body, form) {
    try {
      const r = await api('PATCH', base, body);
      if (ctx.stale()) return;
      state.user = { ...state.user, ...r.user };
      state.saved = { kind: 'ok', key: 'admin.saved' };
      root = null; // show what the server kept, not what was typed
      paint('#quota-status');
    } catch (err) {
      if (err.code === 'self') {
        say(form.querySelector('.form-status'), 'error', t('admin.err.self_admin'));
        return;
      }
      failed(err);
    }
  }

  try {
    await load();
  } catch (err) {
    if (!ctx.stale()) problem(ctx, err, () => showAdminMember(ctx, handle));
    return;
  }
  if (ctx.stale()) return;
  frame(ctx, () => paint());
}

function memberPage(state, acts) {
  const { user, tree, me } = state;
  const marks = [];
  if (user.admin) marks.push(h('span', { className: 'badge' }, t('member.admin')));
  if (user.suspended_at) marks.push(h('span', { className: 'badge warn-badge' }, t('member.suspended')));

  let through;
  if (!user.invited_by) through = t('admin.through_operator');
  else if (user.invited_by.deleted) through = t('member.deleted');
  else through = memberRow(user.invited_by, adminHref(user.invited_by));

  const record = h('dl', { className: 'record' },
    h('dt', {}, t('admin.joined_on')), h('dd', {}, day(user.created_at)),
    h('dt', {}, t('admin.joined_through')), h('dd', {}, through),
    user.suspended_at ? [h('dt', {}, t('admin.suspended_since')), h('dd', {}, when(user.suspended_at))] : [],
    h('dt', {}, t('admin.quota')), h('dd', {}, user.admin ? t('admin.quota_admin') : t('admin.quota_n', { n: user.invite_quota })));

  const invitees = h('ul', { className: 'people-list' },
    ...user.invitees.map((m) => h('li', {}, memberRow(m, adminHref(m),
      m.suspended ? [' ', h('span', { className: 'badge warn-badge' }, t('member.suspended'))] : []))));
  if (!user.invitees.length) invitees.append(h('li', { className: 'empty' }, t('admin.invitees_none')));

  return h('div', { className: 'admin-member' },
    h('p', { className: 'crumbs' }, h('a', { href: '/admin', 'data-nav': true }, t('admin.back'))),
    h('section', { className: 'card', 'aria-labelledby': 'admin-member-name' },
      h('div', { className: 'me-head' },
        avatarOf(user, 'big'),
        h('div', { className: 'me-who' },
          h('h2', { id: 'admin-member-name', className: 'me-name', tabIndex: -1 }, nameOf(user)),
          h('p', { className: 'me-handle' }, h('bdi', { dir: 'ltr' }, `@${user.handle}`), ...marks))),
      user.bio ? h('p', { className: 'bio', dir: 'auto' }, user.bio) : null,
      record,
      h('p', { className: 'meta' }, h('a', { href: `/u/${user.handle}`, 'data-nav': true }, t('admin.public_profile')))),
    h('section', { className: 'card', 'aria-labelledby': 'tree-title' },
      h('h3', { id: 'tree-title' }, t('admin.tree')),
      h('p', { className: 'branch' }, t('admin.branch', { n: tree.accounts, active: tree.active, suspended: tree.suspended })),
      tree.includes_you ? h('p', { className: 'note' }, t('admin.includes_you')) : null,
      h('h4', {}, t('admin.invitees', { n: user.invitees.length })),
      invitees),
    actionsCard(state, acts),
    settingsCard(state, acts, me));
}

function actionsCard(state, acts) {
  const { user, tree } = state;
  const buttons = h('div', { className: 'buttons' });
  const add = (key, cls, fn) => {
    const b = h('button', { type: 'button', className: cls }, t(key));
    b.addEventListener('click', fn);
    buttons.append(b);
  };
  const self = user.handle === state.me.handle;
  if (!user.suspended_at && !self) add('admin.suspend', 'danger', () => acts.suspend(false));
  if (tree.active > 0 && !tree.includes_you) add('admin.suspend_branch', 'danger', () => acts.suspend(true));
  if (user.suspended_at) add('admin.lift', 'primary', () => acts.lift(false));
  if (tree.suspended > 0 && (tree.suspended > 1 || !user.suspended_at)) add('admin.lift_branch', '', () => acts.lift(true));
  const st = state.status;
  const status = h('p', { className: 'form-status actions-status', role: 'status', 'aria-live': 'polite', tabIndex: -1 });
  if (st) say(status, st.kind, st.err ? explain(st.err) : t(st.key, st.vars || {}));
  return h('section', { className: 'card', 'aria-labelledby': 'actions-title' },
    h('h3', { id: 'actions-title' }, t('admin.suspension')),
    h('p', { className: 'intro' }, t(user.suspended_at ? 'admin.suspension_lift_intro' : 'admin.suspension_intro')),
    self ? h('p', { className: 'note' }, t('admin.self_note')) : null,
    buttons, status);
}

function settingsCard(state, acts, me) {
  const { user } = state;
  const self = user.handle === me.handle;
  const quota = h('input', { type: 'number', min: 0, max: QUOTA_MAX, value: user.invite_quota, inputMode: 'numeric' });
  const isAdmin = h('input', { type: 'checkbox', id: 'admin-flag', checked: !!user.admin, disabled: self });
  const status = h('p', { id: 'quota-status', className: 'form-status', role: 'status', 'aria-live': 'polite', tabIndex: -1 });
  if (state.saved) say(status, state.saved.kind, t(state.saved.key));
  const form = h('form', { id: 'admin-settings', noValidate: true },
    field('admin-quota', t('admin.quota_field'), quota, t('admin.quota_hint', { n: QUOTA_MAX })),
    h('label', { className: 'check', htmlFor: 'admin-flag' }, isAdmin, h('span', {}, t('admin.flag'))),
    h('p', { className: 'hint', id: 'admin-flag-hint' }, t(self ? 'admin.err.self_admin' : 'admin.flag_hint')),
    h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, t('admin.save'))),
    status);
  isAdmin.setAttribute('aria-describedby', 'admin-flag-hint');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    fieldError(quota);
    const q = Number(quota.value);
    if (!Number.isInteger(q) || q < 0 || q > QUOTA_MAX) {
      fieldError(quota, t('admin.err.quota', { n: QUOTA_MAX }));
      quota.focus();
      return;
    }
    const body = {};
    if (q !== user.invite_quota) body.invite_quota = q;
    if (!self && isAdmin.checked !== !!user.admin) body.admin = isAdmin.checked;
    if (!Object.keys(body).length) {
      say(status, 'ok', t('settings.nothing_changed'));
      return;
    }
    acts.save(body, form);
  });
  return h('section', { className: 'card', 'aria-labelledby': 'admin-settings-title' },
    h('h3', { id: 'admin-settings-title' }, t('admin.settings')), form);
}

