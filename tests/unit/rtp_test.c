/* Tests for src/proto/rtp: header parsing, RFC 8285 extensions, RFC 6464
 * audio levels, the writer, the in-place rewriters and sequence number
 * arithmetic. */
#include "test.h"

#include "proto/rtp.h"

#include <stdbool.h>

/* An Opus packet laid out the way Chromium sends one with its default audio
 * extmaps: 1 ssrc-audio-level, 2 abs-send-time, 3 transport-wide-cc,
 * 4 sdes:mid (sent until the mid is acknowledged). */
static const uint8_t chromium_opus[] = {
    0x90, 0x6f, 0x1a, 0x2b,             /* V=2 X=1 CC=0, M=0 PT=111, seq 0x1a2b */
    0x00, 0x00, 0x3c, 0x00,             /* timestamp 15360 */
    0x12, 0x34, 0x56, 0x78,             /* SSRC */
    0xbe, 0xde, 0x00, 0x03,             /* one-byte form, 3 words */
    0x10, 0x9e,                         /* id 1 L=0: voice, level 30 */
    0x22, 0x12, 0x34, 0x56,             /* id 2 L=2: abs-send-time */
    0x31, 0x00, 0x07,                   /* id 3 L=1: transport seq 7 */
    0x40, 0x30,                         /* id 4 L=0: mid "0" */
    0x00,                               /* padding */
    0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, /* Opus: TOC 0x78 and frame bytes */
    0xc5, 0x8d,
};

/* Copies into an exact-size heap block so ASan sees any read past n. */
static uint8_t *dup_exact(const uint8_t *d, size_t n)
{
    uint8_t *p = calloc(n ? n : 1, 1);
    if (n) memcpy(p, d, n);
    return p;
}

TEST(chromium_opus_header_fields)
{
    mj_rtp_hdr h;
    const char *why = NULL;
    REQUIRE(mj_rtp_parse(chromium_opus, sizeof chromium_opus, &h, &why) == 0);
    CHECK_EQ(h.version, 2);
    CHECK(!h.padding);
    CHECK(h.extension);
    CHECK_EQ(h.csrc_count, 0);
    CHECK(!h.marker);
    CHECK_EQ(h.pt, 111);
    CHECK_EQ(h.seq, 0x1a2b);
    CHECK_EQ(h.ts, 15360);
    CHECK_EQ(h.ssrc, 0x12345678);
    CHECK_EQ(h.hdr_len, 28);
    CHECK_EQ(h.ext_form, MJ_RTP_EXT_ONE_BYTE);
    CHECK_EQ(h.ext_profile, 0xbede);
    CHECK(h.ext.p == chromium_opus + 16);
    CHECK_EQ(h.ext.n, 12);
    CHECK(h.payload.p == chromium_opus + 28);
    CHECK_EQ(h.payload.n, 8);
    CHECK_EQ(h.payload.p[0], 0x78);
    CHECK_EQ(h.pad_len, 0);
}

TEST(chromium_opus_extension_elements)
{
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(chromium_opus, sizeof chromium_opus, &h, NULL) == 0);
    mj_slice e;
    REQUIRE(mj_rtp_ext_find(&h, 1, &e) == 0);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.p[0], 0x9e);
    REQUIRE(mj_rtp_ext_find(&h, 2, &e) == 0);
    CHECK_EQ(e.n, 3);
    CHECK_EQ(mj_be24(e.p), 0x123456);
    REQUIRE(mj_rtp_ext_find(&h, 3, &e) == 0);
    CHECK_EQ(e.n, 2);
    CHECK_EQ(mj_be16(e.p), 7);
    REQUIRE(mj_rtp_ext_find(&h, 4, &e) == 0);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.p[0], '0');
    CHECK_EQ(mj_rtp_ext_find(&h, 5, &e), MJ_ENOTFOUND);
    CHECK_EQ(mj_rtp_ext_find(&h, 0, &e), MJ_ENOTFOUND);
    CHECK_EQ(mj_rtp_ext_find(&h, 15, &e), MJ_ENOTFOUND);
    CHECK_EQ(mj_rtp_ext_find(&h, 200, &e), MJ_ENOTFOUND);

    bool voice = false;
    uint8_t level = 0;
    REQUIRE(mj_rtp_audio_level(&h, 1, &voice, &level) == 0);
    CHECK(voice);
    CHECK_EQ(level, 30);
    /* Negotiated at another id: the mid element is one byte but no level. */
    CHECK_EQ(mj_rtp_audio_level(&h, 9, &voice, &level), MJ_ENOTFOUND);
    /* transport-cc is two bytes: not an audio level. */
    CHECK_EQ(mj_rtp_audio_level(&h, 3, &voice, &level), MJ_EINVAL);
}

TEST(padding_is_removed)
{
    /* 3 payload bytes then 4 padding bytes, the last holding the count. */
    static const uint8_t p[] = {0xa0, 0x6f, 0x00, 0x01, 0,    0,    0,    0,    0,   0,
                                0,    9,    0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x00, 0x04};
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    CHECK(h.padding);
    CHECK_EQ(h.pad_len, 4);
    CHECK_EQ(h.hdr_len, 12);
    CHECK_EQ(h.payload.n, 3);
    CHECK_EQ(h.payload.p[2], 0xcc);

    /* Padding-only (a bandwidth probe): the count covers everything. */
    static const uint8_t probe[] = {0xa0, 0x6f, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 4};
    REQUIRE(mj_rtp_parse(probe, sizeof probe, &h, NULL) == 0);
    CHECK_EQ(h.payload.n, 0);
    CHECK_EQ(h.pad_len, 4);
}

TEST(bad_padding_is_rejected)
{
    uint8_t p[] = {0xa0, 0x6f, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 9, 0xaa, 0xbb, 0xcc, 0x00};
    mj_rtp_hdr h;
    const char *why = NULL;
    /* Count zero. */
    CHECK_EQ(mj_rtp_parse(p, sizeof p, &h, &why), MJ_EINVAL);
    CHECK(why && strstr(why, "padding"));
    /* Count larger than what follows the header. */
    p[15] = 5;
    CHECK_EQ(mj_rtp_parse(p, sizeof p, &h, NULL), MJ_EINVAL);
    /* Exactly what follows: fine. */
    p[15] = 4;
    CHECK_EQ(mj_rtp_parse(p, sizeof p, &h, NULL), 0);
    CHECK_EQ(h.payload.n, 0);
    /* Flag set, nothing after the header. */
    CHECK_EQ(mj_rtp_parse(p, 12, &h, NULL), MJ_EINVAL);
    /* Padding may not eat into the extension block. */
    static const uint8_t x[] = {0xb0, 0x6f, 0,    1, 0, 0,    0,    0, 0, 0,    0,
                                9,    0xbe, 0xde, 0, 1, 0x10, 0x9e, 0, 0, 0xaa, 2};
    CHECK_EQ(mj_rtp_parse(x, sizeof x, &h, NULL), 0);
    CHECK_EQ(h.payload.n, 0);
    static const uint8_t y[] = {0xb0, 0x6f, 0,    1, 0, 0,    0,    0, 0, 0,    0,
                                9,    0xbe, 0xde, 0, 1, 0x10, 0x9e, 0, 0, 0xaa, 3};
    CHECK_EQ(mj_rtp_parse(y, sizeof y, &h, NULL), MJ_EINVAL);
}

TEST(csrc_list)
{
    /* CC=2, marker, PT 96, then two CSRCs and a 2-byte payload. */
    static const uint8_t p[] = {0x82, 0xe0, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, 0,    0,    0,
                                1,    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x01, 0x02};
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    CHECK_EQ(h.csrc_count, 2);
    CHECK(h.marker);
    CHECK_EQ(h.pt, 96);
    CHECK_EQ(h.seq, 0xffff);
    CHECK_EQ(h.ts, 0xdeadbeef);
    CHECK_EQ(mj_rtp_csrc(&h, 0), 0x11111111);
    CHECK_EQ(mj_rtp_csrc(&h, 1), 0x22222222);
    CHECK_EQ(mj_rtp_csrc(&h, 2), 0);
    CHECK_EQ(h.hdr_len, 20);
    CHECK_EQ(h.payload.n, 2);
    CHECK_EQ(h.ext_form, MJ_RTP_EXT_NONE);
    mj_slice e;
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), MJ_ENOTFOUND);
    /* CSRC list cut short. */
    CHECK_EQ(mj_rtp_parse(p, 19, &h, NULL), MJ_ETRUNC);
}

TEST(two_byte_extensions)
{
    /* Profile 0x1000 (appbits 0): an audio level at id 1 (len 1), padding,
     * an empty element at id 20, a 17-byte element at id 200 (too long for
     * the one-byte form), padding to the word. */
    static const uint8_t p[] = {
        0x90, 0x6f, 0,    5,    0,   0,   0,   0,    0,    0,    0,   9, /* fixed header */
        0x10, 0x00, 0x00, 0x07, /* two-byte form, 7 words */
        0x01, 0x01, 0x7f,       /* id 1: no voice, level 127 */
        0x00,                   /* padding */
        0x14, 0x00,             /* id 20, empty */
        0xc8, 0x11, 'a',  'b',  'c', 'd', 'e', 'f',  'g',  'h',  'i', 'j',
        'k',  'l',  'm',  'n',  'o', 'p', 'q', 0x00, 0x00, 0x00, /* padding */
        0xf0, 0x0d,                                              /* payload */
    };
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    CHECK_EQ(h.ext_form, MJ_RTP_EXT_TWO_BYTE);
    CHECK_EQ(h.ext_profile, 0x1000);
    CHECK_EQ(h.ext.n, 28);
    CHECK_EQ(h.payload.n, 2);
    mj_slice e;
    REQUIRE(mj_rtp_ext_find(&h, 20, &e) == 0);
    CHECK_EQ(e.n, 0);
    REQUIRE(mj_rtp_ext_find(&h, 200, &e) == 0);
    CHECK_EQ(e.n, 17);
    CHECK_MEM(e.p, "abcdefghijklmnopq", 17);
    CHECK_EQ(mj_rtp_ext_find(&h, 2, &e), MJ_ENOTFOUND);
    CHECK_EQ(mj_rtp_ext_find(&h, 0, &e), MJ_ENOTFOUND);
    CHECK_EQ(mj_rtp_ext_find(&h, 256, &e), MJ_ENOTFOUND);
    bool voice = true;
    uint8_t level = 0;
    REQUIRE(mj_rtp_audio_level(&h, 1, &voice, &level) == 0);
    CHECK(!voice);
    CHECK_EQ(level, 127);
    CHECK_EQ(mj_rtp_audio_level(&h, 20, &voice, &level), MJ_EINVAL);

    /* Appbits in the low nibble still mean the two-byte form. */
    uint8_t q[sizeof p];
    memcpy(q, p, sizeof p);
    q[13] = 0x0f;
    REQUIRE(mj_rtp_parse(q, sizeof q, &h, NULL) == 0);
    CHECK_EQ(h.ext_form, MJ_RTP_EXT_TWO_BYTE);
    CHECK_EQ(h.ext_profile, 0x100f);
    /* An element whose length runs past the block. */
    q[23] = 0x20;
    REQUIRE(mj_rtp_parse(q, sizeof q, &h, NULL) == 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 200, &e), MJ_ETRUNC);
    CHECK_EQ(mj_rtp_ext_find(&h, 99, &e), MJ_ETRUNC);
    /* A lone id byte at the very end of the block, with no length byte. */
    static const uint8_t t[] = {0x90, 0x6f, 0,    1,    0, 0, 0, 0, 0,    0,
                                0,    9,    0x10, 0x00, 0, 1, 1, 1, 0x7f, 0x05};
    REQUIRE(mj_rtp_parse(t, sizeof t, &h, NULL) == 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 5, &e), MJ_ETRUNC);
}

TEST(one_byte_padding_stop_and_overrun)
{
    /* Padding first, id 2 (4 bytes), id 15 (stop), then id 3 that must not
     * be seen. */
    static const uint8_t p[] = {0x90, 0x6f, 0,    1,    0,    0,    0,    0,    0,    0,
                                0,    9,    0xbe, 0xde, 0,    3,    0x00, 0x00, 0x23, 1,
                                2,    3,    4,    0xf0, 0x30, 0xee, 0,    0};
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    mj_slice e;
    REQUIRE(mj_rtp_ext_find(&h, 2, &e) == 0);
    CHECK_EQ(e.n, 4);
    CHECK_EQ(e.p[3], 4);
    CHECK_EQ(mj_rtp_ext_find(&h, 3, &e), MJ_ENOTFOUND);

    /* An element claiming 16 bytes in a 4-byte block. */
    static const uint8_t o[] = {0x90, 0x6f, 0,    1,    0, 0, 0,    0, 0, 0,
                                0,    9,    0xbe, 0xde, 0, 1, 0x1f, 1, 2, 3};
    REQUIRE(mj_rtp_parse(o, sizeof o, &h, NULL) == 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), MJ_ETRUNC);
    /* An empty block. */
    static const uint8_t z[] = {0x90, 0x6f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xbe, 0xde, 0, 0};
    REQUIRE(mj_rtp_parse(z, sizeof z, &h, NULL) == 0);
    CHECK_EQ(h.ext.n, 0);
    CHECK_EQ(h.payload.n, 0);
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), MJ_ENOTFOUND);
}

TEST(other_profile_is_opaque)
{
    static const uint8_t p[] = {0x90, 0x6f, 0,    1, 0, 0,    0,    0, 0, 0,   0,
                                9,    0xab, 0xcd, 0, 1, 0x10, 0x9e, 0, 0, 0x42};
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    CHECK_EQ(h.ext_form, MJ_RTP_EXT_OTHER);
    CHECK_EQ(h.ext_profile, 0xabcd);
    CHECK_EQ(h.ext.n, 4);
    CHECK_EQ(h.payload.n, 1);
    mj_slice e;
    CHECK_EQ(mj_rtp_ext_find(&h, 1, &e), MJ_ENOTFOUND);
    bool v;
    uint8_t l;
    CHECK_EQ(mj_rtp_audio_level(&h, 1, &v, &l), MJ_ENOTFOUND);
}

TEST(truncation_at_every_length)
{
    mj_rtp_hdr h;
    for (size_t n = 0; n <= sizeof chromium_opus; n++) {
        uint8_t *d = dup_exact(chromium_opus, n);
        const char *why = NULL;
        int rc = mj_rtp_parse(d, n, &h, &why);
        if (n < 28) {
            CHECK_EQ(rc, MJ_ETRUNC);
            CHECK(why != NULL);
        } else {
            CHECK_EQ(rc, 0);
            CHECK_EQ(h.payload.n, n - 28);
            bool v;
            uint8_t l;
            CHECK_EQ(mj_rtp_audio_level(&h, 1, &v, &l), 0);
        }
        free(d);
    }
    /* With padding and CSRCs, every prefix either fails or accounts for
     * every byte. */
    static const uint8_t p[] = {0xb1, 0x6f, 0,    1,    0, 0, 0,    0,    0, 0, 0,    9,    0, 0,
                                0,    7,    0xbe, 0xde, 0, 1, 0x10, 0x9e, 0, 0, 0xaa, 0xbb, 0, 2};
    for (size_t n = 0; n <= sizeof p; n++) {
        uint8_t *d = dup_exact(p, n);
        int rc = mj_rtp_parse(d, n, &h, NULL);
        if (rc == 0)
            CHECK_EQ(h.hdr_len + h.payload.n + h.pad_len, n);
        else
            CHECK(rc == MJ_ETRUNC || rc == MJ_EINVAL);
        CHECK_EQ(rc == 0, n == sizeof p);
        free(d);
    }
}

TEST(version_must_be_two)
{
    uint8_t p[sizeof chromium_opus];
    memcpy(p, chromium_opus, sizeof p);
    mj_rtp_hdr h;
    for (int v = 0; v < 4; v++) {
        p[0] = (uint8_t)((p[0] & 0x3f) | v << 6);
        CHECK_EQ(mj_rtp_parse(p, sizeof p, &h, NULL), v == 2 ? 0 : MJ_EINVAL);
    }
}

TEST(writer_round_trips)
{
    uint8_t buf[64];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    mj_rtp_out o = {.marker = true,
                    .pt = 111,
                    .seq = 65535,
                    .ts = 0xfffffff0,
                    .ssrc = 0xcafe,
                    .level_id = 1,
                    .voice = true,
                    .level = 30};
    REQUIRE(mj_rtp_write(&w, &o) == 20);
    mj_wbuf_put(&w, "\x78\x01\x02", 3);
    REQUIRE(mj_wbuf_result(&w) == 23);
    static const uint8_t want[] = {0x90, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0, 0,
                                   0xca, 0xfe, 0xbe, 0xde, 0x00, 0x01, 0x10, 0x9e, 0, 0};
    CHECK_MEM(buf, want, sizeof want);
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(buf, 23, &h, NULL) == 0);
    CHECK(h.marker);
    CHECK_EQ(h.pt, 111);
    CHECK_EQ(h.seq, 65535);
    CHECK_EQ(h.ts, 0xfffffff0);
    CHECK_EQ(h.ssrc, 0xcafe);
    CHECK_EQ(h.payload.n, 3);
    bool v = false;
    uint8_t l = 0;
    REQUIRE(mj_rtp_audio_level(&h, 1, &v, &l) == 0);
    CHECK(v);
    CHECK_EQ(l, 30);

    /* No level: the bare 12-byte header, at id 14 the highest one-byte id. */
    mj_wbuf_init(&w, buf, sizeof buf);
    o.level_id = 0;
    o.marker = false;
    REQUIRE(mj_rtp_write(&w, &o) == 12);
    REQUIRE(mj_rtp_parse(buf, 12, &h, NULL) == 0);
    CHECK(!h.extension);
    CHECK(!h.marker);
    mj_wbuf_init(&w, buf, sizeof buf);
    o.level_id = 14;
    o.voice = false;
    o.level = 127;
    REQUIRE(mj_rtp_write(&w, &o) == 20);
    REQUIRE(mj_rtp_parse(buf, 20, &h, NULL) == 0);
    REQUIRE(mj_rtp_audio_level(&h, 14, &v, &l) == 0);
    CHECK(!v);
    CHECK_EQ(l, 127);
}

TEST(writer_rejects_bad_arguments_and_small_buffers)
{
    uint8_t buf[19];
    mj_wbuf w;
    mj_rtp_out o = {.pt = 111, .level_id = 1};
    mj_wbuf_init(&w, buf, sizeof buf);
    CHECK_EQ(mj_rtp_write(&w, &o), MJ_ENOSPC);
    CHECK(w.failed);
    mj_wbuf_init(&w, buf, 11);
    o.level_id = 0;
    CHECK_EQ(mj_rtp_write(&w, &o), MJ_ENOSPC);
    mj_wbuf_init(&w, buf, sizeof buf);
    o.pt = 128;
    CHECK_EQ(mj_rtp_write(&w, &o), MJ_EINVAL);
    o.pt = 111;
    o.level_id = 15;
    CHECK_EQ(mj_rtp_write(&w, &o), MJ_EINVAL);
    o.level_id = 1;
    o.level = 128;
    CHECK_EQ(mj_rtp_write(&w, &o), MJ_EINVAL);
    CHECK_EQ(w.len, 0);
}

TEST(rewriters_change_only_their_field)
{
    uint8_t p[sizeof chromium_opus];
    memcpy(p, chromium_opus, sizeof p);
    mj_rtp_set_ssrc(p, 0xa1a2a3a4);
    mj_rtp_set_seq(p, 0xfffe);
    mj_rtp_set_ts(p, 0x01020304);
    mj_rtp_set_marker(p, true);
    mj_rtp_set_pt(p, 109);
    mj_rtp_hdr h;
    REQUIRE(mj_rtp_parse(p, sizeof p, &h, NULL) == 0);
    CHECK_EQ(h.ssrc, 0xa1a2a3a4);
    CHECK_EQ(h.seq, 0xfffe);
    CHECK_EQ(h.ts, 0x01020304);
    CHECK(h.marker);
    CHECK_EQ(h.pt, 109);
    CHECK_EQ(mj_rtp_peek_ssrc(p), 0xa1a2a3a4);
    CHECK_EQ(mj_rtp_peek_seq(p), 0xfffe);
    CHECK_EQ(mj_rtp_peek_pt(p), 109);
    CHECK_EQ(p[0], 0x90);
    CHECK_MEM(p + 12, chromium_opus + 12, sizeof p - 12);
    mj_rtp_set_pt(p, 0xff); /* only 7 bits land */
    CHECK_EQ(p[1], 0xff);
    mj_rtp_set_marker(p, false);
    CHECK_EQ(p[1], 0x7f);
    mj_rtp_set_pt(p, 111);
    CHECK_EQ(p[1], 0x6f);
}

TEST(seq_diff_and_newer_wrap)
{
    CHECK_EQ(mj_seq_diff(5, 3), 2);
    CHECK_EQ(mj_seq_diff(3, 5), -2);
    CHECK_EQ(mj_seq_diff(2, 65534), 4);
    CHECK_EQ(mj_seq_diff(65534, 2), -4);
    CHECK_EQ(mj_seq_diff(0, 65535), 1);
    CHECK_EQ(mj_seq_diff(100, 100), 0);
    CHECK_EQ(mj_seq_diff(32767, 0), 32767);
    CHECK_EQ(mj_seq_diff(32768, 0), -32768);
    CHECK(mj_seq_newer(0, 65535));
    CHECK(!mj_seq_newer(65535, 0));
    CHECK(mj_seq_newer(1, 0));
    CHECK(!mj_seq_newer(7, 7));
    CHECK(mj_seq_newer(32767, 0));
    CHECK(!mj_seq_newer(0, 32767));
    /* Half a cycle apart: exactly one of the two is newer. */
    CHECK(mj_seq_newer(32768, 0));
    CHECK(!mj_seq_newer(0, 32768));
    for (uint32_t a = 0; a < 65536; a += 251)
        for (uint32_t b = 0; b < 65536; b += 257)
            if (a != b)
                CHECK(mj_seq_newer((uint16_t)a, (uint16_t)b) !=
                      mj_seq_newer((uint16_t)b, (uint16_t)a));
}

TEST(seq_extension_counts_cycles)
{
    mj_seq_ext s;
    mj_seq_ext_init(&s);
    CHECK_EQ(mj_seq_ext_highest(&s), -1);
    CHECK_EQ(mj_seq_ext_update(&s, 65533), 65533);
    CHECK_EQ(mj_seq_ext_update(&s, 65535), 65535);
    CHECK_EQ(mj_seq_ext_update(&s, 1), 65537);     /* wrapped, skipping 0 */
    CHECK_EQ(mj_seq_ext_update(&s, 0), 65536);     /* late, after the wrap */
    CHECK_EQ(mj_seq_ext_update(&s, 65534), 65534); /* late, before the wrap */
    CHECK_EQ(mj_seq_ext_highest(&s), 65537);
    CHECK_EQ(mj_seq_ext_update(&s, 2), 65538);
    CHECK_EQ(mj_seq_ext_update(&s, 2), 65538); /* duplicate */
    CHECK_EQ(mj_seq_ext_highest(&s), 65538);
    /* Late packet from before the very first: a negative extension. */
    mj_seq_ext_init(&s);
    CHECK_EQ(mj_seq_ext_update(&s, 3), 3);
    CHECK_EQ(mj_seq_ext_update(&s, 65530), -6);
    CHECK_EQ(mj_seq_ext_highest(&s), 3);
    /* Long run: ten cycles of steps of 1000 land exactly. */
    mj_seq_ext_init(&s);
    int64_t want = 40000;
    mj_seq_ext_update(&s, 40000);
    for (int i = 0; i < 700; i++) {
        want += 1000;
        CHECK_EQ(mj_seq_ext_update(&s, (uint16_t)want), want);
    }
    CHECK_EQ(mj_seq_ext_highest(&s), want);
    /* Half a cycle ahead counts as newer, consistent with mj_seq_newer. */
    mj_seq_ext_init(&s);
    mj_seq_ext_update(&s, 0);
    CHECK_EQ(mj_seq_ext_update(&s, 32768), 32768);
    CHECK_EQ(mj_seq_ext_update(&s, 0), 0);
}

TEST_MAIN(chromium_opus_header_fields, chromium_opus_extension_elements, padding_is_removed,
          bad_padding_is_rejected, csrc_list, two_byte_extensions,
          one_byte_padding_stop_and_overrun, other_profile_is_opaque, truncation_at_every_length,
          version_must_be_two, writer_round_trips, writer_rejects_bad_arguments_and_small_buffers,
          rewriters_change_only_their_field, seq_diff_and_newer_wrap, seq_extension_counts_cycles)
