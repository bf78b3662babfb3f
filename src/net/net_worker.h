/*
 * A worker: one thread, one libevent event_base, and its own SO_REUSEPORT
 * socket on every listening address. The kernel steers each client 5-tuple
 * to one worker for life, so everything a client owns lives on that worker
 * and the packet path takes no lock.
 */
#ifndef TERN_NET_WORKER_H
#define TERN_NET_WORKER_H

#include "net/net_dtls.h"
#include "net/net_options.h"
#include "net/net_relay.h"
#include "net/net_shared.h"
#include "net/net_socket.h"
#include "net/net_tcp.h"
#include "net/net_tls.h"
#include "net/net_udp.h"
#include "turn/turn_usage.h"
#include "turn/turn_worker.h"
#include "util/counter.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct event_base;
/* The most allocations a worker publishes in its top-N list. */
#define NET_WORKER_TOP_MAX 100

/* Receives the usage record of an allocation that ended (borrowed: copy it). Called on the
 * worker's thread, or on the thread that frees the worker; must not block. */
typedef void (*net_worker_usage_cb)(void *ctx, const struct turn_usage *rec);

/* What the composition root asks of every worker besides relaying. */
struct net_worker_hooks {
    net_worker_usage_cb usage; /* NULL: no usage records */
    void *usage_ctx;
    unsigned top_n; /* allocations in the published top-N list, at most NET_WORKER_TOP_MAX */
};

/* What a worker publishes once a second for other threads (net_worker_snapshot_read()). */
struct net_worker_snapshot {
    size_t top_count;
    struct turn_worker_top_entry top[NET_WORKER_TOP_MAX]; /* most bytes first */
};

/* Counters of one worker, written only by its own thread with COUNTER_ADD() and read by any
 * thread with counter_read() (util/counter.h). */
struct net_worker_counters {
    uint64_t udp_rx_packets;
    uint64_t udp_tx_packets;
    uint64_t udp_dropped; /* malformed, unknown kind, or send failed */
    uint64_t tcp_accepted;
    uint64_t tcp_closed;
    uint64_t tcp_refused; /* over tcp_max_conns */
    uint64_t tcp_closed_bad_frame;
    uint64_t tcp_output_dropped; /* messages dropped on a full connection */
    uint64_t stun_requests;
    uint64_t relay_rx_packets; /* from peers */
    uint64_t relay_tx_packets; /* to peers */
    uint64_t relay_dropped;
    uint64_t relays_open;
    uint64_t conn_refused_per_ip;    /* TCP/TLS/DTLS over listen.tcp_max_connections_per_ip */
    uint64_t tls_handshakes;         /* TLS handshakes completed */
    uint64_t tls_handshake_failed;   /* TLS handshakes failed, timed out or cut short */
    uint64_t dtls_handshakes;        /* DTLS handshakes completed */
    uint64_t dtls_handshake_failed;  /* DTLS handshakes failed or timed out */
    uint64_t tls_handshake_timeouts; /* clients dropped at tls.handshake_timeout_s */
    uint64_t dtls_sessions;          /* DTLS sessions now, handshakes included */
};

/* Listening sockets of a worker: every listen address on listen.port and on tls.port. */
#define NET_WORKER_MAX_SOCKETS (2 * NET_MAX_LISTEN)

struct net_worker {
    /* First, from the start of a cache line (the worker is allocated with xcalloc_aligned()):
     * no other thread's data shares these lines. */
    _Alignas(COUNTER_LINE) struct net_worker_counters counters;
    unsigned index;
    const struct net_options *opts; /* borrowed; outlives the worker */
    struct net_shared *shared;      /* borrowed: port pools and quotas of every worker */
    struct event_base *base;
    struct turn_worker *turn; /* the protocol state of this worker's clients */
    struct event *expire_timer;
    pthread_t thread;
    bool running;
    struct net_udp *udp[NET_WORKER_MAX_SOCKETS];
    size_t udp_count;
    struct net_tcp_listener *tcp[NET_WORKER_MAX_SOCKETS];
    size_t tcp_count;
    struct net_tcp_conn_list conns;
    struct net_tls *tls;   /* one reference; NULL: no TLS/DTLS. Only the worker's thread swaps it */
    struct net_dtls *dtls; /* DTLS sessions of this worker */
    struct net_udp_batch *batch;         /* receive and send buffers, reused for every packet */
    struct net_relay_batch *relay_batch; /* the same for datagrams from peers */
    size_t relay_next;                   /* round robin over relay addresses */
    struct net_worker_hooks hooks;
    struct turn_worker_top_entry *top_scratch; /* hooks.top_n entries, the worker's own */
    pthread_mutex_t snapshot_lock;             /* taken once a second, and once per scrape */
    struct net_worker_snapshot *snapshot;      /* owned; guarded by snapshot_lock */
    bool snapshot_lock_ready;
};

/* Creates worker index with its event base, its protocol state on turn_cfg, and its sockets on
 * every address of opts. opts, shared and turn_cfg are borrowed and must outlive it; hooks is
 * copied (NULL: none). Returns an owned worker, or NULL with err set. */
struct net_worker *net_worker_new(unsigned index, const struct net_options *opts,
                                  struct net_shared *shared,
                                  const struct turn_worker_config *turn_cfg,
                                  const struct net_worker_hooks *hooks, char err[NET_ERR_LEN]);

/* Copies what w last published into out. Safe from any thread while w lives; takes w's
 * snapshot lock once. */
void net_worker_snapshot_read(struct net_worker *w, struct net_worker_snapshot *out);

/* The port numbers a worker listens on for opts: listen.port, and tls.port when a certificate
 * is set and it differs. Writes them to ports (room for 2) and returns how many. */
size_t net_worker_ports(const struct net_options *opts, uint16_t ports[2]);

/* Hands tls (a new reference is taken; the caller keeps its own) to worker w: new TLS and DTLS
 * handshakes use it, connections already up keep the context they started with. The switch runs
 * on the worker's thread through net_worker_call() (so not from a worker's thread). NULL turns
 * TLS and DTLS off for new clients. Returns 0, or -1 when the switch could not be queued (nothing
 * changed). */
int net_worker_set_tls(struct net_worker *w, struct net_tls *tls);

/* Starts the worker's thread. Returns 0, or -1 with err set. */
int net_worker_start(struct net_worker *w, char err[NET_ERR_LEN]);

/* A job run on a worker's own thread, where it may touch the worker's state (w->turn...). */
typedef void (*net_worker_job_fn)(struct net_worker *w, void *arg);

/* Runs fn(w, arg) on w's thread and returns once it has run. For the control thread (reload,
 * admin commands); never call it from a worker's thread. A worker not running runs fn on the
 * calling thread. Returns 0, or -1 when the job could not be queued (fn did not run). */
int net_worker_call(struct net_worker *w, net_worker_job_fn fn, void *arg);

/* Asks the worker's loop to exit and joins its thread. Safe from another thread; a worker never
 * started returns at once. */
void net_worker_stop(struct net_worker *w);

/* Closes the worker's sockets and connections and releases it. NULL is a no-op. The thread must
 * be stopped. */
void net_worker_free(struct net_worker *w);

#endif
