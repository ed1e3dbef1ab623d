#include "client/audio_in.h"

#include "client/textf.h"
#include "client/wav.h"

#include <errno.h>
#include <opusfile.h>
#include <soxr.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PREFIX_MAX (1u << 20) /* metadata allowed before a WAV's audio */
#define IN_FRAMES  1024       /* WAV frames read per step */
#define OUT_CAP    8192       /* resampled samples buffered */
#define OPUS_CHUNK 5760       /* 120 ms at 48 kHz: opusfile's largest packet */

struct mj_audio_in {
    mj_audio_info info;
    char path[512];
    char err[512];
    /* WAV */
    FILE *f;
    mj_wav_info wav;
    uint64_t frames_left;
    uint8_t *raw; /* IN_FRAMES * block_align */
    float *mono;  /* IN_FRAMES */
    size_t in_len, in_pos;
    soxr_t soxr; /* NULL at 48 kHz */
    bool in_eof, flushed;
    /* Opus */
    OggOpusFile *of;
    float *stereo; /* OPUS_CHUNK * 2 */
    /* Output waiting to be read (both formats). */
    float *out;
    size_t out_len, out_pos;
};

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char *opus_reason(int e)
{
    switch (e) {
    case OP_EREAD: return "a read error";
    case OP_EFAULT: return "out of memory or an internal error";
    case OP_EIMPL: return "it uses a feature libopusfile does not implement";
    case OP_ENOTFORMAT: return "it is an Ogg file but holds no Opus stream";
    case OP_EBADHEADER: return "its Opus header is malformed";
    case OP_EVERSION: return "its Opus version is not supported";
    case OP_EBADPACKET: return "it holds a malformed packet";
    case OP_EBADLINK: return "its stream is corrupt";
    case OP_EBADTIMESTAMP: return "its timestamps are invalid";
    default: return "it cannot be decoded";
    }
}

/* ---- WAV ------------------------------------------------------------------ */

static int wav_seek_start(mj_audio_in *a)
{
    if (fseeko(a->f, (off_t)a->wav.data_offset, SEEK_SET) != 0) return MJ_EIO;
    a->frames_left = a->wav.frames;
    a->in_len = a->in_pos = 0;
    a->in_eof = a->flushed = false;
    a->out_len = a->out_pos = 0;
    if (a->soxr) soxr_clear(a->soxr);
    return 0;
}

static int open_wav(mj_audio_in *a, char *err, size_t cap)
{
    struct stat st;
    if (fstat(fileno(a->f), &st) != 0) {
        snprintf(err, cap, "cannot read %s: %s", a->path, strerror(errno));
        return MJ_EIO;
    }
    uint64_t size = (uint64_t)st.st_size;
    size_t n = size < PREFIX_MAX ? (size_t)size : PREFIX_MAX;
    uint8_t *prefix = malloc(n ? n : 1);
    if (!prefix) return MJ_ENOMEM;
    size_t got = fread(prefix, 1, n, a->f);
    const char *why = "unreadable";
    int e = got == n ? mj_wav_parse(prefix, n, size, &a->wav, &why) : MJ_EIO;
    free(prefix);
    if (e) {
        snprintf(err, cap, "%s is not a WAV file we can play: %s", base_name(a->path),
                 e == MJ_EIO ? "a read error" : why);
        return e;
    }
    if (a->wav.frames == 0) {
        snprintf(err, cap, "%s holds no audio", base_name(a->path));
        return MJ_EINVAL;
    }
    a->info.kind = "WAV";
    a->info.rate = a->wav.rate;
    a->info.channels = a->wav.channels;
    a->info.bits = a->wav.bits;
    a->info.seconds = (double)a->wav.frames / a->wav.rate;
    a->raw = malloc((size_t)IN_FRAMES * a->wav.block_align);
    a->mono = malloc(IN_FRAMES * sizeof(float));
    a->out = malloc(OUT_CAP * sizeof(float));
    if (!a->raw || !a->mono || !a->out) return MJ_ENOMEM;
    if (a->wav.rate != MJ_AUDIO_RATE) {
        soxr_error_t se;
        soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
        soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
        a->soxr = soxr_create(a->wav.rate, MJ_AUDIO_RATE, 1, &se, &io, &q, NULL);
        if (!a->soxr) {
            snprintf(err, cap, "cannot resample %s: %s", base_name(a->path), se);
            return MJ_EINVAL;
        }
    }
    return wav_seek_start(a);
}

/* Reads the next block of input frames into a->mono. */
static int wav_fill_input(mj_audio_in *a)
{
    size_t want = a->frames_left < IN_FRAMES ? (size_t)a->frames_left : IN_FRAMES;
    size_t got = want ? fread(a->raw, a->wav.block_align, want, a->f) : 0;
    if (got < want && ferror(a->f)) {
        mj_textf(a->err, sizeof a->err, "cannot read %s: %s", a->path, strerror(errno));
        return MJ_EIO;
    }
    /* A file cut short (still being written, say) just ends early. */
    a->frames_left = got < want ? 0 : a->frames_left - got;
    mj_wav_to_mono(&a->wav, a->raw, got, a->mono);
    a->in_len = got;
    a->in_pos = 0;
    if (got == 0) a->in_eof = true;
    return 0;
}

/* Refills a->out with resampled audio; 0 with out_len == 0 at the end. */
static int wav_produce(mj_audio_in *a)
{
    a->out_len = a->out_pos = 0;
    while (a->out_len == 0) {
        if (a->in_pos == a->in_len && !a->in_eof) {
            int e = wav_fill_input(a);
            if (e) return e;
        }
        if (!a->soxr) {
            if (a->in_eof) return 0;
            memcpy(a->out, a->mono, a->in_len * sizeof(float));
            a->out_len = a->in_len;
            a->in_pos = a->in_len;
            continue;
        }
        size_t idone = 0, odone = 0;
        soxr_error_t se;
        if (a->in_eof) {
            if (a->flushed) return 0;
            se = soxr_process(a->soxr, NULL, 0, NULL, a->out, OUT_CAP, &odone);
            if (odone == 0) a->flushed = true;
        } else {
            se = soxr_process(a->soxr, a->mono + a->in_pos, a->in_len - a->in_pos, &idone, a->out,
                              OUT_CAP, &odone);
            a->in_pos += idone;
        }
        if (se) {
            snprintf(a->err, sizeof a->err, "resampling failed: %s", se);
            return MJ_EINVAL;
        }
        a->out_len = odone;
    }
    return 0;
}

/* ---- Ogg Opus --------------------------------------------------------------- */

static int open_opus(mj_audio_in *a, char *err, size_t cap)
{
    int e = 0;
    a->of = op_open_file(a->path, &e);
    if (!a->of) {
        snprintf(err, cap, "%s is not an Ogg Opus file we can play: %s", base_name(a->path),
                 opus_reason(e));
        return MJ_EINVAL;
    }
    const OpusHead *head = op_head(a->of, -1);
    ogg_int64_t total = op_pcm_total(a->of, -1);
    a->info.kind = "Ogg Opus";
    a->info.rate = MJ_AUDIO_RATE;
    a->info.channels = head ? (unsigned)head->channel_count : 0;
    a->info.seconds = total >= 0 ? (double)total / MJ_AUDIO_RATE : -1.0;
    a->stereo = malloc(OPUS_CHUNK * 2 * sizeof(float));
    a->out = malloc(OPUS_CHUNK * sizeof(float));
    if (!a->stereo || !a->out) return MJ_ENOMEM;
    /* Decode a first packet now, so a file whose audio is broken fails
     * here with a clear message rather than after connecting. */
    int r;
    do
        r = op_read_float_stereo(a->of, a->stereo, OPUS_CHUNK * 2);
    while (r == OP_HOLE);
    if (r < 0) {
        snprintf(err, cap, "cannot decode %s: %s", base_name(a->path), opus_reason(r));
        return MJ_EINVAL;
    }
    if (r == 0) {
        snprintf(err, cap, "%s holds no audio", base_name(a->path));
        return MJ_EINVAL;
    }
    if (op_pcm_seek(a->of, 0) != 0 && op_raw_seek(a->of, 0) != 0) {
        snprintf(err, cap, "cannot seek in %s", base_name(a->path));
        return MJ_EINVAL;
    }
    return 0;
}

static int opus_produce(mj_audio_in *a)
{
    a->out_len = a->out_pos = 0;
    for (;;) {
        int r = op_read_float_stereo(a->of, a->stereo, OPUS_CHUNK * 2);
        if (r == OP_HOLE) continue; /* a gap in the stream: go on after it */
        if (r < 0) {
            mj_textf(a->err, sizeof a->err, "cannot decode %s: %s", a->path, opus_reason(r));
            return MJ_EINVAL;
        }
        for (int i = 0; i < r; i++)
            a->out[i] = 0.5f * (a->stereo[2 * i] + a->stereo[2 * i + 1]);
        a->out_len = (size_t)r;
        return 0;
    }
}

/* ---- Common ------------------------------------------------------------------ */

int mj_audio_in_open(const char *path, mj_audio_in **out, char *err, size_t cap)
{
    *out = NULL;
    mj_audio_in *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, cap, "out of memory");
        return MJ_ENOMEM;
    }
    snprintf(a->path, sizeof a->path, "%s", path);
    a->f = fopen(path, "rb");
    if (!a->f) {
        snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
        free(a);
        return MJ_EIO;
    }
    uint8_t magic[12];
    size_t got = fread(magic, 1, sizeof magic, a->f);
    rewind(a->f);
    int e;
    if (got >= 4 && memcmp(magic, "OggS", 4) == 0) {
        fclose(a->f);
        a->f = NULL;
        e = open_opus(a, err, cap);
    } else if (got == sizeof magic && memcmp(magic + 8, "WAVE", 4) == 0) {
        e = open_wav(a, err, cap);
    } else {
        snprintf(err, cap, "%s is neither a WAV nor an Ogg Opus file", base_name(path));
        e = MJ_EINVAL;
    }
    if (e) {
        if (e == MJ_ENOMEM) snprintf(err, cap, "out of memory");
        mj_audio_in_close(a);
        return e;
    }
    *out = a;
    return 0;
}

long mj_audio_in_read(mj_audio_in *a, float *out, size_t n)
{
    size_t have = 0;
    while (have < n) {
        if (a->out_pos == a->out_len) {
            int e = a->of ? opus_produce(a) : wav_produce(a);
            if (e) return e;
            if (a->out_len == 0) break;
        }
        size_t take = a->out_len - a->out_pos;
        if (take > n - have) take = n - have;
        memcpy(out + have, a->out + a->out_pos, take * sizeof(float));
        a->out_pos += take;
        have += take;
    }
    return (long)have;
}

int mj_audio_in_rewind(mj_audio_in *a)
{
    a->out_len = a->out_pos = 0;
    if (a->of) return op_pcm_seek(a->of, 0) == 0 || op_raw_seek(a->of, 0) == 0 ? 0 : MJ_EIO;
    return wav_seek_start(a);
}

const mj_audio_info *mj_audio_in_info(const mj_audio_in *a)
{
    return &a->info;
}

const char *mj_audio_in_error(const mj_audio_in *a)
{
    return a->err[0] ? a->err : "unknown error";
}

void mj_audio_in_close(mj_audio_in *a)
{
    if (!a) return;
    if (a->f) fclose(a->f);
    if (a->of) op_free(a->of);
    if (a->soxr) soxr_delete(a->soxr);
    free(a->raw);
    free(a->mono);
    free(a->stereo);
    free(a->out);
    free(a);
}
