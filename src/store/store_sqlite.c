/* The SQLite implementation of the store: opening, pragmas and
 * migrations. */
#include "store/store_internal.h"

#include "base/log.h"
#include "base/rand.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

sqlite3_stmt *mj_store_prepare(mj_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        mj_error("store: cannot prepare statement: %s", sqlite3_errmsg(s->db));
        return NULL;
    }
    return st;
}

int mj_store_exec(mj_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        mj_error("store: %s", err ? err : sqlite3_errmsg(s->db));
        sqlite3_free(err);
        return MJ_EIO;
    }
    return 0;
}

int mj_data_dir_ensure(const char *data_dir, const char **why)
{
    struct stat st;
    if (stat(data_dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            *why = "data path exists and is not a directory";
            return MJ_EINVAL;
        }
        return 0;
    }
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        *why = "cannot create the data directory";
        return MJ_EIO;
    }
    return 0;
}

int mj_store_open_raw(const char *data_dir, mj_store **out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    int err = mj_data_dir_ensure(data_dir, why);
    if (err) return err;
    mj_store *s = calloc(1, sizeof *s);
    if (!s) return MJ_ENOMEM;
    if ((size_t)snprintf(s->path, sizeof s->path, "%s/majlis.db", data_dir) >= sizeof s->path) {
        free(s);
        *why = "data directory path too long";
        return MJ_EINVAL;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
        mj_error("store: cannot open %s: %s", s->path, s->db ? sqlite3_errmsg(s->db) : "?");
        sqlite3_close(s->db);
        free(s);
        *why = "cannot open the database";
        return MJ_EIO;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL keeps readers and the writer apart; synchronous=FULL makes every
     * committed transaction survive a crash or power loss. */
    if (mj_store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;") != 0) {
        mj_store_close(s);
        *why = "cannot configure the database";
        return MJ_EIO;
    }
    *out = s;
    return 0;
}

int mj_store_schema_latest(void)
{
    return mj_store_migration_count;
}

int mj_store_schema_version(mj_store *s)
{
    sqlite3_stmt *st = mj_store_prepare(s, "PRAGMA user_version");
    int v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int mj_store_migrate_to(mj_store *s, int target, const char **why)
{
    int current = mj_store_schema_version(s);
    if (current < 0) {
        *why = "cannot read the schema version";
        return MJ_EIO;
    }
    if (current > mj_store_migration_count) {
        *why = "the database was written by a newer majlis; upgrade majlis to open it";
        mj_error("store: database schema version %d is newer than this binary knows (%d)", current,
                 mj_store_migration_count);
        return MJ_EUNSUPP;
    }
    for (int v = current; v < target; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
        /* Each migration and its version bump commit together or not at
         * all, so a crash mid-upgrade leaves the previous version intact. */
        if (mj_store_exec(s, "BEGIN IMMEDIATE") != 0) goto fail;
        if (mj_store_exec(s, mj_store_migrations[v].sql) != 0 || mj_store_exec(s, bump) != 0) {
            mj_store_exec(s, "ROLLBACK");
            goto fail;
        }
        if (mj_store_exec(s, "COMMIT") != 0) goto fail;
        mj_info("store: applied migration %d (%s)", v + 1, mj_store_migrations[v].name);
    }
    return 0;
fail:
    *why = "a schema migration failed";
    return MJ_EIO;
}

int mj_store_open(const char *data_dir, mj_store **out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    mj_store *s;
    int err = mj_store_open_raw(data_dir, &s, why);
    if (err) return err;
    err = mj_store_migrate_to(s, mj_store_migration_count, why);
    if (err) {
        mj_store_close(s);
        return err;
    }
    *out = s;
    return 0;
}

void mj_store_close(mj_store *s)
{
    if (!s) return;
    sqlite3_close_v2(s->db);
    free(s);
}
