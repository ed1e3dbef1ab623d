/* What a room's sockets are told (docs/protocol.md): a snapshot when a
 * page attaches, then an event for each change, each in the view its
 * reader may have. Moderators see everyone, hands and invitations; a
 * person sees their own hand and invitation; everyone else sees the stage
 * and the listeners who did not enter unlisted, and only counts once the
 * audience is large. Each event is serialized once per kind of reader and
 * the same bytes go to every socket of that kind. */
#include "api/live_internal.h"

#include "api/call.h"
#include "api/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mj_live_pid_str(mj_pid pid, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)pid);
}

bool mj_live_pid_parse(const char *s, mj_pid *out)
{
    if (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16) return false;
    *out = strtoull(s, NULL, 16);
    return *out != 0;
}

/* ---- sockets ---- */

void mj_live_socks_add(mj_live_room *lr, lconn *c)
{
    if (lr->nsocks == lr->socks_cap) {
        size_t cap = lr->socks_cap ? lr->socks_cap * 2 : 16;
        lconn **s = realloc(lr->socks, cap * sizeof *s);
        if (!s) return; /* it hears nothing; its page reconnects when it notices */
        lr->socks = s;
        lr->socks_cap = cap;
    }
    c->sock_index = lr->nsocks;
    lr->socks[lr->nsocks++] = c;
}

void mj_live_socks_remove(mj_live_room *lr, lconn *c)
{
    size_t i = c->sock_index;
    if (i >= lr->nsocks || lr->socks[i] != c) return;
    lr->socks[i] = lr->socks[--lr->nsocks];
    lr->socks[i]->sock_index = i;
}

static void send_msg(lconn *c, mj_ws_msg *m)
{
    if (c->ws && m) (void)mj_ws_send(c->ws, m);
}

void mj_live_broadcast(mj_live_room *lr, json_t *msg)
{
    mj_ws_msg *m = mj_ws_msg_json(msg);
    for (size_t i = 0; m && i < lr->nsocks; i++)
        send_msg(lr->socks[i], m);
    mj_ws_msg_unref(m);
}

void mj_live_send_to_person(mj_live_room *lr, mj_pid pid, json_t *msg)
{
    mj_ws_msg *m = mj_ws_msg_json(msg);
    for (size_t i = 0; m && i < lr->nsocks; i++)
        if (lr->socks[i]->pid == pid) send_msg(lr->socks[i], m);
    mj_ws_msg_unref(m);
}

/* ---- views ---- */

static json_t *avatar_of(const char *handle, const char *name)
{
    return mj_json_avatar(handle[0] ? handle : "bot", name[0] ? name : "?");
}

static json_t *member_json(const char *handle, const char *name)
{
    if (!handle[0]) return json_null();
    return json_pack("{s:s, s:s, s:o}", "handle", handle, "name", name, "avatar",
                     avatar_of(handle, name));
}

json_t *mj_live_person_json(mj_live_room *lr, const mj_person *p, const mj_person *viewer)
{
    const lperson *lp = mj_live_lperson(lr, p->pid);
    const char *handle = lp ? lp->handle : "", *name = lp ? lp->name : "";
    char id[17];
    mj_live_pid_str(p->pid, id);
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:b, s:b}", "id", id, "role", mj_role_name(p->role),
                          "avatar", avatar_of(handle, name), "name", name, "muted", p->muted, "bot",
                          p->bot != 0);
    if (!o) return NULL;
    json_object_set_new(o, "handle", handle[0] ? json_string(handle) : json_null());
    if (!p->bot && p->user == lr->rec.created_by) json_object_set_new(o, "host", json_true());
    bool close = viewer && (viewer->pid == p->pid || viewer->role == MJ_ROLE_MODERATOR);
    if (close) {
        json_object_set_new(o, "hand",
                            p->hand_at ? json_integer(mj_live_unix_ms(lr->lv, p->hand_at))
                                       : json_null());
        json_object_set_new(o, "invited", json_boolean(p->invited));
        json_object_set_new(o, "unlisted", json_boolean(p->unlisted));
    }
    return o;
}

static json_t *counts_json(const mj_room_counts *n)
{
    return json_pack("{s:i, s:i, s:i}", "moderators", (int)n->moderators, "speakers",
                     (int)n->speakers, "listeners", (int)n->listeners);
}

json_t *mj_live_room_json(mj_live_room *lr)
{
    mj_room_counts n;
    mj_room_counts_get(lr->room, &n);
    json_t *stage = json_array();
    size_t it = 0;
    const mj_person *p;
    while ((p = mj_room_next(lr->room, &it)))
        if (mj_role_on_stage(p->role))
            json_array_append_new(stage, mj_live_person_json(lr, p, NULL));
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:i, s:I, s:o, s:o}", "id", lr->rec.id,
                     "title", lr->rec.title, "type", mj_room_kind_name((mj_room_kind)lr->rec.kind),
                     "host", member_json(lr->host_handle, lr->host_name), "live", !lr->ended,
                     "hands", mj_room_hands_on(lr->room), "max_stage",
                     (int)mj_room_max_stage(lr->room), "created_at", (json_int_t)lr->rec.created_at,
                     "stage", stage, "counts", counts_json(&n));
}

/* ---- who hears what ---- */

static bool large_audience(const mj_live_room *lr)
{
    mj_room_counts n;
    mj_room_counts_get(lr->room, &n);
    return n.listeners > MJ_LIVE_AUDIENCE_LIVE;
}

/* Whether listeners who are not moderators hear about this change of p:
 * only a change of what they see, and in a large audience only changes
 * on or off the stage. */
static bool others_hear(mj_live_room *lr, const mj_person *p, const mj_room_out *o)
{
    lperson *lp = mj_live_lperson(lr, p->pid);
    bool seen_before = o->was_visible;
    bool stage_now = mj_role_on_stage(p->role);
    bool stage_before = lp && lp->shown && mj_role_on_stage(lp->shown_role);
    bool changed = !lp || lp->shown != o->visible || o->visible != seen_before ||
                   lp->shown_role != p->role || lp->shown_muted != p->muted;
    if (!changed || (!o->visible && !seen_before)) return false;
    return !large_audience(lr) || stage_now || stage_before;
}

void mj_live_on_person(mj_live_room *lr, const mj_room_out *o)
{
    const mj_person *p = mj_room_person(lr->room, o->pid);
    if (!p) return;
    bool tell_others = others_hear(lr, p, o);
    mj_ws_msg *mod = NULL, *self = NULL, *pub = NULL;
    for (size_t i = 0; i < lr->nsocks; i++) {
        lconn *c = lr->socks[i];
        const mj_person *v = mj_room_person(lr->room, c->pid);
        if (!v) continue;
        mj_ws_msg **slot = v->pid == p->pid               ? &self
                           : v->role == MJ_ROLE_MODERATOR ? &mod
                           : tell_others                  ? &pub
                                                          : NULL;
        if (!slot) continue;
        if (!*slot) {
            json_t *view = slot == &pub && !o->visible
                               ? json_pack("{s:s, s:s}", "type", "left", "id", "")
                               : json_pack("{s:s, s:o}", "type", "person", "person",
                                           mj_live_person_json(lr, p, slot == &pub ? NULL : v));
            if (slot == &pub && !o->visible) {
                char id[17];
                mj_live_pid_str(p->pid, id);
                json_object_set_new(view, "id", json_string(id));
            }
            *slot = mj_ws_msg_json(view);
        }
        send_msg(c, *slot);
    }
    mj_ws_msg_unref(mod);
    mj_ws_msg_unref(self);
    mj_ws_msg_unref(pub);
    lperson *lp = mj_live_lperson(lr, p->pid);
    if (lp && tell_others) {
        lp->shown = o->visible;
        lp->shown_role = p->role;
        lp->shown_muted = p->muted;
    }
}

void mj_live_on_gone(mj_live_room *lr, const mj_room_out *o)
{
    lperson *lp = mj_live_lperson(lr, o->pid);
    bool was_on_stage = lp && lp->shown && mj_role_on_stage(lp->shown_role);
    bool others = o->was_visible && (!large_audience(lr) || was_on_stage);
    char id[17];
    mj_live_pid_str(o->pid, id);
    mj_ws_msg *m = mj_ws_msg_json(json_pack("{s:s, s:s}", "type", "left", "id", id));
    for (size_t i = 0; m && i < lr->nsocks; i++) {
        lconn *c = lr->socks[i];
        const mj_person *v = mj_room_person(lr->room, c->pid);
        if (v && (others || v->role == MJ_ROLE_MODERATOR)) send_msg(c, m);
    }
    mj_ws_msg_unref(m);
}

void mj_live_on_invited(mj_live_room *lr, const mj_room_out *o)
{
    char by[17];
    mj_live_pid_str(o->by, by);
    const lperson *lp = mj_live_lperson(lr, o->by);
    json_t *msg = json_pack("{s:s, s:s}", "type", "invited", "by", by);
    if (msg && lp && lp->name[0]) json_object_set_new(msg, "by_name", json_string(lp->name));
    mj_live_send_to_person(lr, o->pid, msg);
}

void mj_live_flush_counts(mj_live_room *lr)
{
    mj_room_counts n;
    mj_room_counts_get(lr->room, &n);
    if (n.moderators == lr->sent_counts.moderators && n.speakers == lr->sent_counts.speakers &&
        n.listeners == lr->sent_counts.listeners)
        return;
    lr->sent_counts = n;
    mj_live_broadcast(lr, json_pack("{s:s, s:o, s:b}", "type", "counts", "counts", counts_json(&n),
                                    "audience_live", n.listeners <= MJ_LIVE_AUDIENCE_LIVE));
}

/* The snapshot's people: everyone on stage, then hands (for moderators),
 * then listeners up to a cap. */
static json_t *people_json(mj_live_room *lr, const mj_person *viewer, bool *complete)
{
    bool mod = viewer->role == MJ_ROLE_MODERATOR;
    size_t cap = mod ? MJ_LIVE_SNAPSHOT_LISTENERS_MOD : MJ_LIVE_SNAPSHOT_LISTENERS;
    json_t *arr = json_array();
    size_t listeners = 0;
    *complete = true;
    for (int pass = 0; pass < 3; pass++) {
        size_t it = 0;
        const mj_person *p;
        while ((p = mj_room_next(lr->room, &it))) {
            bool stage = mj_role_on_stage(p->role), hand = p->hand_at != 0;
            bool take = pass == 0   ? stage
                        : pass == 1 ? (!stage && hand && mod)
                                    : (!stage && !(hand && mod));
            if (!take) continue;
            if (!stage && p->pid != viewer->pid && !mod && p->unlisted) continue;
            if (!stage && p->pid != viewer->pid && listeners++ >= cap) {
                *complete = false;
                continue;
            }
            json_array_append_new(arr, mj_live_person_json(lr, p, viewer));
        }
    }
    return arr;
}

void mj_live_send_snapshot(mj_live_room *lr, lconn *c)
{
    const mj_person *me = mj_room_person(lr->room, c->pid);
    if (!me || !c->ws) return;
    mj_room_counts n;
    mj_room_counts_get(lr->room, &n);
    bool complete;
    json_t *people = people_json(lr, me, &complete);
    json_t *msg = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "type", "snapshot", "room",
                            mj_live_room_json(lr), "you", mj_live_person_json(lr, me, me), "people",
                            people, "counts", counts_json(&n), "audience_complete", complete);
    mj_ws_msg *m = mj_ws_msg_json(msg);
    send_msg(c, m);
    mj_ws_msg_unref(m);
}

/* RFC 6464 levels (-dBov, 0 loudest) as 0-100 for pages: -70 dBov and
 * below is 0, 0 dBov is 100. */
static int loudness(uint8_t dbov)
{
    return dbov >= 70 ? 0 : 100 - dbov * 100 / 70;
}

void mj_live_send_levels(mj_live_room *lr, const mj_media_level *lv, size_t n)
{
    if (!lr->nsocks) return;
    /* Every report goes to every socket: in a large room, two a second
     * are enough for the rings (the last, empty one always goes). */
    mj_time now = mj_live_now();
    if (n && large_audience(lr) && now - lr->levels_at < MJ_LIVE_LEVELS_LARGE_EVERY) return;
    lr->levels_at = now;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[17];
        mj_live_pid_str(lv[i].person, id);
        json_array_append_new(arr,
                              json_pack("{s:s, s:i}", "id", id, "level", loudness(lv[i].level)));
    }
    mj_live_broadcast(lr, json_pack("{s:s, s:o}", "type", "levels", "levels", arr));
}
