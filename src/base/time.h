/* Time as the sans-IO cores see it: a monotonic count of microseconds that
 * the I/O shell reads from the clock and passes in. Cores never read a
 * clock themselves (OpenSSL's DTLS timer is the one documented exception). */
#ifndef MJ_BASE_TIME_H
#define MJ_BASE_TIME_H

#include <stdint.h>

typedef int64_t mj_time; /* microseconds, monotonic, arbitrary epoch */

#define MJ_TIME_NEVER INT64_MAX
#define MJ_MSEC(x)    ((mj_time)(x)*1000)
#define MJ_SEC(x)     ((mj_time)(x)*1000000)

static inline mj_time mj_time_min(mj_time a, mj_time b)
{
    return a < b ? a : b;
}

#endif
