#include "client/wav.h"

#include <math.h>
#include <string.h>

#define WAVE_FORMAT_EXTENSIBLE 0xFFFEu

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static int fail(const char **why, int err, const char *reason)
{
    if (why) *why = reason;
    return err;
}

/* The tail of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT after the 32-bit
 * format tag: {xxxxxxxx-0000-0010-8000-00AA00389B71}. */
static const uint8_t ks_guid_tail[12] = {0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                         0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

static int parse_fmt(const uint8_t *p, uint32_t size, mj_wav_info *out, const char **why)
{
    if (size < 16) return fail(why, MJ_EINVAL, "the fmt chunk is too short");
    uint32_t tag = le16(p);
    out->channels = le16(p + 2);
    out->rate = le32(p + 4);
    out->block_align = le16(p + 12);
    out->bits = le16(p + 14);
    if (tag == WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || le16(p + 16) < 22)
            return fail(why, MJ_EINVAL, "the extensible fmt chunk is too short");
        tag = le32(p + 24);
        if (memcmp(p + 28, ks_guid_tail, sizeof ks_guid_tail) != 0)
            return fail(why, MJ_EUNSUPP, "the WAV sub-format is not PCM or float");
    }
    if (tag != MJ_WAV_PCM && tag != MJ_WAV_FLOAT)
        return fail(why, MJ_EUNSUPP,
                    "only PCM and float WAV files are supported, not compressed ones");
    out->format = (uint16_t)tag;
    if (out->channels == 0) return fail(why, MJ_EINVAL, "the WAV file has no channels");
    if (out->channels > MJ_WAV_MAX_CHANNELS) return fail(why, MJ_EUNSUPP, "more than 8 channels");
    if (out->rate < MJ_WAV_MIN_RATE || out->rate > MJ_WAV_MAX_RATE)
        return fail(why, MJ_EUNSUPP, "the sample rate is outside 8000..384000 Hz");
    bool ok = tag == MJ_WAV_PCM
                  ? (out->bits == 8 || out->bits == 16 || out->bits == 24 || out->bits == 32)
                  : (out->bits == 32 || out->bits == 64);
    if (!ok)
        return fail(why, MJ_EUNSUPP,
                    "unsupported sample size (PCM 8/16/24/32 or float 32/64 bits)");
    if (out->block_align != out->channels * (out->bits / 8))
        return fail(why, MJ_EINVAL, "the block alignment does not match channels and sample size");
    return 0;
}

/* Sets the audio range from the data chunk at body with its declared
 * size, within the file. */
static void take_data(mj_wav_info *out, uint64_t body, uint32_t size, uint64_t ds64_data,
                      uint64_t file_size)
{
    uint64_t avail = file_size > body ? file_size - body : 0;
    uint64_t len = size;
    if (out->rf64 && size == 0xFFFFFFFFu && ds64_data != UINT64_MAX)
        len = ds64_data;
    else if (size == 0xFFFFFFFFu || size == 0)
        len = avail;
    if (len > avail) len = avail;
    len -= len % out->block_align;
    out->data_offset = body;
    out->data_len = len;
    out->frames = len / out->block_align;
}

int mj_wav_parse(const uint8_t *d, size_t n, uint64_t file_size, mj_wav_info *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (file_size < n) file_size = n;
    if (n < 12) return fail(why, MJ_EINVAL, "too short to be a WAV file");
    if (memcmp(d, "RIFX", 4) == 0 && memcmp(d + 8, "WAVE", 4) == 0)
        return fail(why, MJ_EUNSUPP, "big-endian (RIFX) WAV files are not supported");
    out->rf64 = memcmp(d, "RF64", 4) == 0 || memcmp(d, "BW64", 4) == 0;
    if ((memcmp(d, "RIFF", 4) != 0 && !out->rf64) || memcmp(d + 8, "WAVE", 4) != 0)
        return fail(why, MJ_EINVAL, "not a WAV file");
    bool have_fmt = false;
    uint64_t ds64_data = UINT64_MAX;
    uint64_t off = 12;
    for (;;) {
        if (off + 8 > file_size) return fail(why, MJ_ETRUNC, "the file ends before its audio data");
        if (off + 8 > n) return fail(why, MJ_ELIMIT, "too much metadata before the audio data");
        const uint8_t *id = d + off;
        uint32_t size = le32(d + off + 4);
        uint64_t body = off + 8;
        if (memcmp(id, "data", 4) == 0) {
            if (!have_fmt)
                return fail(why, MJ_EINVAL, "the audio data comes before the format chunk");
            take_data(out, body, size, ds64_data, file_size);
            return 0;
        }
        if (body + size > n)
            return body + size > file_size
                       ? fail(why, MJ_ETRUNC, "a chunk runs past the end of the file")
                       : fail(why, MJ_ELIMIT, "too much metadata before the audio data");
        if (memcmp(id, "fmt ", 4) == 0) {
            if (have_fmt) return fail(why, MJ_EINVAL, "two fmt chunks");
            bool rf64 = out->rf64;
            int err = parse_fmt(d + body, size, out, why);
            out->rf64 = rf64;
            if (err) return err;
            have_fmt = true;
        } else if (memcmp(id, "ds64", 4) == 0 && out->rf64 && off == 12) {
            if (size < 24) return fail(why, MJ_EINVAL, "the ds64 chunk is too short");
            ds64_data = le64(d + body + 8);
        }
        off = body + size + (size & 1);
    }
}

static float sample_at(const mj_wav_info *w, const uint8_t *p)
{
    if (w->format == MJ_WAV_FLOAT) {
        double v;
        if (w->bits == 32) {
            uint32_t u = le32(p);
            float f;
            memcpy(&f, &u, sizeof f);
            v = f;
        } else {
            uint64_t u = le64(p);
            memcpy(&v, &u, sizeof v);
        }
        if (isnan(v)) return 0.0f;
        return (float)(v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v);
    }
    switch (w->bits) {
    case 8: return ((float)p[0] - 128.0f) / 128.0f;
    case 16: return (float)(int16_t)le16(p) / 32768.0f;
    case 24: {
        int32_t v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24);
        return (float)(v >> 8) / 8388608.0f;
    }
    default: return (float)((double)(int32_t)le32(p) / 2147483648.0);
    }
}

void mj_wav_to_mono(const mj_wav_info *w, const uint8_t *in, size_t frames, float *out)
{
    size_t bps = w->bits / 8;
    float scale = 1.0f / (float)w->channels;
    for (size_t i = 0; i < frames; i++) {
        const uint8_t *f = in + i * w->block_align;
        float sum = 0.0f;
        for (unsigned c = 0; c < w->channels; c++)
            sum += sample_at(w, f + c * bps);
        out[i] = sum * scale;
    }
}

void mj_wav_header_write(uint8_t out[MJ_WAV_HEADER_LEN], uint32_t rate, uint16_t channels,
                         uint64_t data_bytes)
{
    uint64_t max = 0xFFFFFFFFu - 36;
    uint32_t data = (uint32_t)(data_bytes > max ? max : data_bytes);
    memcpy(out, "RIFF", 4);
    put32(out + 4, 36 + data);
    memcpy(out + 8, "WAVEfmt ", 8);
    put32(out + 16, 16);
    put16(out + 20, MJ_WAV_PCM);
    put16(out + 22, channels);
    put32(out + 24, rate);
    put32(out + 28, rate * channels * 2u);
    put16(out + 32, (uint16_t)(channels * 2u));
    put16(out + 34, 16);
    memcpy(out + 36, "data", 4);
    put32(out + 40, data);
}
