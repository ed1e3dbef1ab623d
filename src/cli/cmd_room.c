/* majlis room create | end: operator tasks on the data directory. */
#include "cli/commands.h"
#include "cli/flags.h"

#include "api/names.h"
#include "base/log.h"
#include "room/room.h"
#include "store/rooms.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int open_store(const char *cmd, const char *data, mj_store **s)
{
    mj_log_set_level(MJ_LOG_WARN);
    const char *why = "cannot open the database";
    if (mj_store_open(data, s, &why) != 0) {
        fprintf(stderr, "majlis room %s: %s (%s)\n", cmd, why, data);
        return 1;
    }
    return 0;
}

static int room_create(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA, *type = "open";
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"type", MJ_FLAG_STRING, &type, "TYPE",
         "open (any member may enter; the default), social or closed", 0, 0, false, false},
        {0},
    };
    mj_command cmd = {"room create",
                      "Creates an operator's room (no moderator; it lives until `majlis room "
                      "end`) and prints its id alone on one line.",
                      "TITLE",
                      1,
                      1,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    char title[MJ_TITLE_MAX_BYTES + 1];
    const char *why = "invalid title";
    if (mj_title_normalize((const uint8_t *)args[0], strlen(args[0]), title, &why) != 0) {
        fprintf(stderr, "majlis room create: %s\n", why);
        return 2;
    }
    mj_room_kind kind;
    if (mj_room_kind_parse(type, &kind) != 0) {
        fprintf(stderr, "majlis room create: --type must be open, social or closed, not '%s'\n",
                type);
        return 2;
    }
    mj_store *s;
    if (open_store("create", data, &s)) return 1;
    mj_new_room nr = {.title = title, .kind = (int)kind};
    mj_room_rec room;
    int err = mj_store_room_create(s, &nr, (int64_t)time(NULL), &room);
    mj_store_close(s);
    if (err) {
        fprintf(stderr, "majlis room create: cannot create the room\n");
        return 1;
    }
    printf("%s\n", room.id);
    return 0;
}

static int room_end(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {0},
    };
    mj_command cmd = {
        "room end", "Ends a room: a running server sends everyone out within a second.", "ID", 1, 1,
        flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    mj_store *s;
    if (open_store("end", data, &s)) return 1;
    mj_room_rec room;
    int err = mj_store_room_get(s, args[0], &room);
    if (!err && !room.ended_at) err = mj_store_room_end(s, room.id, (int64_t)time(NULL));
    mj_store_close(s);
    if (err == MJ_ENOTFOUND) {
        fprintf(stderr, "majlis room end: no room '%s' in %s\n", args[0], data);
        return 1;
    }
    if (err) {
        fprintf(stderr, "majlis room end: cannot end the room\n");
        return 1;
    }
    return 0;
}

int mj_cmd_room(int argc, char **argv)
{
    static const mj_subcommand subs[] = {{"create", room_create}, {"end", room_end}, {NULL, NULL}};
    return mj_subcommands_run("room",
                              "usage: majlis room create [--data DIR] [--type TYPE] TITLE\n"
                              "       majlis room end [--data DIR] ID\n",
                              subs, argc, argv);
}
