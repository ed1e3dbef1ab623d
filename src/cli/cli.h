/* The command line: subcommand dispatch and flag parsing helpers shared by
 * every subcommand. */
#ifndef MJ_CLI_CLI_H
#define MJ_CLI_CLI_H

#include <stdbool.h>

int mj_cli_main(int argc, char **argv);

#endif
