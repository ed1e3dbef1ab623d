#include "client/stats.h"

#include <string.h>

void mj_hist_init(mj_hist *h)
{
    memset(h, 0, sizeof *h);
}

unsigned mj_hist_bucket(uint64_t v)
{
    if (v < MJ_HIST_SUB) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* 6.. */
    if (e > MJ_HIST_MAX_EXP) return MJ_HIST_BUCKETS - 1;
    unsigned sub = (unsigned)(v >> (e - 6)) & (MJ_HIST_SUB - 1);
    return MJ_HIST_SUB + (e - 6) * MJ_HIST_SUB + sub;
}

uint64_t mj_hist_bucket_max(unsigned b)
{
    if (b < MJ_HIST_SUB) return b;
    unsigned e = (b - MJ_HIST_SUB) / MJ_HIST_SUB + 6;
    uint64_t sub = (b - MJ_HIST_SUB) % MJ_HIST_SUB;
    uint64_t lo = (MJ_HIST_SUB + sub) << (e - 6);
    return lo + ((uint64_t)1 << (e - 6)) - 1;
}

void mj_hist_add(mj_hist *h, uint64_t v)
{
    if (h->count == 0 || v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->count++;
    h->sum += v;
    h->counts[mj_hist_bucket(v)]++;
}

void mj_hist_merge(mj_hist *dst, const mj_hist *src)
{
    if (!src->count) return;
    if (dst->count == 0 || src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    for (unsigned i = 0; i < MJ_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
}

uint64_t mj_hist_percentile(const mj_hist *h, double p)
{
    if (!h->count) return 0;
    if (p <= 0.0) return h->min;
    double want = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want) rank++;
    if (rank > h->count) rank = h->count;
    uint64_t seen = 0;
    for (unsigned b = 0; b < MJ_HIST_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) {
            uint64_t v = mj_hist_bucket_max(b);
            if (v > h->max) v = h->max;
            return v < h->min ? h->min : v;
        }
    }
    return h->max;
}

double mj_pct(const double *sorted, size_t n, double p)
{
    if (n == 0) return 0.0;
    if (p <= 0.0) return sorted[0];
    double want = p / 100.0 * (double)n;
    size_t rank = (size_t)want;
    if ((double)rank < want) rank++;
    if (rank > n) rank = n;
    if (rank == 0) rank = 1;
    return sorted[rank - 1];
}

void mj_seqtrack_init(mj_seqtrack *t)
{
    memset(t, 0, sizeof *t);
    mj_seq_ext_init(&t->ext);
}

enum mj_seq_result mj_seqtrack_add(mj_seqtrack *t, uint16_t seq)
{
    int64_t ext = mj_seq_ext_update(&t->ext, seq);
    if (!t->started) {
        t->started = true;
        t->base = t->highest = ext;
        t->window = 1;
        t->received = 1;
        return MJ_SEQ_NEW;
    }
    if (ext > t->highest) {
        int64_t shift = ext - t->highest;
        t->window = shift >= 64 ? 1 : (t->window << shift) | 1;
        t->highest = ext;
        t->received++;
        return MJ_SEQ_NEW;
    }
    int64_t back = t->highest - ext;
    if (back >= 64) {
        /* Beyond the window we cannot tell a duplicate from a late one. */
        t->too_old++;
        t->received++;
        if (ext < t->base) t->base = ext;
        return MJ_SEQ_TOO_OLD;
    }
    uint64_t bit = (uint64_t)1 << back;
    if (t->window & bit) {
        t->duplicates++;
        return MJ_SEQ_DUPLICATE;
    }
    t->window |= bit;
    t->received++;
    t->reordered++;
    if (ext < t->base) t->base = ext;
    return MJ_SEQ_REORDERED;
}

uint64_t mj_seqtrack_expected(const mj_seqtrack *t)
{
    return t->received ? (uint64_t)(t->highest - t->base + 1) : 0;
}

uint64_t mj_seqtrack_lost(const mj_seqtrack *t)
{
    uint64_t exp = mj_seqtrack_expected(t);
    return exp > t->received ? exp - t->received : 0;
}
