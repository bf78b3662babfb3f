/* Listening and relay sockets. Filled by conf/, read by net/ and server.c. */
#ifndef TERN_NET_OPTIONS_H
#define TERN_NET_OPTIONS_H

#include "util/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAX_LISTEN 16
#define NET_MAX_RELAY  8

struct net_options {
    /* Listening IPs (port unused); UDP and TCP are opened on each. */
    struct addr listen_ips[NET_MAX_LISTEN];
    size_t listen_ip_count;
    uint16_t port;                 /* plain STUN/TURN over UDP and TCP, default 3478 */
    bool udp;                      /* listen on UDP, default true */
    bool tcp;                      /* listen on TCP, default true */
    unsigned udp_batch;            /* datagrams per recvmmsg()/sendmmsg(), 1-256, default 32 */
    unsigned tcp_max_conns;        /* TCP connections per worker, default 4096 */
    unsigned tcp_idle_timeout_s;   /* close a TCP connection idle this long, default 300 */
    unsigned tcp_max_conns_per_ip; /* TCP/TLS connections and DTLS sessions per client IP over
                                    * every worker, 0 = unlimited, default 0 */

    /* TLS and DTLS (tls group). With tls_cert NULL neither is offered: a TCP connection opening
     * with a TLS record is closed and DTLS datagrams are dropped. */
    char *tls_cert;                   /* PEM certificate chain (leaf first), or NULL */
    char *tls_key;                    /* PEM private key, or NULL */
    char *tls_ciphers;                /* TLS 1.2 cipher list (OpenSSL syntax), or NULL: default */
    uint16_t tls_port;                /* a second port (UDP and TCP) when TLS is on, 0 = none */
    bool tls_dtls;                    /* accept DTLS 1.2 on the UDP listeners, default true */
    unsigned tls_handshake_timeout_s; /* drop a client not done with its handshake, default 10 */

    /* Relay: addresses relay sockets bind to, and optionally the address advertised for each
     * (for 1:1 NAT); relay_external_ips[i] unset (family 0) means advertise the bound one. */
    struct addr relay_ips[NET_MAX_RELAY];
    struct addr relay_external_ips[NET_MAX_RELAY];
    size_t relay_ip_count;
    uint16_t relay_port_min; /* default 49152 */
    uint16_t relay_port_max; /* default 65535 */
};

#endif
