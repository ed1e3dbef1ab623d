// The web app's entry: starts the audio demo and routes between the
// members' views inside this one page.
//   /              the "me" panel (or the sign-in panel) and the audio demo
//   /login         the sign-in form
//   /invite/CODE   the invite landing and sign-up form
// The server answers all three paths with index.html (src/api/routes.c).
import './demo.js';
import { showHome, showLogin, showInvite } from './account.js';

const view = document.getElementById('view');
const demo = document.getElementById('demo');
let generation = 0;
let shownPath = null;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(true);
}

function render(focus) {
  const gen = ++generation;
  const ctx = { view, navigate, focus, stale: () => gen !== generation };
  const path = location.pathname;
  shownPath = path;
  const invite = /^\/invite\/([^/]*)\/?$/.exec(path);
  if (path === '/login') {
    demo.hidden = true;
    showLogin(ctx);
  } else if (invite) {
    demo.hidden = true;
    let code = '';
    try { code = decodeURIComponent(invite[1]); } catch (_) { code = ''; }
    showInvite(ctx, code);
  } else {
    demo.hidden = false;
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
