#include "io/media.h"

#include "base/log.h"
#include "base/map.h"
#include "base/rand.h"
#include "io/clock.h"
#include "io/handshaker.h"
#include "io/localaddr.h"
#include "io/media_internal.h"
#include "io/worker.h"
#include "rtc/dtls.h"
#include "sfu/offer.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX 16384

typedef struct session_rec {
    char resource[MJ_MEDIA_RESOURCE_LEN + 1];
    uint64_t id;
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    mj_media_kind kind;
    uint64_t person;
    bool send; /* has a send section */
    int worker;
    uint64_t owner_key, addr_key; /* its counts (see count_rec); 0: none */
} session_rec;

/* How many sessions one owner or one client address holds. */
typedef struct count_rec {
    uint64_t key;
    int n;
} count_rec;

/* A room has a home worker (its speakers, its slot state) and, once it
 * has more listeners than one worker takes (room_split), branch workers
 * that serve the rest of its listeners from packets the home exports. */
typedef struct room_rec {
    char id[MJ_SFU_ROOM_ID_MAX + 1];
    int home;
    int sessions;
    uint64_t branches; /* bit i: worker i serves some of its listeners */
    int *listeners;    /* per worker */
} room_rec;

static uint64_t str_hash(const char *s)
{
    return mj_hash_bytes(s, strlen(s));
}

static uint64_t u64_hash(uint64_t v)
{
    return mj_hash_bytes(&v, sizeof v);
}

/* What the handshake threads produce goes to the session's worker. The
 * workers are stopped only after the handshaker, so they outlive these. */
static void hs_send(void *ctx, uint32_t route, const mj_addr *to, const uint8_t *d, size_t n)
{
    mj_media *m = ctx;
    mj_worker_send_datagram(m->workers[route], to, d, n);
}

static void hs_keys(void *ctx, uint32_t route, uint64_t id, const mj_srtp_keys *keys)
{
    mj_media *m = ctx;
    if (mj_worker_session_keys(m->workers[route], id, keys) != 0)
        mj_warn("media: cannot hand a session's keys to worker %u", route);
}

static void hs_failed(void *ctx, uint32_t route, uint64_t id, bool closed)
{
    mj_media *m = ctx;
    if (mj_worker_session_handshake_failed(m->workers[route], id, closed) != 0)
        mj_warn("media: cannot tell worker %u of a failed handshake", route);
}

static int start_handshaker(mj_media *m, const char **why)
{
    if (m->cfg.handshake_threads <= 0) return 0; /* handshakes on the workers' threads */
    mj_handshaker_config hc = {
        .threads = m->cfg.handshake_threads,
        .identity = m->identity,
        .max_sessions = (uint32_t)m->cfg.max_sessions,
        .out = {.ctx = m, .send = hs_send, .keys = hs_keys, .failed = hs_failed},
    };
    return mj_handshaker_start(&hc, &m->handshaker, why);
}

int mj_media_start(const mj_media_config *cfg, mj_media **out, const char **why)
{
    mj_media *m = calloc(1, sizeof *m);
    if (!m) return MJ_ENOMEM;
    m->cfg = *cfg;
    mj_map_init(&m->by_resource);
    mj_map_init(&m->by_id);
    mj_map_init(&m->rooms);
    mj_map_init(&m->counts);
    int err = mj_srtp_global_init();
    if (!err) err = mj_dtls_identity_new(&m->identity);
    if (err) {
        *why = "cannot create the DTLS certificate";
        free(m);
        return err;
    }
    m->workers = calloc((size_t)cfg->workers, sizeof *m->workers);
    m->worker_load = calloc((size_t)cfg->workers, sizeof *m->worker_load);
    if (!m->workers || !m->worker_load) {
        mj_media_stop(m);
        return MJ_ENOMEM;
    }
    err = start_handshaker(m, why);
    if (err) {
        mj_media_stop(m);
        return err;
    }
    for (int i = 0; i < cfg->workers; i++) {
        mj_worker_config wc = {
            .index = i,
            .bind = cfg->bind,
            .local_only = cfg->local_only,
            .identity = m->identity,
            .max_sessions = (uint32_t)cfg->max_sessions,
            .consent_timeout = cfg->consent_timeout,
            .connect_timeout = cfg->connect_timeout,
            .on_event = cfg->wake,
            .ctx = cfg->wake_ctx,
            .group = m->workers,
            .ngroup = cfg->workers,
            .handshaker = m->handshaker,
        };
        wc.bind.port = (uint16_t)(cfg->first_port + i);
        if (cfg->first_tcp_port) wc.tcp_port = (uint16_t)(cfg->first_tcp_port + i);
        wc.max_tcp_conns = (uint32_t)cfg->max_tcp_conns;
        err = mj_worker_start(&wc, &m->workers[i], why);
        if (err) {
            mj_media_stop(m);
            return err;
        }
    }
    *out = m;
    return 0;
}

static void free_map_values(mj_map *map)
{
    for (size_t i = 0; map->slots && i <= map->mask; i++)
        free(map->slots[i].value);
    mj_map_dispose(map);
}

void mj_media_stop(mj_media *m)
{
    if (!m) return;
    /* The handshake threads send through the workers: they stop first.
     * The workers post to the handshaker until they stop: it goes last. */
    mj_handshaker_stop(m->handshaker);
    for (int i = 0; m->workers && i < m->cfg.workers; i++)
        mj_worker_stop(m->workers[i]);
    mj_handshaker_free(m->handshaker);
    free(m->workers);
    free(m->worker_load);
    mj_map_dispose(&m->by_id); /* same records as by_resource */
    free_map_values(&m->by_resource);
    for (size_t i = 0; m->rooms.slots && i <= m->rooms.mask; i++)
        if (m->rooms.slots[i].value) free(((room_rec *)m->rooms.slots[i].value)->listeners);
    free_map_values(&m->rooms);
    free_map_values(&m->counts);
    mj_dtls_identity_free(m->identity);
    free(m);
}

const char *mj_media_fingerprint(const mj_media *m)
{
    return mj_dtls_identity_fingerprint(m->identity);
}

int mj_media_session_count(const mj_media *m)
{
    return m->nsessions;
}

static room_rec *find_room(mj_media *m, const char *id)
{
    size_t it = 0;
    room_rec *r;
    while ((r = mj_map_next(&m->rooms, str_hash(id), &it)))
        if (strcmp(r->id, id) == 0) return r;
    return NULL;
}

static session_rec *find_resource(mj_media *m, const char *resource)
{
    size_t it = 0;
    session_rec *s;
    while ((s = mj_map_next(&m->by_resource, str_hash(resource), &it)))
        if (strcmp(s->resource, resource) == 0) return s;
    return NULL;
}

static session_rec *find_id(mj_media *m, uint64_t id)
{
    size_t it = 0;
    session_rec *s;
    while ((s = mj_map_next(&m->by_id, u64_hash(id), &it)))
        if (s->id == id) return s;
    return NULL;
}

static int least_loaded(const mj_media *m, int except, uint64_t skip)
{
    int best = -1;
    for (int i = 0; i < m->cfg.workers; i++) {
        if (i == except || (i < 64 && (skip & (1ull << i)))) continue;
        if (best < 0 || m->worker_load[i] < m->worker_load[best]) best = i;
    }
    return best;
}

/* A room's home is the least loaded worker when it starts; it stays there
 * while it has sessions. */
static room_rec *place_room(mj_media *m, const char *id)
{
    room_rec *r = find_room(m, id);
    if (r) return r;
    r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->listeners = calloc((size_t)m->cfg.workers, sizeof *r->listeners);
    if (!r->listeners) {
        free(r);
        return NULL;
    }
    snprintf(r->id, sizeof r->id, "%s", id);
    r->home = least_loaded(m, -1, 0);
    if (mj_map_add(&m->rooms, str_hash(id), r) != 0) {
        free(r->listeners);
        free(r);
        return NULL;
    }
    return r;
}

static void drop_room(mj_media *m, room_rec *r)
{
    mj_map_remove(&m->rooms, str_hash(r->id), r);
    free(r->listeners);
    free(r);
}

/* Where a new session of the room goes: WHIP speakers home; listeners
 * (WHEP and VISIT) home until it holds room_split of them, then the
 * emptiest branch with room, then a new branch on the least loaded other
 * worker, and when every worker holds its share, wherever the room has
 * fewest. */
static int choose_worker(const mj_media *m, const room_rec *r, mj_media_kind kind)
{
    int split = m->cfg.room_split;
    if (kind == MJ_MEDIA_WHIP || m->cfg.workers == 1 || split <= 0 || r->listeners[r->home] < split)
        return r->home;
    int best = -1;
    for (int i = 0; i < m->cfg.workers && i < 64; i++)
        if ((r->branches & (1ull << i)) && r->listeners[i] < split &&
            (best < 0 || r->listeners[i] < r->listeners[best]))
            best = i;
    if (best >= 0) return best;
    best = least_loaded(m, r->home, r->branches);
    if (best >= 0 && best < 64) return best;
    best = r->home;
    for (int i = 0; i < m->cfg.workers && i < 64; i++)
        if ((r->branches & (1ull << i)) && r->listeners[i] < r->listeners[best]) best = i;
    return best;
}

/* Tells the home worker which workers now serve part of the room. */
static void set_branches(mj_media *m, room_rec *r, uint64_t branches)
{
    if (branches == r->branches) return;
    r->branches = branches;
    if (mj_worker_room_branches(m->workers[r->home], r->id, branches) != 0)
        mj_warn("media: cannot tell worker %d about room %s's branches", r->home, r->id);
}

/* A sender on a branch is known to the room's home as a remote sender:
 * tell the home whether it may send, before the branch itself, so that
 * none of its packets still on their way is heard after a stop. */
static void tell_home(mj_media *m, const session_rec *s, bool may_send)
{
    room_rec *r = find_room(m, s->room);
    if (!r || !s->send || s->worker == r->home) return;
    if (mj_worker_remote_set_send(m->workers[r->home], s->room, s->id, may_send) != 0)
        mj_warn("media: cannot tell worker %d about a sender of room %s", r->home, s->room);
}

static count_rec *find_count(const mj_media *m, uint64_t key)
{
    size_t it = 0;
    count_rec *c;
    while ((c = mj_map_next(&m->counts, u64_hash(key), &it)))
        if (c->key == key) return c;
    return NULL;
}

static int count_of(const mj_media *m, uint64_t key)
{
    const count_rec *c = key ? find_count(m, key) : NULL;
    return c ? c->n : 0;
}

static int count_add(mj_media *m, uint64_t key)
{
    if (!key) return 0;
    count_rec *c = find_count(m, key);
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) return MJ_ENOMEM;
        c->key = key;
        if (mj_map_add(&m->counts, u64_hash(key), c) != 0) {
            free(c);
            return MJ_ENOMEM;
        }
    }
    c->n++;
    return 0;
}

static void count_drop(mj_media *m, uint64_t key)
{
    count_rec *c = key ? find_count(m, key) : NULL;
    if (c && --c->n == 0) {
        mj_map_remove(&m->counts, u64_hash(key), c);
        free(c);
    }
}

/* The keys a request is counted under, its owner's and its client's, in
 * one table: each tagged so the two never meet. 0 when not counted. */
static uint64_t tagged_key(char tag, uint64_t v)
{
    if (!v) return 0;
    uint8_t b[9] = {(uint8_t)tag};
    memcpy(b + 1, &v, 8);
    return mj_hash_bytes(b, sizeof b) | 1;
}

static uint64_t owner_key(const mj_media_request *rq)
{
    return tagged_key('o', rq->owner);
}

static uint64_t address_key(const mj_media_request *rq)
{
    return tagged_key('a', rq->client_key);
}

static void forget_session(mj_media *m, session_rec *s)
{
    count_drop(m, s->owner_key);
    count_drop(m, s->addr_key);
    tell_home(m, s, false);
    mj_map_remove(&m->by_resource, str_hash(s->resource), s);
    mj_map_remove(&m->by_id, u64_hash(s->id), s);
    m->worker_load[s->worker]--;
    m->nsessions--;
    room_rec *r = find_room(m, s->room);
    if (r && s->kind != MJ_MEDIA_WHIP && --r->listeners[s->worker] == 0 && s->worker != r->home &&
        s->worker < 64)
        set_branches(m, r, r->branches & ~(1ull << s->worker));
    if (r && --r->sessions == 0) drop_room(m, r);
    free(s);
}

static void on_levels(const mj_media_sink *sink, const mj_sfu_event *ev)
{
    mj_media_level lv[MJ_SFU_LEVELS_MAX];
    size_t n = ev->nlevels < MJ_SFU_LEVELS_MAX ? ev->nlevels : MJ_SFU_LEVELS_MAX;
    for (size_t i = 0; i < n; i++) {
        lv[i].person = ev->levels[i].person;
        lv[i].level = ev->levels[i].level;
    }
    sink->levels(sink->ctx, ev->room, lv, n);
}

void mj_media_poll(mj_media *m, const mj_media_sink *sink)
{
    for (int i = 0; i < m->cfg.workers; i++) {
        mj_sfu_event ev;
        while (mj_worker_poll_event(m->workers[i], &ev)) {
            if (ev.kind == MJ_SFU_EV_LEVELS && sink && sink->levels) {
                on_levels(sink, &ev);
                continue;
            }
            if (ev.kind != MJ_SFU_EV_CLOSED) continue;
            session_rec *s = find_id(m, ev.session_id);
            if (!s) continue; /* deleted already */
            mj_debug("media: session %s closed (%s)", s->resource, ev.reason);
            if (sink && sink->closed)
                sink->closed(sink->ctx, s->resource, s->room, s->person, ev.reason);
            forget_session(m, s);
        }
    }
}

int mj_media_session_delete(mj_media *m, const char *resource)
{
    session_rec *s = find_resource(m, resource);
    if (!s) return MJ_ENOTFOUND;
    int err = mj_worker_session_remove(m->workers[s->worker], s->id);
    if (err) return err;
    forget_session(m, s);
    return 0;
}

int mj_media_session_set_send(mj_media *m, const char *resource, bool may_send)
{
    session_rec *s = find_resource(m, resource);
    if (!s) return MJ_ENOTFOUND;
    tell_home(m, s, may_send);
    return mj_worker_session_set_send(m->workers[s->worker], s->id, may_send);
}

int mj_media_session_info(const mj_media *m, const char *resource,
                          char room[MJ_SFU_ROOM_ID_MAX + 1], mj_media_kind *kind, uint64_t *person)
{
    const session_rec *s = find_resource((mj_media *)m, resource);
    if (!s) return MJ_ENOTFOUND;
    memcpy(room, s->room, sizeof s->room);
    *kind = s->kind;
    *person = s->person;
    return 0;
}

static void fail(mj_media_result *res, int status, const char *code, const char *message)
{
    res->status = status;
    res->code = code;
    res->message = message;
}

/* The local side of the session: a fresh id and ICE credentials, the
 * room, who it is, and where its room's home is. */
static void fill_local(mj_media *m, const mj_media_request *rq, const room_rec *r, int worker,
                       mj_sfu_session_params *p)
{
    do {
        p->id = mj_rand_u64();
    } while (p->id == 0 || find_id(m, p->id));
    snprintf(p->room, sizeof p->room, "%s", rq->room);
    p->person = rq->person;
    p->may_send = rq->may_send && p->send;
    mj_rand_alnum(p->local_ufrag, 8);
    mj_rand_alnum(p->local_pwd, 24);
    p->home = (int8_t)(worker == r->home ? -1 : r->home);
    p->branches = worker == r->home ? r->branches : 0;
}

#define LOCALS_REREAD MJ_SEC(5) /* an interface may come and go */

/* The worker's addresses for an answer: the announced one, then (for
 * this machine only) this machine's own. */
static void candidates(mj_media *m, int worker, mj_offer_local *loc)
{
    uint16_t port = mj_worker_port(m->workers[worker]);
    loc->candidates[0] = m->cfg.announce;
    loc->ncandidates = 1;
    if (m->cfg.local_only) {
        mj_time now = mj_clock_now();
        if (!m->locals_read || now - m->locals_read >= LOCALS_REREAD) {
            m->nlocals = mj_local_addrs(m->cfg.bind.family, m->locals, MJ_OFFER_CANDIDATES_MAX - 1);
            m->locals_read = now;
        }
        for (size_t i = 0; i < m->nlocals; i++)
            loc->candidates[loc->ncandidates++] = m->locals[i];
    }
    for (size_t i = 0; i < loc->ncandidates; i++)
        loc->candidates[i].port = port;
}

static int write_answer(mj_media *m, mj_offer *o, const mj_sfu_session_params *p, int worker,
                        mj_media_result *res)
{
    mj_offer_local loc = {
        .session_id = p->id,
        .ice_ufrag = p->local_ufrag,
        .ice_pwd = p->local_pwd,
        .fingerprint = mj_dtls_identity_fingerprint(m->identity),
    };
    candidates(m, worker, &loc);
    uint16_t tcp = mj_worker_tcp_port(m->workers[worker]);
    if (tcp) {
        loc.tcp_candidate = m->cfg.announce;
        loc.tcp_candidate.port = tcp;
    }
    res->answer = malloc(ANSWER_MAX);
    if (!res->answer) return MJ_ENOMEM;
    long n = mj_offer_answer(o, &loc, res->answer, ANSWER_MAX);
    if (n < 0) {
        free(res->answer);
        res->answer = NULL;
        return (int)n;
    }
    res->answer_len = (size_t)n;
    return 0;
}

static int register_session(mj_media *m, const mj_sfu_session_params *p, const mj_media_request *rq,
                            room_rec *r, int worker, mj_media_result *res)
{
    mj_media_kind kind = rq->kind;
    session_rec *s = calloc(1, sizeof *s);
    if (!s) return MJ_ENOMEM;
    do {
        mj_rand_hex(s->resource, MJ_MEDIA_RESOURCE_LEN / 2);
    } while (find_resource(m, s->resource));
    s->id = p->id;
    s->kind = kind;
    s->person = p->person;
    s->send = p->send;
    s->worker = worker;
    snprintf(s->room, sizeof s->room, "%s", p->room);
    if (mj_map_add(&m->by_resource, str_hash(s->resource), s) != 0) {
        free(s);
        return MJ_ENOMEM;
    }
    if (mj_map_add(&m->by_id, u64_hash(s->id), s) != 0) {
        mj_map_remove(&m->by_resource, str_hash(s->resource), s);
        free(s);
        return MJ_ENOMEM;
    }
    uint64_t ok = owner_key(rq), ak = address_key(rq);
    s->owner_key = count_add(m, ok) == 0 ? ok : 0;
    s->addr_key = count_add(m, ak) == 0 ? ak : 0;
    r->sessions++;
    if (kind != MJ_MEDIA_WHIP) r->listeners[worker]++;
    m->worker_load[worker]++;
    m->nsessions++;
    memcpy(res->resource, s->resource, sizeof res->resource);
    return 0;
}

static bool worker_saturated(mj_media *m, int worker)
{
    int max = m->cfg.max_load_permille;
    if (max >= 1000) return false;
    if (max <= 0) return true; /* draining: no new listeners at all */
    mj_worker_stats st;
    mj_worker_stats_get(m->workers[worker], &st);
    return (int)st.load_permille > max;
}

static const char *kind_name(mj_media_kind kind)
{
    return kind == MJ_MEDIA_WHIP ? "whip" : kind == MJ_MEDIA_WHEP ? "whep" : "visit";
}

/* Places the session read from the offer, answers it and hands it to its
 * worker; on failure undoes what it did and fills *res. */
static void start_session(mj_media *m, const mj_media_request *rq, mj_offer *o,
                          mj_sfu_session_params *p, mj_media_result *res)
{
    room_rec *r = place_room(m, rq->room);
    if (!r) {
        fail(res, 500, "internal", "out of memory");
        return;
    }
    int worker = choose_worker(m, r, rq->kind);
    if (rq->kind != MJ_MEDIA_WHIP && worker_saturated(m, worker)) {
        /* Past saturation a worker serves everyone worse (its cost per
         * packet rises and throughput falls), so new listeners wait. */
        m->refused_busy++;
        if (r->sessions == 0) drop_room(m, r);
        fail(res, 503, "server_busy", "this room's audio server is at capacity; try again soon");
        return;
    }
    if (worker != r->home && worker < 64) set_branches(m, r, r->branches | (1ull << worker));
    fill_local(m, rq, r, worker, p);
    int err = write_answer(m, o, p, worker, res);
    if (!err) err = register_session(m, p, rq, r, worker, res);
    if (!err) err = mj_worker_session_add(m->workers[worker], p);
    if (err) {
        session_rec *s = res->resource[0] ? find_resource(m, res->resource) : NULL;
        if (s)
            forget_session(m, s);
        else if (r->sessions == 0)
            drop_room(m, r);
        free(res->answer);
        res->answer = NULL;
        res->resource[0] = '\0';
        fail(res, err == MJ_EINVAL ? 400 : 500, err == MJ_EINVAL ? "bad_offer" : "internal",
             err == MJ_EINVAL ? "offer has values this server cannot answer"
                              : "cannot create the session");
        return;
    }
    res->status = 201;
    mj_debug("media: %s session %s in room %s on worker %d (%d slots%s)", kind_name(rq->kind),
             res->resource, rq->room, worker, p->nslots, p->send ? ", sending" : "");
}

/* Whether the server, the owner and the client's address have room for
 * one more session; fills *res when not. */
static bool room_for(mj_media *m, const mj_media_request *rq, mj_media_result *res)
{
    int max = m->cfg.max_sessions;
    if (rq->kind == MJ_MEDIA_WHEP)
        max -= max / 20; /* the reserve for speakers and members' visits */
    if (m->nsessions >= max) {
        m->refused_full++;
        fail(res, 503, "server_full", "server is at its session limit; try again later");
        return false;
    }
    if (m->cfg.max_per_owner > 0 && count_of(m, owner_key(rq)) >= m->cfg.max_per_owner) {
        m->refused_owner++;
        fail(res, 429, "too_many_sessions",
             "this token or member already holds as many sessions as allowed; end one first");
        return false;
    }
    if (m->cfg.max_per_address > 0 && count_of(m, address_key(rq)) >= m->cfg.max_per_address) {
        m->refused_address++;
        fail(res, 429, "too_many_sessions_here",
             "this address already holds as many sessions as allowed; end one first");
        return false;
    }
    return true;
}

void mj_media_session_create(mj_media *m, const mj_media_request *rq, mj_media_result *res)
{
    memset(res, 0, sizeof *res);
    if (!rq->room || !rq->room[0] || strlen(rq->room) > MJ_SFU_ROOM_ID_MAX ||
        (rq->kind != MJ_MEDIA_WHIP && rq->kind != MJ_MEDIA_WHEP && rq->kind != MJ_MEDIA_VISIT)) {
        fail(res, 400, "bad_request", "no such room or kind of session");
        return;
    }
    if (!room_for(m, rq, res)) return;
    mj_offer *o = malloc(sizeof *o);
    if (!o) {
        fail(res, 500, "internal", "out of memory");
        return;
    }
    mj_sfu_session_params p;
    memset(&p, 0, sizeof p);
    const char *code, *why;
    if (mj_offer_read(o, (mj_offer_kind)rq->kind, rq->offer, rq->offer_len, &p, &code, &why) != 0) {
        m->offers_bad++;
        fail(res, 400, code, why);
    } else {
        start_session(m, rq, o, &p, res);
    }
    free(o);
}
