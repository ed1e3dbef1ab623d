/* Invites: creation within a member's quota, checks, listing and
 * withdrawal. Only a hash of each code is kept (docs/privacy.md). */
#include "store/members_internal.h"

#include "base/log.h"
#include "base/rand.h"

#include <sodium.h>
#include <string.h>

#define INVITE_COLS                                                                                \
    "i.id, i.created_by, i.max_uses, i.uses, i.grants_admin, i.created_at, i.expires_at, "         \
    "i.revoked_at"

void mj_store_hash_secret(const void *secret, size_t len, uint8_t out[MJ_HASH_LEN])
{
    crypto_hash_sha256(out, secret, len);
}

static void read_invite(sqlite3_stmt *st, mj_invite *inv)
{
    inv->id = sqlite3_column_int64(st, 0);
    inv->created_by = sqlite3_column_int64(st, 1);
    inv->max_uses = sqlite3_column_int(st, 2);
    inv->uses = sqlite3_column_int(st, 3);
    inv->grants_admin = sqlite3_column_int(st, 4) != 0;
    inv->created_at = sqlite3_column_int64(st, 5);
    inv->expires_at = sqlite3_column_int64(st, 6);
    inv->revoked_at = sqlite3_column_int64(st, 7);
}

int mj_store_invite_seats(mj_store *s, int64_t creator, int64_t now, int *used)
{
    /* A live invite holds all its uses; an expired or withdrawn one only
     * those that were taken. */
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT coalesce(sum(CASE WHEN revoked_at IS NULL AND expires_at > ?2 "
                            "THEN max_uses ELSE uses END), 0) FROM invites WHERE created_by = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, creator);
    sqlite3_bind_int64(st, 2, now);
    int err = MJ_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *used = sqlite3_column_int(st, 0);
        err = 0;
    }
    sqlite3_finalize(st);
    return err;
}

static int may_invite(mj_store *s, int64_t creator, int max_uses, int64_t now)
{
    mj_user u;
    int err = mj_store_user_by_id(s, creator, &u);
    if (err) return err;
    if (!mj_user_active(&u)) return MJ_EAUTH;
    if (u.is_admin) return 0;
    int used = 0;
    err = mj_store_invite_seats(s, creator, now, &used);
    if (err) return err;
    return used + max_uses > u.invite_quota ? MJ_ELIMIT : 0;
}

static void new_code(char code[32], uint8_t hash[MJ_HASH_LEN])
{
    uint8_t raw[16];
    mj_rand_bytes(raw, sizeof raw);
    sodium_bin2base64(code, 32, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    mj_store_hash_secret(code, strlen(code), hash);
    sodium_memzero(raw, sizeof raw);
}

static int insert_invite(mj_store *s, int64_t creator, int max_uses, int64_t ttl_s,
                         bool grants_admin, int64_t now, const uint8_t hash[MJ_HASH_LEN],
                         int64_t *id)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "INSERT INTO invites (code_hash, created_by, max_uses, grants_admin, created_at, "
           "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return MJ_EIO;
    sqlite3_bind_blob(st, 1, hash, MJ_HASH_LEN, SQLITE_STATIC);
    if (creator)
        sqlite3_bind_int64(st, 2, creator);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, max_uses);
    sqlite3_bind_int(st, 4, grants_admin);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, now + ttl_s);
    int err = mj_sq_run(s, st);
    if (!err) *id = sqlite3_last_insert_rowid(s->db);
    return err;
}

int mj_store_invite_create(mj_store *s, int64_t creator, int max_uses, int64_t ttl_s,
                           bool grants_admin, int64_t now, char code[32], mj_invite *out)
{
    if (max_uses < 1 || ttl_s < 1) return MJ_EINVAL;
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    int err = creator ? may_invite(s, creator, max_uses, now) : 0;
    uint8_t hash[MJ_HASH_LEN];
    int64_t id = 0;
    if (!err) {
        new_code(code, hash);
        err = insert_invite(s, creator, max_uses, ttl_s, grants_admin, now, hash, &id);
    }
    if (!err)
        err = mj_sq_commit(s);
    else
        mj_sq_rollback(s);
    if (err) {
        sodium_memzero(code, 32);
        return err;
    }
    *out = (mj_invite){.id = id,
                       .created_by = creator,
                       .max_uses = max_uses,
                       .grants_admin = grants_admin,
                       .created_at = now,
                       .expires_at = now + ttl_s};
    return 0;
}

int mj_store_invite_check(mj_store *s, const uint8_t hash[MJ_HASH_LEN], int64_t now, mj_invite *out,
                          mj_invite_state *state)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT " INVITE_COLS ", u.suspended_at IS NOT NULL OR u.deleted_at IS NOT NULL "
           "FROM invites i LEFT JOIN users u ON u.id = i.created_by WHERE i.code_hash = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_blob(st, 1, hash, MJ_HASH_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int err = 0;
    memset(out, 0, sizeof *out);
    *state = MJ_INVITE_UNKNOWN;
    if (rc == SQLITE_ROW) {
        read_invite(st, out);
        bool maker_gone = sqlite3_column_int(st, 8) != 0;
        if (out->revoked_at || maker_gone)
            *state = MJ_INVITE_REVOKED;
        else if (out->uses >= out->max_uses)
            *state = MJ_INVITE_USED;
        else if (out->expires_at <= now)
            *state = MJ_INVITE_EXPIRED;
        else
            *state = MJ_INVITE_OK;
    } else if (rc != SQLITE_DONE) {
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_invites_of(mj_store *s, int64_t creator, int64_t before, mj_invite *out, size_t cap,
                        size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = mj_store_prepare(s, "SELECT " INVITE_COLS " FROM invites i "
                                           "WHERE i.created_by = ?1 AND (?2 = 0 OR i.id < ?2) "
                                           "ORDER BY i.id DESC LIMIT ?3");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, creator);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, (int64_t)cap);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
        read_invite(st, &out[(*n)++]);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : MJ_EIO;
}

int mj_store_invite_joined(mj_store *s, int64_t invite_id, mj_user_brief *out, size_t cap,
                           size_t *n)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT id, handle, display_name, suspended_at IS NOT NULL FROM users "
                            "WHERE invite_id = ?1 ORDER BY id LIMIT ?2");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, invite_id);
    sqlite3_bind_int64(st, 2, (int64_t)cap);
    return mj_sq_briefs(s, st, out, cap, n);
}

int mj_store_invite_revoke(mj_store *s, int64_t creator, int64_t id, int64_t now)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "UPDATE invites SET revoked_at = coalesce(revoked_at, ?3) "
                            "WHERE id = ?2 AND created_by = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, creator);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, now);
    int err = mj_sq_run(s, st);
    if (!err && sqlite3_changes(s->db) != 1) err = MJ_ENOTFOUND;
    return err;
}

int mj_store_members_empty(mj_store *s, bool *empty)
{
    sqlite3_stmt *st = mj_store_prepare(s, "SELECT NOT EXISTS (SELECT 1 FROM users) AND "
                                           "NOT EXISTS (SELECT 1 FROM invites)");
    if (!st) return MJ_EIO;
    return mj_sq_exists(s, st, empty);
}
