/* A binary min-heap of timers keyed by mj_time, intrusive: each item embeds
 * an mj_heap_node, so push, update and remove are O(log n) with no
 * allocation beyond the heap's pointer array. Used by the media worker to
 * find the next peer whose timer is due among thousands. */
#ifndef MJ_BASE_HEAP_H
#define MJ_BASE_HEAP_H

#include "base/err.h"
#include "base/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_heap_node {
    mj_time at;
    uint32_t pos; /* index in the heap array; UINT32_MAX when not queued */
} mj_heap_node;

typedef struct mj_heap {
    mj_heap_node **items;
    uint32_t len;
    uint32_t cap;
} mj_heap;

void mj_heap_init(mj_heap *h);
void mj_heap_dispose(mj_heap *h);
static inline void mj_heap_node_init(mj_heap_node *n)
{
    n->at = MJ_TIME_NEVER;
    n->pos = UINT32_MAX;
}
static inline bool mj_heap_node_queued(const mj_heap_node *n)
{
    return n->pos != UINT32_MAX;
}
/* Makes room for n nodes in all, so that setting timers allocates nothing
 * until more are queued. */
MJ_MUST_USE int mj_heap_reserve(mj_heap *h, uint32_t n);
/* Inserts the node, or moves it if it is already queued. */
MJ_MUST_USE int mj_heap_set(mj_heap *h, mj_heap_node *n, mj_time at);
void mj_heap_remove(mj_heap *h, mj_heap_node *n);
/* Earliest node, or NULL when empty. */
static inline mj_heap_node *mj_heap_peek(const mj_heap *h)
{
    return h->len ? h->items[0] : NULL;
}

#endif
