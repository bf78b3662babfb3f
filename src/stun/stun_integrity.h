/*
 * Checking MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT of a
 * decoded message (RFC 8489 sections 14.5, 14.6, 14.7). The MAC covers the
 * message up to the attribute, with the header length adjusted to end just
 * after it; comparisons take constant time.
 *
 *    header             attributes            MI      MI-SHA256   FINGERPRINT
 *    +------+---------------------------------+-------+-----------+------+
 *    |len=L1|   covered by MI                 |       |           |      |
 *    +------+---------------------------------+-------+-----------+------+
 *     L1 = length up to the end of MI; MI-SHA256 covers up to itself with
 *     L2 = length up to its end; FINGERPRINT covers everything before it
 *     with the real length.
 */
#ifndef TERN_STUN_INTEGRITY_H
#define TERN_STUN_INTEGRITY_H

#include "stun/stun_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_FINGERPRINT_XOR 0x5354554eu

/* Verifies MESSAGE-INTEGRITY (HMAC-SHA1) under key. Returns 0, STUN_ERR_NOT_FOUND or
 * STUN_ERR_INTEGRITY. */
int stun_integrity_check_sha1(const struct stun_msg *msg, const uint8_t *key, size_t key_len);

/* Verifies MESSAGE-INTEGRITY-SHA256 (any valid truncation, 16-32 bytes). Same returns. */
int stun_integrity_check_sha256(const struct stun_msg *msg, const uint8_t *key, size_t key_len);

/* Verifies FINGERPRINT. Returns 0, STUN_ERR_NOT_FOUND or STUN_ERR_INTEGRITY. */
int stun_fingerprint_check(const struct stun_msg *msg);

#endif
