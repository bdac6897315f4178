// sts_test.c - STS in the IAM service: AssumeRole (trust policies with
// ExternalId, other accounts, TagSession and SetSourceIdentity, session
// policies, session tags, transitive tags and source identity through
// role chaining, durations), GetSessionToken (with MFA),
// GetFederationToken, GetCallerIdentity, the keyring and its rotation,
// every error code. Every session decision goes through the credentials
// API (pdp_creds_authorize) with the keyring the service exports: the
// tokens the service issues, opened by a PDP.

#include "helpers.h"
#include "check_main.h"

#include <sys/stat.h>
#include <time.h>

#include "pdp_creds.h"
#include "totp.h"

#define OTHER "444455556666"
#define OTHER_ROOT "arn:aws:iam::444455556666:root"
#define ALICE "arn:aws:iam::111122223333:user/alice"
#define BOB "arn:aws:iam::111122223333:user/bob"
#define ROLE "arn:aws:iam::111122223333:role/app"
#define ROLE2 "arn:aws:iam::111122223333:role/next"
#define XROLE "arn:aws:iam::444455556666:role/shared"
#define BUCKET "arn:aws:s3:::data/x"

#define T0 1750000000 // the test clock's start (2025-06-15)

static char path[64];
static iams_service *s;
static int64_t now;

static int64_t
clock_now(void *arg)
{
	(void) arg;
	return now;
}

static void
setup(void)
{
	iams_options opt = {.store_key = test_key, .argon2_kib = 64,
	    .clock = clock_now};
	iams_error e;
	char err[512];
	int fd;

	now = T0;
	snprintf(path, sizeof(path), "/tmp/sts_test_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	ck_assert_msg(iams_service_open(path, &opt, &s, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	ck_assert_int_eq(iams_account_create(s, ACCT, &e), PDP_OK);
	ck_assert_int_eq(iams_account_create(s, OTHER, &e), PDP_OK);
}

static void
teardown(void)
{
	char p[80];

	close_service(s, path);
	snprintf(p, sizeof(p), "%s.ring", path);
	unlink(p);
}

// nm returns PREFIX followed by i, in one of a few rotating buffers.
static const char *
nm(const char *prefix, int i)
{
	static char buf[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s%d", prefix, i);
	return buf[k];
}

// --- fixtures ---------------------------------------------------------------

// doc makes a one-statement identity policy.
static const char *
doc(const char *effect, const char *action, const char *resource,
    const char *condition)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"%s\",\"Action\":\"%s\","
	    "\"Resource\":\"%s\"%s%s}]}", effect, action, resource,
	    condition ? ",\"Condition\":" : "", condition ? condition : "");
	return buf[k];
}

// trust_doc makes a trust policy for `principal` (an AWS principal) and
// `actions` (a JSON list or string), with an optional condition.
static const char *
trust_doc(const char *principal, const char *actions, const char *cond)
{
	static char buf[2][1024];
	static int k;

	k = (k + 1) % 2;
	snprintf(buf[k], sizeof(buf[k]), "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
	    "\"%s\"},\"Action\":%s%s%s}]}", principal, actions,
	    cond ? ",\"Condition\":" : "", cond ? cond : "");
	return buf[k];
}

static void
user(const char *account_root, const char *name, const char *policy)
{
	OKJ(s, account_root, "CreateUser", json_pack("{s:s}", "UserName",
	    name));
	if (policy != NULL)
		OKJ(s, account_root, "PutUserPolicy", json_pack("{s:s, s:s, "
		    "s:s}", "UserName", name, "PolicyName", "p",
		    "PolicyDocument", policy));
}

static void
role(const char *account_root, const char *name, const char *trust,
    const char *policy, int max)
{
	OKJ(s, account_root, "CreateRole", json_pack("{s:s, s:s, s:i}",
	    "RoleName", name, "AssumeRolePolicyDocument", trust,
	    "MaxSessionDuration", max));
	if (policy != NULL)
		OKJ(s, account_root, "PutRolePolicy", json_pack("{s:s, s:s, "
		    "s:s}", "RoleName", name, "PolicyName", "p",
		    "PolicyDocument", policy));
}

// The usual world: alice may assume roles, role `app` trusts the
// account and may read s3.
static void
world(void)
{
	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\",\"sts:SetSourceIdentity\"]", NULL),
	    doc("Allow", "s3:GetObject", "*", NULL), 3600);
}

// --- calls ------------------------------------------------------------------

// The last error's message, for failure reports.
static char lastmsg[2048];

// sts calls `op` as `caller`; NULL and *code on an error.
static json_t *
sts(const char *caller, const char *op, json_t *params, char *code)
{
	json_t *r = NULL;
	iams_error e;

	memset(&e, 0, sizeof(e));
	int rv = iams_call(s, caller, op, params, &r, &e);
	json_decref(params);
	snprintf(code, 48, "%s", rv == PDP_OK ? "" : e.code);
	snprintf(lastmsg, sizeof(lastmsg), "%s", rv == PDP_OK ? "" :
	    e.message);
	return rv == PDP_OK ? r : NULL;
}

static const char *
cred(const json_t *r, const char *field)
{
	return json_string_value(json_object_get(json_object_get(r,
	    "Credentials"), field));
}

// expires_in asserts that the credentials of `r` expire `d` seconds
// from now.
static void
expires_in(const json_t *r, int64_t d)
{
	char want[32];
	time_t t = (time_t) (now + d);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ck_assert_str_eq(cred(r, "Expiration"), want);
}

// scall calls `op` with the temporary credentials of response `r`.
static json_t *
scall(const json_t *r, const char *op, json_t *params, char *code)
{
	json_t *out = NULL;
	iams_error e;

	memset(&e, 0, sizeof(e));
	int rv = iams_call_session(s, cred(r, "AccessKeyId"),
	    cred(r, "SessionToken"), op, params, &out, &e);
	json_decref(params);
	snprintf(code, 48, "%s", rv == PDP_OK ? "" : e.code);
	snprintf(lastmsg, sizeof(lastmsg), "%s", rv == PDP_OK ? "" :
	    e.message);
	return rv == PDP_OK ? out : NULL;
}

// must returns a successful response or fails the test.
static json_t *
must(json_t *r, const char *what, const char *code)
{
	ck_assert_msg(r != NULL, "%s failed: %s: %s", what, code, lastmsg);
	return r;
}

#define ASSUME(caller, ...) must(sts(caller, "AssumeRole", \
	json_pack(__VA_ARGS__), code), "AssumeRole", code)
#define SFAILS(r, op, p, want) do { \
	json_t *x_ = scall(r, op, p, code); \
	ck_assert_msg(x_ == NULL, "%s succeeded, wanted %s", op, want); \
	ck_assert_str_eq(code, want); \
} while (0)

// --- decisions through the credentials API ----------------------------------

// A PDP of its own: the keyring the service exports, opened as pdpd
// would, and a cache on this thread.
static pdp_creds_keyring *kr;
static pdp_creds_cache *cache;

static int64_t
pdp_now(void *arg)
{
	(void) arg;
	return now;
}

static void
pdp_reload(void)
{
	char ring[80], err[256];

	pdp_creds_cache_free(cache);
	pdp_creds_keyring_free(kr);
	snprintf(ring, sizeof(ring), "%s.ring", path);
	ck_assert_msg(iams_keyring_export(s, ring, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	ck_assert_msg(pdp_creds_keyring_load(ring, &kr, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	ck_assert_int_eq(pdp_creds_cache_alloc(kr, 0, &cache), PDP_OK);
	pdp_creds_cache_set_clock(cache, pdp_now, NULL);
}

static void
pdp_drop(void)
{
	pdp_creds_cache_free(cache);
	pdp_creds_keyring_free(kr);
	cache = NULL;
	kr = NULL;
}

// sdecide decides `action` on `resource` for the session of response
// `r`, with `n` context keys.
static pdp_effect
sdecide_ctx(const json_t *r, const char *action, const char *resource,
    const pdp_context_entry *ctx, uint32_t n)
{
	pdp_creds_caller who = {.access_key_id = cred(r, "AccessKeyId"),
	    .session_token = cred(r, "SessionToken")};
	pdp_request req;
	pdp_decision d;

	if (cache == NULL)
		pdp_reload();
	memset(&req, 0, sizeof(req));
	req.action = action;
	req.resource = resource;
	req.context = ctx;
	req.ncontext = n;
	pdp_bundle *b = pdp_engine_acquire(iams_service_engine(s));
	pdp_creds_authorize(cache, b, &who, &req, &d, NULL);
	pdp_bundle_close(b);
	return d.effect;
}

static pdp_effect
sdecide(const json_t *r, const char *action, const char *resource)
{
	return sdecide_ctx(r, action, resource, NULL, 0);
}

// --- AssumeRole -------------------------------------------------------------

START_TEST(test_assume_role_shapes_and_decisions)
{
	char code[48];

	world();
	json_t *r = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1");
	ck_assert(strncmp(cred(r, "AccessKeyId"), "ASIA", 4) == 0);
	ck_assert_int_eq(strlen(cred(r, "AccessKeyId")), 20);
	ck_assert_int_eq(strlen(cred(r, "SecretAccessKey")), 40);
	ck_assert(strncmp(cred(r, "SessionToken"), PDP_CREDS_TOKEN_PREFIX,
	    strlen(PDP_CREDS_TOKEN_PREFIX)) == 0);
	// The default duration is one hour.
	expires_in(r, 3600);
	json_t *u = json_object_get(r, "AssumedRoleUser");
	ck_assert_str_eq(json_string_value(json_object_get(u, "Arn")),
	    "arn:aws:sts::111122223333:assumed-role/app/s1");
	const char *id = json_string_value(json_object_get(u,
	    "AssumedRoleId"));
	ck_assert(strncmp(id, "AROA", 4) == 0);
	ck_assert_str_eq(id + 20, ":s1");
	ck_assert_ptr_null(json_object_get(r, "PackedPolicySize"));
	ck_assert_ptr_null(json_object_get(r, "SourceIdentity"));

	// The session has the role's permissions, not alice's.
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "s3:PutObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	ck_assert_int_eq(sdecide(r, "sts:AssumeRole", ROLE),
	    PDP_IMPLICIT_DENY);
	// Its calls to the IAM service are decided for the session too.
	SFAILS(r, "ListUsers", NULL, "AccessDenied");
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}",
	    "RoleName", "app", "PolicyName", "iam", "PolicyDocument",
	    doc("Allow", "iam:ListUsers", "*", NULL)));
	json_t *l = must(scall(r, "ListUsers", NULL, code), "ListUsers",
	    code);
	json_decref(l);
	json_decref(r);
	pdp_drop();
}
END_TEST

START_TEST(test_assume_role_who_may_call)
{
	char code[48];

	world();
	// Root may not assume roles, even one that trusts it.
	FAILSJ(s, ROOT, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1"), "AccessDenied");
	// A user without sts:AssumeRole in its policies, when the trust
	// policy names only the account: denied.
	user(ROOT, "bob", NULL);
	FAILSJ(s, BOB, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1"), "AccessDenied");
	// A trust policy that names bob himself is enough in his account.
	role(ROOT, "direct", trust_doc(BOB, "\"sts:AssumeRole\"", NULL),
	    NULL, 3600);
	json_t *r = ASSUME(BOB, "{s:s, s:s}", "RoleArn",
	    "arn:aws:iam::111122223333:role/direct", "RoleSessionName", "bb");
	json_decref(r);
	// A role that does not exist is an AccessDenied, as for a role
	// the caller may not assume.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    "arn:aws:iam::111122223333:role/nope", "RoleSessionName", "s1"),
	    "AccessDenied");
	// An explicit deny in alice's policies wins over the trust policy.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "deny", "PolicyDocument", doc("Deny",
	    "sts:AssumeRole", ROLE, NULL)));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1"), "AccessDenied");
}
END_TEST

// last_used returns GetRole's RoleLastUsed of the role "app" (a new
// reference).
static json_t *
last_used(void)
{
	char code[48];
	json_t *r = call_j(s, ROOT, "GetRole", json_pack("{s:s}", "RoleName",
	    "app"), code);

	ck_assert_msg(r != NULL, "GetRole failed: %s", code);
	json_t *u = json_object_get(json_object_get(r, "Role"),
	    "RoleLastUsed");
	ck_assert_msg(json_is_object(u), "no RoleLastUsed object");
	json_incref(u);
	json_decref(r);
	return u;
}

START_TEST(test_assume_role_records_role_last_used)
{
	char code[48];

	world();
	// Never assumed: an empty RoleLastUsed, as AWS returns it.
	json_t *u = last_used();
	ck_assert_int_eq(json_object_size(u), 0);
	json_decref(u);
	// A refused AssumeRole is no use of the role.
	FAILSJ(s, ROOT, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1"), "AccessDenied");
	u = last_used();
	ck_assert_int_eq(json_object_size(u), 0);
	json_decref(u);
	json_t *r = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1");
	json_decref(r);
	u = last_used();
	const char *when = json_string_value(json_object_get(u,
	    "LastUsedDate"));
	ck_assert_msg(when != NULL, "no LastUsedDate after AssumeRole");
	ck_assert_int_eq(strlen(when), 20); // 2024-05-01T10:00:00Z
	ck_assert_int_eq(when[10], 'T');
	ck_assert_str_eq(json_string_value(json_object_get(u, "Region")),
	    "us-east-1");
	json_decref(u);
	pdp_drop();
}
END_TEST

// tag tags user or role `name` (op TagUser or TagRole) with key=value.
static void
tag(const char *op, const char *field, const char *name, const char *key,
    const char *value)
{
	OKJ(s, ROOT, op, json_pack("{s:s, s:[{s:s, s:s}]}", field, name,
	    "Tags", "Key", key, "Value", value));
}

START_TEST(test_resource_tags_of_users_and_roles)
{
	char code[48];

	// bob may read users of team red, and assume roles of env dev.
	user(ROOT, "bob", "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"aws:ResourceTag/team\":\"red\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"iam:ResourceTag/env\":\"dev\"}}}]}");
	user(ROOT, "carol", NULL);
	user(ROOT, "dave", NULL);
	user(ROOT, "erin", NULL);
	tag("TagUser", "UserName", "carol", "team", "red");
	tag("TagUser", "UserName", "dave", "team", "blue");
	OKJ(s, BOB, "GetUser", json_pack("{s:s}", "UserName", "carol"));
	FAILSJ(s, BOB, "GetUser", json_pack("{s:s}", "UserName", "dave"),
	    "AccessDenied");
	// Untagged: the key is absent, the condition unmet.
	FAILSJ(s, BOB, "GetUser", json_pack("{s:s}", "UserName", "erin"),
	    "AccessDenied");
	// The trust policies name the account, so bob's own policies
	// decide, on the role's tags.
	role(ROOT, "dev", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL), NULL,
	    3600);
	role(ROOT, "prod", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL), NULL,
	    3600);
	tag("TagRole", "RoleName", "dev", "env", "dev");
	tag("TagRole", "RoleName", "prod", "env", "prod");
	json_t *r = ASSUME(BOB, "{s:s, s:s}", "RoleArn",
	    "arn:aws:iam::111122223333:role/dev", "RoleSessionName", "b1");
	json_decref(r);
	FAILSJ(s, BOB, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    "arn:aws:iam::111122223333:role/prod", "RoleSessionName", "b1"),
	    "AccessDenied");
	// A tag changed is a decision changed.
	tag("TagRole", "RoleName", "prod", "env", "dev");
	r = ASSUME(BOB, "{s:s, s:s}", "RoleArn",
	    "arn:aws:iam::111122223333:role/prod", "RoleSessionName", "b2");
	json_decref(r);
	pdp_drop();
}
END_TEST

START_TEST(test_trust_external_id)
{
	char code[48];

	user(ROOT, "alice", doc("Allow", "sts:AssumeRole", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"",
	    "{\"StringEquals\":{\"sts:ExternalId\":\"Unique-42\"}}"), NULL,
	    3600);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1"), "AccessDenied");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "ExternalId", "Unique-43"),
	    "AccessDenied");
	json_t *r = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1", "ExternalId", "Unique-42");
	json_decref(r);
	// Its length and characters are checked first.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "ExternalId", "x"),
	    "ValidationError");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "ExternalId", "a b"),
	    "ValidationError");
}
END_TEST

START_TEST(test_trust_other_account_needs_both_sides)
{
	char code[48];

	// alice (111122223333) and role `shared` of 444455556666, which
	// trusts alice's account.
	user(ROOT, "alice", NULL);
	role(OTHER_ROOT, "shared", trust_doc(ROOT, "\"sts:AssumeRole\"",
	    NULL), doc("Allow", "s3:GetObject", "*", NULL), 3600);
	// The trust policy alone is not enough across accounts.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    XROLE, "RoleSessionName", "xx"), "AccessDenied");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "x", "PolicyDocument", doc("Allow",
	    "sts:AssumeRole", XROLE, NULL)));
	json_t *r = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", XROLE,
	    "RoleSessionName", "xx");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "AssumedRoleUser"), "Arn")),
	    "arn:aws:sts::444455556666:assumed-role/shared/xx");
	// The session is the other account's role's.
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_decref(r);
	// Nor is the identity policy enough when the trust policy names
	// another account.
	OKJ(s, OTHER_ROOT, "UpdateAssumeRolePolicy", json_pack("{s:s, s:s}",
	    "RoleName", "shared", "PolicyDocument", trust_doc(
	    "arn:aws:iam::999988887777:root", "\"sts:AssumeRole\"", NULL)));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    XROLE, "RoleSessionName", "xx"), "AccessDenied");
	pdp_drop();
}
END_TEST

START_TEST(test_tag_session_and_source_identity_required)
{
	char code[48];

	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL), NULL,
	    3600);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "s1", "Tags", "Key", "team",
	    "Value", "eng"), "AccessDenied");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "SourceIdentity", "alice@corp"),
	    "AccessDenied");
	// The trust policy allows tagging only with team=eng.
	OKJ(s, ROOT, "UpdateAssumeRolePolicy", json_pack("{s:s, s:s}",
	    "RoleName", "app", "PolicyDocument", "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
	    "\"" ROOT "\"},\"Action\":[\"sts:AssumeRole\","
	    "\"sts:SetSourceIdentity\"]},{\"Effect\":\"Allow\",\"Principal\":"
	    "{\"AWS\":\"" ROOT "\"},\"Action\":\"sts:TagSession\","
	    "\"Condition\":{\"StringEquals\":{\"aws:RequestTag/team\":"
	    "\"eng\"}}}]}"));
	json_t *r = ASSUME(ALICE, "{s:s, s:s, s:[{s:s, s:s}], s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "Tags", "Key", "team", "Value",
	    "eng", "SourceIdentity", "alice@corp");
	ck_assert_str_eq(json_string_value(json_object_get(r,
	    "SourceIdentity")), "alice@corp");
	ck_assert_int_gt(json_integer_value(json_object_get(r,
	    "PackedPolicySize")), 0);
	json_decref(r);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "s1", "Tags", "Key", "team",
	    "Value", "ops"), "AccessDenied");
}
END_TEST

START_TEST(test_session_policy_intersection)
{
	char code[48];

	user(ROOT, "alice", doc("Allow", "sts:AssumeRole", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL),
	    doc("Allow", "s3:*", "*", NULL), 3600);
	OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "list", "PolicyDocument", doc("Allow", "s3:ListBucket", "*",
	    NULL)));
	// Inline: the session may only read, though the role may do all.
	json_t *r = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1", "Policy", doc("Allow",
	    "s3:GetObject", "*", NULL));
	ck_assert_int_gt(json_integer_value(json_object_get(r,
	    "PackedPolicySize")), 0);
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "s3:PutObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	// ... and can never gain what the role lacks.
	json_decref(r);
	r = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s2", "Policy", doc("Allow", "*", "*", NULL));
	ck_assert_int_eq(sdecide(r, "s3:PutObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "ec2:RunInstances", "*"),
	    PDP_IMPLICIT_DENY);
	json_decref(r);
	// Managed session policies by ARN, together with an inline one:
	// one policy set.
	r = ASSUME(ALICE, "{s:s, s:s, s:s, s:[{s:s}]}", "RoleArn", ROLE,
	    "RoleSessionName", "s3", "Policy", doc("Allow", "s3:GetObject",
	    "*", NULL), "PolicyArns", "arn",
	    "arn:aws:iam::111122223333:policy/list");
	ck_assert_int_eq(sdecide(r, "s3:ListBucket", "arn:aws:s3:::data"),
	    PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "s3:DeleteObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	json_decref(r);
	// A Deny in the session policy is an explicit deny.
	r = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s4", "Policy", "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
	    "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":"
	    "\"s3:PutObject\",\"Resource\":\"*\"}]}");
	ck_assert_int_eq(sdecide(r, "s3:PutObject", BUCKET),
	    PDP_EXPLICIT_DENY);
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_decref(r);
	pdp_drop();
}
END_TEST

START_TEST(test_session_policy_errors)
{
	char code[48];
	char big[3000];

	user(ROOT, "alice", doc("Allow", "sts:AssumeRole", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL),
	    doc("Allow", "s3:*", "*", NULL), 3600);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "Policy", "{\"Statement\":[]}"),
	    "MalformedPolicyDocument");
	// A session policy has no Principal.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "Policy", trust_doc(ROOT,
	    "\"s3:*\"", NULL)), "MalformedPolicyDocument");
	// More than 2,048 characters in the Policy field.
	snprintf(big, sizeof(big), "{\"Version\":\"2012-10-17\",\"Statement\":"
	    "[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
	    "\"arn:aws:s3:::%02100d\"}]}", 0);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "Policy", big), "ValidationError");
	// The inline policy and the ARNs together over 2,048 characters.
	snprintf(big, sizeof(big), "{\"Version\":\"2012-10-17\",\"Statement\":"
	    "[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
	    "\"arn:aws:s3:::%01900d\"}]}", 0);
	OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "list", "PolicyDocument", doc("Allow", "s3:ListBucket", "*",
	    NULL)));
	json_t *r = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1", "Policy", big);
	// 2,008 characters of the 2,560 the packed form may hold.
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "PackedPolicySize")), 79);
	json_decref(r);
	// The same policy with 771 characters of tags does not pack.
	char val[257];
	memset(val, 'v', 256);
	val[256] = '\0';
	OKJ(s, ROOT, "UpdateAssumeRolePolicy", json_pack("{s:s, s:s}",
	    "RoleName", "app", "PolicyDocument", trust_doc(ROOT,
	    "[\"sts:AssumeRole\",\"sts:TagSession\"]", NULL)));
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "p", "PolicyDocument", doc("Allow",
	    "sts:*", "*", NULL)));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s, s:[{s:s, "
	    "s:s},{s:s, s:s},{s:s, s:s}]}", "RoleArn", ROLE, "RoleSessionName",
	    "s1", "Policy", big, "Tags", "Key", "a", "Value", val, "Key", "b",
	    "Value", val, "Key", "c", "Value", val), "PackedPolicyTooLarge");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s, "
	    "s:[{s:s},{s:s}]}", "RoleArn", ROLE, "RoleSessionName", "s1",
	    "Policy", big, "PolicyArns", "arn",
	    "arn:aws:iam::111122223333:policy/list", "arn",
	    "arn:aws:iam::111122223333:policy/list"),
	    "PackedPolicyTooLarge");
	// Unknown, foreign and too many managed policies.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "s1", "PolicyArns", "arn",
	    "arn:aws:iam::111122223333:policy/nope"), "InvalidParameterValue");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "s1", "PolicyArns", "arn",
	    "arn:aws:iam::444455556666:policy/list"), "InvalidParameterValue");
	json_t *arns = json_array();
	for (int i = 0; i < 11; i++)
		json_array_append_new(arns, json_pack("{s:s}", "arn",
		    "arn:aws:iam::111122223333:policy/list"));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:o}", "RoleArn",
	    ROLE, "RoleSessionName", "s1", "PolicyArns", arns),
	    "ValidationError");
}
END_TEST

// In role chaining the next role's tags stay its own in the decision to
// assume it: a transitive tag of the calling session does not stand for
// them, or a session could meet the usual ABAC rule "assume the roles of
// your own team" (iam:ResourceTag/team = ${aws:PrincipalTag/team}) for a
// role of any team (pdp/iam/README.md).
START_TEST(test_transitive_tag_does_not_stand_for_role_tag)
{
	char code[48];
	const char *own = "{\"StringEquals\":{\"iam:ResourceTag/team\":"
	    "\"${aws:PrincipalTag/team}\"}}";
	const char *eng = "{\"StringEquals\":{\"aws:ResourceTag/team\":"
	    "\"eng\"}}";

	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\"]", NULL), doc("Allow", "sts:*", "*", own),
	    3600);
	role(ROOT, "next", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\"]", NULL), NULL, 3600);
	tag("TagRole", "RoleName", "next", "team", "ops");
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:[{s:s, s:s}], s:[s]}",
	    "RoleArn", ROLE, "RoleSessionName", "aa", "Tags", "Key", "Team",
	    "Value", "eng", "TransitiveTagKeys", "team");
	// An eng session may not assume the ops role through its own
	// permissions...
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE2,
	    "RoleSessionName", "bb"), "AccessDenied");
	// ...and may once the role is eng's.
	tag("TagRole", "RoleName", "next", "team", "eng");
	json_t *b = must(scall(a, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", ROLE2, "RoleSessionName", "bb"), code), "chained", code);
	// Nor does the trust policy see the transitive tag as the role's.
	OKJ(s, ROOT, "UpdateAssumeRolePolicy", json_pack("{s:s, s:s}",
	    "RoleName", "next", "PolicyDocument", trust_doc(ROOT,
	    "[\"sts:AssumeRole\",\"sts:TagSession\"]", eng)));
	tag("TagRole", "RoleName", "next", "team", "ops");
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE2,
	    "RoleSessionName", "cc"), "AccessDenied");
	json_decref(a);
	json_decref(b);
	pdp_drop();
}
END_TEST

// IAM's limits at once: a role with 50 tags, assumed with 50 session
// tags, by a user and then by a session of its own with 50 tags too.
START_TEST(test_assume_role_with_every_tag_allowed)
{
	char code[48], k[16], v[16];
	json_t *rtags = json_array(), *stags = json_array();

	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\"]", NULL), doc("Allow", "sts:*", "*", NULL),
	    3600);
	for (int i = 0; i < 50; i++) {
		snprintf(k, sizeof(k), "rk%02d", i);
		snprintf(v, sizeof(v), "rv%02d", i);
		json_array_append_new(rtags, json_pack("{s:s, s:s}", "Key", k,
		    "Value", v));
		snprintf(k, sizeof(k), "sk%02d", i);
		snprintf(v, sizeof(v), "sv%02d", i);
		json_array_append_new(stags, json_pack("{s:s, s:s}", "Key", k,
		    "Value", v));
	}
	OKJ(s, ROOT, "TagRole", json_pack("{s:s, s:O}", "RoleName", "app",
	    "Tags", rtags));
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:O}", "RoleArn", ROLE,
	    "RoleSessionName", "aa", "Tags", stags);
	json_t *b = must(scall(a, "AssumeRole", json_pack("{s:s, s:s, s:O}",
	    "RoleArn", ROLE, "RoleSessionName", "bb", "Tags", stags), code),
	    "chained with 50 tags", code);
	json_decref(a);
	json_decref(b);
	json_decref(rtags);
	json_decref(stags);
	pdp_drop();
}
END_TEST

START_TEST(test_tags_through_role_chaining)
{
	char code[48];
	const char *team_eng = "{\"StringEquals\":{\"aws:PrincipalTag/team\":"
	    "\"eng\"}}";

	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	// app may assume next; next reads only for team eng and never for
	// a session that still carries env.
	role(ROOT, "app", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\"]", NULL), doc("Allow", "s3:GetObject", "*",
	    team_eng), 3600);
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "chain", "PolicyDocument", doc("Allow",
	    "sts:*", ROLE2, NULL)));
	role(ROOT, "next", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:TagSession\"]", NULL), doc("Allow", "s3:GetObject", "*",
	    team_eng), 3600);
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "next", "PolicyName", "env", "PolicyDocument", doc("Deny", "s3:*",
	    "*", "{\"Null\":{\"aws:PrincipalTag/env\":\"false\"}}")));
	// Transitive keys must name passed tags, ignoring case.
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}], "
	    "s:[s]}", "RoleArn", ROLE, "RoleSessionName", "aa", "Tags", "Key",
	    "team", "Value", "eng", "TransitiveTagKeys", "project"),
	    "InvalidParameterValue");
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:[{s:s, s:s},{s:s, s:s}], "
	    "s:[s]}", "RoleArn", ROLE, "RoleSessionName", "aa", "Tags", "Key",
	    "team", "Value", "eng", "Key", "env", "Value", "dev",
	    "TransitiveTagKeys", "TEAM");
	// Session tags are principal tags of the session.
	ck_assert_int_eq(sdecide(a, "s3:GetObject", BUCKET), PDP_ALLOW);

	// The app session assumes next: team (transitive) comes along, env
	// does not.
	json_t *b = must(scall(a, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", ROLE2, "RoleSessionName", "bb"), code), "chained", code);
	ck_assert_int_eq(sdecide(b, "s3:GetObject", BUCKET), PDP_ALLOW);
	// A transitive tag cannot be set again, whatever its case.
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleArn", ROLE2, "RoleSessionName", "cc", "Tags", "Key", "Team",
	    "Value", "ops"), "InvalidParameterValue");
	// And it stays transitive one more hop (next may assume next).
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "next", "PolicyName", "chain", "PolicyDocument", doc("Allow",
	    "sts:*", ROLE2, NULL)));
	json_t *c = must(scall(b, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", ROLE2, "RoleSessionName", "cc"), code), "chained", code);
	ck_assert_int_eq(sdecide(c, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_decref(c);
	// Without the transitive key, team does not reach next.
	json_t *a2 = ASSUME(ALICE, "{s:s, s:s, s:[{s:s, s:s}]}", "RoleArn",
	    ROLE, "RoleSessionName", "a2", "Tags", "Key", "team", "Value",
	    "eng");
	json_t *b2 = must(scall(a2, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", ROLE2, "RoleSessionName", "b2"), code), "chained", code);
	ck_assert_int_eq(sdecide(b2, "s3:GetObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	// A session that keeps env is denied by next's Deny.
	json_t *b3 = must(scall(a2, "AssumeRole", json_pack("{s:s, s:s, "
	    "s:[{s:s, s:s},{s:s, s:s}]}", "RoleArn", ROLE2, "RoleSessionName",
	    "b3", "Tags", "Key", "team", "Value", "eng", "Key", "env", "Value",
	    "x"), code), "chained", code);
	ck_assert_int_eq(sdecide(b3, "s3:GetObject", BUCKET),
	    PDP_EXPLICIT_DENY);
	json_decref(a);
	json_decref(b);
	json_decref(a2);
	json_decref(b2);
	json_decref(b3);
	pdp_drop();
}
END_TEST

START_TEST(test_tag_errors)
{
	char key[200];

	world();
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s},"
	    "{s:s, s:s}]}", "RoleArn", ROLE, "RoleSessionName", "aa", "Tags",
	    "Key", "team", "Value", "a", "Key", "TEAM", "Value", "b"),
	    "InvalidParameterValue");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "aa", "Tags", "Key",
	    "aws:team", "Value", "a"), "InvalidParameterValue");
	memset(key, 'k', 129);
	key[129] = '\0';
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleArn", ROLE, "RoleSessionName", "aa", "Tags", "Key", key,
	    "Value", "a"), "ValidationError");
	json_t *tags = json_array();
	for (int i = 0; i < 51; i++)
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key",
		    nm("k", i), "Value", "v"));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:o}", "RoleArn",
	    ROLE, "RoleSessionName", "aa", "Tags", tags), "ValidationError");
	// Fifty tags of 128 + 256 characters do not pack.
	char val[257];
	memset(val, 'v', 256);
	val[256] = '\0';
	tags = json_array();
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "%0128d", i);
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key", key,
		    "Value", val));
	}
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:o}", "RoleArn",
	    ROLE, "RoleSessionName", "aa", "Tags", tags),
	    "PackedPolicyTooLarge");
}
END_TEST

START_TEST(test_source_identity_through_chaining)
{
	char code[48];

	user(ROOT, "alice", doc("Allow", "sts:*", "*", NULL));
	role(ROOT, "app", trust_doc(ROOT, "[\"sts:AssumeRole\","
	    "\"sts:SetSourceIdentity\"]", NULL), doc("Allow", "s3:GetObject",
	    "*", "{\"StringEquals\":{\"aws:SourceIdentity\":\"alice\"}}"),
	    3600);
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "chain", "PolicyDocument", doc("Allow",
	    "sts:*", "*", NULL)));
	role(ROOT, "next", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL),
	    NULL, 3600);
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "aa", "SourceIdentity", "aws:x"),
	    "ValidationError");
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "aa", "SourceIdentity", "a"),
	    "ValidationError");
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "aa", "SourceIdentity", "alice");
	ck_assert_int_eq(sdecide(a, "s3:GetObject", BUCKET), PDP_ALLOW);
	// It cannot change in a chained session ...
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "bb", "SourceIdentity", "mallory"),
	    "AccessDenied");
	// ... it carries on without being given, so the next role's trust
	// policy must allow sts:SetSourceIdentity ...
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE2,
	    "RoleSessionName", "bb"), "AccessDenied");
	// ... and app's does (app assuming app).
	json_t *b = must(scall(a, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", ROLE, "RoleSessionName", "bb"), code), "chained", code);
	ck_assert_str_eq(json_string_value(json_object_get(b,
	    "SourceIdentity")), "alice");
	ck_assert_int_eq(sdecide(b, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_decref(a);
	json_decref(b);
	pdp_drop();
}
END_TEST

// --- durations --------------------------------------------------------------

START_TEST(test_duration_bounds)
{
	char code[48];

	world();
	OKJ(s, ROOT, "UpdateRole", json_pack("{s:s, s:i}", "RoleName", "app",
	    "MaxSessionDuration", 7200));
#define ASSUME_FOR(d) sts(ALICE, "AssumeRole", json_pack("{s:s, s:s, s:i}", \
	"RoleArn", ROLE, "RoleSessionName", "ss", "DurationSeconds", d), code)
	json_t *r = must(ASSUME_FOR(900), "900", code);
	expires_in(r, 900);
	json_decref(r);
	r = must(ASSUME_FOR(7200), "7200", code);
	expires_in(r, 7200);
	json_decref(r);
	ck_assert_ptr_null(ASSUME_FOR(899));
	ck_assert_str_eq(code, "ValidationError");
	// Over the role's MaxSessionDuration, and over AssumeRole's 12 h.
	ck_assert_ptr_null(ASSUME_FOR(7201));
	ck_assert_str_eq(code, "ValidationError");
	ck_assert_ptr_null(ASSUME_FOR(43201));
	ck_assert_str_eq(code, "ValidationError");
#undef ASSUME_FOR
	// GetSessionToken: 900 s to 36 h for users, 12 h by default.
	r = must(sts(ALICE, "GetSessionToken", NULL, code), "gst", code);
	expires_in(r, 43200);
	json_decref(r);
	r = must(sts(ALICE, "GetSessionToken", json_pack("{s:i}",
	    "DurationSeconds", 129600), code), "gst", code);
	expires_in(r, 129600);
	json_decref(r);
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:i}",
	    "DurationSeconds", 129601), "ValidationError");
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:i}",
	    "DurationSeconds", 899), "ValidationError");
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:s}",
	    "DurationSeconds", "900"), "ValidationError");
	// Root: one hour at most, longer requests cut to one hour.
	r = must(sts(ROOT, "GetSessionToken", NULL, code), "root", code);
	expires_in(r, 3600);
	json_decref(r);
	r = must(sts(ROOT, "GetSessionToken", json_pack("{s:i}",
	    "DurationSeconds", 7200), code), "root", code);
	expires_in(r, 3600);
	json_decref(r);
	r = must(sts(ROOT, "GetFederationToken", json_pack("{s:s, s:i}",
	    "Name", "fed", "DurationSeconds", 129600), code), "root", code);
	expires_in(r, 3600);
	json_decref(r);
}
END_TEST

START_TEST(test_chaining_capped_at_one_hour)
{
	char code[48];

	world();
	OKJ(s, ROOT, "UpdateRole", json_pack("{s:s, s:i}", "RoleName", "app",
	    "MaxSessionDuration", 43200));
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "chain", "PolicyDocument", doc("Allow",
	    "sts:AssumeRole", "*", NULL)));
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:i}", "RoleArn", ROLE,
	    "RoleSessionName", "aa", "DurationSeconds", 43200);
	expires_in(a, 43200);
	SFAILS(a, "AssumeRole", json_pack("{s:s, s:s, s:i}", "RoleArn", ROLE,
	    "RoleSessionName", "bb", "DurationSeconds", 3601),
	    "ValidationError");
	json_t *b = must(scall(a, "AssumeRole", json_pack("{s:s, s:s, s:i}",
	    "RoleArn", ROLE, "RoleSessionName", "bb", "DurationSeconds", 3600),
	    code), "chained", code);
	expires_in(b, 3600);
	json_decref(b);
	// A user's GetSessionToken session assuming a role is not
	// chaining: the role's maximum applies.
	json_t *g = must(sts(ALICE, "GetSessionToken", NULL, code), "gst",
	    code);
	b = must(scall(g, "AssumeRole", json_pack("{s:s, s:s, s:i}",
	    "RoleArn", ROLE, "RoleSessionName", "cc", "DurationSeconds", 7200),
	    code), "from gst", code);
	expires_in(b, 7200);
	json_decref(b);
	json_decref(g);
	json_decref(a);
}
END_TEST

// --- revocation and expiry --------------------------------------------------

START_TEST(test_revoke_older_sessions)
{
	char code[48], cond[128], date[32];

	world();
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "iam", "PolicyDocument", doc("Allow",
	    "iam:ListUsers", "*", NULL)));
	json_t *old = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "old");
	ck_assert_int_eq(sdecide(old, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_t *l0 = must(scall(old, "ListUsers", NULL, code), "ListUsers",
	    code);
	json_decref(l0);
	// Ten minutes later: AWS's "revoke active sessions" policy, with
	// the current time.
	now += 600;
	time_t t = (time_t) now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(cond, sizeof(cond), "{\"DateLessThan\":{"
	    "\"aws:TokenIssueTime\":\"%s\"}}", date);
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "AWSRevokeOlderSessions", "PolicyDocument",
	    doc("Deny", "*", "*", cond)));
	ck_assert_int_eq(sdecide(old, "s3:GetObject", BUCKET),
	    PDP_EXPLICIT_DENY);
	// Its calls to the service are denied as well.
	SFAILS(old, "ListUsers", NULL, "AccessDenied");
	json_t *fresh = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "new");
	ck_assert_int_eq(sdecide(fresh, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_t *l = must(scall(fresh, "ListUsers", NULL, code), "ListUsers",
	    code);
	json_decref(l);
	// Long-term credentials have no aws:TokenIssueTime: the same deny
	// on alice does not touch her own keys.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "AWSRevokeOlderSessions", "PolicyDocument",
	    doc("Deny", "*", "*", cond)));
	json_t *again = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "again");
	json_decref(again);
	json_decref(old);
	json_decref(fresh);
	pdp_drop();
}
END_TEST

START_TEST(test_expired_and_bad_tokens)
{
	char code[48];

	world();
	json_t *r = ASSUME(ALICE, "{s:s, s:s, s:i}", "RoleArn", ROLE,
	    "RoleSessionName", "ss", "DurationSeconds", 900);
	json_t *id = must(scall(r, "GetCallerIdentity", NULL, code), "gci",
	    code);
	json_decref(id);
	// Another access key id with this token, a changed token, none.
	json_t *x = json_deep_copy(r);
	json_t *c = json_object_get(x, "Credentials");
	json_object_set_new(c, "AccessKeyId",
	    json_string("ASIAAAAAAAAAAAAAAAAA"));
	SFAILS(x, "GetCallerIdentity", NULL, "InvalidClientTokenId");
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	snprintf(tok, sizeof(tok), "%s", cred(r, "SessionToken"));
	tok[strlen(tok) - 5] = tok[strlen(tok) - 5] == 'A' ? 'B' : 'A';
	json_object_set_new(c, "AccessKeyId", json_string(cred(r,
	    "AccessKeyId")));
	json_object_set_new(c, "SessionToken", json_string(tok));
	SFAILS(x, "GetCallerIdentity", NULL, "InvalidClientTokenId");
	json_object_set_new(c, "SessionToken", json_string("pdpst1.AAAA"));
	SFAILS(x, "GetCallerIdentity", NULL, "InvalidClientTokenId");
	json_decref(x);
	// Past its expiry.
	now += 900;
	SFAILS(r, "GetCallerIdentity", NULL, "ExpiredToken");
	ck_assert_int_ne(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_decref(r);
	pdp_drop();
}
END_TEST

// --- GetSessionToken and MFA ------------------------------------------------

// totp computes the code of base32 seed `b32` at time `t`.
static void
totp(const char *b32, int64_t t, char out[7])
{
	uint8_t seed[64];
	size_t n;
	uint32_t v;

	ck_assert(iams_base32_decode(b32, seed, sizeof(seed), &n));
	ck_assert(iams_totp(seed, n, iams_totp_step(t), 6, &v));
	iams_otp_format(v, 6, out);
}

// mfa_device gives alice an enabled virtual MFA device; returns its
// serial (static) and the seed in seed (128 bytes).
static const char *
mfa_device(char *seed)
{
	static char serial[128];
	char code[48], c1[7], c2[7];

	json_t *r = must(sts(ROOT, "CreateVirtualMFADevice", json_pack("{s:s}",
	    "VirtualMFADeviceName", "alice-phone"), code), "device", code);
	json_t *d = json_object_get(r, "VirtualMFADevice");
	snprintf(serial, sizeof(serial), "%s", json_string_value(
	    json_object_get(d, "SerialNumber")));
	snprintf(seed, 128, "%s", json_string_value(json_object_get(d,
	    "Base32StringSeed")));
	json_decref(r);
	totp(seed, now - 30, c1);
	totp(seed, now, c2);
	OKJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", serial,
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2));
	now += 30; // the codes just used are spent
	return serial;
}

START_TEST(test_get_session_token_with_mfa)
{
	char code[48], seed[128], tc[7];
	const char *mfa_only = "{\"Bool\":{\"aws:MultiFactorAuthPresent\":"
	    "\"true\"}}";

	user(ROOT, "alice", doc("Allow", "s3:GetObject", "*", mfa_only));
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "iam", "PolicyDocument", doc("Allow",
	    "iam:*", "*", NULL)));
	const char *serial = mfa_device(seed);

	// Without MFA: no MFA in the session, and no IAM calls.
	json_t *plain = must(sts(ALICE, "GetSessionToken", NULL, code), "gst",
	    code);
	ck_assert_ptr_null(json_object_get(plain, "AssumedRoleUser"));
	ck_assert_int_eq(sdecide(plain, "s3:GetObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	SFAILS(plain, "ListUsers", NULL, "AccessDenied");
	// GetSessionToken credentials call only AssumeRole and
	// GetCallerIdentity in STS.
	SFAILS(plain, "GetSessionToken", NULL, "AccessDenied");
	SFAILS(plain, "GetFederationToken", json_pack("{s:s}", "Name", "f"),
	    "AccessDenied");

	// A wrong code, a malformed one, another's device.
	totp(seed, now, tc);
	char wrong[16];
	snprintf(wrong, sizeof(wrong), "%06u",
	    (unsigned) (atoi(tc) + 1) % 1000000u);
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "TokenCode", wrong), "AccessDenied");
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "TokenCode", "12345"), "ValidationError");
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:s}", "SerialNumber",
	    serial), "ValidationError");
	user(ROOT, "bob", NULL);
	FAILSJ(s, BOB, "GetSessionToken", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "TokenCode", tc), "AccessDenied");

	// The right code: an MFA session, which may call IAM.
	json_t *m = must(sts(ALICE, "GetSessionToken", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "TokenCode", tc), code), "mfa", code);
	ck_assert_int_eq(sdecide(m, "s3:GetObject", BUCKET), PDP_ALLOW);
	json_t *l = must(scall(m, "ListUsers", NULL, code), "ListUsers",
	    code);
	json_decref(l);
	// The same code again is a replay.
	FAILSJ(s, ALICE, "GetSessionToken", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "TokenCode", tc), "AccessDenied");

	// MFA given to AssumeRole counts for the trust policy only.
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"", mfa_only),
	    doc("Allow", "s3:GetObject", "*", mfa_only), 3600);
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "sts", "PolicyDocument", doc("Allow",
	    "sts:AssumeRole", "*", NULL)));
	FAILSJ(s, ALICE, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "aa"), "AccessDenied");
	now += 30;
	totp(seed, now, tc);
	json_t *a = ASSUME(ALICE, "{s:s, s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "aa", "SerialNumber", serial, "TokenCode", tc);
	ck_assert_int_eq(sdecide(a, "s3:GetObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	json_decref(a);
	// An MFA session of alice's satisfies the trust policy.
	a = must(scall(m, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn",
	    ROLE, "RoleSessionName", "bb"), code), "from mfa session", code);
	json_decref(a);
	// So does a code given to AssumeRole by a session without MFA: the
	// session's own MFA state (false) does not hide it. It counts for
	// the trust policy only.
	SFAILS(plain, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "cc"), "AccessDenied");
	now += 30;
	totp(seed, now, tc);
	a = must(scall(plain, "AssumeRole", json_pack("{s:s, s:s, s:s, s:s}",
	    "RoleArn", ROLE, "RoleSessionName", "dd", "SerialNumber", serial,
	    "TokenCode", tc), code), "from a session, with a code", code);
	ck_assert_int_eq(sdecide(a, "s3:GetObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	json_decref(a);
	// The code counted for that call only.
	SFAILS(plain, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "ee"), "AccessDenied");
	json_decref(plain);
	json_decref(m);
	pdp_drop();
}
END_TEST

// --- GetFederationToken -----------------------------------------------------

START_TEST(test_get_federation_token)
{
	char code[48];

	user(ROOT, "alice", doc("Allow", "s3:*", "*", NULL));
	// The permission to call it.
	FAILSJ(s, ALICE, "GetFederationToken", json_pack("{s:s}", "Name",
	    "fed"), "AccessDenied");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "fed", "PolicyDocument", doc("Allow",
	    "sts:GetFederationToken", "*", NULL)));
	json_t *r = must(sts(ALICE, "GetFederationToken", json_pack("{s:s, "
	    "s:s}", "Name", "bob@corp", "Policy", doc("Allow", "s3:GetObject",
	    "*", NULL)), code), "gft", code);
	json_t *f = json_object_get(r, "FederatedUser");
	ck_assert_str_eq(json_string_value(json_object_get(f, "Arn")),
	    "arn:aws:sts::111122223333:federated-user/bob@corp");
	ck_assert_str_eq(json_string_value(json_object_get(f,
	    "FederatedUserId")), "111122223333:bob@corp");
	expires_in(r, 43200);
	ck_assert_int_gt(json_integer_value(json_object_get(r,
	    "PackedPolicySize")), 0);
	// alice's permissions, narrowed by the session policy.
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(r, "s3:PutObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	// Federated users call nothing but GetCallerIdentity.
	SFAILS(r, "ListUsers", NULL, "AccessDenied");
	SFAILS(r, "AssumeRole", json_pack("{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "xx"), "AccessDenied");
	json_decref(r);
	// Without a session policy the session may do nothing.
	r = must(sts(ALICE, "GetFederationToken", json_pack("{s:s}", "Name",
	    "nopol"), code), "gft", code);
	ck_assert_int_eq(sdecide(r, "s3:GetObject", BUCKET),
	    PDP_IMPLICIT_DENY);
	json_decref(r);
	// Roles cannot call it; names are checked.
	role(ROOT, "app", trust_doc(ROOT, "\"sts:AssumeRole\"", NULL), NULL,
	    3600);
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "sts", "PolicyDocument", doc("Allow",
	    "sts:AssumeRole", "*", NULL)));
	json_t *a = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "aa");
	SFAILS(a, "GetFederationToken", json_pack("{s:s}", "Name", "x1"),
	    "AccessDenied");
	SFAILS(a, "GetSessionToken", NULL, "AccessDenied");
	json_decref(a);
	FAILSJ(s, ALICE, "GetFederationToken", json_pack("{s:s}", "Name",
	    "x"), "ValidationError");
	FAILSJ(s, ALICE, "GetFederationToken", json_pack("{s:s}", "Name",
	    "012345678901234567890123456789012"), "ValidationError");
	FAILSJ(s, ALICE, "GetFederationToken", json_pack("{}"),
	    "ValidationError");
	FAILSJ(s, ALICE, "GetFederationToken", json_pack("{s:s, s:s}", "Name",
	    "fed", "Policy", "{"), "MalformedPolicyDocument");
	pdp_drop();
}
END_TEST

// --- GetCallerIdentity ------------------------------------------------------

static void
identity_is(json_t *r, const char *uid_prefix, const char *arn)
{
	ck_assert_ptr_nonnull(r);
	const char *uid = json_string_value(json_object_get(r, "UserId"));
	ck_assert_msg(uid != NULL && strncmp(uid, uid_prefix,
	    strlen(uid_prefix)) == 0, "UserId %s", uid);
	ck_assert_str_eq(json_string_value(json_object_get(r, "Account")),
	    ACCT);
	ck_assert_str_eq(json_string_value(json_object_get(r, "Arn")), arn);
	json_decref(r);
}

START_TEST(test_get_caller_identity)
{
	char code[48];

	world();
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "fed", "PolicyDocument", doc("Allow",
	    "sts:GetFederationToken", "*", NULL)));
	identity_is(sts(ROOT, "GetCallerIdentity", NULL, code), ACCT, ROOT);
	identity_is(sts(ALICE, "GetCallerIdentity", NULL, code), "AIDA",
	    ALICE);
	json_t *a = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1");
	identity_is(scall(a, "GetCallerIdentity", NULL, code), "AROA",
	    "arn:aws:sts::111122223333:assumed-role/app/s1");
	json_t *g = must(sts(ALICE, "GetSessionToken", NULL, code), "gst",
	    code);
	identity_is(scall(g, "GetCallerIdentity", NULL, code), "AIDA",
	    ALICE);
	json_t *f = must(sts(ALICE, "GetFederationToken", json_pack("{s:s}",
	    "Name", "fed"), code), "gft", code);
	identity_is(scall(f, "GetCallerIdentity", NULL, code),
	    "111122223333:fed", "arn:aws:sts::111122223333:federated-user/fed");
	// It needs no permission: an explicit Deny of everything does not
	// stop it.
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "deny", "PolicyDocument", doc("Deny", "*",
	    "*", NULL)));
	identity_is(scall(a, "GetCallerIdentity", NULL, code), "AROA",
	    "arn:aws:sts::111122223333:assumed-role/app/s1");
	json_decref(a);
	json_decref(g);
	json_decref(f);
}
END_TEST

// --- errors -----------------------------------------------------------------

START_TEST(test_validation_errors)
{
	char code[48], name[80];

	world();
#define BAD(p) FAILSJ(s, ALICE, "AssumeRole", p, "ValidationError")
	BAD(json_pack("{s:s}", "RoleSessionName", "s1"));
	BAD(json_pack("{s:s}", "RoleArn", ROLE));
	BAD(json_pack("{s:s, s:i}", "RoleArn", ROLE, "RoleSessionName", 7));
	BAD(json_pack("{s:s, s:s}", "RoleArn", ROLE, "RoleSessionName", "a"));
	BAD(json_pack("{s:s, s:s}", "RoleArn", ROLE, "RoleSessionName",
	    "a b"));
	memset(name, 's', 65);
	name[65] = '\0';
	BAD(json_pack("{s:s, s:s}", "RoleArn", ROLE, "RoleSessionName",
	    name));
	name[64] = '\0';
	json_t *r = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", name);
	json_decref(r);
	BAD(json_pack("{s:s, s:s}", "RoleArn", "arn:aws:s3:::bucket/key1",
	    "RoleSessionName", "s1"));
	BAD(json_pack("{s:s, s:s}", "RoleArn", "arn:aws:iam::1:role/x",
	    "RoleSessionName", "s1"));
	BAD(json_pack("{s:s, s:s, s:s}", "RoleArn", ROLE, "RoleSessionName",
	    "s1", "TokenCode", "123456"));
	BAD(json_pack("{s:s, s:s, s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "s1", "SerialNumber", "short", "TokenCode",
	    "123456"));
	BAD(json_pack("{s:s, s:s, s:s}", "RoleArn", ROLE, "RoleSessionName",
	    "s1", "TransitiveTagKeys", "team"));
#undef BAD
	FAILSJ(s, ALICE, "NoSuchThing", NULL, "InvalidAction");
	// A caller the service does not know.
	FAILSJ(s, "arn:aws:iam::111122223333:user/ghost", "GetCallerIdentity",
	    NULL, "InvalidClientTokenId");
}
END_TEST

// --- the keyring ------------------------------------------------------------

START_TEST(test_keyring_rotation)
{
	char code[48], ring[80], err[256];

	world();
	json_t *old = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "old");
	pdp_reload(); // a pdpd with the keyring as it was
	FAILSJ(s, ALICE, "RotateSessionKeys", NULL, "AccessDenied");
	json_t *rot = must(sts(ROOT, "RotateSessionKeys", NULL, code), "rot",
	    code);
	ck_assert_int_eq(json_integer_value(json_object_get(rot,
	    "SigningKeyId")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(rot, "Keys")), 2);
	json_decref(rot);
	json_t *fresh = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "new");
	// The old key still opens the old token; the new key seals.
	json_t *id = must(scall(old, "GetCallerIdentity", NULL, code), "old",
	    code);
	json_decref(id);
	ck_assert_int_eq(sdecide(old, "s3:GetObject", BUCKET), PDP_ALLOW);
	// A pdpd with the old keyring file does not know the new key ...
	ck_assert_int_ne(sdecide(fresh, "s3:GetObject", BUCKET), PDP_ALLOW);
	// ... until the keyring is exported again.
	pdp_reload();
	ck_assert_int_eq(sdecide(fresh, "s3:GetObject", BUCKET), PDP_ALLOW);
	ck_assert_int_eq(sdecide(old, "s3:GetObject", BUCKET), PDP_ALLOW);

	// The keyring survives a restart (its keys sealed in the store).
	iams_service_close(s);
	iams_options opt = {.store_key = test_key, .argon2_kib = 64,
	    .clock = clock_now};
	ck_assert_int_eq(iams_service_open(path, &opt, &s, err, sizeof(err)),
	    PDP_OK);
	id = must(scall(fresh, "GetCallerIdentity", NULL, code), "restart",
	    code);
	json_decref(id);

	// Thirty-six hours after it stopped sealing, key 1 is retired by
	// the next rotation; key 2 stays until 36 h after that.
	now += 129601;
	rot = must(sts(ROOT, "RotateSessionKeys", NULL, code), "rot", code);
	ck_assert_int_eq(json_integer_value(json_object_get(rot,
	    "RetiredKeys")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(rot, "Keys")), 2);
	json_decref(rot);
	pdp_reload();
	ck_assert_uint_eq(pdp_creds_keyring_count(kr), 2);
	ck_assert_uint_eq(pdp_creds_keyring_signer(kr), 3);
	// A copy in memory holds the same keys.
	pdp_creds_keyring *copy;
	ck_assert_int_eq(iams_keyring_copy(s, &copy), PDP_OK);
	ck_assert_uint_eq(pdp_creds_keyring_count(copy), 2);
	ck_assert_uint_eq(pdp_creds_keyring_id(copy, 0), 2);
	ck_assert_uint_eq(pdp_creds_keyring_signer(copy), 3);
	json_t *now3 = ASSUME(ALICE, "{s:s, s:s}", "RoleArn", ROLE,
	    "RoleSessionName", "k3");
	pdp_creds_token *t3;
	const char *tok3 = cred(now3, "SessionToken");
	ck_assert_int_eq(pdp_creds_open(copy, tok3, strlen(tok3), now, &t3,
	    NULL, 0), PDP_OK);
	pdp_creds_token_free(t3);
	pdp_creds_keyring_free(copy);
	json_decref(now3);

	// The keyring file is the owner's alone.
	struct stat st;
	snprintf(ring, sizeof(ring), "%s.ring", path);
	ck_assert_int_eq(stat(ring, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	json_decref(old);
	json_decref(fresh);
	pdp_drop();
}
END_TEST

START_TEST(test_keyring_limit)
{
	char code[48];

	// Key 1, then 63 rotations within 36 hours: 64 keys, the most a
	// keyring holds; the next rotation is refused until keys retire.
	for (int i = 0; i < 63; i++) {
		json_t *r = sts(ROOT, "RotateSessionKeys", NULL, code);
		ck_assert_msg(r != NULL, "rotation %d: %s", i, code);
		json_decref(r);
		now += 60;
	}
	FAILSJ(s, ROOT, "RotateSessionKeys", NULL, "LimitExceeded");
	now += 129600;
	json_t *r = must(sts(ROOT, "RotateSessionKeys", NULL, code), "rot",
	    code);
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "RetiredKeys")), 63);
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "SigningKeyId")), 65);
	json_decref(r);
}
END_TEST

START_TEST(test_no_store_key)
{
	char p2[64], err[512], code[48];
	iams_service *t;
	iams_error e;
	int fd;

	snprintf(p2, sizeof(p2), "/tmp/sts_test_XXXXXX");
	fd = mkstemp(p2);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(p2);
	ck_assert_int_eq(iams_service_open(p2, NULL, &t, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(iams_account_create(t, ACCT, &e), PDP_OK);
	json_t *r = call_j(t, ROOT, "GetSessionToken", NULL, code);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(code, "ServiceFailure");
	ck_assert_int_eq(iams_keyring_export(t, "/tmp/sts_test_none.ring",
	    err, sizeof(err)), PDP_ENOENT);
	pdp_creds_keyring *none = NULL;
	ck_assert_int_eq(iams_keyring_copy(t, &none), PDP_ENOENT);
	ck_assert_ptr_null(none);
	// Opened with a store key later (as a store from before the
	// keyring is), the store gets its first key.
	iams_service_close(t);
	iams_options opt = {.store_key = test_key, .argon2_kib = 64};
	ck_assert_int_eq(iams_service_open(p2, &opt, &t, err, sizeof(err)),
	    PDP_OK);
	r = call_j(t, ROOT, "GetSessionToken", NULL, code);
	ck_assert_msg(r != NULL, "%s", code);
	json_decref(r);
	r = call_j(t, ROOT, "RotateSessionKeys", NULL, code);
	ck_assert_int_eq(json_integer_value(json_object_get(r,
	    "SigningKeyId")), 2);
	json_decref(r);
	// A wrong store key cannot open the keyring: the service refuses
	// to start rather than seal with keys it cannot read.
	iams_service_close(t);
	static const uint8_t other_key[IAMS_KEY_LEN] = {9};
	opt.store_key = other_key;
	ck_assert_int_ne(iams_service_open(p2, &opt, &t, err, sizeof(err)),
	    PDP_OK);
	ck_assert_ptr_nonnull(strstr(err, "keyring"));
	opt.store_key = test_key;
	ck_assert_int_eq(iams_service_open(p2, &opt, &t, err, sizeof(err)),
	    PDP_OK);
	close_service(t, p2);
}
END_TEST

static Suite *
sts_suite(void)
{
	Suite *su = suite_create("sts");
	TCase *tc = tcase_create("sts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_assume_role_shapes_and_decisions);
	tcase_add_test(tc, test_assume_role_who_may_call);
	tcase_add_test(tc, test_assume_role_records_role_last_used);
	tcase_add_test(tc, test_resource_tags_of_users_and_roles);
	tcase_add_test(tc, test_trust_external_id);
	tcase_add_test(tc, test_trust_other_account_needs_both_sides);
	tcase_add_test(tc, test_tag_session_and_source_identity_required);
	tcase_add_test(tc, test_session_policy_intersection);
	tcase_add_test(tc, test_session_policy_errors);
	tcase_add_test(tc, test_tags_through_role_chaining);
	tcase_add_test(tc, test_assume_role_with_every_tag_allowed);
	tcase_add_test(tc, test_transitive_tag_does_not_stand_for_role_tag);
	tcase_add_test(tc, test_tag_errors);
	tcase_add_test(tc, test_source_identity_through_chaining);
	tcase_add_test(tc, test_duration_bounds);
	tcase_add_test(tc, test_chaining_capped_at_one_hour);
	tcase_add_test(tc, test_revoke_older_sessions);
	tcase_add_test(tc, test_expired_and_bad_tokens);
	tcase_add_test(tc, test_get_session_token_with_mfa);
	tcase_add_test(tc, test_get_federation_token);
	tcase_add_test(tc, test_get_caller_identity);
	tcase_add_test(tc, test_validation_errors);
	tcase_add_test(tc, test_keyring_rotation);
	tcase_add_test(tc, test_keyring_limit);
	tcase_add_test(tc, test_no_store_key);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(sts_suite());
}
