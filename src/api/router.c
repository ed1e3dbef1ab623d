/* The one router: every request the HTTP layer hands over comes here.
 *
 *   /whip/..., /whep/...   media.c (room tokens, any origin)
 *   /api/...               the route table below, behind one guard
 *   /healthz, /metrics     status.c
 *   anything else          the web app's files (assets.c); the app's own
 *                          paths (/login, /invite/CODE) get its page
 *
 * Before any of them, the Host rule (call.c): a request naming another
 * host than ours gets 421.
 *
 * The guard of /api/: a request that changes state must come from this
 * site (the same-origin rule, call.c) and carry JSON; then, by the route's
 * level, it is counted against the address (public routes) or signs the
 * caller in from the session cookie and counts against the session. */
#include "api/assets.h"
#include "api/resources.h"

#include "base/log.h"
#include "io/clock.h"

#include <stdio.h>
#include <string.h>

enum { R_PUBLIC = 0, R_AUTH = 1, R_ADMIN = 3 };

typedef struct route {
    mj_http_method method;
    const char *pattern; /* after "/api/"; '*' is one path segment */
    mj_call_fn fn;
    unsigned level;
} route;

static const route routes[] = {
    {MJ_HTTP_POST, "signup", mj_api_signup, R_PUBLIC},
    {MJ_HTTP_POST, "login", mj_api_login, R_PUBLIC},
    {MJ_HTTP_POST, "logout", mj_api_logout, R_AUTH},
    {MJ_HTTP_GET, "me", mj_api_me_get, R_AUTH},
    {MJ_HTTP_PATCH, "me", mj_api_me_patch, R_AUTH},
    {MJ_HTTP_DELETE, "me", mj_api_me_delete, R_AUTH},
    {MJ_HTTP_POST, "me/passphrase", mj_api_me_passphrase, R_AUTH},
    {MJ_HTTP_GET, "me/sessions", mj_api_sessions_list, R_AUTH},
    {MJ_HTTP_DELETE, "me/sessions/*", mj_api_session_delete, R_AUTH},
    {MJ_HTTP_GET, "me/blocks", mj_api_blocks_list, R_AUTH},
    {MJ_HTTP_GET, "invites", mj_api_invites_list, R_AUTH},
    {MJ_HTTP_POST, "invites", mj_api_invites_create, R_AUTH},
    {MJ_HTTP_GET, "invites/*", mj_api_invite_check, R_PUBLIC},
    {MJ_HTTP_DELETE, "invites/*", mj_api_invite_revoke, R_AUTH},
    {MJ_HTTP_GET, "users/*", mj_api_user_get, R_AUTH},
    {MJ_HTTP_POST, "users/*/follow", mj_api_follow, R_AUTH},
    {MJ_HTTP_DELETE, "users/*/follow", mj_api_unfollow, R_AUTH},
    {MJ_HTTP_GET, "users/*/followers", mj_api_followers, R_AUTH},
    {MJ_HTTP_GET, "users/*/following", mj_api_following, R_AUTH},
    {MJ_HTTP_POST, "users/*/block", mj_api_block, R_AUTH},
    {MJ_HTTP_DELETE, "users/*/block", mj_api_unblock, R_AUTH},
    {MJ_HTTP_GET, "admin/users", mj_api_admin_search, R_ADMIN},
    {MJ_HTTP_GET, "admin/users/*", mj_api_admin_user, R_ADMIN},
    {MJ_HTTP_PATCH, "admin/users/*", mj_api_admin_patch, R_ADMIN},
    {MJ_HTTP_GET, "admin/users/*/subtree", mj_api_admin_subtree, R_ADMIN},
    {MJ_HTTP_POST, "admin/users/*/suspend", mj_api_admin_suspend, R_ADMIN},
    {MJ_HTTP_POST, "admin/users/*/unsuspend", mj_api_admin_unsuspend, R_ADMIN},
    {MJ_HTTP_GET, "hallway", mj_api_hallway, R_AUTH},
    {MJ_HTTP_GET, "ice-servers", mj_api_ice_servers, R_AUTH},
    {MJ_HTTP_POST, "schedules", mj_api_schedules_create, R_AUTH},
    {MJ_HTTP_GET, "schedules", mj_api_schedules_list, R_AUTH},
    {MJ_HTTP_DELETE, "schedules/*", mj_api_schedule_delete, R_AUTH},
    {MJ_HTTP_POST, "schedules/*/start", mj_api_schedule_start, R_AUTH},
    {MJ_HTTP_POST, "rooms", mj_api_rooms_create, R_AUTH},
    {MJ_HTTP_GET, "rooms/*", mj_api_room_get, R_AUTH},
    {MJ_HTTP_PATCH, "rooms/*", mj_api_room_patch, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/visits", mj_api_room_enter, R_AUTH},
    {MJ_HTTP_DELETE, "rooms/*/visits/*", mj_api_visit_delete, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/leave", mj_api_room_leave, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/hand", mj_api_room_hand, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/invitation", mj_api_room_invitation, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/mute", mj_api_room_mute, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/audience", mj_api_room_step_down, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/end", mj_api_room_end, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/allowed", mj_api_room_allow, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/tokens", mj_api_room_token, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/people/*/invite", mj_api_person_invite, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/people/*/audience", mj_api_person_audience, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/people/*/mute", mj_api_person_mute, R_AUTH},
    {MJ_HTTP_PUT, "rooms/*/people/*/moderator", mj_api_person_make_mod, R_AUTH},
    {MJ_HTTP_DELETE, "rooms/*/people/*/moderator", mj_api_person_unmake_mod, R_AUTH},
    {MJ_HTTP_POST, "rooms/*/people/*/remove", mj_api_person_remove, R_AUTH},
};

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

/* Matches a pattern; each '*' takes one non-empty path segment into
 * args[0], then args[1]. */
static bool match(const char *pattern, const char *path, char args[2][96])
{
    int n = 0;
    while (*pattern) {
        if (*pattern == '*') {
            size_t len = strcspn(path, "/");
            if (len == 0 || len >= sizeof args[0] || n == 2) return false;
            memcpy(args[n], path, len);
            args[n++][len] = '\0';
            path += len;
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0';
}

/* The route for this method and path; when the path exists under other
 * methods only, *allow lists them (for 405). */
static const route *find_route(mj_call *c, const char *path, char *allow, size_t cap)
{
    mj_http_method m = mj_http_method_of(c->req);
    if (m == MJ_HTTP_HEAD) m = MJ_HTTP_GET;
    allow[0] = '\0';
    const route *found = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char args[2][96];
        if (!match(routes[i].pattern, path, args)) continue;
        if (routes[i].method == m) {
            found = &routes[i];
            memcpy(c->argbuf, args, sizeof args);
        }
        size_t used = strlen(allow);
        snprintf(allow + used, cap - used, "%s%s", used ? ", " : "",
                 method_names[routes[i].method]);
    }
    return found;
}

static bool changes_state(mj_http_method m)
{
    return m == MJ_HTTP_POST || m == MJ_HTTP_PUT || m == MJ_HTTP_PATCH || m == MJ_HTTP_DELETE;
}

static bool body_is_json(mj_http_req *req)
{
    size_t len;
    (void)mj_http_body(req, &len);
    return len == 0 || mj_http_content_type_is(req, "application/json");
}

static bool guard(mj_call *c, const route *r)
{
    mj_http_method m = mj_http_method_of(c->req);
    if (changes_state(m) && !mj_call_same_origin(c)) {
        mj_call_error(c, 403, "cross_origin", "state-changing requests must come from this site");
        return false;
    }
    if (changes_state(m) && !body_is_json(c->req)) {
        mj_call_error(c, 415, "unsupported_media_type", "the body must be application/json");
        return false;
    }
    if (r->level == R_PUBLIC) return mj_call_limit_address(c, MJ_LIMIT_API_ADDRESS);
    int err = mj_call_authenticate(c);
    if (err == MJ_ENOTFOUND) {
        /* Knocking with dead or made-up cookies counts against the address. */
        if (mj_call_limit_address(c, MJ_LIMIT_API_ADDRESS)) {
            mj_call_clear_session_cookie(c->req, mj_call_https(c));
            mj_call_error(c, 401, "unauthorized", "sign in first");
        }
        return false;
    }
    if (err) {
        mj_call_internal(c);
        return false;
    }
    if (!mj_call_limit(c, MJ_LIMIT_API_SESSION, c->session.id, strlen(c->session.id))) return false;
    if (r->level == R_ADMIN && !c->me.is_admin) {
        mj_call_error(c, 403, "forbidden", "only admins may do this");
        return false;
    }
    return true;
}

static void route_api(mj_server *srv, mj_http_req *req)
{
    mj_call c;
    memset(&c, 0, sizeof c);
    c.srv = srv;
    c.req = req;
    c.now = mj_clock_unix();
    c.mono = mj_clock_now();
    /* Personal data: never cached, never sniffed. */
    mj_http_add_header(req, "cache-control", "no-store");
    mj_http_add_header(req, "x-content-type-options", "nosniff");
    char allow[128];
    const route *r = find_route(&c, mj_http_path(req) + 5, allow, sizeof allow);
    if (!r && allow[0]) {
        mj_http_add_header(req, "allow", allow);
        mj_call_error(&c, 405, "method_not_allowed", "this resource does not take that method");
        return;
    }
    if (!r) {
        mj_call_error(&c, 404, "not_found", "no such resource");
        return;
    }
    const char *star = strchr(r->pattern, '*');
    c.arg = star ? c.argbuf[0] : NULL;
    c.arg2 = star && strchr(star + 1, '*') ? c.argbuf[1] : NULL;
    if (guard(&c, r)) r->fn(&c);
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
    if (!a) return false;
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

/* Paths of the web app itself, answered with its page: the app reads the
 * view (a room, a profile, an invite code) from the path, so a shared link
 * or a reload opens the right page. */
static bool app_path(const char *path)
{
    static const char *const exact[] = {"/login",    "/new",   "/token",   "/invites",
                                        "/settings", "/admin", "/schedule"};
    static const char *const under[] = {"/invite/", "/room/", "/u/", "/admin/"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(path, exact[i]) == 0) return true;
    for (size_t i = 0; i < sizeof under / sizeof under[0]; i++)
        if (strncmp(path, under[i], strlen(under[i])) == 0) return true;
    return false;
}

/* Health checks may come by any name (a container's, a load balancer's);
 * they learn nothing. /metrics too, once it asks for its own token. */
static bool any_host(mj_server *srv, const char *path)
{
    return strcmp(path, "/healthz") == 0 ||
           (srv->metrics_token[0] && strcmp(path, "/metrics") == 0);
}

/* A Host a browser on another site cannot make us answer to (DNS
 * rebinding): an IP literal, or localhost. */
static bool literal_host(mj_http_req *req)
{
    char host[300];
    int n = mj_http_header(req, MJ_HDR_HOST, host, sizeof host);
    if (n <= 0) return false;
    size_t name = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
    host[name < (size_t)n ? name : (size_t)n] = '\0';
    mj_addr a;
    const char *ip = host[0] == '[' ? host + 1 : host;
    if (host[0] == '[' && name > 1) host[name - 1] = '\0';
    return strcmp(host, "localhost") == 0 || mj_addr_parse_ip(ip, 0, &a) == 0;
}

/* The metrics listener (--metrics) answers /metrics and /healthz and
 * nothing else. */
static void dispatch_metrics(mj_server *srv, mj_http_req *req)
{
    const char *path = mj_http_path(req);
    mj_http_method method = mj_http_method_of(req);
    bool known = strcmp(path, "/metrics") == 0 || strcmp(path, "/healthz") == 0;
    if (!srv->metrics_token[0] && !literal_host(req)) {
        mj_http_error(req, 421, "misdirected",
                      "the metrics address answers to its IP address or localhost only");
    } else if (!known) {
        mj_http_error(req, 404, "not_found", "this address serves /metrics and /healthz only");
    } else if (method != MJ_HTTP_GET && method != MJ_HTTP_HEAD) {
        mj_http_add_header(req, "allow", "GET, HEAD");
        mj_http_error(req, 405, "method_not_allowed", "this resource is read-only");
    } else if (strcmp(path, "/healthz") == 0) {
        mj_status_health(srv, req);
    } else {
        mj_status_metrics(srv, req);
    }
}

static void dispatch(mj_server *srv, mj_http_req *req)
{
    if (mj_http_on_metrics_listener(req)) {
        dispatch_metrics(srv, req);
        return;
    }
    const char *path = mj_http_path(req);
    mj_http_method method = mj_http_method_of(req);
    bool read_only = method == MJ_HTTP_GET || method == MJ_HTTP_HEAD;
    bool whep = strncmp(path, "/whep/", 6) == 0;
    if (!any_host(srv, path) && !mj_server_host_allowed(srv, req)) {
        mj_http_error(req, 421, "misdirected",
                      "this server does not answer to that host name; set --public-origin");
    } else if (whep || strncmp(path, "/whip/", 6) == 0) {
        mj_media_route(srv, req, whep, path + 6);
    } else if (strncmp(path, "/api/", 5) == 0) {
        route_api(srv, req);
    } else if (read_only && app_path(path) && serve_asset(req, "/index.html")) {
        return;
    } else if (read_only && strcmp(path, "/healthz") == 0) {
        mj_status_health(srv, req);
    } else if (read_only && strcmp(path, "/metrics") == 0 && !srv->cfg.metrics_listen.port) {
        mj_status_metrics(srv, req);
    } else if (read_only && serve_asset(req, path)) {
        return;
    } else if (!read_only && mj_asset_find(path)) {
        mj_http_add_header(req, "allow", "GET, HEAD");
        mj_http_error(req, 405, "method_not_allowed", "this resource is read-only");
    } else {
        mj_http_error(req, 404, "not_found", "no such resource");
    }
}

void mj_router_handle(void *ctx, mj_http_req *req)
{
    mj_server *srv = ctx;
    srv->http_requests++;
    dispatch(srv, req);
    int cls = mj_http_status_of(req) / 100;
    if (cls >= 2 && cls <= 5) srv->http_status[cls]++;
}
