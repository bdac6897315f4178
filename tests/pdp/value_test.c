// value_test.c - typed value parsers (pdp/src/value.c): numbers, dates
// in AWS's legacy-parser forms, booleans and CIDRs.

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "value.h"

#define S(lit) lit, strlen(lit)

static bool
num(const char *s, double *out)
{
	return pdpi_parse_number(s, strlen(s), out);
}

static bool
date(const char *s, pdpi_date *out)
{
	return pdpi_parse_date(s, strlen(s), out);
}

static bool
cidr(const char *s, pdpi_cidr *out)
{
	return pdpi_parse_cidr(s, strlen(s), out);
}

START_TEST(test_number_accepts_decimal_forms)
{
	double d;

	ck_assert(num("10", &d));
	ck_assert(d == 10.0);
	ck_assert(num("-3.25", &d));
	ck_assert(d == -3.25);
	ck_assert(num("+7", &d));
	ck_assert(d == 7.0);
	ck_assert(num("10.0", &d));
	ck_assert(d == 10.0);
}
END_TEST

START_TEST(test_number_rejects_exponent_hex_spaces)
{
	double d;
	const char *bad[] = { "", "1e5", "0x10", " 1", "1 ", "1.", ".5", "-",
		"inf", "nan", "1,0", "${aws:x}" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!num(bad[i], &d), "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_number_uses_length_not_nul)
{
	double d;

	ck_assert(pdpi_parse_number("123abc", 3, &d));
	ck_assert(d == 123.0);
}
END_TEST

START_TEST(test_date_epoch_equals_iso)
{
	pdpi_date a, b;

	ck_assert(date("1577836800", &a));
	ck_assert(date("2020-01-01T00:00:00Z", &b));
	ck_assert_int_eq(a.sec, 1577836800);
	ck_assert_int_eq(pdpi_date_cmp(&a, &b), 0);
}
END_TEST

START_TEST(test_date_offsets_convert_to_utc)
{
	pdpi_date a, b, c;

	ck_assert(date("2019-07-01T13:20:15Z", &a));
	ck_assert(date("2019-07-01T15:20:15+02:00", &b));
	ck_assert(date("2019-07-01T12:50:15-00:30", &c));
	ck_assert_int_eq(pdpi_date_cmp(&a, &b), 0);
	ck_assert_int_eq(pdpi_date_cmp(&a, &c), 0);
	ck_assert_int_eq(a.sec, 1561987215);
}
END_TEST

START_TEST(test_date_fraction_kept_in_nsec)
{
	pdpi_date a, b;

	ck_assert(date("2016-12-13T21:20:37.593194+00:00", &a));
	ck_assert_int_eq(a.nsec, 593194000);
	ck_assert(date("2016-12-13T21:20:37Z", &b));
	ck_assert_int_gt(pdpi_date_cmp(&a, &b), 0);
	ck_assert_int_lt(pdpi_date_cmp(&b, &a), 0);
}
END_TEST

START_TEST(test_date_partial_forms_mean_midnight_utc)
{
	pdpi_date a, b;

	ck_assert(date("2020-01", &a));
	ck_assert(date("2020-01-01", &b));
	ck_assert_int_eq(a.sec, 1577836800);
	ck_assert_int_eq(pdpi_date_cmp(&a, &b), 0);
	ck_assert(date("2020-01-01T10", &a));
	ck_assert_int_eq(a.sec, 1577836800 + 36000);
	ck_assert(date("01T", &a)); // AWS's legacy parser accepts it
	ck_assert(date("-292275054", &a));
	ck_assert(date("1970-01-01t00:00:00z", &b));
	ck_assert_int_eq(b.sec, 0);
}
END_TEST

START_TEST(test_date_epoch_2020_is_seconds)
{
	pdpi_date a;

	// Without 'T' or '-' the text is an epoch, even if it looks like a
	// year.
	ck_assert(pdpi_parse_date(S("2020"), &a));
	ck_assert_int_eq(a.sec, 2020);
}
END_TEST

START_TEST(test_date_rejects_invalid)
{
	pdpi_date a;
	const char *bad[] = { "", "sdfdsf", "next tuesday",
		"2016-12-13t2:00:00.593194+1", "234-13", "9223372036854775808",
		"2020-00-01", "2020-01-32", "2020-01-01T24:00:00Z",
		"2020-01-01T10:60", "2020-01-01T10:00:61",
		"2020-01-01T10:00:00.1234567890Z", "1-", "--1",
		"292278994-01-01",
		"2020-01-01T10:00:00+1:00", "2020-01-01TZ", "2020-01-01T10Q" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!date(bad[i], &a), "accepted \"%s\"", bad[i]);
	ck_assert(date("9223372036854775807", &a));
	ck_assert_int_eq(a.sec, INT64_MAX);
}
END_TEST

START_TEST(test_date_before_epoch_is_negative)
{
	pdpi_date a;

	ck_assert(date("1969-12-31T23:59:59Z", &a));
	ck_assert_int_eq(a.sec, -1);
	ck_assert(date("1900-03-01", &a));
	ck_assert_int_eq(a.sec, -2203891200);
}
END_TEST

START_TEST(test_bool_ignores_case)
{
	bool b = false;

	ck_assert(pdpi_parse_bool(S("TRUE"), &b));
	ck_assert(b);
	ck_assert(pdpi_parse_bool(S("false"), &b));
	ck_assert(!b);
	ck_assert(pdpi_parse_bool(S("False"), &b));
	ck_assert(!pdpi_parse_bool(S("yes"), &b));
	ck_assert(!pdpi_parse_bool(S("true "), &b));
	ck_assert(!pdpi_parse_bool(S(""), &b));
}
END_TEST

START_TEST(test_cidr_v4_masks_host_bits)
{
	pdpi_cidr n, ip;

	ck_assert(cidr("10.1.2.3/8", &n));
	ck_assert_int_eq(n.family, 4);
	ck_assert_int_eq(n.bits, 8);
	ck_assert_int_eq(n.addr[0], 10);
	ck_assert_int_eq(n.addr[1], 0);
	ck_assert(cidr("10.200.0.1", &ip));
	ck_assert_int_eq(ip.bits, 32);
	ck_assert(pdpi_cidr_contains(&n, &ip));
	ck_assert(cidr("11.0.0.1", &ip));
	ck_assert(!pdpi_cidr_contains(&n, &ip));
}
END_TEST

START_TEST(test_cidr_v4_odd_prefix)
{
	pdpi_cidr n, ip;

	ck_assert(cidr("203.0.113.0/25", &n));
	ck_assert(cidr("203.0.113.127", &ip));
	ck_assert(pdpi_cidr_contains(&n, &ip));
	ck_assert(cidr("203.0.113.128", &ip));
	ck_assert(!pdpi_cidr_contains(&n, &ip));
	ck_assert(cidr("0.0.0.0/0", &n));
	ck_assert(pdpi_cidr_contains(&n, &ip));
}
END_TEST

START_TEST(test_cidr_v6_and_family_mismatch)
{
	pdpi_cidr n, ip, v4;

	ck_assert(cidr("2001:DB8:1234:5678::/64", &n));
	ck_assert_int_eq(n.family, 6);
	ck_assert_int_eq(n.bits, 64);
	ck_assert(cidr("2001:db8:1234:5678:abcd::1", &ip));
	ck_assert_int_eq(ip.bits, 128);
	ck_assert(pdpi_cidr_contains(&n, &ip));
	ck_assert(cidr("2001:db8:1234:5679::1", &ip));
	ck_assert(!pdpi_cidr_contains(&n, &ip));
	ck_assert(cidr("0.0.0.0/0", &v4));
	ck_assert(!pdpi_cidr_contains(&v4, &ip));
}
END_TEST

START_TEST(test_cidr_rejects_invalid)
{
	pdpi_cidr n;
	const char *bad[] = { "", "10.0.0.0/33", "::/129", "10.0.0/8",
		"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "abc", " 10.0.0.1",
		"10.0.0.01x", "2001:db8::/64 ", "1.2.3.4/0008" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cidr(bad[i], &n), "accepted \"%s\"", bad[i]);
}
END_TEST

static Suite *
value_suite(void)
{
	Suite *s = suite_create("value");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_number_accepts_decimal_forms);
	tcase_add_test(t, test_number_rejects_exponent_hex_spaces);
	tcase_add_test(t, test_number_uses_length_not_nul);
	tcase_add_test(t, test_date_epoch_equals_iso);
	tcase_add_test(t, test_date_offsets_convert_to_utc);
	tcase_add_test(t, test_date_fraction_kept_in_nsec);
	tcase_add_test(t, test_date_partial_forms_mean_midnight_utc);
	tcase_add_test(t, test_date_epoch_2020_is_seconds);
	tcase_add_test(t, test_date_rejects_invalid);
	tcase_add_test(t, test_date_before_epoch_is_negative);
	tcase_add_test(t, test_bool_ignores_case);
	tcase_add_test(t, test_cidr_v4_masks_host_bits);
	tcase_add_test(t, test_cidr_v4_odd_prefix);
	tcase_add_test(t, test_cidr_v6_and_family_mismatch);
	tcase_add_test(t, test_cidr_rejects_invalid);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return pdp_run_suite(value_suite());
}
