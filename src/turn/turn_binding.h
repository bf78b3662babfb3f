/* The STUN Binding method (RFC 8489 section 3): tell a client its reflexive address. */
#ifndef TERN_TURN_BINDING_H
#define TERN_TURN_BINDING_H

#include "stun/stun_msg.h"
#include "turn/turn_handle.h"

/* Answers the Binding request req with a success response carrying XOR-MAPPED-ADDRESS of the
 * client, and FINGERPRINT when the request had one. Returns the response length, or a negative
 * enum stun_err when it does not fit reply. */
int turn_binding_answer(const struct stun_msg *req, const struct turn_packet_info *info,
                        struct turn_reply *reply);

#endif
