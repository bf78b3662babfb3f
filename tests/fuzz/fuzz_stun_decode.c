/*
 * Fuzz target: stun_msg_decode() on arbitrary bytes, then every typed getter
 * on every registered type, the integrity and fingerprint checks under a
 * fixed key, and a re-encode of the decoded attributes whose result must
 * decode again to the same values and verify.
 */
#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key make_seeds.py signs its seeds with, so the checks pass on them. */
#define FUZZ_KEY     ((const uint8_t *)"tern-fuzz-key")
#define FUZZ_KEY_LEN 13

static void fuzz_require(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Calls every getter on one type; the results only need to be consistent. */
static void fuzz_getters_on(const struct stun_msg *msg, uint16_t type)
{
    struct addr a;
    uint32_t u32;
    uint64_t u64;
    uint16_t u16;
    uint8_t u8;
    const uint8_t *bytes;
    size_t len;
    struct stun_error_value err;
    uint16_t list[8];

    (void)stun_attr_get_addr(msg, type, &a);
    (void)stun_attr_get_u32(msg, type, &u32);
    (void)stun_attr_get_u64(msg, type, &u64);
    (void)stun_attr_get_u16(msg, type, &u16);
    (void)stun_attr_get_u8(msg, type, &u8);
    if (stun_attr_get_bytes(msg, type, &bytes, &len) == 0) {
        fuzz_require(bytes >= msg->buf && bytes + len <= msg->buf + msg->len);
    }
    if (stun_attr_get_error(msg, type, &err) == 0) {
        fuzz_require(err.code >= 300 && err.code <= 699);
    }
    int n = stun_attr_get_type_list(msg, type, list, 8);
    fuzz_require(n < 0 || (size_t)n * 2 <= msg->len);
}

static void fuzz_getters(const struct stun_msg *msg)
{
    size_t count;
    const struct stun_attr_info *reg = stun_attr_registry(&count);
    uint16_t algs[4];
    uint16_t alg;
    struct stun_icmp_value icmp;
    struct addr a;

    for (size_t i = 0; i < count; i++) {
        fuzz_getters_on(msg, reg[i].type);
    }
    for (size_t i = 0; i < msg->attr_count; i++) {
        fuzz_getters_on(msg, msg->attrs[i].type);
        (void)stun_attr_decode_addr(msg, &msg->attrs[i], &a);
    }
    (void)stun_attr_get_algorithms(msg, algs, 4);
    (void)stun_attr_get_algorithm(msg, &alg);
    (void)stun_attr_get_icmp(msg, &icmp);
    (void)stun_method_name(msg->method);
}

static bool fuzz_is_trailer(uint16_t type)
{
    return type == STUN_ATTR_MESSAGE_INTEGRITY || type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 ||
           type == STUN_ATTR_FINGERPRINT;
}

/* Rebuilds msg's attributes (trailers recomputed) and checks the copy decodes to the same. */
static void fuzz_reencode(const struct stun_msg *msg)
{
    static uint8_t out[STUN_MAX_MSG_LEN];
    struct stun_builder b;
    struct stun_msg again;
    size_t kept = 0;

    stun_build_init(&b, out, sizeof(out), msg->method, msg->cls, msg->txid);
    for (size_t i = 0; i < msg->attr_count; i++) {
        const struct stun_attr *attr = &msg->attrs[i];

        if (!fuzz_is_trailer(attr->type)) {
            stun_build_raw(&b, attr->type, attr->value, attr->len);
            kept++;
        }
    }
    /* The three trailers add 24 + 28 + 8 bytes and three attributes; skip them past a limit. */
    bool sign = kept + 3 <= STUN_MAX_ATTRS && b.len + 60 <= STUN_HEADER_LEN + 65532u;
    if (sign) {
        stun_build_integrity(&b, FUZZ_KEY, FUZZ_KEY_LEN);
        stun_build_integrity_sha256(&b, FUZZ_KEY, FUZZ_KEY_LEN, 24);
        stun_build_fingerprint(&b);
    }
    int len = stun_build_finish(&b);
    fuzz_require(len > 0 && (size_t)len <= msg->len + 60);
    fuzz_require(stun_msg_decode(&again, out, (size_t)len) == len);
    fuzz_require(again.method == msg->method && again.cls == msg->cls);
    fuzz_require(again.attr_count == kept + (sign ? 3 : 0));
    for (size_t i = 0, j = 0; i < msg->attr_count; i++) {
        const struct stun_attr *attr = &msg->attrs[i];

        if (fuzz_is_trailer(attr->type)) {
            continue;
        }
        fuzz_require(again.attrs[j].type == attr->type && again.attrs[j].len == attr->len);
        fuzz_require(memcmp(again.attrs[j].value, attr->value, attr->len) == 0);
        j++;
    }
    fuzz_require(memcmp(again.unknown, msg->unknown, msg->unknown_count * 2) == 0);
    if (sign) {
        fuzz_require(stun_integrity_check_sha1(&again, FUZZ_KEY, FUZZ_KEY_LEN) == 0);
        fuzz_require(stun_integrity_check_sha256(&again, FUZZ_KEY, FUZZ_KEY_LEN) == 0);
        fuzz_require(stun_fingerprint_check(&again) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stun_msg msg;
    int rc = stun_msg_decode(&msg, data, size);

    (void)stun_msg_is_stun(data, size);
    (void)stun_err_str(rc);
    if (rc < 0) {
        return 0;
    }
    fuzz_require((size_t)rc == size && msg.attr_count <= STUN_MAX_ATTRS);
    fuzz_require(msg.unknown_count <= STUN_MAX_UNKNOWN);
    fuzz_getters(&msg);
    (void)stun_integrity_check_sha1(&msg, FUZZ_KEY, FUZZ_KEY_LEN);
    (void)stun_integrity_check_sha256(&msg, FUZZ_KEY, FUZZ_KEY_LEN);
    (void)stun_fingerprint_check(&msg);
    fuzz_reencode(&msg);
    return 0;
}
