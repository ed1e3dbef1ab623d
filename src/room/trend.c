/* The invite-tree score of a room's people (trend.h). The nodes are kept in
 * an array, found by id through a map; the score is one pass over them,
 * deepest first, so each node's weight is complete before its parent
 * takes it. */
#include "room/trend.h"

#include "base/map.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct tnode {
    int64_t id;
    int32_t parent; /* index, -1 for a top node */
    uint8_t depth;
    bool in_room;
    double acc; /* children's damped weights, while scoring */
} tnode;

struct mj_trend {
    tnode *nodes;
    size_t n, cap;
    mj_map by_id; /* hash(id) -> index + 1 */
};

static uint64_t id_hash(int64_t id)
{
    return mj_hash_bytes(&id, sizeof id);
}

int mj_trend_new(mj_trend **out)
{
    mj_trend *t = calloc(1, sizeof *t);
    if (!t) return MJ_ENOMEM;
    mj_map_init(&t->by_id);
    *out = t;
    return 0;
}

void mj_trend_free(mj_trend *t)
{
    if (!t) return;
    mj_map_dispose(&t->by_id);
    free(t->nodes);
    free(t);
}

void mj_trend_reset(mj_trend *t)
{
    mj_map_dispose(&t->by_id);
    mj_map_init(&t->by_id);
    t->n = 0;
}

double mj_trend_damp(double x)
{
    return log2(1 + x);
}

static int32_t find(const mj_trend *t, int64_t id)
{
    size_t it = 0;
    void *v;
    while ((v = mj_map_next(&t->by_id, id_hash(id), &it))) {
        int32_t i = (int32_t)((uintptr_t)v - 1);
        if (t->nodes[i].id == id) return i;
    }
    return -1;
}

static int32_t node(mj_trend *t, int64_t id, int32_t parent, uint8_t depth)
{
    int32_t i = find(t, id);
    if (i >= 0) return i; /* a node keeps the place it was first seen at */
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tnode *nodes = realloc(t->nodes, cap * sizeof *nodes);
        if (!nodes) return -1;
        t->nodes = nodes;
        t->cap = cap;
    }
    i = (int32_t)t->n;
    if (mj_map_add(&t->by_id, id_hash(id), (void *)(uintptr_t)(i + 1)) != 0) return -1;
    t->nodes[t->n++] = (tnode){.id = id, .parent = parent, .depth = depth};
    return i;
}

int mj_trend_add(mj_trend *t, const int64_t *path, size_t n)
{
    if (n == 0 || t->n >= INT32_MAX / 2) return MJ_EINVAL;
    for (size_t k = 0; k < n; k++)
        if (path[k] <= 0) return MJ_EINVAL;
    size_t levels = n < MJ_TREND_DEPTH_MAX ? n : MJ_TREND_DEPTH_MAX;
    int32_t parent = -1;
    for (size_t k = 0; k < levels; k++) {
        /* Past the cap, the person hangs from the deepest level kept. */
        int64_t id = k + 1 == levels ? path[n - 1] : path[k];
        int32_t i = node(t, id, parent, (uint8_t)k);
        if (i < 0) return MJ_ENOMEM;
        parent = i;
    }
    t->nodes[parent].in_room = true;
    return 0;
}

double mj_trend_score(mj_trend *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->nodes[i].acc = 0;
    double score = 0;
    /* Deepest first: a node's children are all deeper than it. */
    for (int d = MJ_TREND_DEPTH_MAX - 1; d >= 0; d--) {
        for (size_t i = 0; i < t->n; i++) {
            tnode *v = &t->nodes[i];
            if (v->depth != d) continue;
            double w = mj_trend_damp((v->in_room ? 1 : 0) + v->acc);
            if (v->parent >= 0)
                t->nodes[v->parent].acc += w;
            else
                score += w;
        }
    }
    return score;
}
