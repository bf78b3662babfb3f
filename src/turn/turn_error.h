/*
 * Every way a request can fail, and the one table that maps each to its
 * STUN error code (RFC 8489 section 14.8, RFC 8656 section 19). Handlers
 * return an enum turn_fail; turn_error_reply() builds the response:
 *
 *     ERROR-CODE                          (an empty reason phrase for 401 and 438)
 *     REALM, NONCE, PASSWORD-ALGORITHMS   401 and 438 (RFC 8489 section 9.2.4)
 *     UNKNOWN-ATTRIBUTES                  420 (RFC 8489 section 14.13)
 *     ALTERNATE-SERVER                    300 (RFC 8489 section 10)
 *     (SOFTWARE, integrity, FINGERPRINT   as turn_request_finish() decides)
 */
#ifndef TERN_TURN_ERROR_H
#define TERN_TURN_ERROR_H

#include "turn/turn_request.h"

#include <stdint.h>

enum turn_fail {
    TURN_OK = 0,
    TURN_FAIL_BAD_REQUEST,           /* 400: missing or malformed attribute, bad combination */
    TURN_FAIL_UNAUTHENTICATED,       /* 401: no integrity, unknown user or wrong integrity */
    TURN_FAIL_FORBIDDEN,             /* 403: peer denied by policy */
    TURN_FAIL_UNKNOWN_ATTRIBUTE,     /* 420: unknown comprehension-required attribute */
    TURN_FAIL_ALLOCATION_MISMATCH,   /* 437: no allocation, or the 5-tuple is taken */
    TURN_FAIL_STALE_NONCE,           /* 438: nonce stale or not ours */
    TURN_FAIL_FAMILY_NOT_SUPPORTED,  /* 440: no relay address of the family */
    TURN_FAIL_WRONG_CREDENTIALS,     /* 441: not the credentials that created the allocation */
    TURN_FAIL_UNSUPPORTED_TRANSPORT, /* 442: REQUESTED-TRANSPORT other than UDP */
    TURN_FAIL_PEER_FAMILY_MISMATCH,  /* 443: peer family differs from every relay's */
    TURN_FAIL_QUOTA,                 /* 486: allocation quota reached */
    TURN_FAIL_SERVER_ERROR,          /* 500: the answer could not be built */
    TURN_FAIL_CAPACITY,              /* 508: no port, bad token, too many permissions... */
    TURN_FAIL_TRY_ALTERNATE,         /* 300: draining, with an alternate of the client's family */
    TURN_FAIL_DRAINING,              /* 508: draining, with no alternate to offer */
    TURN_FAIL_COUNT,
};

/* The STUN error code of f (400-508), or 0 for TURN_OK or a value out of range. */
uint16_t turn_error_code(enum turn_fail f);

/* A short name of f for logs ("bad-request"). */
const char *turn_error_name(enum turn_fail f);

/* The failure of a relay_open() result (enum turn_io_err): 440 for a missing family, 508 for
 * every other. */
enum turn_fail turn_error_from_io(int io_err);

/* The failure of a STUN code given by quota_acquire(): 486 or 508 (any other code is taken as
 * 508). */
enum turn_fail turn_error_from_code(int code);

/* Builds the error response for f into req->out (reply_len 0 when it does not fit). */
void turn_error_reply(const struct turn_request *req, enum turn_fail f);

#endif
