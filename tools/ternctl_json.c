#include "ternctl_json.h"

#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* One container open on the stack. */
struct ternctl_json_frame {
    bool is_object;
    size_t object; /* its number, for an object */
};

struct ternctl_json_parser {
    const char *p;
    const char *end;
    struct ternctl_json *doc;
    struct ternctl_json_frame stack[TERNCTL_JSON_DEPTH_MAX];
    size_t depth;
    char *key; /* the member key read, waiting for its value (owned) */
};

static void ternctl_json_skip_space(struct ternctl_json_parser *ps)
{
    while (ps->p < ps->end && *ps->p != '\0' && strchr(" \t\r\n", *ps->p) != NULL) {
        ps->p++;
    }
}

/* Decodes one escape after a backslash into out; \u is kept to one byte (the admin socket only
 * escapes single bytes). Returns 0 or -1. */
static int ternctl_json_escape(struct ternctl_json_parser *ps, char *out)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    static const char hex[] = "0123456789abcdef";
    unsigned code = 0;

    if (ps->p >= ps->end) {
        return -1;
    }
    const char *hit = strchr(from, *ps->p);
    if (*ps->p != '\0' && hit != NULL) {
        *out = to[hit - from];
        ps->p++;
        return 0;
    }
    if (*ps->p != 'u' || ps->end - ps->p < 5) {
        return -1;
    }
    for (int i = 1; i <= 4; i++) {
        const char *digit = strchr(hex, tolower((unsigned char)ps->p[i]));
        if (ps->p[i] == '\0' || digit == NULL) {
            return -1;
        }
        code = code * 16 + (unsigned)(digit - hex);
    }
    unsigned char byte = code < 0x100 ? (unsigned char)code : (unsigned char)'?';
    memcpy(out, &byte, 1);
    ps->p += 5;
    return 0;
}

/* Reads a string (the opening quote is next). Returns it owned, or NULL. */
static char *ternctl_json_string(struct ternctl_json_parser *ps)
{
    char *s = xmalloc((size_t)(ps->end - ps->p) + 1);
    size_t n = 0;

    ps->p++;
    while (ps->p < ps->end && *ps->p != '"') {
        if ((unsigned char)*ps->p < 0x20) {
            break;
        }
        if (*ps->p != '\\') {
            s[n++] = *ps->p++;
            continue;
        }
        ps->p++;
        if (ternctl_json_escape(ps, &s[n++]) < 0) {
            break;
        }
    }
    if (ps->p >= ps->end || *ps->p != '"') {
        xfree(&s);
        return NULL;
    }
    ps->p++;
    s[n] = '\0';
    return s;
}

/* Reads a literal or a number. Returns it owned, or NULL. The text need not be NUL-terminated,
 * so the scan stops at its end (found by the fuzz target ternctl_json). */
static char *ternctl_json_bare(struct ternctl_json_parser *ps)
{
    size_t n = 0;

    while (n < (size_t)(ps->end - ps->p) && ps->p[n] != '\0' &&
           strchr("+-.0123456789eEtruefalsn", ps->p[n]) != NULL) {
        n++;
    }
    if (n == 0) {
        return NULL;
    }
    char *s = xmalloc(n + 1);
    memcpy(s, ps->p, n);
    s[n] = '\0';
    ps->p += n;
    return s;
}

/* Takes ownership of value. */
/* NOLINTNEXTLINE(readability-non-const-parameter): value is owned and freed later, not read. */
static void ternctl_json_add(struct ternctl_json_parser *ps, char *value, bool is_string)
{
    struct ternctl_json *d = ps->doc;

    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->members = xrealloc(d->members, d->cap * sizeof(*d->members));
    }
    d->members[d->count++] = (struct ternctl_json_member){
        .object = ps->stack[ps->depth - 1].object,
        .key = ps->key,
        .value = value,
        .is_string = is_string,
    };
    ps->key = NULL;
}

/* A scalar value: kept when it is an object's member, dropped in an array. */
static int ternctl_json_scalar(struct ternctl_json_parser *ps)
{
    bool is_string = *ps->p == '"';
    char *v = is_string ? ternctl_json_string(ps) : ternctl_json_bare(ps);

    /* An object's value needs its key: {"a": 1 2} is not JSON. */
    if (v == NULL || ps->depth == 0 || (ps->stack[ps->depth - 1].is_object && ps->key == NULL)) {
        xfree(&v);
        return -1;
    }
    if (ps->stack[ps->depth - 1].is_object) {
        ternctl_json_add(ps, v, is_string);
    } else {
        xfree(&v);
    }
    return 0;
}

static int ternctl_json_open(struct ternctl_json_parser *ps, bool is_object)
{
    if (ps->depth == TERNCTL_JSON_DEPTH_MAX || (ps->depth == 0 && !is_object)) {
        return -1;
    }
    if (ps->depth > 0 && ps->stack[ps->depth - 1].is_object && ps->key == NULL) {
        return -1; /* a member without a key */
    }
    ps->stack[ps->depth].is_object = is_object;
    ps->stack[ps->depth].object = is_object ? ps->doc->objects++ : 0;
    ps->depth++;
    ps->p++;
    xfree(&ps->key);
    return 0;
}

/* Inside an object, before a value: reads `"key":`. Returns 0 or -1. */
static int ternctl_json_key(struct ternctl_json_parser *ps)
{
    if (ps->p >= ps->end || *ps->p != '"') {
        return -1;
    }
    ps->key = ternctl_json_string(ps);
    ternctl_json_skip_space(ps);
    if (ps->key == NULL || ps->p >= ps->end || *ps->p != ':') {
        return -1;
    }
    ps->p++;
    return 0;
}

/* One step: a value, a separator or a closing bracket. Returns 1 when the outermost object
 * closed, 0 to go on, -1 on an error. */
static int ternctl_json_step(struct ternctl_json_parser *ps, bool *expect_key)
{
    ternctl_json_skip_space(ps);
    if (ps->p >= ps->end) {
        return -1;
    }
    char ch = *ps->p;
    if (ch == '}' || ch == ']') {
        if (ps->depth == 0 || ps->stack[ps->depth - 1].is_object != (ch == '}')) {
            return -1;
        }
        ps->p++;
        ps->depth--;
        *expect_key = false;
        return ps->depth == 0 ? 1 : 0;
    }
    if (ch == ',') {
        ps->p++;
        *expect_key = ps->depth > 0 && ps->stack[ps->depth - 1].is_object;
        return 0;
    }
    if (*expect_key && ternctl_json_key(ps) < 0) {
        return -1;
    }
    ternctl_json_skip_space(ps);
    if (ps->p < ps->end && (*ps->p == '{' || *ps->p == '[')) {
        bool is_object = *ps->p == '{';
        *expect_key = is_object;
        return ternctl_json_open(ps, is_object);
    }
    *expect_key = false;
    return ps->p < ps->end ? ternctl_json_scalar(ps) : -1;
}

int ternctl_json_parse(struct ternctl_json *doc, const char *text, size_t len)
{
    struct ternctl_json_parser ps = {.p = text, .end = text + len, .doc = doc};
    bool expect_key = false;
    int rc = 0;

    memset(doc, 0, sizeof(*doc));
    ternctl_json_skip_space(&ps);
    if (ps.p >= ps.end || *ps.p != '{') {
        return -1;
    }
    /* The opening brace: an object waits for its first key, or its end. */
    (void)ternctl_json_open(&ps, true);
    expect_key = true;
    ternctl_json_skip_space(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        return 0;
    }
    while (rc == 0) {
        rc = ternctl_json_step(&ps, &expect_key);
    }
    xfree(&ps.key);
    if (rc < 0) {
        ternctl_json_fini(doc);
        return -1;
    }
    return 0;
}

void ternctl_json_fini(struct ternctl_json *doc)
{
    for (size_t i = 0; i < doc->count; i++) {
        xfree(&doc->members[i].key);
        xfree(&doc->members[i].value);
    }
    xfree(&doc->members);
    memset(doc, 0, sizeof(*doc));
}

const char *ternctl_json_get(const struct ternctl_json *doc, size_t object, const char *key)
{
    for (size_t i = 0; i < doc->count; i++) {
        const struct ternctl_json_member *m = &doc->members[i];
        if (m->object == object && m->key != NULL && strcmp(m->key, key) == 0) {
            return m->value;
        }
    }
    return NULL;
}
