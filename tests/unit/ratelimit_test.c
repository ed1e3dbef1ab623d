/* Tests for src/http/ratelimit on simulated time. */
#include "test.h"

#include "http/ratelimit.h"

static const uint8_t key[MJ_RATELIMIT_KEY_LEN] = {1, 2, 3};

TEST(allows_a_burst_then_one_per_interval)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    mj_rate_rule rule = {5, 60}; /* 5 at once, then one every 12 s */
    mj_time t = MJ_SEC(1000);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, t), 0);
    int64_t wait = mj_ratelimit_take(&rl, &rule, "login", "layla", 5, t);
    CHECK_EQ(wait, 12);
    /* A refused request does not cost anything. */
    CHECK_EQ(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, t + MJ_SEC(11)), 1);
    CHECK_EQ(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, t + MJ_SEC(12)), 0);
    CHECK(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, t + MJ_SEC(12)) > 0);
    /* After a full period of quiet the whole burst is back. */
    mj_time later = t + MJ_SEC(12 + 60);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, later), 0);
    CHECK(mj_ratelimit_take(&rl, &rule, "login", "layla", 5, later) > 0);
    mj_ratelimit_dispose(&rl);
}

TEST(keys_and_scopes_are_separate)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    mj_rate_rule one = {1, 60};
    mj_time t = MJ_SEC(5);
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "login", "a", 1, t), 0);
    CHECK(mj_ratelimit_take(&rl, &one, "login", "a", 1, t) > 0);
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "login", "b", 1, t), 0);
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "signup", "a", 1, t), 0);
    /* ("ab","c") is not ("a","bc"). */
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "ab", "c", 1, t), 0);
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "a", "bc", 2, t), 0);
    /* Long keys work too. */
    char big[1000];
    memset(big, 'x', sizeof big);
    CHECK_EQ(mj_ratelimit_take(&rl, &one, "s", big, sizeof big, t), 0);
    CHECK(mj_ratelimit_take(&rl, &one, "s", big, sizeof big, t) > 0);
    mj_ratelimit_dispose(&rl);
}

TEST(a_disabled_rule_allows_everything)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    mj_rate_rule off = {0, 0};
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(mj_ratelimit_take(&rl, &off, "x", "y", 1, 0), 0);
    mj_ratelimit_dispose(&rl);
}

TEST(memory_is_bounded_and_stale_cells_are_reused)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    CHECK_EQ(rl.mask + 1, 64);
    mj_rate_rule rule = {2, 10};
    mj_time t = MJ_SEC(100);
    /* Ten thousand addresses through a 64-cell table: no failure, no growth. */
    for (unsigned i = 0; i < 10000; i++)
        CHECK_EQ(mj_ratelimit_take(&rl, &rule, "addr", &i, sizeof i, t + (mj_time)i), 0);
    /* A key that used its whole burst is the last to be pushed out by a
     * crowd of lighter ones: the stalest cell goes first. */
    mj_time u = t + MJ_SEC(1000);
    for (int i = 0; i < 2; i++)
        CHECK_EQ(mj_ratelimit_take(&rl, &rule, "busy", "k", 1, u), 0);
    for (unsigned i = 0; i < 200; i++)
        (void)mj_ratelimit_take(&rl, &rule, "crowd", &i, sizeof i, u + MJ_SEC(1));
    CHECK(mj_ratelimit_take(&rl, &rule, "busy", "k", 1, u + MJ_SEC(2)) > 0);
    mj_ratelimit_dispose(&rl);
}

TEST(backoff_waits_grow_after_the_free_failures)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    mj_rate_rule rule = {3, 60}; /* 3 free, then 20 s, 40 s, 80 s... */
    mj_time t = MJ_SEC(1000);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 0);
        mj_backoff_fail(&rl, &rule, "pair", "k", 1, t);
    }
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 0);
    mj_backoff_fail(&rl, &rule, "pair", "k", 1, t); /* the third */
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 20);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t + MJ_SEC(19)), 1);
    t += MJ_SEC(20);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 0);
    mj_backoff_fail(&rl, &rule, "pair", "k", 1, t);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 40);
    t += MJ_SEC(40);
    mj_backoff_fail(&rl, &rule, "pair", "k", 1, t);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 80);
    /* Another key, or another scope, is not held back. */
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "j", 1, t), 0);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "device", "k", 1, t), 0);
    /* Checking costs nothing: a key that only checks never waits. */
    for (int i = 0; i < 100; i++)
        CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "j", 1, t), 0);
    /* A success forgets the failures. */
    mj_backoff_clear(&rl, "pair", "k", 1);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 0);
    mj_backoff_fail(&rl, &rule, "pair", "k", 1, t);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "pair", "k", 1, t), 0);
    mj_ratelimit_dispose(&rl);
}

TEST(backoff_is_capped_and_forgiven_after_a_quiet_period)
{
    mj_ratelimit rl;
    REQUIRE(mj_ratelimit_init(&rl, 64, key) == 0);
    mj_rate_rule rule = {1, 10};
    mj_time t = MJ_SEC(1);
    for (int i = 0; i < 200; i++) {
        t += MJ_SEC(mj_backoff_check(&rl, &rule, "x", "k", 1, t));
        mj_backoff_fail(&rl, &rule, "x", "k", 1, t);
    }
    CHECK_EQ(mj_backoff_check(&rl, &rule, "x", "k", 1, t), MJ_BACKOFF_MAX_S);
    /* Quiet for the wait and a whole period: a fresh start. */
    t += MJ_SEC(MJ_BACKOFF_MAX_S + 10);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "x", "k", 1, t), 0);
    mj_backoff_fail(&rl, &rule, "x", "k", 1, t);
    CHECK_EQ(mj_backoff_check(&rl, &rule, "x", "k", 1, t), 10);
    /* Off: never waits. */
    mj_rate_rule off = {0, 0};
    for (int i = 0; i < 50; i++)
        mj_backoff_fail(&rl, &off, "y", "k", 1, t);
    CHECK_EQ(mj_backoff_check(&rl, &off, "y", "k", 1, t), 0);
    mj_ratelimit_dispose(&rl);
}

TEST(parses_rules)
{
    mj_rate_rule r;
    CHECK_EQ(mj_rate_rule_parse("5/60", &r), 0);
    CHECK_EQ(r.count, 5);
    CHECK_EQ(r.period_s, 60);
    CHECK_EQ(mj_rate_rule_parse("off", &r), 0);
    CHECK_EQ(r.count, 0);
    CHECK_EQ(mj_rate_rule_parse("0/0", &r), 0);
    CHECK_EQ(mj_rate_rule_parse("5", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("5/", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("/5", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("5/0", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("0/5", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("5/60x", &r), MJ_EINVAL);
    CHECK_EQ(mj_rate_rule_parse("99999999999/1", &r), MJ_EINVAL);
}

TEST_MAIN(allows_a_burst_then_one_per_interval, keys_and_scopes_are_separate,
          a_disabled_rule_allows_everything, memory_is_bounded_and_stale_cells_are_reused,
          parses_rules, backoff_waits_grow_after_the_free_failures,
          backoff_is_capped_and_forgiven_after_a_quiet_period)
