/* Administration: a member's record and place in the invite tree, the
 * size of their branch, suspension of one member or a whole branch, and
 * quotas and the admin flag. Every action is logged at info level with
 * internal account numbers only. */
#include "api/live.h"
#include "api/resources.h"

#include "base/log.h"

#include <string.h>

/* Admins see suspended members too (mj_call_target lets them). */
static bool target(mj_call *c, mj_user *u)
{
    return mj_call_target(c, u);
}

static json_t *admin_view(mj_call *c, const mj_user *u)
{
    mj_user inviter;
    bool has_inviter = false;
    if (u->invited_by) {
        int err = mj_store_user_by_id(c->srv->store, u->invited_by, &inviter);
        if (err && err != MJ_ENOTFOUND) return NULL;
        has_inviter = err == 0;
    }
    mj_user_brief list[MJ_LIST_MAX];
    size_t n = 0;
    if (mj_store_invitees(c->srv->store, u->id, 0, list, MJ_LIST_MAX, &n) != 0) return NULL;
    json_t *o = mj_json_user_public(u);
    if (!o) return NULL;
    json_t *invitees = mj_json_brief_list(list, n, MJ_LIST_MAX);
    json_object_set_new(o, "admin", json_boolean(u->is_admin));
    json_object_set_new(o, "invite_quota", json_integer(u->invite_quota));
    json_object_set_new(o, "created_at", json_integer(u->created_at));
    json_object_set_new(o, "suspended_at",
                        u->suspended_at ? json_integer(u->suspended_at) : json_null());
    json_object_set_new(o, "invited_by",
                        has_inviter ? mj_json_user_brief(inviter.handle, inviter.display_name)
                                    : json_null());
    json_object_set(o, "invitees", json_object_get(invitees, "users"));
    json_decref(invitees);
    return o;
}

void mj_api_admin_search(mj_call *c)
{
    char q[MJ_USER_NAME_MAX + 1];
    if (!mj_http_query(c->req, "q", q, sizeof q) || !q[0]) {
        mj_call_error(c, 400, "bad_request", "give ?q= with part of a handle or a name");
        return;
    }
    mj_user_brief list[MJ_LIST_MAX];
    size_t n = 0;
    if (mj_store_users_search(c->srv->store, q, list, MJ_LIST_MAX, &n) != 0) {
        mj_call_internal(c);
        return;
    }
    /* One page: a search narrows by typing more, not by paging. */
    json_t *o = mj_json_brief_list(list, n, MJ_LIST_MAX + 1);
    mj_http_respond_json(c->req, 200, o);
}

void mj_api_admin_user(mj_call *c)
{
    mj_user u;
    if (!target(c, &u)) return;
    json_t *o = admin_view(c, &u);
    if (!o) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "user", o));
}

static json_t *count_json(const mj_subtree_count *n)
{
    return json_pack("{s:I, s:I, s:I, s:b}", "accounts", (json_int_t)n->accounts, "active",
                     (json_int_t)n->active, "suspended", (json_int_t)n->suspended, "includes_you",
                     n->contains);
}

void mj_api_admin_subtree(mj_call *c)
{
    mj_user u;
    if (!target(c, &u)) return;
    mj_subtree_count n;
    if (mj_store_subtree_count(c->srv->store, u.id, true, c->me.id, &n) != 0) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, count_json(&n));
}

static void suspension(mj_call *c, bool suspend)
{
    mj_admin_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    if (mj_admin_req_parse(body, len, false, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_user u;
    if (!target(c, &u)) return;
    mj_subtree_count n;
    int64_t changed = 0;
    if (mj_store_subtree_count(c->srv->store, u.id, r.subtree, c->me.id, &n) != 0) {
        mj_call_internal(c);
        return;
    }
    if (suspend && n.contains) {
        mj_call_error(c, 409, "self", "that would suspend your own account");
        return;
    }
    int err = suspend ? mj_store_suspend(c->srv->store, u.id, r.subtree, c->now, &changed)
                      : mj_store_unsuspend(c->srv->store, u.id, r.subtree, &changed);
    if (err) {
        mj_call_internal(c);
        return;
    }
    if (suspend && changed)
        mj_live_members_gone(c->srv->live); /* their rooms, within this request */
    mj_info("admin: account %lld %s account %lld%s: %lld account(s) changed", (long long)c->me.id,
            suspend ? "suspended" : "lifted the suspension of", (long long)u.id,
            r.subtree ? " and its invite subtree" : "", (long long)changed);
    mj_http_respond_json(c->req, 200,
                         json_pack("{s:I, s:I}", "accounts", (json_int_t)n.accounts, "changed",
                                   (json_int_t)changed));
}

void mj_api_admin_suspend(mj_call *c)
{
    suspension(c, true);
}

void mj_api_admin_unsuspend(mj_call *c)
{
    suspension(c, false);
}

void mj_api_admin_patch(mj_call *c)
{
    mj_admin_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    if (mj_admin_req_parse(body, len, true, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_user u;
    if (!target(c, &u)) return;
    if (r.has_admin && u.id == c->me.id) {
        mj_call_error(c, 409, "self", "another admin must change your admin flag");
        return;
    }
    int err = 0;
    if (r.has_quota) err = mj_store_user_set_quota(c->srv->store, u.id, r.invite_quota);
    if (!err && r.has_admin) err = mj_store_user_set_admin(c->srv->store, u.id, r.admin);
    if (!err) err = mj_store_user_by_id(c->srv->store, u.id, &u);
    if (err) {
        mj_call_internal(c);
        return;
    }
    mj_info("admin: account %lld changed account %lld (quota %d, admin %d)", (long long)c->me.id,
            (long long)u.id, u.invite_quota, u.is_admin);
    json_t *o = admin_view(c, &u);
    if (!o) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "user", o));
}
