/* A live room: who is in it, who is on stage, raised hands, invitations to
 * speak, mutes and moderation, as a pure state machine.
 *
 * Inputs are people's connections arriving and going, actions (with the
 * actor and the time) and timers; outputs are the new state, read through
 * the accessors below, and a queue of notifications (mj_room_poll) for the
 * shell: what changed for whom (for the room's live event sockets), what
 * the media plane must enforce (who may send, which connections to end),
 * and what must be written to the store (the moderator set, the members a
 * closed room lets in, who was removed for good). Nothing here touches a
 * socket, the store or a clock, so every transition is a unit test
 * (tests/unit/room_test.c, tests/unit/room_acts_test.c).
 *
 * People. A person is a member in person (who.bot == 0) or a bot holding a
 * room token that a member (who.user) or the operator (who.user == 0)
 * handed out; each token gives a distinct bot (who.bot, its key). A person
 * has one or more connections: a page visit (one peer connection and one
 * event socket) or a bot's media session. The same member in two tabs is
 * one person with two connections, and so holds one role. A person leaves
 * with their last connection.
 *
 * Roles (room/role.h). Moderators and speakers are on stage; listeners are
 * the audience. Whoever comes on stage arrives muted, except a bot (there
 * is nobody to unmute it). The creator is the first moderator and cannot
 * be moved, muted, removed or unmade by anyone else. Members made
 * moderator are moderators again whenever they come back, until unmade;
 * the set is the room's (restored from the store at load).
 *
 * Presence. A page connection must attach its event socket within
 * socket_grace of connecting and keep it: a socket lost for longer ends the
 * connection (the page is gone or offline), so no ghost stays on stage. A
 * hosted room (creator != 0) ends by itself once no moderator has been
 * present for no_moderator_end; that clock starts at creation, so a room
 * whose creator never arrives ends too. An operator's room (creator 0)
 * never ends by itself and has no one who must moderate it.
 *
 * Ownership: one mj_room is driven by one thread (the control thread). It
 * copies everything it is given.
 *
 * Where the lines above leave a choice, the room does what a Clubhouse or
 * X Spaces user expects; each such choice is marked "Choice:" below. */
#ifndef MJ_ROOM_ROOM_H
#define MJ_ROOM_ROOM_H

#include "base/err.h"
#include "base/time.h"
#include "room/role.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mj_room_kind {
    MJ_ROOM_OPEN = 0,   /* any member may enter */
    MJ_ROOM_SOCIAL = 1, /* members followed by one of its moderators (the caller checks) */
    MJ_ROOM_CLOSED = 2, /* members its moderators named */
} mj_room_kind;

/* "open", "social", "closed"; parse gives MJ_EINVAL for anything else. */
const char *mj_room_kind_name(mj_room_kind kind);
MJ_MUST_USE int mj_room_kind_parse(const char *name, mj_room_kind *out);

typedef uint64_t mj_pid;  /* a person in this room; never 0; the caller picks it at random */
typedef uint64_t mj_conn; /* one connection; never 0; unique in the room; the caller's */

#define MJ_ROOM_STAGE_DEFAULT    20
#define MJ_ROOM_NO_MODERATOR_END MJ_SEC(60)
#define MJ_ROOM_SOCKET_GRACE     MJ_SEC(15)
#define MJ_ROOM_PEOPLE_MAX       100000 /* beyond what any media plane holds */
#define MJ_ROOM_LIST_MAX         10000 /* entries in each of the moderator, allowed and removed sets */
#define MJ_ROOM_CONNS_MAX        16    /* connections of a member in person (tabs, devices) */
/* A bot's token may be shared by many clients (a public listening link, the
 * load generator): one bot, as many connections as the room has room for;
 * the media plane's session limit bounds them. */
#define MJ_ROOM_BOT_CONNS_MAX MJ_ROOM_PEOPLE_MAX

typedef struct mj_room_config {
    mj_room_kind kind;
    int64_t creator;          /* the member who started it; 0: an operator's room */
    unsigned max_stage;       /* people on stage; 0: MJ_ROOM_STAGE_DEFAULT */
    mj_time no_moderator_end; /* 0: MJ_ROOM_NO_MODERATOR_END */
    mj_time socket_grace;     /* 0: MJ_ROOM_SOCKET_GRACE */
    bool hands_off;           /* hand raising starts turned off */
} mj_room_config;

typedef struct mj_room mj_room;

MJ_MUST_USE int mj_room_new(const mj_room_config *cfg, mj_time now, mj_room **out);
void mj_room_free(mj_room *r);

/* Restores what the store kept of a room at load (no notifications):
 * members who are moderators (the creator is one without being added),
 * members a closed room lets in, and who was removed (a member: bot 0; a
 * bot: its key, with its member or 0). MJ_ELIMIT beyond MJ_ROOM_LIST_MAX
 * entries; MJ_EINVAL for a member id <= 0; restoring an entry twice is a
 * success. Load time only: MJ_ESTATE once anyone is in the room (their
 * roles would disagree with the sets), MJ_ROOM_EENDED after the end. */
MJ_MUST_USE int mj_room_restore_moderator(mj_room *r, int64_t user);
MJ_MUST_USE int mj_room_restore_allowed(mj_room *r, int64_t user);
MJ_MUST_USE int mj_room_restore_removed(mj_room *r, int64_t user, uint64_t bot);

/* Refusals, beside the MJ_E* codes of base/err.h. Every refused call
 * changes nothing and queues nothing, with one exception: MJ_OP_ACCEPT
 * refused with MJ_ROOM_EFULL (the stage filled up after the invitation)
 * clears the invitation, which cannot be honoured any more, and notifies
 * that (PERSON); the hand stays up. MJ_ENOMEM refuses the same way. */
enum {
    MJ_ROOM_EENDED = -100,    /* the room has ended */
    MJ_ROOM_ENOTIN = -101,    /* the actor is not in the room */
    MJ_ROOM_ENOBODY = -102,   /* no such person in the room */
    MJ_ROOM_ENOTMOD = -103,   /* only moderators may do that */
    MJ_ROOM_ENOTSTAGE = -104, /* the person is not on stage */
    MJ_ROOM_ESTAGE = -105,    /* the person is on stage already */
    MJ_ROOM_EHANDSOFF = -106, /* hand raising is turned off */
    MJ_ROOM_ENOINVITE = -107, /* there is no invitation to answer */
    MJ_ROOM_EFULL = -108,     /* the stage is full */
    MJ_ROOM_ECREATOR = -109,  /* nobody but the creator acts on the creator */
    MJ_ROOM_ESELF = -110,     /* not on oneself (remove: use leave) */
    MJ_ROOM_EREMOVED = -111,  /* removed from this room for good */
    MJ_ROOM_ENOTNAMED = -112, /* a closed room, and this member was not let in */
    MJ_ROOM_EBOT = -113,      /* bots cannot do or be that (moderate, raise a hand) */
};

/* A stable code for clients ("room_ended", "not_moderator", ...; MJ_E*
 * codes too), and the HTTP status that goes with it. */
const char *mj_room_err_code(int err);
int mj_room_err_status(int err);

/* Who arrives. */
typedef struct mj_room_who {
    int64_t user;  /* the member; for a bot, the member whose token it holds (0: the operator's) */
    uint64_t bot;  /* 0: the member in person; else the bot's key (one per token) */
    mj_role seat;  /* bots: the seat their token names (listener or speaker); members: unused */
    bool unlisted; /* a listener whom only moderators see by name */
} mj_room_who;

/* Whether `who` may come in, as far as the room knows: not ended, not
 * removed (the member; for a bot its key or its member), and in a closed
 * room a moderator or a member it lets in (for a bot, its member must be).
 * Social rooms, blocks and suspensions need the store: the caller checks
 * them. 0 or a refusal, checked in that order; MJ_EINVAL for a negative
 * user or for user 0 in person. Choice: the operator's bots (user 0) may
 * enter closed rooms (the operator may do anything a moderator may). */
int mj_room_may_enter(const mj_room *r, const mj_room_who *who);

/* A connection of `who` arrives. The person enters if they are not in the
 * room (a member in the moderator set as a moderator, a bot with a speaker
 * seat as a speaker while the stage has room, anyone else as a listener;
 * *pid = fresh_pid), or the connection joins the person already there
 * (*pid = theirs). `page`: it must attach its event socket (see above).
 * Checks mj_room_may_enter first. MJ_EEXIST for a connection id in use
 * or a fresh_pid taken; MJ_EINVAL for conn 0, fresh_pid 0 or a bot seated
 * as a moderator; MJ_ELIMIT at MJ_ROOM_PEOPLE_MAX people or
 * MJ_ROOM_CONNS_MAX connections of one person. A connection that joins a
 * person already here notifies nothing and changes nothing of them (their
 * seat and unlisted flag are those they entered with). */
MJ_MUST_USE int mj_room_connect(mj_room *r, mj_time now, const mj_room_who *who, mj_conn conn,
                                bool page, mj_pid fresh_pid, mj_pid *pid);
/* A page's event socket attached (true) or was lost (false): attaching
 * stops the grace, losing it starts the grace again. A loss while the grace
 * already runs keeps the first deadline (a flapping socket cannot postpone
 * it). MJ_ENOTFOUND for an unknown connection; MJ_EINVAL for one that is
 * not a page's (it has no socket). */
int mj_room_socket(mj_room *r, mj_time now, mj_conn conn, bool attached);
/* A connection ended from outside (its media session closed or was
 * deleted): no DROP for it. The person leaves with their last one (GONE,
 * reason LEFT). MJ_ENOTFOUND when it is not (or no longer) in the room. */
int mj_room_disconnect(mj_room *r, mj_time now, mj_conn conn);

typedef enum mj_room_op {
    /* anyone, on themself */
    MJ_OP_LEAVE,
    MJ_OP_RAISE_HAND, /* listeners, while hand raising is on */
    MJ_OP_LOWER_HAND,
    MJ_OP_ACCEPT, /* an invitation to speak: on stage, muted */
    MJ_OP_DECLINE,
    MJ_OP_MUTE_SELF,   /* on stage */
    MJ_OP_UNMUTE_SELF, /* on stage */
    MJ_OP_STEP_DOWN,   /* on stage -> audience (a moderator stops being one) */
    /* moderators, on `target` */
    MJ_OP_INVITE,      /* a listener (a bot comes on stage at once) */
    MJ_OP_TO_AUDIENCE, /* someone on stage */
    MJ_OP_MUTE,        /* someone on stage; only they can unmute */
    MJ_OP_MAKE_MOD,    /* a speaker */
    MJ_OP_UNMAKE_MOD,  /* a moderator (may be oneself) */
    MJ_OP_REMOVE,      /* anyone else; they (a member: and their bots) cannot come back */
    /* moderators, on the room */
    MJ_OP_ALLOW, /* lets member `user` in */
    MJ_OP_HANDS, /* hand raising on or off (`on`); off lowers every hand */
    MJ_OP_END,
} mj_room_op;

typedef struct mj_room_action {
    mj_room_op op;
    mj_pid target;
    int64_t user; /* MJ_OP_ALLOW */
    bool on;      /* MJ_OP_HANDS */
} mj_room_action;

/* Applies one action by `actor` (a person in the room; 0 = the operator or
 * the server itself, which may do anything a moderator may). 0, or a
 * refusal (MJ_ROOM_E*), or MJ_EINVAL for an op that does not exist. An
 * action that changes nothing (raising a raised hand) succeeds and
 * notifies nothing.
 *
 * Checks, in order: MJ_EINVAL (no such op), MJ_ROOM_EENDED, MJ_ROOM_ENOTIN
 * (an actor not here; actor 0 for an action on oneself), MJ_ROOM_ENOTMOD
 * (moderator actions by anyone else, bots included), MJ_ROOM_ENOBODY (the
 * target), then the op's own:
 *   RAISE_HAND   bot EBOT, on stage ESTAGE, hands off EHANDSOFF
 *   ACCEPT       no invitation ENOINVITE, stage full EFULL (see above);
 *                DECLINE lowers the hand too
 *   MUTE_SELF, UNMUTE_SELF  off stage ENOTSTAGE
 *   STEP_DOWN    the creator ECREATOR, off stage ENOTSTAGE
 *   INVITE       on stage ESTAGE, stage full EFULL; invited already: no-op
 *   TO_AUDIENCE  the creator ECREATOR, off stage ENOTSTAGE
 *   MUTE         off stage ENOTSTAGE, the creator (by anyone else) ECREATOR
 *   MAKE_MOD     bot EBOT, listener ENOTSTAGE; a moderator: no-op
 *   UNMAKE_MOD   the creator (even themself) ECREATOR, listener ENOTSTAGE;
 *                a speaker: no-op
 *   REMOVE       oneself ESELF, the creator ECREATOR
 *   ALLOW        user <= 0 MJ_EINVAL; any kind of room; twice: no-op
 *   MJ_ELIMIT    MAKE_MOD, ALLOW, REMOVE when their set is full
 * The creator is out of everyone else's reach, the operator's too (the
 * operator has mj_room_expel and END). A moderator who steps down, is
 * moved to the audience or is unmade leaves the moderator set. Choice: a
 * removed member leaves the moderator set too (MODERATOR off). */
int mj_room_act(mj_room *r, mj_time now, mj_pid actor, const mj_room_action *a);

/* Takes every person of member `user` out of the room (the member and the
 * bots holding their tokens), without banning them: a suspension or a
 * deleted account; the member in person goes first, and GONE says
 * EXPELLED. Returns how many people left. User 0 (the operator's
 * bots; they are removed one by one) and an ended room: 0. The moderator
 * and allowed sets keep the member. Out of memory: nobody leaves, 0. */
size_t mj_room_expel(mj_room *r, mj_time now, int64_t user);

/* Timers: the socket grace of page connections and the moderator clock,
 * handled in the order they fall due. Out of memory leaves a due timer
 * due, so the next call retries it. */
mj_time mj_room_next_timeout(const mj_room *r);
void mj_room_handle_timeout(mj_room *r, mj_time now);

/* ---- notifications ---- */

typedef enum mj_room_gone {
    MJ_GONE_LEFT = 0, /* left, or their last connection ended */
    MJ_GONE_LOST,     /* a page's socket stayed away past the grace */
    MJ_GONE_REMOVED,  /* a moderator removed them */
    MJ_GONE_EXPELLED, /* mj_room_expel */
} mj_room_gone;

typedef enum mj_room_end {
    MJ_END_BY_MODERATOR = 0,
    MJ_END_NO_MODERATOR, /* no moderator for no_moderator_end */
} mj_room_end;

typedef enum mj_room_out_kind {
    MJ_ROUT_NONE = 0,
    /* For the event sockets. `visible`/`was_visible`: whether listeners
     * who are not moderators see this person by name now / before the
     * change (on stage, or a listener who did not enter unlisted). */
    MJ_ROUT_PERSON,   /* pid entered, or their role, mute, hand or invitation changed */
    MJ_ROUT_GONE,     /* pid left (reason: mj_room_gone); was_visible */
    MJ_ROUT_INVITED,  /* pid was invited to speak by `by` */
    MJ_ROUT_REMOVED,  /* pid was removed (they get GONE next) */
    MJ_ROUT_SETTINGS, /* hand raising turned on or off */
    MJ_ROUT_ENDED,    /* the room ended (reason: mj_room_end); DROPs follow */
    /* For the media plane. */
    MJ_ROUT_SEND, /* pid may send audio now (on) or no longer (!on) */
    MJ_ROUT_DROP, /* end connection `conn`: its media sessions and its socket */
    /* For the store. */
    MJ_ROUT_MODERATOR, /* member `user` joined (on) or left (!on) the moderator set */
    MJ_ROUT_ALLOWED,   /* member `user` was let in */
    MJ_ROUT_BANNED,    /* `user` (bot == 0) or bot `bot` was removed for good */
} mj_room_out_kind;

/* Fields per kind (the others are 0):
 *   PERSON    pid, visible, was_visible (false on entry)
 *   GONE      pid, user, bot, was_visible, reason
 *   INVITED   pid, by            REMOVED   pid, by
 *   SETTINGS  on                 ENDED     by (0: the operator or the
 *                                          moderator clock), reason
 *   SEND      pid, on            DROP      pid, conn
 *   MODERATOR pid, user, on      ALLOWED   user
 *   BANNED    user, bot (a bot's ban carries its member too)
 *
 * Order within one call: a change in place queues PERSON, then SEND when
 * mj_person_may_send() flipped (INVITED comes before its PERSON,
 * MODERATOR after). Someone who goes: SEND off if they could send, DROP
 * per connection the room ends, GONE. A removal: REMOVED, then each person
 * going (the target first), then MODERATOR off, then BANNED. Hands off:
 * SETTINGS, then a PERSON per lowered hand, oldest first. The end: ENDED,
 * then per person SEND off if they could send and their DROPs; no GONE. */
typedef struct mj_room_out {
    mj_room_out_kind kind;
    mj_pid pid;
    mj_pid by;
    mj_conn conn;
    int64_t user;
    uint64_t bot;
    bool on;
    bool visible, was_visible;
    uint8_t reason;
} mj_room_out;

/* The next notification, in the order things happened; false when none.
 * The queue grows as needed and is freed with the room. */
bool mj_room_poll(mj_room *r, mj_room_out *out);

/* ---- state ---- */

typedef struct mj_person {
    mj_pid pid;
    int64_t user;
    uint64_t bot;
    mj_role role;
    bool muted;    /* on stage and muted */
    bool unlisted; /* entered unlisted (matters while a listener) */
    bool invited;  /* an invitation to speak waits for an answer */
    mj_pid invited_by;
    mj_time hand_at; /* when the hand went up (at least 1); 0: no hand */
    mj_time since;   /* when they entered */
    uint32_t nconns;
} mj_person;

/* Whether listeners who are not moderators see this person by name. */
static inline bool mj_person_visible(const mj_person *p)
{
    return mj_role_on_stage(p->role) || !p->unlisted;
}
/* Whether the media plane forwards this person's audio. */
static inline bool mj_person_may_send(const mj_person *p)
{
    return mj_role_on_stage(p->role) && !p->muted;
}

const mj_person *mj_room_person(const mj_room *r, mj_pid pid);
/* The person of a member in person (bot 0) or of a bot; NULL if absent. */
const mj_person *mj_room_find(const mj_room *r, int64_t user, uint64_t bot);
/* The person a connection belongs to; NULL if unknown. */
const mj_person *mj_room_conn_person(const mj_room *r, mj_conn conn);
/* Every person, in no particular order: start with *it = 0. Once the room
 * has ended nobody is left (the moderator set stays). */
const mj_person *mj_room_next(const mj_room *r, size_t *it);
/* Raised hands, oldest first: up to cap pids; returns how many in all. */
size_t mj_room_hands(const mj_room *r, mj_pid *out, size_t cap);
/* Every connection of a person: start with *it = 0; 0 at the end. */
mj_conn mj_room_next_conn(const mj_room *r, mj_pid pid, size_t *it);

typedef struct mj_room_counts {
    uint32_t moderators, speakers, listeners; /* present now */
    uint32_t unlisted;                        /* listeners who entered unlisted */
    uint32_t hands;
} mj_room_counts;
void mj_room_counts_get(const mj_room *r, mj_room_counts *out);

bool mj_room_ended(const mj_room *r);
mj_room_kind mj_room_kind_of(const mj_room *r);
int64_t mj_room_creator(const mj_room *r);
bool mj_room_hands_on(const mj_room *r);
unsigned mj_room_max_stage(const mj_room *r);
/* The moderator set (the creator first), whether present or not. */
size_t mj_room_moderator_ids(const mj_room *r, int64_t *out, size_t cap);
bool mj_room_is_moderator_id(const mj_room *r, int64_t user);
/* Whether a moderator let member `user` in by name. */
bool mj_room_is_allowed(const mj_room *r, int64_t user);

#endif
