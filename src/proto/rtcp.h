/* RTCP packets: an iterator over a compound packet, parsers for the
 * sub-packet types an audio SFU meets, and writers for the ones it sends.
 *
 * Implements RFC 3550 §6.4 (SR, RR, report blocks), §6.5 (SDES), §6.6
 * (BYE), §6.7 (APP), RFC 4585 §6 (transport and payload-specific feedback:
 * generic NACK, PLI), RFC 5104 §4.3.1 (FIR), and tolerates RFC 5506
 * reduced-size packets (a lone feedback packet, no SR/RR first). The
 * transport-wide congestion control feedback (RTPFB FMT 15) and
 * application-layer feedback such as REMB (PSFB FMT 15) are exposed as raw
 * FCI bytes; XR (207) and unknown types are iterated but not parsed.
 *
 * Pure: no allocation, no clock (the SR writer takes the NTP time from the
 * caller). Parsed views point into the datagram; the caller keeps it alive
 * and unchanged while it uses them. Parse after SRTCP unprotect.
 *
 * Counts are capped by the bytes actually present: a report block count,
 * BYE source count or SDES chunk count larger than the packet holds yields
 * only the entries that fit, never a read past the sub-packet. */
#ifndef MJ_PROTO_RTCP_H
#define MJ_PROTO_RTCP_H

#include "base/buf.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    MJ_RTCP_SR = 200,
    MJ_RTCP_RR = 201,
    MJ_RTCP_SDES = 202,
    MJ_RTCP_BYE = 203,
    MJ_RTCP_APP = 204,
    MJ_RTCP_RTPFB = 205,
    MJ_RTCP_PSFB = 206,
    MJ_RTCP_XR = 207,
};

/* Feedback message types (the FMT in the count field). */
enum {
    MJ_RTCP_FMT_NACK = 1, /* RTPFB: generic NACK */
    MJ_RTCP_FMT_TCC = 15, /* RTPFB: transport-wide congestion control */
    MJ_RTCP_FMT_PLI = 1,  /* PSFB: picture loss indication */
    MJ_RTCP_FMT_FIR = 4,  /* PSFB: full intra request */
    MJ_RTCP_FMT_AFB = 15, /* PSFB: application layer feedback (REMB) */
};

enum {
    MJ_RTCP_SDES_END = 0,
    MJ_RTCP_SDES_CNAME = 1,
};

#define MJ_RTCP_HDR_LEN   4
#define MJ_RTCP_RB_LEN    24
#define MJ_RTCP_MAX_COUNT 31 /* the 5-bit count field */

/* One sub-packet of a compound packet. */
typedef struct mj_rtcp_hdr {
    uint8_t version;
    bool padding;
    uint8_t count;   /* RC, SC or FMT, by type */
    uint8_t pt;      /* packet type, 200 = SR, ... */
    uint16_t length; /* the length field: 32-bit words minus one */
    mj_slice pkt;    /* the whole sub-packet, header and padding included */
    mj_slice body;   /* after the 4-byte header, padding removed */
} mj_rtcp_hdr;

typedef struct mj_rtcp_iter {
    const uint8_t *p;
    size_t n;
    size_t off;
    int err; /* sticky: once a sub-packet is malformed, iteration stops */
} mj_rtcp_iter;

void mj_rtcp_iter_init(mj_rtcp_iter *it, const uint8_t *d, size_t n);

/* Steps to the next sub-packet. Returns 1 with *h filled, 0 at the end, or
 * a negative error that every later call returns again: MJ_ETRUNC (fewer
 * than 4 bytes left, or the length field runs past the end) or MJ_EINVAL
 * (version not 2, bad padding count). Sub-packets before a bad one were
 * returned whole and may be used. */
MJ_MUST_USE int mj_rtcp_next(mj_rtcp_iter *it, mj_rtcp_hdr *h, const char **why);

/* A report block (RFC 3550 §6.4.1), decoded. */
typedef struct mj_rtcp_rb {
    uint32_t ssrc;
    uint8_t fraction_lost;   /* fixed point, /256 */
    int32_t cumulative_lost; /* signed 24-bit; writers clamp to its range */
    uint32_t highest_seq;    /* extended highest sequence number received */
    uint32_t jitter;         /* in RTP timestamp units */
    uint32_t lsr;            /* middle 32 bits of the last SR's NTP time */
    uint32_t dlsr;           /* delay since last SR, 1/65536 s */
} mj_rtcp_rb;

/* SR sender info (RFC 3550 §6.4.1). */
typedef struct mj_rtcp_sender_info {
    uint64_t ntp; /* NTP timestamp, 32.32 fixed point */
    uint32_t rtp_ts;
    uint32_t packet_count;
    uint32_t octet_count;
} mj_rtcp_sender_info;

/* An SR or an RR. */
typedef struct mj_rtcp_report {
    bool is_sr;
    uint32_t ssrc;          /* of the packet's sender */
    mj_rtcp_sender_info si; /* zero in an RR */
    uint8_t rb_count;       /* blocks present: min(RC, what fits) */
    const uint8_t *rb;      /* rb_count raw 24-byte blocks; mj_rtcp_report_block() */
    mj_slice ext;           /* profile-specific extension after the blocks */
} mj_rtcp_report;

/* Parses an SR or RR. MJ_EINVAL for another type, MJ_ETRUNC when the SSRC
 * (and for an SR the sender info) does not fit. */
MJ_MUST_USE int mj_rtcp_parse_report(const mj_rtcp_hdr *h, mj_rtcp_report *r, const char **why);
/* Decodes block i; MJ_EINVAL when i >= rb_count. */
MJ_MUST_USE int mj_rtcp_report_block(const mj_rtcp_report *r, unsigned i, mj_rtcp_rb *out);

/* SDES items, walked chunk by chunk. */
typedef struct mj_rtcp_sdes_iter {
    mj_slice body;
    size_t off;
    unsigned chunks_left; /* SC, capped by what is present */
    bool in_chunk;
    uint32_t ssrc;
} mj_rtcp_sdes_iter;

typedef struct mj_rtcp_sdes_item {
    uint32_t ssrc; /* the chunk's SSRC/CSRC */
    uint8_t type;  /* MJ_RTCP_SDES_CNAME, ...; END items are not returned */
    mj_slice text; /* UTF-8, not NUL-terminated; PRIV keeps its prefix */
} mj_rtcp_sdes_item;

/* MJ_EINVAL when h is not an SDES. */
MJ_MUST_USE int mj_rtcp_sdes_init(mj_rtcp_sdes_iter *it, const mj_rtcp_hdr *h);
/* Returns 1 with *item filled, 0 at the end, MJ_ETRUNC when an SSRC or an
 * item runs past the packet. A chunk's terminating nulls may be missing at
 * the very end of the packet. */
MJ_MUST_USE int mj_rtcp_sdes_next(mj_rtcp_sdes_iter *it, mj_rtcp_sdes_item *item, const char **why);
/* The first CNAME in an SDES, with its chunk's SSRC. 0, MJ_ENOTFOUND, or
 * an error of the walk. */
MJ_MUST_USE int mj_rtcp_sdes_cname(const mj_rtcp_hdr *h, uint32_t *ssrc, mj_slice *cname);

typedef struct mj_rtcp_bye {
    uint8_t count;        /* sources present: min(SC, what fits) */
    const uint8_t *ssrcs; /* count big-endian 32-bit ids; mj_rtcp_bye_ssrc() */
    mj_slice reason;      /* empty when absent */
} mj_rtcp_bye;

/* MJ_EINVAL for another type, MJ_ETRUNC when the reason's length runs
 * past the packet. */
MJ_MUST_USE int mj_rtcp_parse_bye(const mj_rtcp_hdr *h, mj_rtcp_bye *b, const char **why);
static inline uint32_t mj_rtcp_bye_ssrc(const mj_rtcp_bye *b, unsigned i)
{
    return i < b->count ? mj_be32(b->ssrcs + 4 * (size_t)i) : 0;
}

typedef struct mj_rtcp_app {
    uint8_t subtype;
    uint32_t ssrc;
    uint8_t name[4]; /* four ASCII characters, not NUL-terminated */
    mj_slice data;
} mj_rtcp_app;

MJ_MUST_USE int mj_rtcp_parse_app(const mj_rtcp_hdr *h, mj_rtcp_app *a, const char **why);

/* RTPFB or PSFB (RFC 4585 §6.1). */
typedef struct mj_rtcp_fb {
    uint8_t pt;  /* MJ_RTCP_RTPFB or MJ_RTCP_PSFB */
    uint8_t fmt; /* MJ_RTCP_FMT_* */
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    mj_slice fci; /* feedback control information, raw */
} mj_rtcp_fb;

/* MJ_EINVAL for another type, MJ_ETRUNC when the two SSRCs do not fit. */
MJ_MUST_USE int mj_rtcp_parse_fb(const mj_rtcp_hdr *h, mj_rtcp_fb *fb, const char **why);

/* Generic NACK (RTPFB FMT 1): PID/BLP pairs. A trailing partial pair
 * (only possible with padding) is ignored. */
static inline unsigned mj_rtcp_nack_count(const mj_rtcp_fb *fb)
{
    return (unsigned)(fb->fci.n / 4);
}
static inline void mj_rtcp_nack_pair(const mj_rtcp_fb *fb, unsigned i, uint16_t *pid, uint16_t *blp)
{
    *pid = mj_be16(fb->fci.p + 4 * (size_t)i);
    *blp = mj_be16(fb->fci.p + 4 * (size_t)i + 2);
}
/* Expands the NACK's pairs into lost sequence numbers, in packet order,
 * writing at most cap. Returns how many it wrote. */
size_t mj_rtcp_nack_seqs(const mj_rtcp_fb *fb, uint16_t *out, size_t cap);

/* FIR (PSFB FMT 4): 8-byte entries of SSRC and command sequence number. */
static inline unsigned mj_rtcp_fir_count(const mj_rtcp_fb *fb)
{
    return (unsigned)(fb->fci.n / 8);
}
static inline void mj_rtcp_fir_entry(const mj_rtcp_fb *fb, unsigned i, uint32_t *ssrc, uint8_t *seq)
{
    *ssrc = mj_be32(fb->fci.p + 8 * (size_t)i);
    *seq = fb->fci.p[8 * (size_t)i + 4];
}

/* The middle 32 bits of an NTP timestamp: an SR's id as report blocks
 * echo it in LSR. */
static inline uint32_t mj_rtcp_ntp_mid32(uint64_t ntp)
{
    return (uint32_t)(ntp >> 16);
}

/* Writers append one sub-packet to w, so a compound packet is several
 * calls on one writer. Each returns the writer's total length so far
 * (mj_wbuf_result), MJ_ENOSPC once anything failed to fit, or MJ_EINVAL
 * for arguments out of range (more than 31 blocks or sources, text over
 * 255 bytes), in which case nothing is written. */
MJ_MUST_USE long mj_rtcp_write_sr(mj_wbuf *w, uint32_t ssrc, const mj_rtcp_sender_info *si,
                                  const mj_rtcp_rb *rbs, size_t nrb);
MJ_MUST_USE long mj_rtcp_write_rr(mj_wbuf *w, uint32_t ssrc, const mj_rtcp_rb *rbs, size_t nrb);
MJ_MUST_USE long mj_rtcp_write_sdes_cname(mj_wbuf *w, uint32_t ssrc, const char *cname, size_t len);
/* One SDES packet with a chunk per source, all with the same CNAME (the
 * streams of one endpoint, RFC 7022); MJ_EINVAL when n is 0. */
MJ_MUST_USE long mj_rtcp_write_sdes_cnames(mj_wbuf *w, const uint32_t *ssrcs, size_t n,
                                           const char *cname, size_t len);
MJ_MUST_USE long mj_rtcp_write_bye(mj_wbuf *w, const uint32_t *ssrcs, size_t n, const char *reason,
                                   size_t reason_len);
/* A feedback packet with raw FCI (len a multiple of 4): PLI is
 * (MJ_RTCP_PSFB, MJ_RTCP_FMT_PLI, sender, media, NULL, 0). */
MJ_MUST_USE long mj_rtcp_write_fb(mj_wbuf *w, uint8_t pt, uint8_t fmt, uint32_t sender_ssrc,
                                  uint32_t media_ssrc, const uint8_t *fci, size_t len);
/* A generic NACK for the given lost sequence numbers, packed into PID/BLP
 * pairs (fewest pairs when seqs ascend, wraparound-aware; duplicates of
 * a pair's PID are dropped). MJ_EINVAL when n is 0. */
MJ_MUST_USE long mj_rtcp_write_nack(mj_wbuf *w, uint32_t sender_ssrc, uint32_t media_ssrc,
                                    const uint16_t *seqs, size_t n);

#endif
