/* The hallway (hallway.h): who sees which live room, the order, and the
 * sockets that hear it change. */
#include "api/hallway.h"

#include "api/live_internal.h"
#include "api/resources.h"
#include "base/log.h"
#include "io/clock.h"
#include "room/trend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_SHOWN    6         /* names on stage in a hallway entry */
#define FOLLOWS_MAX    5000      /* followees a hallway considers */
#define COUNTS_EVERY   MJ_SEC(5) /* counts alone change the hallway this often */
#define ORDER_EVERY    MJ_SEC(2) /* the order is looked at again this often */
#define UPCOMING_MAX   50
#define UPCOMING_GRACE 3600 /* an announcement stays an hour past its time */

typedef struct hsock {
    mj_hall *h;
    mj_ws *ws;
    int64_t user;
    size_t index;
    int64_t *follows; /* sorted */
    size_t nfollows;
    mj_map seen; /* hash(room id) -> the live room, for rooms this socket was told of */
    bool order_dirty;
} hsock;

struct mj_hall {
    mj_live *lv;
    hsock **socks;
    size_t n, cap;
    mj_trend *trend;
    mj_time order_at;
    mj_live_room **order; /* the last order, best first */
    size_t norder;
};

static uint64_t room_hash(const mj_live_room *lr)
{
    return mj_hash_bytes(lr->rec.id, strlen(lr->rec.id));
}

static mj_hall *hall_of(mj_live *lv)
{
    if (!lv->hall) {
        lv->hall = calloc(1, sizeof *lv->hall);
        if (!lv->hall || mj_trend_new(&lv->hall->trend) != 0) {
            free(lv->hall);
            lv->hall = NULL;
            return NULL;
        }
        lv->hall->lv = lv;
    }
    return lv->hall;
}

/* ---- who sees what ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool follows(const hsock *s, int64_t user)
{
    return s->nfollows && bsearch(&user, s->follows, s->nfollows, sizeof user, cmp_i64);
}

static void load_follows(hsock *s, mj_store *st)
{
    free(s->follows);
    s->follows = malloc(FOLLOWS_MAX * sizeof *s->follows);
    s->nfollows = 0;
    if (s->follows &&
        mj_store_following_ids(st, s->user, s->follows, FOLLOWS_MAX, &s->nfollows) == 0)
        qsort(s->follows, s->nfollows, sizeof *s->follows, cmp_i64);
}

static bool follows_a_moderator(const hsock *s, const mj_live_room *lr)
{
    int64_t ids[64];
    size_t n = mj_room_moderator_ids(lr->room, ids, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (follows(s, ids[i])) return true;
    return false;
}

/* A member sees a live room they may enter; a social room also needs them
 * to follow one of its moderators (a room of "people they follow"). */
static bool visible(const hsock *s, mj_live_room *lr, int64_t user)
{
    if (lr->ended) return false;
    if (mj_live_me(lr, user)) return true;
    mj_room_who who = {.user = user};
    if (mj_live_may_enter(lr, &who) != 0) return false;
    return lr->rec.kind != MJ_ROOM_SOCIAL || (s && follows_a_moderator(s, lr));
}

/* ---- entries ---- */

typedef struct stage {
    int64_t users[64];
    size_t n;
    json_t *base; /* the entry without "followed" */
} stage;

static void stage_build(mj_live_room *lr, stage *sg)
{
    sg->n = 0;
    json_t *people = json_array();
    size_t it = 0, shown = 0;
    const mj_person *p;
    while ((p = mj_room_next(lr->room, &it))) {
        if (!mj_role_on_stage(p->role)) continue;
        if (p->user && sg->n < 64) sg->users[sg->n++] = p->user;
        const lperson *lp = mj_live_lperson(lr, p->pid);
        if (shown++ >= STAGE_SHOWN || !lp) continue;
        json_t *o = json_pack("{s:s, s:s, s:b}", "name", lp->name, "role", mj_role_name(p->role),
                              "bot", p->bot != 0);
        json_object_set_new(o, "handle", lp->handle[0] ? json_string(lp->handle) : json_null());
        json_object_set_new(
            o, "avatar",
            mj_json_avatar(lp->handle[0] ? lp->handle : "bot", lp->name[0] ? lp->name : "?"));
        json_array_append_new(people, o);
    }
    mj_room_counts c;
    mj_room_counts_get(lr->room, &c);
    json_t *host = lr->host_handle[0] ? json_pack("{s:s, s:s, s:o}", "handle", lr->host_handle,
                                                  "name", lr->host_name, "avatar",
                                                  mj_json_avatar(lr->host_handle, lr->host_name))
                                      : json_null();
    sg->base =
        json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:i, s:I}", "id", lr->rec.id, "title",
                  lr->rec.title, "type", mj_room_kind_name((mj_room_kind)lr->rec.kind), "host",
                  host, "stage", people, "speakers", (int)(c.moderators + c.speakers), "listeners",
                  (int)c.listeners, "created_at", (json_int_t)lr->rec.created_at);
}

/* A room's stage as the hallway shows it, built once after each change of
 * the room and shared by every socket. */
static const stage *stage_of(mj_live_room *lr)
{
    stage *sg = lr->hall_cache;
    if (sg && !lr->hall_cache_stale) return sg;
    if (!sg && !(sg = lr->hall_cache = calloc(1, sizeof *sg))) return NULL;
    json_decref(sg->base);
    stage_build(lr, sg);
    lr->hall_cache_stale = false;
    return sg->base ? sg : NULL;
}

void mj_hallway_forget(mj_live_room *lr)
{
    stage *sg = lr->hall_cache;
    if (sg) json_decref(sg->base);
    free(sg);
    lr->hall_cache = NULL;
}

static bool followed_on_stage(const hsock *s, const stage *sg)
{
    for (size_t i = 0; i < sg->n; i++)
        if (follows(s, sg->users[i])) return true;
    return false;
}

static json_t *entry_for(const stage *sg, bool followed)
{
    json_t *o = json_deep_copy(sg->base);
    if (o) json_object_set_new(o, "followed", json_boolean(followed));
    return o;
}

/* ---- sockets ---- */

static bool seen(const hsock *s, const mj_live_room *lr)
{
    size_t it = 0;
    void *v;
    while ((v = mj_map_next(&s->seen, room_hash(lr), &it)))
        if (v == lr) return true;
    return false;
}

static void send(hsock *s, json_t *msg)
{
    mj_ws_msg *m = mj_ws_msg_json(msg);
    if (m) (void)mj_ws_send(s->ws, m);
    mj_ws_msg_unref(m);
}

/* Tells one socket about one room as it is now: an entry, or that it is
 * gone from its hallway. */
static void tell(hsock *s, mj_live_room *lr, const stage *sg, bool show)
{
    bool was = seen(s, lr);
    if (show) {
        if (!was && mj_map_add(&s->seen, room_hash(lr), lr) != 0) return;
        send(s, json_pack("{s:s, s:o}", "type", "room", "room",
                          entry_for(sg, followed_on_stage(s, sg))));
    } else if (was) {
        mj_map_remove(&s->seen, room_hash(lr), lr);
        send(s, json_pack("{s:s, s:s}", "type", "gone", "id", lr->rec.id));
    }
    s->order_dirty |= show != was;
}

/* The room ids of this socket's hallway, in its order: rooms where someone
 * it follows is on stage first, then the global order. */
static json_t *order_for(mj_hall *h, hsock *s)
{
    json_t *first = json_array(), *rest = json_array();
    for (size_t i = 0; i < h->norder; i++) {
        mj_live_room *lr = h->order[i];
        if (!seen(s, lr)) continue;
        const stage *sg = stage_of(lr);
        json_array_append_new(sg && followed_on_stage(s, sg) ? first : rest,
                              json_string(lr->rec.id));
    }
    json_array_extend(first, rest);
    json_decref(rest);
    return first;
}

/* ---- the order ---- */

static void score(mj_hall *h, mj_live_room *lr)
{
    mj_trend_reset(h->trend);
    size_t it = 0;
    const mj_person *p;
    while ((p = mj_room_next(lr->room, &it))) {
        const lperson *lp = mj_live_lperson(lr, p->pid);
        /* A path that cannot be added (out of memory) only counts less. */
        if (lp && lp->path_len && mj_trend_add(h->trend, lp->path, lp->path_len) != 0) continue;
    }
    lr->score = mj_trend_score(h->trend);
    lr->score_dirty = false;
}

static int by_rank(const void *a, const void *b)
{
    const mj_live_room *x = *(mj_live_room *const *)a, *y = *(mj_live_room *const *)b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    if (x->rec.created_at != y->rec.created_at)
        return x->rec.created_at < y->rec.created_at ? 1 : -1;
    return strcmp(x->rec.id, y->rec.id);
}

static void reorder(mj_hall *h)
{
    mj_live *lv = h->lv;
    mj_live_room **order = lv->nrooms ? malloc(lv->nrooms * sizeof *order) : NULL;
    size_t n = 0;
    for (size_t i = 0; order && lv->rooms.slots && i <= lv->rooms.mask; i++) {
        mj_live_room *lr = lv->rooms.slots[i].value;
        if (!lr || lr->ended || n >= lv->nrooms) continue;
        if (lr->score_dirty) score(h, lr);
        order[n++] = lr;
    }
    if (n) qsort(order, n, sizeof *order, by_rank);
    bool same = n == h->norder && (!n || memcmp(order, h->order, n * sizeof *order) == 0);
    free(h->order);
    h->order = order;
    h->norder = n;
    for (size_t i = 0; !same && i < h->n; i++)
        h->socks[i]->order_dirty = true;
}

/* ---- changes ---- */

void mj_hallway_room_changed(mj_live *lv, mj_live_room *lr, bool stage_changed, bool who_may_see)
{
    lr->hall_cache_stale = true;
    lr->score_dirty = true;
    /* A room that came or whose public changed takes its place in the
     * order at the next tick, not the next ordering. */
    if (who_may_see && lv->hall) lv->hall->order_at = 0;
    lr->hall_counts = true;
    lr->hall_stage |= stage_changed;
    lr->hall_visibility |= who_may_see;
}

void mj_hallway_room_gone(mj_live *lv, mj_live_room *lr)
{
    mj_hall *h = lv->hall;
    if (!h) return;
    for (size_t i = 0; i < h->n; i++) {
        hsock *s = h->socks[i];
        if (seen(s, lr)) {
            mj_map_remove(&s->seen, room_hash(lr), lr);
            send(s, json_pack("{s:s, s:s}", "type", "gone", "id", lr->rec.id));
        }
    }
    for (size_t i = 0; i < h->norder; i++)
        if (h->order[i] == lr) h->order[i] = h->order[--h->norder];
    mj_hallway_forget(lr);
    h->order_at = 0; /* look at the order again at the next tick */
}

static void look_again(mj_hall *h, hsock *s)
{
    mj_live *lv = h->lv;
    for (size_t i = 0; lv->rooms.slots && i <= lv->rooms.mask; i++) {
        mj_live_room *lr = lv->rooms.slots[i].value;
        if (!lr) continue;
        const stage *sg = stage_of(lr);
        if (sg) tell(s, lr, sg, visible(s, lr, s->user));
    }
}

void mj_hallway_member_changed(mj_live *lv, int64_t user)
{
    mj_hall *h = lv->hall;
    for (size_t i = 0; h && i < h->n; i++) {
        hsock *s = h->socks[i];
        if (s->user != user) continue;
        load_follows(s, lv->srv->store);
        look_again(h, s);
        s->order_dirty = true;
    }
}

/* Whether the member of socket s hears of this announcement. */
static bool hears_of(const mj_live *lv, const hsock *s, const mj_schedule *sc)
{
    if (sc->host == s->user) return true;
    bool blocked = false;
    return sc->kind != MJ_ROOM_CLOSED && follows(s, sc->host) &&
           mj_store_is_blocked(lv->srv->store, sc->host, s->user, &blocked) == 0 && !blocked;
}

void mj_hallway_schedule(mj_live *lv, const mj_schedule *sc, bool added)
{
    mj_hall *h = lv->hall;
    for (size_t i = 0; h && i < h->n; i++) {
        hsock *s = h->socks[i];
        if (!hears_of(lv, s, sc)) continue;
        if (added)
            send(s, json_pack("{s:s, s:o}", "type", "upcoming", "schedule",
                              mj_schedule_json(lv->srv, sc, s->user)));
        else
            send(s, json_pack("{s:s, s:I}", "type", "unscheduled", "id", (json_int_t)sc->id));
    }
}

static void flush_room(mj_hall *h, mj_live_room *lr, mj_time now)
{
    bool counts = lr->hall_counts && now - lr->hall_sent_at >= COUNTS_EVERY;
    if (!lr->hall_visibility && !lr->hall_stage && !counts) return;
    const stage *sg = stage_of(lr);
    for (size_t i = 0; sg && i < h->n; i++) {
        hsock *s = h->socks[i];
        if (lr->hall_visibility)
            tell(s, lr, sg, visible(s, lr, s->user));
        else if (seen(s, lr))
            tell(s, lr, sg, true);
    }
    lr->hall_visibility = lr->hall_stage = lr->hall_counts = false;
    lr->hall_sent_at = now;
}

void mj_hallway_tick(mj_live *lv)
{
    mj_hall *h = lv->hall;
    if (!h) return;
    mj_time now = mj_live_now();
    for (size_t i = 0; lv->rooms.slots && i <= lv->rooms.mask; i++) {
        mj_live_room *lr = lv->rooms.slots[i].value;
        if (lr) flush_room(h, lr, now);
    }
    if (now - h->order_at >= ORDER_EVERY) {
        h->order_at = now;
        reorder(h);
    }
    for (size_t i = 0; i < h->n; i++) {
        hsock *s = h->socks[i];
        if (s->order_dirty) {
            s->order_dirty = false;
            send(s, json_pack("{s:s, s:o}", "type", "order", "rooms", order_for(h, s)));
        }
    }
}

/* ---- snapshots ---- */

json_t *mj_schedule_json(mj_server *srv, const mj_schedule *sc, int64_t viewer)
{
    mj_user host;
    json_t *h = mj_store_user_by_id(srv->store, sc->host, &host) == 0
                    ? json_pack("{s:s, s:s, s:o}", "handle", host.handle, "name", host.display_name,
                                "avatar", mj_json_avatar(host.handle, host.display_name))
                    : json_null();
    return json_pack("{s:I, s:s, s:s, s:o, s:I, s:b}", "id", (json_int_t)sc->id, "title", sc->title,
                     "type", mj_room_kind_name((mj_room_kind)sc->kind), "host", h, "starts_at",
                     (json_int_t)sc->starts_at, "yours", sc->host == viewer);
}

static json_t *upcoming(mj_server *srv, int64_t viewer)
{
    mj_schedule *list = malloc(UPCOMING_MAX * sizeof *list);
    size_t n = 0;
    json_t *arr = json_array();
    if (list && mj_store_schedules_for(srv->store, viewer, mj_clock_unix(), UPCOMING_GRACE, list,
                                       UPCOMING_MAX, &n) == 0)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, mj_schedule_json(srv, &list[i], viewer));
    free(list);
    return arr;
}

/* The whole hallway of socket s (s may be a stack one, not registered). */
static json_t *snapshot(mj_hall *h, hsock *s)
{
    if (!h->order || h->order_at == 0) reorder(h);
    json_t *rooms = json_array();
    json_t *first = json_array();
    for (size_t i = 0; i < h->norder; i++) {
        mj_live_room *lr = h->order[i];
        if (!visible(s, lr, s->user)) continue;
        const stage *sg = stage_of(lr);
        if (!sg) continue;
        if (mj_map_add(&s->seen, room_hash(lr), lr) != 0)
            continue; /* out of memory: the room stays out of this hallway */
        bool followed = followed_on_stage(s, sg);
        json_array_append_new(followed ? first : rooms, entry_for(sg, followed));
    }
    /* Rooms too new for the last ordering come after the ordered ones
     * (the next order message places them). */
    mj_live *lv = h->lv;
    for (size_t i = 0; lv->rooms.slots && i <= lv->rooms.mask; i++) {
        mj_live_room *lr = lv->rooms.slots[i].value;
        if (!lr || seen(s, lr) || !visible(s, lr, s->user)) continue;
        const stage *sg = stage_of(lr);
        if (!sg || mj_map_add(&s->seen, room_hash(lr), lr) != 0) continue;
        json_array_append_new(rooms, entry_for(sg, followed_on_stage(s, sg)));
        s->order_dirty = true;
    }
    json_array_extend(first, rooms);
    json_decref(rooms);
    return json_pack("{s:s, s:o, s:o}", "type", "snapshot", "rooms", first, "upcoming",
                     upcoming(h->lv->srv, s->user));
}

json_t *mj_hallway_json(mj_live *lv, const mj_user *me)
{
    mj_hall *h = hall_of(lv);
    if (!h) return NULL;
    hsock s = {.h = h, .user = me->id};
    mj_map_init(&s.seen);
    load_follows(&s, lv->srv->store);
    json_t *o = snapshot(h, &s);
    json_object_del(o, "type");
    free(s.follows);
    mj_map_dispose(&s.seen);
    return o;
}

/* ---- the socket ---- */

static void sock_free(hsock *s)
{
    free(s->follows);
    mj_map_dispose(&s->seen);
    free(s);
}

static void sock_remove(mj_hall *h, hsock *s)
{
    h->socks[s->index] = h->socks[--h->n];
    h->socks[s->index]->index = s->index;
    sock_free(s);
}

static void refuse(mj_ws *ws, int close_code, const char *code, const char *message)
{
    char text[300];
    int n = snprintf(text, sizeof text, "{\"type\":\"error\",\"error\":\"%s\",\"message\":\"%s\"}",
                     code, message);
    (void)mj_ws_send_text(ws, text, (size_t)n);
    mj_ws_close(ws, close_code, code);
}

static int attach(mj_hall *h, mj_ws *ws, int64_t user)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        hsock **socks = realloc(h->socks, cap * sizeof *socks);
        if (!socks) return MJ_ENOMEM;
        h->socks = socks;
        h->cap = cap;
    }
    hsock *s = calloc(1, sizeof *s);
    if (!s) return MJ_ENOMEM;
    s->h = h;
    s->ws = ws;
    s->user = user;
    mj_map_init(&s->seen);
    load_follows(s, h->lv->srv->store);
    s->index = h->n;
    h->socks[h->n++] = s;
    mj_ws_set_user(ws, s);
    send(s, snapshot(h, s));
    return 0;
}

static void on_open(void *ctx, mj_ws *ws, mj_http_req *upgrade)
{
    mj_server *srv = ctx;
    if (strcmp(mj_http_path(upgrade), "/api/hallway/events") != 0) {
        refuse(ws, 4404, "not_found", "no such event stream");
        return;
    }
    mj_call c;
    memset(&c, 0, sizeof c);
    c.srv = srv;
    c.req = upgrade;
    c.now = mj_clock_unix();
    c.mono = mj_clock_now();
    c.no_reply = true;
    if (!mj_call_same_origin(&c)) {
        refuse(ws, 4403, "cross_origin", "event sockets must come from this site");
        return;
    }
    int err = mj_call_authenticate(&c);
    bool within = err ? mj_call_limit_address(&c, MJ_LIMIT_API_ADDRESS)
                      : mj_call_limit(&c, MJ_LIMIT_API_SESSION, c.session.id, strlen(c.session.id));
    if (!within) {
        refuse(ws, 4429, "rate_limited", "too many requests; try again later");
        return;
    }
    if (err) {
        refuse(ws, 4401, "unauthorized", "sign in first");
        return;
    }
    mj_hall *h = hall_of(srv->live);
    if (!h || attach(h, ws, c.me.id) != 0)
        refuse(ws, 1011, "internal", "something went wrong on the server");
}

static void on_message(void *ctx, mj_ws *ws, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (len == 15 && memcmp(data, "{\"type\":\"ping\"}", 15) == 0)
        (void)mj_ws_send_text(ws, "{\"type\":\"pong\"}", 15);
}

static void on_closed(void *ctx, mj_ws *ws, int code)
{
    (void)code;
    mj_server *srv = ctx;
    hsock *s = mj_ws_user(ws);
    if (s && srv->live && srv->live->hall) sock_remove(srv->live->hall, s);
}

mj_ws_handler mj_hallway_ws_handler(mj_server *srv)
{
    mj_ws_handler h = {
        .protocol = MJ_HALLWAY_WS_PROTOCOL,
        .open = on_open,
        .message = on_message,
        .closed = on_closed,
        .ctx = srv,
        .max_message = 1024,
        .max_queued = 1 << 20,
    };
    return h;
}

void mj_hallway_free(mj_live *lv)
{
    mj_hall *h = lv->hall;
    if (!h) return;
    /* After the HTTP layer: its sockets are gone already, so only our
     * side of them is freed. */
    for (size_t i = 0; i < h->n; i++)
        sock_free(h->socks[i]);
    free(h->socks);
    free(h->order);
    mj_trend_free(h->trend);
    free(h);
    lv->hall = NULL;
}
