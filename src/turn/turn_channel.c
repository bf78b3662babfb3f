#include "turn/turn_channel.h"

#include "util/xalloc.h"

#include <string.h>

/* The first array holds this many; later growth doubles, up to the caller's max. */
#define TURN_CHANNEL_FIRST_CAP 2

void turn_channel_init(struct turn_channel_set *set)
{
    set->items = NULL;
    set->count = 0;
    set->cap = 0;
}

void turn_channel_fini(struct turn_channel_set *set)
{
    xfree(&set->items);
    set->count = 0;
    set->cap = 0;
}

/* True while ch relays: before its expiry. */
static bool turn_channel_is_live(const struct turn_channel *ch, uint64_t now_ms)
{
    return now_ms < ch->expires_ms;
}

const struct turn_channel *turn_channel_by_number(const struct turn_channel_set *set,
                                                  uint16_t number, uint64_t now_ms)
{
    for (size_t i = 0; i < set->count; i++) {
        if (set->items[i].number == number) {
            return turn_channel_is_live(&set->items[i], now_ms) ? &set->items[i] : NULL;
        }
    }
    return NULL;
}

const struct turn_channel *turn_channel_by_peer(const struct turn_channel_set *set,
                                                const struct addr *peer, uint64_t now_ms)
{
    for (size_t i = 0; i < set->count; i++) {
        if (addr_equal(&set->items[i].peer, peer)) {
            return turn_channel_is_live(&set->items[i], now_ms) ? &set->items[i] : NULL;
        }
    }
    return NULL;
}

/* The index of the entry of number, or set->count. Entries still cooling count: their number
 * is reserved until the cooling ends. */
static size_t turn_channel_find_number(const struct turn_channel_set *set, uint16_t number)
{
    for (size_t i = 0; i < set->count; i++) {
        if (set->items[i].number == number) {
            return i;
        }
    }
    return set->count;
}

static size_t turn_channel_find_peer(const struct turn_channel_set *set, const struct addr *peer)
{
    for (size_t i = 0; i < set->count; i++) {
        if (addr_equal(&set->items[i].peer, peer)) {
            return i;
        }
    }
    return set->count;
}

/* True when entry i still holds its number and peer at now_ms (bound or cooling). */
static bool turn_channel_is_held(const struct turn_channel_set *set, size_t i, uint64_t now_ms)
{
    return i < set->count && now_ms < set->items[i].expires_ms + TURN_CHANNEL_REUSE_MS;
}

enum turn_channel_verdict turn_channel_check(const struct turn_channel_set *set, uint16_t number,
                                             const struct addr *peer, uint64_t now_ms, size_t max)
{
    size_t by_number = turn_channel_find_number(set, number);
    size_t by_peer = turn_channel_find_peer(set, peer);

    if (by_number < set->count && by_number == by_peer) {
        return TURN_CHANNEL_OK; /* the same pair: a refresh */
    }
    /* RFC 8656 section 12.2: the number must not be bound to a different transport address,
     * and the address not to a different number. */
    if (turn_channel_is_held(set, by_number, now_ms)) {
        return TURN_CHANNEL_NUMBER_TAKEN;
    }
    if (turn_channel_is_held(set, by_peer, now_ms)) {
        return TURN_CHANNEL_PEER_TAKEN;
    }
    size_t reusable = (by_number < set->count ? 1u : 0u) + (by_peer < set->count ? 1u : 0u);

    if (set->count - reusable >= max) {
        return TURN_CHANNEL_FULL;
    }
    return TURN_CHANNEL_OK;
}

/* Removes entry i (order is not kept). */
static void turn_channel_remove(struct turn_channel_set *set, size_t i)
{
    set->items[i] = set->items[set->count - 1];
    set->count--;
}

/* Appends a zeroed entry, growing the array up to max. Returns it. */
static struct turn_channel *turn_channel_append(struct turn_channel_set *set, size_t max)
{
    if (set->count == set->cap) {
        size_t cap = set->cap == 0 ? TURN_CHANNEL_FIRST_CAP : set->cap * 2;

        if (cap > max) {
            cap = max;
        }
        set->items = xrealloc(set->items, cap * sizeof(set->items[0]));
        set->cap = cap;
    }
    struct turn_channel *ch = &set->items[set->count++];

    memset(ch, 0, sizeof(*ch));
    return ch;
}

enum turn_channel_verdict turn_channel_bind(struct turn_channel_set *set, uint16_t number,
                                            const struct addr *peer, uint64_t now_ms, size_t max)
{
    enum turn_channel_verdict v = turn_channel_check(set, number, peer, now_ms, max);

    if (v != TURN_CHANNEL_OK) {
        return v;
    }
    size_t i = turn_channel_find_number(set, number);

    if (i == set->count || !addr_equal(&set->items[i].peer, peer)) {
        /* A new pair: entries whose cooling ended and that name the number or the peer are
         * forgotten first, so the pair stays unique. */
        if (i < set->count) {
            turn_channel_remove(set, i);
        }
        i = turn_channel_find_peer(set, peer);
        if (i < set->count) {
            turn_channel_remove(set, i);
        }
        struct turn_channel *ch = turn_channel_append(set, max);

        ch->number = number;
        ch->peer = *peer;
        i = (size_t)(ch - set->items);
    }
    /* RFC 8656 section 12: binding again resets the time-to-expiry to 10 minutes. */
    set->items[i].expires_ms = now_ms + TURN_CHANNEL_LIFETIME_MS;
    return TURN_CHANNEL_OK;
}

size_t turn_channel_expire(struct turn_channel_set *set, uint64_t now_ms)
{
    size_t kept = 0;
    size_t dropped = 0;

    for (size_t i = 0; i < set->count; i++) {
        if (!turn_channel_is_held(set, i, now_ms)) {
            dropped++;
            continue;
        }
        set->items[kept++] = set->items[i];
    }
    set->count = kept;
    return dropped;
}
