/* How widely a room is followed, as the hallway ranks it: by how many
 * independent branches of the invite tree its people come from, not by
 * how many accounts are in it (docs/trending.md says why).
 *
 * Every member hangs in the invite tree under the member who invited them;
 * the people of a room are nodes of it. For a node v of the tree let
 *
 *     w(v) = [v is in the room] + sum over v's children c of g(w(c))
 *     g(x) = log2(1 + x)      (g(0) = 0, g(1) = 1, g(3) = 2, g(1023) = 10)
 *
 * and the room's score is the sum of g(w(t)) over the top nodes (members
 * an operator's invite brought). People of one branch add up only
 * logarithmically at each level where they meet, so a subtree of a
 * thousand accounts grown by one member counts about as much as a dozen
 * people of that branch, while people from separate branches add up in
 * full where their branches part. A member in the room twice (two tabs,
 * their bots) is one node, counted once.
 *
 * Pure: paths come from the caller (store: the chain of invited_by). The
 * score is only ever used to order rooms; it is never shown. */
#ifndef MJ_ROOM_TREND_H
#define MJ_ROOM_TREND_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_TREND_DEPTH_MAX 64 /* deeper paths are cut below this many levels */

typedef struct mj_trend mj_trend;

MJ_MUST_USE int mj_trend_new(mj_trend **out);
void mj_trend_free(mj_trend *t);
/* Forgets every person added, keeping the memory for the next room. */
void mj_trend_reset(mj_trend *t);
/* Adds a person by their path in the invite tree: path[0] the top node
 * (brought by an operator), path[n - 1] the person. Ids are positive. A
 * path longer than MJ_TREND_DEPTH_MAX keeps its top levels and its last
 * node. 0, MJ_EINVAL (empty path, bad id), MJ_ENOMEM. */
MJ_MUST_USE int mj_trend_add(mj_trend *t, const int64_t *path, size_t n);
/* The score of the people added so far (0 for none). */
double mj_trend_score(mj_trend *t);

/* g above, for the tests and the docs. */
double mj_trend_damp(double x);

#endif
