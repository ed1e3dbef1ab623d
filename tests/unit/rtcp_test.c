/* Tests for src/proto/rtcp: the compound iterator, each sub-packet parser,
 * and the writers round-tripping through the parsers. */
#include "test.h"

#include "proto/rtcp.h"

/* What Chromium sends while it sends audio and receives one stream: an SR
 * with one report block, then its CNAME (16 random base64 characters). */
static const uint8_t chromium_sr_sdes[] = {
    0x81, 0xc8, 0x00, 0x0c,                         /* SR, RC=1, 13 words */
    0x11, 0x22, 0x33, 0x44,                         /* sender SSRC */
    0xe9, 0x4b, 0x3a, 0x10, 0x80, 0x00, 0x00, 0x00, /* NTP */
    0x00, 0x01, 0xe2, 0x40,                         /* RTP timestamp 123456 */
    0x00, 0x00, 0x00, 0x64,                         /* 100 packets */
    0x00, 0x00, 0x17, 0x70,                         /* 6000 octets */
    0x55, 0x66, 0x77, 0x88,                         /* block: source */
    0x19, 0x00, 0x00, 0x03,                         /* fraction 25/256, 3 lost */
    0x00, 0x01, 0x1a, 0x2b,                         /* highest seq, cycle 1 */
    0x00, 0x00, 0x00, 0x2a,                         /* jitter 42 */
    0x3a, 0x10, 0x80, 0x00,                         /* LSR */
    0x00, 0x01, 0x00, 0x00,                         /* DLSR: 1 s */
    0x81, 0xca, 0x00, 0x06,                         /* SDES, SC=1, 7 words */
    0x11, 0x22, 0x33, 0x44,                         /* chunk SSRC */
    0x01, 0x10, 'L',  'd',  '2',  'o',  'O',  'k',  'Z',  'X',
    '8',  't',  'Z',  'n',  '3',  'b',  'q',  '/',  0x00, 0x00, /* end of items, pad */
};

/* A receive-only Chromium: RR with one block, then its CNAME. */
static const uint8_t chromium_rr_sdes[] = {
    0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, /* RR, RC=1, SSRC 1 */
    0x55, 0x66, 0x77, 0x88, 0x00, 0xff, 0xff, 0xfe, /* no recent loss, -2 lost (duplicates) */
    0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, /* LSR 0, DLSR 0: no SR seen yet */
    0x81, 0xca, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x01, 0x10, 'a',  'b',  'c',  'd',
    'e',  'f',  'g',  'h',  'i',  'j',  'k',  'l',  'm',  'n',  'o',  'p',  0x00, 0x00,
};

static uint8_t *dup_exact(const uint8_t *d, size_t n)
{
    uint8_t *p = calloc(n ? n : 1, 1);
    if (n) memcpy(p, d, n);
    return p;
}

/* Iterates d, storing up to max headers; returns the count, and the final
 * iterator result in *last. */
static int collect(const uint8_t *d, size_t n, mj_rtcp_hdr *hs, int max, int *last)
{
    mj_rtcp_iter it;
    mj_rtcp_iter_init(&it, d, n);
    int k = 0, rc;
    mj_rtcp_hdr h;
    while ((rc = mj_rtcp_next(&it, &h, NULL)) > 0)
        if (k < max) hs[k++] = h;
    *last = rc;
    return k;
}

TEST(chromium_sr_and_sdes)
{
    mj_rtcp_hdr hs[4];
    int last;
    REQUIRE(collect(chromium_sr_sdes, sizeof chromium_sr_sdes, hs, 4, &last) == 2);
    CHECK_EQ(last, 0);
    CHECK_EQ(hs[0].pt, MJ_RTCP_SR);
    CHECK_EQ(hs[0].count, 1);
    CHECK_EQ(hs[0].length, 12);
    CHECK_EQ(hs[0].pkt.n, 52);
    CHECK_EQ(hs[0].body.n, 48);
    CHECK(!hs[0].padding);
    mj_rtcp_report r;
    REQUIRE(mj_rtcp_parse_report(&hs[0], &r, NULL) == 0);
    CHECK(r.is_sr);
    CHECK_EQ(r.ssrc, 0x11223344);
    CHECK_EQ(r.si.ntp, 0xe94b3a1080000000ull);
    CHECK_EQ(mj_rtcp_ntp_mid32(r.si.ntp), 0x3a108000);
    CHECK_EQ(r.si.rtp_ts, 123456);
    CHECK_EQ(r.si.packet_count, 100);
    CHECK_EQ(r.si.octet_count, 6000);
    REQUIRE(r.rb_count == 1);
    CHECK_EQ(r.ext.n, 0);
    mj_rtcp_rb rb;
    REQUIRE(mj_rtcp_report_block(&r, 0, &rb) == 0);
    CHECK_EQ(rb.ssrc, 0x55667788);
    CHECK_EQ(rb.fraction_lost, 25);
    CHECK_EQ(rb.cumulative_lost, 3);
    CHECK_EQ(rb.highest_seq, 0x11a2b);
    CHECK_EQ(rb.jitter, 42);
    CHECK_EQ(rb.lsr, 0x3a108000);
    CHECK_EQ(rb.dlsr, 65536);
    CHECK_EQ(mj_rtcp_report_block(&r, 1, &rb), MJ_EINVAL);

    CHECK_EQ(hs[1].pt, MJ_RTCP_SDES);
    uint32_t ssrc = 0;
    mj_slice cname;
    REQUIRE(mj_rtcp_sdes_cname(&hs[1], &ssrc, &cname) == 0);
    CHECK_EQ(ssrc, 0x11223344);
    CHECK_EQ(cname.n, 16);
    CHECK_MEM(cname.p, "Ld2oOkZX8tZn3bq/", 16);
    /* Wrong parser for the type. */
    CHECK_EQ(mj_rtcp_parse_report(&hs[1], &r, NULL), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_sdes_cname(&hs[0], &ssrc, &cname), MJ_EINVAL);
}

TEST(chromium_rr_and_sdes)
{
    mj_rtcp_hdr hs[4];
    int last;
    REQUIRE(collect(chromium_rr_sdes, sizeof chromium_rr_sdes, hs, 4, &last) == 2);
    CHECK_EQ(last, 0);
    mj_rtcp_report r;
    REQUIRE(mj_rtcp_parse_report(&hs[0], &r, NULL) == 0);
    CHECK(!r.is_sr);
    CHECK_EQ(r.ssrc, 1);
    CHECK_EQ(r.si.ntp, 0);
    REQUIRE(r.rb_count == 1);
    mj_rtcp_rb rb;
    REQUIRE(mj_rtcp_report_block(&r, 0, &rb) == 0);
    CHECK_EQ(rb.fraction_lost, 0);
    CHECK_EQ(rb.cumulative_lost, -2);
    CHECK_EQ(rb.highest_seq, 0xffff);
    CHECK_EQ(rb.jitter, 256);
    CHECK_EQ(rb.lsr, 0);
    uint32_t ssrc;
    mj_slice cname;
    REQUIRE(mj_rtcp_sdes_cname(&hs[1], &ssrc, &cname) == 0);
    CHECK_EQ(ssrc, 1);
    CHECK_MEM(cname.p, "abcdefghijklmnop", 16);
}

TEST(report_counts_are_capped_by_length)
{
    /* RR claiming 3 blocks with room for one and 8 bytes of extension. */
    uint8_t p[40] = {0x83, 0xc9, 0x00, 0x09, 0, 0, 0, 7};
    p[8 + 24] = 0xee;
    mj_rtcp_hdr h;
    mj_rtcp_iter it;
    mj_rtcp_iter_init(&it, p, sizeof p);
    REQUIRE(mj_rtcp_next(&it, &h, NULL) == 1);
    mj_rtcp_report r;
    REQUIRE(mj_rtcp_parse_report(&h, &r, NULL) == 0);
    CHECK_EQ(r.rb_count, 1);
    CHECK_EQ(r.ext.n, 8);
    CHECK_EQ(r.ext.p[0], 0xee);
    /* An SR too short for its sender info; an RR without its SSRC. */
    static const uint8_t sr[] = {0x80, 0xc8, 0x00, 0x01, 0, 0, 0, 1};
    mj_rtcp_iter_init(&it, sr, sizeof sr);
    REQUIRE(mj_rtcp_next(&it, &h, NULL) == 1);
    const char *why = NULL;
    CHECK_EQ(mj_rtcp_parse_report(&h, &r, &why), MJ_ETRUNC);
    CHECK(why != NULL);
    static const uint8_t rr[] = {0x81, 0xc9, 0x00, 0x00};
    mj_rtcp_iter_init(&it, rr, sizeof rr);
    REQUIRE(mj_rtcp_next(&it, &h, NULL) == 1);
    CHECK_EQ(h.body.n, 0);
    CHECK_EQ(mj_rtcp_parse_report(&h, &r, NULL), MJ_ETRUNC);
}

TEST(generic_nack)
{
    /* Reduced-size (RFC 5506): a lone NACK for 0x1a2b, +1, +3 and
     * 0xffff, 0, +16 across the wrap. */
    static const uint8_t p[] = {0x81, 0xcd, 0x00, 0x04, 0,    0,    0,    1,    0x12, 0x34,
                                0x56, 0x78, 0x1a, 0x2b, 0x00, 0x05, 0xff, 0xff, 0x80, 0x01};
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 2, &last) == 1);
    CHECK_EQ(last, 0);
    mj_rtcp_fb fb;
    REQUIRE(mj_rtcp_parse_fb(&hs[0], &fb, NULL) == 0);
    CHECK_EQ(fb.pt, MJ_RTCP_RTPFB);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_NACK);
    CHECK_EQ(fb.sender_ssrc, 1);
    CHECK_EQ(fb.media_ssrc, 0x12345678);
    REQUIRE(mj_rtcp_nack_count(&fb) == 2);
    uint16_t pid, blp;
    mj_rtcp_nack_pair(&fb, 1, &pid, &blp);
    CHECK_EQ(pid, 0xffff);
    CHECK_EQ(blp, 0x8001);
    uint16_t seqs[40];
    REQUIRE(mj_rtcp_nack_seqs(&fb, seqs, 40) == 6);
    static const uint16_t want[] = {0x1a2b, 0x1a2c, 0x1a2e, 0xffff, 0, 15};
    CHECK_MEM(seqs, want, sizeof want);
    /* The output cap holds. */
    CHECK_EQ(mj_rtcp_nack_seqs(&fb, seqs, 4), 4);
    CHECK_EQ(seqs[3], 0xffff);
    CHECK_EQ(mj_rtcp_nack_seqs(&fb, seqs, 0), 0);
}

TEST(pli_fir_remb_and_transport_cc)
{
    static const uint8_t p[] = {
        0x81, 0xce, 0x00, 0x02, 0,    0,    0,    1,    0,    0,    0,    2, /* PLI */
        0x84, 0xce, 0x00, 0x04, 0,    0,    0,    1,    0,    0,    0,    0,
        0,    0,    0,    2,    7,    0,    0,    0, /* FIR */
        0x8f, 0xce, 0x00, 0x05, 0,    0,    0,    1,    0,    0,    0,    0,
        'R',  'E',  'M',  'B',  0x01, 0x0a, 0x12, 0x34, 0,    0,    0,    2, /* REMB */
        0x8f, 0xcd, 0x00, 0x05, 0,    0,    0,    1,    0,    0,    0,    2,
        0x00, 0x07, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x20, 0x01, 0x00, 0x00, /* transport-cc */
    };
    mj_rtcp_hdr hs[5];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 5, &last) == 4);
    CHECK_EQ(last, 0);
    mj_rtcp_fb fb;
    REQUIRE(mj_rtcp_parse_fb(&hs[0], &fb, NULL) == 0);
    CHECK_EQ(fb.pt, MJ_RTCP_PSFB);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_PLI);
    CHECK_EQ(fb.media_ssrc, 2);
    CHECK_EQ(fb.fci.n, 0);
    REQUIRE(mj_rtcp_parse_fb(&hs[1], &fb, NULL) == 0);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_FIR);
    REQUIRE(mj_rtcp_fir_count(&fb) == 1);
    uint32_t ssrc;
    uint8_t seq;
    mj_rtcp_fir_entry(&fb, 0, &ssrc, &seq);
    CHECK_EQ(ssrc, 2);
    CHECK_EQ(seq, 7);
    REQUIRE(mj_rtcp_parse_fb(&hs[2], &fb, NULL) == 0);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_AFB);
    CHECK_EQ(fb.fci.n, 12);
    CHECK_MEM(fb.fci.p, "REMB", 4);
    REQUIRE(mj_rtcp_parse_fb(&hs[3], &fb, NULL) == 0);
    CHECK_EQ(fb.pt, MJ_RTCP_RTPFB);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_TCC);
    CHECK_EQ(fb.fci.n, 12);
    CHECK_EQ(mj_be16(fb.fci.p), 7); /* base sequence number */
    /* Feedback too short for its SSRCs; wrong type. */
    static const uint8_t s[] = {0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1};
    REQUIRE(collect(s, sizeof s, hs, 1, &last) == 1);
    CHECK_EQ(mj_rtcp_parse_fb(&hs[0], &fb, NULL), MJ_ETRUNC);
    REQUIRE(collect(chromium_rr_sdes, sizeof chromium_rr_sdes, hs, 1, &last) == 1);
    CHECK_EQ(mj_rtcp_parse_fb(&hs[0], &fb, NULL), MJ_EINVAL);
}

TEST(bye_with_and_without_reason)
{
    static const uint8_t p[] = {0x82, 0xcb, 0x00, 0x05, 0,   0,   0,   1,   0,   0, 0, 2,
                                0x08, 's',  'h',  'u',  't', 'd', 'o', 'w', 'n', 0, 0, 0};
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 2, &last) == 1);
    mj_rtcp_bye b;
    REQUIRE(mj_rtcp_parse_bye(&hs[0], &b, NULL) == 0);
    CHECK_EQ(b.count, 2);
    CHECK_EQ(mj_rtcp_bye_ssrc(&b, 0), 1);
    CHECK_EQ(mj_rtcp_bye_ssrc(&b, 1), 2);
    CHECK_EQ(mj_rtcp_bye_ssrc(&b, 2), 0);
    CHECK_EQ(b.reason.n, 8);
    CHECK_MEM(b.reason.p, "shutdown", 8);

    /* No reason. */
    static const uint8_t q[] = {0x81, 0xcb, 0x00, 0x01, 0, 0, 0, 9};
    REQUIRE(collect(q, sizeof q, hs, 2, &last) == 1);
    REQUIRE(mj_rtcp_parse_bye(&hs[0], &b, NULL) == 0);
    CHECK_EQ(b.count, 1);
    CHECK_EQ(b.reason.n, 0);
    /* SC=0 (legal, if odd). */
    static const uint8_t z[] = {0x80, 0xcb, 0x00, 0x00};
    REQUIRE(collect(z, sizeof z, hs, 2, &last) == 1);
    REQUIRE(mj_rtcp_parse_bye(&hs[0], &b, NULL) == 0);
    CHECK_EQ(b.count, 0);
    /* Count capped by length; no reason read from the remainder. */
    static const uint8_t c[] = {0x85, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    REQUIRE(collect(c, sizeof c, hs, 2, &last) == 1);
    REQUIRE(mj_rtcp_parse_bye(&hs[0], &b, NULL) == 0);
    CHECK_EQ(b.count, 2);
    CHECK_EQ(b.reason.n, 0);
    /* Reason length past the end. */
    static const uint8_t r[] = {0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0x09, 'a', 'b', 'c'};
    REQUIRE(collect(r, sizeof r, hs, 2, &last) == 1);
    const char *why = NULL;
    CHECK_EQ(mj_rtcp_parse_bye(&hs[0], &b, &why), MJ_ETRUNC);
    CHECK(why != NULL);
}

TEST(app_packet)
{
    static const uint8_t p[] = {0x83, 0xcc, 0x00, 0x03, 0, 0, 0, 5, 'Q', 'O', 'S', '1', 1, 2, 3, 4};
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 2, &last) == 1);
    mj_rtcp_app a;
    REQUIRE(mj_rtcp_parse_app(&hs[0], &a, NULL) == 0);
    CHECK_EQ(a.subtype, 3);
    CHECK_EQ(a.ssrc, 5);
    CHECK_MEM(a.name, "QOS1", 4);
    CHECK_EQ(a.data.n, 4);
    CHECK_EQ(a.data.p[3], 4);
    static const uint8_t s[] = {0x80, 0xcc, 0x00, 0x01, 0, 0, 0, 5};
    REQUIRE(collect(s, sizeof s, hs, 2, &last) == 1);
    CHECK_EQ(mj_rtcp_parse_app(&hs[0], &a, NULL), MJ_ETRUNC);
    CHECK_EQ(mj_rtcp_parse_bye(&hs[0], &(mj_rtcp_bye){0}, NULL), MJ_EINVAL);
    REQUIRE(collect(chromium_rr_sdes, sizeof chromium_rr_sdes, hs, 1, &last) == 1);
    CHECK_EQ(mj_rtcp_parse_app(&hs[0], &a, NULL), MJ_EINVAL);
}

TEST(malformed_compounds_stop_the_iterator)
{
    mj_rtcp_hdr h;
    mj_rtcp_iter it;
    const char *why = NULL;
    /* The second sub-packet's length runs past the end. */
    uint8_t p[sizeof chromium_sr_sdes];
    memcpy(p, chromium_sr_sdes, sizeof p);
    p[52 + 3] = 7;
    mj_rtcp_iter_init(&it, p, sizeof p);
    CHECK_EQ(mj_rtcp_next(&it, &h, &why), 1);
    CHECK_EQ(mj_rtcp_next(&it, &h, &why), MJ_ETRUNC);
    CHECK(why && strstr(why, "length"));
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), MJ_ETRUNC); /* sticky */
    /* Version 1 on the second. */
    memcpy(p, chromium_sr_sdes, sizeof p);
    p[52] = 0x41;
    mj_rtcp_iter_init(&it, p, sizeof p);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), 1);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), MJ_EINVAL);
    /* Trailing garbage shorter than a header. */
    uint8_t t[sizeof chromium_rr_sdes + 3];
    memcpy(t, chromium_rr_sdes, sizeof chromium_rr_sdes);
    memset(t + sizeof chromium_rr_sdes, 0x80, 3);
    mj_rtcp_iter_init(&it, t, sizeof t);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), 1);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), 1);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), MJ_ETRUNC);
    /* Empty input: simply the end. */
    mj_rtcp_iter_init(&it, p, 0);
    CHECK_EQ(mj_rtcp_next(&it, &h, NULL), 0);
}

TEST(padding_on_the_last_sub_packet)
{
    /* RR with no blocks, then a BYE padded by 4 (the count byte last). */
    static const uint8_t p[] = {0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1, 0xa1, 0xcb,
                                0x00, 0x02, 0,    0,    0, 1, 0, 0, 0,    4};
    mj_rtcp_hdr hs[3];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 3, &last) == 2);
    CHECK_EQ(last, 0);
    CHECK(hs[1].padding);
    CHECK_EQ(hs[1].pkt.n, 12);
    CHECK_EQ(hs[1].body.n, 4);
    mj_rtcp_bye b;
    REQUIRE(mj_rtcp_parse_bye(&hs[1], &b, NULL) == 0);
    CHECK_EQ(b.count, 1);
    CHECK_EQ(b.reason.n, 0);
    /* Count zero, and larger than the body. */
    uint8_t q[sizeof p];
    memcpy(q, p, sizeof p);
    q[19] = 0;
    CHECK(collect(q, sizeof q, hs, 3, &last) == 1 && last == MJ_EINVAL);
    q[19] = 9;
    CHECK(collect(q, sizeof q, hs, 3, &last) == 1 && last == MJ_EINVAL);
    q[19] = 8;
    CHECK(collect(q, sizeof q, hs, 3, &last) == 2 && last == 0);
    CHECK_EQ(hs[1].body.n, 0);
}

TEST(truncation_at_every_length)
{
    /* Each prefix yields exactly the sub-packets wholly inside it. */
    for (size_t n = 0; n <= sizeof chromium_sr_sdes; n++) {
        uint8_t *d = dup_exact(chromium_sr_sdes, n);
        mj_rtcp_hdr hs[3];
        int last;
        int k = collect(d, n, hs, 3, &last);
        CHECK_EQ(k, n >= sizeof chromium_sr_sdes ? 2 : n >= 52 ? 1 : 0);
        CHECK_EQ(last, n == 0 || n == 52 || n == sizeof chromium_sr_sdes ? 0 : MJ_ETRUNC);
        for (int i = 0; i < k; i++) {
            mj_rtcp_report r;
            uint32_t ssrc;
            mj_slice cname;
            if (hs[i].pt == MJ_RTCP_SR)
                CHECK_EQ(mj_rtcp_parse_report(&hs[i], &r, NULL), 0);
            else
                CHECK_EQ(mj_rtcp_sdes_cname(&hs[i], &ssrc, &cname), 0);
        }
        free(d);
    }
}

TEST(sdes_chunks_and_items)
{
    /* Two chunks: CNAME and NAME for SSRC 1; an empty chunk (SSRC 2, four
     * nulls); CNAME for SSRC 3 without terminating nulls at the end. */
    static const uint8_t p[] = {
        0x83, 0xca, 0x00, 0x07, 0, 0, 0, 1, 0x01, 0x01, 'x', 0x02, 0x02, 'n',  'm', 0x00,
        0,    0,    0,    2,    0, 0, 0, 0, 0,    0,    0,   3,    0x01, 0x02, 'y', 'z',
    };
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(p, sizeof p, hs, 2, &last) == 1);
    mj_rtcp_sdes_iter it;
    mj_rtcp_sdes_item item;
    REQUIRE(mj_rtcp_sdes_init(&it, &hs[0]) == 0);
    REQUIRE(mj_rtcp_sdes_next(&it, &item, NULL) == 1);
    CHECK_EQ(item.ssrc, 1);
    CHECK_EQ(item.type, MJ_RTCP_SDES_CNAME);
    CHECK_EQ(item.text.n, 1);
    REQUIRE(mj_rtcp_sdes_next(&it, &item, NULL) == 1);
    CHECK_EQ(item.ssrc, 1);
    CHECK_EQ(item.type, 2);
    CHECK_MEM(item.text.p, "nm", 2);
    REQUIRE(mj_rtcp_sdes_next(&it, &item, NULL) == 1);
    CHECK_EQ(item.ssrc, 3);
    CHECK_MEM(item.text.p, "yz", 2);
    CHECK_EQ(mj_rtcp_sdes_next(&it, &item, NULL), 0);
    CHECK_EQ(mj_rtcp_sdes_next(&it, &item, NULL), 0);

    /* SC=1 caps the walk to the first chunk. */
    uint8_t q[sizeof p];
    memcpy(q, p, sizeof p);
    q[0] = 0x81;
    REQUIRE(collect(q, sizeof q, hs, 2, &last) == 1);
    REQUIRE(mj_rtcp_sdes_init(&it, &hs[0]) == 0);
    int items = 0, rc;
    while ((rc = mj_rtcp_sdes_next(&it, &item, NULL)) > 0)
        items++;
    CHECK_EQ(rc, 0);
    CHECK_EQ(items, 2);
    /* An item that runs past the end. */
    q[0] = 0x83;
    q[29] = 0x03;
    REQUIRE(collect(q, sizeof q, hs, 2, &last) == 1);
    uint32_t ssrc;
    mj_slice cname;
    REQUIRE(mj_rtcp_sdes_cname(&hs[0], &ssrc, &cname) == 0); /* the first is fine */
    REQUIRE(mj_rtcp_sdes_init(&it, &hs[0]) == 0);
    while ((rc = mj_rtcp_sdes_next(&it, &item, NULL)) > 0)
        ;
    CHECK_EQ(rc, MJ_ETRUNC);
    /* No CNAME at all. */
    static const uint8_t n[] = {0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x02, 0x01, 'a', 0};
    REQUIRE(collect(n, sizeof n, hs, 2, &last) == 1);
    CHECK_EQ(mj_rtcp_sdes_cname(&hs[0], &ssrc, &cname), MJ_ENOTFOUND);
    /* A chunk SSRC cut short (the body is padded away to 2 bytes). */
    static const uint8_t s[] = {0xa1, 0xca, 0x00, 0x01, 0, 0, 0, 2};
    REQUIRE(collect(s, sizeof s, hs, 2, &last) == 1);
    CHECK_EQ(mj_rtcp_sdes_cname(&hs[0], &ssrc, &cname), MJ_ETRUNC);
}

TEST(writers_round_trip_sr_sdes)
{
    uint8_t buf[300];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    mj_rtcp_sender_info si = {
        .ntp = 0xe94b3a1080000000ull, .rtp_ts = 123456, .packet_count = 100, .octet_count = 6000};
    mj_rtcp_rb rb = {.ssrc = 0x55667788,
                     .fraction_lost = 25,
                     .cumulative_lost = 3,
                     .highest_seq = 0x11a2b,
                     .jitter = 42,
                     .lsr = 0x3a108000,
                     .dlsr = 65536};
    CHECK_EQ(mj_rtcp_write_sr(&w, 0x11223344, &si, &rb, 1), 52);
    CHECK_EQ(mj_rtcp_write_sdes_cname(&w, 0x11223344, "Ld2oOkZX8tZn3bq/", 16), 80);
    /* Byte for byte what Chromium sends. */
    CHECK_EQ(w.len, sizeof chromium_sr_sdes);
    CHECK_MEM(buf, chromium_sr_sdes, sizeof chromium_sr_sdes);

    /* CNAME lengths around the padding boundary all parse back. */
    for (size_t len = 0; len <= 255; len++) {
        char name[256];
        memset(name, 'c', len);
        mj_wbuf_init(&w, buf, sizeof buf);
        long n = mj_rtcp_write_sdes_cname(&w, 7, name, len);
        REQUIRE(n > 0);
        CHECK_EQ(n % 4, 0);
        mj_rtcp_hdr hs[2];
        int last;
        REQUIRE(collect(buf, (size_t)n, hs, 2, &last) == 1);
        CHECK_EQ(last, 0);
        uint32_t ssrc;
        mj_slice cname;
        REQUIRE(mj_rtcp_sdes_cname(&hs[0], &ssrc, &cname) == 0);
        CHECK_EQ(ssrc, 7);
        CHECK_EQ(cname.n, len);
    }
}

TEST(one_sdes_names_several_sources)
{
    /* Three sources of one endpoint, one CNAME: one SDES, a chunk each. */
    uint8_t buf[128];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    uint32_t ssrcs[3] = {0x4d4a0001, 0x4d4a0002, 0x4d4a0003};
    long n = mj_rtcp_write_sdes_cnames(&w, ssrcs, 3, "majlis", 6);
    CHECK_EQ(n, 4 + 3 * 16); /* 2 + 6 bytes of item end a word: four nulls follow */
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(buf, (size_t)n, hs, 2, &last) == 1);
    CHECK_EQ(last, 0);
    CHECK_EQ(hs[0].count, 3);
    mj_rtcp_sdes_iter it;
    mj_rtcp_sdes_item item;
    REQUIRE(mj_rtcp_sdes_init(&it, &hs[0]) == 0);
    for (int i = 0; i < 3; i++) {
        REQUIRE(mj_rtcp_sdes_next(&it, &item, NULL) == 1);
        CHECK_EQ(item.ssrc, ssrcs[i]);
        CHECK_EQ(item.type, MJ_RTCP_SDES_CNAME);
        CHECK_EQ(item.text.n, 6);
        CHECK_MEM(item.text.p, "majlis", 6);
    }
    CHECK_EQ(mj_rtcp_sdes_next(&it, &item, NULL), 0);
    /* The one-source writer is the same packet with one chunk. */
    uint8_t one[32];
    mj_wbuf_init(&w, one, sizeof one);
    REQUIRE(mj_rtcp_write_sdes_cname(&w, ssrcs[0], "majlis", 6) == 20);
    mj_wbuf_init(&w, buf, sizeof buf);
    REQUIRE(mj_rtcp_write_sdes_cnames(&w, ssrcs, 1, "majlis", 6) == 20);
    CHECK_MEM(buf, one, 20);
    /* No source, or more than the count field holds. */
    uint32_t many[32] = {0};
    CHECK_EQ(mj_rtcp_write_sdes_cnames(&w, many, 0, "x", 1), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_sdes_cnames(&w, many, 32, "x", 1), MJ_EINVAL);
}

TEST(writers_round_trip_rr_bye_fb)
{
    uint8_t buf[1024];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    mj_rtcp_rb rbs[31];
    for (int i = 0; i < 31; i++)
        rbs[i] = (mj_rtcp_rb){.ssrc = (uint32_t)i,
                              .fraction_lost = (uint8_t)i,
                              .cumulative_lost = -i * 1000,
                              .highest_seq = 70000u + (uint32_t)i,
                              .jitter = 5,
                              .lsr = 6,
                              .dlsr = 7};
    rbs[0].cumulative_lost = 1 << 30;    /* clamps to 0x7fffff */
    rbs[1].cumulative_lost = -(1 << 30); /* clamps to -0x800000 */
    REQUIRE(mj_rtcp_write_rr(&w, 9, rbs, 31) == 8 + 31 * 24);
    uint32_t ssrcs[2] = {9, 10};
    long n = mj_rtcp_write_bye(&w, ssrcs, 2, "bye", 3);
    REQUIRE(n == 8 + 31 * 24 + 16);
    REQUIRE(mj_rtcp_write_fb(&w, MJ_RTCP_PSFB, MJ_RTCP_FMT_PLI, 9, 77, NULL, 0) == n + 12);
    n += 12;

    mj_rtcp_hdr hs[4];
    int last;
    REQUIRE(collect(buf, (size_t)n, hs, 4, &last) == 3);
    CHECK_EQ(last, 0);
    mj_rtcp_report r;
    REQUIRE(mj_rtcp_parse_report(&hs[0], &r, NULL) == 0);
    REQUIRE(r.rb_count == 31);
    mj_rtcp_rb rb;
    REQUIRE(mj_rtcp_report_block(&r, 0, &rb) == 0);
    CHECK_EQ(rb.cumulative_lost, 0x7fffff);
    REQUIRE(mj_rtcp_report_block(&r, 1, &rb) == 0);
    CHECK_EQ(rb.cumulative_lost, -0x800000);
    REQUIRE(mj_rtcp_report_block(&r, 30, &rb) == 0);
    CHECK_EQ(rb.ssrc, 30);
    CHECK_EQ(rb.fraction_lost, 30);
    CHECK_EQ(rb.cumulative_lost, -30000);
    CHECK_EQ(rb.highest_seq, 70030);
    CHECK_EQ(rb.dlsr, 7);
    mj_rtcp_bye b;
    REQUIRE(mj_rtcp_parse_bye(&hs[1], &b, NULL) == 0);
    CHECK_EQ(b.count, 2);
    CHECK_EQ(mj_rtcp_bye_ssrc(&b, 1), 10);
    CHECK_EQ(b.reason.n, 3);
    CHECK_MEM(b.reason.p, "bye", 3);
    mj_rtcp_fb fb;
    REQUIRE(mj_rtcp_parse_fb(&hs[2], &fb, NULL) == 0);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_PLI);
    CHECK_EQ(fb.media_ssrc, 77);

    /* A REMB: AFB with its FCI carried through raw. */
    static const uint8_t remb[] = {'R', 'E', 'M', 'B', 1, 0x0a, 0x12, 0x34, 0, 0, 0, 2};
    mj_wbuf_init(&w, buf, sizeof buf);
    REQUIRE(mj_rtcp_write_fb(&w, MJ_RTCP_PSFB, MJ_RTCP_FMT_AFB, 9, 0, remb, sizeof remb) == 24);
    REQUIRE(collect(buf, 24, hs, 1, &last) == 1);
    REQUIRE(mj_rtcp_parse_fb(&hs[0], &fb, NULL) == 0);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_AFB);
    CHECK_EQ(fb.fci.n, sizeof remb);
    CHECK_MEM(fb.fci.p, remb, sizeof remb);

    /* Reason lengths that land on every padding case. */
    for (size_t len = 0; len < 8; len++) {
        mj_wbuf_init(&w, buf, sizeof buf);
        REQUIRE((n = mj_rtcp_write_bye(&w, ssrcs, 1, "abcdefgh", len)) > 0);
        CHECK_EQ(n % 4, 0);
        REQUIRE(collect(buf, (size_t)n, hs, 1, &last) == 1);
        REQUIRE(mj_rtcp_parse_bye(&hs[0], &b, NULL) == 0);
        CHECK_EQ(b.reason.n, len);
    }
}

TEST(nack_writer_packs_pairs)
{
    uint8_t buf[128];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    /* 65534..65535 and 0..14 fit one pair across the wrap; 15 starts the
     * next (17 past the PID); duplicates of the PID are dropped. */
    uint16_t seqs[20];
    size_t k = 0;
    seqs[k++] = 65534;
    seqs[k++] = 65534;
    seqs[k++] = 65535;
    for (uint16_t s = 0; s <= 15; s++)
        seqs[k++] = s;
    long n = mj_rtcp_write_nack(&w, 1, 2, seqs, k);
    REQUIRE(n == 20);
    mj_rtcp_hdr hs[2];
    int last;
    REQUIRE(collect(buf, (size_t)n, hs, 2, &last) == 1);
    mj_rtcp_fb fb;
    REQUIRE(mj_rtcp_parse_fb(&hs[0], &fb, NULL) == 0);
    CHECK_EQ(fb.fmt, MJ_RTCP_FMT_NACK);
    REQUIRE(mj_rtcp_nack_count(&fb) == 2);
    uint16_t pid, blp;
    mj_rtcp_nack_pair(&fb, 0, &pid, &blp);
    CHECK_EQ(pid, 65534);
    CHECK_EQ(blp, 0xffff);
    mj_rtcp_nack_pair(&fb, 1, &pid, &blp);
    CHECK_EQ(pid, 15);
    CHECK_EQ(blp, 0);
    uint16_t out[40];
    REQUIRE(mj_rtcp_nack_seqs(&fb, out, 40) == k - 1);
    CHECK_MEM(out, seqs + 1, (k - 1) * sizeof out[0]);
    /* No sequence numbers; no room. */
    mj_wbuf_init(&w, buf, sizeof buf);
    CHECK_EQ(mj_rtcp_write_nack(&w, 1, 2, seqs, 0), MJ_EINVAL);
    mj_wbuf_init(&w, buf, 15);
    CHECK_EQ(mj_rtcp_write_nack(&w, 1, 2, seqs, k), MJ_ENOSPC);

    /* Unordered input that needs more pairs than the length field counts
     * is refused and leaves the writer as it was. */
    size_t many = 65534;
    uint16_t *ms = malloc(many * sizeof *ms);
    uint8_t *big = malloc(16 + 4 * many);
    REQUIRE(ms && big);
    for (size_t i = 0; i < many; i++)
        ms[i] = i % 2 ? 100 : 0;
    mj_wbuf_init(&w, big, 16 + 4 * many);
    mj_wbuf_u8(&w, 0xaa);
    CHECK_EQ(mj_rtcp_write_nack(&w, 1, 2, ms, many), MJ_EINVAL);
    CHECK_EQ(w.len, 1);
    CHECK(!w.failed);
    CHECK_EQ(mj_rtcp_write_nack(&w, 1, 2, ms, many - 1), 1 + 12 + 4 * (long)(many - 1));
    free(ms);
    free(big);
}

TEST(writers_reject_bad_arguments_and_small_buffers)
{
    uint8_t buf[64];
    mj_wbuf w;
    mj_rtcp_rb rbs[32] = {{0}};
    mj_rtcp_sender_info si = {0};
    uint32_t ssrcs[32] = {0};
    mj_wbuf_init(&w, buf, sizeof buf);
    CHECK_EQ(mj_rtcp_write_rr(&w, 1, rbs, 32), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_sr(&w, 1, &si, rbs, 32), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_bye(&w, ssrcs, 32, NULL, 0), MJ_EINVAL);
    char big[256] = {0};
    CHECK_EQ(mj_rtcp_write_bye(&w, ssrcs, 1, big, 256), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_sdes_cname(&w, 1, big, 256), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_fb(&w, MJ_RTCP_RR, 1, 1, 2, NULL, 0), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_fb(&w, MJ_RTCP_PSFB, 32, 1, 2, NULL, 0), MJ_EINVAL);
    CHECK_EQ(mj_rtcp_write_fb(&w, MJ_RTCP_PSFB, 15, 1, 2, (const uint8_t *)"REM", 3), MJ_EINVAL);
    CHECK_EQ(w.len, 0);
    CHECK(!w.failed);
    /* 64 bytes: an SR with one block (52) fits, then an SDES does not. */
    CHECK_EQ(mj_rtcp_write_sr(&w, 1, &si, rbs, 1), 52);
    CHECK_EQ(mj_rtcp_write_sdes_cname(&w, 1, "abcdefghijklmnop", 16), MJ_ENOSPC);
    CHECK_EQ(mj_wbuf_result(&w), MJ_ENOSPC);
    CHECK_EQ(mj_rtcp_write_rr(&w, 1, NULL, 0), MJ_ENOSPC); /* stays failed */
}

TEST_MAIN(chromium_sr_and_sdes, chromium_rr_and_sdes, report_counts_are_capped_by_length,
          generic_nack, pli_fir_remb_and_transport_cc, bye_with_and_without_reason, app_packet,
          malformed_compounds_stop_the_iterator, padding_on_the_last_sub_packet,
          truncation_at_every_length, sdes_chunks_and_items, writers_round_trip_sr_sdes,
          one_sdes_names_several_sources, writers_round_trip_rr_bye_fb, nack_writer_packs_pairs,
          writers_reject_bad_arguments_and_small_buffers)
