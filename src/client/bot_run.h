/* What the two bots share: one client session in its own event loop, a
 * deadline to connect, Ctrl-C (or the end of the work) leaving with a
 * DELETE, a second Ctrl-C or a silent server not waited for, and progress
 * notes on stderr. A bot embeds mj_bot_run, fills in its hooks and calls
 * mj_bot_run_main. */
#ifndef MJ_CLIENT_BOT_RUN_H
#define MJ_CLIENT_BOT_RUN_H

#include "client/session.h"

#include <stdbool.h>

typedef struct mj_bot_run mj_bot_run;

typedef struct mj_bot_hooks {
    /* Connected: start the work (arm b->tick). Nonzero fails the run. */
    int (*on_connected)(mj_bot_run *b, mj_csess *s);
    void (*on_tick)(mj_bot_run *b);
    /* Before leaving, whatever the reason (the recorder closes its file
     * so the recording is safe before the server is talked to again). */
    void (*before_leave)(mj_bot_run *b);
    void (*on_rtp)(mj_bot_run *b, uint8_t *pkt, size_t len, const mj_rx_time *at);
} mj_bot_hooks;

struct mj_bot_run {
    mj_loop loop;
    mj_client *cl;
    mj_csess sess;
    mj_timer tick, deadline;
    const mj_bot_hooks *hooks;
    bool quiet, started, finishing;
    int rc;
};

void mj_bot_note(const mj_bot_run *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the run with exit status rc: leave the room, then stop when the
 * server has answered the DELETE (or after a few seconds). */
void mj_bot_finish(mj_bot_run *b, int rc);

/* Runs a bot to its end: connects to url/room with token (as a listener
 * with nslots slots when listen, else as a speaker), and returns the exit
 * status. The caller disposes of its own state afterwards. */
int mj_bot_run_main(mj_bot_run *b, const char *url, const char *room, const char *token, bool tcp,
                    bool listen, unsigned nslots);
/* Frees the loop, client and session (safe after a failed start). */
void mj_bot_run_dispose(mj_bot_run *b);

#endif
