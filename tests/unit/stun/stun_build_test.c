/* stun_build.c: header, padding, length upkeep, sticky errors, trailer order and sizes. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "tap.h"

#include <string.h>

static const uint8_t test_txid[STUN_TXID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static unsigned test_get16(const uint8_t *p)
{
    return (unsigned)(p[0] << 8 | p[1]);
}

static void test_header(void)
{
    uint8_t buf[64];
    struct stun_builder b;

    memset(buf, 0xEE, sizeof(buf));
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_ALLOCATE, STUN_CLASS_ERROR, test_txid);
    TAP_EQ_INT(stun_build_finish(&b), 20, "a bare message is 20 bytes");
    TAP_EQ_INT(test_get16(buf), 0x0113, "type is Allocate error");
    TAP_EQ_INT(test_get16(buf + 2), 0, "length is 0");
    TAP_CHECK(buf[4] == 0x21 && buf[5] == 0x12 && buf[6] == 0xa4 && buf[7] == 0x42, "cookie");
    TAP_EQ_MEM(buf + 8, test_txid, STUN_TXID_LEN, "transaction id");
}

static void test_padding_and_length(void)
{
    uint8_t buf[128];
    struct stun_builder b;

    memset(buf, 0xEE, sizeof(buf));
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_string(&b, STUN_ATTR_SOFTWARE, "tern");
    TAP_EQ_INT(test_get16(buf + 2), 8, "length after a 4-byte string");
    stun_build_string(&b, STUN_ATTR_USERNAME, "alice");
    TAP_EQ_INT(test_get16(buf + 2), 20, "length after a padded 5-byte string");
    TAP_EQ_INT(test_get16(buf + 30), 5, "attribute length excludes padding");
    TAP_CHECK(buf[37] == 0 && buf[38] == 0 && buf[39] == 0, "padding is zeros");
    stun_build_raw(&b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    TAP_EQ_INT(stun_build_finish(&b), 44, "an empty attribute adds 4 bytes");
    TAP_EQ_INT(test_get16(buf + 2), 24, "and the length follows");
}

static void test_sticky_no_space(void)
{
    uint8_t buf[32];
    struct stun_builder b;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
    TAP_EQ_INT(stun_build_finish(&b), 28, "28 bytes fit in 32");
    stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_NO_SPACE, "the next 8 do not");
    TAP_EQ_INT(test_get16(buf + 2), 8, "the header keeps the last good length");
    stun_build_raw(&b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    stun_build_fingerprint(&b);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_NO_SPACE, "the first error sticks");
    TAP_EQ_INT(b.len, 28, "nothing more is written");
    stun_build_init(&b, buf, 19, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_NO_SPACE, "no room for the header");
}

static void test_bad_args(void)
{
    uint8_t buf[1024];
    char long_text[800];
    struct stun_builder b;
    struct addr unset;

    stun_build_init(&b, buf, sizeof(buf), 0x1000, STUN_CLASS_REQUEST, test_txid);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "a 13-bit method");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, 4, test_txid);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "class 4");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, NULL);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "no transaction id");

    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_string(&b, STUN_ATTR_SOFTWARE, long_text);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "SOFTWARE longer than the registry");
    TAP_CHECK(b.len == 20 && test_get16(buf + 2) == 0, "a refused attribute leaves no trace");

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_u32(&b, STUN_ATTR_ICE_CONTROLLED, 1);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "u32 into a 64-bit attribute");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    memset(&unset, 0, sizeof(unset));
    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &unset);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "an address without family");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_addr(&b, STUN_ATTR_LIFETIME, &unset);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "an address into LIFETIME");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_error(&b, 299, NULL);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "error code 299");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_error(&b, 700, NULL);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "error code 700");
}

static void test_error_reason(void)
{
    uint8_t buf[128];
    struct stun_builder b;
    struct stun_msg msg;
    struct stun_error_value err;

    memset(&err, 0, sizeof(err));
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_ERROR, test_txid);
    stun_build_error(&b, 401, NULL);
    int len = stun_build_finish(&b);
    TAP_CHECK(len > 0 && stun_msg_decode(&msg, buf, (size_t)len) == len &&
                  stun_attr_get_error(&msg, STUN_ATTR_ERROR_CODE, &err) == 0,
              "401 with the default reason decodes");
    TAP_CHECK(err.code == 401 && err.reason_len == 15 &&
                  memcmp(err.reason, "Unauthenticated", 15) == 0,
              "the default reason is the registry's");
    TAP_CHECK(buf[24] == 0 && buf[25] == 0 && buf[26] == 4 && buf[27] == 1, "class 4 number 1");
}

static void test_trailer_order(void)
{
    uint8_t buf[256];
    struct stun_builder b;
    static const uint8_t key[4] = {'k', 'e', 'y', '!'};

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_integrity(&b, key, sizeof(key));
    stun_build_u32(&b, STUN_ATTR_LIFETIME, 1);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "no attribute after MESSAGE-INTEGRITY");

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_integrity_sha256(&b, key, sizeof(key), 32);
    stun_build_integrity(&b, key, sizeof(key));
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "no MI after MI-SHA256");

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_fingerprint(&b);
    stun_build_fingerprint(&b);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "nothing after FINGERPRINT");

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_string(&b, STUN_ATTR_USERNAME, "bob");
    stun_build_integrity(&b, key, sizeof(key));
    stun_build_integrity_sha256(&b, key, sizeof(key), 20);
    stun_build_fingerprint(&b);
    int len = stun_build_finish(&b);
    struct stun_msg msg;

    TAP_EQ_INT(len, 20 + 8 + 24 + 24 + 8, "MI, MI-SHA256/20 and FINGERPRINT in order");
    TAP_CHECK(len > 0 && stun_msg_decode(&msg, buf, (size_t)len) == len, "and it decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, key, sizeof(key)), 0, "MI verifies");
    TAP_EQ_INT(stun_integrity_check_sha256(&msg, key, sizeof(key)), 0, "MI-SHA256 verifies");
    TAP_EQ_INT(stun_fingerprint_check(&msg), 0, "FINGERPRINT verifies");
}

static void test_sha256_truncation(void)
{
    static const size_t bad[] = {0, 12, 15, 18, 30, 36};
    uint8_t buf[128];
    struct stun_builder b;
    int refused = 0;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
        stun_build_integrity_sha256(&b, (const uint8_t *)"k", 1, bad[i]);
        refused += stun_build_finish(&b) == STUN_ERR_BAD_ARG;
    }
    TAP_EQ_INT(refused, 6, "truncations 0, 12, 15, 18, 30 and 36 are refused");
    for (size_t t = 16; t <= 32; t += 4) {
        struct stun_msg msg;

        stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
        stun_build_integrity_sha256(&b, (const uint8_t *)"k", 1, t);
        int len = stun_build_finish(&b);
        TAP_CHECK(len == (int)(24 + t) && stun_msg_decode(&msg, buf, (size_t)len) == len &&
                      stun_integrity_check_sha256(&msg, (const uint8_t *)"k", 1) == 0,
                  "MI-SHA256 truncated to %zu bytes verifies", t);
    }
}

static void test_size_limit(void)
{
    static uint8_t buf[STUN_MAX_MSG_LEN + 64];
    static uint8_t data[65535];
    struct stun_builder b;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_SEND, STUN_CLASS_INDICATION, test_txid);
    stun_build_raw(&b, STUN_ATTR_DATA, data, 65528);
    TAP_EQ_INT(stun_build_finish(&b), 20 + 65532, "the largest message fits the length field");
    stun_build_raw(&b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_NO_SPACE, "past it the length field overflows");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_SEND, STUN_CLASS_INDICATION, test_txid);
    stun_build_raw(&b, STUN_ATTR_DATA, data, 65529);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_NO_SPACE, "a value whose padding overflows");
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_SEND, STUN_CLASS_INDICATION, test_txid);
    stun_build_raw(&b, STUN_ATTR_DATA, data, 65536);
    TAP_EQ_INT(stun_build_finish(&b), STUN_ERR_BAD_ARG, "a value past 16 bits");
}

int main(void)
{
    test_header();
    test_padding_and_length();
    test_sticky_no_space();
    test_bad_args();
    test_error_reason();
    test_trailer_order();
    test_sha256_truncation();
    test_size_limit();
    return tap_done();
}
