/* A queue of fixed-size items between threads: a ring that grows by
 * doubling, guarded by a mutex. The media workers take their commands and
 * other workers' packets through these, and the handshake threads their
 * datagrams. Waking the consumer is the caller's business (an eventfd):
 * mj_ring_push_ex says whether the ring was empty, so a producer wakes a
 * consumer only when it may have gone to sleep. */
#ifndef MJ_IO_RING_H
#define MJ_IO_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mj_ring {
    pthread_mutex_t mu;
    void *items;
    size_t item_size, head, len, cap;
    bool wipe; /* zero an item's place once it is taken (secrets pass) */
} mj_ring;

int mj_ring_init(mj_ring *r, size_t item_size);
void mj_ring_dispose(mj_ring *r);
/* Appends a copy of item unless the ring holds max items already
 * (MJ_ELIMIT; MJ_ENOMEM when it cannot grow). The length before the push
 * goes to *prev (may be NULL), read under the same lock. */
int mj_ring_push_ex(mj_ring *r, const void *item, size_t max, size_t *prev);
static inline int mj_ring_push(mj_ring *r, const void *item)
{
    return mj_ring_push_ex(r, item, (size_t)-1, NULL);
}
/* Takes the oldest item into *item; false when empty. */
bool mj_ring_pop(mj_ring *r, void *item);
/* Items waiting. */
size_t mj_ring_len(mj_ring *r);

#endif
