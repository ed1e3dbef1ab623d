/* The hallway: what is live for a member right now, and what is coming.
 *
 * For each member it lists the live rooms they may enter (open rooms;
 * social rooms whose moderators follow them and whom they follow; closed
 * rooms that name them; never a room whose moderator blocked them), each
 * with its title, who is on stage and how many listen, ordered: rooms
 * where someone they follow is on stage first, then by how many
 * independent branches of the invite tree the room's people come from
 * (room/trend.h), then the newest. And the rooms announced by people they
 * follow (and their own). A page keeps a socket open and hears every
 * change as it happens (docs/protocol.md, "The hallway's event socket").
 *
 * Runs on the control thread, beside the live rooms (live.h), which tell
 * it what changed; it tells the sockets at the next tick, coalesced. */
#ifndef MJ_API_HALLWAY_H
#define MJ_API_HALLWAY_H

#include "api/live.h"
#include "store/rooms.h"

#define MJ_HALLWAY_WS_PROTOCOL "majlis.hallway.v1"

/* GET /api/hallway: the member's hallway as one answer. */
json_t *mj_hallway_json(mj_live *lv, const mj_user *me);

/* The hallway's socket (GET /api/hallway/events). */
mj_ws_handler mj_hallway_ws_handler(mj_server *srv);

/* What the live rooms tell the hallway (live.c, live_room.c). */
void mj_hallway_room_changed(mj_live *lv, mj_live_room *lr, bool stage, bool who_may_see);
void mj_hallway_room_gone(mj_live *lv, mj_live_room *lr);
/* A member's follows or blocks changed: their hallway is looked at again. */
void mj_hallway_member_changed(mj_live *lv, int64_t user);
/* An announcement came (added) or went (cancelled, started). */
void mj_hallway_schedule(mj_live *lv, const mj_schedule *sc, bool added);
/* Ticks: tells the sockets what changed, and the new order. */
void mj_hallway_tick(mj_live *lv);
void mj_hallway_free(mj_live *lv);
/* Frees what the hallway keeps about a room (live_room.c frees rooms). */
void mj_hallway_forget(mj_live_room *lr);

/* A schedule as pages see it. */
json_t *mj_schedule_json(mj_server *srv, const mj_schedule *sc, int64_t viewer);

#endif
