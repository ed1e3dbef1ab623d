/* The one role type: what a person is in a room.
 *
 * Everyone in a room is a moderator, a speaker or a listener. Moderators
 * and speakers are "on stage" (they may send audio, unless muted);
 * listeners are the audience. Room tokens name a seat with the same type
 * (a bot's token is for the stage or the audience, never for moderation). */
#ifndef MJ_ROOM_ROLE_H
#define MJ_ROOM_ROLE_H

#include "base/err.h"

#include <stdbool.h>

typedef enum mj_role {
    MJ_ROLE_LISTENER = 0,
    MJ_ROLE_SPEAKER = 1,
    MJ_ROLE_MODERATOR = 2,
} mj_role;

static inline bool mj_role_on_stage(mj_role r)
{
    return r == MJ_ROLE_SPEAKER || r == MJ_ROLE_MODERATOR;
}

/* "listener", "speaker", "moderator". */
const char *mj_role_name(mj_role role);
/* The reverse of mj_role_name; MJ_EINVAL for anything else. */
MJ_MUST_USE int mj_role_parse(const char *name, mj_role *out);

#endif
