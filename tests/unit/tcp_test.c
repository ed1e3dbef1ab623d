/* Tests for src/io/tcp: the ICE-TCP shell with real sockets on loopback
 * (an ephemeral port) and an SFU core without sessions. Frames go out
 * whole and in order; a peer that stops reading is dropped once out_max
 * would be passed, not grown; a connection no session binds is closed at
 * its deadline (the time is passed in, so no test waits for it); a frame
 * too long closes its connection. */
#include "test.h"

#include "io/sockaddr.h"
#include "io/tcp.h"
#include "proto/framing.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define OUT_MAX 8192

typedef struct rig {
    int epfd;
    mj_tcp *tcp;
    mj_sfu *sfu;
    mj_txq txq;
    mj_tx items[4];
    uint8_t arena[4 * MJ_TXQ_SLOT_SIZE];
    mj_time now;
} rig;

static void no_flush(void *ctx, mj_txq *q)
{
    (void)ctx;
    q->len = 0; /* nothing here sends: there are no sessions */
}

static int rig_open(rig *r, uint32_t max_conns)
{
    memset(r, 0, sizeof *r);
    r->now = MJ_SEC(100);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    mj_sfu_config sc = {.max_sessions = 1};
    if (r->epfd < 0 || mj_sfu_new(&sc, &r->sfu) != 0) return -1;
    mj_txq_init(&r->txq, r->items, r->arena, 4, no_flush, NULL);
    mj_tcp_config tc = {.max_conns = max_conns, .out_max = OUT_MAX, .epfd = r->epfd, .key = 10};
    mj_addr_parse("127.0.0.1:0", &tc.bind);
    const char *why = NULL;
    return mj_tcp_open(&tc, &r->tcp, &why);
}

static void rig_close(rig *r)
{
    mj_tcp_free(r->tcp);
    mj_sfu_free(r->sfu);
    close(r->epfd);
}

/* One turn of a worker's loop, without waiting. */
static void turn(rig *r)
{
    struct epoll_event evs[16];
    int n = epoll_wait(r->epfd, evs, 16, 0);
    for (int i = 0; i < n; i++)
        if (mj_tcp_owns(r->tcp, evs[i].data.u64))
            mj_tcp_event(r->tcp, evs[i].data.u64, evs[i].events, r->now, r->sfu, &r->txq);
    mj_tcp_tick(r->tcp, r->now, r->sfu, &r->txq);
}

/* A client connected and accepted; its address as the shell knows it. */
static int dial(rig *r, mj_addr *as, int rcvbuf)
{
    mj_addr srv;
    mj_addr_parse("127.0.0.1:0", &srv);
    srv.port = mj_tcp_port(r->tcp);
    struct sockaddr_storage ss;
    socklen_t sl = mj_sockaddr_from_addr(&srv, &ss);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) return -1;
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &ml);
    mj_sockaddr_to_addr(&me, as);
    as->tcp = true;
    uint64_t before = mj_tcp_stats_get(r->tcp)->accepted;
    for (int i = 0; i < 100 && mj_tcp_stats_get(r->tcp)->accepted == before; i++) {
        poll(NULL, 0, 1);
        turn(r);
    }
    return fd;
}

/* Whether fd was closed by the other end (EOF or reset), waiting a little. */
static bool closed_by_server(int fd)
{
    uint8_t b[4096];
    for (int i = 0; i < 1000; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) <= 0) continue;
        ssize_t n = read(fd, b, sizeof b);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    }
    return false;
}

TEST(frames_go_out_whole_and_in_order)
{
    rig r;
    REQUIRE(rig_open(&r, 4) == 0);
    mj_addr peer;
    int fd = dial(&r, &peer, 0);
    REQUIRE(fd >= 0);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 1);
    uint8_t d[300];
    for (int i = 0; i < 3; i++) {
        memset(d, 'a' + i, sizeof d);
        mj_tcp_send(r.tcp, &peer, d, 100 + (size_t)i * 100);
    }
    /* Nothing for an address with no connection, nor for the same one
     * over UDP. */
    mj_addr udp = peer;
    udp.tcp = false;
    mj_tcp_send(r.tcp, &udp, d, 10);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->tx_no_conn, 1);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->tx_frames, 3);
    mj_deframer in;
    mj_deframer_init(&in, 0);
    int got = 0;
    for (int tries = 0; tries < 100 && got < 3; tries++) {
        size_t cap;
        uint8_t *p = mj_deframer_space(&in, &cap);
        ssize_t n = read(fd, p, cap);
        if (n <= 0) break;
        mj_deframer_wrote(&in, (size_t)n);
        uint8_t *f;
        size_t fl;
        while (mj_deframer_next(&in, &f, &fl) == 1) {
            CHECK_EQ(fl, 100 + got * 100);
            CHECK_EQ(f[0], 'a' + got);
            CHECK_EQ(f[fl - 1], 'a' + got);
            got++;
        }
    }
    CHECK_EQ(got, 3);
    close(fd);
    rig_close(&r);
}

TEST(a_peer_that_does_not_read_is_dropped_not_grown)
{
    rig r;
    REQUIRE(rig_open(&r, 4) == 0);
    mj_addr peer;
    int fd = dial(&r, &peer, 4096);
    REQUIRE(fd >= 0);
    uint8_t d[1000];
    memset(d, 7, sizeof d);
    /* The kernel's buffers take a few megabytes at most; then the shell's
     * own buffer, OUT_MAX, fills; then the connection goes. Bounded. */
    int sent = 0;
    while (sent < 100000 && mj_tcp_stats_get(r.tcp)->closed_slow == 0) {
        mj_tcp_send(r.tcp, &peer, d, sizeof d);
        sent++;
    }
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->closed_slow, 1);
    CHECK(sent < 100000);
    /* Dead but not yet gone: sends to it are dropped until the tick. */
    uint64_t frames = mj_tcp_stats_get(r.tcp)->tx_frames;
    mj_tcp_send(r.tcp, &peer, d, sizeof d);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->tx_frames, frames);
    turn(&r);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 0);
    CHECK(closed_by_server(fd));
    close(fd);
    rig_close(&r);
}

TEST(a_connection_no_session_binds_is_closed_at_its_deadline)
{
    rig r;
    REQUIRE(rig_open(&r, 4) == 0);
    mj_addr peer;
    int fd = dial(&r, &peer, 0);
    REQUIRE(fd >= 0);
    CHECK_EQ(mj_tcp_next_timeout(r.tcp), r.now + MJ_TCP_ICE_TIMEOUT);
    r.now += MJ_TCP_ICE_TIMEOUT - 1;
    turn(&r);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 1);
    r.now += 1;
    turn(&r);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 0);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->closed_ice, 1);
    CHECK_EQ(mj_tcp_next_timeout(r.tcp), MJ_TIME_NEVER);
    CHECK(closed_by_server(fd));
    close(fd);
    rig_close(&r);
}

TEST(a_frame_too_long_closes_its_connection_and_the_slot_is_reused)
{
    rig r;
    REQUIRE(rig_open(&r, 1) == 0);
    mj_addr peer;
    int fd = dial(&r, &peer, 0);
    REQUIRE(fd >= 0);
    /* The one slot is taken: another is accepted and closed at once. */
    mj_addr other;
    int fd2 = dial(&r, &other, 0);
    REQUIRE(fd2 >= 0);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->refused_full, 1);
    CHECK(closed_by_server(fd2));
    close(fd2);
    uint8_t bad[4] = {0x08, 0x01, 0, 0}; /* 2049 bytes: over MJ_FRAME_MAX */
    CHECK_EQ(write(fd, bad, sizeof bad), 4);
    for (int i = 0; i < 100 && mj_tcp_stats_get(r.tcp)->open; i++) {
        poll(NULL, 0, 1);
        turn(&r);
    }
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->closed_bad, 1);
    CHECK(closed_by_server(fd));
    close(fd);
    /* Its slot serves the next one. */
    int fd3 = dial(&r, &other, 0);
    REQUIRE(fd3 >= 0);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 1);
    close(fd3);
    rig_close(&r);
}

/* Out of descriptors: a connection that cannot be accepted is still
 * taken and closed (the spare descriptor), so the listener does not stay
 * readable and the worker does not spin. */
TEST(out_of_descriptors_a_connection_is_refused_not_left_pending)
{
    rig r;
    REQUIRE(rig_open(&r, 4) == 0);
    mj_addr srv;
    mj_addr_parse("127.0.0.1:0", &srv);
    srv.port = mj_tcp_port(r.tcp);
    struct sockaddr_storage ss;
    socklen_t sl = mj_sockaddr_from_addr(&srv, &ss);
    int c1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int c2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(c1 >= 0 && c2 >= 0);
    REQUIRE(connect(c1, (struct sockaddr *)&ss, sl) == 0);
    REQUIRE(connect(c2, (struct sockaddr *)&ss, sl) == 0);
    /* Room for one more descriptor: the first accept takes it. */
    int probe = dup(0);
    REQUIRE(probe >= 0);
    close(probe);
    struct rlimit old, low;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    low.rlim_cur = (rlim_t)probe + 1;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    const mj_tcp_stats *st = mj_tcp_stats_get(r.tcp);
    for (int i = 0; i < 100 && st->accepted + st->refused_full < 2; i++) {
        poll(NULL, 0, 1);
        turn(&r);
    }
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->accepted, 1);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->refused_full, 1);
    CHECK_EQ(mj_tcp_stats_get(r.tcp)->open, 1);
    CHECK(closed_by_server(c2));
    close(c1);
    close(c2);
    rig_close(&r);
}

TEST_MAIN(out_of_descriptors_a_connection_is_refused_not_left_pending,
          frames_go_out_whole_and_in_order, a_peer_that_does_not_read_is_dropped_not_grown,
          a_connection_no_session_binds_is_closed_at_its_deadline,
          a_frame_too_long_closes_its_connection_and_the_slot_is_reused)
