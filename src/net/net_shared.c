#include "net/net_shared.h"

#include "util/xalloc.h"

#include <string.h>

void net_shared_init(struct net_shared *s, const struct net_options *opts, uint32_t max_total,
                     uint32_t max_per_user, uint32_t max_per_ip)
{
    memset(s, 0, sizeof(*s));
    s->opts = opts;
    net_quota_init(&s->quota, max_total, max_per_user, max_per_ip);
    net_quota_init(&s->conns, 0, 0, opts->tcp_max_conns_per_ip);
    pthread_mutex_init(&s->pools_lock, NULL);
}

void net_shared_fini(struct net_shared *s)
{
    for (size_t i = 0; i < s->pool_count; i++) {
        net_ports_fini(&s->pools[i]->ports);
        xfree(&s->pools[i]);
    }
    s->pool_count = 0;
    pthread_mutex_destroy(&s->pools_lock);
    net_quota_fini(&s->quota);
    net_quota_fini(&s->conns);
}

int net_shared_conn_acquire(struct net_shared *s, const struct addr *client)
{
    /* Without a limit nothing is counted, and no lock is taken. */
    if (s->opts->tcp_max_conns_per_ip == 0) {
        return 0;
    }
    return net_quota_acquire(&s->conns, "", client) == 0 ? 1 : -1;
}

void net_shared_conn_release(struct net_shared *s, const struct addr *client)
{
    net_quota_release(&s->conns, "", client);
}

struct net_ports *net_shared_pool(struct net_shared *s, const struct addr *ip)
{
    struct net_ports *found = NULL;

    pthread_mutex_lock(&s->pools_lock);
    for (size_t i = 0; i < s->pool_count && found == NULL; i++) {
        if (addr_equal_ip(&s->pools[i]->ip, ip)) {
            found = &s->pools[i]->ports;
        }
    }
    if (found == NULL && s->pool_count < NET_MAX_POOLS) {
        struct net_pool *p = xcalloc(1, sizeof(*p));
        p->ip = *ip;
        p->ip.port = 0;
        if (net_ports_init(&p->ports, s->opts->relay_port_min, s->opts->relay_port_max) == 0) {
            s->pools[s->pool_count++] = p;
            found = &p->ports;
        } else {
            xfree(&p);
        }
    }
    pthread_mutex_unlock(&s->pools_lock);
    return found;
}

/* The bound relay IP that o advertises as a (1:1 NAT), or a itself. */
static struct addr net_shared_bound_ip(const struct net_options *o, const struct addr *a)
{
    for (size_t i = 0; i < o->relay_ip_count; i++) {
        if (o->relay_external_ips[i].family != 0 && addr_equal_ip(&o->relay_external_ips[i], a)) {
            return o->relay_ips[i];
        }
    }
    return *a;
}

bool net_shared_relay_in_use(void *ctx, const struct addr *a)
{
    struct net_shared *s = ctx;
    struct addr ip = net_shared_bound_ip(s->opts, a);
    struct net_ports *pool = NULL;

    pthread_mutex_lock(&s->pools_lock);
    for (size_t i = 0; i < s->pool_count && pool == NULL; i++) {
        if (addr_equal_ip(&s->pools[i]->ip, &ip)) {
            pool = &s->pools[i]->ports;
        }
    }
    pthread_mutex_unlock(&s->pools_lock);
    return pool != NULL && net_ports_is_taken(pool, a->port);
}

size_t net_shared_ports_available(struct net_shared *s)
{
    size_t n = 0;

    pthread_mutex_lock(&s->pools_lock);
    for (size_t i = 0; i < s->pool_count; i++) {
        n += net_ports_available(&s->pools[i]->ports);
    }
    if (s->pool_count == 0) {
        n = (size_t)s->opts->relay_port_max - s->opts->relay_port_min + 1;
    }
    pthread_mutex_unlock(&s->pools_lock);
    return n;
}
