// The room as this page knows it: one store, filled from the event
// socket's snapshot and kept up to date by its events (docs/protocol.md),
// plus what only this page knows (the connection, the microphone, the
// audio). Views read it and subscribe; nothing else writes it.
//
// What a change touched is passed to listeners as a set of parts:
//   'room' (title, kind, hands, counts), 'people', 'you', 'levels',
//   'invitation', 'page' (connection, microphone, audio, the end).

const SPEAKING = 8; // of 0-100: quieter than this is not speech

export function createStore() {
  const state = {
    room: null,            // the room object of the API, without stage
    you: null,             // my person
    people: new Map(),     // id -> person, in the server's order
    counts: { moderators: 0, speakers: 0, listeners: 0 },
    audienceComplete: true,
    audienceLive: true,
    levels: new Map(),     // id -> 0-100 of those speaking now
    invitation: null,      // {by, by_name} while an invitation waits
    // This page's own state:
    conn: 'entering',      // entering | live | restoring | offline | over
    end: null,             // null | {kind: 'ended'|'removed'|'gone'|'refused', ...}
    mic: 'off',            // off | asking | on | refused | failed
    music: false,
    unlisted: false,       // the reader's wish to listen unlisted (you.unlisted says what is)
    audioBlocked: false,
  };
  const listeners = new Set();

  function emit(...parts) {
    const set = new Set(parts);
    for (const fn of listeners) fn(state, set);
  }

  // Each person message is the whole person as this reader may see them.
  function upsert(p) {
    state.people.set(p.id, p);
    if (state.you && p.id === state.you.id) state.you = p;
  }

  return {
    state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    set(part, values) {
      Object.assign(state, values);
      emit(part);
    },

    // POST /visits answers with the room and me before the socket opens:
    // enough to show the title and the stage at once.
    entered({ room, you }) {
      const { stage = [], counts, ...rest } = room;
      state.room = rest;
      state.you = you;
      state.people = new Map();
      for (const p of stage) state.people.set(p.id, p);
      state.people.set(you.id, you);
      if (counts) state.counts = counts;
      emit('room', 'people', 'you');
    },

    // A message from the event socket; returns its type.
    apply(msg) {
      switch (msg.type) {
        case 'snapshot': {
          const { stage, counts, ...rest } = msg.room;
          state.room = rest;
          state.you = msg.you;
          state.people = new Map();
          for (const p of msg.people) state.people.set(p.id, p);
          state.people.set(msg.you.id, msg.you);
          state.counts = msg.counts || counts || state.counts;
          state.audienceComplete = msg.audience_complete !== false;
          state.levels = new Map();
          state.invitation = msg.you.invited ? state.invitation || { by: null, by_name: null } : null;
          emit('room', 'people', 'you', 'levels', 'invitation');
          break;
        }
        case 'person': {
          const p = msg.person;
          const mine = state.you && p.id === state.you.id;
          upsert(p);
          if (mine && !p.invited && state.invitation) {
            state.invitation = null;
            emit('people', 'you', 'invitation');
          } else {
            emit('people', ...(mine ? ['you'] : []));
          }
          break;
        }
        case 'left':
          if (state.people.delete(msg.id)) {
            state.levels.delete(msg.id);
            emit('people');
          }
          break;
        case 'counts':
          state.counts = msg.counts;
          if (typeof msg.audience_live === 'boolean') state.audienceLive = msg.audience_live;
          emit('room');
          break;
        case 'levels': {
          const next = new Map();
          for (const l of msg.levels || []) if (l.level >= SPEAKING) next.set(l.id, l.level);
          state.levels = next;
          emit('levels');
          break;
        }
        case 'invited':
          state.invitation = { by: msg.by, by_name: msg.by_name || null };
          emit('invitation');
          break;
        case 'room': {
          const { stage, counts, ...rest } = msg.room;
          state.room = rest;
          if (counts) state.counts = counts;
          emit('room');
          break;
        }
        case 'removed':
          state.end = { kind: 'removed' };
          emit('page');
          break;
        case 'ended':
          state.end = { kind: 'ended', reason: msg.reason };
          emit('page');
          break;
        default:
          break; // 'error' and 'pong' are the socket's business
      }
      return msg.type;
    },

    // An action's answer {room, you}: the freshest word on me and the room.
    answered(reply) {
      if (!reply) return;
      if (reply.room) {
        const { stage, counts, ...rest } = reply.room;
        state.room = rest;
        if (counts) state.counts = counts;
      }
      if (reply.you) {
        upsert(reply.you);
        if (!reply.you.invited) state.invitation = null;
      }
      emit('room', 'people', 'you', 'invitation');
    },
  };
}

// ---- reading the store ----

export const onStage = (p) => !!p && (p.role === 'moderator' || p.role === 'speaker');
export const isModerator = (s) => !!s.you && s.you.role === 'moderator';

// The stage: the host first, then moderators, then speakers, each in the
// order they came.
export function stageOf(s) {
  const rank = (p) => (p.host ? 0 : p.role === 'moderator' ? 1 : 2);
  return [...s.people.values()].filter(onStage).sort((a, b) => rank(a) - rank(b));
}

// Raised hands, the oldest first (moderators see hands; others do not).
export function handsOf(s) {
  return [...s.people.values()].filter((p) => !onStage(p) && p.hand).sort((a, b) => a.hand - b.hand);
}

export function audienceOf(s) {
  return [...s.people.values()].filter((p) => !onStage(p));
}

// Listeners counted but not named (unlisted, or past the first 200).
export function unnamedListeners(s) {
  return Math.max(0, s.counts.listeners - audienceOf(s).length);
}

export const stageFull = (s) => s.room && s.counts.moderators + s.counts.speakers >= s.room.max_stage;

// What I may do to person p: only what the server would allow
// (docs/api.md, "Roles" and "A moderator's actions").
export function actionsOn(s, p) {
  const me = s.you;
  if (!me || !p || p.id === me.id || me.role !== 'moderator' || p.host) return [];
  const out = [];
  if (onStage(p)) {
    out.push('audience');
    if (!p.muted) out.push('mute');
    if (p.role === 'speaker' && !p.bot) out.push('make_mod');
    if (p.role === 'moderator') out.push('unmake_mod');
  } else if (!p.invited && !stageFull(s)) {
    out.push('invite');
  }
  out.push('remove');
  return out;
}
