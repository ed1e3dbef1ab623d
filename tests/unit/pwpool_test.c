/* Tests for src/api/pwpool: passphrase hashing on pool threads. */
#include "test.h"

#include "api/pwpool.h"

#include <sodium.h>
#include <stdatomic.h>
#include <time.h>

static atomic_int wakes;

static void on_wake(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&wakes, 1);
}

static void set_pass(char *dst, size_t *len, const char *src)
{
    *len = strlen(src);
    memcpy(dst, src, *len + 1);
}

/* Takes n finished jobs, waiting up to 20 s. */
static int take_all(mj_pw_pool *p, mj_pw_job **out, int n)
{
    int got = 0;
    for (int tries = 0; got < n && tries < 2000; tries++) {
        mj_pw_job *j;
        while (got < n && (j = mj_pw_pool_take(p)))
            out[got++] = j;
        if (got < n) nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    return got;
}

TEST(hashes_and_verifies_off_the_calling_thread)
{
    REQUIRE(sodium_init() >= 0);
    mj_pw_pool *p;
    REQUIRE(mj_pw_pool_start(2, 8, 8, on_wake, NULL, &p) == 0);
    static mj_pw_job hash, good, bad, none, change;
    hash.op = MJ_PW_HASH;
    set_pass(hash.pass, &hash.pass_len, "كلمة سر طويلة");
    REQUIRE(mj_pw_pool_submit(p, &hash) == 0);
    mj_pw_job *done[4];
    REQUIRE(take_all(p, done, 1) == 1);
    CHECK(done[0] == &hash);
    CHECK(hash.ran && hash.hashed);
    CHECK(strncmp(hash.fresh, "$argon2id$", 10) == 0);
    CHECK_EQ(hash.pass[0], 0); /* wiped */
    CHECK(atomic_load(&wakes) >= 1);

    good.op = bad.op = none.op = MJ_PW_VERIFY;
    change.op = MJ_PW_VERIFY_THEN_HASH;
    memcpy(good.stored, hash.fresh, sizeof good.stored);
    memcpy(bad.stored, hash.fresh, sizeof bad.stored);
    memcpy(change.stored, hash.fresh, sizeof change.stored);
    set_pass(good.pass, &good.pass_len, "كلمة سر طويلة");
    set_pass(bad.pass, &bad.pass_len, "not the passphrase");
    set_pass(none.pass, &none.pass_len, "no stored hash at all");
    set_pass(change.pass, &change.pass_len, "كلمة سر طويلة");
    set_pass(change.new_pass, &change.new_pass_len, "a brand new passphrase");
    REQUIRE(mj_pw_pool_submit(p, &good) == 0);
    REQUIRE(mj_pw_pool_submit(p, &bad) == 0);
    REQUIRE(mj_pw_pool_submit(p, &none) == 0);
    REQUIRE(mj_pw_pool_submit(p, &change) == 0);
    REQUIRE(take_all(p, done, 4) == 4);
    CHECK(good.verified);
    CHECK(!bad.verified);
    CHECK(!none.verified && none.ran);
    CHECK(change.verified && change.hashed);
    CHECK(crypto_pwhash_str_verify(change.fresh, "a brand new passphrase", 22) == 0);
    CHECK_EQ(change.new_pass[0], 0);
    mj_pw_pool_stop(p);
    mj_pw_pool_free(p);
}

TEST(a_full_queue_says_so_and_stop_returns_what_never_ran)
{
    mj_pw_pool *p;
    /* One group, which no share of its own holds back before the queue is
     * full. */
    REQUIRE(mj_pw_pool_start(1, 2, 3, on_wake, NULL, &p) == 0);
    static mj_pw_job a, b, c;
    a.op = b.op = c.op = MJ_PW_HASH;
    set_pass(a.pass, &a.pass_len, "first passphrase");
    set_pass(b.pass, &b.pass_len, "second passphrase");
    set_pass(c.pass, &c.pass_len, "third passphrase");
    REQUIRE(mj_pw_pool_submit(p, &a) == 0);
    REQUIRE(mj_pw_pool_submit(p, &b) == 0);
    CHECK_EQ(mj_pw_pool_submit(p, &c), MJ_ELIMIT);
    mj_pw_pool_stop(p);
    /* Both come back: one ran (or both did), none is lost, and secrets of
     * those that never ran are wiped too. */
    mj_pw_job *done[2] = {NULL, NULL};
    int n = 0;
    mj_pw_job *j;
    while (n < 2 && (j = mj_pw_pool_take(p)))
        done[n++] = j;
    CHECK_EQ(n, 2);
    CHECK((done[0] == &a && done[1] == &b) || (done[0] == &b && done[1] == &a));
    CHECK(mj_pw_pool_take(p) == NULL);
    CHECK_EQ(a.pass[0], 0);
    CHECK_EQ(b.pass[0], 0);
    CHECK_EQ(mj_pw_pool_submit(p, &c), MJ_ELIMIT); /* stopped */
    mj_pw_pool_free(p);
}

TEST(a_flooding_network_waits_its_turn_and_others_go_first)
{
    mj_pw_pool *p;
    REQUIRE(mj_pw_pool_start(1, 6, 4, on_wake, NULL, &p) == 0);
    static mj_pw_job flood[8], other, third;
    for (int i = 0; i < 8; i++) {
        flood[i].op = MJ_PW_HASH;
        flood[i].group = 1;
        set_pass(flood[i].pass, &flood[i].pass_len, "flooding passphrase");
    }
    other.op = third.op = MJ_PW_HASH;
    other.group = 2;
    third.group = 3;
    set_pass(other.pass, &other.pass_len, "someone else entirely");
    set_pass(third.pass, &third.pass_len, "and a third person");
    /* Given one network with its share in (4 of 6)... */
    for (int i = 0; i < 4; i++)
        REQUIRE(mj_pw_pool_submit(p, &flood[i]) == 0);
    CHECK_EQ(mj_pw_pool_submit(p, &flood[4]), MJ_EAGAIN);
    /* ...two other networks get in, and go before the flood's rest. */
    REQUIRE(mj_pw_pool_submit(p, &other) == 0);
    REQUIRE(mj_pw_pool_submit(p, &third) == 0);
    mj_pw_job *done[6];
    REQUIRE(take_all(p, done, 6) == 6);
    int pos_other = -1, pos_third = -1;
    for (int i = 0; i < 6; i++) {
        CHECK(done[i]->ran && done[i]->hashed);
        if (done[i] == &other) pos_other = i;
        if (done[i] == &third) pos_third = i;
    }
    /* The pool may have started the flood's first before the others came:
     * then each waits for that one and for one more at most. */
    CHECK(pos_other >= 0 && pos_other <= 2);
    CHECK(pos_third >= 0 && pos_third <= 3);
    mj_pw_pool_stop(p);
    mj_pw_pool_free(p);
}

TEST(a_full_queue_makes_room_for_a_newcomer_by_pushing_out_the_largest)
{
    mj_pw_pool *p;
    /* No thread: nothing runs, so the queue stays as submitted. */
    REQUIRE(mj_pw_pool_start(0, 3, 3, on_wake, NULL, &p) == 0);
    static mj_pw_job a[3], b, c;
    for (int i = 0; i < 3; i++) {
        a[i].op = MJ_PW_HASH;
        a[i].group = 7;
        set_pass(a[i].pass, &a[i].pass_len, "group seven passphrase");
        REQUIRE(mj_pw_pool_submit(p, &a[i]) == 0);
    }
    b.op = c.op = MJ_PW_HASH;
    b.group = 8;
    c.group = 8;
    set_pass(b.pass, &b.pass_len, "group eight passphrase");
    int before = atomic_load(&wakes);
    REQUIRE(mj_pw_pool_submit(p, &b) == 0);
    /* The newest of group 7 comes back unrun, marked, wiped, with a wake. */
    mj_pw_job *out = mj_pw_pool_take(p);
    CHECK(out == &a[2]);
    CHECK(out && out->evicted && !out->ran);
    CHECK_EQ(a[2].pass[0], 0);
    CHECK(atomic_load(&wakes) > before);
    CHECK(mj_pw_pool_take(p) == NULL);
    /* 2 + 1: group 8 may not push out more to reach 2 + 2... */
    CHECK_EQ(mj_pw_pool_submit(p, &c), MJ_ELIMIT);
    mj_pw_pool_stop(p);
    int back = 0;
    while ((out = mj_pw_pool_take(p))) {
        CHECK(!out->ran && !out->evicted);
        back++;
    }
    CHECK_EQ(back, 3);
    mj_pw_pool_free(p);
}

TEST_MAIN(hashes_and_verifies_off_the_calling_thread,
          a_full_queue_says_so_and_stop_returns_what_never_ran,
          a_flooding_network_waits_its_turn_and_others_go_first,
          a_full_queue_makes_room_for_a_newcomer_by_pushing_out_the_largest)
