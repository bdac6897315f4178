// glob_test.c - IAM wildcard matching.

#include <check.h>
#include <string.h>

#include "check_main.h"
#include "glob.h"

static bool
g(const char *pat, const char *text)
{
	return pdpi_glob(pat, NULL, strlen(pat), text, strlen(text));
}

START_TEST(test_glob_star_matches_any_run_including_empty)
{
	ck_assert(g("*", ""));
	ck_assert(g("*", "anything/at:all"));
	ck_assert(g("bucket/*", "bucket/"));
	ck_assert(g("bucket/*", "bucket/a/b"));
	ck_assert(!g("bucket/*", "bucket"));
	ck_assert(g("*log*", "carlossalazar-logs"));
}
END_TEST

START_TEST(test_glob_question_mark_is_exactly_one_char)
{
	ck_assert(g("get?bject", "getobject"));
	ck_assert(!g("get?bject", "getbject"));
	ck_assert(!g("get?bject", "getoobject"));
}
END_TEST

START_TEST(test_glob_is_anchored_and_case_sensitive)
{
	ck_assert(!g("abc", "abcd"));
	ck_assert(!g("bcd", "abcd"));
	ck_assert(!g("Bucket", "bucket"));
}
END_TEST

START_TEST(test_glob_backtracks_over_several_stars)
{
	// iam-semantics 2.3: B/*/test/* against S3 keys.
	ck_assert(g("B/*/test/*", "B/1/2/test/3/object.jpg"));
	ck_assert(g("B/*/test/*", "B//test/object.jpg"));
	ck_assert(g("B/*/test/*", "B/1/test/"));
	ck_assert(!g("B/*/test/*", "B/test/object.jpg"));
	ck_assert(!g("B/*/test/*", "B/1-test/object.jpg"));
	ck_assert(g("a*b*c*d", "aXbYbZcQd"));
	ck_assert(!g("a*b*c*d", "aXbYbZcQ"));
}
END_TEST

START_TEST(test_glob_pathological_pattern_terminates)
{
	char pat[201], text[4001];
	memset(pat, 0, sizeof(pat));
	for (int i = 0; i < 200; i += 2) {
		pat[i] = '*';
		pat[i + 1] = 'a';
	}
	memset(text, 'a', 4000);
	text[4000] = '\0';
	pat[199] = 'b';
	ck_assert(!g(pat, text));
}
END_TEST

START_TEST(test_glob_literal_mask_disables_wildcards)
{
	// "x*" where the star came from a policy variable: literal.
	const uint8_t lit[] = {0, 1};
	ck_assert(pdpi_glob("x*", lit, 2, "x*", 2));
	ck_assert(!pdpi_glob("x*", lit, 2, "xyz", 3));
	const uint8_t wild[] = {0, 0};
	ck_assert(pdpi_glob("x*", wild, 2, "xyz", 3));
}
END_TEST

START_TEST(test_glob_has_wildcard)
{
	ck_assert(pdpi_has_wildcard("a*", 2));
	ck_assert(pdpi_has_wildcard("a?", 2));
	ck_assert(!pdpi_has_wildcard("abc", 3));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("glob");
	TCase *tc = tcase_create("glob");
	tcase_add_test(tc, test_glob_star_matches_any_run_including_empty);
	tcase_add_test(tc, test_glob_question_mark_is_exactly_one_char);
	tcase_add_test(tc, test_glob_is_anchored_and_case_sensitive);
	tcase_add_test(tc, test_glob_backtracks_over_several_stars);
	tcase_add_test(tc, test_glob_pathological_pattern_terminates);
	tcase_add_test(tc, test_glob_literal_mask_disables_wildcards);
	tcase_add_test(tc, test_glob_has_wildcard);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
