#include "tap.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <string.h>

static void xalloc_test_free(void)
{
    char *p = xmalloc(16);
    char *none = NULL;

    memset(p, 'a', 16);
    TAP_CHECK(p[15] == 'a', "xmalloc returns 16 writable bytes");
    xfree(&p);
    TAP_CHECK(p == NULL, "xfree nulls the pointer");
    xfree(&p);
    TAP_CHECK(p == NULL, "xfree twice through the nulled pointer is harmless");
    xfree(&none);
    TAP_CHECK(none == NULL, "xfree of a NULL pointer is a no-op");
    xfree_ptr(NULL);
    TAP_CHECK(true, "xfree_ptr(NULL) returns");
}

static void xalloc_test_strdup(void)
{
    const char *orig = "stun.turn";
    char *copy = xstrdup(orig);

    TAP_CHECK(copy != orig, "xstrdup returns a new block");
    TAP_CHECK(strcmp(copy, orig) == 0, "xstrdup copies the characters");
    copy[0] = 'S';
    TAP_CHECK(orig[0] == 's', "the copy is independent");
    xfree(&copy);

    char *empty = xstrdup("");
    TAP_CHECK(empty[0] == '\0', "xstrdup of the empty string");
    xfree(&empty);
}

static void xalloc_test_calloc_realloc(void)
{
    uint32_t *v = xcalloc(64, sizeof(*v));
    int nonzero = 0;

    for (size_t i = 0; i < 64; i++) {
        nonzero += v[i] != 0;
        v[i] = (uint32_t)i;
    }
    TAP_EQ_INT(nonzero, 0, "xcalloc zeroes");
    v = xrealloc(v, 1024 * sizeof(*v));
    TAP_EQ_INT(v[63], 63, "xrealloc keeps the contents");
    v[1023] = 7;
    xfree(&v);
    TAP_CHECK(v == NULL, "xfree nulls a typed pointer");

    void *zero = xmalloc(0);
    TAP_CHECK(zero != NULL, "xmalloc(0) is not NULL");
    xfree(&zero);
    void *grown = xrealloc(NULL, 8);
    TAP_CHECK(grown != NULL, "xrealloc(NULL) allocates");
    xfree(&grown);
}

static void xalloc_test_aligned(void)
{
    uint8_t *p = xcalloc_aligned(64, 100);
    int nonzero = 0;

    TAP_CHECK(((uintptr_t)p % 64) == 0, "xcalloc_aligned aligns");
    for (size_t i = 0; i < 100; i++) {
        nonzero += p[i] != 0;
    }
    TAP_EQ_INT(nonzero, 0, "xcalloc_aligned zeroes");
    xfree(&p);
    TAP_CHECK(p == NULL, "xfree releases an aligned block");
}

int main(void)
{
    xalloc_test_aligned();
    xalloc_test_free();
    xalloc_test_strdup();
    xalloc_test_calloc_realloc();
    return tap_done();
}
