/*
 * One allocation (RFC 8656 section 2.2): the relayed transport address(es)
 * a client holds on the server, and everything the server keeps about it.
 *
 *     5-tuple      client, local, transport (+ net's connection handle)
 *     credentials  username and the long-term key that created it: later
 *                  requests must use the same (RFC 8656 section 5, 441)
 *     relays       one, or two for a dual-stack allocation (IPv4 + IPv6)
 *     expires_ms   the time-to-expiry, set by Allocate and Refresh
 *     permissions  peer IPs allowed, 300 s each (turn_perm.h)
 *     channels     channel bindings, 600 s each (turn_channel.h)
 *     bandwidth    one token bucket per direction, in bytes
 *     last answer  the transaction id and bytes of the last response, so a
 *                  retransmitted request gets the same answer
 *
 * An allocation is created and freed on the control path (xalloc); the data
 * path only reads it and updates counters and buckets.
 */
#ifndef TERN_TURN_ALLOC_H
#define TERN_TURN_ALLOC_H

#include "auth/auth_key.h"
#include "stun/stun_msg.h"
#include "turn/turn_bucket.h"
#include "turn/turn_channel.h"
#include "turn/turn_handle.h"
#include "turn/turn_options.h"
#include "turn/turn_perm.h"
#include "turn/turn_pool.h"
#include "turn/turn_usage.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 and an IPv6 relay at most (RFC 8656 section 7.2, ADDITIONAL-ADDRESS-FAMILY). */
#define TURN_ALLOC_MAX_RELAYS 2
/* Room for the last response. An Allocate success with two relays, an ADDRESS-ERROR-CODE,
 * a RESERVATION-TOKEN, both integrity attributes and FINGERPRINT takes about 210 bytes; a
 * longer SOFTWARE may not fit, and then the answer is not kept (a retransmitted Allocate is
 * then answered 437, which RFC 8656 section 7.3 tells the client how to handle). */
#define TURN_ALLOC_CACHE_LEN 256
/* The smallest bucket of the bandwidth cap: bursts of one second, or at least 64 KiB. */
#define TURN_ALLOC_MIN_BURST ((uint64_t)64 * 1024)

/* Traffic through the allocation, for usage records. */
struct turn_alloc_stats {
    uint64_t start_ms; /* monotonic */
    int64_t start_s;   /* wall clock */
    uint64_t packets_to_peer;
    uint64_t bytes_to_peer;
    uint64_t packets_to_client;
    uint64_t bytes_to_client;
};

/* The last response sent on the allocation. */
struct turn_alloc_cache {
    uint8_t txid[STUN_TXID_LEN];
    uint16_t method;
    uint16_t len; /* 0: nothing kept */
    uint8_t bytes[TURN_ALLOC_CACHE_LEN];
};

struct turn_alloc {
    struct turn_alloc *next;      /* the table's 5-tuple chain */
    struct turn_alloc *next_conn; /* the table's connection chain (stream clients only) */
    /* The 5-tuple. */
    struct addr client;
    struct addr local;
    enum turn_transport transport;
    void *conn;
    /* Credentials. */
    char *username; /* owned, NUL-terminated */
    struct auth_key key;
    /* State. */
    struct turn_relay relays[TURN_ALLOC_MAX_RELAYS];
    size_t relay_count;
    bool quota_held; /* quota_acquire() counted this allocation */
    uint64_t expires_ms;
    struct turn_perm_set perms;
    struct turn_channel_set channels;
    struct turn_bucket to_peer;
    struct turn_bucket to_client;
    struct turn_alloc_stats stats;
    /* Peer IPs given a permission, for the usage record (the first TURN_USAGE_MAX_PEERS). */
    struct addr peers[TURN_USAGE_MAX_PEERS];
    size_t peer_count;
    bool peers_truncated;
    struct turn_alloc_cache cache;
    struct turn_pool *pool; /* where it came from, or NULL: the heap */
};

/* Creates an allocation for the 5-tuple of info, owned by the caller (free it with
 * turn_alloc_free()). username[0..len) is copied; key is copied. The relays are not opened:
 * that is the worker's job. Control path (allocates; never NULL). */
struct turn_alloc *turn_alloc_new(const struct turn_packet_info *info, const char *username,
                                  size_t len, const struct auth_key *key);

/* turn_alloc_new(), with the allocation taken from pool (NULL: the heap), given back there by
 * turn_alloc_free(). */
struct turn_alloc *turn_alloc_new_in(struct turn_pool *pool, const struct turn_packet_info *info,
                                     const char *username, size_t len, const struct auth_key *key);

/* Releases what the allocation owns (not its relays, which the caller closes first) and the
 * allocation itself. NULL is a no-op. */
void turn_alloc_free(struct turn_alloc *a);

/* True when a was created on the 5-tuple (client, local, transport). */
bool turn_alloc_matches(const struct turn_alloc *a, const struct addr *client,
                        const struct addr *local, enum turn_transport transport);

/* The lifetime in seconds RFC 8656 sections 7.2 and 8.2 grant for a request: with no LIFETIME
 * (present false) the default; otherwise min(requested, max), raised to the default when
 * below it. (A Refresh LIFETIME of 0 is a deletion; the caller handles it before.) */
uint32_t turn_alloc_lifetime_s(const struct turn_options *opts, bool present, uint32_t requested);

/* Sets the time-to-expiry to lifetime_s from now_ms. */
void turn_alloc_set_lifetime(struct turn_alloc *a, uint32_t lifetime_s, uint64_t now_ms);

/* The seconds left before a expires, rounded up (0 once expired). */
uint32_t turn_alloc_remaining_s(const struct turn_alloc *a, uint64_t now_ms);

/* The relay of the address family (AF_INET or AF_INET6), or NULL. */
struct turn_relay *turn_alloc_relay_for(struct turn_alloc *a, uint16_t family);

/* True when username[0..len) and key are the credentials that created a (RFC 8656 section 5):
 * the same username, and under the same password algorithm the same key. A client that moves
 * from one password algorithm to the other keeps its allocation. */
bool turn_alloc_same_credentials(const struct turn_alloc *a, const char *username, size_t len,
                                 const struct auth_key *key);

/* Starts both bandwidth buckets at now_ms for a cap of bandwidth_bps (0: unlimited). */
void turn_alloc_bandwidth_init(struct turn_alloc *a, uint64_t bandwidth_bps, uint64_t now_ms);

/* Notes the IP of peer (port ignored) among the peers of the usage record, once. Control path
 * (a permission was installed). */
void turn_alloc_note_peer(struct turn_alloc *a, const struct addr *peer);

/* Fills the usage record u of a, which ends at end_s (wall clock) for reason; realm is borrowed
 * and copied. */
void turn_alloc_usage(const struct turn_alloc *a, const char *realm, int64_t end_s,
                      enum turn_usage_reason reason, struct turn_usage *u);

/* Keeps reply[0..len) as the answer to the request (method, txid). A reply longer than
 * TURN_ALLOC_CACHE_LEN is not kept (the cache is emptied). */
void turn_alloc_cache_store(struct turn_alloc *a, uint16_t method,
                            const uint8_t txid[STUN_TXID_LEN], const uint8_t *reply, size_t len);

/* The kept answer of a request with this method and txid, with its length in *len, or NULL.
 * Borrows a. */
const uint8_t *turn_alloc_cache_find(const struct turn_alloc *a, uint16_t method,
                                     const uint8_t txid[STUN_TXID_LEN], size_t *len);

#endif
