/* Accounts: sign-up through an invite, lookups, profile changes and
 * deletion. */
#include "store/members_internal.h"

#include "base/log.h"
#include "base/rand.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int mj_sq_begin(mj_store *s)
{
    return mj_store_exec(s, "BEGIN IMMEDIATE");
}

int mj_sq_commit(mj_store *s)
{
    if (mj_store_exec(s, "COMMIT") != 0) {
        mj_sq_rollback(s);
        return MJ_EIO;
    }
    return 0;
}

void mj_sq_rollback(mj_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) (void)mj_store_exec(s, "ROLLBACK");
}

void mj_sq_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

void mj_sq_user(sqlite3_stmt *st, int c, mj_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, c);
    mj_sq_text(st, c + 1, u->handle, sizeof u->handle);
    mj_sq_text(st, c + 2, u->display_name, sizeof u->display_name);
    mj_sq_text(st, c + 3, u->bio, sizeof u->bio);
    u->invited_by = sqlite3_column_int64(st, c + 4);
    u->is_admin = sqlite3_column_int(st, c + 5) != 0;
    u->invite_quota = sqlite3_column_int(st, c + 6);
    u->created_at = sqlite3_column_int64(st, c + 7);
    u->suspended_at = sqlite3_column_int64(st, c + 8);
    u->deleted_at = sqlite3_column_int64(st, c + 9);
}

int mj_sq_run(mj_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        mj_error("store: statement failed: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : MJ_EIO;
}

int mj_sq_int64(mj_store *s, const char *sql, bool has_arg, int64_t arg, int64_t *out)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    if (has_arg) sqlite3_bind_int64(st, 1, arg);
    int err = MJ_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        err = 0;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_sq_exists(mj_store *s, sqlite3_stmt *st, bool *found)
{
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) != 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        mj_error("store: query failed: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : MJ_EIO;
}

void mj_sq_handle_hash(const char *handle, uint8_t out[MJ_HASH_LEN])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    static const char domain[] = "majlis retired handle\n";
    crypto_hash_sha256_update(&h, (const uint8_t *)domain, sizeof domain - 1);
    char lower[MJ_USER_HANDLE_MAX + 1];
    size_t n = strnlen(handle, MJ_USER_HANDLE_MAX);
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)(handle[i] >= 'A' && handle[i] <= 'Z' ? handle[i] - 'A' + 'a' : handle[i]);
    crypto_hash_sha256_update(&h, (const uint8_t *)lower, n);
    crypto_hash_sha256_final(&h, out);
}

int mj_sq_briefs(mj_store *s, sqlite3_stmt *st, mj_user_brief *out, size_t cap, size_t *n)
{
    *n = 0;
    int rc;
    while (*n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        mj_user_brief *b = &out[(*n)++];
        b->cursor = sqlite3_column_int64(st, 0);
        mj_sq_text(st, 1, b->handle, sizeof b->handle);
        mj_sq_text(st, 2, b->display_name, sizeof b->display_name);
        b->suspended = sqlite3_column_int64(st, 3) != 0;
    }
    if (*n < cap && rc != SQLITE_DONE) {
        mj_error("store: list failed: %s", sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return MJ_EIO;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Inside the sign-up transaction: can the invite be used now? */
static int redeemable(mj_store *s, const uint8_t hash[MJ_HASH_LEN], int64_t now, mj_invite *inv,
                      mj_invite_state *state)
{
    int err = mj_store_invite_check(s, hash, now, inv, state);
    if (err) return err;
    return *state == MJ_INVITE_OK ? 0 : MJ_EAUTH;
}

int mj_store_handle_taken(mj_store *s, const char *handle, bool *taken)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT EXISTS (SELECT 1 FROM users WHERE handle = ?1) OR "
                            "EXISTS (SELECT 1 FROM retired_handles WHERE hash = ?2)");
    if (!st) return MJ_EIO;
    uint8_t h[MJ_HASH_LEN];
    mj_sq_handle_hash(handle, h);
    sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
    return mj_sq_exists(s, st, taken);
}

static int insert_user(mj_store *s, const mj_new_user *nu, const mj_invite *inv, int64_t now,
                       int64_t *id)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "INSERT INTO users (handle, display_name, pass_hash, is_admin, invited_by, invite_id, "
           "invite_quota, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, nu->handle, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nu->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nu->pass_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, inv->grants_admin);
    if (inv->created_by)
        sqlite3_bind_int64(st, 5, inv->created_by);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, inv->id);
    sqlite3_bind_int(st, 7, nu->invite_quota);
    sqlite3_bind_int64(st, 8, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return MJ_EEXIST;
    if (rc != SQLITE_DONE) {
        mj_error("store: cannot insert the account: %s", sqlite3_errmsg(s->db));
        return MJ_EIO;
    }
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int use_invite(mj_store *s, int64_t invite_id)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "UPDATE invites SET uses = uses + 1 WHERE id = ?1 AND uses < max_uses");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, invite_id);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_EAUTH;
    return err;
}

int mj_store_signup(mj_store *s, const mj_new_user *nu, mj_new_session *sess, int64_t now,
                    mj_user *out, mj_invite_state *state)
{
    *state = MJ_INVITE_OK;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    mj_invite inv;
    int64_t id = 0;
    bool taken = false;
    int err = redeemable(s, nu->invite_hash, now, &inv, state);
    if (!err) err = mj_store_handle_taken(s, nu->handle, &taken);
    if (!err && taken) err = MJ_EEXIST;
    if (!err && (err = use_invite(s, inv.id)) == MJ_EAUTH) *state = MJ_INVITE_USED;
    if (!err) err = insert_user(s, nu, &inv, now, &id);
    if (!err) err = mj_store_session_create(s, id, sess, now);
    if (!err)
        err = mj_sq_commit(s);
    else
        mj_sq_rollback(s);
    if (!err) err = mj_store_user_by_id(s, id, out);
    return err;
}

static int user_where(mj_store *s, const char *where, const char *text, int64_t id, mj_user *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " MJ_SQ_USER_COLS " FROM users u WHERE %s", where);
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    int err = MJ_ENOTFOUND;
    if (rc == SQLITE_ROW) {
        mj_sq_user(st, 0, out);
        err = 0;
    } else if (rc != SQLITE_DONE) {
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_user_by_handle(mj_store *s, const char *handle, mj_user *out)
{
    return user_where(s, "u.handle = ?1 AND u.deleted_at IS NULL", handle, 0, out);
}

int mj_store_user_by_id(mj_store *s, int64_t id, mj_user *out)
{
    return user_where(s, "u.id = ?1", NULL, id, out);
}

int mj_store_user_pass_hash(mj_store *s, int64_t id, char out[MJ_PASS_HASH_MAX])
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT pass_hash FROM users WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    int err = MJ_ENOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        mj_sq_text(st, 0, out, MJ_PASS_HASH_MAX);
        err = 0;
    } else if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_user_set_pass(mj_store *s, int64_t id, const char *pass_hash, const char *keep)
{
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    sqlite3_stmt *st =
        mj_store_prepare(s, "UPDATE users SET pass_hash = ?2 WHERE id = ?1 AND deleted_at IS NULL");
    int err = MJ_EIO;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, pass_hash, -1, SQLITE_STATIC);
        err = mj_sq_run(s, st);
    }
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_ENOTFOUND;
    if (!err) {
        st = mj_store_prepare(s, "DELETE FROM sessions WHERE user_id = ?1 AND id IS NOT ?2");
        err = MJ_EIO;
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            if (keep) sqlite3_bind_text(st, 2, keep, -1, SQLITE_STATIC);
            err = mj_sq_run(s, st);
        }
    }
    if (!err) return mj_sq_commit(s);
    mj_sq_rollback(s);
    return err;
}

int mj_store_user_update_profile(mj_store *s, int64_t id, const char *display_name, const char *bio)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "UPDATE users SET display_name = coalesce(?2, display_name), bio = coalesce(?3, bio) "
           "WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    if (display_name) sqlite3_bind_text(st, 2, display_name, -1, SQLITE_STATIC);
    if (bio) sqlite3_bind_text(st, 3, bio, -1, SQLITE_STATIC);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_ENOTFOUND;
    return err;
}

static int run_id(mj_store *s, const char *sql, int64_t id, int64_t now)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, now);
    return mj_sq_run(s, st);
}

static int retire_handle(mj_store *s, const char *handle)
{
    uint8_t h[MJ_HASH_LEN];
    mj_sq_handle_hash(handle, h);
    sqlite3_stmt *st = mj_store_prepare(s, "INSERT OR IGNORE INTO retired_handles VALUES (?1)");
    if (!st) return MJ_EIO;
    sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_TRANSIENT);
    return mj_sq_run(s, st);
}

int mj_store_user_delete(mj_store *s, int64_t id, int64_t now)
{
    static const char *const steps[] = {
        "DELETE FROM sessions WHERE user_id = ?1",
        "DELETE FROM follows WHERE follower = ?1 OR followee = ?1",
        "DELETE FROM blocks WHERE blocker = ?1 OR blocked = ?1",
        "DELETE FROM room_members WHERE user_id = ?1",
        "DELETE FROM schedules WHERE host = ?1",
        "UPDATE invites SET revoked_at = ?2 WHERE created_by = ?1 AND revoked_at IS NULL "
        "AND uses < max_uses",
        "UPDATE users SET handle = NULL, display_name = NULL, bio = '', pass_hash = NULL, "
        "is_admin = 0, invite_quota = 0, deleted_at = ?2 WHERE id = ?1",
    };
    mj_user u;
    int err = mj_sq_begin(s);
    if (err) return MJ_EIO;
    err = mj_store_user_by_id(s, id, &u);
    if (!err && u.deleted_at) err = MJ_ENOTFOUND;
    if (!err) err = retire_handle(s, u.handle);
    for (size_t i = 0; !err && i < sizeof steps / sizeof steps[0]; i++)
        err = run_id(s, steps[i], id, now);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    return mj_sq_commit(s);
}

/* q with LIKE's wildcards and the escape itself escaped. */
static void like_escape(const char *q, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; q[i] && j + 2 < cap; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\') out[j++] = '\\';
        out[j++] = q[i];
    }
    out[j] = '\0';
}

int mj_store_users_search(mj_store *s, const char *q, mj_user_brief *out, size_t cap, size_t *n)
{
    char esc[2 * MJ_USER_NAME_MAX + 2], prefix[sizeof esc + 1], inside[sizeof esc + 2];
    like_escape(q, esc, sizeof esc);
    snprintf(prefix, sizeof prefix, "%s%%", esc);
    snprintf(inside, sizeof inside, "%%%s%%", esc);
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT id, handle, display_name, suspended_at IS NOT NULL FROM users "
                            "WHERE deleted_at IS NULL AND (handle LIKE ?1 ESCAPE '\\' OR "
                            "display_name LIKE ?2 ESCAPE '\\') ORDER BY handle LIMIT ?3");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inside, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)cap);
    return mj_sq_briefs(s, st, out, cap, n);
}

int mj_store_user_count(mj_store *s, int64_t *count)
{
    return mj_sq_int64(s, "SELECT count(*) FROM users", false, 0, count);
}
