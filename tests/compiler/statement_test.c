// statement_test.c - one statement (compiler/src/statement.c): Effect,
// Sid, unknown elements, and what each policy type requires or forbids.

#include "compiler/helpers.h"

#define V12 "'Version':'2012-10-17'"

START_TEST(test_statement_effect_must_be_exact)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 ",'Statement':["
	    "{'Effect':'denY','Action':'*','Resource':'*'},"
	    "{'Effect':'invalid','Action':'*','Resource':'*'},"
	    "{'Effect':true,'Action':'*','Resource':'*'},"
	    "{'Action':'*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Effect", "The policy failed legacy "
	    "parsing: Effect must be \"Allow\" or \"Deny\" (case-sensitive), "
	    "not \"denY\"");
	ck_error(&r, "Statement[1].Effect",
	    "Effect must be \"Allow\" or \"Deny\", not \"invalid\" (AWS: \"Syntax errors in policy.\")");
	ck_error(&r, "Statement[2].Effect", "Effect must be a string");
	ck_error(&r, "Statement[3]", "missing required element \"Effect\" (AWS: \"Syntax errors in policy.\")");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 4);
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_unknown_and_wrong_case_elements_are_errors)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Action':'*','Resource':'*','effect':'Allow',"
	    "'Conditions':{}}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].effect", "unknown element \"effect\" (AWS: \"Syntax errors in policy.\")");
	ck_error(&r, "Statement[0].Conditions",
	    "unknown element \"Conditions\" (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_sid_must_be_alphanumeric_string)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{" V12 ",'Statement':["
	    "{'Sid':'my sid','Effect':'Allow','Action':'*','Resource':'*'},"
	    "{'Sid':7,'Effect':'Allow','Action':'*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Sid", "Statement IDs (SID) must be "
	    "alpha-numeric. Check that your input satisfies the regular "
	    "expression [0-9A-Za-z]*");
	ck_error(&r, "Statement[1].Sid", "Sid must be a string");
	cres_fini(&r);
	// Resource policies of other services allow more characters.
	cres_compile(&r, PDP_POLICY_RESOURCE, "{" V12 ",'Statement':["
	    "{'Sid':'my sid','Effect':'Allow','Principal':'*',"
	    "'Action':'sqs:*','Resource':'*'}]}");
	ck_clean(&r);
	ck_assert(str_is(r.p->stmts[0].sid, "my sid"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_principal_forbidden_in_identity_style_policies)
{
	static const pdp_policy_type types[] = { PDP_POLICY_IDENTITY,
		PDP_POLICY_AWS_MANAGED, PDP_POLICY_BOUNDARY,
		PDP_POLICY_SESSION, PDP_POLICY_SCP };
	cres r;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cres_compile(&r, types[i], "{" V12 ",'Statement':["
		    "{'Effect':'Allow','Principal':'*','Action':'*',"
		    "'Resource':'*'},{'Effect':'Deny','NotPrincipal':"
		    "{'AWS':'111122223333'},'Action':'*','Resource':'*'}]}");
		ck_rejected(&r);
		ck_error(&r, "Statement[0].Principal",
		    "Policy document should not specify a principal.");
		ck_error(&r, "Statement[1].NotPrincipal",
		    "Policy document should not specify a principal.");
		cres_fini(&r);
	}
}
END_TEST

START_TEST(test_statement_resource_policy_requires_principal)
{
	cres r;

	cres_compile(&r, PDP_POLICY_RESOURCE, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Action':'s3:*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0]", "Missing required field Principal");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_RESOURCE, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':'*','NotPrincipal':'*',"
	    "'Action':'s3:*','Resource':'*'}]}");
	ck_error(&r, "Statement[0]", "a statement must not contain both "
	    "Principal and NotPrincipal (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_trust_policy_rules)
{
	cres r;

	cres_compile(&r, PDP_POLICY_TRUST, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':{'Service':'ec2.amazonaws.com'},"
	    "'Action':'sts:AssumeRole','Resource':'*'},"
	    "{'Effect':'Deny','NotPrincipal':{'AWS':'111122223333'},"
	    "'Action':'sts:AssumeRole','NotResource':'*'},"
	    "{'Effect':'Allow','Action':'sts:AssumeRole'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource", "Has prohibited field Resource");
	ck_error(&r, "Statement[1].NotResource",
	    "Has prohibited field NotResource");
	ck_error(&r, "Statement[1].NotPrincipal",
	    "Has prohibited field NotPrincipal");
	ck_error(&r, "Statement[2]", "Missing required field Principal");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 4);
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_TRUST, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':{'Service':'ec2.amazonaws.com'},"
	    "'Action':'sts:AssumeRole'}]}");
	ck_clean(&r);
	ck_assert(!r.p->stmts[0].has_resource);
	ck_assert(r.p->stmts[0].has_principal);
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_rcp_accepts_full_aws_access_shape)
{
	cres r;

	cres_compile(&r, PDP_POLICY_RCP, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},"
	    "{'Effect':'Deny','Principal':'*','Action':'s3:*',"
	    "'Resource':'*','Condition':{'Bool':"
	    "{'aws:SecureTransport':'false'}}}]}");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->nstmts, 2);
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_rcp_rules)
{
	cres r;

	cres_compile(&r, PDP_POLICY_RCP, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':'*','Action':'s3:*',"
	    "'Resource':'*'},"
	    "{'Effect':'Deny','Principal':{'AWS':'111122223333'},"
	    "'Action':'s3:*','Resource':'*'},"
	    "{'Effect':'Deny','NotPrincipal':{'AWS':'111122223333'},"
	    "'Action':'s3:*','Resource':'*'},"
	    "{'Effect':'Deny','Principal':'*','NotAction':'s3:*',"
	    "'Resource':'*'},"
	    "{'Effect':'Deny','Principal':'*','Action':'*','Resource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Effect", "Effect must be \"Deny\" in a "
	    "resource control policy (only RCPFullAWSAccess may use "
	    "\"Allow\")");
	ck_error(&r, "Statement[1].Principal", "the Principal of a resource "
	    "control policy must be \"*\"");
	ck_error(&r, "Statement[2].NotPrincipal", "NotPrincipal is not "
	    "supported in resource control policies");
	ck_error(&r, "Statement[3].NotAction", "NotAction is not supported "
	    "in resource control policies");
	ck_error(&r, "Statement[4].Action", "a resource control policy must "
	    "not use \"*\" as an action; name the service, e.g. \"s3:*\"");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 5);
	cres_fini(&r);
}
END_TEST

START_TEST(test_statement_index_and_flags_are_compiled)
{
	cres r;

	cres_compile(&r, PDP_POLICY_RESOURCE, "{" V12 ",'Statement':["
	    "{'Effect':'Allow','Principal':'*','Action':'s3:*',"
	    "'Resource':'*'},"
	    "{'Sid':'X','Effect':'Deny','NotPrincipal':{'AWS':"
	    "'111122223333'},'NotAction':'s3:Get*','NotResource':'*'}]}");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->stmts[1].index, 1);
	ck_assert(r.p->stmts[1].not_principal);
	ck_assert(r.p->stmts[1].not_action);
	ck_assert(r.p->stmts[1].not_resource);
	ck_assert(r.p->stmts[1].has_resource);
	ck_assert_int_eq(r.p->stmts[1].effect, PDPI_DENY);
	ck_assert(str_is(r.p->stmts[1].sid, "X"));
	ck_assert(str_is(r.p->stmts[0].sid, ""));
	cres_fini(&r);
}
END_TEST

static Suite *
statement_suite(void)
{
	Suite *s = suite_create("statement");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_statement_effect_must_be_exact);
	tcase_add_test(t,
	    test_statement_unknown_and_wrong_case_elements_are_errors);
	tcase_add_test(t, test_statement_sid_must_be_alphanumeric_string);
	tcase_add_test(t,
	    test_statement_principal_forbidden_in_identity_style_policies);
	tcase_add_test(t, test_statement_resource_policy_requires_principal);
	tcase_add_test(t, test_statement_trust_policy_rules);
	tcase_add_test(t, test_statement_rcp_accepts_full_aws_access_shape);
	tcase_add_test(t, test_statement_rcp_rules);
	tcase_add_test(t, test_statement_index_and_flags_are_compiled);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(statement_suite());
}
