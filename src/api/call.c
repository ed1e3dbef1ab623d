/* One API call: errors, rate limits, the session cookie, the same-origin
 * rule, looking up the member a path names, and handing slow work to the
 * hashing pool. */
#include "api/call.h"

#include "base/log.h"
#include "base/map.h"
#include "base/rand.h"
#include "http/cookie.h"
#include "io/clock.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static bool refuse(mj_call *c, int64_t wait)
{
    c->retry_after = wait;
    if (c->no_reply) return false;
    char secs[24], msg[96];
    snprintf(secs, sizeof secs, "%lld", (long long)wait);
    snprintf(msg, sizeof msg, "too many requests; try again in %lld seconds", (long long)wait);
    mj_http_add_header(c->req, "retry-after", secs);
    mj_call_error(c, 429, "rate_limited", msg);
    return false;
}

bool mj_call_limit(mj_call *c, mj_limit which, const void *key, size_t len)
{
    int64_t wait = mj_ratelimit_take(&c->srv->limiter, &c->srv->set.limits[which],
                                     mj_limit_name(which), key, len, c->mono);
    return wait ? refuse(c, wait) : true;
}

bool mj_call_backoff(mj_call *c, mj_limit which, const void *key, size_t len)
{
    int64_t wait = mj_backoff_check(&c->srv->limiter, &c->srv->set.limits[which],
                                    mj_limit_name(which), key, len, c->mono);
    return wait ? refuse(c, wait) : true;
}

void mj_server_backoff_fail(mj_server *srv, mj_limit which, const void *key, size_t len)
{
    mj_backoff_fail(&srv->limiter, &srv->set.limits[which], mj_limit_name(which), key, len,
                    mj_clock_now());
}

void mj_server_backoff_clear(mj_server *srv, mj_limit which, const void *key, size_t len)
{
    mj_backoff_clear(&srv->limiter, mj_limit_name(which), key, len);
}

size_t mj_call_client_key(mj_http_req *req, unsigned v4_bits, unsigned v6_bits,
                          uint8_t out[MJ_CLIENT_KEY_MAX])
{
    const char *ip = mj_http_peer_ip(req);
    mj_addr a;
    if (mj_addr_parse_ip(ip, 0, &a) != 0) {
        size_t n = strnlen(ip, MJ_CLIENT_KEY_MAX - 1);
        out[0] = 0;
        memcpy(out + 1, ip, n);
        return n + 1;
    }
    mj_addr_unmap(&a);
    out[0] = a.family;
    return 1 + mj_addr_prefix_bytes(&a, a.family == 4 ? v4_bits : v6_bits, out + 1);
}

uint64_t mj_call_client_hash(mj_http_req *req)
{
    uint8_t key[MJ_CLIENT_KEY_MAX];
    size_t n = mj_call_client_key(req, 32, 64, key);
    return mj_hash_bytes(key, n) | 1;
}

/* The address a limit counts against: an IPv4 address, or the /64 prefix
 * of an IPv6 one, since one subscriber holds a whole /64 and could walk
 * through it. */
bool mj_call_limit_address(mj_call *c, mj_limit which)
{
    uint8_t key[MJ_CLIENT_KEY_MAX];
    size_t n = mj_call_client_key(c->req, 32, 64, key);
    return mj_call_limit(c, which, key, n);
}

bool mj_call_https(mj_call *c)
{
    if (c->srv->set.public_origin[0]) return strncmp(c->srv->set.public_origin, "https:", 6) == 0;
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
    if (n != MJ_TOKEN_CHARS) return false;
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
    if (!token_ok(v, n)) return false;
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

int mj_call_authenticate(mj_call *c)
{
    char token[MJ_TOKEN_CHARS + 1];
    if (!session_cookie(c->req, mj_call_https(c), token)) return MJ_ENOTFOUND;
    uint8_t hash[MJ_HASH_LEN];
    mj_store_hash_secret(token, MJ_TOKEN_CHARS, hash);
    sodium_memzero(token, sizeof token);
    int64_t idle = c->srv->set.session_idle_s;
    int64_t refresh = idle / 16 > 300 ? 300 : idle / 16;
    int err =
        mj_store_session_lookup(c->srv->store, hash, c->now, idle, refresh, &c->session, &c->me);
    c->authed = err == 0;
    return err;
}

/* ---- the same-origin rule ---- */

static bool host_is_ip(const char *host, size_t len)
{
    char ip[MJ_ADDR_STRLEN];
    if (len == 0 || len >= sizeof ip) return false;
    memcpy(ip, host, len);
    ip[len] = '\0';
    mj_addr a;
    return mj_addr_parse_ip(ip, 0, &a) == 0;
}

/* The host name of the public origin ("https://majlis.example:8443" ->
 * "majlis.example"); one in brackets is an address, allowed anyway. */
static void public_host(const char *origin, const char **host, size_t *len)
{
    const char *h = strstr(origin, "://");
    h = h ? h + 3 : origin;
    *host = h;
    *len = strcspn(h, ":/");
}

/* Which Host a request may name (DNS rebinding: a page of another site
 * whose name an attacker points at this server's address sends its own
 * name as Host). */
bool mj_server_host_allowed(mj_server *srv, mj_http_req *req)
{
    char host[256];
    int n = mj_http_header(req, MJ_HDR_HOST, host, sizeof host);
    if (n <= 0) return false;
    /* Split off the port: "[v6]:port", "name:port". */
    size_t len = (size_t)n;
    const char *name = host;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', len);
        if (!close) return false;
        name = host + 1;
        len = (size_t)(close - name);
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon) len = (size_t)(colon - host);
    }
    if (len && name[len - 1] == '.') len--;
    /* A literal address cannot be rebound, nor can localhost. */
    if (host_is_ip(name, len) || (len == 9 && strncasecmp(name, "localhost", 9) == 0)) return true;
    if (!srv->set.public_origin[0]) return false;
    const char *pub;
    size_t plen;
    public_host(srv->set.public_origin, &pub, &plen);
    return plen == len && strncasecmp(pub, name, len) == 0;
}

/* A request that changes state must come from our own pages: its Origin
 * must be this server's origin (MAJLIS_PUBLIC_ORIGIN, or the scheme and
 * Host of the request), or, when a browser sent no Origin, Sec-Fetch-Site
 * must say same-origin. Anything else, including a client that sends
 * neither, is refused: browsers send Origin on every POST, PUT, PATCH and
 * DELETE, and other clients can send one. */
bool mj_call_same_origin(mj_call *c)
{
    if (!mj_server_host_allowed(c->srv, c->req)) return false;
    char site[32];
    int sn = mj_http_header(c->req, MJ_HDR_SEC_FETCH_SITE, site, sizeof site);
    if (sn > 0 && strcmp(site, "same-origin") != 0) return false;
    char origin[300];
    int on = mj_http_header(c->req, MJ_HDR_ORIGIN, origin, sizeof origin);
    if (on <= 0) return sn > 0;
    char expected[300];
    if (c->srv->set.public_origin[0]) {
        snprintf(expected, sizeof expected, "%s", c->srv->set.public_origin);
    } else {
        char host[256];
        if (mj_http_header(c->req, MJ_HDR_HOST, host, sizeof host) <= 0) return false;
        snprintf(expected, sizeof expected, "%s://%s", mj_http_is_https(c->req) ? "https" : "http",
                 host);
    }
    return strcasecmp(origin, expected) == 0;
}

/* ---- lookups ---- */

bool mj_call_target(mj_call *c, mj_user *out)
{
    char handle[MJ_HANDLE_MAX + 1];
    const char *why;
    int err = MJ_ENOTFOUND;
    if (c->arg && mj_handle_normalize(c->arg, strlen(c->arg), handle, &why) == 0)
        err = mj_store_user_by_handle(c->srv->store, handle, out);
    if (!err && !mj_user_active(out) && !c->me.is_admin) err = MJ_ENOTFOUND;
    mj_relation rel = {0};
    if (!err && c->authed && out->id != c->me.id &&
        (err = mj_store_relation(c->srv->store, c->me.id, out->id, &rel)) == 0 && rel.blocked_by &&
        !c->me.is_admin)
        err = MJ_ENOTFOUND; /* someone who blocked you is not there for you */
    if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such member");
    else if (err)
        mj_call_internal(c);
    return err == 0;
}

int64_t mj_call_cursor(mj_call *c)
{
    char buf[24];
    if (!mj_http_query(c->req, "before", buf, sizeof buf)) return 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    return (*end || v < 0) ? 0 : v;
}

/* Where links point: the public origin, or the one this request came to. */
void mj_call_origin(mj_call *c, char *out, size_t cap)
{
    char host[256];
    if (c->srv->set.public_origin[0])
        snprintf(out, cap, "%s", c->srv->set.public_origin);
    else if (mj_http_header(c->req, MJ_HDR_HOST, host, sizeof host) > 0)
        snprintf(out, cap, "%s://%s", mj_call_https(c) ? "https" : "http", host);
    else
        out[0] = '\0';
}

/* ---- slow work ---- */

static void busy(mj_http_req *req)
{
    mj_http_add_header(req, "retry-after", "2");
    mj_http_error(req, 503, "busy", "the server is busy; try again in a moment");
}

mj_http_req *mj_call_resume(mj_server *srv, mj_pw_job *job)
{
    if (srv->stopping || !job->http) return NULL;
    if (job->ran) return mj_http_resume(srv->http, job->http);
    /* Pushed out of the queue by someone else's turn: busy, as if it had
     * come when the queue was full. */
    mj_http_req *req = job->evicted ? mj_http_resume(srv->http, job->http) : NULL;
    if (req) {
        busy(req);
        mj_http_send(req);
    }
    return NULL;
}

/* The hashing queue's group of this client: its network, so that many
 * addresses of one subscriber or one provider's block count as one. */
static uint64_t hash_group(mj_call *c)
{
    uint8_t key[MJ_CLIENT_KEY_MAX];
    size_t n = mj_call_client_key(c->req, MJ_HASH_NETWORK_V4_BITS, MJ_HASH_NETWORK_V6_BITS, key);
    return mj_hash_bytes(key, n);
}

bool mj_call_submit(mj_call *c, mj_pw_job *job)
{
    job->http = mj_http_defer(c->req);
    if (!job->http) {
        mj_call_internal(c);
        return false;
    }
    job->group = hash_group(c);
    int err = mj_pw_pool_submit(c->srv->pool, job);
    if (!err) return true;
    /* Take the request back from the deferred table and answer now. */
    (void)mj_http_resume(c->srv->http, job->http);
    if (err == MJ_EAGAIN) {
        mj_http_add_header(c->req, "retry-after", "2");
        mj_call_error(
            c, 429, "rate_limited",
            "too many passphrase checks from your network at once; try again in a moment");
    } else {
        busy(c->req);
    }
    return false;
}
