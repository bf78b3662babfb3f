#include "store/store_record.h"

#include <stdio.h>
#include <string.h>

/* Sequence numbers stay exact in Lua's double precision numbers (the stream script). */
#define STORE_RECORD_SEQ_LIMIT (UINT64_C(1) << 53)

static bool store_record_key_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool store_record_key_ok(const char *key, size_t len)
{
    if (len == 0 || len > STORE_RECORD_KEY_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!store_record_key_byte(key[i])) {
            return false;
        }
    }
    return true;
}

/* True when byte c is written as %XX. */
static bool store_record_needs_escape(unsigned char c)
{
    return c < 0x21 || c > 0x7e || c == '%' || c == '=';
}

void store_record_line_init(struct store_record_line *l)
{
    l->len = 0;
    l->fields = 0;
    l->overflow = false;
    l->text[0] = '\0';
}

/* Appends one byte, keeping room for the final newline. */
static void store_record_put(struct store_record_line *l, char c)
{
    if (l->len + 2 > sizeof(l->text)) {
        l->overflow = true;
        return;
    }
    l->text[l->len++] = c;
}

void store_record_line_add(struct store_record_line *l, const char *key, const char *value,
                           size_t value_len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t key_len = strlen(key);

    if (!store_record_key_ok(key, key_len) || l->fields >= STORE_RECORD_FIELDS_MAX) {
        l->overflow = true;
        return;
    }
    if (l->fields > 0) {
        store_record_put(l, ' ');
    }
    for (size_t i = 0; i < key_len; i++) {
        store_record_put(l, key[i]);
    }
    store_record_put(l, '=');
    for (size_t i = 0; i < value_len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (store_record_needs_escape(c)) {
            store_record_put(l, '%');
            store_record_put(l, hex[c >> 4]);
            store_record_put(l, hex[c & 15]);
        } else {
            store_record_put(l, (char)c);
        }
    }
    l->fields++;
}

void store_record_line_add_str(struct store_record_line *l, const char *key, const char *value)
{
    store_record_line_add(l, key, value, strlen(value));
}

int store_record_line_end(struct store_record_line *l)
{
    if (l->overflow || l->fields == 0) {
        return -1;
    }
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
    return (int)l->len;
}

static int store_record_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes the escaped value in[0..len) into out. Returns the decoded length or -1. */
static int store_record_unescape(const char *in, size_t len, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (len - i < 3) {
                return -1;
            }
            int hi = store_record_hex(in[i + 1]);
            int lo = store_record_hex(in[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (store_record_needs_escape(c)) {
            return -1;
        } else {
            out[n++] = (char)c;
        }
    }
    return (int)n;
}

/* Decodes one field token[0..len) into f, writing into buf at *used. Returns 0 or -1. */
static int store_record_field(const char *token, size_t len, struct store_record_field *f,
                              char *buf, size_t *used)
{
    const char *eq = memchr(token, '=', len);

    if (eq == NULL) {
        return -1;
    }
    size_t key_len = (size_t)(eq - token);
    size_t value_len = len - key_len - 1;

    if (!store_record_key_ok(token, key_len)) {
        return -1;
    }
    memcpy(buf + *used, token, key_len);
    buf[*used + key_len] = '\0';
    f->key = buf + *used;
    f->key_len = key_len;
    *used += key_len + 1;
    int n = store_record_unescape(eq + 1, value_len, buf + *used);
    if (n < 0) {
        return -1;
    }
    buf[*used + (size_t)n] = '\0';
    f->value = buf + *used;
    f->value_len = (size_t)n;
    *used += (size_t)n + 1;
    return 0;
}

int store_record_parse(const char *line, size_t len, struct store_record_view *out, char *buf,
                       size_t cap)
{
    size_t used = 0;
    size_t start = 0;

    out->count = 0;
    if (len > 0 && line[len - 1] == '\n') {
        len--;
    }
    /* Each field needs at most its own bytes plus two NULs, less its '=' and separator. */
    if (len == 0 || len >= STORE_RECORD_LINE_MAX ||
        cap < len + 2 * (size_t)STORE_RECORD_FIELDS_MAX) {
        return -1;
    }
    while (start <= len) {
        const char *space = memchr(line + start, ' ', len - start);
        size_t end = space != NULL ? (size_t)(space - line) : len;
        if (out->count >= STORE_RECORD_FIELDS_MAX ||
            store_record_field(line + start, end - start, &out->fields[out->count], buf, &used) <
                0) {
            return -1;
        }
        out->count++;
        start = end + 1;
    }
    return (int)out->count;
}

const char *store_record_get(const struct store_record_view *v, const char *key, size_t *len)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->fields[i].key, key) == 0) {
            if (len != NULL) {
                *len = v->fields[i].value_len;
            }
            return v->fields[i].value;
        }
    }
    return NULL;
}

int store_record_id_split(const char *id, size_t len, size_t *source_len, uint64_t *seq)
{
    size_t dash = len;
    uint64_t n = 0;

    while (dash > 0 && id[dash - 1] != '-') {
        dash--;
    }
    if (dash < 2 || dash == len || id[dash] == '0' || len - dash > 16) {
        return -1;
    }
    for (size_t i = dash; i < len; i++) {
        if (id[i] < '0' || id[i] > '9') {
            return -1;
        }
        n = n * 10 + (uint64_t)(id[i] - '0');
    }
    if (n >= STORE_RECORD_SEQ_LIMIT) {
        return -1;
    }
    *source_len = dash - 1;
    *seq = n;
    return 0;
}
