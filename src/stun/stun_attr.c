#include "stun/stun_attr.h"

#include "util/assert.h"
#include "util/bytes.h"

#include <string.h>

/* No bound but the 16-bit length field. */
#define STUN_ATTR_LEN_ANY 0xFFFFu
/* RFC 8489 sections 14.3, 14.9, 14.10, 14.14: text of fewer than 128 characters "can be as
 * long as 763 bytes when decoding"; USERNAME must parse up to 763 bytes for RFC 5389. */
#define STUN_ATTR_TEXT_MAX   763u
#define STUN_ATTR_TEXT_CHARS 127u
/* ERROR-CODE: 4 bytes of class and number, then the reason phrase (RFC 8489 section 14.8). */
#define STUN_ATTR_ERROR_HDR 4u

/* One registry row, written in the order a reader looks for: type first. */
#define STUN_ATTR_ROW(type_, name_, kind_, min_, max_, chars_)                                     \
    {                                                                                              \
        .name = (name_), .kind = (kind_), .type = (type_), .min_len = (min_), .max_len = (max_),   \
        .max_chars = (chars_)                                                                      \
    }

/*
 * The registry: every attribute type Tern knows, sorted by type for the
 * binary search in stun_attr_info(). Lengths are of the value, without
 * padding. Address kinds list 8..20 here; stun_attr_check_addr() then ties
 * the length to the family byte.
 */
static const struct stun_attr_info stun_attr_table[] = {
    STUN_ATTR_ROW(STUN_ATTR_MAPPED_ADDRESS, "MAPPED-ADDRESS", STUN_KIND_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_CHANGE_REQUEST, "CHANGE-REQUEST", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_USERNAME, "USERNAME", STUN_KIND_STRING, 0, STUN_ATTR_TEXT_MAX, 0),
    STUN_ATTR_ROW(STUN_ATTR_MESSAGE_INTEGRITY, "MESSAGE-INTEGRITY", STUN_KIND_HASH, 20, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_ERROR_CODE, "ERROR-CODE", STUN_KIND_ERROR, STUN_ATTR_ERROR_HDR,
                  STUN_ATTR_ERROR_HDR + STUN_ATTR_TEXT_MAX, STUN_ATTR_TEXT_CHARS),
    STUN_ATTR_ROW(STUN_ATTR_UNKNOWN_ATTRIBUTES, "UNKNOWN-ATTRIBUTES", STUN_KIND_TYPE_LIST, 2,
                  STUN_ATTR_LEN_ANY, 0),
    STUN_ATTR_ROW(STUN_ATTR_CHANNEL_NUMBER, "CHANNEL-NUMBER", STUN_KIND_U16_RSVD, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_LIFETIME, "LIFETIME", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS", STUN_KIND_XOR_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_DATA, "DATA", STUN_KIND_BYTES, 0, STUN_ATTR_LEN_ANY, 0),
    STUN_ATTR_ROW(STUN_ATTR_REALM, "REALM", STUN_KIND_STRING, 0, STUN_ATTR_TEXT_MAX,
                  STUN_ATTR_TEXT_CHARS),
    STUN_ATTR_ROW(STUN_ATTR_NONCE, "NONCE", STUN_KIND_STRING, 0, STUN_ATTR_TEXT_MAX,
                  STUN_ATTR_TEXT_CHARS),
    STUN_ATTR_ROW(STUN_ATTR_XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS", STUN_KIND_XOR_ADDR, 8, 20,
                  0),
    STUN_ATTR_ROW(STUN_ATTR_REQUESTED_ADDRESS_FAMILY, "REQUESTED-ADDRESS-FAMILY", STUN_KIND_U8_RSVD,
                  4, 4, 0),
    /* RFC 8656 section 18.7: the value is one byte, the R bit and 7 reserved bits. */
    STUN_ATTR_ROW(STUN_ATTR_EVEN_PORT, "EVEN-PORT", STUN_KIND_FLAG_BYTE, 1, 1, 0),
    STUN_ATTR_ROW(STUN_ATTR_REQUESTED_TRANSPORT, "REQUESTED-TRANSPORT", STUN_KIND_U8_RSVD, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_DONT_FRAGMENT, "DONT-FRAGMENT", STUN_KIND_EMPTY, 0, 0, 0),
    STUN_ATTR_ROW(STUN_ATTR_ACCESS_TOKEN, "ACCESS-TOKEN", STUN_KIND_BYTES, 0, STUN_ATTR_LEN_ANY, 0),
    /* RFC 8489 section 14.6: at least 16 bytes, at most 32, a multiple of 4. */
    STUN_ATTR_ROW(STUN_ATTR_MESSAGE_INTEGRITY_SHA256, "MESSAGE-INTEGRITY-SHA256", STUN_KIND_HASH,
                  16, 32, 0),
    STUN_ATTR_ROW(STUN_ATTR_PASSWORD_ALGORITHM, "PASSWORD-ALGORITHM", STUN_KIND_ALGORITHM, 4,
                  STUN_ATTR_LEN_ANY, 0),
    /* RFC 8489 section 14.4: "a fixed length of 32 bytes". */
    STUN_ATTR_ROW(STUN_ATTR_USERHASH, "USERHASH", STUN_KIND_HASH, 32, 32, 0),
    STUN_ATTR_ROW(STUN_ATTR_XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS", STUN_KIND_XOR_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_RESERVATION_TOKEN, "RESERVATION-TOKEN", STUN_KIND_U64, 8, 8, 0),
    STUN_ATTR_ROW(STUN_ATTR_PRIORITY, "PRIORITY", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_USE_CANDIDATE, "USE-CANDIDATE", STUN_KIND_EMPTY, 0, 0, 0),
    STUN_ATTR_ROW(STUN_ATTR_PADDING, "PADDING", STUN_KIND_BYTES, 0, STUN_ATTR_LEN_ANY, 0),
    STUN_ATTR_ROW(STUN_ATTR_RESPONSE_PORT, "RESPONSE-PORT", STUN_KIND_U16_RSVD, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_CONNECTION_ID, "CONNECTION-ID", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, "ADDITIONAL-ADDRESS-FAMILY",
                  STUN_KIND_U8_RSVD, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_ADDRESS_ERROR_CODE, "ADDRESS-ERROR-CODE", STUN_KIND_ERROR,
                  STUN_ATTR_ERROR_HDR, STUN_ATTR_ERROR_HDR + STUN_ATTR_TEXT_MAX,
                  STUN_ATTR_TEXT_CHARS),
    STUN_ATTR_ROW(STUN_ATTR_PASSWORD_ALGORITHMS, "PASSWORD-ALGORITHMS", STUN_KIND_ALGORITHMS, 4,
                  STUN_ATTR_LEN_ANY, 0),
    /* RFC 8489 section 14.16: a DNS name "of 255 or fewer ASCII characters". */
    STUN_ATTR_ROW(STUN_ATTR_ALTERNATE_DOMAIN, "ALTERNATE-DOMAIN", STUN_KIND_STRING, 1, 255, 0),
    STUN_ATTR_ROW(STUN_ATTR_ICMP, "ICMP", STUN_KIND_ICMP, 8, 8, 0),
    STUN_ATTR_ROW(STUN_ATTR_SOFTWARE, "SOFTWARE", STUN_KIND_STRING, 0, STUN_ATTR_TEXT_MAX,
                  STUN_ATTR_TEXT_CHARS),
    STUN_ATTR_ROW(STUN_ATTR_ALTERNATE_SERVER, "ALTERNATE-SERVER", STUN_KIND_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_CACHE_TIMEOUT, "CACHE-TIMEOUT", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_FINGERPRINT, "FINGERPRINT", STUN_KIND_U32, 4, 4, 0),
    STUN_ATTR_ROW(STUN_ATTR_ICE_CONTROLLED, "ICE-CONTROLLED", STUN_KIND_U64, 8, 8, 0),
    STUN_ATTR_ROW(STUN_ATTR_ICE_CONTROLLING, "ICE-CONTROLLING", STUN_KIND_U64, 8, 8, 0),
    STUN_ATTR_ROW(STUN_ATTR_RESPONSE_ORIGIN, "RESPONSE-ORIGIN", STUN_KIND_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_OTHER_ADDRESS, "OTHER-ADDRESS", STUN_KIND_ADDR, 8, 20, 0),
    STUN_ATTR_ROW(STUN_ATTR_THIRD_PARTY_AUTHORIZATION, "THIRD-PARTY-AUTHORIZATION",
                  STUN_KIND_STRING, 0, STUN_ATTR_LEN_ANY, 0),
    STUN_ATTR_ROW(STUN_ATTR_MOBILITY_TICKET, "MOBILITY-TICKET", STUN_KIND_BYTES, 0,
                  STUN_ATTR_LEN_ANY, 0),
};

const struct stun_attr_info *stun_attr_registry(size_t *count)
{
    *count = TERN_ARRAY_LEN(stun_attr_table);
    return stun_attr_table;
}

const struct stun_attr_info *stun_attr_info(uint16_t type)
{
    size_t lo = 0;
    size_t hi = TERN_ARRAY_LEN(stun_attr_table);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (stun_attr_table[mid].type == type) {
            return &stun_attr_table[mid];
        }
        if (stun_attr_table[mid].type < type) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

bool stun_attr_is_required(uint16_t type)
{
    /* RFC 8489 section 14: 0x0000-0x7FFF are comprehension-required. */
    return type < 0x8000u;
}

/* Counts UTF-8 characters as the bytes that do not continue a sequence. */
static size_t stun_attr_utf8_chars(const uint8_t *text, size_t len)
{
    size_t chars = 0;

    for (size_t i = 0; i < len; i++) {
        if ((text[i] & 0xC0u) != 0x80u) {
            chars++;
        }
    }
    return chars;
}

static bool stun_attr_text_fits(const struct stun_attr_info *info, const uint8_t *text, size_t len)
{
    return info->max_chars == 0 || stun_attr_utf8_chars(text, len) <= info->max_chars;
}

/* The IP length of a family byte (RFC 8489 section 14.1), or 0 for an unknown family. */
static size_t stun_attr_family_ip_len(uint8_t family)
{
    if (family == STUN_FAMILY_IPV4) {
        return 4;
    }
    if (family == STUN_FAMILY_IPV6) {
        return 16;
    }
    return 0;
}

/*
 * Per-kind checks beyond the registry's length bounds. Each returns 0 or
 * STUN_ERR_ATTR_INVALID; a kind whose table bounds say everything has none.
 */
typedef int (*stun_attr_check_cb)(const struct stun_attr_info *info, const struct stun_attr *attr);

static int stun_attr_check_addr(const struct stun_attr_info *info, const struct stun_attr *attr)
{
    (void)info;
    if (attr->len < 4) {
        return STUN_ERR_ATTR_INVALID;
    }
    size_t ip_len = stun_attr_family_ip_len(attr->value[1]);

    return ip_len != 0 && attr->len == 4 + ip_len ? 0 : STUN_ERR_ATTR_INVALID;
}

static int stun_attr_check_hash(const struct stun_attr_info *info, const struct stun_attr *attr)
{
    /* A truncatable hash (MESSAGE-INTEGRITY-SHA256) keeps whole 32-bit words. */
    if (info->min_len != info->max_len && attr->len % 4u != 0) {
        return STUN_ERR_ATTR_INVALID;
    }
    return 0;
}

static int stun_attr_check_string(const struct stun_attr_info *info, const struct stun_attr *attr)
{
    return stun_attr_text_fits(info, attr->value, attr->len) ? 0 : STUN_ERR_ATTR_INVALID;
}

static int stun_attr_check_error(const struct stun_attr_info *info, const struct stun_attr *attr)
{
    if (attr->len < STUN_ATTR_ERROR_HDR) {
        return STUN_ERR_ATTR_INVALID;
    }
    /* RFC 8489 section 14.8: the class is 3 to 6 and the number 0 to 99. */
    unsigned cls = attr->value[2] & 0x07u;
    unsigned number = attr->value[3];

    if (cls < 3 || cls > 6 || number > 99) {
        return STUN_ERR_ATTR_INVALID;
    }
    return stun_attr_text_fits(info, attr->value + STUN_ATTR_ERROR_HDR,
                               attr->len - STUN_ATTR_ERROR_HDR)
               ? 0
               : STUN_ERR_ATTR_INVALID;
}

static int stun_attr_check_type_list(const struct stun_attr_info *info,
                                     const struct stun_attr *attr)
{
    (void)info;
    return attr->len % 2u == 0 ? 0 : STUN_ERR_ATTR_INVALID;
}

/*
 * Steps over one algorithm entry at value[pos] (RFC 8489 section 14.11):
 * a 16-bit number, a 16-bit parameter length, the parameters padded to 4.
 * Returns the offset of the next entry, or 0 when the entry does not fit.
 * The last entry's padding may be left to the attribute's own.
 */
static size_t stun_attr_next_algorithm(const uint8_t *value, size_t len, size_t pos)
{
    if (len - pos < 4) {
        return 0;
    }
    size_t params = bytes_get_u16(value + pos + 2);

    if (params > len - pos - 4) {
        return 0;
    }
    size_t next = pos + 4 + ((params + 3u) & ~(size_t)3u);

    return next > len ? len : next;
}

static int stun_attr_check_algorithm(const struct stun_attr_info *info,
                                     const struct stun_attr *attr)
{
    (void)info;
    size_t next = stun_attr_next_algorithm(attr->value, attr->len, 0);

    /* PASSWORD-ALGORITHM carries exactly one entry (section 14.12). */
    return next != 0 && next == attr->len ? 0 : STUN_ERR_ATTR_INVALID;
}

static int stun_attr_check_algorithms(const struct stun_attr_info *info,
                                      const struct stun_attr *attr)
{
    (void)info;
    size_t pos = 0;

    while (pos < attr->len) {
        pos = stun_attr_next_algorithm(attr->value, attr->len, pos);
        if (pos == 0) {
            return STUN_ERR_ATTR_INVALID;
        }
    }
    return 0;
}

static const stun_attr_check_cb stun_attr_checks[] = {
    [STUN_KIND_ADDR] = stun_attr_check_addr,
    [STUN_KIND_XOR_ADDR] = stun_attr_check_addr,
    [STUN_KIND_STRING] = stun_attr_check_string,
    [STUN_KIND_HASH] = stun_attr_check_hash,
    [STUN_KIND_ERROR] = stun_attr_check_error,
    [STUN_KIND_TYPE_LIST] = stun_attr_check_type_list,
    [STUN_KIND_ALGORITHM] = stun_attr_check_algorithm,
    [STUN_KIND_ALGORITHMS] = stun_attr_check_algorithms,
    [STUN_KIND_ICMP] = NULL,
};

int stun_attr_validate(const struct stun_attr *attr)
{
    const struct stun_attr_info *info = stun_attr_info(attr->type);

    if (info == NULL) {
        return 0;
    }
    if (attr->len < info->min_len || attr->len > info->max_len) {
        return STUN_ERR_ATTR_INVALID;
    }
    stun_attr_check_cb check = NULL;

    if ((size_t)info->kind < TERN_ARRAY_LEN(stun_attr_checks)) {
        check = stun_attr_checks[info->kind];
    }
    return check != NULL ? check(info, attr) : 0;
}

/* The XOR pad of XOR-*-ADDRESS: the magic cookie then the transaction id (section 14.2). */
static void stun_attr_xor_pad(const uint8_t txid[STUN_TXID_LEN], uint8_t pad[16])
{
    bytes_put_u32(pad, STUN_MAGIC_COOKIE);
    memcpy(pad + 4, txid, STUN_TXID_LEN);
}

int stun_attr_encode_addr(uint8_t *out, size_t cap, const struct addr *a, bool xor,
                          const uint8_t txid[STUN_TXID_LEN])
{
    uint8_t pad[16];
    size_t ip_len;
    uint8_t family;

    if (a->family == AF_INET) {
        family = STUN_FAMILY_IPV4;
        ip_len = 4;
    } else if (a->family == AF_INET6) {
        family = STUN_FAMILY_IPV6;
        ip_len = 16;
    } else {
        return STUN_ERR_BAD_ARG;
    }
    if (cap < 4 + ip_len) {
        return STUN_ERR_NO_SPACE;
    }
    stun_attr_xor_pad(txid, pad);
    out[0] = 0;
    out[1] = family;
    /* X-Port is the port XOR the most significant 16 bits of the cookie. */
    bytes_put_u16(out + 2, xor? (uint16_t)(a->port ^ (STUN_MAGIC_COOKIE >> 16)) : a->port);
    for (size_t i = 0; i < ip_len; i++) {
        out[4 + i] = xor? (uint8_t)(a->ip[i] ^ pad[i]) : a->ip[i];
    }
    return (int)(4 + ip_len);
}

static int stun_attr_read_addr(const struct stun_msg *msg, const struct stun_attr *attr, bool xor,
                               struct addr *out)
{
    uint8_t pad[16];

    memset(out, 0, sizeof(*out));
    if (attr->len < 4) {
        return STUN_ERR_ATTR_INVALID;
    }
    size_t ip_len = stun_attr_family_ip_len(attr->value[1]);

    if (ip_len == 0 || attr->len != 4 + ip_len) {
        return STUN_ERR_ATTR_INVALID;
    }
    uint16_t port = bytes_get_u16(attr->value + 2);

    stun_attr_xor_pad(msg->txid, pad);
    out->family = ip_len == 4 ? AF_INET : AF_INET6;
    out->port = xor? (uint16_t)(port ^ (STUN_MAGIC_COOKIE >> 16)) : port;
    for (size_t i = 0; i < ip_len; i++) {
        out->ip[i] = xor? (uint8_t)(attr->value[4 + i] ^ pad[i]) : attr->value[4 + i];
    }
    return 0;
}

int stun_attr_decode_addr(const struct stun_msg *msg, const struct stun_attr *attr,
                          struct addr *out)
{
    const struct stun_attr_info *info = stun_attr_info(attr->type);

    if (info == NULL || (info->kind != STUN_KIND_ADDR && info->kind != STUN_KIND_XOR_ADDR)) {
        memset(out, 0, sizeof(*out));
        return STUN_ERR_BAD_ARG;
    }
    return stun_attr_read_addr(msg, attr, info->kind == STUN_KIND_XOR_ADDR, out);
}

#define STUN_ATTR_KIND_BIT(kind) (1u << (unsigned)(kind))

/*
 * Finds the first attribute of type for a getter that reads the kinds in
 * kind_mask and needs a value of at least min_len bytes (exactly, when
 * exact). Returns 0 with *out set, or a negative enum stun_err.
 */
static int stun_attr_lookup(const struct stun_msg *msg, uint16_t type, unsigned kind_mask,
                            const struct stun_attr **out)
{
    const struct stun_attr_info *info = stun_attr_info(type);

    *out = NULL;
    if (info != NULL && (kind_mask & STUN_ATTR_KIND_BIT(info->kind)) == 0) {
        return STUN_ERR_BAD_ARG;
    }
    *out = stun_msg_find(msg, type);
    return *out != NULL ? 0 : STUN_ERR_NOT_FOUND;
}

static int stun_attr_lookup_len(const struct stun_msg *msg, uint16_t type, unsigned kind_mask,
                                size_t len, const struct stun_attr **out)
{
    int rc = stun_attr_lookup(msg, type, kind_mask, out);

    if (rc < 0) {
        return rc;
    }
    return (*out)->len == len ? 0 : STUN_ERR_ATTR_INVALID;
}

int stun_attr_get_addr(const struct stun_msg *msg, uint16_t type, struct addr *out)
{
    const struct stun_attr_info *info = stun_attr_info(type);

    memset(out, 0, sizeof(*out));
    if (info == NULL || (info->kind != STUN_KIND_ADDR && info->kind != STUN_KIND_XOR_ADDR)) {
        return STUN_ERR_BAD_ARG;
    }
    const struct stun_attr *attr = stun_msg_find(msg, type);

    if (attr == NULL) {
        return STUN_ERR_NOT_FOUND;
    }
    return stun_attr_read_addr(msg, attr, info->kind == STUN_KIND_XOR_ADDR, out);
}

int stun_attr_get_u32(const struct stun_msg *msg, uint16_t type, uint32_t *out)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup_len(msg, type, STUN_ATTR_KIND_BIT(STUN_KIND_U32), 4, &attr);

    *out = rc == 0 ? bytes_get_u32(attr->value) : 0;
    return rc;
}

int stun_attr_get_u64(const struct stun_msg *msg, uint16_t type, uint64_t *out)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup_len(msg, type, STUN_ATTR_KIND_BIT(STUN_KIND_U64), 8, &attr);

    *out = 0;
    if (rc == 0) {
        *out = ((uint64_t)bytes_get_u32(attr->value) << 32) | bytes_get_u32(attr->value + 4);
    }
    return rc;
}

int stun_attr_get_u16(const struct stun_msg *msg, uint16_t type, uint16_t *out)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup_len(msg, type, STUN_ATTR_KIND_BIT(STUN_KIND_U16_RSVD), 4, &attr);

    *out = rc == 0 ? bytes_get_u16(attr->value) : 0;
    return rc;
}

int stun_attr_get_u8(const struct stun_msg *msg, uint16_t type, uint8_t *out)
{
    const struct stun_attr_info *info = stun_attr_info(type);
    /* EVEN-PORT's value is one byte; the 8-bit-then-reserved kind has four. */
    size_t len = info != NULL && info->kind == STUN_KIND_FLAG_BYTE ? 1 : 4;
    unsigned kinds =
        STUN_ATTR_KIND_BIT(STUN_KIND_U8_RSVD) | STUN_ATTR_KIND_BIT(STUN_KIND_FLAG_BYTE);
    const struct stun_attr *attr;
    int rc = stun_attr_lookup_len(msg, type, kinds, len, &attr);

    *out = rc == 0 ? attr->value[0] : 0;
    return rc;
}

int stun_attr_get_bytes(const struct stun_msg *msg, uint16_t type, const uint8_t **out,
                        size_t *out_len)
{
    const struct stun_attr *attr = stun_msg_find(msg, type);

    *out = NULL;
    *out_len = 0;
    if (attr == NULL) {
        return STUN_ERR_NOT_FOUND;
    }
    *out = attr->value;
    *out_len = attr->len;
    return 0;
}

int stun_attr_get_error(const struct stun_msg *msg, uint16_t type, struct stun_error_value *out)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup(msg, type, STUN_ATTR_KIND_BIT(STUN_KIND_ERROR), &attr);

    memset(out, 0, sizeof(*out));
    if (rc < 0) {
        return rc;
    }
    if (attr->len < STUN_ATTR_ERROR_HDR) {
        return STUN_ERR_ATTR_INVALID;
    }
    unsigned cls = attr->value[2] & 0x07u;
    unsigned number = attr->value[3];

    if (cls < 3 || cls > 6 || number > 99) {
        return STUN_ERR_ATTR_INVALID;
    }
    out->code = (uint16_t)(cls * 100u + number);
    /* ADDRESS-ERROR-CODE puts the family in the first byte (RFC 8656 section 18.12). */
    out->family = type == STUN_ATTR_ADDRESS_ERROR_CODE ? attr->value[0] : 0;
    out->reason = (const char *)(attr->value + STUN_ATTR_ERROR_HDR);
    out->reason_len = (uint16_t)(attr->len - STUN_ATTR_ERROR_HDR);
    return 0;
}

int stun_attr_get_algorithms(const struct stun_msg *msg, uint16_t *out, size_t cap)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup(msg, STUN_ATTR_PASSWORD_ALGORITHMS,
                              STUN_ATTR_KIND_BIT(STUN_KIND_ALGORITHMS), &attr);
    size_t pos = 0;
    int count = 0;

    if (rc < 0) {
        return rc;
    }
    while (pos < attr->len) {
        size_t next = stun_attr_next_algorithm(attr->value, attr->len, pos);

        if (next == 0) {
            return STUN_ERR_ATTR_INVALID;
        }
        if ((size_t)count < cap) {
            out[count] = bytes_get_u16(attr->value + pos);
        }
        count++;
        pos = next;
    }
    return count;
}

int stun_attr_get_algorithm(const struct stun_msg *msg, uint16_t *alg)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup(msg, STUN_ATTR_PASSWORD_ALGORITHM,
                              STUN_ATTR_KIND_BIT(STUN_KIND_ALGORITHM), &attr);

    *alg = 0;
    if (rc < 0) {
        return rc;
    }
    if (stun_attr_next_algorithm(attr->value, attr->len, 0) != attr->len) {
        return STUN_ERR_ATTR_INVALID;
    }
    *alg = bytes_get_u16(attr->value);
    return 0;
}

int stun_attr_get_type_list(const struct stun_msg *msg, uint16_t type, uint16_t *out, size_t cap)
{
    const struct stun_attr *attr;
    int rc = stun_attr_lookup(msg, type, STUN_ATTR_KIND_BIT(STUN_KIND_TYPE_LIST), &attr);

    if (rc < 0) {
        return rc;
    }
    if (attr->len % 2u != 0) {
        return STUN_ERR_ATTR_INVALID;
    }
    size_t count = attr->len / 2u;

    for (size_t i = 0; i < count && i < cap; i++) {
        out[i] = bytes_get_u16(attr->value + 2 * i);
    }
    return (int)count;
}

int stun_attr_get_icmp(const struct stun_msg *msg, struct stun_icmp_value *out)
{
    const struct stun_attr *attr;
    int rc =
        stun_attr_lookup_len(msg, STUN_ATTR_ICMP, STUN_ATTR_KIND_BIT(STUN_KIND_ICMP), 8, &attr);

    memset(out, 0, sizeof(*out));
    if (rc < 0) {
        return rc;
    }
    out->type = attr->value[2];
    out->code = attr->value[3];
    out->error_data = bytes_get_u32(attr->value + 4);
    return 0;
}
