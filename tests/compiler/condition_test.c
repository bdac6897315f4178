// condition_test.c - the Condition block (compiler/src/condition.c):
// operator parsing, typed values, and the validation errors and warnings.

#include "compiler/helpers.h"

static void
compile_cond(cres *r, const char *effect, const char *cond)
{
	char doc[4096];

	snprintf(doc, sizeof(doc), "{'Version':'2012-10-17','Statement':["
	    "{'Effect':'%s','Action':'s3:*','Resource':'*','Condition':%s}]}",
	    effect, cond);
	cres_compile(r, PDP_POLICY_IDENTITY, doc);
}

#define P0 "Statement[0].Condition"

START_TEST(test_condition_operator_flags_are_split)
{
	cres r;
	const pdpi_cond *c;

	compile_cond(&r, "Deny", "{'ForAnyValue:StringNotLikeIfExists':"
	    "{'AWS:TagKeys':'a*'},'ArnEquals':{'aws:SourceArn':"
	    "'arn:aws:s3:::b'},'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->stmts[0].nconds, 3);
	c = r.p->stmts[0].conds;
	ck_assert_int_eq(c[0].op, PDPI_COP_STR_LIKE);
	ck_assert_int_eq(c[0].set, PDPI_SET_ANY);
	ck_assert(c[0].negated);
	ck_assert(c[0].if_exists);
	ck_assert(str_is(c[0].key, "aws:tagkeys"));
	ck_assert(str_is(c[0].keytext, "AWS:TagKeys"));
	ck_assert(str_is(c[0].opname, "ForAnyValue:StringNotLikeIfExists"));
	ck_assert_int_eq(c[1].op, PDPI_COP_ARN_LIKE);
	ck_assert(!c[1].negated);
	ck_assert_int_eq(c[2].op, PDPI_COP_IP);
	ck_assert(c[2].negated);
	ck_assert_int_eq(c[2].values[0].v.ip.bits, 8);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_json_scalars_become_strings)
{
	cres r;
	const pdpi_cond *c;

	compile_cond(&r, "Allow", "{'Bool':{'aws:SecureTransport':true},"
	    "'NumericLessThanEquals':{'s3:max-keys':[10,2.5]},"
	    "'StringEquals':{'s3:x':[false,'v']}}");
	ck_clean(&r);
	c = r.p->stmts[0].conds;
	ck_assert(str_is(c[0].values[0].t.text, "true"));
	ck_assert(c[0].values[0].ok);
	ck_assert(c[0].values[0].v.b);
	ck_assert_uint_eq(c[1].nvalues, 2);
	ck_assert(str_is(c[1].values[0].t.text, "10"));
	ck_assert(c[1].values[0].v.num == 10.0);
	ck_assert(str_is(c[1].values[1].t.text, "2.5"));
	ck_assert(c[1].values[1].v.num == 2.5);
	ck_assert(str_is(c[2].values[0].t.text, "false"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_dates_are_parsed_at_compile_time)
{
	cres r;
	const pdpi_cond *c;

	compile_cond(&r, "Allow", "{'DateLessThan':{'aws:CurrentTime':"
	    "['2020-01-01T00:00:00Z','1577836800']}}");
	ck_clean(&r);
	c = r.p->stmts[0].conds;
	ck_assert_int_eq(c[0].op, PDPI_COP_DATE_LT);
	ck_assert(c[0].values[0].ok);
	ck_assert_int_eq(c[0].values[0].v.date.sec, 1577836800);
	ck_assert_int_eq(c[0].values[1].v.date.sec, 1577836800);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_bad_date_fails_legacy_parsing)
{
	cres r;

	compile_cond(&r, "Allow", "{'DateGreaterThan':{'aws:CurrentTime':"
	    "['2020-01-01','next tuesday']}}");
	ck_rejected(&r);
	ck_error(&r, P0 ".DateGreaterThan.aws:CurrentTime[1]", "The policy "
	    "failed legacy parsing: invalid DateGreaterThan value \"next "
	    "tuesday\": not an ISO 8601 date or epoch seconds");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_bad_number_warns_and_bad_ip_is_an_error)
{
	cres r;

	// AWS does not check numbers when a policy is saved: the value is
	// literal text that never matches.
	compile_cond(&r, "Allow", "{'NumericEquals':{'s3:max-keys':'1e5'},"
	    "'IpAddress':{'aws:SourceIp':'10.0.0.0/33'}}");
	ck_rejected(&r);
	ck_warning(&r, P0 ".NumericEquals.s3:max-keys",
	    "NumericEquals value \"1e5\" is not a number and never matches");
	ck_error(&r, P0 ".IpAddress.aws:SourceIp", "invalid IpAddress value "
	    "\"10.0.0.0/33\": not an IP address or CIDR");
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_unknown_operator_is_error_unless_empty)
{
	cres r;

	compile_cond(&r, "Allow", "{'StringEqulas':{'a':'b'},"
	    "'ForAnyValue::StringEqualsIfExists':{'a':'b'},'x':{},'y':{}}");
	ck_rejected(&r);
	ck_error(&r, P0, "unknown operator \"StringEqulas\"");
	ck_error(&r, P0, "unknown operator "
	    "\"ForAnyValue::StringEqualsIfExists\"");
	ck_warning(&r, P0, "unknown operator \"x\" with an empty map is "
	    "ignored");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 2);
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'a':{},'DateGreaterThan':{},"
	    "'StringEquals':{'k':[]}}");
	ck_clean(&r);
	ck_assert_uint_eq(r.p->stmts[0].nconds, 1);
	ck_assert_uint_eq(r.p->stmts[0].conds[0].nvalues, 0);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_null_takes_no_set_or_ifexists)
{
	cres r;

	compile_cond(&r, "Allow", "{'ForAnyValue:Null':{'a':'true'},"
	    "'NullIfExists':{'a':'true'},'Null':{'aws:TokenIssueTime':"
	    "'true'}}");
	ck_rejected(&r);
	ck_error(&r, P0, "invalid operator \"ForAnyValue:Null\": Null takes "
	    "no ForAnyValue:/ForAllValues: prefix");
	ck_error(&r, P0, "invalid operator \"NullIfExists\": Null has no "
	    "IfExists form");
	ck_assert_uint_eq(cres_count(&r, IAMC_ERROR), 2);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_shape_errors)
{
	cres r;

	compile_cond(&r, "Allow", "['x']");
	ck_error(&r, P0, "Condition must be an object");
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'StringEquals':'x'}");
	ck_error(&r, P0 ".StringEquals", "the value of condition operator "
	    "\"StringEquals\" must be an object");
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'StringEquals':{'a':{},'b':['x',[1]],"
	    "'c':null}}");
	ck_rejected(&r);
	ck_error(&r, P0 ".StringEquals.a", "condition values must be "
	    "strings, numbers, booleans or an array of them");
	ck_error(&r, P0 ".StringEquals.b[1]", "condition values must be "
	    "strings, numbers or booleans");
	ck_error(&r, P0 ".StringEquals.c", "condition values must be "
	    "strings, numbers, booleans or an array of them");
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_ignorecase_values_are_folded)
{
	cres r;
	const pdpi_cvalue *v;

	compile_cond(&r, "Allow", "{'StringEqualsIgnoreCase':"
	    "{'aws:username':['JohnDoe',"
	    "'\xc3\x89LODIE-${aws:PrincipalTag/X}']}}");
	ck_clean(&r);
	v = r.p->stmts[0].conds[0].values;
	ck_assert(str_is(v[0].t.text, "johndoe"));
	ck_assert(str_is(v[1].t.text, "\xc3\xa9lodie-${aws:principaltag/x}"));
	ck_assert_uint_eq(v[1].t.nparts, 2);
	ck_assert(str_is(v[1].t.parts[0].s, "\xc3\xa9lodie-"));
	ck_assert(str_is(v[1].t.parts[1].s, "aws:principaltag/x"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_binary_value_is_decoded_and_canonical)
{
	cres r;
	const pdpi_cvalue *v;

	compile_cond(&r, "Allow", "{'BinaryEquals':{'k':['aGVsbG8=',"
	    "'aGk=','']}}");
	ck_clean(&r);
	v = r.p->stmts[0].conds[0].values;
	ck_assert_uint_eq(v[0].v.bin.n, 5);
	ck_assert(memcmp(v[0].v.bin.p, "hello", 5) == 0);
	ck_assert(str_is(v[0].t.text, "aGVsbG8="));
	ck_assert_uint_eq(v[1].v.bin.n, 2);
	ck_assert(memcmp(v[1].v.bin.p, "hi", 2) == 0);
	ck_assert_uint_eq(v[2].v.bin.n, 0);
	ck_assert(v[2].ok);
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'BinaryEquals':{'k':'not base64!'}}");
	ck_rejected(&r);
	ck_error(&r, P0 ".BinaryEquals.k",
	    "invalid BinaryEquals value \"not base64!\": not base64");
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_variables_only_in_string_arn_bool_values)
{
	cres r;
	const pdpi_cond *c;

	compile_cond(&r, "Allow", "{'StringLike':{'s3:prefix':"
	    "'home/${aws:username}/*'},'ArnLike':{'aws:SourceArn':"
	    "'arn:aws:s3:::${aws:username}'},'Bool':{'k':'${aws:x}'},"
	    "'Null':{'${aws:x}':'false'}}");
	ck_clean(&r);
	c = r.p->stmts[0].conds;
	ck_assert_uint_eq(c[0].values[0].t.nparts, 3);
	ck_assert_uint_eq(c[1].values[0].t.nparts, 2);
	ck_assert_uint_eq(c[2].values[0].t.nparts, 1);
	ck_assert(!c[2].values[0].ok);
	// A ${ in a key is part of the key's name.
	ck_assert(str_is(c[3].key, "${aws:x}"));
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'NumericEquals':{'k':'${aws:x}'}}");
	ck_clean(&r);
	ck_warning(&r, P0 ".NumericEquals.k",
	    "NumericEquals value \"${aws:x}\" is not a number and never "
	    "matches");
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_forallvalues_allow_without_null_guard_warns)
{
	cres r;

	compile_cond(&r, "Allow", "{'ForAllValues:StringEquals':"
	    "{'aws:TagKeys':['a','b']}}");
	ck_clean(&r);
	ck_warning(&r, P0 ".ForAllValues:StringEquals.aws:TagKeys",
	    "ForAllValues with \"Allow\" also matches when \"aws:TagKeys\" is "
	    "missing or empty; add \"Null\": {\"aws:TagKeys\": \"false\"}");
	cres_fini(&r);
	compile_cond(&r, "Allow", "{'ForAllValues:StringEquals':"
	    "{'aws:TagKeys':['a','b']},'Null':{'aws:tagkeys':'false'}}");
	ck_clean(&r);
	ck_assert_uint_eq(r.d.n, 0);
	cres_fini(&r);
	compile_cond(&r, "Deny", "{'ForAllValues:StringEquals':"
	    "{'aws:TagKeys':['a','b']}}");
	ck_assert_uint_eq(r.d.n, 0);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_set_operator_on_single_valued_key_warns)
{
	cres r;

	compile_cond(&r, "Allow", "{'ForAnyValue:IpAddress':"
	    "{'aws:SourceIp':'10.0.0.0/8'},'ForAnyValue:StringEquals':"
	    "{'aws:CalledVia':'athena.amazonaws.com'}}");
	ck_clean(&r);
	ck_warning(&r, P0 ".ForAnyValue:IpAddress.aws:SourceIp",
	    "ForAnyValue:IpAddress used with single-valued key "
	    "\"aws:SourceIp\": a set operator treats it as a one-element set, "
	    "which can be overly permissive; drop the ForAnyValue: prefix");
	ck_assert_uint_eq(r.d.n, 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_unknown_global_key_warns)
{
	cres r;

	compile_cond(&r, "Allow", "{'StringEquals':{'aws:SourceIpp':'x',"
	    "'s3:prefix':'y','aws:PrincipalTag/team':'z'}}");
	ck_clean(&r);
	ck_warning(&r, P0 ".StringEquals.aws:SourceIpp",
	    "unknown global condition key \"aws:SourceIpp\"");
	ck_assert_uint_eq(r.d.n, 1);
	cres_fini(&r);
}
END_TEST

START_TEST(test_condition_non_boolean_bool_value_warns)
{
	cres r;

	compile_cond(&r, "Allow", "{'Bool':{'aws:SecureTransport':'yes'}}");
	ck_clean(&r);
	ck_warning(&r, P0 ".Bool.aws:SecureTransport", "Bool value \"yes\" "
	    "is neither \"true\" nor \"false\" and never matches");
	ck_assert(!r.p->stmts[0].conds[0].values[0].ok);
	cres_fini(&r);
}
END_TEST

static Suite *
condition_suite(void)
{
	Suite *s = suite_create("condition");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_condition_operator_flags_are_split);
	tcase_add_test(t, test_condition_json_scalars_become_strings);
	tcase_add_test(t, test_condition_dates_are_parsed_at_compile_time);
	tcase_add_test(t, test_condition_bad_date_fails_legacy_parsing);
	tcase_add_test(t, test_condition_bad_number_warns_and_bad_ip_is_an_error);
	tcase_add_test(t,
	    test_condition_unknown_operator_is_error_unless_empty);
	tcase_add_test(t, test_condition_null_takes_no_set_or_ifexists);
	tcase_add_test(t, test_condition_shape_errors);
	tcase_add_test(t, test_condition_ignorecase_values_are_folded);
	tcase_add_test(t,
	    test_condition_binary_value_is_decoded_and_canonical);
	tcase_add_test(t,
	    test_condition_variables_only_in_string_arn_bool_values);
	tcase_add_test(t,
	    test_condition_forallvalues_allow_without_null_guard_warns);
	tcase_add_test(t,
	    test_condition_set_operator_on_single_valued_key_warns);
	tcase_add_test(t, test_condition_unknown_global_key_warns);
	tcase_add_test(t, test_condition_non_boolean_bool_value_warns);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(condition_suite());
}
