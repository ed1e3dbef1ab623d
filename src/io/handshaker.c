#include "io/handshaker.h"

#include "base/log.h"
#include "io/clock.h"
#include "io/ring.h"
#include "base/map.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MSG_DATA_MAX 2048 /* a worker's receive buffer */

typedef struct msg {
    uint8_t kind; /* mj_sfu_hs_kind */
    uint8_t fp_len;
    uint16_t len;
    uint32_t route;
    uint64_t id;
    mj_addr from;
    char fp_alg[16];
    uint8_t fp[MJ_DTLS_FP_MAX];
    uint8_t data[MSG_DATA_MAX];
} msg;

typedef struct hs_thread {
    mj_handshaker *owner;
    pthread_t thread;
    bool started;
    int efd;
    mj_ring queue;
    mj_handshakes *table; /* the thread's alone */
    pthread_mutex_t stats_mu;
    mj_handshakes_stats stats; /* published copy */
    uint64_t queue_dropped;
    bool trim_due;     /* connections were freed since the last trim */
    mj_time next_trim; /* not before */
} hs_thread;

struct mj_handshaker {
    mj_handshaker_config cfg;
    atomic_bool stop; /* set by the stopping thread */
    int n;
    hs_thread *threads;
};

static void wake(hs_thread *t)
{
    uint64_t one = 1;
    if (write(t->efd, &one, sizeof one) < 0 && errno != EAGAIN)
        mj_warn("handshaker: eventfd write failed: %s", strerror(errno));
}

static void apply(hs_thread *t, mj_time now, const msg *m)
{
    int err;
    switch ((mj_sfu_hs_kind)m->kind) {
    case MJ_SFU_HS_OPEN:
        err = mj_handshakes_open(t->table, m->route, m->id, m->fp_alg, m->fp, m->fp_len);
        if (err) {
            mj_warn("handshaker: cannot take a session: %s", mj_strerror(err));
            t->owner->cfg.out.failed(t->owner->cfg.out.ctx, m->route, m->id, false);
        }
        break;
    case MJ_SFU_HS_DATAGRAM:
        (void)mj_handshakes_datagram(t->table, now, m->id, &m->from, m->data, m->len);
        break;
    case MJ_SFU_HS_RELEASE: mj_handshakes_release(t->table, m->id); break;
    case MJ_SFU_HS_CLOSE: mj_handshakes_close(t->table, m->id); break;
    }
}

static void publish(hs_thread *t)
{
    uint32_t before = t->stats.connections;
    pthread_mutex_lock(&t->stats_mu);
    mj_handshakes_stats_get(t->table, &t->stats);
    pthread_mutex_unlock(&t->stats_mu);
    if (t->stats.connections < before) t->trim_due = true;
}

/* A DTLS connection holds tens of KiB that are freed when its remote shows
 * it has its keys; after a crowd has joined, glibc keeps the freed pages
 * of this thread's arena. Once the table holds no connection, and at most
 * every few seconds, they go back to the system. */
static void give_back(hs_thread *t, mj_time now)
{
    if (t->stats.connections > 0 || !t->trim_due || now < t->next_trim) return;
    malloc_trim(0);
    t->trim_due = false;
    t->next_trim = now + MJ_SEC(5);
}

static void *thread_main(void *arg)
{
    hs_thread *t = arg;
    mj_handshaker *h = t->owner;
    msg *m = malloc(sizeof *m);
    if (!m) {
        mj_error("handshaker: out of memory");
        return NULL;
    }
    while (!h->stop) {
        mj_time now = mj_clock_now();
        mj_time at = mj_handshakes_next_timeout(t->table);
        int timeout_ms = at == MJ_TIME_NEVER ? 1000
                         : at <= now         ? 0
                                             : (int)((at - now + 999) / 1000);
        if (timeout_ms > 1000) timeout_ms = 1000;
        struct pollfd pfd = {.fd = t->efd, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
            mj_error("handshaker: poll: %s", strerror(errno));
            break;
        }
        uint64_t v;
        if (pfd.revents & POLLIN && read(t->efd, &v, sizeof v) < 0 && errno != EAGAIN)
            mj_warn("handshaker: eventfd read failed: %s", strerror(errno));
        now = mj_clock_now();
        while (mj_ring_pop(&t->queue, m))
            apply(t, now, m);
        mj_handshakes_handle_timeouts(t->table, mj_clock_now());
        publish(t);
        give_back(t, now);
    }
    free(m);
    return NULL;
}

static void thread_dispose(hs_thread *t)
{
    mj_handshakes_free(t->table);
    mj_ring_dispose(&t->queue);
    pthread_mutex_destroy(&t->stats_mu);
    if (t->efd >= 0) close(t->efd);
}

static int thread_init(mj_handshaker *h, hs_thread *t)
{
    t->owner = h;
    t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (t->efd < 0) return MJ_EIO;
    if (mj_ring_init(&t->queue, sizeof(msg)) != 0) {
        close(t->efd);
        t->efd = -1;
        return MJ_EIO;
    }
    pthread_mutex_init(&t->stats_mu, NULL);
    return mj_handshakes_new(h->cfg.identity, &h->cfg.out, h->cfg.max_sessions, &t->table);
}

int mj_handshaker_start(const mj_handshaker_config *cfg, mj_handshaker **out, const char **why)
{
    mj_handshaker *h = calloc(1, sizeof *h);
    if (!h || cfg->threads < 1 ||
        !(h->threads = calloc((size_t)cfg->threads, sizeof *h->threads))) {
        free(h);
        *why = "cannot start the handshake threads";
        return MJ_ENOMEM;
    }
    h->cfg = *cfg;
    for (int i = 0; i < cfg->threads; i++) {
        hs_thread *t = &h->threads[i];
        h->n = i + 1;
        if (thread_init(h, t) != 0 || pthread_create(&t->thread, NULL, thread_main, t) != 0) {
            *why = "cannot start the handshake threads";
            mj_handshaker_stop(h);
            mj_handshaker_free(h);
            return MJ_EIO;
        }
        t->started = true;
    }
    *out = h;
    return 0;
}

void mj_handshaker_stop(mj_handshaker *h)
{
    if (!h) return;
    h->stop = true;
    for (int i = 0; i < h->n; i++) {
        hs_thread *t = &h->threads[i];
        if (t->started) {
            wake(t);
            pthread_join(t->thread, NULL);
            t->started = false;
        }
    }
}

void mj_handshaker_free(mj_handshaker *h)
{
    if (!h) return;
    for (int i = 0; i < h->n; i++)
        thread_dispose(&h->threads[i]);
    free(h->threads);
    free(h);
}

void mj_handshaker_post(mj_handshaker *h, uint32_t route, const mj_sfu_hs *in)
{
    hs_thread *t = &h->threads[mj_hash_bytes(&in->session, sizeof in->session) % (uint64_t)h->n];
    msg m;
    m.kind = (uint8_t)in->kind;
    m.route = route;
    m.id = in->session;
    m.fp_len = 0;
    m.len = 0;
    if (in->kind == MJ_SFU_HS_OPEN) {
        size_t alen = in->fp_alg ? strlen(in->fp_alg) : 0;
        if (alen >= sizeof m.fp_alg || in->fp_len > sizeof m.fp)
            alen = 0; /* refused by the table as invalid */
        memcpy(m.fp_alg, in->fp_alg ? in->fp_alg : "", alen);
        m.fp_alg[alen] = '\0';
        m.fp_len = (uint8_t)(alen ? in->fp_len : 0);
        memcpy(m.fp, in->fp, m.fp_len);
    } else if (in->kind == MJ_SFU_HS_DATAGRAM) {
        if (in->len > sizeof m.data) return;
        m.from = *in->from;
        m.len = (uint16_t)in->len;
        memcpy(m.data, in->data, in->len);
    }
    /* Only datagrams may be lost (DTLS retransmits them); a session's
     * open, release and close always get through. */
    size_t max = in->kind == MJ_SFU_HS_DATAGRAM ? MJ_HANDSHAKER_QUEUE_MAX : (size_t)-1;
    size_t before = 0;
    int err = mj_ring_push_ex(&t->queue, &m, max, &before);
    if (err) {
        pthread_mutex_lock(&t->stats_mu);
        t->queue_dropped++;
        pthread_mutex_unlock(&t->stats_mu);
        return;
    }
    if (before == 0) wake(t);
}

void mj_handshaker_stats_get(mj_handshaker *h, mj_handshaker_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < h->n; i++) {
        hs_thread *t = &h->threads[i];
        pthread_mutex_lock(&t->stats_mu);
        out->tables.opened += t->stats.opened;
        out->tables.done += t->stats.done;
        out->tables.failed += t->stats.failed;
        out->tables.dropped += t->stats.dropped;
        out->tables.active += t->stats.active;
        out->tables.connections += t->stats.connections;
        out->queue_dropped += t->queue_dropped;
        pthread_mutex_unlock(&t->stats_mu);
    }
}
