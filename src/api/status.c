/* /healthz for whoever checks the server is up, and /metrics (Prometheus
 * text) for the machine itself. */
#include "api/resources.h"

#include "base/buf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define METRICS_MAX (256 * 1024)

void mj_status_health(mj_server *srv, mj_http_req *req)
{
    (void)srv;
    mj_http_respond(req, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

static bool peer_is_loopback(const mj_http_req *req)
{
    const char *ip = mj_http_peer_ip(req);
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
           strncmp(ip, "::ffff:127.", 11) == 0;
}

/* Compares through hashes, so that the time taken says nothing about
 * how much of a guess was right, nor about the token's length. */
static bool same_token(const char *a, size_t alen, const char *b)
{
    uint8_t ha[32], hb[32];
    crypto_generichash(ha, sizeof ha, (const uint8_t *)a, alen, NULL, 0);
    crypto_generichash(hb, sizeof hb, (const uint8_t *)b, strlen(b), NULL, 0);
    return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

/* Counters say how busy rooms are; they are for the operator. With a
 * token, whoever shows it; without, the machine itself (a Prometheus on
 * the same host, or through an SSH tunnel) and never a request that came
 * through a proxy: behind a proxy on the same machine every visitor's
 * connection is a loopback one. */
static bool metrics_allowed(mj_server *srv, mj_http_req *req)
{
    /* On their own address (--metrics), whoever can reach it, as the
     * operator chose. */
    if (!srv->metrics_token[0] && mj_http_on_metrics_listener(req)) return true;
    if (!srv->metrics_token[0]) {
        if (!mj_http_forwarded(req) && peer_is_loopback(req)) return true;
        mj_http_error(req, 403, "forbidden",
                      "metrics are served to loopback clients only, not through a proxy");
        return false;
    }
    char auth[MJ_METRICS_TOKEN_MAX + 16];
    int n = mj_http_header(req, MJ_HDR_AUTHORIZATION, auth, sizeof auth);
    if (n > 7 && strncasecmp(auth, "Bearer ", 7) == 0 &&
        same_token(auth + 7, (size_t)n - 7, srv->metrics_token))
        return true;
    mj_http_add_header(req, "www-authenticate", "Bearer");
    mj_http_error(req, 401, "unauthorized", "metrics need the bearer token");
    return false;
}

void mj_status_metrics(mj_server *srv, mj_http_req *req)
{
    if (!metrics_allowed(srv, req)) return;
    char *buf = malloc(METRICS_MAX);
    if (!buf) {
        mj_http_error(req, 500, "internal", "out of memory");
        return;
    }
    mj_wbuf w;
    mj_wbuf_init(&w, buf, METRICS_MAX);
    mj_media_metrics(srv->media, &w);
    mj_wbuf_printf(&w, "# HELP majlis_http_requests_total HTTP requests handled\n"
                       "# TYPE majlis_http_requests_total counter\n");
    for (int c = 2; c <= 5; c++)
        mj_wbuf_printf(&w, "majlis_http_requests_total{class=\"%dxx\"} %llu\n", c,
                       (unsigned long long)srv->http_status[c]);
    mj_wbuf_printf(&w,
                   "# HELP majlis_http_refused_connections_total connections closed at once: "
                   "too many from their address\n"
                   "# TYPE majlis_http_refused_connections_total counter\n"
                   "majlis_http_refused_connections_total %llu\n",
                   (unsigned long long)mj_http_refused_connections(srv->http));
    if (w.failed)
        mj_http_error(req, 500, "internal", "metrics too large");
    else
        mj_http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf, w.len);
    free(buf);
}
