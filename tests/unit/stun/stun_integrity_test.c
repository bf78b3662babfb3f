/* stun_integrity.c: MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT checks, with the
 * header length adjusted to each attribute (RFC 8489 sections 14.5-14.7). */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "tap.h"
#include "util/crc32.h"
#include "util/crypto.h"

#include <string.h>

static const uint8_t test_txid[STUN_TXID_LEN] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
static const uint8_t test_key[16] = "0123456789abcdef";

static int test_build_signed(uint8_t *buf, size_t cap, size_t trunc)
{
    struct stun_builder b;

    stun_build_init(&b, buf, cap, STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST, test_txid);
    stun_build_u8(&b, STUN_ATTR_REQUESTED_TRANSPORT, STUN_TRANSPORT_UDP);
    stun_build_string(&b, STUN_ATTR_USERNAME, "1700000000:alice");
    stun_build_integrity(&b, test_key, sizeof(test_key));
    if (trunc > 0) {
        stun_build_integrity_sha256(&b, test_key, sizeof(test_key), trunc);
    }
    stun_build_fingerprint(&b);
    return stun_build_finish(&b);
}

static void test_good_and_bad_keys(void)
{
    uint8_t buf[256];
    struct stun_msg msg;
    int len = test_build_signed(buf, sizeof(buf), 32);
    uint8_t other[16];

    memcpy(other, test_key, sizeof(other));
    other[15] ^= 1;
    TAP_CHECK(len > 0 && stun_msg_decode(&msg, buf, (size_t)len) == len, "signed message decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, test_key, sizeof(test_key)), 0, "MI verifies");
    TAP_EQ_INT(stun_integrity_check_sha256(&msg, test_key, sizeof(test_key)), 0, "MI-SHA256");
    TAP_EQ_INT(stun_fingerprint_check(&msg), 0, "FINGERPRINT verifies");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, other, sizeof(other)), STUN_ERR_INTEGRITY,
               "MI under another key");
    TAP_EQ_INT(stun_integrity_check_sha256(&msg, other, sizeof(other)), STUN_ERR_INTEGRITY,
               "MI-SHA256 under another key");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, test_key, 15), STUN_ERR_INTEGRITY,
               "MI under a shorter key");
}

static void test_tampered(void)
{
    uint8_t buf[256];
    struct stun_msg msg;
    int len = test_build_signed(buf, sizeof(buf), 16);
    int failures = 0;

    /* Flip each byte before MI in turn (the header's length excepted: it would not decode). */
    for (size_t i = 0; i < 48; i++) {
        if (i == 2 || i == 3) {
            continue;
        }
        buf[i] ^= 0x01;
        if (stun_msg_decode(&msg, buf, (size_t)len) == len) {
            failures +=
                stun_integrity_check_sha1(&msg, test_key, sizeof(test_key)) == STUN_ERR_INTEGRITY &&
                stun_integrity_check_sha256(&msg, test_key, sizeof(test_key)) ==
                    STUN_ERR_INTEGRITY &&
                stun_fingerprint_check(&msg) == STUN_ERR_INTEGRITY;
        } else {
            failures++;
        }
        buf[i] ^= 0x01;
    }
    TAP_EQ_INT(failures, 46, "every flipped byte breaks MI, MI-SHA256 and FINGERPRINT");
    buf[len - 1] ^= 0x01;
    TAP_CHECK(stun_msg_decode(&msg, buf, (size_t)len) == len &&
                  stun_fingerprint_check(&msg) == STUN_ERR_INTEGRITY &&
                  stun_integrity_check_sha1(&msg, test_key, sizeof(test_key)) == 0,
              "a bad CRC fails FINGERPRINT only");
}

static void test_absent(void)
{
    uint8_t buf[64];
    struct stun_builder b;
    struct stun_msg msg;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    int len = stun_build_finish(&b);
    TAP_CHECK(stun_msg_decode(&msg, buf, (size_t)len) == len, "bare request decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, test_key, 16), STUN_ERR_NOT_FOUND, "no MI");
    TAP_EQ_INT(stun_integrity_check_sha256(&msg, test_key, 16), STUN_ERR_NOT_FOUND, "no MI256");
    TAP_EQ_INT(stun_fingerprint_check(&msg), STUN_ERR_NOT_FOUND, "no FINGERPRINT");
}

/*
 * A message with an attribute between MESSAGE-INTEGRITY and FINGERPRINT,
 * which a receiver ignores: the MAC still covers only what precedes it,
 * under a length that ends at MESSAGE-INTEGRITY.
 */
static void test_ignored_attribute_between(void)
{
    static const uint8_t software[8] = {0x80, 0x22, 0x00, 0x04, 't', 'e', 'r', 'n'};
    static const uint8_t fingerprint_hdr[4] = {0x80, 0x28, 0x00, 0x04};
    uint8_t buf[128];
    struct stun_builder b;
    struct stun_msg msg;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_string(&b, STUN_ATTR_USERNAME, "carol");
    stun_build_integrity(&b, test_key, sizeof(test_key));
    size_t at = b.len;
    /* Splice SOFTWARE after MI by hand; the builder refuses to. */
    memcpy(buf + at, software, sizeof(software));
    size_t len = at + 8;
    uint32_t crc;

    buf[2] = (uint8_t)((len + 8 - 20) >> 8);
    buf[3] = (uint8_t)(len + 8 - 20);
    crc = crc32_ieee(buf, len) ^ STUN_FINGERPRINT_XOR;
    memcpy(buf + len, fingerprint_hdr, sizeof(fingerprint_hdr));
    buf[len + 4] = (uint8_t)(crc >> 24);
    buf[len + 5] = (uint8_t)(crc >> 16);
    buf[len + 6] = (uint8_t)(crc >> 8);
    buf[len + 7] = (uint8_t)crc;
    len += 8;
    TAP_EQ_INT(stun_msg_decode(&msg, buf, len), (int)len, "MI, SOFTWARE, FINGERPRINT decodes");
    TAP_EQ_INT(msg.attr_count, 3, "SOFTWARE after MI is not kept");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, test_key, sizeof(test_key)), 0,
               "MI verifies with the length cut at MI");
    TAP_EQ_INT(stun_fingerprint_check(&msg), 0, "FINGERPRINT covers the ignored attribute");
}

static void test_empty_key(void)
{
    uint8_t buf[64];
    struct stun_builder b;
    struct stun_msg msg;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST, test_txid);
    stun_build_integrity(&b, NULL, 0);
    int len = stun_build_finish(&b);
    TAP_CHECK(len > 0 && stun_msg_decode(&msg, buf, (size_t)len) == len, "empty-key MI builds");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, (const uint8_t *)"", 0), 0,
               "and verifies under the empty key");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, test_key, 1), STUN_ERR_INTEGRITY,
               "and not under another");
}

int main(void)
{
    test_good_and_bad_keys();
    test_tampered();
    test_absent();
    test_ignored_attribute_between();
    test_empty_key();
    return tap_done();
}
