// Strings by key, one file per language (strings/ar.js, strings/en.js).
//
//   t(key, vars)   the text for key in the reader's language, with {name}
//                  replaced from vars; numbers are written the language's
//                  way, other values are isolated (FSI…PDI) so a name in
//                  one direction never reorders the sentence around it.
//                  A key whose value is an object is plural-aware: vars.n
//                  picks the form (Intl.PluralRules: zero, one, two, few,
//                  many, other).
//   tn(key, vars)  the same as a list of DOM children, for vars that are
//                  nodes (a name in its own <bdi>).
//   when(unix)     a moment in the reader's time zone, in their language;
//                  shortWhen(unix) the same without the weekday.
//   day(unix)      a day (the year only when it is not this one).
//   fromNow(unix)  how far a moment is from now, in words ("in 2 hours").
//   zoneName()     the reader's time zone, named in their language.
//
// The language: a choice the reader made (stored under "majlis.lang", a
// preference and nothing else), else English when the browser's first
// language is English, else Arabic.
import ar from './strings/ar.js';
import en from './strings/en.js';

const TABLES = { ar, en };
const KEY = 'majlis.lang';
const DIR = { ar: 'rtl', en: 'ltr' };

function stored() {
  try {
    const v = localStorage.getItem(KEY);
    return v && TABLES[v] ? v : null;
  } catch (_) {
    return null; // storage may be off; the browser's languages decide
  }
}

function fromBrowser() {
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || '';
  return /^en/i.test(first) ? 'en' : 'ar';
}

let current = stored() || fromBrowser();
let locale;
let numbers;
let plurals;
let moments;
let shortMoments;
let relatives;

function setup() {
  // Arabic follows the reader's own Arabic locale (ar-IQ, ar-SA...) when
  // the browser has one, always with Arabic-Indic digits like the text.
  const arLocale = ((navigator.languages || []).find((l) => /^ar(-|$)/i.test(l)) || 'ar').split(/-[ux]-/i)[0];
  locale = current === 'ar' ? `${arLocale}-u-nu-arab` : 'en-GB';
  numbers = new Intl.NumberFormat(locale);
  plurals = new Intl.PluralRules(current);
  // In the reader's own time zone, named, so that a time read out to
  // someone elsewhere is not mistaken for theirs.
  moments = new Intl.DateTimeFormat(locale, {
    weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  });
  shortMoments = new Intl.DateTimeFormat(locale, {
    day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  });
  relatives = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
}
setup();

export const lang = () => current;
export const dir = () => DIR[current];
export const other = () => (current === 'ar' ? 'en' : 'ar');

// Remembers the reader's choice; the caller renders again.
export function setLang(l) {
  if (!TABLES[l]) return;
  current = l;
  try { localStorage.setItem(KEY, l); } catch (_) { /* kept for this page only */ }
  setup();
}

export const num = (n) => numbers.format(n);
// A moment from unix seconds: day, time and time zone.
export const when = (unix) => moments.format(new Date(unix * 1000));
// The same without the weekday, for lists of moments.
export const shortWhen = (unix) => shortMoments.format(new Date(unix * 1000));

// How far a moment (unix seconds) is from now: "now" within a minute,
// then minutes and hours up to a day ("in 5 minutes", "in 2 hours"), then
// days by the calendar ("tomorrow", "in 3 days"); the past likewise
// ("10 minutes ago").
export function fromNow(unix, now = Date.now()) {
  const s = Math.round(unix - now / 1000);
  const a = Math.abs(s);
  if (a < 60) return relatives.format(0, 'second');
  if (a < 3600) return relatives.format(Math.round(s / 60), 'minute');
  if (a < 86400) return relatives.format(Math.round(s / 3600), 'hour');
  // Whole days by the reader's calendar, so "tomorrow" is tomorrow.
  const midnight = (ms) => { const d = new Date(ms); d.setHours(0, 0, 0, 0); return d.getTime(); };
  return relatives.format(Math.round((midnight(unix * 1000) - midnight(now)) / 86400000), 'day');
}

// The reader's time zone in their language ("Arabian Standard Time",
// "توقيت غرينتش"), and its identifier (Asia/Baghdad), which the name
// alone may not make plain.
export function zoneName() {
  const id = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  let name = '';
  try {
    const part = new Intl.DateTimeFormat(locale, { timeZoneName: 'long' }).formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName');
    name = part ? part.value : '';
  } catch (_) { /* the identifier alone */ }
  return { id, name };
}

// A day from unix seconds, without the time; the year only when it is
// not this one.
export function day(unix) {
  const d = new Date(unix * 1000);
  const opts = { day: 'numeric', month: 'long' };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return new Intl.DateTimeFormat(locale, opts).format(d);
}

// Puts the reader's language and its direction on <html>: every view
// speaks that one language.
export function applyToPage() {
  document.documentElement.lang = current;
  document.documentElement.dir = DIR[current];
}

function lookup(key, vars) {
  let v = TABLES[current][key];
  if (v === undefined) v = TABLES.en[key];
  if (v === undefined) return key;
  if (typeof v === 'object') {
    const n = Number(vars.n);
    v = v[plurals.select(n)] ?? v.other;
  }
  return v;
}

const isolate = (s) => `\u2068${s}\u2069`;

export function t(key, vars = {}) {
  return lookup(key, vars).replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in vars)) return m;
    const v = vars[k];
    if (typeof v === 'number') return num(v);
    if (v instanceof Node) return isolate(v.textContent);
    return isolate(String(v));
  });
}

export function tn(key, vars = {}) {
  const out = [];
  const text = lookup(key, vars);
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    if (!(m[1] in vars)) continue;
    out.push(text.slice(last, m.index));
    const v = vars[m[1]];
    if (v instanceof Node) out.push(v);
    else if (typeof v === 'number') out.push(num(v));
    else out.push(isolate(String(v)));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out.filter((x) => x !== '');
}
