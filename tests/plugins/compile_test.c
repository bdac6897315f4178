// compile_test.c - the compiler and plugin keys: conditions on declared
// keys are marked custom, operators must fit the declared type, and
// undeclared keys in a plugin namespace draw a warning, only when plugins
// are given. Also the manifest reader the iamc command uses.

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "iamc.h"
#include "iamc_plugins.h"

static const iamc_custom_key keys[] = {
	{"corp:BusinessHours", IAMC_TYPE_BOOL, "business_hours"},
	{"corp:RiskScore", IAMC_TYPE_NUMERIC, "risk"},
	{"corp:Tenant", IAMC_TYPE_STRING, "tenant_from_path"},
	{"corp:Owner", IAMC_TYPE_ARN, "owner"},
};
static const iamc_compile_options opts = {keys, 4};

typedef struct res {
	iamc_arena *a;
	iamc_diags d;
	const pdpi_policy *p;
	int rv;
} res;

static void
compile(res *r, const iamc_compile_options *o, const char *cond)
{
	char doc[1024];

	snprintf(doc, sizeof(doc), "{\"Version\": \"2012-10-17\", "
	    "\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", "
	    "\"Resource\": \"*\", \"Condition\": %s}}", cond);
	for (char *c = doc; *c; c++)
		if (*c == '\'')
			*c = '"';
	r->a = iamc_arena_open();
	iamc_diags_init(&r->d);
	r->rv = iamc_policy_compile_text_ex(r->a, doc, strlen(doc),
	    PDP_POLICY_IDENTITY, "t", o, &r->p, &r->d);
}

static void
done(res *r)
{
	iamc_diags_fini(&r->d);
	iamc_arena_close(r->a);
}

static bool
has(const res *r, iamc_severity sev, const char *text)
{
	for (size_t i = 0; i < r->d.n; i++)
		if (r->d.v[i].severity == sev &&
		    strstr(r->d.v[i].message, text) != NULL)
			return true;
	return false;
}

START_TEST(test_declared_keys_are_marked_custom_any_case)
{
	res r;

	compile(&r, &opts, "{'Bool': {'CORP:businesshours': 'true'}, "
	    "'NumericLessThan': {'corp:RiskScore': '50'}, "
	    "'StringEquals': {'aws:username': 'bob'}}");
	ck_assert_int_eq(r.rv, PDP_OK);
	ck_assert_int_eq(r.d.n, 0);
	const pdpi_stmt *st = &r.p->stmts[0];
	ck_assert_int_eq(st->nconds, 3);
	for (uint32_t i = 0; i < st->nconds; i++) {
		bool custom = strncmp(st->conds[i].key.p, "corp:", 5) == 0;
		ck_assert_int_eq(st->conds[i].custom, custom);
	}
	done(&r);
}
END_TEST

START_TEST(test_without_plugins_nothing_is_custom_and_no_warning)
{
	res r;

	compile(&r, NULL, "{'Bool': {'corp:BusinessHours': 'true'}, "
	    "'StringEquals': {'corp:Unknown': 'x'}}");
	ck_assert_int_eq(r.rv, PDP_OK);
	ck_assert_int_eq(r.d.n, 0);
	ck_assert(!r.p->stmts[0].conds[0].custom);
	done(&r);
}
END_TEST

START_TEST(test_operator_that_does_not_fit_the_type_is_an_error)
{
	res r;

	compile(&r, &opts, "{'NumericLessThan': {'corp:BusinessHours': "
	    "'5'}}");
	ck_assert_int_eq(r.rv, PDP_EPOLICY);
	ck_assert(has(&r, IAMC_ERROR, "operator NumericLessThan does not fit "
	    "condition key \"corp:BusinessHours\": plugin business_hours "
	    "declares it Bool; use Bool"));
	done(&r);
	compile(&r, &opts, "{'StringEquals': {'corp:RiskScore': '5'}}");
	ck_assert_int_eq(r.rv, PDP_EPOLICY);
	done(&r);
	compile(&r, &opts, "{'ArnLike': {'corp:Tenant': 'arn:*'}}");
	ck_assert_int_eq(r.rv, PDP_EPOLICY);
	done(&r);
	// String operators fit Arn keys; Null fits anything; IfExists and
	// set forms keep their base operator's type.
	compile(&r, &opts, "{'StringLike': {'corp:Owner': 'arn:*'}, "
	    "'ArnEquals': {'corp:Owner': 'arn:aws:iam::1:user/x'}, "
	    "'Null': {'corp:RiskScore': 'false'}, "
	    "'NumericGreaterThanIfExists': {'corp:RiskScore': '1'}, "
	    "'ForAnyValue:StringEquals': {'corp:Tenant': 'a'}}");
	ck_assert_int_eq(r.rv, PDP_OK);
	done(&r);
}
END_TEST

START_TEST(test_unknown_key_in_plugin_namespace_warns)
{
	res r;

	compile(&r, &opts, "{'Bool': {'corp:BusinesHours': 'true'}, "
	    "'StringLike': {'s3:prefix': 'home/*', "
	    "'ec2:ResourceTag/team': 'x', 'other:Thing': 'y'}}");
	ck_assert_int_eq(r.rv, PDP_OK);
	ck_assert_int_eq(r.d.n, 1);
	ck_assert(has(&r, IAMC_WARNING, "unknown condition key "
	    "\"corp:BusinesHours\": no plugin declares it"));
	ck_assert_str_eq(r.d.v[0].path,
	    "Statement.Condition.Bool.corp:BusinesHours");
	done(&r);
}
END_TEST

START_TEST(test_manifests_of_the_examples_give_their_keys)
{
	iamc_plugin_keys *k;
	char err[512];

	ck_assert_int_eq(iamc_plugin_keys_open(PDP_SOURCE_DIR
	    "/plugins/examples", &k, err, sizeof(err)), PDP_OK);
	const iamc_compile_options *o = iamc_plugin_keys_options(k);
	ck_assert_int_eq(o->nkeys, 2);
	for (size_t i = 0; i < o->nkeys; i++) {
		if (strcmp(o->keys[i].name, "corp:BusinessHours") == 0)
			ck_assert_int_eq(o->keys[i].type, IAMC_TYPE_BOOL);
		else
			ck_assert_str_eq(o->keys[i].name, "corp:Tenant");
	}
	iamc_plugin_keys_close(k);
	ck_assert_int_eq(iamc_plugin_keys_open("/nonexistent", &k, err,
	    sizeof(err)), PDP_EIO);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plugins/compile");
	TCase *tc = tcase_create("compile");

	tcase_add_test(tc, test_declared_keys_are_marked_custom_any_case);
	tcase_add_test(tc,
	    test_without_plugins_nothing_is_custom_and_no_warning);
	tcase_add_test(tc,
	    test_operator_that_does_not_fit_the_type_is_an_error);
	tcase_add_test(tc, test_unknown_key_in_plugin_namespace_warns);
	tcase_add_test(tc, test_manifests_of_the_examples_give_their_keys);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
