/* RFC 6464 audio levels from PCM, for the client-to-mixer header
 * extension our speakers send (the SFU gives a slot to packets at or
 * below level 70, i.e. louder than -70 dBov).
 *
 * The level is the frame's RMS in dBov, negated and rounded, 0..127:
 * RFC 6464 §3 says dBov is relative to the overload point, which for
 * float samples is 1.0, so a full-scale sine (RMS 0.707) is level 3 and
 * digital silence is 127. The V (voice activity) flag comes from a plain
 * energy threshold: a speech detector would do better, but the SFU only
 * looks at the level. Pure. */
#ifndef MJ_CLIENT_LEVEL_H
#define MJ_CLIENT_LEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_LEVEL_SILENCE 127
/* Frames at or below this level (-50 dBov and louder) carry V=1. */
#define MJ_LEVEL_VOICE_MAX 50

/* Level of n samples (full scale 1.0); MJ_LEVEL_SILENCE for n == 0. */
uint8_t mj_level_from_pcm(const float *pcm, size_t n);

static inline bool mj_level_voice(uint8_t level)
{
    return level <= MJ_LEVEL_VOICE_MAX;
}

#endif
