/* TURN policy: lifetimes, channels, peers, quotas. Filled by conf/, read by turn/. */
#ifndef TERN_TURN_OPTIONS_H
#define TERN_TURN_OPTIONS_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TURN_MAX_PEER_RULES 64
#define TURN_MAX_ALTERNATES 8

struct turn_options {
    uint32_t lifetime_default_s; /* granted when LIFETIME is absent, default 600 */
    uint32_t lifetime_max_s;     /* LIFETIME is capped to this, default 3600 */
    bool channel_strict;         /* refuse RFC 5766 channel numbers 0x5000-0x7FFE */

    /* Peers: allow wins over deny; deny adds to the built-in default deny list. */
    struct addr_cidr peer_allow[TURN_MAX_PEER_RULES];
    size_t peer_allow_count;
    struct addr_cidr peer_deny[TURN_MAX_PEER_RULES];
    size_t peer_deny_count;

    /* Quotas; 0 means unlimited except where noted. */
    uint32_t max_allocations;          /* in total on this server, default 0 */
    uint32_t max_allocations_per_user; /* default 0 */
    uint32_t max_allocations_per_ip;   /* default 0 */
    uint32_t max_permissions;          /* per allocation, default 64 */
    uint32_t max_channels;             /* per allocation, default 64 */
    uint64_t bandwidth_bps;            /* per allocation, bits per second, default 0 */
    uint32_t unauth_rate;              /* unauthenticated requests per second per source IP */
    uint32_t unauth_burst;             /* burst of the same */
    /* Servers a draining server sends new allocations to (300 Try Alternate with
     * ALTERNATE-SERVER, RFC 8489 section 10); none: 508. */
    struct addr alternate_servers[TURN_MAX_ALTERNATES];
    size_t alternate_count;
};

#endif
