/* Versioned schema migrations, applied in order at start. Version N means
 * the first N entries have run (PRAGMA user_version). Never edit an entry
 * that has shipped: add a new one. */
#include "store/store_internal.h"

const mj_migration mj_store_migrations[] = {
    {"rooms", "CREATE TABLE rooms (\n"
              "  id TEXT PRIMARY KEY,\n"
              "  title TEXT NOT NULL,\n"
              "  created_at INTEGER NOT NULL\n"
              ") STRICT;\n"},
    /* Members (docs/privacy.md explains every column). */
    {"members", "CREATE TABLE users (\n"
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
    /* Rooms that members start (docs/privacy.md explains every column):
     * the record gains its kind, its creator and its end; a live room
     * keeps its moderators, the members it lets in and who it removed,
     * until it ends. Who is in a room is never written. */
    {"member rooms",
     "ALTER TABLE rooms ADD COLUMN kind INTEGER NOT NULL DEFAULT 0 CHECK (kind BETWEEN 0 AND 2);\n"
     "ALTER TABLE rooms ADD COLUMN created_by INTEGER REFERENCES users(id);\n" /* NULL: an operator
                                                                                */
     "ALTER TABLE rooms ADD COLUMN ended_at INTEGER;\n"
     "ALTER TABLE rooms ADD COLUMN hands_off INTEGER NOT NULL DEFAULT 0;\n"
     "CREATE INDEX rooms_live_host ON rooms(created_by) WHERE ended_at IS NULL;\n"
     "CREATE INDEX rooms_live ON rooms(created_at) WHERE ended_at IS NULL;\n"
     "CREATE TABLE room_members (\n"
     "  room TEXT NOT NULL REFERENCES rooms(id),\n"
     "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
     "  bits INTEGER NOT NULL,\n" /* moderator 1, allowed 2, removed 4 */
     "  PRIMARY KEY (room, user_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE INDEX room_members_user ON room_members(user_id);\n"
     "CREATE TABLE room_bot_bans (\n"
     "  room TEXT NOT NULL REFERENCES rooms(id),\n"
     "  bot INTEGER NOT NULL,\n"
     "  PRIMARY KEY (room, bot)\n"
     ") STRICT, WITHOUT ROWID;\n"},
    /* Rooms a member schedules; a row goes when the host starts the room,
     * cancels it, or a day after its time passed unstarted. */
    {"scheduled rooms", "CREATE TABLE schedules (\n"
                        "  id INTEGER PRIMARY KEY,\n"
                        "  host INTEGER NOT NULL REFERENCES users(id),\n"
                        "  title TEXT NOT NULL,\n"
                        "  kind INTEGER NOT NULL DEFAULT 0 CHECK (kind BETWEEN 0 AND 2),\n"
                        "  starts_at INTEGER NOT NULL,\n"
                        "  created_at INTEGER NOT NULL\n"
                        ") STRICT;\n"
                        "CREATE INDEX schedules_host ON schedules(host, starts_at);\n"
                        "CREATE INDEX schedules_time ON schedules(starts_at);\n"},
};

const int mj_store_migration_count =
    (int)(sizeof mj_store_migrations / sizeof mj_store_migrations[0]);
