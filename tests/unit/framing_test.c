/* Tests for src/proto/framing.h: RFC 4571 frames out of a byte stream cut
 * anywhere, zero-length and oversize frames, many frames in one read. */
#include "test.h"

#include "proto/framing.h"

/* Appends one frame of n bytes of value v to out; returns the new length. */
static size_t put_frame(uint8_t *out, size_t at, size_t n, uint8_t v)
{
    mj_frame_header(out + at, n);
    memset(out + at + MJ_FRAME_HDR, v, n);
    return at + MJ_FRAME_HDR + n;
}

/* Feeds stream[0..len) in pieces of `step` bytes and records the frames'
 * lengths and first bytes; returns how many, or -1 on an error. */
static int feed(mj_deframer *d, const uint8_t *stream, size_t len, size_t step, size_t *lens,
                uint8_t *firsts, int cap)
{
    int got = 0;
    for (size_t at = 0; at < len;) {
        size_t room;
        uint8_t *p = mj_deframer_space(d, &room);
        size_t n = len - at < step ? len - at : step;
        if (n > room) n = room;
        if (n == 0) return -1;
        memcpy(p, stream + at, n);
        mj_deframer_wrote(d, n);
        at += n;
        uint8_t *f;
        size_t fl;
        int r;
        while ((r = mj_deframer_next(d, &f, &fl)) == 1) {
            if (got < cap) {
                lens[got] = fl;
                firsts[got] = f[0];
                for (size_t i = 0; i < fl; i++)
                    if (f[i] != f[0]) return -1; /* a frame's bytes mixed with another's */
            }
            got++;
        }
        if (r < 0) return -1;
    }
    return got;
}

TEST(peek_reads_the_length)
{
    uint8_t b[8] = {0x00, 0x03, 'a', 'b', 'c', 0xff};
    size_t fl = 99, span = 99;
    CHECK_EQ(mj_frame_peek(b, 0, 100, &fl, &span), MJ_EAGAIN);
    CHECK_EQ(mj_frame_peek(b, 1, 100, &fl, &span), MJ_EAGAIN);
    CHECK_EQ(mj_frame_peek(b, 4, 100, &fl, &span), MJ_EAGAIN); /* body partial */
    CHECK_EQ(mj_frame_peek(b, 5, 100, &fl, &span), 0);
    CHECK_EQ(fl, 3);
    CHECK_EQ(span, 5);
    CHECK_EQ(mj_frame_peek(b, 5, 2, &fl, &span), MJ_ELIMIT);
    uint8_t big[2] = {0xff, 0xff};
    CHECK_EQ(mj_frame_peek(big, 2, MJ_FRAME_MAX, &fl, &span), MJ_ELIMIT); /* before the body */
    uint8_t hdr[2];
    mj_frame_header(hdr, 0x1234);
    CHECK_EQ(hdr[0], 0x12);
    CHECK_EQ(hdr[1], 0x34);
}

TEST(many_frames_in_one_read)
{
    static uint8_t s[8192];
    size_t len = 0;
    for (int i = 0; i < 20; i++)
        len = put_frame(s, len, 100 + (size_t)i, (uint8_t)(i + 1));
    mj_deframer d;
    mj_deframer_init(&d, 0);
    size_t lens[32];
    uint8_t firsts[32];
    /* As much as the buffer takes at a time. */
    CHECK_EQ(feed(&d, s, len, sizeof d.buf, lens, firsts, 32), 20);
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(lens[i], 100 + i);
        CHECK_EQ(firsts[i], i + 1);
    }
}

TEST(a_stream_cut_anywhere_gives_the_same_frames)
{
    static uint8_t s[16384];
    size_t len = 0;
    size_t sizes[] = {1, 20, 1200, MJ_FRAME_MAX, 13, 2, 700, MJ_FRAME_MAX - 1, 3};
    int nf = (int)(sizeof sizes / sizeof sizes[0]);
    for (int i = 0; i < nf; i++)
        len = put_frame(s, len, sizes[i], (uint8_t)(0x40 + i));
    size_t steps[] = {1, 2, 3, 7, 100, 1199, 2050, 4096};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        mj_deframer d;
        mj_deframer_init(&d, 0);
        size_t lens[16];
        uint8_t firsts[16];
        int got = feed(&d, s, len, steps[k], lens, firsts, 16);
        if (got != nf) {
            MJ_TEST_FAIL("step %zu: %d frames, want %d", steps[k], got, nf);
            continue;
        }
        for (int i = 0; i < nf; i++) {
            CHECK_EQ(lens[i], sizes[i]);
            CHECK_EQ(firsts[i], 0x40 + i);
        }
    }
}

TEST(zero_length_frames_are_skipped)
{
    uint8_t s[64];
    size_t len = 0;
    len = put_frame(s, len, 0, 0);
    len = put_frame(s, len, 5, 7);
    len = put_frame(s, len, 0, 0);
    len = put_frame(s, len, 0, 0);
    len = put_frame(s, len, 1, 9);
    len = put_frame(s, len, 0, 0);
    for (size_t step = 1; step <= len; step++) {
        mj_deframer d;
        mj_deframer_init(&d, 0);
        size_t lens[8];
        uint8_t firsts[8];
        CHECK_EQ(feed(&d, s, len, step, lens, firsts, 8), 2);
        CHECK_EQ(lens[0], 5);
        CHECK_EQ(firsts[0], 7);
        CHECK_EQ(lens[1], 1);
        CHECK_EQ(firsts[1], 9);
        CHECK_EQ(d.len, 0);
    }
}

TEST(oversize_frames_are_refused)
{
    /* A whole good frame, then one over the limit: the good one comes out,
     * then the error, as soon as the bad one's length is in. */
    uint8_t s[64];
    size_t len = put_frame(s, 0, 10, 1);
    mj_frame_header(s + len, 1201);
    len += 2;
    mj_deframer d;
    mj_deframer_init(&d, 1200);
    size_t room;
    memcpy(mj_deframer_space(&d, &room), s, len);
    mj_deframer_wrote(&d, len);
    uint8_t *f;
    size_t fl;
    CHECK_EQ(mj_deframer_next(&d, &f, &fl), 1);
    CHECK_EQ(fl, 10);
    CHECK_EQ(mj_deframer_next(&d, &f, &fl), MJ_ELIMIT);
    /* The limit itself is fine; over MJ_FRAME_MAX is never taken. */
    mj_deframer_init(&d, 1 << 20);
    CHECK_EQ(d.max, MJ_FRAME_MAX);
    static uint8_t big[MJ_FRAME_MAX + 3];
    size_t blen = put_frame(big, 0, MJ_FRAME_MAX, 3);
    CHECK_EQ(feed(&d, big, blen, 333, &fl, (uint8_t[1]){0}, 1), 1);
    mj_frame_header(big, MJ_FRAME_MAX + 1);
    mj_deframer_init(&d, 0);
    CHECK_EQ(feed(&d, big, 2, 2, &fl, (uint8_t[1]){0}, 1), -1);
}

TEST(partial_frames_wait)
{
    uint8_t s[16];
    size_t len = put_frame(s, 0, 6, 5);
    mj_deframer d;
    mj_deframer_init(&d, 0);
    uint8_t *f;
    size_t fl, room;
    for (size_t i = 0; i < len; i++) {
        uint8_t *p = mj_deframer_space(&d, &room);
        CHECK(room > 0);
        *p = s[i];
        mj_deframer_wrote(&d, 1);
        CHECK_EQ(mj_deframer_next(&d, &f, &fl), i + 1 == len ? 1 : 0);
    }
    CHECK_EQ(fl, 6);
    CHECK_EQ(mj_deframer_next(&d, &f, &fl), 0);
}

TEST_MAIN(peek_reads_the_length, many_frames_in_one_read,
          a_stream_cut_anywhere_gives_the_same_frames, zero_length_frames_are_skipped,
          oversize_frames_are_refused, partial_frames_wait)
