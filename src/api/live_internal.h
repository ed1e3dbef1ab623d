/* Internals of the live rooms, shared by live.c (the registry and its
 * clocks), live_room.c (entering, leaving, acting, carrying out the
 * machine's notifications) and live_events.c (what the sockets are
 * told). */
#ifndef MJ_API_LIVE_INTERNAL_H
#define MJ_API_LIVE_INTERNAL_H

#include "api/live.h"

#include "base/map.h"

/* Listeners whom everyone in the room is told about one by one; past this
 * only moderators are, and the rest see counts (a join storm of thousands
 * must not send each of thousands a message about each other). */
#define MJ_LIVE_AUDIENCE_LIVE 200
/* Listeners a snapshot names (moderators: more, for the hand queue). */
#define MJ_LIVE_SNAPSHOT_LISTENERS     200
#define MJ_LIVE_SNAPSHOT_LISTENERS_MOD 2000
/* In a large room, who-is-speaking reports go out at most this often. */
#define MJ_LIVE_LEVELS_LARGE_EVERY MJ_MSEC(400)

/* What the shell knows of a person: their names, read once. */
typedef struct lperson {
    mj_pid pid;
    int64_t user;
    uint64_t bot;
    char handle[MJ_USER_HANDLE_MAX + 1]; /* a bot: its member's; "" for the operator's */
    char name[MJ_USER_NAME_MAX + 1];
    /* Their place in the invite tree, top first (the hallway's order);
     * none for the operator's bots. */
    int64_t *path;
    uint8_t path_len;
    bool hall_stage; /* on stage as far as the hallway knows */
    /* What listeners who are not moderators were last told of them. */
    bool shown;
    mj_role shown_role;
    bool shown_muted;
} lperson;

/* One connection: a media session, and for a page its event socket. */
typedef struct lconn {
    mj_live_room *lr;
    mj_conn conn;
    mj_pid pid;
    int64_t user; /* the member in person, or a bot's member */
    int kind;     /* mj_media_kind */
    bool page;
    char resource[MJ_MEDIA_RESOURCE_LEN + 1];
    bool media_gone;   /* the media plane ended the session itself */
    mj_ws *ws;         /* attached event socket, or NULL */
    size_t sock_index; /* in lr->socks while ws is set */
} lconn;

struct mj_live_room {
    mj_live *lv;
    mj_room_rec rec;
    mj_room *room;
    char host_handle[MJ_USER_HANDLE_MAX + 1];
    char host_name[MJ_USER_NAME_MAX + 1];
    mj_map people;      /* pid -> lperson */
    mj_map conns;       /* conn -> lconn */
    mj_map by_resource; /* hash(resource) -> lconn */
    lconn **socks;      /* connections with a socket, for broadcasts */
    size_t nsocks, socks_cap;
    mj_room_counts sent_counts; /* what sockets were last told */
    mj_time levels_at;          /* when a levels report last went out */
    /* The hallway's view (hallway.c). */
    double score; /* invite-tree branches (room/trend.h) */
    bool score_dirty;
    bool hall_counts, hall_stage, hall_visibility; /* what changed since the hallway looked */
    mj_time hall_sent_at;
    void *hall_cache; /* the stage as hallways show it (hallway.c) */
    bool hall_cache_stale;
    bool ended;
};

typedef struct mj_hall mj_hall;

struct mj_live {
    mj_server *srv;
    mj_hall *hall; /* hallway.c */
    mj_live_config cfg;
    mj_map rooms; /* hash(id) -> mj_live_room */
    size_t nrooms;
    int64_t data_version; /* the store's, at the last look */
    int64_t checked_unix; /* when suspensions were last looked for */
    /* To turn the machine's monotonic times into wall-clock ones. */
    mj_time mono0;
    int64_t unix0_ms;
};

/* live.c */
mj_time mj_live_now(void);
int64_t mj_live_unix_ms(const mj_live *lv, mj_time t);
void mj_live_remove(mj_live *lv, mj_live_room *lr);

/* live_room.c */
uint64_t mj_live_u64_hash(uint64_t v);
lperson *mj_live_lperson(const mj_live_room *lr, mj_pid pid);
lconn *mj_live_lconn(const mj_live_room *lr, mj_conn conn);
/* Ends one connection from our side: its media session, its place in the
 * machine (the person leaves with their last one), its socket. */
void mj_live_end_conn(mj_live_room *lr, lconn *c, int code, const char *why);
/* Carries out what the machine queued. Frees nothing; the caller checks
 * lr->ended and removes the room. */
void mj_live_drain(mj_live_room *lr);
/* Drains, then removes the room if it ended. Returns false if it did. */
bool mj_live_settle(mj_live_room *lr);
void mj_live_room_free(mj_live_room *lr);

/* live_events.c: what the sockets hear */
void mj_live_on_person(mj_live_room *lr, const mj_room_out *o);
void mj_live_on_gone(mj_live_room *lr, const mj_room_out *o);
void mj_live_on_invited(mj_live_room *lr, const mj_room_out *o);
void mj_live_send_to_person(mj_live_room *lr, mj_pid pid, json_t *msg);
void mj_live_broadcast(mj_live_room *lr, json_t *msg);
void mj_live_flush_counts(mj_live_room *lr);
void mj_live_send_snapshot(mj_live_room *lr, lconn *c);
void mj_live_send_levels(mj_live_room *lr, const mj_media_level *lv, size_t n);
void mj_live_socks_add(mj_live_room *lr, lconn *c);
void mj_live_socks_remove(mj_live_room *lr, lconn *c);

#endif
