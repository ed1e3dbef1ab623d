/* Request bodies of the members API, turned into validated structs.
 *
 * Each parser takes the raw body (untrusted bytes), insists on one JSON
 * object with known fields of the right types (unknown fields, duplicate
 * keys, wrong types and missing fields are 400 bad_request with the field
 * named), then runs the field validators of names.h. On failure
 * *err holds the HTTP status, the error code and a message for the JSON
 * error body. The structs hold copies, so nothing borrows the body.
 * Passphrases are wiped by mj_req_wipe() once they have been used.
 *
 * Pure: no I/O, no allocation that outlives a call. tests/fuzz/
 * fuzz_api_json.c runs every parser on arbitrary bytes. */
#ifndef MJ_API_BODIES_H
#define MJ_API_BODIES_H

#include "api/names.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_REQ_BODY_MAX       8192
#define MJ_INVITE_CODE_LEN    22 /* base64url of 16 random bytes */
#define MJ_INVITE_USES_MAX    100
#define MJ_INVITE_TTL_MAX     (30 * 24 * 3600)
#define MJ_INVITE_TTL_DEFAULT (7 * 24 * 3600)
#define MJ_QUOTA_MAX          10000

typedef struct mj_req_error {
    int status;       /* HTTP status */
    const char *code; /* stable error code for clients */
    char message[160];
} mj_req_error;

typedef struct mj_signup_req {
    char invite[MJ_INVITE_CODE_LEN + 1];
    char handle[MJ_HANDLE_MAX + 1];
    char display_name[MJ_NAME_MAX_BYTES + 1];
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t pass_len;
} mj_signup_req;

typedef struct mj_login_req {
    char handle[MJ_HANDLE_MAX + 1];
    bool handle_ok; /* false: no account can have it (answered like a wrong passphrase) */
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t pass_len;
} mj_login_req;

typedef struct mj_profile_req {
    bool has_name, has_bio;
    char display_name[MJ_NAME_MAX_BYTES + 1];
    char bio[MJ_BIO_MAX_BYTES + 1];
} mj_profile_req;

/* DELETE /api/me, and the current passphrase of a change. */
typedef struct mj_pass_req {
    char pass[MJ_PASS_MAX_BYTES + 1];
    size_t pass_len;
    char new_pass[MJ_PASS_MAX_BYTES + 1]; /* passphrase change only */
    size_t new_pass_len;
} mj_pass_req;

typedef struct mj_invite_req {
    int uses;      /* 1..MJ_INVITE_USES_MAX, default 1 */
    int64_t ttl_s; /* 1..MJ_INVITE_TTL_MAX, default 7 days */
} mj_invite_req;

typedef struct mj_admin_req {
    bool subtree; /* suspend / unsuspend */
    bool has_quota, has_admin;
    int invite_quota; /* 0..MJ_QUOTA_MAX */
    bool admin;
} mj_admin_req;

#define MJ_ROOM_ALLOW_MAX         50    /* members named at once */
#define MJ_OFFER_MAX              32768 /* bytes of SDP in an offer */
#define MJ_ROOM_TOKEN_TTL_DEFAULT (6 * 3600)
#define MJ_ROOM_TOKEN_TTL_MAX     (7 * 24 * 3600)

/* POST /api/rooms: {"title", "type"?, "allowed"?: [handles]} */
typedef struct mj_room_req {
    char title[MJ_TITLE_MAX_BYTES + 1];
    int kind; /* mj_room_kind */
    char allowed[MJ_ROOM_ALLOW_MAX][MJ_HANDLE_MAX + 1];
    size_t nallowed;
} mj_room_req;

/* Entering: {"offer": SDP, "unlisted"?: bool}. offer is a copy (free it). */
typedef struct mj_enter_req {
    char *offer;
    size_t offer_len;
    bool unlisted;
} mj_enter_req;

/* A room token for a bot: {"seat"?: "listener"|"speaker", "ttl_seconds"?}. */
typedef struct mj_token_req {
    bool speaker;
    int64_t ttl_s;
} mj_token_req;

#define MJ_SCHEDULE_AHEAD_MAX (90 * 24 * 3600)

/* POST /api/schedules: {"title", "type"?, "starts_at": unix seconds}. */
typedef struct mj_schedule_req {
    char title[MJ_TITLE_MAX_BYTES + 1];
    int kind;
    int64_t starts_at;
} mj_schedule_req;

/* True for a well-formed invite code (22 base64url characters). */
bool mj_invite_code_ok(const char *code, size_t len);

MJ_MUST_USE int mj_signup_req_parse(const uint8_t *body, size_t len, mj_signup_req *out,
                                    mj_req_error *err);
MJ_MUST_USE int mj_login_req_parse(const uint8_t *body, size_t len, mj_login_req *out,
                                   mj_req_error *err);
MJ_MUST_USE int mj_profile_req_parse(const uint8_t *body, size_t len, mj_profile_req *out,
                                     mj_req_error *err);
/* {"passphrase"} (change = false) or {"current", "new"} (change = true). */
MJ_MUST_USE int mj_pass_req_parse(const uint8_t *body, size_t len, bool change, mj_pass_req *out,
                                  mj_req_error *err);
/* An empty body means the defaults. */
MJ_MUST_USE int mj_invite_req_parse(const uint8_t *body, size_t len, mj_invite_req *out,
                                    mj_req_error *err);
/* suspend/unsuspend ({"subtree"}, empty allowed) when patch is false;
 * {"invite_quota", "admin"} when it is true. */
MJ_MUST_USE int mj_admin_req_parse(const uint8_t *body, size_t len, bool patch, mj_admin_req *out,
                                   mj_req_error *err);

MJ_MUST_USE int mj_room_req_parse(const uint8_t *body, size_t len, mj_room_req *out,
                                  mj_req_error *err);
MJ_MUST_USE int mj_enter_req_parse(const uint8_t *body, size_t len, mj_enter_req *out,
                                   mj_req_error *err);
void mj_enter_req_free(mj_enter_req *r);
/* {NAME: true|false}, the one field required. */
MJ_MUST_USE int mj_bool_req_parse(const uint8_t *body, size_t len, const char *name, bool *out,
                                  mj_req_error *err);
/* {"handle": HANDLE}, normalized. */
MJ_MUST_USE int mj_handle_req_parse(const uint8_t *body, size_t len, char handle[MJ_HANDLE_MAX + 1],
                                    mj_req_error *err);
MJ_MUST_USE int mj_token_req_parse(const uint8_t *body, size_t len, mj_token_req *out,
                                   mj_req_error *err);

/* starts_at must lie from a minute before `now` to MJ_SCHEDULE_AHEAD_MAX
 * after it (400 bad_time). */
MJ_MUST_USE int mj_schedule_req_parse(const uint8_t *body, size_t len, int64_t now,
                                      mj_schedule_req *out, mj_req_error *err);

/* Wipes passphrases held by a request struct of size n. */
void mj_req_wipe(void *req, size_t n);

#endif
