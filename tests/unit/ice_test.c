/* Tests for src/rtc/ice.c: a lite agent (the server) and a controlling
 * agent (our client) wired together in memory on simulated time, plus
 * hand-built requests that must be answered or silently dropped. */
#include "test.h"

#include "proto/stun.h"
#include "rtc/ice.h"

#define SRV_UFRAG "majlisUF"
#define SRV_PWD   "majlisPassword1234567890"
#define BR_UFRAG  "Hm0b"
#define BR_PWD    "8Fz5ud0H1tBO3P4mRWeY+kkX"

/* A Chromium-shaped connectivity check, byte for byte, from the browser
 * (ufrag Hm0b) to the server (ufrag majlisUF). MESSAGE-INTEGRITY (key
 * SRV_PWD) and FINGERPRINT were computed independently with Python's hmac
 * and zlib. */
static const uint8_t chrome_request[] = {
    0x00, 0x01, 0x00, 0x54,                         /* Binding request, length 84 */
    0x21, 0x12, 0xa4, 0x42,                         /* magic cookie */
    0x4a, 0x3b, 0x2c, 0x1d, 0x0e, 0x0f, 0x10, 0x11, /* transaction id */
    0x12, 0x13, 0x14, 0x15,                         /* */
    0x00, 0x06, 0x00, 0x0d,                         /* USERNAME, 13 bytes */
    0x6d, 0x61, 0x6a, 0x6c, 0x69, 0x73, 0x55, 0x46, /* "majlisUF" */
    0x3a, 0x48, 0x6d, 0x30, 0x62, 0x00, 0x00, 0x00, /* ":Hm0b" + padding */
    0xc0, 0x57, 0x00, 0x04,                         /* GOOG-NETWORK-INFO */
    0x00, 0x01, 0x00, 0x0a,                         /* network id 1, cost 10 */
    0x80, 0x2a, 0x00, 0x08,                         /* ICE-CONTROLLING */
    0x5c, 0x3a, 0x9e, 0x4f, 0x1d, 0x2b, 0x7c, 0x60, /* tie-breaker */
    0x00, 0x25, 0x00, 0x00,                         /* USE-CANDIDATE */
    0x00, 0x24, 0x00, 0x04,                         /* PRIORITY */
    0x6e, 0x7f, 0x1e, 0xff,                         /* 1853824767 */
    0x00, 0x08, 0x00, 0x14,                         /* MESSAGE-INTEGRITY */
    0x66, 0x0e, 0xed, 0x36, 0x14, 0xb3, 0x66, 0x9b, /* HMAC-SHA1 */
    0x21, 0xcc, 0xd3, 0x44, 0x83, 0xbd, 0xc3, 0xac, /* */
    0x00, 0x58, 0x7f, 0x05,                         /* */
    0x80, 0x28, 0x00, 0x04,                         /* FINGERPRINT */
    0xa2, 0xa5, 0x0a, 0x63,                         /* CRC-32 xor 0x5354554e */
};

static mj_addr addr(const char *s)
{
    mj_addr a;
    if (mj_addr_parse(s, &a) != 0) abort();
    return a;
}

static int lite_init(mj_ice *ice, mj_time now)
{
    mj_ice_config cfg = {
        .role = MJ_ICE_LITE,
        .local_ufrag = SRV_UFRAG,
        .local_pwd = SRV_PWD,
        .remote_ufrag = BR_UFRAG,
        .remote_pwd = BR_PWD,
    };
    return mj_ice_init(ice, &cfg, now);
}

static int ctl_init(mj_ice *ice, mj_time now, const char *remote_pwd)
{
    mj_ice_config cfg = {
        .role = MJ_ICE_CONTROLLING,
        .local_ufrag = BR_UFRAG,
        .local_pwd = BR_PWD,
        .remote_ufrag = SRV_UFRAG,
        .remote_pwd = remote_pwd,
    };
    return mj_ice_init(ice, &cfg, now);
}

/* Builds a Binding request to the lite agent with the given pieces. */
typedef struct req_opts {
    const char *username; /* NULL: none */
    const char *key;      /* NULL: no MESSAGE-INTEGRITY */
    bool controlling, controlled, use_candidate, fingerprint;
    uint16_t extra_attr; /* 0: none */
} req_opts;

/* Each request its own transaction id, as a browser's are (the last one
 * is kept for sending the same check again). */
static uint8_t last_tid[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

static int build_req(uint8_t *buf, size_t cap, const req_opts *o)
{
    last_tid[11]++;
    if (!last_tid[11]) last_tid[10]++;
    const uint8_t *tid = last_tid;
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, cap, MJ_STUN_BINDING_REQUEST, tid);
    if (o->username) mj_stun_add_username(&w, o->username, strlen(o->username));
    mj_stun_add_priority(&w, 12345);
    if (o->controlling) mj_stun_add_ice_controlling(&w, 42);
    if (o->controlled) mj_stun_add_ice_controlled(&w, 42);
    if (o->use_candidate) mj_stun_add_use_candidate(&w);
    if (o->extra_attr) mj_stun_add(&w, o->extra_attr, "x", 1);
    if (o->key) mj_stun_add_integrity(&w, o->key, strlen(o->key));
    if (o->fingerprint) mj_stun_add_fingerprint(&w);
    return mj_stun_finish(&w);
}

static const req_opts good_req = {
    .username = SRV_UFRAG ":" BR_UFRAG,
    .key = SRV_PWD,
    .controlling = true,
    .use_candidate = true,
    .fingerprint = true,
};

/* Feeds a request to the lite agent and checks it is dropped with `want`
 * and changes nothing at all. */
static void expect_dropped(mj_ice *lite, const req_opts *o, int want, mj_time now)
{
    uint8_t req[256], out[256];
    int n = build_req(req, sizeof req, o);
    if (n <= 0) {
        MJ_TEST_FAIL("build_req: %d", n);
        return;
    }
    mj_ice before;
    memcpy(&before, lite, sizeof before);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("192.0.2.77:5000");
    CHECK_EQ(mj_ice_handle_stun(lite, now, req, (size_t)n, &from, &reply), want);
    CHECK_EQ(reply.len, 0);
    CHECK(memcmp(&before, lite, sizeof before) == 0);
}

/* ---- an in-memory network between a controlling client and a lite server ---- */

typedef struct sim {
    mj_ice srv, cli;
    mj_addr srv_addr; /* where the client sends */
    mj_addr cli_addr; /* the client as the server sees it (after NAT) */
    mj_time now;
    bool drop_to_srv, drop_to_cli;
    int sent;     /* requests the client sent */
    int answered; /* responses the client accepted */
    mj_time last_answered;
    mj_time last_sent;        /* when the client last sent */
    mj_time min_gap, max_gap; /* between client sends while CONNECTED */
} sim;

static void sim_init(sim *s, const char *cli_remote_pwd)
{
    memset(s, 0, sizeof *s);
    s->srv_addr = addr("203.0.113.5:40000");
    s->cli_addr = addr("198.51.100.7:50123");
    s->min_gap = MJ_TIME_NEVER;
    s->last_sent = -1;
    if (lite_init(&s->srv, 0) != 0 || ctl_init(&s->cli, 0, cli_remote_pwd) != 0 ||
        mj_ice_add_remote_candidate(&s->cli, &s->srv_addr, 2130706431) != 0)
        abort();
}

/* One instant: timers, then everything the client wants to send. */
static void sim_step(sim *s)
{
    if (mj_ice_next_timeout(&s->srv) <= s->now) mj_ice_handle_timeout(&s->srv, s->now);
    if (mj_ice_next_timeout(&s->cli) <= s->now) mj_ice_handle_timeout(&s->cli, s->now);
    uint8_t pkt[256], out[256];
    mj_addr to;
    int n;
    while ((n = mj_ice_poll_transmit(&s->cli, s->now, pkt, sizeof pkt, &to)) > 0) {
        s->sent++;
        if (mj_ice_state_get(&s->cli) == MJ_ICE_CONNECTED && s->last_sent >= 0) {
            mj_time gap = s->now - s->last_sent;
            s->min_gap = mj_time_min(s->min_gap, gap);
            s->max_gap = gap > s->max_gap ? gap : s->max_gap;
        }
        s->last_sent = s->now;
        if (s->drop_to_srv || !mj_addr_eq(&to, &s->srv_addr)) continue;
        mj_wbuf reply;
        mj_wbuf_init(&reply, out, sizeof out);
        int r = mj_ice_handle_stun(&s->srv, s->now, pkt, (size_t)n, &s->cli_addr, &reply);
        if (r <= 0 || s->drop_to_cli) continue;
        mj_wbuf sink;
        mj_wbuf_init(&sink, pkt, 0);
        if (mj_ice_handle_stun(&s->cli, s->now, out, (size_t)r, &s->srv_addr, &sink) == 0) {
            s->answered++;
            s->last_answered = s->now;
        }
    }
}

/* Runs events until `until`, jumping from one timeout to the next. */
static void sim_run(sim *s, mj_time until)
{
    for (int guard = 0; guard < 100000; guard++) {
        sim_step(s);
        mj_time t = mj_time_min(mj_ice_next_timeout(&s->srv), mj_ice_next_timeout(&s->cli));
        if (t > until) break;
        s->now = t > s->now ? t : s->now + 1;
    }
    s->now = until;
    sim_step(s);
}

/* ---- tests ---- */

TEST(init_validates_credentials)
{
    mj_ice ice;
    mj_ice_config cfg = {.role = MJ_ICE_LITE, .local_ufrag = SRV_UFRAG, .local_pwd = SRV_PWD};
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), 0);
    CHECK_EQ(mj_ice_state_get(&ice), MJ_ICE_NEW);
    CHECK(mj_ice_selected(&ice) == NULL);
    CHECK(mj_slice_eq(mj_ice_local_ufrag(&ice), mj_slice_make(SRV_UFRAG, 8)));
    const char *bad_ufrags[] = {NULL,        "",        "abc",
                                "has:colon", "spa ce1", "123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof bad_ufrags / sizeof *bad_ufrags; i++) {
        cfg.local_ufrag = bad_ufrags[i];
        CHECK_EQ(mj_ice_init(&ice, &cfg, 0), MJ_EINVAL);
        CHECK_EQ(mj_ice_state_get(&ice), MJ_ICE_FAILED);
    }
    cfg.local_ufrag = SRV_UFRAG;
    cfg.local_pwd = "tooShortPassword";
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), MJ_EINVAL);
    cfg.local_pwd = SRV_PWD;
    cfg.remote_ufrag = "a:b:c:d";
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), MJ_EINVAL);
    /* The lite role needs no remote password; the controlling role does. */
    cfg.remote_ufrag = BR_UFRAG;
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), 0);
    cfg.role = MJ_ICE_CONTROLLING;
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), MJ_EINVAL);
    cfg.remote_pwd = BR_PWD;
    CHECK_EQ(mj_ice_init(&ice, &cfg, 0), 0);
    mj_addr a = addr("10.0.0.1:1"), none = {0};
    CHECK_EQ(mj_ice_add_remote_candidate(&ice, &a, 1), 0);
    CHECK_EQ(mj_ice_add_remote_candidate(&ice, &a, 2), MJ_EEXIST);
    CHECK_EQ(mj_ice_add_remote_candidate(&ice, &none, 2), MJ_EINVAL);
    CHECK(sizeof(mj_ice) <= 640);
    printf("  sizeof(mj_ice) = %zu\n", sizeof(mj_ice));
}

TEST(client_and_server_connect)
{
    sim s;
    sim_init(&s, SRV_PWD);
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_NEW);
    CHECK_EQ(mj_ice_next_timeout(&s.cli), 0); /* ready: due at once */
    sim_run(&s, MJ_MSEC(1));
    CHECK_EQ(s.sent, 1);
    CHECK_EQ(s.answered, 1);
    CHECK_EQ(mj_ice_state_get(&s.srv), MJ_ICE_CONNECTED);
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_CONNECTED);
    REQUIRE(mj_ice_selected(&s.srv) && mj_ice_selected(&s.cli));
    CHECK(mj_addr_eq(mj_ice_selected(&s.srv), &s.cli_addr));
    CHECK(mj_addr_eq(mj_ice_selected(&s.cli), &s.srv_addr));
    CHECK(mj_ice_nominated(&s.srv) && mj_ice_nominated(&s.cli));
    /* The server's deadline is consent; the client's is the next check. */
    CHECK_EQ(mj_ice_next_timeout(&s.srv), MJ_SEC(30));
    CHECK(mj_ice_next_timeout(&s.cli) >= MJ_SEC(4) && mj_ice_next_timeout(&s.cli) <= MJ_SEC(6));
}

TEST(chromium_request_accepted)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    uint8_t out[256];
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    memcpy(out, "PFX", 3); /* the answer is appended after what reply holds */
    reply.len = 3;
    mj_addr from = addr("[2001:db8::7]:61000");
    int n =
        mj_ice_handle_stun(&lite, MJ_SEC(1), chrome_request, sizeof chrome_request, &from, &reply);
    REQUIRE(n > 0);
    CHECK_EQ(reply.len, 3 + (size_t)n);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(out + 3, (size_t)n, &m, NULL) == n);
    CHECK_EQ(m.type, MJ_STUN_BINDING_SUCCESS);
    CHECK_MEM(m.tid, chrome_request + 8, 12);
    CHECK(m.has_xor_mapped && mj_addr_eq(&m.xor_mapped, &from));
    CHECK_EQ(mj_stun_check_integrity(&m, SRV_PWD, strlen(SRV_PWD)), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);
    CHECK(!m.has_username && !m.has_controlling && !m.has_controlled);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_CONNECTED);
    CHECK(mj_ice_nominated(&lite));
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &from));
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(31));
    /* A retransmission of the same check is answered the same way. */
    mj_wbuf_init(&reply, out, sizeof out);
    CHECK_EQ(
        mj_ice_handle_stun(&lite, MJ_SEC(2), chrome_request, sizeof chrome_request, &from, &reply),
        n);
}

TEST(wrong_password_gets_no_answer)
{
    /* A client that believes the server's password is something else. */
    sim s;
    sim_init(&s, "someOtherPassword12345");
    sim_run(&s, MJ_SEC(2));
    CHECK(s.sent > 3);
    CHECK_EQ(s.answered, 0);
    CHECK_EQ(mj_ice_state_get(&s.srv), MJ_ICE_NEW);
    CHECK(mj_ice_selected(&s.srv) == NULL);
    CHECK_EQ(mj_ice_next_timeout(&s.srv), MJ_SEC(30)); /* consent clock untouched */
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_CHECKING);

    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    req_opts o = good_req;
    o.key = "majlisPassword1234567891";
    expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
}

TEST(wrong_or_missing_credentials_dropped)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    const char *names[] = {
        BR_UFRAG ":" SRV_UFRAG,      /* swapped */
        SRV_UFRAG ":Hm0c",           /* wrong remote ufrag */
        "majlisUG:" BR_UFRAG,        /* wrong local ufrag */
        SRV_UFRAG,                   /* no colon */
        SRV_UFRAG ":" BR_UFRAG "x",  /* longer */
        SRV_UFRAG ":" BR_UFRAG ":x", /* extra part */
        "",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        req_opts o = good_req;
        o.username = names[i];
        expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
    }
    req_opts o = good_req;
    o.username = NULL;
    expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
    o = good_req;
    o.key = NULL; /* no MESSAGE-INTEGRITY */
    expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
    o.fingerprint = false;
    expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_NEW);
}

TEST(wrong_role_and_bad_fingerprint_dropped)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    req_opts o = good_req;
    o.controlling = false; /* no role at all */
    expect_dropped(&lite, &o, MJ_EPROTO, MJ_SEC(1));
    o.controlled = true; /* the peer thinks it is controlled too */
    expect_dropped(&lite, &o, MJ_EPROTO, MJ_SEC(1));

    /* A valid request with a corrupted FINGERPRINT is not STUN to us. */
    uint8_t bad[sizeof chrome_request];
    memcpy(bad, chrome_request, sizeof bad);
    bad[sizeof bad - 1] ^= 1;
    mj_ice before;
    memcpy(&before, &lite, sizeof before);
    uint8_t out[256];
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("192.0.2.1:1");
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(1), bad, sizeof bad, &from, &reply), MJ_EINVAL);
    /* And a flipped byte in the body fails integrity even with FINGERPRINT fixed up. */
    memcpy(bad, chrome_request, sizeof bad);
    bad[45] ^= 1; /* GOOG-NETWORK-INFO */
    CHECK(mj_ice_handle_stun(&lite, MJ_SEC(1), bad, sizeof bad, &from, &reply) < 0);
    /* Truncated: malformed. */
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(1), chrome_request, 40, &from, &reply), MJ_ETRUNC);
    CHECK_EQ(reply.len, 0);
    CHECK(memcmp(&before, &lite, sizeof before) == 0);
}

TEST(unknown_required_attribute_answered_420)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    req_opts o = good_req;
    o.extra_attr = 0x7777;
    uint8_t req[256], out[256];
    int n = build_req(req, sizeof req, &o);
    REQUIRE(n > 0);
    mj_ice before;
    memcpy(&before, &lite, sizeof before);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("192.0.2.1:1");
    int r = mj_ice_handle_stun(&lite, MJ_SEC(1), req, (size_t)n, &from, &reply);
    REQUIRE(r > 0);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(out, (size_t)r, &m, NULL) == r);
    CHECK_EQ(m.type, MJ_STUN_BINDING_ERROR);
    CHECK(m.has_error && m.error_code == 420);
    CHECK_EQ(mj_stun_check_integrity(&m, SRV_PWD, strlen(SRV_PWD)), 0);
    CHECK(memcmp(&before, &lite, sizeof before) == 0);
    /* The same attribute from someone without the password: silence. */
    o.key = "notThePasswordAtAll123";
    expect_dropped(&lite, &o, MJ_EAUTH, MJ_SEC(1));
}

TEST(small_reply_buffer_changes_nothing)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    mj_ice before;
    memcpy(&before, &lite, sizeof before);
    uint8_t out[40];
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("192.0.2.1:1");
    CHECK_EQ(
        mj_ice_handle_stun(&lite, MJ_SEC(1), chrome_request, sizeof chrome_request, &from, &reply),
        MJ_ENOSPC);
    CHECK(memcmp(&before, &lite, sizeof before) == 0);
}

TEST(indications_and_responses_ignored_by_lite)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    static const uint8_t tid[12] = {1};
    uint8_t pkt[64], out[64];
    mj_stun_writer w;
    mj_stun_writer_init(&w, pkt, sizeof pkt, MJ_STUN_BINDING_INDICATION, tid);
    mj_stun_add_fingerprint(&w);
    int n = mj_stun_finish(&w);
    REQUIRE(n > 0);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("192.0.2.1:1");
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(1), pkt, (size_t)n, &from, &reply), 0);
    mj_stun_writer_init(&w, pkt, sizeof pkt, MJ_STUN_BINDING_SUCCESS, tid);
    mj_stun_add_xor_mapped(&w, &from);
    n = mj_stun_finish(&w);
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(1), pkt, (size_t)n, &from, &reply), MJ_EPROTO);
    mj_stun_writer_init(&w, pkt, sizeof pkt, 0x0003 /* TURN Allocate */, tid);
    n = mj_stun_finish(&w);
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(1), pkt, (size_t)n, &from, &reply), MJ_EUNSUPP);
    CHECK_EQ(reply.len, 0);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_NEW);
}

/* Sends one request with the given options from `from` at `now`. */
static int lite_check(mj_ice *lite, mj_time now, const char *from, bool nominate)
{
    req_opts o = good_req;
    o.use_candidate = nominate;
    uint8_t req[256], out[256];
    int n = build_req(req, sizeof req, &o);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr a = addr(from);
    return mj_ice_handle_stun(lite, now, req, (size_t)n, &a, &reply);
}

TEST(lite_selection_and_nomination)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    mj_addr a = addr("192.0.2.1:1000"), b = addr("192.0.2.2:2000");
    /* First valid check without USE-CANDIDATE: provisional. */
    REQUIRE(lite_check(&lite, MJ_SEC(1), "192.0.2.1:1000", false) > 0);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_CHECKING);
    CHECK(!mj_ice_nominated(&lite));
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    /* A second path checked: the provisional choice stays. */
    REQUIRE(lite_check(&lite, MJ_SEC(2), "192.0.2.2:2000", false) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(32)); /* any valid check counts before nomination */
    /* The controlling side nominates b. */
    REQUIRE(lite_check(&lite, MJ_SEC(3), "192.0.2.2:2000", true) > 0);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_CONNECTED);
    CHECK(mj_ice_nominated(&lite));
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &b));
    /* Checks on the other path are answered but neither move the
     * selection nor refresh consent. */
    REQUIRE(lite_check(&lite, MJ_SEC(4), "192.0.2.1:1000", false) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &b));
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(33));
    /* A new nomination (NAT rebinding, roaming) moves it. */
    REQUIRE(lite_check(&lite, MJ_SEC(5), "192.0.2.1:1000", true) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(35));
}

/* A check seen from one address and sent again, byte for byte, from
 * another (by someone who saw it on the way) is refused: unanswered, and
 * the session's media does not move there. The same check again from
 * its own address (a retransmission) is answered, and a new check from
 * the other address (a NAT that rebinds) still moves it. */
TEST(lite_refuses_a_check_replayed_from_another_address)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    mj_addr a = addr("192.0.2.1:1000"), evil = addr("198.51.100.9:4444");
    uint8_t req[256], out[256];
    int n = build_req(req, sizeof req, &good_req);
    REQUIRE(n > 0);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    REQUIRE(mj_ice_handle_stun(&lite, MJ_SEC(1), req, (size_t)n, &a, &reply) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    mj_wbuf_init(&reply, out, sizeof out);
    CHECK_EQ(mj_ice_handle_stun(&lite, MJ_SEC(2), req, (size_t)n, &evil, &reply), MJ_EREPLAY);
    CHECK_EQ(reply.len, 0);
    CHECK(!mj_ice_validated(&lite, &evil));
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    /* A retransmission from a: answered. */
    mj_wbuf_init(&reply, out, sizeof out);
    CHECK(mj_ice_handle_stun(&lite, MJ_SEC(3), req, (size_t)n, &a, &reply) > 0);
    /* A new check from the other address: the NAT rebound; it moves. */
    REQUIRE(lite_check(&lite, MJ_SEC(4), "198.51.100.9:4444", true) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &evil));
}

TEST(lite_remembers_when_each_address_checked_and_can_forget_one)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    mj_addr a = addr("192.0.2.1:1000"), b = addr("192.0.2.2:2000"), c = addr("192.0.2.3:3000");
    CHECK_EQ(mj_ice_last_check(&lite, &a), MJ_TIME_NEVER);
    REQUIRE(lite_check(&lite, MJ_SEC(1), "192.0.2.1:1000", false) > 0);
    REQUIRE(lite_check(&lite, MJ_SEC(2), "192.0.2.2:2000", false) > 0);
    REQUIRE(lite_check(&lite, MJ_SEC(3), "192.0.2.1:1000", true) > 0);
    CHECK_EQ(mj_ice_last_check(&lite, &a), MJ_SEC(3));
    CHECK_EQ(mj_ice_last_check(&lite, &b), MJ_SEC(2));
    CHECK_EQ(mj_ice_last_check(&lite, &c), MJ_TIME_NEVER);
    /* Forgetting an address that is not the selected one. */
    mj_ice_forget(&lite, &b);
    CHECK(!mj_ice_validated(&lite, &b));
    CHECK_EQ(mj_ice_validated_count(&lite), 1);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &a));
    CHECK(mj_ice_nominated(&lite));
    mj_ice_forget(&lite, &c); /* unknown: nothing */
    CHECK_EQ(mj_ice_validated_count(&lite), 1);
    /* Forgetting the selected one falls back to the freshest other. */
    REQUIRE(lite_check(&lite, MJ_SEC(4), "192.0.2.2:2000", false) > 0);
    REQUIRE(lite_check(&lite, MJ_SEC(5), "192.0.2.3:3000", false) > 0);
    mj_ice_forget(&lite, &a);
    CHECK(!mj_ice_validated(&lite, &a));
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &c));
    CHECK(!mj_ice_nominated(&lite));
    mj_ice_forget(&lite, &c);
    mj_ice_forget(&lite, &b);
    CHECK(mj_ice_selected(&lite) == NULL);
    CHECK_EQ(mj_ice_validated_count(&lite), 0);
    /* A new check is remembered again. */
    REQUIRE(lite_check(&lite, MJ_SEC(6), "192.0.2.2:2000", true) > 0);
    CHECK(mj_addr_eq(mj_ice_selected(&lite), &b));
    CHECK_EQ(mj_ice_validated_count(&lite), 1);
}

TEST(lite_consent_expires_after_30s)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    REQUIRE(lite_check(&lite, MJ_SEC(1), "192.0.2.1:1000", true) > 0);
    /* Checks every 5 s for a minute keep it alive. */
    mj_time t;
    for (t = MJ_SEC(6); t <= MJ_SEC(61); t += MJ_SEC(5)) {
        mj_ice_handle_timeout(&lite, t);
        REQUIRE(lite_check(&lite, t, "192.0.2.1:1000", false) > 0);
    }
    mj_time last = t - MJ_SEC(5);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_CONNECTED);
    CHECK_EQ(mj_ice_next_timeout(&lite), last + MJ_SEC(30));
    /* Then silence: alive one microsecond before the deadline, failed at it. */
    mj_ice_handle_timeout(&lite, last + MJ_SEC(30) - 1);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_CONNECTED);
    mj_ice_handle_timeout(&lite, last + MJ_SEC(30));
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_FAILED);
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_TIME_NEVER);
    /* Failed is terminal: even valid checks get no answer. */
    CHECK_EQ(lite_check(&lite, last + MJ_SEC(31), "192.0.2.1:1000", true), MJ_ESTATE);
}

TEST(lite_expires_without_any_check)
{
    mj_ice lite;
    REQUIRE(lite_init(&lite, MJ_SEC(100)) == 0);
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(130));
    mj_ice_handle_timeout(&lite, MJ_SEC(129));
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_NEW);
    /* A late check arriving after the deadline, before the timer ran. */
    CHECK_EQ(lite_check(&lite, MJ_SEC(131), "192.0.2.1:1000", true), MJ_ESTATE);
    CHECK_EQ(mj_ice_state_get(&lite), MJ_ICE_FAILED);

    /* The timeout is configurable. */
    mj_ice_config cfg = {.role = MJ_ICE_LITE,
                         .local_ufrag = SRV_UFRAG,
                         .local_pwd = SRV_PWD,
                         .remote_ufrag = BR_UFRAG,
                         .consent_timeout = MJ_SEC(3)};
    REQUIRE(mj_ice_init(&lite, &cfg, 0) == 0);
    CHECK_EQ(mj_ice_next_timeout(&lite), MJ_SEC(3));
}

TEST(client_keeps_consent_then_fails_when_server_stops)
{
    sim s;
    sim_init(&s, SRV_PWD);
    sim_run(&s, MJ_SEC(120));
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_CONNECTED);
    CHECK_EQ(mj_ice_state_get(&s.srv), MJ_ICE_CONNECTED);
    /* One check to connect, then one every 4-6 s. */
    CHECK(s.sent >= 1 + 120 / 6 && s.sent <= 1 + 120 / 4);
    CHECK_EQ(s.answered, s.sent);
    CHECK(s.min_gap >= MJ_SEC(4) && s.max_gap <= MJ_SEC(6));
    /* The server stops answering (its responses are lost). */
    s.drop_to_cli = true;
    mj_time stop = s.now;
    int answered = s.answered;
    CHECK(s.last_answered > stop - MJ_SEC(6));
    /* Consent expires exactly 30 s after the last answer. */
    sim_run(&s, s.last_answered + MJ_SEC(30) - 1);
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_CONNECTED);
    sim_run(&s, s.last_answered + MJ_SEC(30));
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_FAILED);
    CHECK_EQ(s.answered, answered);
    /* The server still heard the checks, so it is alive; once the client
     * gives up and falls silent, the server expires too. */
    CHECK_EQ(mj_ice_state_get(&s.srv), MJ_ICE_CONNECTED);
    int sent = s.sent;
    sim_run(&s, stop + MJ_SEC(70));
    CHECK_EQ(s.sent, sent); /* a failed client sends nothing */
    CHECK_EQ(mj_ice_state_get(&s.srv), MJ_ICE_FAILED);
}

TEST(client_retransmits_then_gives_up)
{
    sim s;
    sim_init(&s, SRV_PWD);
    s.drop_to_srv = true;
    mj_time sends[64];
    int count = 0;
    for (;;) {
        mj_time t = mj_ice_next_timeout(&s.cli);
        if (t == MJ_TIME_NEVER || count == 64) break;
        s.now = t;
        int before = s.sent;
        sim_step(&s);
        if (s.sent > before) sends[count++] = s.now;
    }
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_FAILED);
    CHECK_EQ(s.now, MJ_ICE_CONNECT_TIMEOUT);
    /* 0, 50, 150, 350, 750, 1550 ms, then every second. */
    REQUIRE(count > 8);
    CHECK_EQ(sends[0], 0);
    CHECK_EQ(sends[1], MJ_MSEC(50));
    CHECK_EQ(sends[2], MJ_MSEC(150));
    CHECK_EQ(sends[3], MJ_MSEC(350));
    CHECK_EQ(sends[4], MJ_MSEC(750));
    CHECK_EQ(sends[5], MJ_MSEC(1550));
    CHECK_EQ(sends[6], MJ_MSEC(2550));
    CHECK_EQ(sends[count - 1], MJ_MSEC(9550));
    uint8_t buf[256];
    mj_addr to;
    CHECK_EQ(mj_ice_poll_transmit(&s.cli, s.now + MJ_SEC(1), buf, sizeof buf, &to), 0);
}

/* Client side: builds the success response the server would send for the
 * client's last request, with a chosen transaction id and key. */
static int server_response(const uint8_t *req, size_t n, const uint8_t *tid, const char *key,
                           const mj_addr *mapped, uint8_t *out, size_t cap)
{
    mj_stun_msg m;
    if (mj_stun_parse(req, n, &m, NULL) < 0) return -1;
    mj_stun_writer w;
    mj_stun_writer_init(&w, out, cap, MJ_STUN_BINDING_SUCCESS, tid ? tid : m.tid);
    mj_stun_add_xor_mapped(&w, mapped);
    mj_stun_add_integrity(&w, key, strlen(key));
    mj_stun_add_fingerprint(&w);
    return mj_stun_finish(&w);
}

TEST(client_ignores_bad_responses)
{
    mj_ice cli;
    REQUIRE(ctl_init(&cli, 0, SRV_PWD) == 0);
    mj_addr srv = addr("203.0.113.5:40000"), me = addr("198.51.100.7:50123");
    REQUIRE(mj_ice_add_remote_candidate(&cli, &srv, 100) == 0);
    uint8_t req[256], resp[256], sinkbuf[1];
    mj_addr to;
    int n = mj_ice_poll_transmit(&cli, 0, req, sizeof req, &to);
    REQUIRE(n > 0);
    CHECK(mj_addr_eq(&to, &srv));
    /* The request is what a lite server expects. */
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(req, (size_t)n, &m, NULL) == n);
    CHECK(mj_slice_eq(m.username, mj_slice_make(SRV_UFRAG ":" BR_UFRAG, 13)));
    CHECK(m.has_controlling && m.use_candidate && m.has_priority);
    CHECK_EQ(m.priority, MJ_ICE_PRFLX_PRIORITY);
    CHECK_EQ(mj_stun_check_integrity(&m, SRV_PWD, strlen(SRV_PWD)), 0);
    CHECK_EQ(mj_stun_check_fingerprint(&m), 0);

    mj_wbuf sink;
    mj_wbuf_init(&sink, sinkbuf, 0);
    static const uint8_t other_tid[12] = {0xee};
    int r = server_response(req, (size_t)n, other_tid, SRV_PWD, &me, resp, sizeof resp);
    CHECK_EQ(mj_ice_handle_stun(&cli, 1, resp, (size_t)r, &srv, &sink), MJ_ENOTFOUND);
    r = server_response(req, (size_t)n, NULL, "notThePasswordAtAll123", &me, resp, sizeof resp);
    CHECK_EQ(mj_ice_handle_stun(&cli, 1, resp, (size_t)r, &srv, &sink), MJ_EAUTH);
    r = server_response(req, (size_t)n, NULL, SRV_PWD, &me, resp, sizeof resp);
    mj_addr elsewhere = addr("203.0.113.6:40000");
    CHECK_EQ(mj_ice_handle_stun(&cli, 1, resp, (size_t)r, &elsewhere, &sink), MJ_EPROTO);
    CHECK_EQ(mj_ice_state_get(&cli), MJ_ICE_CHECKING);
    CHECK(mj_ice_selected(&cli) == NULL);
    /* The genuine one, late (after a retransmission), still matches. */
    CHECK(mj_ice_poll_transmit(&cli, MJ_MSEC(60), req, sizeof req, &to) > 0);
    CHECK_EQ(mj_ice_handle_stun(&cli, MJ_MSEC(70), resp, (size_t)r, &srv, &sink), 0);
    CHECK_EQ(mj_ice_state_get(&cli), MJ_ICE_CONNECTED);
    /* A duplicate of it no longer matches anything. */
    CHECK_EQ(mj_ice_handle_stun(&cli, MJ_MSEC(80), resp, (size_t)r, &srv, &sink), MJ_ENOTFOUND);
}

TEST(client_fails_when_every_check_is_refused)
{
    mj_ice cli;
    REQUIRE(ctl_init(&cli, 0, SRV_PWD) == 0);
    mj_addr srv = addr("203.0.113.5:40000");
    REQUIRE(mj_ice_add_remote_candidate(&cli, &srv, 100) == 0);
    uint8_t req[256], resp[256], sinkbuf[1];
    mj_addr to;
    int n = mj_ice_poll_transmit(&cli, 0, req, sizeof req, &to);
    REQUIRE(n > 0);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(req, (size_t)n, &m, NULL) == n);
    mj_wbuf sink;
    mj_wbuf_init(&sink, sinkbuf, 0);
    /* An unauthenticated 401 (what a strict server might send) is ignored. */
    mj_stun_writer w;
    mj_stun_writer_init(&w, resp, sizeof resp, MJ_STUN_BINDING_ERROR, m.tid);
    mj_stun_add_error(&w, 401, "Unauthorized");
    mj_stun_add_fingerprint(&w);
    int r = mj_stun_finish(&w);
    REQUIRE(r > 0);
    CHECK_EQ(mj_ice_handle_stun(&cli, 1, resp, (size_t)r, &srv, &sink), MJ_EAUTH);
    CHECK_EQ(mj_ice_state_get(&cli), MJ_ICE_CHECKING);
    /* An authenticated refusal ends the only check, and so the agent. */
    mj_stun_writer_init(&w, resp, sizeof resp, MJ_STUN_BINDING_ERROR, m.tid);
    mj_stun_add_error(&w, 400, "Bad Request");
    mj_stun_add_integrity(&w, SRV_PWD, strlen(SRV_PWD));
    r = mj_stun_finish(&w);
    REQUIRE(r > 0);
    CHECK_EQ(mj_ice_handle_stun(&cli, 2, resp, (size_t)r, &srv, &sink), MJ_EPROTO);
    CHECK_EQ(mj_ice_state_get(&cli), MJ_ICE_FAILED);
    CHECK_EQ(mj_ice_poll_transmit(&cli, MJ_SEC(1), req, sizeof req, &to), 0);
}

TEST(client_picks_the_candidate_that_answers)
{
    sim s;
    sim_init(&s, SRV_PWD);
    /* A higher-priority candidate that is unreachable is tried first. */
    mj_addr dead = addr("[2001:db8::99]:40000");
    REQUIRE(mj_ice_add_remote_candidate(&s.cli, &dead, 2130706432) == 0);
    uint8_t buf[256];
    mj_addr to;
    REQUIRE(mj_ice_poll_transmit(&s.cli, 0, buf, sizeof buf, &to) > 0);
    CHECK(mj_addr_eq(&to, &dead));
    CHECK_EQ(mj_ice_poll_transmit(&s.cli, 0, buf, sizeof buf, &to), 0); /* paced */
    sim_run(&s, MJ_MSEC(100));
    CHECK_EQ(mj_ice_state_get(&s.cli), MJ_ICE_CONNECTED);
    CHECK(mj_addr_eq(mj_ice_selected(&s.cli), &s.srv_addr));
    /* Checks to the dead candidate stopped. */
    int sent = s.sent;
    sim_run(&s, MJ_SEC(3));
    CHECK_EQ(s.sent, sent);
}

TEST(client_answers_a_controlled_peer)
{
    /* Our controlling agent also answers checks from a full peer. */
    mj_ice cli;
    REQUIRE(ctl_init(&cli, 0, SRV_PWD) == 0);
    req_opts o = {
        .username = BR_UFRAG ":" SRV_UFRAG, .key = BR_PWD, .controlled = true, .fingerprint = true};
    uint8_t req[256], out[256];
    int n = build_req(req, sizeof req, &o);
    REQUIRE(n > 0);
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("203.0.113.5:40000");
    int r = mj_ice_handle_stun(&cli, 0, req, (size_t)n, &from, &reply);
    REQUIRE(r > 0);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(out, (size_t)r, &m, NULL) == r);
    CHECK_EQ(m.type, MJ_STUN_BINDING_SUCCESS);
    CHECK_EQ(mj_stun_check_integrity(&m, BR_PWD, strlen(BR_PWD)), 0);
    CHECK_EQ(mj_ice_state_get(&cli), MJ_ICE_NEW);
    /* A role conflict (both controlling) is dropped. */
    o.controlled = false;
    o.controlling = true;
    n = build_req(req, sizeof req, &o);
    mj_wbuf_init(&reply, out, sizeof out);
    CHECK_EQ(mj_ice_handle_stun(&cli, 0, req, (size_t)n, &from, &reply), MJ_EPROTO);
}

TEST(remote_credentials_later)
{
    /* The client makes its offer before it knows the server's answer. */
    mj_ice_config cfg = {.role = MJ_ICE_CONTROLLING, .local_ufrag = BR_UFRAG, .local_pwd = BR_PWD};
    mj_ice cli;
    REQUIRE(mj_ice_init(&cli, &cfg, 0) == 0);
    mj_addr srv = addr("203.0.113.5:40000");
    REQUIRE(mj_ice_add_remote_candidate(&cli, &srv, 1) == 0);
    CHECK_EQ(mj_ice_next_timeout(&cli), MJ_TIME_NEVER);
    uint8_t buf[256];
    mj_addr to;
    CHECK_EQ(mj_ice_poll_transmit(&cli, MJ_SEC(1), buf, sizeof buf, &to), 0);
    CHECK_EQ(mj_ice_set_remote(&cli, SRV_UFRAG, NULL), MJ_EINVAL);
    REQUIRE(mj_ice_set_remote(&cli, SRV_UFRAG, SRV_PWD) == 0);
    CHECK(mj_ice_next_timeout(&cli) <= MJ_SEC(1));
    CHECK(mj_ice_poll_transmit(&cli, MJ_SEC(1), buf, sizeof buf, &to) > 0);
    CHECK_EQ(mj_ice_set_remote(&cli, SRV_UFRAG, SRV_PWD), MJ_ESTATE);
    /* Too small a buffer leaves the request due. */
    mj_ice_handle_timeout(&cli, MJ_SEC(2));
    CHECK_EQ(mj_ice_poll_transmit(&cli, MJ_SEC(2), buf, 50, &to), MJ_ENOSPC);
    CHECK(mj_ice_poll_transmit(&cli, MJ_SEC(2), buf, sizeof buf, &to) > 0);
    /* A lite agent without the remote ufrag cannot check USERNAME. */
    mj_ice lite;
    cfg.role = MJ_ICE_LITE;
    cfg.local_ufrag = SRV_UFRAG;
    cfg.local_pwd = SRV_PWD;
    REQUIRE(mj_ice_init(&lite, &cfg, 0) == 0);
    expect_dropped(&lite, &good_req, MJ_ESTATE, MJ_SEC(1));
    CHECK_EQ(mj_ice_add_remote_candidate(&lite, &srv, 1), MJ_ESTATE);
}

TEST(message_size_bounds)
{
    /* The longest credentials make the longest check. */
    static const char u32[] = "abcdefghijklmnopqrstuvwxyz012345";
    static const char p64[] = "abcdefghijklmnopqrstuvwxyz012345abcdefghijklmnopqrstuvwxyz012345";
    mj_ice_config cfg = {.role = MJ_ICE_CONTROLLING,
                         .local_ufrag = u32,
                         .local_pwd = p64,
                         .remote_ufrag = u32,
                         .remote_pwd = p64};
    mj_ice cli;
    REQUIRE(mj_ice_init(&cli, &cfg, 0) == 0);
    mj_addr srv = addr("[2001:db8::1]:1");
    REQUIRE(mj_ice_add_remote_candidate(&cli, &srv, 1) == 0);
    uint8_t buf[512];
    mj_addr to;
    CHECK_EQ(mj_ice_poll_transmit(&cli, 0, buf, MJ_ICE_REQUEST_MAX - 1, &to), MJ_ENOSPC);
    CHECK_EQ(mj_ice_poll_transmit(&cli, 0, buf, MJ_ICE_REQUEST_MAX, &to), MJ_ICE_REQUEST_MAX);
    /* The longest answer: a 420 listing MJ_STUN_MAX_UNKNOWN types. */
    mj_ice lite;
    REQUIRE(lite_init(&lite, 0) == 0);
    static const uint8_t tid[12] = {7};
    mj_stun_writer w;
    mj_stun_writer_init(&w, buf, sizeof buf, MJ_STUN_BINDING_REQUEST, tid);
    mj_stun_add_username(&w, SRV_UFRAG ":" BR_UFRAG, 13);
    mj_stun_add_ice_controlling(&w, 1);
    for (uint16_t t = 0x7000; t < 0x7000 + MJ_STUN_MAX_UNKNOWN + 2; t++)
        mj_stun_add(&w, t, NULL, 0);
    mj_stun_add_integrity(&w, SRV_PWD, strlen(SRV_PWD));
    int n = mj_stun_finish(&w);
    REQUIRE(n > 0);
    uint8_t out[256];
    mj_wbuf reply;
    mj_wbuf_init(&reply, out, sizeof out);
    mj_addr from = addr("[2001:db8::2]:2");
    CHECK_EQ(mj_ice_handle_stun(&lite, 1, buf, (size_t)n, &from, &reply), MJ_ICE_REPLY_MAX);
    mj_stun_msg m;
    REQUIRE(mj_stun_parse(out, reply.len, &m, NULL) > 0);
    CHECK_EQ(m.error_code, 420);
}

TEST_MAIN(init_validates_credentials, lite_refuses_a_check_replayed_from_another_address,
          client_and_server_connect, chromium_request_accepted, wrong_password_gets_no_answer,
          wrong_or_missing_credentials_dropped, wrong_role_and_bad_fingerprint_dropped,
          unknown_required_attribute_answered_420, small_reply_buffer_changes_nothing,
          indications_and_responses_ignored_by_lite, lite_selection_and_nomination,
          lite_remembers_when_each_address_checked_and_can_forget_one,
          lite_consent_expires_after_30s, lite_expires_without_any_check,
          client_keeps_consent_then_fails_when_server_stops, client_retransmits_then_gives_up,
          client_ignores_bad_responses, client_fails_when_every_check_is_refused,
          client_picks_the_candidate_that_answers, client_answers_a_controlled_peer,
          remote_credentials_later, message_size_bounds)
