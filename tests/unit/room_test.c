/* The room state machine on simulated time: arrivals and departures,
 * connections, who may enter, the socket grace and the moderator clock,
 * expulsion, the restored sets and the caps. The actions are in
 * room_acts_test.c. */
#include "room_scene.h"

/* Connects a page (it must attach its socket) with connection `conn`. */
static void join_page(mj_room *r, mj_room_who w, mj_pid pid, mj_conn conn)
{
    mj_pid got = 0;
    CHECK_EQ(mj_room_connect(r, now, &w, conn, true, pid, &got), 0);
    CHECK_EQ(got, pid);
}

/* The call is refused with `err` and changes and queues nothing. */
#define CONNECT_REFUSED(r, w, conn, pid, err) connect_refused(r, w, conn, pid, err, __LINE__)
static void connect_refused(mj_room *r, mj_room_who w, mj_conn conn, mj_pid pid, int err, int line)
{
    static char before[SNAP], after[SNAP];
    outs(r);
    snap(r, before, sizeof before);
    mj_pid got = 0;
    int rc = mj_room_connect(r, now, &w, conn, false, pid, &got);
    snap(r, after, sizeof after);
    mj_test_checks++;
    if (rc != err) MJ_TEST_FAIL("line %d: connect: %d, not %d", line, rc, err);
    if (strcmp(before, after) != 0 || *outs(r) || got)
        MJ_TEST_FAIL("line %d: a refused connect changed something", line);
}

TEST(room_kinds_have_names)
{
    mj_room_kind k;
    for (int i = MJ_ROOM_OPEN; i <= MJ_ROOM_CLOSED; i++) {
        CHECK_EQ(mj_room_kind_parse(mj_room_kind_name((mj_room_kind)i), &k), 0);
        CHECK_EQ(k, i);
    }
    CHECK_STR(mj_room_kind_name(MJ_ROOM_SOCIAL), "social");
    CHECK_EQ(mj_room_kind_parse("Open", &k), MJ_EINVAL);
    CHECK_EQ(mj_room_kind_parse("", &k), MJ_EINVAL);
    CHECK_STR(mj_room_kind_name((mj_room_kind)9), "?");
}

TEST(refusals_have_stable_codes_and_statuses)
{
    CHECK_STR(mj_room_err_code(MJ_ROOM_EENDED), "room_ended");
    CHECK_EQ(mj_room_err_status(MJ_ROOM_EENDED), 410);
    CHECK_STR(mj_room_err_code(MJ_ROOM_ENOTMOD), "not_moderator");
    CHECK_EQ(mj_room_err_status(MJ_ROOM_ENOTMOD), 403);
    CHECK_STR(mj_room_err_code(MJ_ROOM_ENOBODY), "no_such_person");
    CHECK_EQ(mj_room_err_status(MJ_ROOM_ENOBODY), 404);
    CHECK_STR(mj_room_err_code(MJ_EINVAL), "bad_request");
    CHECK_EQ(mj_room_err_status(MJ_EINVAL), 400);
    CHECK_STR(mj_room_err_code(MJ_ENOMEM), "internal");
    CHECK_EQ(mj_room_err_status(-12345), 500);
    /* Every refusal has its own code and a 4xx status. */
    for (int a = MJ_ROOM_EBOT; a <= MJ_ROOM_EENDED; a++) {
        CHECK(strcmp(mj_room_err_code(a), "internal") != 0);
        CHECK(mj_room_err_status(a) >= 400 && mj_room_err_status(a) < 500);
        for (int b = a + 1; b <= MJ_ROOM_EENDED; b++)
            CHECK(strcmp(mj_room_err_code(a), mj_room_err_code(b)) != 0);
    }
}

TEST(the_creator_enters_as_a_muted_moderator)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C});
    CHECK_EQ(mj_room_creator(r), U_C);
    CHECK_EQ(mj_room_kind_of(r), MJ_ROOM_OPEN);
    CHECK_EQ(mj_room_max_stage(r), MJ_ROOM_STAGE_DEFAULT);
    CHECK(mj_room_hands_on(r));
    join(r, member(U_C), C);
    mj_room_out o;
    REQUIRE(mj_room_poll(r, &o));
    CHECK(o.kind == MJ_ROUT_PERSON && o.pid == C && o.visible && !o.was_visible);
    CHECK(!mj_room_poll(r, &o));
    const mj_person *p = who(r, C);
    CHECK(p->role == MJ_ROLE_MODERATOR && p->muted && !mj_person_may_send(p));
    CHECK(p->since == T0 && p->nconns == 1 && p->user == U_C && !p->bot);
    CHECK(mj_room_find(r, U_C, 0) == p);
    CHECK(mj_room_conn_person(r, 11) == p);
    done(r);
}

TEST(moderators_enter_even_on_a_full_stage)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C, .max_stage = 1});
    CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
    join(r, member(U_C), C);
    join(r, member(U_M), M);
    join(r, bot(U_L, BOT_B, MJ_ROLE_SPEAKER), B);
    CHECK_STR(outs(r), "person 1, person 2, person 5");
    CHECK_EQ(who(r, M)->role, MJ_ROLE_MODERATOR);
    CHECK_EQ(who(r, B)->role, MJ_ROLE_LISTENER); /* a bot waits its turn */
    mj_room_counts c;
    mj_room_counts_get(r, &c);
    CHECK(c.moderators == 2 && c.speakers == 0 && c.listeners == 1);
    done(r);
}

TEST(a_speaker_bot_enters_unmuted_and_sends)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C});
    join(r, bot(U_L, BOT_B, MJ_ROLE_SPEAKER), B);
    join(r, bot(U_L, 41, MJ_ROLE_LISTENER), 9);
    CHECK_STR(outs(r), "person 5, send 5 on, person 9");
    const mj_person *p = who(r, B);
    CHECK(p->role == MJ_ROLE_SPEAKER && !p->muted && mj_person_may_send(p));
    CHECK(mj_room_find(r, U_L, BOT_B) == p);
    CHECK(!mj_room_find(r, U_L, 0));
    CHECK_EQ(who(r, 9)->role, MJ_ROLE_LISTENER);
    done(r);
}

TEST(unlisted_listeners_are_counted_and_shown_only_on_stage)
{
    mj_room *r = scene();
    join(r, (mj_room_who){.user = U_U, .unlisted = true}, U);
    mj_room_out o;
    REQUIRE(mj_room_poll(r, &o));
    CHECK(o.kind == MJ_ROUT_PERSON && !o.visible && !o.was_visible);
    mj_room_counts c;
    mj_room_counts_get(r, &c);
    CHECK(c.listeners == 2 && c.unlisted == 1);
    CHECK(!mj_person_visible(who(r, U)) && mj_person_visible(who(r, L)));
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, U)), 0);
    CHECK_EQ(act(r, U, op(MJ_OP_ACCEPT, 0)), 0);
    CHECK_STR(outs(r), "invited 6 by 2, person 6, person 6");
    mj_room_counts_get(r, &c);
    CHECK_EQ(c.unlisted, 0);
    CHECK_EQ(act(r, U, op(MJ_OP_STEP_DOWN, 0)), 0);
    REQUIRE(mj_room_poll(r, &o));
    CHECK(o.kind == MJ_ROUT_PERSON && !o.visible && o.was_visible);
    CHECK_EQ(act(r, U, op(MJ_OP_LEAVE, 0)), 0);
    CHECK_EQ(act(r, L, op(MJ_OP_LEAVE, 0)), 0);
    REQUIRE(mj_room_poll(r, &o) && mj_room_poll(r, &o));
    CHECK(o.kind == MJ_ROUT_GONE && o.pid == U && !o.was_visible && o.user == U_U);
    REQUIRE(mj_room_poll(r, &o) && mj_room_poll(r, &o));
    CHECK(o.kind == MJ_ROUT_GONE && o.pid == L && o.was_visible && o.reason == MJ_GONE_LEFT);
    done(r);
}

TEST(a_second_connection_joins_the_same_person)
{
    mj_room *r = scene();
    mj_room_who w = member(U_L);
    mj_pid pid = 0;
    CHECK_EQ(mj_room_connect(r, now, &w, 42, true, 77, &pid), 0);
    CHECK_EQ(pid, L);
    CHECK_STR(outs(r), "");
    CHECK(!who(r, 77));
    CHECK_EQ(who(r, L)->nconns, 2);
    CHECK(mj_room_conn_person(r, 42) == who(r, L));
    size_t it = 0;
    mj_conn a = mj_room_next_conn(r, L, &it), b = mj_room_next_conn(r, L, &it);
    CHECK((a == 41 && b == 42) || (a == 42 && b == 41));
    CHECK_EQ(mj_room_next_conn(r, L, &it), 0);
    it = 0;
    CHECK_EQ(mj_room_next_conn(r, OUT, &it), 0);
    CHECK_EQ(mj_room_disconnect(r, now, 41), 0);
    CHECK_STR(outs(r), "");
    CHECK_EQ(who(r, L)->nconns, 1);
    CHECK_EQ(mj_room_disconnect(r, now, 42), 0);
    CHECK_STR(outs(r), "gone 4 left");
    CHECK(!who(r, L));
    CHECK_EQ(mj_room_disconnect(r, now, 42), MJ_ENOTFOUND);
    size_t n = 0;
    it = 0;
    while (mj_room_next(r, &it))
        n++;
    CHECK_EQ(n, 4);
    done(r);
}

TEST(a_sender_whose_last_connection_ends_stops_sending_first)
{
    mj_room *r = scene();
    CHECK_EQ(mj_room_disconnect(r, now, 51), 0);
    CHECK_STR(outs(r), "send 5 off, gone 5 left");
    done(r);
}

TEST(connect_refuses_bad_arguments_and_ids_in_use)
{
    mj_room *r = scene();
    CONNECT_REFUSED(r, member(U_P), 0, P, MJ_EINVAL);
    CONNECT_REFUSED(r, member(U_P), 71, 0, MJ_EINVAL);
    CONNECT_REFUSED(r, member(0), 71, P, MJ_EINVAL);
    CONNECT_REFUSED(r, member(-2), 71, P, MJ_EINVAL);
    CONNECT_REFUSED(r, bot(U_P, 70, MJ_ROLE_MODERATOR), 71, P, MJ_EINVAL);
    CONNECT_REFUSED(r, member(U_P), 41, P, MJ_EEXIST);
    CONNECT_REFUSED(r, member(U_L), 41, L, MJ_EEXIST);
    CONNECT_REFUSED(r, member(U_P), 71, L, MJ_EEXIST);
    mj_room_who w = member(U_P);
    CHECK_EQ(mj_room_connect(r, now, &w, 71, false, P, NULL), MJ_EINVAL);
    CHECK_EQ(mj_room_connect(r, now, NULL, 71, false, P, &(mj_pid){0}), MJ_EINVAL);
    CHECK_EQ(mj_room_may_enter(r, NULL), MJ_EINVAL);
    done(r);
}

TEST(who_may_enter_follows_the_kind_and_the_removals)
{
    for (int k = MJ_ROOM_OPEN; k <= MJ_ROOM_CLOSED; k++) {
        mj_room *r = room_with(&(mj_room_config){.kind = (mj_room_kind)k, .creator = U_C});
        CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
        CHECK_EQ(mj_room_restore_allowed(r, U_S), 0);
        CHECK_EQ(mj_room_restore_removed(r, U_P, 0), 0);
        CHECK_EQ(mj_room_restore_removed(r, U_S, 33), 0);
        int closed = k == MJ_ROOM_CLOSED ? MJ_ROOM_ENOTNAMED : 0;
        struct {
            mj_room_who w;
            int want;
        } cases[] = {
            {member(U_C), 0},
            {member(U_M), 0},
            {member(U_S), 0},
            {member(U_L), closed},
            {bot(U_C, 10, MJ_ROLE_SPEAKER), 0},
            {bot(U_S, 30, MJ_ROLE_LISTENER), 0},
            {bot(U_L, 40, MJ_ROLE_SPEAKER), closed},
            {bot(0, 500, MJ_ROLE_SPEAKER), 0}, /* the operator's */
            {member(U_P), MJ_ROOM_EREMOVED},
            {bot(U_P, 70, MJ_ROLE_LISTENER), MJ_ROOM_EREMOVED},
            {bot(U_S, 33, MJ_ROLE_LISTENER), MJ_ROOM_EREMOVED},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            CHECK_EQ(mj_room_may_enter(r, &cases[i].w), cases[i].want);
            if (cases[i].want) CONNECT_REFUSED(r, cases[i].w, 900 + i, 900 + i, cases[i].want);
        }
        done(r);
    }
}

TEST(unknown_connections_and_pages_without_sockets)
{
    mj_room *r = scene();
    CHECK_EQ(mj_room_socket(r, now, 999, true), MJ_ENOTFOUND);
    CHECK_EQ(mj_room_disconnect(r, now, 999), MJ_ENOTFOUND);
    CHECK_EQ(mj_room_socket(r, now, 51, true), MJ_EINVAL); /* a bot's session */
    CHECK(!mj_room_conn_person(r, 999));
    CHECK(!who(r, OUT));
    CHECK_STR(outs(r), "");
    done(r);
}

/* ---- the socket grace ---- */

TEST(a_page_must_attach_its_socket_within_the_grace)
{
    mj_room *r = room_with(&(mj_room_config){0});
    join_page(r, member(U_P), P, 71);
    outs(r);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_ROOM_SOCKET_GRACE);
    mj_room_handle_timeout(r, T0 + MJ_ROOM_SOCKET_GRACE - 1);
    CHECK_STR(outs(r), "");
    CHECK(who(r, P));
    mj_room_handle_timeout(r, T0 + MJ_ROOM_SOCKET_GRACE);
    CHECK_STR(outs(r), "drop 7 c71, gone 7 lost");
    CHECK(!who(r, P));
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    done(r);
}

TEST(attaching_cancels_the_grace_and_a_lost_socket_restarts_it)
{
    mj_room *r = room_with(&(mj_room_config){.socket_grace = MJ_SEC(5)});
    join_page(r, member(U_P), P, 71);
    CHECK_EQ(mj_room_socket(r, T0 + 1, 71, true), 0);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    mj_room_handle_timeout(r, T0 + MJ_SEC(100));
    CHECK(who(r, P));
    CHECK_EQ(mj_room_socket(r, T0 + MJ_SEC(100), 71, false), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(105));
    /* A second loss does not push the deadline. */
    CHECK_EQ(mj_room_socket(r, T0 + MJ_SEC(103), 71, false), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(105));
    CHECK_EQ(mj_room_socket(r, T0 + MJ_SEC(104), 71, true), 0);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    CHECK_EQ(act(r, 0, op(MJ_OP_INVITE, P)), 0);
    CHECK_EQ(act(r, P, op(MJ_OP_ACCEPT, 0)), 0);
    CHECK_EQ(act(r, P, op(MJ_OP_UNMUTE_SELF, 0)), 0);
    outs(r);
    CHECK_EQ(mj_room_socket(r, T0 + MJ_SEC(200), 71, false), 0);
    mj_room_handle_timeout(r, T0 + MJ_SEC(205));
    CHECK_STR(outs(r), "send 7 off, drop 7 c71, gone 7 lost");
    done(r);
}

TEST(a_lost_page_of_two_drops_only_that_connection)
{
    mj_room *r = room_with(&(mj_room_config){0});
    join_page(r, member(U_P), P, 71);
    join_page(r, member(U_P), P, 72);
    CHECK_EQ(mj_room_socket(r, now, 71, true), 0);
    outs(r);
    mj_room_handle_timeout(r, T0 + MJ_ROOM_SOCKET_GRACE);
    CHECK_STR(outs(r), "drop 7 c72");
    CHECK_EQ(who(r, P)->nconns, 1);
    CHECK(!mj_room_conn_person(r, 72));
    CHECK_EQ(mj_room_socket(r, now, 72, true), MJ_ENOTFOUND);
    done(r);
}

/* ---- the moderator clock ---- */

TEST(the_moderator_clock_runs_from_creation)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C});
    join(r, member(U_L), L);
    outs(r);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_ROOM_NO_MODERATOR_END);
    mj_room_handle_timeout(r, T0 + MJ_ROOM_NO_MODERATOR_END - 1);
    CHECK(!mj_room_ended(r));
    mj_room_handle_timeout(r, T0 + MJ_ROOM_NO_MODERATOR_END);
    CHECK_STR(outs(r), "ended by 0 no_moderator, drop 4 c41");
    CHECK(mj_room_ended(r) && !who(r, L));
    done(r);
}

TEST(a_present_moderator_stops_the_clock_and_the_last_to_go_restarts_it)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C, .no_moderator_end = MJ_SEC(60)});
    CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
    now = T0 + MJ_SEC(10);
    join(r, member(U_C), C);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    join(r, member(U_M), M);
    now = T0 + MJ_SEC(20);
    CHECK_EQ(act(r, C, op(MJ_OP_LEAVE, 0)), 0);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER); /* M is still here */
    now = T0 + MJ_SEC(30);
    CHECK_EQ(act(r, M, op(MJ_OP_STEP_DOWN, 0)), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(90));
    CHECK_EQ(act(r, 0, op(MJ_OP_INVITE, M)), 0);
    CHECK_EQ(act(r, M, op(MJ_OP_ACCEPT, 0)), 0);
    now = T0 + MJ_SEC(40);
    CHECK_EQ(act(r, 0, op(MJ_OP_MAKE_MOD, M)), 0);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    now = T0 + MJ_SEC(50);
    CHECK_EQ(act(r, 0, op(MJ_OP_UNMAKE_MOD, M)), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(110));
    CHECK_EQ(act(r, 0, op(MJ_OP_MAKE_MOD, M)), 0);
    now = T0 + MJ_SEC(60);
    CHECK_EQ(act(r, 0, op(MJ_OP_TO_AUDIENCE, M)), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(120));
    now = T0 + MJ_SEC(70);
    join(r, member(U_C), 11);
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    now = T0 + MJ_SEC(80);
    CHECK_EQ(mj_room_disconnect(r, now, 111), 0);
    CHECK_EQ(mj_room_next_timeout(r), T0 + MJ_SEC(140));
    outs(r);
    mj_room_handle_timeout(r, T0 + MJ_SEC(139));
    CHECK(!mj_room_ended(r));
    mj_room_handle_timeout(r, T0 + MJ_SEC(200));
    CHECK_STR(outs(r), "ended by 0 no_moderator, drop 2 c21");
    done(r);
}

TEST(an_operators_room_never_ends_by_itself)
{
    mj_room *r = room_with(&(mj_room_config){.kind = MJ_ROOM_CLOSED});
    CHECK_EQ(mj_room_next_timeout(r), MJ_TIME_NEVER);
    mj_room_handle_timeout(r, T0 + MJ_SEC(100000));
    CHECK(!mj_room_ended(r));
    CHECK_EQ(mj_room_moderator_ids(r, NULL, 0), 0);
    CHECK(!mj_room_is_moderator_id(r, 0));
    mj_room_who w = member(U_L);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_ENOTNAMED);
    CHECK_STR(outs(r), "");
    done(r);
}

/* ---- expulsion ---- */

TEST(expelling_takes_a_member_and_their_bots_out_without_a_ban)
{
    mj_room *r = scene();
    CHECK_EQ(mj_room_expel(r, now, U_L), 2);
    CHECK_STR(outs(r), "drop 4 c41, gone 4 expelled, send 5 off, drop 5 c51, gone 5 expelled");
    CHECK(!who(r, L) && !who(r, B));
    mj_room_who w = member(U_L);
    CHECK_EQ(mj_room_may_enter(r, &w), 0);
    CHECK_EQ(mj_room_expel(r, now, U_L), 0);
    CHECK_EQ(mj_room_expel(r, now, 0), 0);
    CHECK_EQ(mj_room_expel(r, now, 12345), 0);
    CHECK_STR(outs(r), "");
    /* An expelled moderator is still one when they come back. */
    CHECK_EQ(mj_room_expel(r, now, U_M), 1);
    CHECK_STR(outs(r), "drop 2 c21, gone 2 expelled");
    CHECK(mj_room_is_moderator_id(r, U_M));
    done(r);
}

/* ---- the sets and the caps ---- */

TEST(restoring_fills_the_sets_at_load_only)
{
    mj_room *r = room_with(&(mj_room_config){.kind = MJ_ROOM_CLOSED, .creator = U_C});
    CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
    CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
    CHECK_EQ(mj_room_restore_moderator(r, U_C), 0);
    CHECK_EQ(mj_room_restore_moderator(r, 0), MJ_EINVAL);
    CHECK_EQ(mj_room_restore_allowed(r, U_S), 0);
    CHECK_EQ(mj_room_restore_allowed(r, -1), MJ_EINVAL);
    CHECK_EQ(mj_room_restore_removed(r, U_P, 0), 0);
    CHECK_EQ(mj_room_restore_removed(r, 0, 500), 0);
    CHECK_EQ(mj_room_restore_removed(r, 0, 0), MJ_EINVAL);
    int64_t ids[4];
    CHECK_EQ(mj_room_moderator_ids(r, ids, 4), 2);
    CHECK(ids[0] == U_C && ids[1] == U_M);
    CHECK(mj_room_is_moderator_id(r, U_C) && mj_room_is_moderator_id(r, U_M));
    CHECK(!mj_room_is_moderator_id(r, U_S));
    mj_room_who w = bot(0, 500, MJ_ROLE_SPEAKER);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_EREMOVED);
    CHECK_STR(outs(r), "");
    join(r, member(U_S), S);
    CHECK_EQ(mj_room_restore_moderator(r, 50), MJ_ESTATE);
    CHECK_EQ(mj_room_restore_allowed(r, 50), MJ_ESTATE);
    CHECK_EQ(mj_room_restore_removed(r, 50, 0), MJ_ESTATE);
    CHECK_EQ(act(r, 0, op(MJ_OP_END, 0)), 0);
    CHECK_EQ(mj_room_restore_moderator(r, 50), MJ_ROOM_EENDED);
    CHECK_EQ(mj_room_moderator_ids(r, ids, 4), 2);
    done(r);
}

TEST(each_set_holds_at_most_list_max)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C});
    for (int64_t u = 1000; u < 1000 + MJ_ROOM_LIST_MAX; u++) {
        REQUIRE(mj_room_restore_moderator(r, u) == 0);
        REQUIRE(mj_room_restore_allowed(r, u) == 0);
        REQUIRE(mj_room_restore_removed(r, u, 0) == 0);
    }
    CHECK_EQ(mj_room_restore_moderator(r, 50), MJ_ELIMIT);
    CHECK_EQ(mj_room_restore_allowed(r, 50), MJ_ELIMIT);
    CHECK_EQ(mj_room_restore_removed(r, 0, 50), MJ_ELIMIT);
    CHECK_EQ(mj_room_restore_moderator(r, 1000), 0); /* already there */
    CHECK_EQ(mj_room_moderator_ids(r, NULL, 0), MJ_ROOM_LIST_MAX + 1);
    join(r, member(U_C), C);
    join(r, member(U_S), S);
    join(r, member(U_L), L);
    CHECK_EQ(act(r, C, op(MJ_OP_INVITE, S)), 0);
    CHECK_EQ(act(r, S, op(MJ_OP_ACCEPT, 0)), 0);
    outs(r);
    REFUSED(r, C, op(MJ_OP_MAKE_MOD, S), MJ_ELIMIT);
    REFUSED(r, C, ((mj_room_action){.op = MJ_OP_ALLOW, .user = 50}), MJ_ELIMIT);
    REFUSED(r, C, op(MJ_OP_REMOVE, L), MJ_ELIMIT);
    done(r);
}

TEST(a_person_has_at_most_conns_max_connections)
{
    mj_room *r = scene();
    for (mj_conn c = 401; c < 400 + MJ_ROOM_CONNS_MAX; c++)
        join_page(r, member(U_L), L, c);
    CHECK_EQ(who(r, L)->nconns, MJ_ROOM_CONNS_MAX);
    CONNECT_REFUSED(r, member(U_L), 500, L, MJ_ELIMIT);
    CHECK_EQ(mj_room_disconnect(r, now, 401), 0);
    join_page(r, member(U_L), L, 500);
    done(r);
}

TEST(a_shared_bot_token_has_as_many_connections_as_clients)
{
    mj_room *r = room_with(&(mj_room_config){0});
    mj_room_who w = {.user = 0, .bot = 77, .seat = MJ_ROLE_LISTENER};
    mj_pid first = 0;
    for (mj_conn c = 1; c <= 2000; c++) {
        mj_pid got;
        REQUIRE(mj_room_connect(r, now, &w, c, false, 900, &got) == 0);
        if (c == 1) first = got;
        CHECK(got == first);
    }
    const mj_person *p = mj_room_find(r, 0, 77);
    REQUIRE(p);
    CHECK_EQ(p->nconns, 2000);
    mj_room_counts n;
    mj_room_counts_get(r, &n);
    CHECK_EQ(n.listeners, 1);
    mj_room_free(r);
}

TEST(the_room_holds_at_most_people_max_and_its_end_drops_them_all)
{
    mj_room *r = room_with(&(mj_room_config){0});
    for (mj_pid p = 1; p <= MJ_ROOM_PEOPLE_MAX; p++) {
        mj_room_who w = member((int64_t)p);
        mj_pid got;
        REQUIRE(mj_room_connect(r, now, &w, p, false, p, &got) == 0);
    }
    mj_room_counts c;
    mj_room_counts_get(r, &c);
    CHECK_EQ(c.listeners, MJ_ROOM_PEOPLE_MAX);
    outs(r);
    CONNECT_REFUSED(r, member(MJ_ROOM_PEOPLE_MAX + 1), MJ_ROOM_PEOPLE_MAX + 1,
                    MJ_ROOM_PEOPLE_MAX + 1, MJ_ELIMIT);
    join_page(r, member(7), 7, MJ_ROOM_PEOPLE_MAX + 2); /* a second tab still comes */
    CHECK_EQ(act(r, 0, op(MJ_OP_END, 0)), 0);
    size_t drops = 0, others = 0;
    mj_room_out o;
    while (mj_room_poll(r, &o)) {
        if (o.kind == MJ_ROUT_DROP)
            drops++;
        else
            others++;
    }
    CHECK_EQ(drops, MJ_ROOM_PEOPLE_MAX + 1);
    CHECK_EQ(others, 1);
    done(r);
}

TEST(nothing_goes_after_the_end)
{
    mj_room *r = scene();
    CHECK_EQ(act(r, C, op(MJ_OP_END, 0)), 0);
    outs(r);
    mj_room_who w = member(U_P);
    CHECK_EQ(mj_room_may_enter(r, &w), MJ_ROOM_EENDED);
    CONNECT_REFUSED(r, member(U_P), 71, P, MJ_ROOM_EENDED);
    CHECK_EQ(mj_room_socket(r, now, 11, true), MJ_ROOM_EENDED);
    CHECK_EQ(mj_room_disconnect(r, now, 11), MJ_ROOM_EENDED);
    CHECK_EQ(mj_room_expel(r, now, U_L), 0);
    CHECK_EQ(mj_room_restore_allowed(r, 50), MJ_ROOM_EENDED);
    mj_room_handle_timeout(r, T0 + MJ_SEC(100000));
    CHECK_STR(outs(r), "");
    mj_room_counts c;
    mj_room_counts_get(r, &c);
    CHECK(!c.moderators && !c.speakers && !c.listeners && !c.hands);
    done(r);
}

TEST(a_room_refuses_a_bad_configuration)
{
    mj_room *r = NULL;
    CHECK_EQ(mj_room_new(&(mj_room_config){.creator = -1}, T0, &r), MJ_EINVAL);
    CHECK_EQ(mj_room_new(&(mj_room_config){.kind = (mj_room_kind)7}, T0, &r), MJ_EINVAL);
    CHECK_EQ(mj_room_new(NULL, T0, &r), MJ_EINVAL);
    CHECK(!r);
    mj_room_free(NULL);
}

int main(void)
{
    static const mj_test_case cases[] = {MJ_TEST_LIST(
        room_kinds_have_names, refusals_have_stable_codes_and_statuses,
        the_creator_enters_as_a_muted_moderator, moderators_enter_even_on_a_full_stage,
        a_speaker_bot_enters_unmuted_and_sends,
        unlisted_listeners_are_counted_and_shown_only_on_stage,
        a_second_connection_joins_the_same_person,
        a_sender_whose_last_connection_ends_stops_sending_first,
        connect_refuses_bad_arguments_and_ids_in_use,
        who_may_enter_follows_the_kind_and_the_removals,
        unknown_connections_and_pages_without_sockets,
        a_page_must_attach_its_socket_within_the_grace,
        attaching_cancels_the_grace_and_a_lost_socket_restarts_it,
        a_lost_page_of_two_drops_only_that_connection, the_moderator_clock_runs_from_creation,
        a_present_moderator_stops_the_clock_and_the_last_to_go_restarts_it,
        an_operators_room_never_ends_by_itself,
        expelling_takes_a_member_and_their_bots_out_without_a_ban,
        restoring_fills_the_sets_at_load_only, each_set_holds_at_most_list_max,
        a_person_has_at_most_conns_max_connections,
        a_shared_bot_token_has_as_many_connections_as_clients,
        the_room_holds_at_most_people_max_and_its_end_drops_them_all, nothing_goes_after_the_end,
        a_room_refuses_a_bad_configuration)};
    return mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
}
