/*
 * The Send indication (RFC 8656 section 11.2): data from the client for a
 * peer, matched to its allocation by 5-tuple. Indications are never
 * authenticated and never answered: anything wrong drops the packet.
 *
 *     no allocation on the 5-tuple                     drop
 *     XOR-PEER-ADDRESS or DATA missing or invalid      drop
 *     no live permission for the peer's IP             drop (never refreshed by Send)
 *     peer denied by policy                            drop, counts peer_denied
 *     over the allocation's bandwidth                  drop, counts bandwidth_dropped
 *
 * Otherwise out's peer fields name the relay of the peer's family, the
 * peer, the DATA value (inside the packet: no copy) and whether the
 * indication carried DONT-FRAGMENT.
 */
#ifndef TERN_TURN_SEND_H
#define TERN_TURN_SEND_H

#include "stun/stun_msg.h"
#include "turn/turn_handle.h"

/* Handles the decoded Send indication msg from the client of info. Fills out's peer fields
 * when the data is to be relayed. Returns 0, or a negative enum turn_drop. Never allocates. */
int turn_send_indication(struct turn_worker *w, const struct turn_packet_info *info,
                         const struct stun_msg *msg, struct turn_out *out);

#endif
