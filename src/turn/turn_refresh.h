/*
 * The Refresh method (RFC 8656 section 8.2): change the time-to-expiry of
 * the allocation on the request's 5-tuple, or delete it.
 *
 *     no allocation                                  437 (the dispatcher)
 *     REQUESTED-ADDRESS-FAMILY matching no relay     443
 *     LIFETIME 0                                     delete; success with LIFETIME 0
 *     LIFETIME absent                                the default lifetime
 *     otherwise                                      min(requested, max), at least the default
 *
 * A Refresh acts on the whole allocation, both relays of a dual-stack one.
 * A retransmitted Refresh gets the allocation's last response; once a
 * deletion has removed the allocation, a retransmitted deletion gets 437,
 * which section 8.3 tells the client to take as success ("the allocation
 * no longer exists"), as the note in section 8.2 explains.
 */
#ifndef TERN_TURN_REFRESH_H
#define TERN_TURN_REFRESH_H

#include "turn/turn_error.h"
#include "turn/turn_request.h"

/* Handles an authenticated Refresh on req->alloc (not NULL). After a deletion req->alloc is
 * NULL. Returns TURN_OK or the failure to answer. */
enum turn_fail turn_refresh_handle(struct turn_request *req);

#endif
