/* Formats a message into a fixed buffer, cutting it short when it does not
 * fit: for error sentences that quote a path or URL of any length. (A
 * plain snprintf there makes gcc's -Wformat-truncation warn.) */
#ifndef MJ_CLIENT_TEXTF_H
#define MJ_CLIENT_TEXTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void mj_textf(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void mj_textf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

#endif
