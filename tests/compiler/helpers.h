// helpers.h - shared by the compiler tests: compile a policy written with
// single quotes, look up diagnostics by exact path and message.

#ifndef TESTS_COMPILER_HELPERS_H
#define TESTS_COMPILER_HELPERS_H

#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamc.h"

typedef struct cres {
	iamc_arena *a;
	iamc_diags d;
	const pdpi_policy *p;
	int rv;
	char text[8192]; // every diagnostic, for failure messages
} cres;

// cres_compile_raw compiles JSON text exactly as given.
static inline void
cres_compile_raw(cres *r, pdp_policy_type t, const char *json)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	r->a = iamc_arena_open();
	ck_assert_ptr_nonnull(r->a);
	iamc_diags_init(&r->d);
	r->rv = iamc_policy_compile_text(r->a, json, strlen(json), t, "t",
	    &r->p, &r->d);
	for (size_t i = 0; i < r->d.n && off < sizeof(r->text); i++) {
		int k = snprintf(r->text + off, sizeof(r->text) - off,
		    "  %s %s: %s\n",
		    r->d.v[i].severity == IAMC_ERROR ? "E" : "W",
		    r->d.v[i].path, r->d.v[i].message);
		if (k > 0)
			off += (size_t) k;
	}
}

// cres_compile compiles `json` with every ' turned into ", so tests can
// write policies without escaping.
static inline void
cres_compile(cres *r, pdp_policy_type t, const char *json)
{
	size_t n = strlen(json);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, json, n + 1);
	for (char *p = s; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	cres_compile_raw(r, t, s);
	free(s);
}

static inline void
cres_fini(cres *r)
{
	iamc_diags_fini(&r->d);
	iamc_arena_close(r->a);
}

static inline size_t
cres_count(const cres *r, iamc_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < r->d.n; i++)
		n += r->d.v[i].severity == sev;
	return n;
}

static inline bool
cres_has(const cres *r, iamc_severity sev, const char *path,
    const char *msg)
{
	for (size_t i = 0; i < r->d.n; i++) {
		if (r->d.v[i].severity == sev &&
		    strcmp(r->d.v[i].path, path) == 0 &&
		    strcmp(r->d.v[i].message, msg) == 0)
			return true;
	}
	return false;
}

// ck_error / ck_warning assert one diagnostic with this exact path and
// message.
#define ck_error(r, path, msg)                                            \
	ck_assert_msg(cres_has((r), IAMC_ERROR, (path), (msg)),            \
	    "no error %s: %s; got:\n%s", (path), (msg), (r)->text)
#define ck_warning(r, path, msg)                                          \
	ck_assert_msg(cres_has((r), IAMC_WARNING, (path), (msg)),          \
	    "no warning %s: %s; got:\n%s", (path), (msg), (r)->text)
#define ck_clean(r)                                                       \
	ck_assert_msg((r)->rv == PDP_OK && cres_count((r), IAMC_ERROR) == 0, \
	    "rv %d; got:\n%s", (r)->rv, (r)->text)
#define ck_rejected(r)                                                    \
	ck_assert_msg((r)->rv == PDP_EPOLICY && (r)->p == NULL,            \
	    "rv %d; got:\n%s", (r)->rv, (r)->text)

static inline bool
str_is(pdpi_str s, const char *lit)
{
	return s.n == strlen(lit) && (s.n == 0 || memcmp(s.p, lit, s.n) == 0);
}

// run_suite runs a suite and turns failures into the exit status.
static inline int
run_suite(Suite *s)
{
	return pdp_run_suite(s);
}

#endif // TESTS_COMPILER_HELPERS_H
