/* In-memory rate limits for the HTTP API: login attempts per account and
 * per address, sign-ups per invite, API calls per session.
 *
 * Each limit is a GCRA cell (the generic cell rate algorithm, a token
 * bucket kept as one "theoretical arrival time"), so a rule "COUNT per
 * PERIOD seconds" lets COUNT requests through at once and then one every
 * PERIOD/COUNT seconds. Cells live in one fixed-size open-addressing table
 * keyed by a keyed 64-bit hash (SipHash) of (scope, key): memory is bounded
 * whatever clients send, and the table holds no address or handle in
 * clear. When a probe window is full the stalest cell is reused; a cell
 * whose time has passed is the same as an absent one, so in normal load
 * nothing is lost.
 *
 * The same table holds back-offs: counters of failures (wrong
 * passphrases) that make the next attempt wait longer after each one,
 * where a rate alone would let a patient guesser go on for ever at the
 * same pace.
 *
 * Pure: the caller passes the time and the hash key. Nothing here touches
 * a disk; privacy.md relies on that. */
#ifndef MJ_HTTP_RATELIMIT_H
#define MJ_HTTP_RATELIMIT_H

#include "base/err.h"
#include "base/time.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_RATELIMIT_KEY_LEN 16

typedef struct mj_rate_rule {
    uint32_t count;    /* requests allowed at once; 0 disables the rule */
    uint32_t period_s; /* seconds to earn all of them back */
} mj_rate_rule;

typedef struct mj_rate_cell {
    uint64_t key;   /* 0 = empty */
    mj_time tat;    /* theoretical arrival time; a back-off: when it is forgotten */
    uint32_t fails; /* a back-off's failures */
} mj_rate_cell;

typedef struct mj_ratelimit {
    mj_rate_cell *cells;
    size_t mask;
    uint8_t hash_key[MJ_RATELIMIT_KEY_LEN];
} mj_ratelimit;

/* cells is rounded up to a power of two (at least 64). */
MJ_MUST_USE int mj_ratelimit_init(mj_ratelimit *rl, size_t cells,
                                  const uint8_t key[MJ_RATELIMIT_KEY_LEN]);
void mj_ratelimit_dispose(mj_ratelimit *rl);

/* Counts one request against rule for (scope, key). Returns 0 when it may
 * go ahead, or the whole seconds (at least 1) to wait before the next one
 * would be allowed: the value of a Retry-After header. */
int64_t mj_ratelimit_take(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope,
                          const void *key, size_t len, mj_time now);

/* Back-offs. rule.count failures are free; each one after them makes the
 * key wait before its next attempt: period/count seconds after the first,
 * twice as long after each further one, at most MJ_BACKOFF_MAX_S. A key
 * that fails no more for a whole period after its wait is forgiven.
 *
 * check: 0 when the key may try now, or the whole seconds to wait (at
 * least 1). fail: counts a failure. clear: forgets the key (a success). */
#define MJ_BACKOFF_MAX_S (24 * 3600)
int64_t mj_backoff_check(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope,
                         const void *key, size_t len, mj_time now);
void mj_backoff_fail(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope, const void *key,
                     size_t len, mj_time now);
void mj_backoff_clear(mj_ratelimit *rl, const char *scope, const void *key, size_t len);

/* Parses "COUNT/SECONDS" ("5/60"); "0/0" or "off" disables. 0 or MJ_EINVAL. */
int mj_rate_rule_parse(const char *text, mj_rate_rule *out);

#endif
