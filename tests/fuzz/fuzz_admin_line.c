/*
 * Fuzzes the admin socket's request line splitter (server_admin_line_parse) on arbitrary bytes,
 * given as a NUL-terminated line (the bytes up to the first NUL). Invariants: the words lie in
 * the line in order, are NUL-terminated, non-empty and free of spaces, and there are at most
 * SERVER_ADMIN_LINE_WORDS_MAX; the words joined by single spaces are the line with its runs of
 * spaces squeezed and its ends trimmed; the line is refused exactly when it holds a byte outside
 * printable ASCII or too many words, and then no word is given.
 */
#include "server_admin_line.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The line with runs of spaces squeezed to one and its ends trimmed, into out (len + 1 bytes);
 * *words gets the number of words and *printable whether every byte is printable ASCII. */
static void fuzz_admin_squeeze(const char *line, char *out, size_t *words, bool *printable)
{
    size_t n = 0;
    bool in_word = false;

    *words = 0;
    *printable = true;
    for (const char *c = line; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
            *printable = false;
        }
        if (*c == ' ') {
            in_word = false;
            continue;
        }
        if (!in_word && *words > 0) {
            out[n++] = ' ';
        }
        if (!in_word) {
            (*words)++;
        }
        in_word = true;
        out[n++] = *c;
    }
    out[n] = '\0';
}

static void fuzz_admin_check(const char *line, size_t len, const struct server_admin_line *r,
                             const char *squeezed)
{
    char *joined = malloc(len + 1);
    size_t n = 0;
    const char *after = line; /* words come in order, without overlap */

    if (joined == NULL) {
        return;
    }
    if (r->count > SERVER_ADMIN_LINE_WORDS_MAX) {
        abort();
    }
    for (size_t i = 0; i < r->count; i++) {
        const char *w = r->words[i];
        if (w < after || w >= line + len) {
            abort();
        }
        size_t wlen = strnlen(w, (size_t)(line + len - w));
        if (wlen == 0 || w + wlen >= line + len + 1 || memchr(w, ' ', wlen) != NULL) {
            abort();
        }
        if (i > 0) {
            joined[n++] = ' ';
        }
        memcpy(joined + n, w, wlen);
        n += wlen;
        after = w + wlen + 1;
    }
    joined[n] = '\0';
    if (strcmp(joined, squeezed) != 0) {
        abort();
    }
    free(joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    char *squeezed = malloc(size + 1);
    struct server_admin_line r;
    size_t words;
    bool printable;

    if (line == NULL || squeezed == NULL) {
        free(line);
        free(squeezed);
        return 0;
    }
    memcpy(line, data, size);
    line[size] = '\0';
    size_t len = strlen(line);
    fuzz_admin_squeeze(line, squeezed, &words, &printable);
    int rc = server_admin_line_parse(line, &r);
    bool want_ok = printable && words <= SERVER_ADMIN_LINE_WORDS_MAX;
    if (rc != (want_ok ? 0 : -1) || (rc < 0 && r.count != 0) || (rc == 0 && r.count != words)) {
        abort();
    }
    if (rc == 0) {
        fuzz_admin_check(line, len, &r, squeezed);
    }
    free(line);
    free(squeezed);
    return 0;
}
