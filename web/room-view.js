// The room screen: the title, the stage, raised hands (for moderators),
// the audience, the reader's own controls in a bar at the bottom, and the
// room's tools in a sheet (room-tools.js).
// Built once, then kept up to date from the store part by part, so that
// the element with the focus stays where it is while the room changes.
// Every action goes to the controller (room.js) through `act`.
import { t, tn } from './i18n.js';
import { el, icon, sr, button, relabel } from './room-parts.js';
import { RoomTools } from './room-tools.js';
import {
  onStage, isModerator, stageOf, handsOf, audienceOf, unnamedListeners, actionsOn,
} from './room-store.js';

// ---- small parts ----

function avatarOf(p, size = '') {
  const a = el('span', { className: `avatar ${size}`.trim(), 'aria-hidden': 'true' });
  const av = p.avatar || {};
  a.textContent = av.initials || '؟';
  a.dir = 'auto';
  a.style.setProperty('--hue', String(Number.isInteger(av.hue) ? av.hue : 160));
  return a;
}

const nameNode = (p) => el('bdi', { className: 'name' }, p.name || t('room.someone'));

// Keeps ul's children in the order of `people`, one element per id: make
// creates one, paint brings it up to date.
function syncList(ul, people, make, paint) {
  const have = new Map([...ul.children].map((n) => [n.dataset.id, n]));
  people.forEach((p, i) => {
    let node = have.get(p.id);
    have.delete(p.id);
    if (!node) node = make(p);
    paint(node, p);
    if (ul.children[i] !== node) ul.insertBefore(node, ul.children[i] || null);
  });
  for (const n of have.values()) n.remove();
}

// ---- the view ----

export class RoomView {
  constructor(store, act) {
    this.store = store;
    this.act = act;
    this.menuFor = null;
    this.build();
    this.unsubscribe = store.subscribe((s, parts) => this.update(s, parts));
  }

  build() {
    const s = this.store.state;
    this.title = el('bdi', { dir: 'auto' });
    this.meta = el('p', { className: 'room-meta' });
    this.banner = el('p', { className: 'banner', role: 'status', 'aria-live': 'polite' });
    this.alert = el('div', { className: 'room-alert', role: 'alert' });

    this.handsSwitch = el('button', { type: 'button', className: 'small switch', role: 'switch' },
      el('span', { className: 'label' }, t('room.hand_raising')), el('span', { className: 'state' }));
    this.handsSwitch.addEventListener('click', () => this.act('hands'));
    this.endButton = button(t('room.end'), { cls: 'small danger', iconName: 'stop', onClick: () => this.confirmEnd() });
    this.modTools = el('div', { className: 'mod-tools', role: 'group', 'aria-label': t('room.mod_tools') },
      this.handsSwitch, this.endButton);
    this.toolsButton = button(t('room.tools'), { cls: 'small', iconName: 'tools', onClick: () => this.tools.open() });
    this.toolsButton.setAttribute('aria-haspopup', 'dialog');
    this.toolbar = el('div', { className: 'room-tools' }, this.toolsButton, this.modTools);

    this.stageCount = el('span', { className: 'count' });
    this.stageList = el('ul', { className: 'people stage-list' });
    this.queueList = el('ol', { className: 'queue' });
    this.queue = el('section', { className: 'hands', 'aria-labelledby': 'hands-title' },
      el('h3', { id: 'hands-title' }, t('room.hands_title')), this.queueList);
    this.audienceCount = el('span', { className: 'count' });
    this.audienceList = el('ul', { className: 'people audience-list' });
    this.more = el('p', { className: 'more' });

    this.head = el('div', { className: 'room-head' },
      el('div', { className: 'view-head' },
        el('h2', { id: 'room-title', tabIndex: -1 }, this.title)),
      this.meta);

    this.content = el('div', { className: 'room-body' },
      this.head, this.banner, this.alert, this.toolbar,
      el('section', { className: 'stage', 'aria-labelledby': 'stage-title' },
        el('h3', { id: 'stage-title' }, t('room.stage_title'), ' ', this.stageCount), this.stageList),
      this.queue,
      el('section', { className: 'audience', 'aria-labelledby': 'audience-title' },
        el('h3', { id: 'audience-title' }, t('room.audience_title'), ' ', this.audienceCount),
        this.audienceList, this.more));

    this.buildControls();
    this.buildDialogs();

    this.gate = el('div', { className: 'audio-gate' },
      button(t('room.tap_for_audio'), { cls: 'primary big', iconName: 'mic' }));
    this.gate.querySelector('svg path').setAttribute('d', 'M4 9v6h4l5 4V5L8 9zM16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12');
    this.gate.querySelector('button').addEventListener('click', () => this.act('play'));

    this.endCard = el('section', { className: 'card room-end' });
    this.root = el('section', { className: 'room' },
      this.content, this.endCard, this.controls, this.menu, this.invite, this.confirm, this.tools.dialog, this.gate);
    this.update(s, new Set(['room', 'people', 'you', 'levels', 'invitation', 'page']));
  }

  buildControls() {
    this.muteButton = button(t('room.unmute'), { cls: 'primary', iconName: 'micOff', onClick: () => this.act('toggle_mute') });
    this.handButton = button(t('room.raise_hand'), { iconName: 'hand', onClick: () => this.act('toggle_hand') });
    this.answerButton = button(t('room.answer_invitation'), { cls: 'primary', iconName: 'hand', onClick: () => this.openInvitation() });
    this.stepDownButton = button(t('room.step_down'), { iconName: 'down', onClick: () => this.act('step_down') });
    this.leaveButton = button(t('room.leave'), { iconName: 'leave', flip: true, onClick: () => this.act('leave') });
    this.music = el('input', { type: 'checkbox', id: 'music-mode', 'aria-describedby': 'music-hint' });
    this.music.addEventListener('change', () => this.act('music', this.music.checked));
    // The label says what it is for in a few words; the whole reason is
    // its tooltip and its description.
    this.musicRow = el('div', { className: 'music' },
      el('label', { className: 'check', htmlFor: 'music-mode', title: t('room.music_hint') },
        this.music, el('span', {}, t('room.music')),
        el('span', { className: 'hint', 'aria-hidden': 'true' }, t('room.music_short'))),
      el('span', { id: 'music-hint', className: 'sr' }, t('room.music_hint')));
    this.controls = el('nav', { className: 'controls', 'aria-label': t('room.controls') },
      this.musicRow,
      el('div', { className: 'control-buttons' },
        this.muteButton, this.handButton, this.answerButton, this.stepDownButton, this.leaveButton));
    this.controls.addEventListener('focusin', (e) => { this.lastControl = e.target; });
  }

  buildDialogs() {
    this.tools = new RoomTools(this.store, this.act);
    this.tools.dialog.addEventListener('close', () => this.returnFocus(this.toolsButton));

    // What I may do to someone.
    this.menuTitle = el('h2', { id: 'menu-title', className: 'dialog-title' });
    this.menuActions = el('div', { className: 'menu-actions' });
    this.menu = el('dialog', { className: 'sheet', 'aria-labelledby': 'menu-title' },
      el('div', { className: 'menu-head' }, this.menuTitle),
      this.menuActions,
      el('div', { className: 'buttons' }, button(t('common.close'), { cls: 'small', onClick: () => this.menu.close() })));
    this.menu.addEventListener('close', () => this.returnFocus(this.menuReturn));

    // An invitation to speak.
    this.inviteText = el('p', { id: 'invite-text', className: 'invite-text' });
    const accept = button(t('room.accept'), { cls: 'primary', onClick: () => this.answer(true) });
    const decline = button(t('room.decline'), { onClick: () => this.answer(false) });
    this.invite = el('dialog', { className: 'sheet', 'aria-labelledby': 'invite-text' },
      this.inviteText, el('p', { className: 'hint' }, t('room.invite_hint')),
      el('div', { className: 'buttons' }, accept, decline));
    // Escape puts the invitation aside: the bar then offers to answer it.
    this.invite.addEventListener('cancel', () => { this.invitationDismissed = true; });
    this.invite.addEventListener('close', () => {
      this.paintControls(this.store.state);
      if (this.answerButton.hidden) this.returnFocus(this.inviteReturn);
      else this.answerButton.focus();
    });

    // Ending the room, for everyone.
    const yes = button(t('room.end'), { cls: 'primary danger', onClick: () => { this.confirm.close(); this.act('end'); } });
    const no = button(t('common.cancel'), { onClick: () => this.confirm.close() });
    this.confirm = el('dialog', { className: 'sheet', 'aria-labelledby': 'confirm-title' },
      el('h2', { id: 'confirm-title', className: 'dialog-title' }, t('room.end_confirm')),
      el('p', {}, t('room.end_confirm_hint')),
      el('div', { className: 'buttons' }, yes, no));
    this.confirm.addEventListener('close', () => this.returnFocus(this.endButton));
  }

  mount(parent) {
    parent.replaceChildren(this.root);
  }

  dispose() {
    this.unsubscribe();
    for (const d of [this.menu, this.invite, this.confirm, this.tools.dialog]) if (d.open) d.close();
  }

  focusTitle() {
    this.root.querySelector('#room-title').focus();
  }

  // ---- updates ----

  update(s, parts) {
    if (parts.has('room') || parts.has('you')) this.paintHead(s);
    if (parts.has('room') || parts.has('people') || parts.has('you')) this.paintPeople(s);
    if (parts.has('room') || parts.has('you') || parts.has('page') || parts.has('invitation')) this.paintControls(s);
    if (parts.has('levels') || parts.has('people')) this.paintLevels(s);
    if (parts.has('invitation')) this.paintInvitation(s);
    if (parts.has('page')) this.paintPage(s);
    if (this.menu.open && this.menuFor) this.paintMenu(s);
    if (this.tools.dialog.open && (parts.has('room') || parts.has('you') || parts.has('page'))) this.tools.paint(s);
  }

  paintHead(s) {
    if (!s.room) return;
    this.title.textContent = s.room.title;
    document.title = `${s.room.title} · ${t('app.name')}`;
    const host = s.room.host;
    const you = s.you;
    this.meta.replaceChildren(
      el('span', { className: `chip kind-${s.room.type}` }, t(`room.type.${s.room.type}`)),
      host ? el('span', { className: 'host' }, ...tn('room.hosted_by', { name: el('bdi', {}, host.name) })) : '',
      you && you.unlisted && !onStage(you) ? el('span', { className: 'chip unlisted' }, t('room.you_unlisted')) : '');
    const mod = isModerator(s);
    this.modTools.hidden = !mod || !!s.end;
    this.handsSwitch.setAttribute('aria-checked', String(!!s.room.hands));
    this.handsSwitch.querySelector('.state').textContent = s.room.hands ? t('room.on') : t('room.off');
  }

  paintPeople(s) {
    if (!s.room) return;
    const stage = stageOf(s);
    this.stageCount.textContent = t('room.count', { n: stage.length });
    syncList(this.stageList, stage, (p) => this.makeTile(p), (n, p) => this.paintTile(n, p, s));

    const hands = isModerator(s) ? handsOf(s) : [];
    this.queue.hidden = !hands.length;
    syncList(this.queueList, hands, (p) => this.makeHand(p), (n, p) => this.paintHand(n, p, s));

    const audience = audienceOf(s);
    this.audienceCount.textContent = t('room.count', { n: s.counts.listeners });
    syncList(this.audienceList, audience, (p) => this.makeTile(p), (n, p) => this.paintTile(n, p, s));
    const more = unnamedListeners(s);
    this.more.hidden = !more;
    this.more.textContent = more ? t(audience.length ? 'room.and_more' : 'room.listeners_unnamed', { n: more }) : '';
  }

  makeTile(p) {
    const li = el('li', { className: 'person' });
    li.dataset.id = p.id;
    return li;
  }

  paintTile(li, p, s) {
    const mine = s.you && p.id === s.you.id;
    const actions = actionsOn(s, p);
    const key = JSON.stringify([p.name, p.avatar, p.role, p.muted, p.bot, p.host, !!p.hand, !!p.unlisted, mine,
      actions.length > 0]);
    if (li.dataset.key === key) return;
    li.dataset.key = key;
    li.dataset.role = p.role;
    const marks = el('span', { className: 'marks' });
    if (p.role === 'moderator') marks.append(el('span', { className: 'mark mod' }, icon('star'), sr(t('room.moderator'))));
    if (onStage(p) && p.muted) marks.append(el('span', { className: 'mark muted' }, icon('micOff'), sr(t('room.muted'))));
    if (p.hand && !onStage(p)) marks.append(el('span', { className: 'mark hand' }, icon('hand'), sr(t('room.hand_up'))));
    if (p.bot) marks.append(el('span', { className: 'mark bot' }, t('room.bot')));
    // Only moderators and the person themself hear who is unlisted.
    if (p.unlisted && !onStage(p)) marks.append(el('span', { className: 'mark unlisted' }, t('room.unlisted_mark')));
    const name = el('span', { className: 'pname' }, nameNode(p), mine ? el('span', { className: 'you' }, ` ${t('room.you')}`) : null);
    const inner = [el('span', { className: 'ring' }, avatarOf(p, onStage(p) ? '' : 'small')), name, marks];
    const who = actions.length
      ? el('button', { type: 'button', className: 'who', 'aria-haspopup': 'dialog' }, ...inner)
      : el('div', { className: 'who' }, ...inner);
    if (actions.length) who.addEventListener('click', () => this.openMenu(p.id, who));
    const hadFocus = li.contains(document.activeElement);
    li.replaceChildren(who);
    if (hadFocus && actions.length) who.focus();
  }

  makeHand(p) {
    const li = el('li', { className: 'hand-row' });
    li.dataset.id = p.id;
    return li;
  }

  paintHand(li, p) {
    const key = JSON.stringify([p.name, p.avatar, p.invited]);
    if (li.dataset.key === key) return;
    li.dataset.key = key;
    const nameId = `hand-${p.id}`;
    const name = el('span', { className: 'pname', id: nameId }, nameNode(p));
    let action;
    if (p.invited) {
      action = el('span', { className: 'chip' }, t('room.invited'));
    } else {
      action = button(t('room.action.invite'), { cls: 'small primary', onClick: () => this.act('person', 'invite', p.id) });
      action.setAttribute('aria-describedby', nameId);
    }
    const hadFocus = li.contains(document.activeElement);
    li.replaceChildren(avatarOf(p, 'small'), name, action);
    if (hadFocus) (li.querySelector('button') || this.stageList).focus();
  }

  paintLevels(s) {
    for (const li of this.root.querySelectorAll('li.person')) {
      li.classList.toggle('speaking', s.levels.has(li.dataset.id));
    }
  }

  paintControls(s) {
    const you = s.you;
    const over = !!s.end;
    const stage = onStage(you);
    const listener = !!you && !stage;
    this.musicRow.hidden = over || !stage;
    this.music.checked = s.music;
    this.muteButton.hidden = over || !stage;
    const live = stage && !you.muted && s.mic === 'on';
    relabel(this.muteButton, live ? t('room.mute') : t('room.unmute'), live ? 'mic' : 'micOff');
    this.muteButton.classList.toggle('live', live);
    this.muteButton.disabled = s.mic === 'asking';
    this.handButton.hidden = over || !listener || !(s.room && s.room.hands);
    const up = listener && !!you.hand;
    relabel(this.handButton, up ? t('room.lower_hand') : t('room.raise_hand'));
    this.handButton.classList.toggle('up', up);
    this.answerButton.hidden = over || !s.invitation || this.invite.open;
    this.stepDownButton.hidden = over || !stage || !!you.host;
    this.leaveButton.hidden = over;
    this.controls.hidden = over;
    // A control that went away took the focus with it: give it to the
    // first one still there.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && this.lastControl && this.lastControl.hidden && !this.controls.hidden) {
      const first = [...this.controls.querySelectorAll('button')].find((b) => !b.hidden && !b.disabled);
      if (first) first.focus();
    }
  }

  paintInvitation(s) {
    if (s.invitation && !s.end) {
      const by = s.invitation.by_name;
      this.inviteText.replaceChildren(...(by ? tn('room.invited_by', { name: el('bdi', {}, by) }) : [t('room.invited_you')]));
      if (!this.invite.open && !this.invitationDismissed) this.openInvitation();
    } else {
      this.invitationDismissed = false;
      if (this.invite.open) this.invite.close();
    }
  }

  openInvitation() {
    this.invitationDismissed = false;
    this.inviteReturn = document.activeElement;
    this.invite.showModal();
    this.invite.querySelector('button.primary').focus();
    this.paintControls(this.store.state);
  }

  answer(accept) {
    this.invite.close();
    this.act('answer', accept);
  }

  paintPage(s) {
    const banner = {
      entering: t('room.conn.entering'),
      restoring: t('room.conn.restoring'),
      offline: t('room.conn.offline'),
    }[s.conn] || '';
    this.banner.textContent = s.end ? '' : banner;
    this.banner.dataset.state = s.conn;
    this.banner.hidden = !this.banner.textContent;
    this.gate.hidden = !s.audioBlocked || !!s.end;
    if (!this.gate.hidden) this.gate.querySelector('button').focus();
    this.paintEnd(s);
  }

  // Messages that need reading: mic refused, server full, a refused
  // action. retry shows a button that calls act('retry').
  say(text, { retry = false } = {}) {
    const kids = text ? [el('p', {}, text)] : [];
    if (text) {
      const dismiss = button(t('common.dismiss'), { cls: 'small', onClick: () => this.say('') });
      const row = el('div', { className: 'buttons' }, dismiss);
      if (retry) row.prepend(button(t('common.retry'), { cls: 'small primary', onClick: () => this.act('retry') }));
      kids.push(row);
    }
    this.alert.replaceChildren(...kids);
    this.alert.hidden = !text;
  }

  paintEnd(s) {
    const end = s.end;
    this.content.hidden = !!end;
    this.endCard.hidden = !end;
    if (!end) return;
    for (const d of [this.menu, this.invite, this.confirm, this.tools.dialog]) if (d.open) d.close();
    let words;
    if (end.kind === 'ended') words = t('room.end.ended');
    else if (end.kind === 'removed') words = t('room.end.removed');
    else if (end.kind === 'gone') words = t('room.end.gone');
    else words = end.text || t(`room.refused.${end.code}`);
    const titleText = s.room ? s.room.title : '';
    const kids = [
      titleText ? el('p', { className: 'room-meta' }, el('bdi', { dir: 'auto' }, titleText)) : null,
      el('h2', { tabIndex: -1, role: 'alert' }, words),
    ];
    const row = el('div', { className: 'buttons' });
    if (end.kind === 'gone' || end.retry) {
      row.append(button(t('room.enter_again'), { cls: 'primary', onClick: () => this.act('retry') }));
    }
    row.append(el('a', { href: '/', 'data-nav': true, className: 'button' }, t('common.back_home')));
    kids.push(row);
    this.endCard.replaceChildren(...kids.filter(Boolean));
    if (!this.endCard.contains(document.activeElement)) this.endCard.querySelector('h2').focus();
  }

  // ---- the menu of what I may do to someone ----

  openMenu(id, from) {
    this.menuFor = id;
    this.menuReturn = from;
    this.paintMenu(this.store.state);
    if (!this.menu.open) this.menu.showModal();
    const first = this.menuActions.querySelector('button');
    if (first) first.focus();
  }

  paintMenu(s) {
    const p = s.people.get(this.menuFor);
    const actions = actionsOn(s, p);
    if (!p || !actions.length) {
      this.menu.close();
      return;
    }
    this.menuTitle.replaceChildren(avatarOf(p, 'small'), el('span', {}, nameNode(p),
      p.handle ? el('bdi', { className: 'handle', dir: 'ltr' }, `@${p.handle}`) : null,
      el('span', { className: 'role' }, t(`room.role.${p.role}`), p.bot ? ` · ${t('room.bot')}` : '')));
    const key = actions.join();
    if (this.menuActions.dataset.key === key) return;
    this.menuActions.dataset.key = key;
    this.menuActions.replaceChildren(...actions.map((a) => button(t(`room.action.${a}`), {
      cls: a === 'remove' ? 'danger' : '',
      onClick: () => {
        this.menu.close();
        this.act('person', a, p.id);
      },
    })));
  }

  confirmEnd() {
    this.confirm.showModal();
    this.confirm.querySelector('button.primary').focus();
  }

  returnFocus(target) {
    if (this.store.state.end) return;
    let to = target;
    if (to && !to.isConnected && this.menuFor) {
      to = this.root.querySelector(`li[data-id="${CSS.escape(this.menuFor)}"] .who`);
    }
    if (!to || !to.isConnected || to.hidden || to.closest('[hidden]')) to = this.root.querySelector('#room-title');
    to.focus();
  }
}
