/* STUN messages (RFC 8489) as ICE uses them (RFC 8445 §7, RFC 7675):
 * a pure codec, no sockets, no clock, no allocation.
 *
 * Implemented:
 *   §5      header: top bits zero, magic cookie, length a multiple of 4 that
 *           matches the datagram exactly (one message per UDP datagram);
 *   §14     attribute walk with 4-byte padding, at most MJ_STUN_MAX_ATTRS
 *           attributes; comprehension-optional (>= 0x8000) unknowns are
 *           skipped, comprehension-required unknowns are listed so a server
 *           can answer 420 (§6.3.1) and a client can discard (§6.3.3);
 *   §14.2   XOR-MAPPED-ADDRESS (IPv4 and IPv6), §14.3 USERNAME,
 *   §14.5   MESSAGE-INTEGRITY (HMAC-SHA1 through OpenSSL; everything after
 *           it except FINGERPRINT is ignored), §14.7 FINGERPRINT (nothing
 *           may follow it), §14.8 ERROR-CODE;
 *   §9.1    short-term credentials: the key is the password bytes. ICE
 *           passwords are ASCII ice-chars, which SASLprep/OpaqueString
 *           leave unchanged, so no profile is applied here. For long-term
 *           credentials pass MD5(username ":" realm ":" password) as key.
 *   RFC 8445 §16.1 PRIORITY, USE-CANDIDATE, ICE-CONTROLLED, ICE-CONTROLLING.
 * Not implemented: MESSAGE-INTEGRITY-SHA256 checking (recognised and
 * skipped), long-term credential nonces and realms, TURN attributes.
 *
 * Ownership: mj_stun_msg is a view that borrows the datagram passed to
 * mj_stun_parse; its slices point into it, so the datagram must outlive the
 * view. The writer writes into caller memory and never past `cap`. */
#ifndef MJ_PROTO_STUN_H
#define MJ_PROTO_STUN_H

#include "base/addr.h"
#include "base/buf.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_STUN_HEADER_LEN   20
#define MJ_STUN_MAGIC        0x2112A442u
#define MJ_STUN_TID_LEN      12
#define MJ_STUN_FP_XOR       0x5354554eu
#define MJ_STUN_MAX_ATTRS    32   /* attributes walked per message, ignored ones included */
#define MJ_STUN_MAX_UNKNOWN  8    /* unknown comprehension-required types kept */
#define MJ_STUN_MAX_LEN      2048 /* whole message; larger ones are refused */
#define MJ_STUN_USERNAME_MAX 512  /* RFC 8489 §14.3: fewer than 513 bytes */
#define MJ_STUN_REASON_MAX   763  /* RFC 8489 §14.8 */

/* Message classes (the C1/C0 bits, already placed in the type word). */
enum mj_stun_class {
    MJ_STUN_REQUEST = 0x0000,
    MJ_STUN_INDICATION = 0x0010,
    MJ_STUN_SUCCESS = 0x0100,
    MJ_STUN_ERROR = 0x0110,
};

/* Methods and the full message types ICE uses. */
#define MJ_STUN_BINDING            0x001
#define MJ_STUN_BINDING_REQUEST    0x0001
#define MJ_STUN_BINDING_INDICATION 0x0011
#define MJ_STUN_BINDING_SUCCESS    0x0101
#define MJ_STUN_BINDING_ERROR      0x0111

/* Attribute types. */
enum {
    MJ_STUN_ATTR_MAPPED_ADDRESS = 0x0001,
    MJ_STUN_ATTR_USERNAME = 0x0006,
    MJ_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
    MJ_STUN_ATTR_ERROR_CODE = 0x0009,
    MJ_STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
    MJ_STUN_ATTR_REALM = 0x0014,
    MJ_STUN_ATTR_NONCE = 0x0015,
    MJ_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
    MJ_STUN_ATTR_PASSWORD_ALGORITHM = 0x001D,
    MJ_STUN_ATTR_USERHASH = 0x001E,
    MJ_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
    MJ_STUN_ATTR_PRIORITY = 0x0024,
    MJ_STUN_ATTR_USE_CANDIDATE = 0x0025,
    MJ_STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002,
    MJ_STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,
    MJ_STUN_ATTR_SOFTWARE = 0x8022,
    MJ_STUN_ATTR_ALTERNATE_SERVER = 0x8023,
    MJ_STUN_ATTR_FINGERPRINT = 0x8028,
    MJ_STUN_ATTR_ICE_CONTROLLED = 0x8029,
    MJ_STUN_ATTR_ICE_CONTROLLING = 0x802A,
    MJ_STUN_ATTR_GOOG_NETWORK_INFO = 0xC057, /* Chromium, comprehension-optional */
};

static inline uint16_t mj_stun_method(uint16_t type)
{
    return (uint16_t)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}

static inline enum mj_stun_class mj_stun_class_of(uint16_t type)
{
    return (enum mj_stun_class)(type & 0x0110);
}

/* A parsed message: a borrowed view of the datagram. Fields whose has_*
 * flag is false are zero. */
typedef struct mj_stun_msg {
    const uint8_t *data; /* the whole message (borrowed) */
    size_t len;          /* 20 + the header's length field */
    uint16_t type;       /* method and class bits, e.g. MJ_STUN_BINDING_REQUEST */
    uint8_t tid[MJ_STUN_TID_LEN];

    bool has_username, has_priority, use_candidate;
    bool has_controlling, has_controlled; /* never both */
    bool has_xor_mapped, has_error;
    bool has_integrity, has_integrity_sha256, has_fingerprint;

    mj_slice username;      /* raw bytes, not NUL-terminated */
    uint32_t priority;      /* PRIORITY */
    uint64_t tiebreaker;    /* of ICE-CONTROLLING or ICE-CONTROLLED */
    mj_addr xor_mapped;     /* XOR-MAPPED-ADDRESS, decoded */
    uint16_t error_code;    /* 300..699 */
    mj_slice error_reason;  /* UTF-8 reason phrase, borrowed */
    size_t integrity_off;   /* offset of the MESSAGE-INTEGRITY attribute header */
    size_t fingerprint_off; /* offset of the FINGERPRINT attribute header */

    uint8_t n_attrs;                       /* attributes walked */
    uint8_t n_unknown;                     /* unknown comprehension-required types seen ... */
    uint16_t unknown[MJ_STUN_MAX_UNKNOWN]; /* ... the first MJ_STUN_MAX_UNKNOWN of them */
} mj_stun_msg;

/* Cheap demultiplexing test (RFC 7983 first byte, RFC 8489 §5 header): true
 * when d could be a STUN message: n >= 20, top two bits zero, magic cookie,
 * and a length field that is a multiple of 4 and equals n - 20. */
bool mj_stun_is_stun(const uint8_t *d, size_t n);

/* Parses one STUN message occupying exactly d[0..n). Returns n, or
 * MJ_ETRUNC (shorter than its framing), MJ_EINVAL (malformed), MJ_ELIMIT
 * (larger than MJ_STUN_MAX_LEN or more than MJ_STUN_MAX_ATTRS attributes).
 * Integrity and fingerprint are only located here; check them with the two
 * functions below. */
MJ_MUST_USE int mj_stun_parse(const uint8_t *d, size_t n, mj_stun_msg *m, const char **why);

/* Verifies MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with key in
 * constant time. 0, MJ_EAUTH (absent or wrong) or MJ_ECRYPTO. */
MJ_MUST_USE int mj_stun_check_integrity(const mj_stun_msg *m, const void *key, size_t keylen);

/* Verifies FINGERPRINT (§14.7). 0, or MJ_EINVAL when absent or wrong. */
MJ_MUST_USE int mj_stun_check_fingerprint(const mj_stun_msg *m);

/* For stateless demultiplexing before any session exists: if d is a
 * well-formed STUN Binding request with USERNAME "A:B", sets *local to A
 * (the receiver's ufrag in ICE, RFC 8445 §7.2.2) and, when remote is not
 * NULL, *remote to B. Both point into d. Does not check integrity: the
 * session found by A must still verify the message. 0, or MJ_EINVAL /
 * MJ_ETRUNC / MJ_ELIMIT (not a parsable STUN message), MJ_ENOTFOUND (not a
 * Binding request, no USERNAME, no ':' or an empty part). */
MJ_MUST_USE int mj_stun_peek_ufrag(const uint8_t *d, size_t n, mj_slice *local, mj_slice *remote);

/* Writer. Errors are sticky: the adds return nothing and mj_stun_finish
 * reports the first failure (MJ_ENOSPC when cap was too small, MJ_EINVAL
 * for a bad argument or an attribute after FINGERPRINT, MJ_ECRYPTO). The
 * header's length field is kept current after each add.
 *
 *   mj_stun_writer w;
 *   mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_SUCCESS, req.tid);
 *   mj_stun_add_xor_mapped(&w, &from);
 *   mj_stun_add_integrity(&w, pwd, pwdlen);
 *   mj_stun_add_fingerprint(&w);
 *   int len = mj_stun_finish(&w);
 */
typedef struct mj_stun_writer {
    mj_wbuf w;
    int err;       /* first error, 0 if none */
    bool sealed;   /* MESSAGE-INTEGRITY written: only FINGERPRINT may follow */
    bool finished; /* FINGERPRINT written: nothing may follow */
} mj_stun_writer;

void mj_stun_writer_init(mj_stun_writer *sw, void *buf, size_t cap, uint16_t type,
                         const uint8_t tid[MJ_STUN_TID_LEN]);
/* Any attribute: type, n value bytes, zero padding to 4. */
void mj_stun_add(mj_stun_writer *sw, uint16_t type, const void *value, size_t n);
void mj_stun_add_u32(mj_stun_writer *sw, uint16_t type, uint32_t v);
void mj_stun_add_u64(mj_stun_writer *sw, uint16_t type, uint64_t v);
void mj_stun_add_username(mj_stun_writer *sw, const char *s, size_t n);
void mj_stun_add_priority(mj_stun_writer *sw, uint32_t priority);
void mj_stun_add_use_candidate(mj_stun_writer *sw);
void mj_stun_add_ice_controlling(mj_stun_writer *sw, uint64_t tiebreaker);
void mj_stun_add_ice_controlled(mj_stun_writer *sw, uint64_t tiebreaker);
/* XOR-MAPPED-ADDRESS for an IPv4 or IPv6 address (MJ_EINVAL otherwise). */
void mj_stun_add_xor_mapped(mj_stun_writer *sw, const mj_addr *a);
/* ERROR-CODE: code 300..699 and a reason phrase (may be NULL). */
void mj_stun_add_error(mj_stun_writer *sw, int code, const char *reason);
/* UNKNOWN-ATTRIBUTES listing n types (for a 420 answer). */
void mj_stun_add_unknown(mj_stun_writer *sw, const uint16_t *types, size_t n);
/* MESSAGE-INTEGRITY over everything so far; the message up to it must fit
 * in MJ_STUN_MAX_LEN (else MJ_EINVAL). */
void mj_stun_add_integrity(mj_stun_writer *sw, const void *key, size_t keylen);
void mj_stun_add_fingerprint(mj_stun_writer *sw);
/* Total message length, or the first error. */
MJ_MUST_USE int mj_stun_finish(const mj_stun_writer *sw);

#endif
