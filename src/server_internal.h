/*
 * The inside of the composition root, shared by server.c (start-up and
 * shutdown) and server_reload.c (reload and drain), and by nothing else.
 */
#ifndef TERN_SERVER_INTERNAL_H
#define TERN_SERVER_INTERNAL_H

#include "auth/auth_nonce.h"
#include "auth/auth_store.h"
#include "conf/conf.h"
#include "net/net_shared.h"
#include "net/net_worker.h"
#include "server.h"
#include "server_credential.h"
#include "server_privs.h"
#include "server_stats.h"
#include "server_usage.h"
#include "store/store.h"
#include "turn/turn_worker.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stdint.h>

#define SERVER_MAX_THREADS 256
/* The server's own addresses kept for the peer policy. */
#define SERVER_MAX_OWN_ADDRS 64
/* Room for the message of a reload. */
#define SERVER_MSG_LEN 512

struct event;
struct event_base;
struct http_server;
struct server_admin;
struct server_usage;

/* What the workers' protocol cores read, built whole by start-up, a reload or a drain and
 * replaced whole: a worker never sees half of one. */
struct server_snapshot {
    struct conf conf; /* owned: live keys as last loaded, the others as at start */
    struct auth_store *auth;
    struct turn_worker_config turn_cfg; /* points into conf and auth */
};

/* The secrets and revocations last read from Redis, merged into every snapshot. */
struct server_redis_view {
    char *secrets[STORE_SECRETS_MAX]; /* owned, newest first */
    size_t secret_count;
    struct auth_revoked *revoked; /* owned, sealed, or NULL */
};

struct server {
    struct conf *conf; /* as started (borrowed from main): sockets, threads, endpoint */
    const struct server_loader *loader;
    struct server_snapshot *live;
    char *generated_secret; /* made up at start when none was configured, or NULL */
    uint8_t nonce_key[AUTH_NONCE_KEY_LEN];
    struct addr own[SERVER_MAX_OWN_ADDRS];
    uint16_t listen_ports[2];            /* listen.port, and tls.port when TLS opens it */
    struct turn_worker_config turn_base; /* what no reload changes: own addresses, keys, seed */
    struct net_shared shared;
    bool shared_ready;
    unsigned worker_count;
    struct net_worker *workers[SERVER_MAX_THREADS];
    struct server_usage *usage;
    struct store *store;             /* NULL without Redis */
    struct server_redis_view redis;  /* empty without Redis */
    struct server_usage_sinks sinks; /* where workers' usage records go */
    struct server_credential mint;   /* the credential API's current secret */
    struct server_stats stats;
    struct http_server *http;
    struct event_base *control;
    struct event *sig_term;
    struct event *sig_int;
    struct event *sig_hup;
    struct event *sig_usr1;
    /* Draining: no new allocation; the server stops once none is left or at the deadline. */
    bool draining;
    uint64_t drain_deadline_ms;
    struct event *drain_timer;
    unsigned terms;             /* SIGTERMs received */
    struct server_privs privs;  /* the account to switch to, checked at start */
    struct server_admin *admin; /* the admin socket, or NULL */
    int64_t start_s;            /* wall clock at start */
};

/* Builds a snapshot of c (copied) for the workers. Returns it, or NULL with err set. */
struct server_snapshot *server_snapshot_new(const struct server *s, const struct conf *c,
                                            char err[SERVER_MSG_LEN]);

/* Releases a snapshot no worker reads any more. NULL is a no-op. */
void server_snapshot_free(struct server_snapshot *snap);

/* Makes snap the one every worker reads, then releases the one before. */
void server_snapshot_install(struct server *s, struct server_snapshot *snap);

/* Builds the credential store of a snapshot: the file's credentials in opts, with the secrets
 * last read from Redis ahead of the file's (the newest mints) and the revocations. Returns an
 * owned store, or NULL with err set. */
struct auth_store *server_redis_auth_new(const struct server *s, const struct auth_options *opts,
                                         char err[AUTH_STORE_ERR_LEN]);

/* Creates the Redis store when redis.enabled, before the workers (their usage records go to
 * it); store_start() once they run. Returns 0, or -1 (logged). */
int server_redis_step(struct server *s);

/* Releases the last Redis view. */
void server_redis_fini(struct server *s);

/* Tells the service manager (systemd, Type=notify) about a change of state, if it asked. */
void server_notify(const char *state);

/* Ends the control loop: server_run() then stops the workers and returns. */
void server_stop(struct server *s);

/* Starts a drain for timeout_s (why names who asked, for the log). A drain in progress keeps
 * the earlier of the two deadlines. Returns 0, or -1 when the drain could not start. */
int server_drain_for(struct server *s, uint32_t timeout_s, const char *why);

/* Reads the certificate and key named by the live configuration (tls.cert, tls.key) again and
 * hands them to every worker: new TLS and DTLS handshakes use them, connections up keep theirs.
 * A file that fails to load is logged and the previous certificate stays. Nothing happens when
 * TLS was off at start. Called by a reload (SIGHUP). */
void server_tls_reload(struct server *s);

#endif
