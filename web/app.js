// The web app's entry: routes between the views inside this one page.
//   /              the "me" panel (or the sign-in panel)
//   /login         the sign-in form (?next=/room/ID comes back there)
//   /invite/CODE   the invite landing and sign-up form
//   /new           the form that starts a room
//   /room/ID       a room
//   /token         speak or listen with a room token (#room=…&token=…), as a
//                  bot would: an operator's tool
// The server answers these paths with index.html (src/api/router.c).
// A view may return a function that ends it (a room leaves); it runs
// before the next view is shown.
import './demo.js';
import { showHome, showLogin, showInvite } from './account.js';
import { showStartRoom } from './start-room.js';
import { showRoom } from './room.js';
import { restorePage } from './i18n.js';

const view = document.getElementById('view');
const demo = document.getElementById('demo');
let generation = 0;
let shownPath = null;
let endView = null;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(true);
}

function segment(s) {
  try { return decodeURIComponent(s); } catch (_) { return ''; }
}

function render(focus) {
  const gen = ++generation;
  const ctx = { view, navigate, focus, stale: () => gen !== generation };
  const path = location.pathname;
  shownPath = path;
  if (endView) {
    const end = endView;
    endView = null;
    end();
  }
  // The members' views are in both languages on an Arabic page; the room
  // views set their own language.
  restorePage();
  const invite = /^\/invite\/([^/]*)\/?$/.exec(path);
  const room = /^\/room\/([^/]+)\/?$/.exec(path);
  demo.hidden = true;
  if (path === '/login') {
    showLogin(ctx);
  } else if (invite) {
    showInvite(ctx, segment(invite[1]));
  } else if (path === '/new') {
    showStartRoom(ctx);
  } else if (room) {
    endView = showRoom(ctx, segment(room[1]));
  } else if (path === '/token') {
    view.replaceChildren();
    demo.hidden = false;
  } else {
    showHome(ctx);
  }
}

// Links marked data-nav stay in the page; a click with a modifier key
// (new tab, new window) is left to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest && e.target.closest('a[data-nav]');
  if (!a) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  if (url.pathname === location.pathname) render(true);
  else navigate(url.pathname);
});

// Back and forward; a change of the fragment alone (the demo's
// #room=...&token=...) leaves the view as it is.
window.addEventListener('popstate', () => {
  if (location.pathname !== shownPath) render(true);
});

render(false);
