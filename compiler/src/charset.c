// charset.c - the character set of policy documents: TAB, LF, CR and
// U+0020-U+00FF only (iam-semantics 1.11, QUOTAS). Checked on every key
// and string of the document, so the diagnostic names where it is.

#include <stdint.h>
#include <string.h>

#include "iamci.h"

// bad_char returns the first code point outside the policy character set
// in UTF-8 text s[0..n), or 0 when there is none.
static uint32_t
bad_char(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;
		if (p[i] < 0x80) {
			cp = p[i];
			k = 1;
		} else if ((p[i] & 0xe0) == 0xc0 && i + 1 < n) {
			cp = ((uint32_t) (p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f);
			k = 2;
		} else if ((p[i] & 0xf0) == 0xe0 && i + 2 < n) {
			cp = ((uint32_t) (p[i] & 0x0f) << 12) |
			    ((uint32_t) (p[i + 1] & 0x3f) << 6) |
			    (p[i + 2] & 0x3f);
			k = 3;
		} else {
			// jansson only hands out valid UTF-8, so a
			// longer sequence is a code point above U+FFFF.
			return 0x10000;
		}
		if (cp > 0xff || (cp < 0x20 && cp != '\t' && cp != '\n' &&
		    cp != '\r'))
			return cp;
		i += k;
	}
	return 0;
}

static void
check_text(iamci_ctx *c, const char *path, const char *s, size_t n)
{
	uint32_t cp = bad_char(s, n);

	if (cp != 0)
		iamci_error(c, path, "character U+%04X is outside the policy "
		    "character set (tab, newline, carriage return and "
		    "U+0020-U+00FF)", (unsigned) cp);
}

void
iamci_charset_check(iamci_ctx *c, const json_t *v, const char *path)
{
	char p[IAMCI_PATH_MAX];
	const char *key;
	json_t *el;
	size_t i;

	if (json_is_string(v)) {
		check_text(c, path, json_string_value(v),
		    json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *) v, key, el) {
			iamci_path(p, "%s%s%s", path, path[0] ? "." : "",
			    key);
			check_text(c, p, key, strlen(key));
			iamci_charset_check(c, el, p);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, el) {
			iamci_path(p, "%s[%zu]", path, i);
			iamci_charset_check(c, el, p);
		}
	}
}
