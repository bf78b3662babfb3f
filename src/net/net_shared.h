/*
 * What the workers share: the relay port pools (one per relay IP, created
 * the first time an allocation asks for that IP) and the allocation
 * quotas. Both are touched when an allocation starts or ends, never per
 * packet, and lock internally.
 */
#ifndef TERN_NET_SHARED_H
#define TERN_NET_SHARED_H

#include "net/net_options.h"
#include "net/net_ports.h"
#include "net/net_quota.h"
#include "util/addr.h"

#include <pthread.h>
#include <stddef.h>

#define NET_MAX_POOLS 32

struct net_pool {
    struct addr ip; /* the relay IP this pool hands out ports of (port 0) */
    struct net_ports ports;
};

struct net_shared {
    const struct net_options *opts; /* borrowed */
    struct net_quota quota;
    struct net_quota conns; /* client connections per IP (TCP, TLS, DTLS) */
    pthread_mutex_t pools_lock;
    struct net_pool *pools[NET_MAX_POOLS];
    size_t pool_count;
};

/* Prepares the shared state for opts (which outlive it) with the given allocation quotas. */
void net_shared_init(struct net_shared *s, const struct net_options *opts, uint32_t max_total,
                     uint32_t max_per_user, uint32_t max_per_ip);

/* Counts one client connection (TCP, TLS or DTLS session) from client's IP. Returns 1 when
 * counted, 0 when allowed without counting (no limit set), or -1 when that IP has
 * opts->tcp_max_conns_per_ip already (nothing counted). Any thread. */
int net_shared_conn_acquire(struct net_shared *s, const struct addr *client);

/* Gives back a connection counted (1) by net_shared_conn_acquire(). */
void net_shared_conn_release(struct net_shared *s, const struct addr *client);

/* Releases every pool and the quota table. */
void net_shared_fini(struct net_shared *s);

/* Returns the port pool of relay IP ip, creating it on first use; NULL when NET_MAX_POOLS pools
 * exist already. The pool lives as long as s. */
struct net_ports *net_shared_pool(struct net_shared *s, const struct addr *ip);

/* True when a is the relayed address of a live allocation: a's IP is a relay IP (bound, or
 * advertised for one) and its port is taken in that IP's pool. Usable as
 * turn_policy_self.relay_in_use with s as the context. */
bool net_shared_relay_in_use(void *s, const struct addr *a);

/* The number of relay ports not in use over every pool created so far, or over the configured
 * range when none was created yet. */
size_t net_shared_ports_available(struct net_shared *s);

#endif
