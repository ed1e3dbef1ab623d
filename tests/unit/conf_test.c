/* Tests for config files (src/cli/conf.c), the flags they set
 * (src/cli/flags.c) and the members API settings that flags override
 * (src/api/settings.c). */
#include "test.h"

#include "api/settings.h"
#include "cli/conf.h"
#include "cli/flags.h"

#include <stdbool.h>
#include <unistd.h>

/* The flags of a small command, fresh for every case. */
typedef struct opts {
    const char *data, *config, *name;
    long workers;
    bool verbose;
    mj_flag_checked origin;
    mj_flag flags[7];
    mj_command cmd;
} opts;

static void opts_init(opts *o)
{
    memset(o, 0, sizeof *o);
    o->workers = 1;
    o->origin.check = mj_api_check_public_origin;
    mj_flag flags[] = {
        {"config", MJ_FLAG_CONFIG, &o->config, "FILE", "config file", 0, 0, false, false},
        {"data", MJ_FLAG_STRING, &o->data, "DIR", "data", 0, 0, false, false},
        {"workers", MJ_FLAG_INT, &o->workers, "N", "workers", 1, 64, false, false},
        {"verbose", MJ_FLAG_BOOL, &o->verbose, NULL, "say more", 0, 0, false, false},
        {"public-origin", MJ_FLAG_CHECKED, &o->origin, "URL", "origin", 0, 0, false, false},
        {"name", MJ_FLAG_STRING, &o->name, "NAME", "a name", 0, 0, true, false},
        {0},
    };
    memcpy(o->flags, flags, sizeof flags);
    o->cmd = (mj_command){"demo", "A demo.", NULL, 0, 0, o->flags};
}

static char text[4096];
static char err[512];
static unsigned line;

/* Applies a config text to o: 0 or 2, err and line as the parser left them. */
static int apply(opts *o, const char *conf)
{
    size_t n = strlen(conf);
    memcpy(text, conf, n + 1);
    err[0] = '\0';
    line = 0;
    return mj_flags_apply_conf(&o->cmd, text, n, &line, err, sizeof err);
}

TEST(names_values_comments_and_blank_lines)
{
    opts o;
    opts_init(&o);
    CHECK_EQ(apply(&o, "# a comment\n"
                       "\n"
                       "   data = /var/lib/majlis   \n"
                       "workers\t4 # four of them\n"
                       "verbose\n"
                       "public-origin=https://majlis.example/\n"
                       "name \"a # b\"  # quoted\n"),
             0);
    CHECK_STR(o.data, "/var/lib/majlis");
    CHECK_EQ(o.workers, 4);
    CHECK(o.verbose);
    CHECK_STR(o.origin.value, "https://majlis.example/");
    CHECK_STR(o.name, "a # b");
    CHECK(o.flags[1].seen && o.flags[2].seen && o.flags[5].seen);
    CHECK(!o.flags[0].seen);
}

TEST(crlf_line_ends_a_hash_inside_a_value_and_no_final_newline)
{
    opts o;
    opts_init(&o);
    CHECK_EQ(apply(&o, "data = /srv/a#b\r\nverbose = off\r\nname x"), 0);
    CHECK_STR(o.data, "/srv/a#b");
    CHECK(!o.verbose);
    CHECK_STR(o.name, "x");
}

/* Every error names its line and says what is wrong. */
static void check_error(const char *conf, unsigned want_line, const char *want)
{
    opts o;
    opts_init(&o);
    CHECK_EQ(apply(&o, conf), 2);
    CHECK_EQ(line, want_line);
    if (!strstr(err, want)) MJ_TEST_FAIL("error for line %u is '%s', wanted '%s'", line, err, want);
}

TEST(errors_name_the_line)
{
    check_error("data = /x\nthreads = 4\n", 2, "unknown setting 'threads'");
    check_error("workers = 0\n", 1, "workers wants a whole number from 1 to 64, not '0'");
    check_error("\n\nworkers = many\n", 3, "not 'many'");
    check_error("workers = 4x\n", 1, "not '4x'");
    check_error("data = /a\ndata = /b\n", 2, "data is set twice (first on line 1)");
    check_error("verbose = maybe\n", 1, "verbose wants true or false");
    check_error("public-origin = ftp://x\n", 1, "public-origin wants http://HOST");
    check_error("data\n", 1, "data needs a value (DIR)");
    check_error("data =\n", 1, "no value after '='");
    check_error("data = \"\"\n", 1, "data needs a non-empty value");
    check_error("data = \"/x\n", 1, "no closing");
    check_error("data = \"/x\" y\n", 1, "text after a quoted value");
    check_error("--data = /x\n", 1, "without its leading dashes");
    check_error("da ta = /x\n", 1, "unknown setting 'da'");
    check_error("data: /x\n", 1, "expected 'name = value'");
    check_error("config = other.conf\n", 1, "cannot name another");
    check_error("# ok\ndata = /x\x1b[2J\n", 2, "control character 0x1b");
    check_error("data = /x\rname = y\n", 1, "control character 0x0d");
}

TEST(a_nul_byte_is_an_error_not_the_end)
{
    opts o;
    opts_init(&o);
    static const char conf[] = "name = a\ndata = /x\0threads = 9\n";
    memcpy(text, conf, sizeof conf);
    CHECK_EQ(mj_flags_apply_conf(&o.cmd, text, sizeof conf - 1, &line, err, sizeof err), 2);
    CHECK_EQ(line, 2);
    CHECK(strstr(err, "control character 0x00") != NULL);
}

/* Writes a config file; its path. */
static const char *write_conf(const char *conf)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/majlis-conf-test-%ld.conf", (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(conf, f);
    fclose(f);
    return path;
}

static int parse(opts *o, int argc, char **argv)
{
    const char *args[1];
    size_t nargs;
    return mj_flags_parse(&o->cmd, argc, argv, args, &nargs);
}

TEST(the_command_line_wins_over_the_file)
{
    const char *path = write_conf("workers = 8\ndata = /from/file\nname = file\n");
    REQUIRE(path);
    opts o;
    opts_init(&o);
    char *argv[] = {"--workers", "2", "--config", (char *)path};
    CHECK_EQ(parse(&o, 4, argv), 0);
    CHECK_EQ(o.workers, 2);
    CHECK_STR(o.data, "/from/file");
    CHECK_STR(o.name, "file"); /* the required flag came from the file */
    unlink(path);
}

TEST(a_bad_value_is_an_error_even_where_the_command_line_wins)
{
    const char *path = write_conf("name = n\nworkers = lots\n");
    REQUIRE(path);
    opts o;
    opts_init(&o);
    char *argv[] = {"--config", (char *)path, "--workers", "2"};
    CHECK_EQ(parse(&o, 4, argv), 2);
    unlink(path);
}

TEST(an_unreadable_or_huge_file_is_an_error)
{
    opts o;
    opts_init(&o);
    char *missing[] = {"--name", "x", "--config", "/nonexistent/majlis.conf"};
    CHECK_EQ(parse(&o, 4, missing), 2);
    opts_init(&o);
    char *dir[] = {"--name", "x", "--config", "/tmp"};
    CHECK_EQ(parse(&o, 4, dir), 2);

    static char big[MJ_CONF_MAX_BYTES + 100];
    memset(big, '#', sizeof big - 1);
    const char *path = write_conf(big);
    REQUIRE(path);
    opts_init(&o);
    char *huge[] = {"--name", "x", "--config", (char *)path};
    CHECK_EQ(parse(&o, 4, huge), 2);
    /* The same size less the excess is a comment, and fine. */
    big[MJ_CONF_MAX_BYTES] = '\0';
    path = write_conf(big);
    opts_init(&o);
    CHECK_EQ(parse(&o, 4, huge), 0);
    unlink(path);
}

TEST(help_wins_and_reads_no_file)
{
    opts o;
    opts_init(&o);
    char *argv[] = {"--config", "/nonexistent/majlis.conf", "--help"};
    CHECK_EQ(parse(&o, 3, argv), 1);
}

TEST(settings_flags_win_over_the_environment)
{
    mj_api_settings set;
    const char *why = NULL;
    setenv("MAJLIS_INVITE_QUOTA", "5", 1);
    setenv("MAJLIS_PUBLIC_ORIGIN", "https://env.example", 1);
    REQUIRE(mj_api_settings_load(&set, NULL, &why) == 0);
    CHECK_EQ(set.invite_quota, 5);
    CHECK_STR(set.public_origin, "https://env.example");
    CHECK_EQ(set.session_idle_s, 14 * 24 * 3600);

    mj_api_overrides over = MJ_API_NO_OVERRIDES;
    over.invite_quota = 0;
    over.session_idle_s = 60;
    over.session_max_s = 30; /* never shorter than idle */
    over.public_origin = "https://flag.example/";
    over.rate_limits = "login_account=3/60,api_session=off";
    REQUIRE(mj_api_settings_load(&set, &over, &why) == 0);
    CHECK_EQ(set.invite_quota, 0);
    CHECK_EQ(set.session_idle_s, 60);
    CHECK_EQ(set.session_max_s, 60);
    CHECK_STR(set.public_origin, "https://flag.example");
    CHECK_EQ(set.limits[MJ_LIMIT_LOGIN_ACCOUNT].count, 3);
    CHECK_EQ(set.limits[MJ_LIMIT_LOGIN_ACCOUNT].period_s, 60);
    CHECK_EQ(set.limits[MJ_LIMIT_API_SESSION].count, 0);

    /* A bad variable is named, unless a flag hides it. */
    setenv("MAJLIS_HASH_THREADS", "99", 1);
    CHECK_EQ(mj_api_settings_load(&set, NULL, &why), MJ_EINVAL);
    CHECK_STR(why, "MAJLIS_HASH_THREADS");
    over.hash_threads = 3;
    CHECK_EQ(mj_api_settings_load(&set, &over, &why), 0);
    CHECK_EQ(set.hash_threads, 3);
    over.hash_threads = 17;
    CHECK_EQ(mj_api_settings_load(&set, &over, &why), MJ_EINVAL);
    CHECK_STR(why, "--hash-threads");
    unsetenv("MAJLIS_HASH_THREADS");
    unsetenv("MAJLIS_INVITE_QUOTA");
    unsetenv("MAJLIS_PUBLIC_ORIGIN");
}

TEST(settings_checks)
{
    CHECK(mj_api_check_rate_limits("login_account=5/600,api_session=off") == NULL);
    CHECK(mj_api_check_rate_limits("login_acount=5/600") != NULL);
    CHECK(mj_api_check_rate_limits("login_account") != NULL);
    CHECK(mj_api_check_public_origin("http://127.0.0.1:8080") == NULL);
    CHECK(mj_api_check_public_origin("majlis.example") != NULL);
}

TEST_MAIN(names_values_comments_and_blank_lines,
          crlf_line_ends_a_hash_inside_a_value_and_no_final_newline, errors_name_the_line,
          a_nul_byte_is_an_error_not_the_end, the_command_line_wins_over_the_file,
          a_bad_value_is_an_error_even_where_the_command_line_wins,
          an_unreadable_or_huge_file_is_an_error, help_wins_and_reads_no_file,
          settings_flags_win_over_the_environment, settings_checks)
