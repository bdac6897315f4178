// conformance_test.c - the conformance cases (tests/conformance/cases/)
// decided through pdpd: each case is compiled into a bundle with
// iamc_eval_prepare, served by one pdpd through the reload op, and asked
// over the wire with explain. pdpd must answer exactly what the library
// answers in-process (decision, deciding statements, missing keys), and
// so match each case's expectation wherever the library does (the
// library's own mismatches are tests/conformance/runner's to report).

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "check_main.h"
#include "bundle.h"
#include "harness.h"
#include "iamc_eval.h"

#define CASES_DIR PDP_SOURCE_DIR "/tests/conformance/cases"

static th_server srv;

// to_request turns a library request into a wire request.
static pdpw_authz
to_authz(const pdp_request *q, pdpw_ctx *ctx)
{
	pdpw_authz a;

	memset(&a, 0, sizeof(a));
	a.principal = q->principal;
	a.action = q->action;
	a.resource = q->resource;
	a.resource_account = q->resource_account;
	a.session_policy = q->session_policy;
	for (uint32_t i = 0; i < q->ncontext; i++) {
		ctx[i].key = q->context[i].key;
		ctx[i].values = (const char *const *) q->context[i].values;
		ctx[i].nvalues = q->context[i].nvalues;
		ctx[i].multi = q->context[i].multi;
	}
	a.context = ctx;
	a.ncontext = q->ncontext;
	return a;
}

// from_reply rebuilds the library's decision and explanation from a wire
// reply, so both render through iamc_eval_result alike.
static void
from_reply(const pdpw_reply *r, pdp_decision *d, pdp_explanation *ex)
{
	memset(d, 0, sizeof(*d));
	memset(ex, 0, sizeof(*ex));
	d->err = r->status;
	d->effect = (pdp_effect) r->result.decision;
	d->reason = r->result.reason;
	ex->nmatched = r->explain.nmatched;
	for (uint32_t i = 0; i < ex->nmatched; i++) {
		const pdpw_match *m = &r->explain.matched[i];
		ex->matched[i].policy = m->policy;
		ex->matched[i].policy_len = m->policy_len;
		ex->matched[i].sid = m->sid ? m->sid : "";
		ex->matched[i].sid_len = m->sid ? m->sid_len : 0;
		ex->matched[i].index = m->statement;
		ex->matched[i].effect = m->effect == PDPW_ALLOW ? PDP_ALLOW :
		    PDP_EXPLICIT_DENY;
	}
	ex->nmissing = r->explain.nmissing;
	for (uint32_t i = 0; i < ex->nmissing; i++) {
		ex->missing[i] = r->explain.missing[i];
		ex->missing_len[i] = r->explain.missing_len[i];
	}
}

// same_set compares two JSON arrays as sets; for matched statements by
// (policy, statement) and, where `want` names one, sid.
static bool
same_set(const json_t *want, const json_t *got, bool stmts)
{
	size_t i, j;
	const json_t *w, *g;

	if (json_array_size(want) != json_array_size(got))
		return false;
	json_array_foreach(want, i, w) {
		bool found = false;
		json_array_foreach(got, j, g) {
			if (!stmts) {
				found = json_is_string(w) && json_is_string(g) &&
				    strcasecmp(json_string_value(w),
				    json_string_value(g)) == 0;
			} else {
				const json_t *ws = json_object_get(w, "sid");
				found = json_equal(json_object_get(w,
				    "policy"), json_object_get(g, "policy")) &&
				    json_equal(json_object_get(w, "statement"),
				    json_object_get(g, "statement")) &&
				    (ws == NULL || json_equal(ws,
				    json_object_get(g, "sid")));
			}
			if (found)
				break;
		}
		if (!found)
			return false;
	}
	return true;
}

// agrees says whether `got` meets the expectation `ex`.
static bool
agrees(const json_t *ex, const json_t *got)
{
	const json_t *m = json_object_get(ex, "matched");
	const json_t *mc = json_object_get(ex, "missingContext");

	return json_equal(json_object_get(ex, "decision"),
	    json_object_get(got, "decision")) &&
	    (m == NULL || same_set(m, json_object_get(got, "matched"), true)) &&
	    (mc == NULL || same_set(mc, json_object_get(got,
	    "missingContext"), false));
}

static bool
same_answer(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "decision"),
	    json_object_get(b, "decision")) &&
	    same_set(json_object_get(a, "matched"),
	    json_object_get(b, "matched"), true) &&
	    same_set(json_object_get(a, "missingContext"),
	    json_object_get(b, "missingContext"), false);
}

START_TEST(test_conformance_cases_through_pdpd)
{
	DIR *dir = opendir(CASES_DIR);
	struct dirent *e;
	size_t ncases = 0, nserved = 0, nagree = 0, nlib_off = 0, nerror = 0;
	static pdpw_ctx ctx[PDP_CONTEXT_MAX];
	pdpc_client *c;
	bool started = false;

	ck_assert_ptr_nonnull(dir);
	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	started = true;
	c = th_client(&srv, 5000);
	while ((e = readdir(dir)) != NULL) {
		size_t l = strlen(e->d_name);
		char path[1024];
		json_error_t jerr;

		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CASES_DIR, e->d_name);
		json_t *doc = json_load_file(path, 0, &jerr);
		ck_assert_msg(doc != NULL, "%s: %s", path, jerr.text);
		size_t i;
		json_t *tc;
		json_array_foreach(json_object_get(doc, "cases"), i, tc) {
			const json_t *ex = json_object_get(tc, "expect");
			const char *name = json_string_value(
			    json_object_get(tc, "name"));
			char err[1024];
			iamc_eval_prep *p = NULL;

			ncases++;
			if (strcmp(json_string_value(json_object_get(ex,
			    "decision")), "Error") == 0) {
				nerror++; // refused at compile time
				continue;
			}
			if (iamc_eval_prepare(json_object_get(tc, "input"), &p,
			    err, sizeof(err)) != PDP_OK) {
				nlib_off++;
				continue;
			}
			const pdp_bundle *b = iamc_eval_prep_bundle(p);
			const pdp_request *q = iamc_eval_prep_request(p);
			pdp_decision d;
			pdp_explanation lx;
			pdp_bundle_authorize(b, q, &d, &lx);
			json_t *lib = iamc_eval_result(NULL, &d, &lx);

			// Serve this case's bundle, then ask.
			pdpw_reply r;
			ck_assert_int_eq(th_write_file(srv.bundle, b->base,
			    b->size), 0);
			ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
			ck_assert_msg(r.status == PDPW_OK, "%s/%s: reload: %s",
			    e->d_name, name, r.error);
			pdpw_authz a = to_authz(q, ctx);
			ck_assert_int_eq(pdpc_explain(c, &a, &r), PDPW_OK);
			ck_assert_uint_eq(r.revision, pdp_bundle_revision(b));
			pdp_explanation sx;
			from_reply(&r, &d, &sx);
			json_t *got = iamc_eval_result(NULL, &d, &sx);
			ck_assert_msg(same_answer(lib, got),
			    "%s/%s: pdpd answered %s, the library %s",
			    e->d_name, name, json_dumps(got, JSON_COMPACT),
			    json_dumps(lib, JSON_COMPACT));
			nserved++;
			if (agrees(ex, got))
				nagree++;
			else if (agrees(ex, lib))
				ck_abort_msg("%s/%s: pdpd differs from the "
				    "expectation", e->d_name, name);
			else
				nlib_off++;
			json_decref(lib);
			json_decref(got);
			iamc_eval_prep_free(p);
		}
		json_decref(doc);
	}
	closedir(dir);
	printf("conformance through pdpd: %zu cases, %zu served, %zu agree "
	    "with their expectation, %zu Error cases (refused at compile "
	    "time), %zu where the library itself disagrees\n", ncases,
	    nserved, nagree, nerror, nlib_off);
	ck_assert_uint_gt(nserved, ncases / 2);
	pdpc_close(c);
	if (started)
		ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	th_cleanup(&srv);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("conformance-pdpd");
	TCase *tc = tcase_create("cases");

	tcase_set_timeout(tc, 50);
	tcase_add_test(tc, test_conformance_cases_through_pdpd);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
