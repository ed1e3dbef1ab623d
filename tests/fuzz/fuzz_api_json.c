/* Fuzz target for the members API's request validation
 * (src/api/bodies.c) and the text validators under it
 * (src/api/names.c). The first byte picks a parser; the rest is
 * the request body. Every input also goes through the display-name, bio,
 * handle and passphrase validators as raw bytes, and whatever they accept
 * must be stable (validating it again gives the same bytes), hold no bidi
 * controls, and fit its caps. */
#include "api/names.h"
#include "api/bodies.h"

#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static bool has_bidi_control(const char *s)
{
    static const char *const bad[] = {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
                                      "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
                                      "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
                                      "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(s, bad[i])) return true;
    return false;
}

static void check_name(const char *out, size_t cap, bool bio)
{
    size_t n = strlen(out);
    ASSERT(n < cap);
    ASSERT(!has_bidi_control(out));
    char again[MJ_BIO_MAX_BYTES + 1];
    const char *why = NULL;
    int rc = bio ? mj_bio_normalize((const uint8_t *)out, n, again, &why)
                 : mj_display_name_normalize((const uint8_t *)out, n, again, &why);
    ASSERT(rc == 0);
    ASSERT(strcmp(out, again) == 0);
    for (size_t i = 0; i < n; i++)
        ASSERT((unsigned char)out[i] >= 0x20 || (bio && out[i] == '\n'));
}

static void text_validators(const uint8_t *d, size_t n)
{
    char name[MJ_NAME_MAX_BYTES + 1];
    const char *why = NULL;
    if (mj_display_name_normalize(d, n, name, &why) == 0) {
        check_name(name, sizeof name, false);
        char initials[MJ_INITIALS_MAX];
        mj_initials(name, initials);
        ASSERT(strlen(initials) < sizeof initials);
    } else {
        ASSERT(why && *why);
    }
    char bio[MJ_BIO_MAX_BYTES + 1];
    if (mj_bio_normalize(d, n, bio, &why) == 0) check_name(bio, sizeof bio, true);
    char handle[MJ_HANDLE_MAX + 1];
    if (mj_handle_normalize((const char *)d, n, handle, &why) == 0) {
        ASSERT(strlen(handle) == n);
        ASSERT(strspn(handle, "abcdefghijklmnopqrstuvwxyz0123456789_") == n);
    }
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t plen = 0;
    if (mj_passphrase_normalize(d, n, MJ_PASS_MIN_CHARS, pass, &plen, &why) == 0) {
        ASSERT(plen <= MJ_PASS_MAX_BYTES && pass[plen] == '\0' && strlen(pass) == plen);
        char again[MJ_PASS_MAX_BYTES + 1];
        size_t alen = 0;
        ASSERT(mj_passphrase_normalize((const uint8_t *)pass, plen, 0, again, &alen, &why) == 0);
        ASSERT(alen == plen && memcmp(pass, again, plen) == 0);
    }
}

static void check_error(int rc, const mj_req_error *e)
{
    if (rc == 0) return;
    ASSERT(rc == MJ_EINVAL);
    ASSERT(e->status >= 400 && e->status < 500);
    ASSERT(e->code && *e->code);
    ASSERT(memchr(e->message, 0, sizeof e->message));
}

static void request_parsers(uint8_t which, const uint8_t *d, size_t n)
{
    mj_req_error e;
    memset(&e, 0, sizeof e);
    int rc;
    switch (which % 14) {
    case 0: {
        mj_signup_req r;
        rc = mj_signup_req_parse(d, n, &r, &e);
        if (rc == 0) {
            ASSERT(mj_invite_code_ok(r.invite, strlen(r.invite)));
            ASSERT(strlen(r.handle) >= MJ_HANDLE_MIN && strlen(r.handle) <= MJ_HANDLE_MAX);
            check_name(r.display_name, sizeof r.display_name, false);
            ASSERT(r.pass_len >= MJ_PASS_MIN_CHARS && r.pass_len <= MJ_PASS_MAX_BYTES);
        }
        mj_req_wipe(&r, sizeof r);
        break;
    }
    case 1: {
        mj_login_req r;
        rc = mj_login_req_parse(d, n, &r, &e);
        ASSERT(rc != 0 || r.pass_len <= MJ_PASS_MAX_BYTES);
        break;
    }
    case 2: {
        mj_profile_req r;
        rc = mj_profile_req_parse(d, n, &r, &e);
        if (rc == 0) {
            ASSERT(r.has_name || r.has_bio);
            if (r.has_name) check_name(r.display_name, sizeof r.display_name, false);
            if (r.has_bio) check_name(r.bio, sizeof r.bio, true);
        }
        break;
    }
    case 3:
    case 4: {
        mj_pass_req r;
        rc = mj_pass_req_parse(d, n, which % 14 == 4, &r, &e);
        break;
    }
    case 5: {
        mj_invite_req r;
        rc = mj_invite_req_parse(d, n, &r, &e);
        ASSERT(rc != 0 || (r.uses >= 1 && r.uses <= MJ_INVITE_USES_MAX && r.ttl_s >= 1 &&
                           r.ttl_s <= MJ_INVITE_TTL_MAX));
        break;
    }
    case 6:
    case 7: {
        mj_admin_req r;
        rc = mj_admin_req_parse(d, n, which % 14 == 7, &r, &e);
        ASSERT(rc != 0 || !r.has_quota || (r.invite_quota >= 0 && r.invite_quota <= MJ_QUOTA_MAX));
        break;
    }
    case 8: {
        static mj_room_req r;
        rc = mj_room_req_parse(d, n, &r, &e);
        if (rc == 0) {
            ASSERT(r.kind >= 0 && r.kind <= 2 && r.nallowed <= MJ_ROOM_ALLOW_MAX);
            char again[MJ_TITLE_MAX_BYTES + 1];
            const char *why = NULL;
            ASSERT(mj_title_normalize((const uint8_t *)r.title, strlen(r.title), again, &why) == 0);
            ASSERT(strcmp(again, r.title) == 0 && !has_bidi_control(r.title));
            for (size_t i = 0; i < r.nallowed; i++)
                ASSERT(strlen(r.allowed[i]) >= MJ_HANDLE_MIN &&
                       strlen(r.allowed[i]) <= MJ_HANDLE_MAX);
        }
        break;
    }
    case 9: {
        mj_enter_req r;
        rc = mj_enter_req_parse(d, n, &r, &e);
        if (rc == 0)
            ASSERT(r.offer && r.offer_len > 0 && r.offer_len <= MJ_OFFER_MAX &&
                   strlen(r.offer) == r.offer_len);
        else
            ASSERT(r.offer == NULL);
        mj_enter_req_free(&r);
        break;
    }
    case 10: {
        bool v;
        rc = mj_bool_req_parse(d, n, "up", &v, &e);
        break;
    }
    case 11: {
        char h[MJ_HANDLE_MAX + 1];
        rc = mj_handle_req_parse(d, n, h, &e);
        ASSERT(rc != 0 || strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(h));
        break;
    }
    case 13: {
        mj_schedule_req r;
        rc = mj_schedule_req_parse(d, n, 1700000000, &r, &e);
        ASSERT(rc != 0 || (r.kind >= 0 && r.kind <= 2 && r.starts_at >= 1700000000 - 60 &&
                           r.starts_at <= 1700000000 + MJ_SCHEDULE_AHEAD_MAX));
        break;
    }
    default: {
        mj_token_req r;
        rc = mj_token_req_parse(d, n, &r, &e);
        ASSERT(rc != 0 || (r.ttl_s >= 60 && r.ttl_s <= MJ_ROOM_TOKEN_TTL_MAX));
        break;
    }
    }
    check_error(rc, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    request_parsers(data[0], data + 1, size - 1);
    text_validators(data + 1, size - 1);
    return 0;
}
