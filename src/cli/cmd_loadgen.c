/* majlis loadgen: many C clients at once against one server on this
 * machine (src/client/loadgen.h). */
#include "cli/cmd_client.h"
#include "cli/flags.h"

#include "base/log.h"
#include "client/loadgen.h"

#include <stdio.h>
#include <string.h>

int mj_cmd_loadgen(int argc, char **argv)
{
    mj_loadgen_opts o;
    memset(&o, 0, sizeof o);
    o.speakers = 1;
    o.ramp = 100;
    o.slots = 3;
    const char *level = "error";
    mj_flag flags[] = {
        {"url", MJ_FLAG_STRING, &o.url, "URL", "the server, on loopback or this network namespace",
         0, 0, true, false},
        {"room", MJ_FLAG_STRING, &o.room, "ID", "room id", 0, 0, true, false},
        {"speaker-token", MJ_FLAG_STRING, &o.speaker_token, "TOKEN",
         "speaker token for the room, or several separated by commas, taken in turn\n"
         "                             (a token is one person, heard on one slot at most;\n"
         "                             not needed with --speakers 0)",
         0, 0, false, false},
        {"listener-token", MJ_FLAG_STRING, &o.listener_token, "TOKEN",
         "listener token for the room", 0, 0, true, false},
        {"listeners", MJ_FLAG_INT, &o.listeners, "N", "listeners, 0 to 20000", 0,
         MJ_LOADGEN_MAX_LISTENERS, true, false},
        {"speakers", MJ_FLAG_INT, &o.speakers, "M",
         "speakers, 0 to 16 (default 1); 0 only listens, to a room whose speakers another\n"
         "                             loadgen runs (several processes share a big load)",
         0, MJ_LOADGEN_MAX_SPEAKERS, false, false},
        {"ramp", MJ_FLAG_INT, &o.ramp, "PER_SECOND", "listener joins per second (default 100)", 1,
         MJ_LOADGEN_MAX_RAMP, false, false},
        {"duration", MJ_FLAG_INT, &o.duration, "SECONDS",
         "run time from start to the end of sending, 1 to 3600", 1, MJ_LOADGEN_MAX_DURATION, true,
         false},
        {"slots", MJ_FLAG_INT, &o.slots, "K", "slots per listener, 1 to 3 (default 3)", 1, 3, false,
         false},
        {"json", MJ_FLAG_STRING, &o.json, "FILE", "write every figure to FILE as JSON", 0, 0, false,
         false},
        {"server-pid", MJ_FLAG_INT, &o.server_pid, "PID",
         "the server's process, for its CPU time and memory", 1, 4194304, false, false},
        {"quiet", MJ_FLAG_BOOL, &o.quiet, NULL, "no live progress line", 0, 0, false, false},
        {"tcp", MJ_FLAG_BOOL, &o.tcp, NULL,
         "media over ICE-TCP (the server's passive TCP candidate) instead of UDP", 0, 0, false,
         false},
        {"log-level", MJ_FLAG_STRING, &level, "LEVEL", "error, warn, info, debug (default error)",
         0, 0, false, false},
        {0},
    };
    mj_command cmd = {
        "loadgen",
        "Measures how many listeners one server holds: M speakers publish a pre-encoded tone\n"
        "(each packet tagged with its send time), N listeners join at --ramp per second and\n"
        "check every packet's SRTP authentication, sequence and origin. Reports join time\n"
        "(WHEP POST to first packet), loss, delay through the server, and with --server-pid\n"
        "the server's CPU time and resident memory per listener and per forwarded packet,\n"
        "beside the load generator's own CPU use. One process, one thread. Only targets\n"
        "loopback or addresses of this network namespace; every run has a duration.",
        NULL,
        0,
        0,
        flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    if (mj_flags_log_level("loadgen", level) != 0) return 2;
    if (o.speakers > 0 && !o.speaker_token) {
        fprintf(stderr, "majlis loadgen: --speaker-token is required when there are speakers\n");
        return 2;
    }
    return mj_loadgen_run(&o);
}
