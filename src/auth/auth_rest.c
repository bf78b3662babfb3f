#include "auth/auth_rest.h"

#include "util/base64.h"
#include "util/crypto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

_Static_assert(AUTH_REST_PASSWORD_LEN == BASE64_ENCODED_LEN(CRYPTO_SHA1_LEN),
               "the password is the base64 of a SHA-1 MAC");

/* Parses the expiry digits at s[0..len). Returns 0 and sets *out, or -1. */
static int auth_rest_parse_expiry(const char *s, size_t len, int64_t *out)
{
    int64_t value = 0;

    if (len == 0 || len > AUTH_REST_EXPIRY_MAX_DIGITS) {
        return -1;
    }
    /* One spelling per number: "0170" would sign differently from "170". */
    if (s[0] == '0' && len > 1) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        int digit = s[i] - '0';
        if (value > (INT64_MAX - digit) / 10) {
            return -1;
        }
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

int auth_rest_parse(struct auth_rest_username *out, const char *username, size_t len)
{
    const char *colon;
    size_t digits_len;

    if (username == NULL || len == 0 || len > AUTH_REST_USERNAME_MAX) {
        return AUTH_REST_ERR_MALFORMED;
    }
    /* draft-uberti-behave-turn-rest-00 section 2.2: the expiry, then ':' and the user. */
    colon = memchr(username, ':', len);
    digits_len = colon ? (size_t)(colon - username) : len;
    if (auth_rest_parse_expiry(username, digits_len, &out->expiry_s) != 0) {
        return AUTH_REST_ERR_MALFORMED;
    }
    if (colon == NULL) {
        out->user = NULL;
        out->user_len = 0;
        return 0;
    }
    if (digits_len + 1 == len) {
        return AUTH_REST_ERR_MALFORMED; /* "1700000000:" names nobody */
    }
    out->user = colon + 1;
    out->user_len = len - digits_len - 1;
    return 0;
}

bool auth_rest_is_expired(const struct auth_rest_username *u, int64_t now_s)
{
    return now_s >= u->expiry_s;
}

int auth_rest_check_expiry(const char *username, size_t len, int64_t now_s)
{
    struct auth_rest_username u;

    if (auth_rest_parse(&u, username, len) != 0) {
        return AUTH_REST_ERR_MALFORMED;
    }
    return auth_rest_is_expired(&u, now_s) ? AUTH_REST_ERR_EXPIRED : 0;
}

int auth_rest_password(const char *secret, size_t secret_len, const char *username,
                       size_t username_len, char *out, size_t cap)
{
    const struct crypto_chunk msg = {username, username_len};
    uint8_t mac[CRYPTO_SHA1_LEN];
    int len;

    if (out == NULL || cap < AUTH_REST_PASSWORD_LEN + 1) {
        return AUTH_REST_ERR_SPACE;
    }
    /* draft-uberti-behave-turn-rest-00 section 2.2: base64(HMAC-SHA1(secret, username)). */
    if (crypto_hmac_sha1(secret, secret_len, &msg, 1, mac) != 0) {
        return AUTH_REST_ERR_CRYPTO;
    }
    len = base64_encode(mac, sizeof(mac), out, cap);
    explicit_bzero(mac, sizeof(mac));
    return len == AUTH_REST_PASSWORD_LEN ? len : AUTH_REST_ERR_CRYPTO;
}

int auth_rest_username_make(const char *user, size_t user_len, int64_t now_s, uint32_t ttl_s,
                            char *out, size_t cap)
{
    char digits[AUTH_REST_EXPIRY_MAX_DIGITS + 1];
    size_t digits_len;
    size_t total;
    int n;

    if (now_s < 0 || now_s > INT64_MAX - (int64_t)ttl_s) {
        return AUTH_REST_ERR_MALFORMED;
    }
    n = snprintf(digits, sizeof(digits), "%" PRId64, now_s + (int64_t)ttl_s);
    if (n <= 0 || (size_t)n >= sizeof(digits)) {
        return AUTH_REST_ERR_MALFORMED;
    }
    digits_len = (size_t)n;
    if (user_len > AUTH_REST_USERNAME_MAX - digits_len - 1) {
        return AUTH_REST_ERR_MALFORMED;
    }
    total = digits_len + (user_len ? 1 + user_len : 0);
    if (out == NULL || cap <= total) {
        return AUTH_REST_ERR_SPACE;
    }
    memcpy(out, digits, digits_len);
    if (user_len) {
        out[digits_len] = ':';
        memcpy(out + digits_len + 1, user, user_len);
    }
    out[total] = '\0';
    return (int)total;
}

int auth_rest_key(struct auth_key *key, uint16_t alg, const struct auth_key_id *id,
                  const char *secret, size_t secret_len)
{
    char password[AUTH_REST_PASSWORD_LEN + 1];
    int len;
    int rc;

    len = auth_rest_password(secret, secret_len, id->username, id->username_len, password,
                             sizeof(password));
    if (len < 0) {
        return -1;
    }
    rc = auth_key_derive(key, alg, id, password, (size_t)len);
    explicit_bzero(password, sizeof(password));
    return rc;
}
