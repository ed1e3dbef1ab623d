#include "http/ratelimit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PROBE   8 /* cells looked at per request */
#define KEY_MAX 256

int mj_ratelimit_init(mj_ratelimit *rl, size_t cells, const uint8_t key[MJ_RATELIMIT_KEY_LEN])
{
    size_t cap = 64;
    while (cap < cells && cap < ((size_t)1 << 30))
        cap <<= 1;
    rl->cells = calloc(cap, sizeof *rl->cells);
    if (!rl->cells) return MJ_ENOMEM;
    rl->mask = cap - 1;
    memcpy(rl->hash_key, key, MJ_RATELIMIT_KEY_LEN);
    return 0;
}

void mj_ratelimit_dispose(mj_ratelimit *rl)
{
    free(rl->cells);
    rl->cells = NULL;
    sodium_memzero(rl->hash_key, sizeof rl->hash_key);
}

static uint64_t cell_key(const mj_ratelimit *rl, const char *scope, const void *key, size_t len)
{
    /* scope NUL key: the NUL keeps ("ab","c") apart from ("a","bc"). A long
     * key is first shortened with a cryptographic hash. */
    uint8_t buf[64 + 1 + KEY_MAX];
    size_t slen = strnlen(scope, 64);
    memcpy(buf, scope, slen);
    buf[slen] = 0;
    size_t n = slen + 1;
    if (len > KEY_MAX) {
        crypto_generichash(buf + n, 32, key, len, NULL, 0);
        n += 32;
    } else {
        if (len) memcpy(buf + n, key, len);
        n += len;
    }
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, buf, n, rl->hash_key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h ? h : 1;
}

static mj_rate_cell *lookup(mj_ratelimit *rl, uint64_t h)
{
    for (size_t i = 0; i < PROBE; i++) {
        mj_rate_cell *c = &rl->cells[(h + i) & rl->mask];
        if (c->key == h) return c;
    }
    return NULL;
}

static mj_rate_cell *find_cell(mj_ratelimit *rl, uint64_t h, mj_time now, mj_time *tat)
{
    mj_rate_cell *victim = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        mj_rate_cell *c = &rl->cells[(h + i) & rl->mask];
        if (c->key == h) {
            *tat = c->tat;
            return c;
        }
        /* Prefer an empty cell, then one that has fully refilled (it
         * means the same as no cell), then the one nearest to that. */
        if (!victim || c->key == 0 || (victim->key != 0 && c->tat < victim->tat)) victim = c;
    }
    victim->key = h;
    victim->tat = now;
    victim->fails = 0;
    *tat = now;
    return victim;
}

/* Whole seconds from now to t, at least 1: a Retry-After. */
static int64_t seconds_until(mj_time t, mj_time now)
{
    int64_t wait = (t - now + MJ_SEC(1) - 1) / MJ_SEC(1);
    return wait < 1 ? 1 : wait;
}

int64_t mj_ratelimit_take(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope,
                          const void *key, size_t len, mj_time now)
{
    if (!rule->count || !rule->period_s) return 0;
    mj_time interval = MJ_SEC(rule->period_s) / rule->count;
    if (interval <= 0) interval = 1;
    mj_time tolerance = interval * (mj_time)(rule->count - 1);
    mj_time tat;
    mj_rate_cell *c = find_cell(rl, cell_key(rl, scope, key, len), now, &tat);
    if (tat < now) tat = now;
    mj_time allowed_at = tat - tolerance;
    if (allowed_at > now) return seconds_until(allowed_at, now);
    c->tat = tat + interval;
    return 0;
}

/* A back-off cell keeps, as its tat, the time it is forgotten: the end of
 * its wait plus a period. */
int64_t mj_backoff_check(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope,
                         const void *key, size_t len, mj_time now)
{
    if (!rule->count || !rule->period_s) return 0;
    mj_rate_cell *c = lookup(rl, cell_key(rl, scope, key, len));
    if (!c || c->tat <= now) return 0;
    mj_time until = c->tat - MJ_SEC(rule->period_s);
    return until > now ? seconds_until(until, now) : 0;
}

void mj_backoff_fail(mj_ratelimit *rl, const mj_rate_rule *rule, const char *scope, const void *key,
                     size_t len, mj_time now)
{
    if (!rule->count || !rule->period_s) return;
    mj_time tat;
    mj_rate_cell *c = find_cell(rl, cell_key(rl, scope, key, len), now, &tat);
    if (tat <= now) c->fails = 0; /* new, or forgiven */
    if (c->fails < UINT32_MAX) c->fails++;
    mj_time until = now;
    if (c->fails >= rule->count) {
        mj_time wait = MJ_SEC(rule->period_s) / rule->count;
        uint32_t doublings = c->fails - rule->count;
        for (uint32_t i = 0; i < doublings && wait < MJ_SEC(MJ_BACKOFF_MAX_S); i++)
            wait *= 2;
        until = now + (wait < MJ_SEC(MJ_BACKOFF_MAX_S) ? wait : MJ_SEC(MJ_BACKOFF_MAX_S));
    }
    c->tat = until + MJ_SEC(rule->period_s);
}

void mj_backoff_clear(mj_ratelimit *rl, const char *scope, const void *key, size_t len)
{
    mj_rate_cell *c = lookup(rl, cell_key(rl, scope, key, len));
    if (c) {
        c->key = 0;
        c->fails = 0;
    }
}

int mj_rate_rule_parse(const char *text, mj_rate_rule *out)
{
    if (strcmp(text, "off") == 0) {
        out->count = out->period_s = 0;
        return 0;
    }
    char *end;
    unsigned long count = strtoul(text, &end, 10);
    if (end == text || *end != '/' || count > 1000000) return MJ_EINVAL;
    const char *p = end + 1;
    unsigned long period = strtoul(p, &end, 10);
    if (end == p || *end != '\0' || period > 366UL * 24 * 3600 || (count == 0) != (period == 0))
        return MJ_EINVAL;
    out->count = (uint32_t)count;
    out->period_s = (uint32_t)period;
    return 0;
}
