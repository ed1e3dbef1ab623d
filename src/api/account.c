/* The members API: settings, routing, the same-origin rule, sessions from
 * cookies, rate limits, and the JSON views shared by the handlers. */
#include "api/account_internal.h"
#include "room/cookie.h"

#include "base/log.h"
#include "base/rand.h"
#include "io/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY (24 * 3600)

enum { R_PUBLIC = 0, R_AUTH = 1, R_ADMIN = 3 };

typedef struct route {
    mj_http_method method;
    const char *pattern; /* after "/api/"; '*' is one path segment */
    mj_call_fn fn;
    unsigned flags;
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
    {MJ_HTTP_GET, "admin/users/*", mj_api_admin_user, R_ADMIN},
    {MJ_HTTP_PATCH, "admin/users/*", mj_api_admin_patch, R_ADMIN},
    {MJ_HTTP_GET, "admin/users/*/subtree", mj_api_admin_subtree, R_ADMIN},
    {MJ_HTTP_POST, "admin/users/*/suspend", mj_api_admin_suspend, R_ADMIN},
    {MJ_HTTP_POST, "admin/users/*/unsuspend", mj_api_admin_unsuspend, R_ADMIN},
};

/* ---- settings ---- */

static const char *const limit_names[MJ_LIMIT_COUNT] = {
    "login_account", "login_address", "signup_invite",
    "signup_address", "api_session", "api_address",
};

static int env_int(const char *name, long long lo, long long hi, long long *out, const char **why)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < lo || n > hi) {
        *why = name;
        return MJ_EINVAL;
    }
    *out = n;
    return 0;
}

/* MAJLIS_RATE_LIMITS="login_account=10/900,api_session=off" */
static int parse_limits(mj_accounts_config *cfg, const char **why)
{
    const char *v = getenv("MAJLIS_RATE_LIMITS");
    if (!v || !*v)
        return 0;
    char buf[512];
    size_t vlen = strlen(v);
    if (vlen >= sizeof buf) {
        *why = "MAJLIS_RATE_LIMITS";
        return MJ_EINVAL;
    }
    memcpy(buf, v, vlen + 1);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        int which = -1;
        if (eq) {
            *eq = '\0';
            for (int i = 0; i < MJ_LIMIT_COUNT; i++)
                if (strcmp(item, limit_names[i]) == 0)
                    which = i;
        }
        if (which < 0 || mj_rate_rule_parse(eq + 1, &cfg->limits[which]) != 0) {
            *why = "MAJLIS_RATE_LIMITS";
            return MJ_EINVAL;
        }
    }
    return 0;
}

int mj_accounts_config_load(mj_accounts_config *cfg, const char **why)
{
    static const mj_rate_rule defaults[MJ_LIMIT_COUNT] = {
        [MJ_LIMIT_LOGIN_ACCOUNT] = {10, 900},
        [MJ_LIMIT_LOGIN_ADDRESS] = {30, 300},
        [MJ_LIMIT_SIGNUP_INVITE] = {5, 3600},
        [MJ_LIMIT_SIGNUP_ADDRESS] = {30, 600},
        [MJ_LIMIT_API_SESSION] = {120, 60},
        [MJ_LIMIT_API_ADDRESS] = {60, 60},
    };
    memset(cfg, 0, sizeof *cfg);
    memcpy(cfg->limits, defaults, sizeof defaults);
    long long idle = 14 * DAY, max = 60 * DAY, quota = MJ_DEFAULT_INVITE_QUOTA, threads = 2;
    if (env_int("MAJLIS_SESSION_IDLE", 1, 366LL * DAY, &idle, why) ||
        env_int("MAJLIS_SESSION_MAX", 1, 366LL * DAY, &max, why) ||
        env_int("MAJLIS_INVITE_QUOTA", 0, MJ_QUOTA_MAX, &quota, why) ||
        env_int("MAJLIS_HASH_THREADS", 1, 16, &threads, why) || parse_limits(cfg, why))
        return MJ_EINVAL;
    const char *origin = getenv("MAJLIS_PUBLIC_ORIGIN");
    if (origin && *origin) {
        size_t n = strlen(origin);
        if (n >= sizeof cfg->public_origin || (strncmp(origin, "http://", 7) != 0 &&
                                               strncmp(origin, "https://", 8) != 0)) {
            *why = "MAJLIS_PUBLIC_ORIGIN";
            return MJ_EINVAL;
        }
        memcpy(cfg->public_origin, origin, n + 1);
        if (n > 8 && cfg->public_origin[n - 1] == '/')
            cfg->public_origin[n - 1] = '\0';
    }
    cfg->session_idle_s = idle;
    cfg->session_max_s = max < idle ? idle : max;
    cfg->invite_quota = (int)quota;
    cfg->hash_threads = (int)threads;
    return 0;
}

/* ---- lifecycle ---- */

static void wake(void *ctx)
{
    mj_server *srv = ctx;
    if (srv->http)
        mj_http_wake(srv->http);
}

int mj_account_start(mj_server *srv)
{
    mj_accounts *acc = calloc(1, sizeof *acc);
    if (!acc)
        return MJ_ENOMEM;
    acc->srv = srv;
    const char *why = "?";
    if (mj_accounts_config_load(&acc->cfg, &why) != 0) {
        mj_error("accounts: bad value in the environment variable %s (see docs/api.md)", why);
        free(acc);
        return MJ_EINVAL;
    }
    uint8_t key[MJ_RATELIMIT_KEY_LEN];
    mj_rand_bytes(key, sizeof key);
    int err = mj_ratelimit_init(&acc->limiter, 1 << 16, key);
    sodium_memzero(key, sizeof key);
    if (!err)
        err = mj_pw_pool_start(acc->cfg.hash_threads, 64, wake, srv, &acc->pool);
    if (err) {
        mj_ratelimit_dispose(&acc->limiter);
        free(acc);
        mj_error("accounts: cannot start (%s)", mj_strerror(err));
        return err;
    }
    srv->accounts = acc;
    mj_account_purge(acc, mj_clock_unix());
    return 0;
}

void mj_account_stop(mj_server *srv)
{
    mj_accounts *acc = srv->accounts;
    if (!acc)
        return;
    acc->stopping = true;
    mj_pw_pool_stop(acc->pool);
    mj_account_poll(srv); /* frees what came back */
    mj_pw_pool_free(acc->pool);
    mj_ratelimit_dispose(&acc->limiter);
    free(acc);
    srv->accounts = NULL;
}

void mj_account_poll(mj_server *srv)
{
    mj_accounts *acc = srv->accounts;
    if (!acc || !acc->pool)
        return;
    mj_pw_job *job;
    while ((job = mj_pw_pool_take(acc->pool)))
        job->done(srv, job);
}

mj_http_req *mj_account_resume(mj_server *srv, mj_pw_job *job)
{
    if (srv->accounts->stopping || !job->ran || !job->http)
        return NULL;
    return mj_http_resume(srv->http, job->http);
}

bool mj_call_submit(mj_call *c, mj_pw_job *job)
{
    job->http = mj_http_defer(c->req);
    if (!job->http) {
        mj_call_internal(c);
        return false;
    }
    if (mj_pw_pool_submit(c->acc->pool, job) != 0) {
        /* Take the request back from the deferred table and answer now. */
        (void)mj_http_resume(c->srv->http, job->http);
        mj_http_add_header(c->req, "retry-after", "2");
        mj_call_error(c, 503, "busy", "the server is busy; try again in a moment");
        return false;
    }
    return true;
}

void mj_account_purge(mj_accounts *acc, int64_t now)
{
    if (now < acc->next_purge)
        return;
    acc->next_purge = now + 600;
    if (mj_store_sessions_purge(acc->srv->store, now, acc->cfg.session_idle_s) != 0)
        mj_warn("accounts: cannot remove expired sessions");
}

int mj_account_first_start(mj_server *srv, FILE *out)
{
    bool empty = false;
    if (mj_store_members_empty(srv->store, &empty) != 0)
        return MJ_EIO;
    if (!empty)
        return 0;
    char code[32];
    mj_invite inv;
    int err = mj_store_invite_create(srv->store, 0, 1, MJ_INVITE_TTL_DEFAULT, true,
                                     mj_clock_unix(), code, &inv);
    if (err)
        return err;
    char base[300];
    if (srv->accounts && srv->accounts->cfg.public_origin[0]) {
        snprintf(base, sizeof base, "%s", srv->accounts->cfg.public_origin);
    } else {
        char ip[MJ_ADDR_STRLEN];
        mj_addr_ip_str(&srv->cfg.http, ip);
        bool v6 = srv->cfg.http.family == 6;
        snprintf(base, sizeof base, "http://%s%s%s:%d", v6 ? "[" : "", ip, v6 ? "]" : "",
                 mj_http_bound_port(srv->http));
    }
    /* The one time this code exists in clear outside the admin's hands. */
    fprintf(out, "majlis: first start: the admin invite (shown once, valid 7 days) is %s/invite/%s\n",
            base, code);
    fflush(out);
    sodium_memzero(code, sizeof code);
    mj_info("accounts: first start, admin invite created");
    return 0;
}

/* ---- responses ---- */

void mj_call_error(mj_call *c, int status, const char *code, const char *message)
{
    mj_http_error(c->req, status, code, message);
}

void mj_call_req_error(mj_call *c, const mj_req_error *err)
{
    mj_http_error(c->req, err->status, err->code, err->message);
}

void mj_call_internal(mj_call *c)
{
    mj_http_error(c->req, 500, "internal", "something went wrong on the server");
}

bool mj_call_limit(mj_call *c, mj_limit which, const void *key, size_t len)
{
    int64_t wait = mj_ratelimit_take(&c->acc->limiter, &c->acc->cfg.limits[which],
                                     limit_names[which], key, len, c->mono);
    if (!wait)
        return true;
    char secs[24], msg[96];
    snprintf(secs, sizeof secs, "%lld", (long long)wait);
    snprintf(msg, sizeof msg, "too many requests; try again in %lld seconds", (long long)wait);
    mj_http_add_header(c->req, "retry-after", secs);
    mj_call_error(c, 429, "rate_limited", msg);
    return false;
}

/* The address a limit counts against: an IPv4 address, or the /64 prefix
 * of an IPv6 one, since one subscriber holds a whole /64 and could walk
 * through it. */
bool mj_call_limit_address(mj_call *c, mj_limit which)
{
    const char *ip = mj_http_peer_ip(c->req);
    uint8_t a[16];
    if (inet_pton(AF_INET6, ip, a) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        bool v4 = memcmp(a, mapped, sizeof mapped) == 0;
        return mj_call_limit(c, which, v4 ? a + 12 : a, v4 ? 4 : 8);
    }
    if (inet_pton(AF_INET, ip, a) == 1)
        return mj_call_limit(c, which, a, 4);
    return mj_call_limit(c, which, ip, strlen(ip));
}

bool mj_call_https(mj_call *c)
{
    if (c->acc->cfg.public_origin[0])
        return strncmp(c->acc->cfg.public_origin, "https:", 6) == 0;
    return mj_http_is_https(c->req);
}

/* ---- sessions in cookies ---- */

void mj_session_token_new(char token[MJ_TOKEN_CHARS + 1], uint8_t hash[MJ_HASH_LEN])
{
    uint8_t raw[32];
    mj_rand_bytes(raw, sizeof raw);
    sodium_bin2base64(token, MJ_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    mj_store_hash_secret(token, MJ_TOKEN_CHARS, hash);
}

/* HttpOnly: scripts never see the token. SameSite=Strict: no cross-site
 * request carries it, not even a top-level link; the web app loads its
 * page without credentials and fetches the rest same-origin, so nothing
 * needs Lax. Over HTTPS: Secure, and the __Host- prefix so no subdomain
 * can plant or shadow it. */
void mj_call_set_session_cookie(mj_http_req *req, bool https, const char *token, int64_t max_age)
{
    char v[200];
    snprintf(v, sizeof v, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
             https ? MJ_SESSION_COOKIE_SECURE : MJ_SESSION_COOKIE, token,
             (long long)(max_age > 0 ? max_age : 0), https ? "; Secure" : "");
    mj_http_add_header(req, "set-cookie", v);
}

void mj_call_clear_session_cookie(mj_http_req *req, bool https)
{
    mj_call_set_session_cookie(req, https, "", 0);
}

static bool token_ok(const char *t, size_t n)
{
    if (n != MJ_TOKEN_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

/* The first well-formed session token among the request's cookies. Over
 * HTTPS only the __Host- cookie counts: a plain one could have been planted
 * by a sibling subdomain to sign the victim into someone else's account. */
static bool take_token(const char *v, size_t n, void *ctx)
{
    if (!token_ok(v, n))
        return false;
    memcpy(ctx, v, n);
    ((char *)ctx)[n] = '\0';
    return true;
}

static bool session_cookie(mj_http_req *req, bool https, char token[MJ_TOKEN_CHARS + 1])
{
    const char *name = https ? MJ_SESSION_COOKIE_SECURE : MJ_SESSION_COOKIE;
    char cookies[4096];
    int n = mj_http_header(req, MJ_HDR_COOKIE, cookies, sizeof cookies);
    return n > 0 && mj_cookie_find(cookies, (size_t)n, name, take_token, token);
}

/* 0: signed in; MJ_ENOTFOUND: no live session; MJ_EIO. */
static int authenticate(mj_call *c)
{
    char token[MJ_TOKEN_CHARS + 1];
    if (!session_cookie(c->req, mj_call_https(c), token))
        return MJ_ENOTFOUND;
    uint8_t hash[MJ_HASH_LEN];
    mj_store_hash_secret(token, MJ_TOKEN_CHARS, hash);
    sodium_memzero(token, sizeof token);
    int64_t idle = c->acc->cfg.session_idle_s;
    int64_t refresh = idle / 16 > 300 ? 300 : idle / 16;
    int err = mj_store_session_lookup(c->srv->store, hash, c->now, idle, refresh, &c->session,
                                      &c->me);
    c->authed = err == 0;
    return err;
}

/* ---- the same-origin rule ---- */

/* A request that changes state must come from our own pages: its Origin
 * must be this server's origin (MAJLIS_PUBLIC_ORIGIN, or the scheme and
 * Host of the request), or, when a browser sent no Origin, Sec-Fetch-Site
 * must say same-origin. Anything else, including a client that sends
 * neither, is refused: browsers send Origin on every POST, PUT, PATCH and
 * DELETE, and other clients can send one. */
static bool same_origin(mj_call *c)
{
    char site[32];
    int sn = mj_http_header(c->req, MJ_HDR_SEC_FETCH_SITE, site, sizeof site);
    if (sn > 0 && strcmp(site, "same-origin") != 0)
        return false;
    char origin[300];
    int on = mj_http_header(c->req, MJ_HDR_ORIGIN, origin, sizeof origin);
    if (on <= 0)
        return sn > 0;
    char expected[300];
    if (c->acc->cfg.public_origin[0]) {
        snprintf(expected, sizeof expected, "%s", c->acc->cfg.public_origin);
    } else {
        char host[256];
        if (mj_http_header(c->req, MJ_HDR_HOST, host, sizeof host) <= 0)
            return false;
        snprintf(expected, sizeof expected, "%s://%s", mj_http_is_https(c->req) ? "https" : "http",
                 host);
    }
    return strcasecmp(origin, expected) == 0;
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

/* ---- routing ---- */

static bool match(const char *pattern, const char *path, char *arg, size_t cap)
{
    while (*pattern) {
        if (*pattern == '*') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= cap)
                return false;
            memcpy(arg, path, n);
            arg[n] = '\0';
            path += n;
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0';
}

static const route *find_route(mj_call *c, const char *path, char *allow, size_t cap)
{
    mj_http_method m = mj_http_method_of(c->req);
    if (m == MJ_HTTP_HEAD)
        m = MJ_HTTP_GET;
    allow[0] = '\0';
    const route *found = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char arg[sizeof c->argbuf];
        if (!match(routes[i].pattern, path, arg, sizeof arg))
            continue;
        if (routes[i].method == m) {
            found = &routes[i];
            memcpy(c->argbuf, arg, sizeof arg);
        }
        static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
        size_t used = strlen(allow);
        snprintf(allow + used, cap - used, "%s%s", used ? ", " : "", names[routes[i].method]);
    }
    return found;
}

static bool guard(mj_call *c, const route *r)
{
    mj_http_method m = mj_http_method_of(c->req);
    if (changes_state(m) && !same_origin(c)) {
        mj_call_error(c, 403, "cross_origin", "state-changing requests must come from this site");
        return false;
    }
    if (changes_state(m) && !body_is_json(c->req)) {
        mj_call_error(c, 415, "unsupported_media_type", "the body must be application/json");
        return false;
    }
    if (r->flags == R_PUBLIC)
        return mj_call_limit_address(c, MJ_LIMIT_API_ADDRESS);
    int err = authenticate(c);
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
    if (!mj_call_limit(c, MJ_LIMIT_API_SESSION, c->session.id, strlen(c->session.id)))
        return false;
    if (r->flags == R_ADMIN && !c->me.is_admin) {
        mj_call_error(c, 403, "forbidden", "only admins may do this");
        return false;
    }
    return true;
}

void mj_account_route(mj_server *srv, mj_http_req *req)
{
    mj_call c;
    memset(&c, 0, sizeof c);
    c.srv = srv;
    c.acc = srv->accounts;
    c.req = req;
    c.now = mj_clock_unix();
    c.mono = mj_clock_now();
    /* Personal data: never cached, never sniffed. */
    mj_http_add_header(req, "cache-control", "no-store");
    mj_http_add_header(req, "x-content-type-options", "nosniff");
    if (!c.acc) {
        mj_call_error(&c, 503, "unavailable", "accounts are not available");
        return;
    }
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
    c.arg = strchr(r->pattern, '*') ? c.argbuf : NULL;
    if (guard(&c, r))
        r->fn(&c);
}

/* ---- lookups and views ---- */

bool mj_call_target(mj_call *c, mj_user *out)
{
    char handle[MJ_HANDLE_MAX + 1];
    const char *why;
    int err = MJ_ENOTFOUND;
    if (c->arg && mj_handle_normalize(c->arg, strlen(c->arg), handle, &why) == 0)
        err = mj_store_user_by_handle(c->srv->store, handle, out);
    if (!err && !mj_user_active(out) && !c->me.is_admin)
        err = MJ_ENOTFOUND;
    mj_relation rel = {0};
    if (!err && c->authed && out->id != c->me.id &&
        (err = mj_store_relation(c->srv->store, c->me.id, out->id, &rel)) == 0 &&
        rel.blocked_by && !c->me.is_admin)
        err = MJ_ENOTFOUND; /* someone who blocked you is not there for you */
    if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such member");
    else if (err)
        mj_call_internal(c);
    return err == 0;
}

static json_t *avatar(const char *handle, const char *display_name)
{
    char initials[MJ_INITIALS_MAX];
    mj_initials(display_name, initials);
    return json_pack("{s:s, s:i}", "initials", initials, "hue", mj_avatar_hue(handle));
}

json_t *mj_json_user_brief(const char *handle, const char *display_name)
{
    if (!handle[0])
        return json_pack("{s:n, s:n, s:b}", "handle", "display_name", "deleted", 1);
    return json_pack("{s:s, s:s, s:o}", "handle", handle, "display_name", display_name, "avatar",
                     avatar(handle, display_name));
}

json_t *mj_json_brief_list(const mj_user_brief *list, size_t n, size_t cap)
{
    json_t *users = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *b = mj_json_user_brief(list[i].handle, list[i].display_name);
        if (list[i].suspended && list[i].handle[0])
            json_object_set_new(b, "suspended", json_true());
        json_array_append_new(users, b);
    }
    json_t *next = n == cap && n ? json_integer(list[n - 1].cursor) : json_null();
    return json_pack("{s:o, s:o}", "users", users, "next", next);
}

json_t *mj_json_user_public(const mj_user *u)
{
    json_t *o = mj_json_user_brief(u->handle, u->display_name);
    if (o && u->handle[0])
        json_object_set_new(o, "bio", json_string(u->bio));
    return o;
}
