#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: majlis COMMAND [FLAGS]\n"
    "\n"
    "commands:\n"
    "  serve     run the server\n"
    "  room      manage rooms (room create)\n"
    "  token     print a room token\n"
    "\n"
    "Run 'majlis COMMAND --help' for the flags of a command.\n";

int mj_cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "majlis: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}
