/* Tests for src/api/turn: TURN REST API credentials as coturn checks them
 * (use-auth-secret): base64(HMAC-SHA1(secret, "EXPIRY:SUFFIX")). The
 * expected passwords were computed with
 *   printf '%s' USER | openssl dgst -sha1 -hmac SECRET -binary | base64 */
#include "test.h"

#include "api/turn.h"

#include <stdlib.h>

#define SECRET "a-secret-of-enough-length"

static mj_turn with_secret(void)
{
    mj_turn t;
    memset(&t, 0, sizeof t);
    memcpy(t.secret, SECRET, strlen(SECRET));
    t.secret_len = strlen(SECRET);
    t.ttl_s = 600;
    return t;
}

TEST(password_is_coturns_hmac)
{
    char cred[MJ_TURN_CRED_MAX];
    CHECK_EQ(mj_turn_password((const uint8_t *)SECRET, strlen(SECRET), "1700000000:abc", cred), 0);
    CHECK_STR(cred, "4B+N6FQ9FP+K0PMgh/tCExW325Y=");
    CHECK_EQ(mj_turn_password((const uint8_t *)SECRET, strlen(SECRET), "1700000600:Zz_-9", cred),
             0);
    CHECK_STR(cred, "SSEhb5/4nVX4RH16bgBKZdX+NqY=");
}

/* The username: the expiry, a colon (coturn's rest-api-separator), and a
 * random suffix that differs each time; the password matches it. */
TEST(credentials_expire_and_name_nobody)
{
    mj_turn t = with_secret();
    char u1[MJ_TURN_USER_MAX], c1[MJ_TURN_CRED_MAX], u2[MJ_TURN_USER_MAX], c2[MJ_TURN_CRED_MAX];
    CHECK_EQ(mj_turn_credentials(&t, 1700000000, u1, c1), 0);
    CHECK_EQ(mj_turn_credentials(&t, 1700000000, u2, c2), 0);
    CHECK(strncmp(u1, "1700000600:", 11) == 0);
    CHECK(strlen(u1) == 11 + 12);
    CHECK(strspn(u1 + 11, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
          12);
    CHECK(strcmp(u1, u2) != 0);
    CHECK(strcmp(c1, c2) != 0);
    char check[MJ_TURN_CRED_MAX];
    CHECK_EQ(mj_turn_password(t.secret, t.secret_len, u1, check), 0);
    CHECK_STR(c1, check);
}

TEST(urls_are_checked)
{
    mj_turn t = with_secret();
    const char *why = NULL;
    CHECK_EQ(mj_turn_add_urls(&t, "turns:turn.example.org:443?transport=tcp", &why), 0);
    CHECK_EQ(mj_turn_add_urls(&t, "turn:192.0.2.1:3478,,turn:192.0.2.1:3478?transport=tcp", &why),
             0);
    CHECK_EQ(t.nurls, 3);
    CHECK_STR(t.urls[1], "turn:192.0.2.1:3478");
    CHECK_STR(t.urls[2], "turn:192.0.2.1:3478?transport=tcp");
    mj_turn bad = with_secret();
    CHECK_EQ(mj_turn_add_urls(&bad, "stun:stun.example.org", &why), -1);
    CHECK_EQ(mj_turn_add_urls(&bad, "https://turn.example.org", &why), -1);
    CHECK_EQ(mj_turn_add_urls(&bad, "turns:a\"b", &why), -1);
    CHECK_EQ(mj_turn_add_urls(&bad, "turns:a>; rel=x", &why), -1);
    CHECK_EQ(mj_turn_add_urls(&bad, "turn:", &why), -1);
    CHECK_EQ(mj_turn_add_urls(&bad, "turn:a,turn:b,turn:c,turn:d,turn:e", &why), -1);
}

TEST(ice_servers_json)
{
    mj_turn t = with_secret();
    json_t *none = mj_turn_ice_servers(&t, 1700000000);
    CHECK(json_is_array(none) && json_array_size(none) == 0);
    json_decref(none);
    const char *why;
    CHECK_EQ(
        mj_turn_add_urls(&t, "turns:turn.example.org:443?transport=tcp,turn:192.0.2.1:3478", &why),
        0);
    json_t *list = mj_turn_ice_servers(&t, 1700000000);
    CHECK_EQ(json_array_size(list), 1);
    json_t *e = json_array_get(list, 0);
    CHECK_EQ(json_array_size(json_object_get(e, "urls")), 2);
    const char *user = json_string_value(json_object_get(e, "username"));
    const char *cred = json_string_value(json_object_get(e, "credential"));
    CHECK(user && strncmp(user, "1700000600:", 11) == 0);
    char check[MJ_TURN_CRED_MAX];
    CHECK_EQ(mj_turn_password(t.secret, t.secret_len, user, check), 0);
    CHECK_STR(cred, check);
    json_decref(list);
}

TEST(secret_file)
{
    char path[] = "/tmp/mj-turn-secret-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(SECRET "\nignored\n", f);
    fclose(f);
    mj_turn t;
    memset(&t, 0, sizeof t);
    const char *why = NULL;
    CHECK_EQ(mj_turn_read_secret(&t, path, &why), 0);
    CHECK_EQ(t.secret_len, strlen(SECRET));
    CHECK_MEM(t.secret, SECRET, strlen(SECRET));
    f = fopen(path, "w");
    fputs("short\n", f);
    fclose(f);
    CHECK_EQ(mj_turn_read_secret(&t, path, &why), -1);
    remove(path);
    CHECK_EQ(mj_turn_read_secret(&t, path, &why), -1);
}

TEST_MAIN(password_is_coturns_hmac, credentials_expire_and_name_nobody, urls_are_checked,
          ice_servers_json, secret_file)
