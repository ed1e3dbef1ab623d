/* Server start-up, the control loop and shutdown. */
#include "api/hallway.h"
#include "api/live.h"
#include "api/resources.h"
#include "api/server_internal.h"

#include "base/rand.h"
#include "io/clock.h"
#include "io/worker.h"

#include <sodium.h>

#include "base/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

static mj_http_server *volatile running_http;
static volatile sig_atomic_t reload_asked;

static void on_signal(int sig)
{
    (void)sig;
    if (running_http) mj_http_stop(running_http);
}

/* SIGHUP: read the certificate again (on the loop thread, on_wake). */
static void on_hangup(int sig)
{
    (void)sig;
    reload_asked = 1;
    if (running_http) mj_http_wake(running_http);
}

static void log_sink(enum mj_log_level level, const char *line)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s %s\n", ts, (long)(tv.tv_usec / 1000), mj_log_level_name(level),
            line);
}

static void wake_http(void *ctx)
{
    mj_server *srv = ctx;
    if (srv->http) mj_http_wake(srv->http);
}

/* Finished hashing jobs complete their requests here, on this thread. */
static void take_jobs(mj_server *srv)
{
    mj_pw_job *job;
    while (srv->pool && (job = mj_pw_pool_take(srv->pool)))
        job->done(srv, job);
}

static void on_wake(void *ctx)
{
    mj_server *srv = ctx;
    if (reload_asked) {
        reload_asked = 0;
        if (srv->cfg.tls_cert)
            mj_http_reload_tls(srv->http);
        else
            mj_info("SIGHUP: nothing to reload without --tls-cert");
    }
    if (srv->live) mj_live_media_poll(srv->live);
    take_jobs(srv);
}

static void on_tick(void *ctx)
{
    mj_server *srv = ctx;
    if (srv->live) mj_live_tick(srv->live);
    mj_server_sweep(srv, mj_clock_unix());
}

static int start_rooms(mj_server *srv)
{
    mj_live_config lc = {
        .max_stage = (unsigned)srv->cfg.max_stage,
        .socket_grace = MJ_SEC(srv->cfg.socket_grace_s),
        .no_moderator_end = MJ_SEC(srv->cfg.moderator_grace_s),
    };
    int err = mj_live_start(srv, &lc, &srv->live);
    if (err) mj_error("cannot bring the live rooms back (%s)", mj_strerror(err));
    return err;
}

static int start_members(mj_server *srv)
{
    const char *why = "?";
    if (mj_api_settings_load(&srv->set, srv->cfg.api, &why) != 0) {
        mj_error("bad value %s %s (see docs/api.md)",
                 why[0] == '-' ? "for" : "in the environment variable", why);
        return MJ_EINVAL;
    }
    uint8_t key[MJ_RATELIMIT_KEY_LEN];
    mj_rand_bytes(key, sizeof key);
    int err = mj_ratelimit_init(&srv->limiter, 1 << 16, key);
    sodium_memzero(key, sizeof key);
    if (!err)
        err = mj_pw_pool_start(srv->set.hash_threads, MJ_HASH_QUEUE, MJ_HASH_QUEUE_PER_NETWORK,
                               wake_http, srv, &srv->pool);
    if (err) {
        mj_error("cannot start the members API (%s)", mj_strerror(err));
        return err;
    }
    mj_server_sweep(srv, mj_clock_unix());
    return 0;
}

static void stop_members(mj_server *srv)
{
    srv->stopping = true;
    if (srv->pool) {
        mj_pw_pool_stop(srv->pool);
        take_jobs(srv); /* frees what came back */
        mj_pw_pool_free(srv->pool);
        srv->pool = NULL;
    }
    mj_ratelimit_dispose(&srv->limiter);
}

_Static_assert(MJ_SERVER_PROXIES_MAX <= MJ_HTTP_TRUSTED_MAX, "the HTTP layer takes them all");

/* The bearer token of /metrics: the file's first line, at least 16
 * characters. */
static int read_metrics_token(mj_server *srv)
{
    const char *path = srv->cfg.metrics_token_file;
    if (!path) return 0;
    FILE *f = fopen(path, "r");
    char line[MJ_METRICS_TOKEN_MAX + 2];
    bool ok = f && fgets(line, sizeof line, f);
    if (f) fclose(f);
    size_t n = ok ? strcspn(line, "\r\n") : 0;
    if (!ok || n < 16 || n > MJ_METRICS_TOKEN_MAX || strcspn(line, " \t") < n) {
        mj_error("cannot read a token of 16 to %d characters without spaces from %s",
                 MJ_METRICS_TOKEN_MAX, path);
        sodium_memzero(line, sizeof line);
        return -1;
    }
    memcpy(srv->metrics_token, line, n);
    srv->metrics_token[n] = '\0';
    sodium_memzero(line, sizeof line);
    return 0;
}

static int read_turn(mj_server *srv)
{
    const char *why = NULL;
    for (size_t i = 0; i < srv->cfg.nturn_urls; i++)
        if (mj_turn_add_urls(&srv->turn, srv->cfg.turn_urls[i], &why) != 0) {
            mj_error("--turn-url: %s", why);
            return -1;
        }
    if (!srv->turn.nurls) return 0;
    if (!srv->cfg.turn_secret_file) {
        mj_error("--turn-url needs --turn-secret-file (coturn's static-auth-secret)");
        return -1;
    }
    if (mj_turn_read_secret(&srv->turn, srv->cfg.turn_secret_file, &why) != 0) {
        mj_error("%s (%s)", why, srv->cfg.turn_secret_file);
        return -1;
    }
    srv->turn.ttl_s = srv->cfg.turn_ttl_s ? srv->cfg.turn_ttl_s : 600;
    return 0;
}

static int open_data(mj_server *srv)
{
    const char *why = "cannot open the database";
    if (mj_store_open(srv->cfg.data_dir, &srv->store, &why) != 0) {
        mj_error("%s (data directory %s)", why, srv->cfg.data_dir);
        return -1;
    }
    if (mj_data_secret(srv->cfg.data_dir, srv->secret, &why) != 0) {
        mj_error("%s", why);
        return -1;
    }
    return read_metrics_token(srv) != 0 || read_turn(srv) != 0 ? -1 : 0;
}

/* Every ICE-TCP connection is a descriptor: the soft limit (often 1,024)
 * is raised towards the hard one to fit the workers' connections and the
 * rest (HTTP, the store, the workers' own), and a limit that still cannot
 * is said, since accepts past it fail (each is counted as refused). */
static void raise_fd_limit(const mj_server *srv)
{
    if (!srv->cfg.media_tcp_port) return;
    int per = srv->cfg.max_tcp_conns ? srv->cfg.max_tcp_conns : MJ_WORKER_TCP_CONNS;
    rlim_t need = (rlim_t)srv->cfg.workers * (rlim_t)per + 4096;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need) return;
    rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < need)
        mj_warn("open files are limited to %llu, fewer than the %llu that %d worker(s) of %d "
                "ICE-TCP connections need: raise the limit (ulimit -n, LimitNOFILE=) or lower "
                "--max-tcp-connections",
                (unsigned long long)rl.rlim_cur, (unsigned long long)need, srv->cfg.workers, per);
}

static int start_media(mj_server *srv)
{
    raise_fd_limit(srv);
    mj_media_config mc = {
        .bind = srv->cfg.media_bind,
        .first_port = srv->cfg.media_port,
        .first_tcp_port = srv->cfg.media_tcp_port,
        .max_tcp_conns = srv->cfg.max_tcp_conns,
        .announce = srv->cfg.announce,
        .local_only = srv->cfg.media_local_only,
        .workers = srv->cfg.workers,
        .max_sessions = srv->cfg.max_sessions,
        .max_per_owner = srv->cfg.max_per_owner,
        .max_per_address = srv->cfg.max_per_address,
        .max_load_permille = srv->cfg.max_load_percent * 10,
        .room_split = srv->cfg.room_split,
        .handshake_threads = srv->cfg.handshake_threads,
        .consent_timeout = MJ_SEC(srv->cfg.consent_timeout_s),
        .connect_timeout = MJ_SEC(srv->cfg.connect_timeout_s),
        .wake = wake_http,
        .wake_ctx = srv,
    };
    const char *why = "cannot start the media plane";
    if (mj_media_start(&mc, &srv->media, &why) != 0) {
        mj_error("%s (media port %u)", why, (unsigned)srv->cfg.media_port);
        return -1;
    }
    return 0;
}

static int start_http(mj_server *srv)
{
    char ip[MJ_ADDR_STRLEN];
    mj_addr_ip_str(&srv->cfg.http, ip);
    char redirect_ip[MJ_ADDR_STRLEN], metrics_ip[MJ_ADDR_STRLEN];
    mj_addr_ip_str(&srv->cfg.http_redirect, redirect_ip);
    mj_addr_ip_str(&srv->cfg.metrics_listen, metrics_ip);
    const mj_ws_handler sockets[] = {mj_room_ws_handler(srv), mj_hallway_ws_handler(srv)};
    mj_http_config hc = {
        .listen_addr = ip,
        .port = srv->cfg.http.port,
        .max_body = srv->cfg.max_body,
        .handler = mj_router_handle,
        .handler_ctx = srv,
        .on_wake = on_wake,
        .wake_ctx = srv,
        .on_tick = on_tick,
        .tick_ms = 250,
        .ws = sockets,
        .nws = sizeof sockets / sizeof sockets[0],
        .trusted_proxies = srv->cfg.trusted_proxies,
        .ntrusted_proxies = srv->cfg.ntrusted_proxies,
        .max_conns_per_addr = srv->cfg.max_conns_per_addr,
        .tls_cert = srv->cfg.tls_cert,
        .tls_key = srv->cfg.tls_key,
        .redirect_addr = redirect_ip,
        .redirect_port = srv->cfg.http_redirect.port,
        .redirect_origin = srv->set.public_origin[0] ? srv->set.public_origin : NULL,
        .metrics_addr = metrics_ip,
        .metrics_port = srv->cfg.metrics_listen.port,
    };
    if (mj_http_start(&hc, &srv->http) != 0) {
        char a[MJ_ADDR_STRLEN];
        mj_error("cannot listen for HTTP%s on %s%s (in use, not an address of this machine%s)",
                 srv->cfg.tls_cert ? "S" : "", mj_addr_str(&srv->cfg.http, a),
                 srv->cfg.metrics_listen.port                       ? ", or the metrics address"
                 : srv->cfg.tls_cert && srv->cfg.http_redirect.port ? " or the redirect port"
                                                                    : "",
                 srv->cfg.tls_cert ? ", or a certificate libwebsockets would not load" : "");
        return -1;
    }
    return 0;
}

static void announce(const mj_server *srv)
{
    char ip[MJ_ADDR_STRLEN], media[MJ_ADDR_STRLEN];
    mj_addr_ip_str(&srv->cfg.http, ip);
    mj_addr_ip_str(&srv->cfg.announce, media);
    bool v6 = srv->cfg.http.family == 6;
    mj_info("media: %d worker(s) on UDP %s ports %u-%u, fingerprint %s", srv->cfg.workers, media,
            (unsigned)srv->cfg.media_port, (unsigned)(srv->cfg.media_port + srv->cfg.workers - 1),
            mj_media_fingerprint(srv->media));
    if (srv->cfg.media_local_only)
        mj_info("media: for this machine only; also at its own addresses (for Firefox), taking "
                "datagrams from them alone");
    if (srv->cfg.media_tcp_port)
        mj_info("media: ICE-TCP on %s ports %u-%u", media, (unsigned)srv->cfg.media_tcp_port,
                (unsigned)(srv->cfg.media_tcp_port + srv->cfg.workers - 1));
    /* The URL on stdout, for people and for scripts waiting on it. */
    printf("majlis: listening on %s://%s%s%s:%d/\n", srv->cfg.tls_cert ? "https" : "http",
           v6 ? "[" : "", ip, v6 ? "]" : "", mj_http_bound_port(srv->http));
    if (mj_http_redirect_port(srv->http)) {
        char rip[MJ_ADDR_STRLEN];
        mj_addr_ip_str(&srv->cfg.http_redirect, rip);
        bool rv6 = srv->cfg.http_redirect.family == 6;
        printf("majlis: redirecting http://%s%s%s:%d/ to HTTPS\n", rv6 ? "[" : "", rip,
               rv6 ? "]" : "", mj_http_redirect_port(srv->http));
    }
    if (mj_http_metrics_port(srv->http)) {
        char mip[MJ_ADDR_STRLEN];
        mj_addr_ip_str(&srv->cfg.metrics_listen, mip);
        bool mv6 = srv->cfg.metrics_listen.family == 6;
        printf("majlis: metrics on http://%s%s%s:%d/metrics\n", mv6 ? "[" : "", mip, mv6 ? "]" : "",
               mj_http_metrics_port(srv->http));
    }
    if (srv->turn.nurls)
        mj_info("turn: %zu URL(s), credentials valid %u s", srv->turn.nurls, srv->turn.ttl_s);
    fflush(stdout);
}

int mj_server_run(const mj_server_config *cfg)
{
    mj_log_set_sink(log_sink);
    mj_server *srv = calloc(1, sizeof *srv);
    if (!srv) return 1;
    srv->cfg = *cfg;
    int status = 1;
    signal(SIGPIPE, SIG_IGN);
    if (open_data(srv) != 0 || start_members(srv) != 0 || start_media(srv) != 0 ||
        start_rooms(srv) != 0 || start_http(srv) != 0)
        goto done;
    /* The handlers come before anything is announced: whoever reads the
     * URL may ask for a stop at once, and still gets a clean one. */
    running_http = srv->http;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction hup;
    memset(&hup, 0, sizeof hup);
    hup.sa_handler = on_hangup;
    sigaction(SIGHUP, &hup, NULL);
    announce(srv);
    if (mj_invites_first_start(srv, stdout) != 0) mj_error("cannot create the first admin invite");
    status = mj_http_run(srv->http) == 0 ? 0 : 1;
    running_http = NULL;
    mj_info("shutting down");
done:
    stop_members(srv);
    mj_http_free(srv->http); /* its sockets close first: rooms hear of it */
    srv->http = NULL;
    mj_live_free(srv->live);
    srv->live = NULL;
    mj_media_stop(srv->media);
    mj_store_close(srv->store);
    sodium_memzero(&srv->turn, sizeof srv->turn);
    free(srv);
    return status;
}
