#include "turn/turn_binding.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"

enum turn_fail turn_binding_answer(struct turn_request *req)
{
    struct stun_builder b;

    /* RFC 8489 section 6.3.1: the response echoes the transaction id and carries
     * XOR-MAPPED-ADDRESS. Nothing else is added, so an unauthenticated request cannot buy a
     * much larger answer (no amplification). */
    turn_request_begin(req, &b, STUN_CLASS_SUCCESS);
    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &req->info->client);
    return turn_request_finish(req, &b) == 0 ? TURN_OK : TURN_FAIL_SERVER_ERROR;
}
