/* The SFU core: session tables, demultiplexing, timers and events. The
 * forwarding itself is in fanout.c. */
#include "sfu/sfu_internal.h"

#include "base/log.h"
#include "proto/demux.h"
#include "proto/stun.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MJ_SFU_EVENTS_MAX 1024

struct mj_sfu {
    mj_sfu_config cfg;
    mj_map by_id;        /* session id -> session */
    mj_map by_ufrag;     /* hash(local ufrag) -> session */
    mj_map by_addr;      /* hash(remote address) -> session */
    mj_map rooms;        /* hash(room id) -> room */
    mj_heap timers;      /* sessions' */
    mj_heap room_timers; /* rooms' level reports */
    mj_reports reports;  /* listeners' sender reports */
    mj_sfu_stats stats;
    /* Events waiting for the shell, a ring. */
    mj_sfu_event events[MJ_SFU_EVENTS_MAX];
    unsigned ev_head, ev_len;
};

static uint64_t id_hash(uint64_t id)
{
    return mj_hash_bytes(&id, sizeof id);
}

int mj_sfu_new(const mj_sfu_config *cfg, mj_sfu **out)
{
    mj_sfu *s = calloc(1, sizeof *s);
    if (!s) return MJ_ENOMEM;
    s->cfg = *cfg;
    mj_map_init(&s->by_id);
    mj_map_init(&s->by_ufrag);
    mj_map_init(&s->by_addr);
    mj_map_init(&s->rooms);
    mj_heap_init(&s->timers);
    mj_heap_init(&s->room_timers);
    mj_reports_init(&s->reports);
    *out = s;
    return 0;
}

static mj_session *find_by_id(const mj_sfu *s, uint64_t id)
{
    size_t it = 0;
    mj_session *sess;
    while ((sess = mj_map_next(&s->by_id, id_hash(id), &it)))
        if (sess->id == id) return sess;
    return NULL;
}

static mj_session *find_by_ufrag(const mj_sfu *s, mj_slice ufrag)
{
    size_t it = 0;
    mj_session *sess;
    while ((sess = mj_map_next(&s->by_ufrag, mj_hash_bytes(ufrag.p, ufrag.n), &it)))
        if (mj_slice_eq(mj_ice_local_ufrag(&sess->peer.ice), ufrag)) return sess;
    return NULL;
}

static int addr_index(const mj_session *sess, const mj_addr *a)
{
    for (int i = 0; i < sess->naddrs; i++)
        if (mj_addr_eq(&sess->addrs[i], a)) return i;
    return -1;
}

static mj_session *find_by_addr(const mj_sfu *s, const mj_addr *a)
{
    size_t it = 0;
    mj_session *sess;
    while ((sess = mj_map_next(&s->by_addr, mj_addr_hash(a), &it)))
        if (addr_index(sess, a) >= 0) return sess;
    return NULL;
}

static mj_fanout *find_room(const mj_sfu *s, const char *id)
{
    size_t it = 0;
    mj_fanout *r;
    while ((r = mj_map_next(&s->rooms, mj_hash_bytes(id, strlen(id)), &it)))
        if (strcmp(r->id, id) == 0) return r;
    return NULL;
}

static mj_sfu_event *push_event(mj_sfu *s, mj_sfu_event_kind kind, uint64_t id, const char *reason)
{
    if (s->ev_len == MJ_SFU_EVENTS_MAX) {
        /* The shell drains after every batch, so this means it stopped
         * listening; drop the oldest rather than grow without bound. */
        s->ev_head = (s->ev_head + 1) % MJ_SFU_EVENTS_MAX;
        s->ev_len--;
    }
    mj_sfu_event *e = &s->events[(s->ev_head + s->ev_len++) % MJ_SFU_EVENTS_MAX];
    e->kind = kind;
    e->session_id = id;
    e->reason = reason;
    e->room[0] = '\0';
    e->nlevels = 0;
    return e;
}

bool mj_sfu_poll_event(mj_sfu *s, mj_sfu_event *ev)
{
    if (!s->ev_len) {
        ev->kind = MJ_SFU_EV_NONE;
        return false;
    }
    *ev = s->events[s->ev_head];
    s->ev_head = (s->ev_head + 1) % MJ_SFU_EVENTS_MAX;
    s->ev_len--;
    return true;
}

static mj_fanout *room_get_or_create(mj_sfu *s, const char *id)
{
    mj_fanout *r = find_room(s, id);
    if (r) return r;
    /* Room for every room's report timer, so that arming one on the
     * packet path never allocates. */
    if (mj_heap_reserve(&s->room_timers, (uint32_t)s->stats.rooms_active + 1) != 0) return NULL;
    r = calloc(1, sizeof *r);
    if (!r) return NULL;
    snprintf(r->id, sizeof r->id, "%s", id);
    r->home = -1;
    r->cfg = &s->cfg;
    r->timers = &s->room_timers;
    mj_heap_node_init(&r->report);
    if (mj_map_add(&s->rooms, mj_hash_bytes(id, strlen(id)), r) != 0) {
        free(r);
        return NULL;
    }
    s->stats.rooms_active++;
    return r;
}

static void room_release_if_idle(mj_sfu *s, mj_fanout *r)
{
    if (!mj_fanout_idle(r)) return;
    mj_heap_remove(&s->room_timers, &r->report);
    mj_map_remove(&s->rooms, mj_hash_bytes(r->id, strlen(r->id)), r);
    mj_fanout_dispose(r);
    free(r);
    s->stats.rooms_active--;
}

static bool params_valid(const mj_sfu_session_params *p)
{
    if (!p->id || !p->room[0] || !p->local_ufrag[0] || !p->local_pwd[0] || !p->remote_ufrag[0] ||
        !p->remote_pwd[0] || !p->remote_fp_len || p->opus_pt > 127 || p->send_pt > 127)
        return false;
    if (p->nslots > MJ_SFU_MAX_SLOTS || (!p->nslots && !p->send)) return false;
    return p->home >= -1 && p->home < 64;
}

static void reschedule(mj_sfu *s, mj_session *sess, mj_time now)
{
    mj_time at = mj_peer_next_timeout(&sess->peer, now);
    if (at == MJ_TIME_NEVER) {
        mj_heap_remove(&s->timers, &sess->timer);
        return;
    }
    if (mj_heap_set(&s->timers, &sess->timer, at) != 0)
        mj_warn("sfu: cannot schedule a session timer (out of memory)");
}

int mj_sfu_session_add(mj_sfu *s, mj_time now, const mj_sfu_session_params *p)
{
    if (!params_valid(p)) return MJ_EINVAL;
    if (s->stats.sessions_active >= s->cfg.max_sessions) return MJ_ELIMIT;
    mj_slice ufrag = mj_slice_make(p->local_ufrag, strlen(p->local_ufrag));
    if (find_by_id(s, p->id) || find_by_ufrag(s, ufrag)) return MJ_EEXIST;
    mj_session *sess = calloc(1, sizeof *sess);
    if (!sess) return MJ_ENOMEM;
    mj_peer_config pc = {
        .is_server = true,
        .local_ufrag = p->local_ufrag,
        .local_pwd = p->local_pwd,
        .remote_ufrag = p->remote_ufrag,
        .remote_pwd = p->remote_pwd,
        .identity = s->cfg.identity,
        .remote_fp_alg = p->remote_fp_alg,
        .remote_fp = p->remote_fp,
        .remote_fp_len = p->remote_fp_len,
        .consent_timeout = s->cfg.consent_timeout,
        .connect_timeout = s->cfg.connect_timeout ? s->cfg.connect_timeout : MJ_SFU_CONNECT_TIMEOUT,
        /* What may not be forwarded is not even decrypted; a send section
         * keeps the key for when its person comes on stage. */
        .outbound_only = !(p->send && p->may_send),
        .inbound_later = p->send,
        .external_dtls = s->cfg.on_handshake != NULL,
    };
    int err = mj_peer_init(&sess->peer, &pc, now);
    if (err) goto fail_peer;
    sess->id = p->id;
    sess->opus_pt = p->opus_pt;
    sess->send_pt = p->send_pt;
    sess->audio_level_id = p->audio_level_id;
    sess->nslots = p->nslots;
    sess->send = p->send;
    sess->may_send = p->may_send;
    sess->person = p->person ? p->person : p->id;
    sess->snd.person = sess->person;
    sess->snd.louder_since = MJ_TIME_NEVER;
    mj_heap_node_init(&sess->timer);
    mj_heap_node_init(&sess->sr.timer);
    mj_fanout *room = room_get_or_create(s, p->room);
    err = MJ_ENOMEM;
    if (!room) goto fail_peer;
    room->branches = p->branches;
    room->home = p->home;
    if (mj_fanout_add(room, sess) != 0) goto fail_room;
    if (mj_map_add(&s->by_id, id_hash(sess->id), sess) != 0) goto fail_routed;
    if (mj_map_add(&s->by_ufrag, mj_hash_bytes(ufrag.p, ufrag.n), sess) != 0) goto fail_id;
    s->stats.sessions_created++;
    s->stats.sessions_active++;
    reschedule(s, sess, now);
    if (s->cfg.on_handshake) {
        mj_sfu_hs m = {.kind = MJ_SFU_HS_OPEN,
                       .session = sess->id,
                       .fp_alg = p->remote_fp_alg,
                       .fp = p->remote_fp,
                       .fp_len = p->remote_fp_len};
        s->cfg.on_handshake(s->cfg.handshake_ctx, &m);
    }
    return 0;
fail_id:
    mj_map_remove(&s->by_id, id_hash(sess->id), sess);
fail_routed:
    mj_fanout_remove(room, sess);
fail_room:
    room_release_if_idle(s, room);
fail_peer:
    mj_peer_dispose(&sess->peer);
    free(sess);
    return err;
}

static void unregister_addr(mj_sfu *s, mj_session *sess, int i)
{
    mj_map_remove(&s->by_addr, mj_addr_hash(&sess->addrs[i]), sess);
    sess->addrs[i] = sess->addrs[--sess->naddrs];
}

static void unregister_all(mj_sfu *s, mj_session *sess)
{
    while (sess->naddrs)
        unregister_addr(s, sess, sess->naddrs - 1);
}

static void tell_handshaker(const mj_sfu *s, const mj_session *sess, mj_sfu_hs_kind kind)
{
    if (!s->cfg.on_handshake) return;
    mj_sfu_hs m = {.kind = kind, .session = sess->id};
    s->cfg.on_handshake(s->cfg.handshake_ctx, &m);
}

static void session_destroy(mj_sfu *s, mj_session *sess)
{
    tell_handshaker(s, sess, MJ_SFU_HS_CLOSE);
    mj_slice ufrag = mj_ice_local_ufrag(&sess->peer.ice);
    mj_map_remove(&s->by_ufrag, mj_hash_bytes(ufrag.p, ufrag.n), sess);
    mj_map_remove(&s->by_id, id_hash(sess->id), sess);
    unregister_all(s, sess);
    mj_heap_remove(&s->timers, &sess->timer);
    mj_reports_stop(&s->reports, sess);
    mj_fanout *room = sess->room;
    if (room) {
        mj_fanout_remove(room, sess);
        room_release_if_idle(s, room);
    }
    mj_peer_dispose(&sess->peer);
    free(sess);
    s->stats.sessions_active--;
    s->stats.sessions_closed++;
}

int mj_sfu_session_remove(mj_sfu *s, uint64_t id)
{
    mj_session *sess = find_by_id(s, id);
    if (!sess) return MJ_ENOTFOUND;
    session_destroy(s, sess);
    return 0;
}

int mj_sfu_session_set_send(mj_sfu *s, uint64_t id, bool may_send)
{
    mj_session *sess = find_by_id(s, id);
    if (!sess) return MJ_ENOTFOUND;
    if (!sess->send || sess->may_send == may_send) {
        sess->may_send = may_send;
        return 0;
    }
    if (!may_send) {
        mj_peer_stop_inbound(&sess->peer);
        return mj_fanout_set_send(sess->room, sess, false);
    }
    int err = mj_peer_start_inbound(&sess->peer);
    if (!err) err = mj_fanout_set_send(sess->room, sess, true);
    if (err) mj_peer_stop_inbound(&sess->peer);
    return err;
}

/* Whether sess still holds address a: it is open and its checks from a
 * keep coming (see MJ_SFU_ADDR_HOLD). */
static bool holds_addr(const mj_session *sess, const mj_addr *a, mj_time now)
{
    mj_time seen = mj_ice_last_check(&sess->peer.ice, a);
    return mj_peer_state_get(&sess->peer) != MJ_PEER_CLOSED && seen != MJ_TIME_NEVER &&
           now - seen < MJ_SFU_ADDR_HOLD;
}

/* Routes an address to this session. An address another session holds is
 * not taken from it: a check from there for this session is a spoof (its
 * sender knows this session's credentials, not that address), so this
 * session's ICE forgets the address and never sends to it. */
static void register_addr(mj_sfu *s, mj_session *sess, const mj_addr *a, mj_time now)
{
    if (addr_index(sess, a) >= 0 || sess->naddrs == MJ_ICE_MAX_REMOTE + 1) return;
    mj_session *other = find_by_addr(s, a);
    if (other && holds_addr(other, a, now)) {
        s->stats.drop_addr_taken++;
        mj_ice_forget(&sess->peer.ice, a);
        return;
    }
    if (other) unregister_addr(s, other, addr_index(other, a));
    if (mj_map_add(&s->by_addr, mj_addr_hash(a), sess) == 0) sess->addrs[sess->naddrs++] = *a;
}

int mj_sfu_room_branches(mj_sfu *s, const char *room, uint64_t branches)
{
    mj_fanout *r = branches ? room_get_or_create(s, room) : find_room(s, room);
    if (!r) return branches ? MJ_ENOMEM : 0;
    r->branches = branches;
    room_release_if_idle(s, r);
    return 0;
}

void mj_sfu_inject(mj_sfu *s, mj_time now, const char *room, unsigned slot, uint64_t person,
                   const uint8_t *pkt, size_t len, bool marker, mj_txq *tx)
{
    mj_fanout *r = find_room(s, room);
    if (!r || slot >= MJ_SFU_MAX_SLOTS || len < 12 || len > MJ_TXQ_SLOT_SIZE - MJ_SRTP_MAX_TRAILER)
        return;
    mj_fanout_inject(r, slot, person, pkt, len, marker, now, tx, &s->stats);
}

void mj_sfu_remote_packet(mj_sfu *s, mj_time now, const mj_sfu_handoff *h, const uint8_t *pkt,
                          size_t len, mj_txq *tx)
{
    mj_sfu_stats *st = &s->stats;
    mj_fanout *r = find_room(s, h->room);
    mj_rtp_hdr hdr;
    if (!r || r->home >= 0 || !h->sender || !h->person || h->level > 127 ||
        mj_rtp_parse(pkt, len, &hdr, NULL) != 0) {
        st->drop_remote++;
        return;
    }
    mj_remote *from;
    int err = mj_fanout_remote(r, h->sender, h->person, now, &from);
    if (err) {
        if (err == MJ_ESTATE)
            st->drop_not_allowed++;
        else
            st->drop_remote++;
        return;
    }
    st->rx_remote++;
    mj_fanout_forward(r, &from->snd, now, &hdr, h->level, tx, st);
}

void mj_sfu_remote_set_send(mj_sfu *s, mj_time now, const char *room, uint64_t sender,
                            bool may_send)
{
    mj_fanout *r = find_room(s, room);
    if (r && sender) mj_fanout_remote_set_send(r, sender, may_send, now);
}

/* Keeps the address map in step with the addresses ICE validated. */
static void sync_addr(mj_sfu *s, mj_session *sess, mj_time now)
{
    const mj_ice *ice = &sess->peer.ice;
    for (int i = sess->naddrs - 1; i >= 0; i--)
        if (!mj_ice_validated(ice, &sess->addrs[i])) unregister_addr(s, sess, i);
    const mj_addr *sel = mj_ice_selected(ice);
    if (sel) {
        mj_addr a = *sel; /* register_addr may make ICE forget it */
        register_addr(s, sess, &a, now);
    }
    for (size_t i = mj_ice_validated_count(ice); i-- > 0;) {
        mj_addr a = *mj_ice_validated_at(ice, i);
        register_addr(s, sess, &a, now);
    }
}

static void drain_transmit(mj_sfu *s, mj_session *sess, mj_time now, mj_txq *tx)
{
    for (;;) {
        uint8_t *buf = mj_txq_slot(tx);
        mj_addr to;
        long n = mj_peer_poll_transmit(&sess->peer, now, buf, MJ_TXQ_SLOT_SIZE, &to);
        if (n <= 0) break;
        mj_txq_commit(tx, (size_t)n, &to);
    }
}

/* After anything happened to a session: send what it queued, report its
 * events, and either reschedule it or, when closed, destroy it. */
static void after_input(mj_sfu *s, mj_session *sess, mj_time now, mj_txq *tx)
{
    drain_transmit(s, sess, now, tx);
    enum mj_peer_event ev;
    bool closed = false;
    while ((ev = mj_peer_poll_event(&sess->peer)) != MJ_PEER_EV_NONE) {
        if (ev == MJ_PEER_EV_HANDSHAKE_DONE) {
            tell_handshaker(s, sess, MJ_SFU_HS_RELEASE);
        } else if (ev == MJ_PEER_EV_CONNECTED) {
            s->stats.dtls_handshakes++;
            push_event(s, MJ_SFU_EV_CONNECTED, sess->id, "connected");
            mj_reports_start(&s->reports, sess, now);
        } else if (ev == MJ_PEER_EV_CLOSED) {
            enum mj_peer_close_reason why = mj_peer_close_reason_get(&sess->peer);
            if (why == MJ_PEER_DTLS_FAILED) s->stats.dtls_failures++;
            push_event(s, MJ_SFU_EV_CLOSED, sess->id, mj_peer_close_reason_name(why));
            closed = true;
        }
    }
    if (closed) {
        mj_debug("sfu: session %016llx closed: %s", (unsigned long long)sess->id,
                 mj_peer_close_reason_name(mj_peer_close_reason_get(&sess->peer)));
        session_destroy(s, sess);
        return;
    }
    reschedule(s, sess, now);
}

int mj_sfu_session_keys(mj_sfu *s, mj_time now, uint64_t id, const mj_srtp_keys *keys, mj_txq *tx)
{
    mj_session *sess = find_by_id(s, id);
    if (!sess) return MJ_ENOTFOUND;
    int err = mj_peer_handshake_done(&sess->peer, now, keys);
    after_input(s, sess, now, tx);
    return err;
}

int mj_sfu_session_handshake_failed(mj_sfu *s, mj_time now, uint64_t id, bool closed, mj_txq *tx)
{
    mj_session *sess = find_by_id(s, id);
    if (!sess) return MJ_ENOTFOUND;
    mj_peer_handshake_failed(&sess->peer, closed);
    after_input(s, sess, now, tx);
    return 0;
}

/* A decrypted packet from a session allowed to send: into the room's
 * slots here, or to the room's home when this worker is a branch. */
static void on_audio(mj_sfu *s, mj_session *sess, mj_time now, const uint8_t *pkt, size_t len,
                     mj_txq *tx)
{
    mj_sfu_stats *st = &s->stats;
    mj_fanout *r = sess->room;
    if (!sess->send || !sess->may_send || !r) {
        st->drop_not_allowed++;
        return;
    }
    mj_rtp_hdr h;
    if (mj_rtp_parse(pkt, len, &h, NULL) != 0 || h.pt != sess->send_pt) {
        st->drop_rtp++;
        return;
    }
    int level = -1;
    bool voice;
    uint8_t lv;
    if (sess->audio_level_id && mj_rtp_audio_level(&h, sess->audio_level_id, &voice, &lv) == 0)
        level = lv;
    if (r->home < 0) {
        mj_fanout_forward(r, &sess->snd, now, &h, level, tx, st);
        return;
    }
    if (!s->cfg.on_handoff) {
        st->drop_remote++;
        return;
    }
    mj_sfu_handoff ho = {
        .room = r->id,
        .home = r->home,
        .sender = sess->id,
        .person = sess->snd.person,
        .level = (int16_t)level,
    };
    s->cfg.on_handoff(s->cfg.handoff_ctx, &ho, pkt, len);
}

static void count_drop(mj_sfu_stats *st, mj_pkt_kind kind, int err)
{
    if (kind == MJ_PKT_STUN)
        st->drop_stun++;
    else if (kind == MJ_PKT_DTLS)
        st->drop_dtls++;
    else if (err == MJ_EREPLAY)
        st->drop_srtp_replay++;
    else if (err == MJ_EAUTH)
        st->drop_srtp_auth++;
    else
        st->drop_rtp++;
}

void mj_sfu_handle_datagram(mj_sfu *s, mj_time now, uint8_t *d, size_t n, const mj_addr *from,
                            mj_txq *tx)
{
    mj_sfu_stats *st = &s->stats;
    st->rx_datagrams++;
    st->rx_bytes += n;
    mj_pkt_kind kind = mj_demux_classify(d, n);
    mj_session *sess = NULL;
    switch (kind) {
    case MJ_PKT_STUN: {
        st->rx_stun++;
        mj_slice local;
        if (mj_stun_peek_ufrag(d, n, &local, NULL) != 0) {
            st->drop_stun++;
            return;
        }
        sess = find_by_ufrag(s, local);
        break;
    }
    case MJ_PKT_DTLS:
        st->rx_dtls++;
        sess = find_by_addr(s, from);
        break;
    case MJ_PKT_RTP:
        st->rx_rtp++;
        sess = find_by_addr(s, from);
        break;
    case MJ_PKT_RTCP:
        st->rx_rtcp++;
        sess = find_by_addr(s, from);
        break;
    default: st->drop_unknown++; return;
    }
    if (!sess) {
        st->drop_no_session++;
        return;
    }
    mj_peer_input in;
    int err = mj_peer_handle_datagram(&sess->peer, now, d, n, from, &in);
    if (err < 0) count_drop(st, kind, err);
    if (kind == MJ_PKT_STUN) sync_addr(s, sess, now);
    if (in.kind == MJ_PEER_IN_RTP) {
        sess->rx_rtp++;
        on_audio(s, sess, now, in.data, in.len, tx);
    } else if (in.kind == MJ_PEER_IN_DTLS) {
        mj_sfu_hs m = {.kind = MJ_SFU_HS_DATAGRAM,
                       .session = sess->id,
                       .from = from,
                       .data = in.data,
                       .len = in.len};
        s->cfg.on_handshake(s->cfg.handshake_ctx, &m);
    } else if (kind == MJ_PKT_RTP && err == 0) {
        st->drop_not_allowed++; /* not even decrypted: see mj_peer_start_inbound */
    }
    after_input(s, sess, now, tx);
}

bool mj_sfu_addr_routed(const mj_sfu *s, mj_time now, const mj_addr *a)
{
    const mj_session *sess = find_by_addr(s, a);
    return sess && holds_addr(sess, a, now);
}

void mj_sfu_addr_closed(mj_sfu *s, mj_time now, const mj_addr *a, mj_txq *tx)
{
    mj_session *sess = find_by_addr(s, a);
    if (!sess) return;
    mj_ice_forget(&sess->peer.ice, a);
    sync_addr(s, sess, now);
    if (mj_ice_validated_count(&sess->peer.ice) == 0) mj_peer_transport_closed(&sess->peer);
    after_input(s, sess, now, tx);
}

/* A room's report timer: who is speaking, or that nobody is any more. */
static void report_levels(mj_sfu *s, mj_fanout *r, mj_time now)
{
    mj_sfu_level lv[MJ_SFU_LEVELS_MAX];
    mj_fanout_remote_sweep(r, now);
    size_t n = mj_slots_levels(r, now, lv, MJ_SFU_LEVELS_MAX);
    if (n == 0 && !r->reported) return;
    mj_sfu_event *e = push_event(s, MJ_SFU_EV_LEVELS, 0, "levels");
    snprintf(e->room, sizeof e->room, "%s", r->id);
    memcpy(e->levels, lv, n * sizeof lv[0]);
    e->nlevels = (uint8_t)n;
    r->reported = n > 0;
    if (n > 0 && mj_heap_set(&s->room_timers, &r->report, now + MJ_SFU_LEVELS_EVERY) != 0)
        mj_warn("sfu: cannot schedule a level report (out of memory)");
}

void mj_sfu_handle_timeouts(mj_sfu *s, mj_time now, mj_txq *tx)
{
    mj_heap_node *rn;
    while ((rn = mj_heap_peek(&s->room_timers)) && rn->at <= now) {
        mj_heap_remove(&s->room_timers, rn);
        report_levels(s, (mj_fanout *)((char *)rn - offsetof(mj_fanout, report)), now);
    }
    mj_heap_node *n;
    /* Bounded: a session whose timer stays due is rescheduled by its peer
     * to a later time, but guard against a misbehaving one anyway. */
    for (int guard = 0; guard < 100000 && (n = mj_heap_peek(&s->timers)) && n->at <= now; guard++) {
        mj_session *sess = (mj_session *)((char *)n - offsetof(mj_session, timer));
        mj_heap_remove(&s->timers, n);
        mj_peer_handle_timeout(&sess->peer, now);
        after_input(s, sess, now, tx);
    }
    mj_reports_run(&s->reports, now, tx, &s->stats);
}

mj_time mj_sfu_next_timeout(const mj_sfu *s)
{
    const mj_heap_node *n = mj_heap_peek(&s->timers);
    const mj_heap_node *r = mj_heap_peek(&s->room_timers);
    mj_time at = mj_time_min(n ? n->at : MJ_TIME_NEVER, r ? r->at : MJ_TIME_NEVER);
    return mj_time_min(at, mj_reports_next(&s->reports));
}

void mj_sfu_set_wall_clock(mj_sfu *s, mj_time now, int64_t unix_ns)
{
    mj_reports_set_wall_clock(&s->reports, now, unix_ns);
}

const mj_sfu_stats *mj_sfu_stats_get(const mj_sfu *s)
{
    return &s->stats;
}

int mj_sfu_session_info_get(const mj_sfu *s, uint64_t id, mj_sfu_session_info *out)
{
    const mj_session *sess = find_by_id(s, id);
    if (!sess) return MJ_ENOTFOUND;
    out->nslots = sess->nslots;
    out->send = sess->send;
    out->may_send = sess->may_send;
    out->connected = mj_peer_media_ready(&sess->peer);
    out->decrypting = mj_peer_has_inbound(&sess->peer);
    out->slot = sess->snd.slot;
    out->rx_rtp = sess->rx_rtp;
    out->tx_rtp = sess->tx_rtp;
    return 0;
}

void mj_sfu_free(mj_sfu *s)
{
    if (!s) return;
    /* Collect first: destroying a session reshuffles the map. */
    size_t n = s->by_id.len, k = 0;
    mj_session **all = n ? malloc(n * sizeof *all) : NULL;
    for (size_t i = 0; all && s->by_id.slots && i <= s->by_id.mask; i++)
        if (s->by_id.slots[i].value) all[k++] = s->by_id.slots[i].value;
    for (size_t i = 0; i < k; i++)
        session_destroy(s, all[i]);
    free(all);
    /* Rooms kept for their branches alone. */
    for (size_t i = 0; s->rooms.slots && i <= s->rooms.mask; i++) {
        mj_fanout *r = s->rooms.slots[i].value;
        if (r) {
            mj_heap_remove(&s->room_timers, &r->report);
            mj_fanout_dispose(r);
            free(r);
        }
    }
    mj_heap_dispose(&s->room_timers);
    mj_reports_dispose(&s->reports);
    mj_map_dispose(&s->by_id);
    mj_map_dispose(&s->by_ufrag);
    mj_map_dispose(&s->by_addr);
    mj_map_dispose(&s->rooms);
    mj_heap_dispose(&s->timers);
    free(s);
}
