/*
 * A pool of fixed-size objects carved from 64 KiB slabs, for what every
 * allocation holds for its whole life (struct turn_alloc, the relay socket's
 * state).
 *
 * Why: each allocation also makes the event library keep a small block per
 * descriptor for good. Taken from the general heap, an allocation's objects
 * sit between those blocks, so once the allocations end no whole page is
 * free and the memory cannot go back to the system. From slabs, the objects
 * of many allocations share whole pages; a slab that empties is freed whole
 * (one empty slab is kept for the next burst), and those pages can go back.
 *
 * One thread at a time: a pool belongs to one worker. Control path only.
 */
#ifndef TERN_TURN_POOL_H
#define TERN_TURN_POOL_H

#include <stddef.h>

#define TURN_POOL_SLAB_BYTES 65536u

struct turn_pool_slab;

struct turn_pool {
    size_t size;                  /* object size, rounded up to 16 bytes */
    size_t per_slab;              /* objects in one slab */
    struct turn_pool_slab *slabs; /* every slab, those with a free object first */
    struct turn_pool_slab *spare; /* an empty slab kept for the next burst, or NULL */
    size_t live;                  /* objects handed out */
};

/* Prepares a pool of objects of size bytes (at most a quarter of a slab). */
void turn_pool_init(struct turn_pool *p, size_t size);

/* Frees every slab. Objects still handed out are gone with them. */
void turn_pool_fini(struct turn_pool *p);

/* Returns a zeroed object (never NULL). */
void *turn_pool_get(struct turn_pool *p);

/* Gives obj (from turn_pool_get of p) back. NULL is a no-op. */
void turn_pool_put(struct turn_pool *p, void *obj);

#endif
