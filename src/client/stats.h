/* Measurement helpers for the load generator, pure and allocation-free:
 *
 *  mj_hist      a log-linear histogram of non-negative integers (delays in
 *               microseconds): exact below 64, then 64 sub-buckets per
 *               power of two, so any percentile is within 1.6% of the
 *               true value, in a fixed 9.5 KiB whatever the sample count.
 *  mj_pct       nearest-rank percentiles of a sorted array (join times,
 *               where every sample is kept).
 *  mj_seqtrack  per-stream RTP sequence accounting (RFC 3550 §A.3's
 *               expected/received/lost, plus duplicates and reordering
 *               from a 64-packet window). */
#ifndef MJ_CLIENT_STATS_H
#define MJ_CLIENT_STATS_H

#include "proto/rtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_HIST_SUB     64
#define MJ_HIST_MAX_EXP 40 /* values up to 2^41 - 1 (25 days in µs) */
#define MJ_HIST_BUCKETS (MJ_HIST_SUB + (MJ_HIST_MAX_EXP - 5) * MJ_HIST_SUB)

typedef struct mj_hist {
    uint64_t count, sum, min, max;
    uint32_t counts[MJ_HIST_BUCKETS];
} mj_hist;

void mj_hist_init(mj_hist *h);
void mj_hist_add(mj_hist *h, uint64_t v);
/* Adds every sample of src to dst. */
void mj_hist_merge(mj_hist *dst, const mj_hist *src);
/* The smallest value v such that at least p percent of the samples are
 * <= v, up to the bucket's precision (the bucket's upper bound, never
 * above the largest sample); 0 when empty. p in 0..100. */
uint64_t mj_hist_percentile(const mj_hist *h, double p);
static inline double mj_hist_mean(const mj_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}
/* Bucket index of v and the largest value in bucket b (for tests). */
unsigned mj_hist_bucket(uint64_t v);
uint64_t mj_hist_bucket_max(unsigned b);

/* Nearest-rank percentile of n sorted values: the value at rank
 * ceil(p/100 * n), the smallest for p == 0; 0 when n == 0. */
double mj_pct(const double *sorted, size_t n, double p);

enum mj_seq_result {
    MJ_SEQ_NEW = 0,   /* first time seen, in order */
    MJ_SEQ_REORDERED, /* first time seen, after a later one */
    MJ_SEQ_DUPLICATE, /* seen before */
    MJ_SEQ_TOO_OLD,   /* older than the window: counted, not checked */
};

typedef struct mj_seqtrack {
    mj_seq_ext ext;
    int64_t base;    /* first extended number seen */
    int64_t highest; /* highest extended number seen */
    uint64_t window; /* bit i: highest - i was received */
    uint64_t received, duplicates, reordered, too_old;
    bool started;
} mj_seqtrack;

void mj_seqtrack_init(mj_seqtrack *t);
enum mj_seq_result mj_seqtrack_add(mj_seqtrack *t, uint16_t seq);
/* Packets from the first to the highest seen, and those of them not
 * received (0 before any packet). */
uint64_t mj_seqtrack_expected(const mj_seqtrack *t);
uint64_t mj_seqtrack_lost(const mj_seqtrack *t);

#endif
