/*
 * ternctl's admin commands: status, sessions, kill, drain and reload, sent
 * to a running ternd over its admin socket (ternd(8), ADMIN SOCKET). The
 * answer is printed as a readable table, or as ternd's JSON with --json.
 */
#ifndef TERN_TERNCTL_ADMIN_H
#define TERN_TERNCTL_ADMIN_H

#include <stdbool.h>

/* The admin socket ternd creates by default (server.admin_socket). */
#define TERNCTL_ADMIN_SOCKET "/run/tern/ternd.sock"

/* Exit statuses of the admin commands. */
enum ternctl_admin_status {
    TERNCTL_EXIT_OK = 0,
    TERNCTL_EXIT_REFUSED = 1,     /* ternd answered with an error, or kill matched nothing */
    TERNCTL_EXIT_USAGE = 2,       /* a wrong command line */
    TERNCTL_EXIT_UNREACHABLE = 3, /* no ternd on the socket, or an answer that is not ours */
};

/* True when name is one of the admin commands. */
bool ternctl_admin_is_command(const char *name);

/* Runs the admin command argv[0] with its options and arguments. Returns an enum
 * ternctl_admin_status. */
int ternctl_admin_main(int argc, char **argv);

#endif
