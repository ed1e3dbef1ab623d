/* Tests for src/store on a temporary data directory. */
#include "test.h"

#include "store/rooms.h"
#include "store/store.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *temp_dir(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/mj-store-XXXXXX");
    return mkdtemp(path);
}

static void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(creates_and_reads_rooms)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    mj_store *s;
    const char *why = NULL;
    REQUIRE(mj_store_open(dir, &s, &why) == 0);
    CHECK_EQ(mj_store_schema_version(s), mj_store_schema_latest());
    mj_room_rec r, got;
    mj_new_room nr = {.title = "مجلس الخميس"};
    REQUIRE(mj_store_room_create(s, &nr, 1700000000, &r) == 0);
    CHECK_EQ(strlen(r.id), MJ_ROOM_ID_LEN);
    REQUIRE(mj_store_room_get(s, r.id, &got) == 0);
    CHECK_STR(got.title, "مجلس الخميس");
    CHECK_EQ(got.created_at, 1700000000);
    CHECK_EQ(got.kind, 0);
    CHECK_EQ(got.created_by, 0);
    CHECK_EQ(got.ended_at, 0);
    CHECK_EQ(mj_store_room_get(s, "nosuchroom00", &got), MJ_ENOTFOUND);
    CHECK_EQ(mj_store_room_get(s, "x", &got), MJ_ENOTFOUND);
    nr.title = "";
    CHECK_EQ(mj_store_room_create(s, &nr, 1, &r), MJ_EINVAL);
    nr.title = "x";
    nr.kind = 3;
    CHECK_EQ(mj_store_room_create(s, &nr, 1, &r), MJ_EINVAL);
    int64_t n = 0;
    REQUIRE(mj_store_room_count(s, &n) == 0);
    CHECK_EQ(n, 1);
    mj_store_close(s);
    /* Reopening sees the same data and migrates nothing. */
    REQUIRE(mj_store_open(dir, &s, &why) == 0);
    CHECK_EQ(mj_store_room_get(s, r.id, &got), 0);
    mj_store_close(s);
    remove_dir(dir);
}

TEST(refuses_a_newer_database)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    mj_store *s;
    const char *why = NULL;
    REQUIRE(mj_store_open(dir, &s, &why) == 0);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", mj_store_schema_latest() + 1);
    REQUIRE(mj_store_exec(s, sql) == 0);
    mj_store_close(s);
    CHECK_EQ(mj_store_open(dir, &s, &why), MJ_EUNSUPP);
    CHECK(why && strstr(why, "newer"));
    remove_dir(dir);
}

TEST(migrates_from_an_empty_database_step_by_step)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    mj_store *s;
    const char *why = NULL;
    REQUIRE(mj_store_open_raw(dir, &s, &why) == 0);
    CHECK_EQ(mj_store_schema_version(s), 0);
    for (int v = 1; v <= mj_store_schema_latest(); v++) {
        CHECK_EQ(mj_store_migrate_to(s, v, &why), 0);
        CHECK_EQ(mj_store_schema_version(s), v);
    }
    mj_store_close(s);
    remove_dir(dir);
}

TEST(secret_is_created_once_and_private)
{
    char *dir = temp_dir();
    REQUIRE(dir);
    uint8_t a[MJ_SECRET_LEN], b[MJ_SECRET_LEN];
    const char *why = NULL;
    REQUIRE(mj_data_secret(dir, a, &why) == 0);
    REQUIRE(mj_data_secret(dir, b, &why) == 0);
    CHECK_MEM(a, b, MJ_SECRET_LEN);
    char path[128];
    snprintf(path, sizeof path, "%s/secret.key", dir);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    CHECK_EQ(st.st_size, MJ_SECRET_LEN);
    /* A damaged secret is reported, not silently replaced. */
    REQUIRE(truncate(path, 5) == 0);
    CHECK_EQ(mj_data_secret(dir, a, &why), MJ_EINVAL);
    remove_dir(dir);
}

TEST_MAIN(creates_and_reads_rooms, refuses_a_newer_database,
          migrates_from_an_empty_database_step_by_step, secret_is_created_once_and_private)
