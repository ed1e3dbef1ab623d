/* The SFU's forwarding path allocates nothing per packet. One speaker and
 * 50 listeners (three slots each) connect to an SFU core through memnet
 * (real ICE, DTLS and SRTP, no sockets), as bench/forward_bench.c sets it
 * up. After a warm-up in which every listener hears every packet, the
 * speaker's packets go through mj_sfu_handle_datagram and the batch flush
 * (unprotect once, rewrite, protect per listener) with no heap allocation
 * anywhere in the process; then the same with the listeners' own peers
 * unprotecting what they receive. */
#include "test.h"

#include "alloc_count.h"
#include "memnet.h"

#define LISTENERS 50
#define PACKETS   2000

static int received;

static void on_rtp(memnet *net, memnet_client *c, const uint8_t *p, size_t n)
{
    (void)net;
    (void)c;
    (void)p;
    (void)n;
    received++;
}

/* Takes the server's batch without delivering it: the server alone. */
static void discard(memnet *net, mj_txq *q)
{
    (void)net;
    (void)q;
}

/* Feeds packets [from, to) to the SFU as the bench does; returns the
 * allocations made meanwhile. */
static unsigned long long forward(memnet *net, memnet_client *spk, uint8_t (*pkts)[256],
                                  const long *lens, int from, int to)
{
    unsigned long long before = alloc_count();
    for (int i = from; i < to; i++) {
        mj_sfu_handle_datagram(net->sfu, net->now, pkts[i], (size_t)lens[i], &spk->addr, &net->txq);
        mj_txq_flush(&net->txq);
        net->now += MJ_MSEC(20);
    }
    return alloc_count() - before;
}

TEST(forwarding_to_listeners_allocates_nothing)
{
    mj_dtls_identity *sid, *cid;
    REQUIRE(mj_dtls_identity_new(&sid) == 0);
    REQUIRE(mj_dtls_identity_new(&cid) == 0);
    memnet *net = calloc(1, sizeof *net);
    REQUIRE(net != NULL);
    REQUIRE(memnet_init(net, sid, cid, LISTENERS + 8) == 0);
    net->on_rtp = on_rtp;
    /* Given a speaker and 50 listeners that all hear a warm-up, */
    memnet_client *spk = memnet_speaker(net, "room1");
    REQUIRE(spk != NULL);
    for (int i = 0; i < LISTENERS; i++)
        REQUIRE(memnet_listener(net, 3, "room1") != NULL);
    uint16_t seq = 1;
    for (int i = 0; i < 20; i++, seq++) {
        memnet_speak(net, spk, seq, 10, 0x42);
        mj_txq_flush(&net->txq);
        net->now += MJ_MSEC(20);
    }
    REQUIRE(received == 20 * LISTENERS);
    /* and the speaker's next packets protected in advance, */
    uint8_t(*pkts)[256] = malloc((size_t)PACKETS * 256);
    long *lens = malloc((size_t)PACKETS * sizeof *lens);
    REQUIRE(pkts && lens);
    for (int i = 0; i < PACKETS; i++)
        REQUIRE((lens[i] = memnet_rtp(spk, pkts[i], 256, (uint16_t)(seq + i), 10, 0x42, 80)) > 0);
    const mj_sfu_stats *st = mj_sfu_stats_get(net->sfu);
    uint64_t fwd0 = st->fwd_packets;
    /* when the SFU forwards them, its allocations are none: first the
     * server alone, */
    net->sink = discard;
    int half = PACKETS / 2;
    unsigned long long server = forward(net, spk, pkts, lens, 0, half);
    /* then with every listener's peer unprotecting what it gets. */
    net->sink = NULL;
    received = 0;
    unsigned long long both = forward(net, spk, pkts, lens, half, PACKETS);
    printf("  %d packets to %d listeners: %llu allocations in the server, %llu with the "
           "listeners' peers\n",
           PACKETS, LISTENERS, server, both);
    CHECK_EQ(server, 0);
    CHECK_EQ(both, 0);
    /* And everything went through. */
    CHECK_EQ(st->fwd_packets - fwd0, (uint64_t)PACKETS * LISTENERS);
    CHECK_EQ(st->fwd_errors, 0);
    CHECK_EQ(received, (PACKETS - half) * LISTENERS);
    free(pkts);
    free(lens);
    memnet_free(net);
    free(net);
    mj_dtls_identity_free(sid);
    mj_dtls_identity_free(cid);
}

int main(void)
{
    if (mj_srtp_global_init() != 0 || alloc_count_start() != 0) {
        fprintf(stderr, "cannot set up\n");
        return 1;
    }
    static const mj_test_case cases[] = {MJ_TEST_LIST(forwarding_to_listeners_allocates_nothing)};
    return mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
}
