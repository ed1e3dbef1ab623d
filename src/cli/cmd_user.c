/* majlis user suspend|unsuspend: operator actions on members, for when no
 * admin can act through the API (or the admin is the problem). */
#include "cli/commands.h"
#include "cli/flags.h"

#include "base/log.h"
#include "store/members.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int open_member(const char *name, const char *data, const char *handle, mj_store **s,
                       mj_user *u)
{
    char lower[MJ_USER_HANDLE_MAX + 1];
    size_t n = strlen(handle);
    if (n == 0 || n > MJ_USER_HANDLE_MAX) {
        fprintf(stderr, "majlis user %s: no member '%s'\n", name, handle);
        return 1;
    }
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(handle[i] >= 'A' && handle[i] <= 'Z' ? handle[i] - 'A' + 'a' : handle[i]);
    mj_log_set_level(MJ_LOG_WARN);
    const char *why = "cannot open the database";
    if (mj_store_open(data, s, &why) != 0) {
        fprintf(stderr, "majlis user %s: %s (%s)\n", name, why, data);
        return 1;
    }
    if (mj_store_user_by_handle(*s, lower, u) != 0) {
        fprintf(stderr, "majlis user %s: no member '%s' in %s\n", name, handle, data);
        mj_store_close(*s);
        return 1;
    }
    return 0;
}

static int suspension(int argc, char **argv, bool suspend)
{
    const char *name = suspend ? "suspend" : "unsuspend";
    const char *data = MJ_DEFAULT_DATA;
    bool subtree = false, dry_run = false;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"subtree", MJ_FLAG_BOOL, &subtree, NULL,
         "also everyone the member brought in, directly or not", 0, 0, false, false},
        {"dry-run", MJ_FLAG_BOOL, &dry_run, NULL, "only count the accounts it would touch", 0, 0,
         false, false},
        {0},
    };
    mj_command cmd = {suspend ? "user suspend" : "user unsuspend",
                      suspend ? "Suspends a member (and their invite subtree): their sessions end "
                                "at once and they cannot sign in."
                              : "Lifts the suspension of a member (and their invite subtree).",
                      "HANDLE",
                      1,
                      1,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    mj_store *s;
    mj_user u;
    if (open_member(name, data, args[0], &s, &u) != 0) return 1;
    mj_subtree_count n;
    int64_t changed = 0;
    int err = mj_store_subtree_count(s, u.id, subtree, 0, &n);
    if (!err && !dry_run)
        err = suspend ? mj_store_suspend(s, u.id, subtree, (int64_t)time(NULL), &changed)
                      : mj_store_unsuspend(s, u.id, subtree, &changed);
    mj_store_close(s);
    if (err) {
        fprintf(stderr, "majlis user %s: the database refused the change\n", name);
        return 1;
    }
    if (dry_run)
        printf("%lld account(s): %lld active, %lld suspended\n", (long long)n.accounts,
               (long long)n.active, (long long)n.suspended);
    else
        printf("%s %lld of %lld account(s)\n", suspend ? "suspended" : "lifted the suspension of",
               (long long)changed, (long long)n.accounts);
    return 0;
}

static int suspend_cmd(int argc, char **argv)
{
    return suspension(argc, argv, true);
}

static int unsuspend_cmd(int argc, char **argv)
{
    return suspension(argc, argv, false);
}

int mj_cmd_user(int argc, char **argv)
{
    static const mj_subcommand subs[] = {
        {"suspend", suspend_cmd}, {"unsuspend", unsuspend_cmd}, {NULL, NULL}};
    return mj_subcommands_run(
        "user",
        "usage: majlis user suspend|unsuspend [--data DIR] [--subtree] [--dry-run] HANDLE\n", subs,
        argc, argv);
}
