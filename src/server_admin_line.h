/*
 * A request line of the admin socket split into its words: the command and its arguments. Pure
 * (no libevent), so it is unit-tested and fuzzed alone (tests/fuzz/fuzz_admin_line.c).
 */
#ifndef TERN_SERVER_ADMIN_LINE_H
#define TERN_SERVER_ADMIN_LINE_H

#include <stddef.h>

/* Words in a request line: the command and its arguments. */
#define SERVER_ADMIN_LINE_WORDS_MAX 4

/* One parsed request line. The words point into the line. */
struct server_admin_line {
    char *words[SERVER_ADMIN_LINE_WORDS_MAX];
    size_t count;
};

/* Splits line (NUL-terminated, modified: each word's end becomes a NUL) into r: words are runs
 * of bytes other than a space. Returns 0 (count 0 for a line of spaces or an empty one), or -1
 * when it holds more than SERVER_ADMIN_LINE_WORDS_MAX words or a byte that is not printable
 * ASCII (r->count is then 0). */
int server_admin_line_parse(char *line, struct server_admin_line *r);

#endif
