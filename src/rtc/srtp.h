/* SRTP and SRTCP (RFC 3711; AES-GCM per RFC 7714): our own packet
 * transform, sans-IO, with OpenSSL doing the cryptography.
 *
 * One mj_srtp protects what we send and unprotects what the peer sends,
 * with the keys a DTLS-SRTP handshake exported (RFC 5764 section 4.2; see
 * rtc/dtls.h). Packets are transformed in place in caller-owned buffers.
 *
 * Profiles: AES_CM_128_HMAC_SHA1_80 (0x0001), AES_CM_128_HMAC_SHA1_32
 * (0x0002; SRTCP keeps the 80-bit tag, RFC 5764 section 4.1.2),
 * AEAD_AES_128_GCM (0x0007) and AEAD_AES_256_GCM (0x0008).
 *
 * What it implements: session key derivation with the AES-CM PRF and a key
 * derivation rate of 0 (RFC 3711 section 4.3; a 96-bit AES-GCM master salt
 * is multiplied by 2^16 first, RFC 7714 section 11 and its erratum 4938);
 * AES-CM encryption with HMAC-SHA1 authentication (RFC 3711 sections 3.3,
 * 3.4, 4.1.1, 4.2); AES-GCM with the RTP header, or the SRTCP header and
 * E-flag/index word, as associated data (RFC 7714 sections 8 to 10);
 * rollover counter estimation (RFC 3711 section 3.3.1 and appendix A); a
 * 128-packet replay window per SSRC for SRTP and for SRTCP (section 3.3.2).
 * A sender's index is estimated the same way, so protecting a sequence
 * number twice, or one older than the window, is refused. Header
 * extensions and CSRCs stay in the clear; padding is part of the payload.
 * No MKI, no key derivation rate, no unencrypted or unauthenticated modes
 * when sending; received SRTCP with the E flag clear is accepted when it
 * authenticates, as RFC 3711 section 3.4 allows.
 *
 * Cost: the AES and SHA-1 are OpenSSL's (AES-NI and SHA extensions where
 * the CPU has them). Each direction keeps one OpenSSL cipher context,
 * keyed once at init with the SRTP key; an RTP packet only sets the IV.
 * SRTCP (about one packet a second per stream) keys that context with the
 * SRTCP key for its packet and back after, rather than keep a second
 * context of 1.2 KiB for every listener. Protect and unprotect allocate
 * nothing. Heap per direction: the cipher context (about 1.2 KiB for
 * AES-GCM, 0.65 KiB for AES-CTR), and for AES-CM 0.4 KiB of HMAC state;
 * the receiving direction and its SSRC tables are made only for a context
 * that receives (a listener's does not). Per-SSRC state is in fixed tables
 * (MJ_SRTP_MAX_OUTBOUND_SSRCS, MJ_SRTP_MAX_INBOUND_SSRCS), so a peer
 * cannot grow our memory by inventing SSRCs.
 * bench/srtp_bench.c measures all of this.
 *
 * Ownership: an mj_srtp is embedded by its owner (the peer) and driven by
 * the one thread that owns that peer; it shares nothing with other
 * mj_srtp objects. It copies what it needs from the keys at init; the
 * caller may wipe its mj_srtp_keys right after. */
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
    MJ_SRTP_AEAD_AES_256_GCM = 0x0008,
};

#define MJ_SRTP_MAX_KEY_LEN  32
#define MJ_SRTP_MAX_SALT_LEN 14
/* Most bytes a protect call appends: a 16-byte tag plus SRTCP's 4-byte
 * E-flag and index. Buffers passed to protect need this much room after
 * the packet. */
#define MJ_SRTP_MAX_TRAILER 20
/* Distinct SSRCs (RTP and RTCP sender SSRCs together) one inbound context
 * accepts; packets from further SSRCs fail with MJ_ELIMIT. */
#define MJ_SRTP_MAX_INBOUND_SSRCS 8
/* Distinct SSRCs one context sends from (RTP and RTCP together); protect
 * fails with MJ_ELIMIT for further ones. A listener uses one per slot. */
#define MJ_SRTP_MAX_OUTBOUND_SSRCS 8

/* Master keys and salts for one DTLS-SRTP association, already mapped to
 * our role: "local" protects what we send, "remote" unprotects what the
 * peer sends. Secret: wipe with mj_srtp_keys_wipe() when done. */
typedef struct mj_srtp_keys {
    uint16_t profile; /* enum mj_srtp_profile */
    uint8_t key_len;  /* 16, or 32 for AEAD_AES_256_GCM */
    uint8_t salt_len; /* 14 for AES-CM, 12 for AES-GCM */
    uint8_t local_key[MJ_SRTP_MAX_KEY_LEN];
    uint8_t local_salt[MJ_SRTP_MAX_SALT_LEN];
    uint8_t remote_key[MJ_SRTP_MAX_KEY_LEN];
    uint8_t remote_salt[MJ_SRTP_MAX_SALT_LEN];
} mj_srtp_keys;

struct evp_cipher_ctx_st;    /* OpenSSL's EVP_CIPHER_CTX */
struct mj_srtp_profile_info; /* private to srtp.c */
struct mj_srtp_hmac;         /* private to srtp.c */
struct mj_srtp_inbound;      /* private to srtp.c */

/* One SSRC's packet indices in one direction. Private to srtp.c. */
typedef struct mj_srtp_stream {
    uint32_t ssrc;
    uint32_t rtcp_index;  /* received: the highest; sent: the next one */
    uint32_t roc;         /* rollover counter of s_l */
    uint16_t s_l;         /* highest sequence number (RFC 3711 section 3.3.1) */
    uint8_t flags;        /* which of SRTP and SRTCP this SSRC has used */
    uint64_t rtp_seen[2]; /* replay window: bit k is index ROC||s_l - k */
} mj_srtp_stream;

/* One direction's session keys and cipher context. Private to srtp.c. */
typedef struct mj_srtp_dir {
    /* Keyed with the SRTP key; an SRTCP packet keys it with the SRTCP
     * key and back. NULL: the direction is unusable (a re-key failed). */
    struct evp_cipher_ctx_st *ctx;
    struct mj_srtp_hmac *hmac;             /* AES-CM only: HMAC-SHA1 states */
    uint8_t rtp_key[MJ_SRTP_MAX_KEY_LEN];  /* secret */
    uint8_t rtcp_key[MJ_SRTP_MAX_KEY_LEN]; /* secret */
    uint8_t rtp_salt[MJ_SRTP_MAX_SALT_LEN];
    uint8_t rtcp_salt[MJ_SRTP_MAX_SALT_LEN];
} mj_srtp_dir;

/* Embeddable; fields are private to srtp.c. */
typedef struct mj_srtp {
    const struct mj_srtp_profile_info *p; /* NULL: not set up */
    uint8_t n_out;
    mj_srtp_dir out;
    mj_srtp_stream out_streams[MJ_SRTP_MAX_OUTBOUND_SSRCS];
    struct mj_srtp_inbound *in; /* NULL: outbound-only */
} mj_srtp;

enum {
    /* Create no inbound session: mj_srtp_unprotect_* fail with MJ_ESTATE.
     * For contexts that only encrypt (e.g. a helper worker's share of
     * listeners). */
    MJ_SRTP_OUTBOUND_ONLY = 1u << 0,
};

/* Nothing needs setting up any more (OpenSSL initializes itself); kept so
 * callers have one place to call at process start. Always 0. */
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
/* Frees the cipher contexts and wipes the keys; s may then be initialized
 * again. */
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
 * SSRC and sequence number were already protected, or the number is older
 * than the replay window), MJ_ELIMIT (a new SSRC beyond
 * MJ_SRTP_MAX_OUTBOUND_SSRCS, or the SSRC's packet index is used up),
 * MJ_ESTATE (s is not set up), MJ_ENOMEM (the first SRTCP packet could not
 * make its cipher context), MJ_ECRYPTO. */
MJ_MUST_USE long mj_srtp_protect_rtp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap);
MJ_MUST_USE long mj_srtp_protect_rtcp(mj_srtp *s, uint8_t *buf, size_t len, size_t cap);

/* Unprotect one SRTP / SRTCP packet in place. Returns the plaintext length,
 * or MJ_EAUTH (tag did not verify: forged, corrupted or wrong key),
 * MJ_EREPLAY (already received, or older than the replay window),
 * MJ_ELIMIT (new SSRC beyond MJ_SRTP_MAX_INBOUND_SSRCS), MJ_EINVAL,
 * MJ_ESTATE (outbound-only context), MJ_ENOMEM, MJ_ECRYPTO. On failure
 * buf is left as it came. State (replay window, rollover counter, a new
 * SSRC) changes only for a packet that authenticates. */
MJ_MUST_USE long mj_srtp_unprotect_rtp(mj_srtp *s, uint8_t *buf, size_t len);
MJ_MUST_USE long mj_srtp_unprotect_rtcp(mj_srtp *s, uint8_t *buf, size_t len);

#endif
