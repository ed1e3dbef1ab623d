// Small pieces the one-language views share: the language switch, the
// way to sign in first and come back, and the common failures in words.
import { explain } from './api.js';
import { h } from './ui.js';
import { t, lang, other, setLang, applyToPage } from './i18n.js';

// A button naming the other language in that language; onChange renders
// the view again once the choice is stored.
export function languageButton(onChange) {
  const to = other();
  const b = h('button', { type: 'button', className: 'small lang-switch', lang: to },
    t(`lang.${to}`));
  b.addEventListener('click', () => {
    setLang(to);
    applyToPage();
    onChange();
  });
  return b;
}

// Not signed in: the sign-in form, which comes back here afterwards.
export function signInFirst(ctx) {
  ctx.navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true });
}

// The failures any request can meet (api.js), in the reader's language.
export function explainIn(err) {
  return explain(err)[lang() === 'ar' ? 0 : 1];
}

// Seconds as words for "try again in ...".
export function waitIn(seconds) {
  return seconds < 120 ? t('time.seconds', { n: seconds }) : t('time.minutes', { n: Math.ceil(seconds / 60) });
}
