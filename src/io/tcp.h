/* ICE-TCP for one media worker: a passive listening socket (RFC 6544) and
 * its connections, each carrying RFC 4571 frames (proto/framing.h).
 *
 * A thin shell like the worker's UDP side: every frame that arrives goes
 * to the same SFU core as a datagram would, from the connection's own
 * address (the peer's IP and port, with mj_addr.tcp set), and everything
 * the core sends to such an address is framed onto its connection. The
 * core binds a connection to a session by its first valid STUN check,
 * exactly as it binds a UDP source address.
 *
 * Bounded in every direction:
 *   at most max_conns connections; one more is accepted and closed at once;
 *   a connection no valid check has bound within ice_timeout is closed,
 *     and so is one whose session is gone or whose checks stopped
 *     (mj_sfu_addr_routed, looked at as often);
 *   a frame longer than MJ_FRAME_MAX closes its connection;
 *   bytes the peer does not read wait in the kernel (MJ_TCP_SNDBUF) and
 *     then in a buffer of out_max at most; a connection that would need
 *     more is dropped, not grown (real-time audio that old is worthless
 *     anyway).
 * A connection that closes, for any reason, is told to the core
 * (mj_sfu_addr_closed), which ends its session's transport.
 *
 * Owned by the worker thread; nothing here takes a lock. Connections die
 * in two steps: marked (socket closed, nothing more sent or read) where
 * it happens, possibly inside the core's own calls (a full buffer found
 * while the core forwards), and told to the core at the next
 * mj_tcp_tick, outside of it. */
#ifndef MJ_IO_TCP_H
#define MJ_IO_TCP_H

#include "base/addr.h"
#include "base/time.h"
#include "base/txq.h"
#include "sfu/sfu.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mj_tcp mj_tcp;

#define MJ_TCP_ICE_TIMEOUT MJ_SEC(5)
#define MJ_TCP_OUT_MAX     (32 * 1024)
/* The kernel's send buffer of a connection (it doubles it): without a
 * cap, autotuning lets a peer that does not read hold megabytes. */
#define MJ_TCP_SNDBUF (32 * 1024)

typedef struct mj_tcp_config {
    mj_addr bind;        /* IP and port to listen on */
    uint32_t max_conns;  /* connections at once */
    mj_time ice_timeout; /* 0: MJ_TCP_ICE_TIMEOUT */
    size_t out_max;      /* 0: MJ_TCP_OUT_MAX */
    int epfd;            /* the worker's epoll */
    uint64_t key;        /* epoll key of the listener; connections use key + 1 + slot */
} mj_tcp_config;

typedef struct mj_tcp_stats {
    uint64_t accepted;
    uint64_t refused_full;  /* accepted and closed: max_conns were open */
    uint64_t closed_ice;    /* no session bound it in time, or its session is gone */
    uint64_t closed_slow;   /* the peer did not read: out_max reached */
    uint64_t closed_bad;    /* a frame too long */
    uint64_t closed_remote; /* the peer closed it, or the socket failed */
    uint64_t rx_frames, tx_frames;
    uint64_t tx_no_conn; /* frames for a connection that is gone */
    uint64_t open;       /* connections now */
} mj_tcp_stats;

/* Binds and listens (a port in use fails here, with *why), and adds the
 * listener to cfg->epfd. */
int mj_tcp_open(const mj_tcp_config *cfg, mj_tcp **out, const char **why);
/* Closes every connection and the listener. */
void mj_tcp_free(mj_tcp *t);
uint16_t mj_tcp_port(const mj_tcp *t);

/* Whether an epoll key is one of this listener's or its connections'. */
bool mj_tcp_owns(const mj_tcp *t, uint64_t key);
/* Handles epoll events for such a key: accepts, reads frames into the
 * core, writes what waits. */
void mj_tcp_event(mj_tcp *t, uint64_t key, uint32_t events, mj_time now, mj_sfu *sfu, mj_txq *tx);
/* Frames one datagram onto the connection of `to` (to->tcp). Counted and
 * dropped when there is none; may mark the connection dead (out_max). */
void mj_tcp_send(mj_tcp *t, const mj_addr *to, const uint8_t *d, size_t n);
/* Closes connections past their deadline without a session, and tells
 * the core of every connection that died since the last call. Call once
 * per loop turn, outside the core's calls. */
void mj_tcp_tick(mj_tcp *t, mj_time now, mj_sfu *sfu, mj_txq *tx);
/* When mj_tcp_tick has work next (MJ_TIME_NEVER: none). */
mj_time mj_tcp_next_timeout(const mj_tcp *t);
const mj_tcp_stats *mj_tcp_stats_get(const mj_tcp *t);

#endif
