/* Tests for src/base/fairq: groups served in turn, bounded per group and
 * in all, newcomers making room. */
#include "test.h"

#include "base/fairq.h"

static mj_fairq_item items[64];

static mj_fairq_item *item(int i, uint64_t group)
{
    items[i].group = group;
    return &items[i];
}

static int index_of(const mj_fairq_item *it)
{
    return it ? (int)(it - items) : -1;
}

TEST(groups_take_turns_whoever_came_first)
{
    mj_fairq q;
    REQUIRE(mj_fairq_init(&q, 16, 16) == 0);
    mj_fairq_item *out;
    /* Given a flood of group 1, then one item each of groups 2 and 3... */
    for (int i = 0; i < 6; i++)
        REQUIRE(mj_fairq_push(&q, item(i, 1), &out) == 0);
    REQUIRE(mj_fairq_push(&q, item(10, 2), &out) == 0);
    REQUIRE(mj_fairq_push(&q, item(20, 3), &out) == 0);
    /* ...when served, the newcomers wait behind one item of the flood. */
    int order[8];
    for (int i = 0; i < 8; i++) {
        mj_fairq_item *it = mj_fairq_pop(&q);
        REQUIRE(it != NULL);
        order[i] = index_of(it);
        mj_fairq_done(&q, it);
    }
    CHECK_EQ(order[0], 0);
    CHECK_EQ(order[1], 10);
    CHECK_EQ(order[2], 20);
    for (int i = 3; i < 8; i++)
        CHECK_EQ(order[i], i - 2); /* the rest of the flood, in its order */
    CHECK(mj_fairq_pop(&q) == NULL);
    CHECK_EQ(q.items, 0);
    mj_fairq_dispose(&q);
}

TEST(a_group_holds_at_most_its_share)
{
    mj_fairq q;
    REQUIRE(mj_fairq_init(&q, 16, 3) == 0);
    mj_fairq_item *out;
    for (int i = 0; i < 3; i++)
        REQUIRE(mj_fairq_push(&q, item(i, 7), &out) == 0);
    CHECK_EQ(mj_fairq_push(&q, item(3, 7), &out), MJ_EAGAIN);
    CHECK_EQ(mj_fairq_count(&q, 7), 3);
    /* Handed out still counts; done frees the place. */
    mj_fairq_item *it = mj_fairq_pop(&q);
    CHECK_EQ(mj_fairq_push(&q, item(3, 7), &out), MJ_EAGAIN);
    mj_fairq_done(&q, it);
    CHECK_EQ(mj_fairq_push(&q, item(3, 7), &out), 0);
    CHECK(out == NULL);
    /* Other groups are not affected. */
    CHECK_EQ(mj_fairq_push(&q, item(4, 8), &out), 0);
    mj_fairq_dispose(&q);
}

TEST(when_full_a_newcomer_takes_the_place_of_the_largest_group)
{
    mj_fairq q;
    REQUIRE(mj_fairq_init(&q, 4, 4) == 0);
    mj_fairq_item *out;
    /* Given a queue full of one group... */
    for (int i = 0; i < 4; i++)
        REQUIRE(mj_fairq_push(&q, item(i, 1), &out) == 0);
    /* ...a newcomer gets in, and the flood's newest item is pushed out. */
    REQUIRE(mj_fairq_push(&q, item(10, 2), &out) == 0);
    CHECK_EQ(index_of(out), 3);
    REQUIRE(mj_fairq_push(&q, item(20, 3), &out) == 0);
    CHECK_EQ(index_of(out), 2);
    /* Now 2 + 1 + 1: a fourth group still gets in, from group 1. */
    REQUIRE(mj_fairq_push(&q, item(30, 4), &out) == 0);
    CHECK_EQ(index_of(out), 1);
    CHECK_EQ(mj_fairq_count(&q, 1), 1);
    /* One each: nobody is pushed out, and a fifth group is turned away. */
    CHECK_EQ(mj_fairq_push(&q, item(40, 5), &out), MJ_ELIMIT);
    CHECK(out == NULL);
    /* A group never pushes out its own items. */
    CHECK_EQ(mj_fairq_push(&q, item(5, 1), &out), MJ_ELIMIT);
    /* Only waiting items can be pushed out; handed-out ones are running. */
    mj_fairq_item *a = mj_fairq_pop(&q), *b = mj_fairq_pop(&q);
    CHECK(a && b);
    mj_fairq_done(&q, a);
    REQUIRE(mj_fairq_push(&q, item(6, 9), &out) == 0);
    CHECK(out == NULL);
    mj_fairq_dispose(&q);
}

TEST(an_empty_queue_and_a_zero_sized_one)
{
    mj_fairq q;
    REQUIRE(mj_fairq_init(&q, 8, 2) == 0);
    CHECK(mj_fairq_pop(&q) == NULL);
    mj_fairq_dispose(&q);
    REQUIRE(mj_fairq_init(&q, 0, 0) == 0);
    mj_fairq_item *out;
    CHECK(mj_fairq_push(&q, item(0, 1), &out) != 0);
    CHECK(mj_fairq_pop(&q) == NULL);
    mj_fairq_dispose(&q);
}

TEST_MAIN(groups_take_turns_whoever_came_first, a_group_holds_at_most_its_share,
          when_full_a_newcomer_takes_the_place_of_the_largest_group,
          an_empty_queue_and_a_zero_sized_one)
