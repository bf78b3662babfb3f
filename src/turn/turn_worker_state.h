/*
 * The inside of struct turn_worker, shared by the files of turn/ and by
 * nothing else (net/ sees the opaque type of turn_worker.h).
 */
#ifndef TERN_TURN_WORKER_STATE_H
#define TERN_TURN_WORKER_STATE_H

#include "turn/turn_pool.h"
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
    struct turn_pool *alloc_pool;     /* owned: the struct turn_alloc of every allocation */
    uint64_t txid_state;              /* transaction ids of Data indications (splitmix64) */
    /* The clocks as last seen (a request, or the expiry timer): the end of an allocation that
     * ends without a request (connection closed, shutdown) is dated with them. */
    uint64_t now_ms;
    int64_t now_s;
    /* Last, on cache lines of its own (the worker is allocated with xcalloc_aligned()). */
    _Alignas(COUNTER_LINE) struct turn_counters counters;
};

/* Every counter write goes through these macros: a relaxed atomic store by the one writer, so
 * the HTTP thread reads the counters without a data race and the worker without a lock
 * (util/counter.h). */
#define TURN_COUNT_STORE(w, field, v) COUNTER_STORE(&(w)->counters.field, (v))
/* Adds n to one counter of w. */
#define TURN_COUNT_ADD(w, field, n) COUNTER_ADD(&(w)->counters.field, (n))
/* Subtracts n from one gauge of w. */
#define TURN_COUNT_SUB(w, field, n) COUNTER_SUB(&(w)->counters.field, (n))
/* Adds one to one counter of w. */
#define TURN_COUNT(w, field) TURN_COUNT_ADD(w, field, 1)

/* Ends allocation a for reason: counts it, hands its usage record to the ops, closes its relays,
 * gives back its quota, takes it out of the table and frees it. */
void turn_worker_end(struct turn_worker *w, struct turn_alloc *a, enum turn_usage_reason reason);

/* Counts the relays of a, which has just entered the table, among the active ones. */
void turn_worker_count_active(struct turn_worker *w, const struct turn_alloc *a);

/* Notes the clocks of the packet or timer being handled. */
void turn_worker_clock(struct turn_worker *w, uint64_t now_ms, int64_t now_s);

/* Closes the relays of a, an allocation not in the table (one whose Allocate failed), gives
 * back its quota when held, and frees it. */
void turn_worker_discard(struct turn_worker *w, struct turn_alloc *a);

/* True when the policy lets the allocations of w reach peer (turn_policy.h); counts
 * peer_denied when it does not. */
bool turn_worker_peer_allowed(struct turn_worker *w, const struct addr *peer);

/* The first alternate server of family (AF_INET or AF_INET6) a draining worker sends new
 * allocations to, or NULL. */
const struct addr *turn_worker_alternate(const struct turn_worker *w, uint16_t family);

/* Writes a fresh transaction id for an indication the server sends. */
void turn_worker_txid(struct turn_worker *w, uint8_t txid[STUN_TXID_LEN]);

#endif
