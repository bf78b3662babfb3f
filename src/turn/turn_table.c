#include "turn/turn_table.h"

#include "util/assert.h"
#include "util/xalloc.h"

#include <string.h>

#define TURN_TABLE_FIRST_BUCKETS 64u

void turn_table_init(struct turn_table *t, uint32_t seed)
{
    t->bucket_count = TURN_TABLE_FIRST_BUCKETS;
    t->buckets = xcalloc(t->bucket_count, sizeof(struct turn_alloc *));
    t->conn_buckets = xcalloc(t->bucket_count, sizeof(struct turn_alloc *));
    t->count = 0;
    t->seed = seed;
}

void turn_table_fini(struct turn_table *t)
{
    xfree(&t->buckets);
    xfree(&t->conn_buckets);
    t->bucket_count = 0;
    t->count = 0;
}

/* Mixes the three parts of a 5-tuple into one hash. Only the client's address needs the keyed
 * hash (SipHash): it is the part a client chooses, so the part a flood of crafted addresses would
 * aim at. The local address is one of the server's own few, mixed in with a multiplication. */
static uint32_t turn_table_hash(const struct turn_table *t, const struct addr *client,
                                const struct addr *local, enum turn_transport transport)
{
    uint32_t h = addr_hash(client, t->seed);
    uint32_t l = 0;

    memcpy(&l, local->ip + (local->family == AF_INET ? 0 : 12), sizeof(l));
    h ^= (l ^ ((uint32_t)local->port << 16)) * 0x85ebca6bu;
    h ^= ((uint32_t)transport + 1u) * 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* A hash of a connection handle: the pointer's bits, mixed with the seed. */
static uint32_t turn_table_hash_conn(const struct turn_table *t, const void *conn)
{
    uint64_t x = (uint64_t)(uintptr_t)conn ^ t->seed;

    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* Allocations whose client talks over a connection (TCP, TLS, or a DTLS session) are also
 * found by it, so that they end when it closes. */
static bool turn_table_has_conn(const struct turn_alloc *a)
{
    return a->transport == TURN_TRANSPORT_TCP || a->transport == TURN_TRANSPORT_TLS ||
           a->transport == TURN_TRANSPORT_DTLS;
}

static size_t turn_table_slot(const struct turn_table *t, const struct turn_alloc *a)
{
    return turn_table_hash(t, &a->client, &a->local, a->transport) & (t->bucket_count - 1);
}

static size_t turn_table_conn_slot(const struct turn_table *t, const void *conn)
{
    return turn_table_hash_conn(t, conn) & (t->bucket_count - 1);
}

struct turn_alloc *turn_table_find(const struct turn_table *t, const struct addr *client,
                                   const struct addr *local, enum turn_transport transport)
{
    size_t slot = turn_table_hash(t, client, local, transport) & (t->bucket_count - 1);

    for (struct turn_alloc *a = t->buckets[slot]; a != NULL; a = a->next) {
        if (turn_alloc_matches(a, client, local, transport)) {
            return a;
        }
    }
    return NULL;
}

struct turn_alloc *turn_table_find_conn(const struct turn_table *t, const void *conn)
{
    for (struct turn_alloc *a = t->conn_buckets[turn_table_conn_slot(t, conn)]; a != NULL;
         a = a->next_conn) {
        if (a->conn == conn) {
            return a;
        }
    }
    return NULL;
}

/* Puts a at the head of its chains. */
static void turn_table_link(struct turn_table *t, struct turn_alloc *a)
{
    size_t slot = turn_table_slot(t, a);

    a->next = t->buckets[slot];
    t->buckets[slot] = a;
    a->next_conn = NULL;
    if (turn_table_has_conn(a)) {
        size_t cslot = turn_table_conn_slot(t, a->conn);

        a->next_conn = t->conn_buckets[cslot];
        t->conn_buckets[cslot] = a;
    }
}

/* Doubles the bucket arrays and rechains every allocation. */
static void turn_table_grow(struct turn_table *t)
{
    struct turn_alloc **old = t->buckets;
    size_t old_count = t->bucket_count;

    xfree(&t->conn_buckets);
    t->bucket_count = old_count * 2;
    t->buckets = xcalloc(t->bucket_count, sizeof(struct turn_alloc *));
    t->conn_buckets = xcalloc(t->bucket_count, sizeof(struct turn_alloc *));
    for (size_t i = 0; i < old_count; i++) {
        struct turn_alloc *a = old[i];

        while (a != NULL) {
            struct turn_alloc *next = a->next;

            turn_table_link(t, a);
            a = next;
        }
    }
    xfree(&old);
}

void turn_table_insert(struct turn_table *t, struct turn_alloc *a)
{
    TERN_ASSERT(turn_table_find(t, &a->client, &a->local, a->transport) == NULL);
    if (t->count >= t->bucket_count) {
        turn_table_grow(t);
    }
    turn_table_link(t, a);
    t->count++;
}

/* Unlinks a from the chain starting at *head, following the link at offset next. */
static void turn_table_unlink(struct turn_alloc **head, struct turn_alloc *a, bool by_conn)
{
    struct turn_alloc **pp = head;

    while (*pp != NULL && *pp != a) {
        pp = by_conn ? &(*pp)->next_conn : &(*pp)->next;
    }
    if (*pp == a) {
        *pp = by_conn ? a->next_conn : a->next;
    }
}

void turn_table_remove(struct turn_table *t, struct turn_alloc *a)
{
    turn_table_unlink(&t->buckets[turn_table_slot(t, a)], a, false);
    if (turn_table_has_conn(a)) {
        turn_table_unlink(&t->conn_buckets[turn_table_conn_slot(t, a->conn)], a, true);
    }
    a->next = NULL;
    a->next_conn = NULL;
    TERN_ASSERT(t->count > 0);
    t->count--;
}

void turn_table_foreach(struct turn_table *t, turn_table_visit_cb cb, void *ctx)
{
    for (size_t i = 0; i < t->bucket_count; i++) {
        struct turn_alloc *a = t->buckets[i];

        while (a != NULL) {
            struct turn_alloc *next = a->next;

            cb(a, ctx);
            a = next;
        }
    }
}
