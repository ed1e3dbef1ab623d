/* majlis serve: parses flags into a server configuration and runs it. */
#include "cli/commands.h"
#include "cli/flags.h"

#include "api/bodies.h"
#include "api/server.h"
#include "base/log.h"
#include "http/http.h"
#include "io/worker.h"

#include <stdio.h>
#include <string.h>

static bool is_unspecified(const mj_addr *a)
{
    static const uint8_t zero[16];
    return memcmp(a->ip, zero, a->family == 4 ? 4 : 16) == 0;
}

/* "127.0.0.1,10.0.0.0/8,::1" into out; the count, or -1 after saying
 * what is wrong. */
static int parse_proxies(const char *list, mj_prefix *out, size_t cap)
{
    char buf[1024];
    if (strlen(list) >= sizeof buf) {
        fprintf(stderr, "majlis serve: --trusted-proxy list is too long\n");
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", list);
    size_t n = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
        if (n == cap) {
            fprintf(stderr, "majlis serve: at most %zu trusted proxies\n", cap);
            return -1;
        }
        if (mj_prefix_parse(item, &out[n]) != 0) {
            fprintf(stderr,
                    "majlis serve: --trusted-proxy wants IP addresses or networks (IP/BITS), "
                    "not '%s'\n",
                    item);
            return -1;
        }
        n++;
    }
    return (int)n;
}

/* --tls-cert, --tls-key and --http-redirect: the pair must load now, so a
 * mistake shows at once rather than as a server nobody can reach. */
static int tls_options(mj_server_config *cfg, const char *cert, const char *key,
                       const char *redirect)
{
    if (!cert && !key) {
        if (redirect) {
            fprintf(stderr, "majlis serve: --http-redirect needs --tls-cert and --tls-key\n");
            return -1;
        }
        return 0;
    }
    if (!cert || !key) {
        fprintf(stderr, "majlis serve: --tls-cert and --tls-key go together\n");
        return -1;
    }
    char why[400];
    if (mj_http_tls_check(cert, key, why, sizeof why) != 0) {
        fprintf(stderr, "majlis serve: %s\n", why);
        return -1;
    }
    cfg->tls_cert = cert;
    cfg->tls_key = key;
    if (redirect && mj_addr_parse(redirect, &cfg->http_redirect) != 0) {
        fprintf(stderr, "majlis serve: --http-redirect wants IP:PORT (like 0.0.0.0:80), not '%s'\n",
                redirect);
        return -1;
    }
    return 0;
}

int mj_cmd_serve(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA, *http = MJ_DEFAULT_HTTP, *announce = NULL;
    const char *media_bind = NULL, *log_level = "info", *proxies = NULL, *metrics_token = NULL;
    long media_port = MJ_DEFAULT_MEDIA_PORT, workers = 1, max_sessions = 20000, max_load = 90;
    long room_split = 500, max_stage = 20, max_hosted = 2, consent = 30, socket_grace = 15;
    long moderator_grace = 60, hs_threads = -1, per_token = 8, per_address = 100;
    long connect = 10, max_conns = 128, turn_ttl = 600, tcp_port = -1;
    long max_tcp = MJ_WORKER_TCP_CONNS;
    const char *config = NULL;
    mj_api_overrides api = MJ_API_NO_OVERRIDES;
    mj_flag_checked limits = {NULL, mj_api_check_rate_limits};
    mj_flag_checked origin = {NULL, mj_api_check_public_origin};
    const char *tls_cert = NULL, *tls_key = NULL, *redirect = NULL, *turn_secret = NULL;
    const char *metrics = NULL;
    mj_flag_multi turn_urls = {0};
    mj_flag flags[] = {
        {"config", MJ_FLAG_CONFIG, &config, "FILE",
         "read flags from FILE (see below); those given here win", 0, 0, false, false},
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"http", MJ_FLAG_STRING, &http, "ADDR:PORT", "HTTP listen address (default 127.0.0.1:8080)",
         0, 0, false, false},
        {"media-port", MJ_FLAG_INT, &media_port, "PORT",
         "first UDP media port (default 40000; worker i uses PORT+i)", 1, 65535, false, false},
        {"media-tcp-port", MJ_FLAG_INT, &tcp_port, "PORT",
         "first ICE-TCP media port, for clients whose UDP is blocked (default: the\n"
         "                             --media-port number; worker i uses PORT+i; 0: off)",
         0, 65535, false, false},
        {"max-tcp-connections", MJ_FLAG_INT, &max_tcp, "N",
         "ICE-TCP connections one media worker holds at once (default 1000)", 1, 100000, false,
         false},
        {"media-bind", MJ_FLAG_STRING, &media_bind, "IP",
         "IP the media sockets bind to (default: the HTTP address; when that is\n"
         "                             loopback, also this machine's other addresses, taking\n"
         "                             datagrams from this machine alone, for Firefox)",
         0, 0, false, false},
        {"announce", MJ_FLAG_STRING, &announce, "IP",
         "IP put in ICE candidates (default: the media bind address)", 0, 0, false, false},
        {"workers", MJ_FLAG_INT, &workers, "N", "media worker threads (default 1)", 1, 64, false,
         false},
        {"handshake-threads", MJ_FLAG_INT, &hs_threads, "N",
         "threads for DTLS handshakes, so that joins never wait behind forwarding\n"
         "                             (default 1 per 4 workers, at least 1; 0: on the workers)",
         0, 64, false, false},
        {"max-sessions", MJ_FLAG_INT, &max_sessions, "N",
         "most concurrent WHIP/WHEP sessions (default 20000)", 1, 1000000, false, false},
        {"max-sessions-per-token", MJ_FLAG_INT, &per_token, "N",
         "media sessions one member's token (or one member in person) may hold\n"
         "                             (default 8; 0: no limit; the operator's tokens have none)",
         0, 1000000, false, false},
        {"max-sessions-per-address", MJ_FLAG_INT, &per_address, "N",
         "media sessions from one client address, an IPv6 /64 counting as one\n"
         "                             (default 100; 0: no limit)",
         0, 1000000, false, false},
        {"room-split", MJ_FLAG_INT, &room_split, "N",
         "with several workers, listeners of one room a worker serves before the room\n"
         "                             spreads to another (default 500; 0: never)",
         0, 1000000, false, false},
        {"max-load", MJ_FLAG_INT, &max_load, "PERCENT",
         "refuse new listeners while their room's media worker is busier than this\n"
         "                             (default 90; 100: never; 0: no new listeners, to drain)",
         0, 100, false, false},
        {"max-stage", MJ_FLAG_INT, &max_stage, "N", "people on stage in one room (default 20)", 1,
         500, false, false},
        {"max-hosted", MJ_FLAG_INT, &max_hosted, "N",
         "live rooms one member may host at once (default 2)", 1, 100, false, false},
        {"consent-timeout", MJ_FLAG_INT, &consent, "SECONDS",
         "a media connection whose browser stops answering this long ends (default 30)", 2, 300,
         false, false},
        {"connect-timeout", MJ_FLAG_INT, &connect, "SECONDS",
         "a media connection that has not finished ICE and DTLS this long after its\n"
         "                             offer ends (default 10)",
         2, 300, false, false},
        {"socket-grace", MJ_FLAG_INT, &socket_grace, "SECONDS",
         "a room page's event socket may be away this long before its visit ends\n"
         "                             (default 15)",
         1, 300, false, false},
        {"moderator-grace", MJ_FLAG_INT, &moderator_grace, "SECONDS",
         "a room left without a moderator this long ends by itself (default 60)", 1, 3600, false,
         false},
        /* The members API's settings (docs/api.md); they win over the environment. */
        {"session-idle", MJ_FLAG_INT, &api.session_idle_s, "SECONDS",
         "a sign-in unused this long ends (default 1209600, 14 days;\n"
         "                             or MAJLIS_SESSION_IDLE)",
         1, MJ_SESSION_S_MAX, false, false},
        {"session-max", MJ_FLAG_INT, &api.session_max_s, "SECONDS",
         "every sign-in ends this long after it began (default 5184000, 60 days;\n"
         "                             or MAJLIS_SESSION_MAX)",
         1, MJ_SESSION_S_MAX, false, false},
        {"invite-quota", MJ_FLAG_INT, &api.invite_quota, "N",
         "invite links a new member may make (default 3; or MAJLIS_INVITE_QUOTA)", 0, MJ_QUOTA_MAX,
         false, false},
        {"hash-threads", MJ_FLAG_INT, &api.hash_threads, "N",
         "passphrase-hashing threads, 64 MiB each while hashing (default 2;\n"
         "                             or MAJLIS_HASH_THREADS)",
         1, MJ_HASH_THREADS_MAX, false, false},
        {"rate-limits", MJ_FLAG_CHECKED, &limits, "LIST",
         "rate limits over the defaults of docs/api.md, like\n"
         "                             login_account=5/600,api_session=off (or MAJLIS_RATE_LIMITS)",
         0, 0, false, false},
        {"public-origin", MJ_FLAG_CHECKED, &origin, "URL",
         "https://HOST where people reach this server, for the same-origin\n"
         "                             rule, links and cookies; set it behind a proxy\n"
         "                             (default: each request's Host; or MAJLIS_PUBLIC_ORIGIN)",
         0, 0, false, false},
        {"trusted-proxy", MJ_FLAG_STRING, &proxies, "ADDR[,ADDR...]",
         "reverse proxies (IP or IP/BITS) whose X-Forwarded-For names the client\n"
         "                             and whose X-Forwarded-Proto counts (default: none;\n"
         "                             the headers are ignored)",
         0, 0, false, false},
        {"max-connections-per-address", MJ_FLAG_INT, &max_conns, "N",
         "HTTP connections one address (IPv6: one /64) may hold, a quarter of them\n"
         "                             still sending their request (default 128; 0: no limit;\n"
         "                             trusted proxies are not counted)",
         0, 100000, false, false},
        {"metrics-token-file", MJ_FLAG_STRING, &metrics_token, "FILE",
         "/metrics asks for this bearer token (default: loopback clients only,\n"
         "                             never through a proxy)",
         0, 0, false, false},
        {"metrics", MJ_FLAG_STRING, &metrics, "ADDR:PORT",
         "serve /metrics (and /healthz) on this address of its own, to whoever\n"
         "                             reaches it (with --metrics-token-file: who shows the\n"
         "                             token), and not on the HTTP address (default: off)",
         0, 0, false, false},
        {"tls-cert", MJ_FLAG_STRING, &tls_cert, "FILE",
         "serve HTTPS with this PEM certificate (its chain after it); read again on\n"
         "                             SIGHUP (default: plain HTTP)",
         0, 0, false, false},
        {"tls-key", MJ_FLAG_STRING, &tls_key, "FILE", "the PEM private key of --tls-cert", 0, 0,
         false, false},
        {"http-redirect", MJ_FLAG_STRING, &redirect, "ADDR:PORT",
         "with --tls-cert: plain HTTP here only redirects to HTTPS (default: off)", 0, 0, false,
         false},
        {"turn-url", MJ_FLAG_MULTI, &turn_urls, "URL[,URL...]",
         "TURN server(s) clients may relay through, like\n"
         "                             turns:turn.example.org:443?transport=tcp (repeatable)",
         0, 0, false, false},
        {"turn-secret-file", MJ_FLAG_STRING, &turn_secret, "FILE",
         "coturn's static-auth-secret (first line), for short-lived credentials", 0, 0, false,
         false},
        {"turn-ttl", MJ_FLAG_INT, &turn_ttl, "SECONDS",
         "how long a TURN credential lasts (default 600)", 60, 86400, false, false},
        {"log-level", MJ_FLAG_STRING, &log_level, "LEVEL",
         "error, warn, info, debug or trace (default info)", 0, 0, false, false},
        {0},
    };
    mj_command cmd = {"serve", "Runs the majlis server.", NULL, 0, 0, flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;

    if (mj_flags_log_level("serve", log_level) != 0) return 2;

    mj_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = data;
    api.rate_limits = limits.value;
    api.public_origin = origin.value;
    cfg.api = &api;
    if (mj_addr_parse(http, &cfg.http) != 0) {
        fprintf(stderr, "majlis serve: --http wants IP:PORT (like 127.0.0.1:8080), not '%s'\n",
                http);
        return 2;
    }
    if (media_bind) {
        if (mj_addr_parse_ip(media_bind, 0, &cfg.media_bind) != 0) {
            fprintf(stderr, "majlis serve: --media-bind wants an IP address, not '%s'\n",
                    media_bind);
            return 2;
        }
    } else {
        cfg.media_bind = cfg.http;
        cfg.media_bind.port = 0;
        /* A server on loopback is for this machine; Firefox there needs
         * a candidate that is not loopback (io/localaddr.h). Naming
         * --media-bind or --announce keeps exactly what they say. */
        cfg.media_local_only = mj_addr_is_loopback(&cfg.http) && !announce;
    }
    if (media_port + workers - 1 > 65535) {
        fprintf(stderr, "majlis serve: --media-port + --workers goes past port 65535\n");
        return 2;
    }
    cfg.media_port = (uint16_t)media_port;
    if (tcp_port < 0) tcp_port = media_port;
    if (tcp_port > 0 && tcp_port + workers - 1 > 65535) {
        fprintf(stderr, "majlis serve: --media-tcp-port + --workers goes past port 65535\n");
        return 2;
    }
    cfg.media_tcp_port = (uint16_t)tcp_port;
    cfg.max_tcp_conns = (int)max_tcp;
    if (announce) {
        if (mj_addr_parse_ip(announce, 0, &cfg.announce) != 0 || is_unspecified(&cfg.announce)) {
            fprintf(stderr, "majlis serve: --announce wants a reachable IP address, not '%s'\n",
                    announce);
            return 2;
        }
    } else {
        if (is_unspecified(&cfg.media_bind)) {
            fprintf(stderr, "majlis serve: media binds to every address, so --announce must say "
                            "which IP clients should send audio to\n");
            return 2;
        }
        cfg.announce = cfg.media_bind;
    }
    cfg.workers = (int)workers;
    cfg.handshake_threads = hs_threads >= 0 ? (int)hs_threads : 1 + ((int)workers - 1) / 4;
    cfg.max_sessions = (int)max_sessions;
    cfg.max_per_owner = (int)per_token;
    cfg.max_per_address = (int)per_address;
    cfg.max_load_percent = (int)max_load;
    cfg.room_split = (int)room_split;
    cfg.max_body = 64 * 1024;
    cfg.max_stage = (int)max_stage;
    cfg.max_hosted = (int)max_hosted;
    cfg.consent_timeout_s = (int)consent;
    cfg.connect_timeout_s = (int)connect;
    cfg.socket_grace_s = (int)socket_grace;
    cfg.moderator_grace_s = (int)moderator_grace;
    mj_prefix trusted[MJ_SERVER_PROXIES_MAX];
    if (proxies) {
        int n = parse_proxies(proxies, trusted, MJ_SERVER_PROXIES_MAX);
        if (n < 0) return 2;
        cfg.trusted_proxies = trusted;
        cfg.ntrusted_proxies = (size_t)n;
    }
    cfg.metrics_token_file = metrics_token;
    if (metrics && (mj_addr_parse(metrics, &cfg.metrics_listen) != 0 || !cfg.metrics_listen.port)) {
        fprintf(stderr, "majlis serve: --metrics wants IP:PORT (like 127.0.0.1:9100), not '%s'\n",
                metrics);
        return 2;
    }
    cfg.max_conns_per_addr = (unsigned)max_conns;
    if (tls_options(&cfg, tls_cert, tls_key, redirect) != 0) return 2;
    if (turn_urls.n && !turn_secret) {
        fprintf(stderr, "majlis serve: --turn-url needs --turn-secret-file\n");
        return 2;
    }
    cfg.turn_urls = turn_urls.values;
    cfg.nturn_urls = turn_urls.n;
    cfg.turn_secret_file = turn_secret;
    cfg.turn_ttl_s = (unsigned)turn_ttl;
    return mj_server_run(&cfg);
}
