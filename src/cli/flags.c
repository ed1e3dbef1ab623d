#include "cli/flags.h"

#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mj_flags_usage(const mj_command *cmd, bool to_stderr)
{
    FILE *f = to_stderr ? stderr : stdout;
    fprintf(f, "usage: majlis %s [FLAGS]%s%s\n\n%s\n\nflags:\n", cmd->name, cmd->args ? " " : "",
            cmd->args ? cmd->args : "", cmd->summary);
    for (mj_flag *fl = cmd->flags; fl && fl->name; fl++) {
        char head[64];
        if (fl->metavar)
            snprintf(head, sizeof head, "--%s %s", fl->name, fl->metavar);
        else
            snprintf(head, sizeof head, "--%s", fl->name);
        fprintf(f, "  %-26s %s%s\n", head, fl->help, fl->required ? " (required)" : "");
    }
    fprintf(f, "  %-26s %s\n", "--help", "show this help");
}

static mj_flag *find_flag(const mj_command *cmd, const char *name, size_t len)
{
    for (mj_flag *fl = cmd->flags; fl && fl->name; fl++)
        if (strlen(fl->name) == len && strncmp(fl->name, name, len) == 0)
            return fl;
    return NULL;
}

static int set_value(const mj_command *cmd, mj_flag *fl, const char *value)
{
    if (fl->kind == MJ_FLAG_STRING) {
        *(const char **)fl->target = value;
        return 0;
    }
    if (fl->kind == MJ_FLAG_MULTI) {
        mj_flag_multi *m = fl->target;
        if (m->n == MJ_FLAG_MULTI_MAX) {
            fprintf(stderr, "majlis %s: --%s given more than %d times\n", cmd->name, fl->name,
                    MJ_FLAG_MULTI_MAX);
            return 2;
        }
        m->values[m->n++] = value;
        return 0;
    }
    errno = 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < fl->min || v > fl->max) {
        fprintf(stderr, "majlis %s: --%s wants a whole number from %ld to %ld, not '%s'\n",
                cmd->name, fl->name, fl->min, fl->max, value);
        return 2;
    }
    *(long *)fl->target = v;
    return 0;
}

static int parse_one(const mj_command *cmd, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    mj_flag *fl = find_flag(cmd, arg, len);
    if (!fl) {
        fprintf(stderr, "majlis %s: unknown flag '--%.*s' (see 'majlis %s --help')\n", cmd->name,
                (int)len, arg, cmd->name);
        return 2;
    }
    if (fl->seen && fl->kind != MJ_FLAG_MULTI) {
        fprintf(stderr, "majlis %s: --%s given twice\n", cmd->name, fl->name);
        return 2;
    }
    fl->seen = true;
    if (fl->kind == MJ_FLAG_BOOL) {
        if (eq) {
            fprintf(stderr, "majlis %s: --%s takes no value\n", cmd->name, fl->name);
            return 2;
        }
        *(bool *)fl->target = true;
        return 0;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] == '-')) {
            fprintf(stderr, "majlis %s: --%s needs a value (%s)\n", cmd->name, fl->name,
                    fl->metavar ? fl->metavar : "VALUE");
            return 2;
        }
        value = argv[++*i];
    }
    if (value[0] == '\0') {
        fprintf(stderr, "majlis %s: --%s needs a non-empty value\n", cmd->name, fl->name);
        return 2;
    }
    return set_value(cmd, fl, value);
}

int mj_flags_parse(const mj_command *cmd, int argc, char **argv, const char **args, size_t *nargs)
{
    *nargs = 0;
    bool only_args = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_args && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            mj_flags_usage(cmd, false);
            return 1;
        }
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (!only_args && a[0] == '-' && a[1] == '-') {
            int rc = parse_one(cmd, argc, argv, &i);
            if (rc)
                return rc;
            continue;
        }
        if (!only_args && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "majlis %s: unknown flag '%s' (flags start with --)\n", cmd->name, a);
            return 2;
        }
        if (*nargs >= cmd->max_args) {
            fprintf(stderr, "majlis %s: unexpected argument '%s'\n", cmd->name, a);
            return 2;
        }
        args[(*nargs)++] = a;
    }
    for (mj_flag *fl = cmd->flags; fl && fl->name; fl++) {
        if (fl->required && !fl->seen) {
            fprintf(stderr, "majlis %s: --%s is required (see 'majlis %s --help')\n", cmd->name,
                    fl->name, cmd->name);
            return 2;
        }
    }
    if (*nargs < cmd->min_args) {
        fprintf(stderr, "majlis %s: missing %s (see 'majlis %s --help')\n", cmd->name,
                cmd->args ? cmd->args : "arguments", cmd->name);
        return 2;
    }
    return 0;
}

int mj_flags_log_level(const char *name, const char *level)
{
    enum mj_log_level lv;
    if (mj_log_level_parse(level, &lv) != 0) {
        fprintf(stderr, "majlis %s: --log-level must be error, warn, info, debug or trace, not '%s'\n",
                name, level);
        return 2;
    }
    mj_log_set_level(lv);
    return 0;
}

int mj_subcommands_run(const char *name, const char *usage, const mj_subcommand *subs, int argc,
                       char **argv)
{
    if (argc < 1) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    for (const mj_subcommand *s = subs; s->name; s++)
        if (strcmp(argv[0], s->name) == 0)
            return s->run(argc - 1, argv + 1);
    fprintf(stderr, "majlis %s: unknown subcommand '%s'\n%s", name, argv[0], usage);
    return 2;
}
