// Who is signed in on this page: GET /api/me asked once and kept, until a
// sign-in, a sign-out, a change of profile or a call that finds the
// session gone says otherwise. The header and the views read it from
// here. Nothing is written to the browser's storage: the session itself
// is an HttpOnly cookie this code never sees.
import { api, whenUnauthorized } from './api.js';

let asked = null; // a promise of the member, or null when signed out
const watchers = new Set();
let flash = null;

function tell(user) {
  for (const fn of watchers) fn(user);
}

// The member, or null when nobody is signed in; other failures (the
// network, the server) are thrown. fresh: ask the server again.
export function me({ fresh = false } = {}) {
  if (!asked || fresh) {
    const ask = api('GET', '/api/me').then((r) => {
      if (asked === ask) tell(r.user);
      return r.user;
    }, (err) => {
      if (err.status === 401) return null;
      if (asked === ask) asked = null;
      throw err;
    });
    asked = ask;
  }
  return asked;
}

export function setMe(user) {
  asked = Promise.resolve(user);
  tell(user);
}

export function forgetMe() {
  asked = Promise.resolve(null);
  tell(null);
}

// fn(user) whenever the member changes (null: signed out).
export function watchMe(fn) {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

whenUnauthorized(() => forgetMe());

// One message for the next view to show (the sign-in form saying why it
// is there): a string key of the strings files.
export function setFlash(key, extra = {}) {
  flash = { key, ...extra };
}

export function takeFlash() {
  const f = flash;
  flash = null;
  return f;
}

// The paths of this app that sign-in may come back to (?next=...).
const NEXT_RE = new RegExp('^/(new|schedule|invites|settings|admin(/u/[a-z0-9_]{3,20})?'
  + '|room/[A-Za-z0-9_-]{1,64}|u/[A-Za-z0-9_]{3,20}(/(followers|following))?)$');

export function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return NEXT_RE.test(next) ? next : '/';
}

// Not signed in: the sign-in form, which comes back here afterwards.
export function signInFirst(ctx, why = null) {
  if (why) setFlash(why);
  ctx.navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true });
}

// The member for a page that needs one: null after sending the reader to
// sign in; failures of the network or server are thrown to the page.
export async function requireMe(ctx) {
  const user = await me();
  if (ctx.stale()) return null;
  if (!user) {
    signInFirst(ctx);
    return null;
  }
  return user;
}
