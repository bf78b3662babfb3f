#include "net/net_quota.h"

#include "util/crypto.h"
#include "util/xalloc.h"

#include <string.h>

enum net_quota_kind {
    NET_QUOTA_USER,
    NET_QUOTA_IP,
};

/* One counted key: a username or an IP address. */
struct net_quota_entry {
    struct net_quota_entry *next;
    uint8_t kind;
    uint32_t count;
    size_t key_len;
    uint8_t key[]; /* key_len bytes */
};

void net_quota_init(struct net_quota *q, uint32_t max_total, uint32_t max_per_user,
                    uint32_t max_per_ip)
{
    memset(q, 0, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    net_quota_set_limits(q, max_total, max_per_user, max_per_ip);
    (void)crypto_random(&q->seed, sizeof(q->seed));
}

void net_quota_fini(struct net_quota *q)
{
    for (size_t i = 0; i < NET_QUOTA_BUCKETS; i++) {
        while (q->buckets[i] != NULL) {
            struct net_quota_entry *e = q->buckets[i];
            q->buckets[i] = e->next;
            xfree(&e);
        }
    }
    pthread_mutex_destroy(&q->lock);
}

void net_quota_set_limits(struct net_quota *q, uint32_t max_total, uint32_t max_per_user,
                          uint32_t max_per_ip)
{
    pthread_mutex_lock(&q->lock);
    q->max_total = max_total;
    q->max_per_user = max_per_user;
    q->max_per_ip = max_per_ip;
    pthread_mutex_unlock(&q->lock);
}

/* FNV-1a over the key, seeded so that clients cannot aim at one bucket. */
static size_t net_quota_bucket(const struct net_quota *q, uint8_t kind, const uint8_t *key,
                               size_t len)
{
    uint32_t h = 2166136261u ^ q->seed ^ kind;

    for (size_t i = 0; i < len; i++) {
        h = (h ^ key[i]) * 16777619u;
    }
    return h % NET_QUOTA_BUCKETS;
}

/* Finds the entry of a key; with create, adds it when absent. */
static struct net_quota_entry *net_quota_find(struct net_quota *q, uint8_t kind, const uint8_t *key,
                                              size_t len, bool create)
{
    size_t b = net_quota_bucket(q, kind, key, len);

    for (struct net_quota_entry *e = q->buckets[b]; e != NULL; e = e->next) {
        if (e->kind == kind && e->key_len == len && memcmp(e->key, key, len) == 0) {
            return e;
        }
    }
    if (!create) {
        return NULL;
    }
    struct net_quota_entry *e = xcalloc(1, sizeof(*e) + len);
    e->kind = kind;
    e->key_len = len;
    memcpy(e->key, key, len);
    e->next = q->buckets[b];
    q->buckets[b] = e;
    return e;
}

/* Removes an entry whose count fell to zero, so the table does not grow with every user seen. */
static void net_quota_drop(struct net_quota *q, struct net_quota_entry *gone)
{
    size_t b = net_quota_bucket(q, gone->kind, gone->key, gone->key_len);

    for (struct net_quota_entry **p = &q->buckets[b]; *p != NULL; p = &(*p)->next) {
        if (*p == gone) {
            *p = gone->next;
            xfree(&gone);
            return;
        }
    }
}

static size_t net_quota_ip_key(const struct addr *client, uint8_t key[17])
{
    struct addr c = addr_canonical(client);

    key[0] = (uint8_t)c.family;
    size_t n = c.family == AF_INET ? 4 : 16;
    memcpy(key + 1, c.ip, n);
    return n + 1;
}

int net_quota_acquire(struct net_quota *q, const char *username, const struct addr *client)
{
    uint8_t ip[17];
    size_t ip_len = net_quota_ip_key(client, ip);
    size_t user_len = strlen(username);
    int rc = 0;

    pthread_mutex_lock(&q->lock);
    struct net_quota_entry *u =
        net_quota_find(q, NET_QUOTA_USER, (const uint8_t *)username, user_len, false);
    struct net_quota_entry *i = net_quota_find(q, NET_QUOTA_IP, ip, ip_len, false);
    if (q->max_total && q->total >= q->max_total) {
        rc = 508;
    } else if ((q->max_per_user && u != NULL && u->count >= q->max_per_user) ||
               (q->max_per_ip && i != NULL && i->count >= q->max_per_ip)) {
        rc = 486;
    } else {
        net_quota_find(q, NET_QUOTA_USER, (const uint8_t *)username, user_len, true)->count++;
        net_quota_find(q, NET_QUOTA_IP, ip, ip_len, true)->count++;
        q->total++;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static void net_quota_decrement(struct net_quota *q, uint8_t kind, const uint8_t *key, size_t len)
{
    struct net_quota_entry *e = net_quota_find(q, kind, key, len, false);

    if (e != NULL && --e->count == 0) {
        net_quota_drop(q, e);
    }
}

void net_quota_release(struct net_quota *q, const char *username, const struct addr *client)
{
    uint8_t ip[17];
    size_t ip_len = net_quota_ip_key(client, ip);

    pthread_mutex_lock(&q->lock);
    net_quota_decrement(q, NET_QUOTA_USER, (const uint8_t *)username, strlen(username));
    net_quota_decrement(q, NET_QUOTA_IP, ip, ip_len);
    if (q->total > 0) {
        q->total--;
    }
    pthread_mutex_unlock(&q->lock);
}

uint32_t net_quota_total(struct net_quota *q)
{
    pthread_mutex_lock(&q->lock);
    uint32_t n = q->total;
    pthread_mutex_unlock(&q->lock);
    return n;
}
