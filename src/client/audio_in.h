/* Audio files in, as 48 kHz mono float for the Opus encoder: WAV (any
 * rate from 8 to 384 kHz, PCM 8/16/24/32-bit or float, any channel count
 * up to 8, downmixed, resampled with soxr) or Ogg Opus (decoded with
 * libopusfile, which applies pre-skip and output gain and follows chained
 * streams; stereo and multichannel are downmixed).
 *
 * Why Ogg Opus is decoded and encoded again rather than its packets
 * passed through: the speaker must send an RFC 6464 level with every
 * packet, which needs the decoded audio anyway; the SFU's slot rewrite
 * and our pacing assume 20 ms packets, while a file may hold 2.5-120 ms
 * ones, multistream (surround) packets or chained streams; and one path
 * for both formats is one thing to test. The cost is one generation of
 * transcoding at 64 kbit/s, which speech does not notice, and a little
 * CPU (well under 1% of a core).
 *
 * Shell code: reads files. Ownership: the caller owns the mj_audio_in. */
#ifndef MJ_CLIENT_AUDIO_IN_H
#define MJ_CLIENT_AUDIO_IN_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_AUDIO_RATE 48000

typedef struct mj_audio_in mj_audio_in;

typedef struct mj_audio_info {
    const char *kind;  /* "WAV" or "Ogg Opus" */
    uint32_t rate;     /* the file's rate (Opus: 48000) */
    unsigned channels; /* the file's channels */
    unsigned bits;     /* WAV: bits per sample; 0 for Opus */
    double seconds;    /* duration, or -1 when unknown */
} mj_audio_info;

/* Opens and checks a file. On failure *out is NULL and err holds a
 * sentence that names the file and what is wrong with it. */
MJ_MUST_USE int mj_audio_in_open(const char *path, mj_audio_in **out, char *err, size_t cap);
/* Reads up to n samples (48 kHz mono, full scale 1.0). Returns how many:
 * fewer than n only at the end of the file (0 after it), or a negative
 * error with mj_audio_in_error() saying what. */
long mj_audio_in_read(mj_audio_in *a, float *out, size_t n);
/* Back to the start (for --loop). */
MJ_MUST_USE int mj_audio_in_rewind(mj_audio_in *a);
const mj_audio_info *mj_audio_in_info(const mj_audio_in *a);
const char *mj_audio_in_error(const mj_audio_in *a);
void mj_audio_in_close(mj_audio_in *a);

#endif
