/*
 * The relay port pool of one relay address (RFC 8656 section 7.2): ports
 * are drawn at random from what is free in the configured range, a port
 * given back cools down before it is drawn again (so a late packet for an
 * old allocation cannot reach a new one), and EVEN-PORT's R bit reserves
 * the next port under a random token for about 30 seconds. Allocations are
 * made on every worker, so the pool locks; it is on the Allocate path,
 * never on the packet path.
 */
#ifndef TERN_NET_PORTS_H
#define TERN_NET_PORTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long a released port waits before it is drawn again, unless nothing else is free. */
#define NET_PORTS_COOLDOWN_MS 60000u
/* RFC 8656 section 7.2: a reserved port is kept about 30 seconds. */
#define NET_PORTS_RESERVE_MS   30000u
#define NET_PORTS_MAX_RESERVED 256

struct net_ports_reservation {
    uint64_t token;
    uint64_t expires_ms;
    uint16_t port;
};

struct net_ports {
    pthread_mutex_t lock;
    uint16_t min;
    uint16_t max;
    uint8_t *state; /* per port of the range: enum net_ports_state */
    uint16_t *free; /* ports free now, in no order */
    size_t free_count;
    uint16_t *cooling;      /* a FIFO ring of released ports ... */
    uint64_t *cooled_at_ms; /* ... and when each one was released */
    size_t cool_head;
    size_t cool_count;
    struct net_ports_reservation reserved[NET_PORTS_MAX_RESERVED];
    size_t reserved_count;
    uint64_t rng;
};

/* Fills the pool with every port of [min, max]. Returns 0, or -1 when min > max. */
int net_ports_init(struct net_ports *p, uint16_t min, uint16_t max);

/* Releases what the pool owns. */
void net_ports_fini(struct net_ports *p);

/* Takes a random free port (an even one when even). Returns the port, or 0 when none is left. */
uint16_t net_ports_take(struct net_ports *p, bool even, uint64_t now_ms);

/* Takes a random even port whose successor is free too, and reserves the successor under a new
 * token written to *token. Returns the even port, or 0 when no such pair is free. */
uint16_t net_ports_take_pair(struct net_ports *p, uint64_t now_ms, uint64_t *token);

/* Claims the port reserved under token. Returns it, or 0 when the token is unknown or expired. */
uint16_t net_ports_claim(struct net_ports *p, uint64_t token, uint64_t now_ms);

/* Gives a taken port back; it cools down before it is drawn again. */
void net_ports_give_back(struct net_ports *p, uint16_t port, uint64_t now_ms);

/* True when port is in the range and taken by an allocation now. */
bool net_ports_is_taken(struct net_ports *p, uint16_t port);

/* The number of ports free or cooling (not taken, not reserved). */
size_t net_ports_available(struct net_ports *p);

#endif
