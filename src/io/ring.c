#include "io/ring.h"

#include "base/err.h"

#include <openssl/crypto.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int mj_ring_init(mj_ring *r, size_t item_size)
{
    memset(r, 0, sizeof *r);
    r->item_size = item_size;
    return pthread_mutex_init(&r->mu, NULL) ? MJ_EIO : 0;
}

void mj_ring_dispose(mj_ring *r)
{
    pthread_mutex_destroy(&r->mu);
    if (r->wipe && r->items) OPENSSL_cleanse(r->items, r->cap * r->item_size);
    free(r->items);
    r->items = NULL;
}

/* Doubles the ring, keeping the items in order from index 0. */
static int grow(mj_ring *r)
{
    size_t cap = r->cap ? r->cap * 2 : 64;
    uint8_t *items = malloc(cap * r->item_size);
    if (!items) return MJ_ENOMEM;
    for (size_t i = 0; i < r->len; i++)
        memcpy(items + i * r->item_size,
               (uint8_t *)r->items + ((r->head + i) % r->cap) * r->item_size, r->item_size);
    if (r->wipe && r->items) OPENSSL_cleanse(r->items, r->cap * r->item_size);
    free(r->items);
    r->items = items;
    r->head = 0;
    r->cap = cap;
    return 0;
}

int mj_ring_push_ex(mj_ring *r, const void *item, size_t max, size_t *prev)
{
    pthread_mutex_lock(&r->mu);
    if (prev) *prev = r->len;
    int err = r->len >= max ? MJ_ELIMIT : r->len == r->cap ? grow(r) : 0;
    if (!err) {
        memcpy((uint8_t *)r->items + ((r->head + r->len) % r->cap) * r->item_size, item,
               r->item_size);
        r->len++;
    }
    pthread_mutex_unlock(&r->mu);
    return err;
}

bool mj_ring_pop(mj_ring *r, void *item)
{
    pthread_mutex_lock(&r->mu);
    bool ok = r->len > 0;
    if (ok) {
        uint8_t *at = (uint8_t *)r->items + r->head * r->item_size;
        memcpy(item, at, r->item_size);
        if (r->wipe) OPENSSL_cleanse(at, r->item_size);
        r->head = (r->head + 1) % r->cap;
        r->len--;
    }
    pthread_mutex_unlock(&r->mu);
    return ok;
}

size_t mj_ring_len(mj_ring *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->len;
    pthread_mutex_unlock(&r->mu);
    return n;
}
