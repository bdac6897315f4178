// json.c - JSON shape checks and path naming shared by the element
// compilers ("a string or an array of strings", "Statement[2].Action[1]").

#include <stdarg.h>
#include <stdio.h>

#include "iamci.h"

void
iamci_path(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, IAMCI_PATH_MAX, fmt, ap);
	va_end(ap);
}

void
iamci_elem_path(char *buf, const char *base, const json_t *v, size_t i)
{
	if (json_is_array(v))
		iamci_path(buf, "%s[%zu]", base, i);
	else
		iamci_path(buf, "%s", base);
}

long
iamci_strlist(iamci_ctx *c, const char *path, const char *what,
    const json_t *v)
{
	char p[IAMCI_PATH_MAX];

	if (json_is_string(v))
		return 1;
	if (!json_is_array(v)) {
		iamci_error(c, path,
		    "%s must be a string or an array of strings", what);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i))) {
			iamci_path(p, "%s[%zu]", path, i);
			iamci_error(c, p, "%s entries must be strings", what);
		}
	}
	return (long) json_array_size(v);
}

const json_t *
iamci_strlist_get(const json_t *v, size_t i)
{
	const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

	return json_is_string(e) ? e : NULL;
}

bool
iamci_has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '*' || s[i] == '?')
			return true;
	}
	return false;
}

uint32_t
iamci_strlist_compile(iamci_ctx *c, const char *path, const char *what,
    const json_t *v, size_t size, iamci_elem_fn fn, void **out)
{
	char p[IAMCI_PATH_MAX];
	long n = iamci_strlist(c, path, what, v);
	char *arr;
	uint32_t k = 0;

	*out = NULL;
	if (n <= 0)
		return 0;
	arr = iamci_alloc(c, (size_t) n * size);
	if (arr == NULL)
		return 0;
	for (size_t i = 0; i < (size_t) n; i++) {
		const json_t *e = iamci_strlist_get(v, i);
		if (e == NULL)
			continue;
		iamci_elem_path(p, path, v, i);
		if (fn(c, p, json_string_value(e), json_string_length(e),
		    arr + (size_t) k * size))
			k++;
	}
	*out = arr;
	return k;
}
