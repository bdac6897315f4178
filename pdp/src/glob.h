// glob.h - IAM wildcard matching: '*' any run, '?' one character.
//
// Anchored, iterative, no recursion and no backtracking regex: at worst
// O(len(pattern) * len(text)). Used for actions, ARN segments, StringLike
// and ArnLike. Allocates nothing.

#ifndef PDP_GLOB_H
#define PDP_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// pdpi_glob reports whether text[0..tn) matches pat[0..pn). When `lit` is
// not NULL, lit[i] != 0 makes pat[i] a literal character even if it is
// '*' or '?' (text substituted from a policy variable). Case-sensitive:
// callers fold both sides first when case must not matter.
bool pdpi_glob(const char *pat, const uint8_t *lit, size_t pn,
    const char *text, size_t tn);

// pdpi_has_wildcard reports whether s[0..n) contains '*' or '?'.
bool pdpi_has_wildcard(const char *s, size_t n);

// The shape of a pattern, which the loader finds once so that the usual
// patterns are matched without the matcher.
enum pdpi_shape {
	PDPI_SHAPE_GLOB = 0,    // anything: pdpi_glob
	PDPI_SHAPE_LITERAL = 1, // no wildcard: equal text
	PDPI_SHAPE_PREFIX = 2,  // "text*", one '*' at the end: a prefix
};

// pdpi_shape_of says what shape pat[0..n) has.
uint8_t pdpi_shape_of(const char *pat, size_t n);

// pdpi_match_shaped is pdpi_glob (no literal marks) for a pattern of a
// known shape.
static inline bool
pdpi_match_shaped(uint8_t shape, const char *pat, size_t pn,
    const char *text, size_t tn)
{
	switch (shape) {
	case PDPI_SHAPE_LITERAL:
		return pn == tn && (pn == 0 || memcmp(pat, text, pn) == 0);
	case PDPI_SHAPE_PREFIX:
		return tn >= pn - 1 && (pn == 1 || memcmp(pat, text, pn - 1) ==
		    0);
	default:
		return pdpi_glob(pat, NULL, pn, text, tn);
	}
}

#endif // PDP_GLOB_H
