// alloc_test.c - a cache hit allocates nothing: requests by session
// credentials (with a compiled session policy, session tags and MFA age)
// and by long-term keys, with and without explanations, under the
// counting allocator of tests/alloc_count.h.

#define _GNU_SOURCE

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "check_main.h"
#include "creds_helpers.h"

static int64_t
clock_1100(void *arg)
{
	(void) arg;
	return 1100;
}

START_TEST(test_creds_cache_hit_allocates_nothing)
{
	pdp_bundle *b = th_bundle();
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_cache *c = NULL;
	static char role[PDP_CREDS_TOKEN_MAX + 1], mfa[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_tag tags[] = {{"team", "red"}, {"project", "p1"}};
	const char *arns[] = {"arn:aws:iam::111111111111:policy/SessReadOnly"};

	pdp_creds_claims rc = th_role_claims();
	rc.tags = tags;
	rc.ntags = 2;
	rc.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
	rc.policy_arns = arns;
	rc.npolicy_arns = 1;
	ck_assert_int_eq(pdp_creds_seal(kr, &rc, role, sizeof(role), NULL,
	    NULL, 0), PDP_OK);
	pdp_creds_claims mc = th_user_session_claims(true);
	ck_assert_int_eq(pdp_creds_seal(kr, &mc, mfa, sizeof(mfa), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_cache_alloc(kr, 0, &c), PDP_OK);
	pdp_creds_cache_set_clock(c, clock_1100, NULL);

	const char *yes[] = {"true"}, *ip[] = {"10.0.0.1"};
	pdp_context_entry ctx[] = {{"aws:SourceIp", ip, 1, false},
	    {"aws:MultiFactorAuthPresent", yes, 1, false}};
	struct {
		pdp_creds_caller who;
		const char *action, *resource;
		pdp_effect want;
	} reqs[] = {
		{{.access_key_id = rc.access_key_id, .session_token = role},
		    "s3:GetObject", "arn:aws:s3:::data/x", PDP_ALLOW},
		{{.access_key_id = rc.access_key_id, .session_token = role},
		    "s3:PutObject", "arn:aws:s3:::teams/blue/x",
		    PDP_IMPLICIT_DENY},
		{{.access_key_id = mc.access_key_id, .session_token = mfa},
		    "probe:AgeUnder300", NULL, PDP_ALLOW},
		{{.access_key_id = "AKIAALICE00000000001"}, "s3:GetObject",
		    "arn:aws:s3:::data/x", PDP_ALLOW},
		{{.access_key_id = "AKIAALICE00000000002"}, "s3:GetObject",
		    "arn:aws:s3:::data/x", PDP_IMPLICIT_DENY},
	};
	size_t nreq = sizeof(reqs) / sizeof(reqs[0]);
	pdp_decision d;
	pdp_explanation ex;

	// Warm: the first request of each session opens its token.
	for (size_t i = 0; i < nreq; i++) {
		pdp_request q = {.action = reqs[i].action,
		    .resource = reqs[i].resource, .context = ctx,
		    .ncontext = 2};
		pdp_creds_authorize(c, b, &reqs[i].who, &q, &d, &ex);
		ck_assert_msg(d.effect == reqs[i].want, "request %zu: %s (%s)",
		    i, pdp_effect_name(d.effect), d.reason ? d.reason : "");
	}
	counter_install();
	count_begin();
	for (int k = 0; k < 2000; k++) {
		size_t i = (size_t) k % nreq;
		pdp_request q = {.action = reqs[i].action,
		    .resource = reqs[i].resource, .context = ctx,
		    .ncontext = 2};
		pdp_creds_authorize(c, b, &reqs[i].who, &q, &d,
		    k % 3 == 0 ? &ex : NULL);
		if (d.effect != reqs[i].want)
			break;
	}
	long n = count_end();
	ck_assert_int_eq(d.effect, reqs[1999 % nreq].want);
	ck_assert_msg(n == 0, "2000 cached decisions made %ld allocations",
	    n);
	pdp_creds_cache_stats st;
	pdp_creds_cache_stats_get(c, &st);
	ck_assert_uint_eq(st.misses, 2);
	ck_assert_uint_eq(st.hits, 2000 / nreq * 3 + 1);

	// The counter is live: a miss does allocate.
	static char fresh[PDP_CREDS_TOKEN_MAX + 1];
	ck_assert_int_eq(pdp_creds_seal(kr, &rc, fresh, sizeof(fresh), NULL,
	    NULL, 0), PDP_OK);
	pdp_creds_caller who = {.access_key_id = rc.access_key_id,
	    .session_token = fresh};
	pdp_request q = {.action = "s3:GetObject"};
	count_begin();
	pdp_creds_authorize(c, b, &who, &q, &d, NULL);
	ck_assert_int_gt(count_end(), 0);

	pdp_creds_cache_free(c);
	pdp_creds_keyring_free(kr);
	pdp_bundle_close(b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("creds_alloc");
	TCase *tc = tcase_create("alloc");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_creds_cache_hit_allocates_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
