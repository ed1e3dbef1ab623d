// The page's frame around every view: the header (the brand, the
// navigation of a signed-in member, the language switch) and the footer.
// On narrow screens the navigation folds behind a "Menu" button that
// opens it below the bar; from 52rem up it sits in the bar.
import { t, other } from './i18n.js';
import { h, fillAvatar } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(d, cls) {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('focusable', 'false');
  s.setAttribute('class', cls);
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', d);
  s.append(p);
  return s;
}

const MENU = 'M4 7h16M4 12h16M4 17h16';

// Where each link of the navigation goes, and which paths count as it.
function links(user) {
  const own = `/u/${user.handle}`;
  const list = [
    { href: '/new', key: 'nav.start', cls: 'nav-start', match: (p) => p === '/new' },
    { href: '/invites', key: 'nav.invites', match: (p) => p === '/invites' },
    { href: '/settings', key: 'nav.settings', match: (p) => p === '/settings' },
    { href: own, key: 'nav.profile', profile: true, match: (p) => p === own || p.startsWith(`${own}/`) },
  ];
  if (user.admin) list.push({ href: '/admin', key: 'nav.admin', match: (p) => p === '/admin' || p.startsWith('/admin/') });
  return list;
}

// state: { user, path, onLanguage }. Called on every change of view, of
// member and of language.
export function paintChrome({ user, path, onLanguage }) {
  const top = document.getElementById('top');
  const hadFocus = top.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;

  const brand = h('a', { href: '/', 'data-nav': true, className: 'brand', 'data-focus-key': 'brand' },
    h('img', { src: '/icons/icon.svg', alt: '', className: 'mark', width: 28, height: 28 }), h('span', { className: 'brand-name' }, t('app.name')));
  const to = other();
  const lang = h('button', {
    type: 'button', className: 'small lang-switch', lang: to, dir: to === 'ar' ? 'rtl' : 'ltr', 'data-focus-key': 'lang',
  }, t(`lang.${to}`));
  lang.addEventListener('click', () => onLanguage(to));

  const bar = h('div', { className: 'top-bar' }, brand);
  if (user) {
    const ul = h('ul', {});
    for (const l of links(user)) {
      const a = h('a', { href: l.href, 'data-nav': true, className: l.cls || '', 'data-focus-key': l.href });
      if (l.match(path)) a.setAttribute('aria-current', 'page');
      if (l.profile) {
        const av = h('span', { className: 'avatar tiny', 'aria-hidden': 'true' });
        fillAvatar(av, user.avatar);
        a.append(av);
      }
      a.append(h('span', {}, t(l.key)));
      ul.append(h('li', {}, a));
    }
    const nav = h('nav', { id: 'site-nav', className: 'site-nav', 'aria-label': t('nav.label') }, ul);
    const toggle = h('button', {
      type: 'button', className: 'small menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'site-nav',
      'data-focus-key': 'menu',
    }, svg(MENU, 'icon'), h('span', {}, t('nav.menu')));
    const setOpen = (open) => {
      toggle.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('open', open);
    };
    toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
    nav.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && nav.classList.contains('open')) {
        setOpen(false);
        toggle.focus();
      }
    });
    bar.append(toggle, nav);
  }
  bar.append(lang);
  top.replaceChildren(bar);
  if (hadFocus) {
    const again = top.querySelector(`[data-focus-key="${CSS.escape(hadFocus)}"]`);
    if (again) again.focus();
  }

  document.getElementById('foot').textContent = t('foot.note');
}
