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

// pdpi_glob reports whether text[0..tn) matches pat[0..pn). When `lit` is
// not NULL, lit[i] != 0 makes pat[i] a literal character even if it is
// '*' or '?' (text substituted from a policy variable). Case-sensitive:
// callers fold both sides first when case must not matter.
bool pdpi_glob(const char *pat, const uint8_t *lit, size_t pn,
    const char *text, size_t tn);

// pdpi_has_wildcard reports whether s[0..n) contains '*' or '?'.
bool pdpi_has_wildcard(const char *s, size_t n);

#endif // PDP_GLOB_H
