/* Sign-up, login, logout, passphrase change and account deletion: the
 * endpoints that hash or check a passphrase, and so answer later, from
 * the hashing pool's completions. */
#include "api/device.h"
#include "api/live.h"
#include "api/resources.h"

#include "base/log.h"
#include "io/clock.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct signup_job {
    mj_pw_job job; /* first: the pool hands this pointer back */
    mj_signup_req req;
    bool https;
} signup_job;

#define BACKOFF_KEY_MAX (MJ_HANDLE_MAX + 1 + MJ_CLIENT_KEY_MAX)

typedef struct user_job {
    mj_pw_job job;
    int64_t user_id;
    char session_id[MJ_SESSION_ID_LEN + 1];
    bool https;
    /* The back-off a wrong passphrase counts against, and its key. */
    mj_limit backoff;
    uint8_t backoff_key[BACKOFF_KEY_MAX];
    size_t backoff_len;
} user_job;

static void free_job(void *job, size_t size)
{
    sodium_memzero(job, size);
    free(job);
}

/* Starts a session for a member who just proved who they are and answers
 * with their profile. The browser gets the account's device cookie, so
 * that guesses from elsewhere never hold back its next login. */
static void signed_in(mj_server *srv, mj_http_req *req, bool https, const mj_user *u,
                      const char *token, int64_t expires_at, int status, const char *pass_hash)
{
    int64_t now = mj_clock_unix();
    json_t *me = mj_json_me(srv, u);
    if (!me) {
        mj_http_error(req, 500, "internal", "something went wrong on the server");
        return;
    }
    mj_call_set_session_cookie(req, https, token, expires_at - now);
    mj_device_set_cookie(srv, req, https, u->id, pass_hash, now);
    mj_http_respond_json(req, status, json_pack("{s:o}", "user", me));
}

static void set_backoff(user_job *j, mj_limit which, const void *key, size_t len)
{
    j->backoff = which;
    j->backoff_len = len < sizeof j->backoff_key ? len : sizeof j->backoff_key;
    memcpy(j->backoff_key, key, j->backoff_len);
}

/* Whether the account's passphrase is still the one the job checked: a
 * check that waited in the queue while the passphrase changed proves
 * nothing any more, and must not let the old passphrase in. */
static bool pass_unchanged(mj_server *srv, const user_job *j)
{
    char now[MJ_PASS_HASH_MAX];
    bool same = mj_store_user_pass_hash(srv->store, j->user_id, now) == 0 &&
                strcmp(now, j->job.stored) == 0;
    sodium_memzero(now, sizeof now);
    return same;
}

/* A checked passphrase: a wrong one makes the next attempt of the same
 * key wait longer; a right one forgets the failures. Counted even when the
 * client left before the answer, or leaving would be a way around it. */
static void count_check(mj_server *srv, const user_job *j)
{
    if (!j->job.ran || !j->backoff_len) return;
    if (!j->job.verified)
        mj_server_backoff_fail(srv, j->backoff, j->backoff_key, j->backoff_len);
    else if (pass_unchanged(srv, j))
        mj_server_backoff_clear(srv, j->backoff, j->backoff_key, j->backoff_len);
}

static void signup_done(void *ctx, mj_pw_job *job)
{
    mj_server *srv = ctx;
    signup_job *sj = (signup_job *)job;
    mj_http_req *req = mj_call_resume(srv, job);
    if (!req) /* the client left: no account it never heard about */
        goto out;
    if (!job->hashed) {
        mj_http_error(req, 500, "internal", "cannot hash the passphrase");
        mj_http_send(req);
        goto out;
    }
    int64_t now = mj_clock_unix();
    mj_new_user nu = {.handle = sj->req.handle,
                      .display_name = sj->req.display_name,
                      .pass_hash = job->fresh,
                      .invite_quota = srv->set.invite_quota};
    mj_store_hash_secret(sj->req.invite, strlen(sj->req.invite), nu.invite_hash);
    char token[MJ_TOKEN_CHARS + 1];
    mj_new_session sess = {.expires_at = now + srv->set.session_max_s};
    mj_session_token_new(token, sess.token_hash);
    mj_user u;
    mj_invite_state state;
    int err = mj_store_signup(srv->store, &nu, &sess, now, &u, &state);
    if (err == MJ_EAUTH) {
        mj_invite_error(req, state);
    } else if (err == MJ_EEXIST) {
        mj_http_error(req, 409, "handle_taken", "this handle is taken");
    } else if (err) {
        mj_http_error(req, 500, "internal", "cannot create the account");
    } else {
        mj_info("accounts: account %lld joined%s", (long long)u.id, u.is_admin ? " (admin)" : "");
        signed_in(srv, req, sj->https, &u, token, sess.expires_at, 201, job->fresh);
    }
    sodium_memzero(token, sizeof token);
    mj_http_send(req);
out:
    free_job(sj, sizeof *sj);
}

/* Checks what can be checked before spending a hash on it. */
static bool signup_precheck(mj_call *c, const mj_signup_req *r)
{
    uint8_t hash[MJ_HASH_LEN];
    mj_store_hash_secret(r->invite, strlen(r->invite), hash);
    mj_invite inv;
    mj_invite_state state;
    bool taken = false;
    if (mj_store_invite_check(c->srv->store, hash, c->now, &inv, &state) != 0 ||
        mj_store_handle_taken(c->srv->store, r->handle, &taken) != 0) {
        mj_call_internal(c);
        return false;
    }
    if (state != MJ_INVITE_OK) {
        mj_invite_error(c->req, state);
        return false;
    }
    if (taken) {
        mj_call_error(c, 409, "handle_taken", "this handle is taken");
        return false;
    }
    return true;
}

void mj_api_signup(mj_call *c)
{
    signup_job *sj = calloc(1, sizeof *sj);
    if (!sj) {
        mj_call_internal(c);
        return;
    }
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    mj_req_error err;
    if (mj_signup_req_parse(body, len, &sj->req, &err) != 0) {
        mj_call_req_error(c, &err);
        goto fail;
    }
    if (!mj_call_limit_address(c, MJ_LIMIT_SIGNUP_ADDRESS) ||
        !mj_call_limit(c, MJ_LIMIT_SIGNUP_INVITE, sj->req.invite, strlen(sj->req.invite)) ||
        !signup_precheck(c, &sj->req))
        goto fail;
    sj->job.op = MJ_PW_HASH;
    memcpy(sj->job.pass, sj->req.pass, sj->req.pass_len + 1);
    sj->job.pass_len = sj->req.pass_len;
    sodium_memzero(sj->req.pass, sizeof sj->req.pass);
    sj->job.done = signup_done;
    sj->https = mj_call_https(c);
    if (mj_call_submit(c, &sj->job)) return;
fail:
    free_job(sj, sizeof *sj);
}

static void login_done(void *ctx, mj_pw_job *job)
{
    mj_server *srv = ctx;
    user_job *lj = (user_job *)job;
    count_check(srv, lj);
    mj_http_req *req = mj_call_resume(srv, job);
    if (!req) goto out;
    mj_user u;
    int err = job->verified ? mj_store_user_by_id(srv->store, lj->user_id, &u) : MJ_EAUTH;
    if (!err && !pass_unchanged(srv, lj)) err = MJ_EAUTH;
    if (err == MJ_EAUTH || err == MJ_ENOTFOUND || (!err && u.deleted_at)) {
        mj_debug("accounts: failed login");
        mj_http_error(req, 401, "invalid_credentials", "wrong handle or passphrase");
    } else if (err) {
        mj_http_error(req, 500, "internal", "something went wrong on the server");
    } else if (u.suspended_at) {
        mj_http_error(req, 403, "suspended", "this account is suspended");
    } else {
        int64_t now = mj_clock_unix();
        mj_server_sweep(srv, now);
        char token[MJ_TOKEN_CHARS + 1];
        mj_new_session sess = {.expires_at = now + srv->set.session_max_s};
        mj_session_token_new(token, sess.token_hash);
        if (mj_store_session_create(srv->store, u.id, &sess, now) != 0)
            mj_http_error(req, 500, "internal", "cannot start a session");
        else
            signed_in(srv, req, lj->https, &u, token, sess.expires_at, 200, job->stored);
        sodium_memzero(token, sizeof token);
    }
    mj_http_send(req);
out:
    free_job(lj, sizeof *lj);
}

/* What a login counts against, besides its address. A browser showing
 * the account's device cookie: that cookie's back-off. Any other: the
 * back-off of this handle from this address, and the rate of this handle
 * from everywhere, which guesses from many addresses can use up, but which
 * the owner's own browser never meets (device.h). An unknown handle goes
 * the second way, like any browser that is new to an account. */
static bool login_limits(mj_call *c, user_job *lj, const char *handle)
{
    uint8_t device[MJ_DEVICE_ID_LEN];
    if (lj->user_id && mj_device_recognised(c->srv, c->req, mj_call_https(c), lj->user_id,
                                            lj->job.stored, c->now, device)) {
        set_backoff(lj, MJ_LIMIT_LOGIN_DEVICE, device, sizeof device);
        return mj_call_backoff(c, lj->backoff, lj->backoff_key, lj->backoff_len);
    }
    uint8_t pair[BACKOFF_KEY_MAX];
    size_t hlen = strlen(handle);
    memcpy(pair, handle, hlen + 1);
    size_t n = hlen + 1 + mj_call_client_key(c->req, 32, 64, pair + hlen + 1);
    set_backoff(lj, MJ_LIMIT_LOGIN_PAIR, pair, n);
    return mj_call_backoff(c, lj->backoff, lj->backoff_key, lj->backoff_len) &&
           mj_call_limit(c, MJ_LIMIT_LOGIN_ACCOUNT, handle, hlen);
}

void mj_api_login(mj_call *c)
{
    mj_login_req r;
    mj_req_error err;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    user_job *lj = NULL;
    if (mj_login_req_parse(body, len, &r, &err) != 0) {
        mj_call_req_error(c, &err);
        goto done;
    }
    if (!mj_call_limit_address(c, MJ_LIMIT_LOGIN_ADDRESS)) goto done;
    if (!r.handle_ok) {
        mj_call_error(c, 401, "invalid_credentials", "wrong handle or passphrase");
        goto done;
    }
    lj = calloc(1, sizeof *lj);
    mj_user u;
    int e = lj ? mj_store_user_by_handle(c->srv->store, r.handle, &u) : MJ_ENOMEM;
    if (e && e != MJ_ENOTFOUND) {
        mj_call_internal(c);
        goto done;
    }
    /* An unknown handle is checked against nothing, at the same cost. */
    if (!e && mj_store_user_pass_hash(c->srv->store, u.id, lj->job.stored) == 0) lj->user_id = u.id;
    if (!login_limits(c, lj, r.handle)) goto done;
    lj->job.op = MJ_PW_VERIFY;
    memcpy(lj->job.pass, r.pass, r.pass_len + 1);
    lj->job.pass_len = r.pass_len;
    lj->job.done = login_done;
    lj->https = mj_call_https(c);
    if (mj_call_submit(c, &lj->job)) lj = NULL;
done:
    mj_req_wipe(&r, sizeof r);
    if (lj) free_job(lj, sizeof *lj);
}

void mj_api_logout(mj_call *c)
{
    if (mj_store_session_delete(c->srv->store, c->me.id, c->session.id) != 0) {
        mj_call_internal(c);
        return;
    }
    mj_call_clear_session_cookie(c->req, mj_call_https(c));
    mj_http_respond(c->req, 204, NULL, NULL, 0);
}

static void delete_done(void *ctx, mj_pw_job *job)
{
    mj_server *srv = ctx;
    user_job *dj = (user_job *)job;
    count_check(srv, dj);
    mj_http_req *req = mj_call_resume(srv, job);
    if (!req) goto out;
    if (!job->verified || !pass_unchanged(srv, dj)) {
        mj_http_error(req, 403, "wrong_passphrase", "the passphrase is wrong");
    } else if (mj_store_user_delete(srv->store, dj->user_id, mj_clock_unix()) != 0) {
        mj_http_error(req, 500, "internal", "cannot delete the account");
    } else {
        mj_info("accounts: account %lld deleted by its owner", (long long)dj->user_id);
        mj_live_expel(srv->live, dj->user_id);
        mj_call_clear_session_cookie(req, dj->https);
        mj_device_clear_cookie(req, dj->https);
        mj_http_respond(req, 204, NULL, NULL, 0);
    }
    mj_http_send(req);
out:
    free_job(dj, sizeof *dj);
}

static void pass_done(void *ctx, mj_pw_job *job)
{
    mj_server *srv = ctx;
    user_job *pj = (user_job *)job;
    count_check(srv, pj);
    mj_http_req *req = mj_call_resume(srv, job);
    if (!req) goto out;
    if (!job->verified || !pass_unchanged(srv, pj)) {
        mj_http_error(req, 403, "wrong_passphrase", "the current passphrase is wrong");
    } else if (!job->hashed ||
               mj_store_user_set_pass(srv->store, pj->user_id, job->fresh, pj->session_id) != 0) {
        mj_http_error(req, 500, "internal", "cannot change the passphrase");
    } else {
        /* Every other browser's device cookie named the old passphrase;
         * this one stays known. */
        mj_device_set_cookie(srv, req, pj->https, pj->user_id, job->fresh, mj_clock_unix());
        mj_http_respond(req, 204, NULL, NULL, 0);
    }
    mj_http_send(req);
out:
    free_job(pj, sizeof *pj);
}

/* DELETE /api/me and POST /api/me/passphrase: both prove the passphrase
 * first, even though the caller has a session, so that a borrowed or
 * stolen session cannot erase an account or lock its owner out. Wrong
 * passphrases count against the session that sent them (a back-off), not
 * against the account: a stolen session guessing slows itself down, and
 * the owner's own sessions, and logins, are not touched. Guessing needs a
 * session, and more sessions need the passphrase. */
static void with_passphrase(mj_call *c, bool change)
{
    mj_pass_req r;
    mj_req_error err;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    user_job *j = NULL;
    if (mj_pass_req_parse(body, len, change, &r, &err) != 0) {
        mj_call_req_error(c, &err);
        goto done;
    }
    if (!mj_call_backoff(c, MJ_LIMIT_PASSPHRASE_SESSION, c->session.id, strlen(c->session.id)))
        goto done;
    j = calloc(1, sizeof *j);
    if (!j || mj_store_user_pass_hash(c->srv->store, c->me.id, j->job.stored) != 0) {
        mj_call_internal(c);
        goto done;
    }
    j->user_id = c->me.id;
    memcpy(j->session_id, c->session.id, sizeof j->session_id);
    set_backoff(j, MJ_LIMIT_PASSPHRASE_SESSION, c->session.id, strlen(c->session.id));
    j->https = mj_call_https(c);
    j->job.op = change ? MJ_PW_VERIFY_THEN_HASH : MJ_PW_VERIFY;
    memcpy(j->job.pass, r.pass, r.pass_len + 1);
    j->job.pass_len = r.pass_len;
    memcpy(j->job.new_pass, r.new_pass, r.new_pass_len + 1);
    j->job.new_pass_len = r.new_pass_len;
    j->job.done = change ? pass_done : delete_done;
    if (mj_call_submit(c, &j->job)) j = NULL;
done:
    mj_req_wipe(&r, sizeof r);
    if (j) free_job(j, sizeof *j);
}

void mj_api_me_delete(mj_call *c)
{
    with_passphrase(c, false);
}

void mj_api_me_passphrase(mj_call *c)
{
    with_passphrase(c, true);
}
