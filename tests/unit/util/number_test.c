#include "tap.h"
#include "util/number.h"

#include <limits.h>

int main(void)
{
    unsigned long v = 7;

    TAP_EQ_INT(number_parse_ulong("3478", 1, 65535, &v), 0, "a port parses");
    TAP_EQ_INT(v, 3478, "to its value");
    TAP_EQ_INT(number_parse_ulong("0", 0, 10, &v), 0, "zero parses when allowed");
    TAP_EQ_INT(v, 0, "to zero");
    v = 7;
    TAP_EQ_INT(number_parse_ulong("0", 1, 10, &v), -1, "below the minimum is refused");
    TAP_EQ_INT(number_parse_ulong("11", 1, 10, &v), -1, "above the maximum is refused");
    TAP_EQ_INT(number_parse_ulong("", 0, 10, &v), -1, "an empty string is refused");
    TAP_EQ_INT(number_parse_ulong(NULL, 0, 10, &v), -1, "NULL is refused");
    TAP_EQ_INT(number_parse_ulong("-1", 0, ULONG_MAX, &v), -1, "a sign is refused");
    TAP_EQ_INT(number_parse_ulong("+1", 0, 10, &v), -1, "a plus sign is refused");
    TAP_EQ_INT(number_parse_ulong(" 1", 0, 10, &v), -1, "leading space is refused");
    TAP_EQ_INT(number_parse_ulong("1 ", 0, 10, &v), -1, "trailing space is refused");
    TAP_EQ_INT(number_parse_ulong("1k", 0, 10000, &v), -1, "a suffix is refused");
    TAP_EQ_INT(number_parse_ulong("0x10", 0, 100, &v), -1, "hexadecimal is refused");
    TAP_EQ_INT(number_parse_ulong("99999999999999999999999", 0, ULONG_MAX, &v), -1,
               "overflow is refused");
    TAP_EQ_INT(v, 7, "a refused value leaves the output alone");
    return tap_done();
}
