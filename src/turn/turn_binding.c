#include "turn/turn_binding.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"

int turn_binding_answer(const struct stun_msg *req, const struct turn_packet_info *info,
                        struct turn_reply *reply)
{
    struct stun_builder b;

    /* RFC 8489 section 6.3.1: the response echoes the transaction id and carries
     * XOR-MAPPED-ADDRESS. Nothing else is added, so an unauthenticated request cannot buy a
     * much larger answer (no amplification). */
    stun_build_init(&b, reply->buf, reply->cap, STUN_METHOD_BINDING, STUN_CLASS_SUCCESS, req->txid);
    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &info->client);
    if (req->fingerprint_idx >= 0) {
        stun_build_fingerprint(&b);
    }
    return stun_build_finish(&b);
}
