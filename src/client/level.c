#include "client/level.h"

#include <math.h>

uint8_t mj_level_from_pcm(const float *pcm, size_t n)
{
    if (n == 0) return MJ_LEVEL_SILENCE;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    double rms = sqrt(sum / (double)n);
    /* Below -127 dBov (and for NaN) the answer is silence. */
    if (!(rms > 4.5e-7)) return MJ_LEVEL_SILENCE;
    double level = -20.0 * log10(rms);
    if (level <= 0.0) return 0;
    long r = lround(level);
    return (uint8_t)(r > MJ_LEVEL_SILENCE ? MJ_LEVEL_SILENCE : r);
}
