// A small WebSocket client (RFC 6455) for the tests, over a plain TCP
// socket, so that a test controls what a browser would not let it: any
// Origin and Cookie, no subprotocol, and dropping the connection without a
// close frame (a phone that lost its network).
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const ROOM_PROTOCOL = 'majlis.room.v1';

function frame(opcode, payload) {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) { head[1] = 0x80 | 126; head.writeUInt16BE(len, 2); }
  else { head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(len), 2); }
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

// Opens a socket to `path`; resolves once the handshake is answered:
// {status, ws} where ws is null unless the server switched protocols.
export function openWs(base, path, { cookie, origin = base, protocol = ROOM_PROTOCOL, host } = {}) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname);
    const key = randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    let ws = null;
    sock.on('connect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: ${host ?? url.host}`, 'Upgrade: websocket',
        'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
      if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
      if (origin) lines.push(`Origin: ${origin}`);
      if (cookie) lines.push(`Cookie: ${cookie}`);
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    sock.on('error', (e) => { if (!ws) reject(e); });
    sock.on('close', () => {
      if (!ws) resolve({ status: 0, ws: null });
      else ws.onEnd();
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!ws) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] || 0);
        if (status !== 101) {
          sock.destroy();
          resolve({ status, ws: null, head });
          return;
        }
        ws = new TestWs(sock);
        resolve({ status, ws, head });
      }
      buf = ws.feed(buf);
    });
  });
}

class TestWs {
  constructor(sock) {
    this.sock = sock;
    this.messages = [];
    this.waiters = [];
    this.closeCode = null;
    this.closed = new Promise((resolve) => { this.onClosed = resolve; });
  }

  // Parses whole frames off buf; returns what is left.
  feed(buf) {
    for (;;) {
      if (buf.length < 2) return buf;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return buf; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return buf; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + len) return buf;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (opcode === 1) this.push(JSON.parse(payload.toString('utf8')));
      else if (opcode === 9) this.sock.write(frame(10, payload));
      else if (opcode === 8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.closeReason = payload.subarray(2).toString('utf8');
        if (!this.sock.destroyed) this.sock.end(frame(8, payload.subarray(0, 2)));
      }
    }
  }

  push(msg) {
    this.messages.push(msg);
    const keep = [];
    for (const w of this.waiters) {
      if (w.match(msg)) w.resolve(msg);
      else keep.push(w);
    }
    this.waiters = keep;
  }

  onEnd() {
    this.onClosed({ code: this.closeCode ?? 1006, reason: this.closeReason || '' });
    for (const w of this.waiters) w.reject(new Error(`socket closed while waiting for ${w.what}`));
    this.waiters = [];
  }

  // The first message (already received or to come) for which match(msg)
  // holds; `what` names it in a timeout error.
  next(match, what = 'a message', timeout = 5000) {
    const m = typeof match === 'string' ? (msg) => msg.type === match : match;
    const name = typeof match === 'string' ? match : what;
    const found = this.messages.find(m);
    if (found) {
      this.messages.splice(this.messages.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const w = { match: m, what: name, reject };
      w.resolve = (msg) => {
        clearTimeout(timer);
        this.messages.splice(this.messages.indexOf(msg), 1);
        resolve(msg);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no ${name} within ${timeout} ms; got ${JSON.stringify(this.messages.map((x) => x.type))}`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  send(obj) {
    this.sock.write(frame(1, Buffer.from(JSON.stringify(obj))));
  }

  // A clean close with a code, as a page does when it leaves.
  close(code = 1000) {
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    this.sock.write(frame(8, p));
    return this.closed;
  }

  // The network went away: no close frame.
  drop() {
    this.sock.destroy();
    return this.closed;
  }
}
