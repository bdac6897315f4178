// aws_managed_test.c - AWS managed policies in the IAM service: loaded
// once into the store from the repository's file, read-only, listed by
// Scope and OnlyAttached, attached to users, groups and roles (and used
// as boundaries) with their usage counted per account, exported so that
// `iamc compile` of the export makes the live bundle, and only the
// attached ones in the bundle.

#include <stddef.h>

#include "helpers.h"
#include "check_main.h"
#include "iamc_account.h"
#include "iamc_bundle.h"
#include "iamsi.h"
#include "pdpb.h"

#define CORPUS PDP_SOURCE_DIR "/tests/data/aws-managed-policies.json"
#define NCORPUS 1594
#define RO "arn:aws:iam::aws:policy/ReadOnlyAccess"
#define S3RO "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
#define LAMBDA \
	"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
#define ALICE "arn:aws:iam::111122223333:user/alice"
#define ACCT2 "444455556666"
#define ROOT2 "arn:aws:iam::444455556666:root"

static char path[64];
static iams_service *s;

static const iams_options aws_opt = {.store_key = test_key,
    .argon2_kib = 64, .aws_managed = CORPUS};

// open_at opens the store at `p` again.
static iams_service *
open_at(const char *p)
{
	iams_service *svc = NULL;
	char err[512];

	ck_assert_msg(iams_service_open(p, &aws_opt, &svc, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	return svc;
}

static void
setup(void)
{
	s = open_service_with(path, &aws_opt);
}

static void
teardown(void)
{
	close_service(s, path);
}

// get returns field `f` of the policy `arn` (GetPolicy as root).
static json_t *
get_policy(const char *arn)
{
	char code[48];
	json_t *r = call_j(s, ROOT, "GetPolicy", json_pack("{s:s}",
	    "PolicyArn", arn), code);

	ck_assert_msg(r != NULL, "GetPolicy %s: %s", arn, code);
	return r;
}

static json_int_t
attachments(const char *caller, const char *arn)
{
	json_t *r = call_j(s, caller, "GetPolicy", json_pack("{s:s}",
	    "PolicyArn", arn), NULL);
	ck_assert_ptr_nonnull(r);
	json_int_t n = json_integer_value(json_object_get(json_object_get(r,
	    "Policy"), "AttachmentCount"));
	json_decref(r);
	return n;
}

// count_listed pages through ListPolicies with `params` (an object
// without Marker; stolen) and returns how many policies it lists.
static size_t
count_listed(json_t *params, size_t page)
{
	size_t n = 0;
	json_t *marker = NULL;

	json_object_set_new(params, "MaxItems", json_integer((json_int_t)
	    page));
	for (int guard = 0; guard < 100; guard++) {
		json_t *q = json_deep_copy(params);
		if (marker != NULL)
			json_object_set(q, "Marker", marker);
		char code[48];
		json_t *r = call_j(s, ROOT, "ListPolicies", q, code);
		ck_assert_msg(r != NULL, "ListPolicies: %s", code);
		size_t got = json_array_size(json_object_get(r, "Policies"));
		ck_assert_uint_le(got, page);
		n += got;
		json_decref(marker);
		marker = NULL;
		if (json_is_true(json_object_get(r, "IsTruncated")))
			marker = json_incref(json_object_get(r, "Marker"));
		json_decref(r);
		if (marker == NULL)
			break;
	}
	json_decref(params);
	return n;
}

START_TEST(test_loaded_once_with_paths_and_versions)
{
	json_t *r = get_policy(LAMBDA);
	json_t *p = json_object_get(r, "Policy");
	ck_assert_str_eq(json_string_value(json_object_get(p, "Path")),
	    "/service-role/");
	ck_assert_str_eq(json_string_value(json_object_get(p, "PolicyName")),
	    "AWSLambdaBasicExecutionRole");
	ck_assert(strncmp(json_string_value(json_object_get(p, "PolicyId")),
	    "ANPA", 4) == 0);
	ck_assert(json_is_true(json_object_get(p, "IsAttachable")));
	json_decref(r);
	// The path is part of the ARN, as in AWS.
	FAILS(s, ROOT, "GetPolicy", "{\"PolicyArn\":\"arn:aws:iam::aws:policy/"
	    "AWSLambdaBasicExecutionRole\"}", "NoSuchEntity");
	// The default version holds the corpus's document.
	json_t *pv = get_policy(RO);
	const char *dv = json_string_value(json_object_get(json_object_get(pv,
	    "Policy"), "DefaultVersionId"));
	json_t *q = json_pack("{s:s, s:s}", "PolicyArn", RO, "VersionId", dv);
	r = call_j(s, ROOT, "GetPolicyVersion", q, NULL);
	ck_assert_ptr_nonnull(r);
	json_t *doc = json_object_get(json_object_get(r, "PolicyVersion"),
	    "Document");
	json_t *corpus = json_load_file(CORPUS, 0, NULL);
	ck_assert(json_equal(doc, json_object_get(corpus, "ReadOnlyAccess")));
	json_decref(corpus);
	json_decref(r);
	json_decref(pv);

	// Opened again, the store keeps them and the file is not loaded
	// twice (the revision stays where it was).
	iams_stats st;
	iams_service_stats(s, &st);
	uint64_t rev = st.revision;
	iams_service_close(s);
	s = open_at(path);
	iams_service_stats(s, &st);
	ck_assert_uint_eq(st.revision, rev);
	ck_assert_uint_eq(count_listed(json_pack("{s:s}", "Scope", "AWS"),
	    1000), NCORPUS);
}
END_TEST

START_TEST(test_read_only)
{
	static const char *const ops[] = {"DeletePolicy",
	    "CreatePolicyVersion", "SetDefaultPolicyVersion",
	    "DeletePolicyVersion", "TagPolicy", "UntagPolicy"};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		FAILSJ(s, ROOT, ops[i], json_pack("{s:s, s:s, s:s, s:[{s:s, "
		    "s:s}], s:[s]}", "PolicyArn", S3RO, "VersionId", "v1",
		    "PolicyDocument", S3_READ, "Tags", "Key", "k", "Value",
		    "v", "TagKeys", "k"), "AccessDenied");
	OKJ(s, ROOT, "ListPolicyTags", json_pack("{s:s}", "PolicyArn", S3RO));
	OKJ(s, ROOT, "ListPolicyVersions", json_pack("{s:s}", "PolicyArn",
	    S3RO));
	// Nothing changed: the policy still answers as it did.
	json_t *r = get_policy(S3RO);
	ck_assert_ptr_null(json_object_get(json_object_get(r, "Policy"),
	    "Tags"));
	json_decref(r);
}
END_TEST

START_TEST(test_list_scope_and_only_attached)
{
	OK(s, "CreatePolicy", "{\"PolicyName\":\"mine\",\"PolicyDocument\":"
	    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:*\\\","
	    "\\\"Resource\\\":\\\"*\\\"}]}\"}");
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	ck_assert_uint_eq(count_listed(json_pack("{s:s}", "Scope", "Local"),
	    100), 1);
	ck_assert_uint_eq(count_listed(json_pack("{s:s}", "Scope", "AWS"),
	    400), NCORPUS);
	ck_assert_uint_eq(count_listed(json_pack("{}"), 1000), NCORPUS + 1);
	ck_assert_uint_eq(count_listed(json_pack("{s:s}", "Scope", "All"),
	    17), NCORPUS + 1);
	ck_assert_uint_eq(count_listed(json_pack("{s:s, s:s}", "Scope", "AWS",
	    "PathPrefix", "/job-function/"), 100), 11);
	ck_assert_uint_eq(count_listed(json_pack("{s:b}", "OnlyAttached", 1),
	    100), 0);
	OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", RO));
	OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", "arn:aws:iam::111122223333:policy/mine"));
	ck_assert_uint_eq(count_listed(json_pack("{s:b}", "OnlyAttached", 1),
	    1), 2);
	ck_assert_uint_eq(count_listed(json_pack("{s:b, s:s}", "OnlyAttached",
	    1, "Scope", "AWS"), 100), 1);
	json_t *r = call_as(s, ROOT, "ListPolicies", "{\"Scope\":\"AWS\","
	    "\"OnlyAttached\":true}", NULL);
	json_t *p = json_array_get(json_object_get(r, "Policies"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "Arn")), RO);
	ck_assert_int_eq(json_integer_value(json_object_get(p,
	    "AttachmentCount")), 1);
	json_decref(r);
	FAILS(s, ROOT, "ListPolicies", "{\"Scope\":\"Mine\"}",
	    "ValidationError");
}
END_TEST

START_TEST(test_attach_decide_and_count_per_account)
{
	iams_error e;

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateGroup", "{\"GroupName\":\"ops\"}");
	OK(s, "CreateRole", "{\"RoleName\":\"fn\",\"AssumeRolePolicyDocument\":"
	    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	    "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
	    "\\\"lambda.amazonaws.com\\\"},\\\"Action\\\":"
	    "\\\"sts:AssumeRole\\\"}]}\"}");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_IMPLICIT_DENY);
	OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", S3RO));
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_ALLOW);
	ck_assert_int_eq(decide(s, ALICE, "s3:PutObject", "arn:aws:s3:::b/k"),
	    PDP_IMPLICIT_DENY);
	OKJ(s, ROOT, "AttachGroupPolicy", json_pack("{s:s, s:s}", "GroupName",
	    "ops", "PolicyArn", RO));
	OKJ(s, ROOT, "AddUserToGroup", json_pack("{s:s, s:s}", "GroupName",
	    "ops", "UserName", "alice"));
	ck_assert_int_eq(decide(s, ALICE, "ec2:DescribeInstances", "*"),
	    PDP_ALLOW);
	OKJ(s, ROOT, "AttachRolePolicy", json_pack("{s:s, s:s}", "RoleName",
	    "fn", "PolicyArn", LAMBDA));
	ck_assert_int_eq(decide(s, "arn:aws:sts::111122223333:assumed-role/fn/"
	    "x", "logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:"
	    "log-group:g:log-stream:s"), PDP_ALLOW);
	// An AWS managed boundary limits what the attachments allow.
	OKJ(s, ROOT, "PutUserPermissionsBoundary", json_pack("{s:s, s:s}",
	    "UserName", "alice", "PermissionsBoundary", S3RO));
	ck_assert_int_eq(decide(s, ALICE, "ec2:DescribeInstances", "*"),
	    PDP_IMPLICIT_DENY);
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_ALLOW);

	// Counted within the caller's account only.
	ck_assert_int_eq(iams_account_create(s, ACCT2, &e), PDP_OK);
	OKJ(s, ROOT2, "CreateUser", json_pack("{s:s}", "UserName", "bob"));
	OKJ(s, ROOT2, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "bob", "PolicyArn", S3RO));
	ck_assert_int_eq(attachments(ROOT, S3RO), 1);
	ck_assert_int_eq(attachments(ROOT2, S3RO), 1);
	json_t *r = call_j(s, ROOT, "GetPolicy", json_pack("{s:s}",
	    "PolicyArn", S3RO), NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r,
	    "Policy"), "PermissionsBoundaryUsageCount")), 1);
	json_decref(r);
	r = call_j(s, ROOT, "ListEntitiesForPolicy", json_pack("{s:s}",
	    "PolicyArn", S3RO), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r, "PolicyUsers")),
	    1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "PolicyUsers"), 0), "UserName")), "alice");
	json_decref(r);
	r = call_j(s, ROOT2, "ListEntitiesForPolicy", json_pack("{s:s}",
	    "PolicyArn", RO), NULL);
	ck_assert_int_eq(json_array_size(json_object_get(r, "PolicyGroups")),
	    0);
	json_decref(r);
	OKJ(s, ROOT, "DetachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", S3RO));
	ck_assert_int_eq(attachments(ROOT, S3RO), 0);
	ck_assert_int_eq(attachments(ROOT2, S3RO), 1);
}
END_TEST

// export_bundle compiles the service's export as `iamc compile` does.
static void
export_bundle(void **data, size_t *len)
{
	json_t *m = NULL;
	iamc_builder *b = NULL;
	iamc_diags d;
	iamc_account_stats st;

	ck_assert_int_eq(iams_export(s, false, &m), PDP_OK);
	char *text = json_dumps(m, 0);
	iamc_diags_init(&d);
	ck_assert_int_eq(iamc_builder_open(&b), PDP_OK);
	int rv = iamc_account_compile_text(text, strlen(text), "export.json",
	    NULL, b, &d, &st);
	ck_assert_msg(rv == PDP_OK, "%s: %s", d.n ? d.v[0].path : "",
	    d.n ? d.v[0].message : pdp_strerror(rv));
	ck_assert_int_eq(iamc_builder_write(b, st.revision, data, len),
	    PDP_OK);
	iamc_builder_close(b);
	iamc_diags_fini(&d);
	free(text);
	json_decref(m);
}

START_TEST(test_export_compiles_to_the_live_bundle)
{
	void *ex = NULL, *live = NULL;
	size_t nx = 0, nl = 0;
	uint64_t rev;
	bool full, empty;
	char err[512];

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateRole", "{\"RoleName\":\"r\",\"Path\":\"/svc/\","
	    "\"AssumeRolePolicyDocument\":\"" "{\\\"Version\\\":\\\"2012-10-17"
	    "\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
	    "\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::111122223333:"
	    "root\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}");
	OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", RO));
	OKJ(s, ROOT, "AttachRolePolicy", json_pack("{s:s, s:s}", "RoleName",
	    "r", "PolicyArn", LAMBDA));
	OKJ(s, ROOT, "PutRolePermissionsBoundary", json_pack("{s:s, s:s}",
	    "RoleName", "r", "PermissionsBoundary", S3RO));
	json_t *m = NULL;
	ck_assert_int_eq(iams_export(s, false, &m), PDP_OK);
	ck_assert_int_eq(json_object_size(json_object_get(m,
	    "awsManagedPolicies")), 3);
	json_decref(m);

	export_bundle(&ex, &nx);
	ck_assert_msg(iamsi_live_build(s->live, s->st, &live, &nl, &rev,
	    &full, &empty, err, sizeof(err)) == PDP_OK, "%s", err);
	ck_assert_uint_eq(nx, nl);
	memset((char *) ex + offsetof(pdpb_header, created), 0, 8);
	memset((char *) ex + offsetof(pdpb_header, checksum), 0, 8);
	memset((char *) live + offsetof(pdpb_header, created), 0, 8);
	memset((char *) live + offsetof(pdpb_header, checksum), 0, 8);
	ck_assert(memcmp(ex, live, nx) == 0);
	free(ex);
	free(live);

	// Three AWS managed policies, not 1,594 (whose documents alone
	// weigh 3.2 MB): an unattached one cannot even be named as a
	// session policy.
	iams_stats st;
	iams_service_stats(s, &st);
	ck_assert_uint_lt(st.bundle_bytes, 1024 * 1024);
	pdp_request req;
	pdp_decision d;
	memset(&req, 0, sizeof(req));
	req.principal = "arn:aws:sts::111122223333:assumed-role/r/s";
	req.action = "s3:GetObject";
	req.resource = "arn:aws:s3:::b/k";
	req.session_policy = RO;
	pdp_authorize(iams_service_engine(s), &req, &d, NULL);
	ck_assert_int_eq(d.err, PDP_OK);
	req.session_policy = "arn:aws:iam::aws:policy/AdministratorAccess";
	pdp_authorize(iams_service_engine(s), &req, &d, NULL);
	ck_assert_int_ne(d.err, PDP_OK);
	ck_assert_int_ne(d.effect, PDP_ALLOW);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_aws_managed");
	TCase *tc = tcase_create("aws");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_loaded_once_with_paths_and_versions);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_list_scope_and_only_attached);
	tcase_add_test(tc, test_attach_decide_and_count_per_account);
	tcase_add_test(tc, test_export_compiles_to_the_live_bundle);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
