/*
 * Heap allocation for the control path. Every function aborts the process
 * on out-of-memory (redis, h2o): a server that cannot allocate a config
 * snapshot has no sensible way on. The data path never allocates.
 */
#ifndef TERN_UTIL_XALLOC_H
#define TERN_UTIL_XALLOC_H

#include <stddef.h>

/* Returns an owned block of n bytes (uninitialised); never NULL. */
void *xmalloc(size_t n);

/* Returns an owned zeroed array of count * size bytes; never NULL. Aborts on overflow. */
void *xcalloc(size_t count, size_t size);

/* Returns an owned zeroed block of size bytes whose address is a multiple of align (a power of
 * two, at least sizeof(void *)); release it with xfree(). Never NULL. */
void *xcalloc_aligned(size_t align, size_t size);

/* Resizes an owned block (p may be NULL); returns the new block, never NULL. */
void *xrealloc(void *p, size_t n);

/* Returns an owned copy of the NUL-terminated string s; never NULL. */
char *xstrdup(const char *s);

/* Releases *pp (NULL is a no-op) and sets *pp to NULL. Use as xfree(&p). */
void xfree_ptr(void **pp);
#define xfree(pp) xfree_ptr((void **)(pp))

#endif
