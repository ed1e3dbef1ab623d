#include "http/cookie.h"

#include <string.h>

static void trim(const char **p, const char **end)
{
    while (*p < *end && (**p == ' ' || **p == '\t'))
        (*p)++;
    while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
        (*end)--;
}

bool mj_cookie_find(const char *header, size_t len, const char *name,
                    bool (*accept)(const char *value, size_t len, void *ctx), void *ctx)
{
    size_t nlen = strlen(name);
    const char *p = header, *stop = header + len;
    while (p < stop) {
        const char *semi = memchr(p, ';', (size_t)(stop - p));
        const char *pair_end = semi ? semi : stop;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        if (eq) {
            const char *k = p, *k_end = eq, *v = eq + 1, *v_end = pair_end;
            trim(&k, &k_end);
            trim(&v, &v_end);
            if ((size_t)(k_end - k) == nlen && memcmp(k, name, nlen) == 0 &&
                accept(v, (size_t)(v_end - v), ctx))
                return true;
        }
        p = semi ? semi + 1 : stop;
    }
    return false;
}
