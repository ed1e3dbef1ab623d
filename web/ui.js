// Small DOM helpers for the views: Arabic with English beside it, members'
// names in their own isolated spans, and numbers, counts and dates in words.

// Arabic formatting follows the reader's own Arabic locale when the browser
// has one (ar-IQ, ar-SA...), else plain "ar"; digits are always the
// Arabic-Indic ones (٠١٢٣), like the page's own text.
const AR = `${((navigator.languages || []).find((l) => /^ar(-|$)/i.test(l)) || 'ar').split(/-[ux]-/i)[0]}-u-nu-arab`;
const arNumber = new Intl.NumberFormat(AR);
const arPlural = new Intl.PluralRules('ar');

export const num = (n) => arNumber.format(n);

// Creates an element: attrs are properties (className, dir, lang, hidden...)
// or, for names with a dash, attributes; children are strings or nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.includes('-')) el.setAttribute(k, v === true ? '' : String(v));
    else el[k] = v;
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// The pair of spans every text has: the Arabic, then the English, which
// the style sheet puts on its own line where the text is a sentence.
export function bi(ar, en) {
  return [
    h('span', { lang: 'ar' }, ar),
    ' ',
    h('span', { className: 'en', lang: 'en', dir: 'ltr' }, en),
  ];
}

// Puts a message into a status element: kind is '', 'ok', 'error' or 'busy'.
export function say(el, kind, ar, en) {
  el.dataset.state = kind || '';
  el.replaceChildren(...(ar || en ? bi(ar, en) : []));
}

// A member's display name, isolated so that a name in one direction never
// reorders the sentence around it (docs/api.md asks for this).
export function nameOf(member) {
  if (!member || member.deleted || !member.display_name) {
    return h('span', { className: 'deleted' }, ...bi('حساب محذوف', 'a deleted account'));
  }
  return h('bdi', { className: 'name' }, member.display_name);
}

export function handleOf(member) {
  if (!member || !member.handle) return null;
  return h('bdi', { className: 'handle', dir: 'ltr' }, `@${member.handle}`);
}

// "Name (@handle)" for inline use; a deleted member has no handle.
export function memberInline(member) {
  const hd = handleOf(member);
  return hd ? [nameOf(member), ' ', hd] : [nameOf(member)];
}

// The initials avatar: initials come from the server (grapheme-aware,
// joined by ZWNJ), the hue from the handle.
export function fillAvatar(el, avatar) {
  const a = avatar || {};
  el.textContent = a.initials || '؟';
  el.dir = 'auto';
  el.style.setProperty('--hue', String(Number.isInteger(a.hue) ? a.hue : 160));
}

// A counted noun in Arabic: forms.one and forms.two are whole phrases
// ("ثانية واحدة", "ثانيتين"); few (3-10), many (11-99) and other (100,
// 0...) follow the number.
export function arCount(n, forms) {
  switch (arPlural.select(n)) {
    case 'one': return forms.one;
    case 'two': return forms.two;
    case 'few': return `${num(n)} ${forms.few}`;
    case 'many': return `${num(n)} ${forms.many}`;
    default: return `${num(n)} ${forms.other || forms.many}`;
  }
}

export const enCount = (n, one, other) => `${n} ${n === 1 ? one : other}`;

// How long to wait, from a Retry-After in seconds: [arabic, english].
export function waitWords(seconds) {
  if (seconds < 120) {
    return [
      arCount(seconds, { one: 'ثانية واحدة', two: 'ثانيتين', few: 'ثوانٍ', many: 'ثانية' }),
      enCount(seconds, 'second', 'seconds'),
    ];
  }
  const m = Math.ceil(seconds / 60);
  return [
    arCount(m, { one: 'دقيقة واحدة', two: 'دقيقتين', few: 'دقائق', many: 'دقيقة' }),
    enCount(m, 'minute', 'minutes'),
  ];
}

// A day from unix seconds: [arabic, english]; the year only when it is not
// this one.
export function dayWords(unix) {
  const d = new Date(unix * 1000);
  const opts = { day: 'numeric', month: 'long' };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return [
    new Intl.DateTimeFormat(AR, opts).format(d),
    new Intl.DateTimeFormat('en-GB', { ...opts, month: 'short' }).format(d),
  ];
}

// Clones a <template> from index.html; slot(name) finds its parts.
export function fromTemplate(id) {
  const node = document.getElementById(id).content.firstElementChild.cloneNode(true);
  const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
  const act = (name) => node.querySelector(`[data-act="${name}"]`);
  return { node, slot, act };
}

// Field-level errors: the message goes into the field's .field-error
// (INPUT_ID-error, which the input names in aria-describedby), and the
// input is marked invalid.
export function fieldError(input, ar, en) {
  const box = input.closest('.field').querySelector('.field-error');
  if (ar || en) {
    input.setAttribute('aria-invalid', 'true');
    say(box, 'error', ar, en);
  } else {
    input.removeAttribute('aria-invalid');
    say(box, '');
  }
}

// The show/hide button beside a passphrase.
export function passToggle(button) {
  const input = button.closest('.pass').querySelector('input');
  const paint = () => {
    const shown = input.type === 'text';
    button.replaceChildren(...(shown ? bi('أخفِ', 'Hide') : bi('أظهِر', 'Show')));
  };
  button.addEventListener('click', () => {
    input.type = input.type === 'password' ? 'text' : 'password';
    paint();
    input.focus();
  });
  paint();
  // Hides it again, e.g. once the form is sent.
  return () => {
    input.type = 'password';
    paint();
  };
}
