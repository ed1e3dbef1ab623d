/* A client media session: our side of one WHIP (publish) or WHEP (listen)
 * session, the shell around a sans-IO mj_peer in the client role (ICE
 * controlling, DTLS client).
 *
 *   mj_csess_start   writes the offer (mj_sdp_write_offer: one sendonly
 *                    section to publish, 1..3 bundled recvonly sections
 *                    to listen), POSTs it (signal.h);
 *   on the answer    parses it (mj_sdp_parse), takes the server's ICE
 *                    credentials, DTLS fingerprint, candidates and each
 *                    slot's SSRC, opens one UDP socket (or, with
 *                    mj_client_config.tcp, connects to the answer's
 *                    passive TCP candidate: ICE-TCP, RFC 6544, frames
 *                    per RFC 4571), starts the peer;
 *   then             the loop feeds the peer datagrams (recvmmsg) and
 *                    timers, sends what it polls, and hands decrypted RTP
 *                    to ops->on_rtp;
 *   mj_csess_leave   ends the peer and DELETEs the session resource.
 *
 * mj_client holds what sessions share: the event loop, the signalling
 * multi handle, one DTLS identity (certificate) for all of them, the
 * receive batch, and, for the load generator, the rule that media may
 * only go to addresses on this machine (target.h).
 *
 * Ownership: the caller embeds each mj_csess and keeps it (and the token
 * string) alive until mj_csess_dispose. Callbacks run on the loop's
 * thread and must not dispose the session they are called for. */
#ifndef MJ_CLIENT_SESSION_H
#define MJ_CLIENT_SESSION_H

#include "client/loop.h"
#include "client/signal.h"
#include "client/target.h"
#include "rtc/peer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MJ_CSESS_MAX_SLOTS 3
#define MJ_CLIENT_RX_BATCH 32
#define MJ_CLIENT_RX_BUF   2048

typedef struct mj_client_config {
    const char *url;  /* server base URL, "http://127.0.0.1:8080" */
    const char *room; /* room id */
    bool local_only;  /* refuse media addresses not on this machine */
    bool timestamps;  /* ask the kernel for receive times (SO_TIMESTAMPNS; UDP only) */
    bool tcp;         /* media over the answer's ICE-TCP candidate, not UDP */
    mj_signal_config signal;
} mj_client_config;

typedef struct mj_client {
    mj_loop *loop;
    mj_signal *sig;
    mj_dtls_identity *identity;
    char fingerprint[MJ_DTLS_FP_TEXT_MAX];
    char whip_url[MJ_SIGNAL_URL_MAX], whep_url[MJ_SIGNAL_URL_MAX];
    bool local_only, timestamps, tcp;
    mj_local_set local; /* local_only: where media may go */
    uint64_t rx_syscalls, rx_datagrams, tx_errors;
    struct mmsghdr rx_msgs[MJ_CLIENT_RX_BATCH];
    struct iovec rx_iov[MJ_CLIENT_RX_BATCH];
    struct sockaddr_storage rx_from[MJ_CLIENT_RX_BATCH];
    uint64_t rx_ctrl[MJ_CLIENT_RX_BATCH][8]; /* cmsg space for one timespec */
    uint8_t rx_buf[MJ_CLIENT_RX_BATCH][MJ_CLIENT_RX_BUF];
} mj_client;

/* Makes the certificate, initializes SRTP and the signalling handle.
 * *why explains a failure (a bad URL or room). */
MJ_MUST_USE int mj_client_new(mj_loop *loop, const mj_client_config *cfg, mj_client **out,
                              const char **why);
void mj_client_free(mj_client *c);

enum mj_csess_state {
    MJ_CSESS_IDLE = 0,
    MJ_CSESS_SIGNALLING, /* offer sent, waiting for the answer */
    MJ_CSESS_CONNECTING, /* ICE and DTLS */
    MJ_CSESS_CONNECTED,  /* SRTP keys: media flows */
    MJ_CSESS_LEAVING,    /* DELETE sent */
    MJ_CSESS_DONE,       /* left cleanly (terminal) */
    MJ_CSESS_FAILED,     /* see error (terminal) */
};

typedef struct mj_csess mj_csess;

/* When a packet arrived: read right after the recvmmsg that returned it
 * (monotonic and wall clock, microseconds), and, with
 * mj_client_config.timestamps, when the kernel queued it on the socket
 * (wall clock; 0 when unknown). The kernel's time leaves out how long the
 * packet waited for us. */
typedef struct mj_rx_time {
    mj_time now;
    int64_t wall_us;
    int64_t kernel_wall_us;
} mj_rx_time;

typedef struct mj_csess_ops {
    /* After every state change. */
    void (*on_state)(mj_csess *s);
    /* A decrypted RTP packet. pkt may be modified. */
    void (*on_rtp)(mj_csess *s, uint8_t *pkt, size_t len, const mj_rx_time *at);
    /* A datagram the peer refused: err is MJ_EAUTH (SRTP authentication
     * or an unexpected source), MJ_EREPLAY, ... */
    void (*on_refused)(mj_csess *s, int err);
} mj_csess_ops;

struct mj_csess {
    mj_client *cl;
    const mj_csess_ops *ops;
    void *user;
    const char *token;
    uint8_t state; /* enum mj_csess_state */
    bool whep;
    bool peer_live;
    bool delete_sent;
    uint8_t nslots; /* WHEP: slots asked for, then slots the answer accepted */
    uint32_t slot_ssrc[MJ_CSESS_MAX_SLOTS]; /* from the answer's a=ssrc, 0 if none */
    uint8_t opus_pt;                        /* the answer's payload type */
    uint8_t level_id; /* WHIP: audio-level extension id the answer kept, 0: none */
    uint32_t ssrc;    /* ours: WHIP media (in the offer), WHEP receiver reports */
    int fd;
    mj_io io;
    mj_timer timer;
    mj_time next_rr;
    mj_signal_req *req;
    char *location; /* the session resource (heap), once created */
    char ufrag[9], pwd[25];
    struct mj_deframer *in; /* ICE-TCP: the byte stream's frames */
    mj_addr stream_to;      /* ICE-TCP: the server's candidate, the frames' source */
    mj_time t_post, t_answer, t_connected, t_first_rtp;
    uint64_t rx_rtp, rx_refused;
    char error[MJ_SIGNAL_ERR_MAX];
    mj_peer peer;
};

/* Sends the offer. token must outlive the session. 0, or a negative code
 * with s->error set (the session is then FAILED; dispose it). */
MJ_MUST_USE int mj_csess_start(mj_csess *s, mj_client *cl, bool whep, unsigned nslots,
                               const char *token, const mj_csess_ops *ops, void *user);
/* Closes the media and DELETEs the resource; on_state reports DONE (or
 * FAILED, with the DELETE's error) when the server has answered. A
 * session that never got its answer goes to DONE at once. */
void mj_csess_leave(mj_csess *s);
/* Frees everything now, cancelling any request (no DELETE is sent). */
void mj_csess_dispose(mj_csess *s);

/* Encrypts an RTP packet in place (cap >= len + MJ_SRTP_MAX_TRAILER) and
 * sends it. The packet's length on the wire, or a negative error. */
long mj_csess_send_rtp(mj_csess *s, uint8_t *pkt, size_t len, size_t cap);

const char *mj_csess_state_name(enum mj_csess_state st);

static inline bool mj_csess_ended(const mj_csess *s)
{
    return s->state == MJ_CSESS_DONE || s->state == MJ_CSESS_FAILED;
}

#endif
