/* stun_error.c: a reason phrase for every code of enum stun_error_code. */
#include "stun/stun_error.h"
#include "tap.h"

#include <string.h>

struct test_reason {
    uint16_t code;
    const char *reason;
};

static const struct test_reason test_reasons[] = {
    {STUN_ERROR_TRY_ALTERNATE, "Try Alternate"},
    {STUN_ERROR_BAD_REQUEST, "Bad Request"},
    {STUN_ERROR_UNAUTHENTICATED, "Unauthenticated"},
    {STUN_ERROR_FORBIDDEN, "Forbidden"},
    {STUN_ERROR_MOBILITY_FORBIDDEN, "Mobility Forbidden"},
    {STUN_ERROR_UNKNOWN_ATTRIBUTE, "Unknown Attribute"},
    {STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch"},
    {STUN_ERROR_STALE_NONCE, "Stale Nonce"},
    {STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED, "Address Family not Supported"},
    {STUN_ERROR_WRONG_CREDENTIALS, "Wrong Credentials"},
    {STUN_ERROR_UNSUPPORTED_TRANSPORT, "Unsupported Transport Protocol"},
    {STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH, "Peer Address Family Mismatch"},
    {STUN_ERROR_CONNECTION_ALREADY_EXISTS, "Connection Already Exists"},
    {STUN_ERROR_CONNECTION_TIMEOUT, "Connection Timeout or Failure"},
    {STUN_ERROR_ALLOCATION_QUOTA_REACHED, "Allocation Quota Reached"},
    {STUN_ERROR_ROLE_CONFLICT, "Role Conflict"},
    {STUN_ERROR_SERVER_ERROR, "Server Error"},
    {STUN_ERROR_INSUFFICIENT_CAPACITY, "Insufficient Capacity"},
};

int main(void)
{
    for (size_t i = 0; i < sizeof(test_reasons) / sizeof(test_reasons[0]); i++) {
        const char *got = stun_error_reason(test_reasons[i].code);

        TAP_CHECK(strcmp(got, test_reasons[i].reason) == 0, "%u %s", test_reasons[i].code,
                  test_reasons[i].reason);
    }
    TAP_CHECK(strcmp(stun_error_reason(499), "Error") == 0, "an unlisted code reads \"Error\"");
    TAP_CHECK(strcmp(stun_error_reason(0), "Error") == 0, "code 0 reads \"Error\"");
    return tap_done();
}
