/* The live rooms of this server: one writer per room.
 *
 * Each live room pairs its state machine (room/room.h) with what the shell
 * knows about it: the people's names (read from the store when they
 * enter), their connections (a page visit's media session and event
 * socket, a bot's WHIP or WHEP session) and the sockets to tell. Every
 * change to a room goes through here, on the control thread, in order:
 * an HTTP action, a socket that opens or drops, a media session that
 * ends, a timer, a suspension. After each, the machine's notifications
 * are carried out: events to the room's sockets (live_events.c), the
 * media plane told who may send and which sessions to end, and the store
 * told what a room keeps. This is the one place where room, media and
 * store meet.
 *
 * Ownership: mj_live owns its rooms; a room's connections own nothing of
 * the HTTP layer but a pointer to their socket, cleared when it closes. */
#ifndef MJ_API_LIVE_H
#define MJ_API_LIVE_H

#include "api/server_internal.h"
#include "room/room.h"
#include "store/members.h"
#include "store/rooms.h"

#include <jansson.h>

typedef struct mj_live mj_live;
typedef struct mj_live_room mj_live_room;

/* The protocol our room pages ask for (docs/protocol.md). */
#define MJ_LIVE_WS_PROTOCOL "majlis.room.v1"

typedef struct mj_live_config {
    unsigned max_stage;       /* people on stage in a room */
    mj_time socket_grace;     /* 0: MJ_ROOM_SOCKET_GRACE */
    mj_time no_moderator_end; /* 0: MJ_ROOM_NO_MODERATOR_END */
} mj_live_config;

/* Loads every live room from the store (their clocks start now). */
MJ_MUST_USE int mj_live_start(mj_server *srv, const mj_live_config *cfg, mj_live **out);
/* Frees every room. Call after the HTTP layer (and its sockets) is gone. */
void mj_live_free(mj_live *lv);
/* Timers, suspensions and rooms ended by an operator's command, and the
 * counts sockets wait for. Called a few times a second. */
void mj_live_tick(mj_live *lv);
/* Drains the media plane's events (sessions that ended, who speaks). */
void mj_live_media_poll(mj_live *lv);

/* The live room with this id, NULL if it is not live (or unknown). */
mj_live_room *mj_live_find(mj_live *lv, const char *id);
/* The same, bringing in a live room the store has and we do not yet (an
 * operator made it while the server runs). */
mj_live_room *mj_live_get(mj_live *lv, const char *id);
/* A room just created in the store goes live. */
MJ_MUST_USE int mj_live_add(mj_live *lv, const mj_room_rec *rec, mj_live_room **out);
const mj_room_rec *mj_live_rec(const mj_live_room *lr);
const mj_room *mj_live_machine(const mj_live_room *lr);

/* Takes a member out of every room (their bots too), and ends the rooms
 * they host: a suspension or a deleted account. */
void mj_live_expel(mj_live *lv, int64_t user);
/* Expels every member suspended or deleted since the last look (after the
 * admin API suspended a branch, or a member deleted their account). */
void mj_live_members_gone(mj_live *lv);

/* ---- entering ---- */

/* Why someone may not come in: 0, a refusal of room.h (MJ_ROOM_E*), or one
 * of these. */
enum {
    MJ_LIVE_ENOTFOLLOWED = -150, /* a social room, and no moderator follows them */
    MJ_LIVE_EBLOCKED = -151,     /* a moderator blocked them */
};
const char *mj_live_err_code(int err);
int mj_live_err_status(int err);
/* What the room and the store say about `who` coming in (not suspended:
 * the caller's session lookup already refused those). */
int mj_live_may_enter(mj_live_room *lr, const mj_room_who *who);

typedef struct mj_live_entry {
    mj_room_who who;
    bool page; /* a page visit (it will attach its socket) */
    int kind;  /* mj_media_kind */
    const char *offer;
    size_t offer_len;
    uint64_t client_key; /* for the media plane's limit per address (mj_call_client_hash) */
} mj_live_entry;

typedef struct mj_live_entered {
    int err;          /* a refusal (MJ_ROOM_E*, MJ_LIVE_E*), or 0 */
    int status;       /* 201, or the HTTP status of the refusal */
    const char *code; /* error code */
    const char *message;
    char resource[MJ_MEDIA_RESOURCE_LEN + 1]; /* the media session: also the visit's id */
    char *answer;                             /* malloc'd SDP answer; the caller frees */
    size_t answer_len;
    mj_pid pid;
} mj_live_entered;

/* Checks, creates the media session and brings the connection in. Fills
 * *out in every case. */
void mj_live_enter(mj_live_room *lr, const mj_live_entry *e, mj_live_entered *out);
/* Ends one connection by its media resource (DELETE of a visit or of a
 * WHIP/WHEP session). user: the caller's member id, or -1 for a bearer of
 * the resource URL (WHIP/WHEP). MJ_ENOTFOUND when it is not theirs. */
int mj_live_leave_resource(mj_live_room *lr, const char *resource, int64_t user, int kind);

/* ---- acting ---- */

/* The member's person in the room (in person, not a bot); NULL if absent. */
const mj_person *mj_live_me(mj_live_room *lr, int64_t user);
/* Applies an action of the member's person; 0 or a refusal. Actions that
 * name a member by handle (let in) resolve it first. */
int mj_live_act(mj_live_room *lr, int64_t user, mj_room_action *a);
/* An action by the operator or the server (actor 0). */
int mj_live_act_as_server(mj_live_room *lr, mj_room_action *a);

/* ---- views ---- */

/* What anyone who may enter sees of the room: title, kind, host, who is
 * on stage, how many listen. */
json_t *mj_live_room_json(mj_live_room *lr);
/* A person as `viewer` (NULL: someone who is not in the room) sees them. */
json_t *mj_live_person_json(mj_live_room *lr, const mj_person *p, const mj_person *viewer);
/* "0123456789abcdef": the id clients use for a person. */
void mj_live_pid_str(mj_pid pid, char out[17]);
bool mj_live_pid_parse(const char *s, mj_pid *out);

/* ---- event sockets (room_ws.c) ---- */

/* Attaches a page's event socket to its visit (resource) and sends the
 * room's state. 0, or MJ_ENOTFOUND when the member has no such visit. */
int mj_live_socket_attach(mj_live_room *lr, const char *resource, int64_t user, mj_ws *ws);
/* The socket of a visit closed with code (1000 or 1001: the page left;
 * anything else: it may come back within the grace). */
void mj_live_socket_closed(mj_ws *ws, int code);

#endif
