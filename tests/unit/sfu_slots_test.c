/* Scenario tests for who fills a room's slots and who is reported
 * speaking (src/sfu/slots.c): the loudest recent senders by their RFC 6464
 * levels, with hysteresis, one slot per person, and nothing held by
 * silence. Client peers and the SFU core run in one process over memnet,
 * 20 ms per round of packets; each speaker's payload carries its own tag,
 * so the checks are about whose voice each slot carried. */
#include "test.h"

#include "heard.h"

static mj_dtls_identity *server_id, *client_id;
static memnet net;
static heard_set made;

/* Level reports seen, with when they were polled. */
typedef struct report {
    mj_time at;
    int n;
    mj_sfu_level lv[MJ_SFU_LEVELS_MAX];
} report;
static report reports[256];
static int nreports;

static void setup(void)
{
    nreports = 0;
    if (memnet_init(&net, server_id, client_id, 100) != 0) abort();
    net.on_rtp = heard_rtp;
}

static void teardown(void)
{
    memnet_free(&net);
    heard_set_free(&made);
}

static heard_client *sender(uint64_t person)
{
    memnet_opts o = {.send = true, .may_send = true, .person = person};
    return heard_open(&made, &net, &o);
}

static heard_client *listener(void)
{
    memnet_opts o = {.nslots = 3};
    return heard_open(&made, &net, &o);
}

static void say(heard_client *c, uint16_t seq, uint8_t level, uint8_t tag)
{
    memnet_speak(&net, c->c, seq, level, tag);
}

/* Ends a 20 ms round: timers, delivery, and the level reports. */
static void step(void)
{
    memnet_pump(&net, MJ_MSEC(20));
    mj_sfu_event ev;
    while (mj_sfu_poll_event(net.sfu, &ev)) {
        if (ev.kind != MJ_SFU_EV_LEVELS || nreports == 256) continue;
        CHECK_STR(ev.room, "room1");
        report *r = &reports[nreports++];
        r->at = net.now;
        r->n = ev.nlevels;
        memcpy(r->lv, ev.levels, sizeof r->lv);
    }
}

/* A small deterministic noise for levels: -span..span. */
static int noise(uint32_t *x, int span)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return (int)(*x % (uint32_t)(2 * span + 1)) - span;
}

static int total_switches(const heard *h)
{
    return h->switches[0] + h->switches[1] + h->switches[2];
}

TEST(a_louder_challenger_takes_the_quietest_holders_slot)
{
    setup();
    heard_client *a = sender(1), *b = sender(2), *c = sender(3), *d = sender(4);
    heard_client *l = listener();
    REQUIRE(a && b && c && d && l);
    uint16_t seq = 0;
    for (; seq < 150; seq++) { /* three seconds of three voices */
        say(a, seq, 30, 0xA1);
        say(b, seq, 40, 0xB1);
        say(c, seq, 30, 0xC1);
        step();
    }
    int slot_b = heard_slot_of(&l->h, 0xB1);
    REQUIRE(slot_b >= 0);
    /* A voice 30 dB louder than the quietest holder starts. */
    int first = -1;
    for (int k = 0; k < 250; k++, seq++) {
        say(a, seq, 30, 0xA1);
        say(b, seq, 40, 0xB1);
        say(c, seq, 30, 0xC1);
        say(d, seq, 10, 0xD1);
        step();
        if (first < 0 && l->h.by_tag[0xD1]) first = k;
    }
    /* It takes the quietest holder's slot, after being clearly louder for
     * a second (no sooner), and the stream continues without a gap. */
    CHECK(first >= 50 && first <= 75);
    CHECK_EQ(heard_slot_of(&l->h, 0xD1), slot_b);
    CHECK_EQ(l->h.by_tag[0xB1], 150 + first + 1);
    CHECK(!l->h.seq_gap[slot_b]);
    CHECK_EQ(l->h.switches[slot_b], 1);
    /* The others never lost a packet. */
    CHECK_EQ(l->h.by_tag[0xA1], 400);
    CHECK_EQ(l->h.by_tag[0xC1], 400);
    teardown();
}

TEST(a_marginally_louder_challenger_does_not)
{
    setup();
    heard_client *a = sender(1), *b = sender(2), *c = sender(3), *d = sender(4);
    heard_client *l = listener();
    REQUIRE(a && b && c && d && l);
    for (uint16_t seq = 0; seq < 600; seq++) { /* twelve seconds */
        say(a, seq, 30, 0xA1);
        say(b, seq, 30, 0xB1);
        say(c, seq, 33, 0xC1);
        if (seq >= 50) say(d, seq, 30, 0xD1); /* 3 dB louder than c: not enough */
        step();
    }
    CHECK_EQ(l->h.by_tag[0xD1], 0);
    CHECK_EQ(l->h.by_tag[0xC1], 600);
    CHECK_EQ(total_switches(&l->h), 0);
    teardown();
}

TEST(a_quiet_holder_loses_its_slot_to_a_speaking_newcomer)
{
    setup();
    heard_client *a = sender(1), *b = sender(2), *c = sender(3), *d = sender(4);
    heard_client *l = listener();
    REQUIRE(a && b && c && d && l);
    uint16_t seq = 0;
    for (; seq < 100; seq++) {
        say(a, seq, 20, 0xA1);
        say(b, seq, 20, 0xB1);
        say(c, seq, 20, 0xC1);
        step();
    }
    int slot_c = heard_slot_of(&l->h, 0xC1);
    /* d, softer than everyone speaking, talks; c pauses for 800 ms (Opus
     * DTX: a silent frame every 400 ms) and goes on: it keeps its slot. */
    for (int k = 0; k < 100; k++, seq++) {
        say(a, seq, 20, 0xA1);
        say(b, seq, 20, 0xB1);
        if (k >= 40 || k % 20 == 0) say(c, seq, k < 40 ? 127 : 20, 0xC1);
        say(d, seq, 60, 0xD1);
        step();
    }
    CHECK_EQ(l->h.by_tag[0xD1], 0);
    /* Now c falls silent for good: d gets its slot once it has been
     * clearly louder for a second, at the latest when c's pause reaches
     * MJ_SLOT_QUIET (1.5 s). */
    int first = -1;
    for (int k = 0; k < 150; k++, seq++) {
        say(a, seq, 20, 0xA1);
        say(b, seq, 20, 0xB1);
        if (k % 20 == 0) say(c, seq, 127, 0xC1);
        say(d, seq, 60, 0xD1);
        step();
        if (first < 0 && l->h.by_tag[0xD1]) first = k;
    }
    CHECK(first >= 50 && first <= 75);
    CHECK_EQ(heard_slot_of(&l->h, 0xD1), slot_c);
    CHECK_EQ(l->h.by_tag[0xA1], 350);
    CHECK_EQ(l->h.by_tag[0xB1], 350);
    teardown();
}

TEST(similar_voices_do_not_flap)
{
    setup();
    heard_client *a = sender(1), *b = sender(2), *c = sender(3), *d = sender(4);
    heard_client *l = listener();
    REQUIRE(a && b && c && d && l);
    uint32_t x = 12345;
    for (uint16_t seq = 0; seq < 1500; seq++) { /* thirty seconds */
        say(a, seq, 10, 0xA1);
        say(b, seq, 10, 0xB1);
        /* Two voices about as loud, each wavering by 8 dB a frame; d is
         * 2 dB louder on average. */
        say(c, seq, (uint8_t)(40 + noise(&x, 8)), 0xC1);
        say(d, seq, (uint8_t)(38 + noise(&x, 8)), 0xD1);
        step();
    }
    CHECK_EQ(total_switches(&l->h), 0);
    CHECK_EQ(l->h.by_tag[0xC1], 1500);
    CHECK_EQ(l->h.by_tag[0xD1], 0);
    teardown();
}

TEST(one_person_holds_one_slot_however_many_sessions)
{
    setup();
    heard_client *p1 = sender(5), *p2 = sender(5), *x = sender(6), *y = sender(7);
    heard_client *l = listener();
    REQUIRE(p1 && p2 && x && y && l);
    uint16_t seq = 0;
    for (; seq < 100; seq++) {
        say(p1, seq, 20, 0x51); /* two tabs, one voice */
        say(p2, seq, 20, 0x52);
        say(x, seq, 20, 0x58);
        say(y, seq, 20, 0x59);
        step();
    }
    CHECK_EQ(l->h.by_tag[0x51], 100);
    CHECK_EQ(l->h.by_tag[0x52], 0);
    CHECK_EQ(l->h.by_tag[0x58], 100);
    CHECK_EQ(l->h.by_tag[0x59], 100);
    /* A free slot does not change that. */
    CHECK_EQ(mj_sfu_session_remove(net.sfu, y->c->session), 0);
    for (int k = 0; k < 50; k++, seq++) {
        say(p1, seq, 20, 0x51);
        say(p2, seq, 20, 0x52);
        say(x, seq, 20, 0x58);
        step();
    }
    CHECK_EQ(l->h.by_tag[0x52], 0);
    /* When the first tab falls silent, the second takes its slot over. */
    int slot_p = heard_slot_of(&l->h, 0x51);
    for (int k = 0; k < 100; k++, seq++) {
        say(p1, seq, 127, 0x51);
        say(p2, seq, 20, 0x52);
        say(x, seq, 20, 0x58);
        step();
    }
    CHECK(l->h.by_tag[0x52] > 0);
    CHECK_EQ(heard_slot_of(&l->h, 0x52), slot_p);
    CHECK_EQ(l->h.by_slot[0] + l->h.by_slot[1] + l->h.by_slot[2], l->h.total);
    teardown();
}

TEST(silence_or_no_level_cannot_hold_a_slot_against_speech)
{
    setup();
    memnet_opts bare = {.send = true, .may_send = true, .no_level = true};
    heard_client *n1 = heard_open(&made, &net, &bare); /* no extension negotiated */
    heard_client *n2 = sender(2);                      /* speaks, then drops its level */
    heard_client *z = sender(3);                       /* speaks once, then claims silence */
    heard_client *l = listener();
    REQUIRE(n1 && n2 && z && l);
    uint16_t seq = 0;
    for (; seq < 100; seq++) {
        say(n1, seq, MEMNET_NO_LEVEL, 0x01);
        say(n2, seq, seq < 95 ? 20 : MEMNET_NO_LEVEL, 0x02);
        say(z, seq, seq == 0 ? 20 : 127, 0x03);
        step();
    }
    /* With slots free, all three are heard. */
    CHECK_EQ(l->h.by_tag[0x01], 100);
    CHECK_EQ(l->h.by_tag[0x02], 100);
    CHECK_EQ(l->h.by_tag[0x03], 100);
    /* Three people start speaking, softly. */
    heard_client *a = sender(11), *b = sender(12), *c = sender(13);
    REQUIRE(a && b && c);
    for (int k = 0; k < 100; k++, seq++) {
        say(a, seq, 60, 0xA1);
        say(b, seq, 60, 0xB1);
        say(c, seq, 60, 0xC1);
        say(n1, seq, MEMNET_NO_LEVEL, 0x01);
        say(n2, seq, MEMNET_NO_LEVEL, 0x02);
        say(z, seq, 127, 0x03);
        step();
    }
    /* They all gave way at once: those without levels because they say
     * nothing of speech, the one claiming silence because its last speech
     * is older than MJ_SLOT_QUIET. Only speech is heard. */
    CHECK_EQ(l->h.by_tag[0x01], 100);
    CHECK_EQ(l->h.by_tag[0x02], 100);
    CHECK_EQ(l->h.by_tag[0x03], 100);
    CHECK_EQ(l->h.by_tag[0xA1], 100);
    CHECK_EQ(l->h.by_tag[0xB1], 100);
    CHECK_EQ(l->h.by_tag[0xC1], 100);
    teardown();
}

TEST(levels_come_every_220_ms_loudest_first_one_entry_per_person)
{
    setup();
    heard_client *s = sender(0); /* its own person: reported under its id */
    heard_client *v1 = sender(5), *v2 = sender(5);
    REQUIRE(s && v1 && v2);
    for (uint16_t seq = 0; seq < 100; seq++) { /* two seconds */
        say(s, seq, 20, 0x51);
        say(v1, seq, 40, 0x61);
        say(v2, seq, 30, 0x62);
        step();
    }
    CHECK(nreports >= 8 && nreports <= 9);
    for (int i = 1; i < nreports; i++) {
        mj_time gap = reports[i].at - reports[i - 1].at;
        CHECK(gap >= MJ_MSEC(200) && gap <= MJ_MSEC(250));
    }
    /* Once the smoothing has caught up: s, then person 5 at their louder
     * session's level. */
    report *r = &reports[nreports - 1];
    REQUIRE(r->n == 2);
    CHECK_EQ(r->lv[0].person, s->c->session);
    CHECK_EQ(r->lv[0].level, 20);
    CHECK_EQ(r->lv[1].person, 5);
    CHECK_EQ(r->lv[1].level, 30);
    teardown();
}

TEST(one_last_report_when_the_last_speaker_stops_then_nothing)
{
    setup();
    heard_client *s = sender(0);
    REQUIRE(s);
    uint16_t seq = 0;
    for (; seq < 50; seq++) {
        say(s, seq, 20, 0x51);
        step();
    }
    mj_time stopped = net.now;
    int before = nreports;
    CHECK(before >= 4);
    /* Silence for five seconds, as Opus DTX sends it. */
    for (int k = 0; k < 250; k++, seq++) {
        if (k % 20 == 0) say(s, seq, 127, 0x51);
        step();
    }
    int last = nreports - 1;
    REQUIRE(last >= before);
    CHECK_EQ(reports[last].n, 0);
    CHECK(reports[last].at - stopped <= MJ_MSEC(700));
    for (int i = before; i < last; i++)
        CHECK(reports[i].n > 0);
    /* Speech again: reports again. */
    for (int k = 0; k < 20; k++, seq++) {
        say(s, seq, 20, 0x51);
        step();
    }
    CHECK(nreports > last + 1);
    CHECK_EQ(reports[nreports - 1].n, 1);
    teardown();
}

TEST(no_reports_for_those_not_allowed_or_silent)
{
    setup();
    memnet_opts off = {.nslots = 3, .send = true, .person = 5};
    heard_client *v = heard_open(&made, &net, &off);
    heard_client *s = sender(6);
    REQUIRE(v && s);
    uint16_t seq = 0;
    for (; seq < 100; seq++) {
        say(v, seq, 0, 0x61);   /* loud, not allowed */
        say(s, seq, 127, 0x51); /* allowed, silent */
        step();
    }
    CHECK_EQ(nreports, 0);
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, true), 0);
    for (int k = 0; k < 30; k++, seq++) {
        say(v, seq, 0, 0x61);
        say(s, seq, 127, 0x51);
        step();
    }
    REQUIRE(nreports > 0);
    CHECK_EQ(reports[nreports - 1].n, 1);
    CHECK_EQ(reports[nreports - 1].lv[0].person, 5);
    /* Moved back to the audience: one last (empty) report. */
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, false), 0);
    int was = nreports;
    for (int k = 0; k < 30; k++, seq++) {
        say(v, seq, 0, 0x61);
        step();
    }
    CHECK_EQ(nreports, was + 1);
    CHECK_EQ(reports[nreports - 1].n, 0);
    teardown();
}

TEST(a_report_names_the_sixteen_loudest)
{
    setup();
    heard_client *s[18];
    for (int i = 0; i < 18; i++)
        REQUIRE((s[i] = sender((uint64_t)(100 + i))) != NULL);
    for (uint16_t seq = 0; seq < 75; seq++) {
        for (int i = 17; i >= 0; i--)
            say(s[i], seq, (uint8_t)(10 + i), (uint8_t)i);
        step();
    }
    report *r = &reports[nreports - 1];
    REQUIRE(r->n == MJ_SFU_LEVELS_MAX);
    for (int i = 0; i < MJ_SFU_LEVELS_MAX; i++) {
        CHECK_EQ(r->lv[i].person, (uint64_t)(100 + i));
        CHECK_EQ(r->lv[i].level, 10 + i);
    }
    teardown();
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        a_louder_challenger_takes_the_quietest_holders_slot,
        a_marginally_louder_challenger_does_not,
        a_quiet_holder_loses_its_slot_to_a_speaking_newcomer, similar_voices_do_not_flap,
        one_person_holds_one_slot_however_many_sessions,
        silence_or_no_level_cannot_hold_a_slot_against_speech,
        levels_come_every_220_ms_loudest_first_one_entry_per_person,
        one_last_report_when_the_last_speaker_stops_then_nothing,
        no_reports_for_those_not_allowed_or_silent, a_report_names_the_sixteen_loudest)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
