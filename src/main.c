/* majlis: one binary, subcommands for the server, operator tasks and the
 * C client. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return mj_cli_main(argc, argv);
}
