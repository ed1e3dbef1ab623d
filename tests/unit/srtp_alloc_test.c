/* src/rtc/srtp allocates nothing per packet: for every profile, once a
 * context is set up and has seen its SSRCs (and its first SRTCP packet in
 * each direction, which makes SRTCP's cipher context), ten thousand
 * protects and unprotects of SRTP, SRTCP every tenth packet, forgeries and
 * replays among them, make no heap allocation anywhere in the process. */
#include "test.h"

#include "alloc_count.h"
#include "base/buf.h"
#include "base/rand.h"
#include "rtc/srtp.h"
#include "srtp_keys.h"

static size_t rtp_make(uint8_t *p, uint32_t ssrc, uint16_t seq)
{
    p[0] = 0x90; /* with a header extension, as our listeners get */
    p[1] = 111;
    mj_put_be16(p + 2, seq);
    mj_put_be32(p + 4, seq * 960u);
    mj_put_be32(p + 8, ssrc);
    mj_put_be16(p + 12, 0xbede);
    mj_put_be16(p + 14, 1);
    mj_put_be32(p + 16, 0x10420000);
    memset(p + 20, (int)seq, 80);
    return 100;
}

static size_t rtcp_make(uint8_t *p, uint32_t ssrc)
{
    memset(p, 0, 32);
    p[0] = 0x81;
    p[1] = 201;
    mj_put_be16(p + 2, 7);
    mj_put_be32(p + 4, ssrc);
    return 32;
}

#define PACKETS 10000

static void no_allocations(int profile)
{
    mj_srtp_keys ka, kb;
    keys_pair(profile, &ka, &kb);
    mj_srtp a, b;
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    REQUIRE(mj_srtp_init(&b, &kb, 0) == 0);
    uint8_t pkt[256], saved[256];
    /* Given contexts that have seen their three SSRCs and SRTCP both ways, */
    for (uint32_t ssrc = 1; ssrc <= 3; ssrc++) {
        long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, ssrc, 0), sizeof pkt);
        REQUIRE(p > 0 && mj_srtp_unprotect_rtp(&b, pkt, (size_t)p) == 100);
        p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, ssrc), sizeof pkt);
        REQUIRE(p > 0 && mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p) == 32);
        p = mj_srtp_protect_rtcp(&b, pkt, rtcp_make(pkt, ssrc + 10), sizeof pkt);
        REQUIRE(p > 0 && mj_srtp_unprotect_rtcp(&a, pkt, (size_t)p) == 32);
    }
    /* when they protect and unprotect thousands of packets, good and bad, */
    int ok = 0, forged = 0, replayed = 0;
    unsigned long long before = alloc_count();
    for (int i = 1; i <= PACKETS; i++) {
        uint32_t ssrc = 1 + (uint32_t)i % 3;
        long p = mj_srtp_protect_rtp(&a, pkt, rtp_make(pkt, ssrc, (uint16_t)i), sizeof pkt);
        if (p < 0) break;
        memcpy(saved, pkt, (size_t)p);
        if (i % 50 == 0) { /* a forgery first */
            pkt[30] ^= 1;
            forged += mj_srtp_unprotect_rtp(&b, pkt, (size_t)p) == MJ_EAUTH;
            pkt[30] ^= 1;
        }
        ok += mj_srtp_unprotect_rtp(&b, pkt, (size_t)p) == 100;
        if (i % 50 == 25) {
            memcpy(pkt, saved, (size_t)p);
            replayed += mj_srtp_unprotect_rtp(&b, pkt, (size_t)p) == MJ_EREPLAY;
        }
        if (i % 10 == 0) {
            p = mj_srtp_protect_rtcp(&a, pkt, rtcp_make(pkt, ssrc), sizeof pkt);
            if (p < 0) break;
            memcpy(saved, pkt, (size_t)p);
            ok += mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p) == 32;
            memcpy(pkt, saved, (size_t)p);
            replayed += mj_srtp_unprotect_rtcp(&b, pkt, (size_t)p) == MJ_EREPLAY;
            saved[12] ^= 1;
            forged += mj_srtp_unprotect_rtcp(&a, saved, (size_t)p) == MJ_EAUTH;
        }
    }
    unsigned long long allocs = alloc_count() - before;
    /* then nothing was allocated, and the packets really went through. */
    printf("  %s: %llu allocations in %d packets\n", mj_srtp_profile_name(profile), allocs,
           PACKETS + PACKETS / 10);
    CHECK_EQ(allocs, 0);
    CHECK_EQ(ok, PACKETS + PACKETS / 10);
    CHECK_EQ(forged, PACKETS / 50 + PACKETS / 10);
    CHECK_EQ(replayed, PACKETS / 50 + PACKETS / 10);
    mj_srtp_dispose(&a);
    mj_srtp_dispose(&b);
}

TEST(aes_cm_80_allocates_nothing_per_packet)
{
    no_allocations(MJ_SRTP_AES128_CM_SHA1_80);
}

TEST(aes_cm_32_allocates_nothing_per_packet)
{
    no_allocations(MJ_SRTP_AES128_CM_SHA1_32);
}

TEST(aes_128_gcm_allocates_nothing_per_packet)
{
    no_allocations(MJ_SRTP_AEAD_AES_128_GCM);
}

TEST(aes_256_gcm_allocates_nothing_per_packet)
{
    no_allocations(MJ_SRTP_AEAD_AES_256_GCM);
}

/* The counter itself works: a context's setup allocates. */
TEST(the_counter_sees_allocations)
{
    mj_srtp_keys ka, kb;
    keys_pair(MJ_SRTP_AEAD_AES_128_GCM, &ka, &kb);
    mj_srtp a;
    unsigned long long before = alloc_count();
    REQUIRE(mj_srtp_init(&a, &ka, 0) == 0);
    CHECK(alloc_count() > before);
    mj_srtp_dispose(&a);
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || alloc_count_start() != 0) {
        fprintf(stderr, "cannot set up\n");
        return 1;
    }
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        the_counter_sees_allocations, aes_cm_80_allocates_nothing_per_packet,
        aes_cm_32_allocates_nothing_per_packet, aes_128_gcm_allocates_nothing_per_packet,
        aes_256_gcm_allocates_nothing_per_packet)};
    return mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
}
