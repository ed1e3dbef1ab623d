#include "io/tcp.h"

#include "base/log.h"
#include "base/map.h"
#include "io/sockaddr.h"
#include "proto/framing.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define ACCEPTS_PER_TURN 32
#define READS_PER_TURN   4 /* per connection and wake-up: others get their turn */
#define BACKLOG          128

typedef enum conn_end {
    END_NONE = 0,
    END_ICE,
    END_SLOW,
    END_BAD,
    END_REMOTE,
} conn_end;

typedef struct conn {
    int fd;
    uint32_t slot;
    conn_end end;     /* set: dead, waiting for mj_tcp_tick */
    bool writing;     /* EPOLLOUT is armed */
    mj_time check_at; /* when to look whether a session holds it */
    struct conn *next_dead;
    mj_addr addr; /* the peer, tcp set */
    uint8_t *out; /* bytes the socket did not take yet; NULL when none */
    size_t out_off, out_len;
    mj_deframer in;
} conn;

struct mj_tcp {
    mj_tcp_config cfg;
    int fd;
    int spare; /* a descriptor kept to refuse a connection when there are none left */
    uint16_t port;
    conn **conns;   /* by slot */
    uint32_t *free; /* free slots, a stack */
    uint32_t nfree;
    mj_map by_addr; /* hash(addr) -> conn */
    conn *dead;     /* marked, not yet told to the core */
    mj_time next_check;
    mj_tcp_stats stats;
};

static uint64_t key_of(const mj_tcp *t, const conn *c)
{
    return t->cfg.key + 1 + c->slot;
}

static conn *find(const mj_tcp *t, const mj_addr *a)
{
    size_t it = 0;
    conn *c;
    while ((c = mj_map_next(&t->by_addr, mj_addr_hash(a), &it)))
        if (mj_addr_eq(&c->addr, a)) return c;
    return NULL;
}

/* Marks a connection dead: its socket closes now (epoll forgets it), the
 * core hears of it at the next tick. */
static void kill_conn(mj_tcp *t, conn *c, conn_end why)
{
    if (c->end) return;
    c->end = why;
    close(c->fd);
    c->fd = -1;
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = 0;
    c->next_dead = t->dead;
    t->dead = c;
    switch (why) {
    case END_ICE: t->stats.closed_ice++; break;
    case END_SLOW: t->stats.closed_slow++; break;
    case END_BAD: t->stats.closed_bad++; break;
    case END_REMOTE:
    case END_NONE: t->stats.closed_remote++; break;
    }
}

static void conn_free(mj_tcp *t, conn *c)
{
    mj_map_remove(&t->by_addr, mj_addr_hash(&c->addr), c);
    t->conns[c->slot] = NULL;
    t->free[t->nfree++] = c->slot;
    t->stats.open--;
    free(c);
}

static void set_writing(mj_tcp *t, conn *c, bool on)
{
    if (c->writing == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0u)};
    ev.data.u64 = key_of(t, c);
    if (epoll_ctl(t->cfg.epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        kill_conn(t, c, END_REMOTE);
        return;
    }
    c->writing = on;
}

/* Keeps bytes the socket did not take, within out_max. */
static void keep(mj_tcp *t, conn *c, const uint8_t *p, size_t n)
{
    if (c->out_len + n > t->cfg.out_max) {
        kill_conn(t, c, END_SLOW);
        return;
    }
    if (!c->out) {
        c->out = malloc(t->cfg.out_max);
        if (!c->out) {
            kill_conn(t, c, END_SLOW);
            return;
        }
        c->out_off = 0;
    }
    if (c->out_off + c->out_len + n > t->cfg.out_max) {
        memmove(c->out, c->out + c->out_off, c->out_len);
        c->out_off = 0;
    }
    memcpy(c->out + c->out_off + c->out_len, p, n);
    c->out_len += n;
    set_writing(t, c, true);
}

static bool would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

void mj_tcp_send(mj_tcp *t, const mj_addr *to, const uint8_t *d, size_t n)
{
    conn *c = find(t, to);
    if (!c || c->end || n > 0xffff || n == 0) {
        t->stats.tx_no_conn++;
        return;
    }
    t->stats.tx_frames++;
    uint8_t hdr[MJ_FRAME_HDR];
    mj_frame_header(hdr, n);
    if (c->out_len) {
        keep(t, c, hdr, sizeof hdr);
        if (!c->end) keep(t, c, d, n);
        return;
    }
    struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof hdr},
                           {.iov_base = (void *)d, .iov_len = n}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t w = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0) {
        if (!would_block()) {
            kill_conn(t, c, END_REMOTE);
            return;
        }
        w = 0;
    }
    size_t sent = (size_t)w;
    if (sent < sizeof hdr) {
        keep(t, c, hdr + sent, sizeof hdr - sent);
        sent = 0;
    } else {
        sent -= sizeof hdr;
    }
    if (!c->end && sent < n) keep(t, c, d + sent, n - sent);
}

static void write_out(mj_tcp *t, conn *c)
{
    while (c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0) {
            if (!would_block()) kill_conn(t, c, END_REMOTE);
            return;
        }
        c->out_off += (size_t)w;
        c->out_len -= (size_t)w;
    }
    /* Drained: the buffer goes until the peer falls behind again. */
    free(c->out);
    c->out = NULL;
    c->out_off = 0;
    set_writing(t, c, false);
}

static void read_in(mj_tcp *t, conn *c, mj_time now, mj_sfu *sfu, mj_txq *tx)
{
    for (int round = 0; round < READS_PER_TURN && !c->end; round++) {
        size_t cap;
        uint8_t *p = mj_deframer_space(&c->in, &cap);
        ssize_t r = recv(c->fd, p, cap, MSG_DONTWAIT);
        if (r < 0 && would_block()) return;
        if (r <= 0) {
            kill_conn(t, c, END_REMOTE);
            return;
        }
        mj_deframer_wrote(&c->in, (size_t)r);
        uint8_t *f;
        size_t n;
        int got = 0;
        /* The core may kill this connection while it handles a frame (its
         * answer overflowed): the buffer stays until the tick, but the
         * rest of what came is not read. */
        while (!c->end && (got = mj_deframer_next(&c->in, &f, &n)) == 1) {
            t->stats.rx_frames++;
            mj_sfu_handle_datagram(sfu, now, f, n, &c->addr, tx);
        }
        if (!c->end && got < 0) {
            kill_conn(t, c, END_BAD);
            return;
        }
        if ((size_t)r < cap) return;
    }
}

/* Out of descriptors, a pending connection would keep the listener
 * readable and the worker spinning: the spare one makes room to accept it
 * and close it. */
static bool refuse_one(mj_tcp *t)
{
    if (t->spare < 0) return false;
    close(t->spare);
    int fd = accept4(t->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        t->stats.refused_full++;
    }
    t->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0;
}

static void accept_new(mj_tcp *t, mj_time now)
{
    for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(t->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE) && refuse_one(t)) continue;
        if (fd < 0) return;
        mj_addr a;
        conn *c = NULL;
        if (t->nfree == 0 || mj_sockaddr_to_addr(&ss, &a) != 0 || !(c = calloc(1, sizeof *c))) {
            t->stats.refused_full++;
            close(fd);
            continue;
        }
        a.tcp = true;
        int one = 1, sndbuf = MJ_TCP_SNDBUF;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        c->fd = fd;
        c->addr = a;
        c->slot = t->free[--t->nfree];
        c->check_at = now + t->cfg.ice_timeout;
        mj_deframer_init(&c->in, MJ_FRAME_MAX);
        struct epoll_event ev = {.events = EPOLLIN};
        ev.data.u64 = key_of(t, c);
        if (epoll_ctl(t->cfg.epfd, EPOLL_CTL_ADD, fd, &ev) != 0 ||
            mj_map_add(&t->by_addr, mj_addr_hash(&a), c) != 0) {
            t->free[t->nfree++] = c->slot;
            close(fd);
            free(c);
            t->stats.refused_full++;
            continue;
        }
        t->conns[c->slot] = c;
        t->stats.accepted++;
        t->stats.open++;
        if (c->check_at < t->next_check) t->next_check = c->check_at;
    }
}

bool mj_tcp_owns(const mj_tcp *t, uint64_t key)
{
    return t && key >= t->cfg.key && key <= t->cfg.key + t->cfg.max_conns;
}

void mj_tcp_event(mj_tcp *t, uint64_t key, uint32_t events, mj_time now, mj_sfu *sfu, mj_txq *tx)
{
    if (key == t->cfg.key) {
        accept_new(t, now);
        return;
    }
    conn *c = t->conns[key - t->cfg.key - 1];
    if (!c || c->end) return; /* closed earlier in this turn */
    if (events & EPOLLOUT) write_out(t, c);
    if (!c->end && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_in(t, c, now, sfu, tx);
}

/* Connections whose deadline came: kept while a session holds them. */
static void check_all(mj_tcp *t, mj_time now, mj_sfu *sfu)
{
    mj_time next = MJ_TIME_NEVER;
    for (uint32_t i = 0; i < t->cfg.max_conns; i++) {
        conn *c = t->conns[i];
        if (!c || c->end) continue;
        if (c->check_at <= now) {
            if (!mj_sfu_addr_routed(sfu, now, &c->addr)) {
                kill_conn(t, c, END_ICE);
                continue;
            }
            c->check_at = now + t->cfg.ice_timeout;
        }
        next = mj_time_min(next, c->check_at);
    }
    t->next_check = next;
}

void mj_tcp_tick(mj_tcp *t, mj_time now, mj_sfu *sfu, mj_txq *tx)
{
    if (now >= t->next_check) check_all(t, now, sfu);
    while (t->dead) {
        conn *c = t->dead;
        t->dead = c->next_dead;
        /* The core may send (nothing to this address: it is gone), and
         * may kill no connection: its sends to dead ones are dropped. */
        mj_sfu_addr_closed(sfu, now, &c->addr, tx);
        conn_free(t, c);
    }
}

mj_time mj_tcp_next_timeout(const mj_tcp *t)
{
    return t->dead ? 0 : t->next_check;
}

const mj_tcp_stats *mj_tcp_stats_get(const mj_tcp *t)
{
    return &t->stats;
}

uint16_t mj_tcp_port(const mj_tcp *t)
{
    return t->port;
}

static int listen_on(mj_tcp *t, const char **why)
{
    struct sockaddr_storage sa;
    socklen_t alen = mj_sockaddr_from_addr(&t->cfg.bind, &sa);
    t->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0) {
        *why = "cannot create the media TCP socket";
        return MJ_EIO;
    }
    int one = 1;
    setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(t->fd, (struct sockaddr *)&sa, alen) != 0) {
        *why = errno == EADDRINUSE ? "the media TCP port is already in use (--media-tcp-port "
                                     "chooses another, 0 none)"
                                   : "cannot bind the media TCP socket";
        return MJ_EIO;
    }
    if (listen(t->fd, BACKLOG) != 0) {
        *why = "cannot listen on the media TCP socket";
        return MJ_EIO;
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    mj_addr b;
    if (getsockname(t->fd, (struct sockaddr *)&bound, &blen) == 0 &&
        mj_sockaddr_to_addr(&bound, &b) == 0)
        t->port = b.port;
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.u64 = t->cfg.key;
    if (epoll_ctl(t->cfg.epfd, EPOLL_CTL_ADD, t->fd, &ev) != 0) {
        *why = "cannot watch the media TCP socket";
        return MJ_EIO;
    }
    return 0;
}

int mj_tcp_open(const mj_tcp_config *cfg, mj_tcp **out, const char **why)
{
    if (cfg->max_conns == 0) return MJ_EINVAL;
    mj_tcp *t = calloc(1, sizeof *t);
    if (!t) return MJ_ENOMEM;
    t->cfg = *cfg;
    t->fd = -1;
    t->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!t->cfg.ice_timeout) t->cfg.ice_timeout = MJ_TCP_ICE_TIMEOUT;
    if (!t->cfg.out_max) t->cfg.out_max = MJ_TCP_OUT_MAX;
    t->next_check = MJ_TIME_NEVER;
    mj_map_init(&t->by_addr);
    t->conns = calloc(cfg->max_conns, sizeof *t->conns);
    t->free = calloc(cfg->max_conns, sizeof *t->free);
    if (!t->conns || !t->free) {
        mj_tcp_free(t);
        return MJ_ENOMEM;
    }
    for (uint32_t i = 0; i < cfg->max_conns; i++)
        t->free[t->nfree++] = cfg->max_conns - 1 - i;
    int err = listen_on(t, why);
    if (err) {
        mj_tcp_free(t);
        return err;
    }
    *out = t;
    return 0;
}

void mj_tcp_free(mj_tcp *t)
{
    if (!t) return;
    for (uint32_t i = 0; t->conns && i < t->cfg.max_conns; i++) {
        conn *c = t->conns[i];
        if (!c) continue;
        if (c->fd >= 0) close(c->fd);
        free(c->out);
        free(c);
    }
    if (t->fd >= 0) close(t->fd);
    if (t->spare >= 0) close(t->spare);
    mj_map_dispose(&t->by_addr);
    free(t->conns);
    free(t->free);
    free(t);
}
