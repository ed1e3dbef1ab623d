/* The load generator behind `majlis loadgen`: one process, one thread,
 * one event loop (loop.h) and many client sessions (session.h) against
 * one majlis server on this machine, to measure how many listeners it
 * really holds.
 *
 *  - Speakers publish pre-encoded Opus (a tone encoded once at start) with
 *    RFC 6464 levels every 20 ms. Each packet carries, in the Opus
 *    packet's own padding (RFC 6716 §3.2.5, so any decoder still plays
 *    it), a tag: the speaker's id, its packet number and the send time
 *    (same process, same clock). Speaker i sends at i/M of each 20 ms
 *    period, as unsynchronized real speakers would.
 *  - Listeners join over WHEP at --ramp per second. Every packet is SRTP
 *    unprotected (which checks its authentication), its SSRC must be one
 *    of the slots the answer declared, its sequence number is tracked per
 *    slot (expected, received, lost, duplicates, reordered), and its tag
 *    must name a speaker of this run that is in the room. Opus is never
 *    decoded. Delay = the kernel's receive timestamp (SO_TIMESTAMPNS) -
 *    send time, in a histogram: the time through the server and the
 *    loopback, without the time the packet then waited for the load
 *    generator, which is reported apart ("delay_app").
 *  - Join time = WHEP POST sent -> first RTP packet (also: -> answer, ->
 *    SRTP ready).
 *  - The server's CPU time and resident memory come from /proc/PID of
 *    --server-pid, sampled at the start, when the speakers are in, when
 *    every listener is in ("steady"), every second, and when sending
 *    stops; our own CPU from getrusage, so a run shows whether the load
 *    generator itself was the bottleneck.
 *
 * Signalling runs on libcurl's multi interface inside the same loop (no
 * threads): a slow HTTP answer delays only that one join, never media.
 *
 * Bounded: the URL's host and every media address in the answers must be
 * loopback or an address of this network namespace (target.h); every run
 * has a duration (at most an hour) and at most MJ_LOADGEN_MAX_LISTENERS
 * listeners. */
#ifndef MJ_CLIENT_LOADGEN_H
#define MJ_CLIENT_LOADGEN_H

#include <stdbool.h>

#define MJ_LOADGEN_MAX_LISTENERS 20000
#define MJ_LOADGEN_MAX_SPEAKERS  16
#define MJ_LOADGEN_MAX_DURATION  3600
#define MJ_LOADGEN_MAX_RAMP      5000

typedef struct mj_loadgen_opts {
    const char *url, *room;
    const char *speaker_token, *listener_token;
    long listeners, speakers; /* 0..MAX_LISTENERS, 1..MAX_SPEAKERS */
    long ramp;                /* listener joins per second */
    long duration;            /* seconds from start to the end of sending */
    long slots;               /* slots each listener asks for, 1..3 */
    long server_pid;          /* 0: no server figures */
    const char *json;         /* NULL: no JSON file */
    bool quiet;               /* no progress line */
    bool tcp;                 /* media over ICE-TCP (the answer's passive candidate) */
} mj_loadgen_opts;

/* Runs one measurement; prints the summary on stdout and writes the JSON
 * file. 0 when the run completed (whatever it measured), 1 when it could
 * not (server unreachable, tokens refused, no speaker connected), 2 for
 * bad options. */
int mj_loadgen_run(const mj_loadgen_opts *o);

#endif
