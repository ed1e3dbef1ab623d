/* The actions: what people do on themselves, and what moderators (or the
 * operator, actor 0) do on others and on the room. Each one checks
 * everything and reserves its notifications before it changes anything,
 * so a refusal leaves the room as it was. */
#include "room/room_internal.h"

/* Enough for any change of one person: PERSON, SEND, INVITED or
 * MODERATOR. */
#define ONE_CHANGE 3

static bool on_stage(const mj_room_attendee *p)
{
    return mj_role_on_stage(p->pub.role);
}

static bool stage_full(const mj_room *r)
{
    return r->counts.moderators + r->counts.speakers >= r->cfg.max_stage;
}

/* A member who stops moderating leaves the set, so they come back as
 * anyone else would. */
static void leave_moderator_set(mj_room *r, int64_t user, mj_pid pid)
{
    if (mj_room_idset_remove(&r->moderators, user, 0))
        mj_room_emit(
            r, &(mj_room_out){.kind = MJ_ROUT_MODERATOR, .pid = pid, .user = user, .on = false});
}

/* ---- on oneself ---- */

static int raise_hand(mj_room *r, mj_time now, mj_room_attendee *me)
{
    if (me->pub.bot) return MJ_ROOM_EBOT;
    if (on_stage(me)) return MJ_ROOM_ESTAGE;
    if (!r->hands_on) return MJ_ROOM_EHANDSOFF;
    if (me->pub.hand_at) return 0;
    mj_person was = me->pub;
    me->pub.hand_at = now > 0 ? now : 1; /* 0 means no hand */
    mj_room_commit(r, now, me, &was);
    return 0;
}

static int accept_invitation(mj_room *r, mj_time now, mj_room_attendee *me)
{
    if (!me->pub.invited) return MJ_ROOM_ENOINVITE;
    mj_person was = me->pub;
    if (stage_full(r)) {
        /* The invitation cannot be honoured any more: it goes, so the
         * prompt does not linger; the hand stays up for a later one. */
        me->pub.invited = false;
        mj_room_commit(r, now, me, &was);
        return MJ_ROOM_EFULL;
    }
    me->pub.role = MJ_ROLE_SPEAKER;
    me->pub.muted = true;
    mj_room_commit(r, now, me, &was);
    return 0;
}

static int set_muted(mj_room *r, mj_time now, mj_room_attendee *p, bool muted)
{
    if (!on_stage(p)) return MJ_ROOM_ENOTSTAGE;
    if (p->pub.muted == muted) return 0;
    mj_person was = p->pub;
    p->pub.muted = muted;
    mj_room_commit(r, now, p, &was);
    return 0;
}

/* To the audience (stepping down or being moved), out of the moderator
 * set. The creator stays on stage. */
static int to_audience(mj_room *r, mj_time now, mj_room_attendee *p)
{
    if (mj_room_is_creator(r, p)) return MJ_ROOM_ECREATOR;
    if (!on_stage(p)) return MJ_ROOM_ENOTSTAGE;
    mj_person was = p->pub;
    p->pub.role = MJ_ROLE_LISTENER;
    mj_room_commit(r, now, p, &was);
    if (was.role == MJ_ROLE_MODERATOR) leave_moderator_set(r, p->pub.user, p->pub.pid);
    return 0;
}

static int act_self(mj_room *r, mj_time now, mj_room_attendee *me, mj_room_op op)
{
    mj_person was = me->pub;
    switch (op) {
    case MJ_OP_LEAVE:
        if (mj_room_reserve(r, 2 + me->pub.nconns) != 0) return MJ_ENOMEM;
        mj_room_person_out(r, now, me, true, MJ_GONE_LEFT);
        return 0;
    case MJ_OP_RAISE_HAND: return raise_hand(r, now, me);
    case MJ_OP_LOWER_HAND:
        me->pub.hand_at = 0;
        mj_room_commit(r, now, me, &was);
        return 0;
    case MJ_OP_ACCEPT: return accept_invitation(r, now, me);
    case MJ_OP_DECLINE:
        if (!me->pub.invited) return MJ_ROOM_ENOINVITE;
        me->pub.invited = false;
        me->pub.hand_at = 0;
        mj_room_commit(r, now, me, &was);
        return 0;
    case MJ_OP_MUTE_SELF: return set_muted(r, now, me, true);
    case MJ_OP_UNMUTE_SELF: return set_muted(r, now, me, false);
    case MJ_OP_STEP_DOWN: return to_audience(r, now, me);
    default: return MJ_EINVAL;
    }
}

/* ---- moderators on a person ---- */

static int invite(mj_room *r, mj_time now, mj_pid by, mj_room_attendee *t)
{
    if (on_stage(t)) return MJ_ROOM_ESTAGE;
    if (stage_full(r)) return MJ_ROOM_EFULL;
    if (t->pub.invited) return 0;
    mj_person was = t->pub;
    if (t->pub.bot) {
        /* Nobody can answer for a bot, or unmute it. */
        t->pub.role = MJ_ROLE_SPEAKER;
        t->pub.muted = false;
        mj_room_commit(r, now, t, &was);
        return 0;
    }
    t->pub.invited = true;
    t->pub.invited_by = by;
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_INVITED, .pid = t->pub.pid, .by = by});
    mj_room_commit(r, now, t, &was);
    return 0;
}

static int make_moderator(mj_room *r, mj_time now, mj_room_attendee *t)
{
    if (t->pub.bot) return MJ_ROOM_EBOT;
    if (!on_stage(t)) return MJ_ROOM_ENOTSTAGE;
    if (t->pub.role == MJ_ROLE_MODERATOR) return 0;
    int added = mj_room_idset_add(&r->moderators, t->pub.user, 0);
    if (added < 0) return added;
    mj_person was = t->pub;
    t->pub.role = MJ_ROLE_MODERATOR;
    mj_room_commit(r, now, t, &was);
    if (added)
        mj_room_emit(
            r, &(mj_room_out){
                   .kind = MJ_ROUT_MODERATOR, .pid = t->pub.pid, .user = t->pub.user, .on = true});
    return 0;
}

static int unmake_moderator(mj_room *r, mj_time now, mj_room_attendee *t)
{
    if (mj_room_is_creator(r, t)) return MJ_ROOM_ECREATOR;
    if (!on_stage(t)) return MJ_ROOM_ENOTSTAGE;
    if (t->pub.role != MJ_ROLE_MODERATOR) return 0;
    mj_person was = t->pub;
    t->pub.role = MJ_ROLE_SPEAKER;
    mj_room_commit(r, now, t, &was);
    leave_moderator_set(r, t->pub.user, t->pub.pid);
    return 0;
}

/* A member goes with their bots and is banned by user id; a bot goes
 * alone and is banned by its key. */
static int remove_person(mj_room *r, mj_time now, mj_pid by, mj_room_attendee *t)
{
    if (t->pub.pid == by) return MJ_ROOM_ESELF;
    if (mj_room_is_creator(r, t)) return MJ_ROOM_ECREATOR;
    int64_t user = t->pub.user;
    uint64_t bot = t->pub.bot;
    mj_pid pid = t->pub.pid;
    size_t need = 3 + (bot ? 2 + t->pub.nconns : mj_room_user_out_bound(r, user));
    if (mj_room_reserve(r, need) != 0) return MJ_ENOMEM;
    int added = mj_room_idset_add(&r->removed, user, bot);
    if (added < 0) return added;
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_REMOVED, .pid = pid, .by = by});
    if (bot) {
        mj_room_person_out(r, now, t, true, MJ_GONE_REMOVED);
    } else {
        mj_room_user_out(r, now, user, t, MJ_GONE_REMOVED);
        leave_moderator_set(r, user, pid);
    }
    if (added) mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_BANNED, .user = user, .bot = bot});
    return 0;
}

static int act_on(mj_room *r, mj_time now, mj_pid by, mj_room_attendee *t, mj_room_op op)
{
    switch (op) {
    case MJ_OP_INVITE: return invite(r, now, by, t);
    case MJ_OP_TO_AUDIENCE: return to_audience(r, now, t);
    case MJ_OP_MUTE:
        if (mj_room_is_creator(r, t) && t->pub.pid != by) return MJ_ROOM_ECREATOR;
        return set_muted(r, now, t, true);
    case MJ_OP_MAKE_MOD: return make_moderator(r, now, t);
    case MJ_OP_UNMAKE_MOD: return unmake_moderator(r, now, t);
    case MJ_OP_REMOVE: return remove_person(r, now, by, t);
    default: return MJ_EINVAL;
    }
}

/* ---- moderators on the room ---- */

static int set_hands(mj_room *r, mj_time now, bool on)
{
    if (r->hands_on == on) return 0;
    if (mj_room_reserve(r, 1 + (size_t)r->counts.hands * ONE_CHANGE) != 0) return MJ_ENOMEM;
    r->hands_on = on;
    mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_SETTINGS, .on = on});
    while (r->hand_head) {
        mj_room_attendee *p = r->hand_head;
        mj_person was = p->pub;
        p->pub.hand_at = 0;
        mj_room_commit(r, now, p, &was);
    }
    return 0;
}

static int act_room(mj_room *r, mj_time now, mj_pid by, const mj_room_action *a)
{
    switch (a->op) {
    case MJ_OP_ALLOW: {
        if (a->user <= 0) return MJ_EINVAL;
        int added = mj_room_idset_add(&r->allowed, a->user, 0);
        if (added > 0) mj_room_emit(r, &(mj_room_out){.kind = MJ_ROUT_ALLOWED, .user = a->user});
        return added < 0 ? added : 0;
    }
    case MJ_OP_HANDS: return set_hands(r, now, a->on);
    case MJ_OP_END: return mj_room_finish(r, by, MJ_END_BY_MODERATOR);
    default: return MJ_EINVAL;
    }
}

int mj_room_act(mj_room *r, mj_time now, mj_pid actor, const mj_room_action *a)
{
    if (!a || (unsigned)a->op > MJ_OP_END) return MJ_EINVAL;
    if (r->ended) return MJ_ROOM_EENDED;
    mj_room_attendee *me = actor ? mj_room_find_pid(r, actor) : NULL;
    if (actor && !me) return MJ_ROOM_ENOTIN;
    if (mj_room_reserve(r, ONE_CHANGE) != 0) return MJ_ENOMEM;
    if (a->op <= MJ_OP_STEP_DOWN) {
        /* Self-actions need a person: the operator has no hand or seat. */
        if (!me) return MJ_ROOM_ENOTIN;
        return act_self(r, now, me, a->op);
    }
    if (me && me->pub.role != MJ_ROLE_MODERATOR) return MJ_ROOM_ENOTMOD;
    if (a->op >= MJ_OP_ALLOW) return act_room(r, now, actor, a);
    mj_room_attendee *t = mj_room_find_pid(r, a->target);
    if (!t) return MJ_ROOM_ENOBODY;
    return act_on(r, now, actor, t, a->op);
}
