/* Scenario tests for the SFU core: client-role peers (the same rtc/ code
 * our bot uses) and the server-side SFU in one process, with no sockets:
 * ICE, DTLS and SRTP run for real and the "network" is a function that
 * hands each datagram to its addressee. Time is simulated, except for
 * OpenSSL's own DTLS retransmit clock, which no test here needs. */
#include "test.h"

#include "base/rand.h"
#include "proto/rtp.h"
#include "rtc/peer.h"
#include "sfu/sfu.h"

#define MAX_CLIENTS 8

typedef struct client {
    mj_peer peer;
    mj_addr addr;
    char ufrag[9], pwd[25];
    uint64_t session;
    bool deaf;         /* drops everything the server sends (to test consent) */
    int rx_rtp;
    int rx_by_ssrc[4]; /* per slot SSRC */
    uint32_t last_ssrc;
    uint16_t last_seq[4];
    bool seq_gap[4];
    uint8_t last_payload[4][64];
    size_t last_payload_len[4];
    bool marker_seen[4];
} client;

static mj_dtls_identity *server_id, *client_id;
static mj_sfu *sfu;
static mj_addr server_addr;
static client *clients[MAX_CLIENTS];
static int nclients;
static mj_time now;
static mj_txq txq;
static mj_tx tx_items[64];
static uint8_t tx_arena[64 * MJ_TXQ_SLOT_SIZE];
static uint64_t garbage_to_clients;

static client *client_at(const mj_addr *a)
{
    for (int i = 0; i < nclients; i++)
        if (mj_addr_eq(&clients[i]->addr, a))
            return clients[i];
    return NULL;
}

static void record_rtp(client *c, const uint8_t *p, size_t n)
{
    mj_rtp_hdr h;
    if (mj_rtp_parse(p, n, &h, NULL) != 0)
        return;
    int slot = (int)(h.ssrc - mj_sfu_slot_ssrc(0));
    c->rx_rtp++;
    c->last_ssrc = h.ssrc;
    if (slot < 0 || slot > 3)
        return;
    if (c->rx_by_ssrc[slot] && (uint16_t)(c->last_seq[slot] + 1) != h.seq)
        c->seq_gap[slot] = true;
    c->rx_by_ssrc[slot]++;
    c->last_seq[slot] = h.seq;
    c->marker_seen[slot] |= h.marker;
    size_t len = h.payload.n < 64 ? h.payload.n : 64;
    memcpy(c->last_payload[slot], h.payload.p, len);
    c->last_payload_len[slot] = len;
}

/* The server's transmit queue delivers straight to the clients. */
static void deliver(void *ctx, mj_txq *q)
{
    (void)ctx;
    for (unsigned i = 0; i < q->len; i++) {
        client *c = client_at(&q->items[i].to);
        if (!c) {
            garbage_to_clients++;
            continue;
        }
        if (c->deaf)
            continue;
        mj_peer_input in;
        if (mj_peer_handle_datagram(&c->peer, now, q->items[i].data, q->items[i].len,
                                    &server_addr, &in) == 0 &&
            in.kind == MJ_PEER_IN_RTP)
            record_rtp(c, in.data, in.len);
    }
    q->len = 0;
}

/* One round of the simulated network: every client sends what it has,
 * timers run, the server's batch is delivered; then time moves on. */
static void pump_once(mj_time step)
{
    for (int i = 0; i < nclients; i++) {
        client *c = clients[i];
        if (mj_peer_next_timeout(&c->peer, now) <= now)
            mj_peer_handle_timeout(&c->peer, now);
        uint8_t buf[1500];
        mj_addr to;
        long n;
        while ((n = mj_peer_poll_transmit(&c->peer, now, buf, sizeof buf, &to)) > 0)
            if (!c->deaf)
                mj_sfu_handle_datagram(sfu, now, buf, (size_t)n, &c->addr, &txq);
    }
    mj_sfu_handle_timeouts(sfu, now, &txq);
    mj_txq_flush(&txq);
    now += step;
}

static bool session_connected(uint64_t id)
{
    mj_sfu_session_info info;
    return mj_sfu_session_info_get(sfu, id, &info) == 0 && info.connected;
}

static client *connect_client(mj_sfu_role role, int nslots)
{
    client *c = calloc(1, sizeof *c);
    clients[nclients++] = c;
    mj_rand_alnum(c->ufrag, 8);
    mj_rand_alnum(c->pwd, 24);
    mj_addr_parse("10.0.0.2:5000", &c->addr);
    c->addr.port = (uint16_t)(5000 + nclients);

    mj_sfu_session_params p;
    memset(&p, 0, sizeof p);
    p.id = mj_rand_u64();
    c->session = p.id;
    snprintf(p.room, sizeof p.room, "room1");
    p.role = role;
    mj_rand_alnum(p.local_ufrag, 8);
    mj_rand_alnum(p.local_pwd, 24);
    memcpy(p.remote_ufrag, c->ufrag, sizeof c->ufrag);
    memcpy(p.remote_pwd, c->pwd, sizeof c->pwd);
    const char *cfp = mj_dtls_identity_fingerprint(client_id);
    int fplen = mj_dtls_fingerprint_parse(cfp, strlen(cfp), p.remote_fp_alg,
                                          sizeof p.remote_fp_alg, p.remote_fp,
                                          sizeof p.remote_fp);
    p.remote_fp_len = (uint8_t)fplen;
    p.opus_pt = 111;
    p.audio_level_id = role == MJ_SFU_PUBLISHER ? 1 : 0;
    p.nslots = (uint8_t)(role == MJ_SFU_SUBSCRIBER ? nslots : 0);
    if (mj_sfu_session_add(sfu, now, &p) != 0)
        return NULL;

    char alg[16];
    uint8_t sfp[64];
    const char *sfps = mj_dtls_identity_fingerprint(server_id);
    int slen = mj_dtls_fingerprint_parse(sfps, strlen(sfps), alg, sizeof alg, sfp, sizeof sfp);
    mj_peer_config pc = {
        .is_server = false,
        .local_ufrag = c->ufrag,
        .local_pwd = c->pwd,
        .remote_ufrag = p.local_ufrag,
        .remote_pwd = p.local_pwd,
        .identity = client_id,
        .remote_fp_alg = alg,
        .remote_fp = sfp,
        .remote_fp_len = (size_t)slen,
    };
    if (mj_peer_init(&c->peer, &pc, now) != 0 ||
        mj_peer_add_remote_candidate(&c->peer, &server_addr, 2130706431) != 0)
        return NULL;
    for (int i = 0; i < 400 && !(mj_peer_media_ready(&c->peer) && session_connected(c->session));
         i++)
        pump_once(MJ_MSEC(5));
    return mj_peer_media_ready(&c->peer) && session_connected(c->session) ? c : NULL;
}

/* A speaker sends one Opus-like packet: payload bytes tag the sender. */
static void speak(client *c, uint16_t seq, uint8_t level, uint8_t tag)
{
    uint8_t buf[1500];
    mj_wbuf w;
    mj_wbuf_init(&w, buf, sizeof buf);
    mj_rtp_out o = {.pt = 111, .seq = seq, .ts = (uint32_t)seq * 960, .ssrc = 0x1000 + tag,
                    .level_id = 1, .level = level};
    if (mj_rtp_write(&w, &o) < 0)
        return;
    uint8_t payload[40];
    memset(payload, tag, sizeof payload);
    mj_wbuf_put(&w, payload, sizeof payload);
    long n = mj_peer_protect_rtp(&c->peer, buf, w.len, sizeof buf);
    if (n > 0)
        mj_sfu_handle_datagram(sfu, now, buf, (size_t)n, &c->addr, &txq);
}

static void setup(void)
{
    nclients = 0;
    now = MJ_SEC(1000);
    garbage_to_clients = 0;
    mj_addr_parse("10.0.0.1:40000", &server_addr);
    mj_sfu_config cfg = {.identity = server_id, .max_sessions = 100};
    if (mj_sfu_new(&cfg, &sfu) != 0)
        abort();
    mj_txq_init(&txq, tx_items, tx_arena, 64, deliver, NULL);
}

static void teardown(void)
{
    mj_sfu_free(sfu);
    for (int i = 0; i < nclients; i++) {
        mj_peer_dispose(&clients[i]->peer);
        free(clients[i]);
    }
    nclients = 0;
}

TEST(speaker_reaches_every_listener_on_slot_zero)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l1 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    client *l2 = connect_client(MJ_SFU_SUBSCRIBER, 1);
    REQUIRE(a && l1 && l2);
    for (uint16_t s = 0; s < 50; s++) {
        speak(a, (uint16_t)(65500 + s), 10, 0xA1); /* crosses the 16-bit wrap */
        pump_once(MJ_MSEC(20));
    }
    for (int i = 1; i <= 2; i++) {
        client *l = clients[i];
        CHECK_EQ(l->rx_by_ssrc[0], 50);
        CHECK(!l->seq_gap[0]);
        CHECK(l->marker_seen[0]);
        CHECK_EQ(l->last_payload_len[0], 40);
        CHECK_EQ(l->last_payload[0][0], 0xA1);
        CHECK_EQ(l->rx_rtp, 50);
    }
    CHECK_EQ(a->rx_rtp, 0); /* speakers are not listeners */
    CHECK_EQ(mj_sfu_stats_get(sfu)->fwd_packets, 100);
    CHECK_EQ(mj_sfu_stats_get(sfu)->fwd_errors, 0);
    teardown();
}

TEST(two_speakers_fill_two_slots_and_one_slot_listeners_hear_the_first)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *b = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l3 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    client *l1 = connect_client(MJ_SFU_SUBSCRIBER, 1);
    REQUIRE(a && b && l3 && l1);
    for (uint16_t s = 0; s < 30; s++) {
        speak(a, (uint16_t)(1000 + s), 20, 0xA1);
        speak(b, (uint16_t)(7000 + s), 20, 0xB2);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l3->rx_by_ssrc[0], 30);
    CHECK_EQ(l3->rx_by_ssrc[1], 30);
    CHECK_EQ(l3->last_payload[0][0], 0xA1);
    CHECK_EQ(l3->last_payload[1][0], 0xB2);
    CHECK_EQ(l1->rx_by_ssrc[0], 30);
    CHECK_EQ(l1->rx_by_ssrc[1], 0);
    CHECK_EQ(l1->last_payload[0][0], 0xA1);
    teardown();
}

TEST(quiet_speakers_do_not_take_slots)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(a && l);
    for (uint16_t s = 0; s < 20; s++) {
        speak(a, s, 127, 0xA1); /* RFC 6464 127 = silence */
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->rx_rtp, 0);
    speak(a, 20, 5, 0xA1);
    pump_once(MJ_MSEC(20));
    CHECK_EQ(l->rx_rtp, 1);
    /* Once in a slot, quiet packets still flow (comfort noise, pauses). */
    speak(a, 21, 127, 0xA1);
    pump_once(MJ_MSEC(20));
    CHECK_EQ(l->rx_rtp, 2);
    teardown();
}

TEST(a_fourth_speaker_takes_the_slot_of_one_quiet_long_enough)
{
    setup();
    client *sp[4];
    for (int i = 0; i < 4; i++)
        sp[i] = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(sp[0] && sp[1] && sp[2] && sp[3] && l);
    uint16_t seq = 0;
    /* Three speakers hold the three slots; the fourth cannot get in. */
    for (int k = 0; k < 20; k++, seq++) {
        for (int i = 0; i < 4; i++)
            speak(sp[i], (uint16_t)(seq + 100 * i), 10, (uint8_t)(0xC0 + i));
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->rx_by_ssrc[0] + l->rx_by_ssrc[1] + l->rx_by_ssrc[2], 60);
    uint16_t slot1_last = l->last_seq[1];
    CHECK_EQ(l->last_payload[1][0], 0xC1);
    /* Speaker 1 goes quiet for two seconds; 3 keeps talking and takes over
     * slot 1, which continues without a sequence gap, with a marker. */
    l->marker_seen[1] = false;
    for (int k = 0; k < 100; k++, seq++) {
        speak(sp[0], seq, 10, 0xC0);
        speak(sp[1], (uint16_t)(seq + 100), 127, 0xC1);
        speak(sp[2], (uint16_t)(seq + 200), 10, 0xC2);
        speak(sp[3], (uint16_t)(seq + 300), 10, 0xC3);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->last_payload[1][0], 0xC3);
    CHECK(!l->seq_gap[1]);
    CHECK(l->marker_seen[1]);
    CHECK(mj_seq_newer(l->last_seq[1], slot1_last));
    CHECK_EQ(l->last_payload[0][0], 0xC0);
    CHECK_EQ(l->last_payload[2][0], 0xC2);
    teardown();
}

TEST(a_removed_listener_receives_nothing_more)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l1 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    client *l2 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(a && l1 && l2);
    for (uint16_t s = 0; s < 10; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(mj_sfu_session_remove(sfu, l1->session), 0);
    CHECK_EQ(mj_sfu_session_remove(sfu, l1->session), MJ_ENOTFOUND);
    int before = l1->rx_rtp;
    for (uint16_t s = 10; s < 60; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l1->rx_rtp, before);
    CHECK_EQ(l2->rx_rtp, 60);
    /* Its datagrams no longer reach any session. */
    uint64_t no_session = mj_sfu_stats_get(sfu)->drop_no_session;
    pump_once(MJ_SEC(6)); /* a consent check from l1 */
    for (int i = 0; i < 10; i++)
        pump_once(MJ_MSEC(5));
    CHECK(mj_sfu_stats_get(sfu)->drop_no_session > no_session);
    teardown();
}

TEST(a_listeners_audio_is_never_forwarded)
{
    setup();
    client *l1 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    client *l2 = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(l1 && l2);
    uint64_t dropped = mj_sfu_stats_get(sfu)->drop_rtp;
    for (uint16_t s = 0; s < 10; s++) {
        speak(l1, s, 0, 0xEE);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l2->rx_rtp, 0);
    CHECK_EQ(mj_sfu_stats_get(sfu)->drop_rtp, dropped + 10);
    teardown();
}

TEST(garbage_is_counted_and_sessions_carry_on)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(a && l);
    mj_addr stranger;
    mj_addr_parse("10.9.9.9:9999", &stranger);
    uint8_t junk[1500];
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(mj_rand_u32() % sizeof junk);
        mj_rand_bytes(junk, n);
        if (i % 4 == 0 && n > 0)
            junk[0] = (uint8_t)(i % 3 == 0 ? 0x00 : i % 3 == 1 ? 0x16 : 0x80);
        /* From a stranger and from the speaker's own address. */
        mj_sfu_handle_datagram(sfu, now, junk, n, i % 2 ? &stranger : &a->addr, &txq);
    }
    mj_txq_flush(&txq);
    const mj_sfu_stats *st = mj_sfu_stats_get(sfu);
    CHECK(st->drop_unknown + st->drop_no_session + st->drop_stun + st->drop_dtls +
              st->drop_srtp_auth + st->drop_rtp >
          1900);
    CHECK_EQ(st->sessions_active, 2);
    for (uint16_t s = 0; s < 10; s++) {
        speak(a, s, 10, 0xA1);
        pump_once(MJ_MSEC(20));
    }
    CHECK_EQ(l->rx_rtp, 10);
    teardown();
}

TEST(consent_expires_thirty_seconds_after_the_last_check)
{
    setup();
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    client *l = connect_client(MJ_SFU_SUBSCRIBER, 3);
    REQUIRE(a && l);
    /* Drain the CONNECTED events. */
    mj_sfu_event ev;
    while (mj_sfu_poll_event(sfu, &ev)) {
    }
    l->deaf = true; /* the listener vanishes without a word */
    bool closed = false;
    mj_time start = now;
    while (!closed && now - start < MJ_SEC(40)) {
        pump_once(MJ_MSEC(500));
        while (mj_sfu_poll_event(sfu, &ev))
            if (ev.kind == MJ_SFU_EV_CLOSED && ev.session_id == l->session) {
                closed = true;
                CHECK_STR(ev.reason, "consent expired");
            }
    }
    CHECK(closed);
    CHECK(now - start >= MJ_SEC(25));
    CHECK(now - start <= MJ_SEC(31));
    /* The speaker, which kept answering, is still there. */
    mj_sfu_session_info info;
    CHECK_EQ(mj_sfu_session_info_get(sfu, a->session, &info), 0);
    CHECK_EQ(mj_sfu_session_info_get(sfu, l->session, &info), MJ_ENOTFOUND);
    teardown();
}

TEST(bad_session_parameters_are_refused)
{
    setup();
    mj_sfu_session_params p;
    memset(&p, 0, sizeof p);
    CHECK_EQ(mj_sfu_session_add(sfu, now, &p), MJ_EINVAL);
    client *a = connect_client(MJ_SFU_PUBLISHER, 0);
    REQUIRE(a);
    teardown();
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {
        MJ_TEST_LIST(speaker_reaches_every_listener_on_slot_zero,
                     two_speakers_fill_two_slots_and_one_slot_listeners_hear_the_first,
                     quiet_speakers_do_not_take_slots,
                     a_fourth_speaker_takes_the_slot_of_one_quiet_long_enough,
                     a_removed_listener_receives_nothing_more, a_listeners_audio_is_never_forwarded,
                     garbage_is_counted_and_sessions_carry_on,
                     consent_expires_thirty_seconds_after_the_last_check,
                     bad_session_parameters_are_refused)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
