/*
 * The body of an HTTP response being built: a growable text buffer with a
 * ceiling fixed at creation. Control path only (the HTTP thread).
 */
#ifndef TERN_HTTP_BODY_H
#define TERN_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>

struct http_body {
    char *data; /* owned, NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    size_t max;    /* the ceiling: the body never grows past it */
    bool overflow; /* an append did not fit under the ceiling and was dropped */
};

/* Starts an empty body that may grow to max bytes. Release it with http_body_fini(). */
void http_body_init(struct http_body *b, size_t max);

/* Releases what b owns and leaves it empty. */
void http_body_fini(struct http_body *b);

/* Appends printf output. Past the ceiling the text is dropped and b->overflow set. */
void http_body_printf(struct http_body *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends s as a JSON string, quotes included, escaping '"', '\\', control characters and bytes
 * above 0x7e as \u00XX. */
void http_body_json_string(struct http_body *b, const char *s);

#endif
