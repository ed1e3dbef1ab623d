/* Scheduled rooms, and the two reads of the invite tree and of follows
 * that the hallway needs. */
#include "store/members_internal.h"
#include "store/rooms.h"

#include "base/log.h"

#include <stdio.h>
#include <string.h>

#define SCHEDULE_COLS "id, host, title, kind, starts_at, created_at"

static void read_schedule(sqlite3_stmt *st, mj_schedule *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->host = sqlite3_column_int64(st, 1);
    mj_sq_text(st, 2, out->title, sizeof out->title);
    out->kind = sqlite3_column_int(st, 3);
    out->starts_at = sqlite3_column_int64(st, 4);
    out->created_at = sqlite3_column_int64(st, 5);
}

static int insert(mj_store *s, const mj_schedule *in, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "INSERT INTO schedules (host, title, kind, starts_at, created_at) VALUES (?1, ?2, ?3, "
           "?4, ?5)");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, in->host);
    sqlite3_bind_text(st, 2, in->title, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, in->kind);
    sqlite3_bind_int64(st, 4, in->starts_at);
    sqlite3_bind_int64(st, 5, now);
    int err = mj_sq_run(s, st);
    if (!err) *id = sqlite3_last_insert_rowid(s->db);
    return err;
}

int mj_store_schedule_create(mj_store *s, const mj_schedule *in, int64_t now, mj_schedule *out)
{
    size_t tlen = strlen(in->title);
    if (tlen == 0 || tlen > MJ_ROOM_TITLE_MAX || in->kind < 0 || in->kind > 2 || in->host <= 0)
        return MJ_EINVAL;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    int64_t upcoming = 0, id = 0;
    int err =
        mj_sq_int64(s, "SELECT count(*) FROM schedules WHERE host = ?1", true, in->host, &upcoming);
    if (!err && upcoming >= MJ_SCHEDULES_PER_HOST) err = MJ_ELIMIT;
    if (!err) err = insert(s, in, now, &id);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    if (mj_sq_commit(s) != 0) return MJ_EIO;
    *out = *in;
    out->id = id;
    out->created_at = now;
    return 0;
}

int mj_store_schedule_get(mj_store *s, int64_t id, mj_schedule *out)
{
    sqlite3_stmt *st = mj_store_prepare(s, "SELECT " SCHEDULE_COLS " FROM schedules WHERE id = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), err = MJ_ENOTFOUND;
    if (rc == SQLITE_ROW) {
        read_schedule(st, out);
        err = 0;
    } else if (rc != SQLITE_DONE) {
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_schedule_delete(mj_store *s, int64_t id, int64_t host)
{
    sqlite3_stmt *st = mj_store_prepare(s, "DELETE FROM schedules WHERE id = ?1 AND host = ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, host);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) == 0) err = MJ_ENOTFOUND;
    return err;
}

int mj_store_schedules_for(mj_store *s, int64_t viewer, int64_t now, int64_t grace,
                           mj_schedule *out, size_t cap, size_t *n)
{
    /* A closed room's announcement is for its host alone: its title is
     * no one else's business. */
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT s.id, s.host, s.title, s.kind, s.starts_at, s.created_at FROM schedules s "
           "JOIN users u ON u.id = s.host "
           "WHERE s.starts_at >= ?2 AND u.suspended_at IS NULL AND u.deleted_at IS NULL AND "
           "(s.host = ?1 OR (s.kind <> 2 AND "
           " EXISTS (SELECT 1 FROM follows f WHERE f.follower = ?1 AND f.followee = s.host) AND "
           " NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker = s.host AND b.blocked = ?1))) "
           "ORDER BY s.starts_at, s.id LIMIT ?3");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, viewer);
    sqlite3_bind_int64(st, 2, now - grace);
    sqlite3_bind_int64(st, 3, (int64_t)cap);
    *n = 0;
    int rc;
    while (*n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_schedule(st, &out[(*n)++]);
    sqlite3_finalize(st);
    return *n == cap || rc == SQLITE_DONE ? 0 : MJ_EIO;
}

int mj_store_schedules_purge(mj_store *s, int64_t before)
{
    sqlite3_stmt *st = mj_store_prepare(s, "DELETE FROM schedules WHERE starts_at < ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, before);
    return mj_sq_run(s, st);
}

int mj_store_user_path(mj_store *s, int64_t user, int64_t *out, size_t cap, size_t *n)
{
    /* Up the tree from the user; the rows come deepest first. */
    sqlite3_stmt *st =
        mj_store_prepare(s, "WITH RECURSIVE up(id, parent, depth) AS ("
                            " SELECT id, invited_by, 0 FROM users WHERE id = ?1"
                            " UNION ALL SELECT u.id, u.invited_by, up.depth + 1 FROM users u"
                            " JOIN up ON u.id = up.parent WHERE up.depth < 10000)"
                            " SELECT id FROM up ORDER BY depth DESC");
    if (!st || cap < 2) return st ? (sqlite3_finalize(st), MJ_EINVAL) : MJ_EIO;
    sqlite3_bind_int64(st, 1, user);
    size_t k = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Keep the top cap - 1 levels, and the user last. */
        if (k < cap - 1) out[k++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || k == 0) return rc != SQLITE_DONE ? MJ_EIO : MJ_ENOTFOUND;
    if (out[k - 1] != user) out[k++] = user;
    *n = k;
    return 0;
}

int mj_store_following_ids(mj_store *s, int64_t user, int64_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = mj_store_prepare(s, "SELECT followee FROM follows WHERE follower = ?1 "
                                           "ORDER BY id DESC LIMIT ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int64(st, 2, (int64_t)cap);
    *n = 0;
    int rc;
    while (*n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW)
        out[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return *n == cap || rc == SQLITE_DONE ? 0 : MJ_EIO;
}
