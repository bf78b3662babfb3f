#include "util/base64.h"

#include <limits.h>
#include <stdbool.h>

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Largest input whose encoding length still fits the int return value. */
#define BASE64_ENCODE_MAX ((size_t)(INT_MAX / 4) * 3)

/* Encodes the n (1..3) bytes at in as four characters, padding with '='. */
static void base64_encode_group(const uint8_t *in, size_t n, char *out)
{
    uint32_t v = (uint32_t)in[0] << 16;

    if (n > 1) {
        v |= (uint32_t)in[1] << 8;
    }
    if (n > 2) {
        v |= in[2];
    }
    out[0] = base64_alphabet[(v >> 18) & 0x3fu];
    out[1] = base64_alphabet[(v >> 12) & 0x3fu];
    out[2] = '=';
    out[3] = '=';
    if (n > 1) {
        out[2] = base64_alphabet[(v >> 6) & 0x3fu];
    }
    if (n > 2) {
        out[3] = base64_alphabet[v & 0x3fu];
    }
}

int base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
    size_t pos = 0;

    if (len > BASE64_ENCODE_MAX || (len > 0 && in == NULL) || out == NULL ||
        out_cap < BASE64_ENCODED_LEN(len) + 1) {
        return -1;
    }
    for (size_t i = 0; i < len; i += 3) {
        size_t n = len - i < 3 ? len - i : 3;
        base64_encode_group(in + i, n, out + pos);
        pos += 4;
    }
    out[pos] = '\0';
    return (int)pos;
}

/* Returns the 6-bit value of an alphabet character, or -1 for anything else ('=' included). */
static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/* The number of '=' ending a well-formed input of len (a non-zero multiple of 4) characters. */
static size_t base64_padding(const char *in, size_t len)
{
    if (in[len - 1] != '=') {
        return 0;
    }
    return in[len - 2] == '=' ? 2 : 1;
}

/*
 * Decodes one group of four characters into n (1..3) bytes; the last 4 - (n + 1) characters
 * are the padding already counted by the caller. Returns 0, or -1 on a character outside the
 * alphabet or on non-zero bits under the padding (RFC 4648 §3.5: a canonical encoding).
 */
static int base64_decode_group(const char *in, size_t n, uint8_t *out)
{
    uint32_t v = 0;

    for (size_t i = 0; i < 4; i++) {
        int d = i <= n ? base64_value(in[i]) : 0;
        if (d < 0) {
            return -1;
        }
        v = (v << 6) | (uint32_t)d;
    }
    if ((n == 1 && (v & 0xffffu) != 0) || (n == 2 && (v & 0xffu) != 0)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(v >> (16u - 8u * i));
    }
    return 0;
}

int base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap)
{
    size_t pos = 0;

    if (len % 4 != 0 || len / 4 > (size_t)INT_MAX / 3 || (len > 0 && in == NULL)) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    size_t pad = base64_padding(in, len);
    size_t out_len = len / 4 * 3 - pad;
    if (out == NULL || out_cap < out_len) {
        return -1;
    }
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        size_t n = last ? 3 - pad : 3;
        if (base64_decode_group(in + i, n, out + pos) < 0) {
            return -1;
        }
        pos += n;
    }
    return (int)pos;
}
