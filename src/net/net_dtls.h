/*
 * DTLS 1.2 sessions on the shared UDP listeners of a worker. A datagram
 * whose first byte is 20-63 (RFC 7983) is DTLS. From a client without a
 * session it goes to DTLSv1_listen() on one reusable SSL of the worker,
 * which answers a ClientHello with a HelloVerifyRequest carrying an HMAC
 * cookie of the client's address and keeps nothing; only a ClientHello
 * echoing a valid cookie creates a session. Sessions are keyed by the
 * client and local addresses, belong to the worker, and decrypt to STUN
 * messages and ChannelData that go to the protocol core like UDP
 * datagrams; what the core sends back is encrypted to the client.
 *
 *   datagram --> [session for (client, local)?] --yes--> SSL_read --> turn_handle_*
 *                      | no                                             |
 *                      v                                             SSL_write --> sendmsg
 *                DTLSv1_listen (cookie) --valid--> new session, handshake
 *
 * A session ends on close_notify, a fatal alert, an idle timeout, or a
 * handshake not done in time; its allocation ends with it.
 */
#ifndef TERN_NET_DTLS_H
#define TERN_NET_DTLS_H

#include "turn/turn_handle.h"

#include <stddef.h>
#include <stdint.h>

struct net_worker;
struct net_udp;
struct net_dtls;
struct net_dtls_session;

/* Creates the DTLS state of worker w (borrowed; outlives it). Sessions are only made once w->tls
 * has a DTLS context. Returns an owned object (never NULL). */
struct net_dtls *net_dtls_new(struct net_worker *w);

/* Ends every session (and its allocation) and frees d. NULL is a no-op. */
void net_dtls_free(struct net_dtls *d);

/* Called on the worker's thread after w->tls changed: new handshakes use the new context,
 * sessions up keep theirs. */
void net_dtls_tls_changed(struct net_dtls *d);

/* Handles a DTLS datagram of len bytes that arrived on u from info->client to info->local.
 * Returns 0 when it was taken (even if only answered with a cookie), or -1 when dropped. */
int net_dtls_input(struct net_dtls *d, struct net_udp *u, const struct turn_packet_info *info,
                   const uint8_t *data, size_t len);

/* Encrypts len bytes for the client of session s (a message of the protocol core). Returns 0,
 * or -1 when the session cannot send (counted as dropped). */
int net_dtls_session_send(struct net_dtls_session *s, const void *data, size_t len);

#endif
