/* Config file lines into names and values (conf.h). */
#include "cli/conf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static char *skip_space(char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* Cuts a comment (after a space or tab) and trailing blanks off an
 * unquoted value. */
static void trim_value(char *v)
{
    char *end = v + strlen(v);
    for (char *p = v + 1; *p; p++) {
        if (*p == '#' && is_space(p[-1])) {
            end = p;
            break;
        }
    }
    while (end > v && is_space(end[-1]))
        end--;
    *end = '\0';
}

/* "\"...\"" followed by blanks or a comment: the text between the quotes. */
static int unquote(char **value, char *err, size_t errlen)
{
    char *close = strchr(*value + 1, '"');
    if (!close) {
        snprintf(err, errlen, "a quoted value has no closing '\"'");
        return -1;
    }
    char *rest = skip_space(close + 1);
    if (*rest != '\0' && *rest != '#') {
        snprintf(err, errlen, "text after a quoted value");
        return -1;
    }
    *close = '\0';
    (*value)++;
    return 0;
}

/* Splits one line (NUL-terminated, no newline) into a name and a value. */
static int parse_line(char *s, char **name, char **value, char *err, size_t errlen)
{
    s = skip_space(s);
    *name = NULL;
    *value = NULL;
    if (*s == '\0' || *s == '#') return 0;
    if (s[0] == '-') {
        snprintf(err, errlen, "write a flag's name without its leading dashes");
        return -1;
    }
    char *p = s;
    while (is_name_char(*p))
        p++;
    if (p == s || (*p != '\0' && *p != '=' && !is_space(*p))) {
        snprintf(err, errlen, "expected 'name = value' (a name is letters, digits and '-')");
        return -1;
    }
    char *after = skip_space(p);
    bool eq = *after == '=';
    if (eq) after = skip_space(after + 1);
    *p = '\0';
    *name = s;
    if (*after == '"') {
        *value = after;
        return unquote(value, err, errlen);
    }
    if (*after == '#' || *after == '\0') {
        if (eq) {
            snprintf(err, errlen, "%s: no value after '='", s);
            return -1;
        }
        return 0;
    }
    *value = after;
    trim_value(*value);
    return 0;
}

/* Control characters other than tab (and the CR of a CRLF line end) are
 * refused: they are never part of a setting and hide what a line says. */
static int check_bytes(const char *s, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            snprintf(err, errlen, "control character 0x%02x at column %zu", c, i + 1);
            return -1;
        }
    }
    return 0;
}

int mj_conf_parse(char *text, size_t len, mj_conf_fn fn, void *ctx, unsigned *line, char *err,
                  size_t errlen)
{
    size_t at = 0;
    *line = 0;
    while (at < len) {
        ++*line;
        char *s = text + at;
        char *nl = memchr(s, '\n', len - at);
        size_t n = nl ? (size_t)(nl - s) : len - at;
        at += n + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (check_bytes(s, n, err, errlen) != 0) return -1;
        s[n] = '\0';
        char *name, *value;
        if (parse_line(s, &name, &value, err, errlen) != 0) return -1;
        if (name && fn(ctx, name, value, *line, err, errlen) != 0) return -1;
    }
    return 0;
}
