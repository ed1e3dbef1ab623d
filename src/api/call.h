/* One API call and the helpers every resource uses: who is calling (from
 * the session cookie), errors as JSON, rate limits, the session cookie,
 * and the hand-off of slow work to the hashing pool.
 *
 * The router (router.c) builds an mj_call for each /api/ request, applies
 * the same-origin rule, authenticates and counts it against the limits,
 * then calls the resource's handler (resources.h). */
#ifndef MJ_API_CALL_H
#define MJ_API_CALL_H

#include "api/bodies.h"
#include "api/server_internal.h"
#include "store/members.h"

#include <jansson.h>

#define MJ_SESSION_COOKIE        "mj_session"
#define MJ_SESSION_COOKIE_SECURE "__Host-mj_session" /* over HTTPS */
#define MJ_TOKEN_CHARS           43                  /* base64url of 32 random bytes */
#define MJ_LIST_MAX              50                  /* entries per page */

typedef struct mj_call {
    mj_server *srv;
    mj_http_req *req;
    int64_t now;  /* unix seconds */
    mj_time mono; /* monotonic, for rate limits */
    bool authed;
    mj_user me;
    mj_session session;
    /* A WebSocket's upgrade: limits say no without answering the
     * request, and leave the wait here. */
    bool no_reply;
    int64_t retry_after;
    const char *arg;  /* the path's first '*' segment, if any */
    const char *arg2; /* its second */
    char argbuf[2][96];
} mj_call;

typedef void (*mj_call_fn)(mj_call *c);

void mj_call_error(mj_call *c, int status, const char *code, const char *message);
void mj_call_req_error(mj_call *c, const mj_req_error *err);
void mj_call_internal(mj_call *c);
/* 429 with Retry-After when the limit says no; returns false then. */
bool mj_call_limit(mj_call *c, mj_limit which, const void *key, size_t len);
/* The same, keyed by the client's address (IPv6: its /64). */
bool mj_call_limit_address(mj_call *c, mj_limit which);
/* The same for a back-off: 429 while key waits after its failures. */
bool mj_call_backoff(mj_call *c, mj_limit which, const void *key, size_t len);
/* Counts a failure of key against a back-off / forgets its failures. */
void mj_server_backoff_fail(mj_server *srv, mj_limit which, const void *key, size_t len);
void mj_server_backoff_clear(mj_server *srv, mj_limit which, const void *key, size_t len);

/* A key for the client's network: its first v4_bits (IPv4) or v6_bits
 * (IPv6) bits, after a family byte, or its address text when that is not
 * an IP address. Returns the length (at most MJ_CLIENT_KEY_MAX). */
#define MJ_CLIENT_KEY_MAX 40
size_t mj_call_client_key(mj_http_req *req, unsigned v4_bits, unsigned v6_bits,
                          uint8_t out[MJ_CLIENT_KEY_MAX]);
/* The client's IPv4 address or IPv6 /64 as mj_call_client_key gives it,
 * hashed to a number that is never 0: what the media plane counts
 * sessions per address by. */
uint64_t mj_call_client_hash(mj_http_req *req);
/* Whether the request came over HTTPS (direct or through a proxy). */
bool mj_call_https(mj_call *c);
/* The same-origin rule for requests that change state (call.c); it
 * includes the Host rule. */
bool mj_call_same_origin(mj_call *c);
/* Whether the request's Host names this server: the public origin's host,
 * an IP address, or localhost (any port). Anything else may be a page of
 * another site whose name was pointed at this server's address (DNS
 * rebinding), and is answered 421. */
bool mj_server_host_allowed(mj_server *srv, mj_http_req *req);
/* Signs the caller in from the session cookie: 0, MJ_ENOTFOUND (no live
 * session), MJ_EIO. */
int mj_call_authenticate(mj_call *c);
/* Adds Set-Cookie for a new session token / for clearing it. */
void mj_call_set_session_cookie(mj_http_req *req, bool https, const char *token, int64_t max_age);
void mj_call_clear_session_cookie(mj_http_req *req, bool https);
/* Makes a session token (MJ_TOKEN_CHARS + NUL) and its hash. */
void mj_session_token_new(char token[MJ_TOKEN_CHARS + 1], uint8_t hash[MJ_HASH_LEN]);
/* Finds the member named by c->arg among those the caller may see;
 * answers 404 and returns false otherwise. */
bool mj_call_target(mj_call *c, mj_user *out);
/* The "before" query parameter of a paged list (0 when absent). */
int64_t mj_call_cursor(mj_call *c);
/* The origin links are made with: the public origin, or this request's. */
void mj_call_origin(mj_call *c, char *out, size_t cap);

/* Defers the request and queues the job; on failure answers (503) and
 * returns false, and the caller still owns the job. */
bool mj_call_submit(mj_call *c, mj_pw_job *job);
/* The deferred request a finished job answers, or NULL when its client
 * left or the server is stopping. */
mj_http_req *mj_call_resume(mj_server *srv, mj_pw_job *job);

/* JSON views of members (views.c). */
json_t *mj_json_user_brief(const char *handle, const char *display_name);
json_t *mj_json_brief_list(const mj_user_brief *list, size_t n, size_t cap);
json_t *mj_json_user_public(const mj_user *u);
json_t *mj_json_avatar(const char *handle, const char *display_name);

#endif
