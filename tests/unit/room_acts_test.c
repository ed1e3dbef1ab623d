/* The room's actions (mj_room_act) by every role, allowed and refused: the
 * state after and the exact notifications. Arrivals, timers, the caps and
 * the sets are in room_test.c. */
#include "room_scene.h"

enum { BL = 9, BL_KEY = 41 }; /* a listener bot of member P */

static mj_room_action hands(bool on)
{
    return (mj_room_action){.op = MJ_OP_HANDS, .on = on};
}

static mj_room_action allow(int64_t user)
{
    return (mj_room_action){.op = MJ_OP_ALLOW, .user = user};
}

/* ---- on oneself ---- */

TEST(hands_queue_oldest_first_with_ties_by_arrival)
{
    mj_room *r = scene();
    join(r, member(U_P), P);
    join(r, member(U_Q), Q);
    outs(r);
    now = T0 + 5;
    CHECK_EQ(act(r, Q, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_STR(outs(r), "person 8");
    now = T0 + 3;
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    now = T0 + 5;
    CHECK_EQ(act(r, P, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_STR(outs(r), "person 4, person 7");
    mj_pid h[4];
    CHECK_EQ(mj_room_hands(r, h, 4), 3);
    CHECK_EQ(h[0], L);
    CHECK_EQ(h[1], P); /* same time as Q, arrived first */
    CHECK_EQ(h[2], Q);
    CHECK_EQ(mj_room_hands(r, h, 1), 3);
    CHECK_EQ(who(r, L)->hand_at, T0 + 3);
    CHECK_EQ(act(r, P, op(MJ_OP_LOWER_HAND, 0)), 0);
    CHECK_STR(outs(r), "person 7");
    CHECK_EQ(mj_room_hands(r, h, 4), 2);
    CHECK_EQ(h[1], Q);
    done(r);
}

TEST(raising_a_raised_hand_or_lowering_none_changes_nothing)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    outs(r);
    NO_OP(r, L, op(MJ_OP_RAISE_HAND, 0));
    NO_OP(r, S, op(MJ_OP_LOWER_HAND, 0));
    NO_OP(r, M, op(MJ_OP_LOWER_HAND, 0));
    NO_OP(r, C, op(MJ_OP_LOWER_HAND, 0));
    NO_OP(r, B, op(MJ_OP_LOWER_HAND, 0));
    done(r);
}

TEST(only_listeners_raise_hands_and_only_while_hands_are_on)
{
    mj_room *r = scene();
    join(r, bot(U_P, BL_KEY, MJ_ROLE_LISTENER), BL);
    outs(r);
    REFUSED(r, B, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_EBOT);
    REFUSED(r, BL, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_EBOT);
    REFUSED(r, S, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_ESTAGE);
    REFUSED(r, M, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_ESTAGE);
    REFUSED(r, C, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_ESTAGE);
    CHECK_EQ(act(r, M, hands(false)), 0);
    outs(r);
    REFUSED(r, L, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_EHANDSOFF);
    done(r);
}

TEST(an_accepted_invitation_seats_a_muted_speaker_and_lowers_the_hand)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, L)), 0);
    CHECK_STR(outs(r), "person 4, invited 4 by 2, person 4");
    CHECK(who(r, L)->invited);
    CHECK_EQ(who(r, L)->invited_by, M);
    CHECK(who(r, L)->hand_at != 0);
    CHECK_EQ(act(r, L, op(MJ_OP_ACCEPT, 0)), 0);
    CHECK_STR(outs(r), "person 4");
    const mj_person *p = who(r, L);
    CHECK_EQ(p->role, MJ_ROLE_SPEAKER);
    CHECK(p->muted && !p->invited && !p->hand_at && !mj_person_may_send(p));
    mj_room_counts c;
    mj_room_counts_get(r, &c);
    CHECK_EQ(c.speakers, 3);
    CHECK_EQ(c.listeners, 0);
    CHECK_EQ(c.hands, 0);
    done(r);
}

TEST(answering_without_an_invitation_is_refused)
{
    mj_room *r = scene();
    REFUSED(r, L, op(MJ_OP_ACCEPT, 0), MJ_ROOM_ENOINVITE);
    REFUSED(r, L, op(MJ_OP_DECLINE, 0), MJ_ROOM_ENOINVITE);
    REFUSED(r, S, op(MJ_OP_ACCEPT, 0), MJ_ROOM_ENOINVITE);
    REFUSED(r, B, op(MJ_OP_DECLINE, 0), MJ_ROOM_ENOINVITE);
    REFUSED(r, C, op(MJ_OP_ACCEPT, 0), MJ_ROOM_ENOINVITE);
    REFUSED(r, M, op(MJ_OP_DECLINE, 0), MJ_ROOM_ENOINVITE);
    done(r);
}

TEST(declining_clears_the_invitation_and_the_hand)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, L)), 0);
    outs(r);
    CHECK_EQ(act(r, L, op(MJ_OP_DECLINE, 0)), 0);
    CHECK_STR(outs(r), "person 4");
    const mj_person *p = who(r, L);
    CHECK(p->role == MJ_ROLE_LISTENER && !p->invited && !p->invited_by && !p->hand_at);
    REFUSED(r, L, op(MJ_OP_ACCEPT, 0), MJ_ROOM_ENOINVITE);
    done(r);
}

TEST(accepting_once_the_stage_filled_up_clears_only_the_invitation)
{
    mj_room *r = scene_stage(5);
    join(r, member(U_P), P);
    join(r, member(U_Q), Q);
    CHECK_EQ(act(r, P, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, P)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, Q)), 0);
    CHECK_EQ(act(r, Q, op(MJ_OP_ACCEPT, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, P, op(MJ_OP_ACCEPT, 0)), MJ_ROOM_EFULL);
    CHECK_STR(outs(r), "person 7");
    const mj_person *p = who(r, P);
    CHECK(p->role == MJ_ROLE_LISTENER && !p->invited && p->hand_at);
    REFUSED(r, P, op(MJ_OP_ACCEPT, 0), MJ_ROOM_ENOINVITE);
    done(r);
}

TEST(muting_oneself_flips_sending)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_STR(outs(r), "person 3, send 3 on");
    CHECK(mj_person_may_send(who(r, S)));
    NO_OP(r, S, op(MJ_OP_UNMUTE_SELF, 0));
    CHECK_EQ(act(r, S, op(MJ_OP_MUTE_SELF, 0)), 0);
    CHECK_STR(outs(r), "person 3, send 3 off");
    NO_OP(r, S, op(MJ_OP_MUTE_SELF, 0));
    CHECK_EQ(act(r, C, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_EQ(act(r, B, op(MJ_OP_MUTE_SELF, 0)), 0);
    CHECK_STR(outs(r), "person 1, send 1 on, person 2, send 2 on, person 5, send 5 off");
    done(r);
}

TEST(listeners_cannot_mute_unmute_or_step_down)
{
    mj_room *r = scene();
    REFUSED(r, L, op(MJ_OP_MUTE_SELF, 0), MJ_ROOM_ENOTSTAGE);
    REFUSED(r, L, op(MJ_OP_UNMUTE_SELF, 0), MJ_ROOM_ENOTSTAGE);
    REFUSED(r, L, op(MJ_OP_STEP_DOWN, 0), MJ_ROOM_ENOTSTAGE);
    done(r);
}

TEST(speakers_and_bots_step_down_to_the_audience)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, S, op(MJ_OP_STEP_DOWN, 0)), 0);
    CHECK_EQ(act(r, B, op(MJ_OP_STEP_DOWN, 0)), 0);
    CHECK_STR(outs(r), "person 3, send 3 off, person 5, send 5 off");
    CHECK_EQ(who(r, S)->role, MJ_ROLE_LISTENER);
    CHECK(!who(r, S)->muted);
    CHECK_EQ(who(r, B)->role, MJ_ROLE_LISTENER);
    done(r);
}

TEST(a_moderator_who_steps_down_leaves_the_moderator_set)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, M, op(MJ_OP_STEP_DOWN, 0)), 0);
    CHECK_STR(outs(r), "person 2, moderator u2 off");
    CHECK_EQ(who(r, M)->role, MJ_ROLE_LISTENER);
    CHECK(!mj_room_is_moderator_id(r, U_M));
    int64_t ids[4];
    CHECK_EQ(mj_room_moderator_ids(r, ids, 4), 1);
    CHECK_EQ(ids[0], U_C);
    CHECK_EQ(act(r, M, op(MJ_OP_LEAVE, 0)), 0);
    outs(r);
    join(r, member(U_M), 12);
    CHECK_EQ(who(r, 12)->role, MJ_ROLE_LISTENER);
    done(r);
}

TEST(nobody_else_acts_on_the_creator)
{
    mj_room *r = scene();
    REFUSED(r, C, op(MJ_OP_STEP_DOWN, 0), MJ_ROOM_ECREATOR);
    mj_pid actors[] = {M, 0};
    for (int i = 0; i < 2; i++) {
        REFUSED(r, actors[i], op(MJ_OP_TO_AUDIENCE, C), MJ_ROOM_ECREATOR);
        REFUSED(r, actors[i], op(MJ_OP_MUTE, C), MJ_ROOM_ECREATOR);
        REFUSED(r, actors[i], op(MJ_OP_UNMAKE_MOD, C), MJ_ROOM_ECREATOR);
        REFUSED(r, actors[i], op(MJ_OP_REMOVE, C), MJ_ROOM_ECREATOR);
        REFUSED(r, actors[i], op(MJ_OP_INVITE, C), MJ_ROOM_ESTAGE);
        NO_OP(r, actors[i], op(MJ_OP_MAKE_MOD, C));
    }
    /* The creator is always a moderator, even by their own hand. */
    REFUSED(r, C, op(MJ_OP_TO_AUDIENCE, C), MJ_ROOM_ECREATOR);
    REFUSED(r, C, op(MJ_OP_UNMAKE_MOD, C), MJ_ROOM_ECREATOR);
    REFUSED(r, C, op(MJ_OP_REMOVE, C), MJ_ROOM_ESELF);
    CHECK_EQ(act(r, C, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_EQ(act(r, C, op(MJ_OP_MUTE, C)), 0);
    CHECK_STR(outs(r), "person 1, send 1 on, person 1, send 1 off");
    done(r);
}

TEST(leaving_ends_every_connection_of_the_person)
{
    mj_room *r = scene();
    mj_room_who w = bot(U_L, BOT_B, MJ_ROLE_SPEAKER);
    mj_pid pid = 0;
    CHECK_EQ(mj_room_connect(r, now, &w, 52, false, 77, &pid), 0);
    CHECK_EQ(pid, B);
    CHECK_STR(outs(r), "");
    CHECK_EQ(act(r, B, op(MJ_OP_LEAVE, 0)), 0);
    CHECK_STR(outs(r), "send 5 off, drop 5 c51, drop 5 c52, gone 5 left");
    CHECK(!who(r, B));
    CHECK(!mj_room_conn_person(r, 51) && !mj_room_conn_person(r, 52));
    CHECK(!mj_room_find(r, U_L, BOT_B));
    CHECK_EQ(act(r, C, op(MJ_OP_LEAVE, 0)), 0);
    CHECK_STR(outs(r), "drop 1 c11, gone 1 left");
    done(r);
}

TEST(the_operator_has_no_self_actions)
{
    mj_room *r = scene();
    for (int o = MJ_OP_LEAVE; o <= MJ_OP_STEP_DOWN; o++)
        REFUSED(r, 0, op((mj_room_op)o, 0), MJ_ROOM_ENOTIN);
    done(r);
}

TEST(someone_not_in_the_room_can_do_nothing)
{
    mj_room *r = scene();
    for (int o = MJ_OP_LEAVE; o <= MJ_OP_END; o++) {
        mj_room_action a = {.op = (mj_room_op)o, .target = L, .user = 50, .on = false};
        REFUSED(r, OUT, a, MJ_ROOM_ENOTIN);
    }
    done(r);
}

TEST(only_moderators_moderate)
{
    mj_room *r = scene();
    join(r, (mj_room_who){.user = U_U, .unlisted = true}, U);
    join(r, bot(U_P, BL_KEY, MJ_ROLE_LISTENER), BL);
    outs(r);
    mj_pid actors[] = {L, S, B, U, BL};
    for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++) {
        for (int o = MJ_OP_INVITE; o <= MJ_OP_END; o++) {
            mj_room_action a = {.op = (mj_room_op)o, .target = L, .user = 50, .on = false};
            REFUSED(r, actors[i], a, MJ_ROOM_ENOTMOD);
            a.target = OUT; /* whether someone is here is not theirs to learn */
            REFUSED(r, actors[i], a, MJ_ROOM_ENOTMOD);
        }
    }
    done(r);
}

TEST(a_missing_target_is_nobody)
{
    mj_room *r = scene();
    for (int o = MJ_OP_INVITE; o <= MJ_OP_REMOVE; o++) {
        REFUSED(r, M, op((mj_room_op)o, OUT), MJ_ROOM_ENOBODY);
        REFUSED(r, M, op((mj_room_op)o, 0), MJ_ROOM_ENOBODY);
        REFUSED(r, 0, op((mj_room_op)o, OUT), MJ_ROOM_ENOBODY);
    }
    done(r);
}

TEST(unknown_ops_are_invalid)
{
    mj_room *r = scene();
    REFUSED(r, M, op((mj_room_op)77, L), MJ_EINVAL);
    REFUSED(r, OUT, op((mj_room_op)-1, L), MJ_EINVAL);
    CHECK_EQ(mj_room_act(r, now, M, NULL), MJ_EINVAL);
    done(r);
}

/* ---- moderators on a person ---- */

TEST(inviting_a_listener_tells_them_who_invited)
{
    mj_room *r = scene();
    join(r, member(U_P), P);
    outs(r);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, L)), 0);
    CHECK_STR(outs(r), "invited 4 by 2, person 4");
    NO_OP(r, C, op(MJ_OP_INVITE, L));
    CHECK_EQ(who(r, L)->invited_by, M);
    CHECK_EQ(act(r, 0, op(MJ_OP_INVITE, P)), 0);
    CHECK_STR(outs(r), "invited 7 by 0, person 7");
    CHECK_EQ(who(r, L)->role, MJ_ROLE_LISTENER);
    done(r);
}

TEST(inviting_a_bot_seats_it_unmuted_at_once)
{
    mj_room *r = scene();
    join(r, bot(U_P, BL_KEY, MJ_ROLE_LISTENER), BL);
    CHECK_STR(outs(r), "person 9");
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, BL)), 0);
    CHECK_STR(outs(r), "person 9, send 9 on");
    const mj_person *p = who(r, BL);
    CHECK(p->role == MJ_ROLE_SPEAKER && !p->muted && !p->invited);
    done(r);
}

TEST(invitations_are_refused_on_stage_and_when_the_stage_is_full)
{
    mj_room *r = scene_stage(4);
    REFUSED(r, M, op(MJ_OP_INVITE, S), MJ_ROOM_ESTAGE);
    REFUSED(r, M, op(MJ_OP_INVITE, M), MJ_ROOM_ESTAGE);
    REFUSED(r, M, op(MJ_OP_INVITE, B), MJ_ROOM_ESTAGE);
    REFUSED(r, M, op(MJ_OP_INVITE, L), MJ_ROOM_EFULL);
    REFUSED(r, 0, op(MJ_OP_INVITE, L), MJ_ROOM_EFULL);
    done(r);
}

TEST(moving_to_the_audience_takes_moderators_out_of_the_set)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, M, op(MJ_OP_TO_AUDIENCE, S)), 0);
    CHECK_STR(outs(r), "person 3, send 3 off");
    CHECK_EQ(act(r, M, op(MJ_OP_TO_AUDIENCE, B)), 0);
    CHECK_STR(outs(r), "person 5, send 5 off");
    CHECK_EQ(act(r, C, op(MJ_OP_TO_AUDIENCE, M)), 0);
    CHECK_STR(outs(r), "person 2, moderator u2 off");
    CHECK_EQ(who(r, M)->role, MJ_ROLE_LISTENER);
    CHECK(!mj_room_is_moderator_id(r, U_M));
    REFUSED(r, C, op(MJ_OP_TO_AUDIENCE, L), MJ_ROOM_ENOTSTAGE);
    done(r);
}

TEST(a_muted_person_unmutes_only_themself)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, M, op(MJ_OP_MUTE, S)), 0);
    CHECK_STR(outs(r), "person 3, send 3 off");
    CHECK(who(r, S)->muted);
    NO_OP(r, M, op(MJ_OP_MUTE, S));
    CHECK_EQ(act(r, M, op(MJ_OP_MUTE, B)), 0);
    CHECK_STR(outs(r), "person 5, send 5 off");
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_STR(outs(r), "person 3, send 3 on");
    REFUSED(r, M, op(MJ_OP_MUTE, L), MJ_ROOM_ENOTSTAGE);
    done(r);
}

TEST(making_a_speaker_moderator_adds_them_to_the_set)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, C, op(MJ_OP_MAKE_MOD, S)), 0);
    CHECK_STR(outs(r), "person 3, moderator u3 on");
    CHECK_EQ(who(r, S)->role, MJ_ROLE_MODERATOR);
    CHECK(who(r, S)->muted);
    CHECK(mj_room_is_moderator_id(r, U_S));
    int64_t ids[4];
    CHECK_EQ(mj_room_moderator_ids(r, ids, 4), 3);
    CHECK(ids[0] == U_C && ids[1] == U_M && ids[2] == U_S);
    NO_OP(r, C, op(MJ_OP_MAKE_MOD, M));
    CHECK_EQ(act(r, S, op(MJ_OP_LEAVE, 0)), 0);
    outs(r);
    join(r, member(U_S), 13);
    CHECK_EQ(who(r, 13)->role, MJ_ROLE_MODERATOR);
    done(r);
}

TEST(listeners_and_bots_cannot_be_made_moderators)
{
    mj_room *r = scene();
    join(r, bot(U_P, BL_KEY, MJ_ROLE_LISTENER), BL);
    outs(r);
    REFUSED(r, M, op(MJ_OP_MAKE_MOD, L), MJ_ROOM_ENOTSTAGE);
    REFUSED(r, M, op(MJ_OP_MAKE_MOD, B), MJ_ROOM_EBOT);
    REFUSED(r, M, op(MJ_OP_MAKE_MOD, BL), MJ_ROOM_EBOT);
    done(r);
}

TEST(an_unmade_moderator_stays_on_stage_as_a_speaker)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, C, op(MJ_OP_UNMAKE_MOD, M)), 0);
    CHECK_STR(outs(r), "person 2, moderator u2 off");
    CHECK_EQ(who(r, M)->role, MJ_ROLE_SPEAKER);
    CHECK(who(r, M)->muted);
    CHECK_EQ(act(r, C, op(MJ_OP_MAKE_MOD, S)), 0);
    outs(r);
    CHECK_EQ(act(r, S, op(MJ_OP_UNMAKE_MOD, S)), 0);
    CHECK_STR(outs(r), "person 3, moderator u3 off");
    NO_OP(r, C, op(MJ_OP_UNMAKE_MOD, S));
    NO_OP(r, C, op(MJ_OP_UNMAKE_MOD, B));
    REFUSED(r, C, op(MJ_OP_UNMAKE_MOD, L), MJ_ROOM_ENOTSTAGE);
    done(r);
}

TEST(removing_a_member_takes_their_bots_and_bans_them)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, M, op(MJ_OP_REMOVE, L)), 0);
    CHECK_STR(outs(r), "removed 4 by 2, drop 4 c41, gone 4 removed, "
                       "send 5 off, drop 5 c51, gone 5 removed, banned u4");
    CHECK(!who(r, L) && !who(r, B));
    mj_room_who w = member(U_L);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_EREMOVED);
    w = bot(U_L, 77, MJ_ROLE_SPEAKER);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_EREMOVED);
    /* Every bot goes, however many. */
    join(r, member(U_P), P);
    join(r, bot(U_P, BL_KEY, MJ_ROLE_LISTENER), BL);
    join(r, bot(U_P, 42, MJ_ROLE_LISTENER), 10);
    outs(r);
    CHECK_EQ(act(r, 0, op(MJ_OP_REMOVE, P)), 0);
    const char *got = outs(r);
    CHECK(starts_with(got, "removed 7 by 0, drop 7 c71, gone 7 removed, "));
    CHECK(strstr(got, "drop 9 c91, gone 9 removed"));
    CHECK(strstr(got, "drop 10 c101, gone 10 removed"));
    CHECK(strstr(got, ", banned u7") && !strstr(got, "banned bot"));
    done(r);
}

TEST(removing_a_bot_bans_only_its_key)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, M, op(MJ_OP_REMOVE, B)), 0);
    CHECK_STR(outs(r), "removed 5 by 2, send 5 off, drop 5 c51, gone 5 removed, "
                       "banned bot 40 of u4");
    CHECK(who(r, L) && !who(r, B));
    mj_room_who w = bot(U_L, BOT_B, MJ_ROLE_SPEAKER);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_EREMOVED);
    w.bot = 77;
    CHECK_EQ(mj_room_may_enter(r, &w), 0);
    w = member(U_L);
    CHECK_EQ(mj_room_may_enter(r, &w), 0);
    done(r);
}

TEST(removing_the_operators_bot_never_bans_user_zero)
{
    mj_room *r = scene();
    join(r, bot(0, 500, MJ_ROLE_SPEAKER), 10);
    CHECK_STR(outs(r), "person 10, send 10 on");
    CHECK_EQ(act(r, M, op(MJ_OP_REMOVE, 10)), 0);
    CHECK_STR(outs(r), "removed 10 by 2, send 10 off, drop 10 c101, gone 10 removed, "
                       "banned bot 500 of u0");
    mj_room_who w = bot(0, 501, MJ_ROLE_SPEAKER);
    CHECK_EQ(mj_room_may_enter(r, &w), 0);
    done(r);
}

TEST(nobody_removes_themself_and_a_removed_moderator_leaves_the_set)
{
    mj_room *r = scene();
    REFUSED(r, M, op(MJ_OP_REMOVE, M), MJ_ROOM_ESELF);
    CHECK_EQ(act(r, C, op(MJ_OP_REMOVE, M)), 0);
    CHECK_STR(outs(r), "removed 2 by 1, drop 2 c21, gone 2 removed, moderator u2 off, banned u2");
    CHECK(!mj_room_is_moderator_id(r, U_M));
    done(r);
}

TEST(the_operator_may_do_what_moderators_do)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, 0, op(MJ_OP_INVITE, L)), 0);
    CHECK_EQ(act(r, L, op(MJ_OP_ACCEPT, 0)), 0);
    CHECK_EQ(act(r, L, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    CHECK_EQ(act(r, 0, op(MJ_OP_MUTE, L)), 0);
    CHECK_STR(outs(r), "invited 4 by 0, person 4, person 4, person 4, send 4 on, person 4, "
                       "send 4 off");
    CHECK_EQ(act(r, 0, op(MJ_OP_MAKE_MOD, S)), 0);
    CHECK_EQ(act(r, 0, op(MJ_OP_UNMAKE_MOD, S)), 0);
    CHECK_EQ(act(r, 0, op(MJ_OP_TO_AUDIENCE, M)), 0);
    CHECK_STR(outs(r), "person 3, moderator u3 on, person 3, moderator u3 off, "
                       "person 2, moderator u2 off");
    CHECK_EQ(act(r, 0, op(MJ_OP_REMOVE, S)), 0);
    CHECK_STR(outs(r), "removed 3 by 0, drop 3 c31, gone 3 removed, banned u3");
    CHECK_EQ(act(r, 0, allow(50)), 0);
    CHECK_EQ(act(r, 0, hands(false)), 0);
    CHECK_STR(outs(r), "allowed u50, hands off");
    CHECK_EQ(act(r, 0, op(MJ_OP_END, 0)), 0);
    CHECK(mj_room_ended(r));
    CHECK(starts_with(outs(r), "ended by 0 moderator, "));
    done(r);
}

/* ---- moderators on the room ---- */

TEST(allowing_names_a_member_once_in_any_kind_of_room)
{
    for (int k = MJ_ROOM_OPEN; k <= MJ_ROOM_CLOSED; k++) {
        mj_room *r = room_with(&(mj_room_config){.kind = (mj_room_kind)k, .creator = U_C});
        join(r, member(U_C), C);
        outs(r);
        mj_room_who w = member(50), wb = bot(50, 500, MJ_ROLE_LISTENER);
        CHECK_EQ(mj_room_may_enter(r, &w), k == MJ_ROOM_CLOSED ? MJ_ROOM_ENOTNAMED : 0);
        CHECK_EQ(mj_room_may_enter(r, &wb), k == MJ_ROOM_CLOSED ? MJ_ROOM_ENOTNAMED : 0);
        CHECK_EQ(act(r, C, allow(50)), 0);
        CHECK_STR(outs(r), "allowed u50");
        CHECK_EQ(mj_room_may_enter(r, &w), 0);
        CHECK_EQ(mj_room_may_enter(r, &wb), 0);
        NO_OP(r, C, allow(50));
        REFUSED(r, C, allow(0), MJ_EINVAL);
        REFUSED(r, C, allow(-3), MJ_EINVAL);
        done(r);
    }
}

TEST(turning_hands_off_lowers_every_hand)
{
    mj_room *r = scene();
    join(r, member(U_P), P);
    now = T0 + 2;
    CHECK_EQ(act(r, P, op(MJ_OP_RAISE_HAND, 0)), 0);
    now = T0 + 3;
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, M, hands(false)), 0);
    CHECK_STR(outs(r), "hands off, person 7, person 4");
    CHECK(!mj_room_hands_on(r));
    CHECK(!who(r, L)->hand_at && !who(r, P)->hand_at);
    NO_OP(r, M, hands(false));
    REFUSED(r, L, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_EHANDSOFF);
    CHECK_EQ(act(r, C, hands(true)), 0);
    CHECK_STR(outs(r), "hands on");
    CHECK_EQ(act(r, L, op(MJ_OP_RAISE_HAND, 0)), 0);
    CHECK_STR(outs(r), "person 4");
    done(r);
}

TEST(hands_may_start_turned_off)
{
    mj_room *r = room_with(&(mj_room_config){.hands_off = true});
    join(r, member(U_L), L);
    outs(r);
    CHECK(!mj_room_hands_on(r));
    REFUSED(r, L, op(MJ_OP_RAISE_HAND, 0), MJ_ROOM_EHANDSOFF);
    done(r);
}

TEST(ending_drops_everyone_and_refuses_everything_after)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, S, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    outs(r);
    CHECK_EQ(act(r, M, op(MJ_OP_END, 0)), 0);
    mj_room_out o;
    REQUIRE(mj_room_poll(r, &o));
    CHECK_EQ(o.kind, MJ_ROUT_ENDED);
    CHECK_EQ(o.by, M);
    CHECK_EQ(o.reason, MJ_END_BY_MODERATOR);
    int drops = 0, sends = 0;
    bool dropped[8] = {false};
    while (mj_room_poll(r, &o)) {
        CHECK(o.kind == MJ_ROUT_SEND || o.kind == MJ_ROUT_DROP);
        if (o.kind == MJ_ROUT_SEND) {
            sends++;
            CHECK(!o.on && (o.pid == S || o.pid == B));
            CHECK(o.pid < 8 && !dropped[o.pid]); /* before their DROPs */
        } else {
            drops++;
            CHECK_EQ(o.conn, o.pid * 10 + 1);
            if (o.pid < 8) dropped[o.pid] = true;
        }
    }
    CHECK_EQ(sends, 2);
    CHECK_EQ(drops, 5);
    CHECK(mj_room_ended(r));
    CHECK(!who(r, C) && !mj_room_conn_person(r, 11));
    size_t it = 0;
    CHECK(!mj_room_next(r, &it));
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    CHECK_EQ(mj_room_moderator_ids(r, NULL, 0), 2);
    for (int k = MJ_OP_LEAVE; k <= MJ_OP_END; k++)
        REFUSED(r, k <= MJ_OP_STEP_DOWN ? C : 0, op((mj_room_op)k, S), MJ_ROOM_EENDED);
    done(r);
}

int main(void)
{
    static const mj_test_case cases[] = {
        MJ_TEST_LIST(hands_queue_oldest_first_with_ties_by_arrival,
                     raising_a_raised_hand_or_lowering_none_changes_nothing,
                     only_listeners_raise_hands_and_only_while_hands_are_on,
                     an_accepted_invitation_seats_a_muted_speaker_and_lowers_the_hand,
                     answering_without_an_invitation_is_refused,
                     declining_clears_the_invitation_and_the_hand,
                     accepting_once_the_stage_filled_up_clears_only_the_invitation,
                     muting_oneself_flips_sending, listeners_cannot_mute_unmute_or_step_down,
                     speakers_and_bots_step_down_to_the_audience,
                     a_moderator_who_steps_down_leaves_the_moderator_set,
                     nobody_else_acts_on_the_creator, leaving_ends_every_connection_of_the_person,
                     the_operator_has_no_self_actions, someone_not_in_the_room_can_do_nothing,
                     only_moderators_moderate, a_missing_target_is_nobody, unknown_ops_are_invalid),
        MJ_TEST_LIST(
            inviting_a_listener_tells_them_who_invited, inviting_a_bot_seats_it_unmuted_at_once,
            invitations_are_refused_on_stage_and_when_the_stage_is_full,
            moving_to_the_audience_takes_moderators_out_of_the_set,
            a_muted_person_unmutes_only_themself, making_a_speaker_moderator_adds_them_to_the_set,
            listeners_and_bots_cannot_be_made_moderators,
            an_unmade_moderator_stays_on_stage_as_a_speaker,
            removing_a_member_takes_their_bots_and_bans_them, removing_a_bot_bans_only_its_key,
            removing_the_operators_bot_never_bans_user_zero,
            nobody_removes_themself_and_a_removed_moderator_leaves_the_set,
            the_operator_may_do_what_moderators_do,
            allowing_names_a_member_once_in_any_kind_of_room, turning_hands_off_lowers_every_hand,
            hands_may_start_turned_off, ending_drops_everyone_and_refuses_everything_after)};
    return mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
}
