/*
 * STUN messages (RFC 8489 section 5): decoding into a view over the
 * caller's buffer, and the constants every layer above shares.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |0 0|     STUN Message Type     |         Message Length        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         Magic Cookie                          |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                                                               |
 *    |                     Transaction ID (96 bits)                  |
 *    |                                                               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A decoded struct stun_msg borrows the packet: its attribute values are
 * pointers into the buffer given to stun_msg_decode() and are valid only
 * while that buffer is.
 */
#ifndef TERN_STUN_MSG_H
#define TERN_STUN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_HEADER_LEN   20
#define STUN_ATTR_HDR_LEN 4
#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_TXID_LEN     12
/* The most attributes one decoded message keeps; more is STUN_ERR_TOO_MANY_ATTRS. */
#define STUN_MAX_ATTRS 40
/* The most unknown comprehension-required types reported for a 420. */
#define STUN_MAX_UNKNOWN 8
/* Largest message over a stream: 16-bit length plus the header. */
#define STUN_MAX_MSG_LEN (STUN_HEADER_LEN + 65535)

/* Codec results: >= 0 is bytes consumed or produced. */
#define STUN_NEED_MORE (-2)

enum stun_err {
    STUN_ERR_TRUNCATED = -1,      /* shorter than the header or than the header's length says */
    STUN_ERR_NOT_STUN = -3,       /* the two leading bits are not zero or the cookie is wrong */
    STUN_ERR_BAD_LENGTH = -4,     /* length not a multiple of 4, or not what was received */
    STUN_ERR_ATTR_OVERFLOW = -5,  /* an attribute runs past the end of the message */
    STUN_ERR_TOO_MANY_ATTRS = -6, /* more than STUN_MAX_ATTRS attributes */
    STUN_ERR_ATTR_INVALID = -7,   /* an attribute's value does not fit its type */
    STUN_ERR_NO_SPACE = -8,       /* the caller's output buffer is too small */
    STUN_ERR_BAD_ARG = -9,        /* the caller passed a value the codec cannot encode */
    STUN_ERR_INTEGRITY = -10,     /* MESSAGE-INTEGRITY(-SHA256) or FINGERPRINT did not match */
    STUN_ERR_NOT_FOUND = -11,     /* the attribute asked for is absent */
};

enum stun_class {
    STUN_CLASS_REQUEST = 0,
    STUN_CLASS_INDICATION = 1,
    STUN_CLASS_SUCCESS = 2,
    STUN_CLASS_ERROR = 3,
};

enum stun_method {
    STUN_METHOD_BINDING = 0x001,
    STUN_METHOD_ALLOCATE = 0x003,          /* RFC 8656 */
    STUN_METHOD_REFRESH = 0x004,           /* RFC 8656 */
    STUN_METHOD_SEND = 0x006,              /* RFC 8656 */
    STUN_METHOD_DATA = 0x007,              /* RFC 8656 */
    STUN_METHOD_CREATE_PERMISSION = 0x008, /* RFC 8656 */
    STUN_METHOD_CHANNEL_BIND = 0x009,      /* RFC 8656 */
    STUN_METHOD_CONNECT = 0x00a,           /* RFC 6062 */
    STUN_METHOD_CONNECTION_BIND = 0x00b,   /* RFC 6062 */
    STUN_METHOD_CONNECTION_ATTEMPT = 0x00c /* RFC 6062 */
};

/* One attribute as found on the wire; value points into the message. */
struct stun_attr {
    uint16_t type;
    uint16_t len;         /* value length, without padding */
    uint32_t offset;      /* offset of the attribute header from the message start (a stream
                           * message can reach 65552 bytes, past what 16 bits hold) */
    const uint8_t *value; /* len bytes */
};

/* A decoded message: a view over the caller's buffer. */
struct stun_msg {
    const uint8_t *buf; /* the whole message */
    size_t len;         /* STUN_HEADER_LEN + header length field */
    uint16_t method;    /* enum stun_method, 12 bits */
    uint8_t cls;        /* enum stun_class */
    uint8_t txid[STUN_TXID_LEN];
    struct stun_attr attrs[STUN_MAX_ATTRS];
    size_t attr_count;
    /* Indexes into attrs, or -1. Attributes after MESSAGE-INTEGRITY other than
     * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not kept (RFC 8489 14.5). */
    int integrity_idx;
    int integrity_sha256_idx;
    int fingerprint_idx;
    /* Comprehension-required types (0x0000-0x7FFF) not in the table, for a 420. */
    uint16_t unknown[STUN_MAX_UNKNOWN];
    size_t unknown_count;
};

/* True when the first byte and, if len >= 8, the magic cookie look like STUN. Cheap test used
 * before a full decode; the RFC 7983 demultiplexer is in stun_demux.h. */
bool stun_msg_is_stun(const uint8_t *buf, size_t len);

/* Decodes the message in buf[0..len). len must be the datagram length, or for a stream the
 * frame length returned by stun_demux_frame_len(). Returns the message length on success, or a
 * negative enum stun_err. msg borrows buf. Each kept attribute is checked with
 * stun_attr_validate(); an attribute after FINGERPRINT (which must be last, RFC 8489 14.7) is
 * STUN_ERR_ATTR_INVALID. Unknown comprehension-required attributes are not an error: they are
 * listed in msg->unknown so the server can answer 420. */
int stun_msg_decode(struct stun_msg *msg, const uint8_t *buf, size_t len);

/* Returns the first attribute of the given type, or NULL. */
const struct stun_attr *stun_msg_find(const struct stun_msg *msg, uint16_t type);

/* Composes and splits the 14-bit message type (RFC 8489 section 5, figure 3). */
uint16_t stun_msg_type(uint16_t method, uint8_t cls);
uint16_t stun_msg_type_method(uint16_t type);
uint8_t stun_msg_type_class(uint16_t type);

/* Returns a short name of a method ("Allocate") or "unknown". */
const char *stun_method_name(uint16_t method);

/* Returns a short description of a negative codec result. */
const char *stun_err_str(int err);

#endif
