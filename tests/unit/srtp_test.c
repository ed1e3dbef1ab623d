/* Tests for src/rtc/srtp: round trips per profile, authentication and
 * replay failures, the inbound SSRC cap, and keys from a real DTLS
 * handshake used end to end. */
#include "test.h"

#include "base/buf.h"
#include "base/rand.h"
#include "rtc/dtls.h"
#include "rtc/srtp.h"
#include "rtc/srtp_internal.h"
#include "srtp_keys.h"

static void global_init(void)
{
    static bool done;
    if (!done && mj_srtp_global_init() != 0) {
        fprintf(stderr, "mj_srtp_global_init failed\n");
        exit(1);
    }
    done = true;
    CHECK_EQ(mj_srtp_global_init(), 0); /* idempotent */
}

/* An RTP packet: version 2, payload type 111 (Opus), one 100-byte payload. */
static size_t rtp_make(uint8_t *p, uint32_t ssrc, uint16_t seq)
{
    p[0] = 0x80;
    p[1] = 111;
    mj_put_be16(p + 2, seq);
    mj_put_be32(p + 4, seq * 960u);
    mj_put_be32(p + 8, ssrc);
    for (int i = 0; i < 100; i++)
        p[12 + i] = (uint8_t)(i * 7 + seq);
    return 112;
}

/* An RTCP receiver report with one report block. */
static size_t rtcp_make(uint8_t *p, uint32_t ssrc)
{
    memset(p, 0, 32);
    p[0] = 0x81;
    p[1] = 201;
    mj_put_be16(p + 2, 7);
    mj_put_be32(p + 4, ssrc);
    mj_put_be32(p + 8, 0xabcdef01);
    p[12] = 3;
    return 32;
}

static void round_trip(int profile, int rtp_tag, int rtcp_trailer)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(profile, &ka, &kb);
    mj_srtp a, b;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
    uint8_t pkt[256], orig[256];
    for (uint16_t seq = 1000; seq < 1010; seq++) {
        size_t n = rtp_make(pkt, 0x1234, seq);
        memcpy(orig, pkt, n);
        long p = mj_srtp_protect_rtp(&a, pkt, n, sizeof pkt);
        REQUIRE(p == (long)n + rtp_tag);
        CHECK(memcmp(pkt + 12, orig + 12, 100) != 0); /* payload encrypted */
        CHECK_MEM(pkt, orig, 12);                     /* header in clear */
        long u = mj_srtp_unprotect_rtp(&b, pkt, (size_t)p);
        REQUIRE(u == (long)n);
        CHECK_MEM(pkt, orig, n);
    }
    /* And the other way, RTCP. */
    size_t n = rtcp_make(pkt, 0x5678);
    memcpy(orig, pkt, n);
    long p = mj_srtp_protect_rtcp(&b, pkt, n, sizeof pkt);
    REQUIRE(p == (long)n + rtcp_trailer);
    long u = mj_srtp_unprotect_rtcp(&a, pkt, (size_t)p);
    REQUIRE(u == (long)n);
    CHECK_MEM(pkt, orig, n);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&b);
    mj_srtp_keys_wipe(&ka);
    CHECK_EQ(ka.key_len, 0);
}

TEST(gcm_round_trips_rtp_and_rtcp)
{
    round_trip(MJ_SRTP_AEAD_AES_128_GCM, 16, 16 + 4);
}

TEST(cm80_round_trips_rtp_and_rtcp)
{
    round_trip(MJ_SRTP_AES128_CM_SHA1_80, 10, 10 + 4);
}

TEST(cm32_round_trips_and_keeps_80_bit_srtcp_tag)
{
    round_trip(MJ_SRTP_AES128_CM_SHA1_32, 4, 10 + 4);
}

TEST(gcm256_round_trips_rtp_and_rtcp)
{
    round_trip(MJ_SRTP_AEAD_AES_256_GCM, 16, 16 + 4);
}

static void tamper_and_replay(int profile)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(profile, &ka, &kb);
    mj_srtp a, b;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
    uint8_t pkt[256], copy[256];
    long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 42, 1), sizeof pkt);
    REQUIRE(p > 0);
    memcpy(copy, pkt, (size_t)p);
    /* A flipped bit in the payload fails authentication... */
    pkt[20] ^= 0x01;
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_EAUTH);
    /* ...as does one in the header or the tag. */
    memcpy(pkt, copy, (size_t)p);
    pkt[3] ^= 0x80;
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_EAUTH);
    memcpy(pkt, copy, (size_t)p);
    pkt[p - 1] ^= 0x40;
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_EAUTH);
    /* The intact packet is accepted once, then is a replay. */
    memcpy(pkt, copy, (size_t)p);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
    memcpy(pkt, copy, (size_t)p);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_EREPLAY);
    /* Same for RTCP. */
    p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, 42), sizeof pkt);
    REQUIRE(p > 0);
    memcpy(copy, pkt, (size_t)p);
    pkt[10] ^= 0x10;
    CHECK_EQ(mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p), MJ_EAUTH);
    memcpy(pkt, copy, (size_t)p);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p), 32);
    memcpy(pkt, copy, (size_t)p);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p), MJ_EREPLAY);
    /* Protecting the same sequence number twice is refused: a keystream is
     * never reused. */
    CHECK_EQ(mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 42, 1), sizeof pkt), MJ_EREPLAY);
    /* A packet held back until it is older than the replay window (128
     * packets) is rejected as a replay too. */
    uint8_t late[256];
    long late_len = 0;
    for (uint16_t seq = 2; seq < 300; seq++) {
        long q = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 42, seq), sizeof pkt);
        REQUIRE(q > 0);
        if (seq == 5) {
            memcpy(late, pkt, (size_t)q);
            late_len = q;
            continue;
        }
        REQUIRE(mj_srtp_unprotect_rtp(&b, pkt, (size_t)q) == 112);
    }
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, late, (size_t)late_len), MJ_EREPLAY);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&b);
}

TEST(tampering_fails_auth_and_replays_are_caught_gcm)
{
    tamper_and_replay(MJ_SRTP_AEAD_AES_128_GCM);
}

TEST(tampering_fails_auth_and_replays_are_caught_cm80)
{
    tamper_and_replay(MJ_SRTP_AES128_CM_SHA1_80);
}

TEST(tampering_fails_auth_and_replays_are_caught_gcm256)
{
    tamper_and_replay(MJ_SRTP_AEAD_AES_256_GCM);
}

TEST(tampering_fails_auth_and_replays_are_caught_cm32)
{
    tamper_and_replay(MJ_SRTP_AES128_CM_SHA1_32);
}

static const int all_profiles[] = {MJ_SRTP_AES128_CM_SHA1_80, MJ_SRTP_AES128_CM_SHA1_32,
                                   MJ_SRTP_AEAD_AES_128_GCM, MJ_SRTP_AEAD_AES_256_GCM};

/* Given a stream that starts just below 65535, when it wraps, then the
 * sender's ROC goes to 1 (so the same sequence numbers protect
 * differently) and the receiver follows, also for a late packet from
 * before the wrap, and on through ROC 1 in long steps. */
TEST(sequence_numbers_wrap_into_the_next_roc)
{
    global_init();
    for (size_t pi = 0; pi < sizeof all_profiles / sizeof all_profiles[0]; pi++) {
        mj_srtp_keys ka, kb;
        keys_pair(all_profiles[pi], &ka, &kb);
        mj_srtp a, b;
        REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
        REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
        uint8_t pkt[256], late[256], first[256];
        long late_len = 0, first_len = 0;
        uint16_t seq = 65530;
        for (int i = 0; i < 20; i++, seq++) {
            long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 77, seq), sizeof pkt);
            REQUIRE(p > 0);
            if (seq == 65534) { /* held back past the wrap */
                memcpy(late, pkt, (size_t)p);
                late_len = p;
                continue;
            }
            if (seq == 65530) {
                memcpy(first, pkt, (size_t)p);
                first_len = p;
            }
            CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
        }
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, late, (size_t)late_len), 112);
        CHECK_EQ(late[12], (uint8_t)(65534 % 256));
        /* On through ROC 1 in steps under 2^15 to sequence number 65530
         * again: a new keystream; then into ROC 2. */
        static const uint16_t path[] = {16000, 32000, 48000, 64000, 65530, 65535, 0, 1, 20000};
        for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
            long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 77, path[i]), sizeof pkt);
            REQUIRE(p > 0);
            if (path[i] == 65530) CHECK(memcmp(pkt + 12, first + 12, 100) != 0);
            CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
        }
        CHECK_EQ(mj_srtp_stream_roc(&b, true, 77), 2);
        CHECK_EQ(mj_srtp_stream_roc(&a, false, 77), 2);
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, first, (size_t)first_len), MJ_EREPLAY);
        mj_srtp_dispose(&a);
        mj_srtp_dispose(&b);
    }
}

/* CSRCs and a header extension stay in the clear and authenticated; the
 * payload after them is encrypted. */
TEST(csrcs_and_header_extensions_are_not_encrypted)
{
    global_init();
    for (size_t pi = 0; pi < sizeof all_profiles / sizeof all_profiles[0]; pi++) {
        mj_srtp_keys ka, kb;
        keys_pair(all_profiles[pi], &ka, &kb);
        mj_srtp a, b;
        REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
        REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
        uint8_t pkt[256], orig[256];
        size_t n = rtp_make(pkt, 5, 9); /* 12 + 100 */
        /* Rebuild as: header, 2 CSRCs, a 3-word extension, 60 payload bytes. */
        pkt[0] = 0x80 | 0x10 | 2;
        mj_put_be32(pkt + 12, 0x11111111);
        mj_put_be32(pkt + 16, 0x22222222);
        mj_put_be16(pkt + 20, 0xbede);
        mj_put_be16(pkt + 22, 3);
        memset(pkt + 24, 0x33, 12);
        n = 36 + 60;
        memcpy(orig, pkt, n);
        long p = mj_srtp_protect_rtp(&a, pkt, n, sizeof pkt);
        REQUIRE(p > (long)n);
        CHECK_MEM(pkt, orig, 36);
        CHECK(memcmp(pkt + 36, orig + 36, 60) != 0);
        uint8_t sealed[256];
        memcpy(sealed, pkt, (size_t)p);
        /* The extension is authenticated. */
        pkt[30] ^= 1;
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_EAUTH);
        CHECK_MEM(pkt + 31, sealed + 31, (size_t)p - 31); /* left as it came */
        pkt[30] ^= 1;
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), (long)n);
        CHECK_MEM(pkt, orig, n);
        /* An extension that runs past the packet is refused. */
        memcpy(pkt, orig, n);
        mj_put_be16(pkt + 22, 40);
        CHECK_EQ(mj_srtp_protect_rtp(&a, pkt, n, sizeof pkt), MJ_EINVAL);
        mj_srtp_dispose(&a);
        mj_srtp_dispose(&b);
    }
}

/* A packet that fails to unprotect is left exactly as it came, so a caller
 * can still look at it (or pass it on). */
TEST(failed_unprotect_leaves_the_packet_alone)
{
    global_init();
    for (size_t pi = 0; pi < sizeof all_profiles / sizeof all_profiles[0]; pi++) {
        mj_srtp_keys ka, kb, kc, kd;
        keys_pair(all_profiles[pi], &ka, &kb);
        keys_pair(all_profiles[pi], &kc, &kd);
        mj_srtp a, d;
        REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
        REQUIRE(mj_srtp_init(&d, &kd, 0) == 0); /* the wrong keys */
        uint8_t pkt[256], copy[256];
        long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 3, 3), sizeof pkt);
        REQUIRE(p > 0);
        memcpy(copy, pkt, (size_t)p);
        CHECK_EQ(mj_srtp_unprotect_rtp(&d, pkt, (size_t)p), MJ_EAUTH);
        CHECK_MEM(pkt, copy, (size_t)p);
        p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, 3), sizeof pkt);
        REQUIRE(p > 0);
        memcpy(copy, pkt, (size_t)p);
        CHECK_EQ(mj_srtp_unprotect_rtcp(&d, pkt, (size_t)p), MJ_EAUTH);
        CHECK_MEM(pkt, copy, (size_t)p);
        mj_srtp_dispose(&a);
        mj_srtp_dispose(&d);
    }
}

/* SRTCP indices count per SSRC from 0, with the E flag set. */
TEST(srtcp_index_counts_per_ssrc)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AES128_CM_SHA1_80, &ka, &kb);
    mj_srtp a;
    REQUIRE(mj_srtp_init(&a, &ka, MJ_SRTP_OUTBOUND_ONLY) == 0);
    uint8_t pkt[256];
    for (uint32_t i = 0; i < 3; i++)
        for (uint32_t ssrc = 1; ssrc <= 2; ssrc++) {
            long p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, ssrc), sizeof pkt);
            REQUIRE(p == 32 + 4 + 10);
            CHECK_EQ(mj_be32(pkt + 32), 0x80000000u | i);
        }
    mj_srtp_dispose(&a);
}

/* A sender has room for MJ_SRTP_MAX_OUTBOUND_SSRCS SSRCs; a further one is
 * refused, not given a fresh (reused) keystream. */
TEST(outbound_ssrcs_are_capped)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &ka, &kb);
    mj_srtp a;
    REQUIRE(mj_srtp_init(&a, &ka, MJ_SRTP_OUTBOUND_ONLY) == 0);
    uint8_t pkt[256];
    for (uint32_t i = 0; i < MJ_SRTP_MAX_OUTBOUND_SSRCS; i++)
        CHECK(mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 50 + i, 1), sizeof pkt) > 0);
    CHECK_EQ(mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 999, 1), sizeof pkt), MJ_ELIMIT);
    CHECK_EQ(mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, 999), sizeof pkt), MJ_ELIMIT);
    CHECK(mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 50, 2), sizeof pkt) > 0);
    CHECK(mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, 51), sizeof pkt) > 0);
    mj_srtp_dispose(&a);
}

TEST(wrong_key_fails_auth)
{
    global_init();
    mj_srtp_keys ka, kb, kc, kd;
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &ka, &kb);
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &kc, &kd);
    mj_srtp a, d;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&d, &kd, 0) == 0);
    uint8_t pkt[256];
    long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 9, 9), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&d, pkt, (size_t)p), MJ_EAUTH);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&d);
}

TEST(inbound_ssrcs_are_capped)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AES128_CM_SHA1_80, &ka, &kb);
    mj_srtp a, b;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
    uint8_t pkt[256];
    /* Forged packets from new SSRCs do not use up the table... */
    for (uint32_t i = 0; i < 20; i++) {
        size_t n = rtp_make(pkt, 5000 + i, 1);
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, n + 10), MJ_EAUTH);
    }
    /* ...authentic ones do, up to the cap. */
    for (uint32_t i = 0; i < MJ_SRTP_MAX_INBOUND_SSRCS; i++) {
        long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 100 + i, 1), sizeof pkt);
        REQUIRE(p > 0);
        CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
    }
    /* Further SSRCs from a second sender with the same keys (a has as
     * many sending SSRCs as b may receive). */
    mj_srtp a2;
    REQUIRE(mj_srtp_init(&a2, &ka, MJ_SRTP_OUTBOUND_ONLY) == 0);
    long p = mj_srtp_protect_rtp(&a2, pkt, rtp_make(pkt, 999, 1), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_ELIMIT);
    p = mj_srtp_protect_rtcp(&a2, pkt, rtcp_make(pkt, 998), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p), MJ_ELIMIT);
    mj_srtp_dispose(&a2);
    /* Known SSRCs keep working, RTCP from them too. */
    p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 100, 2), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
    p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, 101), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p), 32);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&b);
}

TEST(bad_arguments_are_rejected)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &ka, &kb);
    mj_srtp a;
    REQUIRE(mj_srtp_init(&a, &ka, MJ_SRTP_OUTBOUND_ONLY) == 0);
    uint8_t pkt[256];
    size_t n = rtp_make(pkt, 1, 1);
    CHECK_EQ(mj_srtp_protect_rtp(&a, pkt, n, n + MJ_SRTP_MAX_TRAILER - 1), MJ_ENOSPC);
    CHECK_EQ(mj_srtp_protect_rtp(&a, pkt, 11, sizeof pkt), MJ_EINVAL);
    CHECK_EQ(mj_srtp_protect_rtcp(&a, pkt, 7, sizeof pkt), MJ_EINVAL);
    /* A CSRC count that runs past the end is refused, not read beyond. */
    pkt[0] = 0x8f;
    CHECK(mj_srtp_protect_rtp(&a, pkt, 20, sizeof pkt) < 0);
    /* Outbound-only: nothing to unprotect with. */
    long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 1, 2), sizeof pkt);
    CHECK(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&a, pkt, (size_t)p), MJ_ESTATE);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&a); /* twice is fine */

    mj_srtp_keys bad = ka;
    bad.profile = 0x0005; /* SRTP_NULL_HMAC_SHA1_80: no encryption, never ours */
    CHECK_EQ(mj_srtp_init(&a, &bad, 0), MJ_EUNSUPP);
    bad = ka;
    bad.salt_len = 14;
    CHECK_EQ(mj_srtp_init(&a, &bad, 0), MJ_EINVAL);
    CHECK_STR(mj_srtp_profile_name(MJ_SRTP_AEAD_AES_128_GCM), "AEAD_AES_128_GCM");
    CHECK_STR(mj_srtp_profile_name(0x0005), "unknown");
}

TEST(an_outbound_only_context_can_start_reading_later)
{
    global_init();
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &ka, &kb);
    mj_srtp a, b;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&b, &kb, MJ_SRTP_OUTBOUND_ONLY) == 0);
    CHECK(!mj_srtp_has_inbound(&b));
    uint8_t pkt[256];
    long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 7, 1), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), MJ_ESTATE);
    /* Keys of another profile are refused; the right ones add reading. */
    mj_srtp_keys other, unused;
    keys_pair(MJ_SRTP_AES128_CM_SHA1_80, &other, &unused);
    CHECK_EQ(mj_srtp_add_inbound(&b, &other), MJ_EINVAL);
    CHECK_EQ(mj_srtp_add_inbound(&b, &kb), 0);
    CHECK(mj_srtp_has_inbound(&b));
    CHECK_EQ(mj_srtp_add_inbound(&b, &kb), 0); /* twice is fine */
    p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, 7, 2), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtp(&b, pkt, (size_t)p), 112);
    /* What it sends is unchanged. */
    p = mj_srtp_protect_rtp(&b, pkt, rtp_make(pkt, 8, 1), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtp(&a, pkt, (size_t)p), 112);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&b);
    mj_srtp unset;
    memset(&unset, 0, sizeof unset);
    CHECK_EQ(mj_srtp_add_inbound(&unset, &kb), MJ_ESTATE);
}

/* ---- End to end with DTLS -------------------------------------------------- */

static void handshake(mj_dtls_identity *cid, mj_dtls_identity *sid, mj_srtp_keys *kc,
                      mj_srtp_keys *ks)
{
    uint8_t fc[32], fs[32];
    char alg[16];
    const char *t = mj_dtls_identity_fingerprint(cid);
    REQUIRE(mj_dtls_fingerprint_parse(t, strlen(t), alg, sizeof alg, fc, 32) == 32);
    t = mj_dtls_identity_fingerprint(sid);
    REQUIRE(mj_dtls_fingerprint_parse(t, strlen(t), alg, sizeof alg, fs, 32) == 32);
    mj_dtls *c, *s;
    REQUIRE(mj_dtls_new(&c, cid, false, "sha-256", fs, 32) == 0);
    REQUIRE(mj_dtls_new(&s, sid, true, "sha-256", fc, 32) == 0);
    REQUIRE(mj_dtls_start(c) == 0);
    uint8_t buf[1500];
    long n;
    for (int i = 0; i < 10; i++) {
        int moved = 0;
        while ((n = mj_dtls_poll_transmit(c, buf, sizeof buf)) > 0 && ++moved)
            CHECK_EQ(mj_dtls_handle_datagram(s, 0, buf, (size_t)n), 0);
        while ((n = mj_dtls_poll_transmit(s, buf, sizeof buf)) > 0 && ++moved)
            CHECK_EQ(mj_dtls_handle_datagram(c, 0, buf, (size_t)n), 0);
        if (!moved) break;
    }
    REQUIRE(mj_dtls_srtp_keys(c, kc) == 0);
    REQUIRE(mj_dtls_srtp_keys(s, ks) == 0);
    /* The keys outlive the connections. */
    mj_dtls_free(c);
    mj_dtls_free(s);
}

/* offer: the client's profiles (NULL: the default list). */
static void dtls_end_to_end(const char *offer, int expect)
{
    global_init();
    mj_dtls_identity *cid, *sid;
    REQUIRE(mj_dtls_identity_new(&cid) == 0);
    REQUIRE(mj_dtls_identity_new(&sid) == 0);
    if (offer) REQUIRE(mj_dtls_identity_set_srtp_profiles(cid, offer) == 0);
    mj_srtp_keys kc, ks;
    handshake(cid, sid, &kc, &ks);
    mj_dtls_identity_free(cid);
    mj_dtls_identity_free(sid);
    CHECK_EQ(kc.profile, expect);
    CHECK_EQ(ks.profile, expect);
    size_t kl = 0, sl = 0;
    REQUIRE(mj_srtp_profile_lengths(expect, &kl, &sl) == 0);
    CHECK_EQ(kc.key_len, kl);
    CHECK_EQ(kc.salt_len, sl);
    CHECK_MEM(kc.local_key, ks.remote_key, kl);
    CHECK_MEM(kc.remote_salt, ks.local_salt, sl);
    mj_srtp c, s;
    REQUIRE(mj_srtp_init(&c, &kc, 0) == 0);
    REQUIRE(mj_srtp_init(&s, &ks, 0) == 0);
    mj_srtp_keys_wipe(&kc);
    mj_srtp_keys_wipe(&ks);
    uint8_t pkt[256];
    /* Client (browser) speaks; server (SFU) hears, then answers. */
    long p = mj_srtp_protect_rtp(&c, pkt, rtp_make(pkt, 0xc0ffee, 7), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&s, pkt, (size_t)p), 112);
    CHECK_EQ(pkt[12], (uint8_t)7);
    p = mj_srtp_protect_rtp(&s, pkt, rtp_make(pkt, 0xbeef, 8), sizeof pkt);
    REQUIRE(p > 0);
    CHECK_EQ(mj_srtp_unprotect_rtp(&c, pkt, (size_t)p), 112);
    p = mj_srtp_protect_rtcp(&c, pkt, rtcp_make(pkt, 0xc0ffee), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&s, pkt, (size_t)p), 32);
    /* A context keyed the wrong way round cannot read it. */
    p = mj_srtp_protect_rtp(&c, pkt, rtp_make(pkt, 0xc0ffee, 9), sizeof pkt);
    CHECK_EQ(mj_srtp_unprotect_rtp(&c, pkt, (size_t)p), MJ_EAUTH);
    mj_srtp_dispose(&c);
    mj_srtp_dispose(&s);
}

TEST(dtls_keys_work_end_to_end_gcm)
{
    dtls_end_to_end(NULL, MJ_SRTP_AEAD_AES_128_GCM);
}

TEST(dtls_keys_work_end_to_end_cm80)
{
    dtls_end_to_end("SRTP_AES128_CM_SHA1_80", MJ_SRTP_AES128_CM_SHA1_80);
}

/* A client that offers only AES-256-GCM gets it, with 32-byte keys. */
TEST(dtls_keys_work_end_to_end_gcm256)
{
    dtls_end_to_end("SRTP_AEAD_AES_256_GCM", MJ_SRTP_AEAD_AES_256_GCM);
}

/* Offered both GCM profiles in the other order, the server still picks
 * AES-128-GCM, its first choice. */
TEST(dtls_server_prefers_gcm128)
{
    dtls_end_to_end("SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM", MJ_SRTP_AEAD_AES_128_GCM);
}

TEST_MAIN(gcm_round_trips_rtp_and_rtcp, an_outbound_only_context_can_start_reading_later,
          cm80_round_trips_rtp_and_rtcp, cm32_round_trips_and_keeps_80_bit_srtcp_tag,
          gcm256_round_trips_rtp_and_rtcp, tampering_fails_auth_and_replays_are_caught_gcm,
          tampering_fails_auth_and_replays_are_caught_cm80,
          tampering_fails_auth_and_replays_are_caught_gcm256,
          tampering_fails_auth_and_replays_are_caught_cm32, sequence_numbers_wrap_into_the_next_roc,
          csrcs_and_header_extensions_are_not_encrypted, failed_unprotect_leaves_the_packet_alone,
          srtcp_index_counts_per_ssrc, outbound_ssrcs_are_capped, wrong_key_fails_auth,
          inbound_ssrcs_are_capped, bad_arguments_are_rejected, dtls_keys_work_end_to_end_gcm,
          dtls_keys_work_end_to_end_cm80, dtls_keys_work_end_to_end_gcm256,
          dtls_server_prefers_gcm128)
