/* The rooms' side of the store: each room's record (title, kind, who
 * started it, when it ended) and the little a live room must keep across
 * a restart: its moderators, the members a closed room lets in, and who
 * was removed for good. Who is in a room, who listens, who raised a hand
 * are never written: they live in memory (room/room.h) and go with the
 * room. When a room ends, everything but its record goes too.
 *
 * Like store.h, an interface without SQLite types (rooms.c implements it;
 * schema: migration 3 in migrations.c). Kinds are room/room.h's
 * mj_room_kind values, kept as plain ints here. Used by one thread. */
#ifndef MJ_STORE_ROOMS_H
#define MJ_STORE_ROOMS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_room_rec {
    char id[MJ_ROOM_ID_LEN + 1];
    char title[MJ_ROOM_TITLE_MAX + 1];
    int kind;           /* mj_room_kind: 0 open, 1 social, 2 closed */
    int64_t created_by; /* member id; 0: made by an operator */
    int64_t created_at; /* unix seconds */
    int64_t ended_at;   /* 0: live */
    bool hands_off;     /* hand raising turned off */
} mj_room_rec;

typedef struct mj_new_room {
    const char *title; /* already validated (api/names.h) */
    int kind;
    int64_t created_by; /* 0: an operator */
    /* Live rooms one member may host at once; 0: no limit. A member at
     * the limit gets MJ_ELIMIT (checked in the same transaction). */
    int max_hosted;
} mj_new_room;

/* Creates a room with a fresh random id. MJ_EINVAL for an empty or
 * overlong title or a bad kind, MJ_ELIMIT (see max_hosted), MJ_EIO. */
MJ_MUST_USE int mj_store_room_create(mj_store *s, const mj_new_room *nr, int64_t now,
                                     mj_room_rec *out);
/* MJ_ENOTFOUND when there is no such room. */
MJ_MUST_USE int mj_store_room_get(mj_store *s, const char *id, mj_room_rec *out);
/* Rooms in all (live and ended). */
MJ_MUST_USE int mj_store_room_count(mj_store *s, int64_t *count);
/* Live rooms that `user` started. */
MJ_MUST_USE int mj_store_room_hosting(mj_store *s, int64_t user, int *count);
/* Calls fn for every live room, oldest first; fn's non-zero return stops
 * the walk and is returned. */
MJ_MUST_USE int mj_store_rooms_live(mj_store *s, int (*fn)(void *ctx, const mj_room_rec *r),
                                    void *ctx);
/* Marks the room ended and forgets its moderators, the members it let in
 * and who it removed. Ending an ended room is a no-op. */
MJ_MUST_USE int mj_store_room_end(mj_store *s, const char *id, int64_t now);
MJ_MUST_USE int mj_store_room_set_hands(mj_store *s, const char *id, bool off);

/* What a room keeps about a member (bits). */
enum {
    MJ_ROOM_MEMBER_MODERATOR = 1, /* a moderator whenever present */
    MJ_ROOM_MEMBER_ALLOWED = 2,   /* let into a closed room */
    MJ_ROOM_MEMBER_REMOVED = 4,   /* removed for good */
};
/* Sets (on) or clears one of the bits above for a member. */
MJ_MUST_USE int mj_store_room_member_set(mj_store *s, const char *id, int64_t user, int bit,
                                         bool on);
/* Removes a bot (by the key its token gives it) for good. */
MJ_MUST_USE int mj_store_room_ban_bot(mj_store *s, const char *id, uint64_t bot);
/* Calls member(ctx, user, bits) for every member the room keeps, then
 * bot(ctx, key) for every bot it removed. */
MJ_MUST_USE int mj_store_room_people(mj_store *s, const char *id,
                                     void (*member)(void *ctx, int64_t user, int bits),
                                     void (*bot)(void *ctx, uint64_t key), void *ctx);

/* ---- scheduled rooms ---- */

#define MJ_SCHEDULES_PER_HOST 10 /* upcoming rooms one member may announce */

typedef struct mj_schedule {
    int64_t id;
    int64_t host;
    char title[MJ_ROOM_TITLE_MAX + 1];
    int kind;
    int64_t starts_at, created_at; /* unix seconds */
} mj_schedule;

/* Announces a room. MJ_ELIMIT when the host has MJ_SCHEDULES_PER_HOST
 * upcoming already (in the same transaction). */
MJ_MUST_USE int mj_store_schedule_create(mj_store *s, const mj_schedule *in, int64_t now,
                                         mj_schedule *out);
MJ_MUST_USE int mj_store_schedule_get(mj_store *s, int64_t id, mj_schedule *out);
/* Removes one (cancelled, or started); MJ_ENOTFOUND when it is not the
 * host's. */
MJ_MUST_USE int mj_store_schedule_delete(mj_store *s, int64_t id, int64_t host);
/* What `viewer` may see coming, soonest first (at most cap): their own,
 * and the open and social rooms of members they follow who have not
 * blocked them; those whose time came less than `grace` seconds ago
 * included. */
MJ_MUST_USE int mj_store_schedules_for(mj_store *s, int64_t viewer, int64_t now, int64_t grace,
                                       mj_schedule *out, size_t cap, size_t *n);
/* Forgets announcements whose time passed before `before`. */
MJ_MUST_USE int mj_store_schedules_purge(mj_store *s, int64_t before);

/* ---- the invite tree and follows, as the hallway reads them ---- */

/* The chain of inviters down to `user`: out[0] the member an operator's
 * invite brought, out[n - 1] the user (at most cap; a longer chain keeps
 * its top and its user). */
MJ_MUST_USE int mj_store_user_path(mj_store *s, int64_t user, int64_t *out, size_t cap, size_t *n);
/* The members `user` follows (at most cap, any order). */
MJ_MUST_USE int mj_store_following_ids(mj_store *s, int64_t user, int64_t *out, size_t cap,
                                       size_t *n);

/* Members suspended or deleted at or after `since` (unix seconds), for
 * cutting them out of live rooms; fn is called once for each. */
MJ_MUST_USE int mj_store_members_gone_since(mj_store *s, int64_t since,
                                            void (*fn)(void *ctx, int64_t user), void *ctx);
/* A number that changes whenever another connection (an operator's
 * command) commits to the database (SQLite's PRAGMA data_version). */
MJ_MUST_USE int mj_store_data_version(mj_store *s, int64_t *out);

#endif
