/* Flag parsing for the subcommands: "--name value", "--name=value" and
 * boolean "--name". Unknown flags, missing values and stray arguments are
 * errors with a message that names them, and every command has --help. */
#ifndef MJ_CLI_FLAGS_H
#define MJ_CLI_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum mj_flag_kind {
    MJ_FLAG_STRING,  /* const char *: points into argv (or a config file's text) */
    MJ_FLAG_INT,     /* long, parsed in base 10 with a range check */
    MJ_FLAG_BOOL,    /* bool, set to true when present */
    MJ_FLAG_CHECKED, /* mj_flag_checked: a string its check accepts */
    MJ_FLAG_CONFIG,  /* const char *: a config file (conf.h) that sets the other
                        flags; those on the command line win over it */
    MJ_FLAG_MULTI,   /* mj_flag_multi: a string flag that may be given again */
} mj_flag_kind;

/* The target of an MJ_FLAG_CHECKED flag. check returns NULL when the value
 * is good, or what a good one looks like ("wants ..."). */
typedef struct mj_flag_checked {
    const char *value;
    const char *(*check)(const char *value);
} mj_flag_checked;

#define MJ_FLAG_MULTI_MAX 8

typedef struct mj_flag_multi {
    const char *values[MJ_FLAG_MULTI_MAX]; /* point into argv (or a config file's text) */
    size_t n;
} mj_flag_multi;

typedef struct mj_flag {
    const char *name; /* without the leading dashes */
    mj_flag_kind kind;
    void *target;
    const char *metavar; /* "DIR", "SECONDS"; NULL for bool */
    const char *help;
    long min, max; /* MJ_FLAG_INT range, inclusive */
    bool required;
    bool seen; /* set by the parser */
} mj_flag;

typedef struct mj_command {
    const char *name;    /* "room create" */
    const char *summary; /* one line */
    const char *args;    /* positional arguments for the usage line, or NULL */
    size_t min_args, max_args;
    mj_flag *flags; /* terminated by an entry with name == NULL */
} mj_command;

/* Parses argv (argv[0] is the first flag or argument, not the program),
 * then the config file an MJ_FLAG_CONFIG flag names, if given. Positional
 * arguments are moved to args[]/nargs. Returns 0 on success, 1 when --help
 * was printed (exit 0), or 2 after printing an error (exit 2). */
int mj_flags_parse(const mj_command *cmd, int argc, char **argv, const char **args, size_t *nargs);
void mj_flags_usage(const mj_command *cmd, bool to_stderr);

/* Applies config file text (len bytes, with room for one more; flag values
 * then point into it, so it must outlive them) to cmd's flags, skipping
 * those already seen on the command line; marks the others seen. Returns
 * 0, or 2 with *line the line and err what is wrong. */
int mj_flags_apply_conf(const mj_command *cmd, char *text, size_t len, unsigned *line, char *err,
                        size_t errlen);

/* Applies a --log-level value for command `name`: 0, or 2 after saying
 * what the levels are. */
int mj_flags_log_level(const char *name, const char *level);

/* "majlis room create ...": runs the subcommand argv[0] names. */
typedef struct mj_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} mj_subcommand;
/* subs ends with a NULL name. Returns the exit status: 0 for --help, 2 for
 * a missing or unknown subcommand (with usage on stderr). */
int mj_subcommands_run(const char *name, const char *usage, const mj_subcommand *subs, int argc,
                       char **argv);

#endif
