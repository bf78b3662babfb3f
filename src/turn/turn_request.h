/*
 * One client request on its way through the core: the message, where it
 * came from, the allocation on its 5-tuple, what authentication found, and
 * the buffer for the answer. Handlers read it and build their success
 * response with turn_request_begin()/turn_request_finish(); failures go
 * through turn_error_reply() (turn_error.h), so every response ends the
 * same way:
 *
 *     header | method attributes | SOFTWARE | MESSAGE-INTEGRITY(-SHA256) | FINGERPRINT
 *                                  \__ authenticated requests only __/     if asked
 */
#ifndef TERN_TURN_REQUEST_H
#define TERN_TURN_REQUEST_H

#include "auth/auth_key.h"
#include "stun/stun_build.h"
#include "stun/stun_msg.h"
#include "turn/turn_handle.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct turn_request {
    struct turn_worker *w;
    const struct turn_packet_info *info;
    const struct stun_msg *msg;
    struct turn_out *out;
    struct turn_alloc *alloc; /* on the request's 5-tuple, or NULL; handlers may change it */
    /* Filled by turn_auth_check() once MESSAGE-INTEGRITY(-SHA256) and NONCE verified. */
    bool authenticated;
    bool sha256;          /* the request used MESSAGE-INTEGRITY-SHA256: so does the answer */
    struct auth_key key;  /* the key that verified */
    const char *username; /* borrows the message or the credential store */
    size_t username_len;
};

/* Prepares req for msg from info, answering into out. */
void turn_request_init(struct turn_request *req, struct turn_worker *w,
                       const struct turn_packet_info *info, const struct stun_msg *msg,
                       struct turn_out *out);

/* Starts the response of class cls (STUN_CLASS_SUCCESS or STUN_CLASS_ERROR) to req in
 * req->out->reply. */
void turn_request_begin(const struct turn_request *req, struct stun_builder *b, uint8_t cls);

/* Ends the response: SOFTWARE and MESSAGE-INTEGRITY(-SHA256) under req->key when req is
 * authenticated (RFC 8489 section 9.2.4), FINGERPRINT when the request had one (section
 * 7.3). Sets req->out->reply_len. Returns 0, or -1 when the response does not fit (then
 * reply_len is 0). */
int turn_request_finish(const struct turn_request *req, struct stun_builder *b);

/* Reads the result rc of an optional attribute's getter: 0 with *present true when it was
 * there, 0 with *present false when it was absent (STUN_ERR_NOT_FOUND), -1 when malformed. */
int turn_request_optional(int rc, bool *present);

/* The ceiling on permissions or channels per allocation when the configuration says 0
 * (unlimited): every growable array keeps a bound. */
#define TURN_REQUEST_HARD_LIMIT 4096u

/* The per-allocation limit a configured value means: itself, or TURN_REQUEST_HARD_LIMIT for 0
 * or anything above it. */
size_t turn_request_limit(uint32_t configured);

/* True when the client reaches the server over a stream (TCP or TLS). */
bool turn_request_is_stream(enum turn_transport transport);

/* The address family (AF_INET, AF_INET6) of a STUN family byte (RFC 8656 section 18.6), or 0
 * for another value. */
uint16_t turn_request_family(uint8_t stun_family);

/* The STUN family byte of an address family: STUN_FAMILY_IPV4 or STUN_FAMILY_IPV6. */
uint8_t turn_request_stun_family(uint16_t family);

#endif
