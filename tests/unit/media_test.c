/* Tests for src/io/media: the control plane's table of media sessions over
 * real worker threads on loopback ports: kinds, placement on the room's
 * home and branches, what the table tells of a session, who may send,
 * deletion, and what a bad offer gets. (Media itself is tested in process
 * by the sfu_* tests; browsers and the HTTP endpoints by tests/browser
 * and tests/http.) */
#include "test.h"

#include "fixture.h"

#include "base/rand.h"
#include "io/media.h"

#include <time.h>

static char offer_text[1 << 16];

static size_t load(const char *name)
{
    return mj_fixture_read("sdp", name, offer_text, sizeof offer_text);
}

/* Two workers on free loopback ports, rooms spreading after one listener. */
static mj_media *start(void)
{
    for (int tries = 0; tries < 20; tries++) {
        mj_media_config cfg = {
            .first_port = (uint16_t)(42000 + (mj_rand_u32() % 20000)),
            .workers = 2,
            .max_sessions = 100,
            .max_load_permille = 1000,
            .room_split = 1,
        };
        mj_addr_parse("127.0.0.1:0", &cfg.bind);
        cfg.announce = cfg.bind;
        mj_media *m;
        const char *why = NULL;
        if (mj_media_start(&cfg, &m, &why) == 0) return m;
    }
    return NULL;
}

/* The media port the answer names (all its sections share it). */
static int answer_port(const mj_media_result *res)
{
    const char *m = res->answer ? strstr(res->answer, "m=audio ") : NULL;
    return m ? atoi(m + 8) : -1;
}

static void create(mj_media *m, const char *room, mj_media_kind kind, uint64_t person,
                   bool may_send, const char *fixture, mj_media_result *res)
{
    size_t n = load(fixture);
    mj_media_request rq = {.room = room,
                           .kind = kind,
                           .person = person,
                           .may_send = may_send,
                           .offer = offer_text,
                           .offer_len = n};
    mj_media_session_create(m, &rq, res);
}

static int closed_calls, level_calls;

static void on_closed(void *ctx, const char *resource, const char *room, uint64_t person,
                      const char *reason)
{
    (void)ctx, (void)resource, (void)room, (void)person, (void)reason;
    closed_calls++;
}

static void on_levels(void *ctx, const char *room, const mj_media_level *lv, size_t n)
{
    (void)ctx, (void)room, (void)lv, (void)n;
    level_calls++;
}

TEST(sessions_of_three_kinds_are_placed_and_described)
{
    mj_media *m = start();
    REQUIRE(m);
    mj_media_result speak, v1, v2;
    create(m, "r1", MJ_MEDIA_WHIP, 0, true, "chrome_whip_offer.sdp", &speak);
    create(m, "r1", MJ_MEDIA_VISIT, 42, false, "chrome_visit_offer.sdp", &v1);
    create(m, "r1", MJ_MEDIA_VISIT, 43, false, "chrome_visit_offer.sdp", &v2);
    REQUIRE(speak.status == 201 && v1.status == 201 && v2.status == 201);
    /* The speaker and the first visitor at the room's home; the second
     * visitor past room_split, on a branch (another port). */
    CHECK_EQ(answer_port(&speak), answer_port(&v1));
    CHECK(answer_port(&v2) > 0 && answer_port(&v2) != answer_port(&v1));
    CHECK(strstr(v1.answer, "a=recvonly") != NULL);
    CHECK(strstr(v1.answer, "a=sendonly") != NULL);
    CHECK_EQ(mj_media_session_count(m), 3);

    char room[MJ_SFU_ROOM_ID_MAX + 1];
    mj_media_kind kind;
    uint64_t person = 1;
    CHECK_EQ(mj_media_session_info(m, v2.resource, room, &kind, &person), 0);
    CHECK_STR(room, "r1");
    CHECK_EQ(kind, MJ_MEDIA_VISIT);
    CHECK_EQ(person, 43);
    CHECK_EQ(mj_media_session_info(m, speak.resource, room, &kind, &person), 0);
    CHECK_EQ(kind, MJ_MEDIA_WHIP);
    CHECK_EQ(person, 0);

    /* On and off stage, also for the branch's visitor (its home hears of
     * it too); unknown resources are not found. */
    CHECK_EQ(mj_media_session_set_send(m, v1.resource, true), 0);
    CHECK_EQ(mj_media_session_set_send(m, v2.resource, true), 0);
    CHECK_EQ(mj_media_session_set_send(m, v2.resource, false), 0);
    CHECK_EQ(mj_media_session_set_send(m, "0123", true), MJ_ENOTFOUND);

    CHECK_EQ(mj_media_session_delete(m, v2.resource), 0);
    CHECK_EQ(mj_media_session_delete(m, v2.resource), MJ_ENOTFOUND);
    CHECK_EQ(mj_media_session_info(m, v2.resource, room, &kind, &person), MJ_ENOTFOUND);
    CHECK_EQ(mj_media_session_count(m), 2);

    /* Nobody connected: nothing closed by itself, nobody speaking. */
    mj_media_sink sink = {.closed = on_closed, .levels = on_levels};
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    mj_media_poll(m, &sink);
    mj_media_poll(m, NULL);
    CHECK_EQ(closed_calls, 0);
    CHECK_EQ(level_calls, 0);

    char text[65536];
    mj_wbuf w;
    mj_wbuf_init(&w, (uint8_t *)text, sizeof text - 1);
    mj_media_metrics(m, &w);
    text[w.len] = '\0';
    CHECK(strstr(text, "majlis_media_drop_not_allowed_total{worker=\"1\"}") != NULL);
    CHECK(strstr(text, "majlis_media_handed_off_packets_total") != NULL);
    free(speak.answer);
    free(v1.answer);
    free(v2.answer);
    mj_media_stop(m);
}

TEST(offers_that_do_not_fit_the_kind_are_refused)
{
    mj_media *m = start();
    REQUIRE(m);
    mj_media_result res;
    create(m, "r2", MJ_MEDIA_VISIT, 42, false, "chrome_whep_offer_3audio.sdp", &res);
    CHECK_EQ(res.status, 400);
    CHECK_STR(res.code, "no_audio");
    CHECK(res.answer == NULL && !res.resource[0]);
    create(m, "r2", MJ_MEDIA_WHEP, 0, false, "chrome_whip_offer.sdp", &res);
    CHECK_EQ(res.status, 400);
    CHECK_STR(res.code, "no_audio");
    mj_media_request rq = {.room = "r2", .kind = MJ_MEDIA_WHIP, .offer = "v=0", .offer_len = 3};
    mj_media_session_create(m, &rq, &res);
    CHECK_EQ(res.status, 400);
    CHECK_STR(res.code, "bad_offer");
    rq.room = "";
    mj_media_session_create(m, &rq, &res);
    CHECK_EQ(res.status, 400);
    CHECK_EQ(mj_media_session_count(m), 0);
    mj_media_stop(m);
}

TEST_MAIN(sessions_of_three_kinds_are_placed_and_described,
          offers_that_do_not_fit_the_kind_are_refused)
