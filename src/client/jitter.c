#include "client/jitter.h"

#include <string.h>

#define MASK (MJ_JITTER_SLOTS - 1)

void mj_jitter_init(mj_jitter *j, mj_time delay)
{
    memset(j, 0, sizeof *j);
    j->delay = delay;
    j->target = (unsigned)(delay / MJ_MSEC(20));
    mj_seq_ext_init(&j->ext);
}

static mj_jitter_entry *at(mj_jitter *j, int64_t ext)
{
    mj_jitter_entry *e = &j->e[(uint64_t)ext & MASK];
    return e->used && e->ext == ext ? e : NULL;
}

static void drop_below(mj_jitter *j, int64_t limit)
{
    for (unsigned i = 0; i < MJ_JITTER_SLOTS; i++) {
        mj_jitter_entry *e = &j->e[i];
        if (e->used && e->ext < limit) {
            e->used = false;
            j->count--;
            j->st.overflow++;
        }
    }
}

enum mj_jitter_push_result mj_jitter_push(mj_jitter *j, uint16_t seq, const uint8_t *payload,
                                          size_t len, mj_time now)
{
    if (len > MJ_JITTER_PAYLOAD) {
        j->st.too_big++;
        return MJ_JITTER_TOO_BIG;
    }
    int64_t ext = mj_seq_ext_update(&j->ext, seq);
    if (!j->started) {
        j->started = true;
        j->buffering = true;
        j->next = ext;
    }
    if (ext < j->next) {
        j->st.late++;
        return MJ_JITTER_LATE;
    }
    if (ext >= j->next + MJ_JITTER_SLOTS) {
        /* Too far ahead for the ring: give up the oldest span. */
        int64_t first = ext - MJ_JITTER_SLOTS + 1;
        drop_below(j, first);
        j->next = first;
    }
    mj_jitter_entry *e = &j->e[(uint64_t)ext & MASK];
    if (e->used) {
        if (e->ext == ext) {
            j->st.duplicates++;
            return MJ_JITTER_DUPLICATE;
        }
        j->count--; /* an entry from an older lap, which drop_below removed */
    }
    e->used = true;
    e->ext = ext;
    e->arrival = now;
    e->len = (uint16_t)len;
    if (len) memcpy(e->data, payload, len);
    j->count++;
    j->st.pushed++;
    return MJ_JITTER_STORED;
}

/* The earliest buffered entry, or NULL. */
static mj_jitter_entry *earliest(mj_jitter *j)
{
    mj_jitter_entry *best = NULL;
    for (unsigned i = 0; i < MJ_JITTER_SLOTS; i++) {
        mj_jitter_entry *e = &j->e[i];
        if (e->used && (!best || e->ext < best->ext)) best = e;
    }
    return best;
}

static void take(mj_jitter *j, mj_jitter_entry *e)
{
    e->used = false;
    j->count--;
}

enum mj_jitter_out mj_jitter_pop(mj_jitter *j, mj_time now, const uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!j->started) return MJ_JITTER_EMPTY;
    if (j->buffering) {
        mj_jitter_entry *first = earliest(j);
        if (!first || now - first->arrival < j->delay) return MJ_JITTER_EMPTY;
        j->buffering = false;
        j->next = first->ext;
    }
    /* Latency crept up (a burst after a stall): skip the oldest. */
    while (j->count > j->target + MJ_JITTER_SLACK) {
        mj_jitter_entry *e = at(j, j->next);
        if (e) take(j, e);
        j->st.dropped++;
        j->next++;
    }
    mj_jitter_entry *e = at(j, j->next);
    if (e) {
        take(j, e);
        j->next++;
        j->st.played++;
        *data = e->data; /* the bytes stay until the slot is reused */
        *len = e->len;
        return MJ_JITTER_PACKET;
    }
    if (j->count > 0) {
        j->next++;
        j->st.lost++;
        mj_jitter_entry *after = at(j, j->next);
        if (after) {
            *data = after->data;
            *len = after->len;
        }
        return MJ_JITTER_LOST;
    }
    j->buffering = true;
    j->st.underruns++;
    return MJ_JITTER_EMPTY;
}
