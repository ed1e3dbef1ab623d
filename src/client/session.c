#include "client/session.h"

#include "base/log.h"
#include "base/rand.h"
#include "client/textf.h"
#include "io/clock.h"
#include "io/sockaddr.h"
#include "proto/framing.h"
#include "proto/rtcp.h"
#include "proto/sdp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define OFFER_MAX 8192
#define RR_EVERY  MJ_SEC(5) /* RFC 3550 §6.2's minimum interval */

/* ---- The shared client --------------------------------------------------- */

int mj_client_new(mj_loop *loop, const mj_client_config *cfg, mj_client **out, const char **why)
{
    mj_client *c = calloc(1, sizeof *c);
    if (!c) return MJ_ENOMEM;
    c->loop = loop;
    c->local_only = cfg->local_only;
    c->timestamps = cfg->timestamps && !cfg->tcp;
    c->tcp = cfg->tcp;
    int err = mj_signal_endpoint(cfg->url, false, cfg->room, c->whip_url, sizeof c->whip_url, why);
    if (!err)
        err = mj_signal_endpoint(cfg->url, true, cfg->room, c->whep_url, sizeof c->whep_url, why);
    if (err) goto fail;
    mj_local_set_init(&c->local, 0);
    err = mj_srtp_global_init();
    if (!err) err = mj_dtls_identity_new(&c->identity);
    if (err) {
        *why = "cannot set up DTLS and SRTP";
        goto fail;
    }
    snprintf(c->fingerprint, sizeof c->fingerprint, "%s",
             mj_dtls_identity_fingerprint(c->identity));
    err = mj_signal_new(loop, &cfg->signal, &c->sig);
    if (err) {
        *why = "cannot set up libcurl";
        goto fail;
    }
    for (int i = 0; i < MJ_CLIENT_RX_BATCH; i++) {
        c->rx_iov[i].iov_base = c->rx_buf[i];
        c->rx_iov[i].iov_len = MJ_CLIENT_RX_BUF;
        struct msghdr *h = &c->rx_msgs[i].msg_hdr;
        h->msg_name = &c->rx_from[i];
        h->msg_iov = &c->rx_iov[i];
        h->msg_iovlen = 1;
        h->msg_control = c->timestamps ? c->rx_ctrl[i] : NULL;
    }
    *out = c;
    return 0;
fail:
    mj_client_free(c);
    return err;
}

void mj_client_free(mj_client *c)
{
    if (!c) return;
    mj_signal_free(c->sig);
    if (c->identity) mj_dtls_identity_free(c->identity);
    free(c);
}

/* ---- State ------------------------------------------------------------------ */

const char *mj_csess_state_name(enum mj_csess_state st)
{
    switch (st) {
    case MJ_CSESS_IDLE: return "idle";
    case MJ_CSESS_SIGNALLING: return "signalling";
    case MJ_CSESS_CONNECTING: return "connecting";
    case MJ_CSESS_CONNECTED: return "connected";
    case MJ_CSESS_LEAVING: return "leaving";
    case MJ_CSESS_DONE: return "done";
    case MJ_CSESS_FAILED: return "failed";
    }
    return "?";
}

static void set_state(mj_csess *s, enum mj_csess_state st)
{
    if (s->state == st) return;
    s->state = (uint8_t)st;
    if (s->ops->on_state) s->ops->on_state(s);
}

/* Stops the media: timers, socket, peer. */
static void close_media(mj_csess *s)
{
    mj_loop_timer_stop(s->cl->loop, &s->timer);
    if (s->fd >= 0) {
        mj_loop_io_remove(s->cl->loop, &s->io);
        close(s->fd);
        s->fd = -1;
    }
    if (s->peer_live) {
        mj_peer_dispose(&s->peer);
        s->peer_live = false;
    }
    free(s->in);
    s->in = NULL;
}

static void fail(mj_csess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(mj_csess *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    close_media(s);
    if (s->req) {
        mj_signal_cancel(s->cl->sig, s->req);
        s->req = NULL;
    }
    if (s->location && !s->delete_sent) {
        /* The server made a session we cannot use: end it, fire and forget. */
        s->delete_sent = true;
        if (mj_signal_delete(s->cl->sig, s->location, s->token, NULL, NULL, NULL) != 0)
            mj_debug("client: cannot send a DELETE for a failed session");
    }
    set_state(s, MJ_CSESS_FAILED);
}

/* ---- Sending ------------------------------------------------------------------ */

/* ICE-TCP: one RFC 4571 frame. A frame the socket does not take at all is
 * lost like a datagram; half of one would break the stream. */
static void send_framed(mj_csess *s, const uint8_t *buf, size_t len)
{
    uint8_t hdr[MJ_FRAME_HDR];
    mj_frame_header(hdr, len);
    struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof hdr},
                           {.iov_base = (void *)buf, .iov_len = len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t r;
    do {
        r = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r == (ssize_t)(len + sizeof hdr)) return;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) {
        s->cl->tx_errors++;
        return;
    }
    fail(s, "%s", "the TCP connection to the server would not take a whole frame");
}

static void send_to(mj_csess *s, const uint8_t *buf, size_t len, const mj_addr *to)
{
    if (to->tcp) {
        send_framed(s, buf, len);
        return;
    }
    struct sockaddr_storage ss;
    socklen_t sl = mj_sockaddr_from_addr(to, &ss);
    for (;;) {
        ssize_t r = sendto(s->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
        if (r >= 0) return;
        if (errno == EINTR) continue;
        s->cl->tx_errors++; /* a full buffer: real-time data is better lost than late */
        return;
    }
}

long mj_csess_send_rtp(mj_csess *s, uint8_t *pkt, size_t len, size_t cap)
{
    if (s->state != MJ_CSESS_CONNECTED) return MJ_ESTATE;
    long n = mj_peer_protect_rtp(&s->peer, pkt, len, cap);
    if (n < 0) return n;
    send_to(s, pkt, (size_t)n, mj_peer_remote(&s->peer));
    return n;
}

/* An empty receiver report: it tells the server we have our keys (so it
 * frees its DTLS state, as it does for browsers) and nothing else. */
static void send_rr(mj_csess *s, mj_time now)
{
    uint8_t buf[64 + MJ_SRTP_MAX_TRAILER];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, 64);
    if (mj_rtcp_write_rr(&w, s->ssrc, NULL, 0) < 0) return;
    long n = mj_peer_protect_rtcp(&s->peer, buf, w.len, sizeof buf);
    if (n > 0) send_to(s, buf, (size_t)n, mj_peer_remote(&s->peer));
    s->next_rr = now + RR_EVERY;
}

/* Sends what the peer has, follows its events, re-arms its timer. */
static void pump(mj_csess *s, mj_time now)
{
    if (!s->peer_live) return;
    uint8_t buf[1500];
    mj_addr to;
    long n;
    while ((n = mj_peer_poll_transmit(&s->peer, now, buf, sizeof buf, &to)) > 0)
        send_to(s, buf, (size_t)n, &to);
    enum mj_peer_event ev;
    while ((ev = mj_peer_poll_event(&s->peer)) != MJ_PEER_EV_NONE) {
        if (ev == MJ_PEER_EV_CONNECTED && s->state == MJ_CSESS_CONNECTING) {
            s->t_connected = now;
            if (s->whep) send_rr(s, now);
            set_state(s, MJ_CSESS_CONNECTED);
        } else if (ev == MJ_PEER_EV_CLOSED) {
            enum mj_peer_close_reason r = mj_peer_close_reason_get(&s->peer);
            if (r == MJ_PEER_ICE_FAILED)
                fail(s, "no media connection to the server (ICE failed): is its UDP port "
                        "reachable from here?");
            else
                fail(s, "the media connection ended (%s)", mj_peer_close_reason_name(r));
            return;
        }
    }
    if (!s->peer_live) return;
    mj_time at = mj_peer_next_timeout(&s->peer, now);
    if (s->whep && s->state == MJ_CSESS_CONNECTED && s->next_rr < at) at = s->next_rr;
    if (at != MJ_TIME_NEVER && mj_loop_timer_set(s->cl->loop, &s->timer, at) != 0)
        fail(s, "%s", "out of memory");
}

static void on_timer(mj_loop *l, mj_timer *t)
{
    mj_csess *s = t->ctx;
    mj_time now = mj_loop_now(l);
    if (!s->peer_live) return;
    mj_peer_handle_timeout(&s->peer, now);
    if (s->whep && s->state == MJ_CSESS_CONNECTED && now >= s->next_rr) send_rr(s, now);
    pump(s, now);
}

/* ---- Receiving ------------------------------------------------------------------ */

static int64_t wall_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t kernel_time(const struct msghdr *h)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR((struct msghdr *)h, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(cm), sizeof ts);
            return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        }
    }
    return 0;
}

/* A datagram (or a frame) from the server; true when it was not media. */
static bool take_datagram(mj_csess *s, uint8_t *d, size_t n, const mj_addr *from, mj_rx_time *at,
                          const struct msghdr *h)
{
    mj_peer_input in;
    int err = mj_peer_handle_datagram(&s->peer, at->now, d, n, from, &in);
    if (err) {
        s->rx_refused++;
        if (s->ops->on_refused) s->ops->on_refused(s, err);
        return true; /* e.g. a DTLS failure */
    }
    if (in.kind != MJ_PEER_IN_RTP) return true;
    if (!s->rx_rtp++) s->t_first_rtp = at->now;
    if (s->ops->on_rtp) {
        at->kernel_wall_us = h && s->cl->timestamps ? kernel_time(h) : 0;
        s->ops->on_rtp(s, in.data, in.len, at);
    }
    return false;
}

/* ICE-TCP: what the stream holds, frame by frame. */
static void on_stream(mj_loop *l, mj_io *io, uint32_t events)
{
    mj_csess *s = io->ctx;
    mj_addr from = s->stream_to;
    bool control = false;
    mj_rx_time at = {.now = mj_loop_now(l)};
    for (int round = 0; round < 8 && s->peer_live; round++) {
        size_t cap;
        uint8_t *p = mj_deframer_space(s->in, &cap);
        ssize_t r = recv(s->fd, p, cap, MSG_DONTWAIT);
        s->cl->rx_syscalls++;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (r <= 0) {
            fail(s, "%s", "the server closed the TCP connection");
            return;
        }
        at.now = mj_clock_now();
        at.wall_us = wall_now_us();
        mj_deframer_wrote(s->in, (size_t)r);
        uint8_t *f;
        size_t n;
        int got = 0;
        while (s->peer_live && (got = mj_deframer_next(s->in, &f, &n)) == 1) {
            s->cl->rx_datagrams++;
            control |= take_datagram(s, f, n, &from, &at, NULL);
        }
        if (s->peer_live && got < 0) {
            fail(s, "%s", "the server sent a frame too long");
            return;
        }
        if ((size_t)r < cap) break;
    }
    if (control) pump(s, at.now);
}

static void on_readable(mj_loop *l, mj_io *io, uint32_t events)
{
    mj_csess *s = io->ctx;
    mj_client *c = s->cl;
    bool control = false;
    mj_rx_time at = {.now = mj_loop_now(l)};
    for (int round = 0; round < 8 && s->peer_live; round++) {
        /* The kernel rewrites these three; the rest was set up once. */
        for (int i = 0; i < MJ_CLIENT_RX_BATCH; i++) {
            c->rx_msgs[i].msg_hdr.msg_namelen = sizeof c->rx_from[i];
            c->rx_msgs[i].msg_hdr.msg_controllen = c->timestamps ? sizeof c->rx_ctrl[i] : 0;
            c->rx_msgs[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(s->fd, c->rx_msgs, MJ_CLIENT_RX_BATCH, MSG_DONTWAIT, NULL);
        c->rx_syscalls++;
        if (n <= 0) break;
        at.now = mj_clock_now();
        at.wall_us = c->timestamps ? wall_now_us() : 0;
        c->rx_datagrams += (uint64_t)n;
        for (int i = 0; i < n && s->peer_live; i++) {
            mj_addr from;
            if (c->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC ||
                mj_sockaddr_to_addr(&c->rx_from[i], &from) != 0)
                continue;
            control |= take_datagram(s, c->rx_buf[i], c->rx_msgs[i].msg_len, &from, &at,
                                     &c->rx_msgs[i].msg_hdr);
        }
        if (n < MJ_CLIENT_RX_BATCH) break;
    }
    if (control) pump(s, at.now);
}

/* ---- The answer ------------------------------------------------------------------ */

static int open_socket(mj_csess *s, int family)
{
    s->fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) return MJ_EIO;
    mj_addr any;
    memset(&any, 0, sizeof any);
    any.family = (uint8_t)family;
    struct sockaddr_storage ss;
    socklen_t sl = mj_sockaddr_from_addr(&any, &ss);
    if (bind(s->fd, (struct sockaddr *)&ss, sl) != 0) return MJ_EIO;
    int one = 1;
    if (s->cl->timestamps && setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0)
        return MJ_EIO;
    return mj_loop_io_set(s->cl->loop, &s->io, s->fd, EPOLLIN, on_readable, s);
}

/* ICE-TCP: the active end of a connection to the server's passive
 * candidate. Checks sent before it is up are lost, and ICE sends again. */
static int open_stream(mj_csess *s, const mj_addr *to)
{
    s->stream_to = *to;
    s->in = malloc(sizeof *s->in);
    if (!s->in) return MJ_ENOMEM;
    mj_deframer_init(s->in, MJ_FRAME_MAX);
    s->fd =
        socket(to->family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) return MJ_EIO;
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_storage ss;
    socklen_t sl = mj_sockaddr_from_addr(to, &ss);
    if (connect(s->fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) return MJ_EIO;
    return mj_loop_io_set(s->cl->loop, &s->io, s->fd, EPOLLIN, on_stream, s);
}

/* The accepted sections: slot SSRCs and payload details. */
static const mj_sdp_media *read_sections(mj_csess *s, const mj_sdp *a)
{
    const mj_sdp_media *first = NULL;
    unsigned slots = 0;
    for (unsigned i = 0; i < a->nmedia; i++) {
        const mj_sdp_media *m = &a->media[i];
        if (m->kind != MJ_SDP_AUDIO || m->port == 0 || m->opus_pt < 0) continue;
        if (!first) first = m;
        if (s->whep && slots < MJ_CSESS_MAX_SLOTS)
            s->slot_ssrc[slots++] = m->has_ssrc ? m->ssrc : 0;
    }
    if (!first) return NULL;
    s->opus_pt = (uint8_t)first->opus_pt;
    s->level_id = first->audio_level_ext <= 14 ? first->audio_level_ext : 0;
    if (s->whep) s->nslots = (uint8_t)slots;
    return first;
}

static int start_peer(mj_csess *s, const mj_sdp_media *m, mj_time now)
{
    const mj_sdp_transport *tr = &m->tr;
    if (!tr->ice_ufrag[0] || !tr->ice_pwd[0] || tr->nfingerprints == 0) {
        fail(s, "%s", "the server's answer lacks ICE credentials or a DTLS fingerprint");
        return MJ_EPROTO;
    }
    mj_addr cands[MJ_ICE_MAX_REMOTE];
    uint32_t prios[MJ_ICE_MAX_REMOTE];
    unsigned nc = 0;
    for (unsigned i = 0; i < m->ncandidates && nc < MJ_ICE_MAX_REMOTE; i++) {
        /* One transport: over TCP, the first passive candidate only (one
         * connection). */
        if (m->candidates[i].component != 1 || m->candidates[i].addr.tcp != s->cl->tcp ||
            (s->cl->tcp && nc == 1))
            continue;
        cands[nc] = m->candidates[i].addr;
        prios[nc++] = m->candidates[i].priority;
    }
    if (nc == 0 && m->conn.family && !s->cl->tcp) {
        cands[0] = m->conn;
        cands[0].port = m->port;
        prios[nc++] = 1;
    }
    if (nc == 0) {
        fail(s, "%s",
             s->cl->tcp ? "the server's answer has no ICE-TCP candidate (is --media-tcp-port 0?)"
                        : "the server's answer names no media address");
        return MJ_EPROTO;
    }
    for (unsigned i = 0; i < nc; i++) {
        if (s->cl->local_only && !mj_local_set_has(&s->cl->local, &cands[i], mj_clock_now())) {
            char ip[MJ_ADDR_STRLEN];
            fail(s,
                 "the server's media address %s is not on this machine; the load generator only "
                 "sends to loopback or this network namespace",
                 mj_addr_ip_str(&cands[i], ip));
            return MJ_EAUTH;
        }
    }
    const mj_sdp_fingerprint *fp = &tr->fingerprints[0];
    mj_peer_config pc = {
        .is_server = false,
        .local_ufrag = s->ufrag,
        .local_pwd = s->pwd,
        .remote_ufrag = tr->ice_ufrag,
        .remote_pwd = tr->ice_pwd,
        .identity = s->cl->identity,
        .remote_fp_alg = mj_sdp_hash_name(fp->hash),
        .remote_fp = fp->bytes,
        .remote_fp_len = fp->len,
        .outbound_only = !s->whep, /* a publisher reads nothing from the server */
    };
    if ((s->cl->tcp ? open_stream(s, &cands[0]) : open_socket(s, cands[0].family)) != 0) {
        fail(s, "%s",
             s->cl->tcp ? "cannot connect to the server's ICE-TCP port"
                        : "cannot open a UDP socket (too many open files?)");
        return MJ_EIO;
    }
    if (mj_peer_init(&s->peer, &pc, now) != 0) {
        mj_peer_dispose(&s->peer);
        fail(s, "%s", "cannot start ICE and DTLS with the server's parameters");
        return MJ_EPROTO;
    }
    s->peer_live = true;
    for (unsigned i = 0; i < nc; i++)
        if (mj_peer_add_remote_candidate(&s->peer, &cands[i], prios[i]) != 0)
            break; /* duplicates and extras beyond the first few are fine */
    return 0;
}

static void on_answer(void *ctx, const mj_signal_result *res)
{
    mj_csess *s = ctx;
    s->req = NULL;
    s->t_post = res->sent_at;
    s->t_answer = res->done_at;
    if (!res->ok) {
        fail(s, "%s", res->error);
        return;
    }
    s->location = strdup(res->location);
    mj_sdp *a = malloc(sizeof *a);
    if (!s->location || !a) {
        free(a);
        fail(s, "%s", "out of memory");
        return;
    }
    const char *why = "no reason";
    const mj_sdp_media *m = NULL;
    if (mj_sdp_parse(res->body, res->body_len, a, &why) != 0) {
        fail(s, "cannot read the server's SDP answer: %s", why);
    } else if (!(m = read_sections(s, a))) {
        fail(s, "%s", "the server accepted no audio section of our offer");
    } else if (start_peer(s, m, mj_loop_now(s->cl->loop)) == 0) {
        set_state(s, MJ_CSESS_CONNECTING);
        pump(s, mj_loop_now(s->cl->loop));
    }
    free(a);
}

/* ---- Lifecycle -------------------------------------------------------------------- */

int mj_csess_start(mj_csess *s, mj_client *cl, bool whep, unsigned nslots, const char *token,
                   const mj_csess_ops *ops, void *user)
{
    memset(s, 0, sizeof *s);
    s->cl = cl;
    s->ops = ops;
    s->user = user;
    s->token = token;
    s->whep = whep;
    s->fd = -1;
    s->nslots = (uint8_t)(whep ? (nslots < 1 ? 1 : nslots > 3 ? 3 : nslots) : 0);
    s->ssrc = mj_rand_u32() | 1;
    mj_timer_init(&s->timer, on_timer, s);
    mj_rand_alnum(s->ufrag, 8);
    mj_rand_alnum(s->pwd, 24);

    mj_sdp_offer_params p;
    memset(&p, 0, sizeof p);
    p.session_id = mj_rand_u64();
    p.ice_ufrag = s->ufrag;
    p.ice_pwd = s->pwd;
    p.fingerprint = cl->fingerprint;
    p.cname = "majlis-client";
    p.nmedia = whep ? s->nslots : 1;
    for (size_t i = 0; i < p.nmedia; i++)
        p.media[i].dir = whep ? MJ_SDP_RECVONLY : MJ_SDP_SENDONLY;
    if (!whep) p.media[0].ssrc = s->ssrc;
    char offer[OFFER_MAX];
    long len = mj_sdp_write_offer(&p, offer, sizeof offer);
    if (len < 0) {
        snprintf(s->error, sizeof s->error, "cannot write the SDP offer");
        s->state = MJ_CSESS_FAILED;
        return (int)len;
    }
    s->t_post = mj_clock_now();
    s->state = MJ_CSESS_SIGNALLING;
    int err = mj_signal_post(cl->sig, whep ? cl->whep_url : cl->whip_url, token, offer, (size_t)len,
                             on_answer, s, &s->req);
    if (err) {
        snprintf(s->error, sizeof s->error, "cannot start the HTTP request");
        s->state = MJ_CSESS_FAILED;
    }
    return err;
}

static void on_deleted(void *ctx, const mj_signal_result *res)
{
    mj_csess *s = ctx;
    s->req = NULL;
    if (res->ok) {
        set_state(s, MJ_CSESS_DONE);
    } else {
        mj_textf(s->error, sizeof s->error, "cannot end the session: %s", res->error);
        set_state(s, MJ_CSESS_FAILED);
    }
}

void mj_csess_leave(mj_csess *s)
{
    if (mj_csess_ended(s) || s->state == MJ_CSESS_LEAVING) return;
    if (s->req) {
        /* Still waiting for the answer: there is nothing to DELETE yet
         * (a session the server made anyway ends by consent timeout). */
        mj_signal_cancel(s->cl->sig, s->req);
        s->req = NULL;
    }
    close_media(s);
    if (!s->location || s->state == MJ_CSESS_IDLE) {
        set_state(s, MJ_CSESS_DONE);
        return;
    }
    set_state(s, MJ_CSESS_LEAVING);
    s->delete_sent = true;
    if (mj_signal_delete(s->cl->sig, s->location, s->token, on_deleted, s, &s->req) != 0) {
        snprintf(s->error, sizeof s->error, "cannot start the DELETE request");
        set_state(s, MJ_CSESS_FAILED);
    }
}

void mj_csess_dispose(mj_csess *s)
{
    if (!s->cl) return;
    if (s->req) mj_signal_cancel(s->cl->sig, s->req);
    s->req = NULL;
    close_media(s);
    free(s->location);
    s->location = NULL;
}
