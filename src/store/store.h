/* The store: everything majlis keeps on disk, behind plain C types.
 *
 * This header is the storage interface. The embedded implementation is
 * SQLite (store_sqlite.c and friends, WAL mode, foreign keys, versioned
 * migrations); no SQLite type appears here, so a PostgreSQL backend can
 * implement the same functions later. All SQL lives under src/store/.
 *
 * Threading: an mj_store is used by one thread, the control plane. */
#ifndef MJ_STORE_STORE_H
#define MJ_STORE_STORE_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_store mj_store;

#define MJ_ROOM_ID_LEN    12
#define MJ_ROOM_TITLE_MAX 512 /* bytes of UTF-8 (100 characters, marks bounded) */

/* Opens (creating when needed) DATA_DIR/majlis.db and applies pending
 * migrations. A database written by a newer majlis is refused: *why then
 * says so. Returns 0 or a negative MJ_E* code. */
MJ_MUST_USE int mj_store_open(const char *data_dir, mj_store **out, const char **why);
void mj_store_close(mj_store *s);

/* Schema version of the open database, and the newest this binary knows. */
int mj_store_schema_version(mj_store *s);
int mj_store_schema_latest(void);

/* The server secret that signs tokens: 32 random bytes kept in
 * DATA_DIR/secret.key (mode 0600), created atomically on first use. */
#define MJ_SECRET_LEN 32
MJ_MUST_USE int mj_data_secret(const char *data_dir, uint8_t out[MJ_SECRET_LEN], const char **why);

/* Copies DATA_DIR/majlis.db to out while a server may be writing to it:
 * one consistent snapshot (SQLite's online backup) that stands alone (no
 * WAL) and passes PRAGMA integrity_check, and DATA_DIR/secret.key to
 * out.secret.key (*with_secret false when there is none yet); each is
 * written to a temporary file and moved into place. An existing out is
 * replaced only with force. Creates nothing in DATA_DIR (but SQLite's own
 * -wal and -shm when no server runs). Returns 0 or a negative MJ_E* code
 * with *why saying what went wrong. */
MJ_MUST_USE int mj_store_backup(const char *data_dir, const char *out, bool force,
                                bool *with_secret, const char **why);

/* Creates DATA_DIR (mode 0700) if it does not exist. */
MJ_MUST_USE int mj_data_dir_ensure(const char *data_dir, const char **why);

#endif
