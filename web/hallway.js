// The hallway: the main part of the signed-in home ("/"). What is live
// for this member now (the rooms they may enter, in the server's order,
// each a card that opens the room) and what is coming (announced rooms,
// soonest first, with "Start now" and "Cancel" on their own), kept up to
// date by the hallway's socket (hallway-socket.js) through a store
// (hallway-store.js). The order is the only trace of how the server
// ranks rooms; nothing here shows or explains a score.
//
// The lists are kept in place as they change (one element per room or
// announcement), so a card with the keyboard's focus keeps it. While the
// socket is down the last list stays, with a quiet line saying so.
import { api, explain } from './api.js';
import { t, tn, when, fromNow } from './i18n.js';
import { h, say, confirmDialog } from './ui.js';
import { forgetMe, signInFirst } from './session.js';
import { createHallway } from './hallway-store.js';
import { HallwaySocket } from './hallway-socket.js';
import { icon } from './room-parts.js';

const RELATIVE_EVERY_MS = 30000;

// ---- small parts ----

// A person as the hallway's answers give them: {handle, name, avatar}.
function avatar(p, size = 'tiny') {
  const a = h('span', { className: `avatar ${size}`, 'aria-hidden': 'true' });
  const av = (p && p.avatar) || {};
  a.textContent = av.initials || '؟';
  a.dir = 'auto';
  a.style.setProperty('--hue', String(Number.isInteger(av.hue) ? av.hue : 160));
  return a;
}

const personName = (p) => h('bdi', { className: 'name' }, (p && p.name) || t('room.someone'));

const typeChip = (type) => h('span', { className: `chip kind-${type}` }, t(`room.type.${type}`));

function hostLine(host) {
  return host ? h('span', { className: 'rc-host' }, ...tn('room.hosted_by', { name: personName(host) })) : null;
}

// Keeps list's children in the order of items, one element per key:
// make creates one, paint brings it up to date.
function syncList(list, items, key, make, paint) {
  const have = new Map([...list.children].filter((n) => n.dataset.key).map((n) => [n.dataset.key, n]));
  items.forEach((item, i) => {
    const k = key(item);
    let node = have.get(k);
    have.delete(k);
    if (!node) {
      node = make(item);
      node.dataset.key = k;
    }
    paint(node, item);
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
  });
  for (const n of have.values()) n.remove();
}

// ---- a live room ----

function makeCard(room) {
  const a = h('a', {
    className: 'room-card', href: `/room/${encodeURIComponent(room.id)}`, 'data-nav': true,
    'aria-labelledby': `hall-${room.id}-title`, 'aria-describedby': `hall-${room.id}-about`,
  });
  return h('li', { className: 'hall-room' }, a);
}

function paintCard(li, room) {
  const sig = JSON.stringify(room);
  if (li.dataset.sig === sig) return;
  li.dataset.sig = sig;
  const a = li.firstChild;
  a.classList.toggle('followed', !!room.followed);
  const stage = Array.isArray(room.stage) ? room.stage : [];
  const more = Math.max(0, (room.speakers || 0) - stage.length);
  const listeners = room.listeners || 0;
  a.replaceChildren(
    h('span', { className: 'rc-top' },
      typeChip(room.type),
      room.followed ? h('span', { className: 'followed-mark' }, icon('star'), t('hall.followed_on_stage')) : null),
    h('h3', { className: 'rc-title', id: `hall-${room.id}-title` }, h('bdi', { dir: 'auto' }, room.title || '')),
    h('span', { className: 'rc-about', id: `hall-${room.id}-about` },
      hostLine(room.host),
      stage.length ? h('ul', { className: 'rc-stage', 'aria-label': t('room.stage_title') },
        ...stage.map((p) => h('li', {},
          avatar(p),
          personName(p),
          p.bot ? h('span', { className: 'mark bot' }, t('room.bot')) : null)),
        more ? h('li', { className: 'more' }, t('room.and_more', { n: more })) : null) : null,
      h('span', { className: 'rc-count' },
        listeners ? t('hall.listening', { n: listeners }) : t('hall.listening_none'))));
}

// ---- an announced room ----

function makePlan() {
  return h('li', { className: 'plan' });
}

export class Hallway {
  constructor(ctx, user) {
    this.ctx = ctx;
    this.user = user;
    this.store = createHallway();
    this.state = 'connecting';
    this.nodes = null;
    this.socket = new HallwaySocket({
      onMessage: (msg) => this.paint(this.store.apply(msg)),
      onState: (state) => {
        this.state = state;
        this.paintConn();
      },
      onEnd: (why) => this.ended(why),
    });
  }

  start() {
    this.socket.start();
    this.ticker = setInterval(() => this.paintTimes(), RELATIVE_EVERY_MS);
  }

  stop() {
    clearInterval(this.ticker);
    this.socket.stop();
  }

  ended(why) {
    if (this.ctx.stale()) return;
    if (why === 'unauthorized') {
      forgetMe();
      signInFirst(this.ctx, 'session.ended');
      return;
    }
    this.state = 'refused';
    this.paintConn();
  }

  // The hallway's part of the page, built from what the store holds now
  // (again after a change of language).
  // welcome: the first time after sign-up; note: a key of what the view
  // before did (an announcement made), said under "Upcoming".
  element({ welcome = false, note = null } = {}) {
    const n = {};
    n.conn = h('p', { className: 'hall-conn', role: 'status', 'aria-live': 'polite' });
    n.rooms = h('ul', { className: 'room-cards', 'aria-labelledby': 'hall-title' });
    n.empty = h('p', { className: 'empty' });
    n.plans = h('ul', { className: 'plans', 'aria-labelledby': 'upcoming-title' });
    n.noPlans = h('p', { className: 'empty' }, t('hall.upcoming_none'));
    n.planStatus = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
    if (note) say(n.planStatus, 'ok', t(note));
    this.nodes = n;
    const live = h('section', { className: 'card hall-live', 'aria-labelledby': 'hall-title' },
      welcome ? h('p', { className: 'welcome', role: 'status' }, t('home.welcome')) : null,
      h('div', { className: 'hall-head' },
        h('h2', { id: 'hall-title', tabIndex: -1 }, t('hall.title')),
        h('div', { className: 'hall-actions' },
          h('a', { href: '/new', 'data-nav': true, className: 'button primary start-room' }, t('nav.start')),
          h('a', { href: '/schedule', 'data-nav': true, className: 'button schedule-room' }, t('nav.schedule')))),
      n.conn, n.rooms, n.empty);
    const soon = h('section', { className: 'card hall-upcoming', 'aria-labelledby': 'upcoming-title' },
      h('h2', { id: 'upcoming-title', tabIndex: -1 }, t('hall.upcoming')),
      n.planStatus, n.plans, n.noPlans);
    this.paint(new Set(['rooms', 'upcoming']));
    this.paintConn();
    return h('div', { className: 'hallway' }, live, soon);
  }

  paint(parts) {
    if (!this.nodes) return;
    if (parts.has('rooms')) this.paintRooms();
    if (parts.has('upcoming')) this.paintPlans();
  }

  paintRooms() {
    const n = this.nodes;
    const rooms = this.store.rooms();
    syncList(n.rooms, rooms, (r) => r.id, makeCard, paintCard);
    n.rooms.hidden = rooms.length === 0;
    n.empty.hidden = rooms.length > 0;
    n.empty.classList.toggle('loading-line', !this.store.ready);
    n.empty.textContent = this.store.ready ? t('hall.none') : t('common.loading');
  }

  paintPlans() {
    const n = this.nodes;
    const plans = this.store.upcoming();
    syncList(n.plans, plans, (p) => String(p.id), makePlan, (li, p) => this.paintPlan(li, p));
    n.plans.hidden = plans.length === 0;
    n.noPlans.hidden = plans.length > 0 || !this.store.ready;
  }

  paintPlan(li, plan) {
    const sig = JSON.stringify(plan);
    if (li.dataset.sig === sig) return;
    li.dataset.sig = sig;
    const titleId = `plan-${plan.id}-title`;
    const rel = h('span', { className: 'rel' }, fromNow(plan.starts_at));
    const time = h('time', { dateTime: new Date(plan.starts_at * 1000).toISOString() }, when(plan.starts_at));
    const parts = [
      h('p', { className: 'plan-when' }, time, h('span', { className: 'sep', 'aria-hidden': 'true' }, ' · '), rel),
      h('h3', { className: 'plan-title', id: titleId }, h('bdi', { dir: 'auto' }, plan.title || '')),
      h('p', { className: 'plan-meta' }, typeChip(plan.type), ' ',
        plan.yours ? h('span', { className: 'rc-host' }, t('hall.yours')) : hostLine(plan.host)),
    ];
    if (plan.yours) {
      const status = h('p', { className: 'form-status', role: 'status', 'aria-live': 'polite' });
      const go = h('button', { type: 'button', className: 'small primary', 'aria-describedby': titleId }, t('hall.start_now'));
      const drop = h('button', { type: 'button', className: 'small', 'aria-describedby': titleId }, t('hall.cancel'));
      go.addEventListener('click', () => this.startPlan(plan, go, drop, status));
      drop.addEventListener('click', () => this.cancelPlan(plan, go, drop, status));
      parts.push(h('div', { className: 'buttons' }, go, drop), status);
    }
    li.replaceChildren(...parts);
  }

  // The relative words ("in 2 hours") move with the clock; the list does not.
  paintTimes() {
    if (!this.nodes) return;
    for (const p of this.store.upcoming()) {
      const li = this.nodes.plans.querySelector(`li[data-key="${p.id}"] .rel`);
      if (li) li.textContent = fromNow(p.starts_at);
    }
  }

  paintConn() {
    if (!this.nodes) return;
    const ready = this.store.ready;
    const key = {
      live: null,
      connecting: null,
      down: ready ? 'hall.conn.down' : 'hall.conn.unreachable',
      offline: ready ? 'hall.conn.offline' : 'hall.conn.offline_first',
      refused: 'error.cross_origin',
    }[this.state];
    say(this.nodes.conn, key ? 'busy' : '', key ? t(key) : '');
    if (ready) this.nodes.empty.textContent = t('hall.none');
  }

  async startPlan(plan, go, drop, status) {
    go.disabled = true;
    drop.disabled = true;
    say(status, 'busy', t('hall.starting'));
    try {
      const { room } = await api('POST', `/api/schedules/${plan.id}/start`, {});
      if (this.ctx.stale()) return;
      this.store.drop(plan.id);
      this.ctx.navigate(`/room/${encodeURIComponent(room.id)}`);
    } catch (err) {
      if (this.ctx.stale()) return;
      go.disabled = false;
      drop.disabled = false;
      this.refused(err, plan, status);
    }
  }

  async cancelPlan(plan, go, drop, status) {
    const sure = await confirmDialog({
      title: t('hall.cancel_title'),
      body: [h('p', { className: 'invite-text' }, h('bdi', { dir: 'auto' }, plan.title || '')), t('hall.cancel_body')],
      yes: t('hall.cancel_yes'),
      no: t('hall.cancel_no'),
    });
    if (!sure || this.ctx.stale()) return;
    go.disabled = true;
    drop.disabled = true;
    say(status, 'busy', t('hall.cancelling'));
    try {
      await api('DELETE', `/api/schedules/${plan.id}`);
      if (this.ctx.stale()) return;
      this.forget(plan, t('hall.cancelled'));
    } catch (err) {
      if (this.ctx.stale()) return;
      go.disabled = false;
      drop.disabled = false;
      this.refused(err, plan, status);
    }
  }

  // Takes an announcement off the list and says why, where the focus can
  // go on from.
  forget(plan, message) {
    const had = this.nodes.plans.contains(document.activeElement);
    this.store.drop(plan.id);
    this.paintPlans();
    say(this.nodes.planStatus, 'ok', message);
    if (had) this.nodes.planStatus.closest('section').querySelector('h2').focus();
  }

  refused(err, plan, status) {
    switch (err.code) {
      case 'too_many_rooms':
        say(status, 'error', t('start.err.too_many_rooms'));
        return;
      case 'not_found':
        this.forget(plan, t('hall.plan_gone'));
        return;
      case 'unauthorized':
        signInFirst(this.ctx, 'session.ended');
        return;
      default:
        say(status, 'error', explain(err));
    }
  }
}
