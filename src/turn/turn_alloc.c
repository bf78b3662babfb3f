#include "turn/turn_alloc.h"

#include "util/xalloc.h"

#include <string.h>

struct turn_alloc *turn_alloc_new(const struct turn_packet_info *info, const char *username,
                                  size_t len, const struct auth_key *key)
{
    return turn_alloc_new_in(NULL, info, username, len, key);
}

struct turn_alloc *turn_alloc_new_in(struct turn_pool *pool, const struct turn_packet_info *info,
                                     const char *username, size_t len, const struct auth_key *key)
{
    struct turn_alloc *a = pool != NULL ? turn_pool_get(pool) : xcalloc(1, sizeof(*a));

    a->pool = pool;
    a->client = info->client;
    a->local = info->local;
    a->transport = info->transport;
    a->conn = info->conn;
    a->username = xmalloc(len + 1);
    if (len > 0) {
        memcpy(a->username, username, len);
    }
    a->username[len] = '\0';
    a->key = *key;
    turn_perm_init(&a->perms);
    turn_channel_init(&a->channels);
    a->stats.start_ms = info->now_ms;
    a->stats.start_s = info->now_s;
    a->expires_ms = info->now_ms;
    return a;
}

void turn_alloc_free(struct turn_alloc *a)
{
    if (a == NULL) {
        return;
    }
    xfree(&a->username);
    auth_key_wipe(&a->key);
    turn_perm_fini(&a->perms);
    turn_channel_fini(&a->channels);
    if (a->pool != NULL) {
        turn_pool_put(a->pool, a);
    } else {
        xfree(&a);
    }
}

bool turn_alloc_matches(const struct turn_alloc *a, const struct addr *client,
                        const struct addr *local, enum turn_transport transport)
{
    return a->transport == transport && addr_equal(&a->client, client) &&
           addr_equal(&a->local, local);
}

uint32_t turn_alloc_lifetime_s(const struct turn_options *opts, bool present, uint32_t requested)
{
    if (!present) {
        return opts->lifetime_default_s;
    }
    /* RFC 8656 section 7.2: "the minimum of the client's proposed lifetime and the server's
     * maximum allowed lifetime. If this computed value is greater than the default lifetime,
     * then the server uses the computed lifetime ... Otherwise, the server uses the default
     * lifetime." Section 8.2 computes the "desired lifetime" of a Refresh the same way. */
    uint32_t lifetime = requested < opts->lifetime_max_s ? requested : opts->lifetime_max_s;

    return lifetime > opts->lifetime_default_s ? lifetime : opts->lifetime_default_s;
}

void turn_alloc_set_lifetime(struct turn_alloc *a, uint32_t lifetime_s, uint64_t now_ms)
{
    a->expires_ms = now_ms + (uint64_t)lifetime_s * 1000u;
}

uint32_t turn_alloc_remaining_s(const struct turn_alloc *a, uint64_t now_ms)
{
    if (now_ms >= a->expires_ms) {
        return 0;
    }
    uint64_t left_s = (a->expires_ms - now_ms + 999u) / 1000u;

    return left_s > UINT32_MAX ? UINT32_MAX : (uint32_t)left_s;
}

struct turn_relay *turn_alloc_relay_for(struct turn_alloc *a, uint16_t family)
{
    for (size_t i = 0; i < a->relay_count; i++) {
        if (a->relays[i].bound.family == family) {
            return &a->relays[i];
        }
    }
    return NULL;
}

bool turn_alloc_same_credentials(const struct turn_alloc *a, const char *username, size_t len,
                                 const struct auth_key *key)
{
    if (strlen(a->username) != len || memcmp(a->username, username, len) != 0) {
        return false;
    }
    /* The same password gives another key under the other algorithm; under the same one, a
     * different key means a different password (a REST credential of another secret). */
    return a->key.alg != key->alg ||
           (a->key.len == key->len && memcmp(a->key.bytes, key->bytes, key->len) == 0);
}

void turn_alloc_bandwidth_init(struct turn_alloc *a, uint64_t bandwidth_bps, uint64_t now_ms)
{
    uint64_t rate = bandwidth_bps / 8u;
    uint64_t burst = rate > TURN_ALLOC_MIN_BURST ? rate : TURN_ALLOC_MIN_BURST;

    turn_bucket_init(&a->to_peer, rate, burst, now_ms);
    turn_bucket_init(&a->to_client, rate, burst, now_ms);
}

void turn_alloc_cache_store(struct turn_alloc *a, uint16_t method,
                            const uint8_t txid[STUN_TXID_LEN], const uint8_t *reply, size_t len)
{
    a->cache.len = 0;
    if (len == 0 || len > sizeof(a->cache.bytes)) {
        return;
    }
    memcpy(a->cache.txid, txid, STUN_TXID_LEN);
    memcpy(a->cache.bytes, reply, len);
    a->cache.method = method;
    a->cache.len = (uint16_t)len;
}

const uint8_t *turn_alloc_cache_find(const struct turn_alloc *a, uint16_t method,
                                     const uint8_t txid[STUN_TXID_LEN], size_t *len)
{
    *len = 0;
    if (a->cache.len == 0 || a->cache.method != method ||
        memcmp(a->cache.txid, txid, STUN_TXID_LEN) != 0) {
        return NULL;
    }
    *len = a->cache.len;
    return a->cache.bytes;
}

void turn_alloc_note_peer(struct turn_alloc *a, const struct addr *peer)
{
    for (size_t i = 0; i < a->peer_count; i++) {
        if (addr_equal_ip(&a->peers[i], peer)) {
            return;
        }
    }
    if (a->peer_count == TURN_USAGE_MAX_PEERS) {
        a->peers_truncated = true;
        return;
    }
    a->peers[a->peer_count] = *peer;
    a->peers[a->peer_count].port = 0;
    a->peer_count++;
}

/* Copies the NUL-terminated src into dst (cap bytes), cut to fit. */
static void turn_alloc_copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

void turn_alloc_usage(const struct turn_alloc *a, const char *realm, int64_t end_s,
                      enum turn_usage_reason reason, struct turn_usage *u)
{
    memset(u, 0, sizeof(*u));
    turn_alloc_copy_text(u->username, sizeof(u->username), a->username);
    turn_alloc_copy_text(u->realm, sizeof(u->realm), realm != NULL ? realm : "");
    u->transport = (unsigned)a->transport;
    u->client = a->client;
    for (size_t i = 0; i < a->relay_count && i < 2; i++) {
        u->relays[u->relay_count++] = a->relays[i].advertised;
    }
    memcpy(u->peers, a->peers, sizeof(u->peers));
    u->peer_count = a->peer_count;
    u->peers_truncated = a->peers_truncated;
    u->packets_to_peer = a->stats.packets_to_peer;
    u->bytes_to_peer = a->stats.bytes_to_peer;
    u->packets_to_client = a->stats.packets_to_client;
    u->bytes_to_client = a->stats.bytes_to_client;
    u->start_s = a->stats.start_s;
    u->end_s = end_s < a->stats.start_s ? a->stats.start_s : end_s;
    u->reason = reason;
}
