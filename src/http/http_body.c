#include "http/http_body.h"

#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The first allocation of a body. */
#define HTTP_BODY_FIRST 4096

void http_body_init(struct http_body *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void http_body_fini(struct http_body *b)
{
    xfree(&b->data);
    b->len = 0;
    b->cap = 0;
}

/* Makes room for need more bytes and the NUL. Returns 0, or -1 past the ceiling. */
static int http_body_reserve(struct http_body *b, size_t need)
{
    if (need > b->max || b->len > b->max - need) {
        b->overflow = true;
        return -1;
    }
    if (b->len + need + 1 <= b->cap) {
        return 0;
    }
    size_t cap = b->cap ? b->cap : HTTP_BODY_FIRST;

    while (cap < b->len + need + 1) {
        cap *= 2;
    }
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

void http_body_printf(struct http_body *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0 || http_body_reserve(b, (size_t)n) < 0) {
        return;
    }
    if ((size_t)n < sizeof(small)) {
        memcpy(b->data + b->len, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void http_body_json_string(struct http_body *b, const char *s)
{
    http_body_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            http_body_printf(b, "\\%c", *p);
        } else if (*p < 0x20 || *p > 0x7e) {
            http_body_printf(b, "\\u%04x", (unsigned)*p);
        } else {
            http_body_printf(b, "%c", *p);
        }
    }
    http_body_printf(b, "\"");
}
