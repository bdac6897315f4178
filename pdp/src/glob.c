// glob.c - IAM wildcard matching (see glob.h).

#include <string.h>

#include "glob.h"

bool
pdpi_glob(const char *pat, const uint8_t *lit, size_t pn, const char *text,
    size_t tn)
{
	size_t p = 0, t = 0;
	size_t star = (size_t) -1, mark = 0;

	// Classic two-index matcher: on a mismatch, let the most recent
	// star swallow one more character and retry from there. Earlier
	// stars never need revisiting, which bounds the work.
	while (t < tn) {
		bool wild = p < pn && (lit == NULL || lit[p] == 0);
		if (p < pn && wild && pat[p] == '*') {
			star = p++;
			mark = t;
		} else if (p < pn &&
		    ((wild && pat[p] == '?') || pat[p] == text[t])) {
			p++;
			t++;
		} else if (star != (size_t) -1) {
			p = star + 1;
			t = ++mark;
		} else {
			return false;
		}
	}
	while (p < pn && pat[p] == '*' && (lit == NULL || lit[p] == 0))
		p++;
	return p == pn;
}

uint8_t
pdpi_shape_of(const char *pat, size_t n)
{
	if (!pdpi_has_wildcard(pat, n))
		return PDPI_SHAPE_LITERAL;
	if (pat[n - 1] == '*' && !pdpi_has_wildcard(pat, n - 1))
		return PDPI_SHAPE_PREFIX;
	return PDPI_SHAPE_GLOB;
}

bool
pdpi_has_wildcard(const char *s, size_t n)
{
	return memchr(s, '*', n) != NULL || memchr(s, '?', n) != NULL;
}
