/*
 * The protocol state of one worker: its allocations, and what it needs from
 * the world outside the pure core. The core never touches a socket or a
 * clock: relay sockets are opened and closed through struct turn_io_ops
 * (net/ implements them, unit tests fake them), time arrives with each
 * packet, and quotas shared by every worker are asked of the ops too.
 *
 * Everything here is used by one thread: the worker that owns it.
 */
#ifndef TERN_TURN_WORKER_H
#define TERN_TURN_WORKER_H

#include "auth/auth_store.h"
#include "turn/turn_options.h"
#include "turn/turn_policy.h"
#include "turn/turn_usage.h"
#include "util/addr.h"
#include "util/counter.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct turn_alloc;
struct turn_worker;

/* Failures of relay_open(); turn/ maps each to its STUN error in its one table. */
enum turn_io_err {
    TURN_IO_ERR_NO_PORT = -1, /* no relay port left: 508 */
    TURN_IO_ERR_FAMILY = -2,  /* no relay address of the family: 440 */
    TURN_IO_ERR_TOKEN = -3,   /* unknown or expired RESERVATION-TOKEN: 508 */
    TURN_IO_ERR_SOCKET = -4,  /* the socket could not be opened: 508 */
};

/* One relayed transport address of an allocation (two for a dual-stack allocation). */
struct turn_relay {
    struct turn_alloc *alloc; /* owner */
    struct addr bound;        /* the relay socket's local address */
    struct addr advertised;   /* the address in XOR-RELAYED-ADDRESS (external, for 1:1 NAT) */
    void *handle;             /* net's socket object; opaque to the core */
};

/* What an Allocate asks of a relay socket. */
struct turn_relay_request {
    uint16_t family;    /* AF_INET or AF_INET6 */
    bool even_port;     /* EVEN-PORT present: the port must be even */
    bool reserve_next;  /* EVEN-PORT's R bit: also reserve port + 1 */
    bool dont_fragment; /* DONT-FRAGMENT present: set DF on what the relay sends */
    uint64_t token;     /* a RESERVATION-TOKEN to claim, or 0 */
    struct addr local;  /* the server address the client reached (a default relay IP) */
};

struct turn_io_ops {
    /* Opens a relay socket as req asks, filling relay->bound, relay->advertised and
     * relay->handle (relay->alloc is already set). With req->reserve_next, also reserves the next
     * port and writes its token (non-zero) to *token_out. Returns 0 or an enum turn_io_err. */
    int (*relay_open)(void *ctx, const struct turn_relay_request *req, struct turn_relay *relay,
                      uint64_t *token_out);
    /* Closes the relay socket of relay and returns its port to the pool. */
    void (*relay_close)(void *ctx, struct turn_relay *relay);
    /* Counts one more allocation of username from the client's IP against the quotas shared by
     * every worker. Returns 0, or the STUN error code to answer (486 over the per-user or
     * per-IP quota, 508 over the total). */
    int (*quota_acquire)(void *ctx, const char *username, const struct addr *client);
    /* Gives back what quota_acquire() counted. */
    void (*quota_release)(void *ctx, const char *username, const struct addr *client);
    /* Takes the record of an allocation that ended (rec is borrowed: copy it). Called on the
     * worker's thread, also from turn_worker_free(); must not block. May be NULL: no records. */
    void (*usage_record)(void *ctx, const struct turn_usage *rec);
};

/* An immutable configuration snapshot the worker reads; it outlives the worker (or is swapped
 * by a reload with turn_worker_set_config()). */
struct turn_worker_config {
    const struct turn_options *turn;
    const struct auth_store *auth;
    const uint8_t *nonce_key; /* AUTH_NONCE_KEY_LEN bytes, the same on every worker */
    uint32_t nonce_lifetime_s;
    const char *software; /* SOFTWARE in authenticated responses, or NULL */
    /* The server's own addresses (listening and relay, ports ignored): never a peer. */
    struct turn_policy_self self;
    /* Seeds the worker's hash tables, its rate limiter and the transaction ids of the Data
     * indications it sends (the core has no random source): pick it at random at start. Read by
     * turn_worker_new() only; a reload keeps the first seed. */
    uint32_t seed;
    /* Draining: Allocate is refused (300 to an alternate server of turn->alternate_servers, else
     * 508); live allocations keep relaying and refreshing. */
    bool draining;
};

/* Why an authenticated request was refused (RFC 8489 section 9.2.4), indexing
 * struct turn_counters.auth_failures. */
enum turn_auth_failure {
    TURN_AUTH_FAILURE_BAD_REQUEST = 0,  /* 400: USERNAME, REALM or NONCE missing; bid-down */
    TURN_AUTH_FAILURE_UNKNOWN_USER = 1, /* 401: no such user, or an expired REST username */
    TURN_AUTH_FAILURE_INTEGRITY = 2,    /* 401: MESSAGE-INTEGRITY(-SHA256) did not verify */
    TURN_AUTH_FAILURE_STALE_NONCE = 3,  /* 438: the nonce is stale or not ours */
};

/* Upper bounds of the buckets of the allocation duration histogram, in seconds; a last bucket
 * (+Inf) follows. */
#define TURN_DURATION_BUCKETS 9
extern const uint64_t turn_worker_duration_bounds_s[TURN_DURATION_BUCKETS];
/* Upper bounds of the buckets of the bytes-per-allocation histogram (both directions). */
#define TURN_BYTES_BUCKETS 8
extern const uint64_t turn_worker_bytes_bounds[TURN_BYTES_BUCKETS];
/* Room for every enum turn_fail in allocations_refused_by (turn_error.h; checked at build). */
#define TURN_FAIL_SLOTS 16
/* Address families of the active allocation gauges: [0] IPv4, [1] IPv6. */
#define TURN_FAMILIES 2
/* Transports of the active allocation gauges (enum turn_transport). */
#define TURN_TRANSPORTS 4

/* Per-worker counters, written only by the worker's thread through TURN_COUNT() (relaxed atomic
 * stores, util/counter.h) and read by any thread with counter_read(). The block starts on a
 * cache line of its own. */
struct turn_counters {
    /* [STUN method number, every TURN method is below 16; 0 for other methods][0 success,
     * 1 error]. */
    uint64_t requests[16][2];
    uint64_t auth_failures[4]; /* [enum turn_auth_failure] */
    uint64_t unauth_dropped;   /* unauthenticated requests over the per-source rate: no answer */
    uint64_t allocations_created;
    uint64_t allocations_refused;
    uint64_t allocations_expired;
    uint64_t allocations_deleted;
    uint64_t peer_denied; /* CreatePermission/ChannelBind 403 and Send dropped */
    uint64_t quota_refused;
    uint64_t bandwidth_dropped;
    uint64_t no_permission_dropped; /* peer packets without a permission */
    uint64_t rx_packets_client;     /* client to peer */
    uint64_t rx_bytes_client;
    uint64_t tx_packets_peer; /* peer to client */
    uint64_t tx_bytes_peer;
    uint64_t allocations_active;
    /* Relays of live allocations by [enum turn_transport][family]: a dual-stack allocation
     * counts once in each family. */
    uint64_t relays_active[TURN_TRANSPORTS][TURN_FAMILIES];
    uint64_t allocations_refused_by[TURN_FAIL_SLOTS]; /* [enum turn_fail] */
    uint64_t allocations_ended[TURN_USAGE_REASON_COUNT];
    /* Histograms, updated when an allocation ends: counts per bucket (not cumulative). */
    uint64_t duration_buckets[TURN_DURATION_BUCKETS + 1];
    uint64_t duration_sum_s;
    uint64_t bytes_buckets[TURN_BYTES_BUCKETS + 1];
    uint64_t bytes_sum;
};

/* One allocation of the top-N by traffic (turn_worker_top()). */
struct turn_worker_top_entry {
    char username[TURN_USAGE_USERNAME_MAX + 1];
    struct addr client;
    struct addr relay;
    uint64_t bytes_to_peer;
    uint64_t bytes_to_client;
    int64_t start_s;
};

/* Creates the state of one worker. cfg, ops and what they point to are borrowed and must outlive
 * it. Returns an owned worker (never NULL). */
struct turn_worker *turn_worker_new(const struct turn_worker_config *cfg,
                                    const struct turn_io_ops *ops, void *io_ctx);

/* Ends every allocation (closing relays through the ops) and releases the worker. NULL is a
 * no-op. */
void turn_worker_free(struct turn_worker *w);

/* Replaces the configuration snapshot (reload); live allocations keep running. */
void turn_worker_set_config(struct turn_worker *w, const struct turn_worker_config *cfg);

/* Ends allocations, permissions and channels whose time has come at now_ms (monotonic); now_s
 * is the wall clock, for usage records. Call about once a second. */
void turn_worker_expire(struct turn_worker *w, uint64_t now_ms, int64_t now_s);

/* Ends the allocations of a client connection (TCP or TLS) that closed; conn is the handle given
 * in struct turn_packet_info. */
void turn_worker_conn_closed(struct turn_worker *w, void *conn);

/* Ends every allocation whose username is user, or whose REST username "<expiry>:<user>" has
 * user as its user part, for reason (TURN_USAGE_KILLED, TURN_USAGE_REVOKED). Returns how many
 * ended. */
size_t turn_worker_end_user(struct turn_worker *w, const char *user, enum turn_usage_reason reason);

/* Ends the allocation one of whose relays is advertised at relay (address and port), for reason.
 * Returns 1 when one ended, else 0. */
size_t turn_worker_end_relay(struct turn_worker *w, const struct addr *relay,
                             enum turn_usage_reason reason);

/* Writes at most n of the live allocations into out, in no order. Returns how many were
 * written. */
size_t turn_worker_list(const struct turn_worker *w, struct turn_worker_top_entry *out, size_t n);

/* The worker's counters (read by its own thread, or by another with relaxed loads). */
const struct turn_counters *turn_worker_counters(const struct turn_worker *w);

/* The number of live allocations of the worker. */
size_t turn_worker_alloc_count(const struct turn_worker *w);

/* Writes the (at most n) allocations with the most bytes relayed, both directions together,
 * into out, most first. Returns how many were written. Cost: one pass over the allocations. */
size_t turn_worker_top(const struct turn_worker *w, struct turn_worker_top_entry *out, size_t n);

#endif
