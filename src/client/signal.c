#include "client/signal.h"

#include "base/log.h"
#include "client/textf.h"
#include "io/clock.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

struct mj_signal_req {
    mj_signal *sig;
    CURL *easy;
    struct curl_slist *headers;
    mj_signal_req *prev, *next;
    bool post;
    mj_signal_fn fn;
    void *ctx;
    mj_time sent_at;
    char url[MJ_SIGNAL_URL_MAX];
    char location[MJ_SIGNAL_URL_MAX];
    bool location_too_long;
    char curl_err[CURL_ERROR_SIZE];
    char *body;
    size_t body_len, body_cap;
    bool body_too_big;
};

/* One curl socket in our loop. */
typedef struct sock_watch {
    mj_io io;
    mj_signal *sig;
    curl_socket_t fd;
} sock_watch;

struct mj_signal {
    mj_loop *loop;
    CURLM *multi;
    mj_timer timer;
    mj_signal_config cfg;
    mj_signal_req *reqs; /* pending, doubly linked */
    unsigned npending;
};

static bool curl_ready;

static void check_done(mj_signal *s);

/* ---- Loop integration (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION) ----- */

static void on_sock(mj_loop *l, mj_io *io, uint32_t events)
{
    sock_watch *w = io->ctx;
    mj_signal *s = w->sig;
    int flags = 0, running;
    if (events & EPOLLIN) flags |= CURL_CSELECT_IN;
    if (events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(s->multi, w->fd, flags, &running);
    check_done(s);
}

static int sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    mj_signal *s = userp;
    sock_watch *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            mj_loop_io_remove(s->loop, &w->io);
            curl_multi_assign(s->multi, fd, NULL);
            mj_loop_free_later(s->loop, w);
        }
        return 0;
    }
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) return -1;
        w->sig = s;
        w->fd = fd;
        curl_multi_assign(s->multi, fd, w);
    }
    uint32_t ev = 0;
    if (what & CURL_POLL_IN) ev |= EPOLLIN;
    if (what & CURL_POLL_OUT) ev |= EPOLLOUT;
    if (mj_loop_io_set(s->loop, &w->io, fd, ev, on_sock, w) != 0) return -1;
    return 0;
}

static void on_timer(mj_loop *l, mj_timer *t)
{
    mj_signal *s = t->ctx;
    int running;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(s);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    mj_signal *s = userp;
    if (timeout_ms < 0) {
        mj_loop_timer_stop(s->loop, &s->timer);
        return 0;
    }
    return mj_loop_timer_set(s->loop, &s->timer, mj_loop_now(s->loop) + MJ_MSEC(timeout_ms)) ? -1
                                                                                             : 0;
}

/* ---- Requests ---------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    mj_signal_req *r = userp;
    size_t n = size * nmemb;
    if (r->body_len + n > MJ_SIGNAL_BODY_MAX) {
        r->body_too_big = true;
        return 0; /* aborts the transfer */
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b) return 0;
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    mj_signal_req *r = userp;
    size_t n = size * nmemb;
    static const char name[] = "location:";
    if (n > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        const char *v = data + sizeof name - 1;
        size_t vlen = n - (sizeof name - 1);
        while (vlen && (*v == ' ' || *v == '\t'))
            v++, vlen--;
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
            vlen--;
        if (vlen >= sizeof r->location) {
            r->location_too_long = true;
        } else {
            memcpy(r->location, v, vlen);
            r->location[vlen] = '\0';
        }
    }
    return n;
}

static void unlink_req(mj_signal *s, mj_signal_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        s->reqs = r->next;
    if (r->next) r->next->prev = r->prev;
    s->npending--;
}

static void req_free(mj_signal_req *r)
{
    if (r->easy) curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r);
}

static int start(mj_signal *s, bool post, const char *url, const char *token, const char *sdp,
                 size_t len, mj_signal_fn fn, void *ctx, mj_signal_req **out)
{
    if (strlen(url) >= MJ_SIGNAL_URL_MAX) return MJ_EINVAL;
    mj_signal_req *r = calloc(1, sizeof *r);
    if (!r) return MJ_ENOMEM;
    r->sig = s;
    r->post = post;
    r->fn = fn;
    r->ctx = ctx;
    snprintf(r->url, sizeof r->url, "%s", url);
    r->easy = curl_easy_init();
    if (!r->easy) goto fail;
    char auth[1024];
    if (token && snprintf(auth, sizeof auth, "Authorization: Bearer %s", token) >= (int)sizeof auth)
        goto fail;
    if (token) r->headers = curl_slist_append(r->headers, auth);
    if (post) r->headers = curl_slist_append(r->headers, "Content-Type: application/sdp");
    r->headers = curl_slist_append(r->headers, "Expect:"); /* no 100-continue round trip */
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "majlis-client/0.1");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->cfg.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->cfg.timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    if (post) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, sdp);
    } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
    r->sent_at = mj_clock_now();
    if (curl_multi_add_handle(s->multi, e) != CURLM_OK) goto fail;
    r->next = s->reqs;
    if (s->reqs) s->reqs->prev = r;
    s->reqs = r;
    s->npending++;
    if (out) *out = r;
    return 0;
fail:
    req_free(r);
    return MJ_ENOMEM;
}

int mj_signal_post(mj_signal *s, const char *url, const char *token, const char *sdp, size_t len,
                   mj_signal_fn fn, void *ctx, mj_signal_req **out)
{
    return start(s, true, url, token, sdp, len, fn, ctx, out);
}

int mj_signal_delete(mj_signal *s, const char *url, const char *token, mj_signal_fn fn, void *ctx,
                     mj_signal_req **out)
{
    return start(s, false, url, token, NULL, 0, fn, ctx, out);
}

void mj_signal_cancel(mj_signal *s, mj_signal_req *r)
{
    if (!r) return;
    curl_multi_remove_handle(s->multi, r->easy);
    unlink_req(s, r);
    req_free(r);
}

unsigned mj_signal_pending(const mj_signal *s)
{
    return s->npending;
}

/* ---- Results ---------------------------------------------------------- */

static void describe_curl(const mj_signal_req *r, CURLcode code, char *out, size_t cap)
{
    const char *detail = r->curl_err[0] ? r->curl_err : curl_easy_strerror(code);
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        mj_textf(out, cap, "cannot connect to %s (%s): is majlis serve running there?", r->url,
                 detail);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        mj_textf(out, cap, "cannot resolve the host name of %s", r->url);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        mj_textf(out, cap, "no answer from %s in time (%s)", r->url, detail);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: mj_textf(out, cap, "bad URL %s: %s", r->url, detail); break;
    case CURLE_WRITE_ERROR:
        if (r->body_too_big) {
            mj_textf(out, cap, "the answer from %s is larger than %d bytes", r->url,
                     MJ_SIGNAL_BODY_MAX);
            break;
        }
        /* fall through */
    default: mj_textf(out, cap, "request to %s failed: %s", r->url, detail); break;
    }
}

/* Resolves a Location header against the request URL (it is usually a
 * path, "/whip/ROOM/ID"). */
static int resolve_location(const mj_signal_req *r, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *abs = NULL;
    int err = MJ_EINVAL;
    if (u && curl_url_set(u, CURLUPART_URL, r->url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, r->location, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK && strlen(abs) < cap) {
        snprintf(out, cap, "%s", abs);
        err = 0;
    }
    curl_free(abs);
    curl_url_cleanup(u);
    return err;
}

static void finish(mj_signal *s, mj_signal_req *r, CURLcode code)
{
    mj_signal_result res;
    memset(&res, 0, sizeof res);
    res.sent_at = r->sent_at;
    res.done_at = mj_clock_now();
    res.body = r->body ? r->body : "";
    res.body_len = r->body_len;
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    res.status = (int)status;
    if (code != CURLE_OK) {
        describe_curl(r, code, res.error, sizeof res.error);
    } else if (r->post && status == 201) {
        if (r->location_too_long || !r->location[0]) {
            snprintf(res.error, sizeof res.error, "the server's 201 answer has no usable Location");
        } else if (resolve_location(r, res.location, sizeof res.location) != 0) {
            snprintf(res.error, sizeof res.error, "the server's Location is not a valid URL");
        } else {
            res.ok = true;
        }
    } else if (!r->post && (status == 200 || status == 204 || status == 404)) {
        res.ok = true;
    } else {
        mj_signal_describe(res.status, r->post, res.body, res.body_len, res.error,
                           sizeof res.error);
    }
    mj_signal_fn fn = r->fn;
    void *ctx = r->ctx;
    curl_multi_remove_handle(s->multi, r->easy);
    unlink_req(s, r);
    if (fn) fn(ctx, &res);
    req_free(r);
}

static void check_done(mj_signal *s)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        mj_signal_req *r = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (r) finish(s, r, m->data.result);
    }
}

/* Copies printable text, at most max bytes, so a hostile server cannot
 * put control characters on the user's terminal. */
static void clean_copy(char *out, size_t cap, const char *in, size_t max)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && i < max && j + 1 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        out[j++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    out[j] = '\0';
}

void mj_signal_describe(int status, bool post, const char *body, size_t len, char *out, size_t cap)
{
    char msg[256] = "", code[64] = "";
    json_t *j = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    if (json_is_object(j)) {
        const char *m = json_string_value(json_object_get(j, "message"));
        const char *c = json_string_value(json_object_get(j, "error"));
        if (m) clean_copy(msg, sizeof msg, m, 200);
        if (c) clean_copy(code, sizeof code, c, 40);
    }
    json_decref(j);
    const char *why = msg[0] ? msg : code[0] ? code : "no reason given";
    switch (status) {
    case 401: snprintf(out, cap, "the server refused the token (401 unauthorized: %s)", why); break;
    case 403:
        snprintf(out, cap, "the token does not allow this (403 %s: %s)",
                 code[0] ? code : "forbidden", why);
        break;
    case 410: snprintf(out, cap, "the room has ended (410: %s)", why); break;
    case 404:
        snprintf(out, cap, "%s (404: %s)", post ? "no such room on this server" : "not found", why);
        break;
    case 400:
        snprintf(out, cap, "the server could not use our offer (400 %s: %s)",
                 code[0] ? code : "bad request", why);
        break;
    case 503: snprintf(out, cap, "the server is full (503: %s); try again later", why); break;
    default:
        if (status >= 300 && status < 400)
            snprintf(out, cap, "the server redirected (HTTP %d): give the final URL", status);
        else
            snprintf(out, cap, "unexpected answer HTTP %d: %s", status, why);
        break;
    }
}

int mj_signal_endpoint(const char *base, bool whep, const char *room, char *out, size_t cap,
                       const char **why)
{
    size_t rlen = strlen(room);
    if (rlen == 0 || rlen > MJ_SIGNAL_ROOM_MAX ||
        strspn(room, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != rlen) {
        *why = "the room id must be 1 to 64 letters, digits, '-' or '_'";
        return MJ_EINVAL;
    }
    if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0) {
        *why = "the URL must start with http:// or https://";
        return MJ_EINVAL;
    }
    size_t blen = strlen(base);
    while (blen > 8 && base[blen - 1] == '/')
        blen--;
    int n = snprintf(out, cap, "%.*s/%s/%s", (int)blen, base, whep ? "whep" : "whip", room);
    if (n < 0 || (size_t)n >= cap) {
        *why = "the URL is too long";
        return MJ_EINVAL;
    }
    return 0;
}

/* ---- Lifecycle ------------------------------------------------------------ */

int mj_signal_new(mj_loop *loop, const mj_signal_config *cfg, mj_signal **out)
{
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return MJ_EIO;
        curl_ready = true;
    }
    mj_signal *s = calloc(1, sizeof *s);
    if (!s) return MJ_ENOMEM;
    s->loop = loop;
    if (cfg) s->cfg = *cfg;
    if (!s->cfg.max_connections) s->cfg.max_connections = 8;
    if (!s->cfg.connect_timeout_ms) s->cfg.connect_timeout_ms = 5000;
    if (!s->cfg.timeout_ms) s->cfg.timeout_ms = 20000;
    mj_timer_init(&s->timer, on_timer, s);
    s->multi = curl_multi_init();
    if (!s->multi) {
        free(s);
        return MJ_ENOMEM;
    }
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)s->cfg.max_connections);
    curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)s->cfg.max_connections);
    *out = s;
    return 0;
}

void mj_signal_free(mj_signal *s)
{
    if (!s) return;
    while (s->reqs)
        mj_signal_cancel(s, s->reqs);
    mj_loop_timer_stop(s->loop, &s->timer);
    curl_multi_cleanup(s->multi);
    free(s);
}
