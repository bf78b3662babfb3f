#include "turn/turn_refresh.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "turn/turn_alloc.h"
#include "turn/turn_worker_state.h"

/* The success response: LIFETIME, the time-to-expiry now in force. */
static enum turn_fail turn_refresh_respond(const struct turn_request *req, uint32_t lifetime_s)
{
    struct stun_builder b;

    turn_request_begin(req, &b, STUN_CLASS_SUCCESS);
    stun_build_u32(&b, STUN_ATTR_LIFETIME, lifetime_s);
    return turn_request_finish(req, &b) == 0 ? TURN_OK : TURN_FAIL_SERVER_ERROR;
}

/* RFC 8656 section 8.2: a "desired lifetime" of zero deletes the allocation. The response is
 * built first, while the allocation is whole. */
static enum turn_fail turn_refresh_delete(struct turn_request *req)
{
    enum turn_fail f = turn_refresh_respond(req, 0);

    if (f != TURN_OK) {
        return f;
    }
    TURN_COUNT(req->w, allocations_deleted);
    turn_worker_end(req->w, req->alloc, TURN_USAGE_DELETED);
    req->alloc = NULL;
    return TURN_OK;
}

enum turn_fail turn_refresh_handle(struct turn_request *req)
{
    struct turn_alloc *a = req->alloc;
    uint8_t family = 0;
    uint32_t lifetime_s = 0;
    bool has_family;
    bool has_lifetime;

    if (turn_request_optional(
            stun_attr_get_u8(req->msg, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &family), &has_family) !=
            0 ||
        turn_request_optional(stun_attr_get_u32(req->msg, STUN_ATTR_LIFETIME, &lifetime_s),
                              &has_lifetime) != 0) {
        return TURN_FAIL_BAD_REQUEST;
    }
    /* RFC 8656 section 8.2: a REQUESTED-ADDRESS-FAMILY that does not match the allocation's
     * family is answered 443 (Peer Address Family Mismatch). */
    if (has_family && turn_alloc_relay_for(a, turn_request_family(family)) == NULL) {
        return TURN_FAIL_PEER_FAMILY_MISMATCH;
    }
    if (has_lifetime && lifetime_s == 0) {
        return turn_refresh_delete(req);
    }
    uint32_t granted_s = turn_alloc_lifetime_s(req->w->cfg.turn, has_lifetime, lifetime_s);

    turn_alloc_set_lifetime(a, granted_s, req->info->now_ms);
    return turn_refresh_respond(req, granted_s);
}
