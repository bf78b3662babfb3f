/* Stateless nonce cookies: round trip, binding to the client, tampering, age, form. */
#include "auth/auth_nonce.h"
#include "stun/stun_nonce.h"
#include "tap.h"
#include "util/addr.h"

#include <stdint.h>
#include <string.h>

#define NOW_S      1700000000
#define LIFETIME_S 600

static const uint8_t key[AUTH_NONCE_KEY_LEN] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

static struct addr client_addr(const char *s)
{
    struct addr a;

    memset(&a, 0, sizeof(a));
    if (addr_parse(&a, s, 0) != 0) {
        TAP_CHECK(false, "test address %s parses", s);
    }
    return a;
}

static void test_round_trip(void)
{
    struct addr client = client_addr("192.0.2.1:32853");
    char nonce[AUTH_NONCE_LEN + 1];

    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0), AUTH_NONCE_LEN,
               "makes a nonce");
    TAP_EQ_INT(strlen(nonce), AUTH_NONCE_LEN, "the nonce is NUL-terminated at its length");
    TAP_CHECK(strncmp(nonce, "obMatJos2AAAA", 13) == 0, "starts with the cookie of no features");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, strlen(nonce), NOW_S, LIFETIME_S),
               AUTH_NONCE_OK, "a fresh nonce from its client verifies");
    TAP_CHECK(AUTH_NONCE_LEN < 128, "fits the 128-character limit of RFC 8489 14.10");
    TAP_CHECK(strchr(nonce, '"') == NULL && strchr(nonce, '\\') == NULL,
              "contains no '\"' and no '\\' (quoted-text)");
}

static void test_binding(void)
{
    struct addr client = client_addr("192.0.2.1:32853");
    struct addr other_port = client_addr("192.0.2.1:32854");
    struct addr other_ip = client_addr("192.0.2.2:32853");
    struct addr mapped = client_addr("[::ffff:192.0.2.1]:32853");
    struct addr v6 = client_addr("[2001:db8::1]:32853");
    char nonce[AUTH_NONCE_LEN + 1];
    uint8_t other_key[AUTH_NONCE_KEY_LEN];

    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0), AUTH_NONCE_LEN,
               "makes a nonce for binding checks");
    TAP_EQ_INT(auth_nonce_verify(key, &other_port, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "another port of the same IP is refused");
    TAP_EQ_INT(auth_nonce_verify(key, &other_ip, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "another IP with the same port is refused");
    TAP_EQ_INT(auth_nonce_verify(key, &mapped, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_OK, "the IPv4-mapped form of the client is the client");
    TAP_EQ_INT(auth_nonce_verify(key, &v6, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "an IPv6 client is another client");
    memcpy(other_key, key, sizeof(other_key));
    other_key[31] ^= 1;
    TAP_EQ_INT(auth_nonce_verify(other_key, &client, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "a nonce made under another key is refused");
    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &v6, NOW_S, 0), AUTH_NONCE_LEN,
               "makes a nonce for an IPv6 client");
    TAP_EQ_INT(auth_nonce_verify(key, &v6, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S), AUTH_NONCE_OK,
               "an IPv6 client's nonce verifies");
}

/* Returns a base64 character other than c. */
static char tamper_char(char c)
{
    return c == 'A' ? 'B' : 'A';
}

static void test_tampering(void)
{
    struct addr client = client_addr("198.51.100.7:3478");
    char nonce[AUTH_NONCE_LEN + 1];
    char bad[AUTH_NONCE_LEN + 1];
    int refused = 0;

    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0), AUTH_NONCE_LEN,
               "makes a nonce to tamper with");
    for (size_t i = 0; i < AUTH_NONCE_LEN; i++) {
        memcpy(bad, nonce, sizeof(bad));
        bad[i] = tamper_char(bad[i]);
        refused += auth_nonce_verify(key, &client, bad, AUTH_NONCE_LEN, NOW_S, LIFETIME_S) ==
                   AUTH_NONCE_INVALID;
    }
    TAP_EQ_INT(refused, AUTH_NONCE_LEN, "changing any one character is refused");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN - 1, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "a truncated nonce is refused");
    memcpy(bad, nonce, sizeof(bad));
    bad[AUTH_NONCE_LEN - 1] = '=';
    TAP_EQ_INT(auth_nonce_verify(key, &client, bad, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "padding in the tail is refused");
    TAP_EQ_INT(auth_nonce_verify(key, &client, "", 0, NOW_S, LIFETIME_S), AUTH_NONCE_INVALID,
               "an empty nonce is refused");
    TAP_EQ_INT(auth_nonce_verify(key, &client, NULL, 0, NOW_S, LIFETIME_S), AUTH_NONCE_INVALID,
               "no nonce is refused");
}

static void test_age(void)
{
    struct addr client = client_addr("[2001:db8::7]:5349");
    char nonce[AUTH_NONCE_LEN + 1];

    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0), AUTH_NONCE_LEN,
               "makes a nonce to age");
    TAP_EQ_INT(
        auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, NOW_S + LIFETIME_S, LIFETIME_S),
        AUTH_NONCE_OK, "a nonce exactly the lifetime old still works");
    TAP_EQ_INT(
        auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, NOW_S + LIFETIME_S + 1, LIFETIME_S),
        AUTH_NONCE_STALE, "an older nonce is stale");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, INT64_MAX, LIFETIME_S),
               AUTH_NONCE_STALE, "a very old nonce is stale, without overflow");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, NOW_S - AUTH_NONCE_MAX_SKEW_S,
                                 LIFETIME_S),
               AUTH_NONCE_OK, "a nonce a little ahead of the clock works (fleet skew)");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN,
                                 NOW_S - AUTH_NONCE_MAX_SKEW_S - 1, LIFETIME_S),
               AUTH_NONCE_INVALID, "a nonce from the future is invalid");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, INT64_MIN, LIFETIME_S),
               AUTH_NONCE_INVALID, "a nonce far in the future is invalid, without overflow");
}

static void test_features(void)
{
    struct addr client = client_addr("192.0.2.1:1");
    char nonce[AUTH_NONCE_LEN + 1];
    char bad[AUTH_NONCE_LEN + 1];
    uint32_t features = 0;
    const uint32_t both =
        STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS | STUN_NONCE_FEATURE_USERNAME_ANONYMITY;

    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0x000003), AUTH_NONCE_LEN,
               "makes a nonce with the two low feature bits");
    TAP_CHECK(strncmp(nonce, "obMatJos2AAAD", 13) == 0, "the 24 bits 0x000003 encode as AAAD");
    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, both), AUTH_NONCE_LEN,
               "makes a nonce with both named features");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)nonce, AUTH_NONCE_LEN, &features), 0,
               "the cookie of a made nonce parses");
    TAP_EQ_INT(features, both, "the features come back");
    TAP_EQ_INT(auth_nonce_verify(key, &client, nonce, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_OK, "a nonce with features verifies");
    memcpy(bad, nonce, sizeof(bad));
    (void)stun_nonce_cookie_write(STUN_NONCE_FEATURE_USERNAME_ANONYMITY, bad, sizeof(bad));
    TAP_EQ_INT(auth_nonce_verify(key, &client, bad, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "stripping a feature bit breaks the nonce (bid-down)");
    memcpy(bad, nonce, sizeof(bad));
    bad[11] = '=';
    bad[12] = '=';
    TAP_EQ_INT(auth_nonce_verify(key, &client, bad, AUTH_NONCE_LEN, NOW_S, LIFETIME_S),
               AUTH_NONCE_INVALID, "a padded feature field is refused");
    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &client, NOW_S, 0x1000000), -1,
               "refuses features beyond 24 bits");
}

static void test_make_errors(void)
{
    struct addr client = client_addr("192.0.2.1:1");
    struct addr unset;
    char nonce[AUTH_NONCE_LEN + 1];

    memset(&unset, 0, sizeof(unset));
    TAP_EQ_INT(auth_nonce_make(nonce, AUTH_NONCE_LEN, key, &client, NOW_S, 0), -1,
               "refuses a buffer without room for the NUL");
    TAP_EQ_INT(auth_nonce_make(nonce, sizeof(nonce), key, &unset, NOW_S, 0), -1,
               "refuses an unset client address");
}

int main(void)
{
    test_round_trip();
    test_binding();
    test_tampering();
    test_age();
    test_features();
    test_make_errors();
    return tap_done();
}
