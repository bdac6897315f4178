// principal.c - Principal / NotPrincipal: validation and classification
// of each named principal (account, user, role, session, unique ID,
// service ...) so the evaluator compares parts, not strings.

#include <string.h>

#include "iamci.h"

static const char *const id_prefixes[] = {
	"AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASIA", "AGPA", "AKIA",
	"ASCA", "APKA", "ABIA", "ACCA",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
is_account(const char *s, size_t n)
{
	if (n != 12)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

static bool
is_unique_id(const char *s, size_t n)
{
	bool known = false;

	if (n < 16 || n > 128)
		return false;
	for (size_t i = 0; i < NELEM(id_prefixes); i++) {
		if (memcmp(s, id_prefixes[i], 4) == 0)
			known = true;
	}
	if (!known)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

static bool
starts(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && memcmp(s, lit, k) == 0;
}

static bool
set(iamci_ctx *c, pdpi_str *out, const char *s, size_t n)
{
	return iamci_str(c, s, n, out);
}

// classify_arn fills *p for an AWS principal ARN; false when it is not a
// well-formed principal ARN (reported by the caller).
static bool
classify_arn(iamci_ctx *c, const char *s, size_t n, pdpi_principal *p,
    bool *ok)
{
	const char *seg[5];
	size_t segn[5], k = 0, start = 0;
	const char *rest, *slash;
	size_t restn;

	*ok = false;
	for (size_t i = 0; i < n && k < 5; i++) {
		if (s[i] == ':') {
			seg[k] = s + start;
			segn[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k < 5 || segn[1] == 0 || segn[2] == 0)
		return true;
	rest = s + start;
	restn = n - start;
	bool iam = segn[2] == 3 && memcmp(seg[2], "iam", 3) == 0;
	bool sts = segn[2] == 3 && memcmp(seg[2], "sts", 3) == 0;
	if ((iam || sts) && !is_account(seg[4], segn[4]))
		return true;
	if (!set(c, &p->account, seg[4], segn[4]))
		return false;
	p->kind = PDPI_PRIN_OTHER;
	if (iam && restn == 4 && memcmp(rest, "root", 4) == 0) {
		p->kind = PDPI_PRIN_ACCOUNT;
	} else if (iam && (starts(rest, restn, "user/") ||
	    starts(rest, restn, "role/"))) {
		// The name is the last path element; paths don't take part
		// in principal matching.
		const char *name = rest;
		for (size_t i = 0; i < restn; i++) {
			if (rest[i] == '/')
				name = rest + i + 1;
		}
		size_t nn = (size_t) (rest + restn - name);
		if (nn == 0)
			return true;
		p->kind = rest[0] == 'u' ? PDPI_PRIN_USER : PDPI_PRIN_ROLE;
		if (!set(c, &p->name, name, nn))
			return false;
	} else if (sts && starts(rest, restn, "assumed-role/")) {
		const char *r = rest + 13;
		size_t rn = restn - 13;
		slash = memchr(r, '/', rn);
		if (slash == NULL || slash == r || slash + 1 == r + rn)
			return true;
		p->kind = PDPI_PRIN_SESSION;
		if (!set(c, &p->name, r, (size_t) (slash - r)) ||
		    !set(c, &p->session, slash + 1,
		    (size_t) (r + rn - slash - 1)))
			return false;
	} else if (sts && starts(rest, restn, "federated-user/")) {
		if (restn == 15)
			return true;
		p->kind = PDPI_PRIN_FEDUSER;
		if (!set(c, &p->name, rest + 15, restn - 15))
			return false;
	}
	*ok = true;
	return true;
}

// principal_compile fills *p for one value under `type` ("AWS",
// "Service", ...); false on an error (reported) or out of memory.
static bool
principal_compile(iamci_ctx *c, const char *path, const char *type,
    const char *s, size_t n, pdpi_principal *p)
{
	bool aws = strcmp(type, "AWS") == 0;
	bool ok = true;

	if (!set(c, &p->text, s, n))
		return false;
	if (aws && n == 1 && s[0] == '*') {
		p->kind = PDPI_PRIN_ALL;
		return true;
	}
	if (memchr(s, '*', n) != NULL) {
		iamci_error(c, path, "Invalid principal in policy: \"%.*s\": "
		    "a wildcard may only stand alone, as \"*\"", (int) n, s);
		return false;
	}
	if (n == 0) {
		iamci_error(c, path, "Invalid principal in policy: empty %s "
		    "principal", type);
		return false;
	}
	if (!aws) {
		if (strcmp(type, "Service") == 0)
			p->kind = PDPI_PRIN_SERVICE;
		else if (strcmp(type, "Federated") == 0)
			p->kind = PDPI_PRIN_FEDERATED;
		else
			p->kind = PDPI_PRIN_CANONICAL;
		return set(c, &p->name, s, n);
	}
	if (is_account(s, n)) {
		p->kind = PDPI_PRIN_ACCOUNT;
		return set(c, &p->account, s, n);
	}
	if (is_unique_id(s, n)) {
		p->kind = PDPI_PRIN_UNIQUE_ID;
		return set(c, &p->name, s, n);
	}
	if (!starts(s, n, "arn:") || !classify_arn(c, s, n, p, &ok))
		ok = false;
	if (c->nomem)
		return false;
	if (!ok) {
		iamci_error(c, path, "Invalid principal in policy: \"%.*s\"",
		    (int) n, s);
		return false;
	}
	return true;
}

static bool
known_type(const char *k)
{
	return strcmp(k, "AWS") == 0 || strcmp(k, "Service") == 0 ||
	    strcmp(k, "Federated") == 0 || strcmp(k, "CanonicalUser") == 0;
}

uint32_t
iamci_principals_compile(iamci_ctx *c, const char *path, const char *what,
    const json_t *v, const pdpi_principal **out)
{
	char kp[IAMCI_PATH_MAX], ep[IAMCI_PATH_MAX];
	pdpi_principal *ps;
	const char *key;
	json_t *val;
	size_t total = 0;
	uint32_t k = 0;

	*out = NULL;
	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "*") != 0) {
			iamci_error(c, path, "Invalid principal in policy: "
			    "\"%s\": a %s string must be \"*\"",
			    json_string_value(v), what);
			return 0;
		}
		ps = iamci_alloc(c, sizeof(*ps));
		if (ps == NULL || !set(c, &ps->text, "*", 1))
			return 0;
		ps->kind = PDPI_PRIN_ALL;
		*out = ps;
		return 1;
	}
	if (!json_is_object(v)) {
		iamci_error(c, path, "%s must be \"*\" or an object", what);
		return 0;
	}
	if (json_object_size(v) == 0) {
		iamci_error(c, path, "%s must name at least one principal",
		    what);
		return 0;
	}
	json_object_foreach((json_t *) v, key, val) {
		long m;
		iamci_path(kp, "%s.%s", path, key);
		if (!known_type(key)) {
			iamci_error(c, kp, "unknown principal type \"%s\"; "
			    "expected AWS, Service, Federated or "
			    "CanonicalUser", key);
			continue;
		}
		m = iamci_strlist(c, kp, what, val);
		if (m == 0)
			iamci_error(c, kp, "%s %s must not be empty", what,
			    key);
		if (m > 0)
			total += (size_t) m;
	}
	if (total == 0)
		return 0;
	ps = iamci_alloc(c, total * sizeof(*ps));
	if (ps == NULL)
		return 0;
	json_object_foreach((json_t *) v, key, val) {
		if (!known_type(key) ||
		    (!json_is_string(val) && !json_is_array(val)))
			continue;
		iamci_path(kp, "%s.%s", path, key);
		size_t m = json_is_string(val) ? 1 : json_array_size(val);
		for (size_t i = 0; i < m; i++) {
			const json_t *e = iamci_strlist_get(val, i);
			if (e == NULL)
				continue;
			iamci_elem_path(ep, kp, val, i);
			if (principal_compile(c, ep, key, json_string_value(e),
			    json_string_length(e), &ps[k]))
				k++;
		}
	}
	*out = ps;
	return k;
}

static bool
str_eq(const pdpi_str *a, const pdpi_str *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

void
iamci_principals_check_not(iamci_ctx *c, const char *path,
    const pdpi_principal *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		bool listed = false, seen = false;
		if (p[i].kind != PDPI_PRIN_USER &&
		    p[i].kind != PDPI_PRIN_ROLE &&
		    p[i].kind != PDPI_PRIN_SESSION &&
		    p[i].kind != PDPI_PRIN_FEDUSER)
			continue;
		for (uint32_t j = 0; j < n; j++) {
			if (p[j].kind == PDPI_PRIN_ACCOUNT &&
			    str_eq(&p[j].account, &p[i].account))
				listed = true;
			if (p[j].kind == PDPI_PRIN_ALL)
				listed = true;
		}
		// Warn once per account: only at its first entry.
		for (uint32_t j = 0; j < i; j++) {
			if ((p[j].kind == PDPI_PRIN_USER ||
			    p[j].kind == PDPI_PRIN_ROLE ||
			    p[j].kind == PDPI_PRIN_SESSION ||
			    p[j].kind == PDPI_PRIN_FEDUSER) &&
			    str_eq(&p[j].account, &p[i].account))
				seen = true;
		}
		if (listed || seen)
			continue;
		iamci_warn(c, path, "NotPrincipal names principals of account "
		    "%s but not the account itself (\"%s\" or "
		    "\"arn:aws:iam::%s:root\"); AWS may then deny them too",
		    p[i].account.p, p[i].account.p, p[i].account.p);
	}
}
