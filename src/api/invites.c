/* Invites: a member's links and who joined through them, new links within
 * the quota, withdrawal, and the public check behind /invite/CODE. */
#include "api/resources.h"

#include "io/clock.h"

#include "base/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOINED_MAX MJ_INVITE_USES_MAX

void mj_invite_error(mj_http_req *req, mj_invite_state state)
{
    switch (state) {
    case MJ_INVITE_EXPIRED:
        mj_http_error(req, 410, "invite_expired", "this invite link has expired");
        break;
    case MJ_INVITE_USED:
        mj_http_error(req, 410, "invite_used", "this invite link has already been used");
        break;
    case MJ_INVITE_REVOKED:
        mj_http_error(req, 410, "invite_revoked", "this invite link was withdrawn");
        break;
    default: mj_http_error(req, 404, "invite_invalid", "this invite link is not valid"); break;
    }
}

static const char *state_name(const mj_invite *inv, int64_t now)
{
    if (inv->revoked_at) return "revoked";
    if (inv->uses >= inv->max_uses) return "used";
    if (inv->expires_at <= now) return "expired";
    return "active";
}

static json_t *invite_json(mj_call *c, const mj_invite *inv, bool with_joined)
{
    json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:I, s:I}", "id", (json_int_t)inv->id, "state",
                          state_name(inv, c->now), "uses", inv->uses, "max_uses", inv->max_uses,
                          "created_at", (json_int_t)inv->created_at, "expires_at",
                          (json_int_t)inv->expires_at);
    if (!o || !with_joined) return o;
    mj_user_brief *joined = calloc(JOINED_MAX, sizeof *joined);
    size_t n = 0;
    if (!joined || mj_store_invite_joined(c->srv->store, inv->id, joined, JOINED_MAX, &n) != 0) {
        free(joined);
        json_decref(o);
        return NULL;
    }
    json_t *list = mj_json_brief_list(joined, n, 0);
    json_object_set(o, "joined", json_object_get(list, "users"));
    json_decref(list);
    free(joined);
    return o;
}

static json_t *quota_json(mj_call *c)
{
    int seats = 0;
    if (mj_store_invite_seats(c->srv->store, c->me.id, c->now, &seats) != 0) return NULL;
    int left = c->me.invite_quota - seats;
    return json_pack("{s:i, s:o}", "invite_quota", c->me.invite_quota, "invites_left",
                     c->me.is_admin ? json_null() : json_integer(left > 0 ? left : 0));
}

void mj_api_invites_list(mj_call *c)
{
    mj_invite list[MJ_LIST_MAX];
    size_t n = 0;
    json_t *out = quota_json(c);
    json_t *arr = json_array();
    if (!out || !arr ||
        mj_store_invites_of(c->srv->store, c->me.id, mj_call_cursor(c), list, MJ_LIST_MAX, &n)) {
        json_decref(out);
        json_decref(arr);
        mj_call_internal(c);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *inv = invite_json(c, &list[i], true);
        if (!inv) {
            json_decref(out);
            json_decref(arr);
            mj_call_internal(c);
            return;
        }
        json_array_append_new(arr, inv);
    }
    json_object_set_new(out, "invites", arr);
    json_object_set_new(out, "next", n == MJ_LIST_MAX ? json_integer(list[n - 1].id) : json_null());
    mj_http_respond_json(c->req, 200, out);
}

void mj_api_invites_create(mj_call *c)
{
    mj_invite_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = mj_http_body(c->req, &len);
    if (mj_invite_req_parse(body, len, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    char code[32];
    mj_invite inv;
    int err =
        mj_store_invite_create(c->srv->store, c->me.id, r.uses, r.ttl_s, false, c->now, code, &inv);
    if (err == MJ_ELIMIT) {
        mj_call_error(c, 403, "quota_exhausted", "you have no invites left");
        return;
    }
    if (err) {
        mj_call_internal(c);
        return;
    }
    char base[300], url[400];
    mj_call_origin(c, base, sizeof base);
    snprintf(url, sizeof url, "%s/invite/%s", base, code);
    json_t *out = quota_json(c);
    json_t *ij = invite_json(c, &inv, false);
    if (!out || !ij) {
        json_decref(out);
        json_decref(ij);
        mj_call_internal(c);
    } else {
        json_object_set_new(ij, "code", json_string(code));
        json_object_set_new(ij, "url", json_string(url));
        json_object_set_new(out, "invite", ij);
        mj_http_respond_json(c->req, 201, out);
    }
    sodium_memzero(code, sizeof code);
    sodium_memzero(url, sizeof url);
}

void mj_api_invite_check(mj_call *c)
{
    if (!mj_invite_code_ok(c->arg, strlen(c->arg))) {
        mj_invite_error(c->req, MJ_INVITE_UNKNOWN);
        return;
    }
    uint8_t hash[MJ_HASH_LEN];
    mj_store_hash_secret(c->arg, strlen(c->arg), hash);
    mj_invite inv;
    mj_invite_state state;
    mj_user maker;
    int err = mj_store_invite_check(c->srv->store, hash, c->now, &inv, &state);
    if (!err && state == MJ_INVITE_OK && inv.created_by)
        err = mj_store_user_by_id(c->srv->store, inv.created_by, &maker);
    if (err) {
        mj_call_internal(c);
        return;
    }
    if (state != MJ_INVITE_OK) {
        mj_invite_error(c->req, state);
        return;
    }
    /* Only what the person holding the link needs to decide: who asks them
     * in, and until when. */
    json_t *by =
        inv.created_by ? mj_json_user_brief(maker.handle, maker.display_name) : json_null();
    mj_http_respond_json(c->req, 200,
                         json_pack("{s:b, s:o, s:I}", "valid", 1, "invited_by", by, "expires_at",
                                   (json_int_t)inv.expires_at));
}

void mj_api_invite_revoke(mj_call *c)
{
    char *end;
    long long id = strtoll(c->arg, &end, 10);
    int err = (*end || id <= 0) ? MJ_ENOTFOUND
                                : mj_store_invite_revoke(c->srv->store, c->me.id, id, c->now);
    if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such invite of yours");
    else if (err)
        mj_call_internal(c);
    else
        mj_http_respond(c->req, 204, NULL, NULL, 0);
}

int mj_invites_first_start(mj_server *srv, FILE *out)
{
    bool empty = false;
    if (mj_store_members_empty(srv->store, &empty) != 0) return MJ_EIO;
    if (!empty) return 0;
    char code[32];
    mj_invite inv;
    int err = mj_store_invite_create(srv->store, 0, 1, MJ_INVITE_TTL_DEFAULT, true, mj_clock_unix(),
                                     code, &inv);
    if (err) return err;
    char base[300];
    if (srv->set.public_origin[0]) {
        snprintf(base, sizeof base, "%s", srv->set.public_origin);
    } else {
        char ip[MJ_ADDR_STRLEN];
        mj_addr_ip_str(&srv->cfg.http, ip);
        bool v6 = srv->cfg.http.family == 6;
        snprintf(base, sizeof base, "%s://%s%s%s:%d", srv->cfg.tls_cert ? "https" : "http",
                 v6 ? "[" : "", ip, v6 ? "]" : "", mj_http_bound_port(srv->http));
    }
    /* The one time this code exists in clear outside the admin's hands. */
    fprintf(out,
            "majlis: first start: the admin invite (shown once, valid 7 days) is %s/invite/%s\n",
            base, code);
    fflush(out);
    sodium_memzero(code, sizeof code);
    mj_info("accounts: first start, admin invite created");
    return 0;
}
