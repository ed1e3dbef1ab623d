/* majlis backup: a consistent copy of the data directory, made while the
 * server runs. */
#include "cli/commands.h"
#include "cli/flags.h"

#include "base/log.h"
#include "store/store.h"

#include <stdio.h>

int mj_cmd_backup(int argc, char **argv)
{
    const char *data = MJ_DEFAULT_DATA, *out = NULL;
    bool force = false;
    mj_flag flags[] = {
        {"data", MJ_FLAG_STRING, &data, "DIR", "data directory (default ./data)", 0, 0, false,
         false},
        {"out", MJ_FLAG_STRING, &out, "FILE",
         "where the copy of the database goes, outside DIR; the secret goes to\n"
         "                             FILE.secret.key",
         0, 0, true, false},
        {"force", MJ_FLAG_BOOL, &force, NULL, "replace FILE if it exists", 0, 0, false, false},
        {0},
    };
    mj_command cmd = {"backup",
                      "Copies the database and the secret of a data directory, consistently,\n"
                      "while a server may be running on it and writing. Restore by stopping\n"
                      "the server, copying FILE to DIR/majlis.db and FILE.secret.key to\n"
                      "DIR/secret.key, deleting DIR/majlis.db-wal and DIR/majlis.db-shm,\n"
                      "and starting it again.",
                      NULL,
                      0,
                      0,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    mj_log_set_level(MJ_LOG_WARN);
    const char *why = "the backup failed";
    bool with_secret;
    int err = mj_store_backup(data, out, force, &with_secret, &why);
    if (err) {
        fprintf(stderr, "majlis backup: %s (data directory %s, backup %s)\n", why, data, out);
        return err == MJ_EEXIST || err == MJ_EINVAL ? 2 : 1;
    }
    if (with_secret)
        printf("majlis backup: wrote %s and %s.secret.key\n", out, out);
    else
        printf("majlis backup: wrote %s (the data directory has no secret.key yet)\n", out);
    return 0;
}
