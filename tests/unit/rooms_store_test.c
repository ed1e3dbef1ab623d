/* Tests for src/store/rooms.c: room records, the hosting limit, what a
 * live room keeps and what its end forgets, and the signals a running
 * server reads (members gone since, the data version). */
#include "test.h"

#include "base/log.h"
#include "store/members.h"
#include "store/rooms.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <unistd.h>

#define T0  1700000000
#define DAY 86400

static char dir[64];

static mj_store *open_fresh(void)
{
    mj_log_set_level(MJ_LOG_ERROR);
    snprintf(dir, sizeof dir, "/tmp/mj-rooms-XXXXXX");
    mj_store *s = NULL;
    const char *why = NULL;
    if (!mkdtemp(dir) || mj_store_open(dir, &s, &why) != 0) return NULL;
    return s;
}

static void close_and_remove(mj_store *s)
{
    mj_store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static int64_t member(mj_store *s, const char *handle)
{
    char code[32];
    mj_invite inv;
    if (mj_store_invite_create(s, 0, 1, 7 * DAY, false, T0, code, &inv) != 0) return -1;
    mj_new_user nu = {
        .handle = handle, .display_name = handle, .pass_hash = "$argon2id$x", .invite_quota = 3};
    mj_store_hash_secret(code, strlen(code), nu.invite_hash);
    mj_new_session sess = {.expires_at = T0 + DAY};
    snprintf((char *)sess.token_hash, sizeof sess.token_hash, "tok-%s", handle);
    mj_user u;
    mj_invite_state state;
    return mj_store_signup(s, &nu, &sess, T0, &u, &state) == 0 ? u.id : -1;
}

typedef struct seen {
    int64_t users[8];
    int bits[8];
    int nusers;
    uint64_t bots[8];
    int nbots;
    char live[8][MJ_ROOM_ID_LEN + 1];
    int nlive;
} seen;

static void on_member(void *ctx, int64_t user, int bits)
{
    seen *s = ctx;
    if (s->nusers < 8) {
        s->users[s->nusers] = user;
        s->bits[s->nusers++] = bits;
    }
}

static void on_bot(void *ctx, uint64_t key)
{
    seen *s = ctx;
    if (s->nbots < 8) s->bots[s->nbots++] = key;
}

static int on_live(void *ctx, const mj_room_rec *r)
{
    seen *s = ctx;
    if (s->nlive < 8) memcpy(s->live[s->nlive++], r->id, sizeof r->id);
    return 0;
}

static void on_gone(void *ctx, int64_t user)
{
    on_member(ctx, user, 0);
}

TEST(a_member_hosts_at_most_max_hosted_live_rooms)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t a = member(s, "host_a");
    REQUIRE(a > 0);
    mj_new_room nr = {.title = "الأولى", .kind = 1, .created_by = a, .max_hosted = 2};
    mj_room_rec r1, r2, r3;
    REQUIRE(mj_store_room_create(s, &nr, T0, &r1) == 0);
    CHECK_EQ(r1.kind, 1);
    CHECK_EQ(r1.created_by, a);
    REQUIRE(mj_store_room_create(s, &nr, T0, &r2) == 0);
    CHECK_EQ(mj_store_room_create(s, &nr, T0, &r3), MJ_ELIMIT);
    int hosting = 0;
    REQUIRE(mj_store_room_hosting(s, a, &hosting) == 0);
    CHECK_EQ(hosting, 2);
    /* An ended room no longer counts. */
    REQUIRE(mj_store_room_end(s, r1.id, T0 + 5) == 0);
    REQUIRE(mj_store_room_create(s, &nr, T0, &r3) == 0);
    mj_room_rec got;
    REQUIRE(mj_store_room_get(s, r1.id, &got) == 0);
    CHECK_EQ(got.ended_at, T0 + 5);
    /* Ending twice keeps the first end. */
    REQUIRE(mj_store_room_end(s, r1.id, T0 + 9) == 0);
    REQUIRE(mj_store_room_get(s, r1.id, &got) == 0);
    CHECK_EQ(got.ended_at, T0 + 5);
    /* Operators have no limit. */
    mj_new_room op = {.title = "operator", .max_hosted = 1};
    REQUIRE(mj_store_room_create(s, &op, T0, &r1) == 0);
    REQUIRE(mj_store_room_create(s, &op, T0, &r1) == 0);
    close_and_remove(s);
}

TEST(a_live_room_keeps_its_people_until_it_ends)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t a = member(s, "keeper_a"), b = member(s, "keeper_b");
    REQUIRE(a > 0 && b > 0);
    mj_new_room nr = {.title = "مغلقة", .kind = 2, .created_by = a};
    mj_room_rec r;
    REQUIRE(mj_store_room_create(s, &nr, T0, &r) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, b, MJ_ROOM_MEMBER_ALLOWED, true) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, b, MJ_ROOM_MEMBER_MODERATOR, true) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, b, MJ_ROOM_MEMBER_MODERATOR, false) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, a, MJ_ROOM_MEMBER_REMOVED, true) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, a, MJ_ROOM_MEMBER_REMOVED, false) == 0);
    uint64_t key = 0xfedcba9876543210ull; /* above INT64_MAX: kept bit for bit */
    REQUIRE(mj_store_room_ban_bot(s, r.id, key) == 0);
    REQUIRE(mj_store_room_ban_bot(s, r.id, key) == 0);
    seen got = {0};
    REQUIRE(mj_store_room_people(s, r.id, on_member, on_bot, &got) == 0);
    REQUIRE(got.nusers == 1); /* a's row went with its last bit */
    CHECK_EQ(got.users[0], b);
    CHECK_EQ(got.bits[0], MJ_ROOM_MEMBER_ALLOWED);
    REQUIRE(got.nbots == 1);
    CHECK(got.bots[0] == key);
    REQUIRE(mj_store_room_set_hands(s, r.id, true) == 0);
    mj_room_rec rec;
    REQUIRE(mj_store_room_get(s, r.id, &rec) == 0);
    CHECK(rec.hands_off);
    /* The end forgets everything but the record. */
    REQUIRE(mj_store_room_end(s, r.id, T0 + 60) == 0);
    memset(&got, 0, sizeof got);
    REQUIRE(mj_store_room_people(s, r.id, on_member, on_bot, &got) == 0);
    CHECK_EQ(got.nusers, 0);
    CHECK_EQ(got.nbots, 0);
    close_and_remove(s);
}

TEST(live_rooms_are_listed_oldest_first_and_ended_ones_not)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    mj_new_room nr = {.title = "room"};
    mj_room_rec r1, r2, r3;
    REQUIRE(mj_store_room_create(s, &nr, T0 + 2, &r1) == 0);
    REQUIRE(mj_store_room_create(s, &nr, T0 + 1, &r2) == 0);
    REQUIRE(mj_store_room_create(s, &nr, T0 + 3, &r3) == 0);
    REQUIRE(mj_store_room_end(s, r3.id, T0 + 4) == 0);
    seen got = {0};
    REQUIRE(mj_store_rooms_live(s, on_live, &got) == 0);
    REQUIRE(got.nlive == 2);
    CHECK_STR(got.live[0], r2.id);
    CHECK_STR(got.live[1], r1.id);
    close_and_remove(s);
}

TEST(a_deleted_account_leaves_no_room_rows)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t a = member(s, "leaver_a");
    REQUIRE(a > 0);
    mj_new_room nr = {.title = "room"};
    mj_room_rec r;
    REQUIRE(mj_store_room_create(s, &nr, T0, &r) == 0);
    REQUIRE(mj_store_room_member_set(s, r.id, a, MJ_ROOM_MEMBER_MODERATOR, true) == 0);
    REQUIRE(mj_store_user_delete(s, a, T0 + 1) == 0);
    seen got = {0};
    REQUIRE(mj_store_room_people(s, r.id, on_member, on_bot, &got) == 0);
    CHECK_EQ(got.nusers, 0);
    close_and_remove(s);
}

TEST(members_gone_since_sees_suspensions_and_deletions_by_others)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t a = member(s, "gone_a"), b = member(s, "gone_b"), c = member(s, "gone_c");
    REQUIRE(a > 0 && b > 0 && c > 0);
    int64_t changed = 0;
    REQUIRE(mj_store_suspend(s, a, false, T0 + 10, &changed) == 0);
    REQUIRE(mj_store_user_delete(s, b, T0 + 20) == 0);
    seen got = {0};
    REQUIRE(mj_store_members_gone_since(s, T0 + 15, on_gone, &got) == 0);
    REQUIRE(got.nusers == 1);
    CHECK_EQ(got.users[0], b);
    memset(&got, 0, sizeof got);
    REQUIRE(mj_store_members_gone_since(s, T0, on_gone, &got) == 0);
    CHECK_EQ(got.nusers, 2);
    /* Another connection's commit moves the data version; our own do not. */
    int64_t v1 = 0, v2 = 0, v3 = 0;
    REQUIRE(mj_store_data_version(s, &v1) == 0);
    REQUIRE(mj_store_suspend(s, c, false, T0 + 30, &changed) == 0);
    REQUIRE(mj_store_data_version(s, &v2) == 0);
    CHECK_EQ(v1, v2);
    mj_store *other = NULL;
    const char *why = NULL;
    REQUIRE(mj_store_open(dir, &other, &why) == 0);
    REQUIRE(mj_store_unsuspend(other, c, false, &changed) == 0);
    mj_store_close(other);
    REQUIRE(mj_store_data_version(s, &v3) == 0);
    CHECK(v3 != v2);
    close_and_remove(s);
}

TEST(schedules_are_seen_by_followers_closed_ones_by_their_host_only)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t host = member(s, "sched_host"), fan = member(s, "sched_fan"),
            other = member(s, "sched_other");
    REQUIRE(host > 0 && fan > 0 && other > 0);
    REQUIRE(mj_store_follow(s, fan, host) == 0);
    mj_schedule in = {.host = host, .kind = 0, .starts_at = T0 + 3600}, a, b, c;
    snprintf(in.title, sizeof in.title, "غدًا");
    REQUIRE(mj_store_schedule_create(s, &in, T0, &a) == 0);
    in.starts_at = T0 + 600;
    in.kind = 2;
    REQUIRE(mj_store_schedule_create(s, &in, T0, &b) == 0);
    in.kind = 1;
    in.starts_at = T0 + 60;
    REQUIRE(mj_store_schedule_create(s, &in, T0, &c) == 0);
    mj_schedule got[8];
    size_t n = 0;
    /* The host sees all three, soonest first. */
    REQUIRE(mj_store_schedules_for(s, host, T0, 3600, got, 8, &n) == 0);
    REQUIRE(n == 3);
    CHECK_EQ(got[0].id, c.id);
    CHECK_EQ(got[1].id, b.id);
    CHECK_EQ(got[2].id, a.id);
    CHECK_STR(got[2].title, "غدًا");
    /* A follower: not the closed one. Someone who does not follow: none. */
    REQUIRE(mj_store_schedules_for(s, fan, T0, 3600, got, 8, &n) == 0);
    REQUIRE(n == 2);
    CHECK_EQ(got[0].id, c.id);
    CHECK_EQ(got[1].id, a.id);
    REQUIRE(mj_store_schedules_for(s, other, T0, 3600, got, 8, &n) == 0);
    CHECK_EQ(n, 0);
    /* A host who blocks the follower hides them. */
    REQUIRE(mj_store_follow(s, other, host) == 0);
    REQUIRE(mj_store_block(s, host, other) == 0);
    REQUIRE(mj_store_schedules_for(s, other, T0, 3600, got, 8, &n) == 0);
    CHECK_EQ(n, 0);
    /* Passed time: kept for the grace, then gone; purge forgets them. */
    REQUIRE(mj_store_schedules_for(s, fan, T0 + 3600 + 7200, 3600, got, 8, &n) == 0);
    CHECK_EQ(n, 0);
    REQUIRE(mj_store_schedules_purge(s, T0 + 100) == 0);
    CHECK_EQ(mj_store_schedule_get(s, c.id, got), MJ_ENOTFOUND);
    /* Only the host removes theirs; the limit per host holds. */
    CHECK_EQ(mj_store_schedule_delete(s, a.id, fan), MJ_ENOTFOUND);
    REQUIRE(mj_store_schedule_delete(s, a.id, host) == 0);
    for (int i = 0; i < MJ_SCHEDULES_PER_HOST - 1; i++)
        REQUIRE(mj_store_schedule_create(s, &in, T0, &a) == 0);
    CHECK_EQ(mj_store_schedule_create(s, &in, T0, &a), MJ_ELIMIT);
    /* A deleted host's announcements go with the account. */
    REQUIRE(mj_store_user_delete(s, host, T0 + 1) == 0);
    REQUIRE(mj_store_schedules_for(s, host, T0, 3600, got, 8, &n) == 0);
    CHECK_EQ(n, 0);
    close_and_remove(s);
}

TEST(the_path_up_the_invite_tree_and_who_one_follows)
{
    mj_store *s = open_fresh();
    REQUIRE(s);
    int64_t top = member(s, "path_top");
    REQUIRE(top > 0);
    /* top -> mid -> leaf, through member invites. */
    int64_t ids[3] = {top, 0, 0};
    const char *names[] = {"path_mid", "path_leaf"};
    for (int i = 0; i < 2; i++) {
        char code[32];
        mj_invite inv;
        REQUIRE(mj_store_invite_create(s, ids[i], 1, 7 * DAY, false, T0, code, &inv) == 0);
        mj_new_user nu = {
            .handle = names[i], .display_name = names[i], .pass_hash = "$x", .invite_quota = 3};
        mj_store_hash_secret(code, strlen(code), nu.invite_hash);
        mj_new_session sess = {.expires_at = T0 + DAY};
        snprintf((char *)sess.token_hash, sizeof sess.token_hash, "t-%s", names[i]);
        mj_user u;
        mj_invite_state state;
        REQUIRE(mj_store_signup(s, &nu, &sess, T0, &u, &state) == 0);
        ids[i + 1] = u.id;
    }
    int64_t path[8];
    size_t n = 0;
    REQUIRE(mj_store_user_path(s, ids[2], path, 8, &n) == 0);
    REQUIRE(n == 3);
    CHECK_EQ(path[0], top);
    CHECK_EQ(path[1], ids[1]);
    CHECK_EQ(path[2], ids[2]);
    /* A short buffer keeps the top and the member. */
    REQUIRE(mj_store_user_path(s, ids[2], path, 2, &n) == 0);
    REQUIRE(n == 2);
    CHECK_EQ(path[0], top);
    CHECK_EQ(path[1], ids[2]);
    CHECK_EQ(mj_store_user_path(s, 999999, path, 8, &n), MJ_ENOTFOUND);
    REQUIRE(mj_store_follow(s, ids[2], top) == 0);
    REQUIRE(mj_store_follow(s, ids[2], ids[1]) == 0);
    int64_t f[4];
    REQUIRE(mj_store_following_ids(s, ids[2], f, 4, &n) == 0);
    CHECK_EQ(n, 2);
    close_and_remove(s);
}

TEST_MAIN(a_member_hosts_at_most_max_hosted_live_rooms, a_live_room_keeps_its_people_until_it_ends,
          live_rooms_are_listed_oldest_first_and_ended_ones_not,
          a_deleted_account_leaves_no_room_rows,
          members_gone_since_sees_suspensions_and_deletions_by_others,
          schedules_are_seen_by_followers_closed_ones_by_their_host_only,
          the_path_up_the_invite_tree_and_who_one_follows)
