/* Reading a test fixture (tests/fixtures/...) from the source tree or the
 * working directory, for the unit tests. */
#ifndef MJ_TEST_FIXTURE_H
#define MJ_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#ifndef MJ_SOURCE_DIR
#define MJ_SOURCE_DIR "."
#endif

/* Reads tests/fixtures/<dir>/<name> into buf (at most cap - 1 bytes, then
 * a NUL); returns its length. A missing fixture ends the test program. */
static inline size_t mj_fixture_read(const char *dir, const char *name, char *buf, size_t cap)
{
    char path[512];
    FILE *f = NULL;
    const char *roots[] = {"tests/fixtures", MJ_SOURCE_DIR "/tests/fixtures"};
    for (size_t i = 0; i < 2 && !f; i++) {
        snprintf(path, sizeof path, "%s/%s/%s", roots[i], dir, name);
        f = fopen(path, "rb");
    }
    if (!f) {
        fprintf(stderr, "cannot open fixture %s/%s\n", dir, name);
        exit(1);
    }
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

#endif
