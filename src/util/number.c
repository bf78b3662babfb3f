#include "util/number.h"

#include <errno.h>
#include <stdlib.h>

int number_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end = NULL;

    /* strtoul() alone would take a sign, leading spaces and "0x". */
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return -1;
    }
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}
