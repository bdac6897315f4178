// diag.c - the diagnostics list (iamc_diags) and the compiler's helpers
// for reporting into it.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamc.h"
#include "iamci.h"

void
iamc_diags_init(iamc_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
iamc_diags_fini(iamc_diags *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].message);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static char *vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
static bool diags_addv(iamc_diags *d, iamc_severity sev, const char *path,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static char *
vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	int len;
	char *s;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return NULL;
	s = malloc((size_t) len + 1);
	if (s != NULL)
		vsnprintf(s, (size_t) len + 1, fmt, ap);
	return s;
}

static char *
dupstr(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);

	if (p != NULL)
		memcpy(p, s, n + 1);
	return p;
}

// diags_addv appends one diagnostic; returns false when it was lost.
static bool
diags_addv(iamc_diags *d, iamc_severity sev, const char *path,
    const char *fmt, va_list ap)
{
	char *p = NULL, *m = NULL;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		iamc_diag *v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL)
			goto lost;
		d->v = v;
		d->cap = cap;
	}
	p = dupstr(path != NULL ? path : "");
	m = vformat(fmt, ap);
	if (p == NULL || m == NULL)
		goto lost;
	d->v[d->n].severity = sev;
	d->v[d->n].path = p;
	d->v[d->n].message = m;
	d->n++;
	if (sev == IAMC_ERROR)
		d->nerrors++;
	return true;
lost:
	// A lost diagnostic must not let a document pass as clean.
	free(p);
	free(m);
	d->nerrors++;
	return false;
}

void
iamc_diags_add(iamc_diags *d, iamc_severity sev, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_addv(d, sev, path, fmt, ap);
	va_end(ap);
}

void
iamci_error(iamci_ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	c->nerr++;
	va_start(ap, fmt);
	if (!diags_addv(c->d, IAMC_ERROR, path, fmt, ap))
		c->nomem = true;
	va_end(ap);
}

void
iamci_warn(iamci_ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!diags_addv(c->d, IAMC_WARNING, path, fmt, ap))
		c->nomem = true;
	va_end(ap);
}
