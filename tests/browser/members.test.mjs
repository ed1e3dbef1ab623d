// The members' pages in a real browser: the first-start admin invite link
// leads to a sign-up (in Arabic) with an Arabic name, the invites page
// makes an invite link, a second person (in English) opens it in a fresh
// browser, sees who invited them and the server's refusal of a name with a
// bidi override, then joins; sign-out, a wrong passphrase at /login, the
// right one, and a rate limit, said in Arabic and then, after the language
// switch, in English. Screenshots at phone and desktop widths go to
// tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, tempDir, cleanup, waitFor } from './lib.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;
const PASS = 'a long enough passphrase';
const PASS_KID = 'قهوة الصباح مع الأصدقاء';

let server;
let dir;
let browser;
const problems = [];

before(async () => {
  dir = tempDir();
  mkdirSync(OUT, { recursive: true });
  // login_account=1: the second login try on one handle from a browser
  // that holds no device cookie of the account is refused (429). Tries
  // from the browser the member signed up in do not count against it.
  server = await startServer({ data: `${dir}/data`, env: { MAJLIS_RATE_LIMITS: 'login_account=1/600' } });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, ...opts });
  const page = await ctx.newPage();
  pages.push(page);
  page.setDefaultTimeout(10000);
  // Errors thrown in the page, promises nobody caught, and CSP refusals.
  await page.addInitScript(() => {
    window.addEventListener('unhandledrejection', (e) => console.error(`unhandled: ${e.reason && e.reason.stack}`));
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to|^unhandled/i.test(m.text())) problems.push(m.text());
  });
  return { ctx, page };
}

// Full-page screenshots at a phone's and a desktop's size; at 360 px (the
// narrowest phones) nothing may stick out sideways either.
async function shoot(page, name) {
  for (const [w, hgt] of [[360, 740], [390, 844], [1280, 800]]) {
    await page.setViewportSize({ width: w, height: hgt });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} at ${w}px is ${overflow}px too wide`);
    if (w !== 360) await page.screenshot({ path: join(OUT, `${name}-${w}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 390, height: 844 });
}

const text = (page, sel) => page.locator(sel).innerText();
const noTokenTool = async (page) => assert.equal(await page.locator('#demo').count(), 0, 'the token tool is only at /token');
// Words put into a sentence are isolated (FSI ... PDI, i18n.js).
const FSI = '\u2068?';

// On a failure, what each open page showed: a screenshot and its view.
const pages = [];
async function dumpPages() {
  for (const [i, p] of pages.entries()) {
    if (p.isClosed()) continue;
    await p.screenshot({ path: join(OUT, `failure-${i}.png`), fullPage: true }).catch(() => {});
    const html = await p.locator('#view').innerHTML().catch((e) => e.message);
    console.error(`page ${i} at ${p.url()}:\n${html}`);
  }
}

test('join by invite, invite someone, sign out and in again', async () => {
  try {
    await flow();
  } catch (e) {
    await dumpPages();
    throw e;
  }
});

async function flow() {
  const started = Date.now();
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });

  // ---- the admin opens the first-start invite (phone, Iraqi Arabic locale)
  const { ctx: ctxA, page: a } = await newPage({ locale: 'ar-IQ' });
  await ctxA.grantPermissions(['clipboard-read', 'clipboard-write']);
  await a.goto(adminLink);
  assert.equal(await a.evaluate(() => document.documentElement.dir), 'rtl');
  await a.locator('.inviter').waitFor();
  assert.match(await text(a, '.inviter'), /القائمين على هذا الخادم/);
  await noTokenTool(a);
  await shoot(a, 'invite');

  // A handle the client refuses before asking the server.
  const handleA = a.getByLabel('اسم المستخدم', { exact: true });
  const nameA = a.getByLabel('الاسم', { exact: true });
  const passA = a.getByLabel('عبارة المرور', { exact: true });
  await handleA.fill('L');
  await nameA.fill('ليلى الحسن');
  await passA.fill(PASS);
  await a.getByRole('button', { name: 'انضمّ' }).click();
  assert.match(await text(a, '#signup-handle-error'), /من ٣ إلى ٢٠/);
  assert.equal(await a.evaluate(() => document.activeElement.id), 'signup-handle');
  assert.equal(await passA.inputValue(), PASS, 'nothing was sent, the passphrase stays');

  // The show/hide button is reachable by keyboard and works.
  await passA.focus();
  await a.keyboard.press('Tab');
  assert.equal(await a.evaluate(() => document.activeElement.textContent), 'أظهِر');
  await a.keyboard.press('Enter');
  assert.equal(await passA.getAttribute('type'), 'text');

  await handleA.fill('Layla');
  await a.getByRole('button', { name: 'انضمّ' }).click();
  await a.waitForURL(`${server.url}/`);
  await a.locator('#me-name').waitFor();
  assert.equal(await a.locator('#me-name bdi').textContent(), 'ليلى الحسن');
  assert.match(await text(a, '.me-handle'), /@layla/);
  assert.match(await text(a, '.welcome'), /أهلًا بك في المجلس/);
  await noTokenTool(a);
  // The session is an HttpOnly cookie, and the page keeps nothing itself.
  const cookies = await ctxA.cookies();
  assert.ok(cookies.some((c) => c.name === 'mj_session' && c.httpOnly && c.sameSite === 'Strict'));
  assert.deepEqual(await a.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);

  await shoot(a, 'me');

  // ---- an invite link, shown once, with a copy button
  await a.locator('main').getByRole('link', { name: 'ادعُ شخصًا' }).click();
  await a.waitForURL(`${server.url}/invites`);
  await a.getByRole('button', { name: 'اصنع رابطًا' }).click();
  await a.locator('#invite-link').waitFor();
  const link = await a.locator('#invite-link').inputValue();
  assert.match(link, new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{22}$`));
  assert.match(await text(a, '.new-invite'), /لن يظهر مرة أخرى/);
  await a.getByRole('button', { name: 'انسخ', exact: true }).click();
  await waitFor(async () => /نُسخ الرابط/.test(await text(a, '.new-invite .form-status')), { what: 'copied' });
  assert.equal(await a.evaluate(() => navigator.clipboard.readText()), link);
  await a.locator('.invite[data-state="active"]').first().waitFor();
  assert.equal(await a.locator('.invite').count(), 1);
  await shoot(a, 'invites');

  // ---- sign out (from the home's card)
  await a.locator('#top').getByRole('link', { name: 'مجلس' }).click();
  await a.waitForURL(`${server.url}/`);
  await a.locator('main').getByRole('button', { name: 'اخرج' }).click();
  await a.locator('#login-title').waitFor();
  assert.match(await text(a, '#login .form-status'), /خرجت من حسابك/);
  assert.equal(a.url(), `${server.url}/`);
  await noTokenTool(a);
  await a.screenshot({ path: join(OUT, 'signed-out-390.png'), fullPage: true });
  assert.equal(await a.evaluate(async () => (await fetch('/api/me')).status), 401);

  // ---- a second person, a fresh browser context, opens the link
  const { page: b } = await newPage();
  await b.goto(link);
  await b.locator('.inviter bdi.name').first().waitFor();
  assert.deepEqual(await b.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', 'ltr']);
  assert.equal(await b.locator('.inviter bdi.name').textContent(), 'ليلى الحسن');
  assert.match(await text(b, '.inviter'), /@layla/);
  assert.match(await text(b, '.inviter'), /invited you/);

  // A right-to-left override in the name: the server refuses it (its code
  // says which field, its English message why), and the reason shows
  // under the field in the page's language.
  await b.getByLabel('Handle').fill('kid_one');
  await b.getByLabel('Display name').fill('\u202Eevil name');
  await b.getByLabel('Passphrase').fill(PASS_KID);
  await b.getByRole('button', { name: 'Join' }).click();
  await waitFor(async () => /change the direction of writing are not allowed/.test(await text(b, '#signup-name-error')),
    { what: 'the server refusing the name' });
  assert.equal(await b.getByLabel('Display name').getAttribute('aria-invalid'), 'true');
  assert.equal(await b.evaluate(() => document.activeElement.id), 'signup-name');
  assert.equal(await b.getByLabel('Passphrase').inputValue(), '', 'the passphrase is cleared once sent');
  assert.equal(b.url(), link, 'the passphrase never reaches the address bar');
  await shoot(b, 'invite-refused');

  await b.getByLabel('Display name').fill('عمر');
  assert.equal(await b.getByLabel('Display name').getAttribute('aria-invalid'), null);
  await b.getByLabel('Passphrase').fill(PASS_KID);
  await b.getByLabel('Passphrase').press('Enter');
  await b.waitForURL(`${server.url}/`);
  await b.locator('#me-name').waitFor();
  assert.equal(await b.locator('#me-name bdi').textContent(), 'عمر');
  assert.match(await text(b, '.me'), /You joined through ليلى الحسن/);
  assert.match(await text(b, '.me'), /You can invite 3 more people/);
  await b.screenshot({ path: join(OUT, 'me-invited-390.png'), fullPage: true });
  await b.locator('main').getByRole('link', { name: 'Invite someone' }).click();
  await b.locator('.invite-list .empty').waitFor();
  assert.match(await text(b, '.invite-list'), /not made an invite yet/);
  await b.context().close();

  // ---- links that do not work say why
  await a.goto(link);
  await a.locator('.about .problem').waitFor();
  assert.match(await text(a, '.about'), /استُعملت هذه الدعوة من قبل/);
  assert.equal(await a.locator('#signup').count(), 0);
  await a.goto(`${server.url}/invite/not-a-code`);
  await a.locator('.about .problem').waitFor();
  assert.match(await text(a, '.about'), /غير صالح/);

  // ---- back on the first browser: /login, a wrong passphrase, then the right one
  // (reached through the page's own link: no reload, history.pushState)
  await a.locator('main').getByRole('link', { name: 'ادخل' }).click();
  await a.waitForURL(`${server.url}/login`);
  await a.locator('#login-title').waitFor();
  await noTokenTool(a);
  await shoot(a, 'login');
  await a.emulateMedia({ colorScheme: 'dark' });
  await a.screenshot({ path: join(OUT, 'login-dark-390.png'), fullPage: true });
  await a.emulateMedia({ colorScheme: 'light' });

  // Offline: the request never leaves, and the page says so.
  const handleL = a.getByLabel('اسم المستخدم', { exact: true });
  const passL = a.getByLabel('عبارة المرور', { exact: true });
  await a.context().setOffline(true);
  await handleL.fill('layla');
  await passL.fill(PASS);
  await a.getByRole('button', { name: 'ادخل' }).click();
  await waitFor(async () => /تعذّر الوصول إلى الخادم/.test(await text(a, '#login .form-status')), { what: 'offline' });
  await a.context().setOffline(false);

  await passL.fill('not the passphrase');
  await passL.press('Enter');
  await waitFor(async () => /اسم المستخدم أو عبارة المرور غير صحيحة/.test(await text(a, '#login .form-status')),
    { what: 'login refused' });
  assert.equal(await passL.inputValue(), '');
  assert.equal(a.url(), `${server.url}/login`);
  await a.screenshot({ path: join(OUT, 'login-refused-390.png'), fullPage: true });

  await passL.fill(PASS);
  await a.getByRole('button', { name: 'ادخل' }).click();
  await a.waitForURL(`${server.url}/`);
  await a.locator('#me-name').waitFor();
  assert.equal(await a.locator('#me-name bdi').textContent(), 'ليلى الحسن');
  // Omar joined through Layla's link.
  await a.locator('main').getByRole('link', { name: 'ادعُ شخصًا' }).click();
  await a.locator('.invite[data-state="used"]').waitFor();
  assert.match(await text(a, '.invite[data-state="used"]'), /عمر/);
  await a.screenshot({ path: join(OUT, 'invites-later-390.png'), fullPage: true });

  // A second link: hidden with "Done", then withdrawn from the list.
  await a.getByRole('button', { name: 'اصنع رابطًا' }).click();
  await a.locator('#invite-link').waitFor();
  await a.getByRole('button', { name: 'تمّ، أخفِه' }).click();
  assert.equal(await a.locator('#invite-link').count(), 0, 'the link is gone from the page');
  assert.equal(await a.evaluate(() => document.activeElement.textContent), 'اصنع رابطًا');
  await a.locator('.invite[data-state="active"]').waitFor();
  await a.locator('.invite[data-state="active"]').getByRole('button', { name: 'اسحبها' }).click();
  await a.locator('.invite[data-state="revoked"]').waitFor();
  assert.match(await text(a, '.invites-page > .form-status'), /سُحبت الدعوة/);
  assert.equal(await a.locator('.invite').count(), 2);

  // ---- the session ends behind the page's back: the next call finds out,
  // and signing in again comes back here
  await a.context().clearCookies();
  await a.getByRole('button', { name: 'اصنع رابطًا' }).click();
  await a.locator('#login-title').waitFor();
  assert.match(await text(a, '#login .form-status'), /انتهت جلستك/);
  assert.equal(a.url(), `${server.url}/login?next=%2Finvites`);

  // ---- too many tries (the cleared cookies took the device cookie too):
  // the wait from Retry-After, in words, Arabic...
  for (let i = 0; i < 2; i++) {
    await handleL.fill('layla');
    await passL.fill('still not it');
    await passL.press('Enter');
    await waitFor(async () => (await a.locator('#login').getAttribute('aria-busy')) === 'false', { what: 'answer' });
  }
  assert.match(await text(a, '#login .form-status'),
    new RegExp(`حاول بعد ${FSI}([٠-٩]+ (ثانية|ثوانٍ|دقيقة|دقائق)|ثانيتين|دقيقتين|ثانية واحدة|دقيقة واحدة)`));
  // ...and in English, after the header's language switch (what was typed stays).
  await a.locator('#top').getByRole('button', { name: 'English' }).click();
  assert.deepEqual(await a.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', 'ltr']);
  assert.equal(await a.getByLabel('Handle').inputValue(), 'layla');
  await a.getByLabel('Passphrase').fill('still not it');
  await a.getByLabel('Passphrase').press('Enter');
  await waitFor(async () => /Try again in/.test(await text(a, '#login .form-status')), { what: 'refused in English' });
  assert.match(await text(a, '#login .form-status'), new RegExp(`Try again in ${FSI}\\d+ (seconds?|minutes?)`));

  assert.deepEqual(problems, []);
  const took = Date.now() - started;
  console.log(`members flow took ${took} ms`);
}
