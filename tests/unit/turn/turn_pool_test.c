/* The object pool: zeroed objects, distinct addresses, slabs reused and freed. */
#include "tap.h"
#include "turn/turn_pool.h"

#include <stdint.h>
#include <string.h>

#define OBJ_SIZE 200
#define MANY     2000

static void *objs[MANY];

/* True when no two of objs[0..n) overlap (each is size bytes). */
static int disjoint(size_t n, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            uintptr_t a = (uintptr_t)objs[i];
            uintptr_t b = (uintptr_t)objs[j];
            if ((a < b && a + size > b) || (b < a && b + size > a) || a == b) {
                return 0;
            }
        }
    }
    return 1;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++) {
        if (c[i] != 0) {
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    struct turn_pool pool;
    int zero = 1;

    turn_pool_init(&pool, OBJ_SIZE - 3);
    TAP_EQ_INT(pool.size, 208, "the object size is rounded up to 16 bytes");
    TAP_CHECK(pool.per_slab > 300 && pool.per_slab * pool.size <= TURN_POOL_SLAB_BYTES,
              "a slab holds as many objects as fit in it");
    for (size_t i = 0; i < MANY; i++) {
        objs[i] = turn_pool_get(&pool);
        zero &= all_zero(objs[i], pool.size);
        memset(objs[i], 0xab, pool.size);
    }
    TAP_CHECK(zero, "every object comes zeroed");
    TAP_EQ_INT(pool.live, MANY, "live counts what was handed out");
    TAP_CHECK(disjoint(MANY, pool.size), "no two objects overlap");
    for (size_t i = 0; i < MANY; i += 2) {
        turn_pool_put(&pool, objs[i]);
    }
    TAP_EQ_INT(pool.live, MANY / 2, "live falls as objects come back");
    zero = 1;
    for (size_t i = 0; i < MANY; i += 2) {
        objs[i] = turn_pool_get(&pool);
        zero &= all_zero(objs[i], pool.size);
    }
    TAP_CHECK(zero, "a reused object comes zeroed too");
    TAP_CHECK(disjoint(MANY, pool.size), "reused objects overlap no live one");
    for (size_t i = 0; i < MANY; i++) {
        turn_pool_put(&pool, objs[i]);
    }
    TAP_EQ_INT(pool.live, 0, "every object back");
    TAP_CHECK(pool.slabs == NULL, "every emptied slab left the list");
    TAP_CHECK(pool.spare != NULL, "one empty slab is kept for the next burst");
    objs[0] = turn_pool_get(&pool);
    TAP_CHECK(pool.spare == NULL && pool.slabs != NULL, "the next object comes from the spare");
    turn_pool_put(&pool, NULL);
    TAP_EQ_INT(pool.live, 1, "putting NULL is a no-op");
    turn_pool_fini(&pool);
    TAP_EQ_INT(pool.live, 0, "fini forgets everything");
    return tap_done();
}
