// WHIP and WHEP from the browser: one RTCPeerConnection per session, the
// offer POSTed as application/sdp with a bearer token, the answer applied,
// and DELETE on the session resource to leave. The server is ICE-lite and
// puts its candidates in the answer, so nothing is trickled.

export class MediaError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
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
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return location;
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

// Publishes the audio tracks of `stream` into a room (WHIP).
export async function publish(base, room, token, stream) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  for (const track of stream.getAudioTracks()) {
    pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  }
  try {
    const location = await exchange(`${base}/whip/${encodeURIComponent(room)}`, token, pc);
    return new Session(pc, location);
  } catch (e) {
    pc.close();
    throw e;
  }
}

// Listens to a room (WHEP) with `slots` receive slots: the server fills
// each with one speaker. onTrack(stream, index) is called per slot.
export async function listen(base, room, token, slots, onTrack) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  const transceivers = [];
  for (let i = 0; i < slots; i++) {
    transceivers.push(pc.addTransceiver('audio', { direction: 'recvonly' }));
  }
  pc.addEventListener('track', (ev) => {
    const index = transceivers.indexOf(ev.transceiver);
    onTrack(ev.streams[0] || new MediaStream([ev.track]), index, ev.track);
  });
  try {
    const location = await exchange(`${base}/whep/${encodeURIComponent(room)}`, token, pc);
    return new Session(pc, location);
  } catch (e) {
    pc.close();
    throw e;
  }
}
