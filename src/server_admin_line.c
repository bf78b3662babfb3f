#include "server_admin_line.h"

#include <string.h>

int server_admin_line_parse(char *line, struct server_admin_line *r)
{
    char *p = line;

    r->count = 0;
    for (const char *c = line; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
            return -1;
        }
    }
    while (*p != '\0') {
        p += strspn(p, " ");
        if (*p == '\0') {
            break;
        }
        if (r->count == SERVER_ADMIN_LINE_WORDS_MAX) {
            r->count = 0;
            return -1;
        }
        r->words[r->count++] = p;
        p += strcspn(p, " ");
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
    return 0;
}
