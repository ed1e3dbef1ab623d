/* Config files of the command line (`majlis serve --config FILE`): one
 * setting a line, "name = value" or "name value", or a lone "name" for a
 * switch; blank lines; '#' starts a comment at the start of a line or
 * after a space or tab. A value is the rest of the line, or the text
 * between double quotes (which may hold " #"). Names are those of the long
 * flags, without their dashes. */
#ifndef MJ_CLI_CONF_H
#define MJ_CLI_CONF_H

#include <stddef.h>

#define MJ_CONF_MAX_BYTES (64 * 1024) /* a config file longer than this is refused */

/* Called for each setting: value is NULL for a lone name. Returns 0, or
 * non-zero after writing what is wrong into err (errlen bytes). */
typedef int (*mj_conf_fn)(void *ctx, const char *name, const char *value, unsigned line, char *err,
                          size_t errlen);

/* Parses the len bytes of text, which must have room for one more (text is
 * cut into NUL-terminated names and values in place). Stops at the first
 * error: returns 0, or -1 with *line its line and err what is wrong. */
int mj_conf_parse(char *text, size_t len, mj_conf_fn fn, void *ctx, unsigned *line, char *err,
                  size_t errlen);

#endif
