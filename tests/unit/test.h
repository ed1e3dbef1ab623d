/* A small unit-test harness: one executable per module, registered with
 * ctest. Checks record a failure and carry on so one run shows every broken
 * expectation; the process exits non-zero if any check failed.
 *
 *   TEST(parses_header) { CHECK_EQ(1 + 1, 2); }
 *   TEST_MAIN(parses_header, other_test)
 */
#ifndef MJ_TEST_H
#define MJ_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mj_test_failures;
static int mj_test_checks;
static const char *mj_test_current;

#define TEST(name) static void name(void)

#define MJ_TEST_FAIL(...)                                                                          \
    do {                                                                                           \
        mj_test_failures++;                                                                        \
        fprintf(stderr, "  FAIL %s:%d in %s: ", __FILE__, __LINE__, mj_test_current);              \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        mj_test_checks++;                                                                          \
        if (!(cond)) MJ_TEST_FAIL("%s", #cond);                                                    \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        mj_test_checks++;                                                                          \
        long long mj_a_ = (long long)(a), mj_b_ = (long long)(b);                                  \
        if (mj_a_ != mj_b_) MJ_TEST_FAIL("%s == %s (%lld != %lld)", #a, #b, mj_a_, mj_b_);         \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        mj_test_checks++;                                                                          \
        const char *mj_a_ = (a), *mj_b_ = (b);                                                     \
        if (!mj_a_ || !mj_b_ || strcmp(mj_a_, mj_b_) != 0)                                         \
            MJ_TEST_FAIL("%s == %s (\"%s\" != \"%s\")", #a, #b, mj_a_ ? mj_a_ : "(null)",          \
                         mj_b_ ? mj_b_ : "(null)");                                                \
    } while (0)

#define CHECK_MEM(a, b, n)                                                                         \
    do {                                                                                           \
        mj_test_checks++;                                                                          \
        if (memcmp((a), (b), (n)) != 0)                                                            \
            MJ_TEST_FAIL("memory %s == %s (%zu bytes)", #a, #b, (size_t)(n));                      \
    } while (0)

/* Stops the current test when a precondition for the rest fails. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        mj_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            MJ_TEST_FAIL("required %s", #cond);                                                    \
            return;                                                                                \
        }                                                                                          \
    } while (0)

typedef struct mj_test_case {
    const char *name;
    void (*fn)(void);
} mj_test_case;

static inline int mj_test_run(const char *file, const mj_test_case *cases, size_t n)
{
    int failed_tests = 0;
    for (size_t i = 0; i < n; i++) {
        int before = mj_test_failures;
        mj_test_current = cases[i].name;
        cases[i].fn();
        if (mj_test_failures != before) {
            failed_tests++;
            fprintf(stderr, "not ok %s\n", cases[i].name);
        } else {
            printf("ok %s\n", cases[i].name);
        }
    }
    printf("%s: %zu passed, %d failed (%d checks)\n", file, n - (size_t)failed_tests, failed_tests,
           mj_test_checks);
    if (mj_test_checks == 0) {
        fprintf(stderr, "%s: no checks ran\n", file);
        return 1;
    }
    return failed_tests ? 1 : 0;
}

#define TEST_MAIN(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        static const mj_test_case cases[] = {MJ_TEST_LIST(__VA_ARGS__)};                           \
        return mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);                       \
    }

/* Expands a comma-separated list of test names into {"name", name} entries
 * (up to 64). */
#define MJ_TL_1(a)                                                                                 \
    {                                                                                              \
#a, a                                                                                      \
    }
#define MJ_TL_2(a, ...)  {#a, a}, MJ_TL_1(__VA_ARGS__)
#define MJ_TL_3(a, ...)  {#a, a}, MJ_TL_2(__VA_ARGS__)
#define MJ_TL_4(a, ...)  {#a, a}, MJ_TL_3(__VA_ARGS__)
#define MJ_TL_5(a, ...)  {#a, a}, MJ_TL_4(__VA_ARGS__)
#define MJ_TL_6(a, ...)  {#a, a}, MJ_TL_5(__VA_ARGS__)
#define MJ_TL_7(a, ...)  {#a, a}, MJ_TL_6(__VA_ARGS__)
#define MJ_TL_8(a, ...)  {#a, a}, MJ_TL_7(__VA_ARGS__)
#define MJ_TL_9(a, ...)  {#a, a}, MJ_TL_8(__VA_ARGS__)
#define MJ_TL_10(a, ...) {#a, a}, MJ_TL_9(__VA_ARGS__)
#define MJ_TL_11(a, ...) {#a, a}, MJ_TL_10(__VA_ARGS__)
#define MJ_TL_12(a, ...) {#a, a}, MJ_TL_11(__VA_ARGS__)
#define MJ_TL_13(a, ...) {#a, a}, MJ_TL_12(__VA_ARGS__)
#define MJ_TL_14(a, ...) {#a, a}, MJ_TL_13(__VA_ARGS__)
#define MJ_TL_15(a, ...) {#a, a}, MJ_TL_14(__VA_ARGS__)
#define MJ_TL_16(a, ...) {#a, a}, MJ_TL_15(__VA_ARGS__)
#define MJ_TL_17(a, ...) {#a, a}, MJ_TL_16(__VA_ARGS__)
#define MJ_TL_18(a, ...) {#a, a}, MJ_TL_17(__VA_ARGS__)
#define MJ_TL_19(a, ...) {#a, a}, MJ_TL_18(__VA_ARGS__)
#define MJ_TL_20(a, ...) {#a, a}, MJ_TL_19(__VA_ARGS__)
#define MJ_TL_21(a, ...) {#a, a}, MJ_TL_20(__VA_ARGS__)
#define MJ_TL_22(a, ...) {#a, a}, MJ_TL_21(__VA_ARGS__)
#define MJ_TL_23(a, ...) {#a, a}, MJ_TL_22(__VA_ARGS__)
#define MJ_TL_24(a, ...) {#a, a}, MJ_TL_23(__VA_ARGS__)
#define MJ_TL_25(a, ...) {#a, a}, MJ_TL_24(__VA_ARGS__)
#define MJ_TL_26(a, ...) {#a, a}, MJ_TL_25(__VA_ARGS__)
#define MJ_TL_27(a, ...) {#a, a}, MJ_TL_26(__VA_ARGS__)
#define MJ_TL_28(a, ...) {#a, a}, MJ_TL_27(__VA_ARGS__)
#define MJ_TL_29(a, ...) {#a, a}, MJ_TL_28(__VA_ARGS__)
#define MJ_TL_30(a, ...) {#a, a}, MJ_TL_29(__VA_ARGS__)
#define MJ_TL_31(a, ...) {#a, a}, MJ_TL_30(__VA_ARGS__)
#define MJ_TL_32(a, ...) {#a, a}, MJ_TL_31(__VA_ARGS__)
#define MJ_TL_COUNT(...)                                                                           \
    MJ_TL_PICK(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,    \
               15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define MJ_TL_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17,     \
                   _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, N,   \
                   ...)                                                                            \
    N
#define MJ_TL_CAT(a, b)   MJ_TL_CAT2(a, b)
#define MJ_TL_CAT2(a, b)  a##b
#define MJ_TEST_LIST(...) MJ_TL_CAT(MJ_TL_, MJ_TL_COUNT(__VA_ARGS__))(__VA_ARGS__)

#endif
