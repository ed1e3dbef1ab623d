/* Scenario tests for the stage as the media plane enforces it: who may
 * send is heard, nobody else is (or is even decrypted), and demotion,
 * muting and removal take effect at the person's next packet, also when
 * the person's connection lives on a branch worker of a large room.
 * Client peers and SFU cores run in one process over memnet on simulated
 * time; every speaker fills its payload with its own tag, so each check
 * is about whose voice a listener heard. */
#include "test.h"

#include "heard.h"

static mj_dtls_identity *server_id, *client_id;
static memnet net;
static heard_set made;

static void setup(void)
{
    if (memnet_init(&net, server_id, client_id, 100) != 0) abort();
    net.on_rtp = heard_rtp;
}

static void teardown(void)
{
    memnet_free(&net);
    heard_set_free(&made);
}

/* A browser's visit: three slots and a microphone, for person `person`. */
static heard_client *visitor(uint64_t person, bool may_send)
{
    memnet_opts o = {.nslots = 3, .send = true, .may_send = may_send, .person = person};
    return heard_open(&made, &net, &o);
}

static heard_client *speaker(void)
{
    memnet_opts o = {.send = true, .may_send = true};
    return heard_open(&made, &net, &o);
}

static heard_client *listener(int nslots)
{
    memnet_opts o = {.nslots = (uint8_t)nslots};
    return heard_open(&made, &net, &o);
}

static void say(heard_client *c, uint16_t seq, uint8_t level, uint8_t tag)
{
    memnet_speak(&net, c->c, seq, level, tag);
}

static void step(void)
{
    memnet_pump(&net, MJ_MSEC(20));
}

static const mj_sfu_stats *stats(void)
{
    return mj_sfu_stats_get(net.sfu);
}

static mj_sfu_session_info info_of(const heard_client *c)
{
    mj_sfu_session_info info;
    memset(&info, 0, sizeof info);
    info.slot = -2;
    if (mj_sfu_session_info_get(net.sfu, c->c->session, &info) != 0)
        MJ_TEST_FAIL("no session %016llx", (unsigned long long)c->c->session);
    return info;
}

TEST(a_visitor_off_stage_is_neither_heard_nor_decrypted)
{
    setup();
    heard_client *v = visitor(7, false);
    heard_client *s = speaker();
    heard_client *l = listener(3);
    REQUIRE(v && s && l);
    /* Given a visitor in the audience whose page sends loud audio anyway,
     * when a speaker speaks too, */
    uint64_t refused = stats()->drop_not_allowed;
    for (uint16_t i = 0; i < 50; i++) {
        say(v, i, 0, 0xA7);
        say(s, i, 30, 0x51);
        step();
    }
    /* then listeners hear only the speaker; the visitor hears the speaker
     * through its slots; its own audio was refused unread. */
    CHECK_EQ(l->h.by_tag[0xA7], 0);
    CHECK_EQ(l->h.by_tag[0x51], 50);
    CHECK_EQ(v->h.by_tag[0x51], 50);
    CHECK_EQ(s->h.total, 0);
    CHECK_EQ(stats()->drop_not_allowed, refused + 50);
    mj_sfu_session_info info = info_of(v);
    CHECK(info.send && !info.may_send);
    CHECK(!info.decrypting);
    CHECK_EQ(info.slot, -1);
    CHECK_EQ(info.rx_rtp, 0);
    teardown();
}

TEST(a_visitor_allowed_to_send_is_heard_by_everyone_but_themself)
{
    setup();
    heard_client *v = visitor(7, false);
    heard_client *w = visitor(8, false);
    heard_client *l = listener(3);
    REQUIRE(v && w && l);
    for (uint16_t i = 0; i < 10; i++) {
        say(v, i, 10, 0xA7);
        step();
    }
    CHECK_EQ(l->h.total, 0);
    /* On stage: its inbound SRTP context is made from the key kept since
     * the handshake, and its next packet is heard. */
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, true), 0);
    CHECK(info_of(v).decrypting);
    CHECK(info_of(v).may_send);
    CHECK(!info_of(w).decrypting);
    for (uint16_t i = 10; i < 60; i++) {
        say(v, i, 10, 0xA7);
        step();
    }
    CHECK_EQ(l->h.by_tag[0xA7], 50);
    CHECK_EQ(w->h.by_tag[0xA7], 50);
    CHECK_EQ(heard_slot_of(&l->h, 0xA7), 0);
    CHECK(!l->h.seq_gap[0]);
    /* Nobody hears their own voice. */
    CHECK_EQ(v->h.total, 0);
    CHECK_EQ(info_of(v).slot, 0);
    teardown();
}

TEST(demotion_or_mute_silences_a_person_from_their_next_packet)
{
    setup();
    heard_client *v = visitor(7, true);
    heard_client *l1 = listener(3);
    heard_client *l2 = listener(1);
    heard_client *s = speaker();
    REQUIRE(v && l1 && l2 && s);
    uint16_t seq = 0;
    for (; seq < 20; seq++) {
        say(v, seq, 10, 0xA7);
        step();
    }
    CHECK_EQ(l1->h.by_tag[0xA7], 20);
    CHECK_EQ(l2->h.by_tag[0xA7], 20);
    /* Moved to the audience (or muted): the slot is free at once, and not
     * one more packet of theirs reaches anyone, however loud. */
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, false), 0);
    CHECK_EQ(info_of(v).slot, -1);
    uint64_t refused = stats()->drop_not_allowed;
    for (int k = 0; k < 50; k++, seq++) {
        say(v, seq, 0, 0xA7);
        say(s, seq, 30, 0x51);
        step();
    }
    CHECK_EQ(l1->h.by_tag[0xA7], 20);
    CHECK_EQ(l2->h.by_tag[0xA7], 20);
    CHECK_EQ(stats()->drop_not_allowed, refused + 50);
    /* The freed slot 0 went to the speaker at once. */
    CHECK_EQ(l2->h.by_tag[0x51], 50);
    CHECK(!l2->h.seq_gap[0]);
    /* Back on stage (unmuted): heard again, with the inbound context made
     * the first time. */
    CHECK(info_of(v).decrypting);
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, true), 0);
    for (int k = 0; k < 20; k++, seq++) {
        say(v, seq, 10, 0xA7);
        step();
    }
    CHECK_EQ(l1->h.by_tag[0xA7], 40);
    teardown();
}

TEST(removing_a_speaker_frees_its_slot_at_once)
{
    setup();
    heard_client *a = visitor(7, true);
    heard_client *b = visitor(8, true);
    heard_client *c = visitor(9, true);
    heard_client *d = visitor(10, true);
    heard_client *l = listener(3);
    REQUIRE(a && b && c && d && l);
    uint16_t seq = 0;
    for (; seq < 20; seq++) {
        say(a, seq, 20, 0xA1);
        say(b, seq, 20, 0xB1);
        say(c, seq, 20, 0xC1);
        say(d, seq, 20, 0xD1);
        step();
    }
    CHECK_EQ(l->h.by_tag[0xD1], 0); /* three slots, three voices */
    int slot_b = heard_slot_of(&l->h, 0xB1);
    REQUIRE(slot_b >= 0);
    /* Removed by a moderator: the next packets are nobody's. */
    CHECK_EQ(mj_sfu_session_remove(net.sfu, b->c->session), 0);
    int heard_b = l->h.by_tag[0xB1];
    uint64_t nobody = stats()->drop_no_session;
    for (int k = 0; k < 10; k++, seq++) {
        say(a, seq, 20, 0xA1);
        say(b, seq, 0, 0xB1);
        say(c, seq, 20, 0xC1);
        say(d, seq, 20, 0xD1);
        step();
    }
    CHECK_EQ(l->h.by_tag[0xB1], heard_b);
    CHECK_EQ(stats()->drop_no_session, nobody + 10);
    CHECK_EQ(l->h.by_tag[0xD1], 10);
    CHECK_EQ(heard_slot_of(&l->h, 0xD1), slot_b);
    CHECK(!l->h.seq_gap[slot_b]);
    teardown();
}

TEST(a_removed_visitor_receives_nothing_more)
{
    setup();
    heard_client *s = speaker();
    heard_client *v = visitor(7, false);
    heard_client *w = visitor(8, true);
    REQUIRE(s && v && w);
    for (uint16_t i = 0; i < 10; i++) {
        say(s, i, 20, 0x51);
        step();
    }
    CHECK_EQ(v->h.by_tag[0x51], 10);
    CHECK_EQ(mj_sfu_session_remove(net.sfu, v->c->session), 0);
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, v->c->session, true), MJ_ENOTFOUND);
    for (uint16_t i = 10; i < 40; i++) {
        say(s, i, 20, 0x51);
        step();
    }
    CHECK_EQ(v->h.total, 10);
    CHECK_EQ(w->h.by_tag[0x51], 40);
    teardown();
}

TEST(what_may_send_means_for_sessions_without_a_microphone)
{
    setup();
    heard_client *l = listener(3);
    heard_client *l2 = listener(3);
    REQUIRE(l && l2);
    /* A WHEP listener has nothing to send: the flag is noted, its audio
     * still refused unread. */
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, l->c->session, true), 0);
    CHECK(info_of(l).may_send && !info_of(l).decrypting);
    for (uint16_t i = 0; i < 10; i++) {
        say(l, i, 0, 0xEE);
        step();
    }
    CHECK_EQ(l2->h.total, 0);
    CHECK_EQ(mj_sfu_session_set_send(net.sfu, 12345, true), MJ_ENOTFOUND);
    teardown();
}

/* ---- A large room: a home worker and a branch worker ---- */

/* The branch hands its speakers' packets to the home through a queue, as
 * the worker shell does through the home's inbox; the home's exports are
 * injected into the branch directly. */
typedef struct handed {
    mj_sfu_handoff h;
    char room[MJ_SFU_ROOM_ID_MAX + 1];
    uint8_t pkt[1500];
    size_t len;
} handed;

static memnet branch;
static handed inbox[64];
static int ninbox, handoffs;

static void to_branch(void *ctx, uint64_t branches, const char *room, unsigned slot,
                      uint64_t person, const uint8_t *pkt, size_t len, bool marker)
{
    (void)ctx;
    if (branches & (1u << 1))
        mj_sfu_inject(branch.sfu, branch.now, room, slot, person, pkt, len, marker, &branch.txq);
}

static void to_home(void *ctx, const mj_sfu_handoff *h, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    handoffs++;
    CHECK_EQ(h->home, 0);
    if (ninbox == 64 || len > sizeof inbox[0].pkt) return;
    handed *e = &inbox[ninbox++];
    e->h = *h;
    snprintf(e->room, sizeof e->room, "%s", h->room);
    e->h.room = e->room;
    memcpy(e->pkt, pkt, len);
    e->len = len;
}

static void deliver_inbox(void)
{
    for (int i = 0; i < ninbox; i++)
        mj_sfu_remote_packet(net.sfu, net.now, &inbox[i].h, inbox[i].pkt, inbox[i].len, &net.txq);
    ninbox = 0;
}

/* One 20 ms round on both workers. */
static void step_both(void)
{
    for (int i = 0; i < branch.n; i++)
        memnet_client_turn(&branch, branch.clients[i]);
    deliver_inbox();
    memnet_pump(&net, 0);
    mj_sfu_handle_timeouts(branch.sfu, branch.now, &branch.txq);
    mj_txq_flush(&branch.txq);
    net.now += MJ_MSEC(20);
    branch.now = net.now;
}

static void setup_large_room(void)
{
    ninbox = handoffs = 0;
    mj_sfu_config home_hooks = {.on_export = to_branch};
    mj_sfu_config branch_hooks = {.on_handoff = to_home};
    if (memnet_init_hooks(&net, server_id, client_id, 100, &home_hooks) != 0 ||
        memnet_init_hooks(&branch, server_id, client_id, 100, &branch_hooks) != 0)
        abort();
    net.on_rtp = heard_rtp;
    branch.on_rtp = heard_rtp;
    branch.now = net.now;
}

static heard_client *branch_visitor(uint64_t person)
{
    memnet_opts o = {.nslots = 3, .send = true, .person = person, .branch = true, .home = 0};
    heard_client *hc = heard_open(&made, &branch, &o);
    branch.now = net.now = net.now > branch.now ? net.now : branch.now;
    return hc;
}

static void say_on(memnet *n, heard_client *c, uint16_t seq, uint8_t level, uint8_t tag)
{
    memnet_speak(n, c->c, seq, level, tag);
}

TEST(a_visitor_on_a_branch_is_heard_on_the_home_and_on_branches)
{
    setup_large_room();
    heard_client *s = speaker();
    heard_client *lh = listener(3);
    REQUIRE(s && lh);
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "room1", 1u << 1), 0);
    memnet_opts lo = {.nslots = 3};
    heard_client *lb = heard_open(&made, &branch, &lo);
    heard_client *vb = branch_visitor(9);
    REQUIRE(lb && vb);
    uint16_t seq = 0;
    /* In the audience: refused on the branch, never handed over. */
    for (; seq < 20; seq++) {
        say(s, seq, 30, 0x51);
        say_on(&branch, vb, seq, 5, 0x9B);
        step_both();
    }
    CHECK_EQ(handoffs, 0);
    CHECK_EQ(mj_sfu_stats_get(branch.sfu)->drop_not_allowed, 20);
    CHECK_EQ(lh->h.by_tag[0x51], 20);
    CHECK_EQ(lb->h.by_tag[0x51], 20);
    CHECK_EQ(vb->h.by_tag[0x51], 20);
    /* On stage: decrypted on the branch, handed to the home, which puts it
     * in a slot like a local speaker and exports it back to the branch. */
    CHECK_EQ(mj_sfu_session_set_send(branch.sfu, vb->c->session, true), 0);
    for (int k = 0; k < 50; k++, seq++) {
        say(s, seq, 30, 0x51);
        say_on(&branch, vb, seq, 5, 0x9B);
        step_both();
    }
    CHECK_EQ(handoffs, 50);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->rx_remote, 50);
    CHECK_EQ(lh->h.by_tag[0x9B], 50);
    CHECK_EQ(lb->h.by_tag[0x9B], 50);
    CHECK_EQ(heard_slot_of(&lh->h, 0x9B), heard_slot_of(&lb->h, 0x9B));
    CHECK(!lb->h.seq_gap[heard_slot_of(&lb->h, 0x9B)]);
    CHECK_EQ(vb->h.by_tag[0x9B], 0); /* not even from the home */
    CHECK_EQ(vb->h.by_tag[0x51], 70);
    /* The home reports them speaking, under their person. */
    bool reported = false;
    mj_sfu_event ev;
    while (mj_sfu_poll_event(net.sfu, &ev))
        if (ev.kind == MJ_SFU_EV_LEVELS)
            for (int i = 0; i < ev.nlevels; i++)
                reported |= ev.levels[i].person == 9 && ev.levels[i].level <= 10;
    CHECK(reported);
    memnet_free(&branch);
    teardown();
}

TEST(a_stopped_branch_sender_is_not_heard_even_from_packets_on_their_way)
{
    setup_large_room();
    heard_client *lh = listener(3);
    REQUIRE(lh);
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "room1", 1u << 1), 0);
    memnet_opts lo = {.nslots = 3};
    heard_client *lb = heard_open(&made, &branch, &lo);
    heard_client *vb = branch_visitor(9);
    REQUIRE(lb && vb);
    CHECK_EQ(mj_sfu_session_set_send(branch.sfu, vb->c->session, true), 0);
    uint16_t seq = 0;
    for (; seq < 20; seq++) {
        say_on(&branch, vb, seq, 5, 0x9B);
        step_both();
    }
    CHECK_EQ(lh->h.by_tag[0x9B], 20);
    /* Packets handed over before the branch heard of the demotion are
     * still in the home's inbox when the home hears of it first. */
    for (int k = 0; k < 3; k++, seq++)
        say_on(&branch, vb, seq, 5, 0x9B);
    CHECK_EQ(ninbox, 3);
    mj_sfu_remote_set_send(net.sfu, net.now, "room1", vb->c->session, false);
    CHECK_EQ(mj_sfu_session_set_send(branch.sfu, vb->c->session, false), 0);
    uint64_t refused = mj_sfu_stats_get(net.sfu)->drop_not_allowed;
    for (int k = 0; k < 20; k++, seq++) {
        say_on(&branch, vb, seq, 0, 0x9B);
        step_both();
    }
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->drop_not_allowed, refused + 3);
    CHECK_EQ(mj_sfu_stats_get(branch.sfu)->drop_not_allowed, 20);
    CHECK_EQ(lh->h.by_tag[0x9B], 20);
    CHECK_EQ(lb->h.by_tag[0x9B], 20);
    /* Allowed again: the home hears of it first, then the branch. */
    mj_sfu_remote_set_send(net.sfu, net.now, "room1", vb->c->session, true);
    CHECK_EQ(mj_sfu_session_set_send(branch.sfu, vb->c->session, true), 0);
    for (int k = 0; k < 10; k++, seq++) {
        say_on(&branch, vb, seq, 5, 0x9B);
        step_both();
    }
    CHECK_EQ(lh->h.by_tag[0x9B], 30);
    CHECK_EQ(lb->h.by_tag[0x9B], 30);
    memnet_free(&branch);
    teardown();
}

TEST(handed_over_packets_for_no_room_or_from_no_one_go_nowhere)
{
    setup();
    heard_client *l = listener(3);
    REQUIRE(l);
    /* The plain RTP a branch hands over. */
    uint8_t pkt[64];
    mj_wbuf w;
    mj_wbuf_init(&w, pkt, sizeof pkt);
    mj_rtp_out o = {.pt = 111, .seq = 1, .ts = 960, .ssrc = 5};
    REQUIRE(mj_rtp_write(&w, &o) > 0);
    memset(mj_wbuf_reserve(&w, 20), 0x77, 20);
    mj_sfu_handoff h = {.room = "elsewhere", .sender = 5, .person = 5, .level = 5};
    mj_sfu_remote_packet(net.sfu, net.now, &h, pkt, w.len, &net.txq);
    h.room = "room1";
    h.sender = 0;
    mj_sfu_remote_packet(net.sfu, net.now, &h, pkt, w.len, &net.txq);
    h.sender = 5;
    mj_sfu_remote_packet(net.sfu, net.now, &h, pkt, 5, &net.txq);
    mj_txq_flush(&net.txq);
    CHECK_EQ(stats()->drop_remote, 3);
    CHECK_EQ(l->h.total, 0);
    /* A proper one is heard: the home trusts its branches. */
    mj_sfu_remote_packet(net.sfu, net.now, &h, pkt, w.len, &net.txq);
    mj_txq_flush(&net.txq);
    CHECK_EQ(l->h.by_tag[0x77], 1);
    teardown();
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        a_visitor_off_stage_is_neither_heard_nor_decrypted,
        a_visitor_allowed_to_send_is_heard_by_everyone_but_themself,
        demotion_or_mute_silences_a_person_from_their_next_packet,
        removing_a_speaker_frees_its_slot_at_once, a_removed_visitor_receives_nothing_more,
        what_may_send_means_for_sessions_without_a_microphone,
        a_visitor_on_a_branch_is_heard_on_the_home_and_on_branches,
        a_stopped_branch_sender_is_not_heard_even_from_packets_on_their_way,
        handed_over_packets_for_no_room_or_from_no_one_go_nowhere)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
