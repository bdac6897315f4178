// request_json_test.c - an eval-format "request" object read on its own
// (iamc_eval_request, compiler/src/evalline.c), as `iamc eval` and
// `pdpbench load --requests` read it.

#include <jansson.h>

#include "compiler/helpers.h"
#include "iamc_eval.h"

#include "../../compiler/src/iamci.h"

// read_req parses `text` and reads its request into *q with the arena `a`;
// the JSON is freed before returning, so what *q holds must be copies.
static int
read_req(const char *text, iamc_arena *a, pdp_request *q, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "%s: %s", text, je.text);
	int rv = iamc_eval_request(j, a, q, err, errlen);
	// Overwrite the strings jansson held before freeing them, so that a
	// pointer into them could not pass by luck.
	json_t *r = json_object_get(j, "principal");
	if (json_is_string(r))
		json_string_set(r, "arn:aws:iam::999999999999:user/overwritten");
	json_decref(j);
	return rv;
}

START_TEST(test_request_fields_and_context_are_copied)
{
	iamc_arena *a = iamc_arena_open();
	pdp_request q;
	char err[256] = "";

	ck_assert_int_eq(read_req("{\"principal\": \"arn:aws:iam::111122223333:"
	    "user/alice\", \"action\": \"s3:GetObject\", \"resource\": "
	    "\"arn:aws:s3:::b/k\", \"resourceAccount\": \"444455556666\", "
	    "\"context\": {\"aws:SourceIp\": \"10.0.0.1\", \"aws:TagKeys\": "
	    "[\"team\", \"env\"], \"aws:MultiFactorAuthAge\": 300, "
	    "\"aws:SecureTransport\": true}}", a, &q, err, sizeof(err)),
	    PDP_OK);
	ck_assert_str_eq(q.principal, "arn:aws:iam::111122223333:user/alice");
	ck_assert_str_eq(q.action, "s3:GetObject");
	ck_assert_str_eq(q.resource, "arn:aws:s3:::b/k");
	ck_assert_str_eq(q.resource_account, "444455556666");
	ck_assert_uint_eq(q.ncontext, 4);
	ck_assert_str_eq(q.context[0].key, "aws:SourceIp");
	ck_assert(!q.context[0].multi);
	ck_assert_str_eq(q.context[0].values[0], "10.0.0.1");
	ck_assert_str_eq(q.context[1].key, "aws:TagKeys");
	ck_assert(q.context[1].multi);
	ck_assert_uint_eq(q.context[1].nvalues, 2);
	ck_assert_str_eq(q.context[1].values[1], "env");
	ck_assert_str_eq(q.context[2].values[0], "300");
	ck_assert_str_eq(q.context[3].values[0], "true");
	iamc_arena_close(a);
}
END_TEST

START_TEST(test_optional_fields_may_be_absent_or_null)
{
	iamc_arena *a = iamc_arena_open();
	pdp_request q;
	char err[256] = "";

	ck_assert_int_eq(read_req("{\"principal\": \"p\", \"action\": \"a\", "
	    "\"resource\": null, \"context\": null}", a, &q, err, sizeof(err)),
	    PDP_OK);
	ck_assert_ptr_null(q.resource);
	ck_assert_ptr_null(q.resource_account);
	ck_assert_uint_eq(q.ncontext, 0);
	iamc_arena_close(a);
}
END_TEST

// Each bad request and the error that names its field.
static const struct {
	const char *json, *err;
} bad[] = {
	{"[]", "request: missing or not an object"},
	{"{\"action\": \"a\"}", "request.principal: missing or not a string"},
	{"{\"principal\": 7, \"action\": \"a\"}",
	    "request.principal: missing or not a string"},
	// The principal is named first, as before the reader was split out.
	{"{\"action\": \"a\", \"resource\": 5}",
	    "request.principal: missing or not a string"},
	{"{\"principal\": \"p\"}", "request.action: missing or not a string"},
	{"{\"principal\": \"p\", \"action\": \"a\", \"resource\": 5}",
	    "request.resource: not a string"},
	{"{\"principal\": \"p\", \"action\": \"a\", \"resourceAccount\": []}",
	    "request.resourceAccount: not a string"},
	{"{\"principal\": \"p\", \"action\": \"a\", \"context\": 1}",
	    "request.context must be an object"},
	{"{\"principal\": \"p\", \"action\": \"a\", \"context\": {\"k\": {}}}",
	    "request.context.k: a value must be a string, number, boolean or "
	    "a list of these"},
	{"{\"principal\": \"p\", \"action\": \"a\", \"context\": {\"k\": "
	    "[\"x\", null]}}", "request.context.k: a value must be a string, "
	    "number, boolean or a list of these"},
};

START_TEST(test_bad_requests_name_their_field)
{
	iamc_arena *a = iamc_arena_open();
	pdp_request q;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(read_req(bad[i].json, a, &q, err, sizeof(err)),
		    PDP_EINVAL);
		ck_assert_str_eq(err, bad[i].err);
	}
	iamc_arena_close(a);
}
END_TEST

START_TEST(test_out_of_memory_is_its_own_error)
{
	const char *json = "{\"principal\": \"p\", \"action\": \"a\", "
	    "\"context\": {\"k\": [\"x\", \"y\"]}}";
	pdp_request q;
	char err[256];
	int ok = 0, nomem = 0;

	// Every allocation the read makes fails in turn.
	for (size_t n = 0; n < 64; n++) {
		iamc_arena *a = iamc_arena_open();
		iamci_arena_fail_after(a, n);
		int rv = read_req(json, a, &q, err, sizeof(err));
		ck_assert_msg(rv == PDP_OK || rv == PDP_ENOMEM,
		    "after %zu allocations: %d (%s)", n, rv, err);
		if (rv == PDP_ENOMEM) {
			ck_assert_str_eq(err, "out of memory");
			nomem++;
		} else {
			ok++;
		}
		iamc_arena_close(a);
		if (ok > 0)
			break;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_gt(nomem, 3); // the principal, action, key, values
}
END_TEST

START_TEST(test_eval_line_keeps_its_errors)
{
	const char *line = "{\"request\": {\"principal\": 7, "
	    "\"action\": \"s3:GetObject\"}}";
	json_t *out = iamc_eval_line(line, strlen(line));

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(json_string_value(json_object_get(out, "decision")),
	    "Error");
	ck_assert_str_eq(json_string_value(json_object_get(out, "error")),
	    "request.principal: missing or not a string");
	json_decref(out);
}
END_TEST

static Suite *
request_suite(void)
{
	Suite *s = suite_create("request_json");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_request_fields_and_context_are_copied);
	tcase_add_test(t, test_optional_fields_may_be_absent_or_null);
	tcase_add_test(t, test_bad_requests_name_their_field);
	tcase_add_test(t, test_out_of_memory_is_its_own_error);
	tcase_add_test(t, test_eval_line_keeps_its_errors);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(request_suite());
}
