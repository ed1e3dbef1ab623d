/* Request routing for the control plane. */
#include "api/account.h"
#include "api/assets.h"
#include "api/server_internal.h"

#include "base/buf.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

#define METRICS_MAX (256 * 1024)

static bool peer_is_loopback(const mj_http_req *req)
{
    const char *ip = mj_http_peer_ip(req);
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
           strncmp(ip, "::ffff:127.", 11) == 0;
}

static void handle_metrics(mj_server *srv, mj_http_req *req)
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

static void security_headers(mj_http_req *req)
{
    mj_http_add_header(req, "content-security-policy",
                       "default-src 'self'; script-src 'self'; style-src 'self'; "
                       "img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
                       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    mj_http_add_header(req, "x-content-type-options", "nosniff");
    mj_http_add_header(req, "referrer-policy", "no-referrer");
    mj_http_add_header(req, "permissions-policy", "camera=(), geolocation=(), microphone=(self)");
}

static bool serve_asset(mj_http_req *req, const char *path)
{
    const mj_asset *a = mj_asset_find(path);
    if (!a)
        return false;
    security_headers(req);
    mj_http_add_header(req, "etag", a->etag);
    mj_http_add_header(req, "cache-control", "no-cache");
    char inm[80];
    if (mj_http_header(req, MJ_HDR_IF_NONE_MATCH, inm, sizeof inm) > 0 &&
        strcmp(inm, a->etag) == 0) {
        mj_http_respond(req, 304, NULL, NULL, 0);
        return true;
    }
    mj_http_respond_static(req, 200, mj_asset_mime(a->path), a->data, a->len);
    return true;
}

static void route(mj_server *srv, mj_http_req *req)
{
    const char *path = mj_http_path(req);
    mj_http_method method = mj_http_method_of(req);
    if (strncmp(path, "/whip/", 6) == 0) {
        mj_whip_handle(srv, req, false, path + 6);
        return;
    }
    if (strncmp(path, "/whep/", 6) == 0) {
        mj_whip_handle(srv, req, true, path + 6);
        return;
    }
    if (strncmp(path, "/api/", 5) == 0) {
        mj_account_route(srv, req);
        return;
    }
    bool read_only = method == MJ_HTTP_GET || method == MJ_HTTP_HEAD;
    /* Invite links and the sign-in page open the web app, which reads the
     * view (and the invite code) from the path. */
    if (read_only && (strncmp(path, "/invite/", 8) == 0 || strcmp(path, "/login") == 0) &&
        serve_asset(req, "/index.html"))
        return;
    if (strcmp(path, "/healthz") == 0 && read_only) {
        mj_http_respond(req, 200, "application/json", "{\"status\":\"ok\"}", 15);
        return;
    }
    if (strcmp(path, "/metrics") == 0 && read_only) {
        handle_metrics(srv, req);
        return;
    }
    if (read_only && serve_asset(req, path))
        return;
    if (!read_only && mj_asset_find(path)) {
        mj_http_add_header(req, "allow", "GET, HEAD");
        mj_http_error(req, 405, "method_not_allowed", "this resource is read-only");
        return;
    }
    mj_http_error(req, 404, "not_found", "no such resource");
}

void mj_server_handle(void *ctx, mj_http_req *req)
{
    mj_server *srv = ctx;
    srv->http_requests++;
    route(srv, req);
    int cls = mj_http_status_of(req) / 100;
    if (cls >= 2 && cls <= 5)
        srv->http_status[cls]++;
}
