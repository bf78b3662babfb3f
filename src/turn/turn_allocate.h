/*
 * The Allocate method (RFC 8656 section 7.2): create an allocation on the
 * request's 5-tuple. The checks run in the order of section 7.2:
 *
 *     5-tuple already allocated                         437
 *     REQUESTED-TRANSPORT missing or malformed          400; not UDP: 442
 *     RESERVATION-TOKEN with EVEN-PORT or a *-FAMILY    400
 *     REQUESTED- with ADDITIONAL-ADDRESS-FAMILY         400
 *     REQUESTED-ADDRESS-FAMILY neither IPv4 nor IPv6    440
 *     EVEN-PORT R bit with ADDITIONAL-ADDRESS-FAMILY    400
 *     ADDITIONAL-ADDRESS-FAMILY other than IPv6         400
 *     quota (ops->quota_acquire)                        486 / 508
 *     relay sockets (ops->relay_open)                   440 / 508
 *
 * Family: without REQUESTED-ADDRESS-FAMILY the relay is IPv4 (section 7.2:
 * "If the REQUESTED-ADDRESS-FAMILY attribute is absent and the server
 * supports the IPv4 address family, the server MUST allocate an IPv4
 * relayed transport address"). With ADDITIONAL-ADDRESS-FAMILY (IPv6) the
 * allocation is dual-stack: an IPv4 and an IPv6 relay. When only one of
 * the two can be had, the allocation succeeds with it and the response
 * carries ADDRESS-ERROR-CODE for the missing family (440 when the server
 * has no address of it, 508 otherwise); when neither, 508 (section 7.2).
 * With a RESERVATION-TOKEN the family is the reserved socket's: net finds
 * it by the token.
 *
 * Lifetime: turn_alloc_lifetime_s() (default when absent; min(requested,
 * max) raised to the default when below it).
 *
 * Success: XOR-RELAYED-ADDRESS (one per relay, the advertised address),
 * ADDRESS-ERROR-CODE when partial, LIFETIME, RESERVATION-TOKEN when the
 * next port was reserved, XOR-MAPPED-ADDRESS. The quota and the relays are
 * released on every failure path.
 */
#ifndef TERN_TURN_ALLOCATE_H
#define TERN_TURN_ALLOCATE_H

#include "turn/turn_error.h"
#include "turn/turn_request.h"

/* Handles an authenticated Allocate request. On success req->alloc is the new allocation
 * (owned by the worker's table) and the response is in req->out. Returns TURN_OK or the
 * failure to answer. Control path (allocates). */
enum turn_fail turn_allocate_handle(struct turn_request *req);

#endif
