/* The SFU core: everything one media worker does, without the I/O.
 *
 * An mj_sfu owns the sessions and rooms of one worker thread. The worker
 * shell feeds it datagrams and the time and hands it a transmit queue; the
 * SFU demultiplexes (STUN by ufrag, everything else by the address ICE
 * validated), runs each session's peer, and forwards a speaker's audio to
 * the room's listeners through its fan-out (fanout.c). Unauthenticated
 * datagrams never allocate state. Nothing here reads a clock, touches a
 * socket or takes a lock, so a test can run a whole room in one process.
 *
 * Ownership: the SFU owns its sessions and rooms. Session parameters are
 * copied in; events come back out through mj_sfu_poll_event. */
#ifndef MJ_SFU_SFU_H
#define MJ_SFU_SFU_H

#include "base/addr.h"
#include "base/err.h"
#include "base/time.h"
#include "base/txq.h"
#include "rtc/dtls.h"
#include "rtc/ice.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_SFU_MAX_SLOTS 3     /* receive slots a listener may have */
#define MJ_SFU_ROOM_ID_MAX 64
#define MJ_SFU_SESSION_ID_HEX 32 /* 128-bit session ids as hex */

typedef struct mj_sfu mj_sfu;

typedef enum mj_sfu_role {
    MJ_SFU_PUBLISHER = 0,  /* WHIP: sends audio into the room */
    MJ_SFU_SUBSCRIBER = 1, /* WHEP: receives the room through slots */
} mj_sfu_role;

/* Everything a worker needs to create a session; filled in by the control
 * plane from the token and the SDP offer. Plain data, copied. */
typedef struct mj_sfu_session_params {
    uint64_t id;
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    mj_sfu_role role;
    char local_ufrag[MJ_ICE_UFRAG_MAX + 1];
    char local_pwd[MJ_ICE_PWD_MAX + 1];
    char remote_ufrag[MJ_ICE_UFRAG_MAX + 1];
    char remote_pwd[MJ_ICE_PWD_MAX + 1];
    char remote_fp_alg[16];
    uint8_t remote_fp[MJ_DTLS_FP_MAX];
    uint8_t remote_fp_len;
    uint8_t opus_pt;        /* the offer's Opus payload type */
    uint8_t audio_level_id; /* publisher: RFC 6464 extension id, 0 if none */
    uint8_t nslots;         /* subscriber: receive slots, 1..MJ_SFU_MAX_SLOTS */
    /* The room's branch workers as this worker should know them (see
     * mj_sfu_room_branches); sent with every session so that a room made
     * again after it emptied starts with the right set. */
    uint64_t branches;
} mj_sfu_session_params;

/* The SSRC a subscriber's slot i carries (the same in every room: each
 * listener has its own SRTP keys). Goes into the SDP answer. */
static inline uint32_t mj_sfu_slot_ssrc(unsigned slot)
{
    return 0x4d4a0001u + slot; /* "MJ" */
}

/* A large room's listeners may be spread over several workers. The room's
 * home worker (where its speakers are) rewrites each speaker packet once,
 * sends it to its own listeners, and exports it to the room's branch
 * workers, which inject it into their share of the room (their own
 * listeners, their own SRTP keys). The export is one call per speaker
 * packet, not per listener. pkt is the rewritten RTP packet (12-byte
 * header, payload type and marker not yet set), valid during the call. */
typedef void (*mj_sfu_export_fn)(void *ctx, uint64_t branches, const char *room, unsigned slot,
                                 const uint8_t *pkt, size_t len, bool marker);

typedef struct mj_sfu_config {
    mj_dtls_identity *identity; /* shared, outlives the SFU */
    mj_time consent_timeout;    /* 0: 30 s */
    uint32_t max_sessions;
    mj_sfu_export_fn on_export; /* NULL: rooms never have branches */
    void *export_ctx;
} mj_sfu_config;

typedef enum mj_sfu_event_kind {
    MJ_SFU_EV_NONE = 0,
    MJ_SFU_EV_CONNECTED, /* media can flow */
    MJ_SFU_EV_CLOSED,    /* the session is gone (consent, DTLS failure) */
} mj_sfu_event_kind;

typedef struct mj_sfu_event {
    mj_sfu_event_kind kind;
    uint64_t session_id;
    const char *reason; /* static */
} mj_sfu_event;

/* Counters, written by the SFU's thread only. The worker copies them out
 * for /metrics. */
typedef struct mj_sfu_stats {
    uint64_t rx_datagrams, rx_bytes;
    uint64_t rx_stun, rx_dtls, rx_rtp, rx_rtcp;
    uint64_t drop_unknown;     /* not STUN/DTLS/RTP/RTCP */
    uint64_t drop_no_session;  /* no session for ufrag or address */
    uint64_t drop_stun;        /* STUN failing parse or credentials */
    uint64_t drop_dtls;        /* DTLS records refused */
    uint64_t drop_srtp_auth;   /* SRTP/SRTCP that did not authenticate */
    uint64_t drop_srtp_replay; /* replayed SRTP */
    uint64_t drop_rtp;         /* malformed RTP, wrong payload type, listener audio */
    uint64_t tx_datagrams, tx_bytes;
    uint64_t fwd_packets;      /* RTP packets sent to listeners */
    uint64_t fwd_errors;       /* protect failures on the forwarding path */
    uint64_t sessions_created, sessions_closed;
    uint64_t sessions_active, rooms_active;
    uint64_t dtls_handshakes, dtls_failures;
} mj_sfu_stats;

MJ_MUST_USE int mj_sfu_new(const mj_sfu_config *cfg, mj_sfu **out);
void mj_sfu_free(mj_sfu *s);

/* Creates a session. MJ_EEXIST for a duplicate id or ufrag, MJ_ELIMIT when
 * full, MJ_EINVAL for bad parameters. */
MJ_MUST_USE int mj_sfu_session_add(mj_sfu *s, mj_time now, const mj_sfu_session_params *p);
/* Removes a session at once: nothing more is sent to it. MJ_ENOTFOUND if
 * it is already gone. */
int mj_sfu_session_remove(mj_sfu *s, uint64_t id);

/* Sets the workers a room's packets are exported to (bit i: worker i).
 * MJ_ENOTFOUND when this worker has no session of the room (the next
 * session added carries the set). */
int mj_sfu_room_branches(mj_sfu *s, const char *room, uint64_t branches);

/* Branch side: sends a packet exported by the room's home worker to this
 * worker's listeners of the room (those with a slot > slot). */
void mj_sfu_inject(mj_sfu *s, const char *room, unsigned slot, const uint8_t *pkt, size_t len,
                   bool marker, mj_txq *tx);

/* Handles one received datagram (modified in place). */
void mj_sfu_handle_datagram(mj_sfu *s, mj_time now, uint8_t *d, size_t n, const mj_addr *from,
                            mj_txq *tx);
/* Runs every timer due at now. */
void mj_sfu_handle_timeouts(mj_sfu *s, mj_time now, mj_txq *tx);
/* Earliest timer, MJ_TIME_NEVER when none. */
mj_time mj_sfu_next_timeout(const mj_sfu *s);
/* Next event, or MJ_SFU_EV_NONE. */
bool mj_sfu_poll_event(mj_sfu *s, mj_sfu_event *ev);

const mj_sfu_stats *mj_sfu_stats_get(const mj_sfu *s);

/* Per-session packet counters (tests and diagnostics). MJ_ENOTFOUND if no
 * such session. */
typedef struct mj_sfu_session_info {
    mj_sfu_role role;
    bool connected;
    uint64_t rx_rtp, tx_rtp;
} mj_sfu_session_info;
int mj_sfu_session_info_get(const mj_sfu *s, uint64_t id, mj_sfu_session_info *out);

#endif
