/* The server's DTLS handshakes, kept apart from the peers that need them,
 * sans-IO.
 *
 * A handshake costs about half a millisecond of CPU (ECDHE, ECDSA
 * signature and verification), three hundred times what forwarding a
 * packet costs. The server therefore runs its handshakes on their own
 * threads: a media worker's peers are made with external_dtls (see
 * rtc/peer.h), the worker hands their DTLS datagrams to a table of
 * handshakes, and the table hands back the SRTP keys. This is that table:
 * one per handshake thread, holding the DTLS connections of the sessions
 * routed to it, by session id.
 *
 *   mj_handshakes_open()      a session exists: remember its fingerprint
 *   mj_handshakes_datagram()  a DTLS datagram from its validated address
 *   mj_handshakes_release()   its remote has its keys: free the state
 *   mj_handshakes_close()     the session is gone (close_notify if keyed)
 *   mj_handshakes_handle_timeouts() at mj_handshakes_next_timeout()
 *
 * What comes out goes through the callbacks: datagrams to send (from the
 * socket of the session's worker: `route`), the keys once the handshake
 * is done, or its failure. The DTLS connection is made at the first
 * datagram, not at open, so a session that never handshakes costs a small
 * entry and not OpenSSL's tens of KiB; it is freed at release, or
 * MJ_PEER_DTLS_RELEASE after the keys if no release comes, since until the
 * remote shows it is done it may retransmit its Finished and need ours
 * again.
 *
 * Nothing here reads a clock, touches a socket or takes a lock; one
 * thread uses a table at a time. The identity is shared and must outlive
 * the table. */
#ifndef MJ_RTC_HANDSHAKES_H
#define MJ_RTC_HANDSHAKES_H

#include "base/addr.h"
#include "base/err.h"
#include "base/time.h"
#include "rtc/dtls.h"
#include "rtc/srtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_handshakes mj_handshakes;

typedef struct mj_handshakes_out {
    void *ctx;
    /* A DTLS datagram for `to`, to be sent from route's socket. */
    void (*send)(void *ctx, uint32_t route, const mj_addr *to, const uint8_t *d, size_t n);
    /* The handshake of session id is done: its SRTP keys, mapped to the
     * server's role (as mj_dtls_srtp_keys gives them). */
    void (*keys)(void *ctx, uint32_t route, uint64_t id, const mj_srtp_keys *keys);
    /* It failed, or the remote sent close_notify (closed); the entry is
     * gone. */
    void (*failed)(void *ctx, uint32_t route, uint64_t id, bool closed);
} mj_handshakes_out;

typedef struct mj_handshakes_stats {
    uint64_t opened, done, failed;
    uint64_t dropped;     /* datagrams for no entry (late, or released) */
    uint32_t active;      /* entries */
    uint32_t connections; /* entries holding a DTLS connection */
} mj_handshakes_stats;

/* max: entries at most (MJ_ELIMIT beyond). */
MJ_MUST_USE int mj_handshakes_new(mj_dtls_identity *id, const mj_handshakes_out *out, uint32_t max,
                                  mj_handshakes **hs);
/* Frees every entry without sending anything. */
void mj_handshakes_free(mj_handshakes *hs);

/* A new session routed here, with the remote's SDP fingerprint (see
 * mj_dtls_fingerprint_parse). MJ_EEXIST, MJ_ELIMIT, MJ_EINVAL (no
 * fingerprint, or too long), MJ_ENOMEM. */
MJ_MUST_USE int mj_handshakes_open(mj_handshakes *hs, uint32_t route, uint64_t id,
                                   const char *fp_alg, const uint8_t *fp, size_t fp_len);
/* One DTLS datagram from the session's remote at `from` (answers go
 * there). 0; MJ_ENOTFOUND for no such entry; or the error the DTLS
 * connection returned (a failure is also reported through `failed`). */
int mj_handshakes_datagram(mj_handshakes *hs, mj_time now, uint64_t id, const mj_addr *from,
                           const uint8_t *d, size_t n);
/* The remote proved it has its keys: the entry and its DTLS go. */
void mj_handshakes_release(mj_handshakes *hs, uint64_t id);
/* The session is gone: close_notify if the handshake was done and the
 * connection is still held, then the entry goes. */
void mj_handshakes_close(mj_handshakes *hs, uint64_t id);

void mj_handshakes_handle_timeouts(mj_handshakes *hs, mj_time now);
/* Earliest timer, MJ_TIME_NEVER when none. */
mj_time mj_handshakes_next_timeout(const mj_handshakes *hs);

void mj_handshakes_stats_get(const mj_handshakes *hs, mj_handshakes_stats *out);

#endif
