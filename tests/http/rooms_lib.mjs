// Helpers for the rooms tests: a community of members, a browser-shaped
// visit offer, entering a room and opening its event socket.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startServer, signup, invite, NO_LIMITS } from './lib.mjs';
import { openWs } from './ws.mjs';

const FIXTURES = join(process.env.MAJLIS_SOURCE_DIR || '.', 'tests', 'fixtures', 'sdp');

export function fixture(name) {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

// A Chrome-shaped offer for a room visit: the three receive-only slots of
// a WHEP offer and a fourth, send-only section for the microphone, all
// bundled on one transport.
export function visitOffer() {
  const base = fixture('chrome_whep_offer_3audio.sdp').replace(/\r?\n/g, '\r\n');
  const sections = base.split(/(?=\r\nm=)/);
  const mic = sections[1].replace('a=mid:0', 'a=mid:3').replace('a=recvonly', 'a=sendonly')
    .replace(/m=audio \d+/, 'm=audio 51004')
    .concat('\r\na=msid:mic mictrack\r\na=ssrc:1122334455 cname:visit');
  return `${sections.join('').replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1 2 3')}${mic}`
    .replace(/(\r\n)+$/, '').concat('\r\n');
}

// A server with rate limits off, the admin signed up, and members with the
// given handles (each a Client with its session cookie).
export async function community(handles, { args = [] } = {}) {
  const server = await startServer({ env: NO_LIMITS, args });
  const admin = await signup(server, server.invite, 'admin', 'المشرف');
  const members = {};
  for (const h of handles) members[h] = await signup(server, await invite(admin), h, h.toUpperCase());
  return { server, admin, members };
}

export async function createRoom(client, body) {
  const r = await client.post('/api/rooms', body);
  assert.equal(r.status, 201, r.text);
  return r.json.room;
}

// Enters a room as a page does; returns the reply ({visit, answer, you, room}).
export async function enter(client, roomId, extra = {}) {
  const r = await client.post(`/api/rooms/${roomId}/visits`, { offer: visitOffer(), ...extra });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.answer, /^v=0\r\n/);
  return r.json;
}

// Opens a visit's event socket and waits for its snapshot.
export async function socket(server, client, roomId, visit) {
  const { status, ws } = await openWs(server.url, `/api/rooms/${roomId}/visits/${visit}/events`,
    { cookie: client.cookie });
  assert.equal(status, 101);
  const snapshot = await ws.next('snapshot');
  return { ws, snapshot };
}

// Enters and opens the socket: everything a page does before it plays.
export async function arrive(server, client, roomId, extra = {}) {
  const v = await enter(client, roomId, extra);
  const s = await socket(server, client, roomId, v.visit);
  return { ...v, ...s, id: v.you.id };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
