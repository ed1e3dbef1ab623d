#include "base/heap.h"

#include <stdlib.h>

void mj_heap_init(mj_heap *h)
{
    h->items = NULL;
    h->len = 0;
    h->cap = 0;
}

void mj_heap_dispose(mj_heap *h)
{
    for (uint32_t i = 0; i < h->len; i++)
        h->items[i]->pos = UINT32_MAX;
    free(h->items);
    mj_heap_init(h);
}

static void place(mj_heap *h, uint32_t i, mj_heap_node *n)
{
    h->items[i] = n;
    n->pos = i;
}

static void sift_up(mj_heap *h, uint32_t i)
{
    mj_heap_node *n = h->items[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (h->items[parent]->at <= n->at) break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, n);
}

static void sift_down(mj_heap *h, uint32_t i)
{
    mj_heap_node *n = h->items[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= h->len) break;
        if (child + 1 < h->len && h->items[child + 1]->at < h->items[child]->at) child++;
        if (n->at <= h->items[child]->at) break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, n);
}

int mj_heap_reserve(mj_heap *h, uint32_t n)
{
    if (n <= h->cap) return 0;
    uint32_t cap = h->cap ? h->cap : 64;
    while (cap < n)
        cap *= 2;
    mj_heap_node **items = realloc(h->items, cap * sizeof *items);
    if (!items) return MJ_ENOMEM;
    h->items = items;
    h->cap = cap;
    return 0;
}

int mj_heap_set(mj_heap *h, mj_heap_node *n, mj_time at)
{
    if (mj_heap_node_queued(n)) {
        mj_time old = n->at;
        n->at = at;
        if (at < old)
            sift_up(h, n->pos);
        else
            sift_down(h, n->pos);
        return 0;
    }
    if (h->len == h->cap && mj_heap_reserve(h, h->len + 1) != 0) return MJ_ENOMEM;
    n->at = at;
    place(h, h->len++, n);
    sift_up(h, n->pos);
    return 0;
}

void mj_heap_remove(mj_heap *h, mj_heap_node *n)
{
    if (!mj_heap_node_queued(n)) return;
    uint32_t i = n->pos;
    n->pos = UINT32_MAX;
    h->len--;
    if (i == h->len) return;
    mj_heap_node *last = h->items[h->len];
    place(h, i, last);
    if (i > 0 && h->items[(i - 1) / 2]->at > last->at)
        sift_up(h, i);
    else
        sift_down(h, i);
}
