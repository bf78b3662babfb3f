/* The STUN Binding method (RFC 8489 section 3): tell a client its reflexive address. */
#ifndef TERN_TURN_BINDING_H
#define TERN_TURN_BINDING_H

#include "turn/turn_error.h"
#include "turn/turn_request.h"

/* Answers the Binding request of req with a success response carrying XOR-MAPPED-ADDRESS of
 * the client, and FINGERPRINT when the request had one. Binding needs no authentication and no
 * allocation. Returns TURN_OK, or TURN_FAIL_SERVER_ERROR when the answer does not fit. */
enum turn_fail turn_binding_answer(struct turn_request *req);

#endif
