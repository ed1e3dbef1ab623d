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
    /* Members (docs/privacy.md explains every column). */
    {"members",
     "CREATE TABLE users (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  handle TEXT UNIQUE COLLATE NOCASE,\n" /* NULL once deleted */
     "  display_name TEXT,\n"
     "  bio TEXT NOT NULL DEFAULT '',\n"
     "  pass_hash TEXT,\n"
     "  is_admin INTEGER NOT NULL DEFAULT 0,\n"
     "  invited_by INTEGER REFERENCES users(id),\n"
     "  invite_id INTEGER REFERENCES invites(id),\n"
     "  invite_quota INTEGER NOT NULL DEFAULT 3,\n"
     "  created_at INTEGER NOT NULL,\n"
     "  suspended_at INTEGER,\n"
     "  deleted_at INTEGER\n"
     ") STRICT;\n"
     "CREATE INDEX users_invited_by ON users(invited_by);\n"
     "CREATE TABLE invites (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  code_hash BLOB NOT NULL UNIQUE,\n"
     "  created_by INTEGER REFERENCES users(id),\n" /* NULL: an operator */
     "  max_uses INTEGER NOT NULL CHECK (max_uses > 0),\n"
     "  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),\n"
     "  grants_admin INTEGER NOT NULL DEFAULT 0,\n"
     "  created_at INTEGER NOT NULL,\n"
     "  expires_at INTEGER NOT NULL,\n"
     "  revoked_at INTEGER\n"
     ") STRICT;\n"
     "CREATE INDEX invites_created_by ON invites(created_by, id);\n"
     "CREATE TABLE retired_handles (\n"
     "  hash BLOB PRIMARY KEY\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE sessions (\n"
     "  id TEXT PRIMARY KEY,\n"
     "  token_hash BLOB NOT NULL UNIQUE,\n"
     "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
     "  created_at INTEGER NOT NULL,\n"
     "  last_seen_at INTEGER NOT NULL,\n"
     "  expires_at INTEGER NOT NULL\n"
     ") STRICT;\n"
     "CREATE INDEX sessions_user ON sessions(user_id);\n"
     "CREATE INDEX sessions_expiry ON sessions(expires_at);\n"
     "CREATE TABLE follows (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  follower INTEGER NOT NULL REFERENCES users(id),\n"
     "  followee INTEGER NOT NULL REFERENCES users(id),\n"
     "  UNIQUE (follower, followee),\n"
     "  CHECK (follower <> followee)\n"
     ") STRICT;\n"
     "CREATE INDEX follows_followee ON follows(followee, id);\n"
     "CREATE TABLE blocks (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  blocker INTEGER NOT NULL REFERENCES users(id),\n"
     "  blocked INTEGER NOT NULL REFERENCES users(id),\n"
     "  UNIQUE (blocker, blocked),\n"
     "  CHECK (blocker <> blocked)\n"
     ") STRICT;\n"
     "CREATE INDEX blocks_blocked ON blocks(blocked);\n"},
};

const int mj_store_migration_count = (int)(sizeof mj_store_migrations / sizeof mj_store_migrations[0]);
