/* The plain HTTP port of an HTTPS server: every request gets a redirect
 * to the same path on the HTTPS origin, and nothing else (no API, no
 * pages, no WebSockets), so that nothing of value ever crosses the wire
 * in the clear. GET and HEAD get 301; other methods 308, which keeps the
 * method (a client that posted in the clear should notice, not resend
 * silently as a GET).
 *
 * The origin is the configured one; without it, "https://" and the name
 * the request's Host gives (its port dropped, the HTTPS port added), if
 * that name is a plain host name or IP literal. A Host that is neither
 * gets 400: the Location header is never made of arbitrary bytes. */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

#define LOCATION_MAX 1500

/* The name in a Host header, without its port: "name", "1.2.3.4" or
 * "[v6]" (with its brackets). Length 0 when it is not one. */
static size_t host_name(const char *host, size_t n)
{
    if (n && host[0] == '[') {
        const char *close = memchr(host, ']', n);
        if (!close) return 0;
        size_t len = (size_t)(close - host) + 1;
        return strspn(host + 1, "0123456789abcdefABCDEF:.") == len - 2 ? len : 0;
    }
    size_t len = strcspn(host, ":");
    if (len == 0 || len > 253) return 0;
    return strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len
               ? len
               : 0;
}

/* Appends s, percent-encoding every byte outside the unreserved set and
 * the ones kept (keep). */
static bool put_encoded(char *out, size_t cap, size_t *at, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("-._~", c) || strchr(keep, c);
        size_t need = plain ? 1 : 3;
        if (*at + need >= cap) return false;
        if (plain) {
            out[(*at)++] = (char)c;
        } else {
            out[(*at)++] = '%';
            out[(*at)++] = hex[c >> 4];
            out[(*at)++] = hex[c & 15];
        }
    }
    out[*at] = '\0';
    return true;
}

/* The query, as lws parsed it into "name=value" pieces (decoded). */
static bool put_query(struct lws *wsi, char *out, size_t cap, size_t *at)
{
    char piece[512];
    for (int i = 0; i < 64; i++) {
        int n = lws_hdr_copy_fragment(wsi, piece, sizeof piece, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0) return true; /* no more pieces (or one too long: left out) */
        if (*at + 1 >= cap) return false;
        out[(*at)++] = i == 0 ? '?' : '&';
        if (!put_encoded(out, cap, at, piece, "=")) return false;
    }
    return false;
}

static bool origin_of(mj_http_req *req, char *out, size_t cap)
{
    const mj_http_config *cfg = &req->srv->cfg;
    if (cfg->redirect_origin && cfg->redirect_origin[0])
        return (size_t)snprintf(out, cap, "%s", cfg->redirect_origin) < cap;
    char host[300];
    int n = mj_http_header(req, MJ_HDR_HOST, host, sizeof host);
    size_t len = n > 0 ? host_name(host, (size_t)n) : 0;
    if (len == 0) return false;
    if (req->srv->bound_port == 443)
        return (size_t)snprintf(out, cap, "https://%.*s", (int)len, host) < cap;
    return (size_t)snprintf(out, cap, "https://%.*s:%d", (int)len, host, req->srv->bound_port) <
           cap;
}

void mj_http_redirect(mj_http_req *req)
{
    char loc[LOCATION_MAX];
    if (!origin_of(req, loc, sizeof loc)) {
        req->close_after = true;
        mj_http_error(req, 400, "bad_host",
                      "this port only redirects to HTTPS, and needs a "
                      "Host header naming this server");
        return;
    }
    size_t at = strlen(loc);
    if (!put_encoded(loc, sizeof loc, &at, req->path, "/!$&'()*+,;=:@") ||
        !put_query(req->wsi, loc, sizeof loc, &at)) {
        req->close_after = true;
        mj_http_error(req, 414, "uri_too_long", "request path is too long to redirect");
        return;
    }
    bool keep_method = req->method != MJ_HTTP_GET && req->method != MJ_HTTP_HEAD;
    req->close_after = true;
    mj_http_add_header(req, "location", loc);
    mj_http_add_header(req, "cache-control", "no-store");
    mj_http_respond(req, keep_method ? 308 : 301, NULL, NULL, 0);
}
