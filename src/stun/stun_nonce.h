/*
 * The NONCE cookie of RFC 8489 section 9.2: a server that implements RFC
 * 8489 starts every NONCE it sends with "obMatJos2" and the base64 of its
 * 24 STUN Security Feature bits, so a client can tell when an attacker has
 * stripped the features it offered (bid-down protection, section 9.2.1).
 *
 *    o b M a t J o s 2 x x x x <the rest of the nonce>
 *    +-----------------+-------+
 *     fixed, 9 chars    base64 of 3 bytes (big-endian), feature bit 0
 *                       the least significant bit of the last byte
 *
 * Feature bits (IANA "STUN Security Features", RFC 8489 section 18.1, as
 * corrected by erratum 6290: bit 0 is the least significant): bit 0
 * password algorithms, bit 1 username anonymity, 2-23 unassigned. The
 * corrected Appendix B.1 vector (erratum 6268) agrees: its nonce
 * "obMatJos2AAAC..." announces username anonymity (0x000002).
 */
#ifndef TERN_STUN_NONCE_H
#define TERN_STUN_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_NONCE_COOKIE_PREFIX     "obMatJos2"
#define STUN_NONCE_COOKIE_PREFIX_LEN 9
/* The complete cookie: the prefix and 4 base64 characters. */
#define STUN_NONCE_COOKIE_LEN 13

/* Feature bits as a 24-bit number whose bit 0 is feature bit 0. */
#define STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS 0x000001u
#define STUN_NONCE_FEATURE_USERNAME_ANONYMITY  0x000002u
#define STUN_NONCE_FEATURE_MASK                0xFFFFFFu

/* Writes the 13-character cookie announcing features into out (no NUL is written). Returns
 * STUN_NONCE_COOKIE_LEN, STUN_ERR_NO_SPACE when cap is smaller, or STUN_ERR_BAD_ARG when
 * features has bits above the 24. */
int stun_nonce_cookie_write(uint32_t features, char *out, size_t cap);

/* Reads the features of a received NONCE value (len bytes, not NUL-terminated). Returns 0 with
 * *features set, STUN_ERR_NOT_FOUND when the nonce does not start with the cookie prefix (an
 * RFC 5389 server; *features is 0), or STUN_ERR_ATTR_INVALID when the 4 characters after the
 * prefix are missing or not base64. */
int stun_nonce_cookie_parse(const uint8_t *nonce, size_t len, uint32_t *features);

/* True when the nonce starts with a well-formed cookie. */
bool stun_nonce_has_cookie(const uint8_t *nonce, size_t len);

#endif
