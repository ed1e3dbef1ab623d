/* Clocks, read only by the I/O shells and passed into the cores. */
#ifndef MJ_IO_CLOCK_H
#define MJ_IO_CLOCK_H

#include "base/time.h"

#include <stdint.h>
#include <time.h>

/* Monotonic microseconds. */
static inline mj_time mj_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (mj_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Wall-clock unix seconds (token expiry, database timestamps). */
static inline int64_t mj_clock_unix(void)
{
    return (int64_t)time(NULL);
}

/* Wall-clock unix nanoseconds (RTCP sender reports' NTP time). */
static inline int64_t mj_clock_unix_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wall-clock unix milliseconds (times shown to people). */
static inline int64_t mj_clock_unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
