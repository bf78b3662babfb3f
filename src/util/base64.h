/* Base64 (RFC 4648 section 4, with padding), used for REST passwords and config secrets. */
#ifndef TERN_UTIL_BASE64_H
#define TERN_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* The encoded length of n bytes, without the terminating NUL. */
#define BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)

/* Encodes len bytes into out as a NUL-terminated string. Returns the string length, or -1 if
 * out_cap is below BASE64_ENCODED_LEN(len) + 1. */
int base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap);

/* Decodes len characters (padding required, no whitespace). Returns bytes written, or -1 on a
 * malformed input or a too small out. */
int base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap);

#endif
