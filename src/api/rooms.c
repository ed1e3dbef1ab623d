/* Rooms: starting one, looking at one, entering it (one request with the
 * SDP offer), leaving, and every action of the stage (docs/api.md). The
 * room's state and the rules live in room/room.c; live.c carries out what
 * they decide. */
#include "api/live.h"
#include "api/names.h"
#include "api/resources.h"

#include "base/log.h"
#include "room/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t *body_of(mj_call *c, size_t *len)
{
    return mj_http_body(c->req, len);
}

static void room_error(mj_call *c, int err)
{
    if (err == MJ_EIO || err == MJ_ENOMEM) {
        mj_call_internal(c);
        return;
    }
    static const struct {
        const char *code, *message;
    } words[] = {
        {"room_ended", "this room has ended"},
        {"not_in_room", "enter the room first"},
        {"no_such_person", "that person is not in the room"},
        {"not_moderator", "only the room's moderators may do that"},
        {"not_on_stage", "that needs someone on stage"},
        {"on_stage", "already on stage"},
        {"hands_off", "hand raising is turned off in this room"},
        {"not_invited", "there is no invitation to answer"},
        {"stage_full", "the stage is full"},
        {"host", "nobody but the host can do that to the host"},
        {"self", "not on yourself; leave the room instead"},
        {"removed", "you were removed from this room"},
        {"not_named", "this is a closed room; its moderators have not let you in"},
        {"bot", "a bot cannot do or be that"},
    };
    const char *code = mj_live_err_code(err), *message = "that is not possible now";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].code, code) == 0) message = words[i].message;
    if (err == MJ_LIVE_ENOTFOLLOWED)
        message = "only people followed by this room's moderators may enter";
    if (err == MJ_LIVE_EBLOCKED)
        message = "no such room"; /* someone who blocked you is not there for you */
    mj_call_error(c, mj_live_err_status(err), code, message);
}

/* The live room c->arg names; answers and returns NULL otherwise (404 for
 * an unknown id, 410 for one that ended). */
static mj_live_room *the_room(mj_call *c)
{
    mj_live_room *lr = mj_live_get(c->srv->live, c->arg);
    if (lr) return lr;
    mj_room_rec rec;
    int err = mj_store_room_get(c->srv->store, c->arg, &rec);
    if (err == 0)
        mj_call_error(c, 410, "room_ended", "this room has ended");
    else if (err == MJ_ENOTFOUND)
        mj_call_error(c, 404, "not_found", "no such room");
    else
        mj_call_internal(c);
    return NULL;
}

static mj_room_who member_who(mj_call *c)
{
    mj_room_who who = {.user = c->me.id};
    return who;
}

/* What the caller sees of the room, and of themself in it. */
static json_t *room_reply(mj_call *c, mj_live_room *lr)
{
    const mj_person *me = mj_live_me(lr, c->me.id);
    return json_pack("{s:o, s:o}", "room", mj_live_room_json(lr), "you",
                     me ? mj_live_person_json(lr, me, me) : json_null());
}

/* ---- starting and looking ---- */

/* Resolves the handles a new closed room names; answers and returns false
 * for one that is nobody. */
static bool resolve_allowed(mj_call *c, const mj_room_req *r, int64_t *ids)
{
    for (size_t i = 0; i < r->nallowed; i++) {
        mj_user u;
        int err = mj_store_user_by_handle(c->srv->store, r->allowed[i], &u);
        if (err == MJ_ENOTFOUND || (!err && !mj_user_active(&u))) {
            char msg[80];
            snprintf(msg, sizeof msg, "no member @%s", r->allowed[i]);
            mj_call_error(c, 404, "no_such_member", msg);
            return false;
        }
        if (err) {
            mj_call_internal(c);
            return false;
        }
        ids[i] = u.id;
    }
    return true;
}

void mj_api_rooms_create(mj_call *c)
{
    mj_room_req *r = calloc(1, sizeof *r);
    int64_t ids[MJ_ROOM_ALLOW_MAX];
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (!r) {
        mj_call_internal(c);
        return;
    }
    if (mj_room_req_parse(body, len, r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        goto done;
    }
    if (!resolve_allowed(c, r, ids)) goto done;
    mj_new_room nr = {.title = r->title,
                      .kind = r->kind,
                      .created_by = c->me.id,
                      .max_hosted = c->srv->cfg.max_hosted};
    mj_room_rec rec;
    int err = mj_store_room_create(c->srv->store, &nr, c->now, &rec);
    if (err == MJ_ELIMIT) {
        char msg[96];
        snprintf(msg, sizeof msg, "you host %d live rooms already; end one first",
                 c->srv->cfg.max_hosted);
        mj_call_error(c, 409, "too_many_rooms", msg);
        goto done;
    }
    for (size_t i = 0; !err && i < r->nallowed; i++)
        err = mj_store_room_member_set(c->srv->store, rec.id, ids[i], MJ_ROOM_MEMBER_ALLOWED, true);
    mj_live_room *lr = NULL;
    if (!err) err = mj_live_add(c->srv->live, &rec, &lr);
    if (err) {
        mj_call_internal(c);
        goto done;
    }
    mj_info("rooms: member %lld started room %s (%s)", (long long)c->me.id, rec.id,
            mj_room_kind_name((mj_room_kind)rec.kind));
    char location[64];
    snprintf(location, sizeof location, "/api/rooms/%s", rec.id);
    mj_http_add_header(c->req, "location", location);
    mj_http_respond_json(c->req, 201, room_reply(c, lr));
done:
    free(r);
}

void mj_api_room_get(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    if (!lr) return;
    mj_room_who who = member_who(c);
    int err = mj_live_me(lr, c->me.id) ? 0 : mj_live_may_enter(lr, &who);
    if (err) {
        room_error(c, err);
        return;
    }
    mj_http_respond_json(c->req, 200, room_reply(c, lr));
}

void mj_api_room_patch(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    bool on;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (!lr) return;
    if (mj_bool_req_parse(body, len, "hands", &on, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_room_action a = {.op = MJ_OP_HANDS, .on = on};
    int err = mj_live_act(lr, c->me.id, &a);
    if (err)
        room_error(c, err);
    else
        mj_http_respond_json(c->req, 200, room_reply(c, lr));
}

/* ---- entering and leaving ---- */

void mj_api_room_enter(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    if (!lr) return;
    mj_enter_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (mj_enter_req_parse(body, len, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_live_entry e = {
        .who = {.user = c->me.id, .unlisted = r.unlisted},
        .page = true,
        .kind = MJ_MEDIA_VISIT,
        .offer = r.offer,
        .offer_len = r.offer_len,
        .client_key = mj_call_client_hash(c->req),
    };
    mj_live_entered in;
    mj_live_enter(lr, &e, &in);
    mj_enter_req_free(&r);
    if (in.err) {
        room_error(c, in.err);
        return;
    }
    if (in.status != 201) {
        if (in.status == 503) mj_http_add_header(c->req, "retry-after", "5");
        mj_call_error(c, in.status, in.code, in.message);
        return;
    }
    /* The room may have ended meanwhile only by a timer; it is live here. */
    json_t *reply = room_reply(c, lr);
    json_object_set_new(reply, "visit", json_string(in.resource));
    json_object_set_new(reply, "answer", json_stringn(in.answer, in.answer_len));
    free(in.answer);
    char location[128];
    snprintf(location, sizeof location, "/api/rooms/%s/visits/%s", mj_live_rec(lr)->id,
             in.resource);
    mj_http_add_header(c->req, "location", location);
    mj_http_respond_json(c->req, 201, reply);
}

void mj_api_visit_delete(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    if (!lr) return;
    if (mj_live_leave_resource(lr, c->arg2, c->me.id, MJ_MEDIA_VISIT) != 0) {
        mj_call_error(c, 404, "not_found", "no such visit");
        return;
    }
    mj_http_respond(c->req, 204, NULL, NULL, 0);
}

/* ---- actions on oneself ---- */

static void act(mj_call *c, mj_live_room *lr, mj_room_action *a)
{
    int err = mj_live_act(lr, c->me.id, a);
    if (err) {
        room_error(c, err);
        return;
    }
    /* Leaving or ending may have taken the room away; either way the
     * caller is no longer in it. */
    mj_live_room *still = mj_live_find(c->srv->live, c->arg);
    if (still && a->op != MJ_OP_LEAVE)
        mj_http_respond_json(c->req, 200, room_reply(c, still));
    else
        mj_http_respond(c->req, 204, NULL, NULL, 0);
}

/* An action named by one boolean field: {field: true} does `yes`,
 * {field: false} does `no`. */
static void act_bool(mj_call *c, const char *field, mj_room_op yes, mj_room_op no)
{
    mj_live_room *lr = the_room(c);
    bool on;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (!lr) return;
    if (mj_bool_req_parse(body, len, field, &on, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    mj_room_action a = {.op = on ? yes : no};
    act(c, lr, &a);
}

void mj_api_room_hand(mj_call *c)
{
    act_bool(c, "up", MJ_OP_RAISE_HAND, MJ_OP_LOWER_HAND);
}

void mj_api_room_invitation(mj_call *c)
{
    act_bool(c, "accept", MJ_OP_ACCEPT, MJ_OP_DECLINE);
}

void mj_api_room_mute(mj_call *c)
{
    act_bool(c, "muted", MJ_OP_MUTE_SELF, MJ_OP_UNMUTE_SELF);
}

static void act_plain(mj_call *c, mj_room_op op)
{
    mj_live_room *lr = the_room(c);
    if (!lr) return;
    mj_room_action a = {.op = op};
    act(c, lr, &a);
}

void mj_api_room_step_down(mj_call *c)
{
    act_plain(c, MJ_OP_STEP_DOWN);
}

void mj_api_room_leave(mj_call *c)
{
    act_plain(c, MJ_OP_LEAVE);
}

void mj_api_room_end(mj_call *c)
{
    act_plain(c, MJ_OP_END);
}

/* ---- moderators' actions on someone ---- */

static void act_on(mj_call *c, mj_room_op op)
{
    mj_live_room *lr = the_room(c);
    if (!lr) return;
    mj_room_action a = {.op = op};
    if (!mj_live_pid_parse(c->arg2, &a.target) || !mj_room_person(mj_live_machine(lr), a.target)) {
        /* Checked after the actor: a stranger learns nothing from it. */
        int err = mj_live_me(lr, c->me.id) ? MJ_ROOM_ENOBODY : MJ_ROOM_ENOTIN;
        room_error(c, err);
        return;
    }
    act(c, lr, &a);
}

void mj_api_person_invite(mj_call *c)
{
    act_on(c, MJ_OP_INVITE);
}

void mj_api_person_audience(mj_call *c)
{
    act_on(c, MJ_OP_TO_AUDIENCE);
}

void mj_api_person_mute(mj_call *c)
{
    act_on(c, MJ_OP_MUTE);
}

void mj_api_person_make_mod(mj_call *c)
{
    act_on(c, MJ_OP_MAKE_MOD);
}

void mj_api_person_unmake_mod(mj_call *c)
{
    act_on(c, MJ_OP_UNMAKE_MOD);
}

void mj_api_person_remove(mj_call *c)
{
    act_on(c, MJ_OP_REMOVE);
}

void mj_api_room_allow(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    char handle[MJ_HANDLE_MAX + 1];
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (!lr) return;
    if (mj_handle_req_parse(body, len, handle, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    if (!mj_live_me(lr, c->me.id)) {
        room_error(c, MJ_ROOM_ENOTIN);
        return;
    }
    mj_user u;
    int err = mj_store_user_by_handle(c->srv->store, handle, &u);
    if (err == MJ_ENOTFOUND || (!err && !mj_user_active(&u))) {
        mj_call_error(c, 404, "no_such_member", "no such member");
        return;
    }
    if (err) {
        mj_call_internal(c);
        return;
    }
    mj_room_action a = {.op = MJ_OP_ALLOW, .user = u.id};
    act(c, lr, &a);
}

/* ---- tokens for bots ---- */

void mj_api_room_token(mj_call *c)
{
    mj_live_room *lr = the_room(c);
    mj_token_req r;
    mj_req_error rerr;
    size_t len;
    const uint8_t *body = body_of(c, &len);
    if (!lr) return;
    if (mj_token_req_parse(body, len, &r, &rerr) != 0) {
        mj_call_req_error(c, &rerr);
        return;
    }
    /* A bot answers to the member who had its token made: they must be
     * able to enter, and only a moderator puts a bot on stage. */
    mj_room_who who = {
        .user = c->me.id, .bot = 1, .seat = r.speaker ? MJ_ROLE_SPEAKER : MJ_ROLE_LISTENER};
    int err = mj_live_may_enter(lr, &who);
    if (!err && r.speaker && !mj_room_is_moderator_id(mj_live_machine(lr), c->me.id))
        err = MJ_ROOM_ENOTMOD;
    if (err) {
        room_error(c, err);
        return;
    }
    mj_token_claims claims = {.role = who.seat, .user = c->me.id, .expires_at = c->now + r.ttl_s};
    snprintf(claims.room, sizeof claims.room, "%s", mj_live_rec(lr)->id);
    char token[MJ_TOKEN_MAX];
    if (mj_token_sign(c->srv->secret, &claims, token) != 0) {
        mj_call_internal(c);
        return;
    }
    char base[300], whip[400], whep[400];
    mj_call_origin(c, base, sizeof base);
    snprintf(whip, sizeof whip, "%s/whip/%s", base, mj_live_rec(lr)->id);
    snprintf(whep, sizeof whep, "%s/whep/%s", base, mj_live_rec(lr)->id);
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "token", token, "room",
                          mj_live_rec(lr)->id, "seat", mj_role_name(who.seat), "expires_at",
                          (json_int_t)claims.expires_at, "whep", whep, "whip", whip);
    if (!r.speaker) json_object_del(o, "whip");
    mj_http_respond_json(c->req, 201, o);
}
