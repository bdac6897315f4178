// principal_test.c - Principal / NotPrincipal (compiler/src/principal.c):
// classification of each principal form and the validation errors.

#include "compiler/helpers.h"

static void
compile_prin(cres *r, const char *effect, const char *elem,
    const char *prin)
{
	char doc[4096];

	snprintf(doc, sizeof(doc), "{'Version':'2012-10-17','Statement':["
	    "{'Effect':'%s','%s':%s,'Action':'s3:*',"
	    "'Resource':'arn:aws:s3:::b/*'}]}", effect, elem, prin);
	cres_compile(r, PDP_POLICY_RESOURCE, doc);
}

START_TEST(test_principal_forms_are_classified)
{
	cres r;
	const pdpi_principal *p;

	compile_prin(&r, "Allow", "Principal", "{'AWS':["
	    "'111122223333',"
	    "'arn:aws:iam::111122223333:root',"
	    "'arn:aws:iam::111122223333:user/division/alice',"
	    "'arn:aws:iam::111122223333:role/path/to/Admin',"
	    "'arn:aws:sts::111122223333:assumed-role/Admin/sess1',"
	    "'arn:aws:sts::111122223333:federated-user/bob',"
	    "'AIDACKCEVSQ6C2EXAMPLE',"
	    "'arn:aws:iam::111122223333:group/g'],"
	    "'Service':['ecs.amazonaws.com'],"
	    "'Federated':'cognito-identity.amazonaws.com',"
	    "'CanonicalUser':'79a59df900b949e55d96a1e698fbaced'}");
	ck_clean(&r);
	ck_assert(r.p->stmts[0].has_principal);
	ck_assert(!r.p->stmts[0].not_principal);
	ck_assert_uint_eq(r.p->stmts[0].nprincipals, 11);
	p = r.p->stmts[0].principals;
	ck_assert_int_eq(p[0].kind, PDPI_PRIN_ACCOUNT);
	ck_assert(str_is(p[0].account, "111122223333"));
	ck_assert_int_eq(p[1].kind, PDPI_PRIN_ACCOUNT);
	ck_assert(str_is(p[1].account, "111122223333"));
	ck_assert_int_eq(p[2].kind, PDPI_PRIN_USER);
	ck_assert(str_is(p[2].name, "alice"));
	ck_assert_int_eq(p[3].kind, PDPI_PRIN_ROLE);
	ck_assert(str_is(p[3].name, "Admin"));
	ck_assert_int_eq(p[4].kind, PDPI_PRIN_SESSION);
	ck_assert(str_is(p[4].name, "Admin"));
	ck_assert(str_is(p[4].session, "sess1"));
	ck_assert_int_eq(p[5].kind, PDPI_PRIN_FEDUSER);
	ck_assert(str_is(p[5].name, "bob"));
	ck_assert_int_eq(p[6].kind, PDPI_PRIN_UNIQUE_ID);
	ck_assert(str_is(p[6].name, "AIDACKCEVSQ6C2EXAMPLE"));
	ck_assert_int_eq(p[7].kind, PDPI_PRIN_OTHER);
	ck_assert(str_is(p[7].text, "arn:aws:iam::111122223333:group/g"));
	ck_assert_int_eq(p[8].kind, PDPI_PRIN_SERVICE);
	ck_assert(str_is(p[8].name, "ecs.amazonaws.com"));
	ck_assert_int_eq(p[9].kind, PDPI_PRIN_FEDERATED);
	ck_assert_int_eq(p[10].kind, PDPI_PRIN_CANONICAL);
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_star_forms_mean_everyone)
{
	cres r;

	compile_prin(&r, "Allow", "Principal", "'*'");
	ck_clean(&r);
	ck_assert_int_eq(r.p->stmts[0].principals[0].kind, PDPI_PRIN_ALL);
	cres_fini(&r);
	compile_prin(&r, "Allow", "Principal", "{'AWS':'*'}");
	ck_clean(&r);
	ck_assert_int_eq(r.p->stmts[0].principals[0].kind, PDPI_PRIN_ALL);
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_partial_wildcard_is_error)
{
	cres r;

	compile_prin(&r, "Allow", "Principal", "{'AWS':["
	    "'arn:aws:iam::111122223333:user/*',"
	    "'arn:aws:sts::111122223333:assumed-role/R/*']}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Principal.AWS[0]", "Invalid principal in "
	    "policy: \"arn:aws:iam::111122223333:user/*\": a wildcard may "
	    "only stand alone, as \"*\"");
	ck_error(&r, "Statement[0].Principal.AWS[1]", "Invalid principal in "
	    "policy: \"arn:aws:sts::111122223333:assumed-role/R/*\": a "
	    "wildcard may only stand alone, as \"*\"");
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_malformed_values_are_errors)
{
	cres r;

	compile_prin(&r, "Allow", "Principal", "{'AWS':['bob','12345',"
	    "'arn:aws:iam::abc:user/x','arn:aws:sts::111122223333:"
	    "assumed-role/R']}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Principal.AWS[0]",
	    "Invalid principal in policy: \"bob\"");
	ck_error(&r, "Statement[0].Principal.AWS[1]",
	    "Invalid principal in policy: \"12345\"");
	ck_error(&r, "Statement[0].Principal.AWS[2]",
	    "Invalid principal in policy: \"arn:aws:iam::abc:user/x\"");
	ck_error(&r, "Statement[0].Principal.AWS[3]", "Invalid principal in "
	    "policy: \"arn:aws:sts::111122223333:assumed-role/R\"");
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_shape_errors)
{
	cres r;

	compile_prin(&r, "Allow", "Principal", "{'Aws':'111122223333'}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].Principal.Aws", "unknown principal type "
	    "\"Aws\"; expected AWS, Service, Federated or CanonicalUser");
	cres_fini(&r);
	compile_prin(&r, "Allow", "Principal", "'111122223333'");
	ck_error(&r, "Statement[0].Principal", "Invalid principal in policy: "
	    "\"111122223333\": a Principal string must be \"*\"");
	cres_fini(&r);
	compile_prin(&r, "Allow", "Principal", "{}");
	ck_error(&r, "Statement[0].Principal",
	    "Principal must name at least one principal");
	cres_fini(&r);
	compile_prin(&r, "Allow", "Principal", "{'AWS':[]}");
	ck_error(&r, "Statement[0].Principal.AWS",
	    "Principal AWS must not be empty");
	cres_fini(&r);
	compile_prin(&r, "Allow", "Principal", "['*']");
	ck_error(&r, "Statement[0].Principal",
	    "Principal must be \"*\" or an object");
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_notprincipal_with_allow_is_error)
{
	cres r;

	compile_prin(&r, "Allow", "NotPrincipal", "{'AWS':'111122223333'}");
	ck_rejected(&r);
	ck_error(&r, "Statement[0].NotPrincipal",
	    "NotPrincipal can only be used with \"Deny\"");
	cres_fini(&r);
}
END_TEST

START_TEST(test_principal_notprincipal_without_account_warns)
{
	cres r;

	compile_prin(&r, "Deny", "NotPrincipal", "{'AWS':["
	    "'arn:aws:iam::111122223333:role/R',"
	    "'arn:aws:sts::111122223333:assumed-role/R/s',"
	    "'arn:aws:iam::444455556666:user/u','444455556666']}");
	ck_clean(&r);
	ck_assert(r.p->stmts[0].not_principal);
	ck_warning(&r, "Statement[0].NotPrincipal", "NotPrincipal names "
	    "principals of account 111122223333 but not the account itself "
	    "(\"111122223333\" or \"arn:aws:iam::111122223333:root\"); AWS "
	    "may then deny them too");
	ck_warning(&r, "Statement[0].NotPrincipal", "\"Deny\" with "
	    "NotPrincipal is hard to get right; prefer Principal \"*\" with a "
	    "condition on aws:PrincipalArn");
	// One warning per account, none for the listed one.
	ck_assert_uint_eq(cres_count(&r, IAMC_WARNING), 2);
	cres_fini(&r);
}
END_TEST

static Suite *
principal_suite(void)
{
	Suite *s = suite_create("principal");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_principal_forms_are_classified);
	tcase_add_test(t, test_principal_star_forms_mean_everyone);
	tcase_add_test(t, test_principal_partial_wildcard_is_error);
	tcase_add_test(t, test_principal_malformed_values_are_errors);
	tcase_add_test(t, test_principal_shape_errors);
	tcase_add_test(t, test_principal_notprincipal_with_allow_is_error);
	tcase_add_test(t, test_principal_notprincipal_without_account_warns);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(principal_suite());
}
