/* RTP packets: the fixed header, CSRCs and header extensions as a borrowed
 * view over the datagram, audio levels, a header writer, in-place rewriters
 * for the forwarding path, and sequence number arithmetic.
 *
 * Implements RFC 3550 §5.1 (fixed header, padding), §5.3.1 (header
 * extension) and Appendix A.1 (extending sequence numbers), RFC 8285
 * (one-byte and two-byte extension elements, including mixed use), and
 * RFC 6464 (client-to-mixer audio level).
 *
 * Pure: no allocation, no clock. A parsed mj_rtp_hdr points into the buffer
 * it was parsed from; the caller keeps that buffer alive and unchanged
 * while it uses the view. Parse after SRTP unprotect: under SRTP the
 * padding count (the last byte) is ciphertext and an auth tag trails, so
 * before unprotect read only the fixed header (mj_rtp_peek_*). */
#ifndef MJ_PROTO_RTP_H
#define MJ_PROTO_RTP_H

#include "base/buf.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_RTP_VERSION              2
#define MJ_RTP_FIXED_LEN            12
#define MJ_RTP_EXT_ONE_BYTE_PROFILE 0xBEDE
#define MJ_RTP_EXT_TWO_BYTE_PROFILE 0x1000 /* upper 12 bits 0x100, low 4 "appbits" */

/* Which header extension form a packet carries. */
enum mj_rtp_ext_form {
    MJ_RTP_EXT_NONE = 0,     /* X bit clear */
    MJ_RTP_EXT_ONE_BYTE = 1, /* profile 0xBEDE, ids 1..14 */
    MJ_RTP_EXT_TWO_BYTE = 2, /* profile 0x100X, ids 1..255 */
    MJ_RTP_EXT_OTHER = 3,    /* some other profile: the block is kept opaque */
};

typedef struct mj_rtp_hdr {
    uint8_t version;
    bool padding;
    bool extension;
    uint8_t csrc_count;
    bool marker;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    const uint8_t *csrc;  /* csrc_count big-endian 32-bit ids; see mj_rtp_csrc() */
    size_t hdr_len;       /* fixed header + CSRCs + extension block: payload offset */
    uint8_t ext_form;     /* enum mj_rtp_ext_form */
    uint16_t ext_profile; /* the "defined by profile" field; 0 without extension */
    mj_slice ext;         /* extension data after its 4-byte header (a multiple of 4) */
    mj_slice payload;     /* padding removed; may be empty */
    uint8_t pad_len;      /* padding bytes removed, count byte included; 0 if none */
} mj_rtp_hdr;

/* Parses an RTP datagram into *h. Returns 0, or MJ_ETRUNC (shorter than the
 * fixed header, CSRC list or extension block) or MJ_EINVAL (version not 2,
 * padding count zero or larger than what follows the header). */
MJ_MUST_USE int mj_rtp_parse(const uint8_t *d, size_t n, mj_rtp_hdr *h, const char **why);

static inline uint32_t mj_rtp_csrc(const mj_rtp_hdr *h, unsigned i)
{
    return i < h->csrc_count ? mj_be32(h->csrc + 4 * (size_t)i) : 0;
}

/* Finds extension element `id` (one-byte form: 1..14; two-byte form:
 * 1..255) and sets *data to its bytes (the two-byte form allows empty
 * ones). Stops at the end of the block, at id 15 in the one-byte form
 * (RFC 8285 §4.2), or at an element that runs past the block. Returns 0,
 * MJ_ENOTFOUND (absent, id out of range, no or an opaque extension), or
 * MJ_ETRUNC (an element before it ran past the block). */
MJ_MUST_USE int mj_rtp_ext_find(const mj_rtp_hdr *h, unsigned id, mj_slice *data);

/* RFC 6464 audio level at negotiated extension id: *voice is the V flag,
 * *level is 0..127, in -dBov (0 loudest, 127 silence). Returns 0,
 * MJ_ENOTFOUND, MJ_ETRUNC (as mj_rtp_ext_find) or MJ_EINVAL (an element
 * that is not exactly one byte). */
MJ_MUST_USE int mj_rtp_audio_level(const mj_rtp_hdr *h, unsigned id, bool *voice, uint8_t *level);

/* Fields for a fresh header. With level_id 1..14, a one-byte-form extension
 * block carrying an RFC 6464 audio level is added (8 bytes); 0 adds none. */
typedef struct mj_rtp_out {
    bool marker;
    uint8_t pt; /* 0..127 */
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    uint8_t level_id; /* 0 or 1..14 */
    bool voice;
    uint8_t level; /* 0..127, -dBov */
} mj_rtp_out;

/* Appends the header (12 bytes, or 20 with the audio level) to w; the
 * caller appends the payload after it. Returns the header length, or
 * MJ_ENOSPC, or MJ_EINVAL (pt, level_id or level out of range). */
MJ_MUST_USE long mj_rtp_write(mj_wbuf *w, const mj_rtp_out *o);

/* Fixed-header reads, for datagrams of at least 12 bytes (what
 * mj_demux_classify() guarantees for MJ_PKT_RTP); valid on SRTP packets
 * before unprotect, since the fixed header travels in the clear. */
static inline uint32_t mj_rtp_peek_ssrc(const uint8_t *pkt)
{
    return mj_be32(pkt + 8);
}
static inline uint16_t mj_rtp_peek_seq(const uint8_t *pkt)
{
    return mj_be16(pkt + 2);
}
static inline uint8_t mj_rtp_peek_pt(const uint8_t *pkt)
{
    return pkt[1] & 0x7f;
}

/* In-place rewriters for the forwarding path: pkt is a packet buffer of at
 * least 12 bytes, writable, not yet SRTP-protected. They change only their
 * field; a mj_rtp_hdr parsed earlier keeps the old values. */
static inline void mj_rtp_set_ssrc(uint8_t *pkt, uint32_t ssrc)
{
    mj_put_be32(pkt + 8, ssrc);
}
static inline void mj_rtp_set_seq(uint8_t *pkt, uint16_t seq)
{
    mj_put_be16(pkt + 2, seq);
}
static inline void mj_rtp_set_ts(uint8_t *pkt, uint32_t ts)
{
    mj_put_be32(pkt + 4, ts);
}
static inline void mj_rtp_set_pt(uint8_t *pkt, uint8_t pt)
{
    pkt[1] = (uint8_t)((pkt[1] & 0x80) | (pt & 0x7f));
}
static inline void mj_rtp_set_marker(uint8_t *pkt, bool marker)
{
    pkt[1] = (uint8_t)((pkt[1] & 0x7f) | (marker ? 0x80 : 0));
}

/* 16-bit sequence numbers, wraparound-aware (RFC 3550 §A.1; the same
 * rule as libwebrtc's IsNewerSequenceNumber). */

/* a - b as the shortest signed distance, in -32768..32767. Exactly half a
 * cycle apart it is -32768 either way round: order with mj_seq_newer(). */
static inline int32_t mj_seq_diff(uint16_t a, uint16_t b)
{
    int32_t d = (uint16_t)(a - b);
    return d >= 0x8000 ? d - 0x10000 : d;
}

/* True when a comes after b. Exactly half a cycle apart, the numerically
 * larger one counts as newer, so that of two distinct numbers exactly one
 * is newer than the other. */
static inline bool mj_seq_newer(uint16_t a, uint16_t b)
{
    uint16_t d = (uint16_t)(a - b);
    return d == 0x8000 ? a > b : d != 0 && d < 0x8000;
}

/* Extends 16-bit sequence numbers to 64 bits by counting cycles, like the
 * max_seq/cycles pair of RFC 3550 §A.1 (without its source validation and
 * probation, which belong to whoever keeps reception statistics). Embed
 * and zero with mj_seq_ext_init(). */
typedef struct mj_seq_ext {
    int64_t cycles;   /* multiples of 65536 */
    uint16_t max_seq; /* highest sequence number seen */
    bool started;
} mj_seq_ext;

static inline void mj_seq_ext_init(mj_seq_ext *s)
{
    s->cycles = 0;
    s->max_seq = 0;
    s->started = false;
}

/* Feeds one sequence number and returns its extended value. The first one
 * seen is taken as is (cycle 0); a newer one raises the highest (counting a
 * wrap past 65535); an older one is placed in the cycle it belongs to, so
 * a late packet from before the first one seen is negative. */
static inline int64_t mj_seq_ext_update(mj_seq_ext *s, uint16_t seq)
{
    if (!s->started) {
        s->started = true;
        s->max_seq = seq;
        return seq;
    }
    int64_t base = s->cycles + s->max_seq;
    if (!mj_seq_newer(seq, s->max_seq)) return base - (uint16_t)(s->max_seq - seq);
    int64_t ext = base + (uint16_t)(seq - s->max_seq);
    s->cycles = ext - seq;
    s->max_seq = seq;
    return ext;
}

/* The extended highest sequence number seen so far (RFC 3550 §6.4.1 puts
 * its low 32 bits in report blocks); -1 before the first. */
static inline int64_t mj_seq_ext_highest(const mj_seq_ext *s)
{
    return s->started ? s->cycles + s->max_seq : -1;
}

#endif
