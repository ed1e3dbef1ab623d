#include "room/role.h"

#include <string.h>

static const char *const names[] = {
    [MJ_ROLE_LISTENER] = "listener",
    [MJ_ROLE_SPEAKER] = "speaker",
    [MJ_ROLE_MODERATOR] = "moderator",
};

const char *mj_role_name(mj_role role)
{
    return (unsigned)role < sizeof names / sizeof names[0] ? names[role] : "?";
}

int mj_role_parse(const char *name, mj_role *out)
{
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (mj_role)i;
            return 0;
        }
    }
    return MJ_EINVAL;
}
