/*
 * Building STUN messages into a caller buffer. Start with
 * stun_build_init(), add attributes in order, optionally end with
 * MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (in that
 * order), then stun_build_finish(). The header length is kept current after
 * each call. An error is sticky: later calls do nothing and finish returns
 * it, so a handler can add a run of attributes and check once.
 */
#ifndef TERN_STUN_BUILD_H
#define TERN_STUN_BUILD_H

#include "stun/stun_msg.h"
#include "util/addr.h"

#include <stddef.h>
#include <stdint.h>

struct stun_builder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err; /* 0 or the first negative enum stun_err */
    uint8_t txid[STUN_TXID_LEN];
    uint16_t last_type; /* the last attribute appended (0 for none): orders the trailers */
};

/* Writes the header of a message of the given method and class. txid is copied. */
void stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                     const uint8_t txid[STUN_TXID_LEN]);

/* Every append checks the value against the registry (stun_attr_validate()) and fails with
 * STUN_ERR_BAD_ARG rather than emit what a decoder would reject; so does an attribute after
 * FINGERPRINT, after MESSAGE-INTEGRITY-SHA256 (other than FINGERPRINT) or after
 * MESSAGE-INTEGRITY (other than those two). A message that would outgrow its buffer, or the
 * 16-bit length field, fails with STUN_ERR_NO_SPACE. */

/* Appends an attribute with a raw value of len bytes, padded with zeros. */
void stun_build_raw(struct stun_builder *b, uint16_t type, const void *value, size_t len);

/* Appends MAPPED-ADDRESS-like (kind ADDR) or XOR-*-ADDRESS (kind XOR_ADDR) per the registry. */
void stun_build_addr(struct stun_builder *b, uint16_t type, const struct addr *a);

/* A 32-bit number (kind U32: LIFETIME, PRIORITY, CONNECTION-ID...). */
void stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v);
/* A 64-bit number (kind U64: ICE-CONTROLLED/ING, RESERVATION-TOKEN). */
void stun_build_u64(struct stun_builder *b, uint16_t type, uint64_t v);
/* CHANNEL-NUMBER, RESPONSE-PORT: 16 bits then 16 reserved zero bits. */
void stun_build_u16(struct stun_builder *b, uint16_t type, uint16_t v);
/* REQUESTED-TRANSPORT and the *-ADDRESS-FAMILY attributes: 8 bits then 24 reserved. EVEN-PORT
 * (kind FLAG_BYTE) is the one byte alone. */
void stun_build_u8(struct stun_builder *b, uint16_t type, uint8_t v);
/* A string without its NUL; USERNAME, REALM, NONCE, SOFTWARE... */
void stun_build_string(struct stun_builder *b, uint16_t type, const char *s);
/* ERROR-CODE with the reason of stun_error_reason() when reason is NULL. */
void stun_build_error(struct stun_builder *b, uint16_t code, const char *reason);
/* ADDRESS-ERROR-CODE (RFC 8656 section 18.12). */
void stun_build_address_error(struct stun_builder *b, uint8_t family, uint16_t code,
                              const char *reason);
/* UNKNOWN-ATTRIBUTES: count 16-bit types. */
void stun_build_type_list(struct stun_builder *b, uint16_t type, const uint16_t *types,
                          size_t count);
/* PASSWORD-ALGORITHMS listing count algorithms without parameters. */
void stun_build_algorithms(struct stun_builder *b, const uint16_t *algs, size_t count);
/* PASSWORD-ALGORITHM with one algorithm, no parameters. */
void stun_build_algorithm(struct stun_builder *b, uint16_t alg);
/* ICMP (RFC 8656 section 18.13): reserved bits zero. */
void stun_build_icmp(struct stun_builder *b, uint8_t icmp_type, uint8_t icmp_code,
                     uint32_t error_data);

/* MESSAGE-INTEGRITY: HMAC-SHA1 under key over the message so far (RFC 8489 section 14.5). */
void stun_build_integrity(struct stun_builder *b, const uint8_t *key, size_t key_len);
/* MESSAGE-INTEGRITY-SHA256 truncated to trunc_len bytes (16..32, a multiple of 4). */
void stun_build_integrity_sha256(struct stun_builder *b, const uint8_t *key, size_t key_len,
                                 size_t trunc_len);
/* FINGERPRINT: CRC-32 of the message so far XOR 0x5354554e. Must be last. */
void stun_build_fingerprint(struct stun_builder *b);

/* Returns the message length, or the first error. */
int stun_build_finish(const struct stun_builder *b);

#endif
