/*
 * The allocations of one worker, keyed by 5-tuple (RFC 8656 section 2.2:
 * the 5-tuple of client address, server address and transport identifies
 * an allocation). A chained hash table with a seeded hash, so that an
 * outsider cannot choose addresses that pile into one chain:
 *
 *     buckets[hash(client, local, transport) & mask] -> a -> a -> NULL
 *     conn_buckets[hash(conn) & mask]                -> a -> NULL  (TCP/TLS)
 *
 * Lookups are O(1) on the packet path; growth (doubling when there are as
 * many allocations as buckets) happens on insert, on the control path.
 * Allocations of stream clients are also chained by connection handle, so
 * a closing connection finds its allocations without a scan.
 */
#ifndef TERN_TURN_TABLE_H
#define TERN_TURN_TABLE_H

#include "turn/turn_alloc.h"

#include <stddef.h>
#include <stdint.h>

struct turn_table {
    struct turn_alloc **buckets;      /* owned array of bucket_count chains */
    struct turn_alloc **conn_buckets; /* owned array of bucket_count chains */
    size_t bucket_count;              /* a power of two */
    size_t count;
    uint32_t seed;
};

/* Visits one allocation; it may remove a from the table (and free it). */
typedef void (*turn_table_visit_cb)(struct turn_alloc *a, void *ctx);

/* Prepares an empty table whose hashes are keyed by seed. Control path (allocates). */
void turn_table_init(struct turn_table *t, uint32_t seed);

/* Releases the table's arrays; the allocations still in it are not freed (end them first). */
void turn_table_fini(struct turn_table *t);

/* The allocation of the 5-tuple, or NULL. Never allocates. */
struct turn_alloc *turn_table_find(const struct turn_table *t, const struct addr *client,
                                   const struct addr *local, enum turn_transport transport);

/* An allocation of a stream client whose connection handle is conn, or NULL. */
struct turn_alloc *turn_table_find_conn(const struct turn_table *t, const void *conn);

/* Adds a, which must not be in the table and whose 5-tuple must be free. The table borrows a.
 * Control path: may grow the table. */
void turn_table_insert(struct turn_table *t, struct turn_alloc *a);

/* Takes a out of the table (it is not freed). */
void turn_table_remove(struct turn_table *t, struct turn_alloc *a);

/* Calls cb on every allocation; cb may remove the one it is given. */
void turn_table_foreach(struct turn_table *t, turn_table_visit_cb cb, void *ctx);

#endif
