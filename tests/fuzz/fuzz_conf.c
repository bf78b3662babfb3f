/*
 * Fuzzes the configuration loader: the input, cut at its first NUL, is loaded over the defaults
 * with conf_load_string().
 * Invariants: a refused load leaves the defaults as they were; an accepted one validates, and
 * (when it holds no secret, which prints as a placeholder) its print loads again and prints the
 * same.
 */
#include "conf/conf.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a printed configuration; a larger one skips the round trip. */
#define FUZZ_CONF_PRINT_LEN (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* LeakSanitizer hook, named by the sanitizer. libconfig 1.5 leaks the tokens read before a
 * syntax error (strings in strbuf_append(), names in libconfig_yylex()): not ours to fix, and
 * none of our allocations has libconfig on its stack. */
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

static char fuzz_conf_first[FUZZ_CONF_PRINT_LEN];
static char fuzz_conf_second[FUZZ_CONF_PRINT_LEN];

/* Prints c into buf; returns false when it did not fit. */
static bool fuzz_conf_print(const struct conf *c, char *buf, size_t cap)
{
    FILE *f = fmemopen(buf, cap, "w");

    if (f == NULL) {
        return false;
    }
    conf_print(c, f);
    long n = ftell(f);
    bool fits = n >= 0 && (size_t)n + 1 < cap;
    (void)fclose(f);
    return fits;
}

/* An accepted configuration validates, and one without secrets survives print and load. */
static void fuzz_conf_check_loaded(const struct conf *c)
{
    char err[CONF_ERR_LEN];
    struct conf again;

    if (conf_validate(c, err) != 0) {
        abort();
    }
    if (c->auth.secret_count != 0 || c->auth.user_count != 0 ||
        !fuzz_conf_print(c, fuzz_conf_first, sizeof(fuzz_conf_first))) {
        return;
    }
    conf_init(&again);
    if (conf_load_string(&again, fuzz_conf_first, "printed", err) != 0) {
        abort();
    }
    if (!fuzz_conf_print(&again, fuzz_conf_second, sizeof(fuzz_conf_second)) ||
        strcmp(fuzz_conf_first, fuzz_conf_second) != 0) {
        abort();
    }
    conf_fini(&again);
}

/* A refused configuration leaves the defaults untouched. */
static void fuzz_conf_check_refused(const struct conf *c)
{
    struct conf defaults;

    conf_init(&defaults);
    if (!fuzz_conf_print(&defaults, fuzz_conf_first, sizeof(fuzz_conf_first)) ||
        !fuzz_conf_print(c, fuzz_conf_second, sizeof(fuzz_conf_second)) ||
        strcmp(fuzz_conf_first, fuzz_conf_second) != 0) {
        abort();
    }
    conf_fini(&defaults);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[CONF_ERR_LEN];
    char *text = xmalloc(size + 1);
    struct conf c;

    if (size > 0) {
        memcpy(text, data, size);
    }
    text[size] = '\0';
    conf_init(&c);
    if (conf_load_string(&c, text, "fuzz", err) == 0) {
        fuzz_conf_check_loaded(&c);
    } else {
        fuzz_conf_check_refused(&c);
    }
    conf_fini(&c);
    xfree(&text);
    return 0;
}
