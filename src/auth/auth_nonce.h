/*
 * Stateless nonces (RFC 8489 section 9.2): the server remembers nothing per
 * challenge. A nonce carries its own issue time and a MAC that binds it to
 * the client's transport address, so any worker, or any node sharing the
 * nonce key, can check it, and a flood of spoofed requests costs no memory.
 *
 *     obMatJos2 FFFF TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT
 *     \_______/ \__/ \______________________________/
 *       cookie   features      base64(issued_s || mac)
 *
 *     features  24 STUN Security Feature bits, base64 (RFC 8489 section 9.2);
 *               the cookie is written and read by stun/stun_nonce.h
 *     issued_s  8 bytes, big-endian seconds since the Unix epoch
 *     mac       first 16 bytes of HMAC-SHA256(nonce key,
 *                   cookie+features text || issued_s || family || port || ip)
 *
 * 45 printable characters from the base64 alphabet: well under the 128
 * characters RFC 8489 section 14.10 allows, and valid quoted-text (no '"'
 * and no '\').
 *
 * Why the client's IP address and port: RFC 8489 section 9.2.4 says the
 * server "MUST NOT choose the same NONCE for two requests unless they have
 * the same source IP address and port", and a TURN allocation is tied to
 * that same 5-tuple. Binding the IP alone would let a nonce travel between
 * the connections of one NAT's users. A client whose NAT rebinds to a new
 * port sees its nonce fail; the caller answers 438 (Stale Nonce) and the
 * client retries once with a fresh nonce. The address is canonicalised
 * first (IPv4-mapped IPv6 becomes IPv4), so a dual-stack socket and an IPv4
 * socket agree. The features are under the MAC, which is the bid-down
 * protection of RFC 8489 section 9.2.1: stripping a feature bit breaks the
 * nonce.
 */
#ifndef TERN_AUTH_NONCE_H
#define TERN_AUTH_NONCE_H

#include "stun/stun_nonce.h"
#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

/* The server's nonce key: random bytes chosen at start (crypto_random()). */
#define AUTH_NONCE_KEY_LEN 32
/* The full length: the 13-character cookie and 32 more. Buffers need one more byte for NUL. */
#define AUTH_NONCE_LEN 45
/* How far in the future an issue time may be, for clocks of a fleet that disagree a little. */
#define AUTH_NONCE_MAX_SKEW_S 10

enum auth_nonce_status {
    AUTH_NONCE_OK = 0,       /* ours, for this client, and fresh */
    AUTH_NONCE_STALE = 1,    /* ours and for this client, but older than the lifetime */
    AUTH_NONCE_INVALID = -1, /* malformed, not ours, for another client, or from the future */
};

/* Writes a nonce for client, issued at now_s and announcing features (STUN_NONCE_FEATURE_*
 * bits), into out as a NUL-terminated string. cap must be at least AUTH_NONCE_LEN + 1.
 * Returns AUTH_NONCE_LEN, or -1 for a small buffer, features above 24 bits, an unset client
 * address or a crypto failure. Borrows key and client. */
int auth_nonce_make(char *out, size_t cap, const uint8_t key[AUTH_NONCE_KEY_LEN],
                    const struct addr *client, int64_t now_s, uint32_t features);

/* Checks nonce[0..len) as received from client at now_s. Returns AUTH_NONCE_OK,
 * AUTH_NONCE_STALE when it was issued more than lifetime_s seconds ago, or AUTH_NONCE_INVALID.
 * RFC 8489 section 9.2.4 answers both STALE and INVALID with 438 (Stale Nonce) once
 * MESSAGE-INTEGRITY has verified; the two differ only for logs and counters. Borrows all. */
enum auth_nonce_status auth_nonce_verify(const uint8_t key[AUTH_NONCE_KEY_LEN],
                                         const struct addr *client, const char *nonce, size_t len,
                                         int64_t now_s, uint32_t lifetime_s);

/* The features a verified nonce announces are read back with stun_nonce_cookie_parse(). */

#endif
