// The member pages in real browsers.
//
// A walk through: an admin (English, desktop) signs up from the
// first-start invite, makes an invite link on /invites and copies it; a
// second member (Arabic, phone) signs up through it; the admin sees who
// joined and follows them from their profile; the member sees whom they
// joined through, changes their name and bio in the settings (the server
// refusing a bio first, said in Arabic), and signs out their other
// sessions; the admin finds the member in /admin, previews and suspends
// their branch, and lifts it. Around it: blocking with its confirmation,
// a missing profile, a member kept out of /admin, sign-in and back
// (?next=), and deleting an account.
//
// Then every page at 360 and 1280 px, in Arabic and in English: nothing
// sticks out sideways, every control has a name in the page's language,
// the key controls have the English names this file lists, and
// screenshots are taken (kept in docs/screenshots with
// MAJLIS_SCREENSHOTS=docs/screenshots). Last, the language switch turns
// every page into English and back, and the choice survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, tempDir, cleanup, waitFor } from './lib.mjs';
import { watchPage, makeInvite } from './room_lib.mjs';
import {
  PASS, go, settled, langOf, logIn, apiStatus, checkNames, checkWidth, checkTargets, settle,
} from './pages_lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.MAJLIS_SCREENSHOTS
  ? resolve(HERE, '..', '..', process.env.MAJLIS_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'majlis-shots-'));
const FAILURES = join(tmpdir(), 'majlis-pages-failures');
const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

let server;
let dir;
let browser;
const contexts = [];
const pages = [];
const problems = [];

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
  if (!process.env.MAJLIS_SCREENSHOTS) cleanup(SHOTS);
});

async function person(name, locale, viewport = PHONE) {
  const ctx = await browser.newContext({ locale, viewport });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  pages.push([name, page]);
  await watchPage(page, name, problems);
  return page;
}

async function dumpPages() {
  mkdirSync(FAILURES, { recursive: true });
  for (const [name, p] of pages) {
    if (p.isClosed()) continue;
    await p.screenshot({ path: join(FAILURES, `pages-failure-${name}.png`), fullPage: true }).catch(() => {});
    const html = await p.locator('#view').innerHTML().catch((e) => e.message);
    console.error(`${name} at ${p.url()}:\n${html}`);
  }
}

// Runs a test's body, showing what each page looked like if it fails.
const watched = (fn) => async () => {
  try {
    await fn();
  } catch (e) {
    await dumpPages();
    throw e;
  }
  assert.deepEqual(problems, []);
};

const base = () => server.url;
const text = (page, sel) => page.locator(sel).innerText();
const view = (page) => page.locator('#view');
const header = (page) => page.locator('#top');

// The people of the walk, their pages kept for the next tests.
let admin;
let omar;

test('walk through: invite, join, follow, settings, sessions, suspend a branch', { timeout: 120000 }, watched(async () => {
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });

  // ---- the admin signs up from the first-start invite (English, desktop)
  admin = await person('admin', 'en-US', DESKTOP);
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await admin.goto(adminLink);
  await admin.getByLabel('Handle').fill('layla');
  await admin.getByLabel('Display name').fill('ليلى الحسن');
  await admin.getByLabel('Passphrase').fill(PASS);
  await admin.getByRole('button', { name: 'Join' }).click();
  await admin.waitForURL(`${base()}/`);
  await settled(admin);
  assert.deepEqual(await langOf(admin), ['en', 'ltr']);
  const nav = admin.locator('#site-nav');
  for (const name of ['Start a room', 'Invites', 'Settings', 'Your profile', 'Admin']) {
    assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `the header leads to ${name}`);
  }
  assert.match(await text(admin, '.me'), /One of the first members/);

  // ---- an invite link from /invites, copied
  await nav.getByRole('link', { name: 'Invites', exact: true }).click();
  await admin.waitForURL(`${base()}/invites`);
  await settled(admin);
  assert.equal(await nav.getByRole('link', { name: 'Invites' }).getAttribute('aria-current'), 'page');
  await admin.getByRole('button', { name: 'Make a link' }).click();
  await admin.locator('#invite-link').waitFor();
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'invite-link', 'the new link has the focus');
  const link = await admin.locator('#invite-link').inputValue();
  assert.match(link, new RegExp(`^${base()}/invite/[A-Za-z0-9_-]{22}$`));
  await admin.getByRole('button', { name: 'Copy', exact: true }).click();
  await admin.locator('.new-invite .form-status').getByText('Link copied.').waitFor();
  assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), link);

  // ---- a second member signs up through it (Arabic, phone)
  omar = await person('omar', 'ar-IQ');
  await omar.goto(link);
  await omar.locator('.inviter').getByText('ليلى الحسن').waitFor();
  assert.match(await text(omar, '.inviter'), /وصلتك دعوة من/);
  await omar.getByLabel('اسم المستخدم', { exact: true }).fill('omar');
  await omar.getByLabel('الاسم', { exact: true }).fill('Omar Haddad');
  await omar.getByLabel('عبارة المرور', { exact: true }).fill(PASS);
  await omar.getByRole('button', { name: 'انضمّ' }).click();
  await omar.waitForURL(`${base()}/`);
  await settled(omar);
  assert.deepEqual(await langOf(omar), ['ar', 'rtl']);
  assert.match(await text(omar, '.me'), /انضممت عن طريق/);

  // ---- the admin sees who joined, and follows them from their profile
  await go(admin, base(), '/invites');
  const used = admin.locator('.invite[data-state="used"]');
  await used.waitFor();
  await used.getByRole('link', { name: 'Omar Haddad' }).click();
  await admin.waitForURL(`${base()}/u/omar`);
  await settled(admin);
  assert.equal(await admin.locator('#profile-name').innerText(), 'Omar Haddad');
  assert.match(await text(admin, '.profile .joined'), /Joined through ليلى الحسن/);
  await admin.getByRole('button', { name: 'Follow', exact: true }).click();
  await admin.getByRole('button', { name: 'Unfollow', exact: true }).waitFor();
  assert.equal(await admin.evaluate(() => document.activeElement.textContent), 'Unfollow', 'the focus stays on the button');
  await admin.getByRole('link', { name: '1 follower' }).waitFor();

  // ---- the member sees whom they joined through, and who follows them
  await omar.locator('#top').getByRole('button', { name: 'القائمة' }).click();
  await omar.locator('#site-nav').getByRole('link', { name: 'صفحتك الشخصية' }).click();
  await omar.waitForURL(`${base()}/u/omar`);
  await settled(omar);
  const through = omar.locator('.profile .joined');
  assert.match(await through.innerText(), /انضمّ عن طريق/);
  assert.equal(await through.getByRole('link').getAttribute('href'), '/u/layla');
  assert.ok(await omar.getByRole('link', { name: 'عدّل صفحتك' }).isVisible());
  assert.equal(await omar.getByRole('button', { name: 'تابِع' }).count(), 0, 'no Follow on your own profile');
  await omar.getByRole('link', { name: 'متابع واحد' }).click();
  await omar.waitForURL(`${base()}/u/omar/followers`);
  await settled(omar);
  assert.equal(await omar.locator('.people-list a.member').getAttribute('href'), '/u/layla');
  await omar.locator('.people-list a.member').click();
  await omar.waitForURL(`${base()}/u/layla`);
  await settled(omar);
  assert.match(await text(omar, '.profile .joined'), /من أوائل الأعضاء/);
  assert.match(await text(omar, '.profile .me-handle'), /يتابعك/);

  // ---- the member's settings: a refused bio (in Arabic), then name and bio
  await go(omar, base(), '/settings');
  const bio = omar.getByLabel('النبذة', { exact: true });
  await bio.fill('\u202Eمقلوب');
  await omar.getByRole('button', { name: 'احفظ' }).click();
  await omar.locator('#set-bio-error').getByText('لا تُقبل رموز تتحكّم في اتجاه الكتابة.').waitFor();
  assert.equal(await bio.getAttribute('aria-invalid'), 'true');
  await omar.getByLabel('الاسم', { exact: true }).fill('عمر حداد');
  await bio.fill('صحفي من بغداد.\nI write about water and the Tigris.');
  await omar.getByRole('button', { name: 'احفظ' }).click();
  await omar.locator('#set-profile .form-status').getByText('حُفظ.').waitFor();
  await go(omar, base(), '/u/omar');
  assert.equal(await omar.locator('#profile-name').innerText(), 'عمر حداد');
  assert.equal(await omar.locator('.profile .bio').innerText(), 'صحفي من بغداد.\nI write about water and the Tigris.');
  assert.equal(await omar.locator('.profile .bio').getAttribute('dir'), 'auto');

  // ---- two more sessions of the member elsewhere; one signed out by
  // itself, then every other one
  const elsewhere = [];
  for (const n of [1, 2]) {
    const p = await person(`omar-${n}`, 'ar-IQ');
    await logIn(p, base(), 'omar');
    elsewhere.push(p);
  }
  await go(omar, base(), '/settings');
  const sessions = omar.locator('.session-list > li');
  assert.equal(await sessions.count(), 3);
  assert.equal(await omar.locator('.session.current').count(), 1);
  assert.match(await text(omar, '.session.current'), /هذا المتصفح/);
  await omar.locator('.session:not(.current)').first().getByRole('button', { name: 'اخرج' }).click();
  await waitFor(async () => (await sessions.count()) === 2, { what: 'one session fewer' });
  assert.equal((await Promise.all(elsewhere.map((p) => apiStatus(p, 'GET', '/api/me')))).filter((s) => s === 401).length, 1);
  await omar.getByRole('button', { name: 'اخرج من كل الجلسات الأخرى' }).click();
  await waitFor(async () => (await sessions.count()) === 1, { what: 'only this session' });
  assert.match(await text(omar, '#set-sessions .form-status'), /أُنهيت جلسة واحدة/);
  assert.deepEqual(await Promise.all(elsewhere.map((p) => apiStatus(p, 'GET', '/api/me'))), [401, 401]);
  assert.equal(await apiStatus(omar, 'GET', '/api/me'), 200, 'this one goes on');

  // ---- a third member joins through the second: a branch of two
  const sara = await person('sara', 'en-US');
  await sara.goto(`${base()}/login`);
  const saraLink = await makeInvite(omar);
  const code = saraLink.split('/').pop();
  assert.equal(await apiStatus(sara, 'POST', '/api/signup', {
    invite: code, handle: 'sara', display_name: 'Sara Ali', passphrase: PASS,
  }), 201);

  // ---- the admin finds the member and suspends their branch, then lifts it
  await admin.locator('#site-nav').getByRole('link', { name: 'Admin' }).click();
  await admin.waitForURL(`${base()}/admin`);
  await settled(admin);
  await admin.getByRole('searchbox', { name: 'Find a member' }).pressSequentially('om', { delay: 40 });
  const hit = admin.locator('#admin-results a.member', { hasText: 'عمر حداد' });
  await hit.waitFor();
  assert.match(await text(admin, '#view [role="status"]'), /1 member found/);
  assert.equal(admin.url(), `${base()}/admin?q=om`, 'the search is in the address');
  await hit.click();
  await admin.waitForURL(`${base()}/admin/u/omar`);
  await settled(admin);
  const inviter = admin.locator('.record a.member');
  assert.equal(await inviter.getAttribute('href'), '/admin/u/layla');
  assert.match(await inviter.innerText(), /ليلى الحسن/);
  assert.equal(await admin.locator('.admin-member .people-list a.member').getAttribute('href'), '/admin/u/sara');
  assert.match(await text(admin, '.branch'), /2 accounts \(active: 2, suspended: 0\)/);

  await admin.getByRole('button', { name: 'Suspend the whole branch' }).click();
  const confirm = admin.getByRole('dialog');
  await confirm.getByText('This suspends 2 accounts').waitFor();
  await confirm.getByRole('button', { name: 'Suspend 2 accounts' }).click();
  await admin.locator('.actions-status').getByText('2 accounts were suspended.').waitFor();
  assert.match(await text(admin, '.admin-member .me-handle'), /suspended/);
  assert.equal(await apiStatus(omar, 'GET', '/api/me'), 401, 'the member is signed out at once');
  assert.equal(await apiStatus(sara, 'GET', '/api/me'), 401, 'and so is their branch');
  await admin.getByRole('button', { name: 'Lift it for the whole branch' }).click();
  await admin.locator('.actions-status').getByText('The suspension of 2 accounts was lifted.').waitFor();
  assert.match(await text(admin, '.branch'), /active: 2, suspended: 0/);

  // Their invite quota, and the admin role (not one's own).
  await admin.getByLabel('Invite quota', { exact: true }).fill('5');
  await admin.getByRole('button', { name: 'Save', exact: true }).click();
  await admin.locator('#quota-status').getByText('Saved.').waitFor();
  assert.match(await text(admin, '.record'), /5 seats/);
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'quota-status', 'the focus goes to what happened');
  await go(admin, base(), '/admin/u/layla');
  assert.ok(await admin.getByRole('checkbox', { name: 'Admin' }).isDisabled(), 'your own role stays');
  await go(admin, base(), '/admin/u/omar');

  // Suspending one member previews that their branch stays, and can be
  // called off.
  await admin.getByRole('button', { name: 'Suspend', exact: true }).click();
  await admin.getByRole('dialog').getByText('The 1 other account in their branch is not touched.').waitFor();
  await admin.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await admin.getByRole('dialog').count(), 0);
  assert.equal(await admin.evaluate(() => document.activeElement.textContent), 'Suspend', 'the focus comes back');

  // ---- the member, signed out by the suspension, comes back: sign-in
  // leads back to the page asked for (?next=)
  await omar.goto(`${base()}/`);
  await settled(omar);
  await go(omar, base(), '/settings');
  await omar.waitForURL(`${base()}/login?next=%2Fsettings`);
  await omar.getByLabel('اسم المستخدم', { exact: true }).fill('omar');
  await omar.getByLabel('عبارة المرور', { exact: true }).fill(PASS);
  await omar.getByRole('button', { name: 'ادخل' }).click();
  await omar.waitForURL(`${base()}/settings`);
  await settled(omar);

  // ---- a member who is not an admin is told /admin is not for them
  await go(omar, base(), '/admin');
  await view(omar).getByText('للمشرفين فقط').waitFor();
  assert.equal(await omar.locator('#site-nav a[href="/admin"]').count(), 0, 'no Admin in their header');

  // ---- blocking asks first and says what it does
  await logIn(sara, base(), 'sara');
  await go(admin, base(), '/u/sara');
  await admin.getByRole('button', { name: 'Block', exact: true }).click();
  const ask = admin.getByRole('dialog');
  await ask.getByText('They cannot enter the rooms you host or moderate.').waitFor();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await admin.getByRole('button', { name: 'Block', exact: true }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
  await admin.getByRole('button', { name: 'Unblock', exact: true }).waitFor();
  assert.equal(await admin.getByRole('button', { name: 'Follow', exact: true }).count(), 0);
  await go(sara, base(), '/u/layla');
  await view(sara).getByText('Not found').waitFor();
  await go(admin, base(), '/settings');
  await admin.locator('#set-blocks a.member[href="/u/sara"]').waitFor();
  await admin.getByRole('button', { name: 'Unblock Sara Ali' }).click();
  await admin.locator('#set-blocks .form-status').getByText('You unblocked').waitFor();
  await go(sara, base(), '/u/layla');
  assert.equal(await sara.locator('#profile-name').innerText(), 'ليلى الحسن');

  // ---- a handle that is nobody's
  await go(admin, base(), '/u/nobody_here');
  await view(admin).getByRole('heading', { name: 'Not found' }).waitFor();

  // ---- deleting an account asks for the passphrase and says what stays
  const gone = await person('gone', 'en-US');
  await gone.goto(`${base()}/login`);
  const goneLink = await makeInvite(admin);
  assert.equal(await apiStatus(gone, 'POST', '/api/signup', {
    invite: goneLink.split('/').pop(), handle: 'gone_one', display_name: 'Gone Soon', passphrase: PASS,
  }), 201);
  await go(gone, base(), '/settings');
  await gone.getByRole('button', { name: 'Delete account' }).click();
  await gone.locator('#delete-form').getByText('can never be used again').waitFor();
  assert.match(await text(gone, '#delete-form'), /place without a name in the invite tree/);
  await gone.getByLabel('Your passphrase, to confirm').fill('not it at all');
  await gone.getByRole('button', { name: 'Delete my account for good' }).click();
  await gone.getByRole('dialog').getByRole('button', { name: 'Delete my account for good' }).click();
  await gone.locator('#delete-pass-error').getByText('That is not your passphrase.').waitFor();
  await gone.getByLabel('Your passphrase, to confirm').fill(PASS);
  await gone.getByRole('button', { name: 'Delete my account for good' }).click();
  await gone.getByRole('dialog').getByRole('button', { name: 'Delete my account for good' }).click();
  await gone.waitForURL(`${base()}/login`);
  await gone.locator('#login .form-status').getByText('Your account was deleted.').waitFor();
  await go(admin, base(), '/admin/u/layla');
  assert.match(await text(admin, '.admin-member .people-list'), /a deleted account/);
}));

// ---- every page, both languages, both sizes ----

// name, who looks at it (null: signed out), the path, and what to do
// once there; keys: the controls whose English names this file pins.
function pagesToShow(inviteLink) {
  return [
    {
      name: 'home', who: 'layla', path: '/',
      keys: [['link', 'Start a room'], ['link', 'Schedule a room'], ['link', 'Invites'], ['link', 'Settings']],
    },
    { name: 'signin', who: null, path: '/login', keys: [['button', 'Sign in']] },
    { name: 'invite', who: null, direct: inviteLink, keys: [['button', 'Join']] },
    { name: 'profile', who: 'sara', path: '/u/omar', keys: [['button', 'Follow'], ['button', 'Block']] },
    {
      name: 'invites', who: 'layla', path: '/invites', keys: [['button', 'Make a link'], ['button', 'Copy']],
      then: async (p) => {
        await p.locator('#invite-make').click();
        await p.locator('#invite-link').waitFor();
      },
    },
    { name: 'settings', who: 'omar', path: '/settings', keys: [['button', 'Sign out'], ['button', 'Delete account']] },
    {
      name: 'admin', who: 'layla', path: '/admin', keys: [['searchbox', 'Find a member']],
      then: async (p) => {
        await p.locator('#admin-q').fill('a');
        await p.locator('#admin-results a.member').first().waitFor();
      },
    },
    {
      name: 'admin-member', who: 'layla', path: '/admin/u/omar',
      keys: [['button', 'Suspend'], ['button', 'Suspend the whole branch']],
    },
  ];
}

test('every page at 360 and 1280 px, in Arabic and in English', { timeout: 180000 }, watched(async () => {
  // A fresh link for the invite landing.
  const inviteLink = await makeInvite(admin);
  const browsers = {};
  for (const lang of ['ar', 'en']) {
    for (const who of ['layla', 'omar', 'sara', null]) {
      const p = await person(`${who || 'guest'}-${lang}`, lang === 'ar' ? 'ar-IQ' : 'en-US');
      await p.goto(`${base()}/login`);
      if (who) await logIn(p, base(), who);
      browsers[`${who}-${lang}`] = p;
    }
  }
  for (const spec of pagesToShow(inviteLink)) {
    for (const lang of ['ar', 'en']) {
      const p = browsers[`${spec.who}-${lang}`];
      await p.setViewportSize(DESKTOP);
      if (spec.direct) {
        await p.goto(spec.direct);
        await p.locator('#signup').waitFor();
      } else {
        await go(p, base(), spec.path);
      }
      if (spec.then) await spec.then(p);
      assert.deepEqual(await langOf(p), [lang, lang === 'ar' ? 'rtl' : 'ltr'], `${spec.name} in ${lang}`);
      for (const [size, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
        const where = `${spec.name} ${tag} ${lang}`;
        await p.setViewportSize(size);
        await settle();
        await checkWidth(p, where);
        await checkNames(p, where);
        await checkTargets(p, where);
        if (lang === 'en' && tag === 'desktop') {
          for (const [role, name] of spec.keys) {
            assert.ok(await p.getByRole(role, { name, exact: true }).first().isVisible(), `${where}: ${role} "${name}"`);
          }
        }
        await p.screenshot({ path: join(SHOTS, `${spec.name}-${tag}-${lang}.png`), fullPage: true });
      }
      // The menu at 360 px: open, every link in it named, closed by Escape.
      if (spec.who && spec.name === 'home') {
        const toggle = p.locator('.menu-toggle');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await checkWidth(p, `${spec.name} menu ${lang}`);
        await checkNames(p, `${spec.name} menu ${lang}`);
        await p.screenshot({ path: join(SHOTS, `menu-phone-${lang}.png`) });
        await p.locator('#site-nav a').first().focus();
        await p.keyboard.press('Escape');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await p.evaluate(() => document.activeElement.classList.contains('menu-toggle')), true);
      }
    }
  }
}));

test('the language switch turns every page into English and back, and the choice stays', { timeout: 120000 }, watched(async () => {
  const p = await person('switch', 'ar-IQ', DESKTOP);
  await p.goto(`${base()}/login`);
  await logIn(p, base(), 'layla');
  const room = await p.evaluate(async () => (await (await fetch('/api/rooms', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'مجلس الخميس' }),
  })).json()).room.id);
  const heading = (sel, ar, en) => ({ sel, ar, en });
  const views = [
    ['/', heading('#hall-title', 'مباشر الآن', 'Live now')],
    ['/u/omar', heading('.profile .joined', 'انضمّ عن طريق', 'Joined through')],
    ['/u/omar/following', heading('#people-title', 'من يتابعهم', 'People')],
    ['/invites', heading('#invites-page-title', 'الدعوات', 'Invites')],
    ['/settings', heading('#settings-title', 'الإعدادات', 'Settings')],
    ['/admin', heading('#admin-title', 'الإشراف', 'Admin')],
    ['/admin/u/omar', heading('#actions-title', 'الإيقاف', 'Suspension')],
    ['/new', heading('#start-title', 'ابدأ غرفة', 'Start a room')],
    ['/schedule', heading('#schedule-title', 'جدوِل غرفة', 'Schedule a room')],
    ['/token', heading('#demo-title', 'تحدّث أو استمع برمز غرفة', 'Speak or listen with a room token')],
    [`/room/${room}`, heading('#stage-title', 'على المنصّة', 'On stage')],
  ];
  for (const [path, h] of views) {
    if (path.startsWith('/room/')) await p.goto(`${base()}${path}`);
    else await go(p, base(), path);
    await p.locator(h.sel).getByText(h.ar).waitFor();
    assert.deepEqual(await langOf(p), ['ar', 'rtl'], path);
    await header(p).getByRole('button', { name: 'English' }).click();
    await p.locator(h.sel).getByText(h.en).waitFor();
    assert.deepEqual(await langOf(p), ['en', 'ltr'], path);
    await checkNames(p, `${path} after the switch`);
    assert.equal(await p.evaluate(() => document.activeElement.textContent), 'العربية', 'the focus stays on the switch');
    await header(p).getByRole('button', { name: 'العربية' }).click();
    await p.locator(h.sel).getByText(h.ar).waitFor();
    assert.deepEqual(await langOf(p), ['ar', 'rtl'], path);
  }
  // The room goes on through the switch: one visit, one connection.
  assert.equal(await p.evaluate(() => window.testPcs.filter((pc) => pc.connectionState !== 'closed').length), 1);

  // Remembered on this device, and nothing else is.
  await go(p, base(), '/');
  await header(p).getByRole('button', { name: 'English' }).click();
  await p.reload();
  await settled(p);
  assert.deepEqual(await langOf(p), ['en', 'ltr']);
  await go(p, base(), '/settings');
  assert.ok(await p.getByRole('radio', { name: 'English' }).isChecked());
  assert.deepEqual(await p.evaluate(() => ({ ...localStorage })), { 'majlis.lang': 'en' });
  // Back to Arabic from the settings' own choice.
  await p.getByRole('radio', { name: 'العربية' }).check();
  await p.locator('#settings-title').getByText('الإعدادات').waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.value), 'ar', 'the focus stays on the choice');
  await go(p, base(), '/');
  await p.reload();
  await settled(p);
  assert.deepEqual(await langOf(p), ['ar', 'rtl']);
}));

// The server answers every address of the app with its page, so a shared
// link or a reload opens the right view (app_path() in src/api/router.c).
test('every address of the app opens from outside it', async () => {
  for (const path of ['/u/layla', '/u/layla/followers', '/invites', '/settings', '/admin',
    '/admin/u/layla', '/login', '/new', '/schedule', '/room/k3m8qz2xw4pa', '/token']) {
    const r = await fetch(`${base()}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /^text\/html/, path);
  }
});
