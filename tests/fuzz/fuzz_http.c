/* Fuzz target for HTTP request handling: a whole server (libwebsockets,
 * the router, the API and WHIP/WHEP handlers, SQLite, the media workers)
 * runs in a thread on a loopback port, and each input goes to it as the
 * raw bytes of one connection.
 *
 * So that inputs reach past the first refusals, these placeholders in an
 * input are replaced before it is sent: {R} a live room's id, {L} and {S}
 * a listener's and a speaker's token for it, {C} a signed-in member's
 * session cookie (name=value), {I} an unused invite code, {P} the
 * server's host:port (for Host and Origin). An input that starts with
 * {X} goes, without it, to the plain HTTP port that only redirects to
 * HTTPS (src/http/redirect.c), and one that starts with {M} to the
 * metrics listener (--metrics). The seeds in the corpus are the web app's
 * and the WHIP/WHEP clients' real requests, redirects' and scrapers'.
 *
 * The server must keep answering: after every input a /healthz on a new
 * connection must get a 200, or the target aborts (a hang or a dead
 * control thread is a finding too). */
#include "api/server.h"
#include "base/log.h"
#include "base/rand.h"
#include "cli/commands.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_http: %s failed\n", #c);                                         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char data_dir[64];
static int port, redirect_port, metrics_port;
static char room[64], listener_tok[512], speaker_tok[512], cookie[256], invite[128], hostport[32];
static mj_server_config cfg;

/* Standard output into a pipe until stdout_back, which reads what came
 * (at most cap - 1 bytes, NUL-terminated) and returns its length. */
typedef struct captured {
    int saved, from;
} captured;

static captured stdout_to_pipe(void)
{
    int p[2];
    ASSERT(pipe(p) == 0);
    fflush(stdout);
    captured c = {dup(1), p[0]};
    dup2(p[1], 1);
    close(p[1]);
    return c;
}

static size_t stdout_back(captured c, char *out, size_t cap)
{
    fflush(stdout);
    dup2(c.saved, 1);
    close(c.saved);
    ssize_t n = read(c.from, out, cap - 1);
    close(c.from);
    ASSERT(n > 0);
    out[n] = '\0';
    return (size_t)n;
}

/* Runs a command of ours in this process; its first line of output. */
static void capture(int (*cmd)(int, char **), char **argv, int argc, char *out, size_t cap)
{
    captured c = stdout_to_pipe();
    int rc = cmd(argc, argv);
    stdout_back(c, out, cap);
    ASSERT(rc == 0);
    out[strcspn(out, "\r\n")] = '\0';
}

/* One connection: sends req, reads what comes back until the server
 * closes or is quiet for idle_ms. Returns the bytes read (at most cap-1). */
static size_t exchange_at(int to, const void *req, size_t n, char *out, size_t cap, int idle_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)to)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return 0;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, (const char *)req + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    size_t got = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, idle_ms) <= 0) break;
        char tmp[4096];
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0) break;
        size_t take = (size_t)r < cap - 1 - got ? (size_t)r : cap - 1 - got;
        memcpy(out + got, tmp, take);
        got += take;
    }
    close(fd);
    if (cap) out[got] = '\0';
    return got;
}

static size_t exchange(const void *req, size_t n, char *out, size_t cap, int idle_ms)
{
    return exchange_at(port, req, n, out, cap, idle_ms);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* The data directory goes with the process. */
static void remove_data(void)
{
    nftw(data_dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void *serve(void *arg)
{
    (void)arg;
    mj_server_run(&cfg);
    return NULL;
}

static bool healthy(void)
{
    static const char req[] =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char buf[512];
    for (int i = 0; i < 100; i++) {
        if (exchange(req, sizeof req - 1, buf, sizeof buf, 2000) > 12 && strstr(buf, " 200 "))
            return true;
        usleep(50000);
    }
    return false;
}

/* Signs up with the first admin invite and keeps the session cookie. */
static void sign_up(const char *first_invite)
{
    char body[512], req[2048], resp[8192];
    int bl = snprintf(body, sizeof body,
                      "{\"invite\":\"%s\",\"handle\":\"fuzzer\",\"display_name\":\"fuzzer\","
                      "\"passphrase\":\"a long enough passphrase\"}",
                      first_invite);
    int rl = snprintf(req, sizeof req,
                      "POST /api/signup HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\n"
                      "Content-Type: application/json\r\nContent-Length: %d\r\n"
                      "Connection: close\r\n\r\n%s",
                      hostport, hostport, bl, body);
    exchange(req, (size_t)rl, resp, sizeof resp, 5000);
    const char *c = strstr(resp, "et-Cookie: ");
    if (!c) c = strstr(resp, "et-cookie: ");
    ASSERT(c);
    c += 11;
    size_t n = strcspn(c, ";\r\n");
    ASSERT(n < sizeof cookie);
    memcpy(cookie, c, n);
    cookie[n] = '\0';
}

static void setup(void)
{
    snprintf(data_dir, sizeof data_dir, "/tmp/majlis-fuzz-http-XXXXXX");
    ASSERT(mkdtemp(data_dir));
    atexit(remove_data);
    char *room_argv[] = {"create", "--data", data_dir, "Fuzz", NULL};
    capture(mj_cmd_room, room_argv, 4, room, sizeof room);
    char *l_argv[] = {"--data", data_dir, "--room", room, "--role", "listener", NULL};
    capture(mj_cmd_token, l_argv, 6, listener_tok, sizeof listener_tok);
    char *s_argv[] = {"--data", data_dir, "--room", room, "--role", "speaker", NULL};
    capture(mj_cmd_token, s_argv, 6, speaker_tok, sizeof speaker_tok);

    port = 20000 + (int)(mj_rand_u32() % 20000);
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", port);
    cfg.data_dir = data_dir;
    ASSERT(mj_addr_parse(hostport, &cfg.http) == 0);
    cfg.media_bind = cfg.http;
    cfg.media_bind.port = 0;
    cfg.announce = cfg.media_bind;
    cfg.media_port = (uint16_t)(port + 1);
    redirect_port = port + 2;
    cfg.http_redirect = cfg.http;
    cfg.http_redirect.port = (uint16_t)redirect_port;
    metrics_port = port + 3;
    cfg.metrics_listen = cfg.http;
    cfg.metrics_listen.port = (uint16_t)metrics_port;
    cfg.workers = 1;
    cfg.handshake_threads = 1;
    cfg.max_sessions = 200;
    cfg.max_per_owner = 8;
    cfg.max_per_address = 100;
    cfg.max_load_percent = 100;
    cfg.room_split = 500;
    cfg.max_body = 64 * 1024;
    cfg.max_stage = 20;
    cfg.max_hosted = 2;
    cfg.consent_timeout_s = 30;
    cfg.connect_timeout_s = 10;
    cfg.socket_grace_s = 15;
    cfg.moderator_grace_s = 60;
    /* The first start prints the admin invite on standard output. */
    captured c = stdout_to_pipe();
    pthread_t t;
    ASSERT(pthread_create(&t, NULL, serve, NULL) == 0);
    pthread_detach(t);
    ASSERT(healthy());
    char out[4096];
    stdout_back(c, out, sizeof out);
    const char *inv = strstr(out, "/invite/");
    ASSERT(inv);
    inv += 8;
    size_t il = strcspn(inv, " \r\n");
    ASSERT(il < sizeof invite);
    memcpy(invite, inv, il);
    invite[il] = '\0';
    sign_up(invite);
    /* {I} names a fresh, unused code shape; the admin's own is used up. */
    snprintf(invite, sizeof invite, "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAA");
    mj_log_set_level(MJ_LOG_ERROR);
}

/* Copies in to out with the placeholders replaced. */
static size_t expand(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        const char *with = NULL;
        if (in[i] == '{' && i + 2 < n && in[i + 2] == '}') {
            switch (in[i + 1]) {
            case 'R': with = room; break;
            case 'L': with = listener_tok; break;
            case 'S': with = speaker_tok; break;
            case 'C': with = cookie; break;
            case 'I': with = invite; break;
            case 'P': with = hostport; break;
            }
        }
        if (with) {
            size_t wl = strlen(with);
            if (wl > cap - o) wl = cap - o;
            memcpy(out + o, with, wl);
            o += wl;
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    static uint8_t req[128 * 1024];
    bool redirect = size >= 3 && memcmp(data, "{X}", 3) == 0;
    bool metrics = size >= 3 && memcmp(data, "{M}", 3) == 0;
    size_t skip = redirect || metrics ? 3 : 0;
    size_t n = expand(data + skip, size - skip, req, sizeof req);
    static char resp[64 * 1024];
    int to = redirect ? redirect_port : metrics ? metrics_port : port;
    size_t got = exchange_at(to, req, n, resp, sizeof resp, 100);
    /* MJ_FUZZ_HTTP_SHOW=1: each answer's status line, for checking that
     * seeds reach what they aim at. */
    if (getenv("MJ_FUZZ_HTTP_SHOW"))
        fprintf(stderr, "fuzz_http: %.*s\n", (int)strcspn(resp, "\r\n"), got ? resp : "(nothing)");
    ASSERT(healthy());
    return 0;
}
