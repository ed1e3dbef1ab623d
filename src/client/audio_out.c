#include "client/audio_out.h"

#include "client/audio_in.h"
#include "client/wav.h"

#include <errno.h>
#include <math.h>
#include <opusenc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_EVERY MJ_AUDIO_RATE /* samples: rewrite the WAV header each second */
#define OGG_BITRATE  64000

struct mj_audio_out {
    char path[512];
    FILE *f;         /* WAV */
    OggOpusEnc *enc; /* Ogg Opus */
    OggOpusComments *comments;
    uint64_t samples, since_header;
};

static const char *ext_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot : "";
}

static bool is_wav(const char *path)
{
    return strcasecmp(ext_of(path), ".wav") == 0;
}

bool mj_audio_out_name_ok(const char *path)
{
    const char *e = ext_of(path);
    return is_wav(path) || strcasecmp(e, ".ogg") == 0 || strcasecmp(e, ".opus") == 0;
}

static int write_header(mj_audio_out *o)
{
    uint8_t h[MJ_WAV_HEADER_LEN];
    mj_wav_header_write(h, MJ_AUDIO_RATE, 1, o->samples * 2);
    if (fseeko(o->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, o->f) != sizeof h ||
        fseeko(o->f, 0, SEEK_END) != 0 || fflush(o->f) != 0)
        return MJ_EIO;
    o->since_header = 0;
    return 0;
}

int mj_audio_out_open(const char *path, mj_audio_out **out, char *err, size_t cap)
{
    *out = NULL;
    if (!mj_audio_out_name_ok(path)) {
        snprintf(err, cap, "%s: the output must end in .wav, .ogg or .opus", path);
        return MJ_EINVAL;
    }
    mj_audio_out *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, cap, "out of memory");
        return MJ_ENOMEM;
    }
    snprintf(o->path, sizeof o->path, "%s", path);
    if (is_wav(path)) {
        o->f = fopen(path, "wb");
        if (!o->f || write_header(o) != 0) {
            snprintf(err, cap, "cannot create %s: %s", path, strerror(errno));
            if (o->f) fclose(o->f);
            free(o);
            return MJ_EIO;
        }
        *out = o;
        return 0;
    }
    int e = 0;
    o->comments = ope_comments_create();
    if (o->comments) ope_comments_add(o->comments, "ENCODER", "majlis bot record");
    o->enc =
        o->comments ? ope_encoder_create_file(path, o->comments, MJ_AUDIO_RATE, 1, 0, &e) : NULL;
    if (!o->enc) {
        snprintf(err, cap, "cannot create %s: %s", path,
                 e == OPE_CANNOT_OPEN ? strerror(errno) : ope_strerror(e));
        if (o->comments) ope_comments_destroy(o->comments);
        free(o);
        return MJ_EIO;
    }
    ope_encoder_ctl(o->enc, OPUS_SET_BITRATE(OGG_BITRATE));
    *out = o;
    return 0;
}

int mj_audio_out_write(mj_audio_out *o, const float *pcm, size_t n, char *err, size_t cap)
{
    if (o->enc) {
        int e = ope_encoder_write_float(o->enc, pcm, (int)n);
        if (e != OPE_OK) {
            snprintf(err, cap, "cannot write %s: %s", o->path, ope_strerror(e));
            return MJ_EIO;
        }
        o->samples += n;
        return 0;
    }
    int16_t buf[1024];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < 1024 ? n - done : 1024;
        for (size_t i = 0; i < k; i++) {
            float v = pcm[done + i] * 32768.0f;
            v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
            int16_t s = (int16_t)lrintf(v);
            uint8_t *b = (uint8_t *)&buf[i]; /* little-endian on every host */
            b[0] = (uint8_t)s;
            b[1] = (uint8_t)((uint16_t)s >> 8);
        }
        if (fwrite(buf, 2, k, o->f) != k) {
            snprintf(err, cap, "cannot write %s: %s", o->path, strerror(errno));
            return MJ_EIO;
        }
        done += k;
    }
    o->samples += n;
    o->since_header += n;
    if (o->since_header >= HEADER_EVERY && write_header(o) != 0) {
        snprintf(err, cap, "cannot write %s: %s", o->path, strerror(errno));
        return MJ_EIO;
    }
    return 0;
}

uint64_t mj_audio_out_samples(const mj_audio_out *o)
{
    return o->samples;
}

int mj_audio_out_close(mj_audio_out *o, char *err, size_t cap)
{
    int rc = 0;
    if (o->enc) {
        int e = ope_encoder_drain(o->enc);
        if (e != OPE_OK) {
            snprintf(err, cap, "cannot finish %s: %s", o->path, ope_strerror(e));
            rc = MJ_EIO;
        }
        ope_encoder_destroy(o->enc);
        ope_comments_destroy(o->comments);
    } else {
        if (write_header(o) != 0) {
            snprintf(err, cap, "cannot finish %s: %s", o->path, strerror(errno));
            rc = MJ_EIO;
        }
        if (fclose(o->f) != 0 && rc == 0) {
            snprintf(err, cap, "cannot finish %s: %s", o->path, strerror(errno));
            rc = MJ_EIO;
        }
    }
    free(o);
    return rc;
}
