/*
 * Invariant checks (haproxy BUG_ON). TERN_ASSERT() is for conditions the
 * code itself guarantees; it is never used on input from the network or the
 * configuration, where a bad value is an error to report, not a crash.
 * It is compiled in when configure was given --enable-asserts or sanitizers.
 */
#ifndef TERN_UTIL_ASSERT_H
#define TERN_UTIL_ASSERT_H

#include "config.h"

#ifdef TERN_ASSERTS
#include <stdio.h>
#include <stdlib.h>
#define TERN_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            (void)fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#else
#define TERN_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

#define TERN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
