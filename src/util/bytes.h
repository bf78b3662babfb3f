/*
 * Bounds-checked cursors over caller buffers, in network byte order. A read
 * past the end or a write past the capacity sets the sticky error flag and
 * yields zeros / writes nothing, so a codec can do a run of reads and check
 * once. Header-only: the codecs call these per attribute.
 */
#ifndef TERN_UTIL_BYTES_H
#define TERN_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool failed;
};

struct bytes_writer {
    uint8_t *data;
    size_t cap;
    size_t pos;
    bool failed;
};

static inline void bytes_reader_init(struct bytes_reader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->failed = false;
}

static inline size_t bytes_reader_left(const struct bytes_reader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and fails) if fewer remain. */
static inline const uint8_t *bytes_read_span(struct bytes_reader *r, size_t n)
{
    if (r->failed || r->len - r->pos < n) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

static inline uint8_t bytes_read_u8(struct bytes_reader *r)
{
    const uint8_t *p = bytes_read_span(r, 1);

    return p ? p[0] : 0;
}

static inline uint16_t bytes_read_u16(struct bytes_reader *r)
{
    const uint8_t *p = bytes_read_span(r, 2);

    return (uint16_t)(p ? (p[0] << 8) | p[1] : 0);
}

static inline uint32_t bytes_read_u32(struct bytes_reader *r)
{
    const uint8_t *p = bytes_read_span(r, 4);

    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3] : 0;
}

static inline void bytes_writer_init(struct bytes_writer *w, uint8_t *data, size_t cap)
{
    w->data = data;
    w->cap = cap;
    w->pos = 0;
    w->failed = false;
}

/* Reserves n bytes and returns them for the caller to fill, or NULL (and fails). */
static inline uint8_t *bytes_write_span(struct bytes_writer *w, size_t n)
{
    if (w->failed || w->cap - w->pos < n) {
        w->failed = true;
        return NULL;
    }
    uint8_t *p = w->data + w->pos;
    w->pos += n;
    return p;
}

static inline void bytes_write_u8(struct bytes_writer *w, uint8_t v)
{
    uint8_t *p = bytes_write_span(w, 1);

    if (p) {
        p[0] = v;
    }
}

static inline void bytes_write_u16(struct bytes_writer *w, uint16_t v)
{
    uint8_t *p = bytes_write_span(w, 2);

    if (p) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
}

static inline void bytes_write_u32(struct bytes_writer *w, uint32_t v)
{
    uint8_t *p = bytes_write_span(w, 4);

    if (p) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
    }
}

static inline void bytes_write_mem(struct bytes_writer *w, const void *src, size_t n)
{
    uint8_t *p = bytes_write_span(w, n);

    if (p && n) {
        memcpy(p, src, n);
    }
}

/* Big-endian loads and stores on raw pointers the caller has bounds-checked. */
static inline uint16_t bytes_get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t bytes_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void bytes_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void bytes_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
