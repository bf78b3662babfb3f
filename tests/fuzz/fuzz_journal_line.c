/*
 * Fuzzes the journal line parser (store_record_parse) and the record id split on arbitrary
 * bytes. Invariants: a parsed line has 1 to STORE_RECORD_FIELDS_MAX fields whose keys and
 * values lie in the caller's buffer; writing the fields again and parsing the result gives the
 * same fields (the codec round-trips).
 */
#include "store/store_record.h"
#include "util/assert.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store_record_view fuzz_view;
static struct store_record_view fuzz_again;
static struct store_record_line fuzz_line;
static char fuzz_buf[STORE_RECORD_LINE_MAX + 2 * STORE_RECORD_FIELDS_MAX];
static char fuzz_buf2[STORE_RECORD_LINE_MAX + 2 * STORE_RECORD_FIELDS_MAX];

static void fuzz_journal_round_trip(void)
{
    store_record_line_init(&fuzz_line);
    for (size_t i = 0; i < fuzz_view.count; i++) {
        store_record_line_add(&fuzz_line, fuzz_view.fields[i].key, fuzz_view.fields[i].value,
                              fuzz_view.fields[i].value_len);
    }
    int n = store_record_line_end(&fuzz_line);
    if (n < 0) {
        return; /* escaping may make a long line too long */
    }
    if (store_record_parse(fuzz_line.text, (size_t)n, &fuzz_again, fuzz_buf2, sizeof(fuzz_buf2)) !=
        (int)fuzz_view.count) {
        abort();
    }
    for (size_t i = 0; i < fuzz_view.count; i++) {
        const struct store_record_field *a = &fuzz_view.fields[i];
        const struct store_record_field *b = &fuzz_again.fields[i];
        if (strcmp(a->key, b->key) != 0 || a->value_len != b->value_len ||
            memcmp(a->value, b->value, a->value_len) != 0) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t source_len;
    uint64_t seq;
    int n = store_record_parse((const char *)data, size, &fuzz_view, fuzz_buf, sizeof(fuzz_buf));

    if (n < 0) {
        return 0;
    }
    if (n == 0 || n > STORE_RECORD_FIELDS_MAX || (size_t)n != fuzz_view.count) {
        abort();
    }
    for (size_t i = 0; i < fuzz_view.count; i++) {
        const struct store_record_field *f = &fuzz_view.fields[i];
        if (f->key < fuzz_buf || f->value + f->value_len >= fuzz_buf + sizeof(fuzz_buf)) {
            abort();
        }
        if (strcmp(f->key, "id") == 0 &&
            store_record_id_split(f->value, f->value_len, &source_len, &seq) == 0 &&
            (source_len == 0 || seq == 0)) {
            abort();
        }
    }
    fuzz_journal_round_trip();
    return 0;
}
