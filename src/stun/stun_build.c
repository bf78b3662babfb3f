#include "stun/stun_build.h"

#include "stun/stun_attr.h"
#include "stun/stun_error.h"
#include "stun/stun_integrity.h"
#include "util/bytes.h"
#include "util/crc32.h"
#include "util/crypto.h"

#include <string.h>

/* The message length field is 16 bits and counts whole 32-bit words. */
#define STUN_BUILD_BODY_MAX 65532u

static size_t stun_build_pad4(size_t len)
{
    return (len + 3u) & ~(size_t)3u;
}

/* Records the first error; later ones are consequences of it. */
static void stun_build_fail(struct stun_builder *b, int err)
{
    if (b->err == 0) {
        b->err = err;
    }
}

void stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                     const uint8_t txid[STUN_TXID_LEN])
{
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->err = 0;
    b->last_type = 0;
    memset(b->txid, 0, sizeof(b->txid));
    if (txid == NULL || method > 0x0FFFu || cls > STUN_CLASS_ERROR) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    memcpy(b->txid, txid, STUN_TXID_LEN);
    if (buf == NULL || cap < STUN_HEADER_LEN) {
        stun_build_fail(b, STUN_ERR_NO_SPACE);
        return;
    }
    bytes_put_u16(buf, stun_msg_type(method, cls));
    bytes_put_u16(buf + 2, 0);
    bytes_put_u32(buf + 4, STUN_MAGIC_COOKIE);
    memcpy(buf + 8, txid, STUN_TXID_LEN);
    b->len = STUN_HEADER_LEN;
}

/*
 * RFC 8489 sections 14.5-14.7: only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
 * may follow MESSAGE-INTEGRITY, only FINGERPRINT may follow
 * MESSAGE-INTEGRITY-SHA256, and nothing follows FINGERPRINT.
 */
static bool stun_build_may_follow(uint16_t last, uint16_t type)
{
    if (last == STUN_ATTR_FINGERPRINT) {
        return false;
    }
    if (last == STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
        return type == STUN_ATTR_FINGERPRINT;
    }
    if (last == STUN_ATTR_MESSAGE_INTEGRITY) {
        return type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 || type == STUN_ATTR_FINGERPRINT;
    }
    return true;
}

/*
 * Reserves an attribute of len value bytes at the end of the message: writes
 * its header, zeroes the value and its padding, and returns the value for
 * the caller to fill, or NULL with the error recorded. Nothing is committed
 * until stun_build_commit().
 */
static uint8_t *stun_build_reserve(struct stun_builder *b, uint16_t type, size_t len)
{
    if (b->err != 0) {
        return NULL;
    }
    if (!stun_build_may_follow(b->last_type, type) || len > 0xFFFFu) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return NULL;
    }
    size_t total = STUN_ATTR_HDR_LEN + stun_build_pad4(len);

    if (b->len - STUN_HEADER_LEN + total > STUN_BUILD_BODY_MAX || total > b->cap - b->len) {
        stun_build_fail(b, STUN_ERR_NO_SPACE);
        return NULL;
    }
    uint8_t *p = b->buf + b->len;

    bytes_put_u16(p, type);
    bytes_put_u16(p + 2, (uint16_t)len);
    memset(p + STUN_ATTR_HDR_LEN, 0, stun_build_pad4(len));
    return p + STUN_ATTR_HDR_LEN;
}

/* Sets the header length as if the message ended body bytes after the header. */
static void stun_build_set_length(struct stun_builder *b, size_t end)
{
    bytes_put_u16(b->buf + 2, (uint16_t)(end - STUN_HEADER_LEN));
}

/* Checks the reserved attribute against the registry, then makes it part of the message. */
static void stun_build_commit(struct stun_builder *b, uint16_t type, size_t len)
{
    struct stun_attr attr = {
        .type = type,
        .len = (uint16_t)len,
        .offset = (uint32_t)b->len,
        .value = b->buf + b->len + STUN_ATTR_HDR_LEN,
    };

    if (stun_attr_validate(&attr) != 0) {
        stun_build_set_length(b, b->len);
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    b->len += STUN_ATTR_HDR_LEN + stun_build_pad4(len);
    b->last_type = type;
    stun_build_set_length(b, b->len);
}

void stun_build_raw(struct stun_builder *b, uint16_t type, const void *value, size_t len)
{
    if (value == NULL && len > 0) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    uint8_t *p = stun_build_reserve(b, type, len);

    if (p == NULL) {
        return;
    }
    if (len > 0) {
        memcpy(p, value, len);
    }
    stun_build_commit(b, type, len);
}

/* True when the registry gives type the kind a typed builder writes, or does not know type. */
static bool stun_build_kind_fits(struct stun_builder *b, uint16_t type, enum stun_attr_kind kind)
{
    const struct stun_attr_info *info = stun_attr_info(type);

    if (info != NULL && info->kind != kind) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return false;
    }
    return true;
}

void stun_build_addr(struct stun_builder *b, uint16_t type, const struct addr *a)
{
    const struct stun_attr_info *info = stun_attr_info(type);
    uint8_t value[20];

    if (info == NULL || (info->kind != STUN_KIND_ADDR && info->kind != STUN_KIND_XOR_ADDR)) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    int len =
        stun_attr_encode_addr(value, sizeof(value), a, info->kind == STUN_KIND_XOR_ADDR, b->txid);
    if (len < 0) {
        stun_build_fail(b, len);
        return;
    }
    stun_build_raw(b, type, value, (size_t)len);
}

void stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v)
{
    uint8_t value[4];

    if (!stun_build_kind_fits(b, type, STUN_KIND_U32)) {
        return;
    }
    bytes_put_u32(value, v);
    stun_build_raw(b, type, value, sizeof(value));
}

void stun_build_u64(struct stun_builder *b, uint16_t type, uint64_t v)
{
    uint8_t value[8];

    if (!stun_build_kind_fits(b, type, STUN_KIND_U64)) {
        return;
    }
    bytes_put_u32(value, (uint32_t)(v >> 32));
    bytes_put_u32(value + 4, (uint32_t)v);
    stun_build_raw(b, type, value, sizeof(value));
}

void stun_build_u16(struct stun_builder *b, uint16_t type, uint16_t v)
{
    uint8_t value[4] = {0, 0, 0, 0};

    if (!stun_build_kind_fits(b, type, STUN_KIND_U16_RSVD)) {
        return;
    }
    bytes_put_u16(value, v);
    stun_build_raw(b, type, value, sizeof(value));
}

void stun_build_u8(struct stun_builder *b, uint16_t type, uint8_t v)
{
    const struct stun_attr_info *info = stun_attr_info(type);
    uint8_t value[4] = {v, 0, 0, 0};

    /* EVEN-PORT is one byte (RFC 8656 section 18.7); the others 8 bits then 24 reserved. */
    if (info != NULL && info->kind == STUN_KIND_FLAG_BYTE) {
        stun_build_raw(b, type, value, 1);
        return;
    }
    if (stun_build_kind_fits(b, type, STUN_KIND_U8_RSVD)) {
        stun_build_raw(b, type, value, sizeof(value));
    }
}

void stun_build_string(struct stun_builder *b, uint16_t type, const char *s)
{
    if (s == NULL) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    stun_build_raw(b, type, s, strlen(s));
}

/*
 * ERROR-CODE and ADDRESS-ERROR-CODE (RFC 8489 section 14.8, RFC 8656):
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |  Family or 0  |    Reserved, should be 0    |Class|   Number  |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |      Reason Phrase (variable)                                ..
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static void stun_build_error_value(struct stun_builder *b, uint16_t type, uint8_t family,
                                   uint16_t code, const char *reason)
{
    if (code < 300 || code > 699) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    const char *text = reason != NULL ? reason : stun_error_reason(code);
    size_t text_len = strlen(text);
    uint8_t *p = stun_build_reserve(b, type, 4 + text_len);

    if (p == NULL) {
        return;
    }
    p[0] = family;
    p[1] = 0;
    p[2] = (uint8_t)(code / 100u);
    p[3] = (uint8_t)(code % 100u);
    memcpy(p + 4, text, text_len);
    stun_build_commit(b, type, 4 + text_len);
}

void stun_build_error(struct stun_builder *b, uint16_t code, const char *reason)
{
    stun_build_error_value(b, STUN_ATTR_ERROR_CODE, 0, code, reason);
}

void stun_build_address_error(struct stun_builder *b, uint8_t family, uint16_t code,
                              const char *reason)
{
    stun_build_error_value(b, STUN_ATTR_ADDRESS_ERROR_CODE, family, code, reason);
}

void stun_build_type_list(struct stun_builder *b, uint16_t type, const uint16_t *types,
                          size_t count)
{
    if (!stun_build_kind_fits(b, type, STUN_KIND_TYPE_LIST) || (types == NULL && count > 0) ||
        count > 0xFFFFu / 2u) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    uint8_t *p = stun_build_reserve(b, type, 2 * count);

    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        bytes_put_u16(p + 2 * i, types[i]);
    }
    stun_build_commit(b, type, 2 * count);
}

void stun_build_algorithms(struct stun_builder *b, const uint16_t *algs, size_t count)
{
    if ((algs == NULL && count > 0) || count > 0xFFFFu / 4u) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    uint8_t *p = stun_build_reserve(b, STUN_ATTR_PASSWORD_ALGORITHMS, 4 * count);

    if (p == NULL) {
        return;
    }
    /* Each entry: the number, then a zero parameter length (RFC 8489 section 14.11). */
    for (size_t i = 0; i < count; i++) {
        bytes_put_u16(p + 4 * i, algs[i]);
        bytes_put_u16(p + 4 * i + 2, 0);
    }
    stun_build_commit(b, STUN_ATTR_PASSWORD_ALGORITHMS, 4 * count);
}

void stun_build_algorithm(struct stun_builder *b, uint16_t alg)
{
    uint8_t value[4] = {0, 0, 0, 0};

    bytes_put_u16(value, alg);
    stun_build_raw(b, STUN_ATTR_PASSWORD_ALGORITHM, value, sizeof(value));
}

void stun_build_icmp(struct stun_builder *b, uint8_t icmp_type, uint8_t icmp_code,
                     uint32_t error_data)
{
    uint8_t value[8] = {0, 0, icmp_type, icmp_code, 0, 0, 0, 0};

    bytes_put_u32(value + 4, error_data);
    stun_build_raw(b, STUN_ATTR_ICMP, value, sizeof(value));
}

/*
 * Reserves a trailer (integrity or fingerprint) of len bytes and sets the
 * header length to end just after it, as the MAC or CRC over the bytes
 * before it requires (RFC 8489 sections 14.5-14.7). Returns the value to
 * fill, or NULL.
 */
static uint8_t *stun_build_reserve_trailer(struct stun_builder *b, uint16_t type, size_t len)
{
    uint8_t *p = stun_build_reserve(b, type, len);

    if (p != NULL) {
        stun_build_set_length(b, b->len + STUN_ATTR_HDR_LEN + len);
    }
    return p;
}

void stun_build_integrity(struct stun_builder *b, const uint8_t *key, size_t key_len)
{
    if (key == NULL && key_len > 0) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    uint8_t *p = stun_build_reserve_trailer(b, STUN_ATTR_MESSAGE_INTEGRITY, CRYPTO_SHA1_LEN);
    struct crypto_chunk chunk = {b->buf, b->len};

    if (p == NULL) {
        return;
    }
    if (crypto_hmac_sha1(key, key_len, &chunk, 1, p) != 0) {
        stun_build_set_length(b, b->len);
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    stun_build_commit(b, STUN_ATTR_MESSAGE_INTEGRITY, CRYPTO_SHA1_LEN);
}

void stun_build_integrity_sha256(struct stun_builder *b, const uint8_t *key, size_t key_len,
                                 size_t trunc_len)
{
    uint8_t mac[CRYPTO_SHA256_LEN];

    /* RFC 8489 section 14.6: at least 16 bytes, at most 32, a multiple of 4. */
    if ((key == NULL && key_len > 0) || trunc_len < 16 || trunc_len > CRYPTO_SHA256_LEN ||
        trunc_len % 4u != 0) {
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    uint8_t *p = stun_build_reserve_trailer(b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, trunc_len);
    struct crypto_chunk chunk = {b->buf, b->len};

    if (p == NULL) {
        return;
    }
    if (crypto_hmac_sha256(key, key_len, &chunk, 1, mac) != 0) {
        stun_build_set_length(b, b->len);
        stun_build_fail(b, STUN_ERR_BAD_ARG);
        return;
    }
    memcpy(p, mac, trunc_len);
    stun_build_commit(b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, trunc_len);
}

void stun_build_fingerprint(struct stun_builder *b)
{
    uint8_t *p = stun_build_reserve_trailer(b, STUN_ATTR_FINGERPRINT, 4);

    if (p == NULL) {
        return;
    }
    bytes_put_u32(p, crc32_ieee(b->buf, b->len) ^ STUN_FINGERPRINT_XOR);
    stun_build_commit(b, STUN_ATTR_FINGERPRINT, 4);
}

int stun_build_finish(const struct stun_builder *b)
{
    return b->err != 0 ? b->err : (int)b->len;
}
