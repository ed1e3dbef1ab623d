/* Tests for src/room/trend: the invite-tree score that orders the hallway.
 * The trees are built here as paths from the top of the tree down. */
#include "test.h"

#include "room/trend.h"

#include <math.h>

static mj_trend *t;
static int64_t next_id = 1000;

/* A tiny invite tree: parent[id] for ids up to 20000. */
static int64_t parent_of[20000];

static int64_t member(int64_t parent)
{
    int64_t id = next_id++;
    parent_of[id] = parent;
    return id;
}

/* Adds the member with the path the tree gives them. */
static void listen(int64_t id)
{
    int64_t rev[256];
    size_t n = 0;
    for (int64_t v = id; v; v = parent_of[v])
        rev[n++] = v;
    int64_t path[256];
    for (size_t i = 0; i < n; i++)
        path[i] = rev[n - 1 - i];
    if (mj_trend_add(t, path, n) != 0) MJ_TEST_FAIL("cannot add %lld", (long long)id);
}

static double score_of(const int64_t *ids, size_t n)
{
    mj_trend_reset(t);
    for (size_t i = 0; i < n; i++)
        listen(ids[i]);
    return mj_trend_score(t);
}

/* A subtree of `count` accounts grown from `top`, each inviting at most
 * `fanout` (the invite quota): breadth first, as an army would grow it. */
static size_t grow(int64_t top, size_t count, size_t fanout, int64_t *out)
{
    size_t n = 0, head = 0;
    int64_t queue[4096];
    size_t qn = 0;
    queue[qn++] = top;
    while (n < count) {
        int64_t p = queue[head++];
        for (size_t k = 0; k < fanout && n < count; k++) {
            int64_t c = member(p);
            out[n++] = c;
            queue[qn++] = c;
        }
    }
    return n;
}

TEST(one_counts_one_and_more_count_ever_less)
{
    CHECK(mj_trend_damp(0) == 0);
    CHECK(mj_trend_damp(1) == 1);
    CHECK(fabs(mj_trend_damp(3) - 2) < 1e-9);
    CHECK(fabs(mj_trend_damp(1023) - 10) < 1e-9);
    mj_trend_reset(t);
    CHECK(mj_trend_score(t) == 0);
}

TEST(a_hundred_from_one_subtree_rank_below_ten_from_ten_subtrees)
{
    /* One community under one admin, as a real server is. */
    int64_t admin = member(0);
    int64_t ten[10];
    for (int i = 0; i < 10; i++)
        ten[i] = member(member(admin)); /* ten branches, two levels down */
    int64_t infiltrator = member(member(admin));
    int64_t army[100];
    /* Grown within the invite quota of 3... */
    grow(infiltrator, 100, 3, army);
    double honest = score_of(ten, 10), fake = score_of(army, 100);
    CHECK(fake < honest);
    /* ...or flat, by one account with a large quota... */
    int64_t flat_top = member(member(admin));
    int64_t flat[100];
    grow(flat_top, 100, 100, flat);
    CHECK(score_of(flat, 100) < honest);
    /* ...or as a chain of a hundred. */
    int64_t chain[100];
    int64_t prev = member(member(admin));
    for (int i = 0; i < 100; i++)
        chain[i] = prev = member(prev);
    CHECK(score_of(chain, 100) < honest);
    /* And with the infiltrator and its helper listening too. */
    int64_t army_and_heads[102];
    memcpy(army_and_heads, army, sizeof army);
    army_and_heads[100] = infiltrator;
    army_and_heads[101] = parent_of[infiltrator];
    CHECK(score_of(army_and_heads, 102) < honest);
}

TEST(separate_top_branches_add_up_in_full)
{
    /* Ten members each brought by a different operator's invite. */
    int64_t tops[10];
    for (int i = 0; i < 10; i++)
        tops[i] = member(0);
    CHECK(fabs(score_of(tops, 10) - 10) < 1e-9);
    /* A thousand under one of them count far less than ten separate. */
    int64_t army[1000];
    grow(tops[0], 1000, 3, army);
    CHECK(score_of(army, 1000) < 10.0 / 2);
}

TEST(growing_one_branch_adds_ever_less)
{
    int64_t admin = member(0);
    int64_t top = member(admin);
    static int64_t army[4000];
    grow(top, 4000, 3, army);
    double s100 = score_of(army, 100), s1000 = score_of(army, 1000), s4000 = score_of(army, 4000);
    CHECK(s100 < s1000 && s1000 < s4000);
    /* Forty times the accounts for less than one more point. */
    CHECK(s4000 - s100 < 1.0);
}

TEST(one_more_branch_always_counts)
{
    int64_t admin = member(0);
    int64_t a = member(member(admin)), b = member(member(admin)), c = member(member(admin));
    int64_t two[] = {a, b}, three[] = {a, b, c};
    CHECK(score_of(three, 3) > score_of(two, 2));
    /* A second person of a's own branch counts, but less than c. */
    int64_t a2 = member(a);
    int64_t with_a2[] = {a, b, a2};
    CHECK(score_of(with_a2, 3) > score_of(two, 2));
    CHECK(score_of(with_a2, 3) < score_of(three, 3));
}

TEST(the_same_member_twice_counts_once)
{
    int64_t admin = member(0);
    int64_t x = member(admin), y = member(admin);
    int64_t once[] = {x, y}, twice[] = {x, y, x, x};
    CHECK(fabs(score_of(once, 2) - score_of(twice, 4)) < 1e-12);
}

TEST(bad_paths_are_refused_and_deep_ones_cut)
{
    mj_trend_reset(t);
    int64_t bad[] = {1, -5};
    CHECK_EQ(mj_trend_add(t, bad, 2), MJ_EINVAL);
    CHECK_EQ(mj_trend_add(t, bad, 0), MJ_EINVAL);
    int64_t zero[] = {0};
    CHECK_EQ(mj_trend_add(t, zero, 1), MJ_EINVAL);
    CHECK(mj_trend_score(t) == 0);
    /* A path deeper than the cap still counts its person, once. */
    int64_t deep[200];
    for (int i = 0; i < 200; i++)
        deep[i] = 50000 + i;
    REQUIRE(mj_trend_add(t, deep, 200) == 0);
    REQUIRE(mj_trend_add(t, deep, 200) == 0);
    double s = mj_trend_score(t);
    CHECK(s > 0.99 && s <= 1.0 + 1e-12);
}

static void setup(void)
{
    if (mj_trend_new(&t) != 0) abort();
}

int main(void)
{
    setup();
    static const mj_test_case cases[] = {
        {"one_counts_one_and_more_count_ever_less", one_counts_one_and_more_count_ever_less},
        {"a_hundred_from_one_subtree_rank_below_ten_from_ten_subtrees",
         a_hundred_from_one_subtree_rank_below_ten_from_ten_subtrees},
        {"separate_top_branches_add_up_in_full", separate_top_branches_add_up_in_full},
        {"growing_one_branch_adds_ever_less", growing_one_branch_adds_ever_less},
        {"one_more_branch_always_counts", one_more_branch_always_counts},
        {"the_same_member_twice_counts_once", the_same_member_twice_counts_once},
        {"bad_paths_are_refused_and_deep_ones_cut", bad_paths_are_refused_and_deep_ones_cut},
    };
    int rc = mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
    mj_trend_free(t);
    return rc;
}
