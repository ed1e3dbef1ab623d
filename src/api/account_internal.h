/* Shared by the members API's handler files (account*.c). */
#ifndef MJ_API_ACCOUNT_INTERNAL_H
#define MJ_API_ACCOUNT_INTERNAL_H

#include "api/account.h"
#include "api/account_jobs.h"
#include "api/account_req.h"
#include "api/server_internal.h"
#include "room/ratelimit.h"
#include "store/members.h"

#include <jansson.h>

#define MJ_SESSION_COOKIE "mj_session"
#define MJ_SESSION_COOKIE_SECURE "__Host-mj_session" /* over HTTPS */
#define MJ_TOKEN_CHARS 43                           /* base64url of 32 random bytes */
#define MJ_LIST_MAX 50                              /* entries per page */

typedef enum mj_limit {
    MJ_LIMIT_LOGIN_ACCOUNT,
    MJ_LIMIT_LOGIN_ADDRESS,
    MJ_LIMIT_SIGNUP_INVITE,
    MJ_LIMIT_SIGNUP_ADDRESS,
    MJ_LIMIT_API_SESSION,
    MJ_LIMIT_API_ADDRESS,
    MJ_LIMIT_COUNT
} mj_limit;

typedef struct mj_accounts_config {
    int64_t session_idle_s;  /* a session unused this long ends */
    int64_t session_max_s;   /* and every session ends this long after login */
    int invite_quota;        /* for new members */
    int hash_threads;
    char public_origin[256]; /* "" = scheme://Host of each request */
    mj_rate_rule limits[MJ_LIMIT_COUNT];
} mj_accounts_config;

typedef struct mj_accounts {
    mj_server *srv;
    mj_accounts_config cfg;
    mj_ratelimit limiter;
    mj_pw_pool *pool;
    int64_t next_purge; /* unix seconds */
    bool stopping;
} mj_accounts;

/* One API call: the request, the clock, and who is calling. */
typedef struct mj_call {
    mj_server *srv;
    mj_accounts *acc;
    mj_http_req *req;
    int64_t now;   /* unix seconds */
    mj_time mono;  /* monotonic, for rate limits */
    bool authed;
    mj_user me;
    mj_session session;
    const char *arg; /* the path's '*' segment, if any */
    char argbuf[96];
} mj_call;

typedef void (*mj_call_fn)(mj_call *c);

/* account.c */
int mj_accounts_config_load(mj_accounts_config *cfg, const char **why);
void mj_call_error(mj_call *c, int status, const char *code, const char *message);
void mj_call_req_error(mj_call *c, const mj_req_error *err);
void mj_call_internal(mj_call *c);
/* 429 with Retry-After when the limit says no; returns false then. */
bool mj_call_limit(mj_call *c, mj_limit which, const void *key, size_t len);
/* The same, keyed by the client's address (IPv6: its /64). */
bool mj_call_limit_address(mj_call *c, mj_limit which);
/* Whether the request came over HTTPS (direct or through a proxy). */
bool mj_call_https(mj_call *c);
/* Adds Set-Cookie for a new session token / for clearing it. */
void mj_call_set_session_cookie(mj_http_req *req, bool https, const char *token, int64_t max_age);
void mj_call_clear_session_cookie(mj_http_req *req, bool https);
/* Makes a session token (MJ_TOKEN_CHARS + NUL) and its hash. */
void mj_session_token_new(char token[MJ_TOKEN_CHARS + 1], uint8_t hash[MJ_HASH_LEN]);
/* Finds the member named by c->arg among those the caller may see;
 * answers 404 and returns false otherwise. */
bool mj_call_target(mj_call *c, mj_user *out);

/* The deferred request a finished job answers, or NULL when its client
 * left or the server is stopping. */
mj_http_req *mj_account_resume(mj_server *srv, mj_pw_job *job);
/* Defers the request and queues the job; on failure answers (503) and
 * returns false, and the caller still owns the job. */
bool mj_call_submit(mj_call *c, mj_pw_job *job);
/* Removes expired sessions now and then. */
void mj_account_purge(mj_accounts *acc, int64_t now);

/* JSON views (account.c). */
json_t *mj_json_user_brief(const char *handle, const char *display_name);
json_t *mj_json_brief_list(const mj_user_brief *list, size_t n, size_t cap);
json_t *mj_json_user_public(const mj_user *u);

/* Handlers, one per endpoint. */
void mj_api_signup(mj_call *c);           /* account_auth.c */
void mj_api_login(mj_call *c);
void mj_api_logout(mj_call *c);
void mj_api_me_delete(mj_call *c);
void mj_api_me_passphrase(mj_call *c);
json_t *mj_json_me(mj_server *srv, const mj_user *u); /* account_me.c */
void mj_api_me_get(mj_call *c);
void mj_api_me_patch(mj_call *c);
void mj_api_sessions_list(mj_call *c);
void mj_api_session_delete(mj_call *c);
void mj_invite_error(mj_http_req *req, mj_invite_state state); /* account_invites.c */
/* The "before" query parameter of a paged list (0 when absent). */
int64_t mj_call_cursor(mj_call *c);
void mj_api_invites_list(mj_call *c);
void mj_api_invites_create(mj_call *c);
void mj_api_invite_check(mj_call *c);
void mj_api_invite_revoke(mj_call *c);
void mj_api_user_get(mj_call *c);         /* account_social.c */
void mj_api_follow(mj_call *c);
void mj_api_unfollow(mj_call *c);
void mj_api_followers(mj_call *c);
void mj_api_following(mj_call *c);
void mj_api_block(mj_call *c);
void mj_api_unblock(mj_call *c);
void mj_api_blocks_list(mj_call *c);
void mj_api_admin_user(mj_call *c);       /* account_admin.c */
void mj_api_admin_subtree(mj_call *c);
void mj_api_admin_suspend(mj_call *c);
void mj_api_admin_unsuspend(mj_call *c);
void mj_api_admin_patch(mj_call *c);

#endif
