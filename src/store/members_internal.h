/* Helpers shared by the SQLite implementation of members.h. */
#ifndef MJ_STORE_MEMBERS_INTERNAL_H
#define MJ_STORE_MEMBERS_INTERNAL_H

#include "store/members.h"
#include "store/store_internal.h"

/* The columns mj_sq_user() reads, for a users table aliased "u". */
#define MJ_SQ_USER_COLS                                                                            \
    "u.id, u.handle, u.display_name, u.bio, u.invited_by, u.is_admin, u.invite_quota, "            \
    "u.created_at, u.suspended_at, u.deleted_at"
#define MJ_SQ_USER_NCOLS 10

/* BEGIN IMMEDIATE: takes the write lock now, so the checks that follow see
 * what the writes will act on. 0 or MJ_EIO. */
int mj_sq_begin(mj_store *s);
int mj_sq_commit(mj_store *s);
void mj_sq_rollback(mj_store *s);

/* Copies a text column ("" for NULL), truncating to cap - 1 bytes. */
void mj_sq_text(sqlite3_stmt *st, int col, char *out, size_t cap);
/* Reads MJ_SQ_USER_COLS starting at column `first`. */
void mj_sq_user(sqlite3_stmt *st, int first, mj_user *u);
/* Steps a statement that returns no rows and finalizes it: 0 or MJ_EIO. */
int mj_sq_run(mj_store *s, sqlite3_stmt *st);
/* Runs a query whose first row's first column is a number, with `arg`
 * bound to ?1 when has_arg; finalizes it. 0 or MJ_EIO. */
int mj_sq_int64(mj_store *s, const char *sql, bool has_arg, int64_t arg, int64_t *out);
/* Steps a statement, finalizes it, and sets *found when it returned a row
 * whose first column is non-zero. */
int mj_sq_exists(mj_store *s, sqlite3_stmt *st, bool *found);
/* SHA-256 of a handle, kept after deletion so the handle stays taken. */
void mj_sq_handle_hash(const char *handle, uint8_t out[MJ_HASH_LEN]);
/* Reads rows (id, handle, display_name, suspended) into briefs. */
int mj_sq_briefs(mj_store *s, sqlite3_stmt *st, mj_user_brief *out, size_t cap, size_t *n);

#endif
