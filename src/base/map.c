#include "base/map.h"

#include <stdbool.h>
#include <stdlib.h>

void mj_map_init(mj_map *m)
{
    m->slots = NULL;
    m->mask = 0;
    m->len = 0;
}

void mj_map_dispose(mj_map *m)
{
    free(m->slots);
    mj_map_init(m);
}

uint64_t mj_hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

static void insert_slot(mj_map_slot *slots, size_t mask, uint64_t hash, void *value)
{
    size_t i = (size_t)hash & mask;
    while (slots[i].value)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].value = value;
}

static int grow(mj_map *m)
{
    size_t cap = m->slots ? (m->mask + 1) * 2 : 16;
    mj_map_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return MJ_ENOMEM;
    if (m->slots) {
        for (size_t i = 0; i <= m->mask; i++)
            if (m->slots[i].value) insert_slot(slots, cap - 1, m->slots[i].hash, m->slots[i].value);
        free(m->slots);
    }
    m->slots = slots;
    m->mask = cap - 1;
    return 0;
}

int mj_map_add(mj_map *m, uint64_t hash, void *value)
{
    /* Keep the load under 3/4 so probe runs stay short. */
    if (!m->slots || (m->len + 1) * 4 > (m->mask + 1) * 3) {
        int err = grow(m);
        if (err) return err;
    }
    insert_slot(m->slots, m->mask, hash, value);
    m->len++;
    return 0;
}

void *mj_map_next(const mj_map *m, uint64_t hash, size_t *iter)
{
    if (!m->slots) return NULL;
    /* iter counts probe steps already taken from the home slot. */
    for (size_t step = *iter; step <= m->mask; step++) {
        size_t i = ((size_t)hash + step) & m->mask;
        if (!m->slots[i].value) return NULL;
        if (m->slots[i].hash == hash) {
            *iter = step + 1;
            return m->slots[i].value;
        }
    }
    return NULL;
}

int mj_map_remove(mj_map *m, uint64_t hash, const void *value)
{
    if (!m->slots) return MJ_ENOTFOUND;
    size_t i = (size_t)hash & m->mask;
    for (;;) {
        if (!m->slots[i].value) return MJ_ENOTFOUND;
        if (m->slots[i].hash == hash && m->slots[i].value == value) break;
        i = (i + 1) & m->mask;
    }
    /* Backward-shift: pull later entries of the run into the hole when
     * their home slot allows it, so lookups never meet a false end. */
    size_t hole = i;
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->mask;
        if (!m->slots[j].value) break;
        size_t home = (size_t)m->slots[j].hash & m->mask;
        /* Move j into hole unless home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].value = NULL;
    m->slots[hole].hash = 0;
    m->len--;
    return 0;
}
