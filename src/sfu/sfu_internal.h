/* Internals of the SFU core shared by sfu.c, fanout.c and slots.c. */
#ifndef MJ_SFU_INTERNAL_H
#define MJ_SFU_INTERNAL_H

#include "base/heap.h"
#include "base/map.h"
#include "proto/rtp.h"
#include "rtc/peer.h"
#include "sfu/sfu.h"

typedef struct mj_fanout mj_fanout;

/* One source of audio in a room, as the slot policy sees it: a local
 * session's send section or a remote sender (a branch's session). */
typedef struct mj_sender {
    uint64_t person;      /* never 0 */
    mj_time last_packet;  /* 0: none yet */
    mj_time last_voice;   /* last packet whose level said speech */
    mj_time slot_since;   /* when it took its slot */
    mj_time louder_since; /* clearly louder than the weakest holder since; NEVER: not */
    uint16_t loud;        /* smoothed loudness in 1/16 dB above -127 dBov */
    int8_t slot;          /* room slot it holds, -1 if none */
    bool has_level;       /* its last packet carried an RFC 6464 level */
} mj_sender;

/* A listener's sender reports (reports.c): its timer and, per slot, the
 * slot's running totals as they stood when it could first be sent
 * anything, plus what it was not sent since (its own voice): what it was
 * sent is the difference, with no counting per packet per listener.
 * 32-bit, wrapping as the SR's counts do. */
typedef struct mj_sr_state {
    mj_heap_node timer;
    uint32_t base_packets[MJ_SFU_MAX_SLOTS];
    uint32_t base_octets[MJ_SFU_MAX_SLOTS];
} mj_sr_state;

/* One media session. Listeners are the many, so keep this small: the peer
 * is most of it. */
typedef struct mj_session {
    mj_peer peer;
    mj_heap_node timer;
    uint64_t id;
    mj_fanout *room;
    uint32_t listener_index; /* in room->listeners, when nslots > 0 */
    uint32_t sender_index;   /* in room->senders, while it may send */
    /* Its person (snd.person too): beside nslots and opus_pt, which the
     * fan-out loop reads for every listener, so that skipping the
     * speaker's own sessions costs no further cache line. */
    uint64_t person;
    uint8_t opus_pt;        /* of its slots */
    uint8_t send_pt;        /* of its send section */
    uint8_t audio_level_id; /* of its send section */
    uint8_t nslots;
    bool send; /* has a send section */
    bool may_send;
    uint8_t naddrs;
    /* Addresses routed to this session: those ICE validated. */
    mj_addr addrs[MJ_ICE_MAX_REMOTE + 1];
    uint64_t rx_rtp, tx_rtp;
    /* When it sends: its state in the slot policy. */
    mj_sender snd;
    /* When it listens: its sender reports. */
    mj_sr_state sr;
} mj_session;

/* A room slot: one rewritten stream that some listeners receive. The
 * rewrite (SSRC, sequence, timestamp) is the same for every listener, so
 * it is computed once per packet, not once per listener. */
typedef struct mj_slot {
    mj_sender *src;      /* speaker in the slot, NULL when free */
    bool started;        /* has sent anything yet */
    bool mark_next;      /* set the marker bit on the next packet (switch) */
    uint16_t seq_offset; /* out = in + offset, for the current source */
    uint32_t ts_offset;
    uint16_t first_seq; /* first input seq taken from the current source */
    uint16_t last_seq;  /* highest output seq sent */
    uint32_t last_ts;   /* output timestamp of last_seq */
    mj_time last_time;  /* when last_seq was sent */
    /* Packets and payload octets sent on the stream so far, as sender
     * reports count them (a listener's share: see mj_sr_state). */
    uint32_t packets, octets;
} mj_slot;

/* A sender on a branch worker, as its room's home knows it. */
#define MJ_FANOUT_REMOTE_MAX 32
typedef struct mj_remote {
    mj_sender snd;
    uint64_t id;  /* the branch session; 0: entry free */
    bool refused; /* the control plane stopped it: its late packets are dropped */
    mj_time refused_at;
} mj_remote;

struct mj_fanout {
    char id[MJ_SFU_ROOM_ID_MAX + 1];
    int8_t home;              /* -1: here; else the home worker (this is a branch) */
    bool reported;            /* the last level report named someone */
    uint64_t branches;        /* workers that get this room's packets */
    const mj_sfu_config *cfg; /* the SFU's: export and hand-off callbacks */
    mj_heap *timers;          /* the SFU's room timers */
    mj_heap_node report;      /* next level report */
    uint32_t nsessions;
    mj_session **senders; /* local sessions that may send */
    uint32_t nsenders, senders_cap;
    mj_session **listeners; /* local sessions with slots */
    uint32_t nlisteners, listeners_cap;
    mj_slot slots[MJ_SFU_MAX_SLOTS];
    mj_remote remotes[MJ_FANOUT_REMOTE_MAX];
};

/* Sender reports for a worker's listeners: their timers and the wall
 * clock the shell gave. */
typedef struct mj_reports {
    mj_heap timers;  /* listeners' next reports */
    mj_time wall_at; /* monotonic time of wall_ns */
    int64_t wall_ns; /* unix nanoseconds; 0: no wall clock yet */
    uint64_t spread; /* the state of the intervals' random spread */
} mj_reports;

/* ---- fanout.c: membership, rewrite and copies ---- */

MJ_MUST_USE int mj_fanout_add(mj_fanout *r, mj_session *sess);
void mj_fanout_remove(mj_fanout *r, mj_session *sess);
/* Starts or stops forwarding a session's audio (its slot freed at once). */
MJ_MUST_USE int mj_fanout_set_send(mj_fanout *r, mj_session *sess, bool may_send);
/* Nothing keeps the room here: no session, no branch, no remote sender. */
bool mj_fanout_idle(const mj_fanout *r);
void mj_fanout_dispose(mj_fanout *r);
/* Sends a rewritten packet of slot `slot` to the room's local listeners,
 * except those of `person`. */
void mj_fanout_send(mj_fanout *r, unsigned slot, uint64_t person, const uint8_t *pkt, size_t len,
                    bool marker, mj_txq *tx, mj_sfu_stats *st);
/* Branch side: sends a packet the room's home rewrote (see mj_sfu_inject)
 * and notes the slot stream's progress, as the home does when it forwards. */
void mj_fanout_inject(mj_fanout *r, unsigned slot, uint64_t person, const uint8_t *pkt, size_t len,
                      bool marker, mj_time now, mj_txq *tx, mj_sfu_stats *st);
/* Forwards one decrypted RTP packet of a sender allowed to send; level is
 * the RFC 6464 level it carried, -1 when none. */
void mj_fanout_forward(mj_fanout *r, mj_sender *from, mj_time now, const mj_rtp_hdr *h, int level,
                       mj_txq *tx, mj_sfu_stats *st);
/* The remote sender with id (never 0): the known one or a new one. 0,
 * MJ_ESTATE when the control plane refused it, MJ_ELIMIT when the table is
 * full of live senders. */
MJ_MUST_USE int mj_fanout_remote(mj_fanout *r, uint64_t id, uint64_t person, mj_time now,
                                 mj_remote **out);
/* The control plane's word on a remote sender (see mj_sfu_remote_set_send). */
void mj_fanout_remote_set_send(mj_fanout *r, uint64_t id, bool may_send, mj_time now);
/* Forgets remote senders silent for MJ_SFU_REMOTE_FORGET, freeing their slots. */
void mj_fanout_remote_sweep(mj_fanout *r, mj_time now);

/* ---- slots.c: the slot policy and level reports ---- */

/* Takes a packet's level into the sender's smoothed loudness. */
void mj_slots_hear(mj_sender *snd, mj_time now, int level);
/* RFC 6464 level (-dBov) at or below which a packet counts as speech. */
#define MJ_SLOTS_VOICE_LEVEL 70
/* Whether a packet's level (-1: it had none) says speech. */
static inline bool mj_slots_voice(int level)
{
    return level >= 0 && level <= MJ_SLOTS_VOICE_LEVEL;
}
/* The slot a sender without one should take now, or -1 (it notes how
 * long it has been clearly louder than the weakest holder). */
int mj_slots_choose(const mj_fanout *r, mj_sender *c, int level, mj_time now);
/* Frees a sender's slot, if it holds one. */
void mj_slots_release(mj_fanout *r, mj_sender *snd);
/* Who is speaking now, loudest first, one entry per person: up to cap
 * entries; returns how many. */
size_t mj_slots_levels(const mj_fanout *r, mj_time now, mj_sfu_level *out, size_t cap);

/* ---- reports.c: sender reports for listeners ---- */

void mj_reports_init(mj_reports *rp);
void mj_reports_dispose(mj_reports *rp);
void mj_reports_set_wall_clock(mj_reports *rp, mj_time now, int64_t unix_ns);
/* A listener's keys are ready: what it is sent counts from here, and its
 * first report is scheduled. Sessions without slots are ignored. */
void mj_reports_start(mj_reports *rp, mj_session *l, mj_time now);
void mj_reports_stop(mj_reports *rp, mj_session *l);
/* Sends the reports due at now, MJ_SFU_REPORTS_PER_CALL at most. */
void mj_reports_run(mj_reports *rp, mj_time now, mj_txq *tx, mj_sfu_stats *st);
/* The earliest report due, MJ_TIME_NEVER when none. */
mj_time mj_reports_next(const mj_reports *rp);
/* A slot packet the fan-out did not send to a listener ready for it (its
 * own voice, or a failed protect): it does not count in its reports. */
static inline void mj_reports_unsent(mj_session *l, unsigned slot, size_t payload)
{
    l->sr.base_packets[slot]++;
    l->sr.base_octets[slot] += (uint32_t)payload;
}

#endif
