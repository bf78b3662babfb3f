/* ternctl's commands on the fleet's Redis: secret add|remove|list, revoke, unrevoke, revoked. */
#ifndef TERN_TERNCTL_REDIS_H
#define TERN_TERNCTL_REDIS_H

#include <stdbool.h>
#include <stdio.h>

/* True when cmd is one of the Redis commands. */
bool ternctl_redis_is_command(const char *cmd);

/* Runs the command argv[0] (argc arguments in all). Returns the exit status: 0, 1 (Redis
 * failed) or 2 (usage). */
int ternctl_redis_main(int argc, char **argv);

/* Prints the usage of the Redis commands to out. */
void ternctl_redis_usage(FILE *out);

#endif
