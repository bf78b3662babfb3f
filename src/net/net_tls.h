/*
 * TLS and DTLS server contexts built from the configured certificate and
 * key. One struct net_tls holds an SSL_CTX for TLS 1.2/1.3 over TCP and,
 * when DTLS is on, one for DTLS 1.2 over UDP. It is reference counted:
 * every worker holds one reference, and each SSL made from it holds its
 * SSL_CTX, so a reload can build a new one and hand it to the workers
 * while the connections made from the old one finish on it.
 *
 * DTLS cookies (RFC 6347 section 4.2.1) are an HMAC of the client's
 * address and a time slot under a per-worker secret: the server keeps
 * nothing for a client until it echoes a valid cookie.
 */
#ifndef TERN_NET_TLS_H
#define TERN_NET_TLS_H

#include "net/net_options.h"
#include "net/net_socket.h"
#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ssl_st SSL;

/* The ALPN protocol of TURN (RFC 7443), as it travels: a length byte, then the name. */
#define NET_TLS_ALPN     "\x09stun.turn"
#define NET_TLS_ALPN_LEN 10

#define NET_TLS_COOKIE_SECRET_LEN 32

struct net_tls;

/* What the DTLS cookie callbacks read from an SSL's app data (SSL_set_app_data()): the
 * secret of the worker and the address of the client whose datagram is being handled. */
struct net_tls_cookie_ctx {
    uint8_t secret[NET_TLS_COOKIE_SECRET_LEN];
    struct addr client;
};

/* Builds the contexts from o->tls_cert, o->tls_key and o->tls_ciphers (and a DTLS one when
 * o->tls_dtls). Returns an owned object with one reference, or NULL with err set to the file
 * and OpenSSL's reason. o is only read during the call. */
struct net_tls *net_tls_new(const struct net_options *o, char err[NET_ERR_LEN]);

/* Takes one more reference on t (any thread). Returns t. */
struct net_tls *net_tls_hold(struct net_tls *t);

/* Drops one reference (any thread); the last frees the contexts, which live on inside the SSL
 * objects still using them. NULL is a no-op. */
void net_tls_release(struct net_tls *t);

/* True when t has a DTLS context. */
bool net_tls_has_dtls(const struct net_tls *t);

/* Returns a new server-side SSL from t's TLS context (datagram false) or DTLS context (true),
 * owned by the caller (SSL_free()); NULL when that context is missing or OpenSSL fails. */
SSL *net_tls_ssl_new(struct net_tls *t, bool datagram);

/* The subject of t's certificate in one line, for logs. */
const char *net_tls_subject(const struct net_tls *t);

#endif
