/* Known-answer tests of util/crypto.c: RFC 2202 (HMAC-SHA1), RFC 4231 (HMAC-SHA256), FIPS 180-2
 * SHA-256 and RFC 1321 MD5 examples, chunking, constant-time compare and random bytes. */
#include "tap.h"
#include "util/crypto.h"

#include <stdint.h>
#include <string.h>

/* Fills out with the bytes of a hex string of exactly 2 * len digits. */
static void test_hex(const char *hex, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned v = 0;

        for (size_t j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);

            v = (v << 4) | d;
        }
        out[i] = (uint8_t)v;
    }
}

struct test_hmac_case {
    const char *name;
    const char *key_text;
    const char *data_text;
    const char *sha1;
    const char *sha256;
    size_t key_len;
    size_t data_len;
    uint8_t key_byte;  /* 0: key is key_text, 0xFF: 0x01..0x19 */
    uint8_t data_byte; /* 0: data is data_text */
};

#define TEST_HMAC(name, key_byte, key_len, key_text, data_byte, data_len, data_text, sha1, sha256) \
    {                                                                                              \
        (name), (key_text), (data_text), (sha1), (sha256), (key_len), (data_len), (key_byte),      \
            (data_byte)                                                                            \
    }

static const char test_big_key_data[] =
    "This is a test using a larger than block-size key and a larger than block-size data. The "
    "key needs to be hashed before being used by the HMAC algorithm.";

/* RFC 2202 section 3 and RFC 4231 section 4 share their first four cases. */
static const struct test_hmac_case test_hmac_cases[] = {
    TEST_HMAC("case 1", 0x0b, 20, NULL, 0, 8, "Hi There",
              "b617318655057264e28bc0b6fb378c8ef146be00",
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    TEST_HMAC("case 2", 0, 4, "Jefe", 0, 28, "what do ya want for nothing?",
              "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    TEST_HMAC("case 3", 0xaa, 20, NULL, 0xdd, 50, NULL, "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    TEST_HMAC("case 4", 0xFF, 25, NULL, 0xcd, 50, NULL, "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    TEST_HMAC("RFC 2202 case 6", 0xaa, 80, NULL, 0, 54,
              "Test Using Larger Than Block-Size Key - Hash Key First",
              "aa4ae5e15272d00e95705637ce8a3b55ed402112", NULL),
    TEST_HMAC("RFC 2202 case 7", 0xaa, 80, NULL, 0, 73,
              "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
              "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", NULL),
    TEST_HMAC("RFC 4231 case 6", 0xaa, 131, NULL, 0, 54,
              "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    TEST_HMAC("RFC 4231 case 7", 0xaa, 131, NULL, 0, sizeof(test_big_key_data) - 1,
              test_big_key_data, NULL,
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
};

static void test_hmac_case_inputs(const struct test_hmac_case *c, uint8_t *key, uint8_t *data)
{
    for (size_t i = 0; i < c->key_len; i++) {
        if (c->key_byte == 0) {
            key[i] = (uint8_t)c->key_text[i];
        } else {
            key[i] = c->key_byte == 0xFF ? (uint8_t)(i + 1) : c->key_byte;
        }
    }
    for (size_t i = 0; i < c->data_len; i++) {
        data[i] = c->data_byte == 0 ? (uint8_t)c->data_text[i] : c->data_byte;
    }
}

static void test_hmac_vectors(void)
{
    for (size_t n = 0; n < sizeof(test_hmac_cases) / sizeof(test_hmac_cases[0]); n++) {
        const struct test_hmac_case *c = &test_hmac_cases[n];
        uint8_t key[131];
        uint8_t data[160];
        uint8_t want[CRYPTO_SHA256_LEN];
        uint8_t got[CRYPTO_SHA256_LEN];

        test_hmac_case_inputs(c, key, data);
        struct crypto_chunk chunk = {data, c->data_len};
        if (c->sha1 != NULL) {
            test_hex(c->sha1, want, CRYPTO_SHA1_LEN);
            TAP_EQ_INT(crypto_hmac_sha1(key, c->key_len, &chunk, 1, got), 0, "sha1 %s", c->name);
            TAP_EQ_MEM(got, want, CRYPTO_SHA1_LEN, "HMAC-SHA1 %s", c->name);
        }
        if (c->sha256 != NULL) {
            test_hex(c->sha256, want, CRYPTO_SHA256_LEN);
            TAP_EQ_INT(crypto_hmac_sha256(key, c->key_len, &chunk, 1, got), 0, "sha256 %s",
                       c->name);
            TAP_EQ_MEM(got, want, CRYPTO_SHA256_LEN, "HMAC-SHA256 %s", c->name);
        }
    }
}

static void test_hmac_truncation_case(void)
{
    /* RFC 2202 case 5 and RFC 4231 case 5 give the MAC of "Test With Truncation". */
    uint8_t key[20];
    uint8_t got[CRYPTO_SHA256_LEN];
    uint8_t want[CRYPTO_SHA256_LEN];
    struct crypto_chunk chunk = {"Test With Truncation", 20};

    memset(key, 0x0c, sizeof(key));
    test_hex("4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", want, CRYPTO_SHA1_LEN);
    TAP_CHECK(crypto_hmac_sha1(key, sizeof(key), &chunk, 1, got) == 0 &&
                  memcmp(got, want, CRYPTO_SHA1_LEN) == 0,
              "HMAC-SHA1 RFC 2202 case 5");
    test_hex("a3b6167473100ee06e0c796c2955552b", want, 16);
    TAP_CHECK(crypto_hmac_sha256(key, sizeof(key), &chunk, 1, got) == 0 &&
                  memcmp(got, want, 16) == 0,
              "HMAC-SHA256 RFC 4231 case 5 (first 128 bits)");
}

static void test_hmac_empty_key(void)
{
    /* HMAC of an empty message under an empty key: well-known values. */
    uint8_t got[CRYPTO_SHA256_LEN];
    uint8_t want[CRYPTO_SHA256_LEN];

    test_hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d", want, CRYPTO_SHA1_LEN);
    TAP_CHECK(crypto_hmac_sha1(NULL, 0, NULL, 0, got) == 0 &&
                  memcmp(got, want, CRYPTO_SHA1_LEN) == 0,
              "HMAC-SHA1 with empty key and message");
    test_hex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", want,
             CRYPTO_SHA256_LEN);
    TAP_CHECK(crypto_hmac_sha256("", 0, NULL, 0, got) == 0 &&
                  memcmp(got, want, CRYPTO_SHA256_LEN) == 0,
              "HMAC-SHA256 with empty key and message");
}

static void test_hmac_chunks(void)
{
    /* The chunks are hashed as if concatenated. */
    struct crypto_chunk parts[4] = {
        {"what do ya", 10}, {"", 0}, {" want for ", 10}, {"nothing?", 8}};
    uint8_t got[CRYPTO_SHA1_LEN];
    uint8_t want[CRYPTO_SHA1_LEN];

    test_hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want, CRYPTO_SHA1_LEN);
    TAP_CHECK(crypto_hmac_sha1("Jefe", 4, parts, 4, got) == 0 &&
                  memcmp(got, want, CRYPTO_SHA1_LEN) == 0,
              "HMAC-SHA1 over chunks equals the contiguous case 2");
}

struct test_digest_case {
    const char *input;
    const char *digest;
};

static void test_sha256_vectors(void)
{
    static const struct test_digest_case cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t got[CRYPTO_SHA256_LEN];
        uint8_t want[CRYPTO_SHA256_LEN];
        struct crypto_chunk chunk = {cases[i].input, strlen(cases[i].input)};

        test_hex(cases[i].digest, want, sizeof(want));
        TAP_CHECK(crypto_sha256(&chunk, 1, got) == 0 && memcmp(got, want, sizeof(want)) == 0,
                  "SHA-256(\"%s\")", cases[i].input);
    }
}

static void test_md5_vectors(void)
{
    /* RFC 1321 appendix A.5. */
    static const struct test_digest_case cases[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t got[CRYPTO_MD5_LEN];
        uint8_t want[CRYPTO_MD5_LEN];
        struct crypto_chunk chunk = {cases[i].input, strlen(cases[i].input)};

        test_hex(cases[i].digest, want, sizeof(want));
        TAP_CHECK(crypto_md5(&chunk, 1, got) == 0 && memcmp(got, want, sizeof(want)) == 0,
                  "MD5(\"%s\")", cases[i].input);
    }
    struct crypto_chunk parts[3] = {{"message", 7}, {" ", 1}, {"digest", 6}};
    uint8_t got[CRYPTO_MD5_LEN];
    uint8_t want[CRYPTO_MD5_LEN];

    test_hex("f96b697d7cb7938d525a2f31aaf161d0", want, sizeof(want));
    TAP_CHECK(crypto_md5(parts, 3, got) == 0 && memcmp(got, want, sizeof(want)) == 0,
              "MD5 over chunks");
}

static void test_equal(void)
{
    uint8_t a[32];
    uint8_t b[32];

    memset(a, 0x5a, sizeof(a));
    memcpy(b, a, sizeof(b));
    TAP_CHECK(crypto_equal(a, b, sizeof(a)), "equal buffers compare equal");
    b[31] ^= 1;
    TAP_CHECK(!crypto_equal(a, b, sizeof(a)), "a difference in the last byte is seen");
    b[31] ^= 1;
    b[0] ^= 0x80;
    TAP_CHECK(!crypto_equal(a, b, sizeof(a)), "a difference in the first byte is seen");
    TAP_CHECK(crypto_equal(a, b, 0), "zero-length compare is equal");
}

static void test_random(void)
{
    uint8_t a[32];
    uint8_t b[32];
    uint8_t zero[32];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));
    TAP_EQ_INT(crypto_random(a, sizeof(a)), 0, "random bytes");
    TAP_EQ_INT(crypto_random(b, sizeof(b)), 0, "more random bytes");
    TAP_CHECK(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, sizeof(a)) != 0,
              "two draws of 256 bits differ and are not zero");
    TAP_EQ_INT(crypto_random(a, 0), 0, "zero random bytes");
}

int main(void)
{
    test_hmac_vectors();
    test_hmac_truncation_case();
    test_hmac_empty_key();
    test_hmac_chunks();
    test_sha256_vectors();
    test_md5_vectors();
    test_equal();
    test_random();
    return tap_done();
}
