/* majlis room create: operator task on the data directory. */
#include "cli/commands.h"
#include "cli/flags.h"

#include "base/log.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int room_create(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false, false},
        {0},
    };
    mj_command cmd = {"room create", "Creates a room and prints its id alone on one line.",
                      "TITLE", 1, 1, flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc)
        return rc == 1 ? 0 : 2;
    const char *title = args[0];
    if (strlen(title) == 0 || strlen(title) > MJ_ROOM_TITLE_MAX) {
        fprintf(stderr, "majlis room create: the title must be 1 to %d bytes\n",
                MJ_ROOM_TITLE_MAX);
        return 2;
    }
    mj_log_set_level(MJ_LOG_WARN);
    mj_store *s;
    const char *why = "cannot open the database";
    if (mj_store_open(data, &s, &why) != 0) {
        fprintf(stderr, "majlis room create: %s (%s)\n", why, data);
        return 1;
    }
    mj_room_rec room;
    int err = mj_store_room_create(s, title, (int64_t)time(NULL), &room);
    mj_store_close(s);
    if (err) {
        fprintf(stderr, "majlis room create: cannot create the room\n");
        return 1;
    }
    printf("%s\n", room.id);
    return 0;
}

int mj_cmd_room(int argc, char **argv)
{
    static const mj_subcommand subs[] = {{"create", room_create}, {NULL, NULL}};
    return mj_subcommands_run("room", "usage: majlis room create [--data DIR] TITLE\n", subs, argc,
                              argv);
}
