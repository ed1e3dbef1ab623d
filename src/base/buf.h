/* Byte slices, and bounded big-endian readers and writers over
 * caller-owned memory.
 *
 * A writer never overruns its buffer: once a put does not fit, the writer
 * is marked failed, further puts are ignored, and mj_wbuf_len() reports
 * MJ_ENOSPC. Callers check once at the end instead of after every put. */
#ifndef MJ_BASE_BUF_H
#define MJ_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mj_slice {
    const uint8_t *p;
    size_t n;
} mj_slice;

static inline mj_slice mj_slice_make(const void *p, size_t n)
{
    return (mj_slice){(const uint8_t *)p, n};
}

static inline bool mj_slice_eq(mj_slice a, mj_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline uint16_t mj_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t mj_be24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t mj_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t mj_be64(const uint8_t *p)
{
    return ((uint64_t)mj_be32(p) << 32) | mj_be32(p + 4);
}

static inline void mj_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void mj_put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static inline void mj_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void mj_put_be64(uint8_t *p, uint64_t v)
{
    mj_put_be32(p, (uint32_t)(v >> 32));
    mj_put_be32(p + 4, (uint32_t)v);
}

/* Writer over caller memory. */
typedef struct mj_wbuf {
    uint8_t *p;
    size_t cap;
    size_t len;
    bool failed;
} mj_wbuf;

static inline void mj_wbuf_init(mj_wbuf *w, void *p, size_t cap)
{
    w->p = (uint8_t *)p;
    w->cap = cap;
    w->len = 0;
    w->failed = false;
}

/* Reserves n bytes and returns a pointer to them, or NULL (and marks the
 * writer failed) when they do not fit. */
static inline uint8_t *mj_wbuf_reserve(mj_wbuf *w, size_t n)
{
    if (w->failed || n > w->cap - w->len) {
        w->failed = true;
        return NULL;
    }
    uint8_t *at = w->p + w->len;
    w->len += n;
    return at;
}

static inline void mj_wbuf_put(mj_wbuf *w, const void *src, size_t n)
{
    uint8_t *at = mj_wbuf_reserve(w, n);
    if (at && n) memcpy(at, src, n);
}

static inline void mj_wbuf_u8(mj_wbuf *w, uint8_t v)
{
    uint8_t *at = mj_wbuf_reserve(w, 1);
    if (at) *at = v;
}

static inline void mj_wbuf_be16(mj_wbuf *w, uint16_t v)
{
    uint8_t *at = mj_wbuf_reserve(w, 2);
    if (at) mj_put_be16(at, v);
}

static inline void mj_wbuf_be32(mj_wbuf *w, uint32_t v)
{
    uint8_t *at = mj_wbuf_reserve(w, 4);
    if (at) mj_put_be32(at, v);
}

static inline void mj_wbuf_zero(mj_wbuf *w, size_t n)
{
    uint8_t *at = mj_wbuf_reserve(w, n);
    if (at && n) memset(at, 0, n);
}

/* Length written, or MJ_ENOSPC (negative) if anything did not fit. */
static inline long mj_wbuf_result(const mj_wbuf *w)
{
    return w->failed ? -3 /* MJ_ENOSPC */ : (long)w->len;
}

/* Appends printf-formatted text (no terminating NUL counted in len, but one
 * is kept after the text when room allows). */
void mj_wbuf_printf(mj_wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
