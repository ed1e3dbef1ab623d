/* A WebRTC transport peer: ICE, DTLS and SRTP composed behind one sans-IO
 * interface, in the style of str0m and quicly (see STYLE.md).
 *
 * The same peer serves both sides: the server role is ICE-lite, DTLS
 * server (a=setup:passive), and the client role (our bot and load
 * generator) is ICE controlling and DTLS client. The caller drives it:
 *
 *   mj_peer_accepts()          is this datagram mine?
 *   mj_peer_handle_datagram()  feed one datagram; SRTP/SRTCP come back
 *                              decrypted in place as an mj_peer_input
 *   mj_peer_handle_timeout()   at or after mj_peer_next_timeout()
 *   mj_peer_poll_transmit()    drain control datagrams (STUN, DTLS)
 *   mj_peer_poll_event()       CONNECTED (SRTP ready), CLOSED
 *   mj_peer_protect_rtp()      encrypt media to send to mj_peer_remote()
 *
 * Implements the composition rules of RFC 8829 §5 and RFC 5764: DTLS and
 * media are accepted only from addresses ICE validated (DTLS is answered
 * where it came from; media goes to the selected address); the DTLS state
 * (tens of KiB in OpenSSL) is released as soon as the remote shows it has
 * its keys (its first SRTP or SRTCP: authenticated, or for an
 * outbound-only peer merely from the validated address, since a client
 * sends none before its handshake is complete) or 30 s after the
 * handshake, so a connected listener costs little more than its SRTP
 * context.
 *
 * Ownership: the caller embeds the mj_peer; the peer owns its DTLS object
 * and SRTP sessions and frees them in mj_peer_dispose(). It keeps a pointer
 * to the shared identity, which must outlive it. */
#ifndef MJ_RTC_PEER_H
#define MJ_RTC_PEER_H

#include "base/addr.h"
#include "base/err.h"
#include "base/time.h"
#include "rtc/dtls.h"
#include "rtc/ice.h"
#include "rtc/srtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_PEER_REPLY_MAX    128
#define MJ_PEER_DTLS_RELEASE MJ_SEC(30)

enum mj_peer_state {
    MJ_PEER_NEW = 0,    /* waiting for ICE */
    MJ_PEER_CONNECTING, /* ICE done, DTLS handshake in progress */
    MJ_PEER_CONNECTED,  /* SRTP keys in place */
    MJ_PEER_CLOSED,     /* terminal; see mj_peer_close_reason() */
};

enum mj_peer_close_reason {
    MJ_PEER_OPEN = 0,
    MJ_PEER_ICE_FAILED,       /* checks never succeeded (client role) */
    MJ_PEER_CONSENT_EXPIRED,  /* no valid STUN for the consent timeout */
    MJ_PEER_DTLS_FAILED,      /* handshake failed, wrong fingerprint, ... */
    MJ_PEER_DTLS_CLOSED,      /* the remote sent close_notify */
    MJ_PEER_LOCAL_CLOSE,      /* mj_peer_close() */
    MJ_PEER_CONNECT_TIMEOUT,  /* not CONNECTED within connect_timeout */
    MJ_PEER_TRANSPORT_CLOSED, /* mj_peer_transport_closed(): its connection is gone */
};

enum mj_peer_event {
    MJ_PEER_EV_NONE = 0,
    MJ_PEER_EV_CONNECTED,
    MJ_PEER_EV_CLOSED,
    /* external_dtls: the remote proved it has its keys, so the handshake
     * state kept elsewhere can go (see MJ_PEER_IN_DTLS). Once. */
    MJ_PEER_EV_HANDSHAKE_DONE,
};

typedef enum mj_peer_input_kind {
    MJ_PEER_IN_NONE = 0, /* consumed (STUN, DTLS) or dropped */
    MJ_PEER_IN_RTP,      /* decrypted RTP at data[0..len) */
    MJ_PEER_IN_RTCP,     /* decrypted RTCP compound */
    MJ_PEER_IN_DTLS,     /* external_dtls: a DTLS datagram for the handshaker */
} mj_peer_input_kind;

typedef struct mj_peer_input {
    mj_peer_input_kind kind;
    uint8_t *data;
    size_t len;
} mj_peer_input;

typedef struct mj_peer_config {
    bool is_server;
    const char *local_ufrag, *local_pwd;
    const char *remote_ufrag, *remote_pwd;
    mj_dtls_identity *identity;
    /* The remote certificate fingerprint from its SDP. */
    const char *remote_fp_alg;
    const uint8_t *remote_fp;
    size_t remote_fp_len;
    mj_time consent_timeout; /* 0: RFC 7675's 30 s */
    /* Server: a peer not CONNECTED (ICE and DTLS done) this long after
     * init closes (MJ_PEER_CONNECT_TIMEOUT), so that half-open sessions
     * do not hold the server's room. 0: only the consent timeout. */
    mj_time connect_timeout;
    /* Send-only media (a listener): no inbound SRTP context is made, which
     * saves its memory; the remote's SRTP/SRTCP is dropped unread. */
    bool outbound_only;
    /* With outbound_only: the remote may be read later (a visitor who may
     * come on stage), so the peer keeps the remote's SRTP key until
     * mj_peer_set_inbound() uses it or the peer is disposed. */
    bool inbound_later;
    /* The DTLS handshake runs elsewhere (the server's handshake threads,
     * so that a join storm never waits behind forwarding): the peer makes
     * no DTLS object, hands every DTLS datagram from a validated address
     * back as MJ_PEER_IN_DTLS, and learns the outcome through
     * mj_peer_handshake_done() or mj_peer_handshake_failed(). */
    bool external_dtls;
} mj_peer_config;

typedef struct mj_peer {
    mj_ice ice;
    mj_srtp srtp;
    mj_dtls *dtls; /* NULL before the handshake starts (client) and after release */
    mj_time dtls_release_at;
    uint8_t state;        /* enum mj_peer_state */
    uint8_t close_reason; /* enum mj_peer_close_reason */
    uint8_t pending;      /* event bits not yet polled */
    bool is_server;
    bool dtls_started;
    bool srtp_ready;
    bool outbound_only; /* the remote's media is dropped unread */
    bool inbound_later;
    bool keys_kept; /* `kept` holds the remote's key */
    bool external_dtls;
    bool remote_keyed;        /* external_dtls: HANDSHAKE_DONE was raised */
    mj_time connect_deadline; /* MJ_TIME_NEVER once CONNECTED, or none */
    uint8_t reply_len;
    bool has_dtls_to;
    mj_addr dtls_to; /* where the last DTLS datagram came from */
    mj_addr reply_to;
    uint8_t reply[MJ_PEER_REPLY_MAX];
    mj_srtp_keys kept; /* secret: only the remote half, wiped when used */
} mj_peer;

MJ_MUST_USE int mj_peer_init(mj_peer *p, const mj_peer_config *cfg, mj_time now);
void mj_peer_dispose(mj_peer *p);

/* Client role: where to send checks (from the server's SDP answer). */
MJ_MUST_USE int mj_peer_add_remote_candidate(mj_peer *p, const mj_addr *addr, uint32_t priority);

/* True when the datagram belongs to this peer: a STUN request naming our
 * ufrag, or anything from an address ICE validated. */
bool mj_peer_accepts(const mj_peer *p, const uint8_t *d, size_t n, const mj_addr *from);

/* Handles one datagram. On success returns 0 and fills *in (decrypted
 * media in place in d); on a rejected datagram returns a negative MJ_E*
 * for the caller's counters, and the peer is unchanged. */
int mj_peer_handle_datagram(mj_peer *p, mj_time now, uint8_t *d, size_t n, const mj_addr *from,
                            mj_peer_input *in);
void mj_peer_handle_timeout(mj_peer *p, mj_time now);
/* Absolute time of the next timer; `now` converts OpenSSL's relative DTLS
 * timer. */
mj_time mj_peer_next_timeout(const mj_peer *p, mj_time now);
/* Next control datagram to send: its length (0 when none) and *to. */
long mj_peer_poll_transmit(mj_peer *p, mj_time now, uint8_t *buf, size_t cap, mj_addr *to);
enum mj_peer_event mj_peer_poll_event(mj_peer *p);

/* Encrypts one RTP packet in place (cap >= len + MJ_SRTP_MAX_TRAILER).
 * New length, or MJ_ESTATE before CONNECTED, or an SRTP error. */
static inline long mj_peer_protect_rtp(mj_peer *p, uint8_t *buf, size_t len, size_t cap)
{
    if (!p->srtp_ready) return MJ_ESTATE;
    return mj_srtp_protect_rtp(&p->srtp, buf, len, cap);
}
MJ_MUST_USE long mj_peer_protect_rtcp(mj_peer *p, uint8_t *buf, size_t len, size_t cap);

/* The remote address media goes to (NULL before ICE selects one). */
static inline const mj_addr *mj_peer_remote(const mj_peer *p)
{
    return mj_ice_selected(&p->ice);
}
static inline enum mj_peer_state mj_peer_state_get(const mj_peer *p)
{
    return (enum mj_peer_state)p->state;
}
static inline bool mj_peer_media_ready(const mj_peer *p)
{
    return p->state == MJ_PEER_CONNECTED;
}
enum mj_peer_close_reason mj_peer_close_reason_get(const mj_peer *p);
const char *mj_peer_close_reason_name(enum mj_peer_close_reason r);
/* Starts reading the remote's SRTP on a peer made outbound_only: before
 * SRTP is keyed, the full context is made when it is; after, the inbound
 * context is made from the kept key (which is then wiped), or MJ_ESTATE
 * when the peer was not made inbound_later. Note that SRTP's rollover
 * counter is guessed from sequence numbers: a remote that sends more than
 * 2^15 packets while it is not read (11 minutes of 20 ms frames) may not
 * be readable afterwards. */
MJ_MUST_USE int mj_peer_start_inbound(mj_peer *p);
/* Drops the remote's media unread again; the inbound context, if any, is
 * kept for mj_peer_start_inbound. */
static inline void mj_peer_stop_inbound(mj_peer *p)
{
    p->outbound_only = true;
}
/* Whether an inbound SRTP context exists (one costs as much memory as the
 * outbound one). */
static inline bool mj_peer_has_inbound(const mj_peer *p)
{
    return p->srtp_ready && mj_srtp_has_inbound(&p->srtp);
}
/* external_dtls: the handshake finished with these keys (mapped to our
 * role, as mj_dtls_srtp_keys gives them); the peer becomes CONNECTED.
 * MJ_ESTATE when it is not waiting for them (closed, already keyed), or
 * an SRTP error, which closes it (DTLS_FAILED). */
MJ_MUST_USE int mj_peer_handshake_done(mj_peer *p, mj_time now, const mj_srtp_keys *keys);
/* external_dtls: the handshake failed, or the remote sent close_notify
 * (closed); the peer closes with DTLS_FAILED or DTLS_CLOSED. */
void mj_peer_handshake_failed(mj_peer *p, bool closed);
/* Closes locally (sends close_notify while DTLS state remains). */
void mj_peer_close(mj_peer *p);
/* Closes because the connection it used is gone (an ICE-TCP connection
 * closed, RFC 6544): nothing can be sent to the remote any more. */
void mj_peer_transport_closed(mj_peer *p);

#endif
