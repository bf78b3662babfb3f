/* stun_nonce.c: the RFC 8489 section 9.2 nonce cookie. */
#include "stun/stun_msg.h"
#include "stun/stun_nonce.h"
#include "tap.h"

#include <string.h>

static void test_write(void)
{
    char out[STUN_NONCE_COOKIE_LEN + 1];

    memset(out, 0, sizeof(out));
    TAP_EQ_INT(stun_nonce_cookie_write(0, out, sizeof(out)), STUN_NONCE_COOKIE_LEN, "no features");
    TAP_CHECK(strcmp(out, "obMatJos2AAAA") == 0, "no features is AAAA");
    stun_nonce_cookie_write(STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS, out, sizeof(out));
    TAP_CHECK(strcmp(out, "obMatJos2AAAB") == 0, "bit 0 (password algorithms) is the lowest bit");
    stun_nonce_cookie_write(STUN_NONCE_FEATURE_USERNAME_ANONYMITY, out, sizeof(out));
    TAP_CHECK(strcmp(out, "obMatJos2AAAC") == 0, "bit 1 (username anonymity), as in RFC 8489 B.1");
    stun_nonce_cookie_write(STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS |
                                STUN_NONCE_FEATURE_USERNAME_ANONYMITY,
                            out, sizeof(out));
    TAP_CHECK(strcmp(out, "obMatJos2AAAD") == 0, "both features");
    stun_nonce_cookie_write(0xFFFFFF, out, sizeof(out));
    TAP_CHECK(strcmp(out, "obMatJos2////") == 0, "all 24 bits");
    TAP_EQ_INT(stun_nonce_cookie_write(0x1000000, out, sizeof(out)), STUN_ERR_BAD_ARG,
               "a 25th bit is refused");
    TAP_EQ_INT(stun_nonce_cookie_write(0, out, 12), STUN_ERR_NO_SPACE, "12 bytes are too few");
}

static void test_parse(void)
{
    /* RFC 8489 appendix B.1 uses this nonce. */
    const char *b1 = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";
    uint32_t features = 99;

    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)b1, strlen(b1), &features), 0,
               "the RFC 8489 B.1 nonce has a cookie");
    TAP_EQ_INT(features, 2, "its feature bits are 0x000002");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)"obMatJos2AAADxyz", 16, &features), 0,
               "a cookie with both features");
    TAP_EQ_INT(features,
               STUN_NONCE_FEATURE_PASSWORD_ALGORITHMS | STUN_NONCE_FEATURE_USERNAME_ANONYMITY,
               "parses to both bits");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)"f//499k954d6OL34", 16, &features),
               STUN_ERR_NOT_FOUND, "an RFC 5389 nonce has no cookie");
    TAP_EQ_INT(features, 0, "and no features");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)"obMatJos2AA", 11, &features),
               STUN_ERR_ATTR_INVALID, "a cut cookie");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)"obMatJos2AA=A", 13, &features),
               STUN_ERR_ATTR_INVALID, "padding is not a feature character");
    TAP_EQ_INT(stun_nonce_cookie_parse((const uint8_t *)"obMatJos", 8, &features),
               STUN_ERR_NOT_FOUND, "a prefix of the prefix");
    TAP_CHECK(stun_nonce_has_cookie((const uint8_t *)"obMatJos2AAAA", 13), "has_cookie");
    TAP_CHECK(!stun_nonce_has_cookie((const uint8_t *)"obMatJos3AAAA", 13), "has_cookie: no");
}

static void test_round_trip(void)
{
    char out[STUN_NONCE_COOKIE_LEN];
    int bad = 0;

    for (uint32_t f = 0; f <= STUN_NONCE_FEATURE_MASK; f += 0x1357) {
        uint32_t got = 0;

        stun_nonce_cookie_write(f, out, sizeof(out));
        bad += stun_nonce_cookie_parse((const uint8_t *)out, sizeof(out), &got) != 0 || got != f;
    }
    TAP_EQ_INT(bad, 0, "written cookies parse back to their features");
}

int main(void)
{
    test_write();
    test_parse();
    test_round_trip();
    return tap_done();
}
