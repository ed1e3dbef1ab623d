/* Helpers for the room tests (room_test.c, room_acts_test.c): the
 * notification queue as text, the whole state as text to show that a
 * refusal changed nothing, and a scene to start from.
 *
 * The scene: a hosted room whose creator (C), a
 * restored moderator (M), a speaker (S), a listener (L) and L's speaker
 * bot (B) are in; actor 0 is the operator and OUT is nobody here. */
#ifndef MJ_TEST_ROOM_SCENE_H
#define MJ_TEST_ROOM_SCENE_H

#include "test.h"

#include "room/room.h"

#include <stdarg.h>

#define T0 MJ_SEC(1000)

enum { C = 1, M = 2, S = 3, L = 4, B = 5, U = 6, P = 7, Q = 8, OUT = 99 };
enum { U_C = 1, U_M = 2, U_S = 3, U_L = 4, U_U = 6, U_P = 7, U_Q = 8 };
#define BOT_B 40

static mj_time now = T0;

static inline mj_room_who member(int64_t user)
{
    return (mj_room_who){.user = user};
}

static inline mj_room_who bot(int64_t user, uint64_t key, mj_role seat)
{
    return (mj_room_who){.user = user, .bot = key, .seat = seat};
}

static inline mj_room_action op(mj_room_op o, mj_pid target)
{
    return (mj_room_action){.op = o, .target = target};
}

/* Connects `w` with connection pid*10+1 (not a page). */
static inline void join(mj_room *r, mj_room_who w, mj_pid pid)
{
    mj_pid got = 0;
    int rc = mj_room_connect(r, now, &w, pid * 10 + 1, false, pid, &got);
    CHECK_EQ(rc, 0);
    CHECK_EQ(got, pid);
}

static inline int act(mj_room *r, mj_pid actor, mj_room_action a)
{
    return mj_room_act(r, now, actor, &a);
}

/* ---- the notification queue as text ---- */

static inline void out_text(const mj_room_out *o, char *b, size_t n)
{
    static const char *const gone_names[] = {"left", "lost", "removed", "expelled"};
    switch (o->kind) {
    case MJ_ROUT_PERSON: snprintf(b, n, "person %" PRIu64, o->pid); break;
    case MJ_ROUT_GONE: snprintf(b, n, "gone %" PRIu64 " %s", o->pid, gone_names[o->reason]); break;
    case MJ_ROUT_INVITED: snprintf(b, n, "invited %" PRIu64 " by %" PRIu64, o->pid, o->by); break;
    case MJ_ROUT_REMOVED: snprintf(b, n, "removed %" PRIu64 " by %" PRIu64, o->pid, o->by); break;
    case MJ_ROUT_SETTINGS: snprintf(b, n, "hands %s", o->on ? "on" : "off"); break;
    case MJ_ROUT_ENDED:
        snprintf(b, n, "ended by %" PRIu64 " %s", o->by, o->reason ? "no_moderator" : "moderator");
        break;
    case MJ_ROUT_SEND: snprintf(b, n, "send %" PRIu64 " %s", o->pid, o->on ? "on" : "off"); break;
    case MJ_ROUT_DROP: snprintf(b, n, "drop %" PRIu64 " c%" PRIu64, o->pid, o->conn); break;
    case MJ_ROUT_MODERATOR:
        snprintf(b, n, "moderator u%" PRId64 " %s", o->user, o->on ? "on" : "off");
        break;
    case MJ_ROUT_ALLOWED: snprintf(b, n, "allowed u%" PRId64, o->user); break;
    case MJ_ROUT_BANNED:
        if (o->bot)
            snprintf(b, n, "banned bot %" PRIu64 " of u%" PRId64, o->bot, o->user);
        else
            snprintf(b, n, "banned u%" PRId64, o->user);
        break;
    default: snprintf(b, n, "?%d", (int)o->kind); break;
    }
}

/* Drains the queue into "a, b, c". */
static inline const char *outs(mj_room *r)
{
    static char buf[16384];
    size_t len = 0;
    mj_room_out o;
    buf[0] = '\0';
    while (mj_room_poll(r, &o)) {
        char one[96];
        out_text(&o, one, sizeof one);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "", one);
        if (len >= sizeof buf) len = sizeof buf - 1;
    }
    return buf;
}

/* ---- the whole state as text, to show a refusal changed nothing ---- */

static inline int pid_cmp(const void *a, const void *b)
{
    const mj_person *x = *(const mj_person *const *)a, *y = *(const mj_person *const *)b;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Also checks that the counters agree with the people. */
static inline void snap(const mj_room *r, char *b, size_t n)
{
    const mj_person *all[64];
    size_t np = 0, it = 0, len = 0;
    const mj_person *p;
    mj_room_counts want = {0}, got;
    while ((p = mj_room_next(r, &it)) && np < 64) {
        all[np++] = p;
        want.moderators += p->role == MJ_ROLE_MODERATOR;
        want.speakers += p->role == MJ_ROLE_SPEAKER;
        want.listeners += p->role == MJ_ROLE_LISTENER;
        want.unlisted += p->role == MJ_ROLE_LISTENER && p->unlisted;
        want.hands += p->hand_at != 0;
    }
    qsort(all, np, sizeof all[0], pid_cmp);
    mj_room_counts_get(r, &got);
    if (np < 64) CHECK_MEM(&got, &want, sizeof got);
    mj_pid hands[64];
    size_t nh = mj_room_hands(r, hands, 64);
    CHECK_EQ(nh, got.hands);
    int64_t mods[64];
    size_t nm = mj_room_moderator_ids(r, mods, 64);
    len += (size_t)snprintf(b + len, n - len, "end%d hands%d next%" PRId64 " mods",
                            mj_room_ended(r), mj_room_hands_on(r), mj_room_next_timeout(r));
    for (size_t i = 0; i < nm && i < 64; i++)
        len += (size_t)snprintf(b + len, n - len, " %" PRId64, mods[i]);
    for (size_t i = 0; i < nh && i < 64; i++)
        len += (size_t)snprintf(b + len, n - len, " h%" PRIu64, hands[i]);
    for (size_t i = 0; i < np; i++) {
        p = all[i];
        len += (size_t)snprintf(b + len, n - len,
                                "|%" PRIu64 " u%" PRId64 " b%" PRIu64 " r%d m%d i%d/%" PRIu64
                                " h%" PRId64 " c%u",
                                p->pid, p->user, p->bot, p->role, p->muted, p->invited,
                                p->invited_by, p->hand_at, p->nconns);
        if (len >= n) return;
    }
}

#define SNAP 8192

/* The action changes nothing and queues nothing: refused with `err`, or a
 * no-op when err is 0. */
#define NO_OP(r, actor, a) refused(r, actor, a, 0, __LINE__)
/* The action is refused with `err`, changes nothing and queues nothing. */
#define REFUSED(r, actor, a, err) refused(r, actor, a, err, __LINE__)
static inline void refused(mj_room *r, mj_pid actor, mj_room_action a, int err, int line)
{
    static char before[SNAP], after[SNAP];
    const char *pending = outs(r);
    if (*pending) MJ_TEST_FAIL("line %d: queue not empty before: %s", line, pending);
    snap(r, before, sizeof before);
    int rc = mj_room_act(r, now, actor, &a);
    snap(r, after, sizeof after);
    mj_test_checks++;
    if (rc != err)
        MJ_TEST_FAIL("line %d: op %d by %" PRIu64 ": %d, not %d", line, a.op, actor, rc, err);
    if (strcmp(before, after) != 0)
        MJ_TEST_FAIL("line %d: state changed:\n    %s\n    %s", line, before, after);
    const char *q = outs(r);
    if (*q) MJ_TEST_FAIL("line %d: queued: %s", line, q);
}

static inline void check_state(const mj_room *r)
{
    static char b[SNAP];
    snap(r, b, sizeof b);
}

static inline mj_room *room_with(const mj_room_config *cfg)
{
    mj_room *r = NULL;
    now = T0;
    if (mj_room_new(cfg, now, &r) != 0) abort();
    return r;
}

/* The scene with `max_stage` (0: the default); 4 are on stage. */
static inline mj_room *scene_stage(unsigned max_stage)
{
    mj_room *r = room_with(&(mj_room_config){.creator = U_C, .max_stage = max_stage});
    CHECK_EQ(mj_room_restore_moderator(r, U_M), 0);
    join(r, member(U_C), C);
    join(r, member(U_M), M);
    join(r, member(U_S), S);
    join(r, member(U_L), L);
    join(r, bot(U_L, BOT_B, MJ_ROLE_SPEAKER), B);
    CHECK_EQ(act(r, M, op(MJ_OP_INVITE, S)), 0);
    CHECK_EQ(act(r, S, op(MJ_OP_ACCEPT, 0)), 0);
    outs(r);
    return r;
}

static inline mj_room *scene(void)
{
    return scene_stage(0);
}

static inline const mj_person *who(const mj_room *r, mj_pid pid)
{
    return mj_room_person(r, pid);
}

static inline bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline void done(mj_room *r)
{
    check_state(r);
    mj_room_free(r);
}

#endif
