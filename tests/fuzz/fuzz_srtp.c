/* Fuzz target for src/rtc/srtp's receive path, every profile, SRTP and
 * SRTCP, with fixed keys. The first byte picks the profile (bits 0-1),
 * SRTCP (bit 2) and whether the packets are first protected as plaintext
 * (bit 3); the rest is a series of packets, each a 2-byte big-endian
 * length and its bytes (the last one takes what is left), fed in order to
 * one fresh receiving context, so replay windows and ROC estimation carry
 * state from packet to packet.
 *
 * Checks: a refused packet is left byte for byte as it came; an accepted
 * one shrinks by exactly the tag (and SRTCP's index word); a packet we
 * protected ourselves unprotects to what it was.
 *
 * MJ_SRTP_SEEDS=dir ./fuzz_srtp writes the seed corpus (valid protected
 * packets and sequences for each profile and kind) into dir and exits. */
#include "rtc/srtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static const int profiles[4] = {MJ_SRTP_AES128_CM_SHA1_80, MJ_SRTP_AES128_CM_SHA1_32,
                                MJ_SRTP_AEAD_AES_128_GCM, MJ_SRTP_AEAD_AES_256_GCM};

#define MODE_RTCP    4
#define MODE_PROTECT 8

/* Keys for one profile: the sender's local half is the receiver's remote. */
static void keys_for(int profile, bool receiver, mj_srtp_keys *k)
{
    size_t kl = 0, sl = 0;
    ASSERT(mj_srtp_profile_lengths(profile, &kl, &sl) == 0);
    memset(k, 0, sizeof *k);
    k->profile = (uint16_t)profile;
    k->key_len = (uint8_t)kl;
    k->salt_len = (uint8_t)sl;
    uint8_t *key = receiver ? k->remote_key : k->local_key;
    uint8_t *salt = receiver ? k->remote_salt : k->local_salt;
    for (size_t i = 0; i < kl; i++)
        key[i] = (uint8_t)(0xa0 + i);
    for (size_t i = 0; i < sl; i++)
        salt[i] = (uint8_t)(0x50 + i);
    /* The other half, unused by the fuzzed direction. */
    uint8_t *other = receiver ? k->local_key : k->remote_key;
    memset(other, 0x11, kl);
}

static uint8_t pkt[2048 + MJ_SRTP_MAX_TRAILER], copy[sizeof pkt], plain[sizeof pkt];

static void one(mj_srtp *rx, mj_srtp *tx, unsigned mode, const size_t tags[2], const uint8_t *d,
                size_t n)
{
    if (n > 2048) n = 2048;
    memcpy(pkt, d, n);
    bool rtcp = mode & MODE_RTCP;
    if (mode & MODE_PROTECT) {
        memcpy(plain, d, n);
        long p = rtcp ? mj_srtp_protect_rtcp(tx, pkt, n, sizeof pkt)
                      : mj_srtp_protect_rtp(tx, pkt, n, sizeof pkt);
        if (p < 0) {
            ASSERT(p == MJ_EINVAL || p == MJ_EREPLAY || p == MJ_ELIMIT);
            return;
        }
        ASSERT((size_t)p == n + (rtcp ? tags[1] + 4 : tags[0]));
        long u = rtcp ? mj_srtp_unprotect_rtcp(rx, pkt, (size_t)p)
                      : mj_srtp_unprotect_rtp(rx, pkt, (size_t)p);
        /* The receiver may have taken a fuzzed packet for this SSRC and
         * index before, or be out of SSRCs; otherwise it reads it back. */
        if (u != MJ_EREPLAY && u != MJ_ELIMIT) {
            ASSERT(u == (long)n);
            ASSERT(memcmp(pkt, plain, n) == 0);
        }
        return;
    }
    memcpy(copy, pkt, n);
    long u = rtcp ? mj_srtp_unprotect_rtcp(rx, pkt, n) : mj_srtp_unprotect_rtp(rx, pkt, n);
    if (u < 0) {
        ASSERT(u == MJ_EINVAL || u == MJ_EAUTH || u == MJ_EREPLAY || u == MJ_ELIMIT);
        ASSERT(memcmp(pkt, copy, n) == 0);
    } else {
        ASSERT((size_t)u == n - (rtcp ? tags[1] + 4 : tags[0]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1) return 0;
    unsigned mode = d[0];
    int profile = profiles[mode & 3];
    mj_srtp_keys k;
    mj_srtp rx, tx;
    keys_for(profile, true, &k);
    ASSERT(mj_srtp_init(&rx, &k, 0) == 0);
    keys_for(profile, false, &k);
    ASSERT(mj_srtp_init(&tx, &k, MJ_SRTP_OUTBOUND_ONLY) == 0);
    size_t tags[2] = {profile == MJ_SRTP_AES128_CM_SHA1_32 ? 4
                      : profile >= 7                       ? 16
                                                           : 10,
                      profile >= 7 ? 16 : 10};
    d++;
    n--;
    while (n > 0) {
        size_t len = n;
        if (n > 2) {
            len = mj_be16(d);
            d += 2;
            n -= 2;
            if (len > n) len = n;
        }
        one(&rx, &tx, mode, tags, d, len);
        d += len;
        n -= len;
    }
    mj_srtp_dispose(&rx);
    mj_srtp_dispose(&tx);
    return 0;
}

/* ---- Seed corpus ------------------------------------------------------------ */

static void seed_write(const char *dir, const char *name, const uint8_t *d, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ASSERT(f && fwrite(d, 1, n, f) == n && fclose(f) == 0);
}

/* An RTP packet with two CSRCs and a one-byte-header extension, or an RTCP
 * receiver report. */
static size_t seed_plain(uint8_t *p, bool rtcp, uint16_t seq)
{
    if (rtcp) {
        memset(p, 0, 32);
        p[0] = 0x81;
        p[1] = 201;
        mj_put_be16(p + 2, 7);
        mj_put_be32(p + 4, 0x5eed);
        p[12] = (uint8_t)seq;
        return 32;
    }
    p[0] = 0x92;
    p[1] = 111;
    mj_put_be16(p + 2, seq);
    mj_put_be32(p + 4, seq * 960u);
    mj_put_be32(p + 8, 0x5eed);
    mj_put_be32(p + 12, 1);
    mj_put_be32(p + 16, 2);
    mj_put_be16(p + 20, 0xbede);
    mj_put_be16(p + 22, 1);
    mj_put_be32(p + 24, 0x10bf0000);
    memset(p + 28, 0x42, 40);
    return 68;
}

/* Appends a length-prefixed packet to a series. */
static size_t seed_put(uint8_t *out, size_t o, const uint8_t *p, size_t n)
{
    mj_put_be16(out + o, (uint16_t)n);
    memcpy(out + o + 2, p, n);
    return o + 2 + n;
}

static void seeds(const char *dir)
{
    static const char *names[4] = {"cm80", "cm32", "gcm128", "gcm256"};
    for (unsigned m = 0; m < 8; m++) {
        int profile = profiles[m & 3];
        bool rtcp = m & MODE_RTCP;
        mj_srtp_keys k;
        mj_srtp tx;
        keys_for(profile, false, &k);
        ASSERT(mj_srtp_init(&tx, &k, MJ_SRTP_OUTBOUND_ONLY) == 0);
        /* A series: packets across the sequence number wrap, one replayed,
         * one preceded by a forgery of itself (a flipped bit). */
        static uint8_t out[8192];
        size_t o = 0;
        out[o++] = (uint8_t)m;
        uint8_t first[256];
        long first_len = 0;
        for (uint16_t seq = 65533, i = 0; i < 5; seq++, i++) {
            uint8_t p[256];
            size_t pn = seed_plain(p, rtcp, seq);
            long len = rtcp ? mj_srtp_protect_rtcp(&tx, p, pn, sizeof p)
                            : mj_srtp_protect_rtp(&tx, p, pn, sizeof p);
            ASSERT(len > 0);
            if (i == 0) {
                memcpy(first, p, (size_t)len);
                first_len = len;
            }
            if (i == 3) {
                p[20] ^= 1;
                o = seed_put(out, o, p, (size_t)len);
                p[20] ^= 1;
            }
            o = seed_put(out, o, p, (size_t)len);
            if (i == 2) o = seed_put(out, o, p, (size_t)len);
        }
        char name[64];
        snprintf(name, sizeof name, "%s_%s_series", names[m & 3], rtcp ? "srtcp" : "srtp");
        seed_write(dir, name, out, o);
        /* One packet alone. */
        o = seed_put(out, 1, first, (size_t)first_len);
        snprintf(name, sizeof name, "%s_%s_one", names[m & 3], rtcp ? "srtcp" : "srtp");
        seed_write(dir, name, out, o);
        /* Plaintext for the protect-then-unprotect mode. */
        out[0] = (uint8_t)(m | MODE_PROTECT);
        uint8_t p[256];
        o = seed_put(out, 1, p, seed_plain(p, rtcp, 7));
        snprintf(name, sizeof name, "%s_%s_plain", names[m & 3], rtcp ? "rtcp" : "rtp");
        seed_write(dir, name, out, o);
        mj_srtp_dispose(&tx);
    }
    /* Junk: too short, a header whose extension runs past the end. */
    static const uint8_t short_rtp[] = {0x02, 0, 11, 0x80, 0x6f, 0, 1, 0, 0, 0, 1, 0, 0, 0x5e};
    seed_write(dir, "junk_short", short_rtp, sizeof short_rtp);
    uint8_t ext[64];
    memset(ext, 0xee, sizeof ext);
    ext[0] = 0x03;
    ext[1] = 0;
    ext[2] = 61;
    ext[3] = 0x9f;
    ext[4] = 0x6f;
    seed_write(dir, "junk_ext_overrun", ext, sizeof ext);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("MJ_SRTP_SEEDS");
    if (dir) {
        seeds(dir);
        exit(0);
    }
    return 0;
}
