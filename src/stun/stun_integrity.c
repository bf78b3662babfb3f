#include "stun/stun_integrity.h"

#include "stun/stun_attr.h"
#include "util/bytes.h"
#include "util/crc32.h"
#include "util/crypto.h"

/*
 * The bytes an integrity attribute or FINGERPRINT covers: the message up to
 * the attribute, with the header length rewritten to end just after it
 * (RFC 8489 sections 14.5-14.7). Three chunks avoid copying the message:
 * the type, the rewritten length, and the rest up to the attribute.
 */
struct stun_integrity_input {
    uint8_t length[2];
    struct crypto_chunk chunks[3];
};

static void stun_integrity_input_init(struct stun_integrity_input *in, const struct stun_msg *msg,
                                      const struct stun_attr *attr)
{
    size_t end = attr->offset + STUN_ATTR_HDR_LEN + attr->len;

    bytes_put_u16(in->length, (uint16_t)(end - STUN_HEADER_LEN));
    in->chunks[0].data = msg->buf;
    in->chunks[0].len = 2;
    in->chunks[1].data = in->length;
    in->chunks[1].len = sizeof(in->length);
    in->chunks[2].data = msg->buf + 4;
    in->chunks[2].len = attr->offset - 4;
}

/* Returns the attribute at index idx of msg, or NULL for -1 or an index out of range. */
static const struct stun_attr *stun_integrity_attr(const struct stun_msg *msg, int idx)
{
    if (idx < 0 || (size_t)idx >= msg->attr_count) {
        return NULL;
    }
    return &msg->attrs[idx];
}

int stun_integrity_check_sha1(const struct stun_msg *msg, const uint8_t *key, size_t key_len)
{
    const struct stun_attr *attr = stun_integrity_attr(msg, msg->integrity_idx);
    struct stun_integrity_input in;
    uint8_t mac[CRYPTO_SHA1_LEN];

    if (attr == NULL) {
        return STUN_ERR_NOT_FOUND;
    }
    if (attr->len != CRYPTO_SHA1_LEN || (key == NULL && key_len > 0)) {
        return STUN_ERR_INTEGRITY;
    }
    stun_integrity_input_init(&in, msg, attr);
    if (crypto_hmac_sha1(key, key_len, in.chunks, 3, mac) != 0) {
        return STUN_ERR_INTEGRITY;
    }
    return crypto_equal(mac, attr->value, CRYPTO_SHA1_LEN) ? 0 : STUN_ERR_INTEGRITY;
}

int stun_integrity_check_sha256(const struct stun_msg *msg, const uint8_t *key, size_t key_len)
{
    const struct stun_attr *attr = stun_integrity_attr(msg, msg->integrity_sha256_idx);
    struct stun_integrity_input in;
    uint8_t mac[CRYPTO_SHA256_LEN];

    if (attr == NULL) {
        return STUN_ERR_NOT_FOUND;
    }
    /* RFC 8489 section 14.6: a truncation of 16 to 32 bytes in whole words. */
    if (attr->len < 16 || attr->len > CRYPTO_SHA256_LEN || attr->len % 4u != 0 ||
        (key == NULL && key_len > 0)) {
        return STUN_ERR_INTEGRITY;
    }
    stun_integrity_input_init(&in, msg, attr);
    if (crypto_hmac_sha256(key, key_len, in.chunks, 3, mac) != 0) {
        return STUN_ERR_INTEGRITY;
    }
    return crypto_equal(mac, attr->value, attr->len) ? 0 : STUN_ERR_INTEGRITY;
}

int stun_fingerprint_check(const struct stun_msg *msg)
{
    const struct stun_attr *attr = stun_integrity_attr(msg, msg->fingerprint_idx);
    struct stun_integrity_input in;
    uint32_t crc = 0;

    if (attr == NULL) {
        return STUN_ERR_NOT_FOUND;
    }
    if (attr->len != 4) {
        return STUN_ERR_INTEGRITY;
    }
    stun_integrity_input_init(&in, msg, attr);
    for (size_t i = 0; i < 3; i++) {
        crc = crc32_ieee_update(crc, in.chunks[i].data, in.chunks[i].len);
    }
    /* RFC 8489 section 14.7: the CRC-32 XOR 0x5354554e. Not a secret: a plain compare. */
    return (crc ^ STUN_FINGERPRINT_XOR) == bytes_get_u32(attr->value) ? 0 : STUN_ERR_INTEGRITY;
}
