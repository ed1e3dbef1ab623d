#include "io/worker.h"

#include "base/log.h"
#include "io/clock.h"
#include "io/handshaker.h"
#include "io/localaddr.h"
#include "io/ring.h"
#include "io/sockaddr.h"
#include "io/tcp.h"

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define RX_BATCH    64
#define RX_BUF      2048
#define RX_ROUNDS   16 /* recvmmsg calls per wake-up before timers get a turn */
#define TX_BATCH    256
#define STATS_EVERY MJ_MSEC(500)
#define SOCK_BUF    (8 << 20)

#define INBOX_MAX 4096 /* packets from other workers waiting; beyond, they are dropped */

/* epoll keys: the UDP socket, the eventfd, then the ICE-TCP listener and
 * its connections (io/tcp.h). */
#define KEY_UDP   0
#define KEY_WAKE  1
#define KEY_TCP   2
#define EPOLL_MAX 64

typedef enum cmd_kind {
    CMD_ADD,
    CMD_REMOVE,
    CMD_BRANCHES,
    CMD_SET_SEND,
    CMD_REMOTE,
    CMD_KEYS,      /* a handshake thread finished a session's handshake */
    CMD_HS_FAILED, /* ... or it failed (may_send: the remote closed) */
} cmd_kind;

typedef struct cmd {
    cmd_kind kind;
    uint64_t id;
    uint64_t branches; /* CMD_BRANCHES */
    bool may_send;     /* CMD_SET_SEND, CMD_REMOTE */
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    mj_sfu_session_params params; /* CMD_ADD */
    mj_srtp_keys keys;            /* CMD_KEYS; the ring wipes it once taken */
} cmd;

/* A packet between the workers of a room spread over several: a slot's
 * rewritten packet from the home to a branch, or the packet of a branch's
 * speaker to the home. Or a handshake thread's datagram for an ICE-TCP
 * connection, which only this worker's thread may write to. */
typedef enum inbox_kind { INBOX_SLOT, INBOX_SPEAKER, INBOX_TCP } inbox_kind;
typedef struct inbox_item {
    uint8_t kind;  /* inbox_kind */
    uint8_t slot;  /* INBOX_SLOT */
    bool marker;   /* INBOX_SLOT */
    int16_t level; /* INBOX_SPEAKER: the level the branch read, -1 */
    uint16_t len;
    uint64_t person; /* whose voice */
    uint64_t sender; /* INBOX_SPEAKER: the branch's session */
    mj_addr to;      /* INBOX_TCP */
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    uint8_t pkt[MJ_TXQ_SLOT_SIZE];
} inbox_item;

struct mj_worker {
    mj_worker_config cfg;
    int fd, efd, epfd;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop; /* set by the stopping thread */
    mj_sfu *sfu;
    mj_tcp *tcp;    /* ICE-TCP; NULL when off */
    mj_ring cmds;   /* control -> worker */
    mj_ring events; /* worker -> control */
    mj_ring inbox;  /* other workers -> this worker: slot packets and branch speakers */
    pthread_mutex_t stats_mu;
    mj_worker_stats stats_pub;   /* published copy */
    mj_worker_stats stats;       /* the worker's own, shell part */
    mj_time load_cpu, load_wall; /* thread CPU and wall clock at the last publish */
    uint64_t hs_tx_dropped;      /* handshake datagrams the socket refused (stats_mu) */
    mj_local_set locals;         /* cfg.local_only: who may send */
    /* Receive and send batches: owned by the worker thread. */
    struct mmsghdr rx_msgs[RX_BATCH];
    struct iovec rx_iov[RX_BATCH];
    struct sockaddr_storage rx_from[RX_BATCH];
    uint8_t rx_buf[RX_BATCH][RX_BUF];
    mj_txq txq;
    mj_tx tx_items[TX_BATCH];
    uint8_t tx_arena[TX_BATCH * MJ_TXQ_SLOT_SIZE];
    struct mmsghdr tx_msgs[TX_BATCH];
    struct iovec tx_iov[TX_BATCH];
    struct sockaddr_storage tx_to[TX_BATCH];
};

static void flush_tx(void *ctx, mj_txq *q)
{
    mj_worker *w = ctx;
    unsigned n = 0;
    for (unsigned k = 0; k < q->len; k++) {
        const mj_tx *t = &q->items[k];
        if (t->to.tcp) {
            /* Framed onto its connection now; the UDP ones go together. */
            if (w->tcp)
                mj_tcp_send(w->tcp, &t->to, t->data, t->len);
            else
                w->stats.tx_dropped++;
            continue;
        }
        unsigned i = n++;
        socklen_t alen = mj_sockaddr_from_addr(&t->to, &w->tx_to[i]);
        w->tx_iov[i].iov_base = t->data;
        w->tx_iov[i].iov_len = t->len;
        memset(&w->tx_msgs[i].msg_hdr, 0, sizeof w->tx_msgs[i].msg_hdr);
        w->tx_msgs[i].msg_hdr.msg_name = &w->tx_to[i];
        w->tx_msgs[i].msg_hdr.msg_namelen = alen;
        w->tx_msgs[i].msg_hdr.msg_iov = &w->tx_iov[i];
        w->tx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned sent = 0;
    while (sent < n) {
        int r = sendmmsg(w->fd, w->tx_msgs + sent, n - sent, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR) continue;
            /* A full socket buffer or an unreachable peer: drop the
             * datagram that failed and go on with the rest. Real-time
             * audio is better lost than late. */
            w->stats.tx_dropped++;
            sent++;
            continue;
        }
        sent += (unsigned)r;
    }
    q->len = 0;
}

static void apply_command(mj_worker *w, mj_time now, const cmd *c)
{
    switch (c->kind) {
    case CMD_ADD: {
        int err = mj_sfu_session_add(w->sfu, now, &c->params);
        if (err) {
            w->stats.cmd_errors++;
            mj_warn("worker %d: session refused: %s", w->cfg.index, mj_strerror(err));
            mj_sfu_event ev;
            memset(&ev, 0, sizeof ev);
            ev.kind = MJ_SFU_EV_CLOSED;
            ev.session_id = c->params.id;
            ev.reason = "refused by worker";
            mj_ring_push(&w->events, &ev);
        }
        break;
    }
    case CMD_BRANCHES:
        if (mj_sfu_room_branches(w->sfu, c->room, c->branches) != 0) w->stats.cmd_errors++;
        break;
    case CMD_SET_SEND: {
        int err = mj_sfu_session_set_send(w->sfu, c->id, c->may_send);
        if (err && err != MJ_ENOTFOUND) {
            w->stats.cmd_errors++;
            mj_warn("worker %d: cannot change what a session may send: %s", w->cfg.index,
                    mj_strerror(err));
        }
        break;
    }
    case CMD_REMOTE: mj_sfu_remote_set_send(w->sfu, now, c->room, c->id, c->may_send); break;
    case CMD_REMOVE: mj_sfu_session_remove(w->sfu, c->id); break;
    case CMD_KEYS: {
        int err = mj_sfu_session_keys(w->sfu, now, c->id, &c->keys, &w->txq);
        if (err && err != MJ_ENOTFOUND)
            mj_warn("worker %d: cannot use a session's keys: %s", w->cfg.index, mj_strerror(err));
        break;
    }
    case CMD_HS_FAILED:
        (void)mj_sfu_session_handshake_failed(w->sfu, now, c->id, c->may_send, &w->txq);
        break;
    }
}

static void apply_commands(mj_worker *w, mj_time now)
{
    uint64_t v;
    if (read(w->efd, &v, sizeof v) < 0 && errno != EAGAIN)
        mj_warn("worker %d: eventfd read failed: %s", w->cfg.index, strerror(errno));
    cmd c;
    while (mj_ring_pop(&w->cmds, &c))
        apply_command(w, now, &c);
    mj_srtp_keys_wipe(&c.keys);
}

static void wake(mj_worker *w);

/* Puts an item into another worker's inbox and wakes it if it may be
 * asleep; false when its inbox is full. */
static bool inbox_put(mj_worker *to, const inbox_item *e)
{
    size_t before = 0;
    if (mj_ring_push_ex(&to->inbox, e, INBOX_MAX, &before) != 0) return false;
    if (before == 0) wake(to); /* it drains to empty before sleeping again */
    return true;
}

/* Home side (mj_sfu_export_fn): one copy per branch worker per speaker
 * packet; the branch encrypts for its own listeners. */
static void export_packet(void *ctx, uint64_t branches, const char *room, unsigned slot,
                          uint64_t person, const uint8_t *pkt, size_t len, bool marker)
{
    mj_worker *w = ctx;
    inbox_item e;
    size_t rl = strlen(room);
    if (len > sizeof e.pkt || rl > MJ_SFU_ROOM_ID_MAX) return;
    e.kind = INBOX_SLOT;
    memcpy(e.room, room, rl + 1);
    e.slot = (uint8_t)slot;
    e.marker = marker;
    e.person = person;
    e.len = (uint16_t)len;
    memcpy(e.pkt, pkt, len);
    for (int i = 0; i < w->cfg.ngroup && i < 64; i++) {
        mj_worker *to = w->cfg.group[i];
        if (!(branches & (1ull << i)) || !to || to == w) continue;
        if (inbox_put(to, &e))
            w->stats.exported++;
        else
            w->stats.inbox_dropped++;
    }
}

/* Branch side (mj_sfu_handoff_fn): a speaker here, decrypted, to the
 * room's home, which puts it in a slot like one of its own. */
static void handoff_packet(void *ctx, const mj_sfu_handoff *h, const uint8_t *pkt, size_t len)
{
    mj_worker *w = ctx;
    inbox_item e;
    size_t rl = strlen(h->room);
    mj_worker *to = h->home >= 0 && h->home < w->cfg.ngroup ? w->cfg.group[h->home] : NULL;
    if (!to || to == w || len > sizeof e.pkt || rl > MJ_SFU_ROOM_ID_MAX) {
        w->stats.inbox_dropped++;
        return;
    }
    e.kind = INBOX_SPEAKER;
    memcpy(e.room, h->room, rl + 1);
    e.level = h->level;
    e.person = h->person;
    e.sender = h->sender;
    e.len = (uint16_t)len;
    memcpy(e.pkt, pkt, len);
    if (inbox_put(to, &e))
        w->stats.handed_off++;
    else
        w->stats.inbox_dropped++;
}

/* What other workers sent since the last turn. */
static void drain_inbox(mj_worker *w, mj_time now)
{
    inbox_item e;
    while (mj_ring_pop(&w->inbox, &e)) {
        if (e.kind == INBOX_TCP) {
            if (w->tcp) mj_tcp_send(w->tcp, &e.to, e.pkt, e.len);
            continue;
        }
        w->stats.injected++;
        if (e.kind == INBOX_SLOT) {
            mj_sfu_inject(w->sfu, now, e.room, e.slot, e.person, e.pkt, e.len, e.marker, &w->txq);
        } else {
            mj_sfu_handoff h = {
                .room = e.room, .sender = e.sender, .person = e.person, .level = e.level};
            mj_sfu_remote_packet(w->sfu, now, &h, e.pkt, e.len, &w->txq);
        }
    }
}

/* Everything other threads sent. Reading the eventfd takes the wake-up of
 * both commands and inbox, so both are always taken together (an inbox
 * left behind would wait for the next command: its senders wake this
 * worker only when they find it empty). */
static void take_messages(mj_worker *w, mj_time now)
{
    apply_commands(w, now);
    drain_inbox(w, now);
}

static bool commands_waiting(mj_worker *w)
{
    return mj_ring_len(&w->cmds) > 0;
}

static void receive(mj_worker *w, mj_time now)
{
    for (int round = 0; round < RX_ROUNDS; round++) {
        /* A session added while we drain must exist before its first
         * STUN check, which may be next in the queue. */
        if (round > 0 && commands_waiting(w)) take_messages(w, now);
        for (int i = 0; i < RX_BATCH; i++) {
            w->rx_iov[i].iov_base = w->rx_buf[i];
            w->rx_iov[i].iov_len = RX_BUF;
            memset(&w->rx_msgs[i].msg_hdr, 0, sizeof w->rx_msgs[i].msg_hdr);
            w->rx_msgs[i].msg_hdr.msg_name = &w->rx_from[i];
            w->rx_msgs[i].msg_hdr.msg_namelen = sizeof w->rx_from[i];
            w->rx_msgs[i].msg_hdr.msg_iov = &w->rx_iov[i];
            w->rx_msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(w->fd, w->rx_msgs, RX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) return;
        for (int i = 0; i < n; i++) {
            if (w->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                w->stats.rx_truncated++;
                continue;
            }
            mj_addr from;
            if (mj_sockaddr_to_addr(&w->rx_from[i], &from) != 0) continue;
            if (w->cfg.local_only && !mj_local_set_has(&w->locals, &from, now)) {
                w->stats.rx_not_local++;
                continue;
            }
            mj_sfu_handle_datagram(w->sfu, now, w->rx_buf[i], w->rx_msgs[i].msg_len, &from,
                                   &w->txq);
        }
        if (n < RX_BATCH) return;
    }
}

static mj_time thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (mj_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time over wall time since the last call: the worker's load. */
static void measure_load(mj_worker *w, mj_time now)
{
    mj_time cpu = thread_cpu_now();
    if (w->load_wall && now > w->load_wall) {
        mj_time l = (cpu - w->load_cpu) * 1000 / (now - w->load_wall);
        w->stats.load_permille = (uint32_t)(l < 0 ? 0 : l > 1000 ? 1000 : l);
    }
    w->load_cpu = cpu;
    w->load_wall = now;
}

static void publish_stats(mj_worker *w)
{
    pthread_mutex_lock(&w->stats_mu);
    w->stats_pub = w->stats;
    w->stats_pub.sfu = *mj_sfu_stats_get(w->sfu);
    w->stats_pub.hs_tx_dropped = w->hs_tx_dropped;
    if (w->tcp) w->stats_pub.tcp = *mj_tcp_stats_get(w->tcp);
    pthread_mutex_unlock(&w->stats_mu);
}

static void forward_events(mj_worker *w)
{
    mj_sfu_event ev;
    bool any = false;
    while (mj_sfu_poll_event(w->sfu, &ev)) {
        if (mj_ring_push(&w->events, &ev) == 0) any = true;
    }
    any = any || mj_ring_len(&w->events) > 0;
    if (any && w->cfg.on_event) w->cfg.on_event(w->cfg.ctx);
}

static void *worker_main(void *arg)
{
    mj_worker *w = arg;
    mj_time next_stats = mj_clock_now();
    while (!w->stop) {
        mj_time now = mj_clock_now();
        mj_time wake = mj_time_min(mj_sfu_next_timeout(w->sfu), next_stats);
        if (w->tcp) wake = mj_time_min(wake, mj_tcp_next_timeout(w->tcp));
        int timeout_ms = wake <= now ? 0 : (int)((wake - now + 999) / 1000);
        if (timeout_ms > 1000) timeout_ms = 1000;
        struct epoll_event evs[EPOLL_MAX];
        int n = epoll_wait(w->epfd, evs, EPOLL_MAX, timeout_ms);
        if (n < 0 && errno != EINTR) {
            mj_error("worker %d: epoll_wait: %s", w->cfg.index, strerror(errno));
            break;
        }
        now = mj_clock_now();
        /* Commands first: a new session's first STUN check may already be
         * in the socket's queue. */
        for (int i = 0; i < n; i++)
            if (evs[i].data.u64 == KEY_WAKE) take_messages(w, now);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 == KEY_UDP)
                receive(w, now);
            else if (mj_tcp_owns(w->tcp, evs[i].data.u64))
                mj_tcp_event(w->tcp, evs[i].data.u64, evs[i].events, now, w->sfu, &w->txq);
        }
        mj_sfu_handle_timeouts(w->sfu, now, &w->txq);
        if (w->tcp) {
            /* What was queued for connections goes out before a dead
             * one's session is told; the core may queue more. */
            mj_txq_flush(&w->txq);
            mj_tcp_tick(w->tcp, now, w->sfu, &w->txq);
        }
        mj_txq_flush(&w->txq);
        forward_events(w);
        w->stats.loop_turns++;
        if (now >= next_stats) {
            /* The wall clock for sender reports, read beside the monotonic
             * one; also when the worker starts (next_stats is due). */
            mj_sfu_set_wall_clock(w->sfu, mj_clock_now(), mj_clock_unix_ns());
            measure_load(w, mj_clock_now());
            publish_stats(w);
            next_stats = now + STATS_EVERY;
        }
    }
    return NULL;
}

/* local_only: the wildcard address of bind's family, IPv6 alone. */
static mj_addr bind_address(mj_worker *w)
{
    mj_addr a = w->cfg.bind;
    if (w->cfg.local_only) {
        memset(a.ip, 0, sizeof a.ip);
        if (a.family == 6) setsockopt(w->fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int));
    }
    return a;
}

static int open_socket(mj_worker *w, const char **why)
{
    struct sockaddr_storage sa;
    w->fd = socket(w->cfg.bind.family == 6 ? AF_INET6 : AF_INET,
                   SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (w->fd < 0) {
        *why = "cannot create the media socket";
        return MJ_EIO;
    }
    mj_addr at = bind_address(w);
    socklen_t alen = mj_sockaddr_from_addr(&at, &sa);
    int size = SOCK_BUF;
    /* Bigger buffers absorb a fan-out burst; the kernel caps them at
     * net.core.[rw]mem_max, which is fine. */
    setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(w->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (bind(w->fd, (struct sockaddr *)&sa, alen) != 0) {
        *why = errno == EADDRINUSE ? "the media port is already in use"
                                   : "cannot bind the media socket";
        return MJ_EIO;
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    mj_addr b;
    if (getsockname(w->fd, (struct sockaddr *)&bound, &blen) == 0 &&
        mj_sockaddr_to_addr(&bound, &b) == 0)
        w->port = b.port;
    return 0;
}

static int open_loop(mj_worker *w, const char **why)
{
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->efd < 0 || w->epfd < 0) {
        *why = "cannot create the worker's event loop";
        return MJ_EIO;
    }
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.u64 = KEY_UDP;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->fd, &ev) != 0) return MJ_EIO;
    ev.data.u64 = KEY_WAKE;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &ev) != 0) return MJ_EIO;
    if (!w->cfg.tcp_port) return 0;
    mj_tcp_config tc = {
        .bind = w->cfg.bind,
        .max_conns = w->cfg.max_tcp_conns ? w->cfg.max_tcp_conns : MJ_WORKER_TCP_CONNS,
        .epfd = w->epfd,
        .key = KEY_TCP,
    };
    tc.bind.port = w->cfg.tcp_port;
    return mj_tcp_open(&tc, &w->tcp, why);
}

static void worker_free(mj_worker *w)
{
    mj_tcp_free(w->tcp);
    if (w->sfu) mj_sfu_free(w->sfu);
    if (w->fd >= 0) close(w->fd);
    if (w->efd >= 0) close(w->efd);
    if (w->epfd >= 0) close(w->epfd);
    mj_ring_dispose(&w->cmds);
    mj_ring_dispose(&w->events);
    mj_ring_dispose(&w->inbox);
    pthread_mutex_destroy(&w->stats_mu);
    free(w);
}

/* The SFU's sessions' handshakes go to the handshake threads. */
static void to_handshaker(void *ctx, const mj_sfu_hs *m)
{
    mj_worker *w = ctx;
    mj_handshaker_post(w->cfg.handshaker, (uint32_t)w->cfg.index, m);
}

int mj_worker_start(const mj_worker_config *cfg, mj_worker **out, const char **why)
{
    mj_worker *w = calloc(1, sizeof *w);
    if (!w) return MJ_ENOMEM;
    w->cfg = *cfg;
    w->fd = w->efd = w->epfd = -1;
    mj_local_set_init(&w->locals, cfg->bind.family);
    if (mj_ring_init(&w->cmds, sizeof(cmd)) || mj_ring_init(&w->events, sizeof(mj_sfu_event)) ||
        mj_ring_init(&w->inbox, sizeof(inbox_item)) || pthread_mutex_init(&w->stats_mu, NULL)) {
        free(w);
        return MJ_EIO;
    }
    w->cmds.wipe = true; /* CMD_KEYS */
    mj_sfu_config sc = {
        .identity = cfg->identity,
        .consent_timeout = cfg->consent_timeout,
        .connect_timeout = cfg->connect_timeout,
        .max_sessions = cfg->max_sessions,
        .on_export = export_packet,
        .export_ctx = w,
        .on_handoff = handoff_packet,
        .handoff_ctx = w,
        .on_handshake = cfg->handshaker ? to_handshaker : NULL,
        .handshake_ctx = w,
    };
    int err = mj_sfu_new(&sc, &w->sfu);
    if (!err) err = open_socket(w, why);
    if (!err) err = open_loop(w, why);
    if (err) {
        worker_free(w);
        return err;
    }
    mj_txq_init(&w->txq, w->tx_items, w->tx_arena, TX_BATCH, flush_tx, w);
    publish_stats(w);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        *why = "cannot start the worker thread";
        worker_free(w);
        return MJ_EIO;
    }
    *out = w;
    return 0;
}

static void wake(mj_worker *w)
{
    uint64_t one = 1;
    if (write(w->efd, &one, sizeof one) < 0 && errno != EAGAIN)
        mj_warn("worker %d: eventfd write failed: %s", w->cfg.index, strerror(errno));
}

void mj_worker_stop(mj_worker *w)
{
    if (!w) return;
    w->stop = true;
    wake(w);
    pthread_join(w->thread, NULL);
    worker_free(w);
}

int mj_worker_session_add(mj_worker *w, const mj_sfu_session_params *p)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_ADD;
    c.id = p->id;
    c.params = *p;
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

int mj_worker_session_remove(mj_worker *w, uint64_t id)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_REMOVE;
    c.id = id;
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

int mj_worker_session_set_send(mj_worker *w, uint64_t id, bool may_send)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_SET_SEND;
    c.id = id;
    c.may_send = may_send;
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

int mj_worker_remote_set_send(mj_worker *w, const char *room, uint64_t sender, bool may_send)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_REMOTE;
    c.id = sender;
    c.may_send = may_send;
    snprintf(c.room, sizeof c.room, "%s", room);
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

int mj_worker_room_branches(mj_worker *w, const char *room, uint64_t branches)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_BRANCHES;
    c.branches = branches;
    snprintf(c.room, sizeof c.room, "%s", room);
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

int mj_worker_session_keys(mj_worker *w, uint64_t id, const mj_srtp_keys *keys)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_KEYS;
    c.id = id;
    c.keys = *keys;
    int err = mj_ring_push(&w->cmds, &c);
    mj_srtp_keys_wipe(&c.keys);
    if (!err) wake(w);
    return err;
}

int mj_worker_session_handshake_failed(mj_worker *w, uint64_t id, bool closed)
{
    cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_HS_FAILED;
    c.id = id;
    c.may_send = closed;
    int err = mj_ring_push(&w->cmds, &c);
    if (!err) wake(w);
    return err;
}

void mj_worker_send_datagram(mj_worker *w, const mj_addr *to, const uint8_t *d, size_t n)
{
    if (to->tcp) {
        /* Only the worker's thread writes to its connections. */
        inbox_item e;
        bool ok = n <= sizeof e.pkt;
        if (ok) {
            e.kind = INBOX_TCP;
            e.to = *to;
            e.len = (uint16_t)n;
            memcpy(e.pkt, d, n);
            ok = inbox_put(w, &e);
        }
        if (!ok) {
            pthread_mutex_lock(&w->stats_mu);
            w->hs_tx_dropped++;
            pthread_mutex_unlock(&w->stats_mu);
        }
        return;
    }
    struct sockaddr_storage sa;
    socklen_t alen = mj_sockaddr_from_addr(to, &sa);
    if (sendto(w->fd, d, n, MSG_DONTWAIT, (struct sockaddr *)&sa, alen) < 0) {
        pthread_mutex_lock(&w->stats_mu);
        w->hs_tx_dropped++;
        pthread_mutex_unlock(&w->stats_mu);
    }
}

bool mj_worker_poll_event(mj_worker *w, mj_sfu_event *ev)
{
    return mj_ring_pop(&w->events, ev);
}

void mj_worker_stats_get(mj_worker *w, mj_worker_stats *out)
{
    pthread_mutex_lock(&w->stats_mu);
    *out = w->stats_pub;
    pthread_mutex_unlock(&w->stats_mu);
}

uint16_t mj_worker_port(const mj_worker *w)
{
    return w->port;
}

uint16_t mj_worker_tcp_port(const mj_worker *w)
{
    return w->tcp ? mj_tcp_port(w->tcp) : 0;
}
