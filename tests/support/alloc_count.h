/* Counts every heap allocation in the process (malloc, calloc, realloc,
 * from our code, OpenSSL or any other library), for tests that check a
 * path allocates nothing. Header-only; include it in one file of a test.
 *
 * With AddressSanitizer the count comes from its allocator hook, which
 * sees every allocation; without, malloc, calloc and realloc are replaced
 * by counting wrappers over glibc's. Counting starts with
 * alloc_count_start(). */
#ifndef MJ_TESTS_ALLOC_COUNT_H
#define MJ_TESTS_ALLOC_COUNT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_COUNT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_COUNT_ASAN 1
#endif
#endif

static volatile unsigned long long alloc_count_n;
static volatile int alloc_count_on;

#ifdef ALLOC_COUNT_ASAN
#include <sanitizer/allocator_interface.h>

static void alloc_count_malloc_hook(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (alloc_count_on) alloc_count_n++;
}

static void alloc_count_free_hook(const volatile void *p)
{
    (void)p;
}

static inline int alloc_count_start(void)
{
    alloc_count_on = 1;
    return __sanitizer_install_malloc_and_free_hooks(alloc_count_malloc_hook,
                                                     alloc_count_free_hook) > 0
               ? 0
               : -1;
}
#else
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
    if (alloc_count_on) alloc_count_n++;
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    if (alloc_count_on) alloc_count_n++;
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    if (alloc_count_on) alloc_count_n++;
    return __libc_realloc(p, n);
}

static inline int alloc_count_start(void)
{
    alloc_count_on = 1;
    return 0;
}
#endif

/* Allocations since the process started counting. */
static inline unsigned long long alloc_count(void)
{
    return alloc_count_n;
}

#endif
