// live_test.c - the incremental rebuild: after every few calls of a long
// random sequence (with and without AWS managed policies in the store), the bundle the service builds from its compiled
// store is the bundle `iamc compile` makes of the store's account model
// (byte for byte but for its creation time), and the live engine decides
// every request of a grid as that bundle does. A failing incremental
// rebuild falls back to the full one; a failing full one leaves no
// bundle live until the store is right again.

#include <stddef.h>

#include "helpers.h"
#include "check_main.h"
#include "iamsi.h"
#include "pdpb.h"

#define ACCT2 "444455556666"
#define ROOT2 "arn:aws:iam::444455556666:root"

static char path[64];
static iams_service *s;
static uint64_t rng = 0x9E3779B97F4A7C15u;

static bool aws; // the store holds the AWS managed policies

static void
setup(void)
{
	s = open_service(path, 0);
	aws = false;
}

// setup_aws opens a store with the AWS managed policies, which the
// random calls then attach too.
static void
setup_aws(void)
{
	iams_options opt = {.store_key = test_key, .argon2_kib = 64,
	    .aws_managed = PDP_SOURCE_DIR "/tests/data/aws-managed-policies.json"};

	s = open_service_with(path, &opt);
	aws = true;
}

static void
teardown(void)
{
	close_service(s, path);
}

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng % n);
}

static const char *const docs[] = {
	S3_READ,
	ALLOW_ALL,
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
	"\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	"\"Action\":[\"s3:*\",\"iam:Get*\"],\"Resource\":\"*\",\"Condition\":"
	"{\"StringEquals\":{\"aws:PrincipalTag/team\":\"red\"}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	"\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}",
};
#define NDOCS (sizeof(docs) / sizeof(docs[0]))

static const char *const trusts[] = {
	TRUST,
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	"\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},"
	"\"Action\":\"sts:AssumeRole\"}]}",
};

// One random call as the root of one of the two accounts; many fail
// (names taken, conflicts), which changes nothing and must rebuild
// nothing wrong either.
static void
random_call(void)
{
	bool second = rnd(4) == 0;
	const char *who = second ? ROOT2 : ROOT;
	const char *acct = second ? ACCT2 : ACCT;
	char u[8], g[8], r[8], p[8], parn[96], ip[8];
	json_t *q = NULL;
	const char *op = NULL;

	snprintf(u, sizeof(u), "u%u", rnd(6));
	snprintf(g, sizeof(g), "G%u", rnd(3));
	snprintf(r, sizeof(r), "r%u", rnd(3));
	snprintf(p, sizeof(p), "p%u", rnd(4));
	snprintf(ip, sizeof(ip), "ip%u", rnd(2));
	static const char *const aws_arns[] = {
	    "arn:aws:iam::aws:policy/ReadOnlyAccess",
	    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
	    "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
	};
	snprintf(parn, sizeof(parn), "arn:aws:iam::%s:policy/%s%s", acct,
	    p[1] == '3' ? "team/" : "", p);
	if (aws && rnd(3) == 0)
		snprintf(parn, sizeof(parn), "%s", aws_arns[rnd(3)]);
	const char *doc = docs[rnd(NDOCS)];
	switch (rnd(24)) {
	case 0: case 1:
		op = "CreateUser";
		q = json_pack("{s:s, s:s}", "UserName", u, "Path",
		    rnd(2) ? "/" : "/eng/");
		break;
	case 2:
		op = "DeleteUser";
		q = json_pack("{s:s}", "UserName", u);
		break;
	case 3:
		op = "UpdateUser";
		q = json_pack("{s:s, s:s}", "UserName", u, "NewUserName",
		    rnd(2) ? "U9" : "u5");
		break;
	case 4:
		op = rnd(3) ? "CreateGroup" : "DeleteGroup";
		q = json_pack("{s:s}", "GroupName", g);
		break;
	case 5:
		op = rnd(3) ? "AddUserToGroup" : "RemoveUserFromGroup";
		q = json_pack("{s:s, s:s}", "GroupName", g, "UserName", u);
		break;
	case 6:
		op = "CreateRole";
		q = json_pack("{s:s, s:s, s:s}", "RoleName", r, "Path",
		    rnd(2) ? "/" : "/svc/", "AssumeRolePolicyDocument",
		    trusts[rnd(2)]);
		break;
	case 7:
		op = rnd(2) ? "DeleteRole" : "UpdateAssumeRolePolicy";
		q = json_pack("{s:s, s:s}", "RoleName", r, "PolicyDocument",
		    trusts[rnd(2)]);
		break;
	case 8:
		op = "CreatePolicy";
		q = json_pack("{s:s, s:s, s:s}", "PolicyName", p, "Path",
		    p[1] == '3' ? "/team/" : "/", "PolicyDocument", doc);
		break;
	case 9:
		op = rnd(2) ? "DeletePolicy" : "CreatePolicyVersion";
		q = json_pack("{s:s, s:s, s:b}", "PolicyArn", parn,
		    "PolicyDocument", doc, "SetAsDefault", rnd(2));
		break;
	case 10:
		op = rnd(2) ? "SetDefaultPolicyVersion" : "DeletePolicyVersion";
		q = json_pack("{s:s, s:s}", "PolicyArn", parn, "VersionId",
		    rnd(2) ? "v1" : "v2");
		break;
	case 11: case 12:
		op = rnd(3) ? "AttachUserPolicy" : "DetachUserPolicy";
		q = json_pack("{s:s, s:s}", "UserName", u, "PolicyArn", parn);
		break;
	case 13:
		op = rnd(3) ? "AttachGroupPolicy" : "DetachGroupPolicy";
		q = json_pack("{s:s, s:s}", "GroupName", g, "PolicyArn", parn);
		break;
	case 14:
		op = rnd(3) ? "AttachRolePolicy" : "DetachRolePolicy";
		q = json_pack("{s:s, s:s}", "RoleName", r, "PolicyArn", parn);
		break;
	case 15:
		op = rnd(3) ? "PutUserPolicy" : "DeleteUserPolicy";
		q = json_pack("{s:s, s:s, s:s}", "UserName", u, "PolicyName",
		    ip, "PolicyDocument", doc);
		break;
	case 16:
		op = rnd(3) ? "PutGroupPolicy" : "DeleteGroupPolicy";
		q = json_pack("{s:s, s:s, s:s}", "GroupName", g, "PolicyName",
		    ip, "PolicyDocument", doc);
		break;
	case 17:
		op = rnd(3) ? "PutRolePolicy" : "DeleteRolePolicy";
		q = json_pack("{s:s, s:s, s:s}", "RoleName", r, "PolicyName",
		    ip, "PolicyDocument", doc);
		break;
	case 18:
		op = rnd(3) ? "TagUser" : "UntagUser";
		q = json_pack("{s:s, s:[{s:s, s:s}], s:[s]}", "UserName", u,
		    "Tags", "Key", rnd(2) ? "team" : "Cost", "Value",
		    rnd(2) ? "red" : "blue", "TagKeys", "team");
		break;
	case 19:
		op = rnd(3) ? "TagRole" : "UntagRole";
		q = json_pack("{s:s, s:[{s:s, s:s}], s:[s]}", "RoleName", r,
		    "Tags", "Key", "team", "Value", rnd(2) ? "red" : "blue",
		    "TagKeys", "team");
		break;
	case 20:
		op = rnd(2) ? "PutUserPermissionsBoundary" :
		    "DeleteUserPermissionsBoundary";
		q = json_pack("{s:s, s:s}", "UserName", u,
		    "PermissionsBoundary", parn);
		break;
	case 22:
		op = "CreateAccessKey";
		q = json_pack("{s:s}", "UserName", u);
		break;
	case 23: {
		// A key of u's, made inactive, active again, or deleted.
		json_t *l = call_j(s, who, "ListAccessKeys", json_pack("{s:s}",
		    "UserName", u), NULL);
		const char *id = json_string_value(json_object_get(
		    json_array_get(json_object_get(l, "AccessKeyMetadata"), 0),
		    "AccessKeyId"));
		if (id != NULL) {
			op = rnd(3) ? "UpdateAccessKey" : "DeleteAccessKey";
			q = json_pack("{s:s, s:s, s:s}", "UserName", u,
			    "AccessKeyId", id, "Status", rnd(2) ? "Active" :
			    "Inactive");
		}
		json_decref(l);
		if (id == NULL)
			return;
		break;
	}
	default:
		op = rnd(2) ? "PutRolePermissionsBoundary" :
		    "DeleteRolePermissionsBoundary";
		q = json_pack("{s:s, s:s}", "RoleName", r,
		    "PermissionsBoundary", parn);
		break;
	}
	json_decref(call_j(s, who, op, q, NULL));
}

// normalized zeroes what two writes of the same bundle may differ in:
// the creation time and the checksum over it.
static void
normalize(void *data, size_t len)
{
	ck_assert_uint_ge(len, sizeof(pdpb_header));
	memset((char *) data + offsetof(pdpb_header, created), 0, 8);
	memset((char *) data + offsetof(pdpb_header, checksum), 0, 8);
}

static void
add_principals(json_t *out, const char *acct, json_t *a)
{
	size_t i;
	json_t *e;

	json_array_append_new(out, json_sprintf("arn:aws:iam::%s:root",
	    acct));
	json_array_foreach(json_object_get(a, "users"), i, e)
		json_array_append_new(out, json_sprintf("arn:aws:iam::%s:user"
		    "%s%s", acct, json_string_value(json_object_get(e,
		    "path")), json_string_value(json_object_get(e, "name"))));
	json_array_foreach(json_object_get(a, "roles"), i, e)
		json_array_append_new(out, json_sprintf("arn:aws:sts::%s:"
		    "assumed-role/%s/s", acct, json_string_value(
		    json_object_get(e, "name"))));
}

// same_decisions decides a grid of requests with the live engine and
// with bundle `b`.
static void
same_decisions(pdp_bundle *b)
{
	static const char *const actions[] = {"s3:GetObject", "s3:PutObject",
	    "iam:GetUser", "ec2:RunInstances", "sts:AssumeRole"};
	static const char *const resources[] = {"arn:aws:s3:::b/k", "*",
	    "arn:aws:iam::111122223333:role/r0",
	    "arn:aws:iam::444455556666:role/svc/r1"};
	json_t *m = NULL, *who = json_array();
	size_t i;
	json_t *a, *p;

	ck_assert_int_eq(iams_export(s, false, &m), PDP_OK);
	json_array_foreach(json_object_get(m, "accounts"), i, a)
		add_principals(who, json_string_value(json_object_get(a,
		    "id")), a);
	json_array_foreach(who, i, p) {
		for (size_t x = 0; x < 5; x++) {
			for (size_t y = 0; y < 4; y++) {
				pdp_request req;
				pdp_decision d1, d2;
				memset(&req, 0, sizeof(req));
				req.principal = json_string_value(p);
				req.action = actions[x];
				req.resource = resources[y];
				pdp_authorize(iams_service_engine(s), &req,
				    &d1, NULL);
				pdp_bundle_authorize(b, &req, &d2, NULL);
				ck_assert_msg(d1.effect == d2.effect &&
				    d1.err == d2.err, "%s %s %s: live %d, "
				    "full %d", req.principal, req.action,
				    req.resource, d1.effect, d2.effect);
			}
		}
	}
	json_decref(who);
	json_decref(m);
}

// check_equal compares the live path with the full one, right now.
static void
check_equal(void)
{
	void *full = NULL, *live = NULL;
	size_t nf = 0, nl = 0;
	uint64_t rf = 0, rl = 0;
	bool ef, el, whole;
	char err[512];
	pdp_bundle *b = NULL;

	ck_assert_msg(iamsi_rebuild_full(s, &full, &nf, &rf, &ef, err,
	    sizeof(err)) == PDP_OK, "%s", err);
	// Nothing changed since the last call's rebuild: the compiled
	// store writes what is live.
	ck_assert_msg(iamsi_live_build(s->live, s->st, &live, &nl, &rl,
	    &whole, &el, err, sizeof(err)) == PDP_OK, "%s", err);
	ck_assert(!whole);
	ck_assert_int_eq(ef, el);
	ck_assert_uint_eq(rf, rl);
	if (!ef) {
		ck_assert_int_eq(pdp_bundle_open_mem(full, nf, &b, err,
		    sizeof(err)), PDP_OK);
		same_decisions(b);
		pdp_bundle_close(b);
		normalize(full, nf);
		normalize(live, nl);
		ck_assert_uint_eq(nf, nl);
		ck_assert_msg(memcmp(full, live, nf) == 0, "the incremental "
		    "bundle differs from the full one (%zu bytes)", nf);
	}
	free(full);
	free(live);
}

START_TEST(test_incremental_equals_full)
{
	iams_error e;
	iams_stats st;
	uint64_t full_before;

	ck_assert_int_eq(iams_account_create(s, ACCT2, &e), PDP_OK);
	iams_service_stats(s, &st);
	full_before = st.rebuilds;
	for (int i = 0; i < 600; i++) {
		random_call();
		if (i % 3 == 2)
			check_equal();
	}
	check_equal();
	iams_service_stats(s, &st);
	ck_assert_uint_eq(st.fallbacks, 0);
	ck_assert_uint_eq(st.rebuild_failures, 0);
	ck_assert_uint_gt(st.rebuilds, full_before + 100);
	ck_assert(!st.last_full);
}
END_TEST

// Batched calls reach the rebuild together: one entity touched many
// times, names swapped, keys used again.
START_TEST(test_batched_changes)
{
	iams_error e;
	iams_stats st;

	ck_assert_int_eq(iams_account_create(s, ACCT2, &e), PDP_OK);
	for (int round = 0; round < 6; round++) {
		ck_assert_int_eq(iams_service_batch(s, true), PDP_OK);
		for (int i = 0; i < 120; i++)
			random_call();
		ck_assert_int_eq(iams_service_batch(s, false), PDP_OK);
		iams_service_stats(s, &st);
		ck_assert(!st.last_full);
		check_equal();
	}
	iams_service_stats(s, &st);
	ck_assert_uint_eq(st.fallbacks, 0);
}
END_TEST

// Another handle on the same store commits what this one's change
// tracking never saw: the revisions tell, and the store is read whole.
START_TEST(test_other_writer)
{
	iams_options opt = {.store_key = test_key, .argon2_kib = 64};
	iams_service *b = NULL;
	iams_stats st;
	char err[512];

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	ck_assert_msg(iams_service_open(path, &opt, &b, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	OKJ(b, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "read", "PolicyDocument", S3_READ));
	OKJ(b, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", "arn:aws:iam::111122223333:policy/read"));
	iams_service_close(b);
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	iams_service_stats(s, &st);
	ck_assert(st.last_full);
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_ALLOW);
	check_equal();
}
END_TEST

START_TEST(test_incremental_failure_falls_back)
{
	iams_stats st;

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreatePolicy", "{\"PolicyName\":\"read\",\"PolicyDocument\":"
	    "\"" "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":"
	    "[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject"
	    "\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}");
	iamsi_live_fail_next(s->live);
	OK(s, "AttachUserPolicy", "{\"UserName\":\"alice\",\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/read\"}");
	iams_service_stats(s, &st);
	ck_assert_uint_eq(st.fallbacks, 1);
	ck_assert(st.last_full);
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_ALLOW);
	// The next change is incremental again, from a store read whole.
	OK(s, "DetachUserPolicy", "{\"UserName\":\"alice\",\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/read\"}");
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	OK(s, "AttachUserPolicy", "{\"UserName\":\"alice\",\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/read\"}");
	iams_service_stats(s, &st);
	ck_assert(!st.last_full);
	ck_assert_uint_eq(st.fallbacks, 1);
	check_equal();
}
END_TEST

START_TEST(test_failing_rebuild_fails_closed)
{
	iams_entity u;

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "PutUserPolicy", "{\"UserName\":\"alice\",\"PolicyName\":\"p\","
	    "\"PolicyDocument\":\"" "{\\\"Version\\\":\\\"2012-10-17\\\","
	    "\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":"
	    "\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}");
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_ALLOW);
	// Corrupt the store behind the service's back: neither rebuild can
	// compile it, and no stale bundle may go on allowing.
	ck_assert_int_eq(iams_store_begin(s->st, true), PDP_OK);
	ck_assert_int_eq(iams_store_entity_get(s->st, ACCT, IAMS_USER,
	    "alice", &u), PDP_OK);
	ck_assert_int_eq(iams_store_inline_put(s->st, u.eid, "p",
	    "{not json"), PDP_OK);
	ck_assert_int_eq(iams_store_commit(s->st), PDP_OK);
	char err[512];
	ck_assert_int_ne(iamsi_rebuild(s, err, sizeof(err)), PDP_OK);
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:user/alice",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	ck_assert(s->stale);
	// Repaired, the next call rebuilds before it is authorized.
	ck_assert_int_eq(iams_store_begin(s->st, true), PDP_OK);
	ck_assert_int_eq(iams_store_inline_delete(s->st, u.eid, "p"),
	    PDP_OK);
	ck_assert_int_eq(iams_store_commit(s->st), PDP_OK);
	iams_entity_fini(&u);
	OK(s, "GetUser", "{\"UserName\":\"alice\"}");
	ck_assert(!s->stale);
	ck_assert_int_eq(decide(s, "arn:aws:iam::111122223333:root",
	    "s3:GetObject", "arn:aws:s3:::b/k"), PDP_ALLOW);
	check_equal();
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_live");
	TCase *tc = tcase_create("rebuild");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_incremental_equals_full);
	tcase_add_test(tc, test_batched_changes);
	tcase_add_test(tc, test_other_writer);
	tcase_add_test(tc, test_incremental_failure_falls_back);
	tcase_add_test(tc, test_failing_rebuild_fails_closed);
	suite_add_tcase(su, tc);
	TCase *ta = tcase_create("aws");
	tcase_add_checked_fixture(ta, setup_aws, teardown);
	tcase_set_timeout(ta, 120);
	tcase_add_test(ta, test_incremental_equals_full);
	tcase_add_test(ta, test_batched_changes);
	suite_add_tcase(su, ta);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
