/* Published test vectors for src/rtc/srtp: RFC 3711 appendix B.2 (AES-CM
 * keystream) and B.3 (key derivation), and RFC 7714 sections 16 and 17
 * (AEAD_AES_128_GCM and AEAD_AES_256_GCM packets, SRTP and SRTCP), each
 * through the same protect and unprotect calls the peers use. */
#include "test.h"

#include "base/buf.h"
#include "rtc/srtp.h"
#include "rtc/srtp_internal.h"

/* Parses hex digits (spaces allowed) into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int half = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            continue;
        if (half < 0) {
            half = v;
        } else {
            if (n == cap) {
                MJ_TEST_FAIL("hex longer than %zu bytes", cap);
                return n;
            }
            out[n++] = (uint8_t)(half << 4 | v);
            half = -1;
        }
    }
    return n;
}

/* ---- RFC 3711 appendix B ---------------------------------------------------- */

TEST(rfc3711_b2_aes_cm_keystream)
{
    /* Given the B.2 session key and salt, SSRC 0, ROC 0 and sequence number
     * 0 (so the IV is the salt times 2^16), a zero payload encrypts to the
     * keystream itself; B.2 lists its first three blocks and the blocks at
     * counter values 0xfeff, 0xff00 and 0xff01. */
    uint8_t key[16], salt[14], auth[20] = {0};
    REQUIRE(unhex("2B7E151628AED2A6ABF7158809CF4F3C", key, sizeof key) == 16);
    REQUIRE(unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", salt, sizeof salt) == 14);
    mj_srtp s;
    REQUIRE(mj_srtp_init_session(&s, MJ_SRTP_AES128_CM_SHA1_80, key, salt, auth) == 0);
    size_t payload = 0xff02 * 16;
    size_t cap = 12 + payload + MJ_SRTP_MAX_TRAILER;
    uint8_t *pkt = calloc(1, cap);
    REQUIRE(pkt != NULL);
    pkt[0] = 0x80;
    long n = mj_srtp_protect_rtp(&s, pkt, 12 + payload, cap);
    CHECK_EQ(n, (long)(12 + payload + 10));
    uint8_t want[48];
    REQUIRE(unhex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
                  "41E95B3BB0A2E8DD477901E4FCA894C0",
                  want, sizeof want) == 48);
    CHECK_MEM(pkt + 12, want, 48);
    REQUIRE(unhex("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE"
                  "6A2CC3787889374FBEB4C81B17BA6C44",
                  want, sizeof want) == 48);
    CHECK_MEM(pkt + 12 + 0xfeff * 16, want, 48);
    /* And the same context reads it back. */
    CHECK_EQ(mj_srtp_unprotect_rtp(&s, pkt, (size_t)n), (long)(12 + payload));
    CHECK_EQ(pkt[12], 0);
    CHECK_EQ(pkt[12 + payload - 1], 0);
    free(pkt);
    mj_srtp_dispose(&s);
}

TEST(rfc3711_b3_key_derivation)
{
    uint8_t mk[16], ms[14], want[20], got[20];
    REQUIRE(unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, sizeof mk) == 16);
    REQUIRE(unhex("0EC675AD498AFEEBB6960B3AABE6", ms, sizeof ms) == 14);
    /* Label 0, the cipher key. */
    REQUIRE(unhex("C61E7A93744F39EE10734AFE3FF7A087", want, sizeof want) == 16);
    REQUIRE(mj_srtp_kdf(mk, 16, ms, 14, 0, got, 16) == 0);
    CHECK_MEM(got, want, 16);
    /* Label 2, the cipher salt. */
    REQUIRE(unhex("30CBBC08863D8C85D49DB34A9AE1", want, sizeof want) == 14);
    REQUIRE(mj_srtp_kdf(mk, 16, ms, 14, 2, got, 14) == 0);
    CHECK_MEM(got, want, 14);
    /* Label 1, the authentication key (its first 160 bits, n_a for
     * HMAC-SHA1). */
    REQUIRE(unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want, sizeof want) == 20);
    REQUIRE(mj_srtp_kdf(mk, 16, ms, 14, 1, got, 20) == 0);
    CHECK_MEM(got, want, 20);
    /* Bad arguments. */
    CHECK_EQ(mj_srtp_kdf(mk, 24, ms, 14, 0, got, 16), MJ_EINVAL);
    CHECK_EQ(mj_srtp_kdf(mk, 16, ms, 14, 6, got, 16), MJ_EINVAL);
}

/* ---- RFC 7714 sections 16 and 17 ------------------------------------------- */

/* Session keys and salt of every RFC 7714 example ("Quid pro quo"). */
#define GCM_KEY_128 "000102030405060708090a0b0c0d0e0f"
#define GCM_KEY_256 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define GCM_SALT    "517569642070726f2071756f"

/* Section 16.1: an RTP packet, SSRC 0x5501a0b2, sequence number 0xf17b,
 * ROC 0, payload "Gallia est omnis divisa in partes tres". */
#define RTP_PLAIN                                                                                  \
    "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070"    \
    "61727465 73207472 6573"
#define RTP_SEALED_128                                                                             \
    "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a"    \
    "51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce"
#define RTP_SEALED_256                                                                             \
    "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02"    \
    "76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13"

/* Section 17.1: an RTCP sender report from SSRC "Mars", SRTCP index
 * 0x5d4, encrypted. */
#define RTCP_PLAIN                                                                                 \
    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef"    \
    "deadbeef deadbeef deadbeef"
#define RTCP_SEALED_128                                                                            \
    "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda"    \
    "4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4"
#define RTCP_SEALED_256                                                                            \
    "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be"    \
    "8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4"

static void gcm_rtp_vector(int profile, const char *key_hex, const char *sealed_hex)
{
    uint8_t key[32], salt[12], plain[64], sealed[96], pkt[128];
    size_t kl = unhex(key_hex, key, sizeof key);
    REQUIRE(unhex(GCM_SALT, salt, sizeof salt) == 12);
    size_t pn = unhex(RTP_PLAIN, plain, sizeof plain);
    size_t sn = unhex(sealed_hex, sealed, sizeof sealed);
    REQUIRE(pn == 50 && sn == pn + 16 && kl >= 16);
    mj_srtp s;
    REQUIRE(mj_srtp_init_session(&s, profile, key, salt, NULL) == 0);
    /* Protect gives the published packet... */
    memcpy(pkt, plain, pn);
    CHECK_EQ(mj_srtp_protect_rtp(&s, pkt, pn, sizeof pkt), (long)sn);
    CHECK_MEM(pkt, sealed, sn);
    /* ...and unprotect the plaintext back. */
    memcpy(pkt, sealed, sn);
    CHECK_EQ(mj_srtp_unprotect_rtp(&s, pkt, sn), (long)pn);
    CHECK_MEM(pkt, plain, pn);
    /* One flipped bit anywhere, header included, fails (on a fresh context,
     * so it is not just a replay). */
    for (size_t i = 0; i < sn; i += 7) {
        mj_srtp r;
        REQUIRE(mj_srtp_init_session(&r, profile, key, salt, NULL) == 0);
        memcpy(pkt, sealed, sn);
        pkt[i] ^= 0x04;
        CHECK_EQ(mj_srtp_unprotect_rtp(&r, pkt, sn), MJ_EAUTH);
        pkt[i] ^= 0x04;
        CHECK_MEM(pkt, sealed, sn); /* left as it came */
        mj_srtp_dispose(&r);
    }
    mj_srtp_dispose(&s);
}

TEST(rfc7714_16_aes_128_gcm_srtp)
{
    gcm_rtp_vector(MJ_SRTP_AEAD_AES_128_GCM, GCM_KEY_128, RTP_SEALED_128);
}

TEST(rfc7714_16_aes_256_gcm_srtp)
{
    gcm_rtp_vector(MJ_SRTP_AEAD_AES_256_GCM, GCM_KEY_256, RTP_SEALED_256);
}

static void gcm_rtcp_vector(int profile, const char *key_hex, const char *sealed_hex)
{
    uint8_t key[32], salt[12], plain[64], sealed[96], pkt[128];
    size_t kl = unhex(key_hex, key, sizeof key);
    REQUIRE(unhex(GCM_SALT, salt, sizeof salt) == 12);
    size_t pn = unhex(RTCP_PLAIN, plain, sizeof plain);
    size_t sn = unhex(sealed_hex, sealed, sizeof sealed);
    REQUIRE(pn == 52 && sn == pn + 16 + 4 && kl >= 16);
    mj_srtp s;
    REQUIRE(mj_srtp_init_session(&s, profile, key, salt, NULL) == 0);
    /* The sender's SRTCP index counts from 0; the vector's is 0x5d4. */
    for (uint32_t i = 0; i < 0x5d4; i++) {
        memcpy(pkt, plain, pn);
        REQUIRE(mj_srtp_protect_rtcp(&s, pkt, pn, sizeof pkt) == (long)sn);
        CHECK_EQ(mj_be32(pkt + sn - 4), 0x80000000u | i);
    }
    memcpy(pkt, plain, pn);
    CHECK_EQ(mj_srtp_protect_rtcp(&s, pkt, pn, sizeof pkt), (long)sn);
    CHECK_MEM(pkt, sealed, sn);
    memcpy(pkt, sealed, sn);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&s, pkt, sn), (long)pn);
    CHECK_MEM(pkt, plain, pn);
    /* A second time it is a replay; with a flipped bit, a forgery that
     * leaves the buffer as it came. */
    memcpy(pkt, sealed, sn);
    CHECK_EQ(mj_srtp_unprotect_rtcp(&s, pkt, sn), MJ_EREPLAY);
    mj_srtp r;
    REQUIRE(mj_srtp_init_session(&r, profile, key, salt, NULL) == 0);
    pkt[20] ^= 0x80;
    CHECK_EQ(mj_srtp_unprotect_rtcp(&r, pkt, sn), MJ_EAUTH);
    pkt[20] ^= 0x80;
    CHECK_MEM(pkt, sealed, sn);
    /* The E flag and index are authenticated too. */
    pkt[sn - 1] ^= 1;
    CHECK_EQ(mj_srtp_unprotect_rtcp(&r, pkt, sn), MJ_EAUTH);
    pkt[sn - 1] ^= 1;
    CHECK_EQ(mj_srtp_unprotect_rtcp(&r, pkt, sn), (long)pn);
    mj_srtp_dispose(&r);
    mj_srtp_dispose(&s);
}

TEST(rfc7714_17_aes_128_gcm_srtcp)
{
    gcm_rtcp_vector(MJ_SRTP_AEAD_AES_128_GCM, GCM_KEY_128, RTCP_SEALED_128);
}

TEST(rfc7714_17_aes_256_gcm_srtcp)
{
    gcm_rtcp_vector(MJ_SRTP_AEAD_AES_256_GCM, GCM_KEY_256, RTCP_SEALED_256);
}

TEST_MAIN(rfc3711_b2_aes_cm_keystream, rfc3711_b3_key_derivation, rfc7714_16_aes_128_gcm_srtp,
          rfc7714_16_aes_256_gcm_srtp, rfc7714_17_aes_128_gcm_srtcp, rfc7714_17_aes_256_gcm_srtcp)
