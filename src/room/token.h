/* Room tokens: bearer credentials that let a bot or another WHIP/WHEP
 * client into one room until they expire, on a seat on stage (speaker) or
 * in the audience (listener).
 *
 * A token is "mj2." + base64url(payload) + "." + base64url(tag) where the
 * payload is "ROOM|SEAT|USER|EXPIRY|NONCE" and the tag is HMAC-SHA256
 * (libsodium) over a domain-separation prefix and the payload, keyed with
 * the server secret. The MAC covers the room, so a token cannot be moved to
 * another room; its seat, so a listener cannot promote itself; and the
 * member who had it made (USER, 0 for the operator), so whatever holds it
 * answers to that member: suspending or removing them ends it too. The
 * random NONCE makes each token a distinct bot in the room (its key,
 * claims.bot), which moderators can remove on its own. Pure: the current
 * time is passed in. */
#ifndef MJ_ROOM_TOKEN_H
#define MJ_ROOM_TOKEN_H

#include "base/err.h"
#include "room/role.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_TOKEN_MAX      256
#define MJ_TOKEN_ROOM_MAX 64

typedef struct mj_token_claims {
    char room[MJ_TOKEN_ROOM_MAX + 1];
    mj_role role;       /* the seat: MJ_ROLE_LISTENER or MJ_ROLE_SPEAKER */
    int64_t user;       /* the member it answers to; 0: the operator */
    int64_t expires_at; /* unix seconds */
    uint64_t bot;       /* the bot's key, from the nonce; never 0 */
} mj_token_claims;

/* Writes a NUL-terminated token into out (MJ_TOKEN_MAX bytes) and the
 * fresh bot key into claims->bot. MJ_EINVAL for a bad room, seat or user. */
MJ_MUST_USE int mj_token_sign(const uint8_t secret[32], mj_token_claims *claims,
                              char out[MJ_TOKEN_MAX]);
/* Verifies signature and expiry. MJ_EAUTH for anything forged, malformed
 * or expired (*why says which). */
MJ_MUST_USE int mj_token_verify(const uint8_t secret[32], const char *token, size_t len,
                                int64_t now, mj_token_claims *out, const char **why);

#endif
