#include "turn/turn_pool.h"

#include "util/assert.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* A free object holds the link to the next free one of its slab. */
struct turn_pool_free {
    struct turn_pool_free *next;
};

/* The head of a slab; its objects follow, up to TURN_POOL_SLAB_BYTES. Slabs are aligned on their
 * size, so an object finds its slab by masking its address. */
struct turn_pool_slab {
    struct turn_pool_slab *next;
    struct turn_pool_slab *prev;
    struct turn_pool_free *free;
    size_t used;
    _Alignas(16) unsigned char objects[];
};

void turn_pool_init(struct turn_pool *p, size_t size)
{
    memset(p, 0, sizeof(*p));
    p->size = (size + 15u) & ~(size_t)15u;
    if (p->size < sizeof(struct turn_pool_free)) {
        p->size = 16;
    }
    TERN_ASSERT(p->size <= TURN_POOL_SLAB_BYTES / 4);
    p->per_slab = (TURN_POOL_SLAB_BYTES - sizeof(struct turn_pool_slab)) / p->size;
}

static void turn_pool_unlink(struct turn_pool *p, struct turn_pool_slab *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        p->slabs = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->next = NULL;
    s->prev = NULL;
}

static void turn_pool_push_front(struct turn_pool *p, struct turn_pool_slab *s)
{
    s->prev = NULL;
    s->next = p->slabs;
    if (p->slabs != NULL) {
        p->slabs->prev = s;
    }
    p->slabs = s;
}

void turn_pool_fini(struct turn_pool *p)
{
    while (p->slabs != NULL) {
        struct turn_pool_slab *s = p->slabs;
        turn_pool_unlink(p, s);
        xfree(&s);
    }
    xfree(&p->spare);
    p->live = 0;
}

/* A slab with every object free, threaded on its free list. */
static struct turn_pool_slab *turn_pool_slab_new(const struct turn_pool *p)
{
    struct turn_pool_slab *s = xcalloc_aligned(TURN_POOL_SLAB_BYTES, TURN_POOL_SLAB_BYTES);

    for (size_t i = p->per_slab; i > 0; i--) {
        struct turn_pool_free *f =
            (struct turn_pool_free *)(void *)(s->objects + (i - 1) * p->size);
        f->next = s->free;
        s->free = f;
    }
    return s;
}

void *turn_pool_get(struct turn_pool *p)
{
    struct turn_pool_slab *s = p->slabs;

    if (s == NULL || s->free == NULL) {
        s = p->spare != NULL ? p->spare : turn_pool_slab_new(p);
        p->spare = NULL;
        turn_pool_push_front(p, s);
    }
    struct turn_pool_free *f = s->free;
    s->free = f->next;
    s->used++;
    p->live++;
    if (s->free == NULL && s->next != NULL && s->next->free != NULL) {
        /* Full: behind the slabs that still have room. */
        turn_pool_unlink(p, s);
        struct turn_pool_slab *last = p->slabs;
        while (last->next != NULL) {
            last = last->next;
        }
        last->next = s;
        s->prev = last;
    }
    memset(f, 0, p->size);
    return f;
}

void turn_pool_put(struct turn_pool *p, void *obj)
{
    if (obj == NULL) {
        return;
    }
    struct turn_pool_slab *s =
        (struct turn_pool_slab *)(void *)((uintptr_t)obj & ~(uintptr_t)(TURN_POOL_SLAB_BYTES - 1));
    struct turn_pool_free *f = obj;
    bool was_full = s->free == NULL;

    f->next = s->free;
    s->free = f;
    s->used--;
    p->live--;
    if (s->used == 0) {
        turn_pool_unlink(p, s);
        if (p->spare == NULL) {
            p->spare = s;
        } else {
            xfree(&s);
        }
    } else if (was_full && s != p->slabs) {
        turn_pool_unlink(p, s); /* room again: to the front */
        turn_pool_push_front(p, s);
    }
}
