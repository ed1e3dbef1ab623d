/* DTLS 1.2 (RFC 6347) with the use_srtp extension (RFC 5764), sans-IO,
 * over OpenSSL.
 *
 * A connection is fed whole UDP datagrams (mj_dtls_handle_datagram) and
 * drained of whole datagrams (mj_dtls_poll_transmit): a custom OpenSSL BIO
 * keeps datagram boundaries, and flights are cut to the configured MTU.
 * Time enters through mj_dtls_next_timeout / mj_dtls_handle_timeout; the
 * one exception to "no clocks" is OpenSSL's retransmission timer, which
 * reads the clock itself (gettimeofday in OpenSSL 3.0), so `now` only
 * expresses its deadline in the caller's time base. Identity creation also
 * reads the wall clock once, for the certificate's validity.
 *
 * Trust comes from the SDP, not from a CA: certificates are self-signed and
 * a connection only succeeds when the peer's certificate digest equals the
 * a=fingerprint the peer signalled (RFC 8122 section 5), compared in
 * constant time. A mismatch fails the handshake with a bad_certificate
 * alert.
 *
 * Ownership and threads:
 *  - mj_dtls_identity is created once at startup (it also performs this
 *    module's one-time global setup, which is not thread-safe), then shared
 *    read-only by every thread. It may be freed while connections made
 *    from it live on: each connection holds its own reference to the
 *    OpenSSL contexts.
 *  - mj_dtls is owned by one peer and used by one thread at a time.
 *  - Memory (OpenSSL 3.0.x, measured by bench/srtp_bench.c): about 47 KiB
 *    per connection while it handshakes and 40 KiB once connected, most of
 *    it OpenSSL's 21 KiB handshake buffer that only SSL_free releases; the
 *    identity about 200 KiB. So copy the keys out with mj_dtls_srtp_keys()
 *    and mj_dtls_free() the connection as soon as the peer is known to have
 *    finished too (see mj_dtls_srtp_keys). */
#ifndef MJ_RTC_DTLS_H
#define MJ_RTC_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/time.h"
#include "rtc/srtp.h"

/* Longest digest we accept (sha-512). */
#define MJ_DTLS_FP_MAX 64
/* Room for "sha-512 " + 64 hex pairs with colons + NUL. */
#define MJ_DTLS_FP_TEXT_MAX (8 + 3 * MJ_DTLS_FP_MAX)
/* Largest UDP payload we emit unless told otherwise: safe for IPv6 tunnels
 * and mobile links, as browsers choose. */
#define MJ_DTLS_DEFAULT_MTU 1200
#define MJ_DTLS_MIN_MTU     256
#define MJ_DTLS_MAX_MTU     1500
/* Retransmission: the first timeout, doubling to MJ_DTLS_MAX_TIMEOUT_MS;
 * the handshake fails after this many unanswered retransmissions
 * (250 ms + 0.5 + 1 + 2 + 4 + 4 + 4 + 4 + 4: about 24 s). */
#define MJ_DTLS_INITIAL_TIMEOUT_MS 250
#define MJ_DTLS_MAX_TIMEOUT_MS     4000
#define MJ_DTLS_MAX_RETRANSMITS    8

typedef struct mj_dtls_identity mj_dtls_identity;
typedef struct mj_dtls mj_dtls;

enum mj_dtls_state {
    MJ_DTLS_HANDSHAKING = 0,
    MJ_DTLS_CONNECTED = 1, /* keys available */
    MJ_DTLS_FAILED = 2,    /* terminal; mj_dtls_error() says why */
    MJ_DTLS_CLOSED = 3,    /* terminal; close_notify sent or received */
};

/* ---- Identity: key, certificate, OpenSSL contexts ---------------------- */

/* Makes an ECDSA P-256 key, a self-signed certificate for it (CN "majlis",
 * random serial, valid from a day ago for 30 days) and one SSL_CTX per
 * role. Call at startup, before other threads use this module. */
MJ_MUST_USE int mj_dtls_identity_new(mj_dtls_identity **out);
void mj_dtls_identity_free(mj_dtls_identity *id);
/* The certificate's fingerprint for SDP a=fingerprint, exactly
 * "sha-256 AB:CD:...:EF" (uppercase hex). Owned by id. */
const char *mj_dtls_identity_fingerprint(const mj_dtls_identity *id);
/* Replaces the SRTP profiles offered (client role) or accepted in order of
 * preference (server role), as an OpenSSL list such as the default
 * "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80".
 * Only before the identity is shared. */
MJ_MUST_USE int mj_dtls_identity_set_srtp_profiles(mj_dtls_identity *id, const char *profiles);

/* Replaces the DTLS 1.2 cipher suites (OpenSSL list) for both roles; the
 * default is ECDHE-ECDSA with AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM.
 * Only ECDSA suites work with our key. Only before the identity is shared;
 * meant for tests and the C client. */
MJ_MUST_USE int mj_dtls_identity_set_ciphers(mj_dtls_identity *id, const char *ciphers);

/* Parses an SDP fingerprint value "sha-256 AB:CD:..." (hash name
 * case-insensitive: sha-1, sha-224, sha-256, sha-384, sha-512). Writes the
 * lowercase hash name (alg_cap >= 8) and the digest bytes; returns the
 * digest length or MJ_EINVAL / MJ_EUNSUPP / MJ_ENOSPC. */
MJ_MUST_USE int mj_dtls_fingerprint_parse(const char *text, size_t len, char *alg, size_t alg_cap,
                                          uint8_t *fp, size_t fp_cap);

/* RFC 7983 demultiplexing: does this datagram look like DTLS (first byte
 * 20..63)? */
bool mj_dtls_is_record(const uint8_t *data, size_t n);

/* ---- Connection -------------------------------------------------------- */

/* A connection in the server role (a=setup:passive; waits for a
 * ClientHello) or the client role (a=setup:active). remote_fp_alg and
 * remote_fp are the peer's SDP a=fingerprint (see
 * mj_dtls_fingerprint_parse); they are copied. id is only used during this
 * call. MJ_EUNSUPP for an unknown hash, MJ_EINVAL for a digest of the
 * wrong length. */
MJ_MUST_USE int mj_dtls_new(mj_dtls **out, mj_dtls_identity *id, bool is_server,
                            const char *remote_fp_alg, const uint8_t *remote_fp,
                            size_t remote_fp_len);
/* Frees everything, OpenSSL state included; NULL is fine. */
void mj_dtls_free(mj_dtls *d);

/* Largest datagram to emit (MJ_DTLS_MIN_MTU..MJ_DTLS_MAX_MTU; the default
 * is MJ_DTLS_DEFAULT_MTU). Only before the first flight (MJ_ESTATE after). */
MJ_MUST_USE int mj_dtls_set_mtu(mj_dtls *d, size_t mtu);
/* Overrides the retransmission schedule (initial_ms >= 20) and the number
 * of retransmissions before the handshake fails. Only before the first
 * flight. */
MJ_MUST_USE int mj_dtls_set_retransmit(mj_dtls *d, unsigned initial_ms, unsigned max_ms,
                                       unsigned max_retransmits);

/* Client role: queues the ClientHello. Server role: nothing to do. Called
 * implicitly by the first mj_dtls_handle_timeout (next_timeout of a client
 * that has not started is `now`) or mj_dtls_handle_datagram. */
MJ_MUST_USE int mj_dtls_start(mj_dtls *d);

/* Feeds one received datagram (which may hold several records).
 * Advances the handshake; once connected, consumes application data
 * (discarded: we carry no data channel) and close_notify. Records that do
 * not authenticate, come from another epoch or are cut short are dropped
 * as DTLS requires. Returns 0, or MJ_EINVAL for a datagram refused before
 * OpenSSL saw it (bad framing, a wrong epoch, too short to be protected:
 * the connection is unaffected and the caller only counts it), or the
 * error that made the connection fail now (MJ_EAUTH: fingerprint mismatch;
 * MJ_EPROTO: handshake failure or fatal alert), or MJ_ESTATE if it had
 * already failed. Datagrams arriving
 * after CLOSED are ignored (0). Afterwards drain mj_dtls_poll_transmit and
 * re-read mj_dtls_next_timeout. */
MJ_MUST_USE int mj_dtls_handle_datagram(mj_dtls *d, mj_time now, const uint8_t *data, size_t n);

/* Copies the next datagram to send into buf and returns its length, 0 when
 * there is none, or MJ_ENOSPC (cap < the datagram, which stays queued; a
 * buffer of the MTU always suffices). Alerts are queued even after a
 * failure, so drain after every call. */
MJ_MUST_USE long mj_dtls_poll_transmit(mj_dtls *d, uint8_t *buf, size_t cap);

/* When mj_dtls_handle_timeout should next run: MJ_TIME_NEVER when no timer
 * is pending. */
mj_time mj_dtls_next_timeout(const mj_dtls *d, mj_time now);
/* Retransmits the current flight if OpenSSL's timer expired (calling early
 * is harmless), or fails the connection (MJ_ETIMEDOUT) after the retransmit
 * limit. Starts a client that was not started yet. */
void mj_dtls_handle_timeout(mj_dtls *d, mj_time now);

enum mj_dtls_state mj_dtls_state_get(const mj_dtls *d);
/* Why the connection failed (MJ_EAUTH, MJ_EPROTO, MJ_ETIMEDOUT, ...), or 0. */
int mj_dtls_error(const mj_dtls *d);
bool mj_dtls_is_server(const mj_dtls *d);

/* Once CONNECTED: the negotiated SRTP profile and the keying material
 * exported with the label "EXTRACTOR-dtls_srtp" (RFC 5764 section 4.2),
 * mapped to our role: local = our write key (protect), remote = the peer's
 * (unprotect). MJ_ESTATE before the handshake is done or after a failure.
 * The caller owns *out and should wipe it when done.
 *
 * When to free the connection after copying the keys:
 *  - client role: right away (our Finished is the last message and the
 *    server already completed to send us its own);
 *  - server role: once the peer proves it finished, i.e. on the first
 *    SRTP or SRTCP packet from it that authenticates. Until then keep
 *    feeding DTLS datagrams: if our last flight was lost the client
 *    retransmits its Finished and we must answer with ours.
 * After freeing, drop incoming DTLS datagrams for that peer. */
MJ_MUST_USE int mj_dtls_srtp_keys(const mj_dtls *d, mj_srtp_keys *out);

/* Queues close_notify (when connected) and moves to CLOSED. */
void mj_dtls_close(mj_dtls *d);

#endif
