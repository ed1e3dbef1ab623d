/* The registry of live rooms and its clocks: loading what the store says
 * is live, the machines' timers, suspensions and ends that an operator's
 * command wrote, and the media plane's events. */
#include "api/live_internal.h"

#include "api/hallway.h"

#include "base/log.h"
#include "io/clock.h"

#include <stdlib.h>
#include <string.h>

mj_time mj_live_now(void)
{
    return mj_clock_now();
}

int64_t mj_live_unix_ms(const mj_live *lv, mj_time t)
{
    return lv->unix0_ms + (t - lv->mono0) / 1000;
}

static uint64_t id_hash(const char *id)
{
    return mj_hash_bytes(id, strlen(id));
}

mj_live_room *mj_live_find(mj_live *lv, const char *id)
{
    size_t it = 0;
    mj_live_room *lr;
    while ((lr = mj_map_next(&lv->rooms, id_hash(id), &it)))
        if (strcmp(lr->rec.id, id) == 0) return lr->ended ? NULL : lr;
    return NULL;
}

mj_live_room *mj_live_get(mj_live *lv, const char *id)
{
    mj_live_room *lr = mj_live_find(lv, id);
    if (lr) return lr;
    /* An operator's command may have made it while we run. */
    mj_room_rec rec;
    if (mj_store_room_get(lv->srv->store, id, &rec) != 0 || rec.ended_at ||
        mj_live_add(lv, &rec, &lr) != 0)
        return NULL;
    return lr;
}

const mj_room_rec *mj_live_rec(const mj_live_room *lr)
{
    return &lr->rec;
}

const mj_room *mj_live_machine(const mj_live_room *lr)
{
    return lr->room;
}

static void restore_member(void *ctx, int64_t user, int bits)
{
    mj_live_room *lr = ctx;
    int err = 0;
    if (bits & MJ_ROOM_MEMBER_MODERATOR) err |= mj_room_restore_moderator(lr->room, user);
    if (bits & MJ_ROOM_MEMBER_ALLOWED) err |= mj_room_restore_allowed(lr->room, user);
    if (bits & MJ_ROOM_MEMBER_REMOVED) err |= mj_room_restore_removed(lr->room, user, 0);
    if (err) mj_warn("rooms: room %s keeps more people than it can restore", lr->rec.id);
}

static void restore_bot(void *ctx, uint64_t key)
{
    mj_live_room *lr = ctx;
    if (mj_room_restore_removed(lr->room, 0, key) != 0)
        mj_warn("rooms: room %s keeps more removed bots than it can restore", lr->rec.id);
}

int mj_live_add(mj_live *lv, const mj_room_rec *rec, mj_live_room **out)
{
    mj_live_room *lr = calloc(1, sizeof *lr);
    if (!lr) return MJ_ENOMEM;
    lr->lv = lv;
    lr->rec = *rec;
    mj_map_init(&lr->people);
    mj_map_init(&lr->conns);
    mj_map_init(&lr->by_resource);
    mj_room_config rc = {
        .kind = (mj_room_kind)rec->kind,
        .creator = rec->created_by,
        .max_stage = lv->cfg.max_stage,
        .no_moderator_end = lv->cfg.no_moderator_end,
        .socket_grace = lv->cfg.socket_grace,
        .hands_off = rec->hands_off,
    };
    int err = mj_room_new(&rc, mj_live_now(), &lr->room);
    if (!err) err = mj_store_room_people(lv->srv->store, rec->id, restore_member, restore_bot, lr);
    mj_user host;
    if (!err && rec->created_by &&
        mj_store_user_by_id(lv->srv->store, rec->created_by, &host) == 0) {
        memcpy(lr->host_handle, host.handle, sizeof lr->host_handle);
        memcpy(lr->host_name, host.display_name, sizeof lr->host_name);
    }
    if (!err) err = mj_map_add(&lv->rooms, id_hash(rec->id), lr);
    if (err) {
        mj_live_room_free(lr);
        return err;
    }
    lv->nrooms++;
    mj_hallway_room_changed(lv, lr, true, true);
    *out = lr;
    return 0;
}

void mj_live_remove(mj_live *lv, mj_live_room *lr)
{
    mj_hallway_room_gone(lv, lr);
    mj_map_remove(&lv->rooms, id_hash(lr->rec.id), lr);
    lv->nrooms--;
    mj_live_room_free(lr);
}

static int load_room(void *ctx, const mj_room_rec *rec)
{
    mj_live *lv = ctx;
    mj_live_room *lr;
    int err = mj_live_add(lv, rec, &lr);
    if (err) mj_error("rooms: cannot bring room %s back: %s", rec->id, mj_strerror(err));
    return err;
}

int mj_live_start(mj_server *srv, const mj_live_config *cfg, mj_live **out)
{
    mj_live *lv = calloc(1, sizeof *lv);
    if (!lv) return MJ_ENOMEM;
    lv->srv = srv;
    lv->cfg = *cfg;
    mj_map_init(&lv->rooms);
    lv->mono0 = mj_live_now();
    lv->unix0_ms = mj_clock_unix_ms();
    lv->checked_unix = mj_clock_unix();
    int err = mj_store_data_version(srv->store, &lv->data_version);
    if (!err) err = mj_store_rooms_live(srv->store, load_room, lv);
    if (err) {
        mj_live_free(lv);
        return err;
    }
    if (lv->nrooms)
        mj_info("rooms: %zu live room(s) brought back; their moderators have a minute to return",
                lv->nrooms);
    *out = lv;
    return 0;
}

static mj_live_room **all_rooms(mj_live *lv, size_t *n)
{
    *n = 0;
    mj_live_room **all = lv->nrooms ? malloc(lv->nrooms * sizeof *all) : NULL;
    for (size_t i = 0; all && lv->rooms.slots && i <= lv->rooms.mask; i++)
        if (lv->rooms.slots[i].value && *n < lv->nrooms) all[(*n)++] = lv->rooms.slots[i].value;
    return all;
}

void mj_live_free(mj_live *lv)
{
    if (!lv) return;
    size_t n;
    mj_live_room **all = all_rooms(lv, &n);
    for (size_t i = 0; i < n; i++)
        mj_live_room_free(all[i]);
    free(all);
    mj_hallway_free(lv);
    mj_map_dispose(&lv->rooms);
    free(lv);
}

/* ---- suspensions and ends written by others ---- */

typedef struct gone_list {
    int64_t users[64];
    size_t n;
    bool more;
} gone_list;

static void on_gone(void *ctx, int64_t user)
{
    gone_list *g = ctx;
    if (g->n < sizeof g->users / sizeof g->users[0])
        g->users[g->n++] = user;
    else
        g->more = true;
}

void mj_live_expel(mj_live *lv, int64_t user)
{
    size_t n;
    mj_live_room **all = all_rooms(lv, &n);
    mj_time now = mj_live_now();
    for (size_t i = 0; i < n; i++) {
        mj_live_room *lr = all[i];
        if (lr->rec.created_by == user) {
            /* A suspended or deleted member's rooms end with them. */
            mj_room_action end = {.op = MJ_OP_END};
            (void)mj_room_act(lr->room, now, 0, &end);
        } else {
            (void)mj_room_expel(lr->room, now, user);
        }
        (void)mj_live_settle(lr);
    }
    free(all);
}

void mj_live_members_gone(mj_live *lv)
{
    int64_t since = lv->checked_unix - 2; /* clocks tick in whole seconds */
    lv->checked_unix = mj_clock_unix();
    gone_list g = {0};
    if (mj_store_members_gone_since(lv->srv->store, since, on_gone, &g) == 0)
        for (size_t i = 0; i < g.n; i++)
            mj_live_expel(lv, g.users[i]);
    if (g.more) /* a whole branch: the next tick takes the rest */
        lv->data_version = -1;
}

/* An operator's command (majlis user suspend, majlis room end) writes to
 * the database from another process; SQLite's data version tells us. */
static void look_at_store(mj_live *lv)
{
    int64_t v;
    if (mj_store_data_version(lv->srv->store, &v) != 0 || v == lv->data_version) return;
    lv->data_version = v;
    mj_live_members_gone(lv);
    size_t n;
    mj_live_room **all = all_rooms(lv, &n);
    for (size_t i = 0; i < n; i++) {
        mj_room_rec rec;
        if (mj_store_room_get(lv->srv->store, all[i]->rec.id, &rec) == 0 && rec.ended_at) {
            mj_room_action end = {.op = MJ_OP_END};
            (void)mj_room_act(all[i]->room, mj_live_now(), 0, &end);
            (void)mj_live_settle(all[i]);
        }
    }
    free(all);
}

void mj_live_tick(mj_live *lv)
{
    look_at_store(lv);
    size_t n;
    mj_live_room **all = all_rooms(lv, &n);
    mj_time now = mj_live_now();
    for (size_t i = 0; i < n; i++) {
        mj_live_room *lr = all[i];
        if (mj_room_next_timeout(lr->room) <= now) mj_room_handle_timeout(lr->room, now);
        if (mj_live_settle(lr)) mj_live_flush_counts(lr);
    }
    free(all);
    mj_hallway_tick(lv);
}

/* ---- the media plane's events ---- */

static lconn *conn_of_resource(mj_live_room *lr, const char *resource)
{
    size_t it = 0;
    lconn *c;
    while ((c = mj_map_next(&lr->by_resource, mj_hash_bytes(resource, strlen(resource)), &it)))
        if (strcmp(c->resource, resource) == 0) return c;
    return NULL;
}

static void media_closed(void *ctx, const char *resource, const char *room, uint64_t person,
                         const char *reason)
{
    (void)person;
    mj_live *lv = ctx;
    mj_live_room *lr = mj_live_find(lv, room);
    lconn *c = lr ? conn_of_resource(lr, resource) : NULL;
    if (!c) return;
    mj_debug("rooms: a connection in room %s ended: %s", room, reason);
    c->media_gone = true; /* the session is gone already */
    mj_live_end_conn(lr, c, 4008, "media connection lost");
    (void)mj_live_settle(lr);
}

static void media_levels(void *ctx, const char *room, const mj_media_level *lv_, size_t n)
{
    mj_live *lv = ctx;
    mj_live_room *lr = mj_live_find(lv, room);
    if (lr) mj_live_send_levels(lr, lv_, n);
}

void mj_live_media_poll(mj_live *lv)
{
    mj_media_sink sink = {.ctx = lv, .closed = media_closed, .levels = media_levels};
    mj_media_poll(lv->srv->media, &sink);
}
