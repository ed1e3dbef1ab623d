#include "base/log.h"
#include "base/err.h"

#include <stdio.h>
#include <string.h>

int mj_log_level_current = MJ_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

static void default_sink(enum mj_log_level level, const char *line)
{
    fprintf(stderr, "%s: %s\n", mj_log_level_name(level), line);
}

static mj_log_sink_fn current_sink = default_sink;

void mj_log_set_level(enum mj_log_level level)
{
    mj_log_level_current = (int)level;
}

void mj_log_set_sink(mj_log_sink_fn sink)
{
    current_sink = sink ? sink : default_sink;
}

int mj_log_level_parse(const char *name, enum mj_log_level *out)
{
    for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum mj_log_level)i;
            return 0;
        }
    }
    return MJ_EINVAL;
}

const char *mj_log_level_name(enum mj_log_level level)
{
    if ((int)level < 0 || (int)level > MJ_LOG_TRACE) return "?";
    return level_names[level];
}

void mj_log_write(enum mj_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    current_sink(level, line);
}
