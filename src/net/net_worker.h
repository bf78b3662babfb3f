/*
 * A worker: one thread, one libevent event_base, and its own SO_REUSEPORT
 * socket on every listening address. The kernel steers each client 5-tuple
 * to one worker for life, so everything a client owns lives on that worker
 * and the packet path takes no lock.
 */
#ifndef TERN_NET_WORKER_H
#define TERN_NET_WORKER_H

#include "net/net_options.h"
#include "net/net_relay.h"
#include "net/net_shared.h"
#include "net/net_socket.h"
#include "net/net_tcp.h"
#include "net/net_udp.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct event_base;
struct turn_worker;
struct turn_worker_config;

/* Counters of one worker, written only by its own thread. */
struct net_worker_counters {
    uint64_t udp_rx_packets;
    uint64_t udp_tx_packets;
    uint64_t udp_dropped; /* malformed, unknown kind, or send failed */
    uint64_t tcp_accepted;
    uint64_t tcp_refused; /* over tcp_max_conns */
    uint64_t tcp_closed_bad_frame;
    uint64_t tcp_output_dropped; /* messages dropped on a full connection */
    uint64_t stun_requests;
    uint64_t relay_rx_packets; /* from peers */
    uint64_t relay_tx_packets; /* to peers */
    uint64_t relay_dropped;
    uint64_t relays_open;
};

struct net_worker {
    unsigned index;
    const struct net_options *opts; /* borrowed; outlives the worker */
    struct net_shared *shared;      /* borrowed: port pools and quotas of every worker */
    struct event_base *base;
    struct turn_worker *turn; /* the protocol state of this worker's clients */
    struct event *expire_timer;
    pthread_t thread;
    bool running;
    struct net_udp *udp[NET_MAX_LISTEN];
    size_t udp_count;
    struct net_tcp_listener *tcp[NET_MAX_LISTEN];
    size_t tcp_count;
    struct net_tcp_conn_list conns;
    struct net_udp_batch *batch;         /* receive and send buffers, reused for every packet */
    struct net_relay_batch *relay_batch; /* the same for datagrams from peers */
    size_t relay_next;                   /* round robin over relay addresses */
    struct net_worker_counters counters;
};

/* Creates worker index with its event base, its protocol state on turn_cfg, and its sockets on
 * every address of opts. opts, shared and turn_cfg are borrowed and must outlive it. Returns an
 * owned worker, or NULL with err set. */
struct net_worker *net_worker_new(unsigned index, const struct net_options *opts,
                                  struct net_shared *shared,
                                  const struct turn_worker_config *turn_cfg, char err[NET_ERR_LEN]);

/* Starts the worker's thread. Returns 0, or -1 with err set. */
int net_worker_start(struct net_worker *w, char err[NET_ERR_LEN]);

/* Asks the worker's loop to exit and joins its thread. Safe from another thread; a worker never
 * started returns at once. */
void net_worker_stop(struct net_worker *w);

/* Closes the worker's sockets and connections and releases it. NULL is a no-op. The thread must
 * be stopped. */
void net_worker_free(struct net_worker *w);

#endif
