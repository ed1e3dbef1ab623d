// The hallway page's store (web/hallway-store.js) on its own, without a
// browser: what each message of the hallway's socket does to the list
// (docs/protocol.md, "The hallway's event socket").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHallway } from '../../web/hallway-store.js';

const room = (id, extra = {}) => ({ id, title: id, type: 'open', stage: [], speakers: 0, listeners: 0, ...extra });
const plan = (id, startsAt) => ({ id, title: `plan ${id}`, type: 'open', starts_at: startsAt, yours: false });
const ids = (h) => h.rooms().map((r) => r.id);

test('a snapshot gives the rooms in the server\'s order, and the announcements soonest first', () => {
  const h = createHallway();
  assert.equal(h.ready, false);
  const changed = h.apply({ type: 'snapshot', rooms: [room('b'), room('a')], upcoming: [plan(2, 300), plan(1, 100), plan(3, 100)] });
  assert.deepEqual([...changed].sort(), ['rooms', 'upcoming']);
  assert.equal(h.ready, true);
  assert.deepEqual(ids(h), ['b', 'a']);
  assert.deepEqual(h.upcoming().map((p) => p.id), [1, 3, 2]);
});

test('a room message adds a room at the end or changes it in place', () => {
  const h = createHallway();
  h.apply({ type: 'snapshot', rooms: [room('a'), room('b')], upcoming: [] });
  h.apply({ type: 'room', room: room('c') });
  assert.deepEqual(ids(h), ['a', 'b', 'c']);
  h.apply({ type: 'room', room: room('a', { listeners: 7, followed: true }) });
  assert.deepEqual(ids(h), ['a', 'b', 'c'], 'a change keeps the place');
  assert.equal(h.rooms()[0].listeners, 7);
});

test('the order is applied as given; a room it does not name yet keeps its place after', () => {
  const h = createHallway();
  h.apply({ type: 'snapshot', rooms: [room('a'), room('b')], upcoming: [] });
  h.apply({ type: 'room', room: room('new') });
  // The server tells of a room at once and places it at its next ordering.
  assert.deepEqual([...h.apply({ type: 'order', rooms: ['b', 'a'] })], ['rooms']);
  assert.deepEqual(ids(h), ['b', 'a', 'new']);
  h.apply({ type: 'order', rooms: ['new', 'b', 'a'] });
  assert.deepEqual(ids(h), ['new', 'b', 'a']);
  assert.equal(h.apply({ type: 'order', rooms: ['new', 'b', 'a'] }).size, 0, 'the same order changes nothing');
  // Ids it does not know (gone meanwhile) are passed over.
  h.apply({ type: 'order', rooms: ['a', 'gone-already', 'b', 'a'] });
  assert.deepEqual(ids(h), ['a', 'b', 'new']);
});

test('gone takes a room away; a snapshot after a reconnect replaces everything', () => {
  const h = createHallway();
  h.apply({ type: 'snapshot', rooms: [room('a'), room('b')], upcoming: [plan(1, 100)] });
  h.apply({ type: 'gone', id: 'a' });
  assert.deepEqual(ids(h), ['b']);
  assert.equal(h.apply({ type: 'gone', id: 'a' }).size, 0, 'twice changes nothing');
  h.apply({ type: 'snapshot', rooms: [room('c')], upcoming: [] });
  assert.deepEqual(ids(h), ['c']);
  assert.deepEqual(h.upcoming(), []);
});

test('announcements come, change, and go', () => {
  const h = createHallway();
  h.apply({ type: 'snapshot', rooms: [], upcoming: [] });
  h.apply({ type: 'upcoming', schedule: plan(5, 500) });
  h.apply({ type: 'upcoming', schedule: plan(4, 400) });
  assert.deepEqual(h.upcoming().map((p) => p.id), [4, 5]);
  h.apply({ type: 'upcoming', schedule: { ...plan(5, 100), title: 'moved' } });
  assert.deepEqual(h.upcoming().map((p) => [p.id, p.title]), [[5, 'moved'], [4, 'plan 4']]);
  h.apply({ type: 'unscheduled', id: 5 });
  assert.deepEqual(h.upcoming().map((p) => p.id), [4]);
  // Taken off by the page itself (cancelled, started): the socket's word
  // that follows changes nothing.
  assert.equal(h.drop(4), true);
  assert.equal(h.apply({ type: 'unscheduled', id: 4 }).size, 0);
});

test('messages it does not understand change nothing', () => {
  const h = createHallway();
  h.apply({ type: 'snapshot', rooms: [room('a')], upcoming: [] });
  for (const msg of [null, 'text', {}, { type: 'pong' }, { type: 'room' }, { type: 'room', room: { title: 'no id' } },
    { type: 'order' }, { type: 'upcoming', schedule: { id: 'x' } }, { type: 'later', rooms: [] }]) {
    assert.equal(h.apply(msg).size, 0, JSON.stringify(msg));
  }
  assert.deepEqual(ids(h), ['a']);
});
