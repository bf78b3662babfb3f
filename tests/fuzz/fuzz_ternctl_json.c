/*
 * Fuzzes ternctl's reader of the admin socket's answers (ternctl_json_parse) on arbitrary bytes.
 * Invariants: a failed parse leaves the document empty; a parsed document numbers its objects
 * from 0 and every member names an object seen, a key and a value no longer than the input;
 * looking up each member's key finds a NUL-terminated value of the document; parsing the same
 * bytes again gives the same document; fini leaves it empty (ASan reports any leak).
 */
#include "ternctl_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when v is the value of one of doc's members. */
static bool fuzz_json_owned(const struct ternctl_json *doc, const char *v)
{
    for (size_t i = 0; i < doc->count; i++) {
        if (doc->members[i].value == v) {
            return true;
        }
    }
    return false;
}

static void fuzz_json_check(const struct ternctl_json *doc, size_t size)
{
    if (doc->count > doc->cap || (doc->count > 0 && doc->objects == 0)) {
        abort();
    }
    for (size_t i = 0; i < doc->count; i++) {
        const struct ternctl_json_member *m = &doc->members[i];
        if (m->object >= doc->objects || m->key == NULL || m->value == NULL ||
            strlen(m->key) > size || strlen(m->value) > size) {
            abort();
        }
        const char *v = ternctl_json_get(doc, m->object, m->key);
        if (v == NULL || !fuzz_json_owned(doc, v) || strlen(v) > size) {
            abort();
        }
    }
    if (ternctl_json_get(doc, doc->objects, "user") != NULL) {
        abort();
    }
}

/* Parsing is a function of the bytes alone. */
static void fuzz_json_again(const struct ternctl_json *doc, const char *text, size_t size)
{
    struct ternctl_json again;

    if (ternctl_json_parse(&again, text, size) != 0 || again.count != doc->count ||
        again.objects != doc->objects) {
        abort();
    }
    for (size_t i = 0; i < doc->count; i++) {
        const struct ternctl_json_member *a = &doc->members[i];
        const struct ternctl_json_member *b = &again.members[i];
        if (a->object != b->object || a->is_string != b->is_string || strcmp(a->key, b->key) != 0 ||
            strcmp(a->value, b->value) != 0) {
            abort();
        }
    }
    ternctl_json_fini(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ternctl_json doc;
    const char *text = (const char *)data;

    if (ternctl_json_parse(&doc, text, size) < 0) {
        if (doc.count != 0 || doc.members != NULL || doc.objects != 0) {
            abort();
        }
        return 0;
    }
    fuzz_json_check(&doc, size);
    fuzz_json_again(&doc, text, size);
    ternctl_json_fini(&doc);
    if (doc.count != 0 || doc.members != NULL) {
        abort();
    }
    return 0;
}
