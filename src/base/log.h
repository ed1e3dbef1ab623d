/* Leveled logging. The level is checked before any formatting, so a
 * disabled mj_debug() costs one compare. Nothing on the per-packet path
 * logs at info or above. IP addresses and ICE credentials are logged only
 * at debug level (privacy.md). */
#ifndef MJ_BASE_LOG_H
#define MJ_BASE_LOG_H

#include <stdarg.h>

enum mj_log_level {
    MJ_LOG_ERROR = 0,
    MJ_LOG_WARN = 1,
    MJ_LOG_INFO = 2,
    MJ_LOG_DEBUG = 3,
    MJ_LOG_TRACE = 4,
};

extern int mj_log_level_current;

/* A sink receives one formatted line without a trailing newline. The
 * default sink writes "level: line" to stderr; the server installs one that
 * adds a timestamp. */
typedef void (*mj_log_sink_fn)(enum mj_log_level level, const char *line);

void mj_log_set_level(enum mj_log_level level);
void mj_log_set_sink(mj_log_sink_fn sink);
/* Parses "error|warn|info|debug|trace"; returns 0 or MJ_EINVAL. */
int mj_log_level_parse(const char *name, enum mj_log_level *out);
const char *mj_log_level_name(enum mj_log_level level);

void mj_log_write(enum mj_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define mj_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((int)(level) <= mj_log_level_current) mj_log_write((level), __VA_ARGS__);              \
    } while (0)

#define mj_error(...) mj_log(MJ_LOG_ERROR, __VA_ARGS__)
#define mj_warn(...)  mj_log(MJ_LOG_WARN, __VA_ARGS__)
#define mj_info(...)  mj_log(MJ_LOG_INFO, __VA_ARGS__)
#define mj_debug(...) mj_log(MJ_LOG_DEBUG, __VA_ARGS__)
#define mj_trace(...) mj_log(MJ_LOG_TRACE, __VA_ARGS__)

#endif
