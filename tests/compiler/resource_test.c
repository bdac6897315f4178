// resource_test.c - Resource / NotResource (compiler/src/resource.c):
// AWS's ARN errors, segment splitting and short-ARN padding by type.

#include "compiler/helpers.h"

static void
compile_res(cres *r, pdp_policy_type t, const char *res)
{
	char doc[2048];

	if (t == PDP_POLICY_RESOURCE)
		snprintf(doc, sizeof(doc), "{'Version':'2012-10-17',"
		    "'Statement':[{'Effect':'Allow','Principal':'*',"
		    "'Action':'s3:*','Resource':%s}]}", res);
	else
		snprintf(doc, sizeof(doc), "{'Version':'2012-10-17',"
		    "'Statement':[{'Effect':'Allow','Action':'s3:*',"
		    "'Resource':%s}]}", res);
	cres_compile(r, t, doc);
}

START_TEST(test_resource_arn_splits_on_first_five_colons)
{
	cres r;
	const pdpi_resource *x;

	compile_res(&r, PDP_POLICY_IDENTITY, "['*',"
	    "'arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:*']");
	ck_clean(&r);
	x = r.p->stmts[0].resources;
	ck_assert_int_eq(x[0].kind, PDPI_RES_ALL);
	ck_assert_int_eq(x[1].kind, PDPI_RES_ARN);
	ck_assert(str_is(x[1].seg[0], "arn"));
	ck_assert(str_is(x[1].seg[1], "aws"));
	ck_assert(str_is(x[1].seg[2], "logs"));
	ck_assert(str_is(x[1].seg[3], "us-east-1"));
	ck_assert(str_is(x[1].seg[4], "123456789012"));
	ck_assert(str_is(x[1].rest.text, "log-group:g:log-stream:*"));
	ck_assert_uint_eq(x[1].rest.nparts, 0);
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_short_arn_is_padded_in_identity_policies)
{
	cres r;
	const pdpi_resource *x;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "['arn:aws:s3:*','arn:aws:fdsasf']");
	ck_clean(&r);
	x = r.p->stmts[0].resources;
	ck_assert_int_eq(x[0].kind, PDPI_RES_ARN);
	ck_assert(str_is(x[0].seg[2], "s3"));
	ck_assert(str_is(x[0].seg[3], "*"));
	ck_assert(str_is(x[0].seg[4], "*"));
	ck_assert(str_is(x[0].rest.text, "*"));
	ck_assert_int_eq(x[1].kind, PDPI_RES_ARN);
	ck_assert(str_is(x[1].seg[3], "*"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_short_arn_needs_wildcard_in_resource_policy)
{
	cres r;
	const pdpi_resource *x;

	compile_res(&r, PDP_POLICY_RESOURCE,
	    "['arn:aws:s3:*','arn:aws:fdsasf']");
	ck_clean(&r);
	x = r.p->stmts[0].resources;
	ck_assert_int_eq(x[0].kind, PDPI_RES_ARN);
	ck_assert(str_is(x[0].rest.text, "*"));
	ck_assert_int_eq(x[1].kind, PDPI_RES_NONE);
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_variables_only_in_resource_part)
{
	cres r;
	const pdpi_resource *x;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "'arn:aws:sqs:${region}:*:${aws:username}-queue'");
	ck_clean(&r);
	x = r.p->stmts[0].resources;
	ck_assert(str_is(x[0].seg[3], "${region}"));
	ck_assert_uint_eq(x[0].rest.nparts, 2);
	ck_assert_int_eq(x[0].rest.parts[0].kind, PDPI_PART_VAR);
	ck_assert(str_is(x[0].rest.parts[0].s, "aws:username"));
	ck_assert_int_eq(x[0].rest.parts[1].kind, PDPI_PART_LIT);
	ck_assert(str_is(x[0].rest.parts[1].s, "-queue"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_not_arn_is_error)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY, "['bucket','','foo:bar']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[0]",
	    "Resource bucket must be in ARN format or \"*\".");
	ck_error(&r, "Statement[0].Resource[1]",
	    "Resource  must be in ARN format or \"*\".");
	ck_error(&r, "Statement[0].Resource[2]",
	    "Resource foo:bar must be in ARN format or \"*\".");
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_bad_partition_is_error)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "['arn:aws-cn:s3:::b','arn:*:s3:::b','arn:foo:s3:::b','arn:x']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[2]", "Partition \"foo\" is not "
	    "valid for resource \"arn:foo:s3:::b\".");
	ck_error(&r, "Statement[0].Resource[3]", "Partition \"x\" is not "
	    "valid for resource \"arn:x:*:*:*:*\".");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 2);
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_vendor_must_be_qualified)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY, "['arn:aws','arn:aws:s*:::b']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[0]", "Resource vendor must be "
	    "fully qualified and cannot contain regexes.");
	ck_error(&r, "Statement[0].Resource[1]", "Resource vendor must be "
	    "fully qualified and cannot contain regexes.");
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_legacy_parsing_rejects_short_double_colon)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "['arn:aws:s3::example_bucket','arn:aws::x:y:z']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[0]",
	    "The policy failed legacy parsing");
	ck_error(&r, "Statement[0].Resource[1]",
	    "The policy failed legacy parsing");
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_iam_and_s3_reject_region)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "['arn:aws:s3:us-east-1::bucket','arn:aws:iam:us-east-1::user/x',"
	    "'arn:aws:ec2:us-east-1::x','arn:aws:invalid-service:::x']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[0]", "Resource arn:aws:s3:"
	    "us-east-1::bucket can not contain region information.");
	ck_error(&r, "Statement[0].Resource[1]", "IAM resource arn:aws:iam:"
	    "us-east-1::user/x cannot contain region information.");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 2);
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_iam_resource_type_is_checked)
{
	cres r;

	compile_res(&r, PDP_POLICY_IDENTITY,
	    "['arn:aws:iam::123456789012:u*','arn:aws:iam::*:root',"
	    "'arn:aws:iam::*:role/x','arn:aws:iam::*:*']");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Resource[0]", "IAM resource path must "
	    "either be \"*\" or \"root\" or start with user/, "
	    "federated-user/, role/, group/, instance-profile/, mfa/, "
	    "server-certificate/, policy/, sms-mfa/, saml-provider/, "
	    "oidc-provider/, report/, access-report/.");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_required_in_identity_optional_in_resource_policy)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Action':'s3:*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0]",
	    "Policy statement must contain resources.");
	cres_fini(&r);
	cres_compile(&r, PDP_POLICY_RESOURCE, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Principal':'*',"
	    "'Action':'s3:*'}]}");
	ck_clean(&r);
	ck_assert(!r.p->stmts[0].has_resource);
	ck_assert_uint_eq(r.p->stmts[0].nresources, 0);
	cres_fini(&r);
	compile_res(&r, PDP_POLICY_IDENTITY, "[]");
	ck_error(&r, "Statement[0]",
	    "Policy statement must contain resources.");
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_and_notresource_together_is_error)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Action':'s3:*','Resource':'*',"
	    "'NotResource':'*'}]}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0]",
	    "a statement must not contain both Resource and NotResource (AWS: \"Syntax errors in policy.\")");
	cres_fini(&r);
}
END_TEST

START_TEST(test_resource_allow_notresource_warns)
{
	cres r;

	cres_compile(&r, PDP_POLICY_IDENTITY, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Action':'s3:*',"
	    "'NotResource':'arn:aws:s3:::secret/*'}]}");
	ck_clean(&r);
	ck_assert(r.p->stmts[0].not_resource);
	ck_warning(&r, "Statement[0].NotResource", "\"Allow\" with "
	    "NotResource allows every resource not listed; prefer Resource");
	cres_fini(&r);
}
END_TEST

static Suite *
resource_suite(void)
{
	Suite *s = suite_create("resource");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_resource_arn_splits_on_first_five_colons);
	tcase_add_test(t,
	    test_resource_short_arn_is_padded_in_identity_policies);
	tcase_add_test(t,
	    test_resource_short_arn_needs_wildcard_in_resource_policy);
	tcase_add_test(t, test_resource_variables_only_in_resource_part);
	tcase_add_test(t, test_resource_not_arn_is_error);
	tcase_add_test(t, test_resource_bad_partition_is_error);
	tcase_add_test(t, test_resource_vendor_must_be_qualified);
	tcase_add_test(t,
	    test_resource_legacy_parsing_rejects_short_double_colon);
	tcase_add_test(t, test_resource_iam_and_s3_reject_region);
	tcase_add_test(t, test_resource_iam_resource_type_is_checked);
	tcase_add_test(t,
	    test_resource_required_in_identity_optional_in_resource_policy);
	tcase_add_test(t, test_resource_and_notresource_together_is_error);
	tcase_add_test(t, test_resource_allow_notresource_warns);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(resource_suite());
}
