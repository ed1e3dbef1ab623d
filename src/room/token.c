#include "room/token.h"

#include "base/rand.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "mj1."
#define DOMAIN "majlis room token v1|"
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

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
    if (n == 0 || n > MJ_TOKEN_ROOM_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = room[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int mj_token_sign(const uint8_t secret[32], const mj_token_claims *claims, char out[MJ_TOKEN_MAX])
{
    if (!room_ok(claims->room))
        return MJ_EINVAL;
    char nonce[17];
    mj_rand_hex(nonce, 8);
    char payload[160];
    int plen = snprintf(payload, sizeof payload, "%s|%s|%lld|%s", claims->room,
                        mj_role_name(claims->role), (long long)claims->expires_at, nonce);
    if (plen < 0 || (size_t)plen >= sizeof payload)
        return MJ_ENOSPC;
    uint8_t tag[crypto_auth_hmacsha256_BYTES];
    tag_of(secret, payload, (size_t)plen, tag);
    char p64[sodium_base64_ENCODED_LEN(160, B64)];
    char t64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, B64)];
    sodium_bin2base64(p64, sizeof p64, (const uint8_t *)payload, (size_t)plen, B64);
    sodium_bin2base64(t64, sizeof t64, tag, sizeof tag, B64);
    int n = snprintf(out, MJ_TOKEN_MAX, PREFIX "%s.%s", p64, t64);
    return n > 0 && n < MJ_TOKEN_MAX ? 0 : MJ_ENOSPC;
}

static int parse_payload(const char *payload, mj_token_claims *out)
{
    char role[16];
    long long exp;
    char room[MJ_TOKEN_ROOM_MAX + 1];
    const char *bar1 = strchr(payload, '|');
    if (!bar1 || (size_t)(bar1 - payload) > MJ_TOKEN_ROOM_MAX)
        return MJ_EAUTH;
    memcpy(room, payload, (size_t)(bar1 - payload));
    room[bar1 - payload] = '\0';
    const char *bar2 = strchr(bar1 + 1, '|');
    if (!bar2 || (size_t)(bar2 - bar1 - 1) >= sizeof role)
        return MJ_EAUTH;
    memcpy(role, bar1 + 1, (size_t)(bar2 - bar1 - 1));
    role[bar2 - bar1 - 1] = '\0';
    char *end;
    exp = strtoll(bar2 + 1, &end, 10);
    if (end == bar2 + 1 || *end != '|')
        return MJ_EAUTH;
    if (!room_ok(room) || mj_role_parse(role, &out->role) != 0 || out->role == MJ_ROLE_MODERATOR)
        return MJ_EAUTH;
    memcpy(out->room, room, strlen(room) + 1);
    out->expires_at = exp;
    return 0;
}

int mj_token_verify(const uint8_t secret[32], const char *token, size_t len, int64_t now,
                    mj_token_claims *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = "malformed token";
    if (len >= MJ_TOKEN_MAX || len < strlen(PREFIX) || memcmp(token, PREFIX, strlen(PREFIX)) != 0)
        return MJ_EAUTH;
    const char *body = token + strlen(PREFIX);
    size_t blen = len - strlen(PREFIX);
    const char *dot = memchr(body, '.', blen);
    if (!dot)
        return MJ_EAUTH;
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
    if (parse_payload(payload, out) != 0)
        return MJ_EAUTH;
    if (out->expires_at <= now) {
        *why = "token has expired";
        return MJ_EAUTH;
    }
    return 0;
}
