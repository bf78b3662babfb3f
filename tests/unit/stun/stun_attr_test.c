/* stun_attr.c: the registry, per-kind validation, XOR addresses, and a build-then-decode round
 * trip of every registered attribute through its typed getter. */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_msg.h"
#include "tap.h"

#include <string.h>
#include <sys/socket.h>

static const uint8_t test_txid[STUN_TXID_LEN] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* A message being built and, once finished, decoded. */
struct test_rt {
    uint8_t buf[1024];
    struct stun_builder b;
    struct stun_msg msg;
};

static void test_rt_begin(struct test_rt *rt)
{
    stun_build_init(&rt->b, rt->buf, sizeof(rt->buf), STUN_METHOD_BINDING, STUN_CLASS_REQUEST,
                    test_txid);
}

static bool test_rt_end(struct test_rt *rt)
{
    int len = stun_build_finish(&rt->b);

    return len > 0 && stun_msg_decode(&rt->msg, rt->buf, (size_t)len) == len;
}

static struct addr test_addr(uint16_t family, uint16_t port, uint8_t first)
{
    struct addr a;

    memset(&a, 0, sizeof(a));
    a.family = family;
    a.port = port;
    for (size_t i = 0; i < (family == AF_INET ? 4u : 16u); i++) {
        a.ip[i] = (uint8_t)(first + i * 17u);
    }
    return a;
}

static bool test_addr_same(const struct addr *a, const struct addr *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, 16) == 0;
}

/* One round trip per kind: build a value of the row's type, decode, read it back. */
typedef bool (*test_rt_cb)(const struct stun_attr_info *info);

static bool test_rt_addr(const struct stun_attr_info *info)
{
    struct test_rt rt;
    struct addr got;
    struct addr v4 = test_addr(AF_INET, 3478, 192);
    struct addr v6 = test_addr(AF_INET6, 65535, 0x20);

    test_rt_begin(&rt);
    stun_build_addr(&rt.b, info->type, &v4);
    bool ok = test_rt_end(&rt) && stun_attr_get_addr(&rt.msg, info->type, &got) == 0 &&
              test_addr_same(&got, &v4);
    test_rt_begin(&rt);
    stun_build_addr(&rt.b, info->type, &v6);
    return ok && test_rt_end(&rt) && stun_attr_get_addr(&rt.msg, info->type, &got) == 0 &&
           test_addr_same(&got, &v6);
}

static bool test_rt_u32(const struct stun_attr_info *info)
{
    struct test_rt rt;
    uint32_t got;

    test_rt_begin(&rt);
    stun_build_u32(&rt.b, info->type, 0xDEADBEEFu);
    return test_rt_end(&rt) && stun_attr_get_u32(&rt.msg, info->type, &got) == 0 &&
           got == 0xDEADBEEFu;
}

static bool test_rt_u64(const struct stun_attr_info *info)
{
    struct test_rt rt;
    uint64_t got;

    test_rt_begin(&rt);
    stun_build_u64(&rt.b, info->type, 0x0123456789ABCDEFu);
    return test_rt_end(&rt) && stun_attr_get_u64(&rt.msg, info->type, &got) == 0 &&
           got == 0x0123456789ABCDEFu;
}

static bool test_rt_u16(const struct stun_attr_info *info)
{
    struct test_rt rt;
    uint16_t got;

    test_rt_begin(&rt);
    stun_build_u16(&rt.b, info->type, 0x4ABC);
    return test_rt_end(&rt) && stun_attr_get_u16(&rt.msg, info->type, &got) == 0 && got == 0x4ABC &&
           rt.msg.attrs[0].value[2] == 0 && rt.msg.attrs[0].value[3] == 0;
}

static bool test_rt_u8(const struct stun_attr_info *info)
{
    struct test_rt rt;
    uint8_t got;
    uint8_t want = info->kind == STUN_KIND_FLAG_BYTE ? STUN_EVEN_PORT_RESERVE : 17;

    test_rt_begin(&rt);
    stun_build_u8(&rt.b, info->type, want);
    return test_rt_end(&rt) && stun_attr_get_u8(&rt.msg, info->type, &got) == 0 && got == want &&
           rt.msg.attrs[0].len == info->min_len;
}

/* Raw-valued kinds: the value read back is the bytes written. */
static bool test_rt_bytes_of(const struct stun_attr_info *info, const uint8_t *value, size_t len)
{
    struct test_rt rt;
    const uint8_t *got;
    size_t got_len;

    test_rt_begin(&rt);
    stun_build_raw(&rt.b, info->type, value, len);
    return test_rt_end(&rt) && stun_attr_get_bytes(&rt.msg, info->type, &got, &got_len) == 0 &&
           got_len == len && (len == 0 || memcmp(got, value, len) == 0);
}

static bool test_rt_empty(const struct stun_attr_info *info)
{
    return test_rt_bytes_of(info, NULL, 0);
}

static bool test_rt_string(const struct stun_attr_info *info)
{
    struct test_rt rt;
    const uint8_t *got;
    size_t len;
    const char *text = info->max_chars != 0 ? "caf\xc3\xa9 \xe3\x83\x9e" : "tern.example.org";

    test_rt_begin(&rt);
    stun_build_string(&rt.b, info->type, text);
    return test_rt_end(&rt) && stun_attr_get_bytes(&rt.msg, info->type, &got, &len) == 0 &&
           len == strlen(text) && memcmp(got, text, len) == 0;
}

static bool test_rt_bytes(const struct stun_attr_info *info)
{
    static const uint8_t value[5] = {0x00, 0x01, 0xFF, 0x80, 0x7F};

    return test_rt_bytes_of(info, value, sizeof(value));
}

static bool test_rt_hash(const struct stun_attr_info *info)
{
    uint8_t value[32];

    for (size_t i = 0; i < sizeof(value); i++) {
        value[i] = (uint8_t)(0xA0 + i);
    }
    return test_rt_bytes_of(info, value, info->max_len);
}

static bool test_rt_error(const struct stun_attr_info *info)
{
    struct test_rt rt;
    struct stun_error_value got;
    bool address = info->type == STUN_ATTR_ADDRESS_ERROR_CODE;

    test_rt_begin(&rt);
    if (address) {
        stun_build_address_error(&rt.b, STUN_FAMILY_IPV6, 440, "no v6 here");
    } else {
        stun_build_error(&rt.b, 438, "Stale Nonce");
    }
    if (!test_rt_end(&rt) || stun_attr_get_error(&rt.msg, info->type, &got) != 0) {
        return false;
    }
    if (address) {
        return got.code == 440 && got.family == STUN_FAMILY_IPV6 && got.reason_len == 10 &&
               memcmp(got.reason, "no v6 here", 10) == 0;
    }
    return got.code == 438 && got.family == 0 && got.reason_len == 11 &&
           memcmp(got.reason, "Stale Nonce", 11) == 0;
}

static bool test_rt_type_list(const struct stun_attr_info *info)
{
    static const uint16_t types[3] = {0x0030, 0x7001, 0x0031};
    struct test_rt rt;
    uint16_t got[3];

    test_rt_begin(&rt);
    stun_build_type_list(&rt.b, info->type, types, 3);
    return test_rt_end(&rt) && stun_attr_get_type_list(&rt.msg, info->type, got, 3) == 3 &&
           memcmp(got, types, sizeof(types)) == 0;
}

static bool test_rt_algorithm(const struct stun_attr_info *info)
{
    struct test_rt rt;
    uint16_t got;

    test_rt_begin(&rt);
    stun_build_algorithm(&rt.b, STUN_PASSWORD_ALG_SHA256);
    return test_rt_end(&rt) && stun_attr_get_algorithm(&rt.msg, &got) == 0 &&
           got == STUN_PASSWORD_ALG_SHA256 && info->type == STUN_ATTR_PASSWORD_ALGORITHM;
}

static bool test_rt_algorithms(const struct stun_attr_info *info)
{
    static const uint16_t algs[2] = {STUN_PASSWORD_ALG_MD5, STUN_PASSWORD_ALG_SHA256};
    struct test_rt rt;
    uint16_t got[2];

    test_rt_begin(&rt);
    stun_build_algorithms(&rt.b, algs, 2);
    return test_rt_end(&rt) && stun_attr_get_algorithms(&rt.msg, got, 2) == 2 &&
           memcmp(got, algs, sizeof(algs)) == 0 && info->type == STUN_ATTR_PASSWORD_ALGORITHMS;
}

static bool test_rt_icmp(const struct stun_attr_info *info)
{
    struct test_rt rt;
    struct stun_icmp_value got;

    test_rt_begin(&rt);
    stun_build_icmp(&rt.b, 3, 4, 1400);
    return test_rt_end(&rt) && stun_attr_get_icmp(&rt.msg, &got) == 0 && got.type == 3 &&
           got.code == 4 && got.error_data == 1400 && info->type == STUN_ATTR_ICMP;
}

static const test_rt_cb test_rt_by_kind[] = {
    [STUN_KIND_ADDR] = test_rt_addr,
    [STUN_KIND_XOR_ADDR] = test_rt_addr,
    [STUN_KIND_U32] = test_rt_u32,
    [STUN_KIND_U64] = test_rt_u64,
    [STUN_KIND_U16_RSVD] = test_rt_u16,
    [STUN_KIND_U8_RSVD] = test_rt_u8,
    [STUN_KIND_FLAG_BYTE] = test_rt_u8,
    [STUN_KIND_EMPTY] = test_rt_empty,
    [STUN_KIND_STRING] = test_rt_string,
    [STUN_KIND_BYTES] = test_rt_bytes,
    [STUN_KIND_HASH] = test_rt_hash,
    [STUN_KIND_ERROR] = test_rt_error,
    [STUN_KIND_TYPE_LIST] = test_rt_type_list,
    [STUN_KIND_ALGORITHM] = test_rt_algorithm,
    [STUN_KIND_ALGORITHMS] = test_rt_algorithms,
    [STUN_KIND_ICMP] = test_rt_icmp,
};

static void test_round_trips(void)
{
    size_t count;
    const struct stun_attr_info *reg = stun_attr_registry(&count);
    unsigned kinds_seen = 0;

    for (size_t i = 0; i < count; i++) {
        test_rt_cb rt = test_rt_by_kind[reg[i].kind];

        kinds_seen |= 1u << reg[i].kind;
        TAP_CHECK(rt != NULL && rt(&reg[i]), "%s round-trips", reg[i].name);
    }
    TAP_EQ_INT(kinds_seen, (1u << (STUN_KIND_ICMP + 1)) - 1, "every kind has a registered type");
}

static void test_registry(void)
{
    static const uint16_t all[] = {
        STUN_ATTR_MAPPED_ADDRESS,
        STUN_ATTR_CHANGE_REQUEST,
        STUN_ATTR_USERNAME,
        STUN_ATTR_MESSAGE_INTEGRITY,
        STUN_ATTR_ERROR_CODE,
        STUN_ATTR_UNKNOWN_ATTRIBUTES,
        STUN_ATTR_CHANNEL_NUMBER,
        STUN_ATTR_LIFETIME,
        STUN_ATTR_XOR_PEER_ADDRESS,
        STUN_ATTR_DATA,
        STUN_ATTR_REALM,
        STUN_ATTR_NONCE,
        STUN_ATTR_XOR_RELAYED_ADDRESS,
        STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
        STUN_ATTR_EVEN_PORT,
        STUN_ATTR_REQUESTED_TRANSPORT,
        STUN_ATTR_DONT_FRAGMENT,
        STUN_ATTR_ACCESS_TOKEN,
        STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
        STUN_ATTR_PASSWORD_ALGORITHM,
        STUN_ATTR_USERHASH,
        STUN_ATTR_XOR_MAPPED_ADDRESS,
        STUN_ATTR_RESERVATION_TOKEN,
        STUN_ATTR_PRIORITY,
        STUN_ATTR_USE_CANDIDATE,
        STUN_ATTR_PADDING,
        STUN_ATTR_RESPONSE_PORT,
        STUN_ATTR_CONNECTION_ID,
        STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
        STUN_ATTR_ADDRESS_ERROR_CODE,
        STUN_ATTR_PASSWORD_ALGORITHMS,
        STUN_ATTR_ALTERNATE_DOMAIN,
        STUN_ATTR_ICMP,
        STUN_ATTR_SOFTWARE,
        STUN_ATTR_ALTERNATE_SERVER,
        STUN_ATTR_CACHE_TIMEOUT,
        STUN_ATTR_FINGERPRINT,
        STUN_ATTR_ICE_CONTROLLED,
        STUN_ATTR_ICE_CONTROLLING,
        STUN_ATTR_RESPONSE_ORIGIN,
        STUN_ATTR_OTHER_ADDRESS,
        STUN_ATTR_THIRD_PARTY_AUTHORIZATION,
        STUN_ATTR_MOBILITY_TICKET,
    };
    size_t count;
    const struct stun_attr_info *reg = stun_attr_registry(&count);
    int bad = 0;

    TAP_EQ_INT(count, sizeof(all) / sizeof(all[0]), "one registry row per enum value");
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const struct stun_attr_info *info = stun_attr_info(all[i]);

        bad += info == NULL || info->type != all[i] || info->name == NULL ||
               info->min_len > info->max_len;
    }
    for (size_t i = 1; i < count; i++) {
        bad += reg[i - 1].type >= reg[i].type;
    }
    TAP_EQ_INT(bad, 0, "every enum value is found, rows sorted and sane");
    TAP_CHECK(stun_attr_info(0x0030) == NULL && stun_attr_info(0xFFFF) == NULL,
              "unregistered types are not found");
    TAP_CHECK(strcmp(stun_attr_info(STUN_ATTR_XOR_MAPPED_ADDRESS)->name, "XOR-MAPPED-ADDRESS") == 0,
              "row names");
    TAP_CHECK(stun_attr_is_required(0x0000) && stun_attr_is_required(0x7FFF) &&
                  !stun_attr_is_required(0x8000) && !stun_attr_is_required(0xFFFF),
              "comprehension-required range");
}

static int test_validate(uint16_t type, const void *value, size_t len)
{
    struct stun_attr attr = {type, (uint16_t)len, 20, value};

    return stun_attr_validate(&attr);
}

static void test_validate_lengths(void)
{
    uint8_t big[800];
    uint8_t v4[8] = {0, STUN_FAMILY_IPV4, 0, 1, 10, 0, 0, 1};
    uint8_t v6[20] = {0, STUN_FAMILY_IPV6, 0, 1};

    memset(big, 'a', sizeof(big));
    TAP_EQ_INT(test_validate(STUN_ATTR_XOR_MAPPED_ADDRESS, v4, 8), 0, "IPv4 address of 8 bytes");
    TAP_EQ_INT(test_validate(STUN_ATTR_XOR_MAPPED_ADDRESS, v6, 20), 0, "IPv6 address of 20");
    TAP_EQ_INT(test_validate(STUN_ATTR_XOR_MAPPED_ADDRESS, v4, 20), STUN_ERR_ATTR_INVALID,
               "IPv4 family with 20 bytes");
    TAP_EQ_INT(test_validate(STUN_ATTR_MAPPED_ADDRESS, v6, 8), STUN_ERR_ATTR_INVALID,
               "IPv6 family with 8 bytes");
    v4[1] = 3;
    TAP_EQ_INT(test_validate(STUN_ATTR_MAPPED_ADDRESS, v4, 8), STUN_ERR_ATTR_INVALID,
               "unknown address family");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY, big, 21), STUN_ERR_ATTR_INVALID,
               "MESSAGE-INTEGRITY of 21 bytes");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, big, 16), 0, "MI-SHA256 of 16");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, big, 28), 0, "MI-SHA256 of 28");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, big, 18), STUN_ERR_ATTR_INVALID,
               "MI-SHA256 of 18 (not whole words)");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, big, 12), STUN_ERR_ATTR_INVALID,
               "MI-SHA256 of 12 (too short)");
    TAP_EQ_INT(test_validate(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, big, 36), STUN_ERR_ATTR_INVALID,
               "MI-SHA256 of 36 (too long)");
    TAP_EQ_INT(test_validate(STUN_ATTR_USERHASH, big, 31), STUN_ERR_ATTR_INVALID, "USERHASH 31");
    TAP_EQ_INT(test_validate(STUN_ATTR_FINGERPRINT, big, 8), STUN_ERR_ATTR_INVALID,
               "FINGERPRINT of 8");
    TAP_EQ_INT(test_validate(STUN_ATTR_EVEN_PORT, big, 4), STUN_ERR_ATTR_INVALID, "EVEN-PORT of 4");
    TAP_EQ_INT(test_validate(STUN_ATTR_DONT_FRAGMENT, big, 4), STUN_ERR_ATTR_INVALID,
               "DONT-FRAGMENT with a value");
    TAP_EQ_INT(test_validate(STUN_ATTR_USERNAME, big, 763), 0, "USERNAME of 763 bytes parses");
    TAP_EQ_INT(test_validate(STUN_ATTR_USERNAME, big, 764), STUN_ERR_ATTR_INVALID,
               "USERNAME of 764 bytes");
    TAP_EQ_INT(test_validate(STUN_ATTR_ALTERNATE_DOMAIN, big, 256), STUN_ERR_ATTR_INVALID,
               "ALTERNATE-DOMAIN of 256");
    TAP_EQ_INT(test_validate(0x7ABC, big, 7), 0, "an unknown type is valid");
}

static void test_validate_text(void)
{
    static const uint8_t katakana_ma[3] = {0xe3, 0x83, 0x9e};
    uint8_t text[800];

    memset(text, 'r', sizeof(text));
    TAP_EQ_INT(test_validate(STUN_ATTR_REALM, text, 127), 0, "REALM of 127 characters");
    TAP_EQ_INT(test_validate(STUN_ATTR_REALM, text, 128), STUN_ERR_ATTR_INVALID,
               "REALM of 128 characters");
    /* 127 three-byte characters: 381 bytes, within bounds. */
    for (size_t i = 0; i + 3 <= 381; i += 3) {
        memcpy(text + i, katakana_ma, sizeof(katakana_ma));
    }
    TAP_EQ_INT(test_validate(STUN_ATTR_NONCE, text, 381), 0, "NONCE of 127 multibyte characters");
    memcpy(text + 381, katakana_ma, sizeof(katakana_ma));
    TAP_EQ_INT(test_validate(STUN_ATTR_NONCE, text, 384), STUN_ERR_ATTR_INVALID,
               "NONCE of 128 multibyte characters");
    TAP_EQ_INT(test_validate(STUN_ATTR_SOFTWARE, text, 764), STUN_ERR_ATTR_INVALID,
               "SOFTWARE past 763 bytes");
}

static void test_validate_structured(void)
{
    uint8_t err[8] = {0, 0, 4, 20, 'o', 'o', 'p', 's'};
    uint8_t algs[12] = {0, 1, 0, 0, 0, 2, 0, 4, 9, 9, 9, 9};

    TAP_EQ_INT(test_validate(STUN_ATTR_ERROR_CODE, err, 8), 0, "ERROR-CODE 420");
    err[2] = 2;
    TAP_EQ_INT(test_validate(STUN_ATTR_ERROR_CODE, err, 8), STUN_ERR_ATTR_INVALID, "class 2");
    err[2] = 7;
    TAP_EQ_INT(test_validate(STUN_ATTR_ERROR_CODE, err, 8), STUN_ERR_ATTR_INVALID, "class 7");
    err[2] = 4;
    err[3] = 100;
    TAP_EQ_INT(test_validate(STUN_ATTR_ERROR_CODE, err, 8), STUN_ERR_ATTR_INVALID, "number 100");
    TAP_EQ_INT(test_validate(STUN_ATTR_ERROR_CODE, err, 3), STUN_ERR_ATTR_INVALID, "3 bytes");
    TAP_EQ_INT(test_validate(STUN_ATTR_UNKNOWN_ATTRIBUTES, err, 3), STUN_ERR_ATTR_INVALID,
               "odd UNKNOWN-ATTRIBUTES");
    TAP_EQ_INT(test_validate(STUN_ATTR_PASSWORD_ALGORITHMS, algs, 12), 0,
               "PASSWORD-ALGORITHMS with parameters");
    TAP_EQ_INT(test_validate(STUN_ATTR_PASSWORD_ALGORITHMS, algs, 10), STUN_ERR_ATTR_INVALID,
               "PASSWORD-ALGORITHMS with truncated parameters");
    TAP_EQ_INT(test_validate(STUN_ATTR_PASSWORD_ALGORITHMS, algs, 6), STUN_ERR_ATTR_INVALID,
               "PASSWORD-ALGORITHMS with a partial entry");
    TAP_EQ_INT(test_validate(STUN_ATTR_PASSWORD_ALGORITHM, algs, 4), 0, "PASSWORD-ALGORITHM");
    TAP_EQ_INT(test_validate(STUN_ATTR_PASSWORD_ALGORITHM, algs, 8), STUN_ERR_ATTR_INVALID,
               "PASSWORD-ALGORITHM with two entries");
}

static void test_xor_encoding(void)
{
    /* RFC 5769 section 2.2: 192.0.2.1:32853 encodes as a1 47 e1 12 a6 43. */
    static const uint8_t want[8] = {0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
    uint8_t out[20];
    struct addr a;

    memset(&a, 0, sizeof(a));
    a.family = AF_INET;
    a.port = 32853;
    a.ip[0] = 192;
    a.ip[2] = 2;
    a.ip[3] = 1;
    TAP_EQ_INT(stun_attr_encode_addr(out, sizeof(out), &a, true, test_txid), 8, "XOR v4 length");
    TAP_EQ_MEM(out, want, 8, "XOR v4 bytes are RFC 5769's");
    TAP_EQ_INT(stun_attr_encode_addr(out, sizeof(out), &a, false, test_txid), 8, "plain v4");
    TAP_CHECK(out[2] == 0x80 && out[3] == 0x55 && out[4] == 192 && out[7] == 1,
              "plain v4 bytes are the address");
    TAP_EQ_INT(stun_attr_encode_addr(out, 7, &a, true, test_txid), STUN_ERR_NO_SPACE,
               "short output");
    a.family = 0;
    TAP_EQ_INT(stun_attr_encode_addr(out, sizeof(out), &a, true, test_txid), STUN_ERR_BAD_ARG,
               "unset family");
}

static void test_getter_errors(void)
{
    struct test_rt rt;
    struct addr a = test_addr(AF_INET, 1, 1);
    struct addr b = test_addr(AF_INET, 2, 2);
    struct addr got;
    uint32_t u32;
    uint16_t list[1];

    test_rt_begin(&rt);
    stun_build_addr(&rt.b, STUN_ATTR_XOR_PEER_ADDRESS, &a);
    stun_build_addr(&rt.b, STUN_ATTR_XOR_PEER_ADDRESS, &b);
    stun_build_type_list(&rt.b, STUN_ATTR_UNKNOWN_ATTRIBUTES, (const uint16_t[]){1, 2, 3}, 3);
    TAP_CHECK(test_rt_end(&rt), "message with two peers decodes");
    TAP_CHECK(stun_attr_decode_addr(&rt.msg, &rt.msg.attrs[1], &got) == 0 &&
                  test_addr_same(&got, &b),
              "the second XOR-PEER-ADDRESS decodes on its own");
    TAP_EQ_INT(stun_attr_decode_addr(&rt.msg, &rt.msg.attrs[2], &got), STUN_ERR_BAD_ARG,
               "decode_addr of a non-address");
    TAP_EQ_INT(stun_attr_get_u32(&rt.msg, STUN_ATTR_LIFETIME, &u32), STUN_ERR_NOT_FOUND,
               "absent LIFETIME");
    TAP_EQ_INT(stun_attr_get_u32(&rt.msg, STUN_ATTR_USERNAME, &u32), STUN_ERR_BAD_ARG,
               "u32 getter on a string type");
    TAP_EQ_INT(stun_attr_get_addr(&rt.msg, 0x7001, &got), STUN_ERR_BAD_ARG,
               "address getter on an unknown type");
    TAP_EQ_INT(stun_attr_get_type_list(&rt.msg, STUN_ATTR_UNKNOWN_ATTRIBUTES, list, 1), 3,
               "type list reports all three with room for one");
    TAP_EQ_INT(list[0], 1, "and writes the first");
}

int main(void)
{
    test_registry();
    test_round_trips();
    test_validate_lengths();
    test_validate_text();
    test_validate_structured();
    test_xor_encoding();
    test_getter_errors();
    return tap_done();
}
