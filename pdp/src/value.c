// value.c - typed views of condition values: numbers, dates, booleans,
// CIDRs. Shared by the compiler (policy side) and the evaluator (request
// side), so a value parses the same on both. Allocates nothing.

#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

// Longest text we hand to strtod or inet_pton. Longer numbers and
// addresses are not values anyone writes; refusing them keeps the copy
// on the stack and the parse allocation-free.
#define VALUE_MAX 128

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
pdpi_parse_number(const char *s, size_t n, double *out)
{
	char buf[VALUE_MAX];
	size_t i = 0;

	if (n == 0 || n >= sizeof(buf))
		return false;
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (i == n || !is_digit(s[i]))
		return false;
	while (i < n && is_digit(s[i]))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		if (i == n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i != n)
		return false;
	// The grammar above already excludes everything strtod would treat
	// differently (hex, exponents, inf, nan, spaces).
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

// days_from_civil returns the days since 1970-01-01 of a proleptic
// Gregorian date (H. Hinnant's algorithm); valid far beyond our year range.
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

// digits reads min..max decimal digits at s[*i]; a longer run of digits
// fails rather than being split.
static bool
digits(const char *s, size_t n, size_t *i, int min, int max, int64_t *v)
{
	int k = 0;
	int64_t x = 0;

	while (*i < n && is_digit(s[*i]) && k < max) {
		x = x * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	if (k < min || (*i < n && is_digit(s[*i])))
		return false;
	*v = x;
	return true;
}

static bool
parse_epoch(const char *s, size_t n, pdpi_date *out)
{
	uint64_t x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		unsigned d = (unsigned) (s[i] - '0');
		if (x > (UINT64_C(0x7fffffffffffffff) - d) / 10)
			return false;
		x = x * 10 + d;
	}
	out->sec = (int64_t) x;
	out->nsec = 0;
	return true;
}

// parse_zone reads Z, +hh[:mm] or -hh[:mm]; *off is seconds east of UTC.
static bool
parse_zone(const char *s, size_t n, size_t *i, int64_t *off)
{
	int64_t hh, mm = 0;
	int sign;

	*off = 0;
	if (*i == n)
		return true;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		return true;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return false;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if (!digits(s, n, i, 2, 2, &hh) || hh > 23)
		return false;
	if (*i < n && s[*i] == ':') {
		(*i)++;
		if (!digits(s, n, i, 2, 2, &mm) || mm > 59)
			return false;
	}
	*off = sign * (hh * 3600 + mm * 60);
	return true;
}

// parse_time reads hh[:mm[:ss[.fraction]]] into seconds of the day and
// nanoseconds.
static bool
parse_time(const char *s, size_t n, size_t *i, int64_t *tod, int32_t *nsec)
{
	int64_t hh, mi = 0, ss = 0, f = 0;
	size_t st;

	if (!digits(s, n, i, 1, 2, &hh) || hh > 23)
		return false;
	if (*i < n && s[*i] == ':') {
		(*i)++;
		if (!digits(s, n, i, 1, 2, &mi) || mi > 59)
			return false;
		if (*i < n && s[*i] == ':') {
			(*i)++;
			if (!digits(s, n, i, 1, 2, &ss) || ss > 59)
				return false;
			if (*i < n && s[*i] == '.') {
				st = ++(*i);
				if (!digits(s, n, i, 1, 9, &f))
					return false;
				for (size_t k = *i - st; k < 9; k++)
					f *= 10;
			}
		}
	}
	*tod = hh * 3600 + mi * 60 + ss;
	*nsec = (int32_t) f;
	return true;
}

bool
pdpi_parse_date(const char *s, size_t n, pdpi_date *out)
{
	bool iso = false;
	size_t i = 0;
	int64_t year, mon = 1, day = 1, tod = 0, off = 0;
	int32_t nsec = 0;
	bool neg = false;

	for (size_t k = 0; k < n; k++) {
		if (s[k] == 'T' || s[k] == 't' || s[k] == '-')
			iso = true;
	}
	if (!iso)
		return parse_epoch(s, n, out);

	if (i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	if (!digits(s, n, &i, 1, 9, &year))
		return false;
	if (neg)
		year = -year;
	if (year < -292275054 || year > 292278993)
		return false;
	if (i < n && s[i] == '-') {
		i++;
		if (!digits(s, n, &i, 1, 2, &mon) || mon < 1 || mon > 12)
			return false;
		if (i < n && s[i] == '-') {
			i++;
			if (!digits(s, n, &i, 1, 2, &day) || day < 1 ||
			    day > 31)
				return false;
		}
	}
	if (i < n && (s[i] == 'T' || s[i] == 't')) {
		i++;
		// "01T" is accepted by AWS's legacy parser: the time may be
		// empty, but a zone needs an hour before it.
		if (i < n && (!parse_time(s, n, &i, &tod, &nsec) ||
		    !parse_zone(s, n, &i, &off)))
			return false;
	}
	if (i != n)
		return false;
	out->sec = days_from_civil(year, mon, day) * 86400 + tod - off;
	out->nsec = nsec;
	return true;
}

int
pdpi_date_cmp(const pdpi_date *a, const pdpi_date *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

static bool
eq_nocase(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n != k)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c + 32);
		if (c != lit[i])
			return false;
	}
	return true;
}

bool
pdpi_parse_bool(const char *s, size_t n, bool *out)
{
	if (eq_nocase(s, n, "true")) {
		*out = true;
		return true;
	}
	if (eq_nocase(s, n, "false")) {
		*out = false;
		return true;
	}
	return false;
}

bool
pdpi_parse_cidr(const char *s, size_t n, pdpi_cidr *out)
{
	char buf[VALUE_MAX];
	size_t alen = n;
	int64_t bits = -1;
	pdpi_cidr c;
	int max;

	if (n == 0 || n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/') {
			size_t j = i + 1;
			alen = i;
			if (!digits(s, n, &j, 1, 3, &bits) || j != n)
				return false;
			break;
		}
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(&c, 0, sizeof(c));
	if (memchr(buf, ':', alen) != NULL) {
		if (inet_pton(AF_INET6, buf, c.addr) != 1)
			return false;
		c.family = 6;
		max = 128;
	} else {
		if (inet_pton(AF_INET, buf, c.addr) != 1)
			return false;
		c.family = 4;
		max = 32;
	}
	if (bits < 0)
		bits = max;
	if (bits > max)
		return false;
	c.bits = (uint8_t) bits;
	// Clear host bits so containment is a prefix compare.
	for (int b = (int) bits; b < max; b++)
		c.addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	*out = c;
	return true;
}

bool
pdpi_cidr_contains(const pdpi_cidr *net, const pdpi_cidr *ip)
{
	int full, rem;

	if (net->family != ip->family)
		return false;
	full = net->bits / 8;
	rem = net->bits % 8;
	if (memcmp(net->addr, ip->addr, (size_t) full) != 0)
		return false;
	if (rem != 0) {
		uint8_t mask = (uint8_t) (0xffu << (8 - rem));
		if ((net->addr[full] & mask) != (ip->addr[full] & mask))
			return false;
	}
	return true;
}
