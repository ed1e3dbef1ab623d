/* WHIP (RFC 9725) and WHEP endpoints: an SDP offer in, an SDP answer and a
 * session resource out, DELETE on the resource to leave. A room token
 * (room/token.h) authorizes them: whoever holds it comes into the room as
 * a bot answering to the member who had it made, and is moved, muted and
 * removed like anyone else (live.c). */
#include "api/call.h"
#include "api/live.h"
#include "api/resources.h"
#include "store/rooms.h"

#include "base/log.h"
#include "io/clock.h"
#include "room/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void cors(mj_http_req *req)
{
    /* Bearer tokens, not cookies, authorize these endpoints, so any origin
     * may call them (a page elsewhere, a native WHIP client). */
    mj_http_add_header(req, "access-control-allow-origin", "*");
    mj_http_add_header(req, "access-control-expose-headers", "Location, Link, ETag");
}

static void unauthorized(mj_http_req *req, const char *why)
{
    mj_http_add_header(req, "www-authenticate", "Bearer");
    mj_http_error(req, 401, "unauthorized", why);
}

/* Verifies "Authorization: Bearer TOKEN" for this room; on failure the
 * response is sent and false returned. */
static bool authorize(mj_server *srv, mj_http_req *req, const char *room, mj_token_claims *claims)
{
    char auth[MJ_TOKEN_MAX + 32];
    int n = mj_http_header(req, MJ_HDR_AUTHORIZATION, auth, sizeof auth);
    if (n <= 0 || strncasecmp(auth, "bearer ", 7) != 0) {
        unauthorized(req, "missing bearer token");
        return false;
    }
    const char *token = auth + 7;
    while (*token == ' ')
        token++;
    const char *why = "invalid token";
    if (mj_token_verify(srv->secret, token, strlen(token), mj_clock_unix(), claims, &why) != 0) {
        unauthorized(req, why);
        return false;
    }
    if (strcmp(claims->room, room) != 0) {
        unauthorized(req, "token is for another room");
        return false;
    }
    return true;
}

static bool room_ok(const char *room)
{
    size_t n = strlen(room);
    return n > 0 && n <= MJ_SFU_ROOM_ID_MAX &&
           strspn(room, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_") == n;
}

/* The live room a token names; answers and returns NULL otherwise. */
static mj_live_room *live_room(mj_server *srv, mj_http_req *req, const char *room)
{
    mj_live_room *lr = mj_live_get(srv->live, room);
    if (lr) return lr;
    mj_room_rec rec;
    int err = mj_store_room_get(srv->store, room, &rec);
    if (err == 0)
        mj_http_error(req, 410, "room_ended", "this room has ended");
    else if (err == MJ_ENOTFOUND)
        mj_http_error(req, 404, "not_found", "no such room");
    else
        mj_http_error(req, 500, "internal", "cannot read the room");
    return NULL;
}

/* The member a token answers to must still be one. */
static bool member_ok(mj_server *srv, mj_http_req *req, int64_t user)
{
    if (!user) return true;
    mj_user u;
    int err = mj_store_user_by_id(srv->store, user, &u);
    if (err && err != MJ_ENOTFOUND) {
        mj_http_error(req, 500, "internal", "cannot read the member");
        return false;
    }
    if (err || !mj_user_active(&u)) {
        mj_http_error(req, 403, "suspended",
                      "the member this token answers to is suspended or gone");
        return false;
    }
    return true;
}

/* WHIP and WHEP offers per client address (an IPv6 /64 as one): each
 * costs an answer and a session's place, tokens or not. */
static bool offer_allowed(mj_server *srv, mj_http_req *req)
{
    uint8_t key[MJ_CLIENT_KEY_MAX];
    size_t n = mj_call_client_key(req, 32, 64, key);
    int64_t wait = mj_ratelimit_take(&srv->limiter, &srv->set.limits[MJ_LIMIT_MEDIA_ADDRESS],
                                     mj_limit_name(MJ_LIMIT_MEDIA_ADDRESS), key, n, mj_clock_now());
    if (!wait) return true;
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)wait);
    mj_http_add_header(req, "retry-after", secs);
    mj_http_error(req, 429, "rate_limited", "too many offers from this address; try again soon");
    return false;
}

static void create(mj_server *srv, mj_http_req *req, bool whep, const char *room)
{
    if (!offer_allowed(srv, req)) return;
    mj_token_claims claims;
    if (!authorize(srv, req, room, &claims)) return;
    if (!whep && claims.role != MJ_ROLE_SPEAKER) {
        mj_http_error(req, 403, "forbidden", "a listener token cannot publish");
        return;
    }
    mj_live_room *lr = live_room(srv, req, room);
    if (!lr || !member_ok(srv, req, claims.user)) return;
    if (!mj_http_content_type_is(req, "application/sdp")) {
        mj_http_error(req, 415, "unsupported_media_type", "body must be application/sdp");
        return;
    }
    size_t len;
    const uint8_t *body = mj_http_body(req, &len);
    if (!body || len == 0) {
        mj_http_error(req, 400, "bad_offer", "empty offer");
        return;
    }
    mj_live_entry e = {
        .who = {.user = claims.user, .bot = claims.bot, .seat = claims.role},
        .kind = whep ? MJ_MEDIA_WHEP : MJ_MEDIA_WHIP,
        .offer = (const char *)body,
        .offer_len = len,
        .client_key = mj_call_client_hash(req),
    };
    mj_live_entered in;
    mj_live_enter(lr, &e, &in);
    if (in.err) {
        mj_http_error(req, in.status, in.code,
                      in.status == 403 ? "this token's bot may not enter the room" : in.message);
        return;
    }
    if (in.status != 201) {
        if (in.status == 503 || in.status == 429) mj_http_add_header(req, "retry-after", "5");
        mj_http_error(req, in.status, in.code, in.message);
        return;
    }
    char location[160];
    snprintf(location, sizeof location, "/%s/%s/%s", whep ? "whep" : "whip", room, in.resource);
    mj_http_add_header(req, "location", location);
    mj_http_add_header(req, "etag", in.resource);
    mj_turn_link_headers(&srv->turn, req, mj_clock_unix());
    mj_http_respond(req, 201, "application/sdp", in.answer, in.answer_len);
    free(in.answer);
}

static void on_resource(mj_server *srv, mj_http_req *req, bool whep, const char *room,
                        const char *resource)
{
    switch (mj_http_method_of(req)) {
    case MJ_HTTP_DELETE: {
        mj_live_room *lr = mj_live_find(srv->live, room);
        if (!lr || mj_live_leave_resource(lr, resource, -1, whep ? MJ_MEDIA_WHEP : MJ_MEDIA_WHIP)) {
            mj_http_error(req, 404, "not_found", "no such session");
            return;
        }
        mj_http_respond(req, 200, NULL, NULL, 0);
        return;
    }
    case MJ_HTTP_PATCH:
        /* ICE-lite with every candidate in the answer: nothing to trickle. */
        mj_http_add_header(req, "allow", "DELETE, OPTIONS");
        mj_http_error(req, 405, "method_not_allowed",
                      "trickle ICE is not needed: the answer has every candidate");
        return;
    default:
        mj_http_add_header(req, "allow", "DELETE, OPTIONS");
        mj_http_error(req, 405, "method_not_allowed", "use DELETE to end the session");
        return;
    }
}

void mj_media_route(mj_server *srv, mj_http_req *req, bool whep, const char *rest)
{
    cors(req);
    if (mj_http_method_of(req) == MJ_HTTP_OPTIONS) {
        mj_http_add_header(req, "access-control-allow-methods", "POST, DELETE, PATCH, OPTIONS");
        mj_http_add_header(req, "access-control-allow-headers",
                           "Authorization, Content-Type, If-Match");
        mj_http_add_header(req, "access-control-max-age", "86400");
        mj_http_add_header(req, "accept-post", "application/sdp");
        mj_http_respond(req, 204, NULL, NULL, 0);
        return;
    }
    char room[MJ_SFU_ROOM_ID_MAX + 2];
    size_t rlen = strcspn(rest, "/");
    if (rlen == 0 || rlen >= sizeof room) {
        mj_http_error(req, 404, "not_found", "no such room");
        return;
    }
    memcpy(room, rest, rlen);
    room[rlen] = '\0';
    if (!room_ok(room)) {
        mj_http_error(req, 404, "not_found", "no such room");
        return;
    }
    const char *resource = rest[rlen] == '/' ? rest + rlen + 1 : NULL;
    if (resource && *resource) {
        on_resource(srv, req, whep, room, resource);
        return;
    }
    if (mj_http_method_of(req) != MJ_HTTP_POST) {
        mj_http_add_header(req, "allow", "POST, OPTIONS");
        mj_http_error(req, 405, "method_not_allowed", "POST an SDP offer here");
        return;
    }
    create(srv, req, whep, room);
}
