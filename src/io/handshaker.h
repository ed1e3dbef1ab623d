/* The handshake threads: the server's DTLS handshakes, off the media
 * workers' forwarding threads.
 *
 * A worker's SFU tells the handshaker about its sessions (mj_sfu_hs:
 * made, a DTLS datagram, done, gone) through mj_handshaker_post, from the
 * worker's thread; each session belongs to one handshake thread (by its
 * id), whose table (rtc/handshakes.h) runs the handshake. What the table
 * produces goes out through the config's callbacks, on the handshake
 * thread: datagrams are sent from the session's worker socket (route:
 * the worker's index), keys and failures go back through the worker's
 * command queue. So a join storm costs the forwarding thread a few queue
 * operations per join, and forwarding never delays a handshake. */
#ifndef MJ_IO_HANDSHAKER_H
#define MJ_IO_HANDSHAKER_H

#include "rtc/handshakes.h"
#include "sfu/sfu.h"

#include <stdint.h>

typedef struct mj_handshaker mj_handshaker;

typedef struct mj_handshaker_config {
    int threads;
    mj_dtls_identity *identity;
    uint32_t max_sessions; /* per thread */
    /* Called on the handshake threads (see mj_handshakes_out). */
    mj_handshakes_out out;
} mj_handshaker_config;

int mj_handshaker_start(const mj_handshaker_config *cfg, mj_handshaker **out, const char **why);
/* Stops and joins the threads; what is posted afterwards waits unread
 * until mj_handshaker_free. Split from the free so that the workers,
 * which post to the handshaker, can stop in between. */
void mj_handshaker_stop(mj_handshaker *h);
void mj_handshaker_free(mj_handshaker *h);

/* Any thread. A thread's queue holds MJ_HANDSHAKER_QUEUE_MAX messages;
 * beyond, datagrams are dropped (DTLS retransmits) and counted. */
#define MJ_HANDSHAKER_QUEUE_MAX 1024
void mj_handshaker_post(mj_handshaker *h, uint32_t route, const mj_sfu_hs *m);

typedef struct mj_handshaker_stats {
    mj_handshakes_stats tables; /* summed over the threads */
    uint64_t queue_dropped;
} mj_handshaker_stats;
void mj_handshaker_stats_get(mj_handshaker *h, mj_handshaker_stats *out);

#endif
