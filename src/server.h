/*
 * The composition root: the only place where the edge modules meet. It
 * builds the workers from a validated configuration, runs the control loop
 * (signals) on the calling thread until asked to stop, and tears everything
 * down in reverse order.
 */
#ifndef TERN_SERVER_H
#define TERN_SERVER_H

#include "conf/conf.h"

#include <stddef.h>

struct server;

/* How a reload reads the configuration again: the file, then the command-line overrides. */
struct server_loader {
    /* Fills c (initialised with conf_init()) and validates it. Returns 0, or -1 with err set to
     * "file:line: key: ...". */
    int (*load)(void *ctx, struct conf *c, char err[CONF_ERR_LEN]);
    void *ctx;
};

/* Runs the server on c (validated; borrowed for the whole run, and may be amended with a
 * generated secret); loader (borrowed; NULL: no reload) reads it again on SIGHUP. Returns the
 * process exit status: 0 after a clean stop (SIGTERM, SIGINT, the end of a drain), 1 when
 * start-up failed (the reason is logged). */
int server_run(struct conf *c, const struct server_loader *loader);

/* Reloads the configuration (SIGHUP): keys that can change live are applied, the others are
 * reported as needing a restart; a configuration that does not load or validate leaves the
 * running one in force. Writes a one-line summary or the error into msg. Returns 0 or -1.
 * Control thread only. */
int server_reload(struct server *s, char *msg, size_t cap);

/* Starts a drain (SIGUSR1): new allocations are refused, live ones keep relaying and
 * refreshing, /ready turns false, and the server stops when the last allocation ends or
 * server.drain_timeout_s has passed. Control thread only. */
void server_drain(struct server *s);

#endif
