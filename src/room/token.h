/* Room tokens: bearer credentials that let their holder publish (speaker)
 * or listen (listener) in one room until they expire.
 *
 * A token is "mj1." + base64url(payload) + "." + base64url(tag) where the
 * payload is "ROOM|ROLE|EXPIRY|NONCE" and the tag is HMAC-SHA256 (libsodium)
 * over a domain-separation prefix and the payload, keyed with the server
 * secret. The MAC covers the room, so a token cannot be moved to another
 * room, and its role, so a listener cannot promote itself. Pure: the
 * current time is passed in. */
#ifndef MJ_ROOM_TOKEN_H
#define MJ_ROOM_TOKEN_H

#include "base/err.h"
#include "room/role.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_TOKEN_MAX 256
#define MJ_TOKEN_ROOM_MAX 64

typedef struct mj_token_claims {
    char room[MJ_TOKEN_ROOM_MAX + 1];
    mj_role role;
    int64_t expires_at; /* unix seconds */
} mj_token_claims;

/* Writes a NUL-terminated token into out (MJ_TOKEN_MAX bytes). */
MJ_MUST_USE int mj_token_sign(const uint8_t secret[32], const mj_token_claims *claims,
                              char out[MJ_TOKEN_MAX]);
/* Verifies signature and expiry. MJ_EAUTH for anything forged, malformed
 * or expired (*why says which). */
MJ_MUST_USE int mj_token_verify(const uint8_t secret[32], const char *token, size_t len,
                                int64_t now, mj_token_claims *out, const char **why);

#endif
