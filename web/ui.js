// Small DOM helpers the views share: elements, members' names in their
// own isolated spans, form fields with their errors, the passphrase's
// show/hide button, and a confirmation dialog. Every text comes from the
// strings of the reader's language (i18n.js).
import { t } from './i18n.js';

// Creates an element: attrs are properties (className, dir, lang, hidden...)
// or, for names with a dash, attributes; children are strings or nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.includes('-') || k === 'role') el.setAttribute(k, v === true ? '' : String(v));
    else el[k] = v;
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// Puts a message into a status element: kind is '', 'ok', 'error' or
// 'busy'; content is text or nodes (tn()'s output).
export function say(el, kind, ...content) {
  el.dataset.state = kind || '';
  el.replaceChildren(...content.flat().filter((c) => c !== null && c !== undefined && c !== ''));
}

// A member's display name, isolated so that a name in one direction never
// reorders the sentence around it (docs/api.md asks for this).
export function nameOf(member) {
  if (!member || member.deleted || !member.display_name) {
    return h('span', { className: 'deleted' }, t('member.deleted'));
  }
  return h('bdi', { className: 'name' }, member.display_name);
}

export function handleOf(member) {
  if (!member || !member.handle) return null;
  return h('bdi', { className: 'handle', dir: 'ltr' }, `@${member.handle}`);
}

// The initials avatar: initials come from the server (grapheme-aware,
// joined by ZWNJ), the hue from the handle.
export function fillAvatar(el, avatar) {
  const a = avatar || {};
  el.textContent = a.initials || '؟';
  el.dir = 'auto';
  el.style.setProperty('--hue', String(Number.isInteger(a.hue) ? a.hue : 160));
}

export function avatarOf(member, size = '') {
  const el = h('span', { className: `avatar ${size}`.trim(), 'aria-hidden': 'true' });
  if (member && !member.deleted) fillAvatar(el, member.avatar);
  else el.classList.add('gone');
  return el;
}

// A member as a row of a list: avatar, name and handle, the whole row a
// link to `href` (their profile unless said otherwise). A deleted member
// is not a link: there is nobody to open.
export function memberRow(member, href = member && member.handle ? `/u/${member.handle}` : null, extra = []) {
  const inner = [avatarOf(member, 'small'),
    h('span', { className: 'who' }, nameOf(member), handleOf(member) ? ' ' : null, handleOf(member), ...extra)];
  if (!href || !member || member.deleted || !member.handle) return h('span', { className: 'member' }, ...inner);
  return h('a', { className: 'member', href, 'data-nav': true }, ...inner);
}

// A member's name as a link inside a sentence.
export function memberLink(member, href = member && member.handle ? `/u/${member.handle}` : null) {
  if (!href || !member || member.deleted || !member.handle) return nameOf(member);
  return h('a', { href, 'data-nav': true }, nameOf(member));
}

// A labelled field: the label, the input, its error line and a hint,
// joined by aria-describedby. The error line is INPUT_ID-error.
export function field(id, label, input, hint = null, extra = null) {
  input.id = id;
  const ids = [`${id}-error`];
  if (hint) ids.push(`${id}-hint`);
  input.setAttribute('aria-describedby', ids.join(' '));
  return h('div', { className: 'field' },
    h('label', { htmlFor: id }, label),
    extra ? h('div', { className: 'pass' }, input, extra) : input,
    h('p', { id: `${id}-error`, className: 'field-error', 'aria-live': 'polite' }),
    hint ? h('p', { id: `${id}-hint`, className: 'hint' }, hint) : null);
}

// Marks a field wrong with a message, or clears it (no message).
export function fieldError(input, message) {
  const box = input.closest('.field').querySelector('.field-error');
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    say(box, 'error', message);
  } else {
    input.removeAttribute('aria-invalid');
    say(box, '');
  }
}

export function clearOnInput(...inputs) {
  for (const input of inputs) input.addEventListener('input', () => fieldError(input));
}

// A passphrase input with the show/hide button beside it. The input has no
// name on purpose: even if the page's script failed, the browser would
// not put it into a form submission. Returns [input, button, hide].
export function passInput(autocomplete) {
  const input = h('input', { type: 'password', dir: 'auto', autocomplete, spellcheck: false, required: true });
  const button = h('button', { type: 'button', className: 'toggle' });
  const paint = () => { button.textContent = input.type === 'text' ? t('pass.hide') : t('pass.show'); };
  button.addEventListener('click', () => {
    input.type = input.type === 'password' ? 'text' : 'password';
    paint();
    input.focus();
  });
  button.addEventListener('mousedown', (e) => e.preventDefault());
  paint();
  // Hides it again, e.g. once the form is sent.
  const hide = () => {
    input.type = 'password';
    paint();
  };
  return [input, button, hide];
}

export function setBusy(form, on) {
  form.setAttribute('aria-busy', on ? 'true' : 'false');
  for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = on;
}

export const loadingCard = () => h('section', { className: 'card loading', 'aria-busy': 'true' },
  h('p', {}, t('common.loading')));

// What the reader typed into a view, kept across a change of language
// (which builds the view again): values of inputs and text areas by id,
// passphrases excepted. Returns a function that puts them back.
export function keepValues(root) {
  const kept = [...root.querySelectorAll('input[id], textarea[id]')]
    .filter((el) => el.type !== 'password')
    .map((el) => [el.id, el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value]);
  return (into) => {
    for (const [id, v] of kept) {
      const el = into.querySelector(`#${CSS.escape(id)}`);
      if (!el || el.readOnly) continue;
      if (typeof v === 'boolean') el.checked = v;
      else el.value = v;
    }
  };
}

// Asks before something that cannot be taken back: a modal dialog with
// a title, sentences and the two buttons (`no` says what backing out
// means where "Cancel" would be ambiguous). Resolves true or false; the
// focus goes back where it was.
export function confirmDialog({ title, body = [], yes, no: noLabel = null, danger = true }) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const ok = h('button', { type: 'button', className: danger ? 'primary danger' : 'primary' }, yes);
    const no = h('button', { type: 'button' }, noLabel || t('common.cancel'));
    const d = h('dialog', { className: 'sheet confirm', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title', className: 'dialog-title' }, title),
      ...body.map((p) => (p instanceof Node ? p : h('p', {}, p))),
      h('div', { className: 'buttons' }, ok, no));
    let answer = false;
    ok.addEventListener('click', () => { answer = true; d.close(); });
    no.addEventListener('click', () => d.close());
    d.addEventListener('close', () => {
      d.remove();
      if (back && back.isConnected) back.focus();
      resolve(answer);
    });
    document.body.append(d);
    d.showModal();
    no.focus();
  });
}

// Copies text: the clipboard API where the page may use it, else the
// text is selected in `input` for the reader (and execCommand tries).
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    // No clipboard API outside secure contexts (plain http on a LAN).
    if (!input) return false;
    input.focus();
    input.select();
    try { return document.execCommand('copy'); } catch (__) { return false; }
  }
}
