/* CRC-32 as used by the STUN FINGERPRINT attribute (ISO HDLC / IEEE 802.3, reflected 0xEDB88320).
 */
#ifndef TERN_UTIL_CRC32_H
#define TERN_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Returns the CRC-32 of len bytes at data (crc32("123456789") == 0xCBF43926). */
uint32_t crc32_ieee(const uint8_t *data, size_t len);

/* Continues a CRC-32: given crc, the CRC of some bytes A (0 for none), returns the CRC of A
 * followed by len bytes at data, so crc32_ieee_update(crc32_ieee(a, n), b, m) is the CRC of
 * a||b. data may be NULL when len is 0. */
uint32_t crc32_ieee_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
