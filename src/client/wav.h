/* WAV files: a bounded RIFF chunk walker that finds the format and the
 * audio of a WAV file, sample conversion to float, and the header our
 * recorder writes. Pure: no files, no allocation; the caller reads the
 * bytes (src/client/audio_in.c, audio_out.c).
 *
 * Implements the parts of the RIFF/WAVE format that audio tools write
 * (Microsoft "Multimedia Programming Interface and Data Specifications
 * 1.0", the WAVEFORMATEXTENSIBLE addendum, and EBU Tech 3306 RF64 for
 * files over 4 GiB):
 *   "RIFF"/"RF64" <size> "WAVE", then chunks <id><size LE32><data, padded
 *   to even>; "ds64" (RF64: 64-bit RIFF and data sizes); "fmt " with
 *   WAVE_FORMAT_PCM (1), WAVE_FORMAT_IEEE_FLOAT (3) or
 *   WAVE_FORMAT_EXTENSIBLE (0xFFFE) whose sub-format GUID is PCM or float;
 *   "data". Every other chunk (LIST, bext, fact, JUNK, ...) is skipped.
 * Supported samples: PCM 8 (unsigned), 16, 24, 32 bits; float 32 and 64
 * bits; 1..MJ_WAV_MAX_CHANNELS channels; MJ_WAV_MIN_RATE..MJ_WAV_MAX_RATE.
 * Big-endian "RIFX" files are refused.
 *
 * Untrusted input: every size is checked against the bytes given and the
 * file size; the walker looks only at the first `n` bytes (the caller's
 * prefix of the file) and refuses files whose metadata before the audio
 * does not fit in it. Fuzzed by tests/fuzz/fuzz_wav.c. */
#ifndef MJ_CLIENT_WAV_H
#define MJ_CLIENT_WAV_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MJ_WAV_MAX_CHANNELS 8
#define MJ_WAV_MIN_RATE     8000
#define MJ_WAV_MAX_RATE     384000
#define MJ_WAV_HEADER_LEN   44 /* the header mj_wav_header_write makes */

enum mj_wav_format {
    MJ_WAV_PCM = 1,   /* integer samples; 8-bit ones are unsigned */
    MJ_WAV_FLOAT = 3, /* IEEE 754 little-endian */
};

typedef struct mj_wav_info {
    uint16_t format;      /* enum mj_wav_format (EXTENSIBLE resolved) */
    uint16_t channels;    /* 1..MJ_WAV_MAX_CHANNELS */
    uint32_t rate;        /* frames per second */
    uint16_t bits;        /* bits per sample as stored: 8, 16, 24, 32, 64 */
    uint16_t block_align; /* bytes per frame: channels * bits / 8 */
    uint64_t data_offset; /* where the samples start in the file */
    uint64_t data_len;    /* bytes of whole frames, clamped to the file */
    uint64_t frames;      /* data_len / block_align */
    bool rf64;
} mj_wav_info;

/* Parses the header of a WAV file of file_size bytes whose first n bytes
 * (n <= file_size) are at d. On success fills *out (the audio itself may
 * lie beyond d). A data chunk that claims more than the file holds, or
 * whose size is 0 or 0xFFFFFFFF (written by streaming tools that could not
 * seek back), is taken to run to the end of the file. Returns 0 or
 * MJ_EINVAL (not a WAV file, malformed), MJ_EUNSUPP (a valid WAV we do not
 * read: RIFX, another codec, odd sample sizes), MJ_ETRUNC (ends before the
 * audio starts) or MJ_ELIMIT (the metadata before the audio runs past the
 * n bytes given although the file is longer), with *why (optional) set to
 * a short static reason. */
MJ_MUST_USE int mj_wav_parse(const uint8_t *d, size_t n, uint64_t file_size, mj_wav_info *out,
                             const char **why);

/* Converts `frames` frames of samples in the file's layout at in
 * (frames * block_align bytes) to mono floats at out, averaging the
 * channels. Full scale is 1.0; float input is clamped to [-1, 1] and NaN
 * becomes 0, so an encoder never sees a value it cannot take. */
void mj_wav_to_mono(const mj_wav_info *w, const uint8_t *in, size_t frames, float *out);

/* Writes the 44-byte header of a 16-bit PCM file with `data_bytes` of
 * samples (sizes saturate at the 4 GiB RIFF limit). */
void mj_wav_header_write(uint8_t out[MJ_WAV_HEADER_LEN], uint32_t rate, uint16_t channels,
                         uint64_t data_bytes);

#endif
