/*
 * tern-bench: a small writer of one JSON object on one line. Keys and
 * values are written in the order given; nesting is bounded by
 * BENCH_JSON_MAX_DEPTH (deeper opens are ignored, so the output stays
 * balanced).
 */
#ifndef TERN_TOOLS_BENCH_JSON_H
#define TERN_TOOLS_BENCH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_JSON_MAX_DEPTH 8

struct bench_json {
    FILE *out; /* borrowed */
    unsigned depth;
    unsigned skipped;                      /* opens past the depth limit, not written */
    bool has_member[BENCH_JSON_MAX_DEPTH]; /* a comma is due before the next member */
};

/* Starts the top-level object on out. */
void bench_json_init(struct bench_json *j, FILE *out);

/* Ends the top-level object and the line. */
void bench_json_finish(struct bench_json *j);

/* Opens a nested object under key; close it with bench_json_close(). */
void bench_json_open(struct bench_json *j, const char *key);
void bench_json_close(struct bench_json *j);

/* Members. A number that is not finite is written as null. */
void bench_json_u64(struct bench_json *j, const char *key, uint64_t v);
void bench_json_num(struct bench_json *j, const char *key, double v);
void bench_json_str(struct bench_json *j, const char *key, const char *s);
void bench_json_bool(struct bench_json *j, const char *key, bool v);
void bench_json_null(struct bench_json *j, const char *key);

#endif
