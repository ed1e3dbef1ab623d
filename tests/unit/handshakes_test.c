/* Tests for rtc/handshakes: the server's DTLS handshakes kept apart from
 * its peers. An SFU whose sessions are made with external DTLS hands its
 * handshake traffic to a table, as a media worker hands it to the
 * handshake threads; here the "threads" are queues drained between turns,
 * so the order of events is the one the real queues give (the SFU never
 * calls into the table, nor the table into the SFU, directly). Client
 * peers run their own handshakes, as browsers do. */
#include "test.h"

#include "memnet.h"
#include "rtc/handshakes.h"

static mj_dtls_identity *server_id, *client_id;

#define QMAX 256

/* What the SFU told the table. */
typedef struct to_table {
    mj_sfu_hs_kind kind;
    uint64_t id;
    mj_addr from;
    char fp_alg[16];
    uint8_t fp[MJ_DTLS_FP_MAX];
    size_t fp_len;
    uint8_t data[2048];
    size_t len;
} to_table;

/* What the table told the SFU. */
typedef struct to_sfu {
    uint64_t id;
    bool keyed, closed;
    mj_srtp_keys keys;
} to_sfu;

typedef struct rig {
    memnet net; /* first: the memnet callbacks find the rig from it */
    mj_handshakes *table;
    to_table q[QMAX];
    int nq;
    to_sfu back[QMAX];
    int nback;
    bool corrupt_fp; /* the next session's fingerprint is wrong */
    int sent;        /* datagrams the table sent */
    uint32_t routes; /* bit per route seen in the table's output */
    int rx_rtp;      /* RTP packets clients received */
} rig;

static void on_handshake(void *ctx, const mj_sfu_hs *m)
{
    rig *r = ctx;
    if (r->nq == QMAX) {
        MJ_TEST_FAIL("handshake queue full");
        return;
    }
    to_table *t = &r->q[r->nq++];
    memset(t, 0, sizeof *t);
    t->kind = m->kind;
    t->id = m->session;
    if (m->kind == MJ_SFU_HS_OPEN) {
        snprintf(t->fp_alg, sizeof t->fp_alg, "%s", m->fp_alg);
        memcpy(t->fp, m->fp, m->fp_len);
        t->fp_len = m->fp_len;
        if (r->corrupt_fp) {
            t->fp[0] ^= 0x55;
            r->corrupt_fp = false;
        }
    } else if (m->kind == MJ_SFU_HS_DATAGRAM) {
        t->from = *m->from;
        memcpy(t->data, m->data, m->len);
        t->len = m->len;
    }
}

static void table_send(void *ctx, uint32_t route, const mj_addr *to, const uint8_t *d, size_t n)
{
    rig *r = ctx;
    r->sent++;
    r->routes |= 1u << route;
    memnet_client *c = memnet_client_at(&r->net, to);
    if (!c || c->deaf) return;
    uint8_t buf[2048];
    memcpy(buf, d, n);
    mj_peer_input in;
    (void)mj_peer_handle_datagram(&c->peer, r->net.now, buf, n, &r->net.server_addr, &in);
}

static to_sfu *back_slot(rig *r, uint32_t route, uint64_t id)
{
    r->routes |= 1u << route;
    if (r->nback == QMAX) {
        MJ_TEST_FAIL("answer queue full");
        return NULL;
    }
    to_sfu *b = &r->back[r->nback++];
    memset(b, 0, sizeof *b);
    b->id = id;
    return b;
}

static void table_keys(void *ctx, uint32_t route, uint64_t id, const mj_srtp_keys *keys)
{
    to_sfu *b = back_slot(ctx, route, id);
    if (b) {
        b->keyed = true;
        b->keys = *keys;
    }
}

static void table_failed(void *ctx, uint32_t route, uint64_t id, bool closed)
{
    to_sfu *b = back_slot(ctx, route, id);
    if (b) b->closed = closed;
}

static void apply_to_table(rig *r, const to_table *t)
{
    switch (t->kind) {
    case MJ_SFU_HS_OPEN:
        CHECK_EQ(mj_handshakes_open(r->table, 3, t->id, t->fp_alg, t->fp, t->fp_len), 0);
        break;
    case MJ_SFU_HS_DATAGRAM:
        (void)mj_handshakes_datagram(r->table, r->net.now, t->id, &t->from, t->data, t->len);
        break;
    case MJ_SFU_HS_RELEASE: mj_handshakes_release(r->table, t->id); break;
    case MJ_SFU_HS_CLOSE: mj_handshakes_close(r->table, t->id); break;
    }
}

/* The two queues, drained until both are empty: what a handshake thread
 * and the worker's command queue do between the worker's turns. */
static void drain(memnet *net)
{
    rig *r = (rig *)net;
    for (int rounds = 0; rounds < 16 && (r->nq || r->nback); rounds++) {
        static to_table q[QMAX];
        int nq = r->nq;
        memcpy(q, r->q, (size_t)nq * sizeof q[0]);
        r->nq = 0;
        for (int i = 0; i < nq; i++)
            apply_to_table(r, &q[i]);
        mj_handshakes_handle_timeouts(r->table, net->now);
        int nb = r->nback;
        r->nback = 0;
        for (int i = 0; i < nb; i++) {
            to_sfu *b = &r->back[i];
            if (b->keyed)
                (void)mj_sfu_session_keys(net->sfu, net->now, b->id, &b->keys, &net->txq);
            else
                (void)mj_sfu_session_handshake_failed(net->sfu, net->now, b->id, b->closed,
                                                      &net->txq);
            mj_srtp_keys_wipe(&b->keys);
        }
        mj_txq_flush(&net->txq);
    }
    mj_handshakes_handle_timeouts(r->table, net->now);
}

static void count_rtp(memnet *net, memnet_client *c, const uint8_t *p, size_t n)
{
    (void)c, (void)p, (void)n;
    ((rig *)net)->rx_rtp++;
}

static rig *rig_new(uint32_t max)
{
    rig *r = calloc(1, sizeof *r);
    mj_handshakes_out out = {
        .ctx = r, .send = table_send, .keys = table_keys, .failed = table_failed};
    mj_sfu_config hooks = {.on_handshake = on_handshake, .handshake_ctx = r};
    if (!r || memnet_init_hooks(&r->net, server_id, client_id, 64, &hooks) != 0 ||
        mj_handshakes_new(server_id, &out, max, &r->table) != 0) {
        fprintf(stderr, "cannot set up the rig\n");
        exit(1);
    }
    r->net.between = drain;
    r->net.on_rtp = count_rtp;
    return r;
}

static void rig_free(rig *r)
{
    memnet_free(&r->net);
    mj_handshakes_free(r->table);
    free(r);
}

static mj_handshakes_stats table_stats(const rig *r)
{
    mj_handshakes_stats st;
    mj_handshakes_stats_get(r->table, &st);
    return st;
}

static bool next_event(rig *r, mj_sfu_event_kind kind, uint64_t id, mj_sfu_event *out)
{
    mj_sfu_event ev;
    while (mj_sfu_poll_event(r->net.sfu, &ev))
        if (ev.kind == kind && ev.session_id == id) {
            *out = ev;
            return true;
        }
    return false;
}

TEST(sessions_connect_and_audio_flows_with_handshakes_elsewhere)
{
    rig *r = rig_new(64);
    memnet_client *spk = memnet_speaker(&r->net, "room1");
    memnet_client *lis = memnet_listener(&r->net, 1, "room1");
    CHECK(spk != NULL);
    CHECK(lis != NULL);
    if (!spk || !lis) {
        rig_free(r);
        return;
    }
    mj_sfu_event ev;
    CHECK(next_event(r, MJ_SFU_EV_CONNECTED, spk->session, &ev));
    CHECK_EQ(mj_sfu_stats_get(r->net.sfu)->dtls_handshakes, 2);
    mj_handshakes_stats st = table_stats(r);
    CHECK_EQ(st.opened, 2);
    CHECK_EQ(st.done, 2);
    CHECK_EQ(st.failed, 0);
    CHECK_EQ(st.connections, 2);
    CHECK(r->sent > 0);
    CHECK_EQ(r->routes, 1u << 3); /* everything went back by the route given */
    for (uint16_t seq = 1; seq <= 20; seq++) {
        memnet_speak(&r->net, spk, seq, 10, 7);
        memnet_pump(&r->net, MJ_MSEC(20));
    }
    CHECK_EQ(r->rx_rtp, 20);
    /* The speaker's SRTP showed it has its keys: its DTLS state is gone.
     * The listener has sent nothing encrypted, so its state waits. */
    st = table_stats(r);
    CHECK_EQ(st.active, 1);
    CHECK_EQ(st.connections, 1);
    /* ... for MJ_PEER_DTLS_RELEASE after its keys, then goes too. */
    for (int i = 0; i < 31; i++)
        memnet_pump(&r->net, MJ_SEC(1));
    st = table_stats(r);
    CHECK_EQ(st.active, 0);
    CHECK_EQ(st.connections, 0);
    CHECK(memnet_session_connected(&r->net, lis->session));
    rig_free(r);
}

TEST(a_wrong_fingerprint_fails_the_handshake_and_closes_the_session)
{
    rig *r = rig_new(64);
    r->corrupt_fp = true;
    memnet_client *c = memnet_listener(&r->net, 1, "room1");
    CHECK(c == NULL); /* never connects */
    memnet_client *mc = r->net.clients[0];
    mj_sfu_event ev;
    CHECK(next_event(r, MJ_SFU_EV_CLOSED, mc->session, &ev));
    mj_handshakes_stats st = table_stats(r);
    CHECK_EQ(st.failed, 1);
    CHECK_EQ(st.done, 0);
    CHECK_EQ(st.active, 0);
    CHECK_EQ(mj_sfu_stats_get(r->net.sfu)->sessions_active, 0);
    CHECK(!memnet_session_connected(&r->net, mc->session));
    rig_free(r);
}

TEST(a_removed_session_says_close_notify_and_frees_its_entry)
{
    rig *r = rig_new(64);
    memnet_client *c = memnet_listener(&r->net, 1, "room1");
    CHECK(c != NULL);
    if (!c) {
        rig_free(r);
        return;
    }
    CHECK_EQ(table_stats(r).active, 1);
    CHECK_EQ(mj_sfu_session_remove(r->net.sfu, c->session), 0);
    drain(&r->net);
    CHECK_EQ(table_stats(r).active, 0);
    CHECK_EQ(mj_peer_state_get(&c->peer), MJ_PEER_CLOSED);
    CHECK_EQ(mj_peer_close_reason_get(&c->peer), MJ_PEER_DTLS_CLOSED);
    rig_free(r);
}

TEST(a_close_notify_from_the_remote_closes_the_session)
{
    rig *r = rig_new(64);
    memnet_client *c = memnet_listener(&r->net, 1, "room1");
    CHECK(c != NULL);
    if (!c) {
        rig_free(r);
        return;
    }
    mj_peer_close(&c->peer); /* queues the client's close_notify */
    memnet_pump(&r->net, MJ_MSEC(1));
    mj_sfu_event ev;
    CHECK(next_event(r, MJ_SFU_EV_CLOSED, c->session, &ev));
    CHECK_EQ(table_stats(r).active, 0);
    CHECK_EQ(mj_sfu_stats_get(r->net.sfu)->sessions_active, 0);
    rig_free(r);
}

TEST(the_table_refuses_what_it_cannot_hold)
{
    rig *r = rig_new(1);
    uint8_t fp[32] = {1};
    CHECK_EQ(mj_handshakes_open(r->table, 0, 1, "sha-256", fp, sizeof fp), 0);
    CHECK_EQ(mj_handshakes_open(r->table, 0, 1, "sha-256", fp, sizeof fp), MJ_EEXIST);
    CHECK_EQ(mj_handshakes_open(r->table, 0, 2, "sha-256", fp, sizeof fp), MJ_ELIMIT);
    CHECK_EQ(mj_handshakes_open(r->table, 0, 3, "", fp, sizeof fp), MJ_EINVAL);
    CHECK_EQ(mj_handshakes_open(r->table, 0, 3, "sha-256", fp, 0), MJ_EINVAL);
    CHECK_EQ(mj_handshakes_open(r->table, 0, 3, NULL, fp, sizeof fp), MJ_EINVAL);
    mj_addr from;
    mj_addr_parse("10.0.0.1:5000", &from);
    uint8_t junk[13] = {22, 254, 253};
    CHECK_EQ(mj_handshakes_datagram(r->table, 0, 99, &from, junk, sizeof junk), MJ_ENOTFOUND);
    CHECK_EQ(table_stats(r).dropped, 1);
    /* An entry that got nothing holds no DTLS connection and no timer. */
    CHECK_EQ(table_stats(r).connections, 0);
    CHECK_EQ(mj_handshakes_next_timeout(r->table), MJ_TIME_NEVER);
    /* Junk makes a connection that fails, or waits for a real hello. */
    (void)mj_handshakes_datagram(r->table, 0, 1, &from, junk, sizeof junk);
    CHECK(table_stats(r).connections + table_stats(r).failed == 1);
    mj_handshakes_release(r->table, 1); /* not keyed: release is ignored */
    CHECK_EQ(table_stats(r).active + table_stats(r).failed, 1);
    mj_handshakes_close(r->table, 1);
    CHECK_EQ(table_stats(r).active, 0);
    rig_free(r);
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        sessions_connect_and_audio_flows_with_handshakes_elsewhere,
        a_wrong_fingerprint_fails_the_handshake_and_closes_the_session,
        a_removed_session_says_close_notify_and_frees_its_entry,
        a_close_notify_from_the_remote_closes_the_session, the_table_refuses_what_it_cannot_hold)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
