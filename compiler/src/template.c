// template.c - policy variables: splits a string into literal text,
// ${key} / ${key, 'default'} variables and the ${*} ${?} ${$} escapes.
// Only Version 2012-10-17 policies have variables; elsewhere, and for any
// malformed ${, the text is literal.

#include <string.h>

#include "fold.h"
#include "iamci.h"

// A variable found in the text: where it starts and ends, and its parts.
typedef struct var {
	size_t start, end; // s[start..end) is the whole "${...}"
	uint8_t kind;      // PDPI_PART_VAR or PDPI_PART_ESC
	size_t k0, kn;     // key (VAR) or escaped character (ESC)
	bool has_default;
	size_t d0, dn;
} var;

// scan_var recognizes a variable at s[i] == '$'. Returns false when the
// text there is not a well-formed variable, which then stays literal.
static bool
scan_var(const char *s, size_t n, size_t i, var *v)
{
	size_t j = i + 2, k;

	if (i + 1 >= n || s[i + 1] != '{')
		return false;
	memset(v, 0, sizeof(*v));
	v->start = i;
	if (j + 1 < n && s[j + 1] == '}' &&
	    (s[j] == '*' || s[j] == '?' || s[j] == '$')) {
		v->kind = PDPI_PART_ESC;
		v->k0 = j;
		v->kn = 1;
		v->end = j + 2;
		return true;
	}
	v->kind = PDPI_PART_VAR;
	for (k = j; k < n && s[k] != '}' && s[k] != ',' && s[k] != '$' &&
	     s[k] != '{';
	     k++)
		;
	if (k == n || k == j || (s[k] != '}' && s[k] != ','))
		return false;
	v->k0 = j;
	v->kn = k - j;
	if (s[k] == '}') {
		v->end = k + 1;
		return true;
	}
	// ", 'default'}": AWS documents one space; we accept any number of
	// spaces around the quoted default.
	k++;
	while (k < n && s[k] == ' ')
		k++;
	if (k == n || s[k] != '\'')
		return false;
	v->d0 = ++k;
	while (k < n && s[k] != '\'')
		k++;
	if (k == n)
		return false;
	v->dn = k - v->d0;
	k++;
	while (k < n && s[k] == ' ')
		k++;
	if (k == n || s[k] != '}')
		return false;
	v->has_default = true;
	v->end = k + 1;
	return true;
}

// count_parts returns how many parts s splits into (0: no variables).
static uint32_t
count_parts(const char *s, size_t n)
{
	uint32_t parts = 0, vars = 0;
	bool lit = false;
	var v;

	for (size_t i = 0; i < n;) {
		if (s[i] == '$' && scan_var(s, n, i, &v)) {
			if (lit)
				parts++;
			lit = false;
			parts++;
			vars++;
			i = v.end;
		} else {
			lit = true;
			i++;
		}
	}
	if (lit)
		parts++;
	return vars ? parts : 0;
}

bool
iamci_tmpl_build(iamci_ctx *c, const char *s, size_t n, bool vars,
    pdpi_tmpl *out)
{
	pdpi_part *parts;
	uint32_t np, k = 0;
	size_t lit0 = 0;
	var v;

	memset(out, 0, sizeof(*out));
	if (!iamci_str(c, s, n, &out->text))
		return false;
	s = out->text.p;
	np = vars ? count_parts(s, n) : 0;
	if (np == 0)
		return true;
	parts = iamci_alloc(c, np * sizeof(*parts));
	if (parts == NULL)
		return false;
	for (size_t i = 0; i < n;) {
		if (s[i] != '$' || !scan_var(s, n, i, &v)) {
			i++;
			continue;
		}
		if (i > lit0) {
			parts[k].kind = PDPI_PART_LIT;
			if (!iamci_str(c, s + lit0, i - lit0, &parts[k].s))
				return false;
			k++;
		}
		parts[k].kind = v.kind;
		if (v.kind == PDPI_PART_ESC) {
			if (!iamci_str(c, s + v.k0, 1, &parts[k].s))
				return false;
		} else if (!iamci_str_fold(c, s + v.k0, v.kn, &parts[k].s)) {
			return false;
		}
		if (v.has_default) {
			parts[k].has_default = true;
			if (!iamci_str(c, s + v.d0, v.dn, &parts[k].dflt))
				return false;
		}
		k++;
		i = lit0 = v.end;
	}
	if (lit0 < n) {
		parts[k].kind = PDPI_PART_LIT;
		if (!iamci_str(c, s + lit0, n - lit0, &parts[k].s))
			return false;
		k++;
	}
	out->parts = parts;
	out->nparts = k;
	return true;
}
