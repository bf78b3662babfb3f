/*
 * Long-term credential keys (RFC 8489 section 9.2.2) and USERHASH
 * (RFC 8489 section 14.4).
 *
 *     key(MD5)     = MD5(username ":" realm ":" password)       16 bytes
 *     key(SHA-256) = SHA-256(username ":" realm ":" password)   32 bytes
 *     USERHASH     = SHA-256(username ":" realm)                32 bytes
 *
 * The RFC runs realm and password through the OpaqueString profile
 * (RFC 8265) first. Tern does not: usernames, realms and passwords are used
 * as the UTF-8 bytes they were given in, so an operator who configures a
 * password must configure it in the form clients will type (for ASCII
 * passwords, the usual case, the two are the same).
 *
 * Strings here are byte spans (pointer and length), never required to be
 * NUL-terminated, because they usually point into a received packet.
 */
#ifndef TERN_AUTH_KEY_H
#define TERN_AUTH_KEY_H

#include "util/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest key any supported algorithm yields (SHA-256). */
#define AUTH_KEY_MAX_LEN CRYPTO_SHA256_LEN
/* USERHASH is always a SHA-256 digest (RFC 8489 section 14.4). */
#define AUTH_KEY_USERHASH_LEN CRYPTO_SHA256_LEN

/* A derived long-term key, ready to be the HMAC key of MESSAGE-INTEGRITY(-SHA256). */
struct auth_key {
    uint16_t alg; /* enum stun_password_alg: STUN_PASSWORD_ALG_MD5 or _SHA256 */
    uint8_t len;  /* 16 for MD5, 32 for SHA-256 */
    uint8_t bytes[AUTH_KEY_MAX_LEN];
};

/* Who a key belongs to: a username within a realm. Both borrow the caller's bytes. */
struct auth_key_id {
    const char *username;
    size_t username_len;
    const char *realm;
    size_t realm_len;
};

/* Returns the key length for a PASSWORD-ALGORITHM number (RFC 8489 section 18.5.1): 16 for
 * MD5, 32 for SHA-256, 0 for an algorithm Tern does not support. */
size_t auth_key_alg_len(uint16_t alg);

/* True when alg is a PASSWORD-ALGORITHM number Tern can derive keys for. */
bool auth_key_alg_is_supported(uint16_t alg);

/* Derives the long-term key of id with password under algorithm alg into *key.
 * Returns 0, or -1 for an unsupported algorithm or a crypto failure (then *key is zeroed).
 * Borrows everything; keeps nothing. */
int auth_key_derive(struct auth_key *key, uint16_t alg, const struct auth_key_id *id,
                    const char *password, size_t password_len);

/* Writes USERHASH = SHA-256(username ":" realm) of id into out. Returns 0, or -1 on a crypto
 * failure. */
int auth_key_userhash(uint8_t out[AUTH_KEY_USERHASH_LEN], const struct auth_key_id *id);

/* Overwrites a key so that it does not linger in memory after use. */
void auth_key_wipe(struct auth_key *key);

#endif
