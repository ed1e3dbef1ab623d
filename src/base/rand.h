/* Cryptographically strong random bytes (OpenSSL's RAND_bytes), and the
 * identifiers built from them. */
#ifndef MJ_BASE_RAND_H
#define MJ_BASE_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf; aborts the process if the system RNG fails, since nothing
 * secure can continue without one. */
void mj_rand_bytes(void *buf, size_t n);
uint32_t mj_rand_u32(void);
uint64_t mj_rand_u64(void);
/* n random characters from [a-zA-Z0-9] plus NUL; out must hold n + 1. */
void mj_rand_alnum(char *out, size_t n);
/* 2*nbytes lowercase hex characters plus NUL. */
void mj_rand_hex(char *out, size_t nbytes);

#endif
