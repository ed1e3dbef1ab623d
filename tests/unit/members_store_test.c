/* Tests for the members side of src/store (members.h) on a temporary
 * database, including a migration from the first schema version. */
#include "test.h"

#include "base/log.h"
#include "store/members.h"
#include "store/rooms.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <unistd.h>

#define T0  1700000000
#define DAY 86400

static char *temp_dir(void)
{
    static char path[64];
    mj_log_set_level(MJ_LOG_ERROR);
    snprintf(path, sizeof path, "/tmp/mj-members-XXXXXX");
    return mkdtemp(path);
}

static void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static mj_store *open_fresh(char **dir)
{
    *dir = temp_dir();
    mj_store *s = NULL;
    const char *why = NULL;
    if (!*dir || mj_store_open(*dir, &s, &why) != 0) return NULL;
    return s;
}

static void hash_code(const char *code, uint8_t out[MJ_HASH_LEN])
{
    mj_store_hash_secret(code, strlen(code), out);
}

/* Creates an invite from `by` (0: operator) and signs `handle` up with it;
 * returns the new account's id or a negative error. */
static int64_t join(mj_store *s, int64_t by, const char *handle, int64_t now, bool admin)
{
    char code[32];
    mj_invite inv;
    int err = mj_store_invite_create(s, by, 1, 7 * DAY, admin, now, code, &inv);
    if (err) return err;
    mj_new_user nu = {
        .handle = handle, .display_name = handle, .pass_hash = "$argon2id$x", .invite_quota = 3};
    hash_code(code, nu.invite_hash);
    mj_new_session sess = {.expires_at = now + 30 * DAY};
    snprintf((char *)sess.token_hash, sizeof sess.token_hash, "tok-%s", handle);
    mj_user u;
    mj_invite_state state;
    err = mj_store_signup(s, &nu, &sess, now, &u, &state);
    return err ? err : u.id;
}

TEST(signup_redeems_an_invite_once)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    bool empty = false;
    REQUIRE(mj_store_members_empty(s, &empty) == 0);
    CHECK(empty);
    char code[32];
    mj_invite inv;
    REQUIRE(mj_store_invite_create(s, 0, 1, 7 * DAY, true, T0, code, &inv) == 0);
    CHECK_EQ(strlen(code), 22);
    REQUIRE(mj_store_members_empty(s, &empty) == 0);
    CHECK(!empty);

    mj_new_user nu = {.handle = "founder",
                      .display_name = "المؤسس",
                      .pass_hash = "$argon2id$h",
                      .invite_quota = 3};
    hash_code(code, nu.invite_hash);
    mj_new_session sess = {.token_hash = {1}, .expires_at = T0 + DAY};
    mj_user u;
    mj_invite_state st;
    REQUIRE(mj_store_signup(s, &nu, &sess, T0, &u, &st) == 0);
    CHECK_STR(u.handle, "founder");
    CHECK_STR(u.display_name, "المؤسس");
    CHECK(u.is_admin);
    CHECK_EQ(u.invited_by, 0);
    CHECK_EQ(strlen(sess.id), MJ_SESSION_ID_LEN);

    /* A second use of the single-use invite fails and changes nothing. */
    nu.handle = "second";
    sess.token_hash[0] = 2;
    CHECK_EQ(mj_store_signup(s, &nu, &sess, T0, &u, &st), MJ_EAUTH);
    CHECK_EQ(st, MJ_INVITE_USED);
    CHECK_EQ(mj_store_user_by_handle(s, "second", &u), MJ_ENOTFOUND);

    /* An unknown code. */
    hash_code("AAAAAAAAAAAAAAAAAAAAAA", nu.invite_hash);
    CHECK_EQ(mj_store_signup(s, &nu, &sess, T0, &u, &st), MJ_EAUTH);
    CHECK_EQ(st, MJ_INVITE_UNKNOWN);

    /* The pass hash comes back for the login check. */
    char ph[MJ_PASS_HASH_MAX];
    REQUIRE(mj_store_user_by_handle(s, "founder", &u) == 0);
    REQUIRE(mj_store_user_pass_hash(s, u.id, ph) == 0);
    CHECK_STR(ph, "$argon2id$h");
    mj_store_close(s);
    remove_dir(dir);
}

TEST(handles_are_unique_case_insensitively_and_stay_retired)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t a = join(s, 0, "layla", T0, false);
    REQUIRE(a > 0);
    CHECK_EQ(join(s, 0, "LAYLA", T0, false), MJ_EEXIST);
    bool taken = false;
    REQUIRE(mj_store_handle_taken(s, "Layla", &taken) == 0);
    CHECK(taken);
    mj_user u;
    CHECK_EQ(mj_store_user_by_handle(s, "LAYLA", &u), 0);
    /* Deleted: the handle cannot be found nor taken again. */
    REQUIRE(mj_store_user_delete(s, a, T0 + 10) == 0);
    CHECK_EQ(mj_store_user_by_handle(s, "layla", &u), MJ_ENOTFOUND);
    CHECK_EQ(join(s, 0, "layla", T0 + 20, false), MJ_EEXIST);
    REQUIRE(mj_store_handle_taken(s, "LaYlA", &taken) == 0);
    CHECK(taken);
    CHECK_EQ(mj_store_user_delete(s, a, T0 + 30), MJ_ENOTFOUND);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(invite_states_expired_revoked_and_inviter_suspended)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t m = join(s, 0, "maker", T0, false);
    REQUIRE(m > 0);
    char code[32];
    mj_invite inv;
    uint8_t h[MJ_HASH_LEN];
    mj_invite_state st;
    REQUIRE(mj_store_invite_create(s, m, 1, 60, false, T0, code, &inv) == 0);
    hash_code(code, h);
    REQUIRE(mj_store_invite_check(s, h, T0 + 59, &inv, &st) == 0);
    CHECK_EQ(st, MJ_INVITE_OK);
    CHECK_EQ(inv.created_by, m);
    REQUIRE(mj_store_invite_check(s, h, T0 + 60, &inv, &st) == 0);
    CHECK_EQ(st, MJ_INVITE_EXPIRED);

    REQUIRE(mj_store_invite_create(s, m, 1, DAY, false, T0, code, &inv) == 0);
    hash_code(code, h);
    CHECK_EQ(mj_store_invite_revoke(s, m + 1000, inv.id, T0), MJ_ENOTFOUND);
    REQUIRE(mj_store_invite_revoke(s, m, inv.id, T0) == 0);
    REQUIRE(mj_store_invite_check(s, h, T0, &inv, &st) == 0);
    CHECK_EQ(st, MJ_INVITE_REVOKED);

    /* A suspended member's invites stop working, and come back with them. */
    REQUIRE(mj_store_invite_create(s, m, 1, DAY, false, T0, code, &inv) == 0);
    hash_code(code, h);
    int64_t changed;
    REQUIRE(mj_store_suspend(s, m, false, T0, &changed) == 0);
    REQUIRE(mj_store_invite_check(s, h, T0, &inv, &st) == 0);
    CHECK_EQ(st, MJ_INVITE_REVOKED);
    REQUIRE(mj_store_unsuspend(s, m, false, &changed) == 0);
    REQUIRE(mj_store_invite_check(s, h, T0, &inv, &st) == 0);
    CHECK_EQ(st, MJ_INVITE_OK);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(quota_counts_seats_of_live_invites_and_taken_uses)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t m = join(s, 0, "member", T0, false);
    REQUIRE(m > 0);
    char code[32];
    mj_invite a, b, c;
    REQUIRE(mj_store_invite_create(s, m, 2, DAY, false, T0, code, &a) == 0);
    REQUIRE(mj_store_invite_create(s, m, 1, DAY, false, T0, code, &b) == 0);
    CHECK_EQ(mj_store_invite_create(s, m, 1, DAY, false, T0, code, &c), MJ_ELIMIT);
    int used = 0;
    REQUIRE(mj_store_invite_seats(s, m, T0, &used) == 0);
    CHECK_EQ(used, 3);
    /* b expires unused: its seat comes back. */
    REQUIRE(mj_store_invite_seats(s, m, T0 + DAY, &used) == 0);
    CHECK_EQ(used, 0);
    REQUIRE(mj_store_invite_create(s, m, 1, DAY, false, T0 + DAY, code, &c) == 0);
    /* The quota can be raised; admins have none. */
    REQUIRE(mj_store_user_set_quota(s, m, 10) == 0);
    REQUIRE(mj_store_invite_create(s, m, 5, DAY, false, T0 + DAY, code, &c) == 0);
    REQUIRE(mj_store_user_set_quota(s, m, 0) == 0);
    CHECK_EQ(mj_store_invite_create(s, m, 1, DAY, false, T0 + DAY, code, &c), MJ_ELIMIT);
    REQUIRE(mj_store_user_set_admin(s, m, true) == 0);
    CHECK_EQ(mj_store_invite_create(s, m, 100, DAY, false, T0 + DAY, code, &c), 0);
    mj_invite list[8];
    size_t n = 0;
    REQUIRE(mj_store_invites_of(s, m, 0, list, 8, &n) == 0);
    CHECK_EQ(n, 5);
    CHECK_EQ(list[0].max_uses, 100); /* newest first */
    REQUIRE(mj_store_invites_of(s, m, list[1].id, list, 8, &n) == 0);
    CHECK_EQ(n, 3);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(the_tree_records_inviters_and_who_joined)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t root = join(s, 0, "root", T0, true);
    int64_t kid = join(s, root, "kid", T0, false);
    int64_t grandkid = join(s, kid, "grandkid", T0, false);
    REQUIRE(root > 0 && kid > 0 && grandkid > 0);
    mj_user u;
    REQUIRE(mj_store_user_by_id(s, grandkid, &u) == 0);
    CHECK_EQ(u.invited_by, kid);
    CHECK(!u.is_admin);
    mj_user_brief list[4];
    size_t n = 0;
    REQUIRE(mj_store_invitees(s, root, 0, list, 4, &n) == 0);
    CHECK_EQ(n, 1);
    CHECK_STR(list[0].handle, "kid");
    mj_invite invs[4];
    REQUIRE(mj_store_invites_of(s, kid, 0, invs, 4, &n) == 0);
    REQUIRE(n == 1);
    REQUIRE(mj_store_invite_joined(s, invs[0].id, list, 4, &n) == 0);
    CHECK_EQ(n, 1);
    CHECK_STR(list[0].handle, "grandkid");
    mj_store_close(s);
    remove_dir(dir);
}

TEST(sessions_expire_idle_absolute_and_with_their_account)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t id = join(s, 0, "sess", T0, false);
    REQUIRE(id > 0);
    mj_new_session ns = {.token_hash = {9}, .expires_at = T0 + 1000};
    REQUIRE(mj_store_session_create(s, id, &ns, T0) == 0);
    mj_session se;
    mj_user u;
    const int64_t idle = 100;
    /* Used within the idle window: alive, and last_seen moves. */
    REQUIRE(mj_store_session_lookup(s, ns.token_hash, T0 + 90, idle, 0, &se, &u) == 0);
    CHECK_STR(u.handle, "sess");
    CHECK_EQ(se.last_seen_at, T0 + 90);
    REQUIRE(mj_store_session_lookup(s, ns.token_hash, T0 + 180, idle, 0, &se, &u) == 0);
    /* With a refresh interval, last_seen is not rewritten every time. */
    REQUIRE(mj_store_session_lookup(s, ns.token_hash, T0 + 185, idle, 10, &se, &u) == 0);
    CHECK_EQ(se.last_seen_at, T0 + 180);
    /* Idle too long: gone for good. */
    CHECK_EQ(mj_store_session_lookup(s, ns.token_hash, T0 + 280, idle, 0, &se, &u), MJ_ENOTFOUND);
    CHECK_EQ(mj_store_session_lookup(s, ns.token_hash, T0 + 181, idle, 0, &se, &u), MJ_ENOTFOUND);

    /* Absolute expiry even when used all along. */
    mj_new_session ab = {.token_hash = {10}, .expires_at = T0 + 150};
    REQUIRE(mj_store_session_create(s, id, &ab, T0) == 0);
    REQUIRE(mj_store_session_lookup(s, ab.token_hash, T0 + 80, idle, 0, &se, &u) == 0);
    CHECK_EQ(mj_store_session_lookup(s, ab.token_hash, T0 + 150, idle, 0, &se, &u), MJ_ENOTFOUND);

    /* Listing, deleting one, purging, and suspension ending them all. */
    mj_new_session x = {.token_hash = {11}, .expires_at = T0 + DAY};
    mj_new_session y = {.token_hash = {12}, .expires_at = T0 + DAY};
    mj_new_session z = {.token_hash = {13}, .expires_at = T0 + 10};
    REQUIRE(mj_store_session_create(s, id, &x, T0) == 0);
    REQUIRE(mj_store_session_create(s, id, &y, T0) == 0);
    REQUIRE(mj_store_session_create(s, id, &z, T0) == 0);
    mj_session list[8];
    size_t n = 0;
    REQUIRE(mj_store_sessions_of(s, id, list, 8, &n) == 0);
    CHECK_EQ(n, 4); /* with the one the sign-up started */
    REQUIRE(mj_store_sessions_purge(s, T0 + 20, DAY) == 0);
    REQUIRE(mj_store_sessions_of(s, id, list, 8, &n) == 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(mj_store_session_delete(s, id + 1, x.id), MJ_ENOTFOUND);
    REQUIRE(mj_store_session_delete(s, id, x.id) == 0);
    CHECK_EQ(mj_store_session_lookup(s, x.token_hash, T0 + 1, DAY, 0, &se, &u), MJ_ENOTFOUND);
    int64_t changed;
    REQUIRE(mj_store_suspend(s, id, false, T0 + 30, &changed) == 0);
    CHECK_EQ(changed, 1);
    CHECK_EQ(mj_store_session_lookup(s, y.token_hash, T0 + 31, DAY, 0, &se, &u), MJ_ENOTFOUND);
    REQUIRE(mj_store_sessions_of(s, id, list, 8, &n) == 0);
    CHECK_EQ(n, 0);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(subtree_suspension_reaches_the_whole_branch_only)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t admin = join(s, 0, "admin", T0, true);
    int64_t a = join(s, admin, "a_top", T0, false);
    int64_t a1 = join(s, a, "a_one", T0, false);
    int64_t a11 = join(s, a1, "a_deep", T0, false);
    int64_t b = join(s, admin, "b_top", T0, false);
    REQUIRE(admin > 0 && a > 0 && a1 > 0 && a11 > 0 && b > 0);
    mj_subtree_count n;
    REQUIRE(mj_store_subtree_count(s, a, true, admin, &n) == 0);
    CHECK_EQ(n.accounts, 3);
    CHECK_EQ(n.active, 3);
    CHECK(!n.contains);
    REQUIRE(mj_store_subtree_count(s, a, false, admin, &n) == 0);
    CHECK_EQ(n.accounts, 1);
    REQUIRE(mj_store_subtree_count(s, admin, true, admin, &n) == 0);
    CHECK_EQ(n.accounts, 5);
    CHECK(n.contains);
    /* A deleted member in the middle keeps the branch connected. */
    REQUIRE(mj_store_user_delete(s, a1, T0 + 1) == 0);
    int64_t changed = 0;
    REQUIRE(mj_store_suspend(s, a, true, T0 + 2, &changed) == 0);
    CHECK_EQ(changed, 2); /* a_top and a_deep; the deleted node is not counted */
    mj_user u;
    REQUIRE(mj_store_user_by_id(s, a11, &u) == 0);
    CHECK_EQ(u.suspended_at, T0 + 2);
    REQUIRE(mj_store_user_by_id(s, b, &u) == 0);
    CHECK(mj_user_active(&u));
    REQUIRE(mj_store_user_by_id(s, admin, &u) == 0);
    CHECK(mj_user_active(&u));
    REQUIRE(mj_store_subtree_count(s, a, true, admin, &n) == 0);
    CHECK_EQ(n.accounts, 3);
    CHECK_EQ(n.active, 0);
    CHECK_EQ(n.suspended, 2);
    REQUIRE(mj_store_unsuspend(s, a, true, &changed) == 0);
    CHECK_EQ(changed, 2);
    REQUIRE(mj_store_user_by_id(s, a11, &u) == 0);
    CHECK(mj_user_active(&u));
    mj_store_close(s);
    remove_dir(dir);
}

TEST(deletion_keeps_an_anonymous_node_and_nothing_personal)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t a = join(s, 0, "gone", T0, false);
    int64_t b = join(s, a, "stays", T0, false);
    REQUIRE(a > 0 && b > 0);
    REQUIRE(mj_store_user_update_profile(s, a, "اسم", "نبذة") == 0);
    REQUIRE(mj_store_follow(s, a, b) == 0);
    REQUIRE(mj_store_follow(s, b, a) == 0);
    REQUIRE(mj_store_unfollow(s, b, a) == 0);
    REQUIRE(mj_store_block(s, b, a) == 0);
    char code[32];
    mj_invite inv;
    REQUIRE(mj_store_invite_create(s, a, 1, DAY, false, T0, code, &inv) == 0);
    REQUIRE(mj_store_user_delete(s, a, T0 + 5) == 0);
    mj_user u;
    REQUIRE(mj_store_user_by_id(s, a, &u) == 0);
    CHECK_STR(u.handle, "");
    CHECK_STR(u.display_name, "");
    CHECK_STR(u.bio, "");
    CHECK_EQ(u.deleted_at, T0 + 5);
    CHECK(!mj_user_active(&u));
    char ph[MJ_PASS_HASH_MAX];
    CHECK_EQ(mj_store_user_pass_hash(s, a, ph), MJ_ENOTFOUND);
    REQUIRE(mj_store_user_by_id(s, b, &u) == 0);
    CHECK_EQ(u.invited_by, a);
    /* No row mentions the member any more, except the tree. */
    sqlite3_stmt *st = mj_store_prepare(
        s, "SELECT (SELECT count(*) FROM follows WHERE follower = ?1 OR followee = ?1) + "
           "(SELECT count(*) FROM blocks WHERE blocker = ?1 OR blocked = ?1) + "
           "(SELECT count(*) FROM sessions WHERE user_id = ?1) + "
           "(SELECT count(*) FROM users WHERE id = ?1 AND pass_hash IS NOT NULL)");
    REQUIRE(st);
    sqlite3_bind_int64(st, 1, a);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    uint8_t h[MJ_HASH_LEN];
    mj_invite_state state;
    hash_code(code, h);
    REQUIRE(mj_store_invite_check(s, h, T0 + 6, &inv, &state) == 0);
    CHECK_EQ(state, MJ_INVITE_REVOKED);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(follows_blocks_and_what_lists_show)
{
    char *dir;
    mj_store *s = open_fresh(&dir);
    REQUIRE(s);
    int64_t a = join(s, 0, "anwar", T0, false);
    int64_t b = join(s, 0, "basma", T0, false);
    int64_t c = join(s, 0, "carim", T0, false);
    REQUIRE(a > 0 && b > 0 && c > 0);
    CHECK_EQ(mj_store_follow(s, a, a), MJ_EINVAL);
    REQUIRE(mj_store_follow(s, a, c) == 0);
    REQUIRE(mj_store_follow(s, b, c) == 0);
    REQUIRE(mj_store_follow(s, b, c) == 0); /* idempotent */
    REQUIRE(mj_store_follow(s, c, a) == 0);
    mj_user_brief list[4];
    size_t n = 0;
    REQUIRE(mj_store_follow_list(s, c, true, a, 0, list, 4, &n) == 0);
    CHECK_EQ(n, 2);
    CHECK_STR(list[0].handle, "basma"); /* newest first */
    /* Paging. */
    REQUIRE(mj_store_follow_list(s, c, true, a, 0, list, 1, &n) == 0);
    REQUIRE(n == 1);
    REQUIRE(mj_store_follow_list(s, c, true, a, list[0].cursor, list, 4, &n) == 0);
    CHECK_EQ(n, 1);
    CHECK_STR(list[0].handle, "anwar");
    /* Basma blocks Anwar: Anwar no longer sees her among Carim's followers,
     * and the follow between them cannot happen. */
    REQUIRE(mj_store_block(s, b, a) == 0);
    REQUIRE(mj_store_follow_list(s, c, true, a, 0, list, 4, &n) == 0);
    CHECK_EQ(n, 1);
    CHECK_STR(list[0].handle, "anwar");
    REQUIRE(mj_store_follow_list(s, c, true, c, 0, list, 4, &n) == 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(mj_store_follow(s, a, b), MJ_EAUTH);
    CHECK_EQ(mj_store_follow(s, b, a), MJ_EAUTH);
    bool blocked = false;
    REQUIRE(mj_store_is_blocked(s, b, a, &blocked) == 0);
    CHECK(blocked);
    REQUIRE(mj_store_is_blocked(s, a, b, &blocked) == 0);
    CHECK(!blocked);
    mj_relation rel;
    REQUIRE(mj_store_relation(s, a, b, &rel) == 0);
    CHECK(rel.blocked_by && !rel.blocking && !rel.following);
    int64_t followers, following;
    REQUIRE(mj_store_follow_counts(s, c, &followers, &following) == 0);
    CHECK_EQ(followers, 2);
    CHECK_EQ(following, 1);
    /* Suspended accounts drop out of lists and counts. */
    int64_t changed;
    REQUIRE(mj_store_suspend(s, b, false, T0, &changed) == 0);
    REQUIRE(mj_store_follow_counts(s, c, &followers, &following) == 0);
    CHECK_EQ(followers, 1);
    REQUIRE(mj_store_block_list(s, b, 0, list, 4, &n) == 0);
    CHECK_EQ(n, 1);
    REQUIRE(mj_store_unblock(s, b, a) == 0);
    REQUIRE(mj_store_is_blocked(s, b, a, &blocked) == 0);
    CHECK(!blocked);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(migrates_a_version_1_database_with_its_rooms)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    mj_store *s;
    const char *why = NULL;
    /* Given a database left by a majlis that knew only migration 1... */
    REQUIRE(mj_store_open_raw(dir, &s, &why) == 0);
    REQUIRE(mj_store_migrate_to(s, 1, &why) == 0);
    CHECK_EQ(mj_store_schema_version(s), 1);
    /* (made with the SQL of that version: its rooms had three columns) */
    char sql[200];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO rooms (id, title, created_at) VALUES ('oldroom23456', 'غرفة قديمة', %lld)",
        (long long)T0);
    REQUIRE(mj_store_exec(s, sql) == 0);
    mj_store_close(s);
    mj_room_rec got;
    /* ...when this one opens it, it migrates, and the room is intact. */
    REQUIRE(mj_store_open(dir, &s, &why) == 0);
    CHECK_EQ(mj_store_schema_version(s), mj_store_schema_latest());
    CHECK(mj_store_schema_latest() >= 2);
    REQUIRE(mj_store_room_get(s, "oldroom23456", &got) == 0);
    CHECK_STR(got.title, "غرفة قديمة");
    CHECK_EQ(got.created_at, T0);
    /* It became a live operator's room of the open kind. */
    CHECK_EQ(got.kind, 0);
    CHECK_EQ(got.created_by, 0);
    CHECK_EQ(got.ended_at, 0);
    /* And the new tables work. */
    CHECK(join(s, 0, "after_upgrade", T0, true) > 0);
    int64_t count = 0;
    REQUIRE(mj_store_user_count(s, &count) == 0);
    CHECK_EQ(count, 1);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(a_failed_migration_leaves_the_previous_version)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    mj_store *s;
    const char *why = NULL;
    REQUIRE(mj_store_open_raw(dir, &s, &why) == 0);
    REQUIRE(mj_store_migrate_to(s, 1, &why) == 0);
    /* A table the members migration wants to create is already there. */
    REQUIRE(mj_store_exec(s, "CREATE TABLE users (x INTEGER)") == 0);
    CHECK_EQ(mj_store_migrate_to(s, 2, &why), MJ_EIO);
    CHECK_EQ(mj_store_schema_version(s), 1);
    sqlite3_stmt *st =
        mj_store_prepare(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'invites'");
    REQUIRE(st);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    mj_store_close(s);
    remove_dir(dir);
}

TEST_MAIN(signup_redeems_an_invite_once, handles_are_unique_case_insensitively_and_stay_retired,
          invite_states_expired_revoked_and_inviter_suspended,
          quota_counts_seats_of_live_invites_and_taken_uses,
          the_tree_records_inviters_and_who_joined,
          sessions_expire_idle_absolute_and_with_their_account,
          subtree_suspension_reaches_the_whole_branch_only,
          deletion_keeps_an_anonymous_node_and_nothing_personal, follows_blocks_and_what_lists_show,
          migrates_a_version_1_database_with_its_rooms,
          a_failed_migration_leaves_the_previous_version)
