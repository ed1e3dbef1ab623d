/* The members API's settings: defaults, the environment, then the values
 * `majlis serve` was given (docs/api.md). */
#include "api/settings.h"

#include "api/bodies.h"
#include "store/members.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DAY (24 * 3600)

static const char *const limit_names[MJ_LIMIT_COUNT] = {
    "login_account", "login_address", "signup_invite", "signup_address",     "api_session",
    "api_address",   "login_pair",    "login_device",  "passphrase_session", "media_address",
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

/* A flag's value (-1: not given) wins over the environment's. */
static int setting_int(const char *env, const char *flag, long given, long long lo, long long hi,
                       long long *out, const char **why)
{
    if (given < 0) return env_int(env, lo, hi, out, why);
    if (given < lo || given > hi) {
        *why = flag;
        return MJ_EINVAL;
    }
    *out = given;
    return 0;
}

/* "login_account=10/900,api_session=off" */
static int parse_limits(mj_rate_rule limits[MJ_LIMIT_COUNT], const char *v)
{
    char buf[512];
    size_t vlen = strlen(v);
    if (vlen >= sizeof buf) return MJ_EINVAL;
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
        if (which < 0 || mj_rate_rule_parse(eq + 1, &limits[which]) != 0) return MJ_EINVAL;
    }
    return 0;
}

/* "https://majlis.example" into out (a trailing slash dropped). */
static int parse_origin(char out[256], const char *origin)
{
    size_t n = strlen(origin);
    if (n >= 256 || (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0))
        return MJ_EINVAL;
    memcpy(out, origin, n + 1);
    if (n > 8 && out[n - 1] == '/') out[n - 1] = '\0';
    return 0;
}

/* A flag's string wins over the environment's; "" in the environment is
 * not set. */
static const char *setting_str(const char *env, const char *given, const char *flag,
                               const char **name)
{
    *name = given ? flag : env;
    if (given) return given;
    const char *v = getenv(env);
    return v && *v ? v : NULL;
}

int mj_api_settings_load(mj_api_settings *cfg, const mj_api_overrides *over, const char **why)
{
    static const mj_rate_rule defaults[MJ_LIMIT_COUNT] = {
        [MJ_LIMIT_LOGIN_ACCOUNT] = {10, 900},     [MJ_LIMIT_LOGIN_ADDRESS] = {30, 300},
        [MJ_LIMIT_SIGNUP_INVITE] = {5, 3600},     [MJ_LIMIT_SIGNUP_ADDRESS] = {30, 600},
        [MJ_LIMIT_API_SESSION] = {120, 60},       [MJ_LIMIT_API_ADDRESS] = {60, 60},
        [MJ_LIMIT_LOGIN_PAIR] = {5, 300},         [MJ_LIMIT_LOGIN_DEVICE] = {10, 600},
        [MJ_LIMIT_PASSPHRASE_SESSION] = {5, 300}, [MJ_LIMIT_MEDIA_ADDRESS] = {60, 10},
    };
    static const mj_api_overrides none = MJ_API_NO_OVERRIDES;
    if (!over) over = &none;
    memset(cfg, 0, sizeof *cfg);
    memcpy(cfg->limits, defaults, sizeof defaults);
    long long idle = 14 * DAY, max = 60 * DAY, quota = MJ_DEFAULT_INVITE_QUOTA, threads = 2;
    if (setting_int("MAJLIS_SESSION_IDLE", "--session-idle", over->session_idle_s, 1,
                    MJ_SESSION_S_MAX, &idle, why) ||
        setting_int("MAJLIS_SESSION_MAX", "--session-max", over->session_max_s, 1, MJ_SESSION_S_MAX,
                    &max, why) ||
        setting_int("MAJLIS_INVITE_QUOTA", "--invite-quota", over->invite_quota, 0, MJ_QUOTA_MAX,
                    &quota, why) ||
        setting_int("MAJLIS_HASH_THREADS", "--hash-threads", over->hash_threads, 1,
                    MJ_HASH_THREADS_MAX, &threads, why))
        return MJ_EINVAL;
    const char *name;
    const char *limits =
        setting_str("MAJLIS_RATE_LIMITS", over->rate_limits, "--rate-limits", &name);
    if (limits && parse_limits(cfg->limits, limits) != 0) {
        *why = name;
        return MJ_EINVAL;
    }
    const char *origin =
        setting_str("MAJLIS_PUBLIC_ORIGIN", over->public_origin, "--public-origin", &name);
    if (origin && parse_origin(cfg->public_origin, origin) != 0) {
        *why = name;
        return MJ_EINVAL;
    }
    cfg->session_idle_s = idle;
    cfg->session_max_s = max < idle ? idle : max;
    cfg->invite_quota = (int)quota;
    cfg->hash_threads = (int)threads;
    return 0;
}

const char *mj_api_check_rate_limits(const char *value)
{
    mj_rate_rule scratch[MJ_LIMIT_COUNT];
    if (parse_limits(scratch, value) == 0) return NULL;
    return "wants SCOPE=COUNT/SECONDS or SCOPE=off, comma-separated (scopes: login_account, "
           "login_address, signup_invite, signup_address, api_session, api_address, login_pair, "
           "login_device, passphrase_session, media_address)";
}

const char *mj_api_check_public_origin(const char *value)
{
    char scratch[256];
    if (parse_origin(scratch, value) == 0) return NULL;
    return "wants http://HOST[:PORT] or https://HOST[:PORT]";
}

const char *mj_limit_name(mj_limit which)
{
    return (unsigned)which < MJ_LIMIT_COUNT ? limit_names[which] : "?";
}
