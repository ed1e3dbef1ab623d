// The members' views: sign in, the invite landing with its sign-up form,
// and the "me" panel with invite links and sign-out. The router (app.js)
// calls showHome, showLogin and showInvite with a context:
//   view      the element the view fills
//   navigate  (path, {replace}) moves to another view
//   focus     whether to move the focus to the new view (not on page load)
//   stale()   true once the reader has moved on, so late answers are dropped
import { api, explain } from './api.js';
import {
  h, bi, say, nameOf, handleOf, memberInline, fillAvatar, arCount, enCount, num, dayWords,
  fromTemplate, fieldError, passToggle,
} from './ui.js';

const HANDLE_RE = /^[a-z0-9_]{3,20}$/;
const CODE_RE = /^[A-Za-z0-9_-]{22}$/;
const PASS_MIN = 10;

// What a sign-up or a login hands to the "/" view that follows: the member
// (so it need not ask the server again) and whether to say welcome.
let handoff = null;

// The server explains refusals in English; these are the Arabic for its
// messages about handles, names and passphrases (src/api/account_names.c).
const SERVER_AR = {
  'a handle is 3 to 20 characters': 'اسم المستخدم من ٣ إلى ٢٠ حرفًا.',
  "a handle may hold only the letters a-z, digits and '_'":
    'اسم المستخدم حروف لاتينية صغيرة وأرقام و _ فقط.',
  'control characters and line breaks are not allowed': 'لا يُقبل في الاسم رموز تحكّم ولا أسطر جديدة.',
  'bidirectional control characters are not allowed': 'لا يُقبل في الاسم رموز تتحكّم في اتجاه الكتابة.',
  'invisible formatting characters are not allowed': 'لا يُقبل في الاسم رموز تنسيق خفية.',
  'private-use and unassigned characters are not allowed': 'في الاسم رموز غير معرّفة لا تُقبل.',
  'invisible characters are not allowed': 'لا يُقبل في الاسم حروف خفية.',
  'a joiner must sit between two characters': 'رمز الوصل يجب أن يقع بين حرفين.',
  'a combining mark must follow a letter': 'علامة التشكيل يجب أن تأتي بعد حرف.',
  'too many combining marks on one character': 'علامات تشكيل كثيرة على حرف واحد.',
  'text is not valid UTF-8': 'النص غير صالح.',
  'text cannot be normalized': 'النص غير صالح.',
  'a name needs at least one visible letter, digit or symbol': 'يحتاج الاسم إلى حرف أو رقم ظاهر واحد على الأقل.',
  'a display name is at most 50 characters': 'الاسم ٥٠ حرفًا على الأكثر.',
  'a passphrase needs at least 10 characters': 'عبارة المرور ١٠ أحرف على الأقل.',
  'the passphrase cannot be the handle': 'لا تجعل عبارة المرور هي اسم المستخدم نفسه.',
  'a passphrase is at most 1024 bytes': 'عبارة المرور طويلة جدًا.',
  'a passphrase cannot contain NUL': 'في عبارة المرور رمز لا يُقبل.',
  'a passphrase must be valid UTF-8': 'عبارة المرور غير صالحة.',
};

const serverWords = (err, fallback) => [SERVER_AR[err.message] || fallback, err.message];

const INVITE_PROBLEMS = {
  invite_invalid: ['رابط الدعوة هذا غير صالح. تأكّد أنك نسخته كاملًا.',
    'This invite link is not valid. Check that you copied all of it.'],
  invite_expired: ['انتهت مدة هذه الدعوة. اطلب رابطًا جديدًا ممّن دعاك.',
    'This invite has expired. Ask the person who invited you for a new link.'],
  invite_used: ['استُعملت هذه الدعوة من قبل. اطلب رابطًا جديدًا ممّن دعاك.',
    'This invite has already been used. Ask the person who invited you for a new link.'],
  invite_revoked: ['سُحبت هذه الدعوة. اطلب رابطًا جديدًا ممّن دعاك.',
    'This invite was withdrawn. Ask the person who invited you for a new link.'],
};

const INVITE_STATES = {
  active: ['فعّالة', 'active'],
  used: ['مستعملة', 'used'],
  expired: ['منتهية', 'expired'],
  revoked: ['مسحوبة', 'withdrawn'],
};

const TITLE = 'مجلس · majlis';

// Where sign-in goes afterwards: "?next=/room/ID" from a page that needed
// it (only paths of this app; anything else goes home).
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '';
  return /^\/(new|room\/[A-Za-z0-9_-]{1,64})$/.test(next) ? next : '/';
}

function signedIn(ctx, user) {
  const next = nextPath();
  if (next === '/') handoff = { user };
  ctx.navigate(next, { replace: true });
}

function mount(ctx, node, focusTarget) {
  ctx.view.replaceChildren(node);
  if (ctx.focus && focusTarget) focusTarget.focus();
}

function showLoading(ctx) {
  ctx.view.replaceChildren(fromTemplate('tpl-loading').node);
}

function showProblem(ctx, err, retry) {
  const t = fromTemplate('tpl-problem');
  say(t.slot('msg'), 'error', ...explain(err));
  t.act('retry').addEventListener('click', retry);
  mount(ctx, t.node, t.node.querySelector('h2'));
}

function setBusy(form, on) {
  form.setAttribute('aria-busy', on ? 'true' : 'false');
  for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = on;
}

function clearOnInput(...inputs) {
  for (const input of inputs) input.addEventListener('input', () => fieldError(input));
}

// ---- "/" ----

export async function showHome(ctx) {
  document.title = TITLE;
  const given = handoff;
  handoff = null;
  if (given) {
    renderMe(ctx, given.user, given);
    return;
  }
  showLoading(ctx);
  let user;
  try {
    ({ user } = await api('GET', '/api/me'));
  } catch (err) {
    if (ctx.stale()) return;
    if (err.status === 401) renderLogin(ctx);
    else showProblem(ctx, err, () => showHome(ctx));
    return;
  }
  if (!ctx.stale()) renderMe(ctx, user, {});
}

// ---- "/login" (and "/" when signed out) ----

export async function showLogin(ctx) {
  document.title = `الدخول · ${TITLE}`;
  showLoading(ctx);
  // Already signed in: the sign-in form has nothing to do, go home.
  const user = await api('GET', '/api/me').then((r) => r.user, () => null);
  if (ctx.stale()) return;
  if (user) {
    signedIn(ctx, user);
    return;
  }
  renderLogin(ctx);
}

function renderLogin(ctx, { message } = {}) {
  const t = fromTemplate('tpl-login');
  const form = t.node.querySelector('form');
  const handle = form.querySelector('#login-handle');
  const pass = form.querySelector('#login-pass');
  const status = t.slot('status');
  const hidePass = passToggle(form.querySelector('.toggle'));
  if (message) say(status, '', ...message);
  clearOnInput(handle, pass);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const who = handle.value.trim().toLowerCase();
    fieldError(handle);
    fieldError(pass);
    if (!who) fieldError(handle, 'اكتب اسم المستخدم.', 'Enter your handle.');
    if (!pass.value) fieldError(pass, 'اكتب عبارة المرور.', 'Enter your passphrase.');
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
    say(status, 'busy', 'نتحقّق…', 'Checking…');
    try {
      const { user } = await api('POST', '/api/login', body);
      body.passphrase = '';
      if (ctx.stale()) return;
      signedIn(ctx, user);
    } catch (err) {
      body.passphrase = '';
      if (ctx.stale()) return;
      setBusy(form, false);
      if (err.code === 'invalid_credentials') {
        say(status, 'error', 'اسم المستخدم أو عبارة المرور غير صحيحة.', 'Wrong handle or passphrase.');
      } else if (err.code === 'suspended') {
        say(status, 'error', 'هذا الحساب موقوف.', 'This account is suspended.');
      } else {
        say(status, 'error', ...explain(err));
      }
      pass.focus();
    }
  });
  mount(ctx, t.node, t.node.querySelector('h2'));
}

// ---- "/invite/CODE" ----

export async function showInvite(ctx, code) {
  document.title = `دعوة · ${TITLE}`;
  const t = fromTemplate('tpl-invite');
  const about = t.slot('about');
  mount(ctx, t.node, t.node.querySelector('h2'));
  if (!CODE_RE.test(code)) {
    inviteProblem(about, 'invite_invalid');
    return;
  }
  // Asked together: who is signed in on this browser, if anyone.
  const meAsk = api('GET', '/api/me').then((r) => r.user, () => null);
  let info;
  try {
    info = await api('GET', `/api/invites/${code}`);
  } catch (err) {
    if (ctx.stale()) return;
    if (INVITE_PROBLEMS[err.code]) {
      inviteProblem(about, err.code);
    } else {
      say(about, 'error', ...explain(err));
      const retry = h('button', { type: 'button' }, ...bi('حاول مجددًا', 'Try again'));
      retry.addEventListener('click', () => showInvite(ctx, code));
      about.append(h('div', { className: 'buttons' }, retry));
    }
    return;
  }
  const me = await meAsk;
  if (ctx.stale()) return;
  about.dataset.state = 'ok';
  about.replaceChildren(inviterBlock(info.invited_by));
  if (info.expires_at) {
    const [ar, en] = dayWords(info.expires_at);
    about.append(h('p', { className: 'meta' }, ...bi(`الدعوة صالحة حتى ${ar}.`, `The invite is valid until ${en}.`)));
  }
  if (me) {
    // Signing up here would end this session; say who is in instead.
    const home = h('a', { href: '/', 'data-nav': true }, 'صفحتك');
    const homeEn = h('a', { href: '/', 'data-nav': true }, 'your page');
    about.append(h('p', { className: 'note' },
      h('span', { lang: 'ar' }, 'أنت داخل الآن باسم ', nameOf(me),
        '. لتنضمّ بحساب جديد، اخرج أولًا من ', home, '.'),
      h('span', { className: 'en', lang: 'en', dir: 'ltr' }, 'You are signed in as ', nameOf(me),
        '. To join with a new account, first sign out on ', homeEn, '.')));
    t.slot('alt').hidden = true;
    return;
  }
  wireSignup(ctx, t, code);
}

function inviterBlock(inviter) {
  if (!inviter) {
    return h('p', { className: 'inviter' },
      ...bi('دعوة من القائمين على هذا الخادم.', 'An invite from the people who run this server.'));
  }
  const avatar = h('span', { className: 'avatar small', 'aria-hidden': 'true' });
  fillAvatar(avatar, inviter.avatar);
  const hd = handleOf(inviter);
  return h('div', { className: 'inviter' }, avatar,
    h('div', {},
      h('p', {}, ...bi([nameOf(inviter), ' دعاك'], [nameOf(inviter), ' invited you'])),
      hd ? h('p', { className: 'inviter-handle' }, hd) : null));
}

function inviteProblem(about, code) {
  about.dataset.state = 'error';
  about.replaceChildren(h('p', { className: 'problem' }, ...bi(...INVITE_PROBLEMS[code])));
}

function wireSignup(ctx, t, code) {
  const form = t.node.querySelector('form');
  const handle = form.querySelector('#signup-handle');
  const name = form.querySelector('#signup-name');
  const pass = form.querySelector('#signup-pass');
  const status = t.slot('status');
  const hidePass = passToggle(form.querySelector('.toggle'));
  clearOnInput(handle, name, pass);
  form.hidden = false;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const who = handle.value.trim().toLowerCase();
    handle.value = who;
    for (const input of [handle, name, pass]) fieldError(input);
    if (!HANDLE_RE.test(who)) {
      fieldError(handle, 'اسم المستخدم من ٣ إلى ٢٠ حرفًا: حروف لاتينية صغيرة وأرقام و _ فقط.',
        'A handle is 3 to 20 of a–z, 0–9 and _.');
    }
    if (!name.value.trim()) fieldError(name, 'اكتب اسمًا يراه الآخرون.', 'Enter a name for others to see.');
    if ([...pass.value].length < PASS_MIN) {
      fieldError(pass, `عبارة المرور قصيرة: ${num(PASS_MIN)} أحرف على الأقل.`,
        `Too short: at least ${PASS_MIN} characters.`);
    }
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
    say(status, 'busy', 'ننشئ حسابك…', 'Creating your account…');
    try {
      const { user } = await api('POST', '/api/signup', body);
      body.passphrase = '';
      if (ctx.stale()) return;
      handoff = { user, welcome: true };
      // Replace the invite's page in the history: the code is spent.
      ctx.navigate('/', { replace: true });
      return;
    } catch (err) {
      body.passphrase = '';
      if (ctx.stale()) return;
      setBusy(form, false);
      signupRefused(t, err, { form, handle, name, pass, status });
    }
  });
}

function signupRefused(t, err, { form, handle, name, pass, status }) {
  let field = null;
  switch (err.code) {
    case 'invalid_handle':
      field = handle;
      fieldError(handle, ...serverWords(err, 'لم يُقبل اسم المستخدم هذا.'));
      break;
    case 'handle_taken':
      field = handle;
      fieldError(handle, 'اسم المستخدم هذا مأخوذ. جرّب غيره.', 'This handle is taken. Try another.');
      break;
    case 'invalid_display_name':
      field = name;
      fieldError(name, ...serverWords(err, 'لم يُقبل هذا الاسم.'));
      break;
    case 'weak_passphrase':
      field = pass;
      fieldError(pass, ...serverWords(err, 'لم تُقبل عبارة المرور هذه.'));
      break;
    default:
      if (INVITE_PROBLEMS[err.code]) {
        form.hidden = true;
        inviteProblem(t.slot('about'), err.code);
        t.node.querySelector('h2').focus();
        return;
      }
      say(status, 'error', ...explain(err));
      pass.focus();
      return;
  }
  // The passphrase was cleared when the form was sent.
  say(status, '', 'صحّح ما أشرنا إليه، ثم اكتب عبارة المرور مجددًا.',
    'Fix what is marked, then type your passphrase again.');
  field.focus();
}

// ---- the "me" panel ----

function paintInvitedBy(el, inviter) {
  if (!inviter) {
    say(el, '', 'انضممت بدعوة من القائمين على هذا الخادم.', 'You joined with an invite from the people who run this server.');
    return;
  }
  el.replaceChildren(...bi(['انضممت بدعوة من ', ...memberInline(inviter)],
    ['You joined through an invite from ', ...memberInline(inviter)]));
}

function paintLeft(el, left) {
  if (left === null || left === undefined) {
    say(el, '', 'دعواتك بلا حدّ، فأنت مشرف.', 'Your invites have no limit: you are an admin.');
  } else if (left <= 0) {
    say(el, '', 'لا يمكنك دعوة أحد الآن.', 'You cannot invite anyone right now.');
  } else {
    const people = arCount(left, { one: 'شخص واحد', two: 'شخصين', few: 'أشخاص', many: 'شخصًا', other: 'شخص' });
    say(el, '', `يمكنك دعوة ${people}.`, `You can invite ${enCount(left, 'more person', 'more people')}.`);
  }
}

function renderMe(ctx, user, { welcome = false } = {}) {
  document.title = TITLE;
  const t = fromTemplate('tpl-me');
  fillAvatar(t.slot('avatar'), user.avatar);
  t.slot('name').textContent = user.display_name;
  t.slot('handle').textContent = `@${user.handle}`;
  t.slot('admin').hidden = !user.admin;
  paintInvitedBy(t.slot('invited-by'), user.invited_by);
  paintLeft(t.slot('left'), user.invites_left);
  t.slot('welcome').hidden = !welcome;
  const status = t.slot('status');
  const list = t.slot('invites');
  const more = t.act('more');
  const newBox = t.slot('new-invite');
  const inviteBtn = t.act('invite');
  const logoutBtn = t.act('logout');
  let next = null;

  // Any call may find the session gone (expired, revoked elsewhere).
  const failed = (err) => {
    if (ctx.stale()) return;
    if (err.status === 401) renderLogin(ctx, { message: explain(err) });
    else say(status, 'error', ...explain(err));
  };

  async function loadInvites(append) {
    list.setAttribute('aria-busy', 'true');
    try {
      const r = await api('GET', append && next ? `/api/invites?before=${encodeURIComponent(next)}` : '/api/invites');
      if (ctx.stale()) return;
      if (!append) list.replaceChildren();
      for (const inv of r.invites) list.append(inviteRow(inv, withdraw));
      if (!list.children.length) {
        list.append(h('li', { className: 'empty' }, ...bi('لم تصنع دعوة بعد.', 'You have not made an invite yet.')));
      }
      next = r.next;
      more.hidden = !next;
      paintLeft(t.slot('left'), r.invites_left);
    } catch (err) {
      failed(err);
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  }

  async function withdraw(inv, button) {
    button.disabled = true;
    try {
      await api('DELETE', `/api/invites/${inv.id}`);
      if (ctx.stale()) return;
      say(status, 'ok', 'سُحبت الدعوة، ولن يعمل رابطها بعد الآن.', 'The invite was withdrawn; its link no longer works.');
      await loadInvites(false);
    } catch (err) {
      button.disabled = false;
      failed(err);
    }
  }

  inviteBtn.addEventListener('click', async () => {
    inviteBtn.disabled = true;
    say(status, 'busy', 'نصنع رابطًا…', 'Making a link…');
    try {
      const r = await api('POST', '/api/invites', {});
      if (ctx.stale()) return;
      say(status, '');
      showNewInvite(newBox, r.invite, inviteBtn);
      paintLeft(t.slot('left'), r.invites_left);
      loadInvites(false);
    } catch (err) {
      if (err.code === 'quota_exhausted') {
        say(status, 'error', 'لا دعوات متبقية لك. الدعوة التي تنتهي دون أن تُستعمل تعود إليك، ولك أن تسحب دعوة لم تُستعمل.',
          'You have no invites left. An invite that expires unused comes back to you, and you can withdraw an unused one.');
      } else {
        failed(err);
      }
    } finally {
      inviteBtn.disabled = false;
    }
  });

  logoutBtn.addEventListener('click', async () => {
    logoutBtn.disabled = true;
    try {
      await api('POST', '/api/logout', {});
    } catch (err) {
      if (err.status !== 401) {
        logoutBtn.disabled = false;
        failed(err);
        return;
      }
    }
    if (ctx.stale()) return;
    renderLogin({ ...ctx, focus: true }, { message: ['خرجت من حسابك. إلى اللقاء!', 'You have signed out. Goodbye!'] });
  });

  more.addEventListener('click', () => loadInvites(true));

  mount(ctx, t.node, t.slot('name').parentElement);
  loadInvites(false);
}

function inviteRow(inv, withdraw) {
  const [sa, se] = INVITE_STATES[inv.state] || [inv.state, inv.state];
  const ar = [`استُعملت ${num(inv.uses)} من ${num(inv.max_uses)}`];
  const en = [`${inv.uses} of ${inv.max_uses} used`];
  if (inv.state === 'active' || inv.state === 'expired') {
    const [da, de] = dayWords(inv.expires_at);
    ar.push(inv.state === 'active' ? `تنتهي ${da}` : `انتهت ${da}`);
    en.push(inv.state === 'active' ? `expires ${de}` : `expired ${de}`);
  }
  const li = h('li', { className: 'invite', 'data-state': inv.state },
    h('span', { className: 'chip' }, ...bi(sa, se)),
    h('p', { className: 'line' }, ...bi(ar.join(' · '), en.join(' · '))));
  if (inv.joined && inv.joined.length) {
    const names = (sep) => inv.joined.flatMap((m, i) => (i ? [sep, ...memberInline(m)] : memberInline(m)));
    li.append(h('p', { className: 'joined' }, ...bi(['انضمّ بها: ', ...names('، ')], ['Joined: ', ...names(', ')])));
  }
  if (inv.state === 'active') {
    const b = h('button', { type: 'button', className: 'small' }, ...bi('اسحبها', 'Withdraw'));
    b.addEventListener('click', () => withdraw(inv, b));
    li.append(b);
  }
  return li;
}

// The new link, shown once: the server keeps only a hash of the code.
function showNewInvite(box, inv, inviteBtn) {
  const t = fromTemplate('tpl-new-invite');
  const input = t.node.querySelector('#invite-link');
  const status = t.slot('status');
  input.value = inv.url;
  input.addEventListener('focus', () => input.select());
  const [da, de] = dayWords(inv.expires_at);
  if (inv.max_uses > 1) {
    const people = arCount(inv.max_uses, { one: 'شخص واحد', two: 'شخصين', few: 'أشخاص', many: 'شخصًا', other: 'شخص' });
    say(t.slot('terms'), '', `يصلح لـ${people} حتى ${da}.`, `For ${inv.max_uses} people, until ${de}.`);
  } else {
    say(t.slot('terms'), '', `يصلح لشخص واحد حتى ${da}.`, `For one person, until ${de}.`);
  }

  t.act('copy').addEventListener('click', async () => {
    let done = false;
    try {
      await navigator.clipboard.writeText(inv.url);
      done = true;
    } catch (_) {
      // No clipboard API outside secure contexts (plain http on a LAN).
      input.focus();
      input.select();
      try { done = document.execCommand('copy'); } catch (__) { done = false; }
    }
    if (done) say(status, 'ok', 'نُسخ الرابط.', 'Link copied.');
    else say(status, 'error', 'تعذّر النسخ. حدّد الرابط وانسخه بنفسك.', 'Could not copy. Select the link and copy it yourself.');
  });

  const share = t.act('share');
  if (navigator.share) {
    share.hidden = false;
    share.addEventListener('click', () => {
      navigator.share({ url: inv.url }).catch(() => {});
    });
  }

  t.act('done').addEventListener('click', () => {
    box.replaceChildren();
    inviteBtn.focus();
  });

  box.replaceChildren(t.node);
  t.node.querySelector('h3').focus();
}
