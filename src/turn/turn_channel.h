/*
 * The channel bindings of one allocation (RFC 8656 section 12). A binding
 * ties a channel number to one peer transport address (IP and port) for
 * 10 minutes unless refreshed; within an allocation a binding is unique by
 * number and by peer, so neither can be bound twice.
 *
 * After a binding expires, RFC 8656 section 12 has the client wait 5 more
 * minutes before binding the number to another peer or the peer to another
 * number, so that late packets are not misdelivered. The server holds to
 * the same rule: an expired binding stays in the set, "cooling", for
 * those 5 minutes. During that time it relays nothing, its number and its
 * peer refuse other bindings (400), and binding the same pair again simply
 * revives it. A cooling entry also counts against max_channels.
 *
 *     bound            cooling                   gone
 *     |<-- 600 s -->|<------ 300 s ------>|
 *     bind          expires_ms            expires_ms + 300 s
 */
#ifndef TERN_TURN_CHANNEL_H
#define TERN_TURN_CHANNEL_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8656 section 12: "A channel binding lasts for 10 minutes unless refreshed." */
#define TURN_CHANNEL_LIFETIME_MS ((uint64_t)600 * 1000)
/* RFC 8656 section 12: 5 minutes before a number or peer may be bound differently. */
#define TURN_CHANNEL_REUSE_MS ((uint64_t)300 * 1000)

struct turn_channel {
    struct addr peer; /* IP and port */
    uint64_t expires_ms;
    uint16_t number;
};

struct turn_channel_set {
    struct turn_channel *items; /* owned; grown on the control path only */
    size_t count;
    size_t cap;
};

/* What turn_channel_bind() found. */
enum turn_channel_verdict {
    TURN_CHANNEL_OK = 0,
    TURN_CHANNEL_NUMBER_TAKEN = -1, /* the number is bound (or cooling) to another peer */
    TURN_CHANNEL_PEER_TAKEN = -2,   /* the peer is bound (or cooling) to another number */
    TURN_CHANNEL_FULL = -3,         /* a new binding would pass max */
};

/* Prepares an empty set in caller storage. */
void turn_channel_init(struct turn_channel_set *set);

/* Releases the set's array. The set is empty afterwards. */
void turn_channel_fini(struct turn_channel_set *set);

/* The binding of number that is live at now_ms, or NULL. Never allocates. */
const struct turn_channel *turn_channel_by_number(const struct turn_channel_set *set,
                                                  uint16_t number, uint64_t now_ms);

/* The binding of peer (IP and port) that is live at now_ms, or NULL. Never allocates. */
const struct turn_channel *turn_channel_by_peer(const struct turn_channel_set *set,
                                                const struct addr *peer, uint64_t now_ms);

/* Says whether number may be bound to peer at now_ms in a set of at most max entries, without
 * changing anything. Returns an enum turn_channel_verdict. */
enum turn_channel_verdict turn_channel_check(const struct turn_channel_set *set, uint16_t number,
                                             const struct addr *peer, uint64_t now_ms, size_t max);

/* Creates or refreshes the binding of number to peer so that it lives until
 * now_ms + TURN_CHANNEL_LIFETIME_MS. Returns what turn_channel_check() says; nothing changes
 * unless it is TURN_CHANNEL_OK. Control path: may grow the array. */
enum turn_channel_verdict turn_channel_bind(struct turn_channel_set *set, uint16_t number,
                                            const struct addr *peer, uint64_t now_ms, size_t max);

/* Forgets the bindings whose cooling time has ended at now_ms. Returns how many. */
size_t turn_channel_expire(struct turn_channel_set *set, uint64_t now_ms);

#endif
