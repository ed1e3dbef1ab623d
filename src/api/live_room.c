/* One live room: people coming in and going, actions, and carrying out
 * what its machine decided (events, the media plane, the store). */
#include "api/live_internal.h"

#include "api/hallway.h"

#include "base/log.h"
#include "base/rand.h"
#include "room/trend.h"

#include <stdlib.h>
#include <string.h>

uint64_t mj_live_u64_hash(uint64_t v)
{
    return mj_hash_bytes(&v, sizeof v);
}

lperson *mj_live_lperson(const mj_live_room *lr, mj_pid pid)
{
    size_t it = 0;
    lperson *p;
    while ((p = mj_map_next(&lr->people, mj_live_u64_hash(pid), &it)))
        if (p->pid == pid) return p;
    return NULL;
}

lconn *mj_live_lconn(const mj_live_room *lr, mj_conn conn)
{
    size_t it = 0;
    lconn *c;
    while ((c = mj_map_next(&lr->conns, mj_live_u64_hash(conn), &it)))
        if (c->conn == conn) return c;
    return NULL;
}

static uint64_t res_hash(const char *resource)
{
    return mj_hash_bytes(resource, strlen(resource));
}

static lconn *by_resource(const mj_live_room *lr, const char *resource)
{
    size_t it = 0;
    lconn *c;
    while ((c = mj_map_next(&lr->by_resource, res_hash(resource), &it)))
        if (strcmp(c->resource, resource) == 0) return c;
    return NULL;
}

static void free_map_values(mj_map *m)
{
    for (size_t i = 0; m->slots && i <= m->mask; i++)
        free(m->slots[i].value);
    mj_map_dispose(m);
}

static void lperson_free(lperson *p)
{
    if (p) {
        free(p->path);
        free(p);
    }
}

void mj_live_room_free(mj_live_room *lr)
{
    /* Sockets still open are told nothing more: their pages see the close.
     * (When the server stops, the HTTP layer has closed them already.) */
    for (size_t i = 0; !lr->lv->srv->stopping && i < lr->nsocks; i++) {
        mj_ws_set_user(lr->socks[i]->ws, NULL);
        mj_ws_close(lr->socks[i]->ws, 1001, "going away");
    }
    free(lr->socks);
    mj_map_dispose(&lr->by_resource);
    free_map_values(&lr->conns);
    for (size_t i = 0; lr->people.slots && i <= lr->people.mask; i++)
        lperson_free(lr->people.slots[i].value);
    mj_map_dispose(&lr->people);
    mj_hallway_forget(lr);
    mj_room_free(lr->room);
    free(lr);
}

/* ---- refusals ---- */

const char *mj_live_err_code(int err)
{
    switch (err) {
    case MJ_LIVE_ENOTFOLLOWED: return "not_followed";
    case MJ_LIVE_EBLOCKED: return "not_found"; /* who blocked you is not there for you */
    default: return mj_room_err_code(err);
    }
}

int mj_live_err_status(int err)
{
    switch (err) {
    case MJ_LIVE_ENOTFOLLOWED: return 403;
    case MJ_LIVE_EBLOCKED: return 404;
    default: return mj_room_err_status(err);
    }
}

/* The moderator set, in a buffer the caller frees. */
static int64_t *moderators(mj_live_room *lr, size_t *n)
{
    *n = mj_room_moderator_ids(lr->room, NULL, 0);
    int64_t *ids = *n ? malloc(*n * sizeof *ids) : NULL;
    if (ids)
        *n = mj_room_moderator_ids(lr->room, ids, *n);
    else
        *n = 0;
    return ids;
}

/* Blocks by a moderator, and in a social room a moderator's follow: what
 * the store knows about member `user` and this room's moderators. */
static int store_checks(mj_live_room *lr, int64_t user)
{
    mj_store *st = lr->lv->srv->store;
    if (mj_room_is_moderator_id(lr->room, user)) return 0;
    size_t n;
    int64_t *mods = moderators(lr, &n);
    bool followed = false;
    int err = 0;
    for (size_t i = 0; i < n && !err; i++) {
        mj_relation rel;
        if (mj_store_relation(st, mods[i], user, &rel) != 0) {
            err = MJ_EIO;
        } else if (rel.blocking) {
            err = MJ_LIVE_EBLOCKED;
        } else if (rel.following) {
            followed = true;
        }
    }
    free(mods);
    if (!err && lr->rec.kind == MJ_ROOM_SOCIAL && !followed && !mj_room_is_allowed(lr->room, user))
        err = MJ_LIVE_ENOTFOLLOWED;
    return err;
}

int mj_live_may_enter(mj_live_room *lr, const mj_room_who *who)
{
    int err = mj_room_may_enter(lr->room, who);
    if (!err && who->user) err = store_checks(lr, who->user);
    return err;
}

/* ---- entering and leaving ---- */

static int remember_person(mj_live_room *lr, mj_pid pid, const mj_room_who *who)
{
    if (mj_live_lperson(lr, pid)) return 0;
    lperson *p = calloc(1, sizeof *p);
    if (!p) return MJ_ENOMEM;
    p->pid = pid;
    p->user = who->user;
    p->bot = who->bot;
    mj_user u;
    if (who->user && mj_store_user_by_id(lr->lv->srv->store, who->user, &u) == 0) {
        memcpy(p->handle, u.handle, sizeof p->handle);
        memcpy(p->name, u.display_name, sizeof p->name);
    }
    /* A bot stands where its member does: a thousand tokens of one
     * member are one node of the tree (room/trend.h). */
    int64_t path[MJ_TREND_DEPTH_MAX];
    size_t n = 0;
    if (who->user &&
        mj_store_user_path(lr->lv->srv->store, who->user, path, MJ_TREND_DEPTH_MAX, &n) == 0 &&
        (p->path = malloc(n * sizeof *p->path)) != NULL) {
        memcpy(p->path, path, n * sizeof *path);
        p->path_len = (uint8_t)n;
    }
    if (mj_map_add(&lr->people, mj_live_u64_hash(pid), p) != 0) {
        lperson_free(p);
        return MJ_ENOMEM;
    }
    return 0;
}

static mj_conn fresh_conn(const mj_live_room *lr)
{
    mj_conn c;
    do {
        c = mj_rand_u64();
    } while (c == 0 || mj_live_lconn(lr, c));
    return c;
}

static mj_pid fresh_pid(const mj_live_room *lr)
{
    mj_pid p;
    do {
        p = mj_rand_u64();
    } while (p == 0 || mj_room_person(lr->room, p));
    return p;
}

static void refuse(mj_live_entered *out, int err)
{
    out->err = err;
    out->status = mj_live_err_status(err);
    out->code = mj_live_err_code(err);
    out->message = out->status == 403   ? "you may not enter this room"
                   : out->status == 410 ? "this room has ended"
                                        : "cannot enter the room";
}

static lconn *add_conn(mj_live_room *lr, const mj_live_entry *e, mj_conn conn, mj_pid pid,
                       const char *resource)
{
    lconn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->lr = lr;
    c->conn = conn;
    c->pid = pid;
    c->user = e->who.user;
    c->kind = e->kind;
    c->page = e->page;
    memcpy(c->resource, resource, sizeof c->resource);
    if (mj_map_add(&lr->conns, mj_live_u64_hash(conn), c) != 0) {
        free(c);
        return NULL;
    }
    if (mj_map_add(&lr->by_resource, res_hash(c->resource), c) != 0) {
        mj_map_remove(&lr->conns, mj_live_u64_hash(conn), c);
        free(c);
        return NULL;
    }
    return c;
}

/* Whose sessions these are, for the limit per owner: a member's token
 * (its bot), or the member in person. The operator's own tokens are not
 * limited: the operator decides who holds them (a public listening link
 * is one token for everyone). */
static uint64_t session_owner(const mj_room_who *who)
{
    if (who->bot) return who->user ? who->bot : 0;
    return who->user ? ((uint64_t)who->user << 1) | 1 : 0;
}

void mj_live_enter(mj_live_room *lr, const mj_live_entry *e, mj_live_entered *out)
{
    memset(out, 0, sizeof *out);
    int err = mj_live_may_enter(lr, &e->who);
    if (err) {
        refuse(out, err);
        return;
    }
    const mj_person *was = mj_room_find(lr->room, e->who.user, e->who.bot);
    mj_pid pid = was ? was->pid : fresh_pid(lr);
    mj_media_request rq = {
        .room = lr->rec.id,
        .kind = (mj_media_kind)e->kind,
        .person = pid,
        .may_send = was && mj_person_may_send(was),
        .offer = e->offer,
        .offer_len = e->offer_len,
        .owner = session_owner(&e->who),
        .client_key = e->client_key,
    };
    mj_media_result res;
    mj_media_session_create(lr->lv->srv->media, &rq, &res);
    if (res.status != 201) {
        out->status = res.status;
        out->code = res.code;
        out->message = res.message;
        return;
    }
    mj_conn conn = fresh_conn(lr);
    lconn *c = NULL;
    err = remember_person(lr, pid, &e->who);
    if (!err)
        err = mj_room_connect(lr->room, mj_live_now(), &e->who, conn, e->page, pid, &out->pid);
    if (!err && !(c = add_conn(lr, e, conn, pid, res.resource))) {
        (void)mj_room_disconnect(lr->room, mj_live_now(), conn);
        err = MJ_ENOMEM;
    }
    if (err) {
        (void)mj_media_session_delete(lr->lv->srv->media, res.resource);
        free(res.answer);
        if (!mj_room_person(lr->room, pid)) {
            lperson *p = mj_live_lperson(lr, pid);
            if (p && mj_map_remove(&lr->people, mj_live_u64_hash(pid), p) == 0) lperson_free(p);
        }
        refuse(out, err);
        (void)mj_live_settle(lr);
        return;
    }
    out->status = 201;
    memcpy(out->resource, res.resource, sizeof out->resource);
    out->answer = res.answer;
    out->answer_len = res.answer_len;
    (void)mj_live_settle(lr);
}

int mj_live_leave_resource(mj_live_room *lr, const char *resource, int64_t user, int kind)
{
    lconn *c = by_resource(lr, resource);
    if (!c || (user >= 0 && (!c->page || c->user != user)) || (user < 0 && c->kind != kind))
        return MJ_ENOTFOUND;
    mj_live_end_conn(lr, c, 1000, "left the room");
    (void)mj_live_settle(lr);
    return 0;
}

/* ---- acting ---- */

const mj_person *mj_live_me(mj_live_room *lr, int64_t user)
{
    return mj_room_find(lr->room, user, 0);
}

int mj_live_act(mj_live_room *lr, int64_t user, mj_room_action *a)
{
    const mj_person *me = mj_live_me(lr, user);
    if (!me) return MJ_ROOM_ENOTIN;
    int err = mj_room_act(lr->room, mj_live_now(), me->pid, a);
    (void)mj_live_settle(lr);
    return err;
}

int mj_live_act_as_server(mj_live_room *lr, mj_room_action *a)
{
    int err = mj_room_act(lr->room, mj_live_now(), 0, a);
    (void)mj_live_settle(lr);
    return err;
}

/* ---- carrying out the machine's notifications ---- */

static void forget_conn(mj_live_room *lr, lconn *c, int code, const char *why);

void mj_live_end_conn(mj_live_room *lr, lconn *c, int code, const char *why)
{
    if (!c->media_gone) (void)mj_media_session_delete(lr->lv->srv->media, c->resource);
    c->media_gone = true;
    /* The person leaves with their last connection (GONE, no DROP). */
    (void)mj_room_disconnect(lr->room, mj_live_now(), c->conn);
    forget_conn(lr, c, code, why);
}

static void forget_conn(mj_live_room *lr, lconn *c, int code, const char *why)
{
    if (c->ws) {
        mj_live_socks_remove(lr, c);
        mj_ws_set_user(c->ws, NULL);
        mj_ws_close(c->ws, code, why);
        c->ws = NULL;
    }
    if (!c->media_gone) (void)mj_media_session_delete(lr->lv->srv->media, c->resource);
    mj_map_remove(&lr->by_resource, res_hash(c->resource), c);
    mj_map_remove(&lr->conns, mj_live_u64_hash(c->conn), c);
    free(c);
}

static void on_send(mj_live_room *lr, const mj_room_out *o)
{
    size_t it = 0;
    mj_conn conn;
    while ((conn = mj_room_next_conn(lr->room, o->pid, &it)) != 0) {
        lconn *c = mj_live_lconn(lr, conn);
        if (c && !c->media_gone &&
            mj_media_session_set_send(lr->lv->srv->media, c->resource, o->on) != 0)
            mj_warn("rooms: cannot tell the media plane who may send in %s", lr->rec.id);
    }
}

static void on_gone(mj_live_room *lr, const mj_room_out *o)
{
    mj_live_on_gone(lr, o);
    lperson *p = mj_live_lperson(lr, o->pid);
    mj_hallway_room_changed(lr->lv, lr, p && p->hall_stage, false);
    if (p && mj_map_remove(&lr->people, mj_live_u64_hash(o->pid), p) == 0) lperson_free(p);
}

/* The hallway shows who is on stage and how many listen. */
static void on_person(mj_live_room *lr, const mj_room_out *o)
{
    mj_live_on_person(lr, o);
    const mj_person *p = mj_room_person(lr->room, o->pid);
    lperson *lp = mj_live_lperson(lr, o->pid);
    bool stage = p && mj_role_on_stage(p->role);
    mj_hallway_room_changed(lr->lv, lr, lp && (stage || lp->hall_stage), false);
    if (lp) lp->hall_stage = stage;
}

static void keep(mj_live_room *lr, const mj_room_out *o)
{
    mj_store *st = lr->lv->srv->store;
    /* Who may see the room in the hallway follows its moderators and names. */
    if (o->kind != MJ_ROUT_SETTINGS) mj_hallway_room_changed(lr->lv, lr, false, true);
    int err = 0;
    if (o->kind == MJ_ROUT_MODERATOR)
        err = mj_store_room_member_set(st, lr->rec.id, o->user, MJ_ROOM_MEMBER_MODERATOR, o->on);
    else if (o->kind == MJ_ROUT_ALLOWED)
        err = mj_store_room_member_set(st, lr->rec.id, o->user, MJ_ROOM_MEMBER_ALLOWED, true);
    else if (o->kind == MJ_ROUT_BANNED && o->bot)
        err = mj_store_room_ban_bot(st, lr->rec.id, o->bot);
    else if (o->kind == MJ_ROUT_BANNED)
        err = mj_store_room_member_set(st, lr->rec.id, o->user, MJ_ROOM_MEMBER_REMOVED, true);
    else if (o->kind == MJ_ROUT_SETTINGS)
        err = mj_store_room_set_hands(st, lr->rec.id, !mj_room_hands_on(lr->room));
    if (err) mj_error("rooms: cannot write room %s's change to the store", lr->rec.id);
}

static void on_ended(mj_live_room *lr, const mj_room_out *o)
{
    lr->ended = true;
    if (mj_store_room_end(lr->lv->srv->store, lr->rec.id,
                          mj_live_unix_ms(lr->lv, mj_live_now()) / 1000) != 0)
        mj_error("rooms: cannot record the end of room %s", lr->rec.id);
    mj_live_broadcast(lr,
                      json_pack("{s:s, s:s}", "type", "ended", "reason",
                                o->reason == MJ_END_NO_MODERATOR ? "no_moderator" : "moderator"));
}

void mj_live_drain(mj_live_room *lr)
{
    mj_room_out o;
    while (mj_room_poll(lr->room, &o)) {
        switch (o.kind) {
        case MJ_ROUT_PERSON: on_person(lr, &o); break;
        case MJ_ROUT_GONE: on_gone(lr, &o); break;
        case MJ_ROUT_INVITED: mj_live_on_invited(lr, &o); break;
        case MJ_ROUT_REMOVED:
            mj_live_send_to_person(lr, o.pid, json_pack("{s:s}", "type", "removed"));
            break;
        case MJ_ROUT_SETTINGS:
            keep(lr, &o);
            mj_live_broadcast(
                lr, json_pack("{s:s, s:o}", "type", "room", "room", mj_live_room_json(lr)));
            break;
        case MJ_ROUT_ENDED: on_ended(lr, &o); break;
        case MJ_ROUT_SEND: on_send(lr, &o); break;
        case MJ_ROUT_DROP: {
            lconn *c = mj_live_lconn(lr, o.conn);
            if (c) forget_conn(lr, c, 1000, "left the room");
            break;
        }
        case MJ_ROUT_MODERATOR:
        case MJ_ROUT_ALLOWED:
        case MJ_ROUT_BANNED: keep(lr, &o); break;
        case MJ_ROUT_NONE: break;
        }
    }
}

bool mj_live_settle(mj_live_room *lr)
{
    mj_live_drain(lr);
    if (!lr->ended) return true;
    mj_live_remove(lr->lv, lr);
    return false;
}

/* ---- event sockets ---- */

int mj_live_socket_attach(mj_live_room *lr, const char *resource, int64_t user, mj_ws *ws)
{
    lconn *c = by_resource(lr, resource);
    if (!c || !c->page || c->user != user) return MJ_ENOTFOUND;
    if (c->ws) {
        /* The newest socket of a visit wins (a reconnect that raced the
         * old one's close). */
        mj_live_socks_remove(lr, c);
        mj_ws_set_user(c->ws, NULL);
        mj_ws_close(c->ws, 4000, "replaced");
    }
    c->ws = ws;
    mj_ws_set_user(ws, c);
    mj_live_socks_add(lr, c);
    (void)mj_room_socket(lr->room, mj_live_now(), c->conn, true);
    mj_live_send_snapshot(lr, c);
    (void)mj_live_settle(lr);
    return 0;
}

void mj_live_socket_closed(mj_ws *ws, int code)
{
    lconn *c = mj_ws_user(ws);
    if (!c) return;
    mj_live_room *lr = c->lr;
    mj_live_socks_remove(lr, c);
    c->ws = NULL;
    mj_ws_set_user(ws, NULL);
    if (code == 1000 || code == 1001) {
        /* The page closed it: the tab is gone or left. */
        mj_live_end_conn(lr, c, 1000, "left the room");
    } else {
        (void)mj_room_socket(lr->room, mj_live_now(), c->conn, false);
    }
    (void)mj_live_settle(lr);
}
