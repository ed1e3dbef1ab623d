/* The SFU core: everything one media worker does, without the I/O.
 *
 * An mj_sfu owns the sessions and rooms of one worker thread. The worker
 * shell feeds it datagrams and the time and hands it a transmit queue; the
 * SFU demultiplexes (STUN by ufrag, everything else by the address ICE
 * validated), runs each session's peer, and forwards the audio of those
 * allowed to send to the room's listeners through its fan-out (fanout.c):
 * the loudest recent speakers by their RFC 6464 audio levels fill the
 * room's slots (slots.c), and the room's home reports who is speaking.
 * Unauthenticated datagrams never allocate state. Nothing here reads a
 * clock, touches a socket or takes a lock, so a test can run a whole room
 * in one process.
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

#define MJ_SFU_MAX_SLOTS      3 /* receive slots a session may have */
#define MJ_SFU_ROOM_ID_MAX    64
#define MJ_SFU_SESSION_ID_HEX 32 /* 128-bit session ids as hex */
#define MJ_SFU_LEVELS_MAX     16 /* people in one level report */

typedef struct mj_sfu mj_sfu;

/* Everything a worker needs to create a session; filled in by the control
 * plane from the token and the SDP offer. Plain data, copied.
 *
 * A session has 0..MJ_SFU_MAX_SLOTS receive slots (the room's speakers come
 * to it through them) and optionally one send section (what it sends may
 * be forwarded to the room). WHIP is a send section alone, WHEP slots
 * alone, and a browser's visit both, in one peer connection, so that
 * going on stage needs no new connection. Whether what it sends is
 * forwarded is may_send, which the room's logic changes as people go on
 * and off stage and are muted; while it is false the session's media is
 * not even decrypted. */
typedef struct mj_sfu_session_params {
    uint64_t id;
    /* The room's id for the person (the same for all their sessions);
     * 0: this session is its own person. One person holds one slot at
     * most and never hears their own voice. */
    uint64_t person;
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    char local_ufrag[MJ_ICE_UFRAG_MAX + 1];
    char local_pwd[MJ_ICE_PWD_MAX + 1];
    char remote_ufrag[MJ_ICE_UFRAG_MAX + 1];
    char remote_pwd[MJ_ICE_PWD_MAX + 1];
    char remote_fp_alg[16];
    uint8_t remote_fp[MJ_DTLS_FP_MAX];
    uint8_t remote_fp_len;
    uint8_t opus_pt;        /* the Opus payload type of its slots' sections */
    uint8_t send_pt;        /* the Opus payload type of its send section */
    uint8_t audio_level_id; /* send section: RFC 6464 extension id, 0 if none */
    uint8_t nslots;         /* receive slots, 0..MJ_SFU_MAX_SLOTS */
    bool send;              /* has a send section */
    bool may_send;          /* what it sends is forwarded (needs `send`) */
    /* -1: this worker is the room's home. Else the home worker's index:
     * this worker serves a share of a large room's listeners (a branch),
     * and hands what this session may send to the home. */
    int8_t home;
    /* The room's branch workers as this worker should know them (see
     * mj_sfu_room_branches); sent with every session so that a room made
     * again after it emptied starts with the right set. */
    uint64_t branches;
} mj_sfu_session_params;

/* The SSRC a session's slot i carries (the same in every room: each
 * listener has its own SRTP keys). Goes into the SDP answer. */
static inline uint32_t mj_sfu_slot_ssrc(unsigned slot)
{
    return 0x4d4a0001u + slot; /* "MJ" */
}
/* The CNAME of every slot stream, in the SDP answer and in sender reports:
 * one endpoint's streams share one (RFC 7022). */
#define MJ_SFU_CNAME "majlis"

/* Sender reports (RFC 3550 §6.4.1). Every listener gets a compound RTCP
 * packet about every MJ_SFU_REPORT_EVERY (0.5 to 1.5 times it, at random,
 * so that a worker's listeners do not all come due together; the first
 * half as long after its keys are ready): an SR for each slot stream it
 * has been sent anything on (the slot's SSRC; the NTP time from the wall
 * clock the shell gives; the RTP timestamp of that instant; what this
 * listener was sent) and an SDES with their CNAME. Browsers need them for
 * their remote-outbound-rtp statistics. No handle_timeouts call sends more
 * than MJ_SFU_REPORTS_PER_CALL of them; the rest are due at once. */
#define MJ_SFU_REPORT_EVERY     MJ_SEC(1)
#define MJ_SFU_REPORTS_PER_CALL 64

/* A large room's listeners may be spread over several workers. The room's
 * home worker (where its slot state is) rewrites each speaker packet once,
 * sends it to its own listeners, and exports it to the room's branch
 * workers, which inject it into their share of the room (their own
 * listeners, their own SRTP keys). The export is one call per speaker
 * packet, not per listener. pkt is the rewritten RTP packet (12-byte
 * header, payload type and marker not yet set), valid during the call;
 * person is whose voice it carries (their own sessions skip it). */
typedef void (*mj_sfu_export_fn)(void *ctx, uint64_t branches, const char *room, unsigned slot,
                                 uint64_t person, const uint8_t *pkt, size_t len, bool marker);

/* The other direction: a session on a branch that may send has its
 * packets decrypted there and handed to the room's home, which treats
 * them like a local speaker's (slots, rewrite, levels). */
typedef struct mj_sfu_handoff {
    const char *room;
    int home;        /* the home worker's index */
    uint64_t sender; /* the branch session's id */
    uint64_t person; /* never 0: a session that is its own person gives its id */
    int16_t level;   /* the RFC 6464 level the branch read, -1 when none */
} mj_sfu_handoff;
/* pkt: the decrypted RTP packet, valid during the call. */
typedef void (*mj_sfu_handoff_fn)(void *ctx, const mj_sfu_handoff *h, const uint8_t *pkt,
                                  size_t len);

/* Handshakes elsewhere (rtc/handshakes.h): what the SFU tells the
 * handshaker about its sessions. */
typedef enum mj_sfu_hs_kind {
    MJ_SFU_HS_OPEN,     /* a session was made: fp_alg, fp, fp_len */
    MJ_SFU_HS_DATAGRAM, /* a DTLS datagram from its validated `from` */
    MJ_SFU_HS_RELEASE,  /* its remote has its keys: the state can go */
    MJ_SFU_HS_CLOSE,    /* it is gone */
} mj_sfu_hs_kind;

typedef struct mj_sfu_hs {
    mj_sfu_hs_kind kind;
    uint64_t session;
    const char *fp_alg; /* OPEN */
    const uint8_t *fp;
    size_t fp_len;
    const mj_addr *from; /* DATAGRAM, valid during the call */
    const uint8_t *data;
    size_t len;
} mj_sfu_hs;
typedef void (*mj_sfu_hs_fn)(void *ctx, const mj_sfu_hs *m);

#define MJ_SFU_CONNECT_TIMEOUT MJ_SEC(10)
/* An address that passed a check for one session belongs to it while that
 * session's checks from it keep coming, at least this often (a browser
 * checks consent every 4 to 6 s): a check for another session from that
 * address is taken for a spoof and ignored. Once they stop, the address is
 * free for the next session validated there (a NAT handing the port on). */
#define MJ_SFU_ADDR_HOLD MJ_SEC(15)

typedef struct mj_sfu_config {
    mj_dtls_identity *identity; /* shared, outlives the SFU */
    mj_time consent_timeout;    /* 0: 30 s */
    /* A session not connected (ICE and DTLS done) this long after it was
     * made closes; 0: MJ_SFU_CONNECT_TIMEOUT. */
    mj_time connect_timeout;
    uint32_t max_sessions;
    mj_sfu_export_fn on_export; /* NULL: rooms never have branches */
    void *export_ctx;
    mj_sfu_handoff_fn on_handoff; /* NULL: branch speakers are not heard */
    void *handoff_ctx;
    /* Set: sessions' DTLS handshakes run elsewhere, told through this
     * (called on the SFU's thread), and their outcome comes back through
     * mj_sfu_session_keys / mj_sfu_session_handshake_failed. NULL: each
     * peer runs its own handshake here. */
    mj_sfu_hs_fn on_handshake;
    void *handshake_ctx;
} mj_sfu_config;

typedef enum mj_sfu_event_kind {
    MJ_SFU_EV_NONE = 0,
    MJ_SFU_EV_CONNECTED, /* media can flow */
    MJ_SFU_EV_CLOSED,    /* the session is gone (consent, DTLS failure) */
    MJ_SFU_EV_LEVELS,    /* who is speaking in a room (its home worker only) */
} mj_sfu_event_kind;

typedef struct mj_sfu_level {
    uint64_t person; /* as in the session parameters; a person-0 session's own id */
    uint8_t level;   /* smoothed RFC 6464 level: -dBov, 0 loudest, 127 silence */
} mj_sfu_level;

/* Level reports come every MJ_SFU_LEVELS_EVERY while anyone allowed to
 * send is speaking, loudest first, then one empty report when the last
 * one stops; nothing while all are silent. */
#define MJ_SFU_LEVELS_EVERY MJ_MSEC(220)

typedef struct mj_sfu_event {
    mj_sfu_event_kind kind;
    uint64_t session_id; /* CONNECTED, CLOSED */
    const char *reason;  /* static */
    /* LEVELS */
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    uint8_t nlevels;
    mj_sfu_level levels[MJ_SFU_LEVELS_MAX];
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
    uint64_t drop_rtp;         /* malformed RTP, wrong payload type */
    uint64_t drop_not_allowed; /* RTP from sessions that may not send (not decrypted) */
    uint64_t drop_remote;      /* handed-off packets with nowhere to go */
    uint64_t drop_addr_taken;  /* checks from an address another session holds */
    uint64_t rx_remote;        /* packets handed to this home by branches */
    uint64_t tx_datagrams, tx_bytes;
    uint64_t fwd_packets; /* RTP packets sent to listeners */
    uint64_t fwd_errors;  /* protect failures on the forwarding path and of reports */
    uint64_t tx_reports;  /* RTCP sender reports sent to listeners (compound packets) */
    uint64_t sessions_created, sessions_closed;
    uint64_t sessions_active, rooms_active;
    uint64_t dtls_handshakes, dtls_failures;
} mj_sfu_stats;

MJ_MUST_USE int mj_sfu_new(const mj_sfu_config *cfg, mj_sfu **out);
void mj_sfu_free(mj_sfu *s);

/* Creates a session. MJ_EEXIST for a duplicate id or ufrag, MJ_ELIMIT when
 * full, MJ_EINVAL for bad parameters. */
MJ_MUST_USE int mj_sfu_session_add(mj_sfu *s, mj_time now, const mj_sfu_session_params *p);
/* Removes a session at once: nothing more is sent to it, and any slot it
 * held is free. MJ_ENOTFOUND if it is already gone. */
int mj_sfu_session_remove(mj_sfu *s, uint64_t id);
/* Allows or stops forwarding what a session sends. Stopping frees its slot
 * at once, so not one more of its packets reaches a listener; starting
 * makes its inbound SRTP context if it has none yet. Sessions without a
 * send section only note the flag. MJ_ENOTFOUND, or an SRTP error. */
int mj_sfu_session_set_send(mj_sfu *s, uint64_t id, bool may_send);

/* With on_handshake: session id's handshake is done; it connects with
 * these keys (CONNECTED event). MJ_ENOTFOUND when it is gone, MJ_ESTATE
 * when it is not waiting for keys. */
int mj_sfu_session_keys(mj_sfu *s, mj_time now, uint64_t id, const mj_srtp_keys *keys, mj_txq *tx);
/* With on_handshake: its handshake failed, or the remote closed; the
 * session closes (CLOSED event). MJ_ENOTFOUND when it is gone. */
int mj_sfu_session_handshake_failed(mj_sfu *s, mj_time now, uint64_t id, bool closed, mj_txq *tx);

/* Sets the workers a room's packets are exported to (bit i: worker i).
 * The home keeps a room with branches even with no session of its own
 * left, so its branches' speakers still have a home. */
int mj_sfu_room_branches(mj_sfu *s, const char *room, uint64_t branches);

/* Branch side: sends a packet exported by the room's home worker to this
 * worker's listeners of the room (those with a slot > slot, except the
 * person whose voice it is). The branch notes the slot stream's progress
 * from it, for its listeners' sender reports. */
void mj_sfu_inject(mj_sfu *s, mj_time now, const char *room, unsigned slot, uint64_t person,
                   const uint8_t *pkt, size_t len, bool marker, mj_txq *tx);

/* Home side: a packet a branch handed off (see mj_sfu_handoff_fn). The
 * sender is remembered (a remote sender) until it stops for
 * MJ_SFU_REMOTE_FORGET or mj_sfu_remote_set_send stops it. */
void mj_sfu_remote_packet(mj_sfu *s, mj_time now, const mj_sfu_handoff *h, const uint8_t *pkt,
                          size_t len, mj_txq *tx);
#define MJ_SFU_REMOTE_FORGET MJ_SEC(5)
/* Home side: the control plane's word that a branch session may no longer
 * send (or was removed): its slot is freed and packets from it still on
 * their way are refused. true clears that, for when it may send again. */
void mj_sfu_remote_set_send(mj_sfu *s, mj_time now, const char *room, uint64_t sender,
                            bool may_send);

/* Handles one received datagram (modified in place). */
void mj_sfu_handle_datagram(mj_sfu *s, mj_time now, uint8_t *d, size_t n, const mj_addr *from,
                            mj_txq *tx);
/* Connection-oriented addresses (ICE-TCP: mj_addr.tcp, one per TCP
 * connection). Whether a is routed to a session that still hears from
 * it: a valid check over it bound it, and its checks keep coming (at
 * least every MJ_SFU_ADDR_HOLD, as for an address held against others).
 * The shell closes connections that never get there, whose session is
 * gone, or that the browser stopped checking (a TCP pair it pruned
 * because UDP won). */
bool mj_sfu_addr_routed(const mj_sfu *s, mj_time now, const mj_addr *a);
/* The connection behind a is gone. The session it was routed to forgets
 * it; a session left with no validated address closes (CLOSED event,
 * "transport closed"), one with another (a UDP pair the browser also
 * checked) goes on there. Nothing happens for an address routed nowhere. */
void mj_sfu_addr_closed(mj_sfu *s, mj_time now, const mj_addr *a, mj_txq *tx);
/* The wall clock for sender reports: unix_ns is the real time at the
 * monotonic `now`. Reports map their time through the latest pair, so the
 * shell passes one when it starts and then every second or so to follow
 * adjustments of the clock; until the first, no report is sent. */
void mj_sfu_set_wall_clock(mj_sfu *s, mj_time now, int64_t unix_ns);
/* Runs every timer due at now. */
void mj_sfu_handle_timeouts(mj_sfu *s, mj_time now, mj_txq *tx);
/* Earliest timer, MJ_TIME_NEVER when none. */
mj_time mj_sfu_next_timeout(const mj_sfu *s);
/* Next event, or MJ_SFU_EV_NONE. */
bool mj_sfu_poll_event(mj_sfu *s, mj_sfu_event *ev);

const mj_sfu_stats *mj_sfu_stats_get(const mj_sfu *s);

/* Per-session state and counters (tests and diagnostics). MJ_ENOTFOUND if
 * no such session. */
typedef struct mj_sfu_session_info {
    uint8_t nslots;
    bool send, may_send;
    bool connected;
    bool decrypting; /* has an inbound SRTP context */
    int slot;        /* the room slot its voice holds, -1 */
    uint64_t rx_rtp, tx_rtp;
} mj_sfu_session_info;
int mj_sfu_session_info_get(const mj_sfu *s, uint64_t id, mj_sfu_session_info *out);

#endif
