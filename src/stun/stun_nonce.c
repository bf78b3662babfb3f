#include "stun/stun_nonce.h"

#include "stun/stun_msg.h"
#include "util/base64.h"

#include <string.h>

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
    /* Three big-endian bytes are exactly four base64 characters, without padding. */
    uint8_t bytes[3] = {(uint8_t)(features >> 16), (uint8_t)(features >> 8), (uint8_t)features};
    char text[BASE64_ENCODED_LEN(3) + 1];
    if (base64_encode(bytes, sizeof(bytes), text, sizeof(text)) != 4) {
        return STUN_ERR_BAD_ARG;
    }
    memcpy(out + STUN_NONCE_COOKIE_PREFIX_LEN, text, 4);
    return STUN_NONCE_COOKIE_LEN;
}

int stun_nonce_cookie_parse(const uint8_t *nonce, size_t len, uint32_t *features)
{
    *features = 0;
    if (nonce == NULL || len < STUN_NONCE_COOKIE_PREFIX_LEN ||
        memcmp(nonce, STUN_NONCE_COOKIE_PREFIX, STUN_NONCE_COOKIE_PREFIX_LEN) != 0) {
        return STUN_ERR_NOT_FOUND;
    }
    if (len < STUN_NONCE_COOKIE_LEN) {
        return STUN_ERR_ATTR_INVALID;
    }
    uint8_t bytes[3];
    const char *text = (const char *)nonce + STUN_NONCE_COOKIE_PREFIX_LEN;
    /* Four characters decode to three bytes; padding ('=') would mean fewer and is refused. */
    if (base64_decode(text, 4, bytes, sizeof(bytes)) != 3) {
        return STUN_ERR_ATTR_INVALID;
    }
    *features = ((uint32_t)bytes[0] << 16) | ((uint32_t)bytes[1] << 8) | bytes[2];
    return 0;
}

bool stun_nonce_has_cookie(const uint8_t *nonce, size_t len)
{
    uint32_t features;

    return stun_nonce_cookie_parse(nonce, len, &features) == 0;
}
