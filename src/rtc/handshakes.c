#include "rtc/handshakes.h"

#include "base/heap.h"
#include "base/log.h"
#include "base/map.h"
#include "rtc/peer.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t id;
    uint32_t route;
    mj_heap_node timer;
    mj_dtls *dtls; /* NULL until the first datagram */
    bool keyed;    /* keys handed out */
    bool has_to;
    mj_time release_at; /* once keyed */
    mj_addr to;         /* where the last datagram came from */
    char fp_alg[16];
    uint8_t fp_len;
    uint8_t fp[MJ_DTLS_FP_MAX];
} entry;

struct mj_handshakes {
    mj_dtls_identity *identity;
    mj_handshakes_out out;
    uint32_t max;
    mj_map by_id;
    mj_heap timers;
    mj_handshakes_stats stats;
    uint8_t buf[MJ_DTLS_MAX_MTU];
};

static uint64_t id_hash(uint64_t id)
{
    return mj_hash_bytes(&id, sizeof id);
}

int mj_handshakes_new(mj_dtls_identity *id, const mj_handshakes_out *out, uint32_t max,
                      mj_handshakes **hs)
{
    mj_handshakes *h = calloc(1, sizeof *h);
    if (!h) return MJ_ENOMEM;
    h->identity = id;
    h->out = *out;
    h->max = max;
    mj_map_init(&h->by_id);
    mj_heap_init(&h->timers);
    *hs = h;
    return 0;
}

static entry *find(const mj_handshakes *hs, uint64_t id)
{
    size_t it = 0;
    entry *e;
    while ((e = mj_map_next(&hs->by_id, id_hash(id), &it)))
        if (e->id == id) return e;
    return NULL;
}

static void entry_free(mj_handshakes *hs, entry *e)
{
    mj_map_remove(&hs->by_id, id_hash(e->id), e);
    mj_heap_remove(&hs->timers, &e->timer);
    if (e->dtls) {
        mj_dtls_free(e->dtls);
        hs->stats.connections--;
    }
    free(e);
    hs->stats.active--;
}

void mj_handshakes_free(mj_handshakes *hs)
{
    if (!hs) return;
    while (hs->by_id.len) {
        for (size_t i = 0; i <= hs->by_id.mask; i++) {
            if (hs->by_id.slots[i].value) {
                entry_free(hs, hs->by_id.slots[i].value);
                break; /* removal shifts the table: look again */
            }
        }
    }
    mj_map_dispose(&hs->by_id);
    mj_heap_dispose(&hs->timers);
    free(hs);
}

int mj_handshakes_open(mj_handshakes *hs, uint32_t route, uint64_t id, const char *fp_alg,
                       const uint8_t *fp, size_t fp_len)
{
    size_t alen = fp_alg ? strlen(fp_alg) : 0;
    if (!alen || alen >= sizeof((entry *)0)->fp_alg || !fp_len || fp_len > MJ_DTLS_FP_MAX)
        return MJ_EINVAL;
    if (find(hs, id)) return MJ_EEXIST;
    if (hs->stats.active >= hs->max) return MJ_ELIMIT;
    entry *e = calloc(1, sizeof *e);
    if (!e) return MJ_ENOMEM;
    e->id = id;
    e->route = route;
    e->release_at = MJ_TIME_NEVER;
    memcpy(e->fp_alg, fp_alg, alen + 1);
    memcpy(e->fp, fp, fp_len);
    e->fp_len = (uint8_t)fp_len;
    mj_heap_node_init(&e->timer);
    if (mj_map_add(&hs->by_id, id_hash(id), e) != 0) {
        free(e);
        return MJ_ENOMEM;
    }
    hs->stats.active++;
    hs->stats.opened++;
    return 0;
}

static void send_pending(mj_handshakes *hs, entry *e)
{
    long n;
    while ((n = mj_dtls_poll_transmit(e->dtls, hs->buf, sizeof hs->buf)) > 0)
        if (e->has_to) hs->out.send(hs->out.ctx, e->route, &e->to, hs->buf, (size_t)n);
}

static void fail(mj_handshakes *hs, entry *e, bool closed)
{
    hs->stats.failed++;
    uint32_t route = e->route;
    uint64_t id = e->id;
    entry_free(hs, e);
    hs->out.failed(hs->out.ctx, route, id, closed);
}

/* After any input: send what DTLS queued, hand out the keys when they
 * are ready, report a failure, and set the entry's next timer. */
static void settle(mj_handshakes *hs, entry *e, mj_time now)
{
    send_pending(hs, e);
    enum mj_dtls_state st = mj_dtls_state_get(e->dtls);
    if (st == MJ_DTLS_FAILED || st == MJ_DTLS_CLOSED) {
        fail(hs, e, st == MJ_DTLS_CLOSED);
        return;
    }
    if (st == MJ_DTLS_CONNECTED && !e->keyed) {
        mj_srtp_keys keys;
        if (mj_dtls_srtp_keys(e->dtls, &keys) != 0) {
            fail(hs, e, false);
            return;
        }
        e->keyed = true;
        e->release_at = now + MJ_PEER_DTLS_RELEASE;
        hs->stats.done++;
        hs->out.keys(hs->out.ctx, e->route, e->id, &keys);
        mj_srtp_keys_wipe(&keys);
    }
    mj_time at = mj_time_min(mj_dtls_next_timeout(e->dtls, now), e->release_at);
    if (at == MJ_TIME_NEVER)
        mj_heap_remove(&hs->timers, &e->timer);
    else if (mj_heap_set(&hs->timers, &e->timer, at) != 0)
        mj_warn("handshakes: cannot schedule a timer (out of memory)");
}

int mj_handshakes_datagram(mj_handshakes *hs, mj_time now, uint64_t id, const mj_addr *from,
                           const uint8_t *d, size_t n)
{
    entry *e = find(hs, id);
    if (!e) {
        hs->stats.dropped++;
        return MJ_ENOTFOUND;
    }
    if (!e->dtls) {
        int err = mj_dtls_new(&e->dtls, hs->identity, true, e->fp_alg, e->fp, e->fp_len);
        if (err) {
            e->dtls = NULL;
            fail(hs, e, false);
            return err;
        }
        hs->stats.connections++;
    }
    e->to = *from;
    e->has_to = true;
    int err = mj_dtls_handle_datagram(e->dtls, now, d, n);
    settle(hs, e, now);
    return err;
}

void mj_handshakes_release(mj_handshakes *hs, uint64_t id)
{
    entry *e = find(hs, id);
    if (e && e->keyed) entry_free(hs, e);
}

void mj_handshakes_close(mj_handshakes *hs, uint64_t id)
{
    entry *e = find(hs, id);
    if (!e) return;
    if (e->dtls && e->keyed) {
        mj_dtls_close(e->dtls);
        send_pending(hs, e);
    }
    entry_free(hs, e);
}

void mj_handshakes_handle_timeouts(mj_handshakes *hs, mj_time now)
{
    mj_heap_node *n;
    /* Bounded: each turn retransmits (doubling the timer), fails or frees,
     * but a timer OpenSSL keeps at zero must not hold the thread. */
    for (uint32_t guard = 0;
         guard <= 2 * hs->stats.active && (n = mj_heap_peek(&hs->timers)) && n->at <= now;
         guard++) {
        entry *e = (entry *)((char *)n - offsetof(entry, timer));
        mj_heap_remove(&hs->timers, n);
        if (e->release_at <= now) {
            entry_free(hs, e);
            continue;
        }
        mj_dtls_handle_timeout(e->dtls, now);
        settle(hs, e, now);
    }
}

mj_time mj_handshakes_next_timeout(const mj_handshakes *hs)
{
    const mj_heap_node *n = mj_heap_peek(&hs->timers);
    return n ? n->at : MJ_TIME_NEVER;
}

void mj_handshakes_stats_get(const mj_handshakes *hs, mj_handshakes_stats *out)
{
    *out = hs->stats;
}
