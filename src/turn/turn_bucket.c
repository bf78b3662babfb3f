#include "turn/turn_bucket.h"

#include "util/assert.h"

#include <stddef.h>

/*
 * Tokens are kept in thousandths, so a refill is exact: rate_per_s tokens a second is rate_per_s
 * milli-tokens a millisecond, and elapsed_ms * rate_per_s milli-tokens have arrived after
 * elapsed_ms, with no division and no rounding carried from call to call.
 *
 * Overflow: rates reach 10^12 a second (bandwidth caps in bytes) and a bucket may sit idle for
 * days, so the product elapsed_ms * rate_per_s is never formed when it could exceed what is
 * missing from a full bucket. The capacity burst * 1000 saturates at UINT64_MAX.
 */
#define TURN_BUCKET_MILLI 1000u

/* The capacity of a bucket of burst tokens, in milli-tokens, saturated at UINT64_MAX. */
static uint64_t turn_bucket_capacity_milli(uint64_t burst)
{
    if (burst > UINT64_MAX / TURN_BUCKET_MILLI) {
        return UINT64_MAX;
    }
    return burst * TURN_BUCKET_MILLI;
}

/* Credits the tokens that arrived between last_ms and now_ms. A clock that went backwards
 * credits nothing and leaves last_ms alone, so the same interval is never credited twice when
 * the clock comes forward again. */
static void turn_bucket_refill(struct turn_bucket *b, uint64_t now_ms)
{
    uint64_t capacity = turn_bucket_capacity_milli(b->burst);

    TERN_ASSERT(b->rate_per_s != 0);
    if (now_ms <= b->last_ms) {
        return;
    }
    uint64_t elapsed_ms = now_ms - b->last_ms;
    b->last_ms = now_ms;
    if (b->tokens_milli >= capacity) {
        b->tokens_milli = capacity;
        return;
    }
    uint64_t missing = capacity - b->tokens_milli;
    /* elapsed_ms * rate_per_s >= missing, asked without forming the product: for integers,
     * e * r > m - 1 exactly when e > (m - 1) / r (missing is at least 1 here). */
    if (elapsed_ms > (missing - 1) / b->rate_per_s) {
        b->tokens_milli = capacity;
        return;
    }
    b->tokens_milli += elapsed_ms * b->rate_per_s;
}

void turn_bucket_init(struct turn_bucket *b, uint64_t rate_per_s, uint64_t burst, uint64_t now_ms)
{
    TERN_ASSERT(b != NULL);

    b->rate_per_s = rate_per_s;
    b->burst = burst;
    b->tokens_milli = turn_bucket_capacity_milli(burst);
    b->last_ms = now_ms;
}

/* A take of cost 0 always succeeds and only refills: turn_ratelimit uses it to see whether a
 * bucket has filled up again. */
bool turn_bucket_take(struct turn_bucket *b, uint64_t cost, uint64_t now_ms)
{
    TERN_ASSERT(b != NULL);

    if (b->rate_per_s == 0) {
        return true;
    }
    turn_bucket_refill(b, now_ms);
    /* A cost too large to count in milli-tokens is more than any bucket holds. */
    if (cost > UINT64_MAX / TURN_BUCKET_MILLI) {
        return false;
    }
    uint64_t cost_milli = cost * TURN_BUCKET_MILLI;
    if (b->tokens_milli < cost_milli) {
        return false;
    }
    b->tokens_milli -= cost_milli;
    return true;
}
