#include "turn/turn_error.h"

#include "stun/stun_attr.h"
#include "stun/stun_error.h"
#include "turn/turn_auth.h"
#include "turn/turn_worker_state.h"
#include "util/assert.h"

/* What an error response carries besides ERROR-CODE. */
#define TURN_ERROR_CHALLENGE    0x1u /* REALM, NONCE, PASSWORD-ALGORITHMS */
#define TURN_ERROR_UNKNOWN_LIST 0x2u /* UNKNOWN-ATTRIBUTES */
#define TURN_ERROR_ALTERNATE    0x4u /* ALTERNATE-SERVER */

struct turn_error_row {
    uint16_t code;
    uint16_t extras;
    const char *name;
};

/* The one table: each failure, its code, and what its response adds. */
static const struct turn_error_row turn_error_table[TURN_FAIL_COUNT] = {
    [TURN_OK] = {0, 0, "ok"},
    [TURN_FAIL_BAD_REQUEST] = {STUN_ERROR_BAD_REQUEST, 0, "bad-request"},
    /* RFC 8489 section 9.2.4: a 401 "MUST include a REALM value ... MUST include a NONCE". */
    [TURN_FAIL_UNAUTHENTICATED] = {STUN_ERROR_UNAUTHENTICATED, TURN_ERROR_CHALLENGE,
                                   "unauthenticated"},
    [TURN_FAIL_FORBIDDEN] = {STUN_ERROR_FORBIDDEN, 0, "forbidden"},
    [TURN_FAIL_UNKNOWN_ATTRIBUTE] = {STUN_ERROR_UNKNOWN_ATTRIBUTE, TURN_ERROR_UNKNOWN_LIST,
                                     "unknown-attribute"},
    [TURN_FAIL_ALLOCATION_MISMATCH] = {STUN_ERROR_ALLOCATION_MISMATCH, 0, "allocation-mismatch"},
    /* RFC 8489 section 9.2.4: a 438 "MUST include NONCE, REALM, and PASSWORD-ALGORITHMS". */
    [TURN_FAIL_STALE_NONCE] = {STUN_ERROR_STALE_NONCE, TURN_ERROR_CHALLENGE, "stale-nonce"},
    [TURN_FAIL_FAMILY_NOT_SUPPORTED] = {STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED, 0,
                                        "family-not-supported"},
    [TURN_FAIL_WRONG_CREDENTIALS] = {STUN_ERROR_WRONG_CREDENTIALS, 0, "wrong-credentials"},
    [TURN_FAIL_UNSUPPORTED_TRANSPORT] = {STUN_ERROR_UNSUPPORTED_TRANSPORT, 0,
                                         "unsupported-transport"},
    [TURN_FAIL_PEER_FAMILY_MISMATCH] = {STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH, 0,
                                        "peer-family-mismatch"},
    [TURN_FAIL_QUOTA] = {STUN_ERROR_ALLOCATION_QUOTA_REACHED, 0, "quota"},
    [TURN_FAIL_SERVER_ERROR] = {STUN_ERROR_SERVER_ERROR, 0, "server-error"},
    [TURN_FAIL_CAPACITY] = {STUN_ERROR_INSUFFICIENT_CAPACITY, 0, "insufficient-capacity"},
    /* RFC 8489 section 10: only to an authenticated request, and integrity-protected, which
     * turn_request_finish() does for every authenticated request. */
    [TURN_FAIL_TRY_ALTERNATE] = {STUN_ERROR_TRY_ALTERNATE, TURN_ERROR_ALTERNATE, "try-alternate"},
    /* RFC 8656 section 7.2: a server that cannot take the allocation answers 508. */
    [TURN_FAIL_DRAINING] = {STUN_ERROR_INSUFFICIENT_CAPACITY, 0, "draining"},
};

static const struct turn_error_row *turn_error_row(enum turn_fail f)
{
    if ((unsigned)f >= TURN_FAIL_COUNT) {
        return &turn_error_table[TURN_OK];
    }
    return &turn_error_table[f];
}

uint16_t turn_error_code(enum turn_fail f)
{
    return turn_error_row(f)->code;
}

const char *turn_error_name(enum turn_fail f)
{
    return turn_error_row(f)->name;
}

enum turn_fail turn_error_from_io(int io_err)
{
    /* RFC 8656 section 7.2: no address of the family is 440; no port, an unusable
     * RESERVATION-TOKEN or a socket failure leave the request unsatisfiable, 508. */
    return io_err == TURN_IO_ERR_FAMILY ? TURN_FAIL_FAMILY_NOT_SUPPORTED : TURN_FAIL_CAPACITY;
}

enum turn_fail turn_error_from_code(int code)
{
    return code == STUN_ERROR_ALLOCATION_QUOTA_REACHED ? TURN_FAIL_QUOTA : TURN_FAIL_CAPACITY;
}

void turn_error_reply(const struct turn_request *req, enum turn_fail f)
{
    const struct turn_error_row *row = turn_error_row(f);
    struct stun_builder b;

    TERN_ASSERT(row->code != 0);
    turn_request_begin(req, &b, STUN_CLASS_ERROR);
    /* A challenge answers requests nobody has authenticated yet, so it stays small (DESIGN.md,
     * no amplification): its reason phrase is empty, which RFC 8489 section 14.8 allows (the
     * code is what a client acts on). A bare 20-byte request gets 100 bytes back with realm
     * "tern". */
    stun_build_error(&b, row->code, (row->extras & TURN_ERROR_CHALLENGE) != 0 ? "" : NULL);
    if ((row->extras & TURN_ERROR_CHALLENGE) != 0) {
        turn_auth_add_challenge(req, &b);
    }
    if ((row->extras & TURN_ERROR_ALTERNATE) != 0) {
        const struct addr *alt = turn_worker_alternate(req->w, req->info->client.family);
        if (alt != NULL) {
            stun_build_addr(&b, STUN_ATTR_ALTERNATE_SERVER, alt);
        }
    }
    if ((row->extras & TURN_ERROR_UNKNOWN_LIST) != 0) {
        stun_build_type_list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, req->msg->unknown,
                             req->msg->unknown_count);
    }
    (void)turn_request_finish(req, &b);
}
