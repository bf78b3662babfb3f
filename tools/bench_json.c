#include "bench_json.h"

#include <math.h>
#include <string.h>

void bench_json_init(struct bench_json *j, FILE *out)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    (void)fputc('{', out);
}

void bench_json_finish(struct bench_json *j)
{
    while (j->depth > 0 || j->skipped > 0) {
        bench_json_close(j);
    }
    (void)fputs("}\n", j->out);
    (void)fflush(j->out);
}

/* Writes s as a JSON string: quotes, backslashes and control characters escaped. */
static void bench_json_quoted(FILE *out, const char *s)
{
    (void)fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            (void)fputc('\\', out);
            (void)fputc(*p, out);
        } else if (*p < 0x20) {
            (void)fprintf(out, "\\u%04x", (unsigned)*p);
        } else {
            (void)fputc(*p, out);
        }
    }
    (void)fputc('"', out);
}

/* Writes the comma (when due) and the key of the next member. */
static void bench_json_key(struct bench_json *j, const char *key)
{
    if (j->has_member[j->depth]) {
        (void)fputs(", ", j->out);
    }
    j->has_member[j->depth] = true;
    bench_json_quoted(j->out, key);
    (void)fputs(": ", j->out);
}

void bench_json_open(struct bench_json *j, const char *key)
{
    if (j->skipped > 0 || j->depth + 1 >= BENCH_JSON_MAX_DEPTH) {
        j->skipped++;
        return;
    }
    bench_json_key(j, key);
    (void)fputc('{', j->out);
    j->depth++;
    j->has_member[j->depth] = false;
}

void bench_json_close(struct bench_json *j)
{
    if (j->skipped > 0) {
        j->skipped--;
        return;
    }
    if (j->depth == 0) {
        return;
    }
    j->depth--;
    (void)fputc('}', j->out);
}

void bench_json_u64(struct bench_json *j, const char *key, uint64_t v)
{
    if (j->skipped > 0) {
        return;
    }
    bench_json_key(j, key);
    (void)fprintf(j->out, "%llu", (unsigned long long)v);
}

void bench_json_num(struct bench_json *j, const char *key, double v)
{
    if (j->skipped > 0) {
        return;
    }
    bench_json_key(j, key);
    if (isfinite(v)) {
        (void)fprintf(j->out, "%.10g", v);
    } else {
        (void)fputs("null", j->out);
    }
}

void bench_json_str(struct bench_json *j, const char *key, const char *s)
{
    if (j->skipped > 0) {
        return;
    }
    bench_json_key(j, key);
    bench_json_quoted(j->out, s);
}

void bench_json_bool(struct bench_json *j, const char *key, bool v)
{
    if (j->skipped > 0) {
        return;
    }
    bench_json_key(j, key);
    (void)fputs(v ? "true" : "false", j->out);
}

void bench_json_null(struct bench_json *j, const char *key)
{
    if (j->skipped > 0) {
        return;
    }
    bench_json_key(j, key);
    (void)fputs("null", j->out);
}
