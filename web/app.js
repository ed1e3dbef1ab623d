// The web app's entry: routes between the views inside this one page.
//   /                       the signed-in home: the hallway of live and
//                           announced rooms (or the sign-in form)
//   /login                  the sign-in form (?next=PATH comes back there)
//   /invite/CODE            the invite landing and sign-up form
//   /new                    the form that starts a room
//   /schedule               the form that announces a room for later
//   /room/ID                a room
//   /u/HANDLE               a member's profile
//   /u/HANDLE/followers     who follows them; /u/HANDLE/following likewise
//   /invites                your invite links
//   /settings               language, profile, passphrase, sessions, deletion
//   /admin                  finding members (admins)
//   /admin/u/HANDLE         a member's record and branch (admins)
//   /token                  speak or listen with a room token, as a bot
//                           would: an operator's tool
// The server answers these paths with index.html (src/api/router.c).
//
// A view gets a context (ctx): the element to fill, navigate(), whether
// to move the focus, stale() once the reader has moved on, and
// onLanguage(fn) to repaint itself in place when the language changes
// (else it is shown again from the start). It may return a function that
// ends it (a room leaves); that runs before the next view is shown.
import { showHome } from './home.js';
import { showLogin, showInvite } from './account.js';
import { showStartRoom } from './start-room.js';
import { showSchedule } from './schedule.js';
import { showRoom } from './room.js';
import { showProfile, showPeople } from './profile.js';
import { showInvites } from './invites.js';
import { showSettings } from './settings.js';
import { showAdmin, showAdminMember } from './admin.js';
import { showToken } from './token.js';
import { setLang, applyToPage } from './i18n.js';
import { me, watchMe } from './session.js';
import { paintChrome } from './chrome.js';

const view = document.getElementById('view');
let generation = 0;
let shownPath = null;
let endView = null;
let repaint = null;
let user = null;

function segment(s) {
  try { return decodeURIComponent(s); } catch (_) { return ''; }
}

const ROUTES = [
  [/^\/$/, (ctx) => showHome(ctx)],
  [/^\/login$/, (ctx) => showLogin(ctx)],
  [/^\/invite\/([^/]*)$/, (ctx, m) => showInvite(ctx, segment(m[1]))],
  [/^\/new$/, (ctx) => showStartRoom(ctx)],
  [/^\/schedule$/, (ctx) => showSchedule(ctx)],
  [/^\/room\/([^/]+)$/, (ctx, m) => showRoom(ctx, segment(m[1]))],
  [/^\/u\/([^/]+)$/, (ctx, m) => showProfile(ctx, segment(m[1]))],
  [/^\/u\/([^/]+)\/(followers|following)$/, (ctx, m) => showPeople(ctx, segment(m[1]), m[2])],
  [/^\/invites$/, (ctx) => showInvites(ctx)],
  [/^\/settings$/, (ctx) => showSettings(ctx)],
  [/^\/admin$/, (ctx) => showAdmin(ctx)],
  [/^\/admin\/u\/([^/]+)$/, (ctx, m) => showAdminMember(ctx, segment(m[1]))],
  [/^\/token$/, (ctx) => showToken(ctx)],
];

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(true);
}

function chrome() {
  paintChrome({ user, path: location.pathname, onLanguage: changeLanguage });
}

// The language switch (in the header, and in the settings): the choice is
// stored, the page turns, and the view repaints itself if it can (a room
// must not be left and entered again for it).
function changeLanguage(to) {
  setLang(to);
  applyToPage();
  chrome();
  if (repaint) repaint();
  else render(false);
}

function render(focus) {
  const gen = ++generation;
  const path = location.pathname.replace(/(.)\/$/, '$1');
  shownPath = location.pathname;
  if (endView) {
    const end = endView;
    endView = null;
    end();
  }
  repaint = null;
  const ctx = {
    view,
    navigate,
    focus,
    stale: () => gen !== generation,
    onLanguage: (fn) => { if (gen === generation) repaint = fn; },
    setLanguage: changeLanguage,
  };
  applyToPage();
  chrome();
  document.body.classList.remove('in-room', 'wide');
  const found = ROUTES.map(([re, fn]) => [re.exec(path), fn]).find(([m]) => m);
  const [m, show] = found || [[], (c) => showHome(c)];
  const end = show(ctx, m);
  if (typeof end === 'function') endView = end;
}

// The header follows whoever is signed in.
watchMe((u) => {
  user = u;
  chrome();
});
me().catch(() => null);

// Links marked data-nav stay in the page; a click with a modifier key
// (new tab, new window) is left to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest && e.target.closest('a[data-nav]');
  if (!a) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  const target = url.pathname + url.search;
  if (target === location.pathname + location.search) render(true);
  else navigate(target);
});

// Back and forward; a change of the fragment alone (the token tool's
// #room=...&token=...) leaves the view as it is.
window.addEventListener('popstate', () => {
  if (location.pathname !== shownPath) render(true);
});

render(false);

// The app's own files, kept for when the network is not there (sw.js).
// Never the API's answers.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => { /* the app works without it */ });
}
