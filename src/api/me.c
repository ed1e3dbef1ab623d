/* The signed-in member's own account: profile and sessions. */
#include "api/resources.h"
#include "store/rooms.h"

#include "base/log.h"
#include "io/clock.h"

#include <string.h>

json_t *mj_json_me(mj_server *srv, const mj_user *u)
{
    int64_t followers = 0, following = 0;
    int seats = 0;
    mj_user inviter;
    bool has_inviter = false;
    if (mj_store_follow_counts(srv->store, u->id, &followers, &following) != 0 ||
        mj_store_invite_seats(srv->store, u->id, mj_clock_unix(), &seats) != 0)
        return NULL;
    if (u->invited_by) {
        int err = mj_store_user_by_id(srv->store, u->invited_by, &inviter);
        if (err && err != MJ_ENOTFOUND) return NULL;
        has_inviter = err == 0;
    }
    json_t *o = mj_json_user_public(u);
    if (!o) return NULL;
    int left = u->invite_quota - seats;
    json_object_set_new(o, "admin", json_boolean(u->is_admin));
    json_object_set_new(o, "invite_quota", json_integer(u->invite_quota));
    json_object_set_new(o, "invites_left",
                        u->is_admin ? json_null() : json_integer(left > 0 ? left : 0));
    json_object_set_new(o, "invited_by",
                        has_inviter ? mj_json_user_brief(inviter.handle, inviter.display_name)
                                    : json_null());
    json_object_set_new(o, "followers", json_integer(followers));
    json_object_set_new(o, "following", json_integer(following));
    json_object_set_new(o, "created_at", json_integer(u->created_at));
    return o;
}

void mj_api_me_get(mj_call *c)
{
    json_t *me = mj_json_me(c->srv, &c->me);
    if (!me) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "user", me));
}

/* The ICE servers the page gives its peer connection: a TURN credential
 * that names nobody and lasts --turn-ttl, made fresh for each call; an
 * empty list without TURN. Signed-in members only: the credential opens
 * a relay, which is not for anyone who asks. */
void mj_api_ice_servers(mj_call *c)
{
    json_t *list = mj_turn_ice_servers(&c->srv->turn, mj_clock_unix());
    if (!list) {
        mj_call_internal(c);
        return;
    }
    mj_http_respond_json(c->req, 200,
                         json_pack("{s:o, s:i}", "iceServers", list, "ttl",
                                   c->srv->turn.nurls ? (json_int_t)c->srv->turn.ttl_s : 0));
}

void mj_api_me_patch(mj_call *c)
{
    mj_profile_req r;
    mj_req_error err;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    if (mj_profile_req_parse(body, len, &r, &err) != 0) {
        mj_call_req_error(c, &err);
        return;
    }
    if (mj_store_user_update_profile(c->srv->store, c->me.id, r.has_name ? r.display_name : NULL,
                                     r.has_bio ? r.bio : NULL) != 0 ||
        mj_store_user_by_id(c->srv->store, c->me.id, &c->me) != 0) {
        mj_call_internal(c);
        return;
    }
    mj_api_me_get(c);
}

void mj_api_sessions_list(mj_call *c)
{
    mj_session list[MJ_LIST_MAX];
    size_t n = 0;
    if (mj_store_sessions_of(c->srv->store, c->me.id, list, MJ_LIST_MAX, &n) != 0) {
        mj_call_internal(c);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const mj_session *s = &list[i];
        int64_t idle_end = s->last_seen_at + c->srv->set.session_idle_s;
        json_array_append_new(
            arr,
            json_pack("{s:s, s:b, s:I, s:I, s:I}", "id", s->id, "current",
                      strcmp(s->id, c->session.id) == 0, "created_at", (json_int_t)s->created_at,
                      "last_seen_at", (json_int_t)s->last_seen_at, "expires_at",
                      (json_int_t)(idle_end < s->expires_at ? idle_end : s->expires_at)));
    }
    mj_http_respond_json(c->req, 200, json_pack("{s:o}", "sessions", arr));
}

void mj_api_session_delete(mj_call *c)
{
    int err = mj_store_session_delete(c->srv->store, c->me.id, c->arg);
    if (err == MJ_ENOTFOUND) {
        mj_call_error(c, 404, "not_found", "no such session");
        return;
    }
    if (err) {
        mj_call_internal(c);
        return;
    }
    if (strcmp(c->arg, c->session.id) == 0) mj_call_clear_session_cookie(c->req, mj_call_https(c));
    mj_http_respond(c->req, 204, NULL, NULL, 0);
}

void mj_server_sweep(mj_server *srv, int64_t now)
{
    if (now < srv->next_purge) return;
    srv->next_purge = now + 600;
    if (mj_store_sessions_purge(srv->store, now, srv->set.session_idle_s) != 0)
        mj_warn("accounts: cannot remove expired sessions");
    /* An announcement whose time passed a day ago is nobody's business. */
    if (mj_store_schedules_purge(srv->store, now - 24 * 3600) != 0)
        mj_warn("rooms: cannot remove old announcements");
}
