/* Shared between loadgen.c (the run) and loadgen_report.c (the figures). */
#ifndef MJ_CLIENT_LOADGEN_INTERNAL_H
#define MJ_CLIENT_LOADGEN_INTERNAL_H

#include "client/loadgen.h"
#include "client/procstat.h"
#include "client/session.h"
#include "client/stats.h"

#include <stdint.h>

/* The tag at the end of every speaker packet's payload, big-endian:
 * "MJLG", speaker id (16), reserved (16), packet number (32), send time
 * in CLOCK_REALTIME microseconds (64): the wall clock, because the kernel
 * stamps received packets with it (SO_TIMESTAMPNS); sender and receiver
 * are one process, so the clocks are the same. */
#define LG_TAG_LEN    20
#define LG_TAG_MAGIC  0x4d4a4c47u
#define LG_FRAMES     50 /* one second of pre-encoded tone, looped */
#define LG_OPUS_MAX   400
#define LG_MAX_ERRORS 8 /* distinct failure messages kept */

typedef struct lg_frame {
    uint8_t level; /* RFC 6464 */
    uint16_t len;  /* padded Opus packet, tag room at its end */
    uint8_t data[LG_OPUS_MAX];
} lg_frame;

typedef struct lg_speaker {
    mj_csess sess;
    uint16_t id;
    bool in_room; /* connected at some point: its packets may be heard */
    uint16_t seq;
    uint32_t ts, tag_seq;
    uint64_t sent;
    char *token; /* its entry of --speaker-token's list */
} lg_speaker;

typedef struct lg_listener {
    mj_csess sess;
    uint32_t id;
    bool joined, started;
    float join_ms; /* POST -> first RTP */
    mj_seqtrack seq[MJ_CSESS_MAX_SLOTS];
    uint64_t received;
    uint32_t bad_ssrc, bad_origin, bad_payload, srtp_auth, srtp_replay, srtp_other;
    uint32_t max_delay_us;
} lg_listener;

typedef struct lg_sample {
    bool ok;        /* taken */
    bool server_ok; /* the server's figures are in */
    mj_time at;
    mj_proc_sample server;
    uint64_t self_cpu_us;
    uint64_t rx_packets; /* received by every listener so far */
    uint64_t sent_packets;
} lg_sample;

/* Counters from the server's /metrics (loopback clients may read it). */
typedef struct lg_metrics {
    uint64_t forwarded, tx_dropped, no_session, handshakes;
} lg_metrics;

typedef struct lg_error {
    char text[160];
    uint32_t count;
} lg_error;

enum lg_phase {
    LG_SPEAKERS = 0, /* speakers joining */
    LG_RAMP,         /* listeners joining */
    LG_STEADY,       /* every listener in or failed */
    LG_DRAIN,        /* sending stopped: the last packets land */
    LG_LEAVING,      /* DELETEs in flight */
    LG_DONE,
};

typedef struct loadgen {
    const mj_loadgen_opts *o;
    mj_loop loop;
    mj_client *cl;
    lg_speaker *speakers;
    lg_listener *listeners;
    lg_frame frames[LG_FRAMES];
    enum lg_phase phase;
    bool interrupted, fatal;
    char fatal_msg[600];
    mj_timer tick, ramp, progress, phase_timer;
    mj_time t_start, t_ramp, t_all_started, t_steady, t_send_end, t_end;
    uint64_t frame_no;
    uint32_t started, joined, failed, dropped, speakers_in, speakers_failed, left;
    uint64_t sent, received, bad_ssrc, bad_origin, bad_payload;
    uint64_t srtp_auth, srtp_replay, srtp_other;
    mj_hist delay_all, delay_steady, delay_tick, delay_app;
    lg_sample s_start, s_base, s_steady, s_end, s_last;
    uint64_t server_rss_peak_kib;
    lg_metrics m_start, m_end;
    bool metrics_ok;
    lg_error errors[LG_MAX_ERRORS];
    uint32_t nerrors, errors_other;
} loadgen;

void lg_sample_take(loadgen *g, lg_sample *s);
/* Reads the server's /metrics, summed over its workers; 0 or <0. */
int lg_metrics_read(const char *base_url, lg_metrics *m);
void lg_progress_line(loadgen *g, mj_time now, bool final);
void lg_report(loadgen *g);

#endif
