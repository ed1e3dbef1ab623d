#include "proto/framing.h"

#include <string.h>

int mj_frame_peek(const uint8_t *buf, size_t len, size_t max, size_t *flen, size_t *span)
{
    if (len < MJ_FRAME_HDR) return MJ_EAGAIN;
    size_t n = ((size_t)buf[0] << 8) | buf[1];
    if (n > max) return MJ_ELIMIT;
    if (len - MJ_FRAME_HDR < n) return MJ_EAGAIN;
    *flen = n;
    *span = MJ_FRAME_HDR + n;
    return 0;
}

void mj_deframer_init(mj_deframer *d, size_t max)
{
    d->off = d->len = 0;
    d->max = max == 0 || max > MJ_FRAME_MAX ? MJ_FRAME_MAX : max;
}

uint8_t *mj_deframer_space(mj_deframer *d, size_t *cap)
{
    /* What is left is less than one frame (the caller took every whole
     * one), so moving it to the front leaves room for at least the rest
     * of it. */
    if (d->off) {
        memmove(d->buf, d->buf + d->off, d->len);
        d->off = 0;
    }
    *cap = sizeof d->buf - d->len;
    return d->buf + d->len;
}

void mj_deframer_wrote(mj_deframer *d, size_t n)
{
    d->len += n;
}

int mj_deframer_next(mj_deframer *d, uint8_t **frame, size_t *n)
{
    for (;;) {
        size_t flen, span;
        int err = mj_frame_peek(d->buf + d->off, d->len, d->max, &flen, &span);
        if (err == MJ_EAGAIN) return 0;
        if (err) return err;
        uint8_t *f = d->buf + d->off + MJ_FRAME_HDR;
        d->off += span;
        d->len -= span;
        if (d->len == 0) d->off = 0;
        if (flen == 0) continue;
        *frame = f;
        *n = flen;
        return 1;
    }
}
