/*
 * Usage records as the usage stream and the journal hold them: an ordered
 * list of fields, written as one line of text
 *
 *     id=node1-1764300000123-42 username=1764300000:alice bytes_to_peer=1200 ...\n
 *
 * Keys are 1 to 32 bytes of [a-z0-9_]; values are percent-escaped (every
 * byte below 0x21 or above 0x7e, '%' and '=' as %XX), so a line never
 * holds a space, a newline or a NUL of its own. The field "id" names the
 * record: "<source>-<seq>", where source is the node id and the start time
 * of the process in milliseconds, and seq counts the records of that
 * process from 1. No I/O here: the journal file and the stream are in
 * store_usage.c.
 */
#ifndef TERN_STORE_RECORD_H
#define TERN_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most fields of one record. */
#define STORE_RECORD_FIELDS_MAX 24
/* The longest key. */
#define STORE_RECORD_KEY_MAX 32
/* The longest line, newline included. */
#define STORE_RECORD_LINE_MAX 16384

/* A line being written. Caller storage. */
struct store_record_line {
    char text[STORE_RECORD_LINE_MAX];
    size_t len;
    size_t fields;
    bool overflow; /* a field did not fit, or a key was invalid: the line is unusable */
};

/* One decoded field; key and value point into the caller's buffer, NUL-terminated. */
struct store_record_field {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

struct store_record_view {
    struct store_record_field fields[STORE_RECORD_FIELDS_MAX];
    size_t count;
};

/* Starts an empty line. */
void store_record_line_init(struct store_record_line *l);

/* Appends key=value[0..value_len), escaping the value. An invalid key or a full line sets
 * l->overflow. */
void store_record_line_add(struct store_record_line *l, const char *key, const char *value,
                           size_t value_len);

/* Same for a NUL-terminated value. */
void store_record_line_add_str(struct store_record_line *l, const char *key, const char *value);

/* Ends the line with '\n'. Returns its length, or -1 when it overflowed or holds no field. */
int store_record_line_end(struct store_record_line *l);

/* Decodes line[0..len) (a final '\n' is allowed) into out; the keys and values are written,
 * NUL-terminated, into buf (cap bytes; len + STORE_RECORD_FIELDS_MAX is always enough).
 * Returns the number of fields, or -1 for a malformed line: empty, a field without '=', an
 * invalid key, a bad escape, a byte that should have been escaped, too many fields or a line
 * longer than STORE_RECORD_LINE_MAX. */
int store_record_parse(const char *line, size_t len, struct store_record_view *out, char *buf,
                       size_t cap);

/* The value of the first field named key in v, or NULL (its length in *len when not NULL). */
const char *store_record_get(const struct store_record_view *v, const char *key, size_t *len);

/* Splits a record id "<source>-<seq>" at its last '-': the source is id[0..*source_len), seq a
 * decimal number from 1, without sign or leading zero, below 2^53. Returns 0, or -1 for a
 * malformed id (no '-', empty source, bad seq). */
int store_record_id_split(const char *id, size_t len, size_t *source_len, uint64_t *seq);

#endif
