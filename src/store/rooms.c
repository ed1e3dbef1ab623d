/* Room records, and what a live room keeps until it ends. */
#include "store/members_internal.h"
#include "store/rooms.h"

#include "base/log.h"
#include "base/rand.h"

#include <stdio.h>
#include <string.h>

#define ROOM_COLS "id, title, kind, created_by, created_at, ended_at, hands_off"

static void room_id_new(char out[MJ_ROOM_ID_LEN + 1])
{
    /* Lowercase letters and digits: easy to read aloud and to paste. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    uint8_t b[MJ_ROOM_ID_LEN];
    mj_rand_bytes(b, sizeof b);
    for (int i = 0; i < MJ_ROOM_ID_LEN; i++)
        out[i] = alphabet[b[i] & 31];
    out[MJ_ROOM_ID_LEN] = '\0';
}

static void read_room(sqlite3_stmt *st, mj_room_rec *r)
{
    memset(r, 0, sizeof *r);
    mj_sq_text(st, 0, r->id, sizeof r->id);
    mj_sq_text(st, 1, r->title, sizeof r->title);
    r->kind = sqlite3_column_int(st, 2);
    r->created_by = sqlite3_column_int64(st, 3);
    r->created_at = sqlite3_column_int64(st, 4);
    r->ended_at = sqlite3_column_int64(st, 5);
    r->hands_off = sqlite3_column_int(st, 6) != 0;
}

int mj_store_room_hosting(mj_store *s, int64_t user, int *count)
{
    int64_t n = 0;
    int err = mj_sq_int64(
        s, "SELECT count(*) FROM rooms WHERE created_by = ?1 AND ended_at IS NULL", true, user, &n);
    *count = (int)n;
    return err;
}

static int insert_room(mj_store *s, const mj_new_room *nr, int64_t now, mj_room_rec *out)
{
    sqlite3_stmt *st = mj_store_prepare(
        s,
        "INSERT INTO rooms (id, title, kind, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return MJ_EIO;
    int err = MJ_EIO;
    for (int attempt = 0; attempt < 4; attempt++) {
        room_id_new(out->id);
        sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, nr->title, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, nr->kind);
        if (nr->created_by)
            sqlite3_bind_int64(st, 4, nr->created_by);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_int64(st, 5, now);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            err = 0;
            break;
        }
        if (rc != SQLITE_CONSTRAINT) {
            mj_error("store: room insert failed: %s", sqlite3_errmsg(s->db));
            break;
        }
        /* An id collision (60 bits of randomness) is retried. */
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_room_create(mj_store *s, const mj_new_room *nr, int64_t now, mj_room_rec *out)
{
    size_t tlen = strlen(nr->title);
    if (tlen == 0 || tlen > MJ_ROOM_TITLE_MAX || nr->kind < 0 || nr->kind > 2) return MJ_EINVAL;
    memset(out, 0, sizeof *out);
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    int hosted = 0;
    int err = 0;
    if (nr->created_by && nr->max_hosted > 0) {
        err = mj_store_room_hosting(s, nr->created_by, &hosted);
        if (!err && hosted >= nr->max_hosted) err = MJ_ELIMIT;
    }
    if (!err) err = insert_room(s, nr, now, out);
    if (err) {
        mj_sq_rollback(s);
        return err;
    }
    if (mj_sq_commit(s) != 0) return MJ_EIO;
    memcpy(out->title, nr->title, tlen + 1);
    out->kind = nr->kind;
    out->created_by = nr->created_by;
    out->created_at = now;
    return 0;
}

int mj_store_room_get(mj_store *s, const char *id, mj_room_rec *out)
{
    if (strlen(id) != MJ_ROOM_ID_LEN) return MJ_ENOTFOUND;
    sqlite3_stmt *st = mj_store_prepare(s, "SELECT " ROOM_COLS " FROM rooms WHERE id = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int err = MJ_ENOTFOUND;
    if (rc == SQLITE_ROW) {
        read_room(st, out);
        err = 0;
    } else if (rc != SQLITE_DONE) {
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

int mj_store_room_count(mj_store *s, int64_t *count)
{
    return mj_sq_int64(s, "SELECT count(*) FROM rooms", false, 0, count);
}

int mj_store_rooms_live(mj_store *s, int (*fn)(void *ctx, const mj_room_rec *r), void *ctx)
{
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT " ROOM_COLS " FROM rooms WHERE ended_at IS NULL ORDER BY created_at, id");
    if (!st) return MJ_EIO;
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        mj_room_rec r;
        read_room(st, &r);
        if ((err = fn(ctx, &r)) != 0) break;
    }
    if (!err && rc != SQLITE_DONE) {
        mj_error("store: cannot list live rooms: %s", sqlite3_errmsg(s->db));
        err = MJ_EIO;
    }
    sqlite3_finalize(st);
    return err;
}

static int run_room(mj_store *s, const char *sql, const char *id, int64_t v)
{
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v);
    return mj_sq_run(s, st);
}

int mj_store_room_end(mj_store *s, const char *id, int64_t now)
{
    static const char *const steps[] = {
        "UPDATE rooms SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
        "DELETE FROM room_members WHERE room = ?1",
        "DELETE FROM room_bot_bans WHERE room = ?1",
    };
    if (mj_sq_begin(s) != 0) return MJ_EIO;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (run_room(s, steps[i], id, now) != 0) {
            mj_sq_rollback(s);
            return MJ_EIO;
        }
    }
    return mj_sq_commit(s);
}

int mj_store_room_set_hands(mj_store *s, const char *id, bool off)
{
    return run_room(s, "UPDATE rooms SET hands_off = ?2 WHERE id = ?1", id, off);
}

int mj_store_room_member_set(mj_store *s, const char *id, int64_t user, int bit, bool on)
{
    const char *sql = on ? "INSERT INTO room_members (room, user_id, bits) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (room, user_id) DO UPDATE SET bits = bits | ?3"
                         : "UPDATE room_members SET bits = bits & ~?3 WHERE room = ?1 AND "
                           "user_id = ?2";
    sqlite3_stmt *st = mj_store_prepare(s, sql);
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user);
    sqlite3_bind_int(st, 3, bit);
    int err = mj_sq_run(s, st);
    if (!err && !on) {
        st = mj_store_prepare(s, "DELETE FROM room_members WHERE room = ?1 AND user_id = ?2 AND "
                                 "bits = 0");
        if (!st) return MJ_EIO;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, user);
        err = mj_sq_run(s, st);
    }
    return err;
}

int mj_store_room_ban_bot(mj_store *s, const char *id, uint64_t bot)
{
    int64_t key;
    memcpy(&key, &bot, sizeof key); /* the 64 bits as SQLite's signed integer */
    return run_room(s, "INSERT OR IGNORE INTO room_bot_bans (room, bot) VALUES (?1, ?2)", id, key);
}

int mj_store_room_people(mj_store *s, const char *id,
                         void (*member)(void *ctx, int64_t user, int bits),
                         void (*bot)(void *ctx, uint64_t key), void *ctx)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT user_id, bits FROM room_members WHERE room = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        member(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return MJ_EIO;
    st = mj_store_prepare(s, "SELECT bot FROM room_bot_bans WHERE room = ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 0);
        uint64_t key;
        memcpy(&key, &v, sizeof key);
        bot(ctx, key);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : MJ_EIO;
}

int mj_store_members_gone_since(mj_store *s, int64_t since, void (*fn)(void *ctx, int64_t user),
                                void *ctx)
{
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT id FROM users WHERE suspended_at >= ?1 OR deleted_at >= ?1");
    if (!st) return MJ_EIO;
    sqlite3_bind_int64(st, 1, since);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : MJ_EIO;
}

int mj_store_data_version(mj_store *s, int64_t *out)
{
    return mj_sq_int64(s, "PRAGMA data_version", false, 0, out);
}
