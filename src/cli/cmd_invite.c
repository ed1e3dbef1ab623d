/* majlis invite create: an operator's invite link, made on the data
 * directory (the server may be running; SQLite serializes the writers). */
#include "cli/commands.h"
#include "cli/flags.h"

#include "base/log.h"
#include "store/members.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define INVITE_TTL_MAX_S (30L * 24 * 3600)

static int invite_create(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA, *url = "http://" MJ_DEFAULT_HTTP;
    long uses = 1, ttl_days = 0, ttl_seconds = 0;
    bool admin = false;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"uses", MJ_FLAG_INT, &uses, "N", "how many people may join with it (default 1)", 1, 100,
         false, false},
        {"ttl", MJ_FLAG_INT, &ttl_days, "DAYS", "days until it expires (default 7)", 1, 30, false,
         false},
        {"ttl-seconds", MJ_FLAG_INT, &ttl_seconds, "SECONDS", "expiry in seconds instead of days",
         1, INVITE_TTL_MAX_S, false, false},
        {"admin", MJ_FLAG_BOOL, &admin, NULL, "whoever joins with it is an admin", 0, 0, false,
         false},
        {"url", MJ_FLAG_STRING, &url, "BASE",
         "the server's public address for the link (default http://127.0.0.1:8080)", 0, 0, false,
         false},
        {0},
    };
    mj_command cmd = {"invite create",
                      "Creates an invite link and prints it alone on one line. Only a hash of "
                      "the code is stored: the link is shown this once.",
                      NULL,
                      0,
                      0,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    if (ttl_days && ttl_seconds) {
        fprintf(stderr, "majlis invite create: give --ttl or --ttl-seconds, not both\n");
        return 2;
    }
    long ttl = ttl_seconds ? ttl_seconds : (ttl_days ? ttl_days : 7) * 24L * 3600;
    mj_log_set_level(MJ_LOG_WARN);
    mj_store *s;
    const char *why = "cannot open the database";
    if (mj_store_open(data, &s, &why) != 0) {
        fprintf(stderr, "majlis invite create: %s (%s)\n", why, data);
        return 1;
    }
    char code[32];
    mj_invite inv;
    int err = mj_store_invite_create(s, 0, (int)uses, ttl, admin, (int64_t)time(NULL), code, &inv);
    mj_store_close(s);
    if (err) {
        fprintf(stderr, "majlis invite create: cannot create the invite\n");
        return 1;
    }
    size_t n = strlen(url);
    printf("%.*s/invite/%s\n", (int)(n && url[n - 1] == '/' ? n - 1 : n), url, code);
    sodium_memzero(code, sizeof code);
    return 0;
}

int mj_cmd_invite(int argc, char **argv)
{
    static const mj_subcommand subs[] = {{"create", invite_create}, {NULL, NULL}};
    return mj_subcommands_run("invite",
                              "usage: majlis invite create [--data DIR] [--uses N] [--ttl DAYS] "
                              "[--admin] [--url BASE]\n",
                              subs, argc, argv);
}
