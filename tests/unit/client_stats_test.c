/* Tests for the client's pure measurement parts: the delay histogram and
 * percentiles (src/client/stats), sequence accounting, RFC 6464 levels
 * (level), /proc parsing (procstat) and the tone analysis (analyze). */
#include "test.h"

#include "client/analyze.h"
#include "client/level.h"
#include "client/procstat.h"
#include "client/stats.h"

#include <math.h>
#include <unistd.h>

TEST(hist_buckets_are_contiguous_and_precise)
{
    /* Every value falls in a bucket whose upper bound is >= it and within
     * 1.6% of it; buckets never go backwards. */
    unsigned prev = 0;
    for (uint64_t v = 0; v < 5000000; v += v < 1000 ? 1 : v / 97) {
        unsigned b = mj_hist_bucket(v);
        CHECK(b >= prev);
        prev = b;
        uint64_t hi = mj_hist_bucket_max(b);
        CHECK(hi >= v);
        CHECK((double)(hi - v) <= 0.016 * (double)v + 1e-9);
        if (v >= 64) CHECK(mj_hist_bucket(hi + 1) == b + 1);
    }
    CHECK_EQ(mj_hist_bucket(UINT64_MAX), MJ_HIST_BUCKETS - 1);
}

TEST(hist_percentiles)
{
    static mj_hist h;
    mj_hist_init(&h);
    CHECK_EQ(mj_hist_percentile(&h, 50), 0);
    for (uint64_t v = 1; v <= 1000; v++)
        mj_hist_add(&h, v * 10); /* 10 .. 10000 us */
    CHECK_EQ(h.count, 1000);
    CHECK_EQ(h.min, 10);
    CHECK_EQ(h.max, 10000);
    CHECK(fabs(mj_hist_mean(&h) - 5005.0) < 1e-9);
    uint64_t p50 = mj_hist_percentile(&h, 50), p99 = mj_hist_percentile(&h, 99);
    CHECK(p50 >= 5000 && p50 <= 5000 * 1.016);
    CHECK(p99 >= 9900 && p99 <= 9900 * 1.016);
    CHECK_EQ(mj_hist_percentile(&h, 100), 10000);
    CHECK_EQ(mj_hist_percentile(&h, 0), 10);
    static mj_hist m;
    mj_hist_init(&m);
    mj_hist_add(&m, 3);
    mj_hist_merge(&m, &h);
    CHECK_EQ(m.count, 1001);
    CHECK_EQ(m.min, 3);
    CHECK_EQ(m.max, 10000);
}

TEST(nearest_rank_percentiles)
{
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(mj_pct(v, 10, 50) == 5);
    CHECK(mj_pct(v, 10, 95) == 10);
    CHECK(mj_pct(v, 10, 90) == 9);
    CHECK(mj_pct(v, 10, 91) == 10);
    CHECK(mj_pct(v, 10, 0) == 1);
    CHECK(mj_pct(v, 10, 100) == 10);
    CHECK(mj_pct(v, 1, 99) == 1);
    CHECK(mj_pct(v, 0, 50) == 0);
}

TEST(seqtrack_counts_loss_reorder_duplicates_and_wrap)
{
    mj_seqtrack t;
    mj_seqtrack_init(&t);
    CHECK_EQ(mj_seqtrack_expected(&t), 0);
    CHECK_EQ(mj_seqtrack_add(&t, 65530), MJ_SEQ_NEW);
    for (uint16_t s = 65531; s != 5; s++) /* across the wrap, skipping 2 */
        if (s != 2) CHECK_EQ(mj_seqtrack_add(&t, s), MJ_SEQ_NEW);
    CHECK_EQ(mj_seqtrack_expected(&t), 11);
    CHECK_EQ(t.received, 10);
    CHECK_EQ(mj_seqtrack_lost(&t), 1);
    CHECK_EQ(mj_seqtrack_add(&t, 2), MJ_SEQ_REORDERED);
    CHECK_EQ(mj_seqtrack_lost(&t), 0);
    CHECK_EQ(mj_seqtrack_add(&t, 2), MJ_SEQ_DUPLICATE);
    CHECK_EQ(mj_seqtrack_add(&t, 4), MJ_SEQ_DUPLICATE);
    CHECK_EQ(t.duplicates, 2);
    CHECK_EQ(t.reordered, 1);
    CHECK_EQ(t.received, 11);
    /* A jump forward: the gap is loss. */
    CHECK_EQ(mj_seqtrack_add(&t, 105), MJ_SEQ_NEW);
    CHECK_EQ(mj_seqtrack_lost(&t), 100);
    /* Older than the window: counted, cannot be checked. */
    CHECK_EQ(mj_seqtrack_add(&t, 20), MJ_SEQ_TOO_OLD);
    CHECK_EQ(t.too_old, 1);
    CHECK_EQ(mj_seqtrack_lost(&t), 99);
}

TEST(rfc6464_levels)
{
    float pcm[960] = {0};
    CHECK_EQ(mj_level_from_pcm(pcm, 0), 127);
    CHECK_EQ(mj_level_from_pcm(pcm, 960), 127);
    for (int i = 0; i < 960; i++)
        pcm[i] = (float)sin(2 * M_PI * 1000 * i / 48000.0); /* full scale: -3 dBov */
    CHECK_EQ(mj_level_from_pcm(pcm, 960), 3);
    for (int i = 0; i < 960; i++)
        pcm[i] = i % 2 ? 1.0f : -1.0f; /* full-scale square: 0 dBov */
    CHECK_EQ(mj_level_from_pcm(pcm, 960), 0);
    for (int i = 0; i < 960; i++)
        pcm[i] = (float)(0.01 * sin(2 * M_PI * 440 * i / 48000.0)); /* -43 dBov */
    uint8_t l = mj_level_from_pcm(pcm, 960);
    CHECK_EQ(l, 43);
    CHECK(mj_level_voice(l));
    for (int i = 0; i < 960; i++)
        pcm[i] = (float)(1e-4 * sin(2 * M_PI * 440 * i / 48000.0)); /* -83 dBov */
    l = mj_level_from_pcm(pcm, 960);
    CHECK_EQ(l, 83);
    CHECK(!mj_level_voice(l));
    pcm[0] = NAN;
    CHECK_EQ(mj_level_from_pcm(pcm, 960), 127);
}

TEST(proc_stat_and_status)
{
    const char stat[] = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
                        "1234 567 0 0 20 0 3 0 12345 1000000 500 18446744073709551615\n";
    uint64_t ut = 0, st = 0;
    REQUIRE(mj_proc_parse_stat(stat, strlen(stat), &ut, &st) == 0);
    CHECK_EQ(ut, 1234);
    CHECK_EQ(st, 567);
    CHECK_EQ(mj_proc_parse_stat("4242 (x) S 1 2", 14, &ut, &st), MJ_EINVAL);
    CHECK_EQ(mj_proc_parse_stat("no parens", 9, &ut, &st), MJ_EINVAL);
    const char status[] = "Name:\tmajlis\nVmPeak:\t  99 kB\nVmHWM:\t    8000 kB\n"
                          "VmRSS:\t    7168 kB\nThreads:\t3\n";
    uint64_t kib = 0;
    REQUIRE(mj_proc_parse_status(status, strlen(status), "VmRSS", &kib) == 0);
    CHECK_EQ(kib, 7168);
    REQUIRE(mj_proc_parse_status(status, strlen(status), "VmHWM", &kib) == 0);
    CHECK_EQ(kib, 8000);
    CHECK_EQ(mj_proc_parse_status(status, strlen(status), "VmSwap", &kib), MJ_ENOTFOUND);
    CHECK_EQ(mj_proc_parse_status("VmRSS:\tlots\n", 12, "VmRSS", &kib), MJ_EINVAL);
    /* And the real thing, for ourselves. */
    mj_proc_sample s;
    REQUIRE(mj_proc_read((int)getpid(), &s) == 0);
    CHECK(s.rss_kib > 0);
    CHECK(s.hwm_kib >= s.rss_kib);
}

TEST(dominant_frequency)
{
    static float pcm[24000];
    for (int i = 0; i < 24000; i++)
        pcm[i] = (float)(0.3 * sin(2 * M_PI * 440 * i / 48000.0) +
                         0.05 * sin(2 * M_PI * 1300 * i / 48000.0));
    double f = mj_analyze_peak_hz(pcm, 24000, 48000, 20, 8000);
    CHECK(fabs(f - 440) <= 1.0);
    CHECK(fabs(mj_analyze_rms_db(pcm, 24000) - 20 * log10(sqrt(0.045 + 0.00125))) < 0.1);
    memset(pcm, 0, sizeof pcm);
    CHECK(mj_analyze_peak_hz(pcm, 24000, 48000, 20, 8000) == 0);
    CHECK(mj_analyze_rms_db(pcm, 24000) == -200);
}

TEST_MAIN(hist_buckets_are_contiguous_and_precise, hist_percentiles, nearest_rank_percentiles,
          seqtrack_counts_loss_reorder_duplicates_and_wrap, rfc6464_levels, proc_stat_and_status,
          dominant_frequency)
