// "/room/ID": entering a room, staying in it, and leaving it.
//
// Entering is one request with the SDP offer (POST /api/rooms/ID/visits);
// the answer starts the audio, and the event socket then keeps the store
// up to date (docs/api.md, docs/protocol.md). What happens when things
// break:
//   * the socket closes unexpectedly: it is opened again for the same
//     visit, after 0.5, 1, 2, 4, 8 and then every 10 seconds (with some
//     jitter), at once when the browser comes back online;
//   * the server says the visit is over (close 4404 or 4008, `no_visit`),
//     or the media connection fails (ICE failed, or disconnected for 5
//     seconds): the page enters again with a new peer connection, and
//     only then ends the old visit, so the reader keeps their place;
//   * the server is full (503): it says so and tries again after
//     Retry-After.
// Listening unlisted is a wish kept in this browser and sent with every
// entering; changing it while a listener enters again (see relist()).
// Leaving (the button, or any move to another view of the app) tells the
// server, closes the socket with 1000 and the peer connection.
import { api } from './api.js';
import { t } from './i18n.js';
import { signInFirst, explainIn, waitIn } from './room-common.js';
import { createStore, onStage } from './room-store.js';
import { RoomMedia } from './room-media.js';
import { RoomView } from './room-view.js';

const PROTOCOL = 'majlis.room.v1';
const MUSIC_KEY = 'majlis.music';
const UNLISTED_KEY = 'majlis.unlisted';
const ICE_GRACE_MS = 5000;
const PING_EVERY_MS = 30000;
const SILENT_LIMIT_MS = 65000;
const LEAVE_WAIT_MS = 2000;

// Refusals of entering that end the page's attempt (docs/api.md).
const REFUSALS = new Set(['not_found', 'removed', 'not_named', 'not_followed', 'room_ended',
  'bad_offer', 'no_audio', 'cross_origin', 'suspended']);

function stored(key) {
  try { return localStorage.getItem(key) === '1'; } catch (_) { return false; }
}

function store(key, on) {
  try { localStorage.setItem(key, on ? '1' : '0'); } catch (_) { /* for this page only */ }
}

export function showRoom(ctx, id) {
  const room = new RoomController(ctx, id);
  room.start();
  return () => room.dispose();
}

class RoomController {
  constructor(ctx, id) {
    this.ctx = ctx;
    this.id = id;
    this.base = `/api/rooms/${encodeURIComponent(id)}`;
    this.store = createStore();
    this.store.state.music = stored(MUSIC_KEY);
    this.store.state.unlisted = stored(UNLISTED_KEY);
    this.media = new RoomMedia();
    this.ws = null;
    this.visit = null;
    this.timers = new Set();
    this.attempt = 0;          // socket reconnects since the last snapshot
    this.enterAttempt = 0;
    this.entering = false;
    this.everLive = false;
    this.closed = false;
    this.lastHeard = 0;
    this.slotBox = document.createElement('div');
    this.slotBox.className = 'room-slots';
    this.slotBox.setAttribute('aria-hidden', 'true');
    this.slotBox.append(...this.media.slots);
    // Only the browser's events say "offline": its initial navigator.onLine
    // is false on a machine with loopback alone, which still reaches a
    // server there.
    this.offline = false;
    this.onOnline = () => {
      this.offline = false;
      this.online();
    };
    this.onOffline = () => {
      this.offline = true;
      this.paintConn();
    };
    this.act = (what, ...args) => this.action(what, ...args);
  }

  start() {
    if (!window.RTCPeerConnection) {
      this.store.set('page', { end: { kind: 'refused', code: 'no_webrtc' } });
    }
    document.body.classList.add('in-room');
    // A new language repaints the room's screen; the visit goes on.
    this.ctx.onLanguage(() => this.mountView());
    document.body.append(this.slotBox);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.store.subscribe((s, parts) => {
      if (parts.has('you') || parts.has('page')) this.syncMic();
      if (parts.has('you')) this.checkListing();
      if (parts.has('page') && s.end) this.finish();
    });
    this.mountView();
    if (this.ctx.focus) this.view.focusTitle();
    if (!this.store.state.end) this.enter();
  }

  mountView() {
    if (this.view) this.view.dispose();
    this.view = new RoomView(this.store, this.act);
    this.view.mount(this.ctx.view);
    if (!this.store.state.room) document.title = t('app.name');
  }

  later(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimers() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- entering ----

  async enter() {
    if (this.entering || this.closed || this.store.state.end) return;
    this.entering = true;
    let conn = null;
    try {
      conn = await this.media.prepare((state) => this.iceState(state));
      const body = { offer: conn.offer };
      if (this.store.state.unlisted) body.unlisted = true;
      const res = await api('POST', `${this.base}/visits`, body);
      if (this.closed) {
        RoomMedia.discard(conn);
        this.sendLeave();
        return;
      }
      const old = this.visit;
      this.visit = res.visit;
      this.iceUp = false;
      await this.media.use(conn, res.answer);
      conn = null;
      this.enterAttempt = 0;
      this.needEnter = false;
      if (this.retryNote) this.view.say('');
      this.retryNote = false;
      this.store.entered(res);
      this.openSocket();
      if (old) this.endVisit(old);
      this.syncMic();
      this.startAudio();
    } catch (err) {
      RoomMedia.discard(conn);
      if (!this.closed) this.enterFailed(err);
    } finally {
      this.entering = false;
    }
    this.checkListing();
  }

  enterFailed(err) {
    if (err.name !== 'ApiError') {
      // The browser could not make an offer at all.
      this.store.set('page', { end: { kind: 'refused', code: 'no_webrtc' } });
    } else if (err.status === 401) {
      this.closed = true;
      signInFirst(this.ctx);
    } else if (REFUSALS.has(err.code)) {
      this.store.set('page', { end: { kind: 'refused', code: err.code } });
    } else if (err.status === 503 || err.status === 429) {
      const wait = err.retryAfter || 5;
      const key = err.status === 503 ? 'room.full' : 'room.slow_down';
      this.view.say(t(key, { time: waitIn(wait) }), { retry: true });
      this.retryNote = true;
      this.later(wait * 1000, () => this.enter());
    } else if (err.status === 0 || err.status >= 500) {
      // The network or the server had a moment: again, slower each time.
      const delay = this.backoff(this.enterAttempt++);
      this.needEnter = true;
      if (this.everLive || this.offline) this.paintConn(true);
      else this.view.say(`${explainIn(err)} ${t('room.retrying')}`, { retry: true });
      this.retryNote = !this.everLive;
      this.later(delay, () => this.enter());
    } else {
      this.store.set('page', { end: { kind: 'refused', code: err.code, text: explainIn(err), retry: true } });
    }
  }

  backoff(n) {
    const base = Math.min(10000, 500 * 2 ** n);
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  // Ends a visit this page no longer uses (after entering again).
  endVisit(visit) {
    api('DELETE', `${this.base}/visits/${visit}`).catch(() => {});
  }

  async startAudio() {
    const ok = await this.media.play();
    if (!this.closed && !this.store.state.end) this.store.set('page', { audioBlocked: !ok });
  }

  // ---- the event socket ----

  openSocket() {
    this.dropSocket();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${this.base}/visits/${this.visit}/events`, PROTOCOL);
    this.ws = ws;
    this.socketError = null;
    this.lastHeard = Date.now();
    ws.addEventListener('message', (e) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      if (msg.type === 'error') {
        this.socketError = msg.error;
        return;
      }
      const type = this.store.apply(msg);
      if (type === 'snapshot') {
        this.attempt = 0;
        this.sockUp = true;
        this.paintConn();
      }
    });
    ws.addEventListener('close', (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.sockUp = false;
      this.socketClosed(e.code);
    });
    this.pinger = setInterval(() => this.heartbeat(ws), PING_EVERY_MS / 3);
  }

  // A socket that hears nothing at all for too long is dead, whatever
  // the browser thinks: drop it (not with 1000, which would leave) and
  // open another.
  heartbeat(ws) {
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - this.lastHeard;
    if (quiet > SILENT_LIMIT_MS) {
      this.ws = null;
      this.sockUp = false;
      ws.close(4001, 'silent');
      this.socketClosed(1006);
    } else if (quiet > PING_EVERY_MS) {
      ws.send('{"type":"ping"}');
    }
  }

  dropSocket(code = 4001) {
    clearInterval(this.pinger);
    const ws = this.ws;
    this.ws = null;
    this.sockUp = false;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(code, code === 1000 ? 'left' : 'replaced');
  }

  socketClosed(code) {
    clearInterval(this.pinger);
    if (this.closed || this.store.state.end) return;
    const why = this.socketError;
    if (code === 4401 || why === 'unauthorized') {
      this.closed = true;
      signInFirst(this.ctx);
    } else if (code === 4410 || why === 'room_ended') {
      this.store.set('page', { end: { kind: 'ended' } });
    } else if (code === 4403 || why === 'cross_origin') {
      this.store.set('page', { end: { kind: 'refused', code: 'cross_origin' } });
    } else if (code === 4404 || code === 4008 || why === 'no_visit' || why === 'not_found') {
      // This visit is over on the server: enter again.
      this.visit = null;
      this.paintConn(true);
      this.enter();
    } else if (code === 1000) {
      // Ended without a word why: this member left from another page.
      this.store.set('page', { end: { kind: 'gone' } });
    } else {
      this.paintConn(true);
      this.reopenLater();
    }
  }

  // Keep trying, whatever the browser thinks of the network, and try at
  // once when it says it is back (online()).
  reopenLater() {
    const delay = this.backoff(this.attempt++);
    this.later(delay, () => {
      if (!this.ws && this.visit && !this.entering) this.openSocket();
    });
  }

  online() {
    this.paintConn();
    if (this.closed || this.store.state.end) return;
    this.attempt = 0;
    this.enterAttempt = 0;
    if (this.needEnter || !this.visit) this.enter();
    else if (!this.ws) this.openSocket();
    else if (this.media.state === 'failed' || this.media.state === 'disconnected') this.reenter();
  }

  // ---- the media connection ----

  iceState(state) {
    if (state === 'connected') {
      clearTimeout(this.iceTimer);
      this.iceUp = true;
      this.paintConn();
    } else if (state === 'disconnected') {
      this.iceUp = false;
      this.paintConn(true);
      clearTimeout(this.iceTimer);
      this.iceTimer = this.later(ICE_GRACE_MS, () => {
        if (this.media.state !== 'connected') this.reenter();
      });
    } else if (state === 'failed') {
      this.iceUp = false;
      this.paintConn(true);
      this.reenter();
    }
  }

  // A new connection for the same person: the old visit ends once the
  // new one is in (enter() does that).
  reenter() {
    if (this.entering || this.closed || this.store.state.end) return;
    this.dropSocket();
    this.enter();
  }

  paintConn(lost = false) {
    if (this.closed) return;
    const live = this.sockUp && this.iceUp;
    if (live) this.everLive = true;
    let conn;
    if (live) conn = 'live';
    else if (this.offline) conn = 'offline';
    else if (this.everLive || lost) conn = 'restoring';
    else conn = 'entering';
    if (conn !== this.store.state.conn) this.store.set('page', { conn });
  }

  // ---- the microphone ----

  // On stage: the microphone is there, enabled unless muted. Off stage
  // (or at the end): nothing is sent.
  async syncMic() {
    const s = this.store.state;
    const want = onStage(s.you) && !s.end && !this.closed;
    if (!want) {
      if (s.mic !== 'off' || this.media.track) {
        this.media.micOff();
        if (!this.closed) this.store.set('page', { mic: 'off' });
      }
      return;
    }
    if (s.mic === 'on') {
      this.media.setEnabled(!s.you.muted);
      return;
    }
    if (s.mic === 'off') await this.micOn();
  }

  async micOn() {
    this.store.set('page', { mic: 'asking' });
    let music;
    do {
      // Music mode may change while the browser asks: ask again then.
      music = this.store.state.music;
      try {
        await this.media.micOn({ music, enabled: !this.store.state.you.muted });
      } catch (err) {
        if (this.closed) return;
        this.micFailed(err);
        return;
      }
    } while (music !== this.store.state.music && !this.closed);
    const now = this.store.state;
    if (this.closed || !onStage(now.you) || now.end) {
      this.media.micOff();
      if (!this.closed) this.store.set('page', { mic: 'off' });
      return;
    }
    this.media.setEnabled(!now.you.muted);
    this.store.set('page', { mic: 'on' });
    if (this.micNote) this.view.say('');
    this.micNote = false;
  }

  micFailed(err) {
    this.store.set('page', { mic: err.name === 'NotAllowedError' ? 'refused' : 'failed' });
    this.micNote = true;
    this.view.say(t(err.name === 'NotAllowedError' ? 'room.mic.refused'
      : err.name === 'Insecure' ? 'room.mic.insecure' : 'room.mic.failed'));
    // Keep the server's mute on: nothing would be heard anyway.
    const you = this.store.state.you;
    if (onStage(you) && !you.muted) this.post('/mute', { muted: true });
  }

  async toggleMute() {
    const s = this.store.state;
    if (!onStage(s.you)) return;
    if (s.mic === 'on' && !s.you.muted) {
      // Silence first, then tell the server.
      this.media.setEnabled(false);
      await this.post('/mute', { muted: true });
      return;
    }
    if (s.mic !== 'on') {
      await this.micOn(); // the reader asked again: the browser may ask them
      if (this.store.state.mic !== 'on') return;
    }
    const ok = await this.post('/mute', { muted: false });
    if (ok) this.media.setEnabled(!this.store.state.you.muted);
  }

  async setMusic(on) {
    store(MUSIC_KEY, on);
    this.store.set('page', { music: on });
    // The constraints differ: take the microphone again with the new ones
    // (a request in flight notices by itself).
    if (this.store.state.mic === 'on') await this.micOn();
  }

  // ---- listening unlisted ----

  setUnlisted(on) {
    store(UNLISTED_KEY, on);
    this.store.set('page', { unlisted: on });
    this.listingWanted = true;
    this.relisted = false;
    this.checkListing();
  }

  // Brings the person in line with the wish, once it changed: only a
  // listener, since on stage everyone is seen anyway (a change made there
  // waits for the audience).
  checkListing() {
    const s = this.store.state;
    if (!this.listingWanted || this.relisting || this.entering || this.closed || s.end) return;
    if (!s.you || !this.visit || onStage(s.you)) return;
    if (!!s.you.unlisted === s.unlisted) {
      this.listingWanted = false;
      if (this.handBack && s.room && s.room.hands && !s.you.hand) this.post('/hand', { up: true });
      this.handBack = false;
      return;
    }
    if (this.relisted) {
      // Entered again and still as before: another visit of this member
      // (another window) holds the person.
      this.listingWanted = false;
      this.handBack = false;
      this.view.say(t('room.unlisted_elsewhere'));
      return;
    }
    this.relist();
  }

  // The server fixes a person's listing when they enter, and a new visit
  // joins the person already there unchanged (src/room/room.h): so,
  // unlike a reconnect, this ends the visit first (the person leaves) and
  // then enters again as someone new. A raised hand goes up again.
  async relist() {
    const s = this.store.state;
    this.relisted = true;
    this.relisting = true;
    this.handBack = !!s.you.hand;
    const old = this.visit;
    this.visit = null;
    this.dropSocket();
    let failed = null;
    try {
      await api('DELETE', `${this.base}/visits/${old}`);
    } catch (err) {
      if (err.status !== 404) failed = err; // 404: that visit is over anyway
    } finally {
      this.relisting = false;
    }
    if (this.closed || this.store.state.end) return;
    if (!failed) {
      this.enter();
      return;
    }
    // Still in, as before: back to the old visit (if it did end after
    // all, its socket says so and the page enters again, as wished).
    this.visit = old;
    this.listingWanted = false;
    this.handBack = false;
    this.openSocket();
    this.view.say(explainIn(failed));
  }

  // ---- actions ----

  // A request of the stage; its answer {room, you} updates the store.
  async post(path, body, method = 'POST') {
    try {
      const reply = await api(method, `${this.base}${path}`, body);
      if (!this.closed) this.store.answered(reply);
      return true;
    } catch (err) {
      if (!this.closed) this.refused(err);
      return false;
    }
  }

  refused(err) {
    if (err.status === 401) {
      this.closed = true;
      signInFirst(this.ctx);
    } else if (err.code === 'room_ended') {
      this.store.set('page', { end: { kind: 'ended' } });
    } else if (err.code === 'removed') {
      this.store.set('page', { end: { kind: 'removed' } });
    } else if (err.code === 'not_in_room') {
      this.reenter();
    } else {
      this.view.say(this.errorText(err));
    }
  }

  errorText(err) {
    const key = `room.err.${err.code}`;
    const text = t(key);
    return text === key ? explainIn(err) : text;
  }

  // A request whose answer the tools sheet puts into words itself:
  // {ok: true, reply} or {code, text}. What ends the page (signed out,
  // the room ended, removed) is handled as for any action.
  async ask(method, path, body) {
    try {
      return { ok: true, reply: await api(method, `${this.base}${path}`, body) };
    } catch (err) {
      if (this.closed) return { code: 'closed', text: '' };
      if (err.status === 401 || err.code === 'room_ended' || err.code === 'removed') {
        this.refused(err);
        return { code: err.code, text: '' };
      }
      if (err.code === 'not_in_room') this.reenter();
      return { code: err.code, text: this.errorText(err) };
    }
  }

  async letIn(handle) {
    const r = await this.ask('POST', '/allowed', { handle });
    if (r.ok && !this.closed) this.store.answered(r.reply);
    return r;
  }

  action(what, ...args) {
    const s = this.store.state;
    switch (what) {
      case 'toggle_mute': return this.toggleMute();
      case 'toggle_hand': return this.post('/hand', { up: !(s.you && s.you.hand) });
      case 'answer': return this.post('/invitation', { accept: !!args[0] });
      case 'step_down': return this.post('/audience');
      case 'hands': return this.post('', { hands: !(s.room && s.room.hands) }, 'PATCH');
      case 'end': return this.endRoom();
      case 'leave': return this.leave();
      case 'music': return this.setMusic(!!args[0]);
      case 'unlisted': return this.setUnlisted(!!args[0]);
      case 'let_in': return this.letIn(args[0]);
      case 'token': return this.ask('POST', '/tokens', { seat: args[0] === 'speaker' ? 'speaker' : 'listener' });
      case 'play': return this.startAudio();
      case 'retry':
        this.view.say('');
        if (s.end) this.store.set('page', { end: null });
        this.clearTimers();
        return this.enter();
      case 'person': return this.onPerson(args[0], args[1]);
      default: return null;
    }
  }

  onPerson(what, pid) {
    const at = `/people/${encodeURIComponent(pid)}`;
    switch (what) {
      case 'invite': return this.post(`${at}/invite`);
      case 'audience': return this.post(`${at}/audience`);
      case 'mute': return this.post(`${at}/mute`);
      case 'make_mod': return this.post(`${at}/moderator`, undefined, 'PUT');
      case 'unmake_mod': return this.post(`${at}/moderator`, undefined, 'DELETE');
      case 'remove': return this.post(`${at}/remove`);
      default: return null;
    }
  }

  async endRoom() {
    try {
      await api('POST', `${this.base}/end`);
      if (!this.closed) this.store.set('page', { end: { kind: 'ended' } });
    } catch (err) {
      if (!this.closed) this.refused(err);
    }
  }

  // ---- leaving ----

  sendLeave() {
    const ask = api('POST', `${this.base}/leave`).catch(() => {});
    return Promise.race([ask, new Promise((r) => setTimeout(r, LEAVE_WAIT_MS))]);
  }

  // "Leave quietly": the server first, then the socket with 1000, then
  // the connection; then home.
  async leave() {
    if (this.closed) return;
    this.media.micOff();
    this.media.silence();
    await this.sendLeave();
    this.teardown();
    this.ctx.navigate('/');
  }

  // The end (ended, removed, refused): nothing more to hear or send.
  finish() {
    this.dropSocket(1000);
    this.media.close();
    this.clearTimers();
  }

  teardown() {
    this.closed = true;
    this.clearTimers();
    clearTimeout(this.iceTimer);
    this.dropSocket(1000);
    this.media.close();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.slotBox.remove();
    document.body.classList.remove('in-room');
    if (this.view) this.view.dispose();
  }

  // Another view of the app takes over: leave as the button does.
  dispose() {
    if (this.closed && !this.slotBox.isConnected) return;
    const inRoom = !!this.visit && !this.store.state.end && !this.closed;
    this.media.micOff();
    if (inRoom) this.sendLeave();
    this.teardown();
  }
}
