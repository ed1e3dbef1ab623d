/* Tests for src/client/jitter: the recorder's reorder and jitter buffer,
 * on simulated time. */
#include "test.h"

#include "client/jitter.h"

static mj_jitter j; /* 42 KiB: not on the stack */

static enum mj_jitter_out pop(mj_time now, uint8_t *first_byte)
{
    const uint8_t *d;
    size_t n;
    enum mj_jitter_out o = mj_jitter_pop(&j, now, &d, &n);
    *first_byte = d && n ? d[0] : 0;
    return o;
}

static void push(uint16_t seq, mj_time now)
{
    uint8_t b = (uint8_t)seq;
    mj_jitter_push(&j, seq, &b, 1, now);
}

TEST(waits_for_the_delay_then_plays_in_order)
{
    mj_jitter_init(&j, MJ_MSEC(60));
    uint8_t b;
    CHECK_EQ(pop(0, &b), MJ_JITTER_EMPTY);
    push(10, MJ_MSEC(0));
    push(12, MJ_MSEC(5)); /* 11 is late */
    CHECK_EQ(pop(MJ_MSEC(40), &b), MJ_JITTER_EMPTY);
    push(11, MJ_MSEC(41));
    CHECK_EQ(pop(MJ_MSEC(60), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 10);
    CHECK_EQ(pop(MJ_MSEC(80), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 11);
    CHECK_EQ(pop(MJ_MSEC(100), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 12);
    CHECK_EQ(j.st.played, 3);
}

TEST(loss_offers_the_next_packet_for_fec)
{
    mj_jitter_init(&j, MJ_MSEC(40));
    uint8_t b;
    push(1, 0);
    push(3, 1);
    push(4, 2);
    CHECK_EQ(pop(MJ_MSEC(40), &b), MJ_JITTER_PACKET);
    CHECK_EQ(pop(MJ_MSEC(60), &b), MJ_JITTER_LOST);
    CHECK_EQ(b, 3); /* FEC for 2 lives in 3 */
    CHECK_EQ(pop(MJ_MSEC(80), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 3);
    CHECK_EQ(j.st.lost, 1);
    /* 2 arrives now: too late. Duplicates are dropped. */
    push(2, MJ_MSEC(81));
    CHECK_EQ(j.st.late, 1);
    CHECK_EQ(mj_jitter_push(&j, 4, &b, 1, MJ_MSEC(82)), MJ_JITTER_DUPLICATE);
}

TEST(underrun_rebuffers_and_resumes_across_a_seq_jump)
{
    mj_jitter_init(&j, MJ_MSEC(40));
    uint8_t b;
    push(100, 0);
    CHECK_EQ(pop(MJ_MSEC(40), &b), MJ_JITTER_PACKET);
    CHECK_EQ(pop(MJ_MSEC(60), &b), MJ_JITTER_EMPTY); /* the speaker paused */
    CHECK_EQ(j.st.underruns, 1);
    /* Back after a pause with a gap in numbering: wait the delay again,
     * then play from the first packet that came. */
    push(105, MJ_SEC(2));
    CHECK_EQ(pop(MJ_SEC(2) + MJ_MSEC(20), &b), MJ_JITTER_EMPTY);
    CHECK_EQ(pop(MJ_SEC(2) + MJ_MSEC(40), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 105);
    /* Across the 16-bit wrap. */
    mj_jitter_init(&j, MJ_MSEC(20));
    push(65535, 0);
    push(0, 1);
    CHECK_EQ(pop(MJ_MSEC(20), &b), MJ_JITTER_PACKET);
    CHECK_EQ(pop(MJ_MSEC(40), &b), MJ_JITTER_PACKET);
    CHECK_EQ(b, 0);
}

TEST(bursts_and_jumps_stay_bounded)
{
    mj_jitter_init(&j, MJ_MSEC(60));
    uint8_t b;
    /* A burst far larger than the ring: the oldest are given up. */
    for (uint16_t s = 0; s < 100; s++)
        push(s, 0);
    CHECK(j.count <= MJ_JITTER_SLOTS);
    CHECK(j.st.overflow > 0);
    /* Then playout drops down to the target latency. */
    CHECK_EQ(pop(MJ_MSEC(60), &b), MJ_JITTER_PACKET);
    CHECK(j.count <= j.target + MJ_JITTER_SLACK);
    CHECK(j.st.dropped > 0);
    uint8_t big[MJ_JITTER_PAYLOAD + 1] = {0};
    CHECK_EQ(mj_jitter_push(&j, 200, big, sizeof big, 0), MJ_JITTER_TOO_BIG);
}

TEST_MAIN(waits_for_the_delay_then_plays_in_order, loss_offers_the_next_packet_for_fec,
          underrun_rebuffers_and_resumes_across_a_seq_jump, bursts_and_jumps_stay_bounded)
