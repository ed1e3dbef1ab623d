/* A small reorder and jitter buffer for one received audio stream (one
 * WHEP slot), as the recorder plays it out every 20 ms. Pure: time is
 * passed in, packets are copied into the buffer's own fixed storage.
 *
 * Packets are placed by extended RTP sequence number (RFC 3550 §A.1) in
 * a ring of MJ_JITTER_SLOTS entries. Playout starts once the first packet
 * has waited `delay` (the reorder allowance), and then takes one sequence
 * number per tick:
 *   PACKET  the packet with the next number is here: decode it;
 *   LOST    it is missing but later ones are here: conceal it (Opus PLC,
 *           or in-band FEC from the following packet, which pop offers);
 *   EMPTY   nothing is buffered: the speaker paused, the slot changed
 *           hands, or the network stalled. Playout stops and starts again,
 *           with the same delay, when packets come back.
 * Packets older than the playout point are late and dropped; duplicates
 * are dropped; a burst that would hold more than MJ_JITTER_SLOTS drops
 * the oldest. Under a steady stream the buffer stays near delay/20 ms
 * packets; when it holds more than that plus MJ_JITTER_SLACK it drops one
 * per tick to bring the latency back. */
#ifndef MJ_CLIENT_JITTER_H
#define MJ_CLIENT_JITTER_H

#include "base/time.h"
#include "proto/rtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_JITTER_SLOTS   32 /* power of two: 640 ms of 20 ms packets */
#define MJ_JITTER_SLACK   6
#define MJ_JITTER_PAYLOAD 1280 /* largest Opus packet (1275) and a little */

enum mj_jitter_push_result {
    MJ_JITTER_STORED = 0,
    MJ_JITTER_DUPLICATE,
    MJ_JITTER_LATE,
    MJ_JITTER_TOO_BIG,
};

enum mj_jitter_out {
    MJ_JITTER_EMPTY = 0,
    MJ_JITTER_PACKET,
    MJ_JITTER_LOST,
};

typedef struct mj_jitter_entry {
    bool used;
    int64_t ext; /* extended sequence number */
    mj_time arrival;
    uint16_t len;
    uint8_t data[MJ_JITTER_PAYLOAD];
} mj_jitter_entry;

typedef struct mj_jitter_stats {
    uint64_t pushed, duplicates, late, too_big, overflow;
    uint64_t played, lost, dropped, underruns;
} mj_jitter_stats;

typedef struct mj_jitter {
    mj_time delay;
    unsigned target; /* packets the delay holds at 20 ms each */
    bool started, buffering;
    int64_t next; /* extended number of the next packet to play */
    unsigned count;
    mj_seq_ext ext;
    mj_jitter_stats st;
    mj_jitter_entry e[MJ_JITTER_SLOTS];
} mj_jitter;

void mj_jitter_init(mj_jitter *j, mj_time delay);

/* Stores a copy of the payload of the packet with this RTP sequence
 * number, received at now. */
enum mj_jitter_push_result mj_jitter_push(mj_jitter *j, uint16_t seq, const uint8_t *payload,
                                          size_t len, mj_time now);

/* One playout tick at now. For PACKET, *data and *len hold the payload, valid
 * until the next push or pop. For LOST, *data and *len hold the payload of the
 * packet right after the lost one when it is buffered (for FEC decoding),
 * else NULL and 0. */
enum mj_jitter_out mj_jitter_pop(mj_jitter *j, mj_time now, const uint8_t **data, size_t *len);

#endif
