/* Tests for src/http/cookie: finding one cookie in a Cookie header. */
#include "test.h"

#include "http/cookie.h"

static char got[256];

static bool take(const char *v, size_t n, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    if (n >= sizeof got) return false;
    memcpy(got, v, n);
    got[n] = '\0';
    return true;
}

static bool reject_first(const char *v, size_t n, void *ctx)
{
    int *calls = ctx;
    return ++*calls > 1 && take(v, n, &(int){0});
}

static bool find(const char *header, const char *name)
{
    int calls = 0;
    got[0] = '\0';
    return mj_cookie_find(header, strlen(header), name, take, &calls);
}

TEST(finds_a_cookie_among_others)
{
    CHECK(find("a=1; mj_session=abc; b=2", "mj_session"));
    CHECK_STR(got, "abc");
    CHECK(find("mj_session=xyz", "mj_session"));
    CHECK_STR(got, "xyz");
    CHECK(find("  mj_session =  spaced  ;x=1", "mj_session"));
    CHECK_STR(got, "spaced");
    CHECK(find("a=1;mj_session=", "mj_session"));
    CHECK_STR(got, "");
}

TEST(names_must_match_exactly)
{
    CHECK(!find("mj_session_old=1; xmj_session=2", "mj_session"));
    CHECK(!find("MJ_SESSION=1", "mj_session"));
    CHECK(!find("", "mj_session"));
    CHECK(!find(";;;", "mj_session"));
    CHECK(!find("mj_session", "mj_session")); /* no '=' */
    CHECK(find("__Host-mj_session=s; mj_session=p", "__Host-mj_session"));
    CHECK_STR(got, "s");
}

TEST(a_refused_value_lets_a_later_one_win)
{
    int calls = 0;
    const char *h = "mj_session=bad; mj_session=good";
    CHECK(mj_cookie_find(h, strlen(h), "mj_session", reject_first, &calls));
    CHECK_EQ(calls, 2);
    CHECK_STR(got, "good");
}

TEST(never_reads_past_the_length)
{
    /* The length ends the header even without a NUL. */
    char buf[] = {'m', 'j', '=', 'o', 'k', ';', 'm', 'j', '=', 'X'};
    int calls = 0;
    CHECK(mj_cookie_find(buf, 5, "mj", take, &calls));
    CHECK_STR(got, "ok");
    CHECK(!mj_cookie_find(buf, 2, "mj", take, &calls));
}

TEST_MAIN(finds_a_cookie_among_others, names_must_match_exactly,
          a_refused_value_lets_a_later_one_win, never_reads_past_the_length)
