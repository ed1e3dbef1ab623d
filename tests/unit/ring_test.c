/* Tests for io/ring: order across growth, the limit, and wiping. */
#include "test.h"

#include "base/err.h"
#include "io/ring.h"

#include <stdint.h>

TEST(items_come_out_in_order_across_growth_and_wrap)
{
    mj_ring r;
    CHECK_EQ(mj_ring_init(&r, sizeof(uint64_t)), 0);
    uint64_t next_in = 0, next_out = 0, v;
    /* Interleave so that the ring wraps before it grows. */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 7 * round + 3; i++, next_in++)
            CHECK_EQ(mj_ring_push(&r, &next_in), 0);
        for (int i = 0; i < 5 * round + 1 && mj_ring_pop(&r, &v); i++, next_out++)
            CHECK_EQ(v, next_out);
    }
    CHECK_EQ(mj_ring_len(&r), next_in - next_out);
    while (mj_ring_pop(&r, &v))
        CHECK_EQ(v, next_out++);
    CHECK_EQ(next_out, next_in);
    CHECK(!mj_ring_pop(&r, &v));
    mj_ring_dispose(&r);
}

TEST(a_push_past_the_limit_is_refused_and_says_how_full_it_was)
{
    mj_ring r;
    CHECK_EQ(mj_ring_init(&r, sizeof(int)), 0);
    size_t before = 99;
    int x = 1;
    CHECK_EQ(mj_ring_push_ex(&r, &x, 2, &before), 0);
    CHECK_EQ(before, 0);
    CHECK_EQ(mj_ring_push_ex(&r, &x, 2, &before), 0);
    CHECK_EQ(before, 1);
    CHECK_EQ(mj_ring_push_ex(&r, &x, 2, &before), MJ_ELIMIT);
    CHECK_EQ(before, 2);
    CHECK_EQ(mj_ring_len(&r), 2);
    mj_ring_dispose(&r);
}

TEST(a_wiping_ring_leaves_no_copy_of_what_was_taken)
{
    mj_ring r;
    CHECK_EQ(mj_ring_init(&r, 32), 0);
    r.wipe = true;
    uint8_t secret[32], out[32], zero[32] = {0};
    memset(secret, 0xA5, sizeof secret);
    CHECK_EQ(mj_ring_push(&r, secret), 0);
    CHECK(mj_ring_pop(&r, out));
    CHECK_MEM(out, secret, sizeof out);
    CHECK_MEM(r.items, zero, sizeof zero); /* its place, the ring's first */
    mj_ring_dispose(&r);
}

TEST_MAIN(items_come_out_in_order_across_growth_and_wrap,
          a_push_past_the_limit_is_refused_and_says_how_full_it_was,
          a_wiping_ring_leaves_no_copy_of_what_was_taken)
