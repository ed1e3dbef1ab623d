/* Internals of the SFU core shared by sfu.c and fanout.c. */
#ifndef MJ_SFU_INTERNAL_H
#define MJ_SFU_INTERNAL_H

#include "base/heap.h"
#include "base/map.h"
#include "rtc/peer.h"
#include "sfu/sfu.h"

typedef struct mj_fanout mj_fanout;

/* One WHIP or WHEP session. Listeners are the many, so keep this small:
 * the peer is most of it. */
typedef struct mj_session {
    mj_peer peer;
    mj_heap_node timer;
    uint64_t id;
    mj_fanout *room;
    uint32_t room_index;     /* position in room->speakers or room->listeners */
    uint8_t role;            /* mj_sfu_role */
    uint8_t opus_pt;
    uint8_t audio_level_id;  /* publisher */
    uint8_t nslots;          /* subscriber */
    bool closed;             /* removed from routing, waiting to be freed */
    uint8_t naddrs;
    /* Addresses routed to this session: those ICE validated. */
    mj_addr addrs[MJ_ICE_MAX_REMOTE + 1];
    uint64_t rx_rtp, tx_rtp;
    /* Publisher state for the fan-out. */
    int8_t slot;             /* room slot it occupies, -1 if none */
    mj_time last_active;     /* last packet louder than the activity threshold */
    mj_time last_packet;
} mj_session;

/* A room slot: one rewritten stream that some listeners receive. The
 * rewrite (SSRC, sequence, timestamp) is the same for every listener, so
 * it is computed once per packet, not once per listener. */
typedef struct mj_slot {
    mj_session *src;     /* speaker in the slot, NULL when free */
    bool started;        /* has sent anything yet */
    bool mark_next;      /* set the marker bit on the next packet (switch) */
    uint16_t seq_offset; /* out = in + offset, for the current source */
    uint32_t ts_offset;
    uint16_t first_seq;  /* first input seq taken from the current source */
    uint16_t last_seq;   /* highest output seq sent */
    uint32_t last_ts;    /* output timestamp of last_seq */
    mj_time last_time;   /* when last_seq was sent */
} mj_slot;

struct mj_fanout {
    char id[MJ_SFU_ROOM_ID_MAX + 1];
    uint64_t branches;        /* workers that get this room's packets */
    mj_sfu_export_fn export;  /* copied from the SFU's configuration */
    void *export_ctx;
    mj_session **speakers;
    uint32_t nspeakers, speakers_cap;
    mj_session **listeners;
    uint32_t nlisteners, listeners_cap;
    mj_slot slots[MJ_SFU_MAX_SLOTS];
};

/* A room's fan-out: its forwarding state on this worker (fanout.c). */
MJ_MUST_USE int mj_fanout_add(mj_fanout *r, mj_session *sess);
void mj_fanout_remove(mj_fanout *r, mj_session *sess);
static inline bool mj_fanout_empty(const mj_fanout *r)
{
    return r->nspeakers == 0 && r->nlisteners == 0;
}
void mj_fanout_dispose(mj_fanout *r);
/* Sends a rewritten packet of slot `slot` to the room's local listeners. */
void mj_fanout_send(mj_fanout *r, unsigned slot, const uint8_t *pkt, size_t len, bool marker,
                     mj_txq *tx, mj_sfu_stats *st);
/* Forwards one decrypted RTP packet from a speaker to the room. */
void mj_fanout_forward(mj_fanout *r, mj_session *from, mj_time now, const uint8_t *pkt, size_t len,
                     mj_txq *tx, mj_sfu_stats *st);

#endif
