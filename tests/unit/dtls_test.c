/* Tests for src/rtc/dtls: a client-role and a server-role connection talk
 * through an in-memory "network" in this process. OpenSSL's retransmit
 * timer reads the real clock, so the few loss tests sleep briefly. */
#include "test.h"

#include <time.h>

#include "base/buf.h"
#include "base/rand.h"
#include "rtc/dtls.h"

/* ---- Fixtures -------------------------------------------------------------- */

static mj_dtls_identity *g_server_id, *g_client_id, *g_cm_only_id;

static void ids_make(void)
{
    if (g_server_id) return;
    if (mj_dtls_identity_new(&g_server_id) != 0 || mj_dtls_identity_new(&g_client_id) != 0 ||
        mj_dtls_identity_new(&g_cm_only_id) != 0 ||
        mj_dtls_identity_set_srtp_profiles(g_cm_only_id, "SRTP_AES128_CM_SHA1_80") != 0) {
        fprintf(stderr, "cannot create identities\n");
        exit(1);
    }
}

static void fp_of(const mj_dtls_identity *id, uint8_t fp[32])
{
    char alg[16];
    const char *t = mj_dtls_identity_fingerprint(id);
    if (mj_dtls_fingerprint_parse(t, strlen(t), alg, sizeof alg, fp, 32) != 32) {
        fprintf(stderr, "cannot parse own fingerprint\n");
        exit(1);
    }
}

/* A connection of `local` expecting the certificate of `remote`. */
static mj_dtls *conn(mj_dtls_identity *local, const mj_dtls_identity *remote, bool is_server)
{
    uint8_t fp[32];
    fp_of(remote, fp);
    mj_dtls *d = NULL;
    if (mj_dtls_new(&d, local, is_server, "sha-256", fp, sizeof fp) != 0) {
        fprintf(stderr, "mj_dtls_new failed\n");
        exit(1);
    }
    return d;
}

typedef struct net {
    mj_dtls *c, *s;
    size_t c_mtu, s_mtu;
    int sent[2]; /* datagrams sent by client [0] and server [1] */
    int errors;  /* handle_datagram results that fail a connection */
    int refused; /* datagrams refused before OpenSSL (MJ_EINVAL) */
} net;

static void net_init(net *n, mj_dtls_identity *client_id, size_t c_mtu, size_t s_mtu)
{
    ids_make();
    memset(n, 0, sizeof *n);
    n->c = conn(client_id, g_server_id, false);
    n->s = conn(g_server_id, client_id, true);
    n->c_mtu = c_mtu ? c_mtu : MJ_DTLS_DEFAULT_MTU;
    n->s_mtu = s_mtu ? s_mtu : MJ_DTLS_DEFAULT_MTU;
    if (c_mtu && mj_dtls_set_mtu(n->c, c_mtu) != 0) MJ_TEST_FAIL("set client mtu");
    if (s_mtu && mj_dtls_set_mtu(n->s, s_mtu) != 0) MJ_TEST_FAIL("set server mtu");
}

static void net_free(net *n)
{
    mj_dtls_free(n->c);
    mj_dtls_free(n->s);
}

static void deliver(net *n, mj_dtls *to, const uint8_t *p, size_t len)
{
    int r = mj_dtls_handle_datagram(to, 0, p, len);
    if (r == MJ_EINVAL)
        n->refused++;
    else if (r != 0)
        n->errors++;
}

/* Moves what `from` has queued to the other side; drop=true loses it all.
 * Every datagram must fit the sender's MTU. */
static int pump(net *n, bool from_client, bool drop)
{
    mj_dtls *from = from_client ? n->c : n->s, *to = from_client ? n->s : n->c;
    size_t mtu = from_client ? n->c_mtu : n->s_mtu;
    uint8_t buf[2048];
    long len;
    int moved = 0;
    while ((len = mj_dtls_poll_transmit(from, buf, sizeof buf)) > 0) {
        if ((size_t)len > mtu) MJ_TEST_FAIL("datagram of %ld bytes over mtu %zu", len, mtu);
        moved++;
        n->sent[from_client ? 0 : 1]++;
        if (!drop) deliver(n, to, buf, (size_t)len);
    }
    if (len < 0) MJ_TEST_FAIL("poll_transmit: %ld", len);
    return moved;
}

static void run(net *n)
{
    for (int i = 0; i < 30; i++)
        if (pump(n, true, false) + pump(n, false, false) == 0) break;
}

static void start_client(net *n)
{
    CHECK_EQ(mj_dtls_next_timeout(n->c, 1000), 1000); /* a client starts on its first timeout */
    mj_dtls_handle_timeout(n->c, 1000);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Sleeps past d's retransmit deadline (real clock) and fires it. */
static void fire_timer(mj_dtls *d)
{
    mj_time at = mj_dtls_next_timeout(d, 0);
    if (at == MJ_TIME_NEVER) {
        MJ_TEST_FAIL("no timer pending");
        return;
    }
    sleep_ms((long)(at / 1000) + 2);
    mj_dtls_handle_timeout(d, at);
}

static void check_keys_mirror(const mj_dtls *c, const mj_dtls *s, int profile, int salt_len)
{
    mj_srtp_keys kc, ks;
    REQUIRE(mj_dtls_srtp_keys(c, &kc) == 0);
    REQUIRE(mj_dtls_srtp_keys(s, &ks) == 0);
    CHECK_EQ(kc.profile, profile);
    CHECK_EQ(ks.profile, profile);
    CHECK_EQ(kc.key_len, 16);
    CHECK_EQ(kc.salt_len, salt_len);
    CHECK_MEM(kc.local_key, ks.remote_key, 16);
    CHECK_MEM(kc.remote_key, ks.local_key, 16);
    CHECK_MEM(kc.local_salt, ks.remote_salt, (size_t)salt_len);
    CHECK_MEM(kc.remote_salt, ks.local_salt, (size_t)salt_len);
    CHECK(memcmp(kc.local_key, kc.remote_key, 16) != 0);
}

/* ---- Identity and fingerprints --------------------------------------------- */

TEST(identity_fingerprint_has_sdp_form)
{
    ids_make();
    const char *f = mj_dtls_identity_fingerprint(g_server_id);
    /* Given a fresh identity, its fingerprint is "sha-256 " and 32 uppercase
     * hex pairs joined by colons. */
    REQUIRE(strlen(f) == 8 + 32 * 3 - 1);
    CHECK(strncmp(f, "sha-256 ", 8) == 0);
    for (int i = 0; i < 32; i++) {
        const char *p = f + 8 + 3 * i;
        CHECK(strchr("0123456789ABCDEF", p[0]) && strchr("0123456789ABCDEF", p[1]));
        if (i < 31) CHECK_EQ(p[2], ':');
    }
    CHECK(strcmp(f, mj_dtls_identity_fingerprint(g_client_id)) != 0);
}

TEST(fingerprint_parse_accepts_and_rejects)
{
    char alg[16];
    uint8_t fp[64];
    const char *sha1 = "SHA-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n";
    CHECK_EQ(mj_dtls_fingerprint_parse(sha1, strlen(sha1), alg, sizeof alg, fp, sizeof fp), 20);
    CHECK_STR(alg, "sha-1");
    CHECK_EQ(fp[10], 0xaa);
    CHECK_EQ(fp[19], 0x33);
    const char *bad[] = {
        "",
        "sha-256",
        "sha-1 00:11",                                                        /* too short */
        "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:", /* trailing : */
        "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:3G",
        "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44",
        "sha-1 0011:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(mj_dtls_fingerprint_parse(bad[i], strlen(bad[i]), alg, sizeof alg, fp, sizeof fp),
                 MJ_EINVAL);
    const char *md5 = "md5 00:11";
    CHECK_EQ(mj_dtls_fingerprint_parse(md5, strlen(md5), alg, sizeof alg, fp, sizeof fp),
             MJ_EUNSUPP);
    CHECK_EQ(mj_dtls_fingerprint_parse(sha1, strlen(sha1), alg, sizeof alg, fp, 8), MJ_ENOSPC);
}

TEST(new_rejects_bad_arguments)
{
    ids_make();
    uint8_t fp[32] = {0};
    mj_dtls *d = NULL;
    CHECK_EQ(mj_dtls_new(&d, g_server_id, true, "md5", fp, 16), MJ_EUNSUPP);
    CHECK_EQ(mj_dtls_new(&d, g_server_id, true, "sha-256", fp, 20), MJ_EINVAL);
    CHECK(d == NULL);
    REQUIRE(mj_dtls_new(&d, g_server_id, true, "SHA-256", fp, 32) == 0);
    mj_srtp_keys k;
    CHECK_EQ(mj_dtls_srtp_keys(d, &k), MJ_ESTATE);
    CHECK_EQ(mj_dtls_set_mtu(d, 100), MJ_EINVAL);
    CHECK_EQ(mj_dtls_set_mtu(d, 9000), MJ_EINVAL);
    CHECK_EQ(mj_dtls_set_retransmit(d, 5, 100, 3), MJ_EINVAL);
    CHECK_EQ(mj_dtls_next_timeout(d, 7), MJ_TIME_NEVER); /* a server waits */
    CHECK(mj_dtls_is_server(d));
    CHECK_EQ(mj_dtls_state_get(d), MJ_DTLS_HANDSHAKING);
    mj_dtls_free(d);
    mj_dtls_free(NULL);
}

/* ---- Handshakes ------------------------------------------------------------ */

TEST(handshake_negotiates_gcm_and_mirrored_keys)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    CHECK_EQ(n.errors, 0);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AEAD_AES_128_GCM, 12);
    /* Nothing left to retransmit on a client that finished. */
    CHECK_EQ(mj_dtls_next_timeout(n.c, 5), MJ_TIME_NEVER);
    CHECK_EQ(mj_dtls_error(n.c), 0);
    net_free(&n);
}

TEST(handshake_falls_back_to_cm_when_client_offers_only_cm)
{
    net n;
    net_init(&n, g_cm_only_id, 0, 0);
    start_client(&n);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AES128_CM_SHA1_80, 14);
    net_free(&n);
}

TEST(small_mtu_fragments_every_flight)
{
    /* Given 300-byte MTUs both ways, certificates no longer fit one
     * datagram: the handshake messages are fragmented and reassembled. */
    net n;
    net_init(&n, g_client_id, 300, 300);
    start_client(&n);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AEAD_AES_128_GCM, 12);
    /* 1200 bytes: 1 + 1 client datagrams, 1 + 1 server ones; 300 bytes: the
     * client's second flight and the server's first need several. */
    CHECK(n.sent[0] >= 3);
    CHECK(n.sent[1] >= 4);
    net_free(&n);
}

TEST(default_mtu_flights_are_few_datagrams)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    /* ClientHello; Certificate..Finished. ServerHello..Done; CCS+Finished. */
    CHECK(n.sent[0] <= 3);
    CHECK(n.sent[1] <= 3);
    net_free(&n);
}

/* ---- A Chromium-like ClientHello -------------------------------------------- */

static void ext(mj_wbuf *w, uint16_t type, const void *body, size_t len)
{
    mj_wbuf_be16(w, type);
    mj_wbuf_be16(w, (uint16_t)len);
    mj_wbuf_put(w, body, len);
}

/* A ClientHello body shaped like Chromium's: DTLS 1.3 and 1.2 offered,
 * an X25519MLKEM768 key share (which makes it ~1.4 KB), SRTP profiles
 * 0x0007, 0x0008, 0x0001. */
static size_t chrome_hello_body(uint8_t *b, size_t cap)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint8_t groups[] = {0, 8, 0x11, 0xec, 0, 0x1d, 0, 0x17, 0, 0x18};
    static const uint8_t sigalgs[] = {0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1};
    static const uint8_t srtp[] = {0, 6, 0, 7, 0, 8, 0, 1, 0};
    static const uint8_t versions[] = {4, 0xfe, 0xfc, 0xfe, 0xfd};
    static uint8_t shares[2 + 4 + 1216 + 4 + 32];
    mj_wbuf s;
    mj_wbuf_init(&s, shares, sizeof shares);
    mj_wbuf_be16(&s, sizeof shares - 2);
    mj_wbuf_be16(&s, 0x11ec);
    mj_wbuf_be16(&s, 1216);
    mj_rand_bytes(mj_wbuf_reserve(&s, 1216), 1216);
    mj_wbuf_be16(&s, 0x001d);
    mj_wbuf_be16(&s, 32);
    mj_rand_bytes(mj_wbuf_reserve(&s, 32), 32);

    mj_wbuf w;
    mj_wbuf_init(&w, b, cap);
    mj_wbuf_be16(&w, 0xfefd);
    mj_rand_bytes(mj_wbuf_reserve(&w, 32), 32);
    mj_wbuf_u8(&w, 0); /* session id */
    mj_wbuf_u8(&w, 0); /* cookie */
    mj_wbuf_be16(&w, sizeof suites);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        mj_wbuf_be16(&w, suites[i]);
    mj_wbuf_u8(&w, 1);
    mj_wbuf_u8(&w, 0);
    uint8_t *ext_len = mj_wbuf_reserve(&w, 2);
    size_t ext_at = w.len;
    ext(&w, 0xff01, "\0", 1);
    ext(&w, 0x000a, groups, sizeof groups);
    ext(&w, 0x000b, "\1\0", 2);
    ext(&w, 0x0017, NULL, 0);
    ext(&w, 0x000d, sigalgs, sizeof sigalgs);
    ext(&w, 0x000e, srtp, sizeof srtp);
    ext(&w, 0x002b, versions, sizeof versions);
    ext(&w, 0x0033, shares, sizeof shares);
    ext(&w, 0x002d, "\1\1", 2);
    if (w.failed) return 0;
    mj_put_be16(ext_len, (uint16_t)(w.len - ext_at));
    return w.len;
}

/* One DTLS record holding fragment [off, off+len) of a ClientHello. */
static size_t hello_fragment(uint8_t *out, uint64_t rec_seq, const uint8_t *body, size_t total,
                             size_t off, size_t len)
{
    mj_wbuf w;
    mj_wbuf_init(&w, out, 1500);
    mj_wbuf_u8(&w, 22);
    mj_wbuf_be16(&w, 0xfeff);
    mj_wbuf_be16(&w, 0); /* epoch */
    mj_wbuf_be16(&w, (uint16_t)(rec_seq >> 32));
    mj_wbuf_be32(&w, (uint32_t)rec_seq);
    mj_wbuf_be16(&w, (uint16_t)(12 + len));
    mj_wbuf_u8(&w, 1); /* client_hello */
    uint8_t *p = mj_wbuf_reserve(&w, 11);
    if (!p) return 0;
    mj_put_be24(p, (uint32_t)total);
    mj_put_be16(p + 3, 0); /* message_seq */
    mj_put_be24(p + 5, (uint32_t)off);
    mj_put_be24(p + 8, (uint32_t)len);
    mj_wbuf_put(&w, body + off, len);
    return w.failed ? 0 : w.len;
}

/* Finds extension `type` in a ServerHello body; returns its data or NULL. */
static const uint8_t *server_hello_ext(const uint8_t *b, size_t n, uint16_t type, size_t *len)
{
    size_t i = 2 + 32;
    if (i >= n) return NULL;
    i += 1 + b[i] + 2 + 1; /* session id, cipher suite, compression */
    if (i + 2 > n) return NULL;
    size_t end = i + 2 + mj_be16(b + i);
    for (i += 2; i + 4 <= end && end <= n; i += 4 + mj_be16(b + i + 2))
        if (mj_be16(b + i) == type) {
            *len = mj_be16(b + i + 2);
            return b + i + 4;
        }
    return NULL;
}

TEST(server_answers_fragmented_chromium_hello_with_dtls12_and_gcm)
{
    ids_make();
    mj_dtls *s = conn(g_server_id, g_client_id, true);
    static uint8_t body[2048];
    size_t total = chrome_hello_body(body, sizeof body);
    REQUIRE(total > 1300);
    /* Given the ClientHello in two fragments in two datagrams, as Chromium
     * sends it... */
    uint8_t d1[1500], d2[1500];
    size_t split = 1100;
    size_t n1 = hello_fragment(d1, 0, body, total, 0, split);
    size_t n2 = hello_fragment(d2, 1, body, total, split, total - split);
    REQUIRE(n1 && n2);
    CHECK_EQ(mj_dtls_handle_datagram(s, 0, d1, n1), 0);
    uint8_t out[1500];
    CHECK_EQ(mj_dtls_poll_transmit(s, out, sizeof out), 0); /* waits for the rest */
    CHECK_EQ(mj_dtls_handle_datagram(s, 0, d2, n2), 0);
    /* ...the server answers with a DTLS 1.2 ServerHello choosing ECDHE-ECDSA
     * with AES-128-GCM and SRTP_AEAD_AES_128_GCM. */
    long len = mj_dtls_poll_transmit(s, out, sizeof out);
    REQUIRE(len > 13 + 12 + 38);
    CHECK_EQ(out[0], 22);
    CHECK_EQ(out[13], 2); /* server_hello */
    const uint8_t *sh = out + 25;
    size_t sh_len = mj_be24(out + 13 + 9); /* fragment length */
    REQUIRE(25 + sh_len <= (size_t)len);
    CHECK_EQ(mj_be16(sh), 0xfefd);
    CHECK_EQ(mj_be16(sh + 35 + sh[34]), 0xc02b);
    size_t el = 0;
    const uint8_t *e = server_hello_ext(sh, sh_len, 0x000e, &el);
    REQUIRE(e != NULL);
    CHECK_EQ(el, 5);
    CHECK_EQ(mj_be16(e), 2);
    CHECK_EQ(mj_be16(e + 2), MJ_SRTP_AEAD_AES_128_GCM);
    CHECK_EQ(mj_dtls_state_get(s), MJ_DTLS_HANDSHAKING);
    mj_dtls_free(s);
}

/* ---- Loss and retransmission ---------------------------------------------- */

TEST(lost_server_flight_is_retransmitted_on_timeout)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    pump(&n, true, false);
    /* Given the server's first flight is lost... */
    CHECK(pump(&n, false, true) > 0);
    mj_time at = mj_dtls_next_timeout(n.s, 0);
    CHECK(at > 0 && at <= MJ_MSEC(MJ_DTLS_INITIAL_TIMEOUT_MS));
    /* ...an early call does nothing, and the expiry retransmits it. */
    mj_dtls_handle_timeout(n.s, 0);
    CHECK_EQ(pump(&n, false, true), 0);
    fire_timer(n.s);
    CHECK(pump(&n, false, false) > 0);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AEAD_AES_128_GCM, 12);
    net_free(&n);
}

TEST(lost_server_finished_is_resent_when_client_retransmits)
{
    /* The reason a server keeps its SSL object until the client's first
     * SRTP packet: the client's retransmission must be answered. */
    net n;
    net_init(&n, g_client_id, 0, 0);
    REQUIRE(mj_dtls_set_retransmit(n.c, 30, 100, 4) == 0);
    start_client(&n);
    pump(&n, true, false);  /* ClientHello */
    pump(&n, false, false); /* ServerHello..Done */
    pump(&n, true, false);  /* Certificate..Finished */
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    CHECK(pump(&n, false, true) > 0); /* CCS+Finished lost */
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_HANDSHAKING);
    fire_timer(n.c);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AEAD_AES_128_GCM, 12);
    net_free(&n);
}

TEST(unanswered_client_gives_up_after_retransmit_limit)
{
    ids_make();
    mj_dtls *c = conn(g_client_id, g_server_id, false);
    REQUIRE(mj_dtls_set_retransmit(c, 20, 20, 2) == 0);
    REQUIRE(mj_dtls_start(c) == 0);
    CHECK_EQ(mj_dtls_set_mtu(c, 1000), MJ_ESTATE);
    uint8_t buf[1500];
    int hellos = 0;
    for (int i = 0; i < 10 && mj_dtls_state_get(c) == MJ_DTLS_HANDSHAKING; i++) {
        while (mj_dtls_poll_transmit(c, buf, sizeof buf) > 0)
            hellos++;
        fire_timer(c);
    }
    CHECK_EQ(hellos, 3); /* the first ClientHello and two retransmissions */
    CHECK_EQ(mj_dtls_state_get(c), MJ_DTLS_FAILED);
    CHECK_EQ(mj_dtls_error(c), MJ_ETIMEDOUT);
    CHECK_EQ(mj_dtls_next_timeout(c, 0), MJ_TIME_NEVER);
    CHECK_EQ(mj_dtls_handle_datagram(c, 0, buf, 20), MJ_ESTATE);
    mj_dtls_free(c);
}

TEST(duplicate_client_hello_is_harmless)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    uint8_t hello[1500];
    long len = mj_dtls_poll_transmit(n.c, hello, sizeof hello);
    REQUIRE(len > 0);
    deliver(&n, n.s, hello, (size_t)len);
    deliver(&n, n.s, hello, (size_t)len);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    /* A stale ClientHello after the handshake is ignored too. */
    deliver(&n, n.s, hello, (size_t)len);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    CHECK_EQ(n.errors, 0);
    net_free(&n);
}

/* ---- Authentication -------------------------------------------------------- */

TEST(server_rejects_client_with_wrong_fingerprint)
{
    ids_make();
    net n;
    memset(&n, 0, sizeof n);
    n.c_mtu = n.s_mtu = MJ_DTLS_DEFAULT_MTU;
    n.c = conn(g_client_id, g_server_id, false);
    /* Given the server expects another certificate than the client has... */
    n.s = conn(g_server_id, g_cm_only_id, true);
    start_client(&n);
    run(&n);
    /* ...the server fails, and its alert fails the client too. */
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_FAILED);
    CHECK_EQ(mj_dtls_error(n.s), MJ_EAUTH);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_FAILED);
    mj_srtp_keys k;
    CHECK_EQ(mj_dtls_srtp_keys(n.s, &k), MJ_ESTATE);
    CHECK_EQ(mj_dtls_srtp_keys(n.c, &k), MJ_ESTATE);
    net_free(&n);
}

TEST(client_rejects_server_with_wrong_fingerprint)
{
    ids_make();
    net n;
    memset(&n, 0, sizeof n);
    n.c_mtu = n.s_mtu = MJ_DTLS_DEFAULT_MTU;
    n.c = conn(g_client_id, g_cm_only_id, false); /* expects the wrong server */
    n.s = conn(g_server_id, g_client_id, true);
    start_client(&n);
    run(&n);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_FAILED);
    CHECK_EQ(mj_dtls_error(n.c), MJ_EAUTH);
    CHECK(mj_dtls_state_get(n.s) != MJ_DTLS_CONNECTED);
    net_free(&n);
}

/* ---- Hostile input ---------------------------------------------------------- */

/* Feeds a handful of malformed datagrams: random bytes, random bytes
 * behind a plausible record header, a future epoch, truncations of a real
 * datagram, a lone header, an empty datagram. Random records claiming the
 * current unauthenticated epoch 0 are avoided: a malformed handshake
 * message there is, by the protocol, allowed to fail the handshake. */
static void feed_garbage(net *n, mj_dtls *to, const uint8_t *real, size_t real_len)
{
    uint8_t g[600];
    for (int i = 0; i < 20; i++) {
        size_t len = 1 + mj_rand_u32() % sizeof g;
        mj_rand_bytes(g, len);
        if (i % 2) {
            g[0] = (uint8_t)(20 + i % 4);
            g[1] = 0xfe;
            g[2] = 0xfd;
        }
        if (i % 4 == 1 && len > 13) mj_put_be16(g + 11, (uint16_t)(len - 13));
        if (i % 4 == 3 && len > 13)
            mj_put_be16(g + 3, 5); /* epoch 5 */
        else if (i % 2 && len > 4 && mj_be16(g + 3) == 0)
            mj_put_be16(g + 3, 7); /* never the live epoch 0: see below */
        deliver(n, to, g, len);
    }
    if (real_len > 13) {
        deliver(n, to, real, 13);
        deliver(n, to, real, real_len / 2);
        deliver(n, to, real, real_len - 1);
    }
    deliver(n, to, g, 0);
}

TEST(garbage_does_not_break_handshake_or_connection)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    uint8_t buf[2048];
    long len;
    /* Interleave garbage with every real datagram of the handshake. */
    for (int round = 0; round < 10; round++) {
        int moved = 0;
        for (int side = 0; side < 2; side++) {
            mj_dtls *from = side ? n.s : n.c, *to = side ? n.c : n.s;
            while ((len = mj_dtls_poll_transmit(from, buf, sizeof buf)) > 0) {
                moved++;
                feed_garbage(&n, to, buf, (size_t)len);
                deliver(&n, to, buf, (size_t)len);
                feed_garbage(&n, to, buf, (size_t)len);
            }
        }
        if (!moved) break;
    }
    CHECK_EQ(n.errors, 0);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    check_keys_mirror(n.c, n.s, MJ_SRTP_AEAD_AES_128_GCM, 12);
    feed_garbage(&n, n.c, buf, 0);
    feed_garbage(&n, n.s, buf, 0);
    CHECK_EQ(n.errors, 0);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    net_free(&n);
}

TEST(junk_from_other_epochs_is_dropped)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    pump(&n, true, false);
    pump(&n, false, false);
    /* Given records that claim epoch 1 (OpenSSL buffers these until the
     * peer's ChangeCipherSpec, then fails to decrypt them) and epoch 2
     * (never valid in DTLS 1.2 without renegotiation)... */
    uint8_t junk[13 + 48];
    for (int i = 0; i < 10; i++) {
        mj_rand_bytes(junk, sizeof junk);
        junk[0] = 22;
        junk[1] = 0xfe;
        junk[2] = 0xfd;
        mj_put_be16(junk + 3, (uint16_t)(1 + i % 2));
        mj_put_be16(junk + 11, 48);
        deliver(&n, n.s, junk, sizeof junk);
    }
    /* ...the handshake still completes. */
    run(&n);
    CHECK_EQ(n.errors, 0);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    net_free(&n);
}

/* Regression: OpenSSL 3.0 fails a connection on an epoch-1 record too
 * short for the AEAD nonce and tag (found by mutating real datagrams: a
 * ChangeCipherSpec whose epoch byte flipped to 1). */
static void short_records_are_dropped(mj_dtls_identity *client_id)
{
    net n;
    net_init(&n, client_id, 0, 0);
    start_client(&n);
    run(&n);
    REQUIRE(mj_dtls_state_get(n.c) == MJ_DTLS_CONNECTED);
    uint8_t rec[13 + 40];
    for (uint16_t len = 0; len <= 40; len++) {
        for (int type = 20; type <= 23; type++) {
            memset(rec, 1, sizeof rec);
            rec[0] = (uint8_t)type;
            rec[1] = 0xfe;
            rec[2] = 0xfd;
            mj_put_be16(rec + 3, 1);
            mj_put_be32(rec + 7, 100u + len);
            mj_put_be16(rec + 11, len);
            deliver(&n, n.c, rec, 13u + len);
            deliver(&n, n.s, rec, 13u + len);
        }
    }
    CHECK_EQ(n.errors, 0);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CONNECTED);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CONNECTED);
    /* The shortest genuine record, an encrypted close_notify, still passes. */
    mj_dtls_close(n.c);
    pump(&n, true, false);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CLOSED);
    net_free(&n);
}

TEST(short_epoch1_records_do_not_kill_connection)
{
    ids_make();
    short_records_are_dropped(g_client_id);
    /* The same with ChaCha20-Poly1305, whose records have no explicit nonce. */
    mj_dtls_identity *chacha;
    REQUIRE(mj_dtls_identity_new(&chacha) == 0);
    REQUIRE(mj_dtls_identity_set_ciphers(chacha, "ECDHE-ECDSA-CHACHA20-POLY1305") == 0);
    short_records_are_dropped(chacha);
    mj_dtls_identity_free(chacha);
}

TEST(no_common_srtp_profile_fails)
{
    ids_make();
    /* A profile OpenSSL knows and the server does not accept. */
    mj_dtls_identity *cm32;
    REQUIRE(mj_dtls_identity_new(&cm32) == 0);
    REQUIRE(mj_dtls_identity_set_srtp_profiles(cm32, "SRTP_AES128_CM_SHA1_32") == 0);
    CHECK_EQ(mj_dtls_identity_set_srtp_profiles(cm32, "SRTP_NOPE"), MJ_EINVAL);
    net n;
    net_init(&n, cm32, 0, 0);
    mj_dtls_identity_free(cm32); /* connections outlive their identity */
    start_client(&n);
    run(&n);
    /* DTLS itself completes, but without use_srtp there are no keys. */
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_FAILED);
    CHECK_EQ(mj_dtls_error(n.s), MJ_EPROTO);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_FAILED);
    net_free(&n);
}

TEST(fatal_alert_fails_handshake)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    pump(&n, true, false);
    /* A plaintext fatal handshake_failure alert in epoch 0. */
    static const uint8_t alert[] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40};
    CHECK_EQ(mj_dtls_handle_datagram(n.c, 0, alert, sizeof alert), MJ_EPROTO);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_FAILED);
    CHECK_EQ(mj_dtls_error(n.c), MJ_EPROTO);
    net_free(&n);
}

TEST(close_notify_closes_both_sides)
{
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    run(&n);
    REQUIRE(mj_dtls_state_get(n.s) == MJ_DTLS_CONNECTED);
    /* When the client closes, the server sees close_notify and answers. */
    mj_dtls_close(n.c);
    CHECK_EQ(mj_dtls_state_get(n.c), MJ_DTLS_CLOSED);
    CHECK_EQ(pump(&n, true, false), 1);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CLOSED);
    CHECK_EQ(pump(&n, false, false), 1);
    CHECK_EQ(n.errors, 0);
    /* Keys stay readable after an orderly close; closing twice is fine. */
    mj_srtp_keys k;
    CHECK_EQ(mj_dtls_srtp_keys(n.s, &k), 0);
    mj_dtls_close(n.s);
    CHECK_EQ(mj_dtls_state_get(n.s), MJ_DTLS_CLOSED);
    net_free(&n);
}

TEST(free_mid_handshake_releases_everything)
{
    /* Leaks would show under AddressSanitizer. */
    net n;
    net_init(&n, g_client_id, 0, 0);
    start_client(&n);
    pump(&n, true, false);
    net_free(&n);
    CHECK(true);
}

TEST_MAIN(identity_fingerprint_has_sdp_form, fingerprint_parse_accepts_and_rejects,
          new_rejects_bad_arguments, handshake_negotiates_gcm_and_mirrored_keys,
          handshake_falls_back_to_cm_when_client_offers_only_cm, small_mtu_fragments_every_flight,
          default_mtu_flights_are_few_datagrams,
          server_answers_fragmented_chromium_hello_with_dtls12_and_gcm,
          lost_server_flight_is_retransmitted_on_timeout,
          lost_server_finished_is_resent_when_client_retransmits,
          unanswered_client_gives_up_after_retransmit_limit, duplicate_client_hello_is_harmless,
          server_rejects_client_with_wrong_fingerprint,
          client_rejects_server_with_wrong_fingerprint,
          garbage_does_not_break_handshake_or_connection, junk_from_other_epochs_is_dropped,
          short_epoch1_records_do_not_kill_connection, no_common_srtp_profile_fails,
          fatal_alert_fails_handshake, close_notify_closes_both_sides,
          free_mid_handshake_releases_everything)
