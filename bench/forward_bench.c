/* Forwarding-path benchmark: server-side CPU per forwarded packet, with
 * SRTP, in one process.
 *
 * One speaker and N listeners (three slots each) are connected to an SFU
 * core through memnet (real ICE, DTLS, SRTP; no sockets). After a warm-up
 * that checks every listener really receives, the speaker's packets are fed
 * to the SFU and the thread CPU time of mj_sfu_handle_datagram (unprotect
 * once, rewrite once, protect and queue per listener) plus the batch flush
 * is measured. With --udp the batch goes out through a real sendmmsg to a
 * sink socket on 127.0.0.1, so kernel send cost is counted too. With
 * --timers the SFU's timers also run after every packet, as a worker's
 * loop does, with a wall clock, so each listener's RTCP sender reports
 * (about one a second) are in the measured time too; the listeners then
 * answer consent checks every 2 s of simulated time, outside the measured
 * time, so that they outlive the consent timeout.
 *
 *   bench_forward_bench [--listeners 100,1000,2000] [--packets 2000]
 *                       [--profile gcm|gcm256|cm] [--udp] [--timers]
 */
#include "memnet.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int udp_fd = -1;
static struct sockaddr_in sink;

static int64_t thread_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sends the batch to the loopback sink (never to the listeners' made-up
 * addresses). */
static void udp_sink(memnet *net, mj_txq *q)
{
    (void)net;
    struct mmsghdr msgs[MEMNET_TX];
    struct iovec iov[MEMNET_TX];
    for (unsigned i = 0; i < q->len; i++) {
        iov[i].iov_base = q->items[i].data;
        iov[i].iov_len = q->items[i].len;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_name = &sink;
        msgs[i].msg_hdr.msg_namelen = sizeof sink;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned sent = 0;
    while (sent < q->len) {
        int r = sendmmsg(udp_fd, msgs + sent, q->len - sent, MSG_DONTWAIT);
        if (r <= 0)
            sent++; /* a full sink buffer drops, as a real one would */
        else
            sent += (unsigned)r;
    }
}

static void count_only(memnet *net, mj_txq *q)
{
    (void)net;
    (void)q;
}

static int open_sink(void)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&sink, 0, sizeof sink);
    sink.sin_family = AF_INET;
    sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sink;
    if (rx < 0 || bind(rx, (struct sockaddr *)&sink, sizeof sink) != 0 ||
        getsockname(rx, (struct sockaddr *)&sink, &len) != 0)
        return -1;
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 8 << 20;
    setsockopt(udp_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return udp_fd < 0 ? -1 : 0;
}

static int received;
static void on_rtp(memnet *net, memnet_client *c, const uint8_t *p, size_t n)
{
    (void)net;
    (void)c;
    (void)p;
    (void)n;
    received++;
}

/* The clients' turns (consent checks) and the SFU's answers, delivered
 * as counted datagrams only. */
static void keep_alive(memnet *net)
{
    for (int i = 0; i < net->n; i++)
        memnet_client_turn(net, net->clients[i]);
    mj_txq_flush(&net->txq);
}

static int run(mj_dtls_identity *sid, mj_dtls_identity *cid, int listeners, int packets, bool udp,
               bool timers, const char *profile)
{
    memnet net;
    if (memnet_init(&net, sid, cid, (uint32_t)listeners + 8) != 0) return -1;
    net.on_rtp = on_rtp;
    memnet_client *spk = memnet_speaker(&net, "bench");
    for (int i = 0; i < listeners; i++) {
        if (!memnet_listener(&net, 3, "bench")) {
            fprintf(stderr, "listener %d did not connect\n", i);
            return -1;
        }
    }
    if (!spk) return -1;
    /* Warm-up: every listener must receive every packet. */
    received = 0;
    uint16_t seq = 1;
    for (int i = 0; i < 20; i++, seq++) {
        memnet_speak(&net, spk, seq, 10, 0x42);
        mj_txq_flush(&net.txq);
        net.now += MJ_MSEC(20);
    }
    if (received != 20 * listeners) {
        fprintf(stderr, "warm-up: %d of %d packets arrived\n", received, 20 * listeners);
        return -1;
    }
    net.sink = udp ? udp_sink : count_only;
    /* Pre-build the speaker's packets so only the server is measured. */
    uint8_t(*pkts)[256] = malloc((size_t)packets * 256);
    long *lens = malloc((size_t)packets * sizeof *lens);
    for (int i = 0; i < packets; i++)
        lens[i] = memnet_rtp(spk, pkts[i], 256, (uint16_t)(seq + i), 10, 0x42, 80);
    if (timers) mj_sfu_set_wall_clock(net.sfu, net.now, (int64_t)1700000000 * 1000000000);
    uint64_t fwd0 = mj_sfu_stats_get(net.sfu)->fwd_packets;
    uint64_t sr0 = mj_sfu_stats_get(net.sfu)->tx_reports;
    int64_t ns = 0, timers_ns = 0, t0 = thread_ns();
    for (int i = 0; i < packets; i++) {
        mj_sfu_handle_datagram(net.sfu, net.now, pkts[i], (size_t)lens[i], &spk->addr, &net.txq);
        if (timers) {
            int64_t t1 = thread_ns();
            mj_sfu_handle_timeouts(net.sfu, net.now, &net.txq);
            timers_ns += thread_ns() - t1;
        }
        mj_txq_flush(&net.txq);
        net.now += MJ_MSEC(20);
        if (timers && i % 100 == 99) {
            ns += thread_ns() - t0;
            keep_alive(&net);
            t0 = thread_ns();
        }
    }
    ns += thread_ns() - t0;
    uint64_t fwd = mj_sfu_stats_get(net.sfu)->fwd_packets - fwd0;
    uint64_t srs = mj_sfu_stats_get(net.sfu)->tx_reports - sr0;
    double per = (double)ns / (double)fwd;
    printf("%-4s %-5s listeners=%-6d forwarded=%-9llu reports=%-7llu cpu=%.3fs  %.0f ns/packet  "
           "%.0f packets/s/core\n",
           profile, udp ? "udp" : "mem", listeners, (unsigned long long)fwd,
           (unsigned long long)srs, (double)ns / 1e9, per, 1e9 / per);
    if (timers)
        printf("     timers: cpu=%.3fs  %.0f ns/report  %.1f ns/forwarded packet\n",
               (double)timers_ns / 1e9, srs ? (double)timers_ns / (double)srs : 0.0,
               (double)timers_ns / (double)fwd);
    free(pkts);
    free(lens);
    memnet_free(&net);
    return fwd == (uint64_t)packets * (uint64_t)listeners ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *list = "100,1000,2000";
    const char *profile = "gcm";
    int packets = 2000;
    bool udp = false, timers = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listeners") && i + 1 < argc)
            list = argv[++i];
        else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
            packets = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            profile = argv[++i];
        else if (!strcmp(argv[i], "--udp"))
            udp = true;
        else if (!strcmp(argv[i], "--timers"))
            timers = true;
        else {
            fprintf(stderr,
                    "usage: %s [--listeners N,N] [--packets K] [--profile gcm|gcm256|cm] [--udp] "
                    "[--timers]\n",
                    argv[0]);
            return 2;
        }
    }
    mj_dtls_identity *sid, *cid;
    if (mj_srtp_global_init() != 0 || mj_dtls_identity_new(&sid) != 0 ||
        mj_dtls_identity_new(&cid) != 0)
        return 1;
    /* The client offers only the profile under test; the server prefers
     * GCM when both are offered, as with browsers. */
    const char *offer = strcmp(profile, "cm") == 0       ? "SRTP_AES128_CM_SHA1_80"
                        : strcmp(profile, "gcm256") == 0 ? "SRTP_AEAD_AES_256_GCM"
                                                         : "SRTP_AEAD_AES_128_GCM";
    if (mj_dtls_identity_set_srtp_profiles(cid, offer) != 0) return 1;
    if (udp && open_sink() != 0) {
        perror("sink");
        return 1;
    }
    int rc = 0;
    for (const char *p = list; *p;) {
        int n = atoi(p);
        if (n > 0 && run(sid, cid, n, packets, udp, timers, profile) != 0) rc = 1;
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    mj_dtls_identity_free(sid);
    mj_dtls_identity_free(cid);
    return rc;
}
