/* Sessions: a row per login, found by the hash of its token. */
#include "store/members_internal.h"

#include "base/log.h"
#include "base/rand.h"

#include <string.h>

int mj_store_session_create(mj_store *s, int64_t user_id, mj_new_session *sess, int64_t now)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) "
           "VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
    if (!st) return MJ_EIO;
    mj_rand_hex(sess->id, MJ_SESSION_ID_LEN / 2);
    sqlite3_bind_text(st, 1, sess->id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, sess->token_hash, MJ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, sess->expires_at);
    return mj_sq_run(s, st);
}

static int delete_by_id(mj_store *s, const char *id)
{
    sqlite3_stmt *st = mj_store_prepare(s, "DELETE FROM sessions WHERE id = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return mj_sq_run(s, st);
}

static int touch(mj_store *s, const char *id, int64_t now)
{
    sqlite3_stmt *st = mj_store_prepare(s, "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return mj_sq_run(s, st);
}

static void read_session(sqlite3_stmt *st, mj_session *sess)
{
    mj_sq_text(st, 0, sess->id, sizeof sess->id);
    sess->user_id = sqlite3_column_int64(st, 1);
    sess->created_at = sqlite3_column_int64(st, 2);
    sess->last_seen_at = sqlite3_column_int64(st, 3);
    sess->expires_at = sqlite3_column_int64(st, 4);
}

int mj_store_session_lookup(mj_store *s, const uint8_t hash[MJ_HASH_LEN], int64_t now,
                            int64_t idle_s, int64_t refresh_s, mj_session *sess, mj_user *user)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, " MJ_SQ_USER_COLS
           " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_blob(st, 1, hash, MJ_HASH_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? MJ_ENOTFOUND : MJ_EIO;
    }
    read_session(st, sess);
    mj_sq_user(st, 5, user);
    sqlite3_finalize(st);
    bool dead =
        sess->expires_at <= now || sess->last_seen_at + idle_s <= now || !mj_user_active(user);
    if (dead) {
        int err = delete_by_id(s, sess->id);
        return err ? err : MJ_ENOTFOUND;
    }
    if (now - sess->last_seen_at >= refresh_s) {
        int err = touch(s, sess->id, now);
        if (err) return err;
        sess->last_seen_at = now;
    }
    return 0;
}

int mj_store_sessions_of(mj_store *s, int64_t user_id, mj_session *out, size_t cap, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT id, user_id, created_at, last_seen_at, expires_at FROM sessions "
           "WHERE user_id = ?1 ORDER BY last_seen_at DESC, id LIMIT ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, (int64_t)cap);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
        read_session(st, &out[(*n)++]);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : MJ_EIO;
}

int mj_store_session_delete(mj_store *s, int64_t user_id, const char *id)
{
    sqlite3_stmt *st = mj_store_prepare(s, "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_ENOTFOUND;
    return err;
}

int mj_store_sessions_purge(mj_store *s, int64_t now, int64_t idle_s)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?1 - ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, idle_s);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) > 0)
        mj_debug("store: %d expired session(s) removed", sqlite3_changes(s->db));
    return err;
}
