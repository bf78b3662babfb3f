/*
 * RFC 5769 test vectors: each sample message decodes, its MESSAGE-INTEGRITY
 * and FINGERPRINT verify, its addresses decode to the values the RFC gives,
 * and the builder reproduces it byte for byte.
 *
 * About the rebuild: sections 2.1-2.3 pad USERNAME and SOFTWARE with 0x20
 * where RFC 8489 section 14 has senders pad with zeros. The builder pads with
 * zeros (checked below), so the test overwrites those padding bytes with
 * 0x20 right after adding the attribute and before the MAC and CRC are
 * computed; every other byte is the builder's own.
 */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "tap.h"
#include "util/crypto.h"
#include "vectors/rfc5769.h"

#include <string.h>
#include <sys/socket.h>

#define TEST_KEY     ((const uint8_t *)RFC5769_PASSWORD)
#define TEST_KEY_LEN (sizeof(RFC5769_PASSWORD) - 1)

/* Replaces the n padding bytes of the attribute just added with spaces, as the RFC does. */
static void test_space_pad(struct stun_builder *b, size_t n)
{
    memset(b->buf + b->len - n, 0x20, n);
}

/* The long-term key of section 2.4: MD5(username ":" realm ":" password). */
static void test_long_term_key(uint8_t key[CRYPTO_MD5_LEN])
{
    struct crypto_chunk parts[5] = {
        {RFC5769_LT_USERNAME, sizeof(RFC5769_LT_USERNAME) - 1}, {":", 1},
        {RFC5769_LT_REALM, sizeof(RFC5769_LT_REALM) - 1},       {":", 1},
        {RFC5769_LT_PASSWORD, sizeof(RFC5769_LT_PASSWORD) - 1},
    };

    TAP_EQ_INT(crypto_md5(parts, 5, key), 0, "long-term key computed");
}

static void test_request(void)
{
    struct stun_msg msg;
    const uint8_t *v;
    size_t n;
    uint32_t priority;
    uint64_t tie;

    TAP_EQ_INT(stun_msg_decode(&msg, rfc5769_request, sizeof(rfc5769_request)),
               sizeof(rfc5769_request), "2.1 request decodes");
    TAP_CHECK(msg.method == STUN_METHOD_BINDING && msg.cls == STUN_CLASS_REQUEST,
              "2.1 is a Binding request");
    TAP_EQ_INT(msg.attr_count, 6, "2.1 has six attributes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, TEST_KEY, TEST_KEY_LEN), 0, "2.1 integrity");
    TAP_EQ_INT(
        stun_integrity_check_sha1(&msg, (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBu", TEST_KEY_LEN),
        STUN_ERR_INTEGRITY, "2.1 integrity fails under another password");
    TAP_EQ_INT(stun_fingerprint_check(&msg), 0, "2.1 fingerprint");
    TAP_CHECK(stun_attr_get_bytes(&msg, STUN_ATTR_USERNAME, &v, &n) == 0 && n == 9 &&
                  memcmp(v, "evtj:h6vY", 9) == 0,
              "2.1 username");
    TAP_CHECK(stun_attr_get_bytes(&msg, STUN_ATTR_SOFTWARE, &v, &n) == 0 && n == 16 &&
                  memcmp(v, "STUN test client", 16) == 0,
              "2.1 software");
    TAP_CHECK(stun_attr_get_u32(&msg, STUN_ATTR_PRIORITY, &priority) == 0 &&
                  priority == 0x6e0001ffu,
              "2.1 priority");
    TAP_CHECK(stun_attr_get_u64(&msg, STUN_ATTR_ICE_CONTROLLED, &tie) == 0 &&
                  tie == 0x932ff9b151263b36u,
              "2.1 ICE-CONTROLLED tie breaker");
}

static void test_request_rebuild(void)
{
    uint8_t buf[sizeof(rfc5769_request)];
    struct stun_builder b;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST,
                    rfc5769_request + 8);
    stun_build_string(&b, STUN_ATTR_SOFTWARE, "STUN test client");
    stun_build_u32(&b, STUN_ATTR_PRIORITY, 0x6e0001ffu);
    stun_build_u64(&b, STUN_ATTR_ICE_CONTROLLED, 0x932ff9b151263b36u);
    stun_build_string(&b, STUN_ATTR_USERNAME, "evtj:h6vY");
    TAP_CHECK(memcmp(buf + b.len - 3, "\0\0\0", 3) == 0, "builder pads USERNAME with zeros");
    test_space_pad(&b, 3);
    stun_build_integrity(&b, TEST_KEY, TEST_KEY_LEN);
    stun_build_fingerprint(&b);
    TAP_EQ_INT(stun_build_finish(&b), sizeof(rfc5769_request), "2.1 rebuilt length");
    TAP_EQ_MEM(buf, rfc5769_request, sizeof(buf), "2.1 rebuilt byte for byte");
}

static void test_response(const uint8_t *vec, size_t len, const char *name, const struct addr *want)
{
    struct stun_msg msg;
    struct addr got;

    TAP_EQ_INT(stun_msg_decode(&msg, vec, len), len, "%s decodes", name);
    TAP_CHECK(msg.method == STUN_METHOD_BINDING && msg.cls == STUN_CLASS_SUCCESS,
              "%s is a Binding success response", name);
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, TEST_KEY, TEST_KEY_LEN), 0, "%s integrity", name);
    TAP_EQ_INT(stun_fingerprint_check(&msg), 0, "%s fingerprint", name);
    TAP_EQ_INT(stun_attr_get_addr(&msg, STUN_ATTR_XOR_MAPPED_ADDRESS, &got), 0,
               "%s XOR-MAPPED-ADDRESS decodes", name);
    TAP_CHECK(got.family == want->family && got.port == want->port &&
                  memcmp(got.ip, want->ip, sizeof(got.ip)) == 0,
              "%s mapped address is the RFC's", name);
}

static void test_response_rebuild(const uint8_t *vec, size_t len, const char *name,
                                  const struct addr *mapped)
{
    uint8_t buf[128];
    struct stun_builder b;

    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_SUCCESS, vec + 8);
    stun_build_string(&b, STUN_ATTR_SOFTWARE, "test vector");
    test_space_pad(&b, 1);
    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, mapped);
    stun_build_integrity(&b, TEST_KEY, TEST_KEY_LEN);
    stun_build_fingerprint(&b);
    TAP_EQ_INT(stun_build_finish(&b), len, "%s rebuilt length", name);
    TAP_EQ_MEM(buf, vec, len, "%s rebuilt byte for byte", name);
}

static void test_responses(void)
{
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                   0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    struct addr a4;
    struct addr a6;

    memset(&a4, 0, sizeof(a4));
    a4.family = AF_INET;
    a4.port = 32853;
    a4.ip[0] = 192;
    a4.ip[2] = 2;
    a4.ip[3] = 1;
    memset(&a6, 0, sizeof(a6));
    a6.family = AF_INET6;
    a6.port = 32853;
    memcpy(a6.ip, v6, sizeof(v6));
    test_response(rfc5769_response_ipv4, sizeof(rfc5769_response_ipv4), "2.2", &a4);
    test_response_rebuild(rfc5769_response_ipv4, sizeof(rfc5769_response_ipv4), "2.2", &a4);
    test_response(rfc5769_response_ipv6, sizeof(rfc5769_response_ipv6), "2.3", &a6);
    test_response_rebuild(rfc5769_response_ipv6, sizeof(rfc5769_response_ipv6), "2.3", &a6);
}

static void test_long_term(void)
{
    uint8_t key[CRYPTO_MD5_LEN];
    struct stun_msg msg;
    const uint8_t *v;
    size_t n;

    test_long_term_key(key);
    TAP_EQ_INT(stun_msg_decode(&msg, rfc5769_request_long_term, sizeof(rfc5769_request_long_term)),
               sizeof(rfc5769_request_long_term), "2.4 request decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, key, sizeof(key)), 0, "2.4 long-term integrity");
    TAP_EQ_INT(stun_fingerprint_check(&msg), STUN_ERR_NOT_FOUND, "2.4 has no fingerprint");
    TAP_CHECK(stun_attr_get_bytes(&msg, STUN_ATTR_USERNAME, &v, &n) == 0 &&
                  n == sizeof(RFC5769_LT_USERNAME) - 1 && memcmp(v, RFC5769_LT_USERNAME, n) == 0,
              "2.4 username is the katakana");
    TAP_CHECK(stun_attr_get_bytes(&msg, STUN_ATTR_NONCE, &v, &n) == 0 &&
                  n == sizeof(RFC5769_LT_NONCE) - 1 && memcmp(v, RFC5769_LT_NONCE, n) == 0,
              "2.4 nonce");
    TAP_CHECK(stun_attr_get_bytes(&msg, STUN_ATTR_REALM, &v, &n) == 0 && n == 11 &&
                  memcmp(v, RFC5769_LT_REALM, n) == 0,
              "2.4 realm");
}

static void test_long_term_rebuild(void)
{
    uint8_t key[CRYPTO_MD5_LEN];
    uint8_t buf[sizeof(rfc5769_request_long_term)];
    struct stun_builder b;

    test_long_term_key(key);
    stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST,
                    rfc5769_request_long_term + 8);
    stun_build_string(&b, STUN_ATTR_USERNAME, RFC5769_LT_USERNAME);
    stun_build_string(&b, STUN_ATTR_NONCE, RFC5769_LT_NONCE);
    stun_build_string(&b, STUN_ATTR_REALM, RFC5769_LT_REALM);
    stun_build_integrity(&b, key, sizeof(key));
    TAP_EQ_INT(stun_build_finish(&b), sizeof(rfc5769_request_long_term), "2.4 rebuilt length");
    TAP_EQ_MEM(buf, rfc5769_request_long_term, sizeof(buf),
               "2.4 rebuilt byte for byte (zero padding, as in the RFC)");
}

static void test_tampering(void)
{
    uint8_t copy[sizeof(rfc5769_response_ipv4)];
    struct stun_msg msg;

    /* A flipped bit in the mapped address: decodes, but neither MAC nor CRC matches. */
    memcpy(copy, rfc5769_response_ipv4, sizeof(copy));
    copy[44] ^= 0x01;
    TAP_EQ_INT(stun_msg_decode(&msg, copy, sizeof(copy)), sizeof(copy), "tampered 2.2 decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, TEST_KEY, TEST_KEY_LEN), STUN_ERR_INTEGRITY,
               "tampered 2.2 fails integrity");
    TAP_EQ_INT(stun_fingerprint_check(&msg), STUN_ERR_INTEGRITY, "tampered 2.2 fails fingerprint");
    /* A flipped bit in the CRC only. */
    memcpy(copy, rfc5769_response_ipv4, sizeof(copy));
    copy[sizeof(copy) - 1] ^= 0x80;
    TAP_EQ_INT(stun_msg_decode(&msg, copy, sizeof(copy)), sizeof(copy), "2.2 with bad CRC decodes");
    TAP_EQ_INT(stun_integrity_check_sha1(&msg, TEST_KEY, TEST_KEY_LEN), 0,
               "2.2 with bad CRC keeps a good MAC");
    TAP_EQ_INT(stun_fingerprint_check(&msg), STUN_ERR_INTEGRITY, "2.2 with bad CRC fails it");
}

int main(void)
{
    test_request();
    test_request_rebuild();
    test_responses();
    test_long_term();
    test_long_term_rebuild();
    test_tampering();
    return tap_done();
}
