// The members' pages in a real browser: the first-start admin invite link
// leads to a sign-up with an Arabic name, the "me" panel makes an invite
// link, a second person opens it in a fresh browser, sees who invited them
// and the server's refusal of a name with a bidi override, then joins;
// sign-out, a wrong passphrase at /login, the right one, and a rate limit.
// Screenshots at phone and desktop widths go to tests/browser/out/.
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
  // login_account=3: the fourth login try on one handle is refused (429).
  server = await startServer({ data: `${dir}/data`, env: { MAJLIS_RATE_LIMITS: 'login_account=3/600' } });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stop();
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
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout())?.[1], { what: 'admin invite on stdout' });

  // ---- the admin opens the first-start invite (phone, Iraqi Arabic locale)
  const { ctx: ctxA, page: a } = await newPage({ locale: 'ar-IQ' });
  await ctxA.grantPermissions(['clipboard-read', 'clipboard-write']);
  await a.goto(adminLink);
  assert.equal(await a.evaluate(() => document.documentElement.dir), 'rtl');
  await a.locator('.inviter').waitFor();
  assert.match(await text(a, '.inviter'), /القائمين على هذا الخادم/);
  assert.ok(await a.locator('#demo').isHidden(), 'the audio demo is not on the invite page');
  await shoot(a, 'invite');

  // A handle the client refuses before asking the server.
  await a.getByLabel('Handle').fill('L');
  await a.getByLabel('Display name').fill('ليلى الحسن');
  await a.getByLabel('Passphrase').fill(PASS);
  await a.getByRole('button', { name: /Join/ }).click();
  assert.match(await text(a, '#signup-handle-error'), /3 to 20/);
  assert.equal(await a.evaluate(() => document.activeElement.id), 'signup-handle');
  assert.equal(await a.getByLabel('Passphrase').inputValue(), PASS, 'nothing was sent, the passphrase stays');

  // The show/hide button is reachable by keyboard and works.
  await a.getByLabel('Passphrase').focus();
  await a.keyboard.press('Tab');
  assert.match(await a.evaluate(() => document.activeElement.textContent), /Show/);
  await a.keyboard.press('Enter');
  assert.equal(await a.getByLabel('Passphrase').getAttribute('type'), 'text');

  await a.getByLabel('Handle').fill('Layla');
  await a.getByRole('button', { name: /Join/ }).click();
  await a.waitForURL(`${server.url}/`);
  await a.locator('#me-name').waitFor();
  assert.equal(await a.locator('#me-name bdi').textContent(), 'ليلى الحسن');
  assert.match(await text(a, '.me-handle'), /@layla/);
  assert.match(await text(a, '.welcome'), /Welcome/);
  assert.ok(await a.locator('#demo').isHidden(), 'the token tool is not on the home page');
  // The session is an HttpOnly cookie, and the page keeps nothing itself.
  const cookies = await ctxA.cookies();
  assert.ok(cookies.some((c) => c.name === 'mj_session' && c.httpOnly && c.sameSite === 'Strict'));
  assert.deepEqual(await a.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);

  // ---- an invite link, shown once, with a copy button
  await a.getByRole('button', { name: /Invite someone/ }).click();
  const link = await a.locator('#invite-link').inputValue();
  assert.match(link, new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{22}$`));
  assert.match(await text(a, '.new-invite'), /will not be shown again/);
  await a.getByRole('button', { name: /Copy/ }).click();
  await waitFor(async () => /Link copied/.test(await text(a, '.new-invite .form-status')), { what: 'copied' });
  assert.equal(await a.evaluate(() => navigator.clipboard.readText()), link);
  await a.locator('.invite[data-state="active"]').first().waitFor();
  assert.equal(await a.locator('.invite').count(), 1);
  await shoot(a, 'me');

  // ---- sign out
  await a.getByRole('button', { name: /Sign out/ }).click();
  await a.locator('#login-title').waitFor();
  assert.match(await text(a, '#login .form-status'), /signed out/);
  assert.equal(a.url(), `${server.url}/`);
  assert.ok(await a.locator('#demo').isHidden());
  await a.screenshot({ path: join(OUT, 'signed-out-390.png'), fullPage: true });
  assert.equal(await a.evaluate(async () => (await fetch('/api/me')).status), 401);

  // ---- a second person, a fresh browser context, opens the link
  const { page: b } = await newPage();
  await b.goto(link);
  await b.locator('.inviter bdi.name').first().waitFor();
  assert.equal(await b.locator('.inviter [lang="ar"] bdi.name').textContent(), 'ليلى الحسن');
  assert.match(await text(b, '.inviter'), /@layla/);
  assert.match(await text(b, '.inviter'), /دعاك/);
  assert.match(await text(b, '.inviter'), /invited you/);

  // A right-to-left override in the name: the server refuses it, and its
  // reason shows under the field, in Arabic and in its own English.
  await b.getByLabel('Handle').fill('kid_one');
  await b.getByLabel('Display name').fill('\u202Eevil name');
  await b.getByLabel('Passphrase').fill(PASS_KID);
  await b.getByRole('button', { name: /Join/ }).click();
  await waitFor(async () => /bidirectional control characters are not allowed/.test(await text(b, '#signup-name-error')),
    { what: 'the server refusing the name' });
  assert.match(await text(b, '#signup-name-error'), /اتجاه الكتابة/);
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
  assert.match(await text(b, '.me'), /ليلى الحسن/);
  assert.match(await text(b, '.me'), /You can invite 3 more people/);
  assert.match(await text(b, '.invite-list'), /not made an invite yet/);
  await b.screenshot({ path: join(OUT, 'me-invited-390.png'), fullPage: true });
  await b.context().close();

  // ---- links that do not work say why
  await a.goto(link);
  await a.locator('.about .problem').waitFor();
  assert.match(await text(a, '.about'), /already been used/);
  assert.ok(await a.locator('#signup').isHidden());
  await a.goto(`${server.url}/invite/not-a-code`);
  await a.locator('.about .problem').waitFor();
  assert.match(await text(a, '.about'), /not valid/);

  // ---- back on the first browser: /login, a wrong passphrase, then the right one
  // (reached through the page's own link: no reload, history.pushState)
  await a.getByRole('link', { name: 'Sign in' }).click();
  await a.waitForURL(`${server.url}/login`);
  await a.locator('#login-title').waitFor();
  assert.ok(await a.locator('#demo').isHidden());
  await shoot(a, 'login');
  await a.emulateMedia({ colorScheme: 'dark' });
  await a.screenshot({ path: join(OUT, 'login-dark-390.png'), fullPage: true });
  await a.emulateMedia({ colorScheme: 'light' });

  // Offline: the request never leaves, and the page says so.
  await a.context().setOffline(true);
  await a.getByLabel('Handle').fill('layla');
  await a.getByLabel('Passphrase').fill(PASS);
  await a.getByRole('button', { name: 'Sign in' }).click();
  await waitFor(async () => /Cannot reach the server/.test(await text(a, '#login .form-status')), { what: 'offline' });
  await a.context().setOffline(false);

  await a.getByLabel('Passphrase').fill('not the passphrase');
  await a.getByLabel('Passphrase').press('Enter');
  await waitFor(async () => /Wrong handle or passphrase/.test(await text(a, '#login .form-status')), { what: 'login refused' });
  assert.match(await text(a, '#login .form-status'), /غير صحيحة/);
  assert.equal(await a.getByLabel('Passphrase').inputValue(), '');
  assert.equal(a.url(), `${server.url}/login`);
  await a.screenshot({ path: join(OUT, 'login-refused-390.png'), fullPage: true });

  await a.getByLabel('Passphrase').fill(PASS);
  await a.getByRole('button', { name: 'Sign in' }).click();
  await a.waitForURL(`${server.url}/`);
  await a.locator('#me-name').waitFor();
  assert.equal(await a.locator('#me-name bdi').textContent(), 'ليلى الحسن');
  // Omar joined through Layla's link.
  await a.locator('.invite[data-state="used"]').waitFor();
  assert.match(await text(a, '.invite[data-state="used"]'), /عمر/);
  await a.screenshot({ path: join(OUT, 'me-later-390.png'), fullPage: true });

  // A second link: hidden with "Done", then withdrawn from the list.
  await a.getByRole('button', { name: /Invite someone/ }).click();
  await a.locator('#invite-link').waitFor();
  await a.getByRole('button', { name: /Done, hide it/ }).click();
  assert.equal(await a.locator('#invite-link').count(), 0, 'the link is gone from the page');
  assert.match(await a.evaluate(() => document.activeElement.textContent), /Invite someone/);
  await a.locator('.invite[data-state="active"]').waitFor();
  await a.locator('.invite[data-state="active"]').getByRole('button', { name: /Withdraw/ }).click();
  await a.locator('.invite[data-state="revoked"]').waitFor();
  assert.match(await text(a, '.me > .form-status'), /withdrawn/);
  assert.equal(await a.locator('.invite').count(), 2);

  // ---- the session ends behind the page's back: the next call finds out
  await a.context().clearCookies();
  await a.getByRole('button', { name: /Invite someone/ }).click();
  await a.locator('#login-title').waitFor();
  assert.match(await text(a, '#login .form-status'), /session has ended/);

  // ---- too many tries: the wait from Retry-After, in words
  for (let i = 0; i < 2; i++) {
    await a.getByLabel('Handle').fill('layla');
    await a.getByLabel('Passphrase').fill('still not it');
    await a.getByLabel('Passphrase').press('Enter');
    await waitFor(async () => (await a.locator('#login').getAttribute('aria-busy')) === 'false', { what: 'answer' });
  }
  const limited = await text(a, '#login .form-status');
  assert.match(limited, /Try again in \d+ (seconds?|minutes?)/);
  assert.match(limited, /حاول بعد/);

  assert.deepEqual(problems, []);
  const took = Date.now() - started;
  console.log(`members flow took ${took} ms`);
}
