/* Usage record lines: writing, escaping, parsing, damaged lines, record ids. */
#include "store/store_record.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

static struct store_record_line line;
static struct store_record_view view;
static char buf[STORE_RECORD_LINE_MAX + 2 * STORE_RECORD_FIELDS_MAX];

static int parse(const char *text)
{
    return store_record_parse(text, strlen(text), &view, buf, sizeof(buf));
}

static void test_round_trip(void)
{
    static const char odd[] = "a b=c%d\n\x01\xff";
    size_t len = 0;

    store_record_line_init(&line);
    store_record_line_add_str(&line, "id", "node-1-1700000000000-7");
    store_record_line_add(&line, "username", odd, sizeof(odd) - 1);
    store_record_line_add_str(&line, "empty", "");
    int n = store_record_line_end(&line);
    TAP_CHECK(n > 0 && line.text[n - 1] == '\n', "a line ends with a newline");
    TAP_CHECK(memchr(line.text, ' ', (size_t)n) != NULL &&
                  strstr(line.text, "a%20b%3Dc%25d%0A%01%FF") != NULL,
              "the value is escaped: %s", line.text);
    TAP_CHECK(strchr(line.text, '\n') == line.text + n - 1, "no newline but the last");
    TAP_EQ_INT(store_record_parse(line.text, (size_t)n, &view, buf, sizeof(buf)), 3,
               "parses back to three fields");
    const char *u = store_record_get(&view, "username", &len);
    TAP_CHECK(u != NULL && len == sizeof(odd) - 1 && memcmp(u, odd, len) == 0,
              "the value comes back byte for byte");
    TAP_CHECK(store_record_get(&view, "empty", &len) != NULL && len == 0, "an empty value");
    TAP_CHECK(store_record_get(&view, "missing", NULL) == NULL, "an absent key is NULL");
    TAP_EQ_INT(parse("id=a-1"), 1, "a line without a newline parses");
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",        "\n",      "novalue",
        "id=a-1 ", " id=a-1", "id=a-1  x=2",
        "Id=a-1",  "id=a b",  "id=%4",
        "id=%zz",  "id=%4g",  "=x",
        "id=a\tb", "id=a=b",  "k123456789012345678901234567890123=x",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(parse(bad[i]), -1, "refuses \"%s\"", bad[i]);
    }
    TAP_EQ_INT(parse("id=%41%42"), 1, "an escape of a plain byte is accepted");
    TAP_CHECK(strcmp(view.fields[0].value, "AB") == 0, "and decoded");
    TAP_EQ_INT(store_record_parse("id=x", 4, &view, buf, 4), -1, "a small buffer is refused");
}

static void test_limits(void)
{
    static char big[STORE_RECORD_LINE_MAX];

    store_record_line_init(&line);
    for (int i = 0; i < STORE_RECORD_FIELDS_MAX; i++) {
        store_record_line_add_str(&line, "f", "v");
    }
    TAP_CHECK(store_record_line_end(&line) > 0, "takes the most fields");
    store_record_line_add_str(&line, "f", "v");
    store_record_line_init(&line);
    for (int i = 0; i <= STORE_RECORD_FIELDS_MAX; i++) {
        store_record_line_add_str(&line, "f", "v");
    }
    TAP_EQ_INT(store_record_line_end(&line), -1, "refuses one field too many");
    store_record_line_init(&line);
    store_record_line_add_str(&line, "Bad", "v");
    TAP_EQ_INT(store_record_line_end(&line), -1, "refuses an invalid key");
    store_record_line_init(&line);
    TAP_EQ_INT(store_record_line_end(&line), -1, "refuses an empty line");
    memset(big, ' ', sizeof(big) - 1);
    store_record_line_init(&line);
    store_record_line_add(&line, "big", big, sizeof(big) - 1);
    TAP_EQ_INT(store_record_line_end(&line), -1, "refuses a line that does not fit");
}

static void test_ids(void)
{
    size_t source_len = 0;
    uint64_t seq = 0;
    static const char *const bad[] = {"",
                                      "-1",
                                      "a",
                                      "a-",
                                      "a-0",
                                      "a-01",
                                      "a-1x",
                                      "a--",
                                      "a-9007199254740992",
                                      "a-12345678901234567"};

    TAP_EQ_INT(store_record_id_split("node-1-1700000000000-42", 23, &source_len, &seq), 0,
               "splits an id");
    TAP_EQ_INT(source_len, 20, "the source is everything before the last '-'");
    TAP_EQ_INT(seq, 42, "the seq is the number after it");
    TAP_EQ_INT(store_record_id_split("a-9007199254740991", 18, &source_len, &seq), 0,
               "the largest seq Lua counts exactly");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_EQ_INT(store_record_id_split(bad[i], strlen(bad[i]), &source_len, &seq), -1,
                   "refuses id \"%s\"", bad[i]);
    }
}

int main(void)
{
    test_round_trip();
    test_malformed();
    test_limits();
    test_ids();
    return tap_done();
}
