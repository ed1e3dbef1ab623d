/* Internals shared by the SQLite store's source files. Not part of the
 * storage interface. */
#ifndef MJ_STORE_INTERNAL_H
#define MJ_STORE_INTERNAL_H

#include "store/store.h"

#include <sqlite3.h>

struct mj_store {
    sqlite3 *db;
    char path[4096];
};

typedef struct mj_migration {
    const char *name;
    const char *sql;
} mj_migration;

extern const mj_migration mj_store_migrations[];
extern const int mj_store_migration_count;

/* Prepares sql (cached by the caller if hot); logs and returns NULL on
 * failure. */
sqlite3_stmt *mj_store_prepare(mj_store *s, const char *sql);
/* Runs statements with no result rows; 0 or MJ_EIO. */
int mj_store_exec(mj_store *s, const char *sql);
/* Applies migrations from the current version to `target`. Exposed for the
 * migration tests, which start from an older schema. */
int mj_store_migrate_to(mj_store *s, int target, const char **why);
/* Opens without migrating (tests). */
int mj_store_open_raw(const char *data_dir, mj_store **out, const char **why);

#endif
