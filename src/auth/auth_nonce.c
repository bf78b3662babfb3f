#include "auth/auth_nonce.h"

#include "stun/stun_nonce.h"
#include "util/base64.h"
#include "util/bytes.h"
#include "util/crypto.h"

#include <stdbool.h>
#include <string.h>

#define AUTH_NONCE_TIME_LEN   8
#define AUTH_NONCE_MAC_LEN    16
#define AUTH_NONCE_TAIL_BYTES (AUTH_NONCE_TIME_LEN + AUTH_NONCE_MAC_LEN)
#define AUTH_NONCE_TAIL_LEN   32
/* The client address as MACed: family (2), port (2), IP (16). */
#define AUTH_NONCE_ADDR_LEN 20

_Static_assert(AUTH_NONCE_TAIL_LEN == BASE64_ENCODED_LEN(AUTH_NONCE_TAIL_BYTES),
               "the tail is the base64 of the issue time and the MAC");
_Static_assert(AUTH_NONCE_LEN == STUN_NONCE_COOKIE_LEN + AUTH_NONCE_TAIL_LEN,
               "nonce is cookie and tail");
_Static_assert(AUTH_NONCE_TAIL_BYTES % 3 == 0, "the tail encodes without padding");

/* Serialises the canonical form of client for the MAC. */
static void auth_nonce_addr_bytes(uint8_t out[AUTH_NONCE_ADDR_LEN], const struct addr *client)
{
    struct addr canon = addr_canonical(client);

    bytes_put_u16(out, canon.family);
    bytes_put_u16(out + 2, canon.port);
    memcpy(out + 4, canon.ip, sizeof(canon.ip));
}

/* Computes the truncated MAC over the cookie text, the issue time and the client. */
static int auth_nonce_mac(uint8_t out[AUTH_NONCE_MAC_LEN], const uint8_t key[AUTH_NONCE_KEY_LEN],
                          const char cookie[STUN_NONCE_COOKIE_LEN],
                          const uint8_t issued[AUTH_NONCE_TIME_LEN], const struct addr *client)
{
    uint8_t addr_bytes[AUTH_NONCE_ADDR_LEN];
    uint8_t full[CRYPTO_SHA256_LEN];
    const struct crypto_chunk chunks[3] = {
        {cookie, STUN_NONCE_COOKIE_LEN},
        {issued, AUTH_NONCE_TIME_LEN},
        {addr_bytes, sizeof(addr_bytes)},
    };

    auth_nonce_addr_bytes(addr_bytes, client);
    if (crypto_hmac_sha256(key, AUTH_NONCE_KEY_LEN, chunks, 3, full) != 0) {
        return -1;
    }
    memcpy(out, full, AUTH_NONCE_MAC_LEN);
    return 0;
}

int auth_nonce_make(char *out, size_t cap, const uint8_t key[AUTH_NONCE_KEY_LEN],
                    const struct addr *client, int64_t now_s, uint32_t features)
{
    uint8_t tail[AUTH_NONCE_TAIL_BYTES];

    if (out == NULL || cap < AUTH_NONCE_LEN + 1 || client->family == 0) {
        return -1;
    }
    /* RFC 8489 section 9.2: the nonce starts with the cookie announcing the features. */
    if (stun_nonce_cookie_write(features, out, cap) != STUN_NONCE_COOKIE_LEN) {
        return -1;
    }
    bytes_put_u32(tail, (uint32_t)((uint64_t)now_s >> 32));
    bytes_put_u32(tail + 4, (uint32_t)now_s);
    if (auth_nonce_mac(tail + AUTH_NONCE_TIME_LEN, key, out, tail, client) != 0) {
        return -1;
    }
    if (base64_encode(tail, sizeof(tail), out + STUN_NONCE_COOKIE_LEN,
                      cap - STUN_NONCE_COOKIE_LEN) != AUTH_NONCE_TAIL_LEN) {
        return -1;
    }
    return AUTH_NONCE_LEN;
}

/* Classifies a genuine nonce's issue time against now_s. */
static enum auth_nonce_status auth_nonce_age(int64_t issued_s, int64_t now_s, uint32_t lifetime_s)
{
    /* Differences in uint64_t: exact for any two int64_t values, and no signed overflow. */
    if (issued_s > now_s) {
        uint64_t ahead_s = (uint64_t)issued_s - (uint64_t)now_s;
        return ahead_s > AUTH_NONCE_MAX_SKEW_S ? AUTH_NONCE_INVALID : AUTH_NONCE_OK;
    }
    uint64_t age_s = (uint64_t)now_s - (uint64_t)issued_s;
    return age_s > lifetime_s ? AUTH_NONCE_STALE : AUTH_NONCE_OK;
}

enum auth_nonce_status auth_nonce_verify(const uint8_t key[AUTH_NONCE_KEY_LEN],
                                         const struct addr *client, const char *nonce, size_t len,
                                         int64_t now_s, uint32_t lifetime_s)
{
    uint8_t tail[AUTH_NONCE_TAIL_BYTES];
    uint8_t mac[AUTH_NONCE_MAC_LEN];
    uint32_t features;
    bool genuine;

    if (nonce == NULL || len != AUTH_NONCE_LEN || client->family == 0) {
        return AUTH_NONCE_INVALID;
    }
    if (stun_nonce_cookie_parse((const uint8_t *)nonce, len, &features) != 0) {
        return AUTH_NONCE_INVALID;
    }
    if (base64_decode(nonce + STUN_NONCE_COOKIE_LEN, AUTH_NONCE_TAIL_LEN, tail, sizeof(tail)) !=
        AUTH_NONCE_TAIL_BYTES) {
        return AUTH_NONCE_INVALID;
    }
    if (auth_nonce_mac(mac, key, nonce, tail, client) != 0) {
        return AUTH_NONCE_INVALID;
    }
    genuine = crypto_equal(mac, tail + AUTH_NONCE_TIME_LEN, AUTH_NONCE_MAC_LEN);
    if (!genuine) {
        return AUTH_NONCE_INVALID;
    }
    uint64_t issued = ((uint64_t)bytes_get_u32(tail) << 32) | bytes_get_u32(tail + 4);
    return auth_nonce_age((int64_t)issued, now_s, lifetime_s);
}
