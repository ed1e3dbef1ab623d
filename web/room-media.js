// The room's audio in this page: one RTCPeerConnection per visit with
// three receive slots (the room's loudest speakers come through them) and
// one send slot that carries the microphone only while on stage. Going on
// stage or back swaps the send slot's track (replaceTrack): no second
// connection, no new offer. The three <audio> elements outlive the
// connections, so audio the reader allowed once keeps playing after a
// reconnect.

const SLOTS = 3;

// TURN relays the server offers (GET /api/ice-servers): where only HTTPS
// gets through, the audio goes over TURN on port 443. A credential lasts
// `ttl` seconds; one is reused for half of that, then asked again.
let iceCache = null; // {servers, until}

async function iceServers() {
  if (iceCache && Date.now() < iceCache.until) return iceCache.servers;
  try {
    const r = await fetch('/api/ice-servers', { credentials: 'same-origin' });
    if (!r.ok) return [];
    const body = await r.json();
    const servers = Array.isArray(body.iceServers) ? body.iceServers : [];
    iceCache = { servers, until: Date.now() + (body.ttl || 0) * 500 };
    return servers;
  } catch (_) {
    return []; // without a relay a direct connection may still work
  }
}

export class MicError extends Error {
  // name: NotAllowedError (refused), NotFoundError (no microphone),
  // Insecure (no mediaDevices: the page is not on https), or another.
  constructor(name, message) {
    super(message || name);
    this.name = name;
  }
}

export class RoomMedia {
  constructor() {
    this.slots = [];
    for (let i = 0; i < SLOTS; i++) {
      const a = document.createElement('audio');
      a.className = 'slot';
      a.autoplay = true;
      this.slots.push(a);
    }
    this.conn = null;      // {pc, sender, recv: [transceiver]}
    this.track = null;     // the microphone while on stage
    this.asking = null;    // a getUserMedia in flight
  }

  // A new connection and its offer; the current one keeps playing until
  // use() replaces it, so a reconnect has no gap when it can be avoided.
  async prepare(onState) {
    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: await iceServers(),
    });
    const recv = [];
    for (let i = 0; i < SLOTS; i++) recv.push(pc.addTransceiver('audio', { direction: 'recvonly' }));
    const send = pc.addTransceiver('audio', { direction: 'sendonly' });
    const conn = { pc, sender: send.sender, recv, onState };
    pc.addEventListener('connectionstatechange', () => {
      if (this.conn === conn) onState(pc.connectionState);
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
    } catch (e) {
      pc.close();
      throw e;
    }
    conn.offer = pc.localDescription.sdp;
    return conn;
  }

  // Applies the server's answer and makes conn the one that plays.
  async use(conn, answer) {
    await conn.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const old = this.conn;
    this.conn = conn;
    conn.recv.forEach((t, i) => {
      this.slots[i].srcObject = new MediaStream([t.receiver.track]);
    });
    if (this.track) await conn.sender.replaceTrack(this.track).catch(() => {});
    if (old) old.pc.close();
    // It may have connected before it became the one that plays.
    if (conn.pc.connectionState !== 'new') conn.onState(conn.pc.connectionState);
  }

  // Starts every slot; false when the browser wants a tap first.
  async play() {
    const results = await Promise.all(this.slots.map((a) => {
      if (!a.srcObject) return true;
      a.muted = false;
      // A live stream with nothing in it yet may never resolve play():
      // only a refusal matters here, and it comes at once.
      return Promise.race([
        a.play().then(() => true, (e) => !(e && e.name === 'NotAllowedError')),
        new Promise((r) => setTimeout(() => r(true), 1500)),
      ]);
    }));
    return results.every(Boolean);
  }

  // Silences the slots at once (leaving, removed, ended).
  silence() {
    for (const a of this.slots) {
      a.muted = true;
      a.pause();
      a.srcObject = null;
    }
  }

  get state() {
    return this.conn ? this.conn.pc.connectionState : 'closed';
  }

  // Asks for the microphone and puts it in the send slot, enabled or not.
  // music: no echo cancellation, noise suppression or automatic gain,
  // which speech wants and music and tones do not.
  async micOn({ music, enabled }) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new MicError('Insecure');
    }
    const processing = !music;
    const ask = navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing },
    });
    this.asking = ask;
    let stream;
    try {
      stream = await ask;
    } catch (e) {
      throw new MicError((e && e.name) || 'Error', e && e.message);
    } finally {
      if (this.asking === ask) this.asking = null;
    }
    const track = stream.getAudioTracks()[0];
    if (!track) throw new MicError('NotFoundError');
    track.enabled = enabled;
    const old = this.track;
    this.track = track;
    if (this.conn) await this.conn.sender.replaceTrack(track);
    if (old) old.stop();
    return track;
  }

  setEnabled(on) {
    if (this.track) this.track.enabled = on;
  }

  get micEnabled() {
    return !!this.track && this.track.enabled && this.track.readyState === 'live';
  }

  // Back to the audience: nothing leaves the page any more.
  micOff() {
    const track = this.track;
    this.track = null;
    if (this.conn) this.conn.sender.replaceTrack(null).catch(() => {});
    if (track) track.stop();
  }

  close() {
    this.micOff();
    this.silence();
    if (this.conn) this.conn.pc.close();
    this.conn = null;
  }

  // A prepared connection that was never used (the server refused it).
  static discard(conn) {
    if (conn) conn.pc.close();
  }
}
