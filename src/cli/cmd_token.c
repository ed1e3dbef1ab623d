/* majlis token: prints a signed room token for operators and scripts. */
#include "cli/commands.h"
#include "cli/flags.h"

#include "base/log.h"
#include "room/token.h"
#include "store/rooms.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int mj_cmd_token(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA, *room = NULL, *role = NULL;
    long ttl = 24 * 3600;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"room", MJ_FLAG_STRING, &room, "ID", "room id", 0, 0, true, false},
        {"role", MJ_FLAG_STRING, &role, "ROLE", "speaker or listener", 0, 0, true, false},
        {"ttl", MJ_FLAG_INT, &ttl, "SECONDS", "lifetime (default 86400)", 1, 366L * 24 * 3600,
         false, false},
        {0},
    };
    mj_command cmd = {"token", "Prints a bearer token for a room alone on one line.", NULL, 0, 0,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    mj_token_claims claims;
    memset(&claims, 0, sizeof claims);
    if (mj_role_parse(role, &claims.role) != 0 || claims.role == MJ_ROLE_MODERATOR) {
        fprintf(stderr, "majlis token: --role must be speaker or listener, not '%s'\n", role);
        return 2;
    }
    mj_log_set_level(MJ_LOG_WARN);
    mj_store *s;
    const char *why = "cannot open the database";
    if (mj_store_open(data, &s, &why) != 0) {
        fprintf(stderr, "majlis token: %s (%s)\n", why, data);
        return 1;
    }
    mj_room_rec rec;
    int err = mj_store_room_get(s, room, &rec);
    mj_store_close(s);
    if (err) {
        fprintf(stderr, "majlis token: no room '%s' in %s\n", room, data);
        return 1;
    }
    if (rec.ended_at) {
        fprintf(stderr, "majlis token: room '%s' has ended\n", room);
        return 1;
    }
    uint8_t secret[MJ_SECRET_LEN];
    if (mj_data_secret(data, secret, &why) != 0) {
        fprintf(stderr, "majlis token: %s\n", why);
        return 1;
    }
    snprintf(claims.room, sizeof claims.room, "%s", rec.id);
    claims.expires_at = (int64_t)time(NULL) + ttl;
    char token[MJ_TOKEN_MAX];
    if (mj_token_sign(secret, &claims, token) != 0) {
        fprintf(stderr, "majlis token: cannot sign the token\n");
        return 1;
    }
    printf("%s\n", token);
    return 0;
}
