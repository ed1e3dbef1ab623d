/* Tests for src/client/audio_in and audio_out: files written by the
 * recorder read back by the speaker, with resampling, downmixing and Ogg
 * Opus both ways. Files go to a temporary directory. */
#include "test.h"

#include "client/analyze.h"
#include "client/audio_in.h"
#include "client/audio_out.h"
#include "client/wav.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/majlis-audio-test-XXXXXX";

static void path_in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static float *read_all(const char *path, size_t *n, mj_audio_info *info)
{
    mj_audio_in *in;
    char err[600];
    if (mj_audio_in_open(path, &in, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    *info = *mj_audio_in_info(in);
    size_t cap = 48000 * 4;
    float *pcm = malloc(cap * sizeof *pcm);
    long got = mj_audio_in_read(in, pcm, cap);
    *n = got > 0 ? (size_t)got : 0;
    mj_audio_in_close(in);
    return pcm;
}

/* A 16-bit stereo WAV at `rate` with a `hz` tone on both channels. */
static void write_tone_wav(const char *path, uint32_t rate, double hz, double seconds)
{
    size_t frames = (size_t)(rate * seconds);
    FILE *f = fopen(path, "wb");
    uint8_t h[MJ_WAV_HEADER_LEN];
    mj_wav_header_write(h, rate, 2, frames * 4);
    fwrite(h, 1, sizeof h, f);
    for (size_t i = 0; i < frames; i++) {
        int16_t s = (int16_t)lrint(16000 * sin(2 * M_PI * hz * (double)i / rate));
        uint8_t b[4] = {(uint8_t)s, (uint8_t)((uint16_t)s >> 8), (uint8_t)s,
                        (uint8_t)((uint16_t)s >> 8)};
        fwrite(b, 1, 4, f);
    }
    fclose(f);
}

TEST(wav_44k1_stereo_is_resampled_to_48k_mono)
{
    char p[256];
    path_in_dir(p, sizeof p, "tone44.wav");
    write_tone_wav(p, 44100, 440, 2.0);
    size_t n;
    mj_audio_info info;
    float *pcm = read_all(p, &n, &info);
    REQUIRE(pcm != NULL);
    CHECK_STR(info.kind, "WAV");
    CHECK_EQ(info.rate, 44100);
    CHECK_EQ(info.channels, 2);
    CHECK(fabs(info.seconds - 2.0) < 1e-9);
    CHECK(n > 95000 && n <= 96100); /* 2 s at 48 kHz, give or take the filter */
    CHECK(fabs(mj_analyze_peak_hz(pcm + 24000, 24000, 48000, 20, 8000) - 440) <= 1.0);
    CHECK(fabs(mj_analyze_rms_db(pcm + 24000, 24000) - 20 * log10(16000 / 32768.0 / sqrt(2))) <
          0.3);
    free(pcm);
}

TEST(recorder_wav_and_ogg_read_back)
{
    static float tone[48000];
    for (int i = 0; i < 48000; i++)
        tone[i] = (float)(0.4 * sin(2 * M_PI * 880 * i / 48000.0));
    const char *names[] = {"rec.wav", "rec.ogg"};
    for (int k = 0; k < 2; k++) {
        char p[256], err[600];
        path_in_dir(p, sizeof p, names[k]);
        mj_audio_out *o;
        REQUIRE(mj_audio_out_open(p, &o, err, sizeof err) == 0);
        for (int f = 0; f < 50; f++)
            REQUIRE(mj_audio_out_write(o, tone + f * 960, 960, err, sizeof err) == 0);
        CHECK_EQ(mj_audio_out_samples(o), 48000);
        REQUIRE(mj_audio_out_close(o, err, sizeof err) == 0);
        size_t n;
        mj_audio_info info;
        float *pcm = read_all(p, &n, &info);
        REQUIRE(pcm != NULL);
        CHECK_STR(info.kind, k == 0 ? "WAV" : "Ogg Opus");
        CHECK_EQ(info.rate, 48000);
        CHECK_EQ(info.channels, 1);
        CHECK(n >= 47000 && n <= 48000);
        CHECK(fabs(mj_analyze_peak_hz(pcm + 12000, 24000, 48000, 20, 8000) - 880) <= 1.0);
        free(pcm);
    }
}

TEST(rewind_and_clear_errors)
{
    char p[256], err[600];
    path_in_dir(p, sizeof p, "short.wav");
    write_tone_wav(p, 48000, 300, 0.05); /* 2400 frames */
    mj_audio_in *in;
    REQUIRE(mj_audio_in_open(p, &in, err, sizeof err) == 0);
    float buf[3000];
    CHECK_EQ(mj_audio_in_read(in, buf, 3000), 2400);
    CHECK_EQ(mj_audio_in_read(in, buf, 3000), 0);
    REQUIRE(mj_audio_in_rewind(in) == 0);
    CHECK_EQ(mj_audio_in_read(in, buf, 1000), 1000);
    mj_audio_in_close(in);

    path_in_dir(p, sizeof p, "missing.wav");
    CHECK(mj_audio_in_open(p, &in, err, sizeof err) != 0);
    CHECK(strstr(err, "No such file") != NULL);
    path_in_dir(p, sizeof p, "text.wav");
    FILE *f = fopen(p, "w");
    fputs("this is not audio at all", f);
    fclose(f);
    CHECK(mj_audio_in_open(p, &in, err, sizeof err) != 0);
    CHECK(strstr(err, "neither a WAV nor an Ogg Opus") != NULL);
    path_in_dir(p, sizeof p, "vorbis.ogg");
    f = fopen(p, "w");
    fputs("OggS\0\2 not really an opus stream", f);
    fclose(f);
    CHECK(mj_audio_in_open(p, &in, err, sizeof err) != 0);
    CHECK(strstr(err, "Ogg Opus") != NULL);
    CHECK(mj_audio_out_open("/nonexistent-dir/x.wav", (mj_audio_out **)&in, err, sizeof err) != 0);
    CHECK(!mj_audio_out_name_ok("x.mp3"));
    CHECK(mj_audio_out_name_ok("x.OGG"));
}

static void run_all(void);

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    run_all();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return mj_test_failures ? 1 : 0;
}

static void run_all(void)
{
    static const mj_test_case cases[] = {
        {"wav_44k1_stereo_is_resampled_to_48k_mono", wav_44k1_stereo_is_resampled_to_48k_mono},
        {"recorder_wav_and_ogg_read_back", recorder_wav_and_ogg_read_back},
        {"rewind_and_clear_errors", rewind_and_clear_errors},
    };
    mj_test_run(__FILE__, cases, sizeof cases / sizeof cases[0]);
}
