/* Scenario tests for the SFU core: client-role peers (the same rtc/ code
 * our bot uses) and the server-side SFU in one process, with no sockets:
 * ICE, DTLS and SRTP run for real and the "network" is a function that
 * hands each datagram to its addressee. Time is simulated, except for
 * OpenSSL's own DTLS retransmit clock, which no test here needs. */
#include "test.h"

#include "memnet.h"

/* What a client received, per slot SSRC. */
typedef struct rec {
    int rx_rtp;
    int rx_by_ssrc[4];
    uint16_t last_seq[4];
    bool seq_gap[4];
    uint8_t last_payload[4][64];
    size_t last_payload_len[4];
    bool marker_seen[4];
} rec;

typedef struct client {
    memnet_client *c;
    rec r;
} client;

static mj_dtls_identity *server_id, *client_id;
static memnet net;
static client *clients[16];
static int nclients;

static void record_rtp(memnet *n, memnet_client *mc, const uint8_t *p, size_t len)
{
    (void)n;
    rec *c = mc->user;
    mj_rtp_hdr h;
    if (mj_rtp_parse(p, len, &h, NULL) != 0) return;
    int slot = (int)(h.ssrc - mj_sfu_slot_ssrc(0));
    c->rx_rtp++;
    if (slot < 0 || slot > 3) return;
    if (c->rx_by_ssrc[slot] && (uint16_t)(c->last_seq[slot] + 1) != h.seq) c->seq_gap[slot] = true;
    c->rx_by_ssrc[slot]++;
    c->last_seq[slot] = h.seq;
    c->marker_seen[slot] |= h.marker;
    size_t take = h.payload.n < 64 ? h.payload.n : 64;
    memcpy(c->last_payload[slot], h.payload.p, take);
    c->last_payload_len[slot] = take;
}

static void setup(void)
{
    nclients = 0;
    if (memnet_init(&net, server_id, client_id, 100) != 0) abort();
    net.on_rtp = record_rtp;
}

static void teardown(void)
{
    memnet_free(&net);
    for (int i = 0; i < nclients; i++)
        free(clients[i]);
    nclients = 0;
}

/* Gives a connected client a receive record, reached as cl->r. */
static client *adopt(memnet_client *mc)
{
    if (!mc) return NULL;
    client *cl = calloc(1, sizeof *cl);
    cl->c = mc;
    mc->user = &cl->r;
    clients[nclients++] = cl;
    return cl;
}

static client *speaker(void)
{
    return adopt(memnet_speaker(&net, "room1"));
}

static client *listener(int nslots)
{
    return adopt(memnet_listener(&net, nslots, "room1"));
}

static void speak(client *cl, uint16_t seq, uint8_t level, uint8_t tag)
{
    memnet_speak(&net, cl->c, seq, level, tag);
}

static void pump_once(mj_time step)
{
    memnet_pump(&net, step);
}

TEST(speaker_reaches_every_listener_on_slot_zero)
{
    setup();
    client *a = speaker();
    client *l1 = listener(3);
    client *l2 = listener(1);
    REQUIRE(a && l1 && l2);
    for (uint16_t s = 0; s < 50; s++) {
        speak(a, (uint16_t)(65500 + s), 10, 0xA1); /* crosses the 16-bit wrap */
        pump_once(MJ_MSEC(20));
    }
    for (int i = 1; i <= 2; i++) {
        client *l = clients[i];
        CHECK_EQ(l->r.rx_by_ssrc[0], 50);
        CHECK(!l->r.seq_gap[0]);
        CHECK(l->r.marker_seen[0]);
        CHECK_EQ(l->r.last_payload_len[0], 40);
        CHECK_EQ(l->r.last_payload[0][0], 0xA1);
        CHECK_EQ(l->r.rx_rtp, 50);
    }
    CHECK_EQ(a->r.rx_rtp, 0); /* speakers are not listeners */
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->fwd_packets, 100);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->fwd_errors, 0);
    teardown();
}

TEST(two_speakers_fill_two_slots_and_one_slot_listeners_hear_the_first)
{
    setup();
    client *a = speaker();
    client *b = speaker();
    client *l3 = listener(3);
    client *l1 = listener(1);
    REQUIRE(a && b && l3 && l1);
    for (uint16_t s = 0; s < 30; s++) {
        speak(a, (uint16_t)(1000 + s), 20, 0xA1);
        speak(b, (uint16_t)(7000 + s), 20, 0xB2);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l3->r.rx_by_ssrc[0], 30);
    CHECK_EQ(l3->r.rx_by_ssrc[1], 30);
    CHECK_EQ(l3->r.last_payload[0][0], 0xA1);
    CHECK_EQ(l3->r.last_payload[1][0], 0xB2);
    CHECK_EQ(l1->r.rx_by_ssrc[0], 30);
    CHECK_EQ(l1->r.rx_by_ssrc[1], 0);
    CHECK_EQ(l1->r.last_payload[0][0], 0xA1);
    teardown();
}

TEST(quiet_speakers_do_not_take_slots)
{
    setup();
    client *a = speaker();
    client *l = listener(3);
    REQUIRE(a && l);
    for (uint16_t s = 0; s < 20; s++) {
        speak(a, s, 127, 0xA1); /* RFC 6464 127 = silence */
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.rx_rtp, 0);
    speak(a, 20, 5, 0xA1);
    pump_once(MJ_MSEC(20));
    CHECK_EQ(l->r.rx_rtp, 1);
    /* Once in a slot, quiet packets still flow (comfort noise, pauses). */
    speak(a, 21, 127, 0xA1);
    pump_once(MJ_MSEC(20));
    CHECK_EQ(l->r.rx_rtp, 2);
    teardown();
}

TEST(a_fourth_speaker_takes_the_slot_of_one_quiet_long_enough)
{
    setup();
    client *sp[4];
    for (int i = 0; i < 4; i++)
        sp[i] = speaker();
    client *l = listener(3);
    REQUIRE(sp[0] && sp[1] && sp[2] && sp[3] && l);
    uint16_t seq = 0;
    /* Three speakers hold the three slots; the fourth cannot get in. */
    for (int k = 0; k < 20; k++, seq++) {
        for (int i = 0; i < 4; i++)
            speak(sp[i], (uint16_t)(seq + 100 * i), 10, (uint8_t)(0xC0 + i));
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.rx_by_ssrc[0] + l->r.rx_by_ssrc[1] + l->r.rx_by_ssrc[2], 60);
    uint16_t slot1_last = l->r.last_seq[1];
    CHECK_EQ(l->r.last_payload[1][0], 0xC1);
    /* Speaker 1 goes quiet for two seconds; 3 keeps talking and takes over
     * slot 1, which continues without a sequence gap, with a marker. */
    l->r.marker_seen[1] = false;
    for (int k = 0; k < 100; k++, seq++) {
        speak(sp[0], seq, 10, 0xC0);
        speak(sp[1], (uint16_t)(seq + 100), 127, 0xC1);
        speak(sp[2], (uint16_t)(seq + 200), 10, 0xC2);
        speak(sp[3], (uint16_t)(seq + 300), 10, 0xC3);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.last_payload[1][0], 0xC3);
    CHECK(!l->r.seq_gap[1]);
    CHECK(l->r.marker_seen[1]);
    CHECK(mj_seq_newer(l->r.last_seq[1], slot1_last));
    CHECK_EQ(l->r.last_payload[0][0], 0xC0);
    CHECK_EQ(l->r.last_payload[2][0], 0xC2);
    teardown();
}

TEST(a_removed_listener_receives_nothing_more)
{
    setup();
    client *a = speaker();
    client *l1 = listener(3);
    client *l2 = listener(3);
    REQUIRE(a && l1 && l2);
    for (uint16_t s = 0; s < 10; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(mj_sfu_session_remove(net.sfu, l1->c->session), 0);
    CHECK_EQ(mj_sfu_session_remove(net.sfu, l1->c->session), MJ_ENOTFOUND);
    int before = l1->r.rx_rtp;
    for (uint16_t s = 10; s < 60; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l1->r.rx_rtp, before);
    CHECK_EQ(l2->r.rx_rtp, 60);
    /* Its datagrams no longer reach any session. */
    uint64_t no_session = mj_sfu_stats_get(net.sfu)->drop_no_session;
    pump_once(MJ_SEC(6)); /* a consent check from l1 */
    for (int i = 0; i < 10; i++)
        pump_once(MJ_MSEC(5));
    CHECK(mj_sfu_stats_get(net.sfu)->drop_no_session > no_session);
    teardown();
}

TEST(a_listeners_audio_is_never_forwarded)
{
    setup();
    client *l1 = listener(3);
    client *l2 = listener(3);
    REQUIRE(l1 && l2);
    uint64_t dropped = mj_sfu_stats_get(net.sfu)->drop_rtp;
    uint64_t refused = mj_sfu_stats_get(net.sfu)->drop_not_allowed;
    for (uint16_t s = 0; s < 10; s++) {
        speak(l1, s, 0, 0xEE);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l2->r.rx_rtp, 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->drop_not_allowed, refused + 10);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->drop_rtp, dropped);
    teardown();
}

TEST(garbage_is_counted_and_sessions_carry_on)
{
    setup();
    client *a = speaker();
    client *l = listener(3);
    REQUIRE(a && l);
    mj_addr stranger;
    mj_addr_parse("10.9.9.9:9999", &stranger);
    uint8_t junk[1500];
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(mj_rand_u32() % sizeof junk);
        mj_rand_bytes(junk, n);
        if (i % 4 == 0 && n > 0) junk[0] = (uint8_t)(i % 3 == 0 ? 0x00 : i % 3 == 1 ? 0x16 : 0x80);
        /* From a stranger and from the speaker's own address. */
        mj_sfu_handle_datagram(net.sfu, net.now, junk, n, i % 2 ? &stranger : &a->c->addr,
                               &net.txq);
    }
    mj_txq_flush(&net.txq);
    const mj_sfu_stats *st = mj_sfu_stats_get(net.sfu);
    CHECK(st->drop_unknown + st->drop_no_session + st->drop_stun + st->drop_dtls +
              st->drop_srtp_auth + st->drop_rtp >
          1900);
    CHECK_EQ(st->sessions_active, 2);
    for (uint16_t s = 0; s < 10; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.rx_rtp, 10);
    teardown();
}

TEST(consent_expires_thirty_seconds_after_the_last_check)
{
    setup();
    client *a = speaker();
    client *l = listener(3);
    REQUIRE(a && l);
    /* Drain the CONNECTED events. */
    mj_sfu_event ev;
    while (mj_sfu_poll_event(net.sfu, &ev)) {}
    l->c->deaf = true; /* the listener vanishes without a word */
    bool closed = false;
    mj_time start = net.now;
    while (!closed && net.now - start < MJ_SEC(40)) {
        pump_once(MJ_MSEC(500));
        while (mj_sfu_poll_event(net.sfu, &ev))
            if (ev.kind == MJ_SFU_EV_CLOSED && ev.session_id == l->c->session) {
                closed = true;
                CHECK_STR(ev.reason, "consent expired");
            }
    }
    CHECK(closed);
    CHECK(net.now - start >= MJ_SEC(25));
    CHECK(net.now - start <= MJ_SEC(31));
    /* The speaker, which kept answering, is still there. */
    mj_sfu_session_info info;
    CHECK_EQ(mj_sfu_session_info_get(net.sfu, a->c->session, &info), 0);
    CHECK_EQ(mj_sfu_session_info_get(net.sfu, l->c->session, &info), MJ_ENOTFOUND);
    teardown();
}

/* An ICE-TCP connection that closes (the shell's word) ends the session
 * it carried, and only that one. */
TEST(a_closed_connection_ends_its_session)
{
    setup();
    client *a = speaker();
    client *l = listener(3);
    REQUIRE(a && l);
    mj_sfu_event ev;
    while (mj_sfu_poll_event(net.sfu, &ev)) {}
    CHECK(mj_sfu_addr_routed(net.sfu, net.now, &l->c->addr));
    mj_addr other = l->c->addr;
    other.tcp = !other.tcp; /* the same IP and port over the other transport */
    CHECK(!mj_sfu_addr_routed(net.sfu, net.now, &other));
    mj_sfu_addr_closed(net.sfu, net.now, &other, &net.txq); /* routed nowhere: nothing */
    CHECK(!mj_sfu_poll_event(net.sfu, &ev));
    mj_sfu_addr_closed(net.sfu, net.now, &l->c->addr, &net.txq);
    bool closed = false;
    while (mj_sfu_poll_event(net.sfu, &ev))
        if (ev.kind == MJ_SFU_EV_CLOSED && ev.session_id == l->c->session) {
            closed = true;
            CHECK_STR(ev.reason, "transport closed");
        }
    CHECK(closed);
    CHECK(!mj_sfu_addr_routed(net.sfu, net.now, &l->c->addr));
    mj_sfu_session_info info;
    CHECK_EQ(mj_sfu_session_info_get(net.sfu, l->c->session, &info), MJ_ENOTFOUND);
    CHECK_EQ(mj_sfu_session_info_get(net.sfu, a->c->session, &info), 0);
    CHECK(mj_sfu_addr_routed(net.sfu, net.now, &a->c->addr));
    /* Routed only while its checks keep coming: a pair the browser
     * pruned lets its connection go. */
    CHECK(!mj_sfu_addr_routed(net.sfu, net.now + MJ_SFU_ADDR_HOLD, &a->c->addr));
    teardown();
}

/* A check made by cl's own peer (its credentials) but sent from `as`: what
 * an attacker who can forge source addresses sends. */
static void spoofed_check(client *cl, const mj_addr *as)
{
    cl->c->peer.ice.next_consent = net.now;
    mj_peer_handle_timeout(&cl->c->peer, net.now);
    uint8_t buf[1500];
    mj_addr to;
    long n;
    int sent = 0;
    while ((n = mj_peer_poll_transmit(&cl->c->peer, net.now, buf, sizeof buf, &to)) > 0) {
        mj_sfu_handle_datagram(net.sfu, net.now, buf, (size_t)n, as, &net.txq);
        sent++;
    }
    CHECK(sent > 0);
    mj_txq_flush(&net.txq);
}

TEST(a_spoofed_check_cannot_take_a_live_speakers_address)
{
    setup();
    client *spk = speaker();
    client *l = listener(1);
    client *attacker = listener(1);
    REQUIRE(spk && l && attacker);
    spoofed_check(attacker, &spk->c->addr);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->drop_addr_taken, 1);
    for (uint16_t seq = 1; seq <= 20; seq++) {
        speak(spk, seq, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.rx_by_ssrc[0], 20); /* the speaker is still heard */
    CHECK_EQ(attacker->r.rx_by_ssrc[0], 20);
    /* Nothing for the attacker's session went to the speaker's address. */
    CHECK_EQ(spk->r.rx_rtp, 0);
    teardown();
}

TEST(an_address_whose_session_stopped_checking_passes_to_the_next)
{
    setup();
    client *spk = speaker();
    client *l = listener(1);
    client *next = listener(1);
    REQUIRE(spk && l && next);
    spk->c->deaf = true; /* its NAT handed the port on; it checks no more */
    mj_time start = net.now;
    while (net.now - start < MJ_SFU_ADDR_HOLD + MJ_SEC(1))
        pump_once(MJ_MSEC(500));
    spoofed_check(next, &spk->c->addr); /* the port's new user */
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->drop_addr_taken, 0);
    /* What comes from that address now belongs to the new session, a
     * listener, so the old speaker's packets are no longer forwarded. */
    int before = l->r.rx_rtp;
    spk->c->deaf = false;
    for (uint16_t seq = 1; seq <= 5; seq++) {
        speak(spk, seq, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->r.rx_rtp, before);
    teardown();
}

TEST(a_session_that_never_connects_is_closed_after_the_connect_timeout)
{
    setup();
    memnet_client ghost;
    memset(&ghost, 0, sizeof ghost);
    mj_rand_alnum(ghost.ufrag, 8);
    mj_rand_alnum(ghost.pwd, 24);
    mj_sfu_session_params p;
    memnet_opts o = {.nslots = 1};
    REQUIRE(memnet_params(&net, &ghost, &o, &p) == 0);
    CHECK_EQ(mj_sfu_session_add(net.sfu, net.now, &p), 0);
    mj_time start = net.now;
    bool closed = false;
    mj_sfu_event ev;
    while (!closed && net.now - start < MJ_SEC(40)) {
        pump_once(MJ_MSEC(500));
        while (mj_sfu_poll_event(net.sfu, &ev))
            if (ev.kind == MJ_SFU_EV_CLOSED && ev.session_id == p.id) {
                closed = true;
                CHECK_STR(ev.reason, "not connected in time");
            }
    }
    CHECK(closed);
    CHECK(net.now - start >= MJ_SFU_CONNECT_TIMEOUT);
    CHECK(net.now - start <= MJ_SFU_CONNECT_TIMEOUT + MJ_SEC(1));
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->sessions_active, 0);
    teardown();
}

TEST(bad_session_parameters_are_refused)
{
    setup();
    mj_sfu_session_params p;
    memset(&p, 0, sizeof p);
    CHECK_EQ(mj_sfu_session_add(net.sfu, net.now, &p), MJ_EINVAL);
    client *a = speaker();
    REQUIRE(a);
    teardown();
}

/* A second SFU plays a branch worker: the home SFU's exports are injected
 * into it directly, as the worker shell does through its queues. */
static memnet branch;
static int exports;
static uint64_t export_mask;

static void export_to_branch(void *ctx, uint64_t branches, const char *room, unsigned slot,
                             uint64_t person, const uint8_t *pkt, size_t len, bool marker)
{
    (void)ctx;
    exports++;
    export_mask = branches;
    mj_sfu_inject(branch.sfu, branch.now, room, slot, person, pkt, len, marker, &branch.txq);
}

TEST(a_branch_worker_serves_its_share_of_a_room)
{
    nclients = 0;
    REQUIRE(memnet_init_export(&net, server_id, client_id, 100, export_to_branch, NULL) == 0);
    REQUIRE(memnet_init(&branch, server_id, client_id, 100) == 0);
    net.on_rtp = record_rtp;
    branch.on_rtp = record_rtp;
    client *a = speaker();
    client *home_l = listener(3);
    REQUIRE(a && home_l);
    /* A listener of the same room on the branch. */
    memnet_client *bc = memnet_listener(&branch, 3, "room1");
    REQUIRE(bc);
    client far = {.c = bc};
    bc->user = &far.r;
    /* Without a branch set nothing is exported. */
    for (uint16_t s = 0; s < 5; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(exports, 0);
    CHECK_EQ(far.r.rx_rtp, 0);
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "room1", 1u << 1), 0);
    /* A home keeps a room that has branches even with no session of its
     * own, until the branches go. */
    uint64_t rooms = mj_sfu_stats_get(net.sfu)->rooms_active;
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "only-branches", 1u << 1), 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->rooms_active, rooms + 1);
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "only-branches", 0), 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->rooms_active, rooms);
    CHECK_EQ(mj_sfu_room_branches(net.sfu, "no-such-room", 0), 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->rooms_active, rooms);
    for (uint16_t s = 5; s < 45; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
        mj_txq_flush(&branch.txq);
    }
    CHECK_EQ(exports, 40);
    CHECK_EQ(export_mask, 1u << 1);
    /* The branch's listener gets the same stream, decrypted with its own
     * keys: same SSRC, consecutive sequence numbers, the sender's bytes. */
    CHECK_EQ(far.r.rx_by_ssrc[0], 40);
    CHECK(!far.r.seq_gap[0]);
    CHECK_EQ(far.r.last_seq[0], home_l->r.last_seq[0]);
    CHECK_EQ(far.r.last_payload[0][0], 0xA1);
    CHECK_EQ(mj_sfu_stats_get(branch.sfu)->fwd_packets, 40);
    /* Junk injections are ignored. */
    uint8_t junk[8] = {0};
    mj_sfu_inject(branch.sfu, branch.now, "room1", 7, 1, junk, sizeof junk, false, &branch.txq);
    mj_sfu_inject(branch.sfu, branch.now, "elsewhere", 0, 1, junk, sizeof junk, false, &branch.txq);
    CHECK_EQ(mj_sfu_stats_get(branch.sfu)->fwd_packets, 40);
    memnet_free(&branch);
    teardown();
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        speaker_reaches_every_listener_on_slot_zero,
        two_speakers_fill_two_slots_and_one_slot_listeners_hear_the_first,
        quiet_speakers_do_not_take_slots, a_fourth_speaker_takes_the_slot_of_one_quiet_long_enough,
        a_removed_listener_receives_nothing_more, a_listeners_audio_is_never_forwarded,
        garbage_is_counted_and_sessions_carry_on,
        consent_expires_thirty_seconds_after_the_last_check, bad_session_parameters_are_refused,
        a_spoofed_check_cannot_take_a_live_speakers_address,
        an_address_whose_session_stopped_checking_passes_to_the_next,
        a_session_that_never_connects_is_closed_after_the_connect_timeout,
        a_branch_worker_serves_its_share_of_a_room, a_closed_connection_ends_its_session)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
