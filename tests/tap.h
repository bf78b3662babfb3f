/*
 * A minimal TAP producer for unit tests. Each check prints one "ok" or
 * "not ok" line; tap_done() prints the plan and returns the exit status.
 *
 *   TAP_CHECK(stun_msg_decode(...) == 20, "decodes the RFC 5769 request");
 *   return tap_done();
 */
#ifndef TERN_TESTS_TAP_H
#define TERN_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failures;

__attribute__((format(printf, 4, 5), unused)) static bool
tap_check_at(bool ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    tap_count++;
    printf("%sok %d - ", ok ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) {
        tap_failures++;
        printf("# failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return ok;
}

#define TAP_CHECK(cond, ...) tap_check_at((cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 5, 6), unused)) static bool
tap_eq_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    bool ok = got == want;

    tap_count++;
    printf("%sok %d - ", ok ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) {
        tap_failures++;
        printf("# failed at %s:%d\n#   got %lld, want %lld\n", file, line, got, want);
    }
    fflush(stdout);
    return ok;
}

/* Checks two integers for equality and shows both on failure. */
#define TAP_EQ_INT(got, want, ...)                                                                 \
    tap_eq_int_at((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)

/* Checks two byte strings for equality. */
#define TAP_EQ_MEM(got, want, len, ...) TAP_CHECK(memcmp((got), (want), (len)) == 0, __VA_ARGS__)

__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failures == 0 && tap_count > 0 ? 0 : 1;
}

#endif
