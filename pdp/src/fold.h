// fold.h - case folding for IAM comparisons (ASCII and Latin-1).
//
// Policy text is limited to U+0000-U+00FF, so IgnoreCase comparisons fold
// ASCII letters and the Latin-1 letters U+00C0-U+00DE (except U+00D7,
// the multiplication sign). Request text arrives as UTF-8: a Latin-1
// letter is the two bytes C3 80..9E, folded to C3 A0..BE. Shared by the
// compiler and the evaluator, so both fold alike. Allocates nothing.

#ifndef PDP_FOLD_H
#define PDP_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// pdpi_fold_ascii folds one ASCII letter to lower case.
static inline unsigned char
pdpi_fold_ascii(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
}

// pdpi_fold8 folds eight ASCII bytes (no high bit set) at once: the sums
// cannot carry between bytes.
static inline uint64_t
pdpi_fold8(uint64_t x)
{
	uint64_t ge_a = x + 0x3f3f3f3f3f3f3f3full; // byte >= 'A'
	uint64_t gt_z = x + 0x2525252525252525ull; // byte > 'Z'
	return x | ((ge_a & ~gt_z) & 0x8080808080808080ull) >> 2;
}

// pdpi_fold_utf8 folds UTF-8 text s[0..n) into out (n bytes; folding
// never changes the length). out may equal s.
static inline void
pdpi_fold_utf8(char *out, const char *s, size_t n)
{
	size_t i = 0;

	// Fast path: eight ASCII bytes at a time. No byte of a run has its
	// high bit set, so no 0xC3 pair starts inside it and every byte
	// folds on its own; the sums below cannot carry between bytes.
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (x & 0x8080808080808080ull)
			goto bytes;
		x = pdpi_fold8(x);
		memcpy(out + i, &x, 8);
	}
	// The last few bytes: fold the last eight again, when ASCII.
	if (i < n && n >= 8) {
		uint64_t x;
		memcpy(&x, s + n - 8, 8);
		if ((x & 0x8080808080808080ull) == 0) {
			x = pdpi_fold8(x);
			memcpy(out + n - 8, &x, 8);
			return;
		}
	}
bytes:
	for (; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c == 0xC3 && i + 1 < n) {
			unsigned char d = (unsigned char) s[i + 1];
			out[i] = (char) c;
			if (d >= 0x80 && d <= 0x9E && d != 0x97)
				d = (unsigned char) (d + 0x20);
			out[++i] = (char) d;
			continue;
		}
		out[i] = (char) pdpi_fold_ascii(c);
	}
}

// pdpi_eq_fold reports whether a and b are equal after folding.
static inline bool
pdpi_eq_fold(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0;

	if (an != bn)
		return false;
	// Fast path, as in pdpi_fold_utf8: while both sides are ASCII,
	// compare eight folded bytes at a time; the last few bytes are the
	// last eight, read again.
	for (; i + 8 <= an; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if ((x | y) & 0x8080808080808080ull)
			goto bytes;
		if (pdpi_fold8(x) != pdpi_fold8(y))
			return false;
	}
	if (i < an && an >= 8) {
		uint64_t x, y;
		memcpy(&x, a + an - 8, 8);
		memcpy(&y, b + an - 8, 8);
		if (((x | y) & 0x8080808080808080ull) == 0)
			return pdpi_fold8(x) == pdpi_fold8(y);
	}
bytes:
	for (; i < an; i++) {
		unsigned char x = (unsigned char) a[i];
		unsigned char y = (unsigned char) b[i];
		if (x == 0xC3 && y == 0xC3 && i + 1 < an) {
			unsigned char p = (unsigned char) a[i + 1];
			unsigned char q = (unsigned char) b[i + 1];
			if (p >= 0x80 && p <= 0x9E && p != 0x97)
				p = (unsigned char) (p + 0x20);
			if (q >= 0x80 && q <= 0x9E && q != 0x97)
				q = (unsigned char) (q + 0x20);
			if (p != q)
				return false;
			i++;
			continue;
		}
		if (pdpi_fold_ascii(x) != pdpi_fold_ascii(y))
			return false;
	}
	return true;
}

#endif // PDP_FOLD_H
