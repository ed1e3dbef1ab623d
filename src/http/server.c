#include "http/http_internal.h"

#include "base/log.h"
#include "base/map.h"

#include <libwebsockets.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const method_names[] = {"GET",   "HEAD",   "POST",    "PUT",
                                           "PATCH", "DELETE", "OPTIONS", "OTHER"};

mj_http_method mj_http_method_of(const mj_http_req *req)
{
    return req->method;
}

const char *mj_http_method_name(const mj_http_req *req)
{
    return method_names[req->method];
}

const char *mj_http_path(const mj_http_req *req)
{
    return req->path;
}

const uint8_t *mj_http_body(const mj_http_req *req, size_t *len)
{
    *len = req->body_len;
    return req->body;
}

const char *mj_http_peer_ip(const mj_http_req *req)
{
    return req->peer;
}

static const enum lws_token_indexes hdr_tokens[] = {
    [MJ_HDR_AUTHORIZATION] = WSI_TOKEN_HTTP_AUTHORIZATION,
    [MJ_HDR_CONTENT_TYPE] = WSI_TOKEN_HTTP_CONTENT_TYPE,
    [MJ_HDR_ORIGIN] = WSI_TOKEN_ORIGIN,
    [MJ_HDR_HOST] = WSI_TOKEN_HOST,
    [MJ_HDR_COOKIE] = WSI_TOKEN_HTTP_COOKIE,
    [MJ_HDR_IF_NONE_MATCH] = WSI_TOKEN_HTTP_IF_NONE_MATCH,
    [MJ_HDR_IF_MATCH] = WSI_TOKEN_HTTP_IF_MATCH,
    [MJ_HDR_REFERER] = WSI_TOKEN_HTTP_REFERER,
};

static const char *const custom_names[] = {
    [MJ_HDR_X_FORWARDED_PROTO] = "x-forwarded-proto:",
    [MJ_HDR_SEC_FETCH_SITE] = "sec-fetch-site:",
};

int mj_http_header(mj_http_req *req, mj_http_hdr which, char *buf, size_t cap)
{
    if (cap == 0) return -1;
    buf[0] = '\0';
    if (which == MJ_HDR_X_FORWARDED_PROTO || which == MJ_HDR_SEC_FETCH_SITE) {
        const char *name = custom_names[which];
        int n = lws_hdr_custom_length(req->wsi, name, (int)strlen(name));
        if (n < 0 || (size_t)n >= cap) return -1;
        if (lws_hdr_custom_copy(req->wsi, buf, (int)cap, name, (int)strlen(name)) < 0) return -1;
        return n;
    }
    enum lws_token_indexes tok = hdr_tokens[which];
    int n = lws_hdr_total_length(req->wsi, tok);
    if (n <= 0 || (size_t)n >= cap) return -1;
    if (lws_hdr_copy(req->wsi, buf, (int)cap, tok) < 0) return -1;
    return n;
}

bool mj_http_content_type_is(mj_http_req *req, const char *type)
{
    char ct[128];
    if (mj_http_header(req, MJ_HDR_CONTENT_TYPE, ct, sizeof ct) <= 0) return false;
    size_t n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ')
        n--;
    return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

const char *mj_http_query(mj_http_req *req, const char *name, char *buf, size_t cap)
{
    char key[64];
    if ((size_t)snprintf(key, sizeof key, "%s=", name) >= sizeof key) return NULL;
    /* lws copies "name=value" into buf and points past "name=". */
    const char *v = lws_get_urlarg_by_name(req->wsi, key, buf, (int)cap);
    if (!v) return NULL;
    memmove(buf, v, strlen(v) + 1);
    return buf;
}

bool mj_http_is_https(mj_http_req *req)
{
    if (lws_is_ssl(req->wsi)) return true;
    if (!req->from_proxy) return false;
    char proto[16];
    return mj_http_header(req, MJ_HDR_X_FORWARDED_PROTO, proto, sizeof proto) > 0 &&
           strcmp(proto, "https") == 0;
}

void mj_http_add_header(mj_http_req *req, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    size_t need = nlen + 2 + vlen + 1;
    if (need > sizeof req->extra - req->extra_len) {
        req->extra_overflow = true;
        mj_error("http: response headers overflow (%s)", name);
        return;
    }
    char *at = req->extra + req->extra_len;
    memcpy(at, name, nlen);
    at[nlen] = ':';
    at[nlen + 1] = '\0';
    memcpy(at + nlen + 2, value, vlen + 1);
    req->extra_len += need;
}

static void start_response(mj_http_req *req, int status, const char *content_type)
{
    if (req->responded) {
        mj_error("http: second response to %s %s ignored", mj_http_method_name(req), req->path);
        return;
    }
    req->responded = true;
    req->status = status;
    snprintf(req->content_type, sizeof req->content_type, "%s", content_type ? content_type : "");
}

void mj_http_respond(mj_http_req *req, int status, const char *content_type, const void *body,
                     size_t len)
{
    if (req->responded) return;
    start_response(req, status, content_type);
    if (len) {
        req->out_owned = malloc(len);
        if (!req->out_owned) {
            req->status = 500;
            req->close_after = true;
            len = 0;
        } else {
            memcpy(req->out_owned, body, len);
        }
    }
    req->out = req->out_owned;
    req->out_len = len;
}

void mj_http_respond_static(mj_http_req *req, int status, const char *content_type,
                            const void *body, size_t len)
{
    if (req->responded) return;
    start_response(req, status, content_type);
    req->out = body;
    req->out_len = len;
}

void mj_http_respond_json(mj_http_req *req, int status, json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(obj);
    if (!text) {
        mj_http_respond(req, 500, "application/json", "{\"error\":\"internal\"}", 20);
        return;
    }
    mj_http_respond(req, status, "application/json", text, strlen(text));
    free(text);
}

void mj_http_error(mj_http_req *req, int status, const char *code, const char *message)
{
    json_t *o = json_pack("{s:s, s:s}", "error", code, "message", message);
    mj_http_respond_json(req, status, o);
}

bool mj_http_responded(const mj_http_req *req)
{
    return req->responded;
}

int mj_http_status_of(const mj_http_req *req)
{
    return req->responded ? req->status : 0;
}

static uint64_t handle_hash(uint64_t h)
{
    return mj_hash_bytes(&h, sizeof h);
}

static void req_reset(mj_http_req *req)
{
    if (req->handle) mj_map_remove(&req->srv->deferred, handle_hash(req->handle), req);
    free(req->body);
    free(req->out_owned);
    mj_http_server *srv = req->srv;
    memset(req, 0, sizeof *req);
    req->srv = srv;
}

static mj_http_method method_from_lws(int m)
{
    switch (m) {
    case LWSHUMETH_GET: return MJ_HTTP_GET;
    case LWSHUMETH_HEAD: return MJ_HTTP_HEAD;
    case LWSHUMETH_POST: return MJ_HTTP_POST;
    case LWSHUMETH_PUT: return MJ_HTTP_PUT;
    case LWSHUMETH_PATCH: return MJ_HTTP_PATCH;
    case LWSHUMETH_DELETE: return MJ_HTTP_DELETE;
    case LWSHUMETH_OPTIONS: return MJ_HTTP_OPTIONS;
    default: return MJ_HTTP_OTHER;
    }
}

static void dispatch(mj_http_req *req)
{
    mj_http_server *srv = req->srv;
    if (req->body_too_large) {
        req->close_after = true;
        mj_http_error(req, 413, "too_large", "request body is too large");
    } else if (req->body_too_slow) {
        req->close_after = true;
        mj_http_error(req, 408, "request_timeout", "the request body came too slowly");
    } else {
        srv->cfg.handler(srv->cfg.handler_ctx, req);
        if (req->ph == PH_DEFERRED && !req->responded) return;
        if (!req->responded) {
            mj_error("http: handler gave no response to %s %s", mj_http_method_name(req),
                     req->path);
            mj_http_error(req, 500, "internal", "no response");
        }
    }
    req->ph = PH_RESPONDING;
    lws_callback_on_writable(req->wsi);
}

uint64_t mj_http_defer(mj_http_req *req)
{
    mj_http_server *srv = req->srv;
    uint64_t h = ++srv->next_handle;
    if (mj_map_add(&srv->deferred, handle_hash(h), req) != 0) return 0;
    req->handle = h;
    req->ph = PH_DEFERRED;
    return h;
}

mj_http_req *mj_http_resume(mj_http_server *srv, uint64_t handle)
{
    size_t it = 0;
    mj_http_req *req;
    while ((req = mj_map_next(&srv->deferred, handle_hash(handle), &it))) {
        if (req->handle == handle) {
            mj_map_remove(&srv->deferred, handle_hash(handle), req);
            req->handle = 0;
            return req;
        }
    }
    return NULL;
}

void mj_http_send(mj_http_req *req)
{
    if (!req->responded) mj_http_error(req, 500, "internal", "no response");
    req->ph = PH_RESPONDING;
    lws_callback_on_writable(req->wsi);
}

mj_http_server *mj_http_server_of(const mj_http_req *req)
{
    return req->srv;
}

static long content_length(struct lws *wsi)
{
    char buf[32];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0) return 0;
    if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0) return -1;
    char *end;
    long v = strtol(buf, &end, 10);
    return (end == buf || *end != '\0' || v < 0) ? -1 : v;
}

void mj_http_req_from_upgrade(mj_http_req *req, mj_http_server *srv, struct lws *wsi)
{
    memset(req, 0, sizeof *req);
    req->srv = srv;
    req->wsi = wsi;
    req->method = MJ_HTTP_GET;
    int n = lws_hdr_copy(wsi, req->path, sizeof req->path, WSI_TOKEN_GET_URI);
    if (n < 0) req->path[0] = '\0';
    mj_http_find_client(req, wsi);
}

static int on_request(mj_http_req *req, struct lws *wsi)
{
    req_reset(req);
    req->wsi = wsi;
    char *uri = NULL;
    int ulen = 0;
    int m = lws_http_get_uri_and_method(wsi, &uri, &ulen);
    req->method = method_from_lws(m);
    if (!uri || ulen <= 0 || (size_t)ulen >= sizeof req->path) {
        req->close_after = true;
        mj_http_error(req, 414, "uri_too_long", "request path is too long");
        req->ph = PH_RESPONDING;
        lws_callback_on_writable(wsi);
        return 0;
    }
    memcpy(req->path, uri, (size_t)ulen);
    req->path[ulen] = '\0';
    mj_http_find_client(req, wsi);
    if (req->srv->redirect_vh && lws_get_vhost(wsi) == req->srv->redirect_vh) {
        mj_http_redirect(req);
        req->ph = PH_RESPONDING;
        lws_callback_on_writable(wsi);
        return 0;
    }

    long clen = content_length(wsi);
    bool has_body = req->method == MJ_HTTP_POST || req->method == MJ_HTTP_PUT ||
                    req->method == MJ_HTTP_PATCH || req->method == MJ_HTTP_DELETE;
    if (clen < 0 || (size_t)clen > req->srv->cfg.max_body) {
        /* Refuse before reading a byte of an oversized body. */
        req->body_too_large = true;
        dispatch(req);
        return 0;
    }
    if (has_body && clen > 0) {
        req->ph = PH_BODY;
        req->body_until = lws_now_usecs() + (lws_usec_t)MJ_HTTP_BODY_TIMEOUT_S * LWS_US_PER_SEC;
        return 0;
    }
    dispatch(req);
    return 0;
}

static int on_body(mj_http_req *req, const void *in, size_t len)
{
    /* lws reports an empty body (Content-Length: 0) as one empty chunk
     * with in == NULL, after the request was dispatched. */
    if (req->body_too_large || req->body_too_slow || len == 0) return 0;
    if (req->ph == PH_BODY && lws_now_usecs() > req->body_until) {
        req->body_too_slow = true;
        free(req->body);
        req->body = NULL;
        req->body_len = 0;
        dispatch(req);
        return 0;
    }
    size_t max = req->srv->cfg.max_body;
    if (req->body_len + len > max) {
        req->body_too_large = true;
        free(req->body);
        req->body = NULL;
        req->body_len = 0;
        return 0;
    }
    if (req->body_len + len + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap * 2 : 4096;
        while (cap < req->body_len + len + 1)
            cap *= 2;
        uint8_t *b = realloc(req->body, cap);
        if (!b) return -1;
        req->body = b;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, in, len);
    req->body_len += len;
    req->body[req->body_len] = '\0'; /* handy for text bodies; not counted */
    return 0;
}

static int write_headers(mj_http_req *req)
{
    uint8_t buf[LWS_PRE + RESP_HEADERS_MAX + 512];
    uint8_t *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    struct lws *wsi = req->wsi;
    const char *ctype = req->content_type[0] ? req->content_type : NULL;
    if (lws_add_http_common_headers(wsi, (unsigned)req->status, ctype, req->out_len, &p, end))
        return -1;
    for (size_t off = 0; off < req->extra_len;) {
        const char *name = req->extra + off;
        const char *value = name + strlen(name) + 1;
        off += strlen(name) + 1 + strlen(value) + 1;
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                        (const unsigned char *)value, (int)strlen(value), &p, end))
            return -1;
    }
    /* Over our own TLS: browsers that came once never go to plain HTTP
     * for this name again (a network that strips TLS gets one chance,
     * the first visit, not every visit). */
    static const char hsts[] = "max-age=31536000";
    if (lws_is_ssl(wsi) &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"strict-transport-security:",
                                    (const unsigned char *)hsts, (int)sizeof hsts - 1, &p, end))
        return -1;
    if (req->close_after &&
        lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5,
                                     &p, end))
        return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    req->headers_sent = true;
    return 0;
}

static int finish_transaction(mj_http_req *req)
{
    bool close_after = req->close_after;
    struct lws *wsi = req->wsi;
    req_reset(req);
    if (close_after) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int on_writable(mj_http_req *req)
{
    if (req->ph != PH_RESPONDING || !req->responded) return 0;
    if (!req->headers_sent) {
        if (write_headers(req)) return -1;
        if (req->method == MJ_HTTP_HEAD || req->out_len == 0) return finish_transaction(req);
        lws_callback_on_writable(req->wsi);
        return 0;
    }
    uint8_t buf[LWS_PRE + WRITE_CHUNK];
    size_t left = req->out_len - req->out_sent;
    size_t n = left < WRITE_CHUNK ? left : WRITE_CHUNK;
    memcpy(buf + LWS_PRE, req->out + req->out_sent, n);
    bool last = n == left;
    int w = lws_write(req->wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
    if (w < (int)n) return -1;
    req->out_sent += n;
    if (last) return finish_transaction(req);
    lws_callback_on_writable(req->wsi);
    return 0;
}

/* Reasons about the connection rather than a request: user is not our
 * request then (lws's filter arguments, or another protocol's data). */
static bool on_connection(mj_http_server *srv, struct lws *wsi, enum lws_callback_reasons reason,
                          void *user, void *in, size_t len, int *ret)
{
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
        const struct lws_filter_network_conn_args *filt = user;
        *ret = mj_http_conn_admit(srv, (const struct sockaddr *)&filt->cli_addr) ? 0 : -1;
        return true;
    }
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED: mj_http_conn_opened(srv, wsi); break;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: mj_http_conn_head_done(srv, wsi); break;
    case LWS_CALLBACK_WSI_DESTROY: mj_http_conn_closed(srv, wsi); break;
    default: return false;
    }
    *ret = lws_callback_http_dummy(wsi, reason, user, in, len);
    return true;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    mj_http_server *srv = lws_context_user(ctx);
    int ret;
    if (srv && on_connection(srv, wsi, reason, user, in, len, &ret)) return ret;
    if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS) {
        /* user: the HTTPS vhost's SSL_CTX, which a reload changes; in:
         * the vhost (the redirecting one has no TLS). */
        if (srv && user && in != srv->redirect_vh) mj_http_tls_keep_ctx(srv, user);
        return 0;
    }
    mj_http_req *req = user;
    if (req) req->srv = srv;
    switch (reason) {
    case LWS_CALLBACK_HTTP: mj_http_conn_head_done(srv, wsi); return on_request(req, wsi);
    case LWS_CALLBACK_HTTP_BODY: return on_body(req, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (req->ph == PH_BODY) dispatch(req);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: return on_writable(req);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (req) req_reset(req);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* A WebSocket that did not ask for our subprotocol lands here:
         * refuse it rather than keep a socket nobody reads. */
        return -1;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        if (srv && srv->cfg.on_wake) srv->cfg.on_wake(srv->cfg.wake_ctx);
        return 0;
    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    mj_http_server *srv = lws_container_of(sul, mj_http_server, tick);
    srv->cfg.on_tick(srv->cfg.wake_ctx);
    lws_sul_schedule(srv->ctx, 0, &srv->tick, on_tick, (lws_usec_t)srv->cfg.tick_ms * 1000);
}

static void set_protocols(mj_http_server *srv)
{
    struct lws_protocols *p = srv->protocols;
    memset(srv->protocols, 0, sizeof srv->protocols);
    p[0].name = "http";
    p[0].callback = callback;
    p[0].per_session_data_size = sizeof(mj_http_req);
    size_t n = srv->cfg.nws < MJ_HTTP_WS_MAX ? srv->cfg.nws : MJ_HTTP_WS_MAX;
    for (size_t i = 0; i < n; i++) {
        srv->ws[i] = srv->cfg.ws[i];
        p[1 + i].name = srv->ws[i].protocol;
        p[1 + i].callback = mj_ws_callback;
        p[1 + i].per_session_data_size = sizeof(struct mj_ws);
        p[1 + i].rx_buffer_size = 4096;
        p[1 + i].user = &srv->ws[i]; /* ws.c finds the handler here */
    }
    srv->cfg.ws = srv->ws;
    srv->cfg.nws = n;
    unsigned ping = srv->cfg.ws_ping_s ? srv->cfg.ws_ping_s : 30;
    srv->validity.secs_since_valid_ping = (uint16_t)ping;
    srv->validity.secs_since_valid_hangup = (uint16_t)(ping * 2);
}

/* What libwebsockets says at error or warning level is often about what a
 * client sent (headers too big, malformed requests): each such request
 * would write a line, and a flood of them would fill the disk and bury
 * the lines that matter. Those go to info; and whatever the level, at
 * most LOG_BURST lines of lws pass per LOG_PERIOD_S, then one saying how
 * many were left out. */
#define LOG_BURST    5
#define LOG_PERIOD_S 10

static const char *const client_caused[] = {
    "Ran out of header data space",
    "More hdr frags",
    "header ",
    "Duplicated method",
    "Missing URI",
    "multiple methods",
    "Illegal",
    "Unknown method",
};

static bool from_client(const char *line)
{
    for (size_t i = 0; i < sizeof client_caused / sizeof client_caused[0]; i++)
        if (strncmp(line, client_caused[i], strlen(client_caused[i])) == 0) return true;
    return false;
}

/* Counts a line against the budget of the current period; false when it
 * is over. Called on the loop thread only. */
static bool log_budget(void)
{
    static time_t period;
    static unsigned lines;
    static unsigned long dropped;
    time_t now = time(NULL);
    if (now - period >= LOG_PERIOD_S) {
        if (dropped) mj_warn("lws: %lu more lines left out in %d s", dropped, LOG_PERIOD_S);
        period = now;
        lines = 0;
        dropped = 0;
    }
    if (lines < LOG_BURST) {
        lines++;
        return true;
    }
    dropped++;
    return false;
}

static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    enum mj_log_level lv = (level & LLL_ERR)    ? MJ_LOG_ERROR
                           : (level & LLL_WARN) ? MJ_LOG_WARN
                                                : MJ_LOG_DEBUG;
    if (lv < MJ_LOG_DEBUG && from_client(line)) lv = MJ_LOG_INFO;
    if ((int)lv > mj_log_level_current || !log_budget()) return;
    mj_log(lv, "lws: %.*s", (int)n, line);
}

static void base_info(mj_http_server *srv, struct lws_context_creation_info *info)
{
    const mj_http_config *cfg = &srv->cfg;
    memset(info, 0, sizeof *info);
    info->port = cfg->port;
    info->iface = cfg->listen_addr;
    info->protocols = srv->protocols;
    info->retry_and_idle_policy = &srv->validity;
    info->user = srv;
    info->server_string = "majlis";
    info->max_http_header_data = 8192;
    info->max_http_header_pool = MJ_HTTP_HEAD_POOL;
    info->timeout_secs_ah_idle = MJ_HTTP_HEAD_TIMEOUT_S;
    info->timeout_secs = 20;
    info->keepalive_timeout = 30;
    info->options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (strchr(cfg->listen_addr, ':') == NULL) info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    if (cfg->tls_cert) {
        info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info->ssl_cert_filepath = cfg->tls_cert;
        info->ssl_private_key_filepath = cfg->tls_key;
        /* TLS 1.2 at least. */
        info->ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
        info->alpn = "http/1.1";
    }
}

/* A second plain HTTP listener (the redirecting one, the metrics one):
 * the http protocol alone, so no WebSocket opens on it. *port gets the
 * port it listens on. */
static struct lws_vhost *start_plain(mj_http_server *srv,
                                     const struct lws_context_creation_info *base, const char *name,
                                     const char *addr, int want, int *port)
{
    struct lws_context_creation_info info = *base;
    srv->redirect_protocols[0] = srv->protocols[0];
    memset(&srv->redirect_protocols[1], 0, sizeof srv->redirect_protocols[1]);
    info.protocols = srv->redirect_protocols;
    info.vhost_name = name;
    info.port = want;
    info.iface = addr;
    info.options &= ~(uint64_t)LWS_SERVER_OPTION_DISABLE_IPV6;
    if (strchr(addr, ':') == NULL) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.ssl_cert_filepath = NULL;
    info.ssl_private_key_filepath = NULL;
    info.alpn = NULL;
    struct lws_vhost *vh = lws_create_vhost(srv->ctx, &info);
    *port = vh ? lws_get_vhost_listen_port(vh) : -1;
    return *port > 0 ? vh : NULL;
}

static void start_fail(mj_http_server *srv)
{
    if (srv->ctx) lws_context_destroy(srv->ctx);
    mj_map_dispose(&srv->deferred);
    mj_http_conns_dispose(srv);
    free(srv);
}

int mj_http_start(const mj_http_config *cfg, mj_http_server **out)
{
    mj_http_server *srv = calloc(1, sizeof *srv);
    if (!srv) return -1;
    srv->cfg = *cfg;
    srv->ntrusted =
        cfg->ntrusted_proxies < MJ_HTTP_TRUSTED_MAX ? cfg->ntrusted_proxies : MJ_HTTP_TRUSTED_MAX;
    if (srv->ntrusted)
        memcpy(srv->trusted, cfg->trusted_proxies, srv->ntrusted * sizeof srv->trusted[0]);
    srv->cfg.trusted_proxies = srv->trusted;
    mj_map_init(&srv->deferred);
    mj_map_init(&srv->conns);
    mj_map_init(&srv->addrs);
    randombytes_buf(srv->conn_key, sizeof srv->conn_key);
    lws_set_log_level(mj_log_level_current >= MJ_LOG_DEBUG ? (LLL_ERR | LLL_WARN | LLL_NOTICE)
                                                           : (LLL_ERR | LLL_WARN),
                      lws_log_emit);
    set_protocols(srv);
    struct lws_context_creation_info info;
    base_info(srv, &info);
    srv->ctx = lws_create_context(&info);
    if (!srv->ctx) {
        start_fail(srv);
        return -1;
    }
    info.vhost_name = "default";
    struct lws_vhost *vh = lws_create_vhost(srv->ctx, &info);
    srv->bound_port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (srv->bound_port <= 0 || (cfg->tls_cert && !srv->tls_ctx)) {
        if (vh && cfg->tls_cert && !srv->tls_ctx)
            mj_error("tls: libwebsockets gave no TLS context");
        start_fail(srv);
        return -1;
    }
    if (cfg->redirect_port)
        srv->redirect_vh = start_plain(srv, &info, "redirect", cfg->redirect_addr,
                                       cfg->redirect_port, &srv->redirect_port);
    if (cfg->metrics_port)
        srv->metrics_vh = start_plain(srv, &info, "metrics", cfg->metrics_addr, cfg->metrics_port,
                                      &srv->metrics_port);
    if ((cfg->redirect_port && !srv->redirect_vh) || (cfg->metrics_port && !srv->metrics_vh)) {
        start_fail(srv);
        return -1;
    }
    if (cfg->on_tick && cfg->tick_ms)
        lws_sul_schedule(srv->ctx, 0, &srv->tick, on_tick, (lws_usec_t)cfg->tick_ms * 1000);
    *out = srv;
    return 0;
}

int mj_http_metrics_port(const mj_http_server *srv)
{
    return srv->metrics_vh ? srv->metrics_port : 0;
}

bool mj_http_on_metrics_listener(const mj_http_req *req)
{
    return req->srv->metrics_vh && lws_get_vhost(req->wsi) == req->srv->metrics_vh;
}

int mj_http_redirect_port(const mj_http_server *srv)
{
    return srv->redirect_vh ? srv->redirect_port : 0;
}

int mj_http_bound_port(const mj_http_server *srv)
{
    return srv->bound_port;
}

int mj_http_run(mj_http_server *srv)
{
    while (!srv->stopping) {
        if (lws_service(srv->ctx, 0) < 0) return -1;
    }
    return 0;
}

void mj_http_stop(mj_http_server *srv)
{
    srv->stopping = 1;
    lws_cancel_service(srv->ctx);
}

void mj_http_wake(mj_http_server *srv)
{
    lws_cancel_service(srv->ctx);
}

void mj_http_free(mj_http_server *srv)
{
    if (!srv) return;
    lws_context_destroy(srv->ctx);
    mj_map_dispose(&srv->deferred);
    mj_http_conns_dispose(srv);
    free(srv);
}

uint64_t mj_http_refused_connections(const mj_http_server *srv)
{
    return srv->refused_conns;
}
