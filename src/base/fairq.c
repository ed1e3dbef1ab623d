#include "base/fairq.h"

#include <stdlib.h>

int mj_fairq_init(mj_fairq *q, size_t max_items, size_t max_per_group)
{
    q->groups = calloc(max_items ? max_items : 1, sizeof *q->groups);
    if (!q->groups) return MJ_ENOMEM;
    q->max_items = max_items;
    q->max_per_group = max_per_group ? max_per_group : max_items;
    q->items = 0;
    q->turn = max_items ? max_items - 1 : 0; /* the first pop looks at slot 0 */
    return 0;
}

void mj_fairq_dispose(mj_fairq *q)
{
    free(q->groups);
    q->groups = NULL;
}

/* Groups are few (at most max_items hold anything), so a scan will do. */
static mj_fairq_group *find(const mj_fairq *q, uint64_t key)
{
    for (size_t i = 0; i < q->max_items; i++)
        if (q->groups[i].count && q->groups[i].key == key) return &q->groups[i];
    return NULL;
}

static mj_fairq_group *free_slot(const mj_fairq *q)
{
    for (size_t i = 0; i < q->max_items; i++)
        if (!q->groups[i].count) return &q->groups[i];
    return NULL;
}

size_t mj_fairq_count(const mj_fairq *q, uint64_t group)
{
    const mj_fairq_group *g = find(q, group);
    return g ? g->count : 0;
}

/* The group with most items among those with one waiting. */
static mj_fairq_group *largest(const mj_fairq *q)
{
    mj_fairq_group *best = NULL;
    for (size_t i = 0; i < q->max_items; i++) {
        mj_fairq_group *g = &q->groups[i];
        if (g->head && (!best || g->count > best->count)) best = g;
    }
    return best;
}

static mj_fairq_item *take_newest(mj_fairq *q, mj_fairq_group *g)
{
    mj_fairq_item *last = g->tail, *prev = NULL;
    for (mj_fairq_item *it = g->head; it != last; it = it->next)
        prev = it;
    if (prev)
        prev->next = NULL;
    else
        g->head = NULL;
    g->tail = prev;
    g->count--;
    q->items--;
    last->next = NULL;
    return last;
}

int mj_fairq_push(mj_fairq *q, mj_fairq_item *item, mj_fairq_item **pushed_out)
{
    *pushed_out = NULL;
    mj_fairq_group *g = find(q, item->group);
    size_t mine = g ? g->count : 0;
    if (mine >= q->max_per_group) return MJ_EAGAIN;
    if (q->items >= q->max_items) {
        /* Room is made only if it leaves the largest group no smaller
         * than this one: otherwise two groups would just swap places. */
        mj_fairq_group *big = largest(q);
        if (!big || big == g || big->count <= mine + 1) return MJ_ELIMIT;
        *pushed_out = take_newest(q, big);
    }
    if (!g) {
        g = free_slot(q);
        g->key = item->group;
        g->head = g->tail = NULL;
    }
    item->next = NULL;
    if (g->tail)
        g->tail->next = item;
    else
        g->head = item;
    g->tail = item;
    g->count++;
    q->items++;
    return 0;
}

mj_fairq_item *mj_fairq_pop(mj_fairq *q)
{
    for (size_t step = 1; step <= q->max_items; step++) {
        size_t i = (q->turn + step) % q->max_items;
        mj_fairq_group *g = &q->groups[i];
        if (!g->head) continue;
        mj_fairq_item *it = g->head;
        g->head = it->next;
        if (!g->head) g->tail = NULL;
        it->next = NULL;
        q->turn = i;
        return it;
    }
    return NULL;
}

void mj_fairq_done(mj_fairq *q, const mj_fairq_item *item)
{
    mj_fairq_group *g = find(q, item->group);
    if (!g) return;
    g->count--;
    q->items--;
}
