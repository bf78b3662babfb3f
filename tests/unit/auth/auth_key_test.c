/* Long-term keys and USERHASH against the RFC 8489 and RFC 5769 vectors. */
#include "auth/auth_key.h"
#include "stun/stun_attr.h"
#include "tap.h"
#include "util/crypto.h"

#include <stdint.h>
#include <string.h>

/* "マトリックス" (MATRIX in Katakana) as UTF-8: the username of RFC 5769 section 2.4 and
 * RFC 8489 appendix B.1. */
#define MATRIX_USER "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9"

static const struct auth_key_id matrix_id = {MATRIX_USER, sizeof(MATRIX_USER) - 1, "example.org",
                                             11};

/* RFC 5769 section 2.4, up to (not including) MESSAGE-INTEGRITY; the header length already
 * counts MESSAGE-INTEGRITY, as RFC 8489 section 14.5 requires. */
static const uint8_t rfc5769_request[] = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0,
    0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83,
    0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00, 0x15, 0x00, 0x1c,
    0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36, 0x4f, 0x4c, 0x33, 0x34,
    0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73, 0x41, 0x00, 0x14, 0x00, 0x0b,
    0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
};
static const uint8_t rfc5769_integrity[CRYPTO_SHA1_LEN] = {
    0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8,
    0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

/* RFC 8489 appendix B.1 as corrected by verified erratum 6268 (which adds PASSWORD-ALGORITHM
 * SHA-256), up to MESSAGE-INTEGRITY-SHA256. */
static const uint8_t rfc8489_b1_request[] = {
    0x00, 0x01, 0x00, 0x90, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0,
    0x29, 0xda, 0x41, 0x2e, 0x00, 0x1e, 0x00, 0x20, 0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd,
    0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17, 0xda, 0x0f, 0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2,
    0x05, 0xc4, 0x6e, 0x41, 0x40, 0x7f, 0x17, 0x04, 0x00, 0x15, 0x00, 0x29, 0x6f, 0x62, 0x4d, 0x61,
    0x74, 0x4a, 0x6f, 0x73, 0x32, 0x41, 0x41, 0x41, 0x43, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b,
    0x39, 0x35, 0x34, 0x64, 0x36, 0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76,
    0x79, 0x36, 0x34, 0x73, 0x41, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d,
    0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x1d, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00,
};
static const uint8_t rfc8489_b1_userhash[AUTH_KEY_USERHASH_LEN] = {
    0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd, 0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17, 0xda, 0x0f,
    0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2, 0x05, 0xc4, 0x6e, 0x41, 0x40, 0x7f, 0x17, 0x04,
};
static const uint8_t rfc8489_b1_integrity[CRYPTO_SHA256_LEN] = {
    0xb5, 0xc7, 0xbf, 0x00, 0x5b, 0x6c, 0x52, 0xa2, 0x1c, 0x51, 0xc5, 0xe8, 0x92, 0xf8, 0x19, 0x24,
    0x13, 0x62, 0x96, 0xcb, 0x92, 0x7c, 0x43, 0x14, 0x93, 0x09, 0x27, 0x8c, 0xc6, 0x51, 0x8e, 0x65,
};

static void test_rfc8489_example(void)
{
    /* RFC 8489 section 9.2.2: 'user:realm:pass' hashes to 0x8493fbc53ba582fb4c044c456bdc40eb. */
    static const uint8_t want[16] = {0x84, 0x93, 0xfb, 0xc5, 0x3b, 0xa5, 0x82, 0xfb,
                                     0x4c, 0x04, 0x4c, 0x45, 0x6b, 0xdc, 0x40, 0xeb};
    const struct auth_key_id id = {"user", 4, "realm", 5};
    struct auth_key key;

    TAP_EQ_INT(auth_key_derive(&key, STUN_PASSWORD_ALG_MD5, &id, "pass", 4), 0,
               "derives the RFC 8489 9.2.2 example key");
    TAP_EQ_INT(key.len, 16, "an MD5 key is 16 bytes");
    TAP_EQ_INT(key.alg, STUN_PASSWORD_ALG_MD5, "the key records its algorithm");
    TAP_EQ_MEM(key.bytes, want, 16, "the RFC 8489 9.2.2 example key matches");
}

static void test_rfc5769_md5(void)
{
    /* MD5("マトリックス:example.org:TheMatrIX"), computed independently with md5sum. */
    static const uint8_t want[16] = {0xe8, 0xca, 0x7a, 0xd5, 0x9d, 0x5e, 0xb0, 0x51,
                                     0x8e, 0x31, 0x29, 0x11, 0xd2, 0xda, 0xb2, 0xa9};
    const struct crypto_chunk msg = {rfc5769_request, sizeof(rfc5769_request)};
    uint8_t mac[CRYPTO_SHA1_LEN];
    struct auth_key key;

    TAP_EQ_INT(auth_key_derive(&key, STUN_PASSWORD_ALG_MD5, &matrix_id, "TheMatrIX", 9), 0,
               "derives the RFC 5769 2.4 key");
    TAP_EQ_MEM(key.bytes, want, 16, "the RFC 5769 2.4 key is MD5(user:realm:password)");
    TAP_EQ_INT(crypto_hmac_sha1(key.bytes, key.len, &msg, 1, mac), 0, "HMAC-SHA1 runs");
    TAP_EQ_MEM(mac, rfc5769_integrity, sizeof(mac),
               "the key reproduces the RFC 5769 2.4 MESSAGE-INTEGRITY");
}

static void test_rfc8489_b1_sha256(void)
{
    const struct crypto_chunk msg = {rfc8489_b1_request, sizeof(rfc8489_b1_request)};
    uint8_t hash[AUTH_KEY_USERHASH_LEN];
    uint8_t mac[CRYPTO_SHA256_LEN];
    struct auth_key key;

    TAP_EQ_INT(auth_key_userhash(hash, &matrix_id), 0, "computes a USERHASH");
    TAP_EQ_MEM(hash, rfc8489_b1_userhash, sizeof(hash), "USERHASH matches RFC 8489 B.1");
    TAP_EQ_INT(auth_key_derive(&key, STUN_PASSWORD_ALG_SHA256, &matrix_id, "TheMatrIX", 9), 0,
               "derives the SHA-256 key of RFC 8489 B.1");
    TAP_EQ_INT(key.len, 32, "a SHA-256 key is 32 bytes");
    TAP_EQ_INT(crypto_hmac_sha256(key.bytes, key.len, &msg, 1, mac), 0, "HMAC-SHA256 runs");
    TAP_EQ_MEM(mac, rfc8489_b1_integrity, sizeof(mac),
               "the key reproduces the RFC 8489 B.1 MESSAGE-INTEGRITY-SHA256");
}

static void test_algorithms(void)
{
    const struct auth_key_id id = {"user", 4, "realm", 5};
    struct auth_key key;
    struct auth_key other;
    static const uint8_t zero[sizeof(key.bytes)] = {0};

    TAP_EQ_INT(auth_key_alg_len(STUN_PASSWORD_ALG_MD5), 16, "MD5 keys are 16 bytes");
    TAP_EQ_INT(auth_key_alg_len(STUN_PASSWORD_ALG_SHA256), 32, "SHA-256 keys are 32 bytes");
    TAP_CHECK(!auth_key_alg_is_supported(0x0000), "algorithm 0 is reserved");
    TAP_CHECK(!auth_key_alg_is_supported(0x0003), "algorithm 3 is unknown");
    memset(&key, 0xAA, sizeof(key));
    TAP_EQ_INT(auth_key_derive(&key, 0x0003, &id, "pass", 4), -1, "refuses an unknown algorithm");
    TAP_CHECK(key.len == 0 && memcmp(key.bytes, zero, sizeof(zero)) == 0,
              "a refused derivation leaves a zeroed key");
    TAP_EQ_INT(auth_key_derive(&key, STUN_PASSWORD_ALG_MD5, &id, "pass", 4), 0, "derives again");
    TAP_EQ_INT(auth_key_derive(&other, STUN_PASSWORD_ALG_MD5, &id, "pasS", 4), 0,
               "derives with another password");
    TAP_CHECK(memcmp(key.bytes, other.bytes, 16) != 0, "another password gives another key");
    auth_key_wipe(&key);
    TAP_CHECK(key.len == 0 && memcmp(key.bytes, zero, sizeof(zero)) == 0, "wiping zeroes a key");
}

static void test_bytes_not_strings(void)
{
    /* Lengths are honoured: a username with an embedded NUL is not its prefix. */
    const struct auth_key_id with_nul = {"ab\0c", 4, "realm", 5};
    const struct auth_key_id prefix = {"ab", 2, "realm", 5};
    struct auth_key a;
    struct auth_key b;

    TAP_EQ_INT(auth_key_derive(&a, STUN_PASSWORD_ALG_SHA256, &with_nul, "p", 1), 0,
               "derives over 4 bytes");
    TAP_EQ_INT(auth_key_derive(&b, STUN_PASSWORD_ALG_SHA256, &prefix, "p", 1), 0,
               "derives over 2 bytes");
    TAP_CHECK(memcmp(a.bytes, b.bytes, 32) != 0, "usernames are byte spans, not C strings");
}

int main(void)
{
    test_rfc8489_example();
    test_rfc5769_md5();
    test_rfc8489_b1_sha256();
    test_algorithms();
    test_bytes_not_strings();
    return tap_done();
}
