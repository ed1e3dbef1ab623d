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

typedef void (*mj_http_handler_fn)(void *ctx, mj_http_req *req);

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
} mj_http_config;

typedef struct mj_http_server mj_http_server;

int mj_http_start(const mj_http_config *cfg, mj_http_server **out);
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
/* The client's IP address as text. Kept in memory only (rate limits);
 * never logged above debug level and never stored. */
const char *mj_http_peer_ip(const mj_http_req *req);
/* True when the request came over TLS (directly or as the proxy says). */
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

#endif
