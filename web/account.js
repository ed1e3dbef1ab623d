// Signing in, and the invite landing with its sign-up form. The router
// (app.js) calls showLogin and showInvite; "/" shows the sign-in form
// itself (renderLogin) when nobody is signed in.
import { api, explain } from './api.js';
import { t, tn, day } from './i18n.js';
import {
  h, say, nameOf, handleOf, avatarOf, field, fieldError, clearOnInput, passInput, setBusy, loadingCard, keepValues,
} from './ui.js';
import { me, setMe, takeFlash, nextPath, setFlash } from './session.js';
import { fieldRefusal } from './refusals.js';

const HANDLE_RE = /^[a-z0-9_]{3,20}$/;
const CODE_RE = /^[A-Za-z0-9_-]{22}$/;
const PASS_MIN = 10;
const INVITE_PROBLEMS = new Set(['invite_invalid', 'invite_expired', 'invite_used', 'invite_revoked']);

const title = (key) => { document.title = `${t(key)} · ${t('app.name')}`; };

function mount(ctx, node) {
  ctx.view.replaceChildren(node);
  if (ctx.focus) node.querySelector('h2').focus();
}

function signedIn(ctx, user, welcome = false) {
  setMe(user);
  if (welcome) setFlash('home.welcome');
  ctx.navigate(nextPath(), { replace: true });
}

// ---- "/login" ----

export async function showLogin(ctx) {
  title('login.title');
  ctx.view.replaceChildren(loadingCard());
  // Already signed in: the sign-in form has nothing to do.
  const user = await me().catch(() => null);
  if (ctx.stale()) return;
  if (user) {
    ctx.navigate(nextPath(), { replace: true });
    return;
  }
  renderLogin(ctx);
}

// The sign-in form; a message (from takeFlash(): signed out, session
// ended) shows above the button.
export function renderLogin(ctx) {
  title('login.title');
  const flash = takeFlash();
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const handle = h('input', {
    className: 'code', dir: 'ltr', autocomplete: 'username', autocapitalize: 'none', spellcheck: false,
    maxLength: 64, required: true,
  });
  const [pass, toggle, hidePass] = passInput('current-password');
  const submit = h('button', { type: 'submit', className: 'primary' }, t('login.submit'));
  const form = h('form', { id: 'login', method: 'post', action: '/api/login', noValidate: true },
    field('login-handle', t('field.handle'), handle),
    field('login-pass', t('field.pass'), pass, null, toggle),
    h('div', { className: 'buttons' }, submit),
    status);
  const card = h('section', { className: 'card', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title', tabIndex: -1 }, t('login.title')),
    h('p', { className: 'intro' }, t('login.intro')),
    form);
  if (flash) say(status, flash.kind || '', t(flash.key));
  clearOnInput(handle, pass);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const who = handle.value.trim().toLowerCase();
    fieldError(handle);
    fieldError(pass);
    if (!who) fieldError(handle, t('login.err.handle'));
    if (!pass.value) fieldError(pass, t('login.err.pass'));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      say(status, '');
      bad.focus();
      return;
    }
    const body = { handle: who, passphrase: pass.value };
    pass.value = '';
    hidePass();
    setBusy(form, true);
    say(status, 'busy', t('login.busy'));
    try {
      const { user } = await api('POST', '/api/login', body);
      body.passphrase = '';
      if (ctx.stale()) return;
      signedIn(ctx, user);
    } catch (err) {
      body.passphrase = '';
      if (ctx.stale()) return;
      setBusy(form, false);
      if (err.code === 'invalid_credentials') say(status, 'error', t('login.err.wrong'));
      else if (err.code === 'suspended') say(status, 'error', t('login.err.suspended'));
      else say(status, 'error', explain(err));
      pass.focus();
    }
  });
  ctx.onLanguage(() => {
    const restore = keepValues(ctx.view);
    renderLogin({ ...ctx, focus: false });
    restore(ctx.view);
  });
  mount(ctx, card);
}

// ---- "/invite/CODE" ----

export async function showInvite(ctx, code) {
  title('invite.title');
  const about = h('div', { className: 'about', role: 'status', 'aria-live': 'polite' }, h('p', {}, t('invite.checking')));
  const alt = h('p', { className: 'alt' }, ...tn('invite.have_account', {
    link: h('a', { href: '/login', 'data-nav': true }, t('invite.sign_in')),
  }));
  const card = h('section', { className: 'card', 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title', tabIndex: -1 }, t('invite.title')), about);
  mount(ctx, card);
  // Until it is known, the language repaints by asking again.
  ctx.onLanguage(() => showInvite({ ...ctx, focus: false }, code));
  if (!CODE_RE.test(code)) {
    inviteProblem(about, 'invite_invalid');
    card.append(alt);
    return;
  }
  let info;
  try {
    info = await api('GET', `/api/invites/${code}`);
  } catch (err) {
    if (ctx.stale()) return;
    if (INVITE_PROBLEMS.has(err.code)) {
      inviteProblem(about, err.code);
      card.append(alt);
    } else {
      say(about, 'error', h('p', {}, explain(err)));
      const retry = h('button', { type: 'button' }, t('common.retry'));
      retry.addEventListener('click', () => showInvite(ctx, code));
      about.append(h('div', { className: 'buttons' }, retry));
    }
    return;
  }
  // Who is signed in on this browser, if anyone.
  const user = await me().catch(() => null);
  if (ctx.stale()) return;
  paintInvite(ctx, { card, about, alt, code, info, user });
}

function paintInvite(ctx, { card, about, alt, code, info, user }) {
  about.dataset.state = 'ok';
  about.replaceChildren(inviterBlock(info.invited_by));
  if (info.expires_at) about.append(h('p', { className: 'meta' }, t('invite.valid_until', { day: day(info.expires_at) })));
  if (user) {
    // Signing up here would end this session; say who is in instead.
    about.append(h('p', { className: 'note' }, ...tn('invite.signed_in', {
      name: nameOf(user),
      link: h('a', { href: '/settings', 'data-nav': true }, t('invite.your_settings')),
    })));
    return;
  }
  card.append(signupForm(ctx, code, about, card), alt);
  ctx.onLanguage(() => {
    const restore = keepValues(card);
    const fresh = h('section', { className: 'card', 'aria-labelledby': 'invite-title' },
      h('h2', { id: 'invite-title', tabIndex: -1 }, t('invite.title')),
      h('div', { className: 'about', role: 'status', 'aria-live': 'polite' }));
    const freshAlt = h('p', { className: 'alt' }, ...tn('invite.have_account', {
      link: h('a', { href: '/login', 'data-nav': true }, t('invite.sign_in')),
    }));
    ctx.view.replaceChildren(fresh);
    title('invite.title');
    paintInvite(ctx, { card: fresh, about: fresh.querySelector('.about'), alt: freshAlt, code, info, user });
    restore(fresh);
  });
}

function inviterBlock(inviter) {
  if (!inviter) return h('p', { className: 'inviter' }, t('invite.from_operators'));
  const hd = handleOf(inviter);
  return h('div', { className: 'inviter' }, avatarOf(inviter, 'small'),
    h('div', {},
      h('p', { className: 'inviter-name' }, ...tn('invite.invited_you', { name: nameOf(inviter) })),
      hd ? h('p', { className: 'inviter-handle' }, hd) : null));
}

function inviteProblem(about, code) {
  about.dataset.state = 'error';
  about.replaceChildren(h('p', { className: 'problem' }, t(`invite.problem.${code}`)));
}

function signupForm(ctx, code, about, card) {
  const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
  const handle = h('input', {
    className: 'code', dir: 'ltr', autocomplete: 'username', autocapitalize: 'none', spellcheck: false,
    maxLength: 20, required: true,
  });
  const name = h('input', { dir: 'auto', autocomplete: 'nickname', spellcheck: false, required: true });
  const [pass, toggle, hidePass] = passInput('new-password');
  pass.minLength = PASS_MIN;
  const form = h('form', { id: 'signup', method: 'post', action: '/api/signup', noValidate: true },
    h('h3', {}, t('signup.title')),
    field('signup-handle', t('field.handle'), handle, t('field.handle_hint')),
    field('signup-name', t('field.name'), name, t('field.name_hint')),
    field('signup-pass', t('field.pass'), pass, t('field.pass_hint', { n: PASS_MIN }), toggle),
    h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, t('signup.submit'))),
    status);
  clearOnInput(handle, name, pass);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const who = handle.value.trim().toLowerCase();
    handle.value = who;
    for (const input of [handle, name, pass]) fieldError(input);
    if (!HANDLE_RE.test(who)) fieldError(handle, t('field.err.handle'));
    if (!name.value.trim()) fieldError(name, t('field.err.name_empty'));
    if ([...pass.value].length < PASS_MIN) fieldError(pass, t('field.err.pass_short', { n: PASS_MIN }));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      say(status, '');
      bad.focus();
      return;
    }
    const body = { invite: code, handle: who, display_name: name.value, passphrase: pass.value };
    pass.value = '';
    hidePass();
    setBusy(form, true);
    say(status, 'busy', t('signup.busy'));
    try {
      const { user } = await api('POST', '/api/signup', body);
      body.passphrase = '';
      if (ctx.stale()) return;
      // Replace the invite's page in the history: the code is spent.
      history.replaceState(null, '', '/');
      signedIn(ctx, user, true);
    } catch (err) {
      body.passphrase = '';
      if (ctx.stale()) return;
      setBusy(form, false);
      refused(err, { form, handle, name, pass, status, about, card });
    }
  });
  return form;
}

function refused(err, { form, handle, name, pass, status, about, card }) {
  const fields = { invalid_handle: handle, handle_taken: handle, invalid_display_name: name, weak_passphrase: pass };
  const input = fields[err.code];
  if (!input) {
    if (INVITE_PROBLEMS.has(err.code)) {
      form.hidden = true;
      inviteProblem(about, err.code);
      card.querySelector('h2').focus();
      return;
    }
    say(status, 'error', explain(err));
    pass.focus();
    return;
  }
  fieldError(input, err.code === 'handle_taken' ? t('field.err.handle_taken') : fieldRefusal(err));
  // The passphrase was cleared when the form was sent.
  say(status, '', t('signup.fix_then_pass'));
  input.focus();
}
