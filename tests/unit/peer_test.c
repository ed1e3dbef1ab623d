/* Tests for src/rtc/peer: how ICE, DTLS and SRTP are composed on the
 * server side. */
#include "test.h"

#include "proto/stun.h"
#include "rtc/peer.h"

#include <sodium.h>

static mj_dtls_identity *server_id, *client_id;

static const char *const SERVER_UFRAG = "srvUfrag";
static const char *const SERVER_PWD = "serverpassword0123456789";
static const char *const CLIENT_UFRAG = "cliU";
static const char *const CLIENT_PWD = "clientpassword0123456789";

static int server_peer(mj_peer *p)
{
    char alg[16];
    uint8_t fp[64];
    const char *cfp = mj_dtls_identity_fingerprint(client_id);
    int n = mj_dtls_fingerprint_parse(cfp, strlen(cfp), alg, sizeof alg, fp, sizeof fp);
    if (n <= 0) return -1;
    mj_peer_config pc = {
        .is_server = true,
        .local_ufrag = SERVER_UFRAG,
        .local_pwd = SERVER_PWD,
        .remote_ufrag = CLIENT_UFRAG,
        .remote_pwd = CLIENT_PWD,
        .identity = server_id,
        .remote_fp_alg = alg,
        .remote_fp = fp,
        .remote_fp_len = (size_t)n,
    };
    return mj_peer_init(p, &pc, MJ_SEC(1));
}

/* A check shaped like a browser's: no USE-CANDIDATE (regular nomination
 * sends that later). */
static size_t browser_check(uint8_t *buf, size_t cap, bool use_candidate)
{
    uint8_t tid[12];
    randombytes_buf(tid, sizeof tid);
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, cap, MJ_STUN_BINDING_REQUEST, tid);
    char user[64];
    snprintf(user, sizeof user, "%s:%s", SERVER_UFRAG, CLIENT_UFRAG);
    mj_stun_add_username(&w, user, strlen(user));
    mj_stun_add_ice_controlling(&w, 42);
    mj_stun_add_priority(&w, 2122260223);
    if (use_candidate) mj_stun_add_use_candidate(&w);
    mj_stun_add_integrity(&w, SERVER_PWD, strlen(SERVER_PWD));
    mj_stun_add_fingerprint(&w);
    int n = mj_stun_finish(&w);
    return n > 0 ? (size_t)n : 0;
}

/* The ClientHello of a fresh DTLS client. */
static long client_hello(mj_dtls **out, uint8_t *buf, size_t cap)
{
    char alg[16];
    uint8_t fp[64];
    const char *sfp = mj_dtls_identity_fingerprint(server_id);
    int n = mj_dtls_fingerprint_parse(sfp, strlen(sfp), alg, sizeof alg, fp, sizeof fp);
    if (n <= 0 || mj_dtls_new(out, client_id, false, alg, fp, (size_t)n) != 0 ||
        mj_dtls_start(*out) != 0)
        return -1;
    return mj_dtls_poll_transmit(*out, buf, cap);
}

TEST(dtls_is_answered_on_any_validated_path_before_nomination)
{
    mj_peer p;
    REQUIRE(server_peer(&p) == 0);
    mj_addr a, b, c, to;
    mj_addr_parse("192.0.2.1:5000", &a);
    mj_addr_parse("198.51.100.7:6000", &b);
    mj_addr_parse("203.0.113.9:7000", &c);
    uint8_t buf[1500], out[1500];
    mj_peer_input in;

    /* The browser checks from two of its addresses; neither nominates. */
    size_t n = browser_check(buf, sizeof buf, false);
    CHECK_EQ(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, n, &a, &in), 0);
    CHECK(mj_peer_poll_transmit(&p, MJ_SEC(1), out, sizeof out, &to) > 0 && mj_addr_eq(&to, &a));
    n = browser_check(buf, sizeof buf, false);
    CHECK_EQ(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, n, &b, &in), 0);
    CHECK(mj_peer_poll_transmit(&p, MJ_SEC(1), out, sizeof out, &to) > 0 && mj_addr_eq(&to, &b));
    CHECK(mj_peer_accepts(&p, (const uint8_t *)"\x16\xfe\xfd", 3, &a));
    CHECK(mj_peer_accepts(&p, (const uint8_t *)"\x16\xfe\xfd", 3, &b));
    CHECK(!mj_peer_accepts(&p, (const uint8_t *)"\x16\xfe\xfd", 3, &c));

    /* It starts DTLS on the second path before nominating it: the
     * handshake is accepted there and answered there. */
    mj_dtls *client;
    long hello = client_hello(&client, buf, sizeof buf);
    REQUIRE(hello > 0);
    CHECK_EQ(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, (size_t)hello, &b, &in), 0);
    long r = mj_peer_poll_transmit(&p, MJ_SEC(1), out, sizeof out, &to);
    CHECK(r > 0);
    CHECK(mj_addr_eq(&to, &b));

    /* An address that never passed a check gets nothing in. */
    CHECK_EQ(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, (size_t)hello, &c, &in), MJ_EAUTH);

    /* Nominating the second path makes it the media path. */
    n = browser_check(buf, sizeof buf, true);
    CHECK_EQ(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, n, &b, &in), 0);
    REQUIRE(mj_peer_remote(&p) != NULL);
    CHECK(mj_addr_eq(mj_peer_remote(&p), &b));
    mj_dtls_free(client);
    mj_peer_dispose(&p);
}

TEST(bad_checks_validate_nothing)
{
    mj_peer p;
    REQUIRE(server_peer(&p) == 0);
    mj_addr a;
    mj_addr_parse("192.0.2.1:5000", &a);
    uint8_t buf[1500];
    size_t n = browser_check(buf, sizeof buf, true);
    buf[n - 12] ^= 1; /* inside MESSAGE-INTEGRITY */
    mj_peer_input in;
    CHECK(mj_peer_handle_datagram(&p, MJ_SEC(1), buf, n, &a, &in) < 0);
    CHECK(!mj_peer_accepts(&p, (const uint8_t *)"\x16\xfe\xfd", 3, &a));
    CHECK(mj_peer_remote(&p) == NULL);
    uint8_t out[200];
    mj_addr to;
    CHECK_EQ(mj_peer_poll_transmit(&p, MJ_SEC(1), out, sizeof out, &to), 0);
    mj_peer_dispose(&p);
}

int main(void)
{
    if (sodium_init() < 0 || mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        dtls_is_answered_on_any_validated_path_before_nomination, bad_checks_validate_nothing)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
