/* Tests for the pure parts of src/client/signal (error sentences, endpoint
 * URLs) and src/client/target (what the load generator may target). */
#include "test.h"

#include "client/signal.h"
#include "client/target.h"

TEST(refusals_become_sentences)
{
    char out[MJ_SIGNAL_ERR_MAX];
    const char *body = "{\"error\":\"unauthorized\",\"message\":\"token expired\"}";
    mj_signal_describe(401, true, body, strlen(body), out, sizeof out);
    CHECK(strstr(out, "refused the token") != NULL);
    CHECK(strstr(out, "token expired") != NULL);
    body = "{\"error\":\"forbidden\",\"message\":\"a listener token cannot publish\"}";
    mj_signal_describe(403, true, body, strlen(body), out, sizeof out);
    CHECK(strstr(out, "403") != NULL);
    CHECK(strstr(out, "cannot publish") != NULL);
    /* The server's own code says why (a removed bot, a suspended member). */
    body = "{\"error\":\"removed\",\"message\":\"you were removed from this room\"}";
    mj_signal_describe(403, true, body, strlen(body), out, sizeof out);
    CHECK(strstr(out, "403 removed") != NULL);
    body = "{\"error\":\"room_ended\",\"message\":\"this room has ended\"}";
    mj_signal_describe(410, true, body, strlen(body), out, sizeof out);
    CHECK(strstr(out, "ended") != NULL);
    body = "{\"error\":\"not_found\",\"message\":\"no such room\"}";
    mj_signal_describe(404, true, body, strlen(body), out, sizeof out);
    CHECK(strstr(out, "no such room") != NULL);
    mj_signal_describe(503, true, "", 0, out, sizeof out);
    CHECK(strstr(out, "full") != NULL);
    /* Not JSON, or a hostile message with control characters. */
    mj_signal_describe(502, true, "<html>bad gateway</html>", 24, out, sizeof out);
    CHECK(strstr(out, "502") != NULL);
    body = "{\"error\":\"x\",\"message\":\"evil\\u001b[2Jtext\"}";
    mj_signal_describe(400, true, body, strlen(body), out, sizeof out);
    CHECK(strchr(out, 0x1b) == NULL);
    CHECK(strstr(out, "evil") != NULL);
}

TEST(endpoints)
{
    char url[MJ_SIGNAL_URL_MAX];
    const char *why = NULL;
    REQUIRE(mj_signal_endpoint("http://127.0.0.1:8080//", true, "k3m8qz2xw4pa", url, sizeof url,
                               &why) == 0);
    CHECK_STR(url, "http://127.0.0.1:8080/whep/k3m8qz2xw4pa");
    REQUIRE(mj_signal_endpoint("https://example.org/majlis", false, "a_b-c", url, sizeof url,
                               &why) == 0);
    CHECK_STR(url, "https://example.org/majlis/whip/a_b-c");
    CHECK_EQ(mj_signal_endpoint("ftp://x", false, "room", url, sizeof url, &why), MJ_EINVAL);
    CHECK_EQ(mj_signal_endpoint("http://x", false, "../etc", url, sizeof url, &why), MJ_EINVAL);
    CHECK_EQ(mj_signal_endpoint("http://x", false, "", url, sizeof url, &why), MJ_EINVAL);
    CHECK_EQ(mj_signal_endpoint("http://x", false, "room", url, 12, &why), MJ_EINVAL);
}

TEST(load_targets_are_local_only)
{
    mj_local_set l;
    mj_local_set_init(&l, 0);
    mj_addr a;
    REQUIRE(mj_addr_parse("127.0.0.1:1", &a) == 0);
    CHECK(mj_local_set_has(&l, &a, 1));
    REQUIRE(mj_addr_parse("127.9.8.7:1", &a) == 0);
    CHECK(mj_local_set_has(&l, &a, 1));
    REQUIRE(mj_addr_parse("[::1]:1", &a) == 0);
    CHECK(mj_local_set_has(&l, &a, 1));
    REQUIRE(mj_addr_parse("192.0.2.1:1", &a) == 0); /* TEST-NET-1: never ours */
    CHECK(!mj_local_set_has(&l, &a, 1));
    /* An address of this machine's interfaces is local too. */
    mj_addr mine[4];
    if (mj_local_addrs(0, mine, 4) > 0) CHECK(mj_local_set_has(&l, &mine[0], 2));
    char why[256];
    CHECK_EQ(mj_target_check_url("http://127.0.0.1:8080", &l, why, sizeof why), 0);
    CHECK_EQ(mj_target_check_url("http://[::1]:8080/", &l, why, sizeof why), 0);
    CHECK_EQ(mj_target_check_url("http://192.0.2.1:8080", &l, why, sizeof why), MJ_EAUTH);
    CHECK(strstr(why, "192.0.2.1") != NULL);
    CHECK_EQ(mj_target_check_url("not a url", &l, why, sizeof why), MJ_EINVAL);
}

TEST_MAIN(refusals_become_sentences, endpoints, load_targets_are_local_only)
