// "/": the signed-in home, or the sign-in form for someone signed out.
//
// The home is two parts: the main part (homeMain: the hallway of live
// and announced rooms, hallway.js, with the ways into a new room) and the
// member's own corner (homeAside: their card, and how many people they may
// still invite). showHome lays them out and returns what ends them: the
// hallway's socket closes when the reader moves on.
import { api, explain } from './api.js';
import { t, tn } from './i18n.js';
import { h, say, nameOf, avatarOf, memberLink, loadingCard } from './ui.js';
import { me, takeFlash, forgetMe, setFlash } from './session.js';
import { invitesLeft } from './invites.js';
import { renderLogin } from './account.js';
import { Hallway } from './hallway.js';

export function showHome(ctx) {
  let hall = null;
  let ended = false;
  load(ctx, (made) => {
    if (ended) made.stop();
    else hall = made;
  });
  return () => {
    ended = true;
    if (hall) hall.stop();
  };
}

async function load(ctx, keep) {
  document.title = t('app.title');
  ctx.view.replaceChildren(loadingCard());
  let user;
  try {
    user = await me({ fresh: true });
  } catch (err) {
    if (!ctx.stale()) problem(ctx, err);
    return;
  }
  if (ctx.stale()) return;
  if (!user) {
    renderLogin(ctx);
    return;
  }
  document.body.classList.add('wide');
  const flash = takeFlash();
  const hall = new Hallway(ctx, user);
  keep(hall);
  const paint = () => {
    document.title = t('app.title');
    const page = h('div', { className: 'home' }, homeMain(hall, flash), homeAside(ctx, user));
    ctx.view.replaceChildren(page);
    return page;
  };
  const page = paint();
  ctx.onLanguage(paint);
  hall.start();
  if (ctx.focus) page.querySelector('h2').focus();
}

function problem(ctx, err) {
  const retry = h('button', { type: 'button' }, t('common.retry'));
  retry.addEventListener('click', () => ctx.navigate('/', { replace: true }));
  ctx.view.replaceChildren(h('section', { className: 'card problem' },
    h('h2', { tabIndex: -1 }, t('common.load_failed')),
    h('p', { className: 'msg', role: 'alert' }, explain(err)),
    h('div', { className: 'buttons' }, retry)));
}

// The main part of the home: the hallway, with "Start a room" and
// "Schedule a room" at its head. flash: a word from the view before (an
// announcement made).
export function homeMain(hall, flash) {
  const key = flash && flash.key;
  return hall.element({ welcome: key === 'home.welcome', note: key === 'schedule.done' ? key : null });
}

// The member's card: who they are, whom they joined through, and their
// invites at a glance.
export function homeAside(ctx, user) {
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const out = h('button', { type: 'button', className: 'small' }, t('session.sign_out'));
  out.addEventListener('click', () => signOut(ctx, out, status));
  const joined = user.invited_by
    ? tn('home.joined_through', { name: memberLink(user.invited_by) })
    : [t('profile.first_member')];
  return h('aside', { className: 'card me', 'aria-labelledby': 'me-name' },
    h('div', { className: 'me-head' },
      avatarOf(user),
      h('div', { className: 'me-who' },
        h('p', { id: 'me-name', className: 'me-name' }, nameOf(user)),
        h('p', { className: 'me-handle' },
          h('bdi', { dir: 'ltr' }, `@${user.handle}`),
          user.admin ? h('span', { className: 'badge' }, t('member.admin')) : null))),
    h('p', { className: 'meta' }, ...joined),
    h('p', { className: 'meta invites-left' }, invitesLeft(user.invites_left)),
    h('div', { className: 'buttons' },
      h('a', { href: '/invites', 'data-nav': true, className: 'button small' }, t('home.invite_someone')),
      h('a', { href: `/u/${user.handle}`, 'data-nav': true, className: 'button small' }, t('home.your_profile')),
      out),
    status);
}

async function signOut(ctx, button, status) {
  button.disabled = true;
  try {
    await api('POST', '/api/logout', {});
  } catch (err) {
    if (err.status !== 401) {
      button.disabled = false;
      say(status, 'error', explain(err));
      return;
    }
  }
  if (ctx.stale()) return;
  forgetMe();
  setFlash('login.signed_out', { kind: 'ok' });
  ctx.navigate('/', { replace: true });
}
