/* /healthz for whoever checks the server is up, and /metrics (Prometheus
 * text) for the machine itself. */
#include "api/resources.h"

#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

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

void mj_status_metrics(mj_server *srv, mj_http_req *req)
{
    /* Counters say how busy rooms are; keep them to the machine itself
     * (a Prometheus on the same host, or through an SSH tunnel). */
    if (!peer_is_loopback(req)) {
        mj_http_error(req, 403, "forbidden", "metrics are served to loopback clients only");
        return;
    }
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
    if (w.failed)
        mj_http_error(req, 500, "internal", "metrics too large");
    else
        mj_http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf, w.len);
    free(buf);
}
