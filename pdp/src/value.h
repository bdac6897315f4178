// value.h - typed views of policy and request strings.
//
// Condition values are parsed once by the compiler; request values are
// parsed by the evaluator when an operator needs a typed view. Both use
// these functions, so a value means the same thing on either side.
// None of them allocates; all take a pointer and a length (no NUL needed).

#ifndef PDP_VALUE_H
#define PDP_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

// pdpi_parse_number parses a decimal number: optional sign, digits,
// optional '.' and fraction digits ("10", "-3.25", "10.0"). No exponent,
// no spaces, no hex. Returns false on anything else.
bool pdpi_parse_number(const char *s, size_t n, double *out);

// pdpi_parse_date parses an AWS date value: ISO 8601
// (YYYY[-MM[-DD]][Thh[:mm[:ss[.fraction]]]][Z|+hh[:mm]|-hh[:mm]])
// when the text contains 'T', 't' or '-', else an integer epoch in
// 0..2^63-1 seconds. A missing offset means UTC; a missing time means
// midnight. Returns false on anything else.
bool pdpi_parse_date(const char *s, size_t n, pdpi_date *out);

// pdpi_date_cmp returns <0, 0 or >0 as a is before, equal to or after b.
int pdpi_date_cmp(const pdpi_date *a, const pdpi_date *b);

// pdpi_parse_bool parses "true" or "false", ignoring case.
bool pdpi_parse_bool(const char *s, size_t n, bool *out);

// pdpi_parse_cidr parses an IPv4 or IPv6 address with an optional
// "/bits" suffix. A bare address is /32 or /128. Host bits are cleared.
bool pdpi_parse_cidr(const char *s, size_t n, pdpi_cidr *out);

// pdpi_cidr_contains reports whether address `ip` (a /32 or /128 from
// pdpi_parse_cidr) lies in `net`. Different families never contain each
// other.
bool pdpi_cidr_contains(const pdpi_cidr *net, const pdpi_cidr *ip);

#endif // PDP_VALUE_H
