/*
 * A small reader for the admin socket's answers: JSON objects whose values
 * are scalars or arrays of such objects. It flattens a document into the
 * scalar members of each object, numbered in the order the objects open
 * (the outermost is 0), which is all a table needs:
 *
 *   {"ok": true, "sessions": [{"user": "a"}, {"user": "b"}]}
 *      -> (0, ok, true) (1, user, a) (2, user, b)
 *
 * No recursion: nesting is tracked on a fixed stack.
 */
#ifndef TERN_TERNCTL_JSON_H
#define TERN_TERNCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting accepted. */
#define TERNCTL_JSON_DEPTH_MAX 16

struct ternctl_json_member {
    size_t object; /* 0 for the outermost object, then in order of opening */
    char *key;     /* owned, decoded */
    char *value;   /* owned, decoded; true/false/null/numbers as written */
    bool is_string;
};

struct ternctl_json {
    struct ternctl_json_member *members; /* owned */
    size_t count;
    size_t cap;
    size_t objects; /* objects seen */
};

/* Parses text (len bytes) into doc (caller storage, released with ternctl_json_fini()). Returns
 * 0, or -1 when text is not JSON of the shape above (doc is then empty). */
int ternctl_json_parse(struct ternctl_json *doc, const char *text, size_t len);

/* Releases what doc owns. */
void ternctl_json_fini(struct ternctl_json *doc);

/* The value of key in object, or NULL. */
const char *ternctl_json_get(const struct ternctl_json *doc, size_t object, const char *key);

#endif
