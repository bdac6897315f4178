// examples_test.c - the example plugins of plugins/examples, each through
// pdp_bundle_authorize with a worker's provider: business hours, the tag
// policy and the tenant taken from the caller's path.

#include "helpers.h"

#define EXAMPLES PDP_SOURCE_DIR "/plugins/examples"

static tplug tp;

static void
setup(void)
{
	tplug_open(&tp, EXAMPLES);
}

static void
teardown(void)
{
	tplug_close(&tp);
}

#define ALICE "'arn:aws:iam::111122223333:user/alice'"

#define BH_POLICY "'identityPolicies':[{'Version':'2012-10-17'," \
	"'Statement':[{'Sid':'DeleteInBusinessHours','Effect':'Allow'," \
	"'Action':'s3:DeleteObject','Resource':'*','Condition':{'Bool':" \
	"{'corp:BusinessHours':'true'}}}]}]"

static tdec
bh(const char *ctx)
{
	char line[2048];

	snprintf(line, sizeof(line), "{" BH_POLICY ",'request':{'principal':"
	    ALICE ",'action':'s3:DeleteObject','resource':"
	    "'arn:aws:s3:::b/k','context':{%s}}}", ctx);
	return tdecide(&tp.opt, line);
}

START_TEST(test_business_hours_open_on_a_weekday_morning)
{
	tdec d = bh("'aws:CurrentTime':'2024-05-06T10:00:00Z'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = bh("'aws:EpochTime':'1715000000'"); // Monday 12:53 UTC
	ck_assert_int_eq(d.effect, PDP_ALLOW);
}
END_TEST

START_TEST(test_business_hours_closed_at_night_and_weekends)
{
	tdec d = bh("'aws:CurrentTime':'2024-05-06T18:30:00Z'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	d = bh("'aws:CurrentTime':'2024-05-04T10:00:00Z'"); // Saturday
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	d = bh("'aws:CurrentTime':'2024-05-06T08:59:59Z'");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	d = bh("'aws:CurrentTime':'2024-05-10T16:59:59Z'"); // Friday
	ck_assert_int_eq(d.effect, PDP_ALLOW);
}
END_TEST

START_TEST(test_business_hours_bad_time_denies_with_plugin_error)
{
	tdec d = bh("'aws:CurrentTime':'yesterday'");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_int_ne(d.effect, PDP_ALLOW);
	ck_assert_msg(strstr(d.reason, "plugin business_hours: "
	    "business_hours.lua:") != NULL, "%s", d.reason);
	ck_assert_msg(strstr(d.reason, "not an ISO 8601") != NULL, "%s",
	    d.reason);
}
END_TEST

#define TAG_POLICY "'identityPolicies':[{'Version':'2012-10-17'," \
	"'Statement':[{'Effect':'Allow','Action':['ec2:CreateTags'," \
	"'iam:TagUser','s3:GetObject'],'Resource':'*'}]}]"

static tdec
tag(const char *action, const char *ctx)
{
	char line[2048];

	snprintf(line, sizeof(line), "{" TAG_POLICY ",'request':{'principal':"
	    ALICE ",'action':'%s','resource':'*','context':{%s}}}", action,
	    ctx);
	return tdecide(&tp.opt, line);
}

START_TEST(test_tag_policy_allows_conforming_tags)
{
	tdec d = tag("ec2:CreateTags", "'aws:RequestTag/env':'prod',"
	    "'aws:RequestTag/team':'web','aws:TagKeys':['env','team']");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = tag("iam:TagUser", "'aws:RequestTag/env':'dev'");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
}
END_TEST

START_TEST(test_tag_policy_denies_uppercase_keys_naming_the_rule)
{
	pdpl_stats st;
	tdec d = tag("ec2:CreateTags", "'aws:RequestTag/Env':'prod'");

	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	ck_assert_msg(strstr(d.reason, "plugin tag_policy: lowercase-keys: "
	    "tag key \"Env\"") != NULL, "%s", d.reason);
	// A key only listed in aws:TagKeys is checked too.
	d = tag("ec2:CreateTags", "'aws:TagKeys':['Team']");
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.denials, 2);
	ck_assert_int_eq(st.nrules, 1);
	ck_assert_str_eq(st.rules[0].rule, "lowercase-keys");
	ck_assert_int_eq(st.rules[0].denials, 2);
}
END_TEST

START_TEST(test_tag_policy_denies_unknown_env_values)
{
	tdec d = tag("ec2:CreateTags", "'aws:RequestTag/env':'qa'");

	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	ck_assert_msg(strstr(d.reason, "allowed-values: tag \"env\" must be "
	    "one of dev, prod, staging, not \"qa\"") != NULL, "%s",
	    d.reason);
}
END_TEST

START_TEST(test_tag_policy_skips_requests_without_tags)
{
	pdpl_stats st;
	tdec d = tag("s3:GetObject", "'aws:SourceIp':'10.0.0.1'");

	ck_assert_int_eq(d.effect, PDP_ALLOW);
	pdpl_host_stats(tp.host, &st);
	// Only tenant_from_path's check ran (it runs on every request).
	ck_assert_int_eq(st.calls, 1);
}
END_TEST

#define TENANT_POLICY "'identityPolicies':[{'Version':'2012-10-17'," \
	"'Statement':[{'Sid':'OwnTenant','Effect':'Allow','Action':" \
	"'s3:GetObject','Resource':'arn:aws:s3:::tenant-data/*'," \
	"'Condition':{'StringEquals':{'corp:Tenant':" \
	"'${aws:ResourceTag/tenant}'}}},{'Sid':'OwnPrefix','Effect':'Allow'," \
	"'Action':'s3:PutObject','Resource':" \
	"'arn:aws:s3:::shared/${aws:PrincipalTag/tenant}/*'}]}]"

static tdec
tenant(const char *who, const char *action, const char *res,
    const char *ctx)
{
	char line[3072];

	snprintf(line, sizeof(line), "{" TENANT_POLICY ",'request':"
	    "{'principal':'%s','action':'%s','resource':'%s','context':{%s}}}",
	    who, action, res, ctx);
	return tdecide(&tp.opt, line);
}

#define ACME "arn:aws:iam::111122223333:user/tenants/acme/alice"

START_TEST(test_tenant_from_path_key)
{
	tdec d = tenant(ACME, "s3:GetObject", "arn:aws:s3:::tenant-data/x",
	    "'aws:ResourceTag/tenant':'acme'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = tenant(ACME, "s3:GetObject", "arn:aws:s3:::tenant-data/x",
	    "'aws:ResourceTag/tenant':'globex'");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	// No tenant path: the key is absent and nothing matches.
	d = tenant("arn:aws:iam::111122223333:user/bob", "s3:GetObject",
	    "arn:aws:s3:::tenant-data/x", "'aws:ResourceTag/tenant':'acme'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
}
END_TEST

START_TEST(test_tenant_derived_principal_tag_is_visible_to_policies)
{
	tdec d = tenant(ACME, "s3:PutObject", "arn:aws:s3:::shared/acme/f",
	    "");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = tenant(ACME, "s3:PutObject", "arn:aws:s3:::shared/globex/f", "");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	// A tag the principal has is kept, not derived over.
	d = tenant(ACME, "s3:PutObject", "arn:aws:s3:::shared/globex/f",
	    "'aws:PrincipalTag/tenant':'globex'");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
}
END_TEST

START_TEST(test_example_policies_validate_without_plugins)
{
	static const char *const files[] = {
		"identity-business-hours.json",
		"identity-tag-conventions.json",
		"identity-tenant-isolation.json",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		json_error_t je;
		snprintf(path, sizeof(path), "%s/examples/policies/%s",
		    PDP_SOURCE_DIR, files[i]);
		json_t *doc = json_load_file(path, 0, &je);
		ck_assert_msg(doc != NULL, "%s: %s", path, je.text);
		for (int with = 0; with < 2; with++) {
			iamc_arena *a = iamc_arena_open();
			const pdpi_policy *p;
			iamc_diags d;
			iamc_diags_init(&d);
			int rv = iamc_policy_compile_ex(a, doc,
			    PDP_POLICY_IDENTITY, files[i],
			    with ? tp.opt.compile : NULL, &p, &d);
			ck_assert_msg(rv == PDP_OK && d.n == 0, "%s: %s",
			    files[i], d.n ? d.v[0].message : "error");
			iamc_diags_fini(&d);
			iamc_arena_close(a);
		}
		json_decref(doc);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plugins/examples");
	TCase *tc = tcase_create("examples");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_business_hours_open_on_a_weekday_morning);
	tcase_add_test(tc, test_business_hours_closed_at_night_and_weekends);
	tcase_add_test(tc,
	    test_business_hours_bad_time_denies_with_plugin_error);
	tcase_add_test(tc, test_tag_policy_allows_conforming_tags);
	tcase_add_test(tc,
	    test_tag_policy_denies_uppercase_keys_naming_the_rule);
	tcase_add_test(tc, test_tag_policy_denies_unknown_env_values);
	tcase_add_test(tc, test_tag_policy_skips_requests_without_tags);
	tcase_add_test(tc, test_tenant_from_path_key);
	tcase_add_test(tc,
	    test_tenant_derived_principal_tag_is_visible_to_policies);
	tcase_add_test(tc, test_example_policies_validate_without_plugins);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
