/* src/rtc/srtp against libsrtp2 as an oracle, for every profile: long
 * random streams (random payload sizes, CSRCs and header extensions,
 * several SSRCs) starting near sequence number 65535, with jumps that
 * roll the ROC over several times, then reordered within a window, thinned
 * by loss, with replays and tampered copies mixed in. Both sides protect
 * the same packets with the same keys, which must give the same bytes;
 * what each protected is fed to the other's receiver, and both receivers
 * must come to the same verdict (accepted with the original plaintext,
 * replay, forgery) on every packet. SRTCP likewise, plus libsrtp's
 * authenticated-only SRTCP (E flag clear), which we must accept.
 *
 * Debian's libsrtp2 does its crypto through NSS; AES-256-GCM is part of
 * that build. Runs are seeded (MJ_ORACLE_SEED to repeat one). */
#include "test.h"

#include <srtp2/srtp.h>

#include "base/buf.h"
#include "rtc/srtp.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: reproducible from the seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

struct profile_case {
    int id;
    void (*rtp)(srtp_crypto_policy_t *);
    void (*rtcp)(srtp_crypto_policy_t *);
};

static const struct profile_case cases[] = {
    {MJ_SRTP_AES128_CM_SHA1_80, srtp_crypto_policy_set_rtp_default,
     srtp_crypto_policy_set_rtcp_default},
    {MJ_SRTP_AES128_CM_SHA1_32, srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
     srtp_crypto_policy_set_rtcp_default},
    {MJ_SRTP_AEAD_AES_128_GCM, srtp_crypto_policy_set_aes_gcm_128_16_auth,
     srtp_crypto_policy_set_aes_gcm_128_16_auth},
    {MJ_SRTP_AEAD_AES_256_GCM, srtp_crypto_policy_set_aes_gcm_256_16_auth,
     srtp_crypto_policy_set_aes_gcm_256_16_auth},
};

/* One key for everything in a profile's run: our sender, our receiver,
 * libsrtp's sender and receiver all use it. */
typedef struct oracle {
    const struct profile_case *pc;
    size_t key_len, salt_len;
    uint8_t key[MJ_SRTP_MAX_KEY_LEN], salt[MJ_SRTP_MAX_SALT_LEN];
    mj_srtp our_tx, our_rx;
    srtp_t lib_tx, lib_rx;
} oracle;

static srtp_t lib_session(const oracle *o, srtp_ssrc_type_t dir, bool rtcp_auth_only)
{
    uint8_t master[MJ_SRTP_MAX_KEY_LEN + MJ_SRTP_MAX_SALT_LEN];
    memcpy(master, o->key, o->key_len);
    memcpy(master + o->key_len, o->salt, o->salt_len);
    srtp_policy_t p;
    memset(&p, 0, sizeof p);
    o->pc->rtp(&p.rtp);
    o->pc->rtcp(&p.rtcp);
    if (rtcp_auth_only) p.rtcp.sec_serv = sec_serv_auth;
    p.ssrc.type = dir;
    p.key = master;
    p.window_size = 128;
    p.allow_repeat_tx = 0;
    srtp_t s = NULL;
    if (srtp_create(&s, &p) != srtp_err_status_ok) return NULL;
    return s;
}

static bool oracle_init(oracle *o, const struct profile_case *pc, bool rtcp_auth_only)
{
    memset(o, 0, sizeof *o);
    o->pc = pc;
    if (mj_srtp_profile_lengths(pc->id, &o->key_len, &o->salt_len) != 0) return false;
    rnd_bytes(o->key, o->key_len);
    rnd_bytes(o->salt, o->salt_len);
    mj_srtp_keys k;
    memset(&k, 0, sizeof k);
    k.profile = (uint16_t)pc->id;
    k.key_len = (uint8_t)o->key_len;
    k.salt_len = (uint8_t)o->salt_len;
    memcpy(k.local_key, o->key, o->key_len);
    memcpy(k.local_salt, o->salt, o->salt_len);
    rnd_bytes(k.remote_key, o->key_len);
    rnd_bytes(k.remote_salt, o->salt_len);
    if (mj_srtp_init(&o->our_tx, &k, MJ_SRTP_OUTBOUND_ONLY) != 0) return false;
    memcpy(k.remote_key, o->key, o->key_len);
    memcpy(k.remote_salt, o->salt, o->salt_len);
    rnd_bytes(k.local_key, o->key_len);
    if (mj_srtp_init(&o->our_rx, &k, 0) != 0) return false;
    o->lib_tx = lib_session(o, ssrc_any_outbound, rtcp_auth_only);
    o->lib_rx = lib_session(o, ssrc_any_inbound, false);
    return o->lib_tx && o->lib_rx;
}

static void oracle_dispose(oracle *o)
{
    mj_srtp_dispose(&o->our_tx);
    mj_srtp_dispose(&o->our_rx);
    if (o->lib_tx) srtp_dealloc(o->lib_tx);
    if (o->lib_rx) srtp_dealloc(o->lib_rx);
}

/* Verdicts both sides must agree on. */
enum verdict { V_OK, V_REPLAY, V_AUTH, V_OTHER };

static enum verdict ours_verdict(long r)
{
    if (r >= 0) return V_OK;
    if (r == MJ_EREPLAY) return V_REPLAY;
    if (r == MJ_EAUTH) return V_AUTH;
    return V_OTHER;
}

static enum verdict lib_verdict(srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok: return V_OK;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return V_REPLAY;
    case srtp_err_status_auth_fail: return V_AUTH;
    default: return V_OTHER;
    }
}

#define SLOT 1600

/* A protected packet waiting for delivery. */
typedef struct wire {
    uint8_t ours[SLOT], lib[SLOT], plain[SLOT];
    int ours_len, lib_len, plain_len;
    struct wire *orig; /* for a replayed copy: what it copies */
    bool tampered;
    bool accepted;
} wire;

/* A random RTP packet: CSRCs, a one-byte-header extension, payload. */
static int rtp_random(uint8_t *p, uint32_t ssrc, uint16_t seq)
{
    int cc = (int)rnd_below(4), ext_words = rnd_below(3) ? -1 : (int)rnd_below(4);
    p[0] = (uint8_t)(0x80 | (ext_words >= 0 ? 0x10 : 0) | cc);
    p[1] = (uint8_t)(rnd_below(2) << 7 | 111);
    mj_put_be16(p + 2, seq);
    mj_put_be32(p + 4, rnd());
    mj_put_be32(p + 8, ssrc);
    int n = 12;
    for (int i = 0; i < cc; i++, n += 4)
        mj_put_be32(p + n, rnd());
    if (ext_words >= 0) {
        mj_put_be16(p + n, 0xbede);
        mj_put_be16(p + n + 2, (uint16_t)ext_words);
        rnd_bytes(p + n + 4, 4 * (size_t)ext_words);
        n += 4 + 4 * ext_words;
    }
    int payload = (int)rnd_below(rnd_below(8) ? 200 : 1200);
    rnd_bytes(p + n, (size_t)payload);
    return n + payload;
}

/* A random RTCP compound's first packet: header and SSRC, then words. */
static int rtcp_random(uint8_t *p, uint32_t ssrc)
{
    int words = (int)rnd_below(rnd_below(8) ? 16 : 200);
    p[0] = 0x80;
    p[1] = (uint8_t)(200 + rnd_below(5));
    mj_put_be16(p + 2, (uint16_t)(words + 1));
    mj_put_be32(p + 4, ssrc);
    rnd_bytes(p + 8, 4 * (size_t)words);
    return 8 + 4 * words;
}

/* Both senders protect w->plain; they must agree byte for byte. */
static bool protect_both(oracle *o, wire *w, bool rtcp)
{
    memcpy(w->ours, w->plain, (size_t)w->plain_len);
    memcpy(w->lib, w->plain, (size_t)w->plain_len);
    long n = rtcp ? mj_srtp_protect_rtcp(&o->our_tx, w->ours, (size_t)w->plain_len, SLOT)
                  : mj_srtp_protect_rtp(&o->our_tx, w->ours, (size_t)w->plain_len, SLOT);
    int ln = w->plain_len;
    srtp_err_status_t st =
        rtcp ? srtp_protect_rtcp(o->lib_tx, w->lib, &ln) : srtp_protect(o->lib_tx, w->lib, &ln);
    if (n < 0 || st != srtp_err_status_ok) {
        MJ_TEST_FAIL("protect: ours %ld, libsrtp %d", n, (int)st);
        return false;
    }
    w->ours_len = (int)n;
    w->lib_len = ln;
    if (n != ln || memcmp(w->ours, w->lib, (size_t)ln) != 0) {
        MJ_TEST_FAIL("%s %s: ours and libsrtp protect differently (%ld vs %d bytes)",
                     mj_srtp_profile_name(o->pc->id), rtcp ? "SRTCP" : "SRTP", n, ln);
        return false;
    }
    return true;
}

/* Delivers w: ours to libsrtp's receiver, libsrtp's to ours. Beyond
 * agreeing, neither may accept a forgery, nor a copy of a packet it
 * already accepted. (A copy of one that was refused may be accepted: with
 * reordering across a long jump, a packet can arrive while its ROC is
 * guessed wrong and fail, and its copy arrive when it is guessed right.) */
static int verdicts[4];

static void deliver(oracle *o, wire *w, bool rtcp, int *mismatches)
{
    uint8_t a[SLOT], b[SLOT];
    memcpy(a, w->ours, (size_t)w->ours_len);
    memcpy(b, w->lib, (size_t)w->lib_len);
    int ln = w->ours_len;
    srtp_err_status_t st =
        rtcp ? srtp_unprotect_rtcp(o->lib_rx, a, &ln) : srtp_unprotect(o->lib_rx, a, &ln);
    long n = rtcp ? mj_srtp_unprotect_rtcp(&o->our_rx, b, (size_t)w->lib_len)
                  : mj_srtp_unprotect_rtp(&o->our_rx, b, (size_t)w->lib_len);
    enum verdict vl = lib_verdict(st), vo = ours_verdict(n);
    verdicts[vo]++;
    bool ok = vl == vo;
    /* Forgeries may be refused for different reasons. libsrtp refuses
     * SRTCP whose E flag differs from its policy before anything else
     * (srtp_err_status_cant_check), where we check replay and then the tag,
     * which covers the flag. We refuse an RTP header that runs into the
     * tag (MJ_EINVAL), where libsrtp only requires it to fit the packet
     * and goes on to its replay check. */
    if (w->tampered && (vl == V_OTHER || vo == V_OTHER) && vo != V_OK && vl != V_OK) ok = true;
    if (ok && vo == V_OK)
        ok = n == w->plain_len && ln == w->plain_len && memcmp(b, w->plain, (size_t)n) == 0 &&
             memcmp(a, w->plain, (size_t)n) == 0;
    if (vo == V_OK && (w->tampered || (w->orig && w->orig->accepted))) ok = false;
    if (!w->orig && !w->tampered) w->accepted = vo == V_OK;
    if (!ok && ++*mismatches <= 5)
        MJ_TEST_FAIL("%s %s seq/len %u/%d%s: ours %ld, libsrtp %d", mj_srtp_profile_name(o->pc->id),
                     rtcp ? "SRTCP" : "SRTP", rtcp ? 0u : mj_be16(w->plain + 2), w->plain_len,
                     w->tampered ? " tampered"
                     : w->orig   ? " copy"
                                 : "",
                     n, (int)st);
}

/* Shuffles within a window of w places: a network's reordering. */
static void reorder(wire **q, int n, int w)
{
    for (int i = 0; i < n; i++) {
        int j = i + (int)rnd_below((uint32_t)(n - i < w ? n - i : w));
        wire *t = q[i];
        q[i] = q[j];
        q[j] = t;
    }
}

#define N_PKTS 6000

/* Builds one run of packets for a few SSRCs, protects each with both
 * senders, then delivers a reordered, lossy copy with replays and
 * forgeries. */
static void run_stream(oracle *o, bool rtcp, int n_pkts)
{
    int n_copies = n_pkts / 30;
    wire *all = calloc((size_t)(n_pkts + n_copies), sizeof *all);
    wire **q = calloc((size_t)(n_pkts + n_copies), sizeof *q);
    REQUIRE(all && q);
    uint32_t ssrcs[3] = {rnd(), rnd(), rnd()};
    uint16_t seq[3];
    bool jumped[3] = {false, false, false};
    int since_jump[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        seq[i] = (uint16_t)(65535 - rnd_below(40));
        /* libsrtp numbers a stream's first SRTCP packet 1, we 0 (RFC 3711
         * section 3.3.2 says 0); one packet of ours that goes nowhere
         * lines the indices up, so both must then produce the same bytes. */
        static uint8_t skip[SLOT];
        int n = rtcp_random(skip, ssrcs[i]);
        if (rtcp) REQUIRE(mj_srtp_protect_rtcp(&o->our_tx, skip, (size_t)n, sizeof skip) > 0);
    }
    int nq = 0, wraps = 0;
    for (int i = 0; i < n_pkts; i++) {
        wire *w = &all[i];
        int s = (int)rnd_below(3);
        w->plain_len =
            rtcp ? rtcp_random(w->plain, ssrcs[s]) : rtp_random(w->plain, ssrcs[s], seq[s]);
        bool keep = jumped[s] || since_jump[s] == 0;
        /* Mostly consecutive; now and then a gap, sometimes a long one
         * (under 2^15, which still estimates right), so the ROC rolls
         * over many times in a few thousand packets. Long jumps are at
         * least 64 packets apart, and never among a stream's first: a
         * receiver that saw only packets on either side of two of them,
         * or a first packet that arrives after ones past the first wrap,
         * cannot tell the ROC (RFC 3711 section 3.3.1), libsrtp no more
         * than we. */
        uint32_t r = rnd_below(100);
        jumped[s] = r < 1 && since_jump[s] >= 64;
        since_jump[s] = jumped[s] ? 0 : since_jump[s] + 1;
        uint16_t next = (uint16_t)(seq[s] + 1 +
                                   (jumped[s] ? 1000 + rnd_below(29000)
                                    : r < 10  ? rnd_below(5)
                                              : 0));
        wraps += next < seq[s];
        seq[s] = next;
        if (!protect_both(o, w, rtcp)) break;
        /* Lost, but never a stream's first packet nor the one after a
         * long jump, for the same reason. */
        if (!keep && rnd_below(100) < 5) continue;
        q[nq++] = w;
    }
    reorder(q, nq, 24);
    /* Replays: copies of delivered packets, a little later in the queue. */
    int base = nq;
    for (int i = 0; i < n_copies; i++) {
        int at = (int)rnd_below((uint32_t)base);
        wire *copy = &all[n_pkts + i];
        *copy = *q[at];
        copy->orig = q[at];
        int to = at + 1 + (int)rnd_below(60);
        if (to > nq) to = nq;
        memmove(q + to + 1, q + to, (size_t)(nq - to) * sizeof *q);
        q[to] = copy;
        nq++;
    }
    int mismatches = 0, tampered = 0;
    memset(verdicts, 0, sizeof verdicts);
    for (int i = 0; i < nq; i++) {
        wire *w = q[i];
        /* A forgery first, now and then: one flipped bit after byte 0. */
        if (rnd_below(100) < 4) {
            static wire f;
            f = *w;
            f.tampered = true;
            int at = 1 + (int)rnd_below((uint32_t)f.ours_len - 1);
            uint8_t bit = (uint8_t)(1u << rnd_below(8));
            f.ours[at] ^= bit;
            f.lib[at] ^= bit;
            deliver(o, &f, rtcp, &mismatches);
            tampered++;
        }
        deliver(o, w, rtcp, &mismatches);
    }
    CHECK_EQ(mismatches, 0);
    printf("  %s %s: %d packets, %d deliveries, %d ROC rollovers; verdicts: %d accepted, "
           "%d replays, %d forgeries, %d other\n",
           mj_srtp_profile_name(o->pc->id), rtcp ? "SRTCP" : "SRTP", n_pkts, nq + tampered,
           rtcp ? 0 : wraps, verdicts[V_OK], verdicts[V_REPLAY], verdicts[V_AUTH],
           verdicts[V_OTHER]);
    /* The run exercised what it is for. (After a long jump, packets
     * reordered behind it are older than the window: refused by both.) */
    CHECK(verdicts[V_OK] > nq * 88 / 100);
    CHECK(verdicts[V_REPLAY] >= n_copies / 2);
    CHECK(verdicts[V_AUTH] >= tampered / 2 && tampered > 0);
    if (!rtcp) CHECK(wraps >= 6);
    free(q);
    free(all);
}

static void oracle_profile(const struct profile_case *pc)
{
    oracle o;
    REQUIRE(oracle_init(&o, pc, false));
    run_stream(&o, false, N_PKTS);
    oracle_dispose(&o);
    REQUIRE(oracle_init(&o, pc, false));
    run_stream(&o, true, N_PKTS / 4);
    oracle_dispose(&o);
}

TEST(aes_cm_80_agrees_with_libsrtp)
{
    oracle_profile(&cases[0]);
}

TEST(aes_cm_32_agrees_with_libsrtp)
{
    oracle_profile(&cases[1]);
}

TEST(aes_128_gcm_agrees_with_libsrtp)
{
    oracle_profile(&cases[2]);
}

TEST(aes_256_gcm_agrees_with_libsrtp)
{
    oracle_profile(&cases[3]);
}

/* libsrtp's authenticated-only SRTCP (E flag clear): we accept it, return
 * the plaintext unchanged, and reject it tampered. */
TEST(unencrypted_srtcp_from_libsrtp_is_accepted)
{
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        oracle o;
        REQUIRE(oracle_init(&o, &cases[c], true));
        for (int i = 0; i < 200; i++) {
            uint8_t plain[SLOT], pkt[SLOT];
            int n = rtcp_random(plain, 0x1234 + (uint32_t)(i % 2));
            memcpy(pkt, plain, (size_t)n);
            int ln = n;
            REQUIRE(srtp_protect_rtcp(o.lib_tx, pkt, &ln) == srtp_err_status_ok);
            size_t tag = cases[c].id >= MJ_SRTP_AEAD_AES_128_GCM ? 16 : 10;
            size_t word_at =
                cases[c].id >= MJ_SRTP_AEAD_AES_128_GCM ? (size_t)ln - 4 : (size_t)ln - tag - 4;
            CHECK_EQ(pkt[word_at] & 0x80, 0);
            CHECK_MEM(pkt, plain, (size_t)n); /* in the clear */
            if (i % 10 == 0) {
                pkt[8] ^= 1;
                CHECK_EQ(mj_srtp_unprotect_rtcp(&o.our_rx, pkt, (size_t)ln), MJ_EAUTH);
                pkt[8] ^= 1;
            }
            CHECK_EQ(mj_srtp_unprotect_rtcp(&o.our_rx, pkt, (size_t)ln), n);
            CHECK_MEM(pkt, plain, (size_t)n);
        }
        oracle_dispose(&o);
    }
}

static void global_init(void)
{
    const char *seed = getenv("MJ_ORACLE_SEED");
    rng_state = seed ? strtoull(seed, NULL, 0) : 0x6d616a6c6973ull;
    if (!rng_state) rng_state = 1;
    printf("seed 0x%llx\n", (unsigned long long)rng_state);
    if (srtp_init() != srtp_err_status_ok || mj_srtp_global_init() != 0) {
        fprintf(stderr, "srtp_init failed\n");
        exit(1);
    }
}

int main(void)
{
    global_init();
    static const mj_test_case list[] = {
        MJ_TEST_LIST(aes_cm_80_agrees_with_libsrtp, aes_cm_32_agrees_with_libsrtp,
                     aes_128_gcm_agrees_with_libsrtp, aes_256_gcm_agrees_with_libsrtp,
                     unencrypted_srtcp_from_libsrtp_is_accepted)};
    int rc = mj_test_run(__FILE__, list, sizeof list / sizeof list[0]);
    srtp_shutdown();
    return rc;
}
