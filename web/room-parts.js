// Small DOM parts the room's views share: elements with a role, the
// line icons, labelled buttons, and text for screen readers only.
import { h } from './ui.js';

export function el(tag, attrs = {}, ...kids) {
  const { role, ...rest } = attrs;
  const node = h(tag, rest, ...kids);
  if (role) node.setAttribute('role', role);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
export const ICONS = {
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21',
  micOff: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M4 4l16 16',
  hand: 'M8 12V6.5a1.5 1.5 0 0 1 3 0V11M11 10.5V4.5a1.5 1.5 0 0 1 3 0v6M14 10.5V6a1.5 1.5 0 0 1 3 0v5.5'
    + 'M17 11.5V9.5a1.5 1.5 0 0 1 3 0v4.5a7 7 0 0 1-7 7h-.5a6 6 0 0 1-5-2.7L4.7 14.6a1.5 1.5 0 0 1 2.4-1.8L8 14',
  star: 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z',
  down: 'M12 4v15M6 13l6 6 6-6',
  leave: 'M10 4H5v16h5M14 8l4 4-4 4M18 12H9',
  stop: 'M7 7h10v10H7z',
  tools: 'M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4',
};

export function icon(name, { flip = false } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', flip ? 'icon flip' : 'icon');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

export const sr = (text) => el('span', { className: 'sr' }, text);

export function button(label, { cls = '', iconName = null, flip = false, onClick } = {}) {
  const b = el('button', { type: 'button', className: cls },
    iconName ? icon(iconName, { flip }) : null, el('span', { className: 'label' }, label));
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

export function relabel(b, label, iconName) {
  b.querySelector('.label').textContent = label;
  if (iconName) b.querySelector('svg.icon path').setAttribute('d', ICONS[iconName]);
}
