// action_test.c - Action / NotAction (compiler/src/action.c): AWS's
// validation errors and the compiled, case-folded form.

#include "compiler/helpers.h"

static void
compile_actions(cres *r, const char *actions)
{
	char doc[2048];

	snprintf(doc, sizeof(doc), "{'Version':'2012-10-17','Statement':["
	    "{'Effect':'Allow','Action':%s,'Resource':'*'}]}", actions);
	cres_compile(r, PDP_POLICY_IDENTITY, doc);
}

START_TEST(test_action_wildcard_folds_case)
{
	cres r;
	const pdpi_action *a;

	compile_actions(&r, "['S3:Get*','IAM:ListAccessKeys','*',"
	    "'ec2:Describe?nstances']");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->stmts[0].nactions, 4);
	a = r.p->stmts[0].actions;
	ck_assert_int_eq(a[0].kind, PDPI_ACT_GLOB);
	ck_assert(str_is(a[0].svc, "s3"));
	ck_assert(str_is(a[0].name, "get*"));
	ck_assert(str_is(a[0].text, "S3:Get*"));
	ck_assert_int_eq(a[1].kind, PDPI_ACT_EXACT);
	ck_assert(str_is(a[1].svc, "iam"));
	ck_assert(str_is(a[1].name, "listaccesskeys"));
	ck_assert_int_eq(a[2].kind, PDPI_ACT_ALL);
	ck_assert_int_eq(a[3].kind, PDPI_ACT_GLOB);
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_empty_or_spaced_name_never_matches)
{
	cres r;
	const pdpi_action *a;

	compile_actions(&r, "['s3:','iam: asdf safdsf af ','s3:Get ',"
	    "'fsx:ListBucket']");
	ck_clean(&r);
	a = r.p->stmts[0].actions;
	ck_assert_int_eq(a[0].kind, PDPI_ACT_NONE);
	ck_assert_int_eq(a[1].kind, PDPI_ACT_NONE);
	ck_assert_int_eq(a[2].kind, PDPI_ACT_NONE);
	ck_assert_int_eq(a[3].kind, PDPI_ACT_EXACT);
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_without_vendor_is_error)
{
	cres r;

	compile_actions(&r, "['s3:GetObject','GetObject']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Action[1]", "Actions/Conditions must be "
	    "prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_with_two_colons_is_error)
{
	cres r;

	compile_actions(&r, "'s3:Get:Object'");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Action",
	    "Actions/Condition can contain only one colon.");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_invalid_vendor_is_error)
{
	cres r;

	compile_actions(&r, "['s3*:Get*','*:Get*',':Get']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Action[0]", "Vendor s3* is not valid");
	ck_error(&r, "Statement[0].Action[1]", "Vendor * is not valid");
	ck_error(&r, "Statement[0].Action[2]", "Vendor  is not valid");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_missing_or_empty_is_error)
{
	cres r;

	compile_actions(&r, "[]");
	ck_rejected(&r);
	ck_error(&r, "Statement[0]", "Policy statement must contain actions.");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Resource':'*'}]}");
	ck_error(&r, "Statement[0]", "Policy statement must contain actions.");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_and_notaction_together_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Action':'s3:*',"
	    "'NotAction':'iam:*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0]",
	    "a statement must not contain both Action and NotAction (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_non_string_entries_are_errors)
{
	cres r;

	compile_actions(&r, "['s3:Get*',3,{}]");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Action[1]",
	    "Action entries must be strings");
	ck_error(&r, "Statement[0].Action[2]",
	    "Action entries must be strings");
	cres_fini(&r);
	compile_actions(&r, "{'a':1}");
	ck_error(&r, "Statement[0].Action",
	    "Action must be a string or an array of strings");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_allow_notaction_warns)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','NotAction':'iam:*',"
	    "'Resource':'*'}]}");
	ck_clean(&r);
	ck_assert(r.p->stmts[0].not_action);
	ck_warning(&r, "Statement[0].NotAction", "\"Allow\" with NotAction "
	    "allows every action not listed, in every service; prefer Action");
	cres_fini(&r);
}
END_TEST

START_TEST(test_action_empty_notaction_string_needs_vendor)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Deny','NotAction':'','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].NotAction", "Actions/Conditions must be "
	    "prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
	cres_fini(&r);
}
END_TEST

static Suite *
action_suite(void)
{
	Suite *s = suite_create("action");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_action_wildcard_folds_case);
	tcase_add_test(t, test_action_empty_or_spaced_name_never_matches);
	tcase_add_test(t, test_action_without_vendor_is_error);
	tcase_add_test(t, test_action_with_two_colons_is_error);
	tcase_add_test(t, test_action_invalid_vendor_is_error);
	tcase_add_test(t, test_action_missing_or_empty_is_error);
	tcase_add_test(t, test_action_and_notaction_together_is_error);
	tcase_add_test(t, test_action_non_string_entries_are_errors);
	tcase_add_test(t, test_action_allow_notaction_warns);
	tcase_add_test(t, test_action_empty_notaction_string_needs_vendor);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(action_suite());
}
