#include "cli/flags.h"

#include "base/log.h"
#include "cli/conf.h"

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
    for (mj_flag *fl = cmd->flags; fl && fl->name; fl++) {
        if (fl->kind != MJ_FLAG_CONFIG) continue;
        fprintf(f,
                "\nThe file of --%s holds flags, one a line: 'name = value' (or 'name value';\n"
                "a lone 'name' for a switch), the names those of the flags above without\n"
                "'--'; '#' starts a comment. Flags on the command line win over the file.\n",
                fl->name);
        break;
    }
}

static mj_flag *find_flag(const mj_command *cmd, const char *name, size_t len)
{
    for (mj_flag *fl = cmd->flags; fl && fl->name; fl++)
        if (strlen(fl->name) == len && strncmp(fl->name, name, len) == 0) return fl;
    return NULL;
}

/* "true", "yes", "on", "1" and their opposites: a switch in a config file. */
static int parse_bool(const char *value, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
            *out = strcmp(value, yes[i]) == 0;
            return 0;
        }
    }
    return -1;
}

/* Stores value into fl's target; what names the flag in err ("--workers",
 * or "workers" in a config file). */
static int set_value(mj_flag *fl, const char *what, const char *value, char *err, size_t errlen)
{
    if (fl->kind == MJ_FLAG_STRING || fl->kind == MJ_FLAG_CONFIG) {
        *(const char **)fl->target = value;
        return 0;
    }
    if (fl->kind == MJ_FLAG_CHECKED) {
        mj_flag_checked *c = fl->target;
        const char *want = c->check(value);
        if (want) {
            snprintf(err, errlen, "%s %s, not '%.80s'", what, want, value);
            return 2;
        }
        c->value = value;
        return 0;
    }
    if (fl->kind == MJ_FLAG_BOOL) {
        if (parse_bool(value, fl->target) != 0) {
            snprintf(err, errlen, "%s wants true or false, not '%.80s'", what, value);
            return 2;
        }
        return 0;
    }
    if (fl->kind == MJ_FLAG_MULTI) {
        mj_flag_multi *m = fl->target;
        if (m->n == MJ_FLAG_MULTI_MAX) {
            snprintf(err, errlen, "%s given more than %d times", what, MJ_FLAG_MULTI_MAX);
            return 2;
        }
        m->values[m->n++] = value;
        return 0;
    }
    errno = 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < fl->min || v > fl->max) {
        snprintf(err, errlen, "%s wants a whole number from %ld to %ld, not '%.80s'", what, fl->min,
                 fl->max, value);
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
    char what[80], err[512];
    snprintf(what, sizeof what, "--%s", fl->name);
    if (set_value(fl, what, value, err, sizeof err) != 0) {
        fprintf(stderr, "majlis %s: %s\n", cmd->name, err);
        return 2;
    }
    return 0;
}

typedef struct conf_ctx {
    const mj_command *cmd;
    unsigned *first_line; /* per flag: the line that set it, 0: none */
} conf_ctx;

/* One "name = value" of a config file. A flag given on the command line
 * keeps its value, but the file's is still checked. */
static int conf_setting(void *vctx, const char *name, const char *value, unsigned line, char *err,
                        size_t errlen)
{
    conf_ctx *ctx = vctx;
    mj_flag *fl = find_flag(ctx->cmd, name, strlen(name));
    if (!fl) {
        snprintf(err, errlen,
                 "unknown setting '%.80s' (the names are the flags of 'majlis %s --help')", name,
                 ctx->cmd->name);
        return 2;
    }
    size_t at = (size_t)(fl - ctx->cmd->flags);
    if (fl->kind == MJ_FLAG_CONFIG) {
        snprintf(err, errlen, "a config file cannot name another (%s)", name);
        return 2;
    }
    if (ctx->first_line[at]) {
        snprintf(err, errlen, "%s is set twice (first on line %u)", name, ctx->first_line[at]);
        return 2;
    }
    ctx->first_line[at] = line;
    if (!value && fl->kind == MJ_FLAG_BOOL) value = "true";
    if (!value || !*value) {
        snprintf(err, errlen, "%s needs a%s value (%s)", name, value ? " non-empty" : "",
                 fl->metavar ? fl->metavar : "VALUE");
        return 2;
    }
    if (!fl->seen) return set_value(fl, name, value, err, errlen);
    union {
        long l;
        bool b;
        const char *s;
        mj_flag_checked c;
        mj_flag_multi m;
    } scratch;
    if (fl->kind == MJ_FLAG_CHECKED) scratch.c = *(mj_flag_checked *)fl->target;
    if (fl->kind == MJ_FLAG_MULTI) scratch.m = *(mj_flag_multi *)fl->target;
    mj_flag check = *fl;
    check.target = &scratch;
    return set_value(&check, name, value, err, errlen);
}

int mj_flags_apply_conf(const mj_command *cmd, char *text, size_t len, unsigned *line, char *err,
                        size_t errlen)
{
    size_t n = 0;
    while (cmd->flags && cmd->flags[n].name)
        n++;
    unsigned *first = calloc(n + 1, sizeof *first);
    if (!first) {
        *line = 0;
        snprintf(err, errlen, "out of memory");
        return 2;
    }
    conf_ctx ctx = {cmd, first};
    int rc = mj_conf_parse(text, len, conf_setting, &ctx, line, err, errlen) == 0 ? 0 : 2;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (first[i]) cmd->flags[i].seen = true;
    free(first);
    return rc;
}

/* The texts of the config files read, kept for the life of the process:
 * flag values point into them. */
typedef struct conf_text {
    struct conf_text *next;
    char text[];
} conf_text;
static conf_text *conf_texts;

static conf_text *read_conf(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    conf_text *t = f ? malloc(sizeof *t + MJ_CONF_MAX_BYTES + 2) : NULL;
    if (!t) {
        snprintf(err, errlen, "cannot read %s (%s)", path, strerror(f ? ENOMEM : errno));
        if (f) fclose(f);
        return NULL;
    }
    *len = fread(t->text, 1, MJ_CONF_MAX_BYTES + 1, f);
    int failed = ferror(f) ? errno : 0;
    fclose(f);
    if (failed || *len > MJ_CONF_MAX_BYTES) {
        if (failed)
            snprintf(err, errlen, "cannot read %s (%s)", path, strerror(failed));
        else
            snprintf(err, errlen, "%s is longer than %d bytes", path, MJ_CONF_MAX_BYTES);
        free(t);
        return NULL;
    }
    t->next = conf_texts;
    conf_texts = t;
    return t;
}

static int load_conf(const mj_command *cmd, const char *path)
{
    char err[512];
    size_t len;
    conf_text *t = read_conf(path, &len, err, sizeof err);
    if (!t) {
        fprintf(stderr, "majlis %s: --config: %s\n", cmd->name, err);
        return 2;
    }
    unsigned line;
    if (mj_flags_apply_conf(cmd, t->text, len, &line, err, sizeof err) != 0) {
        fprintf(stderr, "majlis %s: %s:%u: %s\n", cmd->name, path, line, err);
        return 2;
    }
    return 0;
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
            if (rc) return rc;
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
        if (fl->kind == MJ_FLAG_CONFIG && fl->seen && load_conf(cmd, *(const char **)fl->target))
            return 2;
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
        fprintf(stderr,
                "majlis %s: --log-level must be error, warn, info, debug or trace, not '%s'\n",
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
        if (strcmp(argv[0], s->name) == 0) return s->run(argc - 1, argv + 1);
    fprintf(stderr, "majlis %s: unknown subcommand '%s'\n%s", name, argv[0], usage);
    return 2;
}
