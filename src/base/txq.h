/* A batch of outgoing datagrams in caller-owned memory.
 *
 * The sans-IO cores write datagrams straight into the next free slot and
 * commit them with a destination; the I/O shell owns the queue and sends a
 * full batch with one sendmmsg (tests deliver it in memory instead). When
 * the queue is full, taking a slot first calls the flush callback, so a
 * producer never has to care about batch boundaries. No allocation. */
#ifndef MJ_BASE_TXQ_H
#define MJ_BASE_TXQ_H

#include "base/addr.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_TXQ_SLOT_SIZE 1500 /* bytes per datagram slot */

typedef struct mj_tx {
    uint8_t *data;
    size_t len;
    mj_addr to;
} mj_tx;

typedef struct mj_txq mj_txq;
typedef void (*mj_txq_flush_fn)(void *ctx, mj_txq *q);

struct mj_txq {
    mj_tx *items;   /* cap entries */
    uint8_t *arena; /* cap * MJ_TXQ_SLOT_SIZE bytes */
    unsigned cap;
    unsigned len;
    mj_txq_flush_fn flush; /* must leave len == 0 */
    void *ctx;
};

static inline void mj_txq_init(mj_txq *q, mj_tx *items, uint8_t *arena, unsigned cap,
                               mj_txq_flush_fn flush, void *ctx)
{
    q->items = items;
    q->arena = arena;
    q->cap = cap;
    q->len = 0;
    q->flush = flush;
    q->ctx = ctx;
    for (unsigned i = 0; i < cap; i++)
        items[i].data = arena + (size_t)i * MJ_TXQ_SLOT_SIZE;
}

/* The buffer of the next slot (MJ_TXQ_SLOT_SIZE bytes), flushing first if
 * the batch is full. Writing to it commits nothing. */
static inline uint8_t *mj_txq_slot(mj_txq *q)
{
    if (q->len == q->cap) q->flush(q->ctx, q);
    return q->items[q->len].data;
}

/* Commits the slot returned by the last mj_txq_slot() call. */
static inline void mj_txq_commit(mj_txq *q, size_t len, const mj_addr *to)
{
    mj_tx *t = &q->items[q->len++];
    t->len = len;
    t->to = *to;
}

static inline void mj_txq_flush(mj_txq *q)
{
    if (q->len) q->flush(q->ctx, q);
}

#endif
