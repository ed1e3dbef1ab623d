/* Fuzz target for the credentials that arrive from anyone: room tokens
 * (Authorization: Bearer, src/room/token.c) and the Cookie header
 * (src/http/cookie.c). The first byte picks which. A forged token must
 * never verify; a cookie value handed out must lie inside the header. */
#include "http/cookie.h"
#include "room/token.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t secret[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                   7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

static const char *hdr_base;
static size_t hdr_len;

static bool check_value(const char *v, size_t n, void *ctx)
{
    (void)ctx;
    if (v < hdr_base || v + n > hdr_base + hdr_len) abort();
    return n == 3; /* accept only some, so the scan goes on */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        if (sodium_init() < 0) abort();
        init = true;
    }
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] & 1) {
        hdr_base = text;
        hdr_len = n;
        mj_cookie_find(text, n, "mj_session", check_value, NULL);
        mj_cookie_find(text, n, "", check_value, NULL);
        return 0;
    }
    mj_token_claims claims;
    const char *why = NULL;
    /* Nothing the fuzzer writes was signed with this secret, so nothing may
     * verify; if it did, a forgery would be possible. */
    if (mj_token_verify(secret, text, n, 0, &claims, &why) == 0) abort();
    if (!why) abort();
    /* Round trip: a real token made from fuzz bytes as the room verifies. */
    mj_token_claims c = {.role = (data[0] & 2) ? MJ_ROLE_SPEAKER : MJ_ROLE_LISTENER,
                         .expires_at = 100};
    size_t rl = n < MJ_TOKEN_ROOM_MAX ? n : MJ_TOKEN_ROOM_MAX;
    memcpy(c.room, text, rl);
    c.room[rl] = '\0';
    char tok[MJ_TOKEN_MAX];
    if (strlen(c.room) == rl && mj_token_sign(secret, &c, tok) == 0) {
        if (mj_token_verify(secret, tok, strlen(tok), 50, &claims, &why) != 0 ||
            strcmp(claims.room, c.room) != 0 || claims.role != c.role)
            abort();
    }
    return 0;
}
