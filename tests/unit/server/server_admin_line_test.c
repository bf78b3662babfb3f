/* The admin socket's request line splitter: words, spaces, limits and refused bytes. */
#include "server_admin_line.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static char line[128];
static struct server_admin_line r;

/* Splits text (copied into line) and returns the result. */
static int split(const char *text)
{
    (void)snprintf(line, sizeof(line), "%s", text);
    memset(&r, 0xa5, sizeof(r));
    return server_admin_line_parse(line, &r);
}

/* The words joined by '|', for the checks. */
static const char *joined(void)
{
    static char out[sizeof(line) + SERVER_ADMIN_LINE_WORDS_MAX];

    out[0] = '\0';
    for (size_t i = 0; i < r.count && i < SERVER_ADMIN_LINE_WORDS_MAX; i++) {
        size_t n = strlen(out);
        (void)snprintf(out + n, sizeof(out) - n, "%s%s", i > 0 ? "|" : "", r.words[i]);
    }
    return out;
}

static void expect_words(const char *text, size_t count, const char *want)
{
    int rc = split(text);
    TAP_CHECK(rc == 0 && r.count == count && strcmp(joined(), want) == 0,
              "\"%s\" -> %zu word(s) %s (rc %d, got %zu: %s)", text, count, want, rc, r.count,
              joined());
}

static void expect_refused(const char *text, const char *why)
{
    int rc = split(text);
    TAP_CHECK(rc == -1 && r.count == 0, "refuses %s (rc %d, count %zu)", why, rc, r.count);
}

static void test_words(void)
{
    expect_words("status", 1, "status");
    expect_words("kill alice", 2, "kill|alice");
    expect_words("kill [::1]:49152", 2, "kill|[::1]:49152");
    expect_words("a b c d", 4, "a|b|c|d");
    expect_words("sessions \"x\" {y}", 3, "sessions|\"x\"|{y}");
    TAP_CHECK(split("kill bob") == 0 && r.words[0] == line && r.words[1] == line + 5,
              "the words point into the line");
    TAP_CHECK(line[4] == '\0', "and the space after a word becomes its end");
}

static void test_spaces(void)
{
    expect_words("", 0, "");
    expect_words("    ", 0, "");
    expect_words("  kill    bob  ", 2, "kill|bob");
    expect_words(" a  b  c  d ", 4, "a|b|c|d");
}

static void test_refused(void)
{
    expect_refused("a b c d e", "five words");
    expect_refused("status\t", "a tab");
    expect_refused("status\r", "a carriage return");
    expect_refused("kill caf\xc3\xa9", "bytes above 0x7e");
    expect_refused("kill \x7f", "DEL");
    expect_refused("\x01", "a control byte alone");
}

int main(void)
{
    test_words();
    test_spaces();
    test_refused();
    return tap_done();
}
