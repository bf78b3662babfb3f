/*
 * The long-term credential mechanism for TURN requests (RFC 8489 section
 * 9.2, required by RFC 8656 section 5). turn_auth_check() walks the checks
 * of section 9.2.4 in their order:
 *
 *     no MESSAGE-INTEGRITY(-SHA256)           401 + REALM, NONCE, PASSWORD-ALGORITHMS
 *     no USERNAME/USERHASH, REALM or NONCE    400 (no integrity: no key to make it)
 *     nonce announces password algorithms:
 *       neither PASSWORD-ALGORITHM(S)         MD5
 *       not both, list not ours, alg not in   400 (bid-down protection)
 *     unknown user or expired REST username   401 + challenge
 *     integrity wrong under every key         401 + challenge
 *     nonce stale or not ours                 438 + challenge (checked after integrity)
 *
 * MESSAGE-INTEGRITY-SHA256 is preferred when present. Nonces are stateless
 * (auth_nonce.h): nothing is remembered per unauthenticated packet. Times:
 * info->now_s (wall clock) for nonces and REST expiries.
 */
#ifndef TERN_TURN_AUTH_H
#define TERN_TURN_AUTH_H

#include "stun/stun_build.h"
#include "turn/turn_error.h"
#include "turn/turn_request.h"

#include <stddef.h>
#include <stdint.h>

/* The STUN Security Features the server's nonces announce: password algorithms only. Username
 * anonymity is not announced, because a REST credential cannot be found by its USERHASH
 * (auth_store.h); a USERHASH naming a static user is still accepted. */
#define TURN_AUTH_FEATURES STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS

/* Authenticates req. Returns TURN_OK with req->authenticated, req->key, req->sha256 and
 * req->username set, or the failure to answer (TURN_FAIL_UNAUTHENTICATED,
 * TURN_FAIL_BAD_REQUEST or TURN_FAIL_STALE_NONCE). Counts auth_failures. Allocates nothing. */
enum turn_fail turn_auth_check(struct turn_request *req);

/* Appends REALM, a fresh NONCE for the client and PASSWORD-ALGORITHMS to an error response
 * (RFC 8489 section 9.2.4, 401 and 438). */
void turn_auth_add_challenge(const struct turn_request *req, struct stun_builder *b);

/* The password algorithms the server offers, in order of preference, and their count. Static
 * storage. */
const uint16_t *turn_auth_algorithms(size_t *count);

#endif
