/*
 * Rate limit of unauthenticated requests per source IP (DESIGN.md: a flood
 * of spoofed requests allocates nothing). A fixed table of token buckets
 * indexed by a seeded hash of the source IP: no memory is allocated per
 * packet, and an attacker with many addresses only shares buckets (it can
 * make an honest client sharing a slot wait, never make the table grow).
 * A slot remembers the IP it tracks; a different IP hashing there takes
 * the slot over once the old one has been quiet for a while.
 */
#ifndef TERN_TURN_RATELIMIT_H
#define TERN_TURN_RATELIMIT_H

#include "turn/turn_bucket.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TURN_RATELIMIT_SLOTS 4096

struct turn_ratelimit_slot {
    struct addr ip; /* port 0; family 0 when the slot is free */
    struct turn_bucket bucket;
};

struct turn_ratelimit {
    uint32_t rate_per_s; /* 0: no limit */
    uint32_t burst;
    uint32_t seed;
    struct turn_ratelimit_slot slots[TURN_RATELIMIT_SLOTS];
};

/* Prepares an empty limiter: rate_per_s requests a second per source IP, bursts of burst; seed
 * keeps the slot of an address unpredictable from outside. */
void turn_ratelimit_init(struct turn_ratelimit *rl, uint32_t rate_per_s, uint32_t burst,
                         uint32_t seed);

/* Counts one unauthenticated request from source at now_ms. Returns true when it may be
 * answered, false when the source is over its rate (the request is dropped silently). */
bool turn_ratelimit_allow(struct turn_ratelimit *rl, const struct addr *source, uint64_t now_ms);

#endif
