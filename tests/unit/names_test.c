/* Tests for src/api/names (handles, display names, bios,
 * passphrases, initials) and src/api/bodies (request bodies). */
#include "test.h"

#include "api/names.h"
#include "api/bodies.h"

static int name(const char *in, char out[MJ_NAME_MAX_BYTES + 1])
{
    const char *why = NULL;
    int rc = mj_display_name_normalize((const uint8_t *)in, strlen(in), out, &why);
    if (rc) CHECK(why != NULL);
    return rc;
}

static void name_ok(const char *in, const char *want)
{
    char out[MJ_NAME_MAX_BYTES + 1];
    int rc = name(in, out);
    CHECK_EQ(rc, 0);
    if (rc == 0) CHECK_STR(out, want);
}

static void name_bad(const char *in)
{
    char out[MJ_NAME_MAX_BYTES + 1];
    int rc = name(in, out);
    if (rc != MJ_EINVAL) MJ_TEST_FAIL("accepted display name \"%s\"", in);
}

TEST(handles)
{
    char out[MJ_HANDLE_MAX + 1];
    const char *why;
    CHECK_EQ(mj_handle_normalize("Layla_99", 8, out, &why), 0);
    CHECK_STR(out, "layla_99");
    CHECK_EQ(mj_handle_normalize("abc", 3, out, &why), 0);
    CHECK_EQ(mj_handle_normalize("a2345678901234567890", 20, out, &why), 0);
    CHECK_EQ(mj_handle_normalize("ab", 2, out, &why), MJ_EINVAL);
    CHECK_EQ(mj_handle_normalize("a23456789012345678901", 21, out, &why), MJ_EINVAL);
    CHECK_EQ(mj_handle_normalize("a-b", 3, out, &why), MJ_EINVAL);
    CHECK_EQ(mj_handle_normalize("a b", 3, out, &why), MJ_EINVAL);
    CHECK_EQ(mj_handle_normalize("ab\0c", 4, out, &why), MJ_EINVAL);
    CHECK_EQ(mj_handle_normalize("حسن", strlen("حسن"), out, &why), MJ_EINVAL);
    /* The Turkish dotless i and the Kelvin sign are not letters here. */
    CHECK_EQ(mj_handle_normalize("\xc4\xb1st", 4, out, &why), MJ_EINVAL);
}

TEST(display_names_keep_every_script)
{
    name_ok("عبد الله", "عبد الله");
    name_ok("مُحَمَّد", "مُحَمَّد");
    /* Shadda (ccc 33) typed before fatha (ccc 30) is reordered by NFC. */
    name_ok("\xd9\x85\xd9\x91\xd9\x8e", "\xd9\x85\xd9\x8e\xd9\x91");
    name_ok("می\xe2\x80\x8cخواهم", "می\xe2\x80\x8cخواهم"); /* ZWNJ */
    name_ok("כהן", "כהן");
    name_ok("张伟", "张伟");
    name_ok("e\xcc\x81", "\xc3\xa9"); /* NFC composes */
    name_ok("👩\xe2\x80\x8d💻", "👩\xe2\x80\x8d💻");
    name_ok("❤\xef\xb8\x8f", "❤\xef\xb8\x8f"); /* variation selector */
}

TEST(display_names_trim_and_collapse_whitespace)
{
    name_ok("  a  ", "a");
    name_ok("a \xc2\xa0 b", "a b");
    name_ok("\xe3\x80\x80علي\xe2\x80\x83حسن ", "علي حسن");
}

TEST(display_names_refuse_spoofing_and_invisible_text)
{
    static const char *const bad[] = {
        "",
        "   ",
        "\xe2\x80\xaa"
        "a",
        "a\xe2\x80\xab",
        "a\xe2\x80\xac",
        "a\xe2\x80\xad",
        "a\xe2\x80\xae"
        "b",
        "a\xe2\x81\xa6"
        "b",
        "a\xe2\x81\xa7"
        "b",
        "a\xe2\x81\xa8"
        "b",
        "a\xe2\x81\xa9"
        "b",
        "a\xe2\x80\x8e"
        "b",
        "a\xe2\x80\x8f"
        "b",
        "a\xd8\x9c"
        "b",
        "a\x07",
        "a\nb",
        "a\tb",
        "a\rb",
        "a\x7f",
        "a\xc2\x85",
        "a\xe2\x80\xa8"
        "b",
        "a\xe2\x80\x8b"
        "b",
        "\xef\xbb\xbf"
        "a",
        "a\xc2\xad"
        "b",
        "\xe3\x85\xa4",
        "\xe2\xa0\x80",
        "a\xee\x80\x80",
        "a\xf3\xa0\x80\x81",
        "\xe2\x80\x8c"
        "a",
        "a\xe2\x80\x8d",
        "a\xe2\x80\x8c\xe2\x80\x8c"
        "b",
        "a\xe2\x80\x8c b",
        "\xcc\x81"
        "a",
        "a \xcc\x81",
        "a\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81",
        "\xd8\xa8\xd9\x8e\xd9\x8e\xd9\x8e\xd9\x8e\xd9\x8e\xd9\x8e",
        "\xff",
        "\xc0\xaf",
        "\xed\xa0\x80",
        "a\xf4\x90\x80\x80",
        "\xcd\xb8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        name_bad(bad[i]);
    /* NUL inside the given length. */
    char out[MJ_NAME_MAX_BYTES + 1];
    const char *why;
    CHECK_EQ(mj_display_name_normalize((const uint8_t *)"a\0b", 3, out, &why), MJ_EINVAL);
}

TEST(display_names_are_capped)
{
    char buf[512], out[MJ_NAME_MAX_BYTES + 1];
    memset(buf, 'x', 50);
    buf[50] = '\0';
    CHECK_EQ(name(buf, out), 0);
    buf[50] = 'x';
    buf[51] = '\0';
    CHECK_EQ(name(buf, out), MJ_EINVAL);
    /* 50 Arabic letters with a mark each: counted as 50 characters. */
    size_t n = 0;
    for (int i = 0; i < 50; i++) {
        memcpy(buf + n, "\xd8\xa8\xd9\x8e", 4); /* beh + fatha */
        n += 4;
    }
    buf[n] = '\0';
    CHECK_EQ(name(buf, out), 0);
    CHECK_EQ(strlen(out), 200);
    /* Huge input is refused without work. */
    char *huge = malloc(100000);
    REQUIRE(huge);
    memset(huge, 'a', 100000);
    const char *why;
    CHECK_EQ(mj_display_name_normalize((const uint8_t *)huge, 100000, out, &why), MJ_EINVAL);
    free(huge);
}

TEST(bios_allow_a_few_lines)
{
    char out[MJ_BIO_MAX_BYTES + 1];
    const char *why;
    CHECK_EQ(mj_bio_normalize((const uint8_t *)"", 0, out, &why), 0);
    CHECK_STR(out, "");
    const char *in = "  line one  \r\n\n\n\nline two\n";
    CHECK_EQ(mj_bio_normalize((const uint8_t *)in, strlen(in), out, &why), 0);
    CHECK_STR(out, "line one\n\nline two");
    const char *many = "1\n2\n3\n4\n5\n6\n7";
    CHECK_EQ(mj_bio_normalize((const uint8_t *)many, strlen(many), out, &why), MJ_EINVAL);
    const char *bidi = "a\xe2\x80\xae"
                       "b";
    CHECK_EQ(mj_bio_normalize((const uint8_t *)bidi, strlen(bidi), out, &why), MJ_EINVAL);
    const char *cr = "a\rb";
    CHECK_EQ(mj_bio_normalize((const uint8_t *)cr, strlen(cr), out, &why), MJ_EINVAL);
}

TEST(passphrases)
{
    char out[MJ_PASS_MAX_BYTES + 1];
    size_t len = 0;
    const char *why;
    const char *ar = "كلمة سر طويلة";
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)ar, strlen(ar), MJ_PASS_MIN_CHARS, out, &len,
                                     &why),
             0);
    CHECK_EQ(len, strlen(ar));
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)"123456789", 9, MJ_PASS_MIN_CHARS, out, &len,
                                     &why),
             MJ_EINVAL);
    /* Ten code points of two bytes each are enough. */
    const char *ten = "ااااااااا\xd8\xa7";
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)ten, strlen(ten), MJ_PASS_MIN_CHARS, out,
                                     &len, &why),
             0);
    /* Login accepts short ones (old rules), never NUL or bad UTF-8. */
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)"abc", 3, 0, out, &len, &why), 0);
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)"abcdefghij\0k", 12, 0, out, &len, &why),
             MJ_EINVAL);
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)"abcdefghij\xff", 11, 0, out, &len, &why),
             MJ_EINVAL);
    /* NFD and NFC spellings of one passphrase give the same bytes. */
    char a[MJ_PASS_MAX_BYTES + 1], b[MJ_PASS_MAX_BYTES + 1];
    size_t la, lb;
    const char *nfc = "caf\xc3\xa9 au lait", *nfd = "cafe\xcc\x81 au lait";
    REQUIRE(mj_passphrase_normalize((const uint8_t *)nfc, strlen(nfc), 10, a, &la, &why) == 0);
    REQUIRE(mj_passphrase_normalize((const uint8_t *)nfd, strlen(nfd), 10, b, &lb, &why) == 0);
    CHECK_EQ(la, lb);
    CHECK_MEM(a, b, la);
    char big[MJ_PASS_MAX_BYTES + 2];
    memset(big, 'p', sizeof big);
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)big, sizeof big, 10, out, &len, &why),
             MJ_EINVAL);
    CHECK_EQ(mj_passphrase_normalize((const uint8_t *)big, MJ_PASS_MAX_BYTES, 10, out, &len, &why),
             0);
}

TEST(initials)
{
    char out[MJ_INITIALS_MAX];
    mj_initials("layla ahmed", out);
    CHECK_STR(out, "L\xe2\x80\x8c"
                   "A");
    mj_initials("هدى", out);
    CHECK_STR(out, "ه");
    mj_initials("مُحَمَّد علي", out);
    CHECK_STR(out, "مُ\xe2\x80\x8c"
                   "ع");            /* the mark stays with its letter */
    mj_initials("ليلى الحسن", out); /* the article al- is skipped */
    CHECK_STR(out, "ل\xe2\x80\x8c"
                   "ح");
    mj_initials("علي ال", out); /* a bare "ال" is a word of its own */
    CHECK_STR(out, "ع\xe2\x80\x8c"
                   "ا");
    mj_initials("👩\xe2\x80\x8d💻 dev", out);
    CHECK_STR(out, "👩\xe2\x80\x8d💻\xe2\x80\x8c"
                   "D");
    CHECK(mj_avatar_hue("layla") >= 0 && mj_avatar_hue("layla") < 360);
    CHECK_EQ(mj_avatar_hue("layla"), mj_avatar_hue("layla"));
}

#define BODY(s) (const uint8_t *)(s), strlen(s)

TEST(signup_bodies)
{
    mj_signup_req r;
    mj_req_error e;
    const char *ok = "{\"invite\":\"abcdefghijklmnopqrstuv\",\"handle\":\"Sara_1\","
                     "\"display_name\":\" سارة \",\"passphrase\":\"a good passphrase\"}";
    REQUIRE(mj_signup_req_parse(BODY(ok), &r, &e) == 0);
    CHECK_STR(r.handle, "sara_1");
    CHECK_STR(r.display_name, "سارة");
    CHECK_STR(r.invite, "abcdefghijklmnopqrstuv");
    CHECK_EQ(r.pass_len, 17);
    mj_req_wipe(&r, sizeof r);
    CHECK_EQ(r.pass[0], 0);

    struct {
        const char *body;
        int status;
        const char *code;
    } cases[] = {
        {"", 400, "bad_request"},
        {"null", 400, "bad_request"},
        {"[]", 400, "bad_request"},
        {"{\"invite\":1}", 400, "bad_request"},
        {"{\"invite\":\"x\",\"invite\":\"y\"}", 400, "bad_request"},
        {"{\"nope\":1}", 400, "bad_request"},
        {"{\"invite\":\"abcdefghijklmnopqrstuv\",\"handle\":\"ab\",\"display_name\":\"x\","
         "\"passphrase\":\"0123456789\"}",
         400, "invalid_handle"},
        {"{\"invite\":\"short\",\"handle\":\"abc\",\"display_name\":\"x\","
         "\"passphrase\":\"0123456789\"}",
         404, "invite_invalid"},
        {"{\"invite\":\"abcdefghijklmnopqrstuv\",\"handle\":\"abc\",\"display_name\":\"\\u202e\","
         "\"passphrase\":\"0123456789\"}",
         400, "invalid_display_name"},
        {"{\"invite\":\"abcdefghijklmnopqrstuv\",\"handle\":\"abc\",\"display_name\":\"x\","
         "\"passphrase\":\"short\"}",
         400, "weak_passphrase"},
        {"{\"invite\":\"abcdefghijklmnopqrstuv\",\"handle\":\"abcdefghij\",\"display_name\":\"x\","
         "\"passphrase\":\"ABCDEFGHIJ\"}",
         400, "weak_passphrase"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = mj_signup_req_parse(BODY(cases[i].body), &r, &e);
        CHECK_EQ(rc, MJ_EINVAL);
        if (rc) {
            CHECK_EQ(e.status, cases[i].status);
            CHECK_STR(e.code, cases[i].code);
            CHECK(e.message[0] != '\0');
        }
    }
    CHECK_EQ(mj_signup_req_parse(BODY("{\"display_name\":1}"), &r, &e), MJ_EINVAL);
    CHECK(strstr(e.message, "display_name") != NULL);
}

TEST(other_bodies)
{
    mj_req_error e;
    mj_login_req l;
    REQUIRE(mj_login_req_parse(BODY("{\"handle\":\"NO SUCH\",\"passphrase\":\"x\"}"), &l, &e) == 0);
    CHECK(!l.handle_ok);
    REQUIRE(mj_login_req_parse(BODY("{\"handle\":\"Omar\",\"passphrase\":\"x\"}"), &l, &e) == 0);
    CHECK(l.handle_ok);
    CHECK_STR(l.handle, "omar");

    mj_profile_req p;
    CHECK_EQ(mj_profile_req_parse(BODY("{}"), &p, &e), MJ_EINVAL);
    REQUIRE(mj_profile_req_parse(BODY("{\"bio\":\"\"}"), &p, &e) == 0);
    CHECK(p.has_bio && !p.has_name);

    mj_pass_req pr;
    REQUIRE(mj_pass_req_parse(BODY("{\"passphrase\":\"anything\"}"), false, &pr, &e) == 0);
    CHECK_EQ(mj_pass_req_parse(BODY("{\"current\":\"a\",\"new\":\"short\"}"), true, &pr, &e),
             MJ_EINVAL);
    CHECK_STR(e.code, "weak_passphrase");
    REQUIRE(mj_pass_req_parse(BODY("{\"current\":\"a\",\"new\":\"long enough now\"}"), true, &pr,
                              &e) == 0);
    CHECK_EQ(pr.new_pass_len, 15);

    mj_invite_req ir;
    REQUIRE(mj_invite_req_parse((const uint8_t *)"", 0, &ir, &e) == 0);
    CHECK_EQ(ir.uses, 1);
    CHECK_EQ(ir.ttl_s, MJ_INVITE_TTL_DEFAULT);
    REQUIRE(mj_invite_req_parse(BODY("{\"uses\":3,\"ttl_days\":2}"), &ir, &e) == 0);
    CHECK_EQ(ir.uses, 3);
    CHECK_EQ(ir.ttl_s, 2 * 86400);
    CHECK_EQ(mj_invite_req_parse(BODY("{\"uses\":0}"), &ir, &e), MJ_EINVAL);
    CHECK_EQ(mj_invite_req_parse(BODY("{\"uses\":1.5}"), &ir, &e), MJ_EINVAL);
    CHECK_EQ(mj_invite_req_parse(BODY("{\"ttl_days\":31}"), &ir, &e), MJ_EINVAL);
    CHECK_EQ(mj_invite_req_parse(BODY("{\"ttl_days\":1,\"ttl_seconds\":5}"), &ir, &e), MJ_EINVAL);

    mj_admin_req ar;
    REQUIRE(mj_admin_req_parse((const uint8_t *)"", 0, false, &ar, &e) == 0);
    CHECK(!ar.subtree);
    REQUIRE(mj_admin_req_parse(BODY("{\"subtree\":true}"), false, &ar, &e) == 0);
    CHECK(ar.subtree);
    CHECK_EQ(mj_admin_req_parse(BODY("{\"subtree\":1}"), false, &ar, &e), MJ_EINVAL);
    REQUIRE(mj_admin_req_parse(BODY("{\"invite_quota\":7}"), true, &ar, &e) == 0);
    CHECK(ar.has_quota && !ar.has_admin);
    CHECK_EQ(ar.invite_quota, 7);
    CHECK_EQ(mj_admin_req_parse(BODY("{\"invite_quota\":-1}"), true, &ar, &e), MJ_EINVAL);
    CHECK_EQ(mj_admin_req_parse((const uint8_t *)"", 0, true, &ar, &e), MJ_EINVAL);
}

TEST_MAIN(handles, display_names_keep_every_script, display_names_trim_and_collapse_whitespace,
          display_names_refuse_spoofing_and_invisible_text, display_names_are_capped,
          bios_allow_a_few_lines, passphrases, initials, signup_bodies, other_bodies)
