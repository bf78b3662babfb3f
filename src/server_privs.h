/*
 * Least privilege. ternd opens its ports (443 included) and reads its keys
 * with the rights it was started with, then gives them up for good:
 *
 *   start as root, server.user set   switch to that user and group (every
 *                                    thread: glibc's set*id() broadcast),
 *                                    keep no capability, cannot regain root
 *   start as root, no server.user    refused, unless server.allow_root
 *   start as another user            stays that user; capabilities it was
 *                                    given (AmbientCapabilities, a file
 *                                    capability) are dropped from the
 *                                    control and worker threads
 *
 * In every case PR_SET_NO_NEW_PRIVS is set before the first thread starts,
 * and unless server.core_dumps the process cannot dump core (RLIMIT_CORE 0, not dumpable): a core
 * file would hold the secrets.
 */
#ifndef TERN_SERVER_PRIVS_H
#define TERN_SERVER_PRIVS_H

#include "net/net_worker.h"
#include "server_options.h"

#include <stdbool.h>
#include <sys/types.h>

#define SERVER_PRIVS_ERR_LEN 320

/* What server_privs_prepare() decided; filled before any socket is opened. */
struct server_privs {
    bool switch_user;      /* started as root with server.user: switch at the drop */
    const char *user_name; /* server.user (borrowed), or NULL */
    uid_t uid;             /* the account after the drop (the current one when not switching) */
    gid_t gid;
    bool core_dumps;
};

/* Turns core dumps off unless o->core_dumps, sets PR_SET_NO_NEW_PRIVS, checks who ternd runs as
 * against o (root without server.user is refused unless o->allow_root) and looks the user and
 * group up. Call first, before opening anything or starting a thread (both flags are per thread
 * and inherited). Returns 0, or -1 with err set. */
int server_privs_prepare(struct server_privs *p, const struct server_options *o,
                         char err[SERVER_PRIVS_ERR_LEN]);

/* The start-up step that gives up privileges: call it once every listening socket is bound and
 * every key read. With p->switch_user switches the groups, the group and
 * the user of every thread, then checks that root cannot be regained; and leaves no capability in
 * the calling thread or in the count workers' threads. Returns 0, or -1 with err set (the caller
 * must then stop: the process may be half-switched). */
int server_step_drop_privileges(const struct server_privs *p, struct net_worker *const *workers,
                                unsigned count, char err[SERVER_PRIVS_ERR_LEN]);

#endif
