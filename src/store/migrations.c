/* Versioned schema migrations, applied in order at start. Version N means
 * the first N entries have run (PRAGMA user_version). Never edit an entry
 * that has shipped: add a new one. */
#include "store/store_internal.h"

const mj_migration mj_store_migrations[] = {
    {"rooms",
     "CREATE TABLE rooms (\n"
     "  id TEXT PRIMARY KEY,\n"
     "  title TEXT NOT NULL,\n"
     "  created_at INTEGER NOT NULL\n"
     ") STRICT;\n"},
};

const int mj_store_migration_count = (int)(sizeof mj_store_migrations / sizeof mj_store_migrations[0]);
