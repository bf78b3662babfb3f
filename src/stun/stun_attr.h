/*
 * STUN attributes: the registry of every type Tern knows (one table, in
 * stun_attr.c) and a small typed decoder per value kind.
 *
 *     0                   1                   2                   3
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |         Type                  |            Length             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         Value (variable)                ....
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Values are padded to a multiple of 4 bytes; Length excludes the padding.
 *
 * Addresses (MAPPED-ADDRESS, RFC 8489 section 14.1; the XOR-*-ADDRESS kinds
 * XOR the port with the top 16 bits of the magic cookie and the address with
 * the cookie, then for IPv6 the transaction id, section 14.2):
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |             (X-)Address (32 bits or 128 bits)                 |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * ERROR-CODE (section 14.8); ADDRESS-ERROR-CODE (RFC 8656) puts the address
 * family in the first byte:
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           Reserved, should be 0         |Class|     Number    |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |      Reason Phrase (variable)                                ..
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * PASSWORD-ALGORITHM(S) (sections 14.11, 14.12), one entry or a list:
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |          Algorithm            | Algorithm Parameters Length   |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |          Algorithm Parameters (variable, padded to 4)       ...
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef TERN_STUN_ATTR_H
#define TERN_STUN_ATTR_H

#include "stun/stun_msg.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stun_attr_type {
    /* Comprehension-required, 0x0000-0x7FFF. */
    STUN_ATTR_MAPPED_ADDRESS = 0x0001,           /* RFC 8489 */
    STUN_ATTR_CHANGE_REQUEST = 0x0003,           /* RFC 5780 */
    STUN_ATTR_USERNAME = 0x0006,                 /* RFC 8489 */
    STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,        /* RFC 8489 */
    STUN_ATTR_ERROR_CODE = 0x0009,               /* RFC 8489 */
    STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,       /* RFC 8489 */
    STUN_ATTR_CHANNEL_NUMBER = 0x000C,           /* RFC 8656 */
    STUN_ATTR_LIFETIME = 0x000D,                 /* RFC 8656 */
    STUN_ATTR_XOR_PEER_ADDRESS = 0x0012,         /* RFC 8656 */
    STUN_ATTR_DATA = 0x0013,                     /* RFC 8656 */
    STUN_ATTR_REALM = 0x0014,                    /* RFC 8489 */
    STUN_ATTR_NONCE = 0x0015,                    /* RFC 8489 */
    STUN_ATTR_XOR_RELAYED_ADDRESS = 0x0016,      /* RFC 8656 */
    STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017, /* RFC 8656, RFC 6156 */
    STUN_ATTR_EVEN_PORT = 0x0018,                /* RFC 8656 */
    STUN_ATTR_REQUESTED_TRANSPORT = 0x0019,      /* RFC 8656 */
    STUN_ATTR_DONT_FRAGMENT = 0x001A,            /* RFC 8656 */
    STUN_ATTR_ACCESS_TOKEN = 0x001B,             /* RFC 7635 */
    STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C, /* RFC 8489 */
    STUN_ATTR_PASSWORD_ALGORITHM = 0x001D,       /* RFC 8489 */
    STUN_ATTR_USERHASH = 0x001E,                 /* RFC 8489 */
    STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,       /* RFC 8489 */
    STUN_ATTR_RESERVATION_TOKEN = 0x0022,        /* RFC 8656 */
    STUN_ATTR_PRIORITY = 0x0024,                 /* RFC 8445 */
    STUN_ATTR_USE_CANDIDATE = 0x0025,            /* RFC 8445 */
    STUN_ATTR_PADDING = 0x0026,                  /* RFC 5780 */
    STUN_ATTR_RESPONSE_PORT = 0x0027,            /* RFC 5780 */
    STUN_ATTR_CONNECTION_ID = 0x002A,            /* RFC 6062 */
    /* Comprehension-optional, 0x8000-0xFFFF. */
    STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000, /* RFC 8656 */
    STUN_ATTR_ADDRESS_ERROR_CODE = 0x8001,        /* RFC 8656 */
    STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002,       /* RFC 8489 */
    STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,          /* RFC 8489 */
    STUN_ATTR_ICMP = 0x8004,                      /* RFC 8656 */
    STUN_ATTR_SOFTWARE = 0x8022,                  /* RFC 8489 */
    STUN_ATTR_ALTERNATE_SERVER = 0x8023,          /* RFC 8489 */
    STUN_ATTR_CACHE_TIMEOUT = 0x8027,             /* RFC 5780 */
    STUN_ATTR_FINGERPRINT = 0x8028,               /* RFC 8489 */
    STUN_ATTR_ICE_CONTROLLED = 0x8029,            /* RFC 8445 */
    STUN_ATTR_ICE_CONTROLLING = 0x802A,           /* RFC 8445 */
    STUN_ATTR_RESPONSE_ORIGIN = 0x802B,           /* RFC 5780 */
    STUN_ATTR_OTHER_ADDRESS = 0x802C,             /* RFC 5780 */
    STUN_ATTR_THIRD_PARTY_AUTHORIZATION = 0x802E, /* RFC 7635 */
    STUN_ATTR_MOBILITY_TICKET = 0x8030,           /* RFC 8016 */
};

/* How a value is laid out; each kind has one decoder and one encoder. */
enum stun_attr_kind {
    STUN_KIND_ADDR,       /* family, port, address (MAPPED-ADDRESS and friends) */
    STUN_KIND_XOR_ADDR,   /* the same, XOR-ed with the cookie and transaction id */
    STUN_KIND_U32,        /* one 32-bit number (LIFETIME, PRIORITY, CHANGE-REQUEST) */
    STUN_KIND_U64,        /* one 64-bit number (ICE-CONTROLLED/ING, RESERVATION-TOKEN) */
    STUN_KIND_U16_RSVD,   /* 16-bit number then 16 reserved bits (CHANNEL-NUMBER, RESPONSE-PORT) */
    STUN_KIND_U8_RSVD,    /* 8-bit number then 24 reserved bits (REQUESTED-TRANSPORT, *-FAMILY) */
    STUN_KIND_FLAG_BYTE,  /* a 1-byte value whose top bit is a flag (EVEN-PORT) */
    STUN_KIND_EMPTY,      /* no value (DONT-FRAGMENT, USE-CANDIDATE) */
    STUN_KIND_STRING,     /* UTF-8 text with a maximum length (USERNAME, REALM, SOFTWARE) */
    STUN_KIND_BYTES,      /* opaque bytes (DATA, PADDING, ACCESS-TOKEN, MOBILITY-TICKET) */
    STUN_KIND_HASH,       /* fixed-length digest (MESSAGE-INTEGRITY, USERHASH) */
    STUN_KIND_ERROR,      /* class, number, reason phrase (ERROR-CODE, ADDRESS-ERROR-CODE) */
    STUN_KIND_TYPE_LIST,  /* list of 16-bit attribute types (UNKNOWN-ATTRIBUTES) */
    STUN_KIND_ALGORITHM,  /* one password algorithm with parameters */
    STUN_KIND_ALGORITHMS, /* list of password algorithms */
    STUN_KIND_ICMP,       /* RFC 8656 ICMP: reserved, type, code, error data */
};

/* One row of the attribute registry (fields ordered to pack without holes). */
struct stun_attr_info {
    const char *name; /* "XOR-MAPPED-ADDRESS" */
    enum stun_attr_kind kind;
    uint16_t type;
    uint16_t min_len;
    uint16_t max_len;
    /* STRING and ERROR reason: the most UTF-8 characters allowed, or 0 for no limit. RFC 8489
     * bounds REALM, NONCE, SOFTWARE and reason phrases to fewer than 128 characters. */
    uint16_t max_chars;
};

/* Returns the registry row for type, or NULL when Tern does not know it. */
const struct stun_attr_info *stun_attr_info(uint16_t type);

/* Returns the whole registry (static storage, sorted by type) and its row count in *count. */
const struct stun_attr_info *stun_attr_registry(size_t *count);

/* True for 0x0000-0x7FFF, the comprehension-required range. */
bool stun_attr_is_required(uint16_t type);

/* Checks a raw attribute's length (and fixed fields) against its registry row. Returns 0, or
 * STUN_ERR_ATTR_INVALID. Unknown types are valid. stun_msg_decode() calls this on each one. */
int stun_attr_validate(const struct stun_attr *attr);

/* ERROR-CODE and ADDRESS-ERROR-CODE. reason borrows the message; not NUL-terminated. */
struct stun_error_value {
    uint16_t code;  /* 300-699 */
    uint8_t family; /* ADDRESS-ERROR-CODE only: 0x01 IPv4, 0x02 IPv6 */
    const char *reason;
    uint16_t reason_len;
};

/* PASSWORD-ALGORITHM numbers (RFC 8489 section 18.5). */
enum stun_password_alg {
    STUN_PASSWORD_ALG_MD5 = 0x0001,
    STUN_PASSWORD_ALG_SHA256 = 0x0002,
};

/* Address families in REQUESTED-ADDRESS-FAMILY and friends (RFC 8656 section 18.6). */
#define STUN_FAMILY_IPV4 0x01
#define STUN_FAMILY_IPV6 0x02

/* Transport protocol numbers in REQUESTED-TRANSPORT. */
#define STUN_TRANSPORT_UDP 17
#define STUN_TRANSPORT_TCP 6

/* CHANGE-REQUEST flags (RFC 5780 section 7.2). */
#define STUN_CHANGE_REQUEST_IP   0x04u
#define STUN_CHANGE_REQUEST_PORT 0x02u

/* EVEN-PORT: the R bit, reserve the next port too (RFC 8656 section 18.7). */
#define STUN_EVEN_PORT_RESERVE 0x80u

/* ICMP (RFC 8656 section 18.13):
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           Reserved            |  ICMP Type    |  ICMP Code    |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                          Error Data                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct stun_icmp_value {
    uint8_t type;
    uint8_t code;
    uint32_t error_data;
};

/* Typed decoders. Each returns 0 on success, STUN_ERR_NOT_FOUND when the message has no such
 * attribute, STUN_ERR_ATTR_INVALID when its value is malformed, or STUN_ERR_BAD_ARG when the
 * registry gives type a kind the getter does not read (a type Tern does not know is read as the
 * getter's kind). Out values borrow msg. get_u8 reads U8_RSVD and FLAG_BYTE kinds (for
 * EVEN-PORT the whole byte: test STUN_EVEN_PORT_RESERVE); get_bytes returns the raw value of any
 * attribute. */
int stun_attr_get_addr(const struct stun_msg *msg, uint16_t type, struct addr *out);
int stun_attr_get_u32(const struct stun_msg *msg, uint16_t type, uint32_t *out);
int stun_attr_get_u64(const struct stun_msg *msg, uint16_t type, uint64_t *out);
int stun_attr_get_u16(const struct stun_msg *msg, uint16_t type, uint16_t *out);
int stun_attr_get_u8(const struct stun_msg *msg, uint16_t type, uint8_t *out);
int stun_attr_get_bytes(const struct stun_msg *msg, uint16_t type, const uint8_t **out,
                        size_t *out_len);
int stun_attr_get_error(const struct stun_msg *msg, uint16_t type, struct stun_error_value *out);

/* Writes the value of an address attribute for a into out: 8 bytes for IPv4, 20 for IPv6,
 * XOR-ed with the magic cookie and txid when xor (RFC 8489 sections 14.1, 14.2). Returns the
 * value length, STUN_ERR_BAD_ARG when a has no IPv4/IPv6 family, or STUN_ERR_NO_SPACE when cap
 * is too small. */
int stun_attr_encode_addr(uint8_t *out, size_t cap, const struct addr *a, bool xor,
                          const uint8_t txid[STUN_TXID_LEN]);

/* Decodes the address of one given attribute (the message is needed for the XOR of the
 * transaction id). Used when a message carries several XOR-PEER-ADDRESS. Returns 0,
 * STUN_ERR_ATTR_INVALID, or STUN_ERR_BAD_ARG when attr is not of an address kind. */
int stun_attr_decode_addr(const struct stun_msg *msg, const struct stun_attr *attr,
                          struct addr *out);

/* PASSWORD-ALGORITHMS: writes up to cap algorithm numbers into out; returns how many were
 * listed (which may exceed cap), or a negative enum stun_err. Parameters are skipped (both
 * algorithms have none). */
int stun_attr_get_algorithms(const struct stun_msg *msg, uint16_t *out, size_t cap);

/* UNKNOWN-ATTRIBUTES: writes up to cap types into out; returns how many were listed (which may
 * exceed cap) or a negative enum stun_err. */
int stun_attr_get_type_list(const struct stun_msg *msg, uint16_t type, uint16_t *out, size_t cap);

/* PASSWORD-ALGORITHM: the algorithm number into *alg (parameters skipped). Returns 0 or an error
 * as the typed decoders above. */
int stun_attr_get_algorithm(const struct stun_msg *msg, uint16_t *alg);

/* ICMP: type, code and error data into *out. Returns 0 or an error as the typed decoders. */
int stun_attr_get_icmp(const struct stun_msg *msg, struct stun_icmp_value *out);

#endif
