/*
 * Allocation quotas shared by every worker: in total, per username and per
 * client IP (RFC 8656 section 7.2: 486 Allocation Quota Reached, 508
 * Insufficient Capacity). A client may reach different workers from
 * different ports, so the counts are global and locked; they change only
 * when an allocation starts or ends, never per packet.
 */
#ifndef TERN_NET_QUOTA_H
#define TERN_NET_QUOTA_H

#include "util/addr.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define NET_QUOTA_BUCKETS 1024

struct net_quota_entry;

struct net_quota {
    pthread_mutex_t lock;
    uint32_t max_total;    /* 0: unlimited */
    uint32_t max_per_user; /* 0: unlimited */
    uint32_t max_per_ip;   /* 0: unlimited */
    uint32_t total;
    uint32_t seed;
    struct net_quota_entry *buckets[NET_QUOTA_BUCKETS];
};

/* Prepares an empty quota table with the given limits. */
void net_quota_init(struct net_quota *q, uint32_t max_total, uint32_t max_per_user,
                    uint32_t max_per_ip);

/* Releases every entry. */
void net_quota_fini(struct net_quota *q);

/* Changes the limits (reload); counts are kept. */
void net_quota_set_limits(struct net_quota *q, uint32_t max_total, uint32_t max_per_user,
                          uint32_t max_per_ip);

/* Counts one allocation for username from client's IP. Returns 0, 486 when the user or the IP
 * is at its quota, or 508 when the server is at its total. Nothing is counted on refusal. */
int net_quota_acquire(struct net_quota *q, const char *username, const struct addr *client);

/* Gives back one allocation counted by net_quota_acquire(). */
void net_quota_release(struct net_quota *q, const char *username, const struct addr *client);

/* The number of allocations counted now. */
uint32_t net_quota_total(struct net_quota *q);

#endif
