#include "stun/stun_error.h"

#include "util/assert.h"

#include <stddef.h>

struct stun_error_phrase {
    uint16_t code;
    const char *reason;
};

/* The recommended reason phrases of the IANA STUN error code registry. */
static const struct stun_error_phrase stun_error_phrases[] = {
    /* RFC 8489 section 14.8. */
    {STUN_ERROR_TRY_ALTERNATE, "Try Alternate"},
    {STUN_ERROR_BAD_REQUEST, "Bad Request"},
    {STUN_ERROR_UNAUTHENTICATED, "Unauthenticated"},
    {STUN_ERROR_UNKNOWN_ATTRIBUTE, "Unknown Attribute"},
    {STUN_ERROR_STALE_NONCE, "Stale Nonce"},
    {STUN_ERROR_SERVER_ERROR, "Server Error"},
    /* RFC 8656 section 19. */
    {STUN_ERROR_FORBIDDEN, "Forbidden"},
    {STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch"},
    {STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED, "Address Family not Supported"},
    {STUN_ERROR_WRONG_CREDENTIALS, "Wrong Credentials"},
    {STUN_ERROR_UNSUPPORTED_TRANSPORT, "Unsupported Transport Protocol"},
    {STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH, "Peer Address Family Mismatch"},
    {STUN_ERROR_ALLOCATION_QUOTA_REACHED, "Allocation Quota Reached"},
    {STUN_ERROR_INSUFFICIENT_CAPACITY, "Insufficient Capacity"},
    /* RFC 8016. */
    {STUN_ERROR_MOBILITY_FORBIDDEN, "Mobility Forbidden"},
    /* RFC 6062 section 6.3. */
    {STUN_ERROR_CONNECTION_ALREADY_EXISTS, "Connection Already Exists"},
    {STUN_ERROR_CONNECTION_TIMEOUT, "Connection Timeout or Failure"},
    /* RFC 8445. */
    {STUN_ERROR_ROLE_CONFLICT, "Role Conflict"},
};

const char *stun_error_reason(uint16_t code)
{
    for (size_t i = 0; i < TERN_ARRAY_LEN(stun_error_phrases); i++) {
        if (stun_error_phrases[i].code == code) {
            return stun_error_phrases[i].reason;
        }
    }
    return "Error";
}
