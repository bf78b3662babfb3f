/*
 * A token bucket: rate_per_s tokens arrive each second up to burst; an
 * event costs tokens and is refused when too few are left. Used for the
 * per-allocation bandwidth cap (tokens are bytes) and the per-source rate
 * limit of unauthenticated requests (tokens are requests). Integer
 * arithmetic only; time comes in as now_ms.
 */
#ifndef TERN_TURN_BUCKET_H
#define TERN_TURN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct turn_bucket {
    uint64_t rate_per_s; /* 0: unlimited */
    uint64_t burst;
    uint64_t tokens_milli; /* tokens * 1000, for sub-token accuracy at low rates */
    uint64_t last_ms;
};

/* Starts a full bucket at now_ms. rate_per_s 0 means every take succeeds. */
void turn_bucket_init(struct turn_bucket *b, uint64_t rate_per_s, uint64_t burst, uint64_t now_ms);

/* Takes cost tokens at now_ms. Returns true when they were there (and are now spent), false when
 * the event must be refused (nothing is spent). A clock going backwards refills nothing. */
bool turn_bucket_take(struct turn_bucket *b, uint64_t cost, uint64_t now_ms);

#endif
