#include "stun/stun_msg.h"

#include "stun/stun_attr.h"
#include "util/assert.h"
#include "util/bytes.h"

#include <string.h>

/* Padding brings every attribute value to a multiple of 4 bytes (RFC 8489 section 14). */
static size_t stun_msg_pad4(size_t len)
{
    return (len + 3u) & ~(size_t)3u;
}

bool stun_msg_is_stun(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < 1 || (buf[0] & 0xC0u) != 0) {
        return false;
    }
    return len < 8 || bytes_get_u32(buf + 4) == STUN_MAGIC_COOKIE;
}

/*
 * RFC 8489 section 5, figure 3: the 12 method bits M11..M0 and the class
 * bits C1 C0 interleave as
 *
 *     13 12 11 10  9  8  7  6  5  4  3  2  1  0
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *    |M |M |M |M |M |C |M |M |M |C |M |M |M |M |
 *    |11|10|9 |8 |7 |1 |6 |5 |4 |0 |3 |2 |1 |0 |
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 */
uint16_t stun_msg_type(uint16_t method, uint8_t cls)
{
    unsigned m = method & 0x0FFFu;
    unsigned c = cls & 0x3u;

    return (uint16_t)((m & 0x000Fu) | ((m & 0x0070u) << 1) | ((m & 0x0F80u) << 2) |
                      ((c & 0x1u) << 4) | ((c & 0x2u) << 7));
}

uint16_t stun_msg_type_method(uint16_t type)
{
    return (uint16_t)((type & 0x000Fu) | ((type & 0x00E0u) >> 1) | ((type & 0x3E00u) >> 2));
}

uint8_t stun_msg_type_class(uint16_t type)
{
    return (uint8_t)(((type >> 4) & 0x1u) | ((type >> 7) & 0x2u));
}

/* Checks the fixed header and fills the header fields of msg. */
static int stun_msg_decode_header(struct stun_msg *msg, const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < STUN_HEADER_LEN) {
        return STUN_ERR_TRUNCATED;
    }
    /* RFC 8489 section 5: the two most significant bits are zero. */
    if ((buf[0] & 0xC0u) != 0 || bytes_get_u32(buf + 4) != STUN_MAGIC_COOKIE) {
        return STUN_ERR_NOT_STUN;
    }
    size_t body = bytes_get_u16(buf + 2);
    /* The length excludes the header and is a multiple of 4, all attributes being padded. */
    if (body % 4u != 0) {
        return STUN_ERR_BAD_LENGTH;
    }
    if (STUN_HEADER_LEN + body > len) {
        return STUN_ERR_TRUNCATED;
    }
    if (STUN_HEADER_LEN + body < len) {
        return STUN_ERR_BAD_LENGTH;
    }
    uint16_t type = bytes_get_u16(buf);

    msg->buf = buf;
    msg->len = STUN_HEADER_LEN + body;
    msg->method = stun_msg_type_method(type);
    msg->cls = stun_msg_type_class(type);
    memcpy(msg->txid, buf + 8, STUN_TXID_LEN);
    msg->attr_count = 0;
    msg->integrity_idx = -1;
    msg->integrity_sha256_idx = -1;
    msg->fingerprint_idx = -1;
    msg->unknown_count = 0;
    return 0;
}

/* Lists an unknown comprehension-required type once, for the 420 response. */
static void stun_msg_note_unknown(struct stun_msg *msg, uint16_t type)
{
    if (!stun_attr_is_required(type) || stun_attr_info(type) != NULL) {
        return;
    }
    for (size_t i = 0; i < msg->unknown_count; i++) {
        if (msg->unknown[i] == type) {
            return;
        }
    }
    if (msg->unknown_count < STUN_MAX_UNKNOWN) {
        msg->unknown[msg->unknown_count++] = type;
    }
}

/*
 * Whether an attribute found after the integrity attributes counts. RFC 8489
 * section 14.5: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT are processed; section 14.6: after MESSAGE-INTEGRITY-SHA256
 * only FINGERPRINT. Returns 1 to keep, 0 to ignore.
 */
static int stun_msg_attr_counts(const struct stun_msg *msg, uint16_t type)
{
    if (type == STUN_ATTR_FINGERPRINT) {
        return 1;
    }
    if (msg->integrity_sha256_idx >= 0) {
        return 0;
    }
    if (msg->integrity_idx >= 0) {
        return type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256;
    }
    return 1;
}

/* Records the indexes of the attributes that seal the message. */
static void stun_msg_note_trailer(struct stun_msg *msg, uint16_t type, int idx)
{
    if (type == STUN_ATTR_MESSAGE_INTEGRITY) {
        msg->integrity_idx = idx;
    } else if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
        msg->integrity_sha256_idx = idx;
    } else if (type == STUN_ATTR_FINGERPRINT) {
        msg->fingerprint_idx = idx;
    }
}

/* Takes one attribute whose bytes lie inside the message. */
static int stun_msg_take_attr(struct stun_msg *msg, const struct stun_attr *attr)
{
    /* RFC 8489 section 14.7: FINGERPRINT, when present, is the last attribute. */
    if (msg->fingerprint_idx >= 0) {
        return STUN_ERR_ATTR_INVALID;
    }
    if (stun_msg_attr_counts(msg, attr->type) == 0) {
        return 0;
    }
    if (msg->attr_count >= STUN_MAX_ATTRS) {
        return STUN_ERR_TOO_MANY_ATTRS;
    }
    if (stun_attr_validate(attr) != 0) {
        return STUN_ERR_ATTR_INVALID;
    }
    stun_msg_note_unknown(msg, attr->type);
    stun_msg_note_trailer(msg, attr->type, (int)msg->attr_count);
    msg->attrs[msg->attr_count++] = *attr;
    return 0;
}

/* Walks the attributes after the header; every one must end inside the message. */
static int stun_msg_decode_attrs(struct stun_msg *msg)
{
    size_t pos = STUN_HEADER_LEN;

    while (pos < msg->len) {
        if (msg->len - pos < STUN_ATTR_HDR_LEN) {
            return STUN_ERR_ATTR_OVERFLOW;
        }
        struct stun_attr attr;
        const uint8_t *hdr = msg->buf + pos;

        attr.type = bytes_get_u16(hdr);
        attr.len = bytes_get_u16(hdr + 2);
        attr.offset = (uint32_t)pos;
        attr.value = hdr + STUN_ATTR_HDR_LEN;
        size_t padded = stun_msg_pad4(attr.len);
        if (padded > msg->len - pos - STUN_ATTR_HDR_LEN) {
            return STUN_ERR_ATTR_OVERFLOW;
        }
        int rc = stun_msg_take_attr(msg, &attr);
        if (rc < 0) {
            return rc;
        }
        pos += STUN_ATTR_HDR_LEN + padded;
    }
    return 0;
}

int stun_msg_decode(struct stun_msg *msg, const uint8_t *buf, size_t len)
{
    int rc = stun_msg_decode_header(msg, buf, len);

    if (rc < 0) {
        return rc;
    }
    rc = stun_msg_decode_attrs(msg);
    if (rc < 0) {
        return rc;
    }
    return (int)msg->len;
}

const struct stun_attr *stun_msg_find(const struct stun_msg *msg, uint16_t type)
{
    for (size_t i = 0; i < msg->attr_count; i++) {
        if (msg->attrs[i].type == type) {
            return &msg->attrs[i];
        }
    }
    return NULL;
}

struct stun_msg_method_name {
    uint16_t method;
    const char *name;
};

static const struct stun_msg_method_name stun_msg_method_names[] = {
    {STUN_METHOD_BINDING, "Binding"},
    {STUN_METHOD_ALLOCATE, "Allocate"},
    {STUN_METHOD_REFRESH, "Refresh"},
    {STUN_METHOD_SEND, "Send"},
    {STUN_METHOD_DATA, "Data"},
    {STUN_METHOD_CREATE_PERMISSION, "CreatePermission"},
    {STUN_METHOD_CHANNEL_BIND, "ChannelBind"},
    {STUN_METHOD_CONNECT, "Connect"},
    {STUN_METHOD_CONNECTION_BIND, "ConnectionBind"},
    {STUN_METHOD_CONNECTION_ATTEMPT, "ConnectionAttempt"},
};

const char *stun_method_name(uint16_t method)
{
    for (size_t i = 0; i < TERN_ARRAY_LEN(stun_msg_method_names); i++) {
        if (stun_msg_method_names[i].method == method) {
            return stun_msg_method_names[i].name;
        }
    }
    return "unknown";
}

const char *stun_err_str(int err)
{
    switch (err) {
    case STUN_ERR_TRUNCATED:
        return "truncated message";
    case STUN_NEED_MORE:
        return "need more bytes";
    case STUN_ERR_NOT_STUN:
        return "not a STUN message";
    case STUN_ERR_BAD_LENGTH:
        return "bad message length";
    case STUN_ERR_ATTR_OVERFLOW:
        return "attribute runs past the message";
    case STUN_ERR_TOO_MANY_ATTRS:
        return "too many attributes";
    case STUN_ERR_ATTR_INVALID:
        return "invalid attribute";
    case STUN_ERR_NO_SPACE:
        return "output buffer too small";
    case STUN_ERR_BAD_ARG:
        return "bad argument";
    case STUN_ERR_INTEGRITY:
        return "integrity check failed";
    case STUN_ERR_NOT_FOUND:
        return "attribute not found";
    default:
        return err >= 0 ? "success" : "unknown error";
    }
}
