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

/* Runs the server on c (validated; borrowed for the whole run, and may be amended with a
 * generated secret). Returns the process exit status: 0 after a clean stop on SIGTERM or SIGINT,
 * 1 when start-up failed (the reason is logged). */
int server_run(struct conf *c);

struct server;

/* Re-reads the configuration of the running server s (SIGHUP, ternctl reload). Writes what
 * happened to msg (cap bytes). Returns 0 when the new configuration is in force, -1 when the old
 * one stays (msg says why). Control thread only. */
int server_reload(struct server *s, char *msg, size_t cap);

/* Stops taking new allocations and exits once the last one ends (SIGUSR1, ternctl drain).
 * Control thread only. */
void server_drain(struct server *s);

#endif
