#include "turn/turn_ratelimit.h"

#include "util/assert.h"

#include <string.h>

/*
 * Slot ownership. A slot tracks the first IP that hashes there. Another IP hashing to the same
 * slot takes it over only when the slot is quiet: its bucket, refilled to now_ms, holds burst
 * tokens again. Every request the old IP made has then been paid back, so a fresh bucket for
 * the old IP would be in exactly the state the slot is in, and forgetting it loses nothing.
 * Until then the newcomer is charged to the same bucket: a busy source keeps its slot, and an
 * attacker who reaches an honest client's slot can make it wait (the header's trade-off), but
 * can never reset a bucket that is being drained.
 */

/* True when the slot's bucket has refilled to burst at now_ms. Refills the bucket (a take of 0
 * tokens spends nothing). */
static bool turn_ratelimit_slot_is_quiet(struct turn_ratelimit_slot *slot, uint64_t now_ms)
{
    (void)turn_bucket_take(&slot->bucket, 0, now_ms);
    /* burst comes from a uint32_t, so burst * 1000 cannot overflow. */
    return slot->bucket.tokens_milli >= slot->bucket.burst * 1000u;
}

void turn_ratelimit_init(struct turn_ratelimit *rl, uint32_t rate_per_s, uint32_t burst,
                         uint32_t seed)
{
    TERN_ASSERT(rl != NULL);

    memset(rl->slots, 0, sizeof(rl->slots));
    rl->rate_per_s = rate_per_s;
    /* A burst of 0 would refuse every request whatever the rate: take it as 1. */
    rl->burst = burst == 0 ? 1 : burst;
    rl->seed = seed;
}

bool turn_ratelimit_allow(struct turn_ratelimit *rl, const struct addr *source, uint64_t now_ms)
{
    TERN_ASSERT(rl != NULL && source != NULL);

    if (rl->rate_per_s == 0) {
        return true;
    }
    /* One bucket per host: ::ffff:a.b.c.d is a.b.c.d, and the port is not the sender. */
    struct addr ip = addr_canonical(source);
    if (ip.family != AF_INET && ip.family != AF_INET6) {
        return false;
    }
    ip.port = 0;
    uint32_t index = addr_hash_ip(&ip, rl->seed) % TURN_RATELIMIT_SLOTS;
    struct turn_ratelimit_slot *slot = &rl->slots[index];
    bool unused = slot->ip.family == 0;
    if (unused || (!addr_equal_ip(&slot->ip, &ip) && turn_ratelimit_slot_is_quiet(slot, now_ms))) {
        slot->ip = ip;
        turn_bucket_init(&slot->bucket, rl->rate_per_s, rl->burst, now_ms);
    }
    return turn_bucket_take(&slot->bucket, 1, now_ms);
}
