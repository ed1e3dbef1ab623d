// "/u/HANDLE": a member's profile (name, handle, bio, whom they joined
// through, their followers and following), with Follow and Block; and
// "/u/HANDLE/followers", "/u/HANDLE/following": those lists, a page at a
// time. A member who blocked you, a suspended or deleted one, and a
// handle that is nobody's all read as "not found" (docs/api.md).
import { api, explain } from './api.js';
import { t, tn } from './i18n.js';
import { h, say, nameOf, avatarOf, memberRow, memberLink, loadingCard, confirmDialog } from './ui.js';
import { requireMe, signInFirst } from './session.js';

const HANDLE_RE = /^[A-Za-z0-9_]{3,20}$/;

function failed(ctx, err, again) {
  if (err.status === 401) {
    signInFirst(ctx, 'session.ended');
    return;
  }
  if (err.status === 404) {
    notFound(ctx);
    return;
  }
  const retry = h('button', { type: 'button' }, t('common.retry'));
  retry.addEventListener('click', again);
  ctx.view.replaceChildren(h('section', { className: 'card problem' },
    h('h2', { tabIndex: -1 }, t('common.load_failed')),
    h('p', { className: 'msg', role: 'alert' }, explain(err)),
    h('div', { className: 'buttons' }, retry)));
}

function notFound(ctx) {
  const paint = () => {
    document.title = `${t('profile.not_found')} · ${t('app.name')}`;
    const card = h('section', { className: 'card not-found', 'aria-labelledby': 'nf-title' },
      h('h2', { id: 'nf-title', tabIndex: -1 }, t('profile.not_found')),
      h('p', {}, t('profile.not_found_hint')),
      h('p', { className: 'alt' }, h('a', { href: '/', 'data-nav': true }, t('common.back_home'))));
    ctx.view.replaceChildren(card);
    return card;
  };
  const card = paint();
  ctx.onLanguage(paint);
  if (ctx.focus) card.querySelector('h2').focus();
}

async function load(ctx, handle) {
  if (!HANDLE_RE.test(handle)) return { missing: true };
  const me = await requireMe(ctx);
  if (!me) return null;
  const { user } = await api('GET', `/api/users/${encodeURIComponent(handle)}`);
  return { me, user };
}

// ---- the profile ----

export async function showProfile(ctx, handle) {
  ctx.view.replaceChildren(loadingCard());
  let got;
  try {
    got = await load(ctx, handle);
  } catch (err) {
    if (!ctx.stale()) failed(ctx, err, () => showProfile(ctx, handle));
    return;
  }
  if (ctx.stale() || !got) return;
  if (got.missing) {
    notFound(ctx);
    return;
  }
  const state = { ...got, status: null };
  const paint = (focusSel) => {
    const card = profileCard(ctx, state, paint);
    ctx.view.replaceChildren(card);
    document.title = `${state.user.display_name} (@${state.user.handle}) · ${t('app.name')}`;
    if (focusSel) {
      const el = card.querySelector(focusSel);
      if (el) el.focus();
    }
    return card;
  };
  const card = paint();
  ctx.onLanguage(() => paint());
  if (ctx.focus) card.querySelector('h2').focus();
}

function profileCard(ctx, state, paint) {
  const { user, me } = state;
  const own = me.handle === user.handle;
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const st = state.status;
  if (st) say(status, st.kind, st.err ? explain(st.err) : t(st.key, st.vars || {}));

  let joined;
  if (!user.joined_through) joined = t('profile.first_member');
  else joined = tn('profile.joined_through', { name: memberLink(user.joined_through) });

  const base = `/u/${user.handle}`;
  const counts = h('ul', { className: 'counts' },
    h('li', {}, h('a', { href: `${base}/followers`, 'data-nav': true }, t('profile.followers', { n: user.followers }))),
    h('li', {}, h('a', { href: `${base}/following`, 'data-nav': true }, t('profile.following', { n: user.following }))));

  const marks = [];
  if (user.admin) marks.push(h('span', { className: 'badge' }, t('member.admin')));
  if (user.suspended) marks.push(h('span', { className: 'badge warn-badge' }, t('member.suspended')));
  if (!own && user.follows_you) marks.push(h('span', { className: 'badge' }, t('profile.follows_you')));

  const actions = h('div', { className: 'buttons' });
  if (own) {
    actions.append(h('a', { href: '/settings', 'data-nav': true, className: 'button' }, t('profile.edit')));
  } else {
    if (!user.you_blocked) {
      const follow = h('button', { type: 'button', className: user.you_follow ? '' : 'primary', 'data-act': 'follow' },
        t(user.you_follow ? 'profile.unfollow' : 'profile.follow'));
      follow.addEventListener('click', () => toggleFollow(ctx, state, paint, follow));
      actions.append(follow);
    }
    const block = h('button', { type: 'button', className: 'danger', 'data-act': 'block' },
      t(user.you_blocked ? 'profile.unblock' : 'profile.block'));
    block.addEventListener('click', () => toggleBlock(ctx, state, paint, block));
    actions.append(block);
  }
  if (me.admin) {
    actions.append(h('a', { href: `/admin/u/${user.handle}`, 'data-nav': true, className: 'button' }, t('profile.admin_page')));
  }

  return h('section', { className: 'card profile', 'aria-labelledby': 'profile-name' },
    h('div', { className: 'me-head' },
      avatarOf(user, 'big'),
      h('div', { className: 'me-who' },
        h('h2', { id: 'profile-name', className: 'me-name', tabIndex: -1 }, nameOf(user)),
        h('p', { className: 'me-handle' }, h('bdi', { dir: 'ltr' }, `@${user.handle}`), ...marks))),
    user.bio ? h('p', { className: 'bio', dir: 'auto' }, user.bio) : null,
    user.you_blocked ? h('p', { className: 'note' }, t('profile.you_blocked')) : null,
    h('p', { className: 'meta joined' }, joined),
    counts,
    actions,
    status);
}

async function toggleFollow(ctx, state, paint, button) {
  const on = !state.user.you_follow;
  button.disabled = true;
  try {
    await api(on ? 'POST' : 'DELETE', `/api/users/${encodeURIComponent(state.user.handle)}/follow`, {});
    if (ctx.stale()) return;
    state.user.you_follow = on;
    state.user.followers += on ? 1 : -1;
    state.status = { kind: 'ok', key: on ? 'profile.now_following' : 'profile.not_following', vars: { name: state.user.display_name } };
  } catch (err) {
    if (ctx.stale()) return;
    if (err.status === 401) { signInFirst(ctx, 'session.ended'); return; }
    state.status = err.code === 'blocked' ? { kind: 'error', key: 'profile.err.blocked' } : errorStatus(err);
  }
  paint('[data-act="follow"]');
}

async function toggleBlock(ctx, state, paint, button) {
  const { user } = state;
  const on = !user.you_blocked;
  if (on) {
    const name = user.display_name;
    const yes = await confirmDialog({
      title: t('profile.block_title', { name }),
      body: [t('profile.block_what'), t('profile.block_rooms'), t('profile.block_quiet')],
      yes: t('profile.block'),
    });
    if (!yes || ctx.stale()) return;
  }
  button.disabled = true;
  try {
    await api(on ? 'POST' : 'DELETE', `/api/users/${encodeURIComponent(user.handle)}/block`, {});
    if (ctx.stale()) return;
    // Blocking ends the follows both ways; unblocking brings none back.
    if (on) {
      if (user.you_follow) user.followers -= 1;
      if (user.follows_you) user.following -= 1;
      user.you_follow = false;
      user.follows_you = false;
    }
    user.you_blocked = on;
    state.status = { kind: 'ok', key: on ? 'profile.blocked_now' : 'profile.unblocked_now', vars: { name: user.display_name } };
  } catch (err) {
    if (ctx.stale()) return;
    if (err.status === 401) { signInFirst(ctx, 'session.ended'); return; }
    state.status = errorStatus(err);
  }
  paint('[data-act="block"]');
}

// A failure as a status line, put into words when it is painted.
const errorStatus = (err) => ({ kind: 'error', err });

// ---- followers and following ----

export async function showPeople(ctx, handle, which) {
  ctx.view.replaceChildren(loadingCard());
  let got;
  try {
    got = await load(ctx, handle);
  } catch (err) {
    if (!ctx.stale()) failed(ctx, err, () => showPeople(ctx, handle, which));
    return;
  }
  if (ctx.stale() || !got) return;
  if (got.missing) {
    notFound(ctx);
    return;
  }
  const { user } = got;
  const state = { people: [], next: null, loaded: false, error: null };
  const base = `/api/users/${encodeURIComponent(user.handle)}/${which}`;

  const paint = () => {
    const list = h('ul', { className: 'people-list', 'aria-busy': String(!state.loaded) },
      ...state.people.map((m) => h('li', {}, memberRow(m))));
    if (state.loaded && !state.people.length) {
      list.append(h('li', { className: 'empty' }, t(`people.none.${which}`)));
    }
    const more = h('button', { type: 'button', className: 'more-button', hidden: !state.next }, t('common.more'));
    more.addEventListener('click', () => page(true));
    const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
    if (state.error) say(status, 'error', state.error);
    const other = which === 'followers' ? 'following' : 'followers';
    const card = h('section', { className: 'card people', 'aria-labelledby': 'people-title' },
      h('h2', { id: 'people-title', tabIndex: -1 }, ...tn(`people.title.${which}`, { name: nameOf(user) })),
      h('p', { className: 'meta' },
        h('a', { href: `/u/${user.handle}`, 'data-nav': true }, t('people.back', { name: user.display_name })),
        ' · ',
        h('a', { href: `/u/${user.handle}/${other}`, 'data-nav': true }, t(`people.switch.${other}`))),
      list, more, status);
    ctx.view.replaceChildren(card);
    document.title = `${t(`people.tab.${which}`)} · ${user.display_name} · ${t('app.name')}`;
    return card;
  };

  async function page(append) {
    try {
      const r = await api('GET', append && state.next ? `${base}?before=${encodeURIComponent(state.next)}` : base);
      if (ctx.stale()) return;
      const before = state.people.length;
      state.people = append ? state.people.concat(r.users) : r.users;
      state.next = r.next;
      state.loaded = true;
      state.error = null;
      const card = paint();
      // The focus goes to the first of the new names, not back to the top.
      if (append) {
        const first = card.querySelectorAll('.people-list li')[before];
        const link = first && first.querySelector('a');
        if (link) link.focus();
      }
    } catch (err) {
      if (ctx.stale()) return;
      if (err.status === 401) { signInFirst(ctx, 'session.ended'); return; }
      state.error = explain(err);
      state.loaded = true;
      paint();
    }
  }

  const card = paint();
  ctx.onLanguage(paint);
  if (ctx.focus) card.querySelector('h2').focus();
  page(false);
}
