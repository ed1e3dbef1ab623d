#include "base/rand.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

void mj_rand_bytes(void *buf, size_t n)
{
    if (n == 0) return;
    if (RAND_bytes((unsigned char *)buf, (int)n) != 1) {
        fputs("fatal: system random number generator failed\n", stderr);
        abort();
    }
}

uint32_t mj_rand_u32(void)
{
    uint32_t v;
    mj_rand_bytes(&v, sizeof v);
    return v;
}

uint64_t mj_rand_u64(void)
{
    uint64_t v;
    mj_rand_bytes(&v, sizeof v);
    return v;
}

void mj_rand_alnum(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t i = 0;
    while (i < n) {
        uint8_t chunk[32];
        mj_rand_bytes(chunk, sizeof chunk);
        for (size_t j = 0; j < sizeof chunk && i < n; j++) {
            /* Rejection sampling keeps every character equally likely. */
            if (chunk[j] < 248) out[i++] = alphabet[chunk[j] % 62];
        }
    }
    out[n] = '\0';
}

void mj_rand_hex(char *out, size_t nbytes)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t b[64];
    size_t done = 0;
    while (done < nbytes) {
        size_t take = nbytes - done < sizeof b ? nbytes - done : sizeof b;
        mj_rand_bytes(b, take);
        for (size_t i = 0; i < take; i++) {
            out[2 * (done + i)] = digits[b[i] >> 4];
            out[2 * (done + i) + 1] = digits[b[i] & 15];
        }
        done += take;
    }
    out[2 * nbytes] = '\0';
}
