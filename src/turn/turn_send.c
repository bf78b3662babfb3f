#include "turn/turn_send.h"

#include "stun/stun_attr.h"
#include "turn/turn_alloc.h"
#include "turn/turn_worker_state.h"

int turn_send_indication(struct turn_worker *w, const struct turn_packet_info *info,
                         const struct stun_msg *msg, struct turn_out *out)
{
    struct turn_alloc *a = turn_table_find(&w->table, &info->client, &info->local, info->transport);
    struct addr peer;
    const uint8_t *data;
    size_t len;

    if (a == NULL || info->now_ms >= a->expires_ms) {
        return TURN_DROP_NO_ALLOCATION;
    }
    /* RFC 8656 section 11.2: both attributes are required (DATA may be empty). */
    if (stun_attr_get_addr(msg, STUN_ATTR_XOR_PEER_ADDRESS, &peer) != 0 ||
        stun_attr_get_bytes(msg, STUN_ATTR_DATA, &data, &len) != 0) {
        return TURN_DROP_INVALID;
    }
    struct turn_relay *relay = turn_alloc_relay_for(a, peer.family);

    if (relay == NULL || !turn_perm_has(&a->perms, &peer, info->now_ms)) {
        return TURN_DROP_NO_PERMISSION;
    }
    if (!turn_worker_peer_allowed(w, &peer)) {
        return TURN_DROP_POLICY;
    }
    if (!turn_bucket_take(&a->to_peer, len, info->now_ms)) {
        TURN_COUNT(w, bandwidth_dropped);
        return TURN_DROP_BANDWIDTH;
    }
    out->relay = relay;
    out->peer = peer;
    out->data = data;
    out->data_len = len;
    /* Sections 14 and 15: DONT-FRAGMENT in the indication asks for DF on this datagram. */
    out->dont_fragment = stun_msg_find(msg, STUN_ATTR_DONT_FRAGMENT) != NULL;
    TURN_COUNT(w, rx_packets_client);
    TURN_COUNT_ADD(w, rx_bytes_client, len);
    a->stats.packets_to_peer++;
    a->stats.bytes_to_peer += len;
    return 0;
}
