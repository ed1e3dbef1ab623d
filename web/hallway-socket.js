// The hallway's event socket (docs/protocol.md): opened when the hallway
// is shown, closed when it is left. Nothing is asked for again and again:
// the server says what changed.
//
// When it breaks it comes back as the room's socket does (room.js): after
// 0.5, 1, 2, 4, 8 and then every 10 seconds, with some jitter, and at once
// when the browser says it is online again. Each new socket starts with a
// snapshot that replaces what the page had. A socket that hears nothing
// for 65 seconds (it pings after 30) is taken for dead.
//
// onMessage(msg) gets every message but pings' answers; onState(state)
// hears 'connecting' (no snapshot yet), 'live', 'down' (trying again) and
// 'offline' (the browser says so); onEnd(code) hears a refusal that no
// retry mends: 'unauthorized' (the session ended) or 'cross_origin'.
const PROTOCOL = 'majlis.hallway.v1';
const PING_EVERY_MS = 30000;
const SILENT_LIMIT_MS = 65000;

export function backoff(n) {
  const base = Math.min(10000, 500 * 2 ** n);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export class HallwaySocket {
  constructor({ onMessage, onState, onEnd }) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.onEnd = onEnd;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.pinger = null;
    this.closed = false;
    this.live = false;
    this.error = null;
    // Only the browser's events say "offline" (its first navigator.onLine
    // is false on a machine with loopback alone, which still reaches a
    // server there).
    this.offline = false;
    this.onOnline = () => {
      this.offline = false;
      if (this.closed || this.live) return;
      // Back at once, and from the shortest wait again.
      this.attempt = 0;
      clearTimeout(this.timer);
      this.open();
    };
    this.onOffline = () => {
      this.offline = true;
      if (!this.live) this.onState('offline');
    };
  }

  start() {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.onState('connecting');
    this.open();
  }

  stop() {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'left');
  }

  open() {
    if (this.closed) return;
    this.drop();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = new WebSocket(`${proto}//${location.host}/api/hallway/events`, PROTOCOL);
    } catch (_) {
      this.broken();
      return;
    }
    this.ws = ws;
    this.error = null;
    this.lastHeard = Date.now();
    ws.addEventListener('message', (e) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'error') {
        this.error = msg.error;
        return;
      }
      if (msg.type === 'pong') return;
      if (msg.type === 'snapshot') {
        this.attempt = 0;
        this.live = true;
      }
      this.onMessage(msg);
      if (msg.type === 'snapshot') this.onState('live');
    });
    ws.addEventListener('close', (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.closedWith(e.code);
    });
    clearInterval(this.pinger);
    this.pinger = setInterval(() => this.heartbeat(ws), PING_EVERY_MS / 3);
  }

  heartbeat(ws) {
    if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
    const quiet = Date.now() - this.lastHeard;
    if (quiet > SILENT_LIMIT_MS) {
      this.ws = null;
      ws.close(4001, 'silent');
      this.closedWith(1006);
    } else if (quiet > PING_EVERY_MS) {
      ws.send('{"type":"ping"}');
    }
  }

  drop() {
    clearInterval(this.pinger);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(4001, 'replaced');
  }

  closedWith(code) {
    clearInterval(this.pinger);
    this.live = false;
    if (this.closed) return;
    const why = this.error;
    if (code === 4401 || why === 'unauthorized') {
      this.closed = true;
      this.onEnd('unauthorized');
    } else if (code === 4403 || why === 'cross_origin') {
      this.closed = true;
      this.onEnd('cross_origin');
    } else {
      this.broken(code === 4429 || why === 'rate_limited');
    }
  }

  // Tries again later; a refusal for going too fast waits at least 5 s.
  broken(slow = false) {
    this.live = false;
    this.onState(this.offline ? 'offline' : 'down');
    clearTimeout(this.timer);
    const wait = backoff(this.attempt++);
    this.timer = setTimeout(() => this.open(), slow ? Math.max(5000, wait) : wait);
  }
}
