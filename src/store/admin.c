/* Administration: the invite tree's branches, suspension, quotas and the
 * admin flag. */
#include "store/members_internal.h"

#include "base/log.h"

#include <stdio.h>

/* The member alone, or the member and everyone below them in the invite
 * tree. UNION (not UNION ALL) makes the walk stop even if the tree were
 * ever damaged into a cycle. */
#define SUBTREE_CTE                                                                                \
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT u.id FROM users u JOIN sub "                \
    "ON u.invited_by = sub.id WHERE ?2) "

int mj_store_subtree_count(mj_store *s, int64_t root, bool subtree, int64_t actor,
                           mj_subtree_count *out)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, SUBTREE_CTE "SELECT count(*), "
                       "coalesce(sum(suspended_at IS NULL AND deleted_at IS NULL), 0), "
                       "coalesce(sum(suspended_at IS NOT NULL), 0), coalesce(sum(id = ?3), 0) "
                       "FROM users WHERE id IN sub");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int(st, 2, subtree);
    sqlite3_bind_int64(st, 3, actor);
    int err = MJ_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->accounts = sqlite3_column_int64(st, 0);
        out->active = sqlite3_column_int64(st, 1);
        out->suspended = sqlite3_column_int64(st, 2);
        out->contains = sqlite3_column_int64(st, 3) != 0;
        err = 0;
    }
    sqlite3_finalize(st);
    return err;
}

static int branch_sql(mj_store *s, const char *sql, int64_t root, bool subtree, int64_t now,
                      int64_t *changed)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int(st, 2, subtree);
    if (sqlite3_bind_parameter_count(st) >= 3) sqlite3_bind_int64(st, 3, now);
    int err = mj_sq_run(s, st);
    if (!err && changed) *changed = sqlite3_changes(s->db);
    return err;
}

int mj_store_suspend(mj_store *s, int64_t root, bool subtree, int64_t now, int64_t *changed)
{
    *changed = 0;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    int err = branch_sql(s,
                         SUBTREE_CTE "UPDATE users SET suspended_at = ?3 WHERE id IN sub "
                                     "AND suspended_at IS NULL AND deleted_at IS NULL",
                         root, subtree, now, changed);
    if (!err)
        err = branch_sql(s, SUBTREE_CTE "DELETE FROM sessions WHERE user_id IN sub", root, subtree,
                         now, NULL);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    return mj_sq_commit(s);
}

int mj_store_unsuspend(mj_store *s, int64_t root, bool subtree, int64_t *changed)
{
    *changed = 0;
    return branch_sql(s,
                      SUBTREE_CTE "UPDATE users SET suspended_at = NULL WHERE id IN sub "
                                  "AND suspended_at IS NOT NULL",
                      root, subtree, 0, changed);
}

static int set_int(mj_store *s, const char *sql, int64_t id, int value)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, value);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_ENOTFOUND;
    return err;
}

int mj_store_user_set_quota(mj_store *s, int64_t id, int quota)
{
    return set_int(s, "UPDATE users SET invite_quota = ?2 WHERE id = ?1 AND deleted_at IS NULL", id,
                   quota);
}

int mj_store_user_set_admin(mj_store *s, int64_t id, bool admin)
{
    return set_int(s, "UPDATE users SET is_admin = ?2 WHERE id = ?1 AND deleted_at IS NULL", id,
                   admin);
}

int mj_store_invitees(mj_store *s, int64_t id, int64_t after, mj_user_brief *out, size_t cap,
                      size_t *n)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT id, handle, display_name, suspended_at IS NOT NULL FROM users "
                            "WHERE invited_by = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (int64_t)cap);
    return mj_sq_briefs(s, st, out, cap, n);
}
