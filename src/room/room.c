/* The room: its lifecycle, the moderator, allowed and removed sets, who may
 * enter, and the accessors. Arrivals and departures are in room_people.c,
 * the actions in room_acts.c. */
#include "room/room_internal.h"

#include <stdlib.h>
#include <string.h>

uint64_t mj_room_hash_u64(uint64_t v)
{
    return mj_hash_bytes(&v, sizeof v);
}

/* ---- sets ---- */

/* A bot's key is unique across members, so it alone names the bot. */
static uint64_t id_hash(int64_t user, uint64_t bot)
{
    return bot ? mj_room_hash_u64(bot) : ~mj_room_hash_u64((uint64_t)user);
}

static mj_room_id *idset_find(const mj_room_idset *s, int64_t user, uint64_t bot)
{
    size_t it = 0;
    mj_room_id *e;
    while ((e = mj_map_next(&s->map, id_hash(user, bot), &it)))
        if (e->bot == bot && (bot || e->user == user)) return e;
    return NULL;
}

void mj_room_idset_init(mj_room_idset *s)
{
    memset(s, 0, sizeof *s);
    mj_map_init(&s->map);
}

void mj_room_idset_dispose(mj_room_idset *s)
{
    mj_room_id *e = s->head;
    while (e) {
        mj_room_id *next = e->next;
        free(e);
        e = next;
    }
    mj_map_dispose(&s->map);
    mj_room_idset_init(s);
}

bool mj_room_idset_has(const mj_room_idset *s, int64_t user, uint64_t bot)
{
    return idset_find(s, user, bot) != NULL;
}

int mj_room_idset_add(mj_room_idset *s, int64_t user, uint64_t bot)
{
    if (idset_find(s, user, bot)) return 0;
    if (s->len >= MJ_ROOM_LIST_MAX) return MJ_ELIMIT;
    mj_room_id *e = calloc(1, sizeof *e);
    if (!e) return MJ_ENOMEM;
    e->user = user;
    e->bot = bot;
    if (mj_map_add(&s->map, id_hash(user, bot), e) != 0) {
        free(e);
        return MJ_ENOMEM;
    }
    e->prev = s->tail;
    if (s->tail)
        s->tail->next = e;
    else
        s->head = e;
    s->tail = e;
    s->len++;
    return 1;
}

bool mj_room_idset_remove(mj_room_idset *s, int64_t user, uint64_t bot)
{
    mj_room_id *e = idset_find(s, user, bot);
    if (!e) return false;
    mj_map_remove(&s->map, id_hash(user, bot), e);
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    s->len--;
    free(e);
    return true;
}

/* ---- lifecycle ---- */

int mj_room_new(const mj_room_config *cfg, mj_time now, mj_room **out)
{
    if (!cfg || cfg->creator < 0 || (unsigned)cfg->kind > MJ_ROOM_CLOSED ||
        cfg->no_moderator_end < 0 || cfg->socket_grace < 0)
        return MJ_EINVAL;
    mj_room *r = calloc(1, sizeof *r);
    if (!r) return MJ_ENOMEM;
    r->cfg = *cfg;
    if (!r->cfg.max_stage) r->cfg.max_stage = MJ_ROOM_STAGE_DEFAULT;
    if (!r->cfg.no_moderator_end) r->cfg.no_moderator_end = MJ_ROOM_NO_MODERATOR_END;
    if (!r->cfg.socket_grace) r->cfg.socket_grace = MJ_ROOM_SOCKET_GRACE;
    r->hands_on = !cfg->hands_off;
    mj_map_init(&r->by_pid);
    mj_map_init(&r->by_who);
    mj_map_init(&r->by_conn);
    mj_map_init(&r->by_user);
    mj_room_idset_init(&r->moderators);
    mj_room_idset_init(&r->allowed);
    mj_room_idset_init(&r->removed);
    mj_heap_init(&r->grace);
    /* A hosted room whose creator never comes ends like one they left. */
    r->mod_end_at = r->cfg.creator ? now + r->cfg.no_moderator_end : MJ_TIME_NEVER;
    *out = r;
    return 0;
}

void mj_room_free(mj_room *r)
{
    if (!r) return;
    mj_room_free_people(r);
    mj_map_dispose(&r->by_pid);
    mj_map_dispose(&r->by_who);
    mj_map_dispose(&r->by_conn);
    mj_map_dispose(&r->by_user);
    mj_room_idset_dispose(&r->moderators);
    mj_room_idset_dispose(&r->allowed);
    mj_room_idset_dispose(&r->removed);
    mj_heap_dispose(&r->grace);
    free(r->out);
    free(r);
}

/* Restoring into a room with people in it would leave them in roles the
 * sets no longer agree with, so it is for load time only. */
static int restore_check(const mj_room *r)
{
    if (r->ended) return MJ_ROOM_EENDED;
    return r->people ? MJ_ESTATE : 0;
}

int mj_room_restore_moderator(mj_room *r, int64_t user)
{
    int err = restore_check(r);
    if (err) return err;
    if (user <= 0) return MJ_EINVAL;
    if (user == r->cfg.creator) return 0;
    err = mj_room_idset_add(&r->moderators, user, 0);
    return err < 0 ? err : 0;
}

int mj_room_restore_allowed(mj_room *r, int64_t user)
{
    int err = restore_check(r);
    if (err) return err;
    if (user <= 0) return MJ_EINVAL;
    err = mj_room_idset_add(&r->allowed, user, 0);
    return err < 0 ? err : 0;
}

int mj_room_restore_removed(mj_room *r, int64_t user, uint64_t bot)
{
    int err = restore_check(r);
    if (err) return err;
    if (user < 0 || (!bot && !user)) return MJ_EINVAL;
    err = mj_room_idset_add(&r->removed, user, bot);
    return err < 0 ? err : 0;
}

/* ---- names ---- */

static const char *const kind_names[] = {
    [MJ_ROOM_OPEN] = "open",
    [MJ_ROOM_SOCIAL] = "social",
    [MJ_ROOM_CLOSED] = "closed",
};

const char *mj_room_kind_name(mj_room_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

int mj_room_kind_parse(const char *name, mj_room_kind *out)
{
    for (unsigned i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (mj_room_kind)i;
            return 0;
        }
    }
    return MJ_EINVAL;
}

typedef struct err_entry {
    int err;
    int status;
    const char *code;
} err_entry;

/* The codes clients match on; the statuses follow docs/api.md. */
static const err_entry errs[] = {
    {MJ_OK, 200, "ok"},
    {MJ_ROOM_EENDED, 410, "room_ended"},
    {MJ_ROOM_ENOTIN, 409, "not_in_room"},
    {MJ_ROOM_ENOBODY, 404, "no_such_person"},
    {MJ_ROOM_ENOTMOD, 403, "not_moderator"},
    {MJ_ROOM_ENOTSTAGE, 409, "not_on_stage"},
    {MJ_ROOM_ESTAGE, 409, "on_stage"},
    {MJ_ROOM_EHANDSOFF, 409, "hands_off"},
    {MJ_ROOM_ENOINVITE, 409, "not_invited"},
    {MJ_ROOM_EFULL, 409, "stage_full"},
    {MJ_ROOM_ECREATOR, 403, "host"},
    {MJ_ROOM_ESELF, 409, "self"},
    {MJ_ROOM_EREMOVED, 403, "removed"},
    {MJ_ROOM_ENOTNAMED, 403, "not_named"},
    {MJ_ROOM_EBOT, 409, "bot"},
    {MJ_EINVAL, 400, "bad_request"},
    {MJ_ENOTFOUND, 404, "not_found"},
    {MJ_EEXIST, 409, "exists"},
    {MJ_ELIMIT, 409, "limit"},
    {MJ_ESTATE, 409, "wrong_state"},
};

static const err_entry *err_find(int err)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].err == err) return &errs[i];
    return NULL;
}

const char *mj_room_err_code(int err)
{
    const err_entry *e = err_find(err);
    return e ? e->code : "internal";
}

int mj_room_err_status(int err)
{
    const err_entry *e = err_find(err);
    return e ? e->status : 500;
}

/* ---- who may enter ---- */

static bool named(const mj_room *r, int64_t user)
{
    return mj_room_is_moderator_id(r, user) || mj_room_idset_has(&r->allowed, user, 0);
}

int mj_room_may_enter(const mj_room *r, const mj_room_who *who)
{
    if (r->ended) return MJ_ROOM_EENDED;
    if (!who || who->user < 0 || (!who->user && !who->bot)) return MJ_EINVAL;
    if (who->bot && mj_room_idset_has(&r->removed, who->user, who->bot)) return MJ_ROOM_EREMOVED;
    if (who->user && mj_room_idset_has(&r->removed, who->user, 0)) return MJ_ROOM_EREMOVED;
    /* The operator's bots (user 0) are the server's own: any room. */
    if (r->cfg.kind == MJ_ROOM_CLOSED && who->user && !named(r, who->user))
        return MJ_ROOM_ENOTNAMED;
    return 0;
}

/* ---- state ---- */

mj_room_attendee *mj_room_find_pid(const mj_room *r, mj_pid pid)
{
    size_t it = 0;
    mj_room_attendee *p;
    while ((p = mj_map_next(&r->by_pid, mj_room_hash_u64(pid), &it)))
        if (p->pub.pid == pid) return p;
    return NULL;
}

bool mj_room_is_creator(const mj_room *r, const mj_room_attendee *p)
{
    return r->cfg.creator && !p->pub.bot && p->pub.user == r->cfg.creator;
}

const mj_person *mj_room_person(const mj_room *r, mj_pid pid)
{
    mj_room_attendee *p = mj_room_find_pid(r, pid);
    return p ? &p->pub : NULL;
}

const mj_person *mj_room_conn_person(const mj_room *r, mj_conn conn)
{
    size_t it = 0;
    mj_room_conn *c;
    while ((c = mj_map_next(&r->by_conn, mj_room_hash_u64(conn), &it)))
        if (c->id == conn) return &c->p->pub;
    return NULL;
}

const mj_person *mj_room_next(const mj_room *r, size_t *it)
{
    const mj_map *m = &r->by_pid;
    for (size_t i = *it; m->slots && i <= m->mask; i++) {
        if (m->slots[i].value) {
            *it = i + 1;
            return &((mj_room_attendee *)m->slots[i].value)->pub;
        }
    }
    *it = m->slots ? m->mask + 1 : 0;
    return NULL;
}

size_t mj_room_hands(const mj_room *r, mj_pid *out, size_t cap)
{
    size_t n = 0;
    for (const mj_room_attendee *p = r->hand_head; p && n < cap; p = p->hand_next)
        out[n++] = p->pub.pid;
    return r->counts.hands;
}

mj_conn mj_room_next_conn(const mj_room *r, mj_pid pid, size_t *it)
{
    const mj_room_attendee *p = mj_room_find_pid(r, pid);
    if (!p || *it >= p->pub.nconns) return 0;
    return p->conns[(*it)++]->id;
}

void mj_room_counts_get(const mj_room *r, mj_room_counts *out)
{
    *out = r->counts;
}

bool mj_room_ended(const mj_room *r)
{
    return r->ended;
}

mj_room_kind mj_room_kind_of(const mj_room *r)
{
    return r->cfg.kind;
}

int64_t mj_room_creator(const mj_room *r)
{
    return r->cfg.creator;
}

bool mj_room_hands_on(const mj_room *r)
{
    return r->hands_on;
}

unsigned mj_room_max_stage(const mj_room *r)
{
    return r->cfg.max_stage;
}

size_t mj_room_moderator_ids(const mj_room *r, int64_t *out, size_t cap)
{
    size_t n = 0;
    if (r->cfg.creator && n < cap) out[n++] = r->cfg.creator;
    for (const mj_room_id *e = r->moderators.head; e && n < cap; e = e->next)
        out[n++] = e->user;
    return (r->cfg.creator ? 1 : 0) + r->moderators.len;
}

bool mj_room_is_allowed(const mj_room *r, int64_t user)
{
    return mj_room_idset_has(&r->allowed, user, 0);
}

bool mj_room_is_moderator_id(const mj_room *r, int64_t user)
{
    if (user <= 0) return false;
    return user == r->cfg.creator || mj_room_idset_has(&r->moderators, user, 0);
}
