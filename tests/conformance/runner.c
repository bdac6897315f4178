// runner.c - runs the conformance cases (tests/conformance/cases/*.json)
// through the library (in-process) and through the `iamc eval` command,
// and checks each decision, deciding statement set, missing context keys
// and error text against the case's expectation.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "check_main.h"
#include "iamc_eval.h"

#define CASES_DIR PDP_SOURCE_DIR "/tests/conformance/cases"
#define IAMC PDP_BINARY_DIR "/compiler/iamc"

typedef struct tcase_data {
	char *id;        // file:name
	json_t *input;   // eval-format line, with "id"
	json_t *expect;
} tcase_data;

static tcase_data *cases;
static size_t ncases;

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
load_cases(void)
{
	DIR *d = opendir(CASES_DIR);
	struct dirent *e;
	char *names[256];
	size_t nn = 0;

	ck_assert_msg(d != NULL, "cannot open %s", CASES_DIR);
	while ((e = readdir(d)) != NULL && nn < 256) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(names[0]), cmp_names);
	for (size_t f = 0; f < nn; f++) {
		char path[1024];
		json_error_t err;
		snprintf(path, sizeof(path), "%s/%s", CASES_DIR, names[f]);
		json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES,
		    &err);
		ck_assert_msg(doc != NULL, "%s:%d: %s", path, err.line,
		    err.text);
		json_t *list = json_object_get(doc, "cases");
		ck_assert_msg(json_is_array(list), "%s: no cases", path);
		cases = realloc(cases,
		    (ncases + json_array_size(list)) * sizeof(*cases));
		ck_assert_ptr_nonnull(cases);
		size_t i;
		json_t *c;
		json_array_foreach(list, i, c) {
			const char *name = json_string_value(
			    json_object_get(c, "name"));
			json_t *in = json_object_get(c, "input");
			json_t *ex = json_object_get(c, "expect");
			ck_assert_msg(name && json_is_object(in) &&
			    json_is_object(ex) && json_object_get(c, "source"),
			    "%s: case %zu lacks name, input, expect or source",
			    path, i);
			tcase_data *t = &cases[ncases++];
			size_t idl = strlen(names[f]) + strlen(name) + 2;
			t->id = malloc(idl);
			snprintf(t->id, idl, "%s:%s", names[f], name);
			t->input = json_deep_copy(in);
			json_object_set_new(t->input, "id",
			    json_string(t->id));
			t->expect = json_incref(ex);
		}
		json_decref(doc);
		free(names[f]);
	}
}

// same_matched compares the expected deciding statements with the
// reported ones as sets of (policy, statement[, sid]).
static bool
same_matched(const json_t *want, const json_t *got)
{
	size_t i, j;
	json_t *w, *g;

	if (json_array_size(want) != json_array_size(got))
		return false;
	json_array_foreach(want, i, w) {
		bool found = false;
		json_array_foreach(got, j, g) {
			const json_t *ws = json_object_get(w, "sid");
			if (!json_equal(json_object_get(w, "policy"),
			    json_object_get(g, "policy")) ||
			    !json_equal(json_object_get(w, "statement"),
			    json_object_get(g, "statement")))
				continue;
			if (ws != NULL && !json_equal(ws,
			    json_object_get(g, "sid")))
				continue;
			found = true;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool
same_keys(const json_t *want, const json_t *got)
{
	size_t i, j;
	json_t *w, *g;

	if (json_array_size(want) != json_array_size(got))
		return false;
	json_array_foreach(want, i, w) {
		bool found = false;
		json_array_foreach(got, j, g)
			if (json_is_string(w) && json_is_string(g) &&
			    strcasecmp(json_string_value(w),
			    json_string_value(g)) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

// check_one returns NULL when `got` meets the expectation, else a reason.
static const char *
check_one(const tcase_data *t, const json_t *got)
{
	const json_t *ex = t->expect;
	const char *want = json_string_value(json_object_get(ex, "decision"));
	const char *dec = json_string_value(json_object_get(got, "decision"));
	const char *sub = json_string_value(json_object_get(ex,
	    "errorContains"));
	const json_t *m = json_object_get(ex, "matched");
	const json_t *mc = json_object_get(ex, "missingContext");

	if (dec == NULL || want == NULL || strcmp(dec, want) != 0)
		return "decision";
	if (!json_equal(json_object_get(got, "id"),
	    json_object_get(t->input, "id")))
		return "id";
	if (sub != NULL) {
		const char *err = json_string_value(json_object_get(got,
		    "error"));
		if (err == NULL || strstr(err, sub) == NULL)
			return "error text";
	}
	if (m != NULL && !same_matched(m, json_object_get(got, "matched")))
		return "matched statements";
	if (mc != NULL && !same_keys(mc, json_object_get(got,
	    "missingContext")))
		return "missingContext";
	return NULL;
}

static void
report(const tcase_data *t, const json_t *got, const char *why)
{
	char *g = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *w = json_dumps(t->expect, JSON_COMPACT);
	fprintf(stderr, "FAIL %s (%s)\n  want %s\n  got  %s\n", t->id, why, w,
	    g);
	free(g);
	free(w);
}

START_TEST(test_conformance_suite_has_400_cases)
{
	load_cases();
	ck_assert_uint_ge(ncases, 400);
}
END_TEST

START_TEST(test_conformance_through_library)
{
	size_t bad = 0;

	load_cases();
	for (size_t i = 0; i < ncases; i++) {
		json_t *got = iamc_eval_json(cases[i].input);
		ck_assert_ptr_nonnull(got);
		const char *why = check_one(&cases[i], got);
		if (why != NULL) {
			report(&cases[i], got, why);
			bad++;
		}
		json_decref(got);
	}
	ck_assert_msg(bad == 0, "%zu of %zu conformance cases failed", bad,
	    ncases);
}
END_TEST

START_TEST(test_conformance_through_iamc_eval)
{
	char in[] = "/tmp/iamc-conformance-XXXXXX";
	char cmd[2048];
	size_t bad = 0, n = 0;
	char *lbuf = NULL;
	size_t cap = 0;
	ssize_t len;

	load_cases();
	int fd = mkstemp(in);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	for (size_t i = 0; i < ncases; i++) {
		char *s = json_dumps(cases[i].input, JSON_COMPACT);
		fprintf(f, "%s\n", s);
		free(s);
	}
	// A bad line in the middle must not stop the stream.
	fprintf(f, "{not json\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s eval < %s", IAMC, in);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((len = getline(&lbuf, &cap, p)) != -1) {
		json_error_t err;
		json_t *got = json_loadb(lbuf, (size_t) len, 0, &err);
		ck_assert_msg(got != NULL, "iamc eval wrote bad JSON: %s",
		    lbuf);
		if (n < ncases) {
			const char *why = check_one(&cases[n], got);
			if (why != NULL) {
				report(&cases[n], got, why);
				bad++;
			}
		} else {
			ck_assert_str_eq(json_string_value(json_object_get(
			    got, "decision")), "Error");
		}
		n++;
		json_decref(got);
	}
	free(lbuf);
	ck_assert_int_eq(pclose(p), 0);
	unlink(in);
	ck_assert_uint_eq(n, ncases + 1);
	ck_assert_msg(bad == 0, "%zu of %zu conformance cases failed", bad,
	    ncases);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conformance");
	TCase *tc = tcase_create("cases");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_conformance_suite_has_400_cases);
	tcase_add_test(tc, test_conformance_through_library);
	tcase_add_test(tc, test_conformance_through_iamc_eval);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
