/* RFC 4571 framing: datagrams over a byte stream, each preceded by its
 * length as two bytes, big-endian. ICE-TCP (RFC 6544) carries STUN, DTLS,
 * RTP and RTCP this way.
 *
 * The reader is sans-IO: the shell reads from its socket straight into
 * the reader's buffer (mj_deframer_space, mj_deframer_wrote) and takes
 * whole frames out (mj_deframer_next) until none is left. The bytes come
 * from anyone on the network, so:
 *
 *   a frame longer than the caller's limit is an error (the stream cannot
 *     be resynchronised: close the connection), found as soon as its
 *     two length bytes are in, before its body is waited for;
 *   a zero-length frame carries nothing and is skipped (RFC 4571 gives it
 *     no meaning);
 *   a partial frame waits for the rest; the buffer never grows.
 *
 * No allocation: the reader is a fixed buffer, embedded by its owner. */
#ifndef MJ_PROTO_FRAMING_H
#define MJ_PROTO_FRAMING_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_FRAME_HDR 2
/* The largest frame a reader can hold, and a sane limit for media. */
#define MJ_FRAME_MAX 2048
/* One frame at most: a connection holds one of these, so it is kept small;
 * a read may then bring fewer frames at once. */
#define MJ_DEFRAMER_BUF (MJ_FRAME_HDR + MJ_FRAME_MAX)

/* The frame at the start of buf[0..len): 0 with *flen and *span (bytes it
 * takes, header included) set; MJ_EAGAIN when buf does not hold it whole
 * yet; MJ_ELIMIT when its length is over max. */
MJ_MUST_USE int mj_frame_peek(const uint8_t *buf, size_t len, size_t max, size_t *flen,
                              size_t *span);

/* The header of an n-byte frame (n <= 65535). */
static inline void mj_frame_header(uint8_t hdr[MJ_FRAME_HDR], size_t n)
{
    hdr[0] = (uint8_t)(n >> 8);
    hdr[1] = (uint8_t)n;
}

typedef struct mj_deframer {
    size_t off, len; /* unread bytes are buf[off..off+len) */
    size_t max;      /* longest frame taken, <= MJ_FRAME_MAX */
    uint8_t buf[MJ_DEFRAMER_BUF];
} mj_deframer;

/* max: longest frame accepted (0 or over MJ_FRAME_MAX: MJ_FRAME_MAX). */
void mj_deframer_init(mj_deframer *d, size_t max);
/* Where the next read goes and how much may go there: never 0 once every
 * whole frame was taken (after an error from mj_deframer_next, stop
 * reading). */
uint8_t *mj_deframer_space(mj_deframer *d, size_t *cap);
/* n bytes were written at mj_deframer_space (n <= its cap). */
void mj_deframer_wrote(mj_deframer *d, size_t n);
/* The next whole frame, in place: 1 with *frame and *n set (valid, and
 * writable, until the next call on d); 0 when no whole frame is left;
 * MJ_ELIMIT when the next frame is too long. Zero-length frames are
 * skipped. */
MJ_MUST_USE int mj_deframer_next(mj_deframer *d, uint8_t **frame, size_t *n);

#endif
