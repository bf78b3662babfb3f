/*
 * The inside of struct turn_worker, shared by the files of turn/ and by
 * nothing else (net/ sees the opaque type of turn_worker.h).
 */
#ifndef TERN_TURN_WORKER_STATE_H
#define TERN_TURN_WORKER_STATE_H

#include "turn/turn_ratelimit.h"
#include "turn/turn_table.h"
#include "turn/turn_worker.h"

#include <stdint.h>

struct turn_worker {
    struct turn_worker_config cfg; /* a copy; what it points to is borrowed */
    const struct turn_io_ops *ops;
    void *io_ctx;
    struct turn_table table;
    struct turn_ratelimit *ratelimit; /* owned; large, so on the heap */
    struct turn_counters counters;
    uint64_t txid_state; /* transaction ids of Data indications (splitmix64) */
};

/* Every counter write goes through this one macro, so that making it a relaxed atomic store
 * (when another thread reads the counters) is a change of one line. */
#define TURN_COUNT_STORE(w, field, v) ((void)((w)->counters.field = (uint64_t)(v)))
/* Adds n to one counter of w. */
#define TURN_COUNT_ADD(w, field, n) TURN_COUNT_STORE(w, field, (w)->counters.field + (uint64_t)(n))
/* Adds one to one counter of w. */
#define TURN_COUNT(w, field) TURN_COUNT_ADD(w, field, 1)

/* Ends allocation a: closes its relays, gives back its quota, takes it out of the table and
 * frees it. */
void turn_worker_end(struct turn_worker *w, struct turn_alloc *a);

/* Closes the relays of a, an allocation not in the table (one whose Allocate failed), gives
 * back its quota when held, and frees it. */
void turn_worker_discard(struct turn_worker *w, struct turn_alloc *a);

/* True when the policy lets the allocations of w reach peer (turn_policy.h); counts
 * peer_denied when it does not. */
bool turn_worker_peer_allowed(struct turn_worker *w, const struct addr *peer);

/* Writes a fresh transaction id for an indication the server sends. */
void turn_worker_txid(struct turn_worker *w, uint8_t txid[STUN_TXID_LEN]);

#endif
