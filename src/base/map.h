/* An open-addressing hash table from a 64-bit hash to a pointer, with
 * linear probing and backward-shift deletion (no tombstones).
 *
 * Several values may share one hash: lookups walk every entry with that
 * hash and the caller confirms the real key (a ufrag, an address) on the
 * object itself. That keeps the table 16 bytes a slot whatever the key. */
#ifndef MJ_BASE_MAP_H
#define MJ_BASE_MAP_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mj_map_slot {
    uint64_t hash;
    void *value; /* NULL = empty slot */
} mj_map_slot;

typedef struct mj_map {
    mj_map_slot *slots;
    size_t mask; /* capacity - 1; capacity is a power of two */
    size_t len;
} mj_map;

void mj_map_init(mj_map *m);
void mj_map_dispose(mj_map *m);
/* Adds (hash, value); value must not be NULL. Duplicates are allowed. */
MJ_MUST_USE int mj_map_add(mj_map *m, uint64_t hash, void *value);
/* Removes the entry (hash, value); returns 0 or MJ_ENOTFOUND. */
int mj_map_remove(mj_map *m, uint64_t hash, const void *value);

/* Iterates the values stored under hash:
 *   size_t it = 0; void *v;
 *   while ((v = mj_map_next(m, hash, &it))) { if (matches(v)) ... } */
void *mj_map_next(const mj_map *m, uint64_t hash, size_t *iter);

/* Hash of a byte string (FNV-1a with a final mix). */
uint64_t mj_hash_bytes(const void *p, size_t n);

#endif
