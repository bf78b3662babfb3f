/*
 * Per-worker counters that another thread may read while the worker runs.
 *
 * Each counter has one writer (the worker that owns it), so an increment
 * needs no read-modify-write instruction: a relaxed atomic load, an add in
 * a register and a relaxed atomic store compile to a plain load and store
 * on x86-64 and arm64, with no lock prefix and no fence, yet the reader
 * (the HTTP thread) never sees a torn value and the sanitizers see no data
 * race. fetch_add would be correct too, but costs a locked instruction per
 * packet for a guarantee (several writers) nobody needs.
 *
 * A worker keeps its counters in one block aligned to COUNTER_LINE and
 * allocated with xcalloc_aligned(), so no other thread's data shares its
 * cache lines.
 */
#ifndef TERN_UTIL_COUNTER_H
#define TERN_UTIL_COUNTER_H

#include <stdint.h>

/* The cache line size the counter blocks are aligned to. */
#define COUNTER_LINE 64

/* Sets the counter *p (a uint64_t written by one thread only) to v. */
#define COUNTER_STORE(p, v) __atomic_store_n((p), (uint64_t)(v), __ATOMIC_RELAXED)

/* Adds n to the counter *p (one writer: no locked instruction). */
#define COUNTER_ADD(p, n) COUNTER_STORE((p), __atomic_load_n((p), __ATOMIC_RELAXED) + (uint64_t)(n))

/* Subtracts n from the counter *p (a gauge such as open sockets). */
#define COUNTER_SUB(p, n) COUNTER_STORE((p), __atomic_load_n((p), __ATOMIC_RELAXED) - (uint64_t)(n))

/* Reads the counter *p from any thread (relaxed: no ordering with other counters). */
static inline uint64_t counter_read(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

#endif
