#include "cli/cli.h"
#include "cli/cmd_client.h"
#include "cli/commands.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: majlis COMMAND [FLAGS]\n"
    "\n"
    "majlis is a self-hosted live-audio rooms server.\n"
    "\n"
    "commands:\n"
    "  serve          run the server (web app, HTTP API, WHIP/WHEP, media)\n"
    "  room create    create a room and print its id\n"
    "  token          print a speaker or listener token for a room\n"
    "  invite create  create an invite link and print it\n"
    "  user           suspend or unsuspend a member (and their invite subtree)\n"
    "  backup         copy the data directory consistently while the server runs\n"
    "  bot            speak a WAV/Opus file into a room, or record a room\n"
    "  loadgen        many clients at once: measure what one server holds\n"
    "\n"
    "Run 'majlis COMMAND --help' for the flags of a command.\n";

int mj_cli_main(int argc, char **argv)
{
    /* Everything majlis writes (database, WAL, secret, recordings) is for
     * its own user only. */
    umask(077);
    if (sodium_init() < 0) {
        fputs("majlis: cannot initialize libsodium\n", stderr);
        return 1;
    }
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        puts("majlis " MJ_VERSION);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0) return mj_cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "room") == 0) return mj_cmd_room(argc - 2, argv + 2);
    if (strcmp(cmd, "token") == 0) return mj_cmd_token(argc - 2, argv + 2);
    if (strcmp(cmd, "invite") == 0) return mj_cmd_invite(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0) return mj_cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "backup") == 0) return mj_cmd_backup(argc - 2, argv + 2);
    if (strcmp(cmd, "bot") == 0) return mj_cmd_bot(argc - 2, argv + 2);
    if (strcmp(cmd, "loadgen") == 0) return mj_cmd_loadgen(argc - 2, argv + 2);
    fprintf(stderr, "majlis: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
