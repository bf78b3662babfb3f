/*
 * The only user of libcrypto. Hashes and MACs used by STUN integrity,
 * long-term keys, nonce cookies and REST passwords, a constant-time
 * comparison, and random bytes. Every function is safe to call from any
 * thread at any rate (the packet path calls the MACs).
 */
#ifndef TERN_UTIL_CRYPTO_H
#define TERN_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_MD5_LEN    16
#define CRYPTO_SHA1_LEN   20
#define CRYPTO_SHA256_LEN 32

/* A piece of a message hashed as if concatenated with the others. */
struct crypto_chunk {
    const void *data;
    size_t len;
};

/* HMAC-SHA1 of the concatenated chunks under key. Returns 0, or -1 on a libcrypto error. */
int crypto_hmac_sha1(const void *key, size_t key_len, const struct crypto_chunk *chunks,
                     size_t chunk_count, uint8_t out[CRYPTO_SHA1_LEN]);

/* HMAC-SHA256 of the concatenated chunks under key. Returns 0 or -1. */
int crypto_hmac_sha256(const void *key, size_t key_len, const struct crypto_chunk *chunks,
                       size_t chunk_count, uint8_t out[CRYPTO_SHA256_LEN]);

/* MD5 of the concatenated chunks (only for RFC 5389 long-term keys). Returns 0 or -1. */
int crypto_md5(const struct crypto_chunk *chunks, size_t chunk_count, uint8_t out[CRYPTO_MD5_LEN]);

/* SHA-256 of the concatenated chunks. Returns 0 or -1. */
int crypto_sha256(const struct crypto_chunk *chunks, size_t chunk_count,
                  uint8_t out[CRYPTO_SHA256_LEN]);

/* Compares len bytes in time independent of where they differ. True when equal. */
bool crypto_equal(const void *a, const void *b, size_t len);

/* Fills buf with len cryptographically random bytes. Returns 0 or -1. */
int crypto_random(void *buf, size_t len);

#endif
