/* majlis bot speak | record | probe: the C client as a person uses it. */
#include "cli/cmd_client.h"
#include "cli/flags.h"

#include "base/log.h"
#include "client/audio_out.h"
#include "client/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: majlis bot speak|record|probe [FLAGS] ...\n"
    "\n"
    "  speak   play a WAV or Ogg Opus file into a room (WHIP), in real time\n"
    "  record  record what a room says (WHEP) to a WAV or Ogg Opus file\n"
    "  probe   print the length, level and main frequency of an audio file\n"
    "\n"
    "Run 'majlis bot speak --help' (or record, probe) for the flags.\n";

/* --token, or MAJLIS_TOKEN from the environment (which, unlike the
 * command line, other users of the machine cannot read). */
static const char *token_or_env(const char *cmd, const char *token)
{
    if (token) return token;
    const char *env = getenv("MAJLIS_TOKEN");
    if (env && *env) return env;
    fprintf(stderr, "majlis %s: --token is required (or set MAJLIS_TOKEN)\n", cmd);
    return NULL;
}

static int speak(int argc, char **argv)
{
    mj_speak_opts o;
    memset(&o, 0, sizeof o);
    const char *level = "warn";
    mj_flag flags[] = {
        {"url", MJ_FLAG_STRING, &o.url, "URL", "the server, e.g. http://127.0.0.1:8080", 0, 0, true,
         false},
        {"room", MJ_FLAG_STRING, &o.room, "ID", "room id", 0, 0, true, false},
        {"token", MJ_FLAG_STRING, &o.token, "TOKEN", "speaker token (or MAJLIS_TOKEN)", 0, 0, false,
         false},
        {"loop", MJ_FLAG_BOOL, &o.loop, NULL, "start the file again at its end, until Ctrl-C", 0, 0,
         false, false},
        {"bitrate", MJ_FLAG_INT, &o.bitrate, "BPS", "Opus bitrate (default 64000)", 6000, 510000,
         false, false},
        {"quiet", MJ_FLAG_BOOL, &o.quiet, NULL, "print errors only", 0, 0, false, false},
        {"tcp", MJ_FLAG_BOOL, &o.tcp, NULL,
         "send and receive media over the server's ICE-TCP candidate (where UDP\n"
         "                             is blocked)",
         0, 0, false, false},
        {"log-level", MJ_FLAG_STRING, &level, "LEVEL", "error, warn, info, debug (default warn)", 0,
         0, false, false},
        {0},
    };
    mj_command cmd = {
        "bot speak",
        "Plays FILE into a room over WHIP in real time: WAV (PCM or float, any common "
        "rate,\nmono or stereo) or Ogg Opus, encoded as 20 ms Opus frames with RFC "
        "6464 audio\nlevels. Ends at the end of the file (or on Ctrl-C) with a DELETE "
        "of the session.",
        "FILE",
        1,
        1,
        flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    if (mj_flags_log_level("bot speak", level) != 0) return 2;
    o.file = args[0];
    if (!(o.token = token_or_env("bot speak", o.token))) return 2;
    return mj_bot_speak(&o);
}

static int record(int argc, char **argv)
{
    mj_record_opts o;
    memset(&o, 0, sizeof o);
    long slots = 3;
    const char *level = "warn";
    mj_flag flags[] = {
        {"url", MJ_FLAG_STRING, &o.url, "URL", "the server, e.g. http://127.0.0.1:8080", 0, 0, true,
         false},
        {"room", MJ_FLAG_STRING, &o.room, "ID", "room id", 0, 0, true, false},
        {"token", MJ_FLAG_STRING, &o.token, "TOKEN", "listener or speaker token (or MAJLIS_TOKEN)",
         0, 0, false, false},
        {"out", MJ_FLAG_STRING, &o.out, "FILE", "FILE.wav (16-bit, 48 kHz, mono) or FILE.ogg", 0, 0,
         true, false},
        {"seconds", MJ_FLAG_INT, &o.seconds, "N", "stop after N seconds (default: at Ctrl-C)", 1,
         24L * 3600, false, false},
        {"slots", MJ_FLAG_INT, &slots, "K", "speakers heard at once, 1 to 3 (default 3)", 1, 3,
         false, false},
        {"quiet", MJ_FLAG_BOOL, &o.quiet, NULL, "print errors only", 0, 0, false, false},
        {"tcp", MJ_FLAG_BOOL, &o.tcp, NULL,
         "send and receive media over the server's ICE-TCP candidate (where UDP\n"
         "                             is blocked)",
         0, 0, false, false},
        {"log-level", MJ_FLAG_STRING, &level, "LEVEL", "error, warn, info, debug (default warn)", 0,
         0, false, false},
        {0},
    };
    mj_command cmd = {"bot record",
                      "Listens to a room over WHEP and records it: each speaker slot is decoded "
                      "(with\nloss concealment), the slots are mixed, and the audio is written as "
                      "it arrives.\nCtrl-C stops and finishes the file.",
                      NULL,
                      0,
                      0,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    if (mj_flags_log_level("bot record", level) != 0) return 2;
    if (!mj_audio_out_name_ok(o.out)) {
        fprintf(stderr, "majlis bot record: --out must end in .wav, .ogg or .opus\n");
        return 2;
    }
    if (!(o.token = token_or_env("bot record", o.token))) return 2;
    o.slots = (unsigned)slots;
    return mj_bot_record(&o);
}

static int probe(int argc, char **argv)
{
    mj_flag flags[] = {{0}};
    mj_command cmd = {"bot probe",
                      "Decodes a WAV or Ogg Opus file and prints one JSON line: format, rate, "
                      "channels,\nseconds, rms_dbfs and peak_hz (the loudest frequency of its "
                      "middle half second).",
                      "FILE",
                      1,
                      1,
                      flags};
    const char *args[1];
    size_t nargs;
    int rc = mj_flags_parse(&cmd, argc, argv, args, &nargs);
    if (rc) return rc == 1 ? 0 : 2;
    return mj_bot_probe(args[0]);
}

int mj_cmd_bot(int argc, char **argv)
{
    if (argc < 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *sub = argv[0];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(sub, "speak") == 0) return speak(argc - 1, argv + 1);
    if (strcmp(sub, "record") == 0) return record(argc - 1, argv + 1);
    if (strcmp(sub, "probe") == 0) return probe(argc - 1, argv + 1);
    fprintf(stderr, "majlis bot: unknown subcommand '%s'\n\n%s", sub, usage);
    return 2;
}
