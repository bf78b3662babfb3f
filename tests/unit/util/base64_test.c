#include "tap.h"
#include "util/base64.h"

#include <string.h>

struct base64_test_vector {
    const char *plain;
    const char *encoded;
};

/* RFC 4648 §10. */
static const struct base64_test_vector base64_test_rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void base64_test_vectors(void)
{
    char enc[16];
    uint8_t dec[16];

    for (size_t i = 0; i < sizeof(base64_test_rfc4648) / sizeof(base64_test_rfc4648[0]); i++) {
        const struct base64_test_vector *v = &base64_test_rfc4648[i];
        size_t plain_len = strlen(v->plain);
        size_t enc_len = strlen(v->encoded);

        memset(enc, 'x', sizeof(enc));
        int n = base64_encode((const uint8_t *)v->plain, plain_len, enc, sizeof(enc));
        TAP_EQ_INT(n, enc_len, "encode \"%s\" length", v->plain);
        TAP_CHECK(strcmp(enc, v->encoded) == 0, "encode \"%s\" is \"%s\" (got \"%s\")", v->plain,
                  v->encoded, enc);
        TAP_EQ_INT(BASE64_ENCODED_LEN(plain_len), enc_len, "BASE64_ENCODED_LEN(%zu)", plain_len);

        n = base64_decode(v->encoded, enc_len, dec, sizeof(dec));
        TAP_EQ_INT(n, plain_len, "decode \"%s\" length", v->encoded);
        TAP_EQ_MEM(dec, v->plain, plain_len, "decode \"%s\" is \"%s\"", v->encoded, v->plain);
    }
}

static void base64_test_alphabet_ends(void)
{
    static const uint8_t high[] = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
    char enc[16];
    uint8_t dec[8];

    TAP_EQ_INT(base64_encode(high, sizeof(high), enc, sizeof(enc)), 8, "encode high bytes");
    TAP_CHECK(strcmp(enc, "+/+/ABCD") == 0, "'+' and '/' encode 62 and 63 (got \"%s\")", enc);
    TAP_EQ_INT(base64_decode("+/+/ABCD", 8, dec, sizeof(dec)), 6, "decode '+' and '/'");
    TAP_EQ_MEM(dec, high, sizeof(high), "'+' and '/' decode back");
}

static void base64_test_round_trip(void)
{
    uint8_t in[64];
    char enc[BASE64_ENCODED_LEN(sizeof(in)) + 1];
    uint8_t dec[sizeof(in)];
    int bad = 0;

    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 37u + 11u);
    }
    for (size_t len = 0; len <= sizeof(in); len++) {
        int e = base64_encode(in, len, enc, sizeof(enc));
        int d = base64_decode(enc, (size_t)(e < 0 ? 0 : e), dec, len);
        if (e != (int)BASE64_ENCODED_LEN(len) || d != (int)len || memcmp(dec, in, len) != 0) {
            bad++;
        }
    }
    TAP_EQ_INT(bad, 0, "binary round trip for lengths 0..64");
}

struct base64_test_cap_case {
    const char *in;
    size_t len;
    size_t cap;
    int want;
};

static void base64_test_capacity(void)
{
    static const struct base64_test_cap_case enc_cases[] = {
        {"foobar", 6, 9, 8}, {"foobar", 6, 8, -1}, {"", 0, 1, 0}, {"", 0, 0, -1}, {"f", 1, 4, -1},
    };
    static const struct base64_test_cap_case dec_cases[] = {
        {"Zm9vYmFy", 8, 6, 6},  {"Zm9vYmFy", 8, 5, -1},    {"Zm9vYg==", 8, 4, 4},
        {"Zm9vYg==", 8, 3, -1}, {"Zm9vYmFyZm9v", 8, 6, 6}, {"", 0, 0, 0},
    };
    char enc[16];
    uint8_t dec[16];

    for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
        const struct base64_test_cap_case *t = &enc_cases[i];
        int n = base64_encode((const uint8_t *)t->in, t->len, enc, t->cap);
        TAP_EQ_INT(n, t->want, "encode %zu bytes into %zu", t->len, t->cap);
    }
    TAP_EQ_INT(base64_encode(NULL, 0, enc, 1), 0, "encode of nothing may pass NULL");
    TAP_EQ_INT(enc[0], '\0', "encode of nothing is the empty string");
    for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
        const struct base64_test_cap_case *t = &dec_cases[i];
        int n = base64_decode(t->in, t->len, dec, t->cap);
        TAP_EQ_INT(n, t->want, "decode %zu chars of \"%s\" into %zu", t->len, t->in, t->cap);
    }
}

static void base64_test_rejects(void)
{
    static const char *const bad[] = {
        "Zg",   "Zg=",      "Zm9vY",    "Zg===",    "Z===", "====",     "=Zg=", "Zg=a",
        "Z=g=", "Zm9v=Zg=", "Zm8=Zm8=", "Zg==Zg==", "Zh==", "Zm9=",     "Zm9-", "Zm9_",
        "Zm 9", "Zm9\n",    "Zm9v\r\n", "Zm9v Zm9", "Zm9.", "Zm9v====", "Zm*v", "\xc3\xa9Zg",
    };
    uint8_t dec[16];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(base64_decode(bad[i], strlen(bad[i]), dec, sizeof(dec)), -1,
                   "decode rejects bad input %zu", i);
    }
    TAP_EQ_INT(base64_decode("Zm\0v", 4, dec, sizeof(dec)), -1, "decode rejects a NUL");
}

int main(void)
{
    base64_test_vectors();
    base64_test_alphabet_ends();
    base64_test_round_trip();
    base64_test_capacity();
    base64_test_rejects();
    return tap_done();
}
