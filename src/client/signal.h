/* WHIP/WHEP signalling for our client (RFC 9725 §4; the WHEP draft): POST
 * an SDP offer with "Authorization: Bearer TOKEN" and "Content-Type:
 * application/sdp", read "201 Created" with the answer and the session's
 * Location, DELETE that Location to leave.
 *
 * Requests run on libcurl's multi interface, driven by our event loop
 * (socket and timer callbacks), so one thread carries thousands of them
 * and a slow HTTP response never stalls media. Failures come back as one
 * sentence for people: curl's transport errors (refused, unresolvable,
 * timed out) and the server's JSON error body {"error","message"}
 * (docs/protocol.md) are both turned into text that says what to do.
 * Proxies from the environment are not used: the media goes straight to
 * the server's UDP port anyway.
 *
 * Ownership: mj_signal owns its requests; a request's callback runs once
 * (unless cancelled), after which the request is freed. Strings passed in
 * are copied. */
#ifndef MJ_CLIENT_SIGNAL_H
#define MJ_CLIENT_SIGNAL_H

#include "base/err.h"
#include "base/time.h"
#include "client/loop.h"

#include <stdbool.h>
#include <stddef.h>

#define MJ_SIGNAL_URL_MAX  1024
#define MJ_SIGNAL_ERR_MAX  512
#define MJ_SIGNAL_BODY_MAX 65536 /* answers are a few KiB */
#define MJ_SIGNAL_ROOM_MAX 64

typedef struct mj_signal mj_signal;
typedef struct mj_signal_req mj_signal_req;

typedef struct mj_signal_result {
    bool ok;    /* 201 for a POST; 200/204 for a DELETE, or 404 (already gone) */
    int status; /* HTTP status; 0 when no response came */
    char location[MJ_SIGNAL_URL_MAX]; /* POST: absolute URL of the session */
    const char *body;                 /* valid during the callback only */
    size_t body_len;
    char error[MJ_SIGNAL_ERR_MAX]; /* when !ok: what went wrong, for people */
    mj_time sent_at, done_at;
} mj_signal_result;

typedef void (*mj_signal_fn)(void *ctx, const mj_signal_result *res);

typedef struct mj_signal_config {
    unsigned max_connections; /* 0: 8 */
    long connect_timeout_ms;  /* 0: 5000 */
    long timeout_ms;          /* 0: 20000 */
} mj_signal_config;

MJ_MUST_USE int mj_signal_new(mj_loop *loop, const mj_signal_config *cfg, mj_signal **out);
/* Cancels every pending request (no callbacks) and frees. */
void mj_signal_free(mj_signal *s);

/* POSTs an SDP offer to url (see mj_signal_endpoint). *out (optional)
 * identifies the request for mj_signal_cancel until the callback runs. */
MJ_MUST_USE int mj_signal_post(mj_signal *s, const char *url, const char *token, const char *sdp,
                               size_t len, mj_signal_fn fn, void *ctx, mj_signal_req **out);
MJ_MUST_USE int mj_signal_delete(mj_signal *s, const char *url, const char *token, mj_signal_fn fn,
                                 void *ctx, mj_signal_req **out);
/* Drops a pending request without calling its callback. */
void mj_signal_cancel(mj_signal *s, mj_signal_req *r);
/* Requests not finished yet. */
unsigned mj_signal_pending(const mj_signal *s);

/* The WHIP or WHEP endpoint for a room: base (http:// or https://, any
 * trailing slashes dropped) + "/whip/" or "/whep/" + room. The room must
 * be 1..64 of [A-Za-z0-9_-], as the server's room ids are. 0 or
 * MJ_EINVAL with *why. */
MJ_MUST_USE int mj_signal_endpoint(const char *base, bool whep, const char *room, char *out,
                                   size_t cap, const char **why);

/* Pure: a sentence for an HTTP refusal, from the status and the server's
 * JSON error body (any other body is ignored). */
void mj_signal_describe(int status, bool post, const char *body, size_t len, char *out, size_t cap);

#endif
