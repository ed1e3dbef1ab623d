/* SRTP and SRTCP (RFC 3711; AES-GCM per RFC 7714) over libsrtp2.
 *
 * One mj_srtp protects what we send (a libsrtp session with an "any
 * outbound SSRC" policy) and unprotects what the peer sends (a second
 * session, "any inbound SSRC"), with the keys a DTLS-SRTP handshake
 * exported (RFC 5764 section 4.2; see rtc/dtls.h). Packets are transformed
 * in place in caller-owned buffers.
 *
 * Profiles: AES_CM_128_HMAC_SHA1_80 (0x0001), AES_CM_128_HMAC_SHA1_32
 * (0x0002; SRTCP keeps the 80-bit tag, RFC 5764 section 4.1.2) and
 * AEAD_AES_128_GCM (0x0007).
 *
 * Ownership: an mj_srtp is embedded by its owner (the peer) and driven by
 * the one thread that owns that peer. It copies what it needs from the
 * keys at init; the caller may wipe its mj_srtp_keys right after.
 *
 * Cost depends on how libsrtp2 was built (bench/srtp_bench.c): mj_srtp
 * itself allocates nothing per packet, and libsrtp allocates a stream once
 * per new SSRC (inbound: only after that packet authenticates). Debian's
 * libsrtp2 uses NSS, which allocates 5 (GCM) or 14 (AES-CM) times per
 * packet and holds 18-29 KiB per direction; libsrtp2 built on OpenSSL
 * allocates 0 (GCM) or 2 (AES-CM) times and holds 3-4 KiB. Inbound SSRCs
 * are capped (MJ_SRTP_MAX_INBOUND_SSRCS) so a peer cannot grow our memory by
 * inventing SSRCs. */
#ifndef MJ_RTC_SRTP_H
#define MJ_RTC_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* DTLS-SRTP protection profile ids (IANA "DTLS-SRTP Protection Profiles"). */
enum mj_srtp_profile {
    MJ_SRTP_AES128_CM_SHA1_80 = 0x0001,
    MJ_SRTP_AES128_CM_SHA1_32 = 0x0002,
    MJ_SRTP_AEAD_AES_128_GCM = 0x0007,
};

#define MJ_SRTP_MAX_KEY_LEN  16
#define MJ_SRTP_MAX_SALT_LEN 14
/* Most bytes a protect call appends: a 16-byte tag plus SRTCP's 4-byte
 * E-flag and index. Buffers passed to protect need this much room after
 * the packet. */
#define MJ_SRTP_MAX_TRAILER 20
/* Distinct SSRCs (RTP and RTCP sender SSRCs together) one inbound context
 * accepts; packets from further SSRCs fail with MJ_ELIMIT. */
#define MJ_SRTP_MAX_INBOUND_SSRCS 8

/* Master keys and salts for one DTLS-SRTP association, already mapped to
 * our role: "local" protects what we send, "remote" unprotects what the
 * peer sends. Secret: wipe with mj_srtp_keys_wipe() when done. */
typedef struct mj_srtp_keys {
    uint16_t profile; /* enum mj_srtp_profile */
    uint8_t key_len;  /* 16 for every supported profile */
    uint8_t salt_len; /* 14 for AES-CM, 12 for AES-GCM */
    uint8_t local_key[MJ_SRTP_MAX_KEY_LEN];
    uint8_t local_salt[MJ_SRTP_MAX_SALT_LEN];
    uint8_t remote_key[MJ_SRTP_MAX_KEY_LEN];
    uint8_t remote_salt[MJ_SRTP_MAX_SALT_LEN];
} mj_srtp_keys;

struct srtp_ctx_t_; /* libsrtp's session type, kept opaque here */

/* Embeddable; fields are private to srtp.c. */
typedef struct mj_srtp {
    struct srtp_ctx_t_ *out; /* protect session */
    struct srtp_ctx_t_ *in;  /* unprotect session; NULL when outbound-only */
    uint16_t profile;
    uint8_t n_in_ssrcs;
    uint32_t in_ssrcs[MJ_SRTP_MAX_INBOUND_SSRCS];
} mj_srtp;

enum {
    /* Create no inbound session: mj_srtp_unprotect_* fail with MJ_ESTATE.
     * For contexts that only encrypt (e.g. a helper worker's share of
     * listeners). */
    MJ_SRTP_OUTBOUND_ONLY = 1u << 0,
};

/* Initializes libsrtp (srtp_init) and its NSS crypto backend. Call once at
 * process start, before any thread uses this module; it is not
 * thread-safe. Calling it again is a no-op. */
MJ_MUST_USE int mj_srtp_global_init(void);

/* Key and salt lengths for a profile; MJ_EUNSUPP for one we do not do. */
MJ_MUST_USE int mj_srtp_profile_lengths(int profile, size_t *key_len, size_t *salt_len);
/* "AES_CM_128_HMAC_SHA1_80", ... or "unknown". */
const char *mj_srtp_profile_name(int profile);
/* Overwrites the keys in a way the compiler keeps. */
void mj_srtp_keys_wipe(mj_srtp_keys *k);

/* Sets up s from keys; flags is 0 or MJ_SRTP_OUTBOUND_ONLY. On failure s
 * is left disposed (safe to dispose again). */
MJ_MUST_USE int mj_srtp_init(mj_srtp *s, const mj_srtp_keys *keys, unsigned flags);
/* Frees the libsrtp sessions; s may then be initialized again. */
void mj_srtp_dispose(mj_srtp *s);

/* Adds the inbound session to a context set up MJ_SRTP_OUTBOUND_ONLY, from
 * the remote half of keys (which must be for the same profile): a peer
 * that starts out only sending and is later allowed to be read. 0 (also
 * when s already has one), MJ_EINVAL, MJ_ESTATE (s is not set up),
 * MJ_ENOMEM, MJ_ECRYPTO. */
MJ_MUST_USE int mj_srtp_add_inbound(mj_srtp *s, const mj_srtp_keys *keys);
static inline bool mj_srtp_has_inbound(const mj_srtp *s)
{
    return s->in != NULL;
}

/* Protect one RTP / RTCP packet of len bytes in place; buf holds cap bytes
 * and cap must be at least len + MJ_SRTP_MAX_TRAILER. Returns the new
 * length, or MJ_EINVAL (malformed packet), MJ_ENOSPC, MJ_EREPLAY (this
 * SSRC and sequence number were already protected), MJ_ECRYPTO. */
MJ_MUST_USE long mj_srtp_protect_rtp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap);
MJ_MUST_USE long mj_srtp_protect_rtcp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap);

/* Unprotect one SRTP / SRTCP packet in place. Returns the plaintext length,
 * or MJ_EAUTH (tag did not verify: forged, corrupted or wrong key),
 * MJ_EREPLAY (already received, or older than the replay window),
 * MJ_ELIMIT (new SSRC beyond MJ_SRTP_MAX_INBOUND_SSRCS), MJ_EINVAL,
 * MJ_ESTATE (outbound-only context), MJ_ECRYPTO. */
MJ_MUST_USE long mj_srtp_unprotect_rtp(mj_srtp *s, uint8_t *buf, size_t len);
MJ_MUST_USE long mj_srtp_unprotect_rtcp(mj_srtp *s, uint8_t *buf, size_t len);

#endif
