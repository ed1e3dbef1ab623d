/* The members API's settings, from the environment (docs/api.md). */
#include "api/settings.h"

#include "api/bodies.h"
#include "store/members.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DAY (24 * 3600)

static const char *const limit_names[MJ_LIMIT_COUNT] = {
    "login_account", "login_address", "signup_invite",
    "signup_address", "api_session", "api_address",
    "login_pair", "login_device", "passphrase_session", "media_address",
};

static int env_int(const char *name, long long lo, long long hi, long long *out, const char **why)
{
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < lo || n > hi) {
        *why = name;
        return MJ_EINVAL;
    }
    *out = n;
    return 0;
}

/* MAJLIS_RATE_LIMITS="login_account=10/900,api_session=off" */
static int parse_limits(mj_api_settings *cfg, const char **why)
{
    const char *v = getenv("MAJLIS_RATE_LIMITS");
    if (!v || !*v) return 0;
    char buf[512];
    size_t vlen = strlen(v);
    if (vlen >= sizeof buf) {
        *why = "MAJLIS_RATE_LIMITS";
        return MJ_EINVAL;
    }
    memcpy(buf, v, vlen + 1);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        int which = -1;
        if (eq) {
            *eq = '\0';
            for (int i = 0; i < MJ_LIMIT_COUNT; i++)
                if (strcmp(item, limit_names[i]) == 0) which = i;
        }
        if (which < 0 || mj_rate_rule_parse(eq + 1, &cfg->limits[which]) != 0) {
            *why = "MAJLIS_RATE_LIMITS";
            return MJ_EINVAL;
        }
    }
    return 0;
}

int mj_api_settings_load(mj_api_settings *cfg, const char **why)
{
    static const mj_rate_rule defaults[MJ_LIMIT_COUNT] = {
        [MJ_LIMIT_LOGIN_ACCOUNT] = {10, 900}, [MJ_LIMIT_LOGIN_ADDRESS] = {30, 300},
        [MJ_LIMIT_SIGNUP_INVITE] = {5, 3600}, [MJ_LIMIT_SIGNUP_ADDRESS] = {30, 600},
        [MJ_LIMIT_API_SESSION] = {120, 60},   [MJ_LIMIT_API_ADDRESS] = {60, 60},
        [MJ_LIMIT_LOGIN_PAIR] = {5, 300},     [MJ_LIMIT_LOGIN_DEVICE] = {10, 600},
        [MJ_LIMIT_PASSPHRASE_SESSION] = {5, 300}, [MJ_LIMIT_MEDIA_ADDRESS] = {60, 10},
    };
    memset(cfg, 0, sizeof *cfg);
    memcpy(cfg->limits, defaults, sizeof defaults);
    long long idle = 14 * DAY, max = 60 * DAY, quota = MJ_DEFAULT_INVITE_QUOTA, threads = 2;
    if (env_int("MAJLIS_SESSION_IDLE", 1, 366LL * DAY, &idle, why) ||
        env_int("MAJLIS_SESSION_MAX", 1, 366LL * DAY, &max, why) ||
        env_int("MAJLIS_INVITE_QUOTA", 0, MJ_QUOTA_MAX, &quota, why) ||
        env_int("MAJLIS_HASH_THREADS", 1, 16, &threads, why) || parse_limits(cfg, why))
        return MJ_EINVAL;
    const char *origin = getenv("MAJLIS_PUBLIC_ORIGIN");
    if (origin && *origin) {
        size_t n = strlen(origin);
        if (n >= sizeof cfg->public_origin ||
            (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0)) {
            *why = "MAJLIS_PUBLIC_ORIGIN";
            return MJ_EINVAL;
        }
        memcpy(cfg->public_origin, origin, n + 1);
        if (n > 8 && cfg->public_origin[n - 1] == '/') cfg->public_origin[n - 1] = '\0';
    }
    cfg->session_idle_s = idle;
    cfg->session_max_s = max < idle ? idle : max;
    cfg->invite_quota = (int)quota;
    cfg->hash_threads = (int)threads;
    return 0;
}

const char *mj_limit_name(mj_limit which)
{
    return (unsigned)which < MJ_LIMIT_COUNT ? limit_names[which] : "?";
}
