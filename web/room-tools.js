// The room's tools, one sheet that anyone in the room opens from its
// screen: listening unlisted (a wish this browser keeps, like music
// mode), letting a member into a closed or social room (its moderators
// only), and a token for a bot. A token is shown here and kept nowhere
// else: closing the sheet forgets it. Requests go to the controller
// (room.js) through `act`, which answers {ok, reply} or {code, text}.
import { t, tn, when } from './i18n.js';
import { el, button } from './room-parts.js';
import { onStage, isModerator } from './room-store.js';

const HANDLE_RE = /^[a-z0-9_]{3,20}$/;

// "@Layla " -> "layla"
const handleOf = (text) => text.trim().replace(/^@/, '').toLowerCase();

// A command, a flag or a file name: left to right, never broken.
const code = (text) => el('code', { dir: 'ltr' }, text);

function say(node, kind, text) {
  node.dataset.state = kind;
  node.textContent = text;
}

export class RoomTools {
  constructor(store, act) {
    this.store = store;
    this.act = act;
    this.dialog = el('dialog', { className: 'sheet tools', 'aria-labelledby': 'tools-title' },
      el('div', { className: 'sheet-head' },
        el('h2', { id: 'tools-title', className: 'dialog-title' }, t('room.tools')),
        button(t('common.close'), { cls: 'small', onClick: () => this.dialog.close() })),
      this.buildListing(), this.buildLetIn(), this.buildToken());
    this.dialog.addEventListener('close', () => this.forget());
  }

  buildListing() {
    this.unlisted = el('input', { type: 'checkbox', id: 'unlisted-mode', 'aria-describedby': 'unlisted-hint unlisted-state' });
    this.unlisted.addEventListener('change', () => this.act('unlisted', this.unlisted.checked));
    this.listingState = el('p', { id: 'unlisted-state', className: 'state-line', 'aria-live': 'polite' });
    return el('section', { className: 'tool listing' },
      el('label', { className: 'check', htmlFor: 'unlisted-mode' }, this.unlisted, el('span', {}, t('room.unlisted'))),
      el('p', { id: 'unlisted-hint', className: 'hint' }, t('room.unlisted_hint')),
      this.listingState);
  }

  buildLetIn() {
    this.handle = el('input', {
      type: 'text', id: 'let-in-handle', dir: 'ltr', autocomplete: 'off', autocapitalize: 'none',
      spellcheck: false, enterKeyHint: 'go', 'aria-describedby': 'let-in-status let-in-hint',
    });
    this.handle.addEventListener('input', () => this.handle.removeAttribute('aria-invalid'));
    this.letInHint = el('p', { id: 'let-in-hint', className: 'hint' });
    this.letInStatus = el('p', { id: 'let-in-status', className: 'form-status', role: 'status' });
    const form = el('form', { className: 'let-in', noValidate: true },
      el('label', { htmlFor: 'let-in-handle' }, t('room.let_in_handle')),
      el('div', { className: 'inline' }, this.handle,
        el('button', { type: 'submit', className: 'primary' }, t('room.let_in_submit'))),
      this.letInStatus);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.letIn();
    });
    this.letInBox = el('section', { className: 'tool', 'aria-labelledby': 'let-in-title' },
      el('h3', { id: 'let-in-title' }, t('room.let_in')), this.letInHint, form);
    return this.letInBox;
  }

  buildToken() {
    const seat = (name, checked) => {
      const input = el('input', {
        type: 'radio', name: 'token-seat', value: name, id: `token-seat-${name}`, checked,
        'aria-describedby': `token-seat-${name}-hint`,
      });
      return [input, el('div', { className: 'choice' }, input,
        el('label', { htmlFor: `token-seat-${name}` }, t(`room.token_seat.${name}`),
          el('span', { id: `token-seat-${name}-hint`, className: 'hint' }, t(`room.token_seat_hint.${name}`))))];
    };
    const [speaker, onStageChoice] = seat('speaker', false);
    const [, audienceChoice] = seat('listener', true);
    this.seatSpeaker = speaker;
    this.seats = el('fieldset', { className: 'kinds seats' },
      el('legend', {}, t('room.token_seat')), onStageChoice, audienceChoice);
    this.listenerOnly = el('p', { className: 'hint' }, t('room.token_listener_only'));
    this.tokenStatus = el('p', { className: 'form-status', role: 'status' });
    this.tokenOut = el('div', { className: 'token-out' });
    this.tokenOut.hidden = true;
    return el('section', { className: 'tool', 'aria-labelledby': 'token-title' },
      el('h3', { id: 'token-title' }, t('room.token')),
      el('p', { className: 'hint' }, ...tn('room.token_hint', { command: code('majlis bot') })),
      this.seats, this.listenerOnly,
      el('div', { className: 'buttons' }, button(t('room.token_make'), { cls: 'primary', onClick: () => this.makeToken() })),
      this.tokenStatus, this.tokenOut);
  }

  open() {
    this.paint(this.store.state);
    this.dialog.showModal();
    this.unlisted.focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  paint(s) {
    this.unlisted.checked = s.unlisted;
    const you = s.you;
    let state = '';
    if (you && onStage(you)) state = t('room.unlisted_on_stage');
    else if (you) state = t(you.unlisted ? 'room.unlisted_now' : 'room.listed_now');
    if (this.listingState.textContent !== state) this.listingState.textContent = state;
    const mod = isModerator(s);
    const kind = s.room ? s.room.type : 'open';
    this.letInBox.hidden = !mod || kind === 'open';
    this.letInHint.textContent = t(`room.let_in_hint.${kind === 'social' ? 'social' : 'closed'}`);
    this.seats.hidden = !mod;
    this.listenerOnly.hidden = mod;
    // A control that went away (made or unmade moderator) took the focus.
    if (this.dialog.open && !this.dialog.contains(document.activeElement)) this.unlisted.focus();
  }

  // ---- letting a member in ----

  async letIn() {
    if (this.letInBusy) return;
    const handle = handleOf(this.handle.value);
    if (!handle || !HANDLE_RE.test(handle)) {
      this.letInFailed(t(handle ? 'room.let_in_invalid' : 'room.let_in_empty'));
      return;
    }
    this.letInBusy = true;
    say(this.letInStatus, 'busy', t('room.let_in_busy'));
    const r = await this.act('let_in', handle);
    this.letInBusy = false;
    if (!this.dialog.open) return;
    if (r.ok) {
      this.handle.value = '';
      say(this.letInStatus, 'ok', t('room.let_in_done', { handle: `@${handle}` }));
    } else if (r.code === 'invalid_handle') {
      this.letInFailed(t('room.let_in_invalid'));
    } else if (r.code === 'no_such_member') {
      this.letInFailed(t('room.let_in_nobody', { handle: `@${handle}` }));
    } else {
      say(this.letInStatus, 'error', r.text || '');
    }
  }

  letInFailed(text) {
    this.handle.setAttribute('aria-invalid', 'true');
    say(this.letInStatus, 'error', text);
    this.handle.focus();
  }

  // ---- a bot's token ----

  async makeToken() {
    if (this.tokenBusy) return;
    const seat = isModerator(this.store.state) && this.seatSpeaker.checked ? 'speaker' : 'listener';
    this.tokenBusy = true;
    this.tokenOut.hidden = true;
    this.tokenOut.replaceChildren();
    say(this.tokenStatus, 'busy', t('room.token_busy'));
    const r = await this.act('token', seat);
    this.tokenBusy = false;
    // Closed meanwhile: the token is dropped unseen.
    if (!this.dialog.open) return;
    if (!r.ok) {
      say(this.tokenStatus, 'error', r.text || '');
      return;
    }
    say(this.tokenStatus, '', '');
    this.showToken(r.reply);
  }

  showToken({ token, room, seat, expires_at: expiresAt }) {
    const speaks = seat === 'speaker';
    const command = speaks
      ? `majlis bot speak --url ${location.origin} --room ${room} --token ${token} FILE.wav`
      : `majlis bot record --url ${location.origin} --room ${room} --token ${token} --out talk.ogg`;
    // rows for browsers that do not size a field to its content (app.css).
    const field = (id, value, rows) => el('textarea', {
      id, value, rows, readOnly: true, dir: 'ltr', spellcheck: false, className: 'code link',
      'aria-describedby': 'token-warning token-expires',
    });
    const tokenBox = field('token-text', token, 4);
    const commandBox = field('token-command', command, 7);
    this.copyStatus = el('p', { className: 'form-status', role: 'status' });
    this.tokenOut.replaceChildren(
      el('p', { id: 'token-warning', className: 'warn' }, t('room.token_warning')),
      el('p', { id: 'token-expires' }, t('room.token_expires', { when: when(expiresAt) })),
      el('div', { className: 'field' },
        el('div', { className: 'field-head' }, el('label', { htmlFor: 'token-text' }, t('room.token_field')),
          this.copyButton('room.copy_token', tokenBox)),
        tokenBox),
      el('div', { className: 'field' },
        el('div', { className: 'field-head' }, el('label', { htmlFor: 'token-command' }, t(speaks ? 'room.token_speak' : 'room.token_record')),
          this.copyButton('room.copy_command', commandBox)),
        commandBox),
      this.copyStatus,
      speaks ? el('p', { className: 'hint' }, ...tn('room.token_file_hint', { file: code('FILE.wav') })) : '',
      el('p', { className: 'hint' }, ...tn('room.token_env', { env: code('MAJLIS_TOKEN'), flag: code('--token') })));
    this.tokenOut.hidden = false;
    tokenBox.focus();
  }

  copyButton(nameKey, box) {
    const b = button(t('room.copy'), { cls: 'small' });
    b.setAttribute('aria-label', t(nameKey));
    b.addEventListener('click', async () => {
      let ok = true;
      try {
        await navigator.clipboard.writeText(box.value);
      } catch (_) {
        ok = false; // no clipboard here (not https) or refused
      }
      if (!ok) {
        box.focus();
        box.select();
      }
      say(this.copyStatus, ok ? 'ok' : 'error', t(ok ? 'room.copied' : 'room.copy_failed'));
    });
    return b;
  }

  // Closing the sheet forgets the token and what was said.
  forget() {
    this.tokenOut.replaceChildren();
    this.tokenOut.hidden = true;
    say(this.tokenStatus, '', '');
    say(this.letInStatus, '', '');
    this.handle.value = '';
    this.handle.removeAttribute('aria-invalid');
  }
}
