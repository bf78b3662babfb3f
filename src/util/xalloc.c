#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void xalloc_die(size_t n)
{
    (void)fprintf(stderr, "ternd: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        xalloc_die(n);
    }
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (p == NULL) {
        xalloc_die(count * size);
    }
    return p;
}

void *xcalloc_aligned(size_t align, size_t size)
{
    /* aligned_alloc() wants a size that is a multiple of the alignment. */
    size_t n = (size + align - 1) / align * align;
    void *p = aligned_alloc(align, n ? n : align);

    if (p == NULL) {
        xalloc_die(n);
    }
    memset(p, 0, n ? n : align);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL) {
        xalloc_die(n);
    }
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);

    memcpy(p, s, n);
    return p;
}

void xfree_ptr(void **pp)
{
    if (pp == NULL) {
        return;
    }
    free(*pp);
    *pp = NULL;
}
