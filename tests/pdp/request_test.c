// request_test.c - principals, ARNs, actions and derived context keys.

#include <check.h>
#include <string.h>

#include "check_main.h"
#include "request.h"

static bool
is(pdpi_str s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool
who(pdpi_who *w, const char *p, char *buf)
{
	return pdpi_who_parse(w, p, strlen(p), buf, 256);
}

START_TEST(test_who_parses_user_with_path)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:iam::111122223333:user/dev/alice", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_USER);
	ck_assert(is(w.name, "alice"));
	ck_assert(is(w.path, "/dev/"));
	ck_assert(is(w.account, "111122223333"));
}
END_TEST

START_TEST(test_who_parses_role_session_and_builds_role_arn)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:sts::111122223333:assumed-role/R/s1", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ROLE_SESSION);
	ck_assert(is(w.name, "R"));
	ck_assert(is(w.session, "s1"));
	ck_assert(is(w.role_arn, "arn:aws:iam::111122223333:role/R"));
	ck_assert(!w.service_linked);
	ck_assert(who(&w, "arn:aws:sts::111122223333:assumed-role/"
	    "AWSServiceRoleForECS/x", buf));
	ck_assert(w.service_linked);
}
END_TEST

START_TEST(test_who_parses_root_feduser_service_anonymous)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:iam::111122223333:root", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ROOT);
	ck_assert(who(&w, "arn:aws:sts::111122223333:federated-user/Jane",
	    buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_FEDUSER);
	ck_assert(is(w.name, "Jane"));
	ck_assert(who(&w, "lambda.amazonaws.com", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_SERVICE);
	ck_assert(who(&w, "anonymous", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ANONYMOUS);
}
END_TEST

START_TEST(test_who_rejects_garbage)
{
	char buf[256];
	pdpi_who w;
	ck_assert(!who(&w, "", buf));
	ck_assert(!who(&w, "alice", buf));
	ck_assert(!who(&w, "arn:aws:iam", buf));
	ck_assert(!who(&w, "arn:aws:sts::111122223333:assumed-role/R", buf));
	ck_assert(!who(&w, "arn:aws:iam::111122223333:user/", buf));
}
END_TEST

START_TEST(test_arn_split_keeps_colons_in_resource_part)
{
	pdpi_str seg[5], rest;
	const char *a = "arn:aws:logs:us-east-1:111122223333:log-group:g:"
	    "log-stream:s";
	ck_assert(pdpi_arn_split(a, strlen(a), seg, &rest));
	ck_assert(is(seg[2], "logs"));
	ck_assert(is(seg[3], "us-east-1"));
	ck_assert(is(rest, "log-group:g:log-stream:s"));
	ck_assert(!pdpi_arn_split("arn:aws:s3", 10, seg, &rest));
	ck_assert(!pdpi_arn_split("urn:a:b:c:d:e", 13, seg, &rest));
}
END_TEST

START_TEST(test_action_is_folded_and_split)
{
	pdpi_req r;
	char buf[64];
	memset(&r, 0, sizeof(r));
	ck_assert(pdpi_req_set_action(&r, "S3:GetObject", 12, buf, 64));
	ck_assert(is(r.svc, "s3"));
	ck_assert(is(r.aname, "getobject"));
	ck_assert(!pdpi_req_set_action(&r, "S3:GetObject", 12, buf, 4));
}
END_TEST

START_TEST(test_resource_account_defaults)
{
	char buf[256];
	pdpi_req r;
	memset(&r, 0, sizeof(r));
	ck_assert(who(&r.who, "arn:aws:iam::111122223333:user/a", buf));
	pdpi_req_set_resource(&r, "arn:aws:s3:::b/k", 16, NULL);
	ck_assert(is(r.resource_account, "111122223333"));
	const char *q = "arn:aws:sqs:us-east-1:444455556666:q";
	pdpi_req_set_resource(&r, q, strlen(q), "");
	ck_assert(is(r.resource_account, "444455556666"));
	pdpi_req_set_resource(&r, "arn:aws:s3:::b/k", 16, "444455556666");
	ck_assert(is(r.resource_account, "444455556666"));
}
END_TEST

START_TEST(test_derive_adds_principal_keys_unless_given)
{
	char buf[256], vbuf[256];
	pdpi_who w;
	pdpi_ckey given[1], out[PDPI_DERIVED_MAX];
	pdpi_str gv = {"bob", 3}, vals[PDPI_DERIVED_MAX];
	pdpi_req r;

	ck_assert(who(&w, "arn:aws:iam::111122223333:user/alice", buf));
	given[0].key.p = "AWS:USERNAME";
	given[0].key.n = 12;
	given[0].multi = false;
	given[0].nvals = 1;
	given[0].vals = &gv;
	uint32_t n = pdpi_req_derive(&w, out, vals, vbuf, 256);
	memset(&r, 0, sizeof(r));
	r.implied = out;
	r.nimplied = n;
	const pdpi_ckey *k = pdpi_ctx_find(&r, (pdpi_str){"aws:principaltype",
	    17});
	ck_assert_ptr_nonnull(k);
	ck_assert(is(k->vals[0], "User"));
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:username", 12});
	ck_assert(is(k->vals[0], "alice"));
	// A key the request gives wins over the derived one.
	r.ctx = given;
	r.nctx = 1;
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:username", 12});
	ck_assert(is(k->vals[0], "bob"));
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:principalarn", 16});
	ck_assert(is(k->vals[0], "arn:aws:iam::111122223333:user/alice"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");
	tcase_add_test(tc, test_who_parses_user_with_path);
	tcase_add_test(tc, test_who_parses_role_session_and_builds_role_arn);
	tcase_add_test(tc, test_who_parses_root_feduser_service_anonymous);
	tcase_add_test(tc, test_who_rejects_garbage);
	tcase_add_test(tc, test_arn_split_keeps_colons_in_resource_part);
	tcase_add_test(tc, test_action_is_folded_and_split);
	tcase_add_test(tc, test_resource_account_defaults);
	tcase_add_test(tc, test_derive_adds_principal_keys_unless_given);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
