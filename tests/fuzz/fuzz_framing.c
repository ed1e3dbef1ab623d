/* Fuzz target for src/proto/framing: the input is a byte stream from a
 * TCP peer. It is read whole by mj_frame_peek (the reference) and fed to
 * a deframer in pieces whose sizes come from the input itself; both must
 * give the same frames, in the same order, with the same bytes, and stop
 * at the same oversize frame. The frames go nowhere else: what a frame
 * holds is the other parsers' business (fuzz_sfu). */
#include "proto/framing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    /* First byte: the limit; second: the piece sizes' seed. */
    size_t max = data[0] < 8 ? MJ_FRAME_MAX : (size_t)data[0] * 8;
    unsigned seed = data[1];
    const uint8_t *s = data + 2;
    size_t len = size - 2;

    mj_deframer d;
    mj_deframer_init(&d, max);
    size_t ref = 0; /* where the reference is in s */
    bool ref_failed = false;
    for (size_t at = 0; at < len;) {
        size_t room;
        uint8_t *p = mj_deframer_space(&d, &room);
        ASSERT(room > 0 && room <= sizeof d.buf);
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 3000;
        if (n > len - at) n = len - at;
        if (n > room) n = room;
        memcpy(p, s + at, n);
        mj_deframer_wrote(&d, n);
        at += n;
        uint8_t *f;
        size_t fl;
        int r;
        while ((r = mj_deframer_next(&d, &f, &fl)) == 1) {
            /* The reference's next non-empty frame must be this one. */
            size_t rl = 0, span = 0;
            int e;
            while ((e = mj_frame_peek(s + ref, len - ref, d.max, &rl, &span)) == 0 && rl == 0)
                ref += span;
            ASSERT(e == 0);
            ASSERT(rl == fl && fl <= d.max && fl > 0);
            ASSERT(memcmp(f, s + ref + MJ_FRAME_HDR, fl) == 0);
            ASSERT(f >= d.buf && f + fl <= d.buf + sizeof d.buf);
            ref += span;
        }
        if (r < 0) {
            ASSERT(r == MJ_ELIMIT);
            ref_failed = true;
            break;
        }
    }
    /* Whatever the reference has left is empty frames, then a partial
     * frame or the oversize one the reader stopped at. */
    size_t rl = 0, span = 0;
    int e;
    while ((e = mj_frame_peek(s + ref, len - ref, d.max, &rl, &span)) == 0 && rl == 0)
        ref += span;
    ASSERT(ref_failed ? e == MJ_ELIMIT : e == MJ_EAGAIN);
    return 0;
}
