/*
 * The permissions of one allocation (RFC 8656 section 9). A permission is
 * an IP address and a time of expiry; it lets datagrams from any port of
 * that IP reach the client, and lets the client send to it. The set is a
 * small array: a client keeps a handful of permissions, so a linear walk
 * beats any index, and the ceiling (opts->max_permissions) bounds the walk.
 *
 *     +-------------------+---------------+
 *     | ip (port ignored) | expires_ms    |   x count, count <= cap <= max
 *     +-------------------+---------------+
 *
 * A permission whose time has passed counts as absent even before
 * turn_perm_expire() sweeps it, so the answer never depends on how often
 * the sweep runs.
 */
#ifndef TERN_TURN_PERM_H
#define TERN_TURN_PERM_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8656 section 9: "The Permission Lifetime MUST be 300 seconds (= 5 minutes)." */
#define TURN_PERM_LIFETIME_MS ((uint64_t)300 * 1000)

struct turn_perm {
    struct addr ip; /* port 0 */
    uint64_t expires_ms;
};

struct turn_perm_set {
    struct turn_perm *items; /* owned; grown on the control path only */
    size_t count;
    size_t cap;
};

/* Prepares an empty set in caller storage. */
void turn_perm_init(struct turn_perm_set *set);

/* Releases the set's array. The set is empty afterwards. */
void turn_perm_fini(struct turn_perm_set *set);

/* True when a live permission for peer's IP (its port ignored) exists at now_ms. Never
 * allocates: the data path calls it. */
bool turn_perm_has(const struct turn_perm_set *set, const struct addr *peer, uint64_t now_ms);

/* True when installing a permission for peer's IP at now_ms needs a new entry (none, live or
 * expired, is there yet). */
bool turn_perm_is_new(const struct turn_perm_set *set, const struct addr *peer);

/* Installs or refreshes the permission for peer's IP so that it lives until
 * now_ms + TURN_PERM_LIFETIME_MS (RFC 8656 section 9). max is the most entries the set may hold.
 * Returns 0, or -1 when a new entry would pass max (nothing changes). Control path: may grow the
 * array. */
int turn_perm_add(struct turn_perm_set *set, const struct addr *peer, uint64_t now_ms, size_t max);

/* Drops the permissions that have expired at now_ms. Returns how many were dropped. */
size_t turn_perm_expire(struct turn_perm_set *set, uint64_t now_ms);

#endif
