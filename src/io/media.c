#include "io/media.h"

#include "base/log.h"
#include "base/map.h"
#include "base/rand.h"
#include "io/worker.h"
#include "proto/sdp.h"
#include "rtc/dtls.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX 16384

typedef struct session_rec {
    char resource[MJ_MEDIA_RESOURCE_LEN + 1];
    uint64_t id;
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    mj_sfu_role role;
    int worker;
} session_rec;

/* A room has a home worker (its speakers, its slot state) and, once it
 * has more listeners than one worker takes (room_split), branch workers
 * that serve the rest of its listeners from packets the home exports. */
typedef struct room_rec {
    char id[MJ_SFU_ROOM_ID_MAX + 1];
    int home;
    int sessions;
    uint64_t branches;  /* bit i: worker i serves some of its listeners */
    int *listeners;     /* per worker */
} room_rec;

struct mj_media {
    mj_media_config cfg;
    mj_dtls_identity *identity;
    mj_worker **workers;
    int *worker_load; /* sessions per worker */
    mj_map by_resource;
    mj_map by_id;
    mj_map rooms;
    int nsessions;
    uint64_t refused_full, refused_busy, offers_bad;
};

static uint64_t str_hash(const char *s)
{
    return mj_hash_bytes(s, strlen(s));
}

static uint64_t u64_hash(uint64_t v)
{
    return mj_hash_bytes(&v, sizeof v);
}

int mj_media_start(const mj_media_config *cfg, mj_media **out, const char **why)
{
    mj_media *m = calloc(1, sizeof *m);
    if (!m)
        return MJ_ENOMEM;
    m->cfg = *cfg;
    mj_map_init(&m->by_resource);
    mj_map_init(&m->by_id);
    mj_map_init(&m->rooms);
    int err = mj_srtp_global_init();
    if (!err)
        err = mj_dtls_identity_new(&m->identity);
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
    for (int i = 0; i < cfg->workers; i++) {
        mj_worker_config wc = {
            .index = i,
            .bind = cfg->bind,
            .identity = m->identity,
            .max_sessions = (uint32_t)cfg->max_sessions,
            .consent_timeout = cfg->consent_timeout,
            .on_event = cfg->wake,
            .ctx = cfg->wake_ctx,
            .group = m->workers,
            .ngroup = cfg->workers,
        };
        wc.bind.port = (uint16_t)(cfg->first_port + i);
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
    if (!m)
        return;
    for (int i = 0; m->workers && i < m->cfg.workers; i++)
        mj_worker_stop(m->workers[i]);
    free(m->workers);
    free(m->worker_load);
    mj_map_dispose(&m->by_id); /* same records as by_resource */
    free_map_values(&m->by_resource);
    for (size_t i = 0; m->rooms.slots && i <= m->rooms.mask; i++)
        if (m->rooms.slots[i].value)
            free(((room_rec *)m->rooms.slots[i].value)->listeners);
    free_map_values(&m->rooms);
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
        if (strcmp(r->id, id) == 0)
            return r;
    return NULL;
}

static session_rec *find_resource(mj_media *m, const char *resource)
{
    size_t it = 0;
    session_rec *s;
    while ((s = mj_map_next(&m->by_resource, str_hash(resource), &it)))
        if (strcmp(s->resource, resource) == 0)
            return s;
    return NULL;
}

static session_rec *find_id(mj_media *m, uint64_t id)
{
    size_t it = 0;
    session_rec *s;
    while ((s = mj_map_next(&m->by_id, u64_hash(id), &it)))
        if (s->id == id)
            return s;
    return NULL;
}

static int least_loaded(const mj_media *m, int except, uint64_t skip)
{
    int best = -1;
    for (int i = 0; i < m->cfg.workers; i++) {
        if (i == except || (i < 64 && (skip & (1ull << i))))
            continue;
        if (best < 0 || m->worker_load[i] < m->worker_load[best])
            best = i;
    }
    return best;
}

/* A room's home is the least loaded worker when it starts; it stays there
 * while it has sessions. */
static room_rec *place_room(mj_media *m, const char *id)
{
    room_rec *r = find_room(m, id);
    if (r)
        return r;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
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

/* Where a new session of the room goes: speakers home; listeners home
 * until it holds room_split of them, then the emptiest branch with room,
 * then a new branch on the least loaded other worker, and when every
 * worker holds its share, wherever the room has fewest. */
static int choose_worker(const mj_media *m, const room_rec *r, mj_sfu_role role)
{
    int split = m->cfg.room_split;
    if (role == MJ_SFU_PUBLISHER || m->cfg.workers == 1 || split <= 0 ||
        r->listeners[r->home] < split)
        return r->home;
    int best = -1;
    for (int i = 0; i < m->cfg.workers && i < 64; i++)
        if ((r->branches & (1ull << i)) && r->listeners[i] < split &&
            (best < 0 || r->listeners[i] < r->listeners[best]))
            best = i;
    if (best >= 0)
        return best;
    best = least_loaded(m, r->home, r->branches);
    if (best >= 0 && best < 64)
        return best;
    best = r->home;
    for (int i = 0; i < m->cfg.workers && i < 64; i++)
        if ((r->branches & (1ull << i)) && r->listeners[i] < r->listeners[best])
            best = i;
    return best;
}

/* Tells the home worker which workers now serve part of the room. */
static void set_branches(mj_media *m, room_rec *r, uint64_t branches)
{
    if (branches == r->branches)
        return;
    r->branches = branches;
    if (mj_worker_room_branches(m->workers[r->home], r->id, branches) != 0)
        mj_warn("media: cannot tell worker %d about room %s's branches", r->home, r->id);
}

static void forget_session(mj_media *m, session_rec *s)
{
    mj_map_remove(&m->by_resource, str_hash(s->resource), s);
    mj_map_remove(&m->by_id, u64_hash(s->id), s);
    m->worker_load[s->worker]--;
    m->nsessions--;
    room_rec *r = find_room(m, s->room);
    if (r && s->role == MJ_SFU_SUBSCRIBER && --r->listeners[s->worker] == 0 &&
        s->worker != r->home && s->worker < 64)
        set_branches(m, r, r->branches & ~(1ull << s->worker));
    if (r && --r->sessions == 0)
        drop_room(m, r);
    free(s);
}

void mj_media_poll(mj_media *m)
{
    for (int i = 0; i < m->cfg.workers; i++) {
        mj_sfu_event ev;
        while (mj_worker_poll_event(m->workers[i], &ev)) {
            if (ev.kind != MJ_SFU_EV_CLOSED)
                continue;
            session_rec *s = find_id(m, ev.session_id);
            if (s) {
                mj_debug("media: session %s closed (%s)", s->resource, ev.reason);
                forget_session(m, s);
            }
        }
    }
}

int mj_media_session_delete(mj_media *m, const char *room, mj_sfu_role role, const char *resource)
{
    session_rec *s = find_resource(m, resource);
    if (!s || s->role != role || strcmp(s->room, room) != 0)
        return MJ_ENOTFOUND;
    int err = mj_worker_session_remove(m->workers[s->worker], s->id);
    if (err)
        return err;
    forget_session(m, s);
    return 0;
}

static void fail(mj_media_result *res, int status, const char *code, const char *message)
{
    res->status = status;
    res->code = code;
    res->message = message;
}

/* Picks the offer sections the session uses. Returns how many were
 * accepted; fills ans->media and *first (the first accepted index). */
static int choose_sections(const mj_sdp *offer, mj_sfu_role role, mj_sdp_answer *ans, int *first)
{
    static const char *const track_ids[MJ_SFU_MAX_SLOTS] = {"slot0", "slot1", "slot2"};
    int accepted = 0;
    *first = -1;
    for (int i = 0; i < offer->nmedia; i++) {
        const mj_sdp_media *sec = &offer->media[i];
        if (!mj_sdp_media_usable(sec))
            continue;
        /* One ICE/DTLS transport per session: after the first section,
         * only sections bundled with it can share it. */
        if (*first >= 0 && (!sec->bundled || !offer->media[*first].bundled))
            continue;
        if (role == MJ_SFU_PUBLISHER) {
            if (accepted == 1 || (sec->dir != MJ_SDP_SENDONLY && sec->dir != MJ_SDP_SENDRECV))
                continue;
            ans->media[i].accept = true;
            ans->media[i].dir = MJ_SDP_RECVONLY;
        } else {
            if (accepted == MJ_SFU_MAX_SLOTS ||
                (sec->dir != MJ_SDP_RECVONLY && sec->dir != MJ_SDP_SENDRECV))
                continue;
            ans->media[i].accept = true;
            ans->media[i].dir = MJ_SDP_SENDONLY;
            ans->media[i].ssrc = mj_sfu_slot_ssrc((unsigned)accepted);
            ans->media[i].cname = "majlis";
            ans->media[i].msid_stream = "majlis";
            ans->media[i].msid_track = track_ids[accepted];
        }
        if (*first < 0)
            *first = i;
        accepted++;
    }
    return accepted;
}

/* Session parameters from the chosen section's transport. */
static int fill_params(mj_media *m, const mj_sdp_media *sec, mj_sfu_role role, const char *room,
                       int nslots, mj_sfu_session_params *p, const char **why)
{
    const mj_sdp_transport *tr = &sec->tr;
    if (!tr->ice_ufrag[0] || !tr->ice_pwd[0]) {
        *why = "offer has no ICE credentials";
        return MJ_EINVAL;
    }
    if (strlen(tr->ice_ufrag) > MJ_ICE_UFRAG_MAX || strlen(tr->ice_pwd) > MJ_ICE_PWD_MAX) {
        *why = "offer's ICE credentials are longer than this server accepts";
        return MJ_EINVAL;
    }
    const mj_sdp_fingerprint *fp = NULL;
    for (int i = 0; i < tr->nfingerprints && !fp; i++)
        if (tr->fingerprints[i].hash == MJ_SDP_HASH_SHA256 ||
            tr->fingerprints[i].hash == MJ_SDP_HASH_SHA384 ||
            tr->fingerprints[i].hash == MJ_SDP_HASH_SHA512 ||
            tr->fingerprints[i].hash == MJ_SDP_HASH_SHA1)
            fp = &tr->fingerprints[i];
    if (!fp) {
        *why = "offer has no usable DTLS fingerprint";
        return MJ_EINVAL;
    }
    if (tr->setup == MJ_SDP_SETUP_PASSIVE) {
        *why = "offer asks for setup:passive, but this server is always DTLS passive";
        return MJ_EINVAL;
    }
    memset(p, 0, sizeof *p);
    do {
        p->id = mj_rand_u64();
    } while (p->id == 0 || find_id(m, p->id));
    snprintf(p->room, sizeof p->room, "%s", room);
    p->role = role;
    mj_rand_alnum(p->local_ufrag, 8);
    mj_rand_alnum(p->local_pwd, 24);
    memcpy(p->remote_ufrag, tr->ice_ufrag, strlen(tr->ice_ufrag) + 1);
    memcpy(p->remote_pwd, tr->ice_pwd, strlen(tr->ice_pwd) + 1);
    snprintf(p->remote_fp_alg, sizeof p->remote_fp_alg, "%s", mj_sdp_hash_name(fp->hash));
    memcpy(p->remote_fp, fp->bytes, fp->len);
    p->remote_fp_len = fp->len;
    p->opus_pt = (uint8_t)sec->opus_pt;
    p->audio_level_id = role == MJ_SFU_PUBLISHER ? sec->audio_level_ext : 0;
    p->nslots = (uint8_t)(role == MJ_SFU_SUBSCRIBER ? nslots : 0);
    return 0;
}

static int write_answer(mj_media *m, const mj_sdp *offer, mj_sdp_answer *ans,
                        const mj_sfu_session_params *p, int worker, mj_media_result *res)
{
    mj_addr cand = m->cfg.announce;
    cand.port = mj_worker_port(m->workers[worker]);
    ans->session_id = p->id;
    ans->ice_ufrag = p->local_ufrag;
    ans->ice_pwd = p->local_pwd;
    ans->fingerprint = mj_dtls_identity_fingerprint(m->identity);
    /* cppcheck-suppress autoVariables ; cleared again before returning */
    ans->candidates = &cand;
    ans->ncandidates = 1;
    res->answer = malloc(ANSWER_MAX);
    if (!res->answer)
        return MJ_ENOMEM;
    long n = mj_sdp_write_answer(offer, ans, res->answer, ANSWER_MAX);
    ans->candidates = NULL; /* cand lives on this stack frame only */
    ans->ncandidates = 0;
    if (n < 0) {
        free(res->answer);
        res->answer = NULL;
        return (int)n;
    }
    res->answer_len = (size_t)n;
    return 0;
}

static int register_session(mj_media *m, const mj_sfu_session_params *p, room_rec *r,
                            int worker, mj_media_result *res)
{
    session_rec *s = calloc(1, sizeof *s);
    if (!s)
        return MJ_ENOMEM;
    do {
        mj_rand_hex(s->resource, MJ_MEDIA_RESOURCE_LEN / 2);
    } while (find_resource(m, s->resource));
    s->id = p->id;
    s->role = p->role;
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
    r->sessions++;
    if (p->role == MJ_SFU_SUBSCRIBER)
        r->listeners[worker]++;
    m->worker_load[worker]++;
    m->nsessions++;
    memcpy(res->resource, s->resource, sizeof res->resource);
    return 0;
}

static bool worker_saturated(mj_media *m, int worker)
{
    int max = m->cfg.max_load_permille;
    if (max >= 1000)
        return false;
    if (max <= 0)
        return true; /* draining: no new listeners at all */
    mj_worker_stats st;
    mj_worker_stats_get(m->workers[worker], &st);
    return (int)st.load_permille > max;
}

void mj_media_session_create(mj_media *m, const char *room, mj_sfu_role role, const char *offer_text,
                             size_t len, mj_media_result *res)
{
    memset(res, 0, sizeof *res);
    if (m->nsessions >= m->cfg.max_sessions) {
        m->refused_full++;
        fail(res, 503, "server_full", "server is at its session limit; try again later");
        return;
    }
    mj_sdp *offer = malloc(sizeof *offer);
    mj_sdp_answer *ans = calloc(1, sizeof *ans);
    const char *why = "offer is not valid SDP";
    if (!offer || !ans) {
        fail(res, 500, "internal", "out of memory");
        goto done;
    }
    if (mj_sdp_parse(offer_text, len, offer, &why) != 0) {
        m->offers_bad++;
        fail(res, 400, "bad_offer", why);
        goto done;
    }
    int first;
    int n = choose_sections(offer, role, ans, &first);
    if (n == 0) {
        m->offers_bad++;
        fail(res, 400, "no_audio",
             role == MJ_SFU_PUBLISHER ? "offer has no audio section with Opus to send"
                                      : "offer has no audio section with Opus to receive");
        goto done;
    }
    mj_sfu_session_params p;
    if (fill_params(m, &offer->media[first], role, room, n, &p, &why) != 0) {
        m->offers_bad++;
        fail(res, 400, "bad_offer", why);
        goto done;
    }
    room_rec *r = place_room(m, room);
    if (!r) {
        fail(res, 500, "internal", "out of memory");
        goto done;
    }
    int worker = choose_worker(m, r, role);
    if (role == MJ_SFU_SUBSCRIBER && worker_saturated(m, worker)) {
        /* Past saturation a worker serves everyone worse (its cost per
         * packet rises and throughput falls), so new listeners wait. */
        m->refused_busy++;
        if (r->sessions == 0)
            drop_room(m, r);
        fail(res, 503, "server_busy", "this room's audio server is at capacity; try again soon");
        goto done;
    }
    if (worker != r->home && worker < 64)
        set_branches(m, r, r->branches | (1ull << worker));
    p.branches = worker == r->home ? r->branches : 0;
    int err = write_answer(m, offer, ans, &p, worker, res);
    if (!err)
        err = register_session(m, &p, r, worker, res);
    if (!err)
        err = mj_worker_session_add(m->workers[worker], &p);
    if (err) {
        if (res->resource[0]) {
            session_rec *s = find_resource(m, res->resource);
            if (s)
                forget_session(m, s);
        } else if (r->sessions == 0) {
            drop_room(m, r);
        }
        free(res->answer);
        res->answer = NULL;
        fail(res, err == MJ_EINVAL ? 400 : 500, err == MJ_EINVAL ? "bad_offer" : "internal",
             err == MJ_EINVAL ? "offer has values this server cannot answer"
                              : "cannot create the session");
        goto done;
    }
    res->status = 201;
    mj_debug("media: %s session %s in room %s on worker %d (%d sections)",
             role == MJ_SFU_PUBLISHER ? "whip" : "whep", res->resource, room, worker, n);
done:
    free(offer);
    free(ans);
}

typedef struct metric {
    const char *name, *help, *type;
    size_t offset; /* into mj_worker_stats */
} metric;

#define SFU(field) offsetof(mj_worker_stats, sfu.field)
#define SHELL(field) offsetof(mj_worker_stats, field)

static const metric metrics[] = {
    {"majlis_media_rx_datagrams_total", "UDP datagrams received", "counter", SFU(rx_datagrams)},
    {"majlis_media_rx_bytes_total", "UDP bytes received", "counter", SFU(rx_bytes)},
    {"majlis_media_rx_stun_total", "STUN datagrams received", "counter", SFU(rx_stun)},
    {"majlis_media_rx_dtls_total", "DTLS datagrams received", "counter", SFU(rx_dtls)},
    {"majlis_media_rx_rtp_total", "RTP datagrams received", "counter", SFU(rx_rtp)},
    {"majlis_media_rx_rtcp_total", "RTCP datagrams received", "counter", SFU(rx_rtcp)},
    {"majlis_media_drop_unknown_total", "datagrams that are not STUN, DTLS, RTP or RTCP",
     "counter", SFU(drop_unknown)},
    {"majlis_media_drop_no_session_total", "datagrams for no known session", "counter",
     SFU(drop_no_session)},
    {"majlis_media_drop_stun_total", "STUN refused (malformed or bad credentials)", "counter",
     SFU(drop_stun)},
    {"majlis_media_drop_dtls_total", "DTLS datagrams refused", "counter", SFU(drop_dtls)},
    {"majlis_media_drop_srtp_auth_total", "SRTP/SRTCP failing authentication", "counter",
     SFU(drop_srtp_auth)},
    {"majlis_media_drop_srtp_replay_total", "replayed SRTP/SRTCP", "counter",
     SFU(drop_srtp_replay)},
    {"majlis_media_drop_rtp_total", "RTP not forwarded (malformed, wrong type, listener audio)",
     "counter", SFU(drop_rtp)},
    {"majlis_media_rx_truncated_total", "datagrams larger than the receive buffer", "counter",
     SHELL(rx_truncated)},
    {"majlis_media_tx_dropped_total", "datagrams the socket refused", "counter",
     SHELL(tx_dropped)},
    {"majlis_media_forwarded_packets_total", "RTP packets forwarded to listeners", "counter",
     SFU(fwd_packets)},
    {"majlis_media_exported_packets_total", "packets handed to other workers for their share of a room",
     "counter", SHELL(exported)},
    {"majlis_media_injected_packets_total", "packets received from a room's home worker", "counter",
     SHELL(injected)},
    {"majlis_media_export_dropped_total", "packets lost to a branch worker's full inbox", "counter",
     SHELL(inbox_dropped)},
    {"majlis_media_forward_errors_total", "forwarding failures (SRTP protect)", "counter",
     SFU(fwd_errors)},
    {"majlis_media_sessions_created_total", "media sessions created", "counter",
     SFU(sessions_created)},
    {"majlis_media_sessions_closed_total", "media sessions ended", "counter",
     SFU(sessions_closed)},
    {"majlis_media_sessions", "media sessions now", "gauge", SFU(sessions_active)},
    {"majlis_media_rooms", "rooms with sessions on a worker now", "gauge", SFU(rooms_active)},
    {"majlis_media_dtls_handshakes_total", "completed DTLS handshakes", "counter",
     SFU(dtls_handshakes)},
    {"majlis_media_dtls_failures_total", "failed DTLS handshakes", "counter", SFU(dtls_failures)},
};

void mj_media_metrics(mj_media *m, mj_wbuf *out)
{
    int nw = m->cfg.workers;
    mj_worker_stats *st = calloc((size_t)nw, sizeof *st);
    if (!st)
        return;
    for (int i = 0; i < nw; i++)
        mj_worker_stats_get(m->workers[i], &st[i]);
    for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; k++) {
        const metric *mt = &metrics[k];
        mj_wbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", mt->name, mt->help, mt->name,
                       mt->type);
        for (int i = 0; i < nw; i++) {
            uint64_t v;
            memcpy(&v, (const uint8_t *)&st[i] + mt->offset, sizeof v);
            mj_wbuf_printf(out, "%s{worker=\"%d\"} %llu\n", mt->name, i, (unsigned long long)v);
        }
    }
    mj_wbuf_printf(out,
                   "# HELP majlis_whip_whep_sessions WHIP and WHEP sessions known to the control "
                   "plane\n# TYPE majlis_whip_whep_sessions gauge\nmajlis_whip_whep_sessions %d\n",
                   m->nsessions);
    mj_wbuf_printf(out,
                   "# HELP majlis_offers_refused_total offers refused as malformed or unusable\n"
                   "# TYPE majlis_offers_refused_total counter\nmajlis_offers_refused_total %llu\n",
                   (unsigned long long)m->offers_bad);
    mj_wbuf_printf(out, "# HELP majlis_media_worker_load worker thread CPU time over wall time\n"
                        "# TYPE majlis_media_worker_load gauge\n");
    for (int i = 0; i < nw; i++)
        mj_wbuf_printf(out, "majlis_media_worker_load{worker=\"%d\"} %.3f\n", i,
                       st[i].load_permille / 1000.0);
    mj_wbuf_printf(out,
                   "# HELP majlis_listeners_refused_busy_total listeners refused while their "
                   "worker was saturated\n# TYPE majlis_listeners_refused_busy_total counter\n"
                   "majlis_listeners_refused_busy_total %llu\n",
                   (unsigned long long)m->refused_busy);
    mj_wbuf_printf(out,
                   "# HELP majlis_sessions_refused_full_total sessions refused at the limit\n"
                   "# TYPE majlis_sessions_refused_full_total counter\n"
                   "majlis_sessions_refused_full_total %llu\n",
                   (unsigned long long)m->refused_full);
    free(st);
}
