/* Profiles, follows and blocks. */
#include "api/hallway.h"
#include "api/resources.h"

#include "base/log.h"

#include <string.h>

void mj_api_user_get(mj_call *c)
{
    mj_user u;
    if (!mj_call_target(c, &u)) return;
    int64_t followers = 0, following = 0;
    mj_relation rel = {0};
    if (mj_store_follow_counts(c->srv->store, u.id, &followers, &following) != 0 ||
        (u.id != c->me.id && mj_store_relation(c->srv->store, c->me.id, u.id, &rel) != 0)) {
        mj_call_internal(c);
        return;
    }
    json_t *o = mj_json_user_public(&u);
    if (!o) {
        mj_call_internal(c);
        return;
    }
    /* "Joined through": the one link of the invite tree a profile shows. */
    mj_user inviter;
    int ierr =
        u.invited_by ? mj_store_user_by_id(c->srv->store, u.invited_by, &inviter) : MJ_ENOTFOUND;
    if (ierr && ierr != MJ_ENOTFOUND) {
        json_decref(o);
        mj_call_internal(c);
        return;
    }
    json_object_set_new(o, "joined_through",
                        ierr ? json_null()
                             : mj_json_user_brief(inviter.handle, inviter.display_name));
    json_object_set_new(o, "followers", json_integer(followers));
    json_object_set_new(o, "following", json_integer(following));
    json_object_set_new(o, "you_follow", json_boolean(rel.following));
    json_object_set_new(o, "follows_you", json_boolean(rel.followed_by));
    json_object_set_new(o, "you_blocked", json_boolean(rel.blocking));
    if (u.suspended_at) /* only admins get this far */
        json_object_set_new(o, "suspended", json_true());
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "user", o));
}

static bool other_member(mj_call *c, mj_user *u)
{
    if (!mj_call_target(c, u)) return false;
    if (u->id == c->me.id) {
        mj_call_error(c, 400, "self", "you cannot do that to yourself");
        return false;
    }
    if (!mj_user_active(u)) {
        mj_call_error(c, 404, "not_found", "no such member");
        return false;
    }
    return true;
}

/* Answers a follow or a block; either changes what both members' hallways
 * show. */
static void answer(mj_call *c, int err, int64_t other)
{
    if (!err) {
        mj_hallway_member_changed(c->srv->live, c->me.id);
        mj_hallway_member_changed(c->srv->live, other);
    }
    if (err == MJ_EAUTH)
        mj_call_error(c, 403, "blocked", "you cannot follow this member");
    else if (err)
        mj_call_internal(c);
    else
        mj_http_respond(c->req, 204, NULL, NULL, 0);
}

void mj_api_follow(mj_call *c)
{
    mj_user u;
    if (other_member(c, &u)) answer(c, mj_store_follow(c->srv->store, c->me.id, u.id), u.id);
}

void mj_api_unfollow(mj_call *c)
{
    mj_user u;
    if (other_member(c, &u)) answer(c, mj_store_unfollow(c->srv->store, c->me.id, u.id), u.id);
}

void mj_api_block(mj_call *c)
{
    mj_user u;
    if (other_member(c, &u)) answer(c, mj_store_block(c->srv->store, c->me.id, u.id), u.id);
}

void mj_api_unblock(mj_call *c)
{
    /* Found even when they blocked you back, unlike everywhere else. */
    char handle[MJ_HANDLE_MAX + 1];
    const char *why;
    mj_user u;
    int err = mj_handle_normalize(c->arg, strlen(c->arg), handle, &why) == 0
                  ? mj_store_user_by_handle(c->srv->store, handle, &u)
                  : MJ_ENOTFOUND;
    if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such member");
    else if (err)
        mj_call_internal(c);
    else
        answer(c, mj_store_unblock(c->srv->store, c->me.id, u.id), u.id);
}

static void follow_list(mj_call *c, bool followers)
{
    mj_user u;
    if (!mj_call_target(c, &u)) return;
    mj_user_brief list[MJ_LIST_MAX];
    size_t n = 0;
    if (mj_store_follow_list(c->srv->store, u.id, followers, c->me.id, mj_call_cursor(c), list,
                             MJ_LIST_MAX, &n) != 0) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, mj_json_brief_list(list, n, MJ_LIST_MAX));
}

void mj_api_followers(mj_call *c)
{
    follow_list(c, true);
}

void mj_api_following(mj_call *c)
{
    follow_list(c, false);
}

void mj_api_blocks_list(mj_call *c)
{
    mj_user_brief list[MJ_LIST_MAX];
    size_t n = 0;
    if (mj_store_block_list(c->srv->store, c->me.id, mj_call_cursor(c), list, MJ_LIST_MAX, &n) !=
        0) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, mj_json_brief_list(list, n, MJ_LIST_MAX));
}
