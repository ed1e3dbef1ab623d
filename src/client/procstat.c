#include "client/procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int mj_proc_parse_stat(const char *text, size_t n, uint64_t *utime, uint64_t *stime)
{
    /* The comm field ends at the LAST ')' (it may contain one itself). */
    const char *end = text + n;
    const char *p = NULL;
    for (const char *q = text; q < end; q++)
        if (*q == ')') p = q;
    if (!p) return MJ_EINVAL;
    p++;
    /* Fields after comm: state is field 3, utime 14, stime 15. */
    uint64_t vals[2] = {0, 0};
    int field = 2;
    while (p < end && field < 15) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end) break;
        field++;
        const char *tok = p;
        while (p < end && *p != ' ' && *p != '\n')
            p++;
        if (field == 14 || field == 15) {
            uint64_t v = 0;
            if (tok == p) return MJ_EINVAL;
            for (const char *c = tok; c < p; c++) {
                if (*c < '0' || *c > '9' || v > UINT64_MAX / 10 - 9) return MJ_EINVAL;
                v = v * 10 + (uint64_t)(*c - '0');
            }
            vals[field - 14] = v;
        }
        if (p < end && *p == '\n') break;
    }
    if (field < 15) return MJ_EINVAL;
    *utime = vals[0];
    *stime = vals[1];
    return 0;
}

int mj_proc_parse_status(const char *text, size_t n, const char *key, uint64_t *kib)
{
    size_t klen = strlen(key);
    const char *end = text + n;
    const char *line = text;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *lend = nl ? nl : end;
        if ((size_t)(lend - line) > klen && memcmp(line, key, klen) == 0 && line[klen] == ':') {
            const char *p = line + klen + 1;
            while (p < lend && (*p == ' ' || *p == '\t'))
                p++;
            if (p == lend || *p < '0' || *p > '9') return MJ_EINVAL;
            uint64_t v = 0;
            while (p < lend && *p >= '0' && *p <= '9') {
                if (v > UINT64_MAX / 10 - 9) return MJ_EINVAL;
                v = v * 10 + (uint64_t)(*p++ - '0');
            }
            *kib = v;
            return 0;
        }
        line = lend + 1;
    }
    return MJ_ENOTFOUND;
}

static long read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT || errno == ESRCH ? MJ_ENOTFOUND : MJ_EIO;
    size_t len = 0;
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    return (long)len;
}

int mj_proc_read(int pid, mj_proc_sample *out)
{
    char path[64], buf[4096];
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    long n = read_small(path, buf, sizeof buf);
    if (n < 0) return (int)n;
    uint64_t ut, st;
    if (mj_proc_parse_stat(buf, (size_t)n, &ut, &st) != 0) return MJ_EINVAL;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0) hz = 100;
    out->cpu_us = (ut + st) * 1000000u / (uint64_t)hz;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    n = read_small(path, buf, sizeof buf);
    if (n < 0) return (int)n;
    if (mj_proc_parse_status(buf, (size_t)n, "VmRSS", &out->rss_kib) != 0) return MJ_EINVAL;
    if (mj_proc_parse_status(buf, (size_t)n, "VmHWM", &out->hwm_kib) != 0)
        out->hwm_kib = out->rss_kib;
    return 0;
}

uint64_t mj_proc_self_cpu_us(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec +
           (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
}
