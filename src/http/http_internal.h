/* Internals of the HTTP layer shared by server.c (requests and responses)
 * and ws.c (WebSockets). Not part of its interface. */
#ifndef MJ_HTTP_HTTP_INTERNAL_H
#define MJ_HTTP_HTTP_INTERNAL_H

#include "base/map.h"
#include "http/http.h"

#include <libwebsockets.h>

#define PATH_MAX_LEN     1024
#define RESP_HEADERS_MAX 2048
#define WRITE_CHUNK      16384
/* Header buffers (one per connection sending its request head), and how
 * long a head may take from its first byte. */
#define MJ_HTTP_HEAD_POOL      4096
#define MJ_HTTP_HEAD_TIMEOUT_S 10
/* A request body must be whole this long after its head (libwebsockets'
 * own timeout starts again with every chunk, so a body sent a byte at a
 * time would hold its connection for hours). */
#define MJ_HTTP_BODY_TIMEOUT_S 20

struct mj_http_server {
    struct lws_context *ctx;
    mj_map deferred; /* handle -> request waiting for a response */
    uint64_t next_handle;
    mj_http_config cfg;
    volatile int stopping;
    int bound_port;
    lws_sorted_usec_list_t tick; /* cfg.on_tick's timer */
    lws_retry_bo_t validity;     /* WebSocket pings */
    mj_ws_handler ws[MJ_HTTP_WS_MAX];
    struct lws_protocols protocols[MJ_HTTP_WS_MAX + 2];
    mj_prefix trusted[MJ_HTTP_TRUSTED_MAX]; /* proxies whose X-Forwarded-For counts */
    size_t ntrusted;
    /* connections per client address (conns.c) */
    mj_map conns; /* wsi -> its address's count */
    mj_map addrs; /* address -> count */
    uint8_t conn_key[16];
    uint64_t refused_conns;
    struct lws_vhost *redirect_vh; /* plain HTTP that only redirects */
    struct lws_protocols redirect_protocols[2];
    int redirect_port;
    struct lws_vhost *metrics_vh; /* plain HTTP for /metrics alone */
    int metrics_port;
    void *tls_ctx; /* the HTTPS vhost's SSL_CTX (tls.c) */
};

/* A WebSocket: lws's per-connection data of the WebSocket protocol. */
struct mj_ws {
    struct lws *wsi;
    mj_http_server *srv;
    const mj_ws_handler *h; /* its subprotocol's */
    void *user;
    bool open;    /* between open() and closed() */
    bool closing; /* mj_ws_close(): close once the queue is empty */
    int close_code;
    int peer_code;
    char close_reason[64];
    struct mj_ws_msg **q; /* ring of queued messages */
    size_t qhead, qlen, qcap;
    size_t queued; /* bytes */
    uint8_t *rx;   /* fragments of the message being received */
    size_t rx_len, rx_cap;
};

typedef enum phase { PH_IDLE, PH_BODY, PH_DEFERRED, PH_RESPONDING } phase;

struct mj_http_req {
    mj_http_server *srv;
    struct lws *wsi;
    phase ph;
    mj_http_method method;
    uint64_t handle; /* while deferred */
    char path[PATH_MAX_LEN];
    char peer[64];   /* the client's address (peer.c) */
    bool via_proxy;  /* forwarded by a trusted proxy */
    bool from_proxy; /* the TCP peer is a trusted proxy */
    uint8_t *body;
    size_t body_len;
    size_t body_cap;
    bool body_too_large;
    bool body_too_slow; /* not whole by body_until */
    lws_usec_t body_until;
    /* response */
    bool responded;
    bool close_after;
    int status;
    char content_type[96];
    char extra[RESP_HEADERS_MAX]; /* "name:\0value\0" pairs */
    size_t extra_len;
    bool extra_overflow;
    const uint8_t *out;
    uint8_t *out_owned;
    size_t out_len;
    size_t out_sent;
    bool headers_sent;
};

/* Answers a request to the plain HTTP port with a redirect to the
 * HTTPS origin (redirect.c). */
void mj_http_redirect(mj_http_req *req);

/* Fills a request from a WebSocket upgrade's headers (ws.c), so that the
 * handler reads them with the usual accessors. */
void mj_http_req_from_upgrade(mj_http_req *req, mj_http_server *srv, struct lws *wsi);

/* Sets req->peer and req->via_proxy for the connection wsi (peer.c). */
void mj_http_find_client(mj_http_req *req, struct lws *wsi);

/* tls.c: keeps the HTTPS vhost's SSL_CTX as lws makes it. */
void mj_http_tls_keep_ctx(mj_http_server *srv, void *ssl_ctx);

/* Connections per client address (conns.c): whether a new connection
 * from sa may stay; then its opening, the end of its first request head
 * (a request or a WebSocket upgrade), its closing. */
bool mj_http_conn_admit(mj_http_server *srv, const struct sockaddr *sa);
void mj_http_conn_opened(mj_http_server *srv, struct lws *wsi);
void mj_http_conn_head_done(mj_http_server *srv, struct lws *wsi);
void mj_http_conn_closed(mj_http_server *srv, struct lws *wsi);
void mj_http_conns_dispose(mj_http_server *srv);

/* The WebSocket protocol's lws callback (ws.c). */
int mj_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len);

#endif
