/* CPU time and resident memory of a process, from /proc (proc(5)): the
 * load generator samples the server it measures (--server-pid) and
 * itself. The parsers are pure and tested; mj_proc_read does the I/O. */
#ifndef MJ_CLIENT_PROCSTAT_H
#define MJ_CLIENT_PROCSTAT_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_proc_sample {
    uint64_t cpu_us;  /* utime + stime */
    uint64_t rss_kib; /* VmRSS */
    uint64_t hwm_kib; /* VmHWM: peak resident */
} mj_proc_sample;

/* utime and stime (fields 14 and 15, in clock ticks) of a
 * /proc/PID/stat line, whose comm field may hold spaces and parentheses.
 * 0 or MJ_EINVAL. */
MJ_MUST_USE int mj_proc_parse_stat(const char *text, size_t n, uint64_t *utime, uint64_t *stime);
/* The number of a "Key:   123 kB" line of /proc/PID/status. 0,
 * MJ_ENOTFOUND or MJ_EINVAL. */
MJ_MUST_USE int mj_proc_parse_status(const char *text, size_t n, const char *key, uint64_t *kib);

/* Reads /proc/PID/stat and /proc/PID/status. 0, or MJ_ENOTFOUND when
 * the process is gone, MJ_EIO, MJ_EINVAL. */
MJ_MUST_USE int mj_proc_read(int pid, mj_proc_sample *out);
/* This process's CPU time (getrusage), in microseconds. */
uint64_t mj_proc_self_cpu_us(void);

#endif
