/* WebSockets over libwebsockets: one subprotocol, whole messages in, a
 * queue of shared messages out.
 *
 * libwebsockets does the framing (RFC 6455): it parses frames, answers
 * pings and close frames, and sends our pings when a socket goes quiet
 * (the context's validity policy, server.c). This file collects fragments
 * into whole messages (capped), keeps each socket's outgoing queue
 * (bounded in bytes: a peer that cannot keep up is closed rather than
 * allowed to grow our memory), and hands the upgrade request to the
 * handler with the usual request accessors.
 *
 * A message sent to many sockets is one buffer with LWS_PRE bytes of
 * headroom, referenced by every queue. lws_write() puts the frame header
 * into that headroom; the header of a server's text frame depends only on
 * the length (servers do not mask), so sockets writing the same buffer one
 * after another write the same bytes there. */
#include "http/http_internal.h"

#include "base/log.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_MIN 16

struct mj_ws_msg {
    int refs;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes of headroom, then the text */
};

mj_ws_msg *mj_ws_msg_new(const char *text, size_t len)
{
    mj_ws_msg *m = malloc(sizeof *m + LWS_PRE + len);
    if (!m) return NULL;
    m->refs = 1;
    m->len = len;
    memcpy(m->buf + LWS_PRE, text, len);
    return m;
}

mj_ws_msg *mj_ws_msg_json(json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(obj);
    if (!text) return NULL;
    mj_ws_msg *m = mj_ws_msg_new(text, strlen(text));
    free(text);
    return m;
}

void mj_ws_msg_unref(mj_ws_msg *m)
{
    if (m && --m->refs == 0) free(m);
}

size_t mj_ws_msg_len(const mj_ws_msg *m)
{
    return m->len;
}

static const mj_ws_handler *handler_of(const mj_ws *ws)
{
    return ws->h;
}

static void queue_clear(mj_ws *ws)
{
    for (size_t i = 0; i < ws->qlen; i++)
        mj_ws_msg_unref(ws->q[(ws->qhead + i) % ws->qcap]);
    ws->qhead = ws->qlen = 0;
    ws->queued = 0;
}

static int queue_push(mj_ws *ws, mj_ws_msg *m)
{
    if (ws->qlen == ws->qcap) {
        size_t cap = ws->qcap ? ws->qcap * 2 : QUEUE_MIN;
        mj_ws_msg **q = malloc(cap * sizeof *q);
        if (!q) return MJ_ENOMEM;
        for (size_t i = 0; i < ws->qlen; i++)
            q[i] = ws->q[(ws->qhead + i) % ws->qcap];
        free(ws->q);
        ws->q = q;
        ws->qhead = 0;
        ws->qcap = cap;
    }
    ws->q[(ws->qhead + ws->qlen++) % ws->qcap] = m;
    m->refs++;
    ws->queued += m->len;
    return 0;
}

void mj_ws_close(mj_ws *ws, int code, const char *reason)
{
    if (ws->closing) return;
    ws->closing = true;
    ws->close_code = code;
    snprintf(ws->close_reason, sizeof ws->close_reason, "%s", reason ? reason : "");
    lws_callback_on_writable(ws->wsi);
}

bool mj_ws_closing(const mj_ws *ws)
{
    return ws->closing;
}

int mj_ws_send(mj_ws *ws, mj_ws_msg *m)
{
    if (ws->closing || !m) return ws->closing ? MJ_ESTATE : MJ_EINVAL;
    size_t max = handler_of(ws)->max_queued;
    if (max && ws->queued + m->len > max) {
        /* Too far behind to catch up: it reconnects and gets a fresh
         * state, which is cheaper for everyone than an unbounded queue. */
        queue_clear(ws);
        mj_ws_close(ws, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
        return MJ_ELIMIT;
    }
    int err = queue_push(ws, m);
    if (err) return err;
    lws_callback_on_writable(ws->wsi);
    return 0;
}

int mj_ws_send_text(mj_ws *ws, const char *text, size_t len)
{
    mj_ws_msg *m = mj_ws_msg_new(text, len);
    if (!m) return MJ_ENOMEM;
    int err = mj_ws_send(ws, m);
    mj_ws_msg_unref(m);
    return err;
}

void mj_ws_set_user(mj_ws *ws, void *user)
{
    ws->user = user;
}

void *mj_ws_user(const mj_ws *ws)
{
    return ws->user;
}

static int on_writable(mj_ws *ws)
{
    if (ws->qlen) {
        mj_ws_msg *m = ws->q[ws->qhead];
        ws->qhead = (ws->qhead + 1) % ws->qcap;
        ws->qlen--;
        ws->queued -= m->len;
        size_t len = m->len;
        int n = lws_write(ws->wsi, m->buf + LWS_PRE, len, LWS_WRITE_TEXT);
        mj_ws_msg_unref(m);
        if (n < (int)len) return -1; /* lws buffers partial writes itself; less means trouble */
        if (ws->qlen || ws->closing) lws_callback_on_writable(ws->wsi);
        return 0;
    }
    if (ws->closing) {
        lws_close_reason(ws->wsi, (enum lws_close_status)ws->close_code,
                         (unsigned char *)ws->close_reason, strlen(ws->close_reason));
        return -1;
    }
    return 0;
}

/* Collects fragments; hands over a whole message. -1 closes the socket. */
static int on_receive(mj_ws *ws, const void *in, size_t len)
{
    const mj_ws_handler *h = handler_of(ws);
    size_t max = h->max_message ? h->max_message : 65536;
    if (ws->rx_len + len > max) {
        lws_close_reason(ws->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too large",
                         9);
        return -1;
    }
    if (ws->rx_len + len > ws->rx_cap) {
        size_t cap = ws->rx_cap ? ws->rx_cap : 1024;
        while (cap < ws->rx_len + len)
            cap *= 2;
        uint8_t *b = realloc(ws->rx, cap);
        if (!b) return -1;
        ws->rx = b;
        ws->rx_cap = cap;
    }
    memcpy(ws->rx + ws->rx_len, in, len);
    ws->rx_len += len;
    if (!lws_is_final_fragment(ws->wsi) || lws_remaining_packet_payload(ws->wsi)) return 0;
    size_t n = ws->rx_len;
    ws->rx_len = 0;
    if (h->message && !ws->closing) h->message(h->ctx, ws, ws->rx, n);
    return 0;
}

static int peer_close_code(const void *in, size_t len)
{
    const unsigned char *p = in;
    return len >= 2 ? (p[0] << 8) | p[1] : LWS_CLOSE_STATUS_NO_STATUS;
}

static void on_established(mj_ws *ws, struct lws *wsi, mj_http_server *srv)
{
    memset(ws, 0, sizeof *ws);
    ws->wsi = wsi;
    ws->srv = srv;
    ws->peer_code = 1006;
    ws->open = true;
    ws->h = lws_get_protocol(wsi)->user;
    mj_http_req *req = calloc(1, sizeof *req);
    if (!req) {
        mj_ws_close(ws, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
        return;
    }
    mj_http_req_from_upgrade(req, srv, wsi);
    const mj_ws_handler *h = handler_of(ws);
    h->open(h->ctx, ws, req);
    free(req);
}

static void on_closed(mj_ws *ws)
{
    if (!ws->open) return;
    ws->open = false;
    const mj_ws_handler *h = handler_of(ws);
    if (h->closed) h->closed(h->ctx, ws, ws->closing ? ws->close_code : ws->peer_code);
    queue_clear(ws);
    free(ws->q);
    free(ws->rx);
    ws->q = NULL;
    ws->rx = NULL;
}

int mj_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    mj_ws *ws = user;
    mj_http_server *srv = lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED: on_established(ws, wsi, srv); return 0;
    case LWS_CALLBACK_RECEIVE: return ws->open ? on_receive(ws, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE: return ws->open ? on_writable(ws) : -1;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: ws->peer_code = peer_close_code(in, len); return 0;
    case LWS_CALLBACK_CLOSED: on_closed(ws); return 0;
    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
