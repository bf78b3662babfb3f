/*
 * The ChannelBind method (RFC 8656 section 12.2): bind a channel number to
 * a peer transport address, and install or refresh the permission for the
 * peer's IP.
 *
 *     CHANNEL-NUMBER or XOR-PEER-ADDRESS missing or malformed    400
 *     number outside 0x4000-0x4FFF (0x4000-0x7FFE unless
 *       opts->channel_strict: RFC 5766 clients)                  400
 *     peer of a family no relay has                              443
 *     number bound to another peer, or peer to another number,
 *       including for 5 minutes after expiry (turn_channel.h)   400
 *     peer denied by policy                                      403, counts peer_denied
 *     more channels or permissions than allowed                  508
 *
 * Binding the same pair again refreshes it (idempotent: a retransmission
 * simply refreshes again).
 */
#ifndef TERN_TURN_CHANBIND_H
#define TERN_TURN_CHANBIND_H

#include "turn/turn_error.h"
#include "turn/turn_request.h"

/* Handles an authenticated ChannelBind on req->alloc (not NULL). Returns TURN_OK or the failure
 * to answer. Control path (may grow the arrays). */
enum turn_fail turn_chanbind_handle(struct turn_request *req);

#endif
