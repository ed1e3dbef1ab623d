/* Tests for src/proto/demux.h: RFC 7983 first-byte ranges and the RFC 5761
 * RTP/RTCP split on the second byte. */
#include "test.h"

#include "proto/demux.h"

/* Classifies a 32-byte datagram with the given first two bytes. */
static mj_pkt_kind kind2(uint8_t b0, uint8_t b1)
{
    uint8_t d[32] = {0};
    d[0] = b0;
    d[1] = b1;
    return mj_demux_classify(d, sizeof d);
}

TEST(first_byte_boundaries)
{
    /* Second byte 111 (Opus) so that 128..191 read as RTP. */
    static const struct {
        uint8_t b0;
        mj_pkt_kind want;
    } cases[] = {
        {0, MJ_PKT_STUN},      {3, MJ_PKT_STUN},     {4, MJ_PKT_UNKNOWN},  {16, MJ_PKT_UNKNOWN},
        {19, MJ_PKT_UNKNOWN},  {20, MJ_PKT_DTLS},    {22, MJ_PKT_DTLS},    {23, MJ_PKT_DTLS},
        {63, MJ_PKT_DTLS},     {64, MJ_PKT_UNKNOWN}, {79, MJ_PKT_UNKNOWN}, {127, MJ_PKT_UNKNOWN},
        {128, MJ_PKT_RTP},     {144, MJ_PKT_RTP},    {191, MJ_PKT_RTP},    {192, MJ_PKT_UNKNOWN},
        {255, MJ_PKT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mj_pkt_kind got = kind2(cases[i].b0, 111);
        if (got != cases[i].want)
            MJ_TEST_FAIL("first byte %u: got %s, want %s", cases[i].b0, mj_pkt_kind_name(got),
                         mj_pkt_kind_name(cases[i].want));
        mj_test_checks++;
    }
    /* Every byte value lands in exactly the documented range. */
    for (unsigned b0 = 0; b0 < 256; b0++) {
        mj_pkt_kind got = kind2((uint8_t)b0, 111);
        mj_pkt_kind want = b0 <= 3                  ? MJ_PKT_STUN
                           : b0 >= 20 && b0 <= 63   ? MJ_PKT_DTLS
                           : b0 >= 128 && b0 <= 191 ? MJ_PKT_RTP
                                                    : MJ_PKT_UNKNOWN;
        CHECK_EQ(got, want);
    }
}

TEST(rtp_versus_rtcp_second_byte)
{
    /* RTP: Opus 111 and 96, with and without the marker bit. */
    CHECK_EQ(kind2(0x80, 111), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x90, 0x80 | 111), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x80, 96), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x80, 0x80 | 96), MJ_PKT_RTP); /* 224 */
    CHECK_EQ(kind2(0x80, 0), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x80, 63), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x80, 0x80 | 63), MJ_PKT_RTP); /* 191 */
    CHECK_EQ(kind2(0x80, 127), MJ_PKT_RTP);
    CHECK_EQ(kind2(0x80, 255), MJ_PKT_RTP);
    /* RTCP: SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR, and the range ends. */
    for (unsigned pt = 200; pt <= 207; pt++)
        CHECK_EQ(kind2(0x81, (uint8_t)pt), MJ_PKT_RTCP);
    CHECK_EQ(kind2(0x80, 192), MJ_PKT_RTCP);
    CHECK_EQ(kind2(0x80, 223), MJ_PKT_RTCP);
    /* RTP PT 72 with the marker set is byte-for-byte an SR's second byte:
     * RFC 5761 §4 forbids PT 64..95 under rtcp-mux, so it is RTCP. */
    CHECK_EQ(kind2(0x80, 0x80 | 72), MJ_PKT_RTCP);
    /* Without the marker, PT 64..95 is neither valid RTP here nor any
     * RTCP type: dropped. */
    CHECK_EQ(kind2(0x80, 72), MJ_PKT_UNKNOWN);
    CHECK_EQ(kind2(0x80, 64), MJ_PKT_UNKNOWN);
    CHECK_EQ(kind2(0x80, 95), MJ_PKT_UNKNOWN);
    for (unsigned b1 = 0; b1 < 256; b1++) {
        mj_pkt_kind want = b1 >= 192 && b1 <= 223 ? MJ_PKT_RTCP
                           : b1 >= 64 && b1 <= 95 ? MJ_PKT_UNKNOWN
                                                  : MJ_PKT_RTP;
        CHECK_EQ(kind2(0xbf, (uint8_t)b1), want);
    }
}

TEST(short_datagrams_are_unknown)
{
    uint8_t d[32] = {0};
    CHECK_EQ(mj_demux_classify(d, 0), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(NULL, 0), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 19), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 20), MJ_PKT_STUN);
    d[0] = 22;
    CHECK_EQ(mj_demux_classify(d, 12), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 13), MJ_PKT_DTLS);
    d[0] = 0x80;
    d[1] = 111;
    CHECK_EQ(mj_demux_classify(d, 1), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 11), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 12), MJ_PKT_RTP);
    d[1] = 201;
    CHECK_EQ(mj_demux_classify(d, 7), MJ_PKT_UNKNOWN);
    CHECK_EQ(mj_demux_classify(d, 8), MJ_PKT_RTCP);
}

TEST(real_datagram_heads)
{
    /* STUN Binding request with the magic cookie. */
    static const uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    CHECK_EQ(mj_demux_classify(stun, sizeof stun), MJ_PKT_STUN);
    /* DTLS 1.2 handshake record (ClientHello), DTLS 1.0 version bytes. */
    static const uint8_t dtls[13] = {0x16, 0xfe, 0xfd, 0x00, 0x00};
    CHECK_EQ(mj_demux_classify(dtls, sizeof dtls), MJ_PKT_DTLS);
    static const uint8_t alert[13] = {0x15, 0xfe, 0xff};
    CHECK_EQ(mj_demux_classify(alert, sizeof alert), MJ_PKT_DTLS);
    /* Chromium Opus with extensions; an SRTCP RR (second byte in clear). */
    static const uint8_t rtp[12] = {0x90, 0x6f, 0x1a, 0x2b};
    CHECK_EQ(mj_demux_classify(rtp, sizeof rtp), MJ_PKT_RTP);
    static const uint8_t rtcp[8] = {0x81, 0xc9, 0x00, 0x07};
    CHECK_EQ(mj_demux_classify(rtcp, sizeof rtcp), MJ_PKT_RTCP);
    CHECK_STR(mj_pkt_kind_name(MJ_PKT_RTCP), "rtcp");
    CHECK_STR(mj_pkt_kind_name(MJ_PKT_UNKNOWN), "unknown");
    CHECK_STR(mj_pkt_kind_name((mj_pkt_kind)99), "unknown");
}

TEST_MAIN(first_byte_boundaries, rtp_versus_rtcp_second_byte, short_datagrams_are_unknown,
          real_datagram_heads)
