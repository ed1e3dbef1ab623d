/* Tests for src/client/wav: the RIFF chunk walker, sample conversion and
 * the header our recorder writes. */
#include "test.h"

#include "client/wav.h"

#include <math.h>

/* Builds a WAV in buf: RIFF header, optional chunks before fmt, fmt (16
 * or 40 bytes), data of `data_len` bytes of pattern. Returns its length. */
typedef struct wav_spec {
    const char *riff;
    uint16_t tag, channels, bits;
    uint32_t rate;
    bool extensible;
    uint16_t sub_tag;
    bool junk_before; /* an odd-sized LIST chunk, padded */
    uint32_t data_len, declared;
    bool declare;
} wav_spec;

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, (uint16_t)v);
    le16(p + 2, (uint16_t)(v >> 16));
}

static size_t build(uint8_t *buf, const wav_spec *s)
{
    size_t o = 0;
    memcpy(buf, s->riff ? s->riff : "RIFF", 4);
    memcpy(buf + 8, "WAVE", 4);
    o = 12;
    if (s->junk_before) {
        memcpy(buf + o, "LIST", 4);
        le32(buf + o + 4, 5);
        memcpy(buf + o + 8, "abcde\0", 6);
        o += 14;
    }
    uint16_t align = (uint16_t)(s->channels * s->bits / 8);
    memcpy(buf + o, "fmt ", 4);
    le32(buf + o + 4, s->extensible ? 40 : 16);
    le16(buf + o + 8, s->extensible ? 0xFFFE : s->tag);
    le16(buf + o + 10, s->channels);
    le32(buf + o + 12, s->rate);
    le32(buf + o + 16, s->rate * align);
    le16(buf + o + 20, align);
    le16(buf + o + 22, s->bits);
    o += 24;
    if (s->extensible) {
        static const uint8_t tail[12] = {0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                         0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
        le16(buf + o, 22);
        le16(buf + o + 2, s->bits);
        le32(buf + o + 4, 3);
        le32(buf + o + 8, s->sub_tag);
        memcpy(buf + o + 12, tail, 12);
        o += 24;
    }
    memcpy(buf + o, "data", 4);
    le32(buf + o + 4, s->declare ? s->declared : s->data_len);
    o += 8;
    for (uint32_t i = 0; i < s->data_len; i++)
        buf[o + i] = (uint8_t)(i * 7);
    o += s->data_len;
    le32(buf + 4, (uint32_t)(o - 8));
    return o;
}

TEST(pcm16_stereo_with_chunk_before_fmt)
{
    uint8_t buf[512];
    wav_spec s = {
        .tag = 1, .channels = 2, .bits = 16, .rate = 44100, .junk_before = true, .data_len = 40};
    size_t n = build(buf, &s);
    mj_wav_info w;
    const char *why = NULL;
    REQUIRE(mj_wav_parse(buf, n, n, &w, &why) == 0);
    CHECK_EQ(w.format, MJ_WAV_PCM);
    CHECK_EQ(w.channels, 2);
    CHECK_EQ(w.rate, 44100);
    CHECK_EQ(w.bits, 16);
    CHECK_EQ(w.block_align, 4);
    CHECK_EQ(w.data_offset, n - 40);
    CHECK_EQ(w.frames, 10);
}

TEST(extensible_float_and_pcm24)
{
    uint8_t buf[512];
    wav_spec s = {
        .channels = 1, .bits = 32, .rate = 48000, .extensible = true, .sub_tag = 3, .data_len = 16};
    size_t n = build(buf, &s);
    mj_wav_info w;
    REQUIRE(mj_wav_parse(buf, n, n, &w, NULL) == 0);
    CHECK_EQ(w.format, MJ_WAV_FLOAT);
    CHECK_EQ(w.frames, 4);
    s = (wav_spec){
        .channels = 2, .bits = 24, .rate = 96000, .extensible = true, .sub_tag = 1, .data_len = 60};
    n = build(buf, &s);
    REQUIRE(mj_wav_parse(buf, n, n, &w, NULL) == 0);
    CHECK_EQ(w.format, MJ_WAV_PCM);
    CHECK_EQ(w.bits, 24);
    CHECK_EQ(w.frames, 10);
}

TEST(data_size_clamped_and_streaming_sizes)
{
    uint8_t buf[512];
    mj_wav_info w;
    /* Declares more than the file holds: take what is there, in frames. */
    wav_spec s = {.tag = 1,
                  .channels = 2,
                  .bits = 16,
                  .rate = 8000,
                  .data_len = 42,
                  .declare = true,
                  .declared = 100000};
    size_t n = build(buf, &s);
    REQUIRE(mj_wav_parse(buf, n, n, &w, NULL) == 0);
    CHECK_EQ(w.data_len, 40);
    CHECK_EQ(w.frames, 10);
    /* 0 and 0xFFFFFFFF: written by tools that could not seek back. */
    s.declared = 0xFFFFFFFFu;
    n = build(buf, &s);
    REQUIRE(mj_wav_parse(buf, n, n, &w, NULL) == 0);
    CHECK_EQ(w.frames, 10);
    s.declared = 0;
    n = build(buf, &s);
    REQUIRE(mj_wav_parse(buf, n, n, &w, NULL) == 0);
    CHECK_EQ(w.frames, 10);
    /* The audio may lie beyond the prefix we were given. */
    s.declare = false;
    n = build(buf, &s);
    REQUIRE(mj_wav_parse(buf, n - 42, n, &w, NULL) == 0);
    CHECK_EQ(w.frames, 10);
}

TEST(refusals_have_reasons)
{
    uint8_t buf[512];
    mj_wav_info w;
    const char *why = NULL;
    CHECK_EQ(mj_wav_parse((const uint8_t *)"RIFF", 4, 4, &w, &why), MJ_EINVAL);
    wav_spec s = {.tag = 1, .channels = 2, .bits = 16, .rate = 44100, .data_len = 8};
    size_t n = build(buf, &s);
    memcpy(buf + 8, "AVI ", 4);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EINVAL);
    s.riff = "RIFX";
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EUNSUPP);
    CHECK(strstr(why, "RIFX") != NULL);
    s = (wav_spec){.tag = 0x55, .channels = 1, .bits = 16, .rate = 44100, .data_len = 8}; /* MP3 */
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EUNSUPP);
    s = (wav_spec){.tag = 1, .channels = 1, .bits = 12, .rate = 44100, .data_len = 8};
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EUNSUPP);
    s = (wav_spec){.tag = 1, .channels = 1, .bits = 16, .rate = 1000, .data_len = 8};
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EUNSUPP);
    s = (wav_spec){.tag = 1, .channels = 9, .bits = 16, .rate = 8000, .data_len = 18};
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EUNSUPP);
    s = (wav_spec){.tag = 1, .channels = 0, .bits = 16, .rate = 8000, .data_len = 8};
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_EINVAL);
    /* Cut inside fmt: truncated; a prefix shorter than the metadata of a
     * longer file: a limit, not corruption. */
    s = (wav_spec){.tag = 1, .channels = 1, .bits = 16, .rate = 8000, .data_len = 8};
    n = build(buf, &s);
    CHECK_EQ(mj_wav_parse(buf, 30, 30, &w, &why), MJ_ETRUNC);
    CHECK_EQ(mj_wav_parse(buf, 30, n, &w, &why), MJ_ELIMIT);
    /* No data chunk at all. */
    CHECK_EQ(mj_wav_parse(buf, 36, 36, &w, &why), MJ_ETRUNC);
    /* A huge chunk size before fmt must not wrap anything. */
    s = (wav_spec){
        .tag = 1, .channels = 1, .bits = 16, .rate = 8000, .junk_before = true, .data_len = 8};
    n = build(buf, &s);
    le32(buf + 16, 0xFFFFFFF0u);
    CHECK_EQ(mj_wav_parse(buf, n, n, &w, &why), MJ_ETRUNC);
}

TEST(samples_to_mono_float)
{
    mj_wav_info w = {
        .format = MJ_WAV_PCM, .channels = 2, .rate = 8000, .bits = 16, .block_align = 4};
    const uint8_t s16[] = {0x00, 0x40, 0x00, 0xC0, /* 0.5, -0.5 */
                           0xFF, 0x7F, 0xFF, 0x7F};
    float out[2];
    mj_wav_to_mono(&w, s16, 2, out);
    CHECK(fabsf(out[0]) < 1e-6f);
    CHECK(fabsf(out[1] - 32767.0f / 32768.0f) < 1e-6f);
    w = (mj_wav_info){.format = MJ_WAV_PCM, .channels = 1, .bits = 24, .block_align = 3};
    const uint8_t s24[] = {0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F};
    mj_wav_to_mono(&w, s24, 2, out);
    CHECK(fabsf(out[0] + 1.0f) < 1e-6f);
    CHECK(out[1] > 0.9999f);
    w = (mj_wav_info){.format = MJ_WAV_PCM, .channels = 1, .bits = 8, .block_align = 1};
    const uint8_t s8[] = {0x80, 0x00};
    mj_wav_to_mono(&w, s8, 2, out);
    CHECK(fabsf(out[0]) < 1e-6f);
    CHECK(fabsf(out[1] + 1.0f) < 1e-6f);
    w = (mj_wav_info){.format = MJ_WAV_FLOAT, .channels = 1, .bits = 32, .block_align = 4};
    float f[2] = {NAN, 7.0f};
    mj_wav_to_mono(&w, (const uint8_t *)f, 2, out);
    CHECK(out[0] == 0.0f); /* NaN never reaches the encoder */
    CHECK(out[1] == 1.0f);
    w = (mj_wav_info){.format = MJ_WAV_PCM, .channels = 1, .bits = 32, .block_align = 4};
    const uint8_t s32[] = {0x00, 0x00, 0x00, 0x40};
    mj_wav_to_mono(&w, s32, 1, out);
    CHECK(fabsf(out[0] - 0.5f) < 1e-6f);
}

TEST(written_header_parses_back)
{
    uint8_t buf[MJ_WAV_HEADER_LEN + 8] = {0};
    mj_wav_header_write(buf, 48000, 1, 8);
    mj_wav_info w;
    REQUIRE(mj_wav_parse(buf, sizeof buf, sizeof buf, &w, NULL) == 0);
    CHECK_EQ(w.rate, 48000);
    CHECK_EQ(w.channels, 1);
    CHECK_EQ(w.bits, 16);
    CHECK_EQ(w.frames, 4);
    CHECK_EQ(w.data_offset, MJ_WAV_HEADER_LEN);
}

TEST_MAIN(pcm16_stereo_with_chunk_before_fmt, extensible_float_and_pcm24,
          data_size_clamped_and_streaming_sizes, refusals_have_reasons, samples_to_mono_float,
          written_header_parses_back)
