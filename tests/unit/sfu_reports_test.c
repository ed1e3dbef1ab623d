/* Sender reports to listeners, as a client decrypts and reads them: an SR
 * per slot stream it was sent anything on, whose NTP time is the wall
 * clock the shell gave, whose RTP timestamp is the stream's at that
 * instant, and whose counts are what that listener received, which the
 * client counts itself; an SDES with the CNAME of the SDP answer; about
 * one a second per listener, spread, and a bounded number per call. Also
 * on a branch worker, which only sees the home's rewritten packets.
 * Client peers and SFU cores run in one process over memnet on simulated
 * time. */
#include "test.h"

#include "memnet.h"
#include "proto/rtcp.h"

#define NTP_UNIX_OFFSET 2208988800u
#define STEP            MJ_MSEC(20)

/* What one client received: RTP per slot, and its reports. */
typedef struct rx {
    uint8_t nslots;
    uint32_t packets[MJ_SFU_MAX_SLOTS], octets[MJ_SFU_MAX_SLOTS];
    uint32_t last_ts[MJ_SFU_MAX_SLOTS];
    mj_time last_at[MJ_SFU_MAX_SLOTS];
    int reports;                           /* compound packets */
    int srs[MJ_SFU_MAX_SLOTS];             /* SRs per slot */
    uint32_t sr_packets[MJ_SFU_MAX_SLOTS]; /* the last SR's count per slot */
    mj_time first_report, last_report;
    mj_time min_gap, max_gap; /* between consecutive reports */
} rx;

typedef struct client {
    memnet_client *c;
    rx r;
    mj_time joined;
} client;

static mj_dtls_identity *server_id, *client_id;
static memnet net, branch;
static client *clients[256];
static int nclients;
/* The wall clock as last given to the SFU under test (the branch gets the
 * same mapping). */
static mj_time wall_at;
static int64_t wall_ns;
static int reports_now; /* compound packets delivered since the test reset it */

static void on_rtp(memnet *n, memnet_client *mc, const uint8_t *p, size_t len)
{
    rx *r = mc->user;
    mj_rtp_hdr h;
    if (!r || mj_rtp_parse(p, len, &h, NULL) != 0) return;
    unsigned slot = h.ssrc - mj_sfu_slot_ssrc(0);
    CHECK(slot < r->nslots);
    if (slot >= r->nslots) return;
    r->packets[slot]++;
    r->octets[slot] += (uint32_t)h.payload.n;
    r->last_ts[slot] = h.ts;
    r->last_at[slot] = n->now;
}

static int64_t ntp_to_unix_ns(uint64_t ntp)
{
    int64_t sec = (int64_t)(ntp >> 32) - NTP_UNIX_OFFSET;
    int64_t frac = (int64_t)(((ntp & 0xffffffffu) * 1000000000u) >> 32);
    return sec * 1000000000 + frac;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

/* One SR, against what the client itself received on that stream. */
static void check_sr(const rx *r, const mj_rtcp_report *rep, mj_time now, bool *named)
{
    unsigned slot = rep->ssrc - mj_sfu_slot_ssrc(0);
    CHECK(slot < r->nslots);
    if (slot >= r->nslots) return;
    named[slot] = true;
    CHECK_EQ(rep->rb_count, 0);
    CHECK_EQ(rep->si.packet_count, r->packets[slot]);
    CHECK_EQ(rep->si.octet_count, r->octets[slot]);
    /* The wall clock at this instant, to the millisecond. */
    int64_t want = wall_ns + (now - wall_at) * 1000;
    CHECK(abs64(ntp_to_unix_ns(rep->si.ntp) - want) <= 1000000);
    /* The stream's timestamp, run on at 48 kHz from the last packet. */
    uint32_t ts = r->last_ts[slot] + (uint32_t)((now - r->last_at[slot]) * 48 / 1000);
    int32_t off = (int32_t)(rep->si.rtp_ts - ts);
    CHECK(off >= -48 && off <= 48);
}

/* The SDES: one CNAME chunk per SR, the SDP answer's CNAME. */
static void check_sdes(const mj_rtcp_hdr *h, const bool *named, int nsr)
{
    mj_rtcp_sdes_iter it;
    mj_rtcp_sdes_item item;
    REQUIRE(mj_rtcp_sdes_init(&it, h) == 0);
    int chunks = 0;
    while (mj_rtcp_sdes_next(&it, &item, NULL) == 1) {
        unsigned slot = item.ssrc - mj_sfu_slot_ssrc(0);
        CHECK(slot < MJ_SFU_MAX_SLOTS && named[slot]);
        CHECK_EQ(item.type, MJ_RTCP_SDES_CNAME);
        CHECK(item.text.n == strlen(MJ_SFU_CNAME) &&
              memcmp(item.text.p, MJ_SFU_CNAME, item.text.n) == 0);
        chunks++;
    }
    CHECK_EQ(chunks, nsr);
}

static void note_time(rx *r, mj_time now)
{
    if (r->reports) {
        mj_time gap = now - r->last_report;
        if (r->reports == 1 || gap < r->min_gap) r->min_gap = gap;
        if (r->reports == 1 || gap > r->max_gap) r->max_gap = gap;
    } else {
        r->first_report = now;
    }
    r->last_report = now;
    r->reports++;
}

static void on_rtcp(memnet *n, memnet_client *mc, const uint8_t *p, size_t len)
{
    rx *r = mc->user;
    if (!r) return;
    reports_now++;
    mj_rtcp_iter it;
    mj_rtcp_hdr h;
    mj_rtcp_iter_init(&it, p, len);
    bool named[MJ_SFU_MAX_SLOTS] = {false};
    int nsr = 0, nsdes = 0, other = 0;
    while (mj_rtcp_next(&it, &h, NULL) == 1) {
        if (h.pt == MJ_RTCP_SR) {
            CHECK_EQ(nsdes, 0); /* reports first */
            mj_rtcp_report rep;
            REQUIRE(mj_rtcp_parse_report(&h, &rep, NULL) == 0);
            check_sr(r, &rep, n->now, named);
            unsigned slot = rep.ssrc - mj_sfu_slot_ssrc(0);
            if (slot < MJ_SFU_MAX_SLOTS) {
                r->srs[slot]++;
                r->sr_packets[slot] = rep.si.packet_count;
            }
            nsr++;
        } else if (h.pt == MJ_RTCP_SDES) {
            check_sdes(&h, named, nsr);
            nsdes++;
        } else {
            other++;
        }
    }
    CHECK_EQ(it.err, 0);
    CHECK(nsr > 0);
    CHECK_EQ(nsdes, 1);
    CHECK_EQ(other, 0);
    /* An SR for every stream this client was sent anything on. */
    for (unsigned i = 0; i < r->nslots; i++)
        CHECK_EQ(named[i], r->packets[i] > 0);
    note_time(r, n->now);
}

static void set_wall(memnet *m, int64_t unix_ns)
{
    wall_at = m->now;
    wall_ns = unix_ns;
    mj_sfu_set_wall_clock(m->sfu, m->now, unix_ns);
}

static void setup_hooks(const mj_sfu_config *hooks)
{
    nclients = 0;
    reports_now = 0;
    if (memnet_init_hooks(&net, server_id, client_id, 300, hooks) != 0) abort();
    net.on_rtp = on_rtp;
    net.on_rtcp = on_rtcp;
    set_wall(&net, (int64_t)1700000000 * 1000000000 + 123456789);
}

static void setup(void)
{
    setup_hooks(NULL);
}

static void teardown(void)
{
    memnet_free(&net);
    for (int i = 0; i < nclients; i++)
        free(clients[i]);
    nclients = 0;
}

static client *adopt(memnet *m, memnet_client *mc, uint8_t nslots)
{
    if (!mc || nclients == 256) return NULL;
    client *cl = calloc(1, sizeof *cl);
    cl->c = mc;
    cl->r.nslots = nslots;
    cl->joined = m->now;
    mc->user = &cl->r;
    clients[nclients++] = cl;
    return cl;
}

static client *open_on(memnet *m, const memnet_opts *o)
{
    return adopt(m, memnet_open(m, o), o->nslots);
}

static client *speaker(void)
{
    memnet_opts o = {.send = true, .may_send = true};
    return open_on(&net, &o);
}

static client *listener(int nslots, const char *room)
{
    memnet_opts o = {.room = room, .nslots = (uint8_t)nslots};
    return open_on(&net, &o);
}

/* Every speaker in sp says one packet (seq i: a 20 ms frame), then a
 * round of the network. */
static void talk(client **sp, int nsp, uint16_t *seq, int frames)
{
    for (int f = 0; f < frames; f++, (*seq)++) {
        for (int i = 0; i < nsp; i++)
            memnet_speak(&net, sp[i]->c, (uint16_t)(*seq + 1000 * i), 10, (uint8_t)(0xA0 + i));
        memnet_pump(&net, STEP);
    }
}

TEST(each_listener_gets_an_sr_per_stream_it_was_sent_with_its_own_counts)
{
    setup();
    client *a = speaker();
    client *b = speaker();
    client *l3 = listener(3, NULL);
    client *l1 = listener(1, NULL);
    REQUIRE(a && b && l3 && l1);
    client *sp[2] = {a, b};
    uint16_t seq = 100;
    talk(sp, 2, &seq, 100);
    /* One who comes two seconds later counts from there. */
    client *late = listener(3, NULL);
    REQUIRE(late);
    talk(sp, 2, &seq, 150);
    /* The shell's clock is stepped: reports follow the latest mapping. */
    set_wall(&net, wall_ns + (net.now - wall_at) * 1000 + MJ_SEC(2) * 1000);
    talk(sp, 2, &seq, 100);

    CHECK(l3->r.reports >= 5 && l3->r.reports <= 14);
    CHECK(l3->r.srs[0] == l3->r.reports && l3->r.srs[1] == l3->r.reports);
    CHECK_EQ(l3->r.srs[2], 0); /* a slot nobody spoke in */
    CHECK(l1->r.reports >= 5);
    CHECK_EQ(l1->r.srs[1], 0); /* one slot: never told of slot 1 */
    CHECK(late->r.reports >= 3);
    CHECK_EQ(l3->r.packets[0] - late->r.packets[0], 100);
    CHECK(late->r.sr_packets[0] > 0);
    CHECK(late->r.sr_packets[0] < l3->r.sr_packets[0]);
    /* About one a second each: 0.5 to 1.5 s apart, at a step's grain. */
    for (int i = 2; i < nclients; i++) {
        rx *r = &clients[i]->r;
        CHECK(r->min_gap >= MJ_MSEC(500));
        CHECK(r->max_gap <= MJ_MSEC(1500) + STEP);
    }
    /* The first soon after the keys are ready (0.25 to 0.75 s). */
    CHECK(late->r.first_report - late->joined <= MJ_MSEC(750) + STEP);
    /* Speakers listen to nothing and are told nothing. */
    CHECK_EQ(a->r.reports + b->r.reports, 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->tx_reports,
             (uint64_t)(l3->r.reports + l1->r.reports + late->r.reports));
    teardown();
}

TEST(a_listener_sent_nothing_is_told_nothing)
{
    setup();
    client *a = speaker();
    client *here = listener(3, NULL);
    client *elsewhere = listener(3, "room2");
    REQUIRE(a && here && elsewhere);
    uint16_t seq = 0;
    /* A speaker whose packets say silence takes no slot: nothing is sent,
     * so nothing is reported. */
    for (int i = 0; i < 100; i++, seq++) {
        memnet_speak(&net, a->c, seq, 127, 0xA0);
        memnet_pump(&net, STEP);
    }
    CHECK_EQ(here->r.reports, 0);
    client *sp[1] = {a};
    talk(sp, 1, &seq, 100);
    CHECK(here->r.reports >= 1);
    CHECK_EQ(elsewhere->r.reports, 0);
    CHECK_EQ(mj_sfu_stats_get(net.sfu)->tx_reports, (uint64_t)here->r.reports);
    teardown();
}

TEST(no_report_before_the_shell_gives_a_wall_clock)
{
    nclients = 0;
    REQUIRE(memnet_init(&net, server_id, client_id, 10) == 0);
    net.on_rtp = on_rtp;
    net.on_rtcp = on_rtcp;
    client *a = speaker();
    client *l = listener(3, NULL);
    REQUIRE(a && l);
    client *sp[1] = {a};
    uint16_t seq = 0;
    talk(sp, 1, &seq, 150);
    CHECK_EQ(l->r.reports, 0);
    set_wall(&net, (int64_t)1800000000 * 1000000000);
    talk(sp, 1, &seq, 100);
    CHECK(l->r.reports >= 1);
    teardown();
}

TEST(a_persons_own_voice_is_not_counted_as_sent_to_them)
{
    setup();
    /* A visitor on stage: its voice holds slot 0, which its own session
     * is not sent; B's is slot 1. */
    memnet_opts vo = {.nslots = 3, .send = true, .may_send = true, .person = 77};
    client *v = open_on(&net, &vo);
    client *b = speaker();
    client *c = speaker();
    REQUIRE(v && b && c);
    client *vb[2] = {v, b};
    uint16_t seq = 0;
    talk(vb, 2, &seq, 100);
    CHECK_EQ(v->r.packets[0], 0);
    CHECK_EQ(v->r.srs[0], 0);
    CHECK(v->r.srs[1] >= 1);
    /* It leaves the stage; C takes slot 0 and the visitor hears it, and
     * counts only C's packets there. */
    REQUIRE(mj_sfu_session_set_send(net.sfu, v->c->session, false) == 0);
    client *cb[2] = {c, b};
    talk(cb, 2, &seq, 100);
    CHECK(v->r.packets[0] > 0);
    CHECK(v->r.srs[0] >= 1);
    /* Each SR's count was what it had received then (on_rtcp checks it),
     * without the 100 of its own voice. */
    CHECK(v->r.sr_packets[0] > 0 && v->r.sr_packets[0] <= v->r.packets[0]);
    teardown();
}

/* The home's exports are injected into a second SFU, the branch. */
static void to_branch(void *ctx, uint64_t branches, const char *room, unsigned slot,
                      uint64_t person, const uint8_t *pkt, size_t len, bool marker)
{
    (void)ctx;
    (void)branches;
    mj_sfu_inject(branch.sfu, branch.now, room, slot, person, pkt, len, marker, &branch.txq);
}

TEST(a_branch_reports_the_streams_it_relays)
{
    mj_sfu_config hooks = {.on_export = to_branch};
    setup_hooks(&hooks);
    REQUIRE(memnet_init(&branch, server_id, client_id, 10) == 0);
    branch.on_rtp = on_rtp;
    branch.on_rtcp = on_rtcp;
    client *a = speaker();
    client *home_l = listener(3, NULL);
    memnet_opts o = {.nslots = 3, .branch = true, .home = 0};
    client *far = open_on(&branch, &o);
    REQUIRE(a && home_l && far);
    REQUIRE(mj_sfu_room_branches(net.sfu, "room1", 1u << 1) == 0);
    /* One clock for both workers, and the same wall clock. */
    net.now = branch.now = net.now > branch.now ? net.now : branch.now;
    set_wall(&net, wall_ns + (net.now - wall_at) * 1000);
    mj_sfu_set_wall_clock(branch.sfu, branch.now, wall_ns);
    uint16_t seq = 0;
    for (int i = 0; i < 150; i++, seq++) {
        memnet_speak(&net, a->c, seq, 10, 0xA1);
        memnet_pump(&net, STEP);
        memnet_pump(&branch, STEP);
    }
    CHECK(far->r.packets[0] >= 149);
    CHECK(far->r.reports >= 2);
    CHECK_EQ(far->r.srs[0], far->r.reports);
    CHECK_EQ(mj_sfu_stats_get(branch.sfu)->tx_reports, (uint64_t)far->r.reports);
    CHECK(home_l->r.reports >= 2);
    memnet_free(&branch);
    teardown();
}

TEST(reports_are_spread_over_the_second_and_bounded_per_call)
{
    setup();
    client *a = speaker();
    REQUIRE(a);
    enum { N = 150 };
    for (int i = 0; i < N; i++)
        REQUIRE(listener(3, NULL));
    client *sp[1] = {a};
    uint16_t seq = 0;
    talk(sp, 1, &seq, 50);
    /* Steady: about N a second, spread over the rounds. */
    int most = 0, total = 0;
    for (int i = 0; i < 100; i++) {
        reports_now = 0;
        talk(sp, 1, &seq, 1);
        total += reports_now;
        if (reports_now > most) most = reports_now;
    }
    CHECK(total >= N && total <= 4 * N);
    CHECK(most <= 20);
    /* A worker that could not run for three seconds: every listener is
     * due, and each call sends a bounded share. */
    net.now += MJ_SEC(3);
    int calls = 0;
    int sent = 0;
    while (mj_sfu_next_timeout(net.sfu) <= net.now && calls < 10) {
        reports_now = 0;
        mj_sfu_handle_timeouts(net.sfu, net.now, &net.txq);
        mj_txq_flush(&net.txq);
        CHECK(reports_now <= MJ_SFU_REPORTS_PER_CALL);
        sent += reports_now;
        calls++;
    }
    CHECK_EQ(sent, N);
    CHECK_EQ(calls, (N + MJ_SFU_REPORTS_PER_CALL - 1) / MJ_SFU_REPORTS_PER_CALL);
    teardown();
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&server_id) != 0 ||
        mj_dtls_identity_new(&client_id) != 0)
        return 1;
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        each_listener_gets_an_sr_per_stream_it_was_sent_with_its_own_counts,
        a_listener_sent_nothing_is_told_nothing, no_report_before_the_shell_gives_a_wall_clock,
        a_persons_own_voice_is_not_counted_as_sent_to_them, a_branch_reports_the_streams_it_relays,
        reports_are_spread_over_the_second_and_bounded_per_call)};
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_dtls_identity_free(server_id);
    mj_dtls_identity_free(client_id);
    return rc;
}
