/* Fuzz target for src/client/wav: the RIFF/WAV header walker with the
 * input as the whole file and as a prefix of a longer one, then the
 * sample conversion over every frame the input holds. The parse must
 * account for the file it was given; converted samples must be finite and
 * within full scale. */
#include "client/wav.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static void check(const uint8_t *d, size_t n, uint64_t file_size)
{
    mj_wav_info w;
    const char *why = NULL;
    int rc = mj_wav_parse(d, n, file_size, &w, &why);
    ASSERT(rc == 0 || rc == MJ_EINVAL || rc == MJ_EUNSUPP || rc == MJ_ETRUNC || rc == MJ_ELIMIT);
    if (rc != 0) {
        ASSERT(why != NULL && why[0] != '\0');
        return;
    }
    ASSERT(w.format == MJ_WAV_PCM || w.format == MJ_WAV_FLOAT);
    ASSERT(w.channels >= 1 && w.channels <= MJ_WAV_MAX_CHANNELS);
    ASSERT(w.rate >= MJ_WAV_MIN_RATE && w.rate <= MJ_WAV_MAX_RATE);
    ASSERT(w.block_align == w.channels * (w.bits / 8));
    ASSERT(w.data_offset >= 20 && w.data_offset <= file_size);
    ASSERT(w.data_len <= file_size - w.data_offset);
    ASSERT(w.data_len == w.frames * w.block_align);
    if (w.data_offset >= n) return;
    size_t frames = (n - (size_t)w.data_offset) / w.block_align;
    if (frames > w.frames) frames = (size_t)w.frames;
    if (frames > 4096) frames = 4096;
    float *out = malloc((frames ? frames : 1) * sizeof *out);
    ASSERT(out);
    mj_wav_to_mono(&w, d + w.data_offset, frames, out);
    for (size_t i = 0; i < frames; i++)
        ASSERT(isfinite(out[i]) && out[i] >= -1.0f && out[i] <= 1.0f);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact-size copies so a read past the end is caught. */
    uint8_t *d = calloc(size ? size : 1, 1);
    if (!d) return 0;
    if (size) memcpy(d, data, size);
    check(d, size, size);
    check(d, size, (uint64_t)size + 1000000);
    if (size > 16) check(d, size / 2, size);
    free(d);
    return 0;
}
