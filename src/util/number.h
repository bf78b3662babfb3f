/* Strict parsing of numbers given by people: command-line values. */
#ifndef TERN_UTIL_NUMBER_H
#define TERN_UTIL_NUMBER_H

/* Parses s, a whole decimal number written with digits only (no sign, no space, no suffix), that
 * lies in [min, max], into *out. Returns 0, or -1 (with *out untouched) when s is NULL, empty,
 * malformed, too large or out of range. */
int number_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif
