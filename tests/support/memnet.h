/* memnet: client-role peers and an SFU core wired together in one process,
 * with no sockets. ICE, DTLS and SRTP run for real; the "network" hands
 * each datagram straight to its addressee. Used by the SFU scenario tests
 * and the forwarding benchmark. Header-only (static functions) so each
 * user links nothing extra.
 *
 * Client i has address 10.(i>>16).(i>>8).(i&255):5000, so finding the
 * addressee of a datagram is arithmetic, even with thousands of clients. */
#ifndef MJ_TESTS_MEMNET_H
#define MJ_TESTS_MEMNET_H

#include "base/rand.h"
#include "proto/rtp.h"
#include "rtc/peer.h"
#include "sfu/sfu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMNET_TX 256

typedef struct memnet memnet;

typedef struct memnet_client {
    mj_peer peer;
    mj_addr addr;
    int index;
    char ufrag[9], pwd[25];
    uint64_t session;
    bool deaf; /* neither sends nor receives (a vanished client) */
    void *user;
} memnet_client;

/* Called for every RTP packet a client receives, decrypted. */
typedef void (*memnet_rtp_fn)(memnet *net, memnet_client *c, const uint8_t *p, size_t n);
/* Called for every RTCP compound packet a client receives, decrypted. */
typedef void (*memnet_rtcp_fn)(memnet *net, memnet_client *c, const uint8_t *p, size_t n);

struct memnet {
    mj_sfu *sfu;
    mj_dtls_identity *server_id, *client_id;
    mj_addr server_addr;
    memnet_client **clients;
    int n, cap;
    mj_time now;
    mj_txq txq;
    mj_tx tx_items[MEMNET_TX];
    uint8_t tx_arena[MEMNET_TX * MJ_TXQ_SLOT_SIZE];
    bool deliver;      /* false: the server's datagrams are only counted */
    uint64_t tx_count; /* datagrams the server sent */
    uint64_t tx_stray; /* datagrams to no known client */
    memnet_rtp_fn on_rtp;
    memnet_rtcp_fn on_rtcp;
    /* A sink replacing delivery (the benchmark sends for real). */
    void (*sink)(memnet *net, mj_txq *q);
    /* Run after every SFU turn (work the SFU handed elsewhere: the
     * handshake tests' table); NULL for none. */
    void (*between)(memnet *net);
};

static inline memnet_client *memnet_client_at(memnet *net, const mj_addr *a)
{
    if (a->family != 4 || a->ip[0] != 10 || a->port != 5000) return NULL;
    int i = (a->ip[1] << 16) | (a->ip[2] << 8) | a->ip[3];
    return i < net->n ? net->clients[i] : NULL;
}

static inline void memnet_flush(void *ctx, mj_txq *q)
{
    memnet *net = ctx;
    net->tx_count += q->len;
    if (net->sink) {
        net->sink(net, q);
    } else if (net->deliver) {
        for (unsigned i = 0; i < q->len; i++) {
            memnet_client *c = memnet_client_at(net, &q->items[i].to);
            if (!c) {
                net->tx_stray++;
                continue;
            }
            if (c->deaf) continue;
            mj_peer_input in;
            if (mj_peer_handle_datagram(&c->peer, net->now, q->items[i].data, q->items[i].len,
                                        &net->server_addr, &in) != 0)
                continue;
            if (in.kind == MJ_PEER_IN_RTP && net->on_rtp)
                net->on_rtp(net, c, in.data, in.len);
            else if (in.kind == MJ_PEER_IN_RTCP && net->on_rtcp)
                net->on_rtcp(net, c, in.data, in.len);
        }
    }
    q->len = 0;
}

/* Identities are made by the caller once (they cost a key generation).
 * hooks: the SFU's cross-worker callbacks (on_export, on_handoff and their
 * contexts; NULL for none). */
static inline int memnet_init_hooks(memnet *net, mj_dtls_identity *server_id,
                                    mj_dtls_identity *client_id, uint32_t max_sessions,
                                    const mj_sfu_config *hooks)
{
    memset(net, 0, sizeof *net);
    net->server_id = server_id;
    net->client_id = client_id;
    net->now = MJ_SEC(1000);
    net->deliver = true;
    mj_addr_parse("10.255.0.1:40000", &net->server_addr);
    mj_sfu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (hooks) cfg = *hooks;
    cfg.identity = server_id;
    cfg.max_sessions = max_sessions;
    if (mj_sfu_new(&cfg, &net->sfu) != 0) return -1;
    mj_txq_init(&net->txq, net->tx_items, net->tx_arena, MEMNET_TX, memnet_flush, net);
    return 0;
}

static inline int memnet_init_export(memnet *net, mj_dtls_identity *server_id,
                                     mj_dtls_identity *client_id, uint32_t max_sessions,
                                     mj_sfu_export_fn export, void *export_ctx)
{
    mj_sfu_config hooks = {.on_export = export, .export_ctx = export_ctx};
    return memnet_init_hooks(net, server_id, client_id, max_sessions, &hooks);
}

static inline int memnet_init(memnet *net, mj_dtls_identity *server_id, mj_dtls_identity *client_id,
                              uint32_t max_sessions)
{
    return memnet_init_export(net, server_id, client_id, max_sessions, NULL, NULL);
}

static inline void memnet_free(memnet *net)
{
    mj_sfu_free(net->sfu);
    for (int i = 0; i < net->n; i++) {
        mj_peer_dispose(&net->clients[i]->peer);
        free(net->clients[i]);
    }
    free(net->clients);
    net->clients = NULL;
    net->n = 0;
}

/* One client's turn: run its timers and send what it has to the SFU. */
static inline void memnet_client_turn(memnet *net, memnet_client *c)
{
    if (c->deaf) return;
    if (mj_peer_next_timeout(&c->peer, net->now) <= net->now)
        mj_peer_handle_timeout(&c->peer, net->now);
    uint8_t buf[1500];
    mj_addr to;
    long n;
    while ((n = mj_peer_poll_transmit(&c->peer, net->now, buf, sizeof buf, &to)) > 0)
        mj_sfu_handle_datagram(net->sfu, net->now, buf, (size_t)n, &c->addr, &net->txq);
}

/* One round: every client sends, the SFU's timers run, its batch is
 * delivered; then time advances by step. */
static inline void memnet_pump(memnet *net, mj_time step)
{
    for (int i = 0; i < net->n; i++)
        memnet_client_turn(net, net->clients[i]);
    mj_sfu_handle_timeouts(net->sfu, net->now, &net->txq);
    mj_txq_flush(&net->txq);
    if (net->between) net->between(net);
    net->now += step;
}

static inline bool memnet_session_connected(memnet *net, uint64_t id)
{
    mj_sfu_session_info info;
    return mj_sfu_session_info_get(net->sfu, id, &info) == 0 && info.connected;
}

/* The session a client opens (see mj_sfu_session_params). */
typedef struct memnet_opts {
    const char *room; /* NULL: "room1" */
    uint8_t nslots;
    bool send, may_send;
    uint64_t person;
    bool branch; /* the SFU is a branch of the room; home is the home's index */
    int8_t home;
    bool no_level; /* the send section negotiated no audio-level extension */
} memnet_opts;

static inline int memnet_params(memnet *net, memnet_client *c, const memnet_opts *o,
                                mj_sfu_session_params *p)
{
    memset(p, 0, sizeof *p);
    do
        p->id = mj_rand_u64();
    while (!p->id);
    c->session = p->id;
    snprintf(p->room, sizeof p->room, "%s", o->room ? o->room : "room1");
    p->person = o->person;
    mj_rand_alnum(p->local_ufrag, 8);
    mj_rand_alnum(p->local_pwd, 24);
    memcpy(p->remote_ufrag, c->ufrag, sizeof c->ufrag);
    memcpy(p->remote_pwd, c->pwd, sizeof c->pwd);
    const char *cfp = mj_dtls_identity_fingerprint(net->client_id);
    int fplen =
        mj_dtls_fingerprint_parse(cfp, strlen(cfp), p->remote_fp_alg, sizeof p->remote_fp_alg,
                                  p->remote_fp, sizeof p->remote_fp);
    if (fplen <= 0) return -1;
    p->remote_fp_len = (uint8_t)fplen;
    p->opus_pt = 111;
    p->send_pt = 111;
    p->audio_level_id = o->send && !o->no_level ? 1 : 0;
    p->nslots = o->nslots;
    p->send = o->send;
    p->may_send = o->may_send;
    p->home = o->branch ? o->home : -1;
    return 0;
}

/* Adds a session to the SFU and a client peer for it (one that both sends
 * and receives, as a browser's visit does), and runs only that client
 * until both sides have SRTP keys. NULL on failure. */
static inline memnet_client *memnet_open(memnet *net, const memnet_opts *o)
{
    if (net->n == net->cap) {
        int cap = net->cap ? net->cap * 2 : 16;
        memnet_client **cl = realloc(net->clients, (size_t)cap * sizeof *cl);
        if (!cl) return NULL;
        net->clients = cl;
        net->cap = cap;
    }
    memnet_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->index = net->n;
    net->clients[net->n++] = c;
    mj_rand_alnum(c->ufrag, 8);
    mj_rand_alnum(c->pwd, 24);
    uint8_t ip[4] = {10, (uint8_t)(c->index >> 16), (uint8_t)(c->index >> 8), (uint8_t)c->index};
    char text[32];
    snprintf(text, sizeof text, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    mj_addr_parse_ip(text, 5000, &c->addr);

    mj_sfu_session_params p;
    if (memnet_params(net, c, o, &p) != 0 || mj_sfu_session_add(net->sfu, net->now, &p) != 0)
        return NULL;

    char alg[16];
    uint8_t sfp[64];
    const char *sfps = mj_dtls_identity_fingerprint(net->server_id);
    int slen = mj_dtls_fingerprint_parse(sfps, strlen(sfps), alg, sizeof alg, sfp, sizeof sfp);
    mj_peer_config pc = {
        .is_server = false,
        .local_ufrag = c->ufrag,
        .local_pwd = c->pwd,
        .remote_ufrag = p.local_ufrag,
        .remote_pwd = p.local_pwd,
        .identity = net->client_id,
        .remote_fp_alg = alg,
        .remote_fp = sfp,
        .remote_fp_len = (size_t)slen,
    };
    if (slen <= 0 || mj_peer_init(&c->peer, &pc, net->now) != 0 ||
        mj_peer_add_remote_candidate(&c->peer, &net->server_addr, 2130706431) != 0)
        return NULL;
    for (int i = 0; i < 400; i++) {
        if (mj_peer_media_ready(&c->peer) && memnet_session_connected(net, c->session)) return c;
        memnet_client_turn(net, c);
        mj_sfu_handle_timeouts(net->sfu, net->now, &net->txq);
        mj_txq_flush(&net->txq);
        if (net->between) net->between(net);
        net->now += MJ_MSEC(1);
    }
    return NULL;
}

/* A WHIP speaker (its own person, allowed to send). */
static inline memnet_client *memnet_speaker(memnet *net, const char *room)
{
    memnet_opts o = {.room = room, .send = true, .may_send = true};
    return memnet_open(net, &o);
}

/* A WHEP listener with nslots slots. */
static inline memnet_client *memnet_listener(memnet *net, int nslots, const char *room)
{
    memnet_opts o = {.room = room, .nslots = (uint8_t)nslots};
    return memnet_open(net, &o);
}

/* A packet without the audio-level extension. */
#define MEMNET_NO_LEVEL 255

/* Builds one Opus-like RTP packet from a speaker, payload bytes = tag,
 * level 0..127 or MEMNET_NO_LEVEL, protects it with the speaker's keys;
 * returns its length. */
static inline long memnet_rtp(memnet_client *c, uint8_t *buf, size_t cap, uint16_t seq,
                              uint8_t level, uint8_t tag, size_t payload_len)
{
    mj_wbuf w;
    mj_wbuf_init(&w, buf, cap);
    mj_rtp_out o = {.pt = 111,
                    .seq = seq,
                    .ts = (uint32_t)seq * 960,
                    .ssrc = 0x1000u + tag,
                    .level_id = level == MEMNET_NO_LEVEL ? 0 : 1,
                    .level = level == MEMNET_NO_LEVEL ? 0 : level};
    if (mj_rtp_write(&w, &o) < 0) return -1;
    uint8_t *pl = mj_wbuf_reserve(&w, payload_len);
    if (!pl) return -1;
    memset(pl, tag, payload_len);
    return mj_peer_protect_rtp(&c->peer, buf, w.len, cap);
}

/* A speaker sends one packet into the SFU. */
static inline void memnet_speak(memnet *net, memnet_client *c, uint16_t seq, uint8_t level,
                                uint8_t tag)
{
    uint8_t buf[1500];
    long n = memnet_rtp(c, buf, sizeof buf, seq, level, tag, 40);
    if (n > 0) mj_sfu_handle_datagram(net->sfu, net->now, buf, (size_t)n, &c->addr, &net->txq);
}

#endif
