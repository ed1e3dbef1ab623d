/* The C client's subcommands (src/client/): `majlis bot` and
 * `majlis loadgen`. Like commands.h: the arguments after the name in,
 * the exit status out. */
#ifndef MJ_CLI_CMD_CLIENT_H
#define MJ_CLI_CMD_CLIENT_H

int mj_cmd_bot(int argc, char **argv);
int mj_cmd_loadgen(int argc, char **argv);

#endif
