/* The members API's settings: session lifetimes, the invite quota of new
 * members, the hashing threads, the public origin and the rate limits.
 * Read once at start (docs/api.md lists them). */
#ifndef MJ_API_SETTINGS_H
#define MJ_API_SETTINGS_H

#include "base/err.h"
#include "http/ratelimit.h"

#include <stdint.h>

/* Rates (ratelimit.h), and the back-offs of wrong passphrases: login_pair
 * (a handle from one address), login_device (a device cookie, device.h)
 * and passphrase_session (a session's passphrase checks). */
typedef enum mj_limit {
    MJ_LIMIT_LOGIN_ACCOUNT,
    MJ_LIMIT_LOGIN_ADDRESS,
    MJ_LIMIT_SIGNUP_INVITE,
    MJ_LIMIT_SIGNUP_ADDRESS,
    MJ_LIMIT_API_SESSION,
    MJ_LIMIT_API_ADDRESS,
    MJ_LIMIT_LOGIN_PAIR,
    MJ_LIMIT_LOGIN_DEVICE,
    MJ_LIMIT_PASSPHRASE_SESSION,
    MJ_LIMIT_MEDIA_ADDRESS, /* WHIP/WHEP offers per client address */
    MJ_LIMIT_COUNT
} mj_limit;

typedef struct mj_api_settings {
    int64_t session_idle_s; /* a session unused this long ends */
    int64_t session_max_s;  /* and every session ends this long after login */
    int invite_quota;       /* for new members */
    int hash_threads;
    char public_origin[256]; /* "" = scheme://Host of each request */
    mj_rate_rule limits[MJ_LIMIT_COUNT];
} mj_api_settings;

/* Values from `majlis serve` flags or its config file, which win over the
 * environment: -1 or NULL where not given. */
typedef struct mj_api_overrides {
    long session_idle_s, session_max_s, invite_quota, hash_threads;
    const char *rate_limits, *public_origin;
} mj_api_overrides;
#define MJ_API_NO_OVERRIDES                                                                        \
    {                                                                                              \
        -1, -1, -1, -1, NULL, NULL                                                                 \
    }
#define MJ_SESSION_S_MAX    (366L * 24 * 3600)
#define MJ_HASH_THREADS_MAX 16

/* Defaults, then the environment, then over (may be NULL). MJ_EINVAL with
 * *why naming the bad variable or flag. */
MJ_MUST_USE int mj_api_settings_load(mj_api_settings *set, const mj_api_overrides *over,
                                     const char **why);
/* Checks of a value for MAJLIS_RATE_LIMITS and MAJLIS_PUBLIC_ORIGIN: NULL
 * when it is good, or what a good one looks like. */
const char *mj_api_check_rate_limits(const char *value);
const char *mj_api_check_public_origin(const char *value);
/* "login_account", ...: the scope of a limit in the limiter and in
 * MAJLIS_RATE_LIMITS. */
const char *mj_limit_name(mj_limit which);

#endif
