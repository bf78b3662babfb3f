/* ternctl's reader of the admin socket's answers: real answers, escapes, and what it refuses. */
#include "tap.h"
#include "ternctl_json.h"
#include "util/xalloc.h"

#include <string.h>

static struct ternctl_json doc;

static int parse(const char *text)
{
    return ternctl_json_parse(&doc, text, strlen(text));
}

static bool value_is(size_t object, const char *key, const char *want)
{
    const char *v = ternctl_json_get(&doc, object, key);
    return v != NULL && strcmp(v, want) == 0;
}

static void test_answers(void)
{
    TAP_EQ_INT(parse("{\"ok\": true, \"sessions\": [{\"user\": \"a\", \"age_s\": 3}, "
                     "{\"user\": \"b\"}], \"count\": 2, \"truncated\": false}\n"),
               0, "a sessions answer parses");
    TAP_CHECK(doc.objects == 3 && value_is(0, "ok", "true") && value_is(0, "count", "2") &&
                  value_is(0, "truncated", "false"),
              "the outer object's scalars");
    TAP_CHECK(value_is(1, "user", "a") && value_is(1, "age_s", "3") && value_is(2, "user", "b"),
              "each session is an object of its own");
    TAP_CHECK(ternctl_json_get(&doc, 0, "user") == NULL &&
                  ternctl_json_get(&doc, 3, "user") == NULL,
              "a key is looked up in its object only");
    ternctl_json_fini(&doc);
    TAP_CHECK(doc.count == 0 && doc.members == NULL, "fini empties the document");
    TAP_EQ_INT(parse("{\"error\": \"a\\\"b\\\\c\\u0001\\n\"}"), 0, "escapes parse");
    TAP_CHECK(value_is(0, "error", "a\"b\\c\x01\n"), "and are decoded");
    ternctl_json_fini(&doc);
    TAP_EQ_INT(parse(" {} "), 0, "an empty object");
    ternctl_json_fini(&doc);
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "",
        "[]",
        "\"ok\"",
        "{",
        "{\"ok\": tr",
        "{\"ok\" 1}",
        "{\"a\": 1 2}",
        "{\"s\": [] {}}",
        "{\"a\": \"x}",
        "{\"a\": \"\\q\"}",
        "{\"a\": ]}",
        "{\"a\": [}",
        "{\"a\": \"\x01\"}",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(parse(bad[i]), -1, "refuses '%s'", bad[i]);
        TAP_CHECK(doc.count == 0 && doc.members == NULL, "and leaves the document empty");
    }
}

/* The text ends inside a number: the reader must not look past len (ASan would see it). */
static void test_unterminated(void)
{
    static const char text[] = "{\"ok\": {\"ok\": tr";
    char *copy = xmalloc(sizeof(text) - 1);

    memcpy(copy, text, sizeof(text) - 1);
    TAP_EQ_INT(ternctl_json_parse(&doc, copy, sizeof(text) - 1), -1,
               "a number at the end of the text, without a NUL after it");
    memcpy(copy, "{\"n\": 1}", 8);
    TAP_EQ_INT(ternctl_json_parse(&doc, copy, 8), 0, "a document that fills its buffer");
    TAP_CHECK(value_is(0, "n", "1"), "reads its last number");
    ternctl_json_fini(&doc);
    xfree(&copy);
    TAP_EQ_INT(ternctl_json_parse(&doc, "{\"n\": 1\0}", 9), -1, "a NUL is not white space");
}

int main(void)
{
    test_answers();
    test_refused();
    test_unterminated();
    return tap_done();
}
