#include "turn/turn_perm.h"

#include "util/xalloc.h"

#include <string.h>

/* The first array holds this many; later growth doubles, up to the caller's max. */
#define TURN_PERM_FIRST_CAP 4

void turn_perm_init(struct turn_perm_set *set)
{
    set->items = NULL;
    set->count = 0;
    set->cap = 0;
}

void turn_perm_fini(struct turn_perm_set *set)
{
    xfree(&set->items);
    set->count = 0;
    set->cap = 0;
}

/* The index of the entry for peer's IP, or set->count. */
static size_t turn_perm_find(const struct turn_perm_set *set, const struct addr *peer)
{
    for (size_t i = 0; i < set->count; i++) {
        /* RFC 8656 section 9: only the IP address is compared, never the port. */
        if (addr_equal_ip(&set->items[i].ip, peer)) {
            return i;
        }
    }
    return set->count;
}

bool turn_perm_has(const struct turn_perm_set *set, const struct addr *peer, uint64_t now_ms)
{
    size_t i = turn_perm_find(set, peer);

    return i < set->count && now_ms < set->items[i].expires_ms;
}

bool turn_perm_is_new(const struct turn_perm_set *set, const struct addr *peer)
{
    return turn_perm_find(set, peer) == set->count;
}

/* Makes room for one more entry, without passing max. Returns 0 or -1. */
static int turn_perm_reserve(struct turn_perm_set *set, size_t max)
{
    if (set->count >= max) {
        return -1;
    }
    if (set->count < set->cap) {
        return 0;
    }
    size_t cap = set->cap == 0 ? TURN_PERM_FIRST_CAP : set->cap * 2;

    if (cap > max) {
        cap = max;
    }
    set->items = xrealloc(set->items, cap * sizeof(set->items[0]));
    set->cap = cap;
    return 0;
}

int turn_perm_add(struct turn_perm_set *set, const struct addr *peer, uint64_t now_ms, size_t max)
{
    size_t i = turn_perm_find(set, peer);

    if (i == set->count) {
        if (turn_perm_reserve(set, max) != 0) {
            return -1;
        }
        memset(&set->items[i], 0, sizeof(set->items[i]));
        set->items[i].ip = *peer;
        set->items[i].ip.port = 0;
        set->count++;
    }
    /* RFC 8656 section 9: installing creates the permission, refreshing resets its
     * time-to-expiry; either way it now lives for the Permission Lifetime. */
    set->items[i].expires_ms = now_ms + TURN_PERM_LIFETIME_MS;
    return 0;
}

size_t turn_perm_expire(struct turn_perm_set *set, uint64_t now_ms)
{
    size_t kept = 0;
    size_t dropped = 0;

    for (size_t i = 0; i < set->count; i++) {
        if (now_ms >= set->items[i].expires_ms) {
            dropped++;
            continue;
        }
        set->items[kept++] = set->items[i];
    }
    set->count = kept;
    return dropped;
}
