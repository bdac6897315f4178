// template_test.c - policy variables (compiler/src/template.c), seen
// through the Resource element: ${key}, defaults, escapes, and the text
// that stays literal.

#include "compiler/helpers.h"

// compile_rest compiles a policy whose only resource is
// arn:aws:s3:::<rest> and returns its template.
static const pdpi_tmpl *
compile_rest(cres *r, const char *version, const char *rest)
{
	char doc[2048];

	snprintf(doc, sizeof(doc), "{%s\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::%s\"}]}",
	    version, rest);
	cres_compile_raw(r, PDP_POLICY_IDENTITY, doc);
	ck_clean(r);
	return &r->p->stmts[0].resources[0].rest;
}

#define V12 "\"Version\":\"2012-10-17\","

START_TEST(test_template_variable_key_is_folded)
{
	cres r;
	const pdpi_tmpl *t = compile_rest(&r, V12, "b/${AWS:UserName}/*");

	ck_assert(str_is(t->text, "b/${AWS:UserName}/*"));
	ck_assert_uint_eq(t->nparts, 3);
	ck_assert_int_eq(t->parts[0].kind, PDPI_PART_LIT);
	ck_assert(str_is(t->parts[0].s, "b/"));
	ck_assert_int_eq(t->parts[1].kind, PDPI_PART_VAR);
	ck_assert(str_is(t->parts[1].s, "aws:username"));
	ck_assert(!t->parts[1].has_default);
	ck_assert_int_eq(t->parts[2].kind, PDPI_PART_LIT);
	ck_assert(str_is(t->parts[2].s, "/*"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_default_value_is_kept_as_written)
{
	cres r;
	const pdpi_tmpl *t = compile_rest(&r, V12,
	    "BUCKET-${aws:PrincipalTag/team, 'Company-Wide'}");

	ck_assert_uint_eq(t->nparts, 2);
	ck_assert_int_eq(t->parts[1].kind, PDPI_PART_VAR);
	ck_assert(str_is(t->parts[1].s, "aws:principaltag/team"));
	ck_assert(t->parts[1].has_default);
	ck_assert(str_is(t->parts[1].dflt, "Company-Wide"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_escapes_are_literal_characters)
{
	cres r;
	const pdpi_tmpl *t = compile_rest(&r, V12, "a${*}b${?}c${$}");

	ck_assert_uint_eq(t->nparts, 6);
	ck_assert_int_eq(t->parts[1].kind, PDPI_PART_ESC);
	ck_assert(str_is(t->parts[1].s, "*"));
	ck_assert_int_eq(t->parts[3].kind, PDPI_PART_ESC);
	ck_assert(str_is(t->parts[3].s, "?"));
	ck_assert_int_eq(t->parts[5].kind, PDPI_PART_ESC);
	ck_assert(str_is(t->parts[5].s, "$"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_unclosed_or_bare_dollar_is_literal)
{
	cres r;
	const pdpi_tmpl *t = compile_rest(&r, V12, "a$b${aws:username");

	ck_assert_uint_eq(t->nparts, 0);
	ck_assert(str_is(t->text, "a$b${aws:username"));
	cres_fini(&r);
	t = compile_rest(&r, V12, "${}x${a, b}");
	ck_assert_uint_eq(t->nparts, 0);
	cres_fini(&r);
	t = compile_rest(&r, V12, "$${aws:userid}");
	ck_assert_uint_eq(t->nparts, 2);
	ck_assert(str_is(t->parts[0].s, "$"));
	ck_assert(str_is(t->parts[1].s, "aws:userid"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_variables_need_version_2012)
{
	cres r;
	const pdpi_tmpl *t;

	t = compile_rest(&r, "\"Version\":\"2008-10-17\",", "${aws:username}");
	ck_assert_uint_eq(t->nparts, 0);
	cres_fini(&r);
	t = compile_rest(&r, "", "${*}");
	ck_assert_uint_eq(t->nparts, 0);
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_several_variables_in_one_string)
{
	cres r;
	const pdpi_tmpl *t = compile_rest(&r, V12,
	    "${aws:PrincipalAccount}-${aws:username}${s3:prefix}");

	ck_assert_uint_eq(t->nparts, 4);
	ck_assert_int_eq(t->parts[0].kind, PDPI_PART_VAR);
	ck_assert(str_is(t->parts[1].s, "-"));
	ck_assert_int_eq(t->parts[2].kind, PDPI_PART_VAR);
	ck_assert_int_eq(t->parts[3].kind, PDPI_PART_VAR);
	ck_assert(str_is(t->parts[3].s, "s3:prefix"));
	cres_fini(&r);
}
END_TEST

START_TEST(test_template_not_recognized_in_actions_or_principals)
{
	cres r;

	cres_compile(&r, PDP_POLICY_RESOURCE, "{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Principal':{'Service':"
	    "'${aws:x}.amazonaws.com'},'Action':'s3:${x}'}]}");
	ck_clean(&r);
	ck_assert(str_is(r.p->stmts[0].actions[0].name, "${x}"));
	ck_assert(str_is(r.p->stmts[0].principals[0].name,
	    "${aws:x}.amazonaws.com"));
	cres_fini(&r);
}
END_TEST

static Suite *
template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_template_variable_key_is_folded);
	tcase_add_test(t, test_template_default_value_is_kept_as_written);
	tcase_add_test(t, test_template_escapes_are_literal_characters);
	tcase_add_test(t, test_template_unclosed_or_bare_dollar_is_literal);
	tcase_add_test(t, test_template_variables_need_version_2012);
	tcase_add_test(t, test_template_several_variables_in_one_string);
	tcase_add_test(t,
	    test_template_not_recognized_in_actions_or_principals);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(template_suite());
}
