/* The HTTP shell: a small request/response layer over libwebsockets.
 *
 * libwebsockets parses HTTP; this module collects a request (method, path,
 * selected headers, body up to a cap), hands it to one handler, and sends
 * the response the handler prepared, in pieces as the socket allows.
 * Handlers never see lws types, so they read like plain functions of a
 * request. Everything runs on the control-plane thread.
 *
 * Ownership: the request object belongs to the connection and lives until
 * the response is written. A handler responds exactly once before it
 * returns (one that forgets gets a 500), unless it defers: slow work (a
 * password hash) then runs elsewhere and the response is sent later from
 * the control thread through mj_http_resume(), which also tells whether
 * the client is still there. */
#ifndef MJ_HTTP_HTTP_H
#define MJ_HTTP_HTTP_H

#include "base/addr.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mj_http_method {
    MJ_HTTP_GET,
    MJ_HTTP_HEAD,
    MJ_HTTP_POST,
    MJ_HTTP_PUT,
    MJ_HTTP_PATCH,
    MJ_HTTP_DELETE,
    MJ_HTTP_OPTIONS,
    MJ_HTTP_OTHER,
} mj_http_method;

typedef enum mj_http_hdr {
    MJ_HDR_AUTHORIZATION,
    MJ_HDR_CONTENT_TYPE,
    MJ_HDR_ORIGIN,
    MJ_HDR_HOST,
    MJ_HDR_COOKIE,
    MJ_HDR_IF_NONE_MATCH,
    MJ_HDR_IF_MATCH,
    MJ_HDR_REFERER,
    MJ_HDR_X_FORWARDED_PROTO,
    MJ_HDR_SEC_FETCH_SITE,
} mj_http_hdr;

typedef struct mj_http_req mj_http_req;
typedef struct mj_ws mj_ws;

typedef void (*mj_http_handler_fn)(void *ctx, mj_http_req *req);

/* WebSockets of one subprotocol (RFC 6455). Everything runs on the control
 * thread. The upgrade request is handed to open() as an mj_http_req whose
 * path, query and headers read as usual (it lives during the call only; do
 * not respond to it). open() may send and close at once. After closed()
 * the mj_ws is gone. */
typedef struct mj_ws_handler {
    const char *protocol; /* the Sec-WebSocket-Protocol clients must ask for */
    void (*open)(void *ctx, mj_ws *ws, mj_http_req *upgrade);
    /* A whole text or binary message (at most max_message bytes; larger
     * ones close the socket with 1009). */
    void (*message)(void *ctx, mj_ws *ws, const uint8_t *data, size_t len);
    /* code: the peer's close code (1000 normal, 1001 going away), or 1006
     * when the connection dropped without one. */
    void (*closed)(void *ctx, mj_ws *ws, int code);
    void *ctx;
    size_t max_message;
    size_t max_queued; /* bytes waiting to go out before a slow peer is dropped */
} mj_ws_handler;

#define MJ_HTTP_WS_MAX      4
#define MJ_HTTP_TRUSTED_MAX 16

typedef struct mj_http_config {
    const char *listen_addr; /* IP literal */
    int port;
    size_t max_body; /* larger bodies get 413 */
    mj_http_handler_fn handler;
    void *handler_ctx;
    /* Called on the control thread after another thread called
     * mj_http_wake(). */
    void (*on_wake)(void *ctx);
    void *wake_ctx;
    /* Called on the control thread with wake_ctx every tick_ms (0: never). */
    void (*on_tick)(void *ctx);
    unsigned tick_ms;
    /* WebSocket subprotocols, each with its handler (at most
     * MJ_HTTP_WS_MAX; none: no WebSockets). Copied. */
    const mj_ws_handler *ws;
    size_t nws;
    /* A WebSocket quiet this long gets a ping; one that does not answer
     * within twice as long is closed (0: 30 s). Each wake-up of the loop
     * costs in proportion to the open sockets (libwebsockets polls), so
     * pings are rare; a lost network is noticed sooner by the media
     * plane's consent checks. */
    unsigned ws_ping_s;
    /* Reverse proxies whose X-Forwarded-For names the client and whose
     * X-Forwarded-Proto counts (at most MJ_HTTP_TRUSTED_MAX; none: both
     * headers are ignored). Copied. */
    const mj_prefix *trusted_proxies;
    size_t ntrusted_proxies;
    /* Connections one address (an IPv6 /64; trusted proxies excepted) may
     * hold, a quarter of them still sending their first request head; a
     * connection beyond is closed at once (0: no limit). conns.c. */
    unsigned max_conns_per_addr;
    /* HTTPS: PEM files of the certificate (the chain after it) and of its
     * key; NULL: plain HTTP. mj_http_reload_tls() reads them again. */
    const char *tls_cert;
    const char *tls_key;
    /* A second, plain HTTP listener (redirect_port 0: none; meant for
     * when this one has TLS, which `majlis serve` insists on) that
     * answers every request with a redirect to the HTTPS origin and does
     * nothing else: redirect_origin ("https://example.org"), or when that
     * is NULL the request's Host name with the HTTPS port. */
    const char *redirect_addr; /* IP literal */
    int redirect_port;
    const char *redirect_origin;
    /* A plain HTTP listener of its own for /metrics (metrics_port 0:
     * none): requests on it go to the same handler, which asks
     * mj_http_on_metrics_listener() and answers only what belongs there. */
    const char *metrics_addr; /* IP literal */
    int metrics_port;
} mj_http_config;

typedef struct mj_http_server mj_http_server;

int mj_http_start(const mj_http_config *cfg, mj_http_server **out);
/* The port the metrics listener got (0: there is none). */
int mj_http_metrics_port(const mj_http_server *srv);
/* Whether req came to the metrics listener. */
bool mj_http_on_metrics_listener(const mj_http_req *req);
/* Runs the event loop until mj_http_stop(); returns 0 after a clean stop. */
int mj_http_run(mj_http_server *srv);
/* Asks the loop to return. Safe from a signal handler context via
 * mj_http_wake + a flag; see server.c. */
void mj_http_stop(mj_http_server *srv);
/* Wakes the loop from another thread; on_wake runs on the loop thread. */
void mj_http_wake(mj_http_server *srv);
void mj_http_free(mj_http_server *srv);
/* The port actually bound (useful with port 0). */
int mj_http_bound_port(const mj_http_server *srv);
/* The plain HTTP port that only redirects (0: none). */
int mj_http_redirect_port(const mj_http_server *srv);
/* Checks a certificate and key pair as HTTPS would load it: 0, or -1
 * with the reason in why. */
int mj_http_tls_check(const char *cert, const char *key, char *why, size_t cap);
/* Reads the configured certificate and key again; new connections get
 * them. A pair that does not load leaves the old one serving, and says
 * why in the log. Control thread (on_wake). 0, or -1. */
int mj_http_reload_tls(mj_http_server *srv);
/* Connections closed at once because their address had too many. */
uint64_t mj_http_refused_connections(const mj_http_server *srv);

/* ---- deferred responses ---- */
/* Marks the request as answered later and returns a handle for it (never
 * 0). The request's headers and body stay readable until it is resumed. */
uint64_t mj_http_defer(mj_http_req *req);
/* Control thread: the deferred request, or NULL if its connection closed
 * meanwhile. The caller must then respond and call mj_http_send(). */
mj_http_req *mj_http_resume(mj_http_server *srv, uint64_t handle);
/* Sends the response of a resumed request. */
void mj_http_send(mj_http_req *req);
mj_http_server *mj_http_server_of(const mj_http_req *req);

/* ---- request accessors ---- */
mj_http_method mj_http_method_of(const mj_http_req *req);
const char *mj_http_method_name(const mj_http_req *req);
/* Decoded path without the query string, e.g. "/whip/abc". */
const char *mj_http_path(const mj_http_req *req);
/* Value of a query parameter (first occurrence), or NULL. */
const char *mj_http_query(mj_http_req *req, const char *name, char *buf, size_t cap);
/* Copies a header value; returns its length, or -1 when absent or longer
 * than cap - 1. */
int mj_http_header(mj_http_req *req, mj_http_hdr which, char *buf, size_t cap);
const uint8_t *mj_http_body(const mj_http_req *req, size_t *len);
/* Whether the Content-Type's media type is `type` (case-insensitive,
 * parameters such as "; charset=utf-8" ignored). */
bool mj_http_content_type_is(mj_http_req *req, const char *type);
/* The client's IP address as text: the TCP peer, or behind a trusted
 * proxy the address X-Forwarded-For gives (peer.c). Kept in memory only
 * (rate limits); never logged above debug level and never stored. */
const char *mj_http_peer_ip(const mj_http_req *req);
/* Whether a trusted proxy forwarded the request for someone else (it
 * carried X-Forwarded-For). */
bool mj_http_via_proxy(const mj_http_req *req);
/* Whether the request carries any header a proxy adds (X-Forwarded-For,
 * -Proto or -Host, Forwarded, X-Real-IP, Via), trusted or not: a sign it
 * came through a proxy, whatever its TCP peer. */
bool mj_http_forwarded(mj_http_req *req);
/* True when the request came over TLS: directly, or as X-Forwarded-Proto
 * says when the TCP peer is a trusted proxy (from anyone else the header
 * means nothing). */
bool mj_http_is_https(mj_http_req *req);

/* ---- responses ---- */
/* Adds a response header (name without colon). Up to a few KiB in all. */
void mj_http_add_header(mj_http_req *req, const char *name, const char *value);
/* Sends status, Content-Type and a copy of body. */
void mj_http_respond(mj_http_req *req, int status, const char *content_type, const void *body,
                     size_t len);
/* Sends a body that stays valid until the response is written (static
 * assets); no copy. */
void mj_http_respond_static(mj_http_req *req, int status, const char *content_type,
                            const void *body, size_t len);
/* {"error": code, "message": message} with the given status. */
void mj_http_error(mj_http_req *req, int status, const char *code, const char *message);
/* Serializes obj (and drops the reference) as the JSON body. */
void mj_http_respond_json(mj_http_req *req, int status, json_t *obj);
bool mj_http_responded(const mj_http_req *req);
/* Status of the response prepared so far (0 before one). */
int mj_http_status_of(const mj_http_req *req);

/* ---- WebSockets ---- */

/* A message to send, shared by every socket it goes to (a room's event goes
 * to thousands): made once, referenced by each socket's queue. */
typedef struct mj_ws_msg mj_ws_msg;
/* A copy of text; NULL when out of memory. Its one reference is the
 * caller's. */
mj_ws_msg *mj_ws_msg_new(const char *text, size_t len);
/* Serializes obj (and drops the reference); NULL on failure. */
mj_ws_msg *mj_ws_msg_json(json_t *obj);
void mj_ws_msg_unref(mj_ws_msg *m);
size_t mj_ws_msg_len(const mj_ws_msg *m);

/* Queues a text message (taking a reference of its own). A peer more than
 * max_queued bytes behind is closed (1008) and MJ_ELIMIT returned: it
 * reconnects and starts again from a fresh state. MJ_ESTATE once closing. */
int mj_ws_send(mj_ws *ws, mj_ws_msg *m);
/* The same for a message sent to one socket only. */
int mj_ws_send_text(mj_ws *ws, const char *text, size_t len);
/* Closes after the queued messages have gone, with a close code (1000,
 * or 4000-4999 of our own) and a short reason. */
void mj_ws_close(mj_ws *ws, int code, const char *reason);
bool mj_ws_closing(const mj_ws *ws);
void mj_ws_set_user(mj_ws *ws, void *user);
void *mj_ws_user(const mj_ws *ws);

#endif
