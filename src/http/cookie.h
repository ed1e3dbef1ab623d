/* Reading one cookie out of a Cookie request header (RFC 6265 §5.4
 * syntax: "name=value; name2=value2"). Pure, bounded, never modifies the
 * header. The members API uses it to find the session cookie. */
#ifndef MJ_HTTP_COOKIE_H
#define MJ_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

/* Calls accept(value, len, ctx) for each cookie called `name`, in order,
 * until it returns true; returns whether one did. Pairs without '=' are
 * skipped; spaces around names and values are trimmed. */
bool mj_cookie_find(const char *header, size_t len, const char *name,
                    bool (*accept)(const char *value, size_t len, void *ctx), void *ctx);

#endif
