/*
 * The admin socket: a local unix stream socket served on the control
 * thread's event loop, for ternctl. One request line, one JSON answer, then
 * the server closes the connection:
 *
 *   status                     {"ok": true, "version": ..., "uptime_s": ...,
 *                               "workers": ..., "allocations": ...,
 *                               "draining": ..., "config": ...}
 *   sessions                   {"ok": true, "count": N, "truncated": false,
 *                               "sessions": [{"user", "client", "relay",
 *                               "transport", "age_s", "bytes_to_peer",
 *                               "bytes_to_client", "worker"}, ...]}
 *   kill <user|relay address>  {"ok": true, "ended": N}
 *   drain                      {"ok": true, "draining": ...}
 *   reload                     {"ok": true|false, "message": ...}
 *   anything else              {"ok": false, "error": "..."}
 *
 * A request is at most SERVER_ADMIN_REQUEST_MAX bytes and must arrive
 * within SERVER_ADMIN_TIMEOUT_S; a slow or idle client costs one buffer and
 * never blocks the loop. Who may connect is decided by the socket file's
 * mode (0660) and owner.
 */
#ifndef TERN_SERVER_ADMIN_H
#define TERN_SERVER_ADMIN_H

#include "net/net_worker.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct server_admin;

#define SERVER_ADMIN_ERR_LEN 320
/* The longest request line, newline included (server_admin.c's error message says 512). */
#define SERVER_ADMIN_REQUEST_MAX 512
/* A client must send its request, and read the answer, within this time. */
#define SERVER_ADMIN_TIMEOUT_S 5
/* Connections served at once; more are closed at once. */
#define SERVER_ADMIN_CONNS_MAX 16
/* The most allocations one "sessions" answer lists. */
#define SERVER_ADMIN_SESSIONS_MAX 10000

/* What the admin commands act on; borrowed, it outlives the admin server. */
struct server_admin_target {
    struct net_worker *const *workers;
    unsigned worker_count;
    const char *config_path; /* or NULL */
    int64_t start_s;         /* wall clock at start-up */
    /* reload: 0 when the new configuration is in force, else -1; msg says what happened. */
    int (*reload)(void *ctx, char *msg, size_t cap);
    void (*drain)(void *ctx);
    bool (*draining)(void *ctx);
    void *ctx;
};

/* Creates the socket at path (a stale socket left there is replaced; a live one is not), mode
 * 0660, owned by uid and gid when they are not -1 (root, before the privilege drop), and serves it
 * on base. Returns an owned server, or NULL with err set. */
struct server_admin *server_admin_new(struct event_base *base, const char *path, uid_t uid,
                                      gid_t gid, const struct server_admin_target *target,
                                      char err[SERVER_ADMIN_ERR_LEN]);

/* Closes every connection and the socket, removes the socket file (when still allowed to) and
 * releases the server. NULL is a no-op. */
void server_admin_free(struct server_admin *a);

#endif
