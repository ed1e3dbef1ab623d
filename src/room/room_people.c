/* People coming and going: connections, the notification queue, changes of
 * one person (counters, hand queue, moderator clock), departures, the
 * timers and the end of the room. */
#include "room/room_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- notifications ---- */

int mj_room_reserve(mj_room *r, size_t n)
{
    if (r->out_head + r->out_len + n <= r->out_cap) return 0;
    if (r->out_head) {
        memmove(r->out, r->out + r->out_head, r->out_len * sizeof *r->out);
        r->out_head = 0;
    }
    if (r->out_len + n <= r->out_cap) return 0;
    size_t cap = r->out_cap ? r->out_cap : 16;
    while (cap < r->out_len + n)
        cap *= 2;
    mj_room_out *o = realloc(r->out, cap * sizeof *o);
    if (!o) return MJ_ENOMEM;
    r->out = o;
    r->out_cap = cap;
    return 0;
}

void mj_room_emit(mj_room *r, const mj_room_out *o)
{
    /* Reserved by the caller, so this cannot fail; if a caller reserved
     * too little the queue still grows rather than lose a notification. */
    if (mj_room_reserve(r, 1) != 0) return;
    r->out[r->out_head + r->out_len++] = *o;
}

bool mj_room_poll(mj_room *r, mj_room_out *out)
{
    if (!r->out_len) {
        memset(out, 0, sizeof *out);
        return false;
    }
    *out = r->out[r->out_head++];
    if (!--r->out_len) r->out_head = 0;
    return true;
}

static void emit_send(mj_room *r, mj_pid pid, bool on)
{
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_SEND, .pid = pid, .on = on});
}

static void emit_drop(mj_room *r, mj_pid pid, mj_conn conn)
{
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_DROP, .pid = pid, .conn = conn});
}

/* ---- lookups ---- */

static uint64_t who_hash(int64_t user, uint64_t bot)
{
    uint64_t k[2] = {(uint64_t)user, bot};
    return mj_hash_bytes(k, sizeof k);
}

static mj_room_attendee *find_who(const mj_room *r, int64_t user, uint64_t bot)
{
    size_t it = 0;
    mj_room_attendee *p;
    while ((p = mj_map_next(&r->by_who, who_hash(user, bot), &it)))
        if (p->pub.user == user && p->pub.bot == bot) return p;
    return NULL;
}

const mj_person *mj_room_find(const mj_room *r, int64_t user, uint64_t bot)
{
    mj_room_attendee *p = find_who(r, user, bot);
    return p ? &p->pub : NULL;
}

static mj_room_conn *find_conn(const mj_room *r, mj_conn id)
{
    size_t it = 0;
    mj_room_conn *c;
    while ((c = mj_map_next(&r->by_conn, mj_room_hash_u64(id), &it)))
        if (c->id == id) return c;
    return NULL;
}

mj_room_user *mj_room_user_find(const mj_room *r, int64_t user)
{
    size_t it = 0;
    mj_room_user *u;
    while ((u = mj_map_next(&r->by_user, mj_room_hash_u64((uint64_t)user), &it)))
        if (u->user == user) return u;
    return NULL;
}

/* ---- the indexes of a person ---- */

static int user_join(mj_room *r, mj_room_attendee *p)
{
    mj_room_user *u = mj_room_user_find(r, p->pub.user);
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u) return MJ_ENOMEM;
        u->user = p->pub.user;
        if (mj_map_add(&r->by_user, mj_room_hash_u64((uint64_t)u->user), u) != 0) {
            free(u);
            return MJ_ENOMEM;
        }
    }
    p->owner = u;
    p->user_next = u->head;
    if (u->head) u->head->user_prev = p;
    u->head = p;
    return 0;
}

static void user_leave(mj_room *r, mj_room_attendee *p)
{
    mj_room_user *u = p->owner;
    if (p->user_prev)
        p->user_prev->user_next = p->user_next;
    else
        u->head = p->user_next;
    if (p->user_next) p->user_next->user_prev = p->user_prev;
    if (!u->head) {
        mj_map_remove(&r->by_user, mj_room_hash_u64((uint64_t)u->user), u);
        free(u);
    }
}

static int person_add(mj_room *r, mj_time now, const mj_room_who *who, mj_pid pid,
                      mj_room_attendee **out)
{
    if (!pid) return MJ_EINVAL;
    if (mj_room_find_pid(r, pid)) return MJ_EEXIST;
    if (r->people >= MJ_ROOM_PEOPLE_MAX) return MJ_ELIMIT;
    mj_room_attendee *p = calloc(1, sizeof *p);
    if (!p) return MJ_ENOMEM;
    p->pub.pid = pid;
    p->pub.user = who->user;
    p->pub.bot = who->bot;
    p->pub.unlisted = who->unlisted;
    p->pub.since = now;
    if (mj_map_add(&r->by_pid, mj_room_hash_u64(pid), p) != 0) goto fail;
    if (mj_map_add(&r->by_who, who_hash(who->user, who->bot), p) != 0) goto fail_pid;
    if (user_join(r, p) != 0) goto fail_who;
    r->people++;
    *out = p;
    return 0;
fail_who:
    mj_map_remove(&r->by_who, who_hash(who->user, who->bot), p);
fail_pid:
    mj_map_remove(&r->by_pid, mj_room_hash_u64(pid), p);
fail:
    free(p);
    return MJ_ENOMEM;
}

static int conn_add(mj_room *r, mj_time now, mj_room_attendee *p, mj_conn id, bool page)
{
    if (p->pub.nconns >= (p->pub.bot ? MJ_ROOM_BOT_CONNS_MAX : MJ_ROOM_CONNS_MAX)) return MJ_ELIMIT;
    if (p->pub.nconns == p->conns_cap) {
        uint32_t cap = p->conns_cap ? p->conns_cap * 2 : 2;
        mj_room_conn **conns = realloc(p->conns, cap * sizeof *conns);
        if (!conns) return MJ_ENOMEM;
        p->conns = conns;
        p->conns_cap = cap;
    }
    mj_room_conn *c = calloc(1, sizeof *c);
    if (!c) return MJ_ENOMEM;
    c->id = id;
    c->p = p;
    c->page = page;
    mj_heap_node_init(&c->grace);
    if (mj_map_add(&r->by_conn, mj_room_hash_u64(id), c) != 0) goto fail;
    if (page && mj_heap_set(&r->grace, &c->grace, now + r->cfg.socket_grace) != 0) goto fail_map;
    c->index = p->pub.nconns;
    p->conns[p->pub.nconns++] = c;
    r->conns++;
    return 0;
fail_map:
    mj_map_remove(&r->by_conn, mj_room_hash_u64(id), c);
fail:
    free(c);
    return MJ_ENOMEM;
}

static void conn_remove(mj_room *r, mj_room_conn *c)
{
    mj_room_attendee *p = c->p;
    mj_map_remove(&r->by_conn, mj_room_hash_u64(c->id), c);
    mj_heap_remove(&r->grace, &c->grace);
    p->conns[c->index] = p->conns[--p->pub.nconns];
    p->conns[c->index]->index = c->index;
    r->conns--;
    free(c);
}

/* Unindexes and frees a person; the caller has already taken them out of
 * the counters and the hand queue (or never put them there). */
static void person_free(mj_room *r, mj_room_attendee *p)
{
    while (p->pub.nconns)
        conn_remove(r, p->conns[p->pub.nconns - 1]);
    free(p->conns);
    user_leave(r, p);
    mj_map_remove(&r->by_who, who_hash(p->pub.user, p->pub.bot), p);
    mj_map_remove(&r->by_pid, mj_room_hash_u64(p->pub.pid), p);
    r->people--;
    free(p);
}

/* ---- changes ---- */

static void count(mj_room *r, const mj_person *p, bool add)
{
    mj_room_counts *c = &r->counts;
    uint32_t *n = p->role == MJ_ROLE_MODERATOR ? &c->moderators
                  : p->role == MJ_ROLE_SPEAKER ? &c->speakers
                                               : &c->listeners;
    *n = add ? *n + 1 : *n - 1;
    if (!mj_role_on_stage(p->role) && p->unlisted)
        c->unlisted = add ? c->unlisted + 1 : c->unlisted - 1;
    if (p->hand_at) c->hands = add ? c->hands + 1 : c->hands - 1;
}

/* Whether a goes before b in the hand queue. */
static bool hand_before(const mj_room_attendee *a, const mj_room_attendee *b)
{
    if (a->pub.hand_at != b->pub.hand_at) return a->pub.hand_at < b->pub.hand_at;
    return a->seq < b->seq;
}

/* Time only moves forward, so a new hand almost always goes last: the walk
 * from the tail is one step. */
static void hand_link(mj_room *r, mj_room_attendee *p)
{
    mj_room_attendee *after = r->hand_tail;
    while (after && hand_before(p, after))
        after = after->hand_prev;
    p->hand_prev = after;
    p->hand_next = after ? after->hand_next : r->hand_head;
    if (p->hand_next)
        p->hand_next->hand_prev = p;
    else
        r->hand_tail = p;
    if (after)
        after->hand_next = p;
    else
        r->hand_head = p;
}

static void hand_unlink(mj_room *r, mj_room_attendee *p)
{
    if (p->hand_prev)
        p->hand_prev->hand_next = p->hand_next;
    else
        r->hand_head = p->hand_next;
    if (p->hand_next)
        p->hand_next->hand_prev = p->hand_prev;
    else
        r->hand_tail = p->hand_prev;
    p->hand_prev = p->hand_next = NULL;
}

/* The moderator clock runs in a hosted room while no moderator is here. */
static void clock_update(mj_room *r, mj_time now)
{
    if (!r->cfg.creator) return;
    if (r->counts.moderators)
        r->mod_end_at = MJ_TIME_NEVER;
    else if (r->mod_end_at == MJ_TIME_NEVER)
        r->mod_end_at = now + r->cfg.no_moderator_end;
}

void mj_room_commit(mj_room *r, mj_time now, mj_room_attendee *p, const mj_person *was)
{
    mj_person *n = &p->pub;
    if (mj_role_on_stage(n->role)) {
        n->hand_at = 0;
        n->invited = false;
    } else {
        n->muted = false;
    }
    if (!n->invited) n->invited_by = 0;
    if (n->role == was->role && n->muted == was->muted && n->invited == was->invited &&
        n->hand_at == was->hand_at)
        return;
    count(r, was, false);
    count(r, n, true);
    if (was->hand_at && !n->hand_at)
        hand_unlink(r, p);
    else if (!was->hand_at && n->hand_at)
        hand_link(r, p);
    clock_update(r, now);
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_PERSON,
                                   .pid = n->pid,
                                   .visible = mj_person_visible(n),
                                   .was_visible = mj_person_visible(was)});
    if (mj_person_may_send(n) != mj_person_may_send(was))
        emit_send(r, n->pid, mj_person_may_send(n));
}

static void enter(mj_room *r, mj_time now, mj_room_attendee *p, const mj_room_who *who)
{
    mj_person *n = &p->pub;
    bool room_on_stage = r->counts.moderators + r->counts.speakers < r->cfg.max_stage;
    if (!who->bot && mj_room_is_moderator_id(r, who->user)) {
        /* Moderators are never locked out by a full stage. */
        n->role = MJ_ROLE_MODERATOR;
        n->muted = true;
    } else if (who->bot && who->seat == MJ_ROLE_SPEAKER && room_on_stage) {
        n->role = MJ_ROLE_SPEAKER; /* nobody could unmute it */
    } else {
        n->role = MJ_ROLE_LISTENER;
    }
    p->seq = ++r->arrivals;
    count(r, n, true);
    clock_update(r, now);
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_PERSON,
                                   .pid = n->pid,
                                   .visible = mj_person_visible(n),
                                   .was_visible = false});
    if (mj_person_may_send(n)) emit_send(r, n->pid, true);
}

void mj_room_person_out(mj_room *r, mj_time now, mj_room_attendee *p, bool drop, int reason)
{
    if (mj_person_may_send(&p->pub)) emit_send(r, p->pub.pid, false);
    for (uint32_t i = 0; drop && i < p->pub.nconns; i++)
        emit_drop(r, p->pub.pid, p->conns[i]->id);
    if (reason >= 0)
        mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_GONE,
                                       .pid = p->pub.pid,
                                       .user = p->pub.user,
                                       .bot = p->pub.bot,
                                       .was_visible = mj_person_visible(&p->pub),
                                       .reason = (uint8_t)reason});
    count(r, &p->pub, false);
    if (p->pub.hand_at) hand_unlink(r, p);
    person_free(r, p);
    clock_update(r, now);
}

size_t mj_room_user_out_bound(const mj_room *r, int64_t user)
{
    const mj_room_user *u = mj_room_user_find(r, user);
    size_t n = 0;
    for (const mj_room_attendee *p = u ? u->head : NULL; p; p = p->user_next)
        n += 2 + p->pub.nconns;
    return n;
}

size_t mj_room_user_out(mj_room *r, mj_time now, int64_t user, mj_room_attendee *first, int reason)
{
    size_t n = 0;
    if (first) {
        mj_room_person_out(r, now, first, true, reason);
        n++;
    }
    /* The member's entry goes with their last person. */
    mj_room_user *u;
    while ((u = mj_room_user_find(r, user))) {
        mj_room_person_out(r, now, u->head, true, reason);
        n++;
    }
    return n;
}

/* ---- connections ---- */

int mj_room_connect(mj_room *r, mj_time now, const mj_room_who *who, mj_conn conn, bool page,
                    mj_pid fresh_pid, mj_pid *pid)
{
    if (r->ended) return MJ_ROOM_EENDED;
    if (!who || !pid || !conn) return MJ_EINVAL;
    if (who->bot && who->seat != MJ_ROLE_LISTENER && who->seat != MJ_ROLE_SPEAKER)
        return MJ_EINVAL; /* a token never seats a moderator */
    int err = mj_room_may_enter(r, who);
    if (err) return err;
    if (find_conn(r, conn)) return MJ_EEXIST;
    err = mj_room_reserve(r, 2);
    if (err) return err;
    mj_room_attendee *p = find_who(r, who->user, who->bot);
    bool fresh = !p;
    if (fresh && (err = person_add(r, now, who, fresh_pid, &p)) != 0) return err;
    err = conn_add(r, now, p, conn, page);
    if (err) {
        if (fresh) person_free(r, p);
        return err;
    }
    if (fresh) enter(r, now, p, who);
    *pid = p->pub.pid;
    return 0;
}

int mj_room_socket(mj_room *r, mj_time now, mj_conn conn, bool attached)
{
    if (r->ended) return MJ_ROOM_EENDED;
    mj_room_conn *c = find_conn(r, conn);
    if (!c) return MJ_ENOTFOUND;
    if (!c->page) return MJ_EINVAL;
    if (attached) {
        mj_heap_remove(&r->grace, &c->grace);
        c->attached = true;
        return 0;
    }
    /* Lost while its grace already runs: the first loss counts, so a
     * flapping socket cannot push the deadline forever. */
    if (!c->attached) return 0;
    int err = mj_heap_set(&r->grace, &c->grace, now + r->cfg.socket_grace);
    if (err) return err;
    c->attached = false;
    return 0;
}

int mj_room_disconnect(mj_room *r, mj_time now, mj_conn conn)
{
    if (r->ended) return MJ_ROOM_EENDED;
    mj_room_conn *c = find_conn(r, conn);
    if (!c) return MJ_ENOTFOUND;
    mj_room_attendee *p = c->p;
    if (p->pub.nconns > 1) {
        conn_remove(r, c);
        return 0;
    }
    int err = mj_room_reserve(r, 2);
    if (err) return err;
    /* Already ended outside: no DROP for it. */
    conn_remove(r, c);
    mj_room_person_out(r, now, p, false, MJ_GONE_LEFT);
    return 0;
}

/* ---- timers ---- */

static int grace_expire(mj_room *r, mj_time now, mj_room_conn *c)
{
    mj_room_attendee *p = c->p;
    int err = mj_room_reserve(r, 2 + p->pub.nconns);
    if (err) return err;
    if (p->pub.nconns == 1) {
        mj_room_person_out(r, now, p, true, MJ_GONE_LOST);
        return 0;
    }
    emit_drop(r, p->pub.pid, c->id);
    conn_remove(r, c);
    return 0;
}

mj_time mj_room_next_timeout(const mj_room *r)
{
    if (r->ended) return MJ_TIME_NEVER;
    const mj_heap_node *n = mj_heap_peek(&r->grace);
    return mj_time_min(n ? n->at : MJ_TIME_NEVER, r->mod_end_at);
}

/* Out of memory leaves the due timer in place, so the shell, which calls
 * again at mj_room_next_timeout(), retries it. */
void mj_room_handle_timeout(mj_room *r, mj_time now)
{
    while (!r->ended) {
        mj_heap_node *n = mj_heap_peek(&r->grace);
        mj_time grace_at = n ? n->at : MJ_TIME_NEVER;
        if (r->mod_end_at <= now && r->mod_end_at <= grace_at) {
            if (mj_room_finish(r, 0, MJ_END_NO_MODERATOR) != 0) return;
            continue;
        }
        if (grace_at > now) return;
        mj_room_conn *c = (mj_room_conn *)((char *)n - offsetof(mj_room_conn, grace));
        if (grace_expire(r, now, c) != 0) return;
    }
}

/* ---- expulsion and the end ---- */

size_t mj_room_expel(mj_room *r, mj_time now, int64_t user)
{
    /* User 0 is the operator, who is never suspended. */
    if (r->ended || user <= 0) return 0;
    if (mj_room_reserve(r, mj_room_user_out_bound(r, user)) != 0) return 0;
    return mj_room_user_out(r, now, user, find_who(r, user, 0), MJ_GONE_EXPELLED);
}

int mj_room_finish(mj_room *r, mj_pid by, mj_room_end reason)
{
    int err = mj_room_reserve(r, 1 + r->people + r->conns);
    if (err) return err;
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_ENDED, .by = by, .reason = (uint8_t)reason});
    const mj_map *m = &r->by_pid;
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        mj_room_attendee *p = m->slots[i].value;
        if (!p) continue;
        if (mj_person_may_send(&p->pub)) emit_send(r, p->pub.pid, false);
        for (uint32_t k = 0; k < p->pub.nconns; k++)
            emit_drop(r, p->pub.pid, p->conns[k]->id);
    }
    mj_room_free_people(r);
    r->ended = true;
    r->mod_end_at = MJ_TIME_NEVER;
    return 0;
}

void mj_room_free_people(mj_room *r)
{
    /* Every connection is freed below: empty the heap while they live. */
    mj_heap_dispose(&r->grace);
    mj_map *m = &r->by_pid;
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        mj_room_attendee *p = m->slots[i].value;
        if (!p) continue;
        for (uint32_t k = 0; k < p->pub.nconns; k++)
            free(p->conns[k]);
        free(p->conns);
        free(p);
    }
    for (size_t i = 0; r->by_user.slots && i <= r->by_user.mask; i++)
        free(r->by_user.slots[i].value);
    mj_map_dispose(&r->by_pid);
    mj_map_dispose(&r->by_who);
    mj_map_dispose(&r->by_conn);
    mj_map_dispose(&r->by_user);
    memset(&r->counts, 0, sizeof r->counts);
    r->hand_head = r->hand_tail = NULL;
    r->people = r->conns = 0;
}
