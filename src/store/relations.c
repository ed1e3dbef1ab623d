/* Follows and blocks between members. */
#include "store/members_internal.h"

#include "base/log.h"

static int pair_sql(mj_store *s, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return mj_sq_run(s, st);
}

int mj_store_relation(mj_store *s, int64_t viewer, int64_t user, mj_relation *out)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT EXISTS (SELECT 1 FROM follows WHERE follower = ?1 AND followee = ?2), "
           "EXISTS (SELECT 1 FROM follows WHERE follower = ?2 AND followee = ?1), "
           "EXISTS (SELECT 1 FROM blocks WHERE blocker = ?1 AND blocked = ?2), "
           "EXISTS (SELECT 1 FROM blocks WHERE blocker = ?2 AND blocked = ?1)");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, viewer);
    sqlite3_bind_int64(st, 2, user);
    int err = MJ_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->following = sqlite3_column_int(st, 0) != 0;
        out->followed_by = sqlite3_column_int(st, 1) != 0;
        out->blocking = sqlite3_column_int(st, 2) != 0;
        out->blocked_by = sqlite3_column_int(st, 3) != 0;
        err = 0;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_follow(mj_store *s, int64_t follower, int64_t followee)
{
    if (follower == followee) return MJ_EINVAL;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    mj_relation r;
    int err = mj_store_relation(s, follower, followee, &r);
    if (!err && (r.blocking || r.blocked_by)) err = MJ_EAUTH;
    if (!err)
        err = pair_sql(s, "INSERT OR IGNORE INTO follows (follower, followee) VALUES (?1, ?2)",
                       follower, followee);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    return mj_sq_commit(s);
}

int mj_store_unfollow(mj_store *s, int64_t follower, int64_t followee)
{
    return pair_sql(s, "DELETE FROM follows WHERE follower = ?1 AND followee = ?2", follower,
                    followee);
}

int mj_store_block(mj_store *s, int64_t blocker, int64_t blocked)
{
    if (blocker == blocked) return MJ_EINVAL;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    int err = pair_sql(s, "INSERT OR IGNORE INTO blocks (blocker, blocked) VALUES (?1, ?2)",
                       blocker, blocked);
    if (!err)
        err = pair_sql(s,
                       "DELETE FROM follows WHERE (follower = ?1 AND followee = ?2) OR "
                       "(follower = ?2 AND followee = ?1)",
                       blocker, blocked);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    return mj_sq_commit(s);
}

int mj_store_unblock(mj_store *s, int64_t blocker, int64_t blocked)
{
    return pair_sql(s, "DELETE FROM blocks WHERE blocker = ?1 AND blocked = ?2", blocker, blocked);
}

int mj_store_is_blocked(mj_store *s, int64_t blocker, int64_t user, bool *blocked)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker = ?1 AND blocked = ?2)");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, blocker);
    sqlite3_bind_int64(st, 2, user);
    return mj_sq_exists(s, st, blocked);
}

int mj_store_follow_list(mj_store *s, int64_t user, bool followers, int64_t viewer, int64_t before,
                         mj_user_brief *out, size_t cap, size_t *n)
{
    /* The other end of each follow, when it is an active account that has
     * not blocked the viewer. */
    static const char followers_sql[] =
        "SELECT f.id, u.handle, u.display_name, 0 FROM follows f JOIN users u ON u.id = f.follower "
        "WHERE f.followee = ?1 AND (?3 = 0 OR f.id < ?3) AND u.suspended_at IS NULL "
        "AND u.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM blocks b "
        "WHERE b.blocker = u.id AND b.blocked = ?2) ORDER BY f.id DESC LIMIT ?4";
    static const char following_sql[] =
        "SELECT f.id, u.handle, u.display_name, 0 FROM follows f JOIN users u ON u.id = f.followee "
        "WHERE f.follower = ?1 AND (?3 = 0 OR f.id < ?3) AND u.suspended_at IS NULL "
        "AND u.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM blocks b "
        "WHERE b.blocker = u.id AND b.blocked = ?2) ORDER BY f.id DESC LIMIT ?4";
    sqlite3_stmt *st = mj_store_prepare(s, followers ? followers_sql : following_sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int64(st, 2, viewer);
    sqlite3_bind_int64(st, 3, before);
    sqlite3_bind_int64(st, 4, (int64_t)cap);
    return mj_sq_briefs(s, st, out, cap, n);
}

int mj_store_follow_counts(mj_store *s, int64_t user, int64_t *followers, int64_t *following)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT (SELECT count(*) FROM follows f JOIN users u ON u.id = f.follower "
           "WHERE f.followee = ?1 AND u.suspended_at IS NULL AND u.deleted_at IS NULL), "
           "(SELECT count(*) FROM follows f JOIN users u ON u.id = f.followee "
           "WHERE f.follower = ?1 AND u.suspended_at IS NULL AND u.deleted_at IS NULL)");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, user);
    int err = MJ_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *followers = sqlite3_column_int64(st, 0);
        *following = sqlite3_column_int64(st, 1);
        err = 0;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_block_list(mj_store *s, int64_t viewer, int64_t before, mj_user_brief *out, size_t cap,
                        size_t *n)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT b.id, u.handle, u.display_name, u.suspended_at IS NOT NULL FROM blocks b "
           "JOIN users u ON u.id = b.blocked WHERE b.blocker = ?1 AND (?2 = 0 OR b.id < ?2) "
           "AND u.deleted_at IS NULL ORDER BY b.id DESC LIMIT ?3");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, viewer);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, (int64_t)cap);
    return mj_sq_briefs(s, st, out, cap, n);
}
