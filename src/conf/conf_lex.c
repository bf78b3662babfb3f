#include "conf/conf_lex.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Longest number echoed in a message. */
#define CONF_LEX_NUMBER_MAX 32

/* Where the scan is. */
struct conf_lex {
    const char *p;
    unsigned line;
};

static bool conf_lex_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool conf_lex_is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Skips a string literal from its opening quote to past its closing one (or the end). */
static void conf_lex_skip_string(struct conf_lex *lx)
{
    lx->p++;
    while (*lx->p != '\0' && *lx->p != '"') {
        if (*lx->p == '\\' && lx->p[1] != '\0') {
            lx->p++;
        }
        if (*lx->p == '\n') {
            lx->line++;
        }
        lx->p++;
    }
    if (*lx->p == '"') {
        lx->p++;
    }
}

/* Skips a comment opened at lx->p; returns false when there is none there. */
static bool conf_lex_skip_comment(struct conf_lex *lx)
{
    if (*lx->p == '#' || (lx->p[0] == '/' && lx->p[1] == '/')) {
        while (*lx->p != '\0' && *lx->p != '\n') {
            lx->p++;
        }
        return true;
    }
    if (lx->p[0] != '/' || lx->p[1] != '*') {
        return false;
    }
    lx->p += 2;
    while (*lx->p != '\0' && !(lx->p[0] == '*' && lx->p[1] == '/')) {
        lx->line += *lx->p == '\n';
        lx->p++;
    }
    lx->p += *lx->p != '\0' ? 2 : 0;
    return true;
}

/* Returns the value of the digits of [s, end) in base (10 or 16), or UINT64_MAX past 2^32. */
static uint64_t conf_lex_value(const char *s, const char *end, unsigned base)
{
    uint64_t v = 0;

    for (; s < end; s++) {
        unsigned digit;
        if (conf_lex_is_digit(*s)) {
            digit = (unsigned)(*s - '0');
        } else if (base == 16 && conf_lex_is_alpha(*s) && (*s | 0x20) <= 'f') {
            digit = (unsigned)((*s | 0x20) - 'a' + 10);
        } else {
            return 0; /* not a plain integer: libconfig reports it, or it is a real number */
        }
        v = v * base + digit;
        if (v > UINT32_MAX) {
            return UINT64_MAX;
        }
    }
    return v;
}

/* Checks the number token at lx->p and skips it. */
static int conf_lex_number(struct conf_lex *lx, struct conf_err *e)
{
    const char *start = lx->p;
    bool hex = start[0] == '0' && (start[1] == 'x' || start[1] == 'X');

    while (conf_lex_is_digit(*lx->p) || conf_lex_is_alpha(*lx->p) || *lx->p == '.' ||
           *lx->p == '_' ||
           (!hex && (*lx->p == '+' || *lx->p == '-') && (lx->p[-1] | 0x20) == 'e')) {
        lx->p++;
    }
    const char *end = lx->p;
    if (end[-1] == 'L') {
        return 0; /* 64-bit on purpose */
    }
    uint64_t v = hex ? conf_lex_value(start + 2, end, 16) : conf_lex_value(start, end, 10);
    if (v <= INT32_MAX) {
        return 0;
    }
    int n = end - start > CONF_LEX_NUMBER_MAX ? CONF_LEX_NUMBER_MAX : (int)(end - start);
    return conf_err_set(e, lx->line, NULL,
                        "%.*s does not fit in 32 bits; expected at most 2147483647, or the "
                        "L suffix of a 64-bit integer (%.*sL)",
                        n, start, n, start);
}

int conf_lex_check(const char *text, struct conf_err *e)
{
    struct conf_lex lx = {.p = text, .line = 1};

    while (*lx.p != '\0') {
        char ch = *lx.p;
        if (ch == '"') {
            conf_lex_skip_string(&lx);
        } else if (conf_lex_skip_comment(&lx)) {
            continue;
        } else if (ch == '@') {
            return conf_err_set(e, lx.line, NULL,
                                "@ directives (@include) are not supported; expected the whole "
                                "configuration in one file");
        } else if (conf_lex_is_alpha(ch) || ch == '*') {
            /* A name: libconfig's [A-Za-z*][-A-Za-z0-9_*]*; its digits are no number. */
            while (conf_lex_is_alpha(*lx.p) || conf_lex_is_digit(*lx.p) || *lx.p == '-' ||
                   *lx.p == '_' || *lx.p == '*') {
                lx.p++;
            }
        } else if (conf_lex_is_digit(ch)) {
            if (conf_lex_number(&lx, e) < 0) {
                return -1;
            }
        } else {
            lx.line += ch == '\n';
            lx.p++;
        }
    }
    return 0;
}
