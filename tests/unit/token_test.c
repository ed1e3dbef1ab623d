/* Tests for src/room/token: signing, verification, tampering, expiry. */
#include "test.h"

#include "room/token.h"

#include <sodium.h>

static const uint8_t secret[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void sign(const char *room, mj_role role, int64_t exp, char out[MJ_TOKEN_MAX])
{
    mj_token_claims c = {.role = role, .user = 42, .expires_at = exp};
    snprintf(c.room, sizeof c.room, "%s", room);
    if (mj_token_sign(secret, &c, out) != 0) out[0] = '\0';
}

TEST(round_trip_keeps_claims)
{
    char t[MJ_TOKEN_MAX];
    sign("abc123def456", MJ_ROLE_SPEAKER, 2000, t);
    mj_token_claims c;
    const char *why = NULL;
    REQUIRE(mj_token_verify(secret, t, strlen(t), 1000, &c, &why) == 0);
    CHECK_STR(c.room, "abc123def456");
    CHECK_EQ(c.role, MJ_ROLE_SPEAKER);
    CHECK_EQ(c.user, 42);
    CHECK_EQ(c.expires_at, 2000);
    CHECK(c.bot != 0);
}

TEST(each_token_is_a_distinct_bot_of_its_member)
{
    mj_token_claims a = {.room = "room1", .role = MJ_ROLE_LISTENER, .user = 7, .expires_at = 50};
    mj_token_claims b = a;
    char ta[MJ_TOKEN_MAX], tb[MJ_TOKEN_MAX];
    REQUIRE(mj_token_sign(secret, &a, ta) == 0);
    REQUIRE(mj_token_sign(secret, &b, tb) == 0);
    CHECK(a.bot != 0 && b.bot != 0 && a.bot != b.bot);
    mj_token_claims got;
    REQUIRE(mj_token_verify(secret, tb, strlen(tb), 1, &got, NULL) == 0);
    CHECK(got.bot == b.bot);
    CHECK_EQ(got.user, 7);
    /* The operator's tokens answer to nobody (user 0). */
    mj_token_claims op = {.room = "room1", .role = MJ_ROLE_SPEAKER, .expires_at = 50};
    REQUIRE(mj_token_sign(secret, &op, ta) == 0);
    REQUIRE(mj_token_verify(secret, ta, strlen(ta), 1, &got, NULL) == 0);
    CHECK_EQ(got.user, 0);
    /* A token never names a moderator's seat. */
    mj_token_claims mod = {.room = "room1", .role = MJ_ROLE_MODERATOR, .expires_at = 50};
    CHECK_EQ(mj_token_sign(secret, &mod, ta), MJ_EINVAL);
}

TEST(expired_token_is_refused)
{
    char t[MJ_TOKEN_MAX];
    sign("room", MJ_ROLE_LISTENER, 1000, t);
    mj_token_claims c;
    const char *why = NULL;
    CHECK_EQ(mj_token_verify(secret, t, strlen(t), 1000, &c, &why), MJ_EAUTH);
    CHECK_STR(why, "token has expired");
}

TEST(other_secret_or_tampering_is_refused)
{
    char t[MJ_TOKEN_MAX];
    sign("room", MJ_ROLE_LISTENER, 5000, t);
    mj_token_claims c;
    uint8_t other[32] = {9};
    CHECK_EQ(mj_token_verify(other, t, strlen(t), 1, &c, NULL), MJ_EAUTH);
    /* Flip every character of the token in turn: none still verifies. */
    size_t n = strlen(t);
    int accepted = 0;
    for (size_t i = 0; i < n; i++) {
        char copy[MJ_TOKEN_MAX];
        memcpy(copy, t, n + 1);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        accepted += mj_token_verify(secret, copy, n, 1, &c, NULL) == 0;
    }
    CHECK_EQ(accepted, 0);
}

TEST(payload_cannot_be_moved_to_another_room)
{
    /* Re-encode the payload with another room and keep the old tag. */
    char t[MJ_TOKEN_MAX];
    sign("roomaaaa", MJ_ROLE_LISTENER, 5000, t);
    const char *dot = strrchr(t, '.');
    char payload[] = "roombbbb|speaker|42|5000|0011223344556677";
    char p64[256];
    sodium_bin2base64(p64, sizeof p64, (const uint8_t *)payload, strlen(payload),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char forged[MJ_TOKEN_MAX * 2];
    snprintf(forged, sizeof forged, "mj2.%s%s", p64, dot);
    mj_token_claims c;
    CHECK_EQ(mj_token_verify(secret, forged, strlen(forged), 1, &c, NULL), MJ_EAUTH);
}

TEST(garbage_is_refused)
{
    mj_token_claims c;
    const char *bad[] = {"",         "mj2.",          "mj2..",         "mj2.abc",
                         "Bearer x", "mj2.////.////", "mj2.YWJj.YWJj", "mj1.YWJj.YWJj"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(mj_token_verify(secret, bad[i], strlen(bad[i]), 1, &c, NULL), MJ_EAUTH);
    char big[MJ_TOKEN_MAX + 10];
    memset(big, 'a', sizeof big);
    CHECK_EQ(mj_token_verify(secret, big, sizeof big, 1, &c, NULL), MJ_EAUTH);
    const char *why = NULL;
    CHECK_EQ(mj_token_verify(secret, "mj1.YWJj.YWJj", 13, 1, &c, &why), MJ_EAUTH);
    CHECK(why && strstr(why, "earlier version"));
}

TEST(roles_parse)
{
    mj_role r;
    CHECK_EQ(mj_role_parse("speaker", &r), 0);
    CHECK_EQ(r, MJ_ROLE_SPEAKER);
    CHECK_EQ(mj_role_parse("listener", &r), 0);
    CHECK_EQ(r, MJ_ROLE_LISTENER);
    CHECK_EQ(mj_role_parse("admin", &r), MJ_EINVAL);
    mj_token_claims c = {.room = "bad room!", .role = MJ_ROLE_LISTENER, .expires_at = 5};
    char t[MJ_TOKEN_MAX];
    CHECK_EQ(mj_token_sign(secret, &c, t), MJ_EINVAL);
}

TEST_MAIN(round_trip_keeps_claims, each_token_is_a_distinct_bot_of_its_member,
          expired_token_is_refused, other_secret_or_tampering_is_refused,
          payload_cannot_be_moved_to_another_room, garbage_is_refused, roles_parse)
