/* A bounded queue that serves groups of items in turn.
 *
 * Work that anyone can ask for (a passphrase hash costs 0.1 s of a core)
 * must not go first come, first served: whoever sends most would fill the
 * queue and everyone else would wait or be turned away. Here each item
 * belongs to a group (the client's network), each group has its own line,
 * and the lines are served round robin, so a newcomer waits behind at most
 * one item of each other group. A group may hold at most max_per_group
 * items; and when the queue is full, a newcomer from a smaller group takes
 * the place of the newest waiting item of the largest one, so that nobody
 * can keep others out by being many.
 *
 * Pure and single-threaded: the caller locks. Items are the caller's,
 * embedded in its own structs; the queue only links them. */
#ifndef MJ_BASE_FAIRQ_H
#define MJ_BASE_FAIRQ_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mj_fairq_item {
    struct mj_fairq_item *next; /* the queue's */
    uint64_t group;             /* the caller's: which line the item joins */
} mj_fairq_item;

typedef struct mj_fairq_group {
    uint64_t key;
    size_t count;               /* items waiting or handed out; 0: slot free */
    mj_fairq_item *head, *tail; /* waiting */
} mj_fairq_group;

typedef struct mj_fairq {
    mj_fairq_group *groups; /* max_items slots */
    size_t max_items;
    size_t max_per_group;
    size_t items; /* waiting or handed out, not yet done */
    size_t turn;  /* the slot served last */
} mj_fairq;

MJ_MUST_USE int mj_fairq_init(mj_fairq *q, size_t max_items, size_t max_per_group);
void mj_fairq_dispose(mj_fairq *q);

/* Queues item. MJ_EAGAIN: its group already holds max_per_group items.
 * MJ_ELIMIT: the queue is full and no group holds more than the item's
 * would. 0: queued; *pushed_out is then an item taken out of the queue to
 * make room (the caller tells its owner no), or NULL. */
MJ_MUST_USE int mj_fairq_push(mj_fairq *q, mj_fairq_item *item, mj_fairq_item **pushed_out);
/* The next waiting item, taking groups in turn; NULL when none waits. It
 * still counts against its group until mj_fairq_done(). */
mj_fairq_item *mj_fairq_pop(mj_fairq *q);
/* A popped item is finished. */
void mj_fairq_done(mj_fairq *q, const mj_fairq_item *item);
/* Items of this group waiting or handed out. */
size_t mj_fairq_count(const mj_fairq *q, uint64_t group);

#endif
