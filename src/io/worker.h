/* A media worker: one thread, one UDP port, one mj_sfu.
 *
 * The thread waits in epoll on its socket and an eventfd, receives with
 * recvmmsg, runs the SFU core, and sends the batch the core produced with
 * sendmmsg. The control plane talks to it only through messages: commands
 * go in through a locked queue and the eventfd; events come back through
 * another queue and a wake-up callback. No pointer to worker state ever
 * crosses threads. The workers of a room spread over several hand each
 * other packets the same way, through each one's inbox (a bounded ring
 * and the eventfd): the home's slot packets to its branches, and the
 * packets of a branch's speakers to the home. */
#ifndef MJ_IO_WORKER_H
#define MJ_IO_WORKER_H

#include "base/addr.h"
#include "io/tcp.h"
#include "sfu/sfu.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mj_worker mj_worker;

#define MJ_WORKER_TCP_CONNS 1000

typedef struct mj_worker_config {
    int index;
    mj_addr bind; /* IP and port of the UDP socket */
    /* The socket binds every address of bind's family but takes datagrams
     * only from this machine's own addresses (io/localaddr.h). */
    bool local_only;
    /* ICE-TCP (io/tcp.h) on the same IP and this port; 0: none. */
    uint16_t tcp_port;
    uint32_t max_tcp_conns; /* 0: MJ_WORKER_TCP_CONNS */
    mj_dtls_identity *identity;
    uint32_t max_sessions;
    mj_time consent_timeout; /* 0: 30 s */
    mj_time connect_timeout; /* 0: 10 s */
    /* Called on the worker thread when events are waiting. */
    void (*on_event)(void *ctx);
    void *ctx;
    /* All the workers, indexed by their index (filled as they start), so
     * that a room's home worker can hand packets to its branch workers. */
    mj_worker *const *group;
    int ngroup;
    /* Set: the sessions' DTLS handshakes run on these threads (routed by
     * this worker's index), which hand the keys back through
     * mj_worker_session_keys. NULL: on the worker thread. */
    struct mj_handshaker *handshaker;
} mj_worker_config;

/* Binds the socket (so a port in use fails here, with *why) and starts
 * the thread. */
int mj_worker_start(const mj_worker_config *cfg, mj_worker **out, const char **why);
/* Stops the thread, frees every session, closes the socket. */
void mj_worker_stop(mj_worker *w);

/* Queue a command; the worker applies it within one loop turn. */
int mj_worker_session_add(mj_worker *w, const mj_sfu_session_params *p);
int mj_worker_session_remove(mj_worker *w, uint64_t id);
/* Whether what a session sends is forwarded (mj_sfu_session_set_send). */
int mj_worker_session_set_send(mj_worker *w, uint64_t id, bool may_send);
/* The room's branch workers (bit i: worker i), for its home worker. */
int mj_worker_room_branches(mj_worker *w, const char *room, uint64_t branches);
/* For a room's home: a sender on one of its branches may no longer send
 * (or again may), see mj_sfu_remote_set_send. */
int mj_worker_remote_set_send(mj_worker *w, const char *room, uint64_t sender, bool may_send);

/* Any thread (the handshake threads): a session's handshake is done, with
 * these keys (copied, and wiped from the queue once taken), or it failed
 * (closed: the remote sent close_notify). */
int mj_worker_session_keys(mj_worker *w, uint64_t id, const mj_srtp_keys *keys);
int mj_worker_session_handshake_failed(mj_worker *w, uint64_t id, bool closed);
/* Any thread: one datagram from the worker's socket, now (a handshake
 * thread's answer). A refusal is counted, not retried: DTLS retransmits.
 * One for an ICE-TCP connection goes through the worker's inbox: only its
 * thread writes to its connections. */
void mj_worker_send_datagram(mj_worker *w, const mj_addr *to, const uint8_t *d, size_t n);

/* Control thread: next event from the worker, false when none. */
bool mj_worker_poll_event(mj_worker *w, mj_sfu_event *ev);

/* Worker-side counters as of the last publish (twice a second), plus the
 * shell's own (socket errors, truncated datagrams). */
typedef struct mj_worker_stats {
    mj_sfu_stats sfu;
    uint64_t rx_truncated; /* datagrams larger than the receive buffer */
    uint64_t rx_not_local; /* local_only: datagrams from another machine */
    uint64_t tx_dropped;   /* datagrams the socket would not take */
    uint64_t loop_turns;
    uint64_t cmd_errors;    /* commands the SFU refused */
    uint64_t exported;      /* slot packets handed to branch workers */
    uint64_t handed_off;    /* speaker packets handed to a room's home worker */
    uint64_t injected;      /* packets received from other workers */
    uint64_t inbox_dropped; /* packets lost to a full inbox */
    uint64_t hs_tx_dropped; /* handshake datagrams the socket refused */
    mj_tcp_stats tcp;       /* ICE-TCP, zero when off */
    /* The worker thread's CPU time over wall time in the last publish
     * interval, in thousandths: how close it is to saturation. */
    uint32_t load_permille;
} mj_worker_stats;
void mj_worker_stats_get(mj_worker *w, mj_worker_stats *out);
uint16_t mj_worker_port(const mj_worker *w);
/* The ICE-TCP port, 0 when off. */
uint16_t mj_worker_tcp_port(const mj_worker *w);

#endif
