#include "api/bodies.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum ftype { F_STRING, F_INT, F_BOOL, F_STRINGS } ftype;

typedef struct field {
    const char *name;
    ftype type;
    bool required;
    json_t *value; /* borrowed from the parsed root; NULL when absent */
} field;

static int fail(mj_req_error *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(mj_req_error *err, int status, const char *code, const char *fmt, ...)
{
    err->status = status;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return MJ_EINVAL;
}

static const char *type_name(ftype t)
{
    return t == F_STRING ? "a string"
           : t == F_INT  ? "a whole number"
           : t == F_BOOL ? "true or false"
                         : "a list of strings";
}

static bool type_ok(ftype t, const json_t *v)
{
    switch (t) {
    case F_STRING: return json_is_string(v);
    case F_INT: return json_is_integer(v);
    case F_BOOL: return json_is_boolean(v);
    case F_STRINGS: {
        if (!json_is_array(v)) return false;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item)) return false;
        }
        return true;
    }
    }
    return false;
}

/* Parses body as one JSON object whose keys are all in fields[], with the
 * right types and every required one present. *root receives the parsed
 * document (the caller releases it), or NULL for an allowed empty body. */
static int parse_object(const uint8_t *body, size_t len, size_t max, bool allow_empty,
                        field *fields, size_t n, json_t **root, mj_req_error *err)
{
    *root = NULL;
    for (size_t i = 0; i < n; i++)
        fields[i].value = NULL;
    if (len == 0 && allow_empty) return 0;
    if (len > max) return fail(err, 413, "too_large", "request body is too large");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) return fail(err, 400, "bad_request", "body is not valid JSON");
    if (!json_is_object(doc)) {
        json_decref(doc);
        return fail(err, 400, "bad_request", "body must be a JSON object");
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == n) {
            fail(err, 400, "bad_request", "unknown field '%.40s'", key);
            json_decref(doc);
            return MJ_EINVAL;
        }
        if (!type_ok(fields[i].type, v)) {
            json_decref(doc);
            return fail(err, 400, "bad_request", "'%s' must be %s", fields[i].name,
                        type_name(fields[i].type));
        }
        fields[i].value = v;
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && !fields[i].value) {
            json_decref(doc);
            return fail(err, 400, "bad_request", "'%s' is required", fields[i].name);
        }
    }
    *root = doc;
    return 0;
}

#define PARSE(body, len, empty, fields, root, err)                                                 \
    parse_object(body, len, MJ_REQ_BODY_MAX, empty, fields, sizeof fields / sizeof fields[0],      \
                 root, err)

static const uint8_t *str_of(const field *f, size_t *len)
{
    *len = json_string_length(f->value);
    return (const uint8_t *)json_string_value(f->value);
}

bool mj_invite_code_ok(const char *code, size_t len)
{
    if (len != MJ_INVITE_CODE_LEN) return false;
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int new_passphrase(const field *f, const char *handle, char *out, size_t *out_len,
                          mj_req_error *err)
{
    size_t len;
    const uint8_t *p = str_of(f, &len);
    const char *why = "invalid passphrase";
    if (mj_passphrase_normalize(p, len, MJ_PASS_MIN_CHARS, out, out_len, &why) != 0)
        return fail(err, 400, "weak_passphrase", "%s", why);
    if (handle && strcasecmp(out, handle) == 0) {
        sodium_memzero(out, *out_len);
        return fail(err, 400, "weak_passphrase", "the passphrase cannot be the handle");
    }
    return 0;
}

int mj_signup_req_parse(const uint8_t *body, size_t len, mj_signup_req *out, mj_req_error *err)
{
    field f[] = {{"invite", F_STRING, true, NULL},
                 {"handle", F_STRING, true, NULL},
                 {"display_name", F_STRING, true, NULL},
                 {"passphrase", F_STRING, true, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    int rc = MJ_EINVAL;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    const char *why = "invalid";
    if (!mj_invite_code_ok((const char *)s, n)) {
        fail(err, 404, "invite_invalid", "this invite link is not valid");
        goto done;
    }
    memcpy(out->invite, s, n);
    s = str_of(&f[1], &n);
    if (mj_handle_normalize((const char *)s, n, out->handle, &why) != 0) {
        fail(err, 400, "invalid_handle", "%s", why);
        goto done;
    }
    s = str_of(&f[2], &n);
    if (mj_display_name_normalize(s, n, out->display_name, &why) != 0) {
        fail(err, 400, "invalid_display_name", "%s", why);
        goto done;
    }
    rc = new_passphrase(&f[3], out->handle, out->pass, &out->pass_len, err);
done:
    json_decref(root);
    return rc;
}

int mj_login_req_parse(const uint8_t *body, size_t len, mj_login_req *out, mj_req_error *err)
{
    field f[] = {{"handle", F_STRING, true, NULL}, {"passphrase", F_STRING, true, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    const char *why;
    out->handle_ok = mj_handle_normalize((const char *)s, n, out->handle, &why) == 0;
    if (!out->handle_ok) out->handle[0] = '\0';
    s = str_of(&f[1], &n);
    int rc = 0;
    if (mj_passphrase_normalize(s, n, 0, out->pass, &out->pass_len, &why) != 0)
        rc = fail(err, 400, "bad_request", "%s", why);
    json_decref(root);
    return rc;
}

int mj_profile_req_parse(const uint8_t *body, size_t len, mj_profile_req *out, mj_req_error *err)
{
    field f[] = {{"display_name", F_STRING, false, NULL}, {"bio", F_STRING, false, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    int rc = 0;
    size_t n = 0, m = 0;
    const char *why = "invalid";
    const uint8_t *name = f[0].value ? str_of(&f[0], &n) : NULL;
    const uint8_t *bio = f[1].value ? str_of(&f[1], &m) : NULL;
    if (!name && !bio)
        rc = fail(err, 400, "bad_request", "give 'display_name', 'bio' or both");
    else if (name && mj_display_name_normalize(name, n, out->display_name, &why) != 0)
        rc = fail(err, 400, "invalid_display_name", "%s", why);
    else if (bio && mj_bio_normalize(bio, m, out->bio, &why) != 0)
        rc = fail(err, 400, "invalid_bio", "%s", why);
    out->has_name = f[0].value != NULL;
    out->has_bio = f[1].value != NULL;
    json_decref(root);
    return rc;
}

int mj_pass_req_parse(const uint8_t *body, size_t len, bool change, mj_pass_req *out,
                      mj_req_error *err)
{
    field one[] = {{"passphrase", F_STRING, true, NULL}};
    field two[] = {{"current", F_STRING, true, NULL}, {"new", F_STRING, true, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    int rc = change ? PARSE(body, len, false, two, &root, err)
                    : PARSE(body, len, false, one, &root, err);
    if (rc) return MJ_EINVAL;
    size_t n;
    const uint8_t *s = str_of(change ? &two[0] : &one[0], &n);
    const char *why;
    if (mj_passphrase_normalize(s, n, 0, out->pass, &out->pass_len, &why) != 0)
        rc = fail(err, 400, "bad_request", "%s", why);
    else if (change)
        rc = new_passphrase(&two[1], NULL, out->new_pass, &out->new_pass_len, err);
    json_decref(root);
    if (rc) mj_req_wipe(out, sizeof *out);
    return rc;
}

static int int_in(const field *f, long long lo, long long hi, long long *out, mj_req_error *err)
{
    long long v = json_integer_value(f->value);
    if (v < lo || v > hi)
        return fail(err, 400, "bad_request", "'%s' must be from %lld to %lld", f->name, lo, hi);
    *out = v;
    return 0;
}

int mj_invite_req_parse(const uint8_t *body, size_t len, mj_invite_req *out, mj_req_error *err)
{
    field f[] = {{"uses", F_INT, false, NULL},
                 {"ttl_days", F_INT, false, NULL},
                 {"ttl_seconds", F_INT, false, NULL}};
    json_t *root;
    out->uses = 1;
    out->ttl_s = MJ_INVITE_TTL_DEFAULT;
    if (PARSE(body, len, true, f, &root, err)) return MJ_EINVAL;
    int rc = 0;
    long long v = 0;
    if (f[0].value) {
        rc = int_in(&f[0], 1, MJ_INVITE_USES_MAX, &v, err);
        out->uses = (int)v;
    }
    if (!rc && f[1].value && f[2].value)
        rc = fail(err, 400, "bad_request", "give 'ttl_days' or 'ttl_seconds', not both");
    if (!rc && f[1].value) {
        rc = int_in(&f[1], 1, MJ_INVITE_TTL_MAX / 86400, &v, err);
        out->ttl_s = v * 86400;
    }
    if (!rc && f[2].value) {
        rc = int_in(&f[2], 1, MJ_INVITE_TTL_MAX, &v, err);
        out->ttl_s = v;
    }
    json_decref(root);
    return rc;
}

int mj_admin_req_parse(const uint8_t *body, size_t len, bool patch, mj_admin_req *out,
                       mj_req_error *err)
{
    field action[] = {{"subtree", F_BOOL, false, NULL}};
    field edit[] = {{"invite_quota", F_INT, false, NULL}, {"admin", F_BOOL, false, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    int rc = patch ? PARSE(body, len, false, edit, &root, err)
                   : PARSE(body, len, true, action, &root, err);
    if (rc) return MJ_EINVAL;
    if (!patch) {
        out->subtree = action[0].value && json_is_true(action[0].value);
    } else if (!edit[0].value && !edit[1].value) {
        rc = fail(err, 400, "bad_request", "give 'invite_quota', 'admin' or both");
    } else {
        long long v = 0;
        if (edit[0].value && (rc = int_in(&edit[0], 0, MJ_QUOTA_MAX, &v, err)) == 0) {
            out->has_quota = true;
            out->invite_quota = (int)v;
        }
        if (edit[1].value) {
            out->has_admin = true;
            out->admin = json_is_true(edit[1].value);
        }
    }
    json_decref(root);
    return rc;
}

void mj_req_wipe(void *req, size_t n)
{
    sodium_memzero(req, n);
}

/* ---- rooms ---- */

int mj_room_req_parse(const uint8_t *body, size_t len, mj_room_req *out, mj_req_error *err)
{
    field f[] = {{"title", F_STRING, true, NULL},
                 {"type", F_STRING, false, NULL},
                 {"allowed", F_STRINGS, false, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    int rc = 0;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    const char *why = "invalid";
    if (mj_title_normalize(s, n, out->title, &why) != 0) {
        rc = fail(err, 400, "invalid_title", "%s", why);
        goto done;
    }
    const char *type = f[1].value ? json_string_value(f[1].value) : "open";
    static const char *const kinds[] = {"open", "social", "closed"};
    out->kind = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(type, kinds[i]) == 0) out->kind = i;
    if (out->kind < 0) {
        rc = fail(err, 400, "bad_request", "'type' must be open, social or closed");
        goto done;
    }
    size_t count = f[2].value ? json_array_size(f[2].value) : 0;
    if (count > MJ_ROOM_ALLOW_MAX) {
        rc = fail(err, 400, "bad_request", "name at most %d members at once", MJ_ROOM_ALLOW_MAX);
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *h = json_array_get(f[2].value, i);
        if (mj_handle_normalize(json_string_value(h), json_string_length(h),
                                out->allowed[out->nallowed], &why) != 0) {
            rc = fail(err, 400, "invalid_handle", "%s", why);
            goto done;
        }
        out->nallowed++;
    }
done:
    json_decref(root);
    return rc;
}

int mj_enter_req_parse(const uint8_t *body, size_t len, mj_enter_req *out, mj_req_error *err)
{
    field f[] = {{"offer", F_STRING, true, NULL}, {"unlisted", F_BOOL, false, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (parse_object(body, len, MJ_OFFER_MAX + 1024, false, f, sizeof f / sizeof f[0], &root, err))
        return MJ_EINVAL;
    int rc = 0;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    if (n == 0 || n > MJ_OFFER_MAX || memchr(s, '\0', n)) {
        rc = fail(err, 400, "bad_offer", "'offer' must be an SDP offer of at most %d bytes",
                  MJ_OFFER_MAX);
    } else if (!(out->offer = malloc(n + 1))) {
        rc = fail(err, 500, "internal", "out of memory");
    } else {
        memcpy(out->offer, s, n);
        out->offer[n] = '\0';
        out->offer_len = n;
        out->unlisted = f[1].value && json_is_true(f[1].value);
    }
    json_decref(root);
    return rc;
}

void mj_enter_req_free(mj_enter_req *r)
{
    free(r->offer);
    r->offer = NULL;
}

int mj_bool_req_parse(const uint8_t *body, size_t len, const char *name, bool *out,
                      mj_req_error *err)
{
    field f[] = {{name, F_BOOL, true, NULL}};
    json_t *root;
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    *out = json_is_true(f[0].value);
    json_decref(root);
    return 0;
}

int mj_handle_req_parse(const uint8_t *body, size_t len, char handle[MJ_HANDLE_MAX + 1],
                        mj_req_error *err)
{
    field f[] = {{"handle", F_STRING, true, NULL}};
    json_t *root;
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    const char *why = "invalid";
    int rc = 0;
    if (mj_handle_normalize((const char *)s, n, handle, &why) != 0)
        rc = fail(err, 400, "invalid_handle", "%s", why);
    json_decref(root);
    return rc;
}

int mj_token_req_parse(const uint8_t *body, size_t len, mj_token_req *out, mj_req_error *err)
{
    field f[] = {{"seat", F_STRING, false, NULL}, {"ttl_seconds", F_INT, false, NULL}};
    json_t *root;
    out->speaker = false;
    out->ttl_s = MJ_ROOM_TOKEN_TTL_DEFAULT;
    if (PARSE(body, len, true, f, &root, err)) return MJ_EINVAL;
    int rc = 0;
    if (f[0].value) {
        const char *seat = json_string_value(f[0].value);
        if (strcmp(seat, "speaker") == 0)
            out->speaker = true;
        else if (strcmp(seat, "listener") != 0)
            rc = fail(err, 400, "bad_request", "'seat' must be listener or speaker");
    }
    long long v = 0;
    if (!rc && f[1].value && (rc = int_in(&f[1], 60, MJ_ROOM_TOKEN_TTL_MAX, &v, err)) == 0)
        out->ttl_s = v;
    json_decref(root);
    return rc;
}

int mj_schedule_req_parse(const uint8_t *body, size_t len, int64_t now, mj_schedule_req *out,
                          mj_req_error *err)
{
    field f[] = {{"title", F_STRING, true, NULL},
                 {"type", F_STRING, false, NULL},
                 {"starts_at", F_INT, true, NULL}};
    json_t *root;
    memset(out, 0, sizeof *out);
    if (PARSE(body, len, false, f, &root, err)) return MJ_EINVAL;
    int rc = 0;
    size_t n;
    const uint8_t *s = str_of(&f[0], &n);
    const char *why = "invalid";
    const char *type = f[1].value ? json_string_value(f[1].value) : "open";
    static const char *const kinds[] = {"open", "social", "closed"};
    out->kind = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(type, kinds[i]) == 0) out->kind = i;
    long long at = json_integer_value(f[2].value);
    if (mj_title_normalize(s, n, out->title, &why) != 0)
        rc = fail(err, 400, "invalid_title", "%s", why);
    else if (out->kind < 0)
        rc = fail(err, 400, "bad_request", "'type' must be open, social or closed");
    else if (at < now - 60 || at > now + MJ_SCHEDULE_AHEAD_MAX)
        rc = fail(err, 400, "bad_time", "'starts_at' must be from now to %d days ahead",
                  MJ_SCHEDULE_AHEAD_MAX / 86400);
    else
        out->starts_at = at;
    json_decref(root);
    return rc;
}
