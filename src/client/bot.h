/* The bots behind `majlis bot`: a speaker that plays a WAV or Ogg Opus
 * file into a room over WHIP in real time, and a recorder that listens
 * over WHEP and writes what it hears to WAV or Ogg Opus. Each runs its own
 * event loop until done and returns a process exit status (0 done, 1
 * failed), having printed what went wrong on stderr. */
#ifndef MJ_CLIENT_BOT_H
#define MJ_CLIENT_BOT_H

#include <stdbool.h>

typedef struct mj_speak_opts {
    const char *url, *room, *token, *file;
    bool loop;    /* start the file again at its end, until Ctrl-C */
    long bitrate; /* Opus bits per second; 0: 64000 */
    bool quiet;   /* no progress messages */
    bool tcp;     /* media over the server's ICE-TCP candidate */
} mj_speak_opts;

typedef struct mj_record_opts {
    const char *url, *room, *token, *out;
    long seconds;   /* stop after this much audio; 0: until Ctrl-C */
    unsigned slots; /* 1..3 speakers heard at once; 0: 3 */
    bool quiet;
    bool tcp; /* media over the server's ICE-TCP candidate */
} mj_record_opts;

int mj_bot_speak(const mj_speak_opts *o);
int mj_bot_record(const mj_record_opts *o);
/* Prints the duration, level and dominant frequency of an audio file as
 * one JSON line; 1 when it cannot be read. */
int mj_bot_probe(const char *path);

#endif
