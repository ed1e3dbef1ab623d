// WHIP and WHEP from the browser: one RTCPeerConnection per session, the
// offer POSTed as application/sdp with a bearer token, the answer applied,
// and DELETE on the session resource to leave. The server is ICE-lite and
// puts its candidates in the answer, so nothing is trickled.
//
// TURN: an answer may name relays (Link: <turns:...>; rel="ice-server",
// RFC 9725 section 4.6). They come after the connection was made, so a
// session that does not connect directly within DIRECT_WAIT_MS is made
// again through them; later sessions use them from the start while their
// credential lasts.

const DIRECT_WAIT_MS = 5000;
let relays = null; // {iceServers, until}

export class MediaError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// The ice-server entries of a Link header (several links, comma-separated).
function iceLinks(header) {
  const out = [];
  for (const link of (header || '').split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(link);
    if (!m) continue;
    const params = {};
    for (const p of m[2].split(';')) {
      const kv = /^\s*([A-Za-z-]+)\s*=\s*"?([^"]*)"?\s*$/.exec(p);
      if (kv) params[kv[1].toLowerCase()] = kv[2];
    }
    if (params.rel !== 'ice-server') continue;
    const server = { urls: m[1] };
    if (params.username) server.username = params.username;
    if (params.credential) server.credential = params.credential;
    out.push(server);
  }
  return out;
}

// Keeps the relays until a minute before their credential ends (the
// username starts with its expiry, in unix seconds), five minutes at most.
function keepRelays(iceServers) {
  if (!iceServers.length) return;
  let until = Date.now() + 5 * 60 * 1000;
  const expiry = Number((iceServers[0].username || '').split(':')[0]);
  if (expiry > 0) until = Math.min(until, expiry * 1000 - 60 * 1000);
  relays = { iceServers, until };
}

// Whether pc reaches 'connected' within ms.
function connects(pc, ms) {
  return new Promise((resolve) => {
    let timer = null;
    const done = (ok) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      resolve(ok);
    };
    function check() {
      if (pc.connectionState === 'connected') done(true);
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') done(false);
    }
    timer = setTimeout(() => done(false), ms);
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function exchange(url, token, pc) {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription.sdp,
  });
  if (res.status !== 201) {
    let code = 'error';
    let message = `HTTP ${res.status}`;
    try {
      const body = await res.json();
      code = body.error || code;
      message = body.message || message;
    } catch (_) { /* not JSON */ }
    throw new MediaError(res.status, code, message);
  }
  const location = new URL(res.headers.get('Location'), url).toString();
  const links = iceLinks(res.headers.get('Link'));
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return { location, links };
}

class Session {
  constructor(pc, location) {
    this.pc = pc;
    this.location = location;
    this.closed = false;
  }

  // Ends the session on the server first (so its audio stops at once),
  // then closes the connection.
  async close() {
    if (this.closed) return;
    this.closed = true;
    try {
      await fetch(this.location, { method: 'DELETE' });
    } finally {
      this.pc.close();
    }
  }
}

// One session: a connection that setup(pc) fills, its offer and answer.
async function attempt(url, token, setup, iceServers) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers });
  setup(pc);
  try {
    const { location, links } = await exchange(url, token, pc);
    keepRelays(links);
    return { session: new Session(pc, location), links };
  } catch (e) {
    pc.close();
    throw e;
  }
}

// A session, through the relays when it cannot connect without them.
async function open(url, token, setup) {
  const known = relays && Date.now() < relays.until ? relays.iceServers : [];
  const first = await attempt(url, token, setup, known);
  if (known.length || !first.links.length || await connects(first.session.pc, DIRECT_WAIT_MS)) {
    return first.session;
  }
  await first.session.close().catch(() => {});
  return (await attempt(url, token, setup, first.links)).session;
}

// Publishes the audio tracks of `stream` into a room (WHIP).
export async function publish(base, room, token, stream) {
  return open(`${base}/whip/${encodeURIComponent(room)}`, token, (pc) => {
    for (const track of stream.getAudioTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    }
  });
}

// Listens to a room (WHEP) with `slots` receive slots: the server fills
// each with one speaker. onTrack(stream, index) is called per slot, for
// the connection that stays only.
export async function listen(base, room, token, slots, onTrack) {
  let kept = null;
  const early = new Map(); // pc -> its tracks until it is the one kept
  const session = await open(`${base}/whep/${encodeURIComponent(room)}`, token, (pc) => {
    const transceivers = [];
    for (let i = 0; i < slots; i++) {
      transceivers.push(pc.addTransceiver('audio', { direction: 'recvonly' }));
    }
    early.set(pc, []);
    pc.addEventListener('track', (ev) => {
      const args = [ev.streams[0] || new MediaStream([ev.track]), transceivers.indexOf(ev.transceiver), ev.track];
      if (pc === kept) onTrack(...args);
      else if (early.has(pc)) early.get(pc).push(args);
    });
  });
  kept = session.pc;
  for (const args of early.get(kept) || []) onTrack(...args);
  early.clear();
  return session;
}
