#include "room/token.h"

#include "base/rand.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX     "mj2."
#define OLD_PREFIX "mj1."
#define DOMAIN     "majlis room token v2|"
#define B64        sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void tag_of(const uint8_t secret[32], const char *payload, size_t len,
                   uint8_t tag[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, 32);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)DOMAIN, strlen(DOMAIN));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)payload, len);
    crypto_auth_hmacsha256_final(&st, tag);
}

static int room_ok(const char *room)
{
    size_t n = strlen(room);
    if (n == 0 || n > MJ_TOKEN_ROOM_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = room[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int mj_token_sign(const uint8_t secret[32], mj_token_claims *claims, char out[MJ_TOKEN_MAX])
{
    if (!room_ok(claims->room) || claims->user < 0 ||
        (claims->role != MJ_ROLE_LISTENER && claims->role != MJ_ROLE_SPEAKER))
        return MJ_EINVAL;
    do {
        claims->bot = mj_rand_u64();
    } while (claims->bot == 0);
    char payload[200];
    int plen = snprintf(payload, sizeof payload, "%s|%s|%lld|%lld|%016llx", claims->room,
                        mj_role_name(claims->role), (long long)claims->user,
                        (long long)claims->expires_at, (unsigned long long)claims->bot);
    if (plen < 0 || (size_t)plen >= sizeof payload) return MJ_ENOSPC;
    uint8_t tag[crypto_auth_hmacsha256_BYTES];
    tag_of(secret, payload, (size_t)plen, tag);
    char p64[sodium_base64_ENCODED_LEN(160, B64)];
    char t64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, B64)];
    sodium_bin2base64(p64, sizeof p64, (const uint8_t *)payload, (size_t)plen, B64);
    sodium_bin2base64(t64, sizeof t64, tag, sizeof tag, B64);
    int n = snprintf(out, MJ_TOKEN_MAX, PREFIX "%s.%s", p64, t64);
    return n > 0 && n < MJ_TOKEN_MAX ? 0 : MJ_ENOSPC;
}

/* Cuts the next '|'-separated field of at most cap - 1 bytes. */
static const char *field(const char *p, char *out, size_t cap)
{
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (n == 0 || n >= cap) return NULL;
    memcpy(out, p, n);
    out[n] = '\0';
    return bar ? bar + 1 : p + n;
}

static bool number(const char *text, bool hex, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(text, &end, hex ? 16 : 10);
    return errno == 0 && *end == '\0' && text[0] != '-' && text[0] != '+' && text[0] != ' ';
}

static int parse_payload(const char *payload, mj_token_claims *out)
{
    char room[MJ_TOKEN_ROOM_MAX + 1], seat[16], user[24], exp[24], nonce[24];
    const char *p = payload;
    if (!(p = field(p, room, sizeof room)) || !(p = field(p, seat, sizeof seat)) ||
        !(p = field(p, user, sizeof user)) || !(p = field(p, exp, sizeof exp)) ||
        !(p = field(p, nonce, sizeof nonce)) || *p != '\0')
        return MJ_EAUTH;
    unsigned long long u, e, b;
    if (!room_ok(room) || mj_role_parse(seat, &out->role) != 0 || out->role == MJ_ROLE_MODERATOR ||
        !number(user, false, &u) || u > INT64_MAX || !number(exp, false, &e) || e > INT64_MAX ||
        strlen(nonce) != 16 || !number(nonce, true, &b) || b == 0)
        return MJ_EAUTH;
    memcpy(out->room, room, strlen(room) + 1);
    out->user = (int64_t)u;
    out->expires_at = (int64_t)e;
    out->bot = b;
    return 0;
}

int mj_token_verify(const uint8_t secret[32], const char *token, size_t len, int64_t now,
                    mj_token_claims *out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    *why = "malformed token";
    if (len >= strlen(OLD_PREFIX) && memcmp(token, OLD_PREFIX, strlen(OLD_PREFIX)) == 0) {
        *why = "token from an earlier version of majlis; ask for a new one";
        return MJ_EAUTH;
    }
    if (len >= MJ_TOKEN_MAX || len < strlen(PREFIX) || memcmp(token, PREFIX, strlen(PREFIX)) != 0)
        return MJ_EAUTH;
    const char *body = token + strlen(PREFIX);
    size_t blen = len - strlen(PREFIX);
    const char *dot = memchr(body, '.', blen);
    if (!dot) return MJ_EAUTH;
    char payload[MJ_TOKEN_MAX];
    size_t plen;
    uint8_t tag[crypto_auth_hmacsha256_BYTES];
    size_t taglen;
    if (sodium_base642bin((uint8_t *)payload, sizeof payload - 1, body, (size_t)(dot - body), NULL,
                          &plen, NULL, B64) != 0)
        return MJ_EAUTH;
    payload[plen] = '\0';
    const char *t64 = dot + 1;
    size_t t64len = blen - (size_t)(t64 - body);
    if (sodium_base642bin(tag, sizeof tag, t64, t64len, NULL, &taglen, NULL, B64) != 0 ||
        taglen != sizeof tag)
        return MJ_EAUTH;
    uint8_t expect[crypto_auth_hmacsha256_BYTES];
    tag_of(secret, payload, plen, expect);
    if (sodium_memcmp(expect, tag, sizeof tag) != 0 || memchr(payload, '\0', plen)) {
        *why = "token signature is not valid";
        return MJ_EAUTH;
    }
    if (parse_payload(payload, out) != 0) return MJ_EAUTH;
    if (out->expires_at <= now) {
        *why = "token has expired";
        return MJ_EAUTH;
    }
    return 0;
}
