/* Internals of the room state machine shared by room.c (the room, its
 * sets, the accessors), room_people.c (arrivals, departures, changes of a
 * person, timers, the end) and room_acts.c (the actions). */
#ifndef MJ_ROOM_ROOM_INTERNAL_H
#define MJ_ROOM_ROOM_INTERNAL_H

#include "base/heap.h"
#include "base/map.h"
#include "room/room.h"

typedef struct mj_room_attendee mj_room_attendee;

/* One connection of a person. */
typedef struct mj_room_conn {
    mj_conn id;
    mj_room_attendee *p;
    uint32_t index;     /* position in p->conns */
    bool page;          /* must keep an event socket */
    bool attached;      /* its event socket is there */
    mj_heap_node grace; /* queued while a page's socket is away */
} mj_room_conn;

/* The people of one member (in person and their bots), so that a removal
 * or an expulsion finds them without scanning the room. */
typedef struct mj_room_user {
    int64_t user;
    mj_room_attendee *head;
} mj_room_user;

struct mj_room_attendee {
    mj_person pub;
    uint64_t seq; /* arrival order: breaks ties in the hand queue */
    mj_room_attendee *hand_prev, *hand_next;
    mj_room_attendee *user_prev, *user_next;
    mj_room_user *owner;
    mj_room_conn **conns; /* pub.nconns of them, at most MJ_ROOM_(BOT_)CONNS_MAX */
    uint32_t conns_cap;
};

/* A set of members (bot 0) or bots, in the order they were added. */
typedef struct mj_room_id {
    int64_t user;
    uint64_t bot;
    struct mj_room_id *prev, *next;
} mj_room_id;

typedef struct mj_room_idset {
    mj_map map;
    mj_room_id *head, *tail;
    size_t len;
} mj_room_idset;

void mj_room_idset_init(mj_room_idset *s);
void mj_room_idset_dispose(mj_room_idset *s);
/* A member's entry when bot is 0, else the bot's whatever its member. */
bool mj_room_idset_has(const mj_room_idset *s, int64_t user, uint64_t bot);
/* 1 when added, 0 when there already, MJ_ELIMIT or MJ_ENOMEM. */
MJ_MUST_USE int mj_room_idset_add(mj_room_idset *s, int64_t user, uint64_t bot);
/* Whether it was there. */
bool mj_room_idset_remove(mj_room_idset *s, int64_t user, uint64_t bot);

struct mj_room {
    mj_room_config cfg; /* zeros replaced by the defaults */
    bool ended;
    bool hands_on;
    uint64_t arrivals;
    mj_map by_pid;                           /* hash(pid) -> person */
    mj_map by_who;                           /* hash(user, bot) -> person */
    mj_map by_conn;                          /* hash(conn) -> connection */
    mj_map by_user;                          /* hash(user) -> mj_room_user */
    mj_room_attendee *hand_head, *hand_tail; /* oldest hand first */
    mj_room_counts counts;
    size_t people, conns;
    mj_room_idset moderators; /* without the creator, who always is one */
    mj_room_idset allowed;
    mj_room_idset removed;
    mj_heap grace;      /* page connections whose socket is away */
    mj_time mod_end_at; /* the moderator clock; MJ_TIME_NEVER while stopped */
    /* Notifications not yet polled: out[head .. head + len). */
    mj_room_out *out;
    size_t out_head, out_len, out_cap;
};

uint64_t mj_room_hash_u64(uint64_t v);
mj_room_attendee *mj_room_find_pid(const mj_room *r, mj_pid pid);
bool mj_room_is_creator(const mj_room *r, const mj_room_attendee *p);

/* Notifications: room_people.c. Every transition reserves room for all it
 * may queue before it changes anything, so that the state and the queue
 * never disagree; mj_room_emit then cannot fail. */
MJ_MUST_USE int mj_room_reserve(mj_room *r, size_t n);
void mj_room_emit(mj_room *r, const mj_room_out *o);

/* Commits a change the caller made to p->pub from `was`: keeps the
 * invariants (on stage: no hand, no invitation; off stage: not muted), the
 * counters, the hand queue and the moderator clock, then queues PERSON and,
 * when mj_person_may_send() flipped, SEND. At most 2 notifications. */
void mj_room_commit(mj_room *r, mj_time now, mj_room_attendee *p, const mj_person *was);
/* Takes a person out: SEND off if they could send, DROP for each
 * connection when `drop`, GONE with `reason` when reason >= 0; then frees
 * them. At most 2 + nconns notifications. */
void mj_room_person_out(mj_room *r, mj_time now, mj_room_attendee *p, bool drop, int reason);
/* How many notifications taking every person of member `user` out needs. */
size_t mj_room_user_out_bound(const mj_room *r, int64_t user);
/* Takes every person of `user` out, `first` (if one of them) first. */
size_t mj_room_user_out(mj_room *r, mj_time now, int64_t user, mj_room_attendee *first, int reason);
mj_room_user *mj_room_user_find(const mj_room *r, int64_t user);
/* Ends the room: ENDED, then SEND off and DROPs for everyone, who are then
 * gone. MJ_ENOMEM when the notifications cannot be queued. */
MJ_MUST_USE int mj_room_finish(mj_room *r, mj_pid by, mj_room_end reason);
/* Frees every person and connection without a notification. */
void mj_room_free_people(mj_room *r);

#endif
