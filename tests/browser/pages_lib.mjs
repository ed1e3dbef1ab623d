// Helpers the member pages' browser tests share: moving inside the app,
// waiting for a view to settle, and checking what a page offers: nothing
// wider than the screen, and every control named, in the page's language.
import assert from 'node:assert/strict';
import { sleep } from './lib.mjs';

export const PASS = 'a long enough passphrase';

// Opens a path of the app inside the page, as its own links do. The
// server answers only some of the app's paths with its page (see the
// todo test in pages.test.mjs), so the page starts at "/" when it is not
// on the app yet.
export async function go(page, base, path) {
  if (!page.url().startsWith(base)) await page.goto(`${base}/`);
  await page.evaluate((p) => {
    const a = document.createElement('a');
    a.href = p;
    a.dataset.nav = '';
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
  }, path);
  await settled(page);
}

// A view has settled when it shows its heading and nothing in it is busy.
export async function settled(page) {
  await page.locator('#view h2').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('#view [aria-busy="true"]'));
}

export const langOf = (page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

// Signs in within the page's own session (the form is tested elsewhere),
// and opens the home.
export async function logIn(page, base, handle, pass = PASS) {
  if (!page.url().startsWith(base)) await page.goto(`${base}/login`);
  const status = await page.evaluate(async (body) => (await fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  })).status, { handle, passphrase: pass });
  assert.equal(status, 200, `login of ${handle}`);
  // The page learns who is signed in when it loads.
  await page.goto(`${base}/`);
  await settled(page);
}

export const apiStatus = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const init = { method: m, headers: { 'Content-Type': 'application/json' } };
  if (b) init.body = JSON.stringify(b);
  return (await fetch(p, init)).status;
}, [method, path, body]);

// Every control the reader can reach has a name (Chromium's own
// accessibility tree says), and what the page itself wrote in those names
// is in the page's language: members' names and handles (isolated in
// <bdi>, dir="auto" or FSI...PDI) and the language switch (marked with the
// other language) are left out of that.
export async function checkNames(page, where) {
  const snap = await page.locator('body').ariaSnapshot();
  const unnamed = snap.split('\n')
    .filter((l) => /^\s*- (button|link|textbox|checkbox|radio|combobox|spinbutton|searchbox|switch)(\s*\[[^\]]*\])*\s*:?\s*$/.test(l));
  assert.deepEqual(unnamed, [], `${where}: controls without a name`);

  const found = await page.evaluate(() => {
    const lang = document.documentElement.lang;
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const own = (node) => {
      const c = node.cloneNode(true);
      c.querySelectorAll('bdi, [dir="auto"], [aria-hidden="true"], .handle').forEach((n) => n.remove());
      c.querySelectorAll('[lang]').forEach((n) => { if (n.lang !== lang) n.remove(); });
      return c.textContent;
    };
    const out = [];
    const controls = 'a[href], button, input:not([type="hidden"]), textarea, select, [role="switch"]';
    for (const el of document.querySelectorAll(controls)) {
      if (!shown(el) || el.closest('dialog:not([open])')) continue;
      const marked = el.closest('[lang]');
      if (marked && marked !== document.documentElement && marked.lang !== lang) continue;
      let text = el.getAttribute('aria-label') || '';
      const by = el.getAttribute('aria-labelledby');
      if (!text && by) text = by.split(' ').map((id) => own(document.getElementById(id) || document.createElement('i'))).join(' ');
      if (!text && el.labels && el.labels.length) text = [...el.labels].map(own).join(' ');
      if (!text && !/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) text = own(el);
      text = text.replace(/\u2068[^\u2069]*\u2069/g, '').replace(/\s+/g, ' ').trim();
      out.push([el.outerHTML.slice(0, 100), text]);
    }
    return { lang, out };
  });
  const wrong = found.out.filter(([, text]) => (found.lang === 'en' ? /[\u0600-\u06FF]/.test(text) : /[A-Za-z]{2,}/.test(text)));
  assert.deepEqual(wrong, [], `${where}: names not in ${found.lang}`);
}

// Nothing sticks out sideways.
export async function checkWidth(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} is ${overflow}px too wide`);
}

// Everything the thumb must hit is at least 40 px high (links inside
// sentences excepted).
export async function checkTargets(page, where) {
  const small = await page.evaluate(() => [...document.querySelectorAll('#top a, #top button, #view button, #view a.button, #view a.member, #view input, #view textarea')]
    .filter((el) => el.getClientRects().length && !el.closest('dialog') && el.type !== 'radio' && el.type !== 'checkbox')
    .map((el) => [el.outerHTML.slice(0, 80), Math.round(el.getBoundingClientRect().height)])
    .filter(([, hgt]) => hgt < 40));
  assert.deepEqual(small, [], `${where}: touch targets of at least 40 px`);
}

export async function settle() {
  await sleep(120);
}
