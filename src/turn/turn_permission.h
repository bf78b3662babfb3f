/*
 * The CreatePermission method (RFC 8656 section 10.2): install or refresh
 * permissions for one or more peer IPs.
 *
 *     no XOR-PEER-ADDRESS, or one malformed          400
 *     a peer of a family no relay has                443
 *     a peer denied by policy (turn_policy.h)        403, counts peer_denied
 *     more permissions than opts->max_permissions   508 ("unable to satisfy the
 *                                                    request due to some capacity limit")
 *
 * All or nothing: permissions change only when every peer is acceptable.
 * Ports are ignored (section 9).
 */
#ifndef TERN_TURN_PERMISSION_H
#define TERN_TURN_PERMISSION_H

#include "turn/turn_error.h"
#include "turn/turn_request.h"

/* Handles an authenticated CreatePermission on req->alloc (not NULL). Returns TURN_OK or the
 * failure to answer. Control path (may grow the permission array). */
enum turn_fail turn_permission_handle(struct turn_request *req);

#endif
