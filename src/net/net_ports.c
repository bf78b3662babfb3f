#include "net/net_ports.h"

#include "util/crypto.h"
#include "util/xalloc.h"

#include <string.h>

enum net_ports_state {
    NET_PORTS_FREE,
    NET_PORTS_TAKEN,
    NET_PORTS_COOLING,
    NET_PORTS_RESERVED,
};

/* xorshift64*: unpredictable enough once seeded from the system's random source. */
static uint64_t net_ports_random(struct net_ports *p)
{
    p->rng ^= p->rng >> 12;
    p->rng ^= p->rng << 25;
    p->rng ^= p->rng >> 27;
    return p->rng * 0x2545F4914F6CDD1DULL;
}

static size_t net_ports_range(const struct net_ports *p)
{
    return (size_t)p->max - p->min + 1;
}

int net_ports_init(struct net_ports *p, uint16_t min, uint16_t max)
{
    memset(p, 0, sizeof(*p));
    if (min == 0 || min > max) {
        return -1;
    }
    p->min = min;
    p->max = max;
    size_t n = net_ports_range(p);
    p->state = xcalloc(n, sizeof(*p->state));
    p->free = xcalloc(n, sizeof(*p->free));
    p->cooling = xcalloc(n, sizeof(*p->cooling));
    p->cooled_at_ms = xcalloc(n, sizeof(*p->cooled_at_ms));
    for (size_t i = 0; i < n; i++) {
        p->free[i] = (uint16_t)(min + i);
    }
    p->free_count = n;
    if (crypto_random(&p->rng, sizeof(p->rng)) < 0 || p->rng == 0) {
        p->rng = 0x9E3779B97F4A7C15ULL ^ (uintptr_t)p;
    }
    pthread_mutex_init(&p->lock, NULL);
    return 0;
}

void net_ports_fini(struct net_ports *p)
{
    if (p->state == NULL) {
        return;
    }
    pthread_mutex_destroy(&p->lock);
    xfree(&p->state);
    xfree(&p->free);
    xfree(&p->cooling);
    xfree(&p->cooled_at_ms);
}

static enum net_ports_state net_ports_state_of(const struct net_ports *p, uint16_t port)
{
    return (enum net_ports_state)p->state[port - p->min];
}

static void net_ports_set_state(struct net_ports *p, uint16_t port, enum net_ports_state s)
{
    p->state[port - p->min] = (uint8_t)s;
}

/* Moves the ports that have cooled long enough back to the free set; when force, the oldest
 * cooling port moves even if its time has not come (better reused early than refused). */
static void net_ports_warm(struct net_ports *p, uint64_t now_ms, bool force)
{
    size_t n = net_ports_range(p);

    while (p->cool_count > 0) {
        uint16_t port = p->cooling[p->cool_head];
        bool ripe = now_ms - p->cooled_at_ms[p->cool_head] >= NET_PORTS_COOLDOWN_MS;
        if (!ripe && !force) {
            return;
        }
        p->cool_head = (p->cool_head + 1) % n;
        p->cool_count--;
        force = false;
        if (net_ports_state_of(p, port) == NET_PORTS_COOLING) {
            net_ports_set_state(p, port, NET_PORTS_FREE);
            p->free[p->free_count++] = port;
        }
    }
}

/* Puts a taken port at the tail of the cooling queue. The lock is held. */
static void net_ports_release_locked(struct net_ports *p, uint16_t port, uint64_t now_ms)
{
    if (port < p->min || port > p->max || net_ports_state_of(p, port) != NET_PORTS_TAKEN) {
        return;
    }
    size_t tail = (p->cool_head + p->cool_count) % net_ports_range(p);
    p->cooling[tail] = port;
    p->cooled_at_ms[tail] = now_ms;
    p->cool_count++;
    net_ports_set_state(p, port, NET_PORTS_COOLING);
}

/* Drops reservations past their time; their ports cool down like released ones. */
static void net_ports_expire_reservations(struct net_ports *p, uint64_t now_ms)
{
    size_t i = 0;

    while (i < p->reserved_count) {
        if (p->reserved[i].expires_ms > now_ms) {
            i++;
            continue;
        }
        net_ports_set_state(p, p->reserved[i].port, NET_PORTS_TAKEN);
        net_ports_release_locked(p, p->reserved[i].port, now_ms);
        p->reserved[i] = p->reserved[--p->reserved_count];
    }
}

/* Removes free[i] from the free set and marks it taken. */
static uint16_t net_ports_take_index(struct net_ports *p, size_t i)
{
    uint16_t port = p->free[i];

    p->free[i] = p->free[--p->free_count];
    net_ports_set_state(p, port, NET_PORTS_TAKEN);
    return port;
}

/* Finds, from a random start, a free port that is even when even and whose successor is free
 * when pair. Returns its index in free[], or -1. */
static long net_ports_pick(struct net_ports *p, bool even, bool pair)
{
    if (p->free_count == 0) {
        return -1;
    }
    size_t start = (size_t)(net_ports_random(p) % p->free_count);
    for (size_t k = 0; k < p->free_count; k++) {
        size_t i = (start + k) % p->free_count;
        uint16_t port = p->free[i];
        if (even && (port & 1u)) {
            continue;
        }
        if (pair &&
            (port == p->max || net_ports_state_of(p, (uint16_t)(port + 1)) != NET_PORTS_FREE)) {
            continue;
        }
        return (long)i;
    }
    return -1;
}

static void net_ports_prepare(struct net_ports *p, uint64_t now_ms)
{
    net_ports_expire_reservations(p, now_ms);
    net_ports_warm(p, now_ms, false);
    if (p->free_count == 0) {
        net_ports_warm(p, now_ms, true);
    }
}

uint16_t net_ports_take(struct net_ports *p, bool even, uint64_t now_ms)
{
    uint16_t port = 0;

    pthread_mutex_lock(&p->lock);
    net_ports_prepare(p, now_ms);
    long i = net_ports_pick(p, even, false);
    if (i >= 0) {
        port = net_ports_take_index(p, (size_t)i);
    }
    pthread_mutex_unlock(&p->lock);
    return port;
}

/* Removes port from the free set (it must be free). */
static void net_ports_take_port(struct net_ports *p, uint16_t port)
{
    for (size_t i = 0; i < p->free_count; i++) {
        if (p->free[i] == port) {
            (void)net_ports_take_index(p, i);
            return;
        }
    }
}

uint16_t net_ports_take_pair(struct net_ports *p, uint64_t now_ms, uint64_t *token)
{
    uint16_t port = 0;

    pthread_mutex_lock(&p->lock);
    net_ports_prepare(p, now_ms);
    long i = p->reserved_count < NET_PORTS_MAX_RESERVED ? net_ports_pick(p, true, true) : -1;
    if (i >= 0) {
        port = net_ports_take_index(p, (size_t)i);
        uint16_t next = (uint16_t)(port + 1);
        net_ports_take_port(p, next);
        net_ports_set_state(p, next, NET_PORTS_RESERVED);
        struct net_ports_reservation *r = &p->reserved[p->reserved_count++];
        do {
            r->token = net_ports_random(p);
        } while (r->token == 0);
        r->port = next;
        r->expires_ms = now_ms + NET_PORTS_RESERVE_MS;
        *token = r->token;
    }
    pthread_mutex_unlock(&p->lock);
    return port;
}

uint16_t net_ports_claim(struct net_ports *p, uint64_t token, uint64_t now_ms)
{
    uint16_t port = 0;

    pthread_mutex_lock(&p->lock);
    net_ports_expire_reservations(p, now_ms);
    for (size_t i = 0; i < p->reserved_count; i++) {
        if (p->reserved[i].token == token && token != 0) {
            port = p->reserved[i].port;
            net_ports_set_state(p, port, NET_PORTS_TAKEN);
            p->reserved[i] = p->reserved[--p->reserved_count];
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return port;
}

void net_ports_give_back(struct net_ports *p, uint16_t port, uint64_t now_ms)
{
    pthread_mutex_lock(&p->lock);
    net_ports_release_locked(p, port, now_ms);
    pthread_mutex_unlock(&p->lock);
}

bool net_ports_is_taken(struct net_ports *p, uint16_t port)
{
    if (port < p->min || port > p->max) {
        return false;
    }
    pthread_mutex_lock(&p->lock);
    bool taken = net_ports_state_of(p, port) == NET_PORTS_TAKEN;
    pthread_mutex_unlock(&p->lock);
    return taken;
}

size_t net_ports_available(struct net_ports *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->free_count + p->cool_count;
    pthread_mutex_unlock(&p->lock);
    return n;
}
