#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>

void mj_wbuf_printf(mj_wbuf *w, const char *fmt, ...)
{
    if (w->failed) return;
    size_t room = w->cap - w->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf((char *)w->p + w->len, room, fmt, ap);
    va_end(ap);
    /* vsnprintf needs room for the NUL as well; text that only fits without
     * it is still treated as not fitting so the buffer stays a C string. */
    if (n < 0 || (size_t)n >= room) {
        w->failed = true;
        return;
    }
    w->len += (size_t)n;
}
