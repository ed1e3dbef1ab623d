/* A consistent copy of the data directory while a server writes to it:
 * the database through SQLite's online backup, the secret beside it. */
#include "store/store.h"

#include "base/log.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TRIES 300 /* 100 ms apart: a server's write never lasts 30 s */

/* The server's own connection style, but never creating the database and
 * falling back to read-only where the file is not writable. */
static int open_source(const char *path, sqlite3 **db, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "no database (majlis.db) in the data directory";
        return MJ_ENOTFOUND;
    }
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(*db);
        rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    }
    if (rc != SQLITE_OK) {
        mj_error("backup: cannot open %s: %s", path, *db ? sqlite3_errmsg(*db) : "?");
        sqlite3_close(*db);
        *db = NULL;
        *why = "cannot open the database";
        return MJ_EIO;
    }
    sqlite3_busy_timeout(*db, 5000);
    return 0;
}

/* All pages in one step: one read transaction, so one snapshot. A WAL
 * reader does not hold the server's writes up; a busy source (recovery,
 * a checkpoint that truncates) is waited for. */
static int copy_pages(sqlite3 *src, sqlite3 *dst, const char **why)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        mj_error("backup: %s", sqlite3_errmsg(dst));
        *why = "cannot start the copy";
        return MJ_EIO;
    }
    int rc;
    for (int i = 0; i < BUSY_TRIES; i++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(100);
    }
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || fin != SQLITE_OK) {
        mj_error("backup: copy failed: %s", sqlite3_errstr(rc != SQLITE_DONE ? rc : fin));
        *why = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the database stayed busy"
                                                        : "the copy failed";
        return MJ_EIO;
    }
    return 0;
}

static int exec_one(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    int ok =
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok) snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
    ok = ok && sqlite3_step(st) == SQLITE_DONE; /* one row only */
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* The copy stands alone: a rollback journal (the server turns WAL back on
 * when it opens it) and no error in the whole file. */
static int finish_copy(sqlite3 *dst, const char **why)
{
    char res[64];
    if (exec_one(dst, "PRAGMA journal_mode=DELETE", res, sizeof res) != 0 ||
        strcmp(res, "delete") != 0) {
        *why = "cannot take the copy out of WAL mode";
        return MJ_EIO;
    }
    if (exec_one(dst, "PRAGMA integrity_check", res, sizeof res) != 0 || strcmp(res, "ok") != 0) {
        *why = "the copy fails PRAGMA integrity_check";
        return MJ_EIO;
    }
    return 0;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Moves tmp to path: replacing it only with force (rename), otherwise
 * failing if it appeared meanwhile (link). */
static int put_in_place(const char *tmp, const char *path, bool force, const char **why)
{
    if (fsync_path(tmp) != 0) {
        *why = "cannot write the copy to disk";
        return MJ_EIO;
    }
    if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
        *why = errno == EEXIST ? "the backup file exists (--force replaces it)"
                               : "cannot move the copy into place";
        return errno == EEXIST ? MJ_EEXIST : MJ_EIO;
    }
    if (!force) unlink(tmp);
    return 0;
}

static int copy_db(const char *src_path, const char *tmp, const char **why)
{
    sqlite3 *src = NULL, *dst = NULL;
    int err = open_source(src_path, &src, why);
    if (err) return err;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        *why = "cannot open the temporary copy";
        err = MJ_EIO;
    }
    if (!err) err = copy_pages(src, dst, why);
    sqlite3_close(src);
    if (!err) err = finish_copy(dst, why);
    if (sqlite3_close(dst) != SQLITE_OK && !err) {
        *why = "cannot close the copy";
        err = MJ_EIO;
    }
    return err;
}

/* The secret: copied bytes, never through a string. */
static int copy_secret(const char *src_path, int fd, const char **why)
{
    uint8_t key[MJ_SECRET_LEN + 1];
    int in = open(src_path, O_RDONLY | O_CLOEXEC);
    if (in < 0 && errno == ENOENT) return MJ_ENOTFOUND;
    ssize_t n = in >= 0 ? read(in, key, sizeof key) : -1;
    if (in >= 0) close(in);
    int err = 0;
    if (n != MJ_SECRET_LEN) {
        *why = n < 0 ? "cannot read secret.key in the data directory"
                     : "secret.key in the data directory is damaged (wrong size)";
        err = MJ_EIO;
    } else if (write(fd, key, MJ_SECRET_LEN) != MJ_SECRET_LEN) {
        *why = "cannot write the copy of secret.key";
        err = MJ_EIO;
    }
    memset(key, 0, sizeof key);
    return err;
}

/* The backup goes elsewhere than the data directory: --force there could
 * replace the live database, and a copy beside the data is no backup. */
static int check_out(const char *data_dir, const char *out, const char **why)
{
    struct stat st;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
        *why = "--out names a directory; give the backup a file name";
        return MJ_EINVAL;
    }
    char dir[4096], *in_dir = NULL, *data = realpath(data_dir, NULL);
    snprintf(dir, sizeof dir, "%s", out);
    in_dir = realpath(dirname(dir), NULL);
    bool same = data && in_dir && strcmp(data, in_dir) == 0;
    free(data);
    free(in_dir);
    if (same) {
        *why = "the backup must go outside the data directory";
        return MJ_EINVAL;
    }
    return 0;
}

static int make_tmp(const char *path, char *tmp, size_t cap, int *fd)
{
    if ((size_t)snprintf(tmp, cap, "%s.XXXXXX", path) >= cap) return -1;
    *fd = mkstemp(tmp);
    return *fd < 0 ? -1 : 0;
}

int mj_store_backup(const char *data_dir, const char *out, bool force, bool *with_secret,
                    const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    char db[4096], key[4096], out_key[4096], tmp_db[4200], tmp_key[4200];
    if ((size_t)snprintf(db, sizeof db, "%s/majlis.db", data_dir) >= sizeof db ||
        (size_t)snprintf(key, sizeof key, "%s/secret.key", data_dir) >= sizeof key ||
        (size_t)snprintf(out_key, sizeof out_key, "%s.secret.key", out) >= sizeof out_key) {
        *why = "path too long";
        return MJ_EINVAL;
    }
    int err = check_out(data_dir, out, why);
    if (err) return err;
    if (!force && (access(out, F_OK) == 0 || access(out_key, F_OK) == 0)) {
        *why = "the backup file exists (--force replaces it)";
        return MJ_EEXIST;
    }
    int fd_db = -1, fd_key = -1;
    if (make_tmp(out, tmp_db, sizeof tmp_db, &fd_db) != 0 ||
        make_tmp(out_key, tmp_key, sizeof tmp_key, &fd_key) != 0) {
        if (fd_db >= 0) {
            close(fd_db);
            unlink(tmp_db);
        }
        *why = "cannot create a file next to the backup";
        return MJ_EIO;
    }
    close(fd_db);
    err = copy_secret(key, fd_key, why);
    close(fd_key);
    /* No secret yet (no server has run on this data): the database alone,
     * and no older secret beside it that would seem to belong to it. */
    *with_secret = err != MJ_ENOTFOUND;
    if (!*with_secret) err = 0;
    if (!err) err = copy_db(db, tmp_db, why);
    if (!err && *with_secret) err = put_in_place(tmp_key, out_key, force, why);
    if (!err && !*with_secret && unlink(out_key) != 0 && errno != ENOENT) {
        *why = "cannot remove an older copy of secret.key beside the backup";
        err = MJ_EIO;
    }
    if (!err) {
        err = put_in_place(tmp_db, out, force, why);
        if (err && *with_secret) unlink(out_key); /* both or neither */
    }
    unlink(tmp_db);
    unlink(tmp_key);
    char journal[4300];
    snprintf(journal, sizeof journal, "%s-journal", tmp_db);
    unlink(journal);
    if (!err) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", out);
        fsync_path(dirname(dir));
    }
    return err;
}
