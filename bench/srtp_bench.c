/* Micro-benchmark for rtc/srtp and rtc/dtls: nanoseconds per SRTP protect
 * and unprotect of a 100-byte Opus payload per profile, heap allocations
 * per packet, heap bytes per SRTP context and per DTLS connection (during
 * and after the handshake), and handshake CPU time. Where libsrtp2 was
 * found at build time (MJ_BENCH_LIBSRTP), the same packet and context
 * figures for it, for comparison: majlis used it until it had its own.
 *
 * Method: heap bytes are glibc mallinfo2() "in use" deltas over many
 * objects, so they include malloc's own per-chunk overhead. Allocation
 * counts come from wrapping malloc/calloc/realloc (not in sanitizer
 * builds, where the figures print as n/a). Times are CLOCK_MONOTONIC over
 * a loop, single thread, the best of three rounds. Usage:
 * bench_srtp_bench [packets] */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/rand.h"
#include "rtc/dtls.h"
#include "rtc/srtp.h"

#ifdef MJ_BENCH_LIBSRTP
#include <srtp2/srtp.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define COUNT_ALLOCS 0
#endif
#endif
#ifndef COUNT_ALLOCS
#define COUNT_ALLOCS 1
#endif

static unsigned long long n_allocs;

#if COUNT_ALLOCS
/* Counting wrappers over glibc's allocator: every library in the process
 * (OpenSSL; NSS under libsrtp2) comes through these. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);
void *malloc(size_t n)
{
    n_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    n_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    n_allocs++;
    return __libc_realloc(p, n);
}
#endif

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void keys_make(int profile, mj_srtp_keys *k)
{
    size_t kl, sl;
    if (mj_srtp_profile_lengths(profile, &kl, &sl) != 0) exit(1);
    memset(k, 0, sizeof *k);
    k->profile = (uint16_t)profile;
    k->key_len = (uint8_t)kl;
    k->salt_len = (uint8_t)sl;
    mj_rand_bytes(k->local_key, kl);
    mj_rand_bytes(k->local_salt, sl);
    memcpy(k->remote_key, k->local_key, kl); /* so one context reads its own output */
    memcpy(k->remote_salt, k->local_salt, sl);
}

static void rtp_header(uint8_t *p, uint32_t ssrc, uint32_t seq)
{
    p[0] = 0x80;
    p[1] = 111;
    mj_put_be16(p + 2, (uint16_t)seq);
    mj_put_be32(p + 4, seq * 960u);
    mj_put_be32(p + 8, ssrc);
}

#define PAYLOAD 100
#define RTP_LEN (12 + PAYLOAD)
#define SLOT    160
#define ROUNDS  3

static const int profiles[] = {MJ_SRTP_AEAD_AES_128_GCM, MJ_SRTP_AEAD_AES_256_GCM,
                               MJ_SRTP_AES128_CM_SHA1_80, MJ_SRTP_AES128_CM_SHA1_32};
#define N_PROFILES (int)(sizeof profiles / sizeof profiles[0])

/* One implementation under test: protect and unprotect in place. */
typedef struct impl {
    const char *name;
    long (*protect)(void *ctx, uint8_t *p, size_t len, size_t cap);
    long (*unprotect)(void *ctx, uint8_t *p, size_t len);
} impl;

static long ours_protect(void *ctx, uint8_t *p, size_t len, size_t cap)
{
    return mj_srtp_protect_rtp(ctx, p, len, cap);
}

static long ours_unprotect(void *ctx, uint8_t *p, size_t len)
{
    return mj_srtp_unprotect_rtp(ctx, p, len);
}

static const impl ours = {"majlis", ours_protect, ours_unprotect};

static void print_allocs(unsigned long long a, unsigned long long b, long n)
{
    if (COUNT_ALLOCS)
        printf("  allocs/pkt: protect %.2f unprotect %.2f\n", (double)a / (double)n,
               (double)b / (double)n);
    else
        printf("  allocs/pkt: n/a\n");
}

/* Protects n packets of one SSRC into a buffer, then unprotects them all;
 * tx and rx may be the same context. */
static void bench_loop(const impl *im, int profile, void *tx, void *rx, long n)
{
    uint8_t *pkts = malloc((size_t)n * SLOT);
    long *lens = malloc((size_t)n * sizeof *lens);
    if (!pkts || !lens) exit(1);
    uint8_t pkt[SLOT];
    memset(pkt, 0x5a, sizeof pkt);
    /* Warm up: the first packet of an SSRC may create its stream. */
    rtp_header(pkt, 0x1234, 0);
    long w = im->protect(tx, pkt, RTP_LEN, sizeof pkt);
    if (w < 0 || im->unprotect(rx, pkt, (size_t)w) != RTP_LEN) exit(1);
    double best_p = 1e300, best_u = 1e300;
    unsigned long long ap = 0, au = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint32_t base = 1 + (uint32_t)(round * n);
        unsigned long long a0 = n_allocs;
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            uint8_t *p = pkts + (size_t)i * SLOT;
            rtp_header(p, 0x1234, base + (uint32_t)i);
            memset(p + 12, 0x5a, PAYLOAD);
            lens[i] = im->protect(tx, p, RTP_LEN, SLOT);
        }
        double t1 = now_ns();
        unsigned long long a1 = n_allocs;
        for (long i = 0; i < n; i++)
            if (im->unprotect(rx, pkts + (size_t)i * SLOT, (size_t)lens[i]) != RTP_LEN) exit(2);
        double t2 = now_ns();
        unsigned long long a2 = n_allocs;
        if (t1 - t0 < best_p) best_p = t1 - t0;
        if (t2 - t1 < best_u) best_u = t2 - t1;
        ap = a1 - a0;
        au = a2 - a1;
    }
    printf("%-8s %-24s protect %6.0f ns/pkt  unprotect %6.0f ns/pkt", im->name,
           mj_srtp_profile_name(profile), best_p / (double)n, best_u / (double)n);
    print_allocs(ap, au, n);
    free(pkts);
    free(lens);
}

static void bench_packets(int profile, long n)
{
    mj_srtp_keys k;
    keys_make(profile, &k);
    mj_srtp s;
    if (mj_srtp_init(&s, &k, 0) != 0) exit(1);
    bench_loop(&ours, profile, &s, &s, n);
    mj_srtp_dispose(&s);
}

/* SRTCP: n sender reports (28 bytes) protected, then unprotected. Each
 * keys the direction's one cipher context with the SRTCP key and back. */
static void bench_rtcp(int profile, long n)
{
    mj_srtp_keys k;
    keys_make(profile, &k);
    mj_srtp s;
    if (mj_srtp_init(&s, &k, 0) != 0) exit(1);
    uint8_t *pkts = malloc((size_t)n * SLOT);
    long *lens = malloc((size_t)n * sizeof *lens);
    if (!pkts || !lens) exit(1);
    unsigned long long a0 = n_allocs;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        uint8_t *p = pkts + (size_t)i * SLOT;
        memset(p, 0x5a, 28);
        p[0] = 0x80;
        p[1] = 200; /* SR */
        p[2] = 0;
        p[3] = 6;
        p[4] = 0x12, p[5] = 0x34, p[6] = 0x56, p[7] = 0x78;
        lens[i] = mj_srtp_protect_rtcp(&s, p, 28, SLOT);
    }
    double t1 = now_ns();
    unsigned long long a1 = n_allocs;
    for (long i = 0; i < n; i++)
        if (mj_srtp_unprotect_rtcp(&s, pkts + (size_t)i * SLOT, (size_t)lens[i]) != 28) exit(3);
    double t2 = now_ns();
    printf("majlis   %-24s SRTCP (28-byte SR) protect %6.0f ns/pkt  unprotect %6.0f ns/pkt",
           mj_srtp_profile_name(profile), (t1 - t0) / (double)n, (t2 - t1) / (double)n);
    print_allocs(a1 - a0, n_allocs - a1, n);
    mj_srtp_dispose(&s);
    free(pkts);
    free(lens);
}

#define N_CTX 1000

static void bench_context_memory(int profile)
{
    static mj_srtp ctx[N_CTX];
    mj_srtp_keys k;
    keys_make(profile, &k);
    uint8_t pkt[SLOT];
    memset(pkt, 0, sizeof pkt);
    size_t base = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        if (mj_srtp_init(&ctx[i], &k, MJ_SRTP_OUTBOUND_ONLY) != 0) exit(1);
    size_t out_only = heap_in_use();
    for (int i = 0; i < N_CTX; i++) {
        rtp_header(pkt, 777, 1);
        if (mj_srtp_protect_rtp(&ctx[i], pkt, RTP_LEN, sizeof pkt) < 0) exit(1);
    }
    size_t one_ssrc = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        for (uint32_t ssrc = 1; ssrc <= 2; ssrc++) {
            rtp_header(pkt, ssrc, 1);
            if (mj_srtp_protect_rtp(&ctx[i], pkt, RTP_LEN, sizeof pkt) < 0) exit(1);
        }
    size_t three_ssrc = heap_in_use();
    for (int i = 0; i < N_CTX; i++) {
        memset(pkt, 0, 32);
        pkt[0] = 0x80;
        pkt[1] = 201;
        mj_put_be16(pkt + 2, 7);
        if (mj_srtp_protect_rtcp(&ctx[i], pkt, 32, sizeof pkt) < 0) exit(1);
    }
    size_t with_rtcp = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        mj_srtp_dispose(&ctx[i]);
    size_t base2 = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        if (mj_srtp_init(&ctx[i], &k, 0) != 0) exit(1);
    size_t both = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        mj_srtp_dispose(&ctx[i]);
    printf("majlis   %-24s outbound-only %5zu B heap, +%zu B per SSRC, +%zu B once it sends "
           "SRTCP; in+out %5zu B heap; + %zu B embedded struct\n",
           mj_srtp_profile_name(profile), (out_only - base) / N_CTX,
           (three_ssrc - out_only) / N_CTX / 3, (with_rtcp - three_ssrc) / N_CTX,
           (both - base2) / N_CTX, sizeof(mj_srtp));
    (void)one_ssrc;
}

#ifdef MJ_BENCH_LIBSRTP
/* libsrtp2 as majlis used it: one "any outbound" and one "any inbound"
 * session per peer, 128-packet window, no repeated sends. */
static srtp_t lib_session(int profile, const mj_srtp_keys *k, srtp_ssrc_type_t dir)
{
    uint8_t master[MJ_SRTP_MAX_KEY_LEN + MJ_SRTP_MAX_SALT_LEN];
    memcpy(master, k->local_key, k->key_len);
    memcpy(master + k->key_len, k->local_salt, k->salt_len);
    srtp_policy_t p;
    memset(&p, 0, sizeof p);
    switch (profile) {
    case MJ_SRTP_AES128_CM_SHA1_80:
        srtp_crypto_policy_set_rtp_default(&p.rtp);
        srtp_crypto_policy_set_rtcp_default(&p.rtcp);
        break;
    case MJ_SRTP_AES128_CM_SHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
        srtp_crypto_policy_set_rtcp_default(&p.rtcp);
        break;
    case MJ_SRTP_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
        break;
    default:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
    }
    p.ssrc.type = dir;
    p.key = master;
    p.window_size = 128;
    srtp_t s = NULL;
    if (srtp_create(&s, &p) != srtp_err_status_ok) exit(1);
    return s;
}

static long lib_protect(void *ctx, uint8_t *p, size_t len, size_t cap)
{
    (void)cap;
    int n = (int)len;
    return srtp_protect(ctx, p, &n) == srtp_err_status_ok ? n : -1;
}

static long lib_unprotect(void *ctx, uint8_t *p, size_t len)
{
    int n = (int)len;
    return srtp_unprotect(ctx, p, &n) == srtp_err_status_ok ? n : -1;
}

static const impl libsrtp = {"libsrtp2", lib_protect, lib_unprotect};

static void bench_packets_libsrtp(int profile, long n)
{
    mj_srtp_keys k;
    keys_make(profile, &k);
    srtp_t tx = lib_session(profile, &k, ssrc_any_outbound);
    srtp_t rx = lib_session(profile, &k, ssrc_any_inbound);
    bench_loop(&libsrtp, profile, tx, rx, n);
    srtp_dealloc(tx);
    srtp_dealloc(rx);
}

static void bench_context_memory_libsrtp(int profile)
{
    static srtp_t ctx[N_CTX];
    mj_srtp_keys k;
    keys_make(profile, &k);
    uint8_t pkt[SLOT];
    memset(pkt, 0, sizeof pkt);
    size_t base = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        ctx[i] = lib_session(profile, &k, ssrc_any_outbound);
    size_t out_only = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        for (uint32_t ssrc = 1; ssrc <= 3; ssrc++) {
            rtp_header(pkt, ssrc, 1);
            if (lib_protect(ctx[i], pkt, RTP_LEN, sizeof pkt) < 0) exit(1);
        }
    size_t three_ssrc = heap_in_use();
    for (int i = 0; i < N_CTX; i++)
        srtp_dealloc(ctx[i]);
    printf("libsrtp2 %-24s outbound-only %5zu B heap, +%zu B per SSRC\n",
           mj_srtp_profile_name(profile), (out_only - base) / N_CTX,
           (three_ssrc - out_only) / N_CTX / 3);
}
#endif

/* ---- DTLS ----------------------------------------------------------------- */

#define N_CONN 200

static void fp_of(const mj_dtls_identity *id, uint8_t fp[32])
{
    char alg[16];
    const char *t = mj_dtls_identity_fingerprint(id);
    if (mj_dtls_fingerprint_parse(t, strlen(t), alg, sizeof alg, fp, 32) != 32) exit(1);
}

/* Moves everything queued on from[i] to to[i]. */
static void pump_all(mj_dtls **from, mj_dtls **to)
{
    uint8_t buf[1500];
    for (int i = 0; i < N_CONN; i++) {
        long n;
        while ((n = mj_dtls_poll_transmit(from[i], buf, sizeof buf)) > 0)
            if (mj_dtls_handle_datagram(to[i], 0, buf, (size_t)n) != 0) exit(3);
    }
}

static void bench_dtls(void)
{
    mj_dtls_identity *sid, *cid;
    size_t h0 = heap_in_use();
    if (mj_dtls_identity_new(&sid) != 0) exit(1);
    size_t h1 = heap_in_use();
    if (mj_dtls_identity_new(&cid) != 0) exit(1);
    uint8_t sfp[32], cfp[32];
    fp_of(sid, sfp);
    fp_of(cid, cfp);
    printf("dtls identity (key, cert, 2 SSL_CTX): %zu B\n", h1 - h0);

    static mj_dtls *c[N_CONN], *s[N_CONN];
    /* Heap after each step; each step grows mostly one side. */
    size_t h[9];
    h[0] = heap_in_use();
    for (int i = 0; i < N_CONN; i++)
        if (mj_dtls_new(&s[i], sid, true, "sha-256", cfp, 32) != 0) exit(1);
    h[1] = heap_in_use();
    for (int i = 0; i < N_CONN; i++)
        if (mj_dtls_new(&c[i], cid, false, "sha-256", sfp, 32) != 0 || mj_dtls_start(c[i]) != 0)
            exit(1);
    h[2] = heap_in_use();
    double t0 = now_ns();
    pump_all(c, s); /* server reads ClientHello, queues its flight */
    h[3] = heap_in_use();
    pump_all(s, c); /* client reads it, queues Certificate..Finished */
    h[4] = heap_in_use();
    pump_all(c, s); /* server connected, queues CCS+Finished */
    h[5] = heap_in_use();
    pump_all(s, c); /* client connected */
    double t1 = now_ns();
    h[6] = heap_in_use();
    for (int i = 0; i < N_CONN; i++)
        if (mj_dtls_state_get(c[i]) != MJ_DTLS_CONNECTED ||
            mj_dtls_state_get(s[i]) != MJ_DTLS_CONNECTED)
            exit(4);
    for (int i = 0; i < N_CONN; i++)
        mj_dtls_free(c[i]);
    h[7] = heap_in_use();
    for (int i = 0; i < N_CONN; i++)
        mj_dtls_free(s[i]);
    h[8] = heap_in_use();
#define PER(a, b) (((long)h[b] - (long)h[a]) / N_CONN)
    printf("dtls steps, heap change per connection pair:\n"
           "  new server %ld, new+started client %ld, server answers ClientHello %+ld,\n"
           "  client answers flight %+ld, server completes %+ld, client completes %+ld\n",
           PER(0, 1), PER(1, 2), PER(2, 3), PER(3, 4), PER(4, 5), PER(5, 6));
    printf("dtls server: %ld B waiting for its 2nd flight, %ld B connected\n",
           PER(0, 1) + PER(2, 3), PER(8, 7));
    printf("dtls client: %ld B waiting for the server's Finished, %ld B connected\n",
           PER(1, 2) + PER(3, 4), PER(7, 6));
    printf("dtls after freeing both: %+ld B per pair left\n", PER(0, 8));
    printf("dtls handshake CPU, both sides, one thread: %.0f us/handshake\n",
           (t1 - t0) / 1000.0 / N_CONN);
#undef PER
    mj_dtls_identity_free(sid);
    mj_dtls_identity_free(cid);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n < 1) n = 1;
    if (mj_srtp_global_init() != 0) return 1;
#ifdef MJ_BENCH_LIBSRTP
    if (srtp_init() != srtp_err_status_ok) return 1;
#endif
    printf("SRTP, %d-byte Opus payload (%d-byte RTP), %ld packets, best of %d:\n", PAYLOAD, RTP_LEN,
           n, ROUNDS);
    for (int i = 0; i < N_PROFILES; i++) {
        bench_packets(profiles[i], n);
#ifdef MJ_BENCH_LIBSRTP
        bench_packets_libsrtp(profiles[i], n);
#endif
    }
    for (int i = 0; i < N_PROFILES; i++)
        bench_rtcp(profiles[i], n / 10);
    printf("SRTP context heap (mallinfo2 over %d contexts):\n", N_CTX);
    for (int i = 0; i < N_PROFILES; i++) {
        bench_context_memory(profiles[i]);
#ifdef MJ_BENCH_LIBSRTP
        bench_context_memory_libsrtp(profiles[i]);
#endif
    }
    printf("DTLS (mallinfo2 over %d connection pairs):\n", N_CONN);
    bench_dtls();
    return 0;
}
