#include "stun/stun_nonce.h"

#include "stun/stun_msg.h"

#include <string.h>

/* RFC 4648 section 4: the base64 alphabet. */
static const char stun_nonce_base64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns the 6-bit value of a base64 character, or -1. */
static int stun_nonce_base64_value(uint8_t c)
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

int stun_nonce_cookie_write(uint32_t features, char *out, size_t cap)
{
    if ((features & ~STUN_NONCE_FEATURE_MASK) != 0) {
        return STUN_ERR_BAD_ARG;
    }
    if (out == NULL || cap < STUN_NONCE_COOKIE_LEN) {
        return STUN_ERR_NO_SPACE;
    }
    /* The cookie starts a longer nonce: no NUL belongs after it. */
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
    memcpy(out, STUN_NONCE_COOKIE_PREFIX, STUN_NONCE_COOKIE_PREFIX_LEN);
    /* Three bytes are exactly four base64 characters, without padding. */
    for (size_t i = 0; i < 4; i++) {
        unsigned shift = 18u - 6u * (unsigned)i;

        out[STUN_NONCE_COOKIE_PREFIX_LEN + i] = stun_nonce_base64[(features >> shift) & 0x3Fu];
    }
    return STUN_NONCE_COOKIE_LEN;
}

int stun_nonce_cookie_parse(const uint8_t *nonce, size_t len, uint32_t *features)
{
    uint32_t bits = 0;

    *features = 0;
    if (nonce == NULL || len < STUN_NONCE_COOKIE_PREFIX_LEN ||
        memcmp(nonce, STUN_NONCE_COOKIE_PREFIX, STUN_NONCE_COOKIE_PREFIX_LEN) != 0) {
        return STUN_ERR_NOT_FOUND;
    }
    if (len < STUN_NONCE_COOKIE_LEN) {
        return STUN_ERR_ATTR_INVALID;
    }
    for (size_t i = 0; i < 4; i++) {
        int v = stun_nonce_base64_value(nonce[STUN_NONCE_COOKIE_PREFIX_LEN + i]);

        if (v < 0) {
            return STUN_ERR_ATTR_INVALID;
        }
        bits = (bits << 6) | (uint32_t)v;
    }
    *features = bits;
    return 0;
}

bool stun_nonce_has_cookie(const uint8_t *nonce, size_t len)
{
    uint32_t features;

    return stun_nonce_cookie_parse(nonce, len, &features) == 0;
}
