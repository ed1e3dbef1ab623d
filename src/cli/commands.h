/* One function per subcommand; each takes the arguments after its name
 * and returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef MJ_CLI_COMMANDS_H
#define MJ_CLI_COMMANDS_H

#define MJ_VERSION            "0.1.0"
#define MJ_DEFAULT_DATA       "./data"
#define MJ_DEFAULT_HTTP       "127.0.0.1:8080"
#define MJ_DEFAULT_MEDIA_PORT 40000

int mj_cmd_serve(int argc, char **argv);
int mj_cmd_room(int argc, char **argv);
int mj_cmd_token(int argc, char **argv);
int mj_cmd_invite(int argc, char **argv);
int mj_cmd_user(int argc, char **argv);
int mj_cmd_backup(int argc, char **argv);

#endif
