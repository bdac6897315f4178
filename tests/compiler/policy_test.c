// policy_test.c - whole documents (compiler/src/policy.c): top level,
// Version, Statement, Sid uniqueness, size quotas, JSON syntax, every
// AWS managed policy, and out-of-memory behaviour.

#include "compiler/helpers.h"

#include "../../compiler/src/iamci.h"

#define ALLOW_ALL "{'Effect':'Allow','Action':'*','Resource':'*'}"
#define V12 "'Version':'2012-10-17'"

START_TEST(test_policy_minimal_identity_compiles)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':[" ALLOW_ALL "]}");
	ck_clean(&r);
	ck_assert_uint_eq(r.d.n, 0);
	ck_assert_uint_eq(r.p->nstmts, 1);
	ck_assert(r.p->vars);
	ck_assert(str_is(r.p->name, "t"));
	ck_assert_int_eq(r.p->type, PDP_POLICY_IDENTITY);
	ck_assert_int_eq(r.p->stmts[0].effect, PDPI_ALLOW);
	ck_assert(r.p->stmts[0].has_resource);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_single_statement_object_is_accepted)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':{'Effect':'Deny','Action':'s3:*',"
	    "'Resource':'*','Sid':'One'}}");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->nstmts, 1);
	ck_assert_int_eq(r.p->stmts[0].effect, PDPI_DENY);
	ck_assert(str_is(r.p->stmts[0].sid, "One"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_document_must_be_object)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "[" ALLOW_ALL "]");
	ck_rejected(&r);
	ck_error(&r, "", "a policy document must be a JSON object");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_unknown_top_level_element_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':[" ALLOW_ALL "],'Conditions':{}}");
	ck_rejected(&r);
	ck_error(&r, "Conditions", "unknown element \"Conditions\" (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_missing_statement_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 "}");
	ck_rejected(&r);
	ck_error(&r, "", "missing required element \"Statement\" (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_empty_statement_array_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 ",'Statement':[]}");
	ck_rejected(&r);
	ck_error(&r, "Statement", "Statement must not be an empty array (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_statement_of_wrong_type_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 ",'Statement':'x'}");
	ck_rejected(&r);
	ck_error(&r, "Statement",
	    "Statement must be an object or an array of objects (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':[" ALLOW_ALL ",3]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[1]", "a statement must be an object");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_invalid_version_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{'Version':'2013-10-17','Statement':[" ALLOW_ALL "]}");
	ck_rejected(&r);
	ck_error(&r, "Version", "invalid Version \"2013-10-17\": expected "
	    "\"2012-10-17\" or \"2008-10-17\" (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{'Version':20121017,'Statement':[" ALLOW_ALL "]}");
	ck_error(&r, "Version", "Version must be a string");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_missing_version_warns_and_disables_variables)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{'Statement':[{'Effect':'Allow','Action':'s3:*',"
	    "'Resource':'arn:aws:s3:::${aws:username}'}]}");
	ck_clean(&r);
	ck_warning(&r, "", "missing Version: policy variables are not "
	    "recognized; add \"Version\": \"2012-10-17\"");
	ck_assert(!r.p->vars);
	ck_assert_uint_eq(r.p->stmts[0].resources[0].rest.nparts, 0);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_legacy_version_is_literal_but_valid)
{
	cres r;

	cres_compile(&r, PDP_POLICY_TRUST,
	    "{'Version':'2008-10-17','Statement':[{'Effect':'Allow',"
	    "'Principal':{'Service':'ec2.amazonaws.com'},"
	    "'Action':'sts:AssumeRole'}]}");
	ck_clean(&r);
	ck_assert_uint_eq(r.d.n, 0);
	ck_assert(!r.p->vars);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_managed_and_rcp_require_version_2012)
{
	cres r;

	cres_compile(&r, PDP_POLICY_AWS_MANAGED,
	    "{'Version':'2008-10-17','Statement':[" ALLOW_ALL "]}");
	ck_rejected(&r);
	ck_error(&r, "Version",
	    "Policy document must be version 2012-10-17 or greater.");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_RCP,
	    "{'Statement':[{'Effect':'Deny','Principal':'*',"
	    "'Action':'s3:*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "",
	    "Policy document must be version 2012-10-17 or greater.");
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_id_must_be_string)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Id':['x'],'Statement':[" ALLOW_ALL "]}");
	ck_rejected(&r);
	ck_error(&r, "Id", "Id must be a string");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Id':'sdfsdfsdf','Statement':[" ALLOW_ALL "]}");
	ck_clean(&r);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_duplicate_sid_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':["
	    "{'Sid':'A','Effect':'Allow','Action':'*','Resource':'*'},"
	    "{'Sid':'','Effect':'Allow','Action':'*','Resource':'*'},"
	    "{'Sid':'','Effect':'Allow','Action':'*','Resource':'*'},"
	    "{'Sid':'A','Effect':'Deny','Action':'*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[3].Sid",
	    "Statement IDs (SID) in a single policy must be unique.");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_json_syntax_error_reports_line_and_column)
{
	cres r;

	cres_compile_raw(&r, PDP_POLICY_IDENTITY,
	    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}");
	ck_rejected(&r);
	ck_assert_uint_eq(r.d.n, 1);
	ck_assert_str_eq(r.d.v[0].path, "");
	ck_assert_msg(strncmp(r.d.v[0].message, "invalid JSON at line 3, "
	    "column 17: ", 31) == 0, "%s", r.d.v[0].message);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_duplicate_json_key_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Statement':[{'Effect':'Allow','Effect':'Deny',"
	    "'Action':'*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_assert_uint_eq(r.d.n, 1);
	ck_assert_msg(strstr(r.d.v[0].message, "duplicate") != NULL, "%s",
	    r.d.v[0].message);
	cres_fini(&r);
}
END_TEST

START_TEST(test_policy_reports_every_problem)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY,
	    "{" V12 ",'Foo':1,'Statement':["
	    "{'Effect':'allow','Action':'s3*:Get','Resource':'bucket'},"
	    "{'Effect':'Allow','Principal':'*','Action':'s3:Get*',"
	    "'Resource':'*','Condition':{'StringEqulas':{'a':'b'},"
	    "'DateLessThan':{'aws:CurrentTime':'next tuesday'}}},"
	    "{'Effect':'Deny','Resource':'*','Extra':true}]}");
	ck_rejected(&r);
	ck_error(&r, "Foo", "unknown element \"Foo\" (AWS: \"Syntax errors in policy.\")");
	ck_error(&r, "Statement[0].Effect", "The policy failed legacy "
	    "parsing: Effect must be \"Allow\" or \"Deny\" (case-sensitive), "
	    "not \"allow\"");
	ck_error(&r, "Statement[0].Action", "Vendor s3* is not valid");
	ck_error(&r, "Statement[0].Resource",
	    "Resource bucket must be in ARN format or \"*\".");
	ck_error(&r, "Statement[1].Principal",
	    "Policy document should not specify a principal.");
	ck_error(&r, "Statement[1].Condition",
	    "unknown operator \"StringEqulas\"");
	ck_error(&r, "Statement[1].Condition.DateLessThan.aws:CurrentTime",
	    "The policy failed legacy parsing: invalid DateLessThan value "
	    "\"next tuesday\": not an ISO 8601 date or epoch seconds");
	ck_error(&r, "Statement[2].Extra", "unknown element \"Extra\" (AWS: \"Syntax errors in policy.\")");
	ck_error(&r, "Statement[2]", "Policy statement must contain actions.");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 9);
	ck_assert_uint_eq(r.d.nerrors, 9);
	cres_fini(&r);
}
END_TEST

// A 7000-character document: over the managed quota of 6144.
static char *
big_policy(size_t nres)
{
	size_t cap = 200 + nres * 40;
	char *s = malloc(cap);
	size_t off;

	ck_assert_ptr_nonnull(s);
	off = (size_t) snprintf(s, cap, "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","
	    "\"Resource\":[");
	for (size_t i = 0; i < nres; i++)
		off += (size_t) snprintf(s + off, cap - off,
		    "%s\"arn:aws:s3:::bucket%05zu/*\"", i ? "," : "", i);
	snprintf(s + off, cap - off, "]}]}");
	return s;
}

START_TEST(test_policy_size_quota_warns_for_identity_only)
{
	char *s = big_policy(250);
	cres r;

	cres_compile_raw(&r, PDP_POLICY_IDENTITY, s);
	ck_clean(&r);
	ck_assert_uint_eq(cres_count(&r, IAMC_WARNING), 1);
	ck_assert_str_eq(r.d.v[0].path, "");
	ck_assert(strstr(r.d.v[0].message, "at most 6144") != NULL);
	cres_fini(&r);
	cres_compile_raw(&r, PDP_POLICY_AWS_MANAGED, s);
	ck_clean(&r);
	ck_assert_uint_eq(r.d.n, 0);
	cres_fini(&r);
	cres_compile_raw(&r, PDP_POLICY_SESSION, s);
	ck_rejected(&r);
	ck_assert(strstr(r.text, "a session policy may have at most 2048"));
	cres_fini(&r);
	free(s);
}
END_TEST

START_TEST(test_policy_trust_size_warns_above_2048_errors_above_4096)
{
	// Whitespace does not count: pad with spaces to prove it.
	char *id = malloc(5000), *doc = malloc(6000);
	cres r;

	ck_assert_ptr_nonnull(id);
	ck_assert_ptr_nonnull(doc);
	memset(id, 'X', 4000);
	memcpy(id, "AIDA", 4);
	id[120] = '\0';
	snprintf(doc, 6000, "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},"
	    "\"Action\":\"sts:AssumeRole\"}]}          ", id);
	cres_compile_raw(&r, PDP_POLICY_TRUST, doc);
	ck_clean(&r);
	ck_assert_uint_eq(r.d.n, 0);
	cres_fini(&r);
	// 3000 characters: a warning. Unique IDs may be at most 128
	// long, so grow the document with more of them.
	size_t off = (size_t) snprintf(doc, 6000,
	    "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[");
	for (int i = 0; i < 24; i++)
		off += (size_t) snprintf(doc + off, 6000 - off, "%s\"%s\"",
		    i ? "," : "", id);
	snprintf(doc + off, 6000 - off, "]},\"Action\":\"sts:AssumeRole\"}]}");
	cres_compile_raw(&r, PDP_POLICY_TRUST, doc);
	ck_clean(&r);
	ck_assert_uint_eq(cres_count(&r, IAMC_WARNING), 1);
	cres_fini(&r);
	off = (size_t) snprintf(doc, 6000, "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[");
	for (int i = 0; i < 40; i++)
		off += (size_t) snprintf(doc + off, 6000 - off, "%s\"%s\"",
		    i ? "," : "", id);
	snprintf(doc + off, 6000 - off, "]},\"Action\":\"sts:AssumeRole\"}]}");
	cres_compile_raw(&r, PDP_POLICY_TRUST, doc);
	ck_rejected(&r);
	ck_assert(strstr(r.text, "a role trust policy may have at most 4096"));
	cres_fini(&r);
	free(id);
	free(doc);
}
END_TEST

START_TEST(test_policy_type_parse_names)
{
	pdp_policy_type t;

	ck_assert(iamc_policy_type_parse("identity", &t));
	ck_assert_int_eq(t, PDP_POLICY_IDENTITY);
	ck_assert(iamc_policy_type_parse("aws-managed", &t));
	ck_assert_int_eq(t, PDP_POLICY_AWS_MANAGED);
	ck_assert(iamc_policy_type_parse("rcp", &t));
	ck_assert_int_eq(t, PDP_POLICY_RCP);
	ck_assert(iamc_policy_type_parse("trust", &t));
	ck_assert_int_eq(t, PDP_POLICY_TRUST);
	ck_assert(!iamc_policy_type_parse("Identity", &t));
	ck_assert(!iamc_policy_type_parse("", &t));
	ck_assert(!iamc_policy_type_parse(NULL, &t));
}
END_TEST

START_TEST(test_policy_bad_arguments_are_einval)
{
	const pdpi_policy *p = NULL;
	iamc_arena *a = iamc_arena_open();
	json_t *doc = json_object();

	ck_assert_int_eq(iamc_policy_compile(NULL, doc, PDP_POLICY_IDENTITY,
	    "x", &p, NULL), PDP_EINVAL);
	ck_assert_int_eq(iamc_policy_compile(a, doc, (pdp_policy_type) 99,
	    "x", &p, NULL), PDP_EINVAL);
	// No diagnostics list: still fails as a policy error.
	ck_assert_int_eq(iamc_policy_compile(a, doc, PDP_POLICY_IDENTITY,
	    NULL, &p, NULL), PDP_EPOLICY);
	ck_assert_ptr_null(p);
	json_decref(doc);
	iamc_arena_close(a);
}
END_TEST

static const char *
corpus_path(void)
{
	const char *p = getenv("PDP_CORPUS");

	return p != NULL ? p
	    : PDP_SOURCE_DIR "/tests/data/aws-managed-policies.json";
}

static void
compile_corpus(pdp_policy_type type)
{
	json_error_t err;
	json_t *all = json_load_file(corpus_path(), 0, &err);
	const char *name;
	json_t *doc;
	size_t n = 0;

	ck_assert_msg(all != NULL, "%s: %s", corpus_path(), err.text);
	ck_assert(json_object_size(all) > 1000);
	json_object_foreach(all, name, doc) {
		iamc_arena *a = iamc_arena_open();
		const pdpi_policy *p = NULL;
		iamc_diags d;
		iamc_diags_init(&d);
		int rv = iamc_policy_compile(a, doc, type, name, &p, &d);
		ck_assert_msg(rv == PDP_OK && d.nerrors == 0,
		    "%s: rv %d: %s: %s", name, rv,
		    d.n ? d.v[0].path : "", d.n ? d.v[0].message : "");
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_gt(p->nstmts, 0);
		iamc_diags_fini(&d);
		iamc_arena_close(a);
		n++;
	}
	ck_assert_uint_eq(n, json_object_size(all));
	json_decref(all);
}

START_TEST(test_policy_every_aws_managed_policy_compiles_as_aws_managed)
{
	compile_corpus(PDP_POLICY_AWS_MANAGED);
}
END_TEST

START_TEST(test_policy_every_aws_managed_policy_compiles_as_identity)
{
	compile_corpus(PDP_POLICY_IDENTITY);
}
END_TEST

// Make the Nth arena allocation fail for every N until the compile
// succeeds: each failure must be ENOMEM, never a crash or a policy.
START_TEST(test_policy_out_of_memory_fails_cleanly)
{
	const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{"
	    "\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\","
	    "\"ec2:Describe*\"],\"Resource\":\"arn:aws:s3:::b/${aws:username}"
	    "/*\",\"Condition\":{\"StringEqualsIgnoreCase\":{\"aws:username\":"
	    "\"Bob\"},\"BinaryEquals\":{\"k\":\"aGVsbG8=\"},\"IpAddress\":{"
	    "\"aws:SourceIp\":[\"10.0.0.0/8\"]}}},{\"Effect\":\"Deny\","
	    "\"NotAction\":\"iam:*\",\"NotResource\":\"*\"}]}";
	size_t n;

	for (n = 0; n < 10000; n++) {
		iamc_arena *a = iamc_arena_open();
		const pdpi_policy *p = NULL;
		iamc_diags d;
		int rv;

		ck_assert_ptr_nonnull(a);
		iamc_diags_init(&d);
		iamci_arena_fail_after(a, n);
		rv = iamc_policy_compile_text(a, doc, strlen(doc),
		    PDP_POLICY_IDENTITY, "oom", &p, &d);
		iamc_diags_fini(&d);
		iamc_arena_close(a);
		if (rv == PDP_OK) {
			ck_assert_ptr_nonnull(p);
			break;
		}
		ck_assert_int_eq(rv, PDP_ENOMEM);
		ck_assert_ptr_null(p);
	}
	ck_assert_uint_gt(n, 10);
	ck_assert_uint_lt(n, 10000);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_policy_minimal_identity_compiles);
	tcase_add_test(t, test_policy_single_statement_object_is_accepted);
	tcase_add_test(t, test_policy_document_must_be_object);
	tcase_add_test(t, test_policy_unknown_top_level_element_is_error);
	tcase_add_test(t, test_policy_missing_statement_is_error);
	tcase_add_test(t, test_policy_empty_statement_array_is_error);
	tcase_add_test(t, test_policy_statement_of_wrong_type_is_error);
	tcase_add_test(t, test_policy_invalid_version_is_error);
	tcase_add_test(t,
	    test_policy_missing_version_warns_and_disables_variables);
	tcase_add_test(t, test_policy_legacy_version_is_literal_but_valid);
	tcase_add_test(t, test_policy_managed_and_rcp_require_version_2012);
	tcase_add_test(t, test_policy_id_must_be_string);
	tcase_add_test(t, test_policy_duplicate_sid_is_error);
	tcase_add_test(t,
	    test_policy_json_syntax_error_reports_line_and_column);
	tcase_add_test(t, test_policy_duplicate_json_key_is_error);
	tcase_add_test(t, test_policy_reports_every_problem);
	tcase_add_test(t, test_policy_size_quota_warns_for_identity_only);
	tcase_add_test(t,
	    test_policy_trust_size_warns_above_2048_errors_above_4096);
	tcase_add_test(t, test_policy_type_parse_names);
	tcase_add_test(t, test_policy_bad_arguments_are_einval);
	tcase_add_test(t,
	    test_policy_every_aws_managed_policy_compiles_as_aws_managed);
	tcase_add_test(t,
	    test_policy_every_aws_managed_policy_compiles_as_identity);
	tcase_add_test(t, test_policy_out_of_memory_fails_cleanly);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(policy_suite());
}
