// The app as an installable web app: the manifest and its icons, the
// service worker registering and taking control, the shell opening with
// the network off, and no answer of /api/ (nor /whip/, /whep/) ever in its
// cache, after a member has signed up and used the pages that ask the API
// the most. Also: the worker's list of the shell names every file of web/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, tempDir, cleanup, waitFor } from './lib.mjs';
import { watchPage, signUp, makeInvite } from './room_lib.mjs';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const INVITE_URL_RE = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{22})\b/;

let server;
let dir;
let browser;
const problems = [];

before(async () => {
  dir = tempDir();
  server = await startServer({ data: join(dir, 'data') });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stopCleanly();
  cleanup(dir);
});

function webFiles(d = WEB) {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? webFiles(p) : [`/${relative(WEB, p)}`];
  });
}

test('the shell list of sw.js names every file of the web app', () => {
  const sw = readFileSync(join(WEB, 'sw.js'), 'utf8');
  const listed = JSON.parse(sw.match(/const SHELL = (\[[^\]]*\]);/)[1].replace(/'/g, '"').replace(/,\s*\]/, ']'));
  const files = webFiles().filter((f) => f !== '/sw.js').sort();
  assert.deepEqual([...listed].sort(), files);
  assert.match(sw, /const VERSION = 'majlis-shell-\d+';/);
});

test('the manifest, its icons and the page link to it', async () => {
  const m = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
  assert.equal(m.name, 'مجلس · majlis');
  assert.equal(m.dir, 'rtl');
  assert.equal(m.lang, 'ar');
  assert.equal(m.start_url, '/');
  assert.equal(m.display, 'standalone');
  // The colours of app.css: the page's background and its accent.
  const css = readFileSync(join(WEB, 'app.css'), 'utf8');
  assert.ok(css.includes(`--bg: ${m.background_color};`), 'background_color is --bg');
  assert.ok(css.includes(`--accent: ${m.theme_color};`), 'theme_color is --accent');
  const sizes = new Set();
  for (const icon of m.icons) {
    const r = await fetch(`${server.url}${icon.src}`);
    assert.equal(r.status, 200, icon.src);
    assert.equal(r.headers.get('content-type'), icon.type, icon.src);
    if (icon.type === 'image/png') {
      const b = Buffer.from(await r.arrayBuffer());
      const [w, h] = [b.readUInt32BE(16), b.readUInt32BE(20)];
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      sizes.add(icon.sizes);
    }
  }
  assert.ok(sizes.has('192x192') && sizes.has('512x512'), 'PNG icons of 192 and 512 px');
  const html = await (await fetch(`${server.url}/`)).text();
  assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest">/);
});

test('the service worker keeps the shell, opens it offline, and never keeps an API answer', { timeout: 60000 }, async () => {
  const adminLink = await waitFor(() => INVITE_URL_RE.exec(server.stdout)?.[1], { what: 'admin invite on stdout' });
  const ctx = await browser.newContext({ locale: 'ar-IQ', viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  await watchPage(page, 'pwa', problems);
  try {
    await signUp(page, server.url, adminLink, 'nadia', 'نادية');
    await page.goto(server.url);
    await page.locator('#me-name').waitFor();
    // Registered, installed, and in control of the page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await waitFor(() => page.evaluate(() => !!navigator.serviceWorker.controller), { what: 'controlled by the worker' });
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), `${server.url}/sw.js`);

    // Pages that ask the API a lot, with the worker in the way, and an
    // invite's address (its code must not be kept either).
    const link = await makeInvite(page);
    // As if the kept page were older than the server's: the next page
    // loaded is a candidate to replace it.
    await page.evaluate(async () => {
      for (const name of await caches.keys()) await (await caches.open(name)).delete('/index.html');
    });
    await page.goto(link);
    await page.locator('.about .note').waitFor();
    await page.goto(server.url);
    await page.locator('#me-name').waitFor();
    for (const link of ['الدعوات', 'الإعدادات', 'صفحتك الشخصية']) {
      await page.locator('#top').getByRole('button', { name: 'القائمة' }).click();
      await page.locator('#site-nav').getByRole('link', { name: link }).click();
      await page.locator('main h2').first().waitFor();
    }
    await page.locator('.session-list li, .profile').first().waitFor();

    const kept = await page.evaluate(async () => {
      const out = {};
      for (const name of await caches.keys()) {
        const c = await caches.open(name);
        const keys = await c.keys();
        out[name] = keys.map((r) => new URL(r.url).pathname);
        // What a kept answer remembers of where it came from.
        for (const r of keys) out[`${name} answered from`] = [...(out[`${name} answered from`] || []), (await c.match(r)).url];
      }
      return out;
    });
    const names = Object.keys(kept).filter((n) => !n.endsWith(' answered from'));
    assert.equal(names.length, 1, `one cache: ${names}`);
    const paths = kept[names[0]];
    const from = kept[`${names[0]} answered from`].map((u) => new URL(u).pathname);
    assert.deepEqual(from.filter((p) => !(p === '/' || paths.includes(p))), [], 'kept answers come from the shell only');
    assert.deepEqual(paths.filter((p) => /^\/(api|whip|whep)(\/|$)/.test(p)), [], 'no answer of the API is kept');
    for (const p of ['/index.html', '/app.js', '/app.css', '/strings/ar.js', '/manifest.webmanifest', '/icons/icon-192.png']) {
      assert.ok(paths.includes(p), `${p} is kept`);
    }

    // Offline: the shell opens, in the reader's language, and says that
    // the server cannot be reached.
    await ctx.setOffline(true);
    await page.reload();
    await page.locator('#top .brand').waitFor();
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl']);
    await page.locator('main .msg').getByText('تعذّر الوصول إلى الخادم').waitFor();
    // Another of the app's addresses opens the same shell.
    await page.goto(`${server.url}/login`);
    await page.locator('#top .brand').waitFor();
    await ctx.setOffline(false);
    await page.goto(server.url);
    await page.locator('#me-name').waitFor();
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
  } finally {
    await ctx.close();
  }
});
