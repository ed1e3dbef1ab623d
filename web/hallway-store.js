// The hallway's state on this page, fed by its event socket
// (docs/protocol.md, "The hallway's event socket"): the live rooms this
// member may enter, in the server's order, and the announced rooms to
// come. Pure: no DOM, no socket, no clock.
//
//   apply(msg)   takes one message; returns the parts that changed
//                ('rooms', 'upcoming'), empty for a message it ignores.
//   rooms()      the live rooms, in order.
//   upcoming()   the announcements, soonest first.
//
// The order is the server's and is applied as given. It may arrive before
// the server has placed a room it has just told of (a room comes at once,
// the order is looked at every two seconds), so a room that an `order`
// does not name keeps its place after the rooms it does name.
export function createHallway() {
  let byId = new Map();
  let order = [];
  let plans = new Map();
  let ready = false;

  const placed = (ids) => {
    const named = ids.filter((id, i) => byId.has(id) && ids.indexOf(id) === i);
    const seen = new Set(named);
    return named.concat(order.filter((id) => !seen.has(id) && byId.has(id)));
  };

  function apply(msg) {
    const changed = new Set();
    if (!msg || typeof msg !== 'object') return changed;
    switch (msg.type) {
      case 'snapshot': {
        // A fresh start: after a reconnect, whatever ended meanwhile is gone.
        const rooms = Array.isArray(msg.rooms) ? msg.rooms.filter(validRoom) : [];
        byId = new Map(rooms.map((r) => [r.id, r]));
        order = [];
        order = placed(rooms.map((r) => r.id));
        plans = new Map((Array.isArray(msg.upcoming) ? msg.upcoming : []).filter(validPlan).map((s) => [s.id, s]));
        ready = true;
        changed.add('rooms').add('upcoming');
        break;
      }
      case 'room':
        if (!validRoom(msg.room)) break;
        if (!byId.has(msg.room.id)) order.push(msg.room.id);
        byId.set(msg.room.id, msg.room);
        changed.add('rooms');
        break;
      case 'gone':
        if (!byId.delete(msg.id)) break;
        order = order.filter((id) => id !== msg.id);
        changed.add('rooms');
        break;
      case 'order': {
        if (!Array.isArray(msg.rooms)) break;
        const next = placed(msg.rooms);
        if (next.join() === order.join()) break;
        order = next;
        changed.add('rooms');
        break;
      }
      case 'upcoming':
        if (!validPlan(msg.schedule)) break;
        plans.set(msg.schedule.id, msg.schedule);
        changed.add('upcoming');
        break;
      case 'unscheduled':
        if (plans.delete(msg.id)) changed.add('upcoming');
        break;
      default:
        break;
    }
    return changed;
  }

  // Taken off this page at once (the member cancelled or started it); the
  // socket's `unscheduled` that follows then changes nothing.
  function drop(planId) {
    return plans.delete(planId);
  }

  return {
    apply,
    drop,
    get ready() { return ready; },
    rooms: () => order.map((id) => byId.get(id)),
    upcoming: () => [...plans.values()].sort((a, b) => a.starts_at - b.starts_at || a.id - b.id),
  };
}

function validRoom(r) {
  return r && typeof r === 'object' && typeof r.id === 'string' && r.id !== '';
}

function validPlan(s) {
  return s && typeof s === 'object' && Number.isInteger(s.id) && Number.isFinite(s.starts_at);
}
