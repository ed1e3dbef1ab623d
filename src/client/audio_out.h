/* Recordings out: 48 kHz mono to a WAV file (16-bit PCM; the header is
 * rewritten every second and on close, so a recorder that is killed still
 * leaves a playable file) or to Ogg Opus (libopusenc, 64 kbit/s), chosen
 * by the file name's extension (.wav; .ogg or .opus).
 *
 * Shell code: writes files. Ownership: the caller owns the mj_audio_out
 * until mj_audio_out_close, which frees it. */
#ifndef MJ_CLIENT_AUDIO_OUT_H
#define MJ_CLIENT_AUDIO_OUT_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mj_audio_out mj_audio_out;

/* True for names mj_audio_out_open takes. */
bool mj_audio_out_name_ok(const char *path);
MJ_MUST_USE int mj_audio_out_open(const char *path, mj_audio_out **out, char *err, size_t cap);
/* Appends n samples (48 kHz mono, full scale 1.0). */
MJ_MUST_USE int mj_audio_out_write(mj_audio_out *o, const float *pcm, size_t n, char *err,
                                   size_t cap);
/* Samples written so far. */
uint64_t mj_audio_out_samples(const mj_audio_out *o);
/* Finishes the file and frees o (also on failure). */
MJ_MUST_USE int mj_audio_out_close(mj_audio_out *o, char *err, size_t cap);

#endif
