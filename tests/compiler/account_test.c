// account_test.c - the account model (compiler/src/account*.c,
// compiler/ACCOUNT.md): the example account compiles, every class of
// error is reported with its file and JSON path, and bundles compiled
// from models decide real requests through pdp_bundle_authorize.

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/helpers.h"

#include "iamc_account.h"
#include "iamc_bundle.h"
#include "pdp.h"
#include "pdpb.h"

#define EXAMPLE PDP_SOURCE_DIR "/examples/account/account.json"
#define V12 "'Version':'2012-10-17'"
#define ALLOW_ALL "{" V12 ",'Statement':[{'Effect':'Allow','Action':'*'," \
	"'Resource':'*'}]}"
#define TRUST_ACCT(a) "{" V12 ",'Statement':[{'Effect':'Allow'," \
	"'Principal':{'AWS':'" a "'},'Action':'sts:AssumeRole'}]}"

// --- compiling models -------------------------------------------------------

typedef struct ares {
	iamc_builder *b;
	iamc_diags d;
	iamc_account_stats st;
	int rv;
	char text[16384]; // every diagnostic, for failure messages
} ares;

static void
ares_collect(ares *r)
{
	size_t off = 0;

	for (size_t i = 0; i < r->d.n && off < sizeof(r->text); i++) {
		int k = snprintf(r->text + off, sizeof(r->text) - off,
		    "  %s %s: %s\n",
		    r->d.v[i].severity == IAMC_ERROR ? "E" : "W",
		    r->d.v[i].path, r->d.v[i].message);
		if (k > 0)
			off += (size_t) k;
	}
}

// quotes turns every ' into ", so that models need no escaping.
static char *
quotes(const char *s)
{
	char *t = strdup(s);

	ck_assert_ptr_nonnull(t);
	for (char *p = t; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return t;
}

// ares_compile compiles model text named `path` (for diagnostics and
// {"file"} references).
static void
ares_compile_at(ares *r, const char *path, const iamc_account_options *opt,
    const char *model)
{
	char *t = quotes(model);

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(iamc_builder_open(&r->b), PDP_OK);
	iamc_diags_init(&r->d);
	r->rv = iamc_account_compile_text(t, strlen(t), path, opt, r->b, &r->d,
	    &r->st);
	ares_collect(r);
	free(t);
}

static void
ares_compile(ares *r, const char *model)
{
	ares_compile_at(r, "m.json", NULL, model);
}

static void
ares_fini(ares *r)
{
	iamc_diags_fini(&r->d);
	iamc_builder_close(r->b);
}

static bool
ares_has(const ares *r, const char *path, const char *msg)
{
	for (size_t i = 0; i < r->d.n; i++) {
		if (r->d.v[i].severity == IAMC_ERROR &&
		    strcmp(r->d.v[i].path, path) == 0 &&
		    strstr(r->d.v[i].message, msg) != NULL)
			return true;
	}
	return false;
}

// ck_aerr asserts an error at exactly `path` whose message contains
// `msg`.
#define ck_aerr(r, path, msg)                                             \
	ck_assert_msg(ares_has((r), (path), (msg)),                        \
	    "no error %s: ...%s...; got:\n%s", (path), (msg), (r)->text)
#define ck_aclean(r)                                                      \
	ck_assert_msg((r)->rv == PDP_OK && (r)->d.nerrors == 0,            \
	    "rv %d; got:\n%s", (r)->rv, (r)->text)
#define ck_arejected(r)                                                   \
	ck_assert_msg((r)->rv == PDP_EPOLICY && (r)->d.nerrors > 0,        \
	    "rv %d; got:\n%s", (r)->rv, (r)->text)

// ares_open writes the builder's bundle and opens it.
static pdp_bundle *
ares_open(ares *r, uint64_t rev)
{
	void *data;
	size_t len;
	char err[256] = "";
	pdp_bundle *b = NULL;

	ck_assert_int_eq(iamc_builder_write(r->b, rev, &data, &len), PDP_OK);
	ck_assert_msg(pdp_bundle_open_mem(data, len, &b, err, sizeof(err)) ==
	    PDP_OK, "bundle does not open: %s", err);
	free(data);
	return b;
}

// A one-account model around `body` (members of the account object).
#define ACCOUNT(body) "{'accounts':[{'id':'123456789012'," body "}]}"

// --- deciding ---------------------------------------------------------------

typedef struct ask {
	const char *principal, *action, *resource, *racct, *session;
	const char *key, *value; // one context key, or NULL
	const char *key2, *value2;
} ask;

static pdp_effect
decide(const pdp_bundle *b, const ask *q, pdp_decision *out,
    pdp_explanation *ex)
{
	pdp_request r;
	pdp_context_entry ctx[2];
	const char *v1[1] = {q->value}, *v2[1] = {q->value2};

	memset(&r, 0, sizeof(r));
	memset(ctx, 0, sizeof(ctx));
	r.principal = q->principal;
	r.action = q->action;
	r.resource = q->resource;
	r.resource_account = q->racct;
	r.session_policy = q->session;
	if (q->key != NULL) {
		ctx[0].key = q->key;
		ctx[0].values = v1;
		ctx[0].nvalues = 1;
		r.ncontext = 1;
	}
	if (q->key2 != NULL) {
		ctx[1].key = q->key2;
		ctx[1].values = v2;
		ctx[1].nvalues = 1;
		r.ncontext = 2;
	}
	r.context = ctx;
	pdp_bundle_authorize(b, &r, out, ex);
	return out->effect;
}

// matched reports whether the explanation names policy `name` (and, when
// sid is not NULL, that statement).
static bool
matched(const pdp_explanation *ex, const char *name, const char *sid)
{
	for (uint32_t i = 0; i < ex->nmatched && i < PDP_EXPLAIN_MAX; i++) {
		const pdp_statement_ref *m = &ex->matched[i];
		if (m->policy_len == strlen(name) &&
		    memcmp(m->policy, name, m->policy_len) == 0 &&
		    (sid == NULL || (m->sid_len == strlen(sid) &&
		    memcmp(m->sid, sid, m->sid_len) == 0)))
			return true;
	}
	return false;
}

// The example account, compiled once per test (tests run forked).
static ares ex_r;
static pdp_bundle *ex_b;

static void
example_setup(void)
{
	memset(&ex_r, 0, sizeof(ex_r));
	ck_assert_int_eq(iamc_builder_open(&ex_r.b), PDP_OK);
	iamc_diags_init(&ex_r.d);
	ex_r.rv = iamc_account_compile(EXAMPLE, NULL, ex_r.b, &ex_r.d,
	    &ex_r.st);
	ares_collect(&ex_r);
	ck_aclean(&ex_r);
	ex_b = ares_open(&ex_r, ex_r.st.revision);
}

static void
example_teardown(void)
{
	pdp_bundle_close(ex_b);
	ares_fini(&ex_r);
}

#define PROD "222222222222"
#define MGMT "111111111111"
#define ALICE "arn:aws:iam::" PROD ":user/alice"
#define CAROL "arn:aws:iam::" PROD ":user/carol"
#define BOB "arn:aws:iam::" PROD ":user/bob"
#define AUDITOR "arn:aws:iam::" MGMT ":user/audit/auditor"
#define TEAM_DATA "arn:aws:iam::" PROD ":role/abac/team-data"
#define SESSION "arn:aws:sts::" PROD ":assumed-role/team-data/alice"
#define APP_FN "arn:aws:lambda:eu-west-1:" PROD ":function:app-web"

#define ck_effect(q, want)                                                \
	do {                                                               \
		pdp_decision d_;                                           \
		pdp_explanation x_;                                        \
		pdp_effect e_ = decide(ex_b, (q), &d_, &x_);               \
		ck_assert_msg(e_ == (want), "%s %s %s: %s (%s), want %s",  \
		    (q)->principal, (q)->action,                          \
		    (q)->resource ? (q)->resource : "*",                  \
		    pdp_effect_name(e_), d_.reason ? d_.reason : "",       \
		    pdp_effect_name(want));                                \
		ck_assert_int_eq(d_.err, PDP_OK);                          \
	} while (0)

// --- the example ------------------------------------------------------------

START_TEST(test_account_example_compiles)
{
	ck_assert(ex_r.st.has_revision);
	ck_assert_uint_eq(ex_r.st.revision, 7);
	ck_assert_uint_eq(pdp_bundle_revision(ex_b), 7);
	ck_assert_uint_eq(ex_r.st.accounts, 2);
	ck_assert_uint_eq(ex_r.st.users, 5);
	ck_assert_uint_eq(ex_r.st.roles, 1);
	ck_assert_uint_eq(ex_r.st.groups, 2);
	// 5 users, 1 role and a root per account.
	ck_assert_uint_eq(ex_r.st.principals, 8);
	ck_assert_uint_eq(pdp_bundle_principals(ex_b), 8);
	// AppDeploy, DeveloperBoundary, AdministratorAccess and
	// AmazonS3ReadOnlyAccess can be named.
	ck_assert_uint_eq(ex_r.st.named, 4);
}
END_TEST

START_TEST(test_account_user_allowed_through_group_inline_policy)
{
	ask q = {ALICE, "logs:GetLogEvents",
	    "arn:aws:logs:eu-west-1:" PROD ":log-group:/app/web", NULL, NULL,
	    NULL, NULL, NULL, NULL};
	pdp_decision d;
	pdp_explanation x;

	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_ALLOW);
	ck_assert_msg(matched(&x, "group/developers/inline/ReadAppLogs", NULL),
	    "the group's inline policy decided");
	// Another log group is not granted by anything.
	q.resource = "arn:aws:logs:eu-west-1:" PROD ":log-group:/infra/db";
	ck_effect(&q, PDP_IMPLICIT_DENY);
}
END_TEST

START_TEST(test_account_managed_policy_default_version_attaches)
{
	// Only v2 (the default) of AppDeploy allows s3:GetObject.
	ask q = {CAROL, "s3:GetObject",
	    "arn:aws:s3:::acme-prod-artifacts/a.zip", PROD, NULL, NULL, NULL, NULL,
	    NULL};
	pdp_decision d;
	pdp_explanation x;

	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_ALLOW);
	ck_assert(matched(&x, "arn:aws:iam::" PROD ":policy/AppDeploy",
	    "Artifacts"));
}
END_TEST

START_TEST(test_account_scp_denies_member_account_not_management)
{
	ask q = {BOB, "cloudtrail:StopLogging", NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL};
	pdp_decision d;
	pdp_explanation x;

	// bob is an administrator of the member account.
	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_EXPLICIT_DENY);
	ck_assert_int_eq(x.deny_type, PDP_POLICY_SCP);
	ck_assert(matched(&x, "ProtectAuditTrail", "DenyCloudTrailTampering"));
	q.action = "cloudtrail:DescribeTrails";
	ck_effect(&q, PDP_ALLOW);
	// SCPs limit the member account's root user too.
	q.principal = "arn:aws:iam::" PROD ":root";
	q.action = "cloudtrail:StopLogging";
	ck_effect(&q, PDP_EXPLICIT_DENY);
	// ... but not the management account.
	q.principal = "arn:aws:iam::" MGMT ":user/admin";
	ck_effect(&q, PDP_ALLOW);
}
END_TEST

START_TEST(test_account_boundary_limits_user)
{
	ask q = {ALICE, "lambda:UpdateFunctionCode", APP_FN, NULL, NULL, NULL,
	    NULL, NULL, NULL};

	// Both are developers; alice's boundary allows no lambda action.
	ck_effect(&q, PDP_IMPLICIT_DENY);
	q.principal = CAROL;
	ck_effect(&q, PDP_ALLOW);
	// Within the boundary alice keeps what the group gives.
	q.principal = ALICE;
	q.action = "s3:PutObject";
	q.resource = "arn:aws:s3:::acme-prod-artifacts/a.zip";
	ck_effect(&q, PDP_ALLOW);
}
END_TEST

START_TEST(test_account_trust_policy_decides_assume_role)
{
	ask q = {ALICE, "sts:AssumeRole", TEAM_DATA, NULL, NULL, NULL, NULL,
	    NULL, NULL};
	pdp_decision d;
	pdp_explanation x;

	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_ALLOW);
	ck_assert(matched(&x, "role/team-data/trust", "BlueTeamDevelopers"));
	// carol's identity policies do not matter: the trust policy does
	// not name her.
	q.principal = CAROL;
	ck_effect(&q, PDP_IMPLICIT_DENY);
	q.principal = ALICE;
	q.action = "sts:TagSession";
	q.resource = TEAM_DATA;
	ck_effect(&q, PDP_ALLOW);
}
END_TEST

START_TEST(test_account_role_session_abac_uses_role_tags)
{
	ask q = {SESSION, "s3:GetObject", "arn:aws:s3:::acme-prod-data/q1.csv",
	    PROD, NULL, "s3:ExistingObjectTag/team", "blue", NULL, NULL};
	pdp_decision d;
	pdp_explanation x;

	// team=blue is the role's tag in the model.
	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_ALLOW);
	ck_assert(matched(&x, "role/team-data/inline/ReadTeamData",
	    "SameTeamObjects"));
	q.value = "red";
	ck_effect(&q, PDP_IMPLICIT_DENY);
	// A session of a role that is not in the bundle is unknown.
	q.principal = "arn:aws:sts::" PROD ":assumed-role/ghost/s";
	ck_assert_int_eq(decide(ex_b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(d.err, PDP_ENOENT);
}
END_TEST

START_TEST(test_account_session_policy_by_arn_narrows_session)
{
	ask q = {SESSION, "lambda:UpdateFunctionCode", APP_FN, NULL, NULL,
	    NULL, NULL, NULL, NULL};
	pdp_decision d;

	// The role's attached AppDeploy allows it without a session policy.
	ck_effect(&q, PDP_ALLOW);
	q.session = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
	ck_effect(&q, PDP_IMPLICIT_DENY);
	// What both allow stays allowed.
	q.action = "s3:GetObject";
	q.resource = "arn:aws:s3:::acme-prod-data/q1.csv";
	q.racct = PROD;
	q.key = "s3:ExistingObjectTag/team";
	q.value = "blue";
	ck_effect(&q, PDP_ALLOW);
	// A customer managed policy can be named too.
	q.session = "arn:aws:iam::" PROD
	    ":policy/boundaries/DeveloperBoundary";
	ck_effect(&q, PDP_ALLOW);
	q.session = "arn:aws:iam::" PROD ":policy/NoSuchPolicy";
	ck_assert_int_eq(decide(ex_b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(d.err, PDP_ENOENT);
}
END_TEST

START_TEST(test_account_cross_account_bucket_policy)
{
	ask q = {AUDITOR, "s3:GetObject",
	    "arn:aws:s3:::acme-prod-reports/q1.pdf", PROD, NULL, NULL, NULL, NULL,
	    NULL};
	pdp_decision d;
	pdp_explanation x;

	// Both sides allow: the auditor's inline policy and the bucket's.
	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_ALLOW);
	ck_assert(matched(&x, "arn:aws:s3:::acme-prod-reports",
	    "AuditorReads"));
	ck_assert(matched(&x, "user/auditor/inline/ReadProdReports", NULL));
	// A bucket of the other account without a policy for the auditor.
	q.resource = "arn:aws:s3:::acme-prod-artifacts/a.zip";
	ck_effect(&q, PDP_IMPLICIT_DENY);
	// The RCP of the organization root denies plain HTTP to member
	// resources.
	q.resource = "arn:aws:s3:::acme-prod-reports/q1.pdf";
	q.key = "aws:SecureTransport";
	q.value = "false";
	ck_assert_int_eq(decide(ex_b, &q, &d, &x), PDP_EXPLICIT_DENY);
	ck_assert_int_eq(x.deny_type, PDP_POLICY_RCP);
	ck_assert(matched(&x, "EnforceTLS", "DenyPlainHttp"));
}
END_TEST

START_TEST(test_account_unknown_principal_is_enoent)
{
	ask q = {"arn:aws:iam::" PROD ":user/mallory", "s3:GetObject", NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL};
	pdp_decision d;

	ck_assert_int_eq(decide(ex_b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(d.err, PDP_ENOENT);
	// A user is known by its ARN with its path.
	q.principal = "arn:aws:iam::" MGMT ":user/auditor";
	ck_assert_int_eq(decide(ex_b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(d.err, PDP_ENOENT);
	q.principal = "arn:aws:iam::999999999999:user/alice";
	ck_assert_int_eq(decide(ex_b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	ck_assert_int_eq(d.err, PDP_ENOENT);
}
END_TEST

// --- models of our own ------------------------------------------------------

START_TEST(test_account_principal_tags_and_unique_id_reach_conditions)
{
	char id[21], model[2048];
	ares r;

	iamc_account_unique_id("AIDA", "123456789012", "dana", id);
	snprintf(model, sizeof(model), ACCOUNT("'users':[{'name':'dana',"
	    "'tags':{'Project':'apollo'},'inlinePolicies':{'p':{" V12 ","
	    "'Statement':[{'Effect':'Allow','Action':'s3:GetObject',"
	    "'Resource':'arn:aws:s3:::${aws:PrincipalTag/Project}/*',"
	    "'Condition':{'StringEquals':{'aws:userid':'%s'}}}]}}}]"), id);
	ares_compile(&r, model);
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ask q = {"arn:aws:iam::123456789012:user/dana", "s3:GetObject",
	    "arn:aws:s3:::apollo/x", NULL, NULL, NULL, NULL, NULL, NULL};
	pdp_decision d;
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	q.resource = "arn:aws:s3:::gemini/x";
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	pdp_bundle_close(b);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_trust_policy_found_with_and_without_path)
{
	ares r;

	ares_compile(&r, ACCOUNT("'users':[{'name':'u'}],'roles':[{'name':"
	    "'r','path':'/ops/','trustPolicy':" TRUST_ACCT(
	    "arn:aws:iam::123456789012:user/u") "}]"));
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ask q = {"arn:aws:iam::123456789012:user/u", "sts:AssumeRole",
	    "arn:aws:iam::123456789012:role/ops/r", NULL, NULL, NULL, NULL,
	    NULL, NULL};
	pdp_decision d;
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	q.resource = "arn:aws:iam::123456789012:role/r";
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	// No identity policy lets u assume anything else.
	q.resource = "arn:aws:iam::123456789012:role/other";
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_IMPLICIT_DENY);
	pdp_bundle_close(b);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_unique_id_is_deterministic)
{
	char a[21], b[21], c[21];

	iamc_account_unique_id("AIDA", "123456789012", "alice", a);
	iamc_account_unique_id("AIDA", "123456789012", "ALICE", b);
	iamc_account_unique_id("AIDA", "123456789012", "bob", c);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_uint_eq(strlen(a), 20);
	ck_assert(strncmp(a, "AIDA", 4) == 0);
	for (int i = 4; i < 20; i++)
		ck_assert((a[i] >= 'A' && a[i] <= 'Z') ||
		    (a[i] >= '0' && a[i] <= '9'));
	iamc_account_unique_id("AIDA", "210987654321", "alice", c);
	ck_assert_str_ne(a, c);
}
END_TEST

// count_sets counts the policy sets of a bundle written by `r`.
static uint32_t
count_sets(ares *r)
{
	void *data;
	size_t len;
	uint32_t n = 0;

	ck_assert_int_eq(iamc_builder_write(r->b, 1, &data, &len), PDP_OK);
	const pdpb_header *h = data;
	const pdpb_section *dir = (const pdpb_section *) ((char *) data +
	    h->directory);
	for (uint32_t i = 0; i < h->nsections; i++)
		if (dir[i].id == PDPB_SEC_SETS)
			n = dir[i].count;
	free(data);
	return n;
}

START_TEST(test_account_same_policies_share_one_set)
{
	char model[16384];
	size_t off;
	ares r2, r40;

	for (int k = 0; k < 2; k++) {
		int nusers = k == 0 ? 2 : 40;
		off = (size_t) snprintf(model, sizeof(model),
		    "{'accounts':[{'id':'123456789012','groups':[{'name':'g',"
		    "'inlinePolicies':{'p':" ALLOW_ALL "}}],'users':[");
		for (int i = 0; i < nusers; i++)
			off += (size_t) snprintf(model + off,
			    sizeof(model) - off, "%s{'name':'u%d',"
			    "'groups':['g']}", i ? "," : "", i);
		snprintf(model + off, sizeof(model) - off, "]}]}");
		ares_compile(k == 0 ? &r2 : &r40, model);
		ck_aclean(k == 0 ? &r2 : &r40);
	}
	ck_assert_uint_eq(r40.st.principals, 41);
	ck_assert_uint_eq(count_sets(&r2), count_sets(&r40));
	ares_fini(&r2);
	ares_fini(&r40);
}
END_TEST

START_TEST(test_account_outside_organization_has_no_scp)
{
	ares r;

	ares_compile(&r, "{'organization':{'managementAccount':'111111111111',"
	    "'serviceControlPolicies':{'DenyAll':{" V12 ",'Statement':"
	    "[{'Effect':'Deny','Action':'*','Resource':'*'}]}},"
	    "'root':{'accounts':['111111111111',{'id':'222222222222',"
	    "'scps':['FullAWSAccess','DenyAll']}]}},'accounts':["
	    "{'id':'111111111111','users':[{'name':'u','inlinePolicies':"
	    "{'p':" ALLOW_ALL "}}]},"
	    "{'id':'222222222222','users':[{'name':'u','inlinePolicies':"
	    "{'p':" ALLOW_ALL "}}]},"
	    "{'id':'333333333333','users':[{'name':'u','inlinePolicies':"
	    "{'p':" ALLOW_ALL "}}]}]}");
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ask q = {"arn:aws:iam::111111111111:user/u", "ec2:RunInstances", NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL};
	pdp_decision d;
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	q.principal = "arn:aws:iam::222222222222:user/u";
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_EXPLICIT_DENY);
	q.principal = "arn:aws:iam::333333333333:user/u";
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	pdp_bundle_close(b);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_empty_scp_level_is_error_missing_is_full_access)
{
	ares r;

	// An OU without "scps" has FullAWSAccess, as AWS attaches it.
	ares_compile(&r, "{'organization':{'root':{'ous':[{'name':'a',"
	    "'accounts':['123456789012']}]}},'accounts':[{'id':"
	    "'123456789012','users':[{'name':'u','inlinePolicies':{'p':"
	    ALLOW_ALL "}}]}]}");
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ask q = {"arn:aws:iam::123456789012:user/u", "ec2:RunInstances", NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL};
	pdp_decision d;
	ck_assert_int_eq(decide(b, &q, &d, NULL), PDP_ALLOW);
	pdp_bundle_close(b);
	ares_fini(&r);

	ares_compile(&r, "{'organization':{'root':{'ous':[{'name':'a',"
	    "'scps':[],'accounts':['123456789012']}]}},'accounts':[{'id':"
	    "'123456789012'}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: organization.root.ous[0].scps",
	    "at least one SCP must be attached");
	ares_fini(&r);
}
END_TEST

// --- errors -----------------------------------------------------------------

START_TEST(test_account_error_unknown_group_has_path)
{
	ares r;

	ares_compile(&r, ACCOUNT("'groups':[{'name':'devs'}],'users':["
	    "{'name':'a'},{'name':'b','groups':['devs','ops','Devs']}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].users[1].groups[1]",
	    "unknown group \"ops\"");
	ck_aerr(&r, "m.json: accounts[0].users[1].groups[2]",
	    "unknown group \"Devs\" (did you mean \"devs\"?)");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_every_problem_at_once)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'12345','users':[{'name':"
	    "'a b'}]},"
	    "{'id':'123456789012','roles':[{'name':'r'}],'users':[{'name':"
	    "'x','inlinePolicies':{'p':{" V12 ",'Statement':[{'Effect':"
	    "'Allow','Action':'s3','Resource':'*'}]}}}]}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].id", "invalid account id \"12345\"");
	ck_aerr(&r, "m.json: accounts[1].roles[0]", "missing trustPolicy");
	ck_aerr(&r, "m.json: accounts[1].users[0].inlinePolicies.p: "
	    "Statement[0].Action", "prefaced by a vendor");
	// Nothing reached the builder: the valid account can still be added.
	ck_assert_int_eq(iamc_builder_account(r.b, "123456789012", NULL, 0,
	    NULL, 0), PDP_OK);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_names_and_duplicates)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'123456789012','users':["
	    "{'name':'Alice'},{'name':'alice'},{'name':'bad name'},"
	    "{'name':'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxx'},{'path':'/'}],"
	    "'roles':[{'name':'r','path':'nope','trustPolicy':"
	    TRUST_ACCT("123456789012") "}]},{'id':'123456789012'}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].users[1]",
	    "user \"alice\" is defined twice (names are unique ignoring "
	    "case): also at accounts[0].users[0]");
	ck_aerr(&r, "m.json: accounts[0].users[2].name",
	    "may contain only letters, digits and +=,.@_-");
	ck_aerr(&r, "m.json: accounts[0].users[3].name",
	    "must have 1 to 64 characters");
	ck_aerr(&r, "m.json: accounts[0].users[4].name", "missing user name");
	ck_aerr(&r, "m.json: accounts[0].roles[0].path",
	    "invalid path \"nope\"");
	ck_aerr(&r, "m.json: accounts[1]", "account 123456789012 is defined "
	    "twice: also at accounts[0]");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_group_cannot_list_groups)
{
	ares r;

	ares_compile(&r, ACCOUNT("'groups':[{'name':'a','groups':['b']},"
	    "{'name':'b'}],'users':[{'name':'u','groups':['a','b','c','d','e',"
	    "'f','g','h','i','j','k']}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].groups[0].groups",
	    "IAM groups cannot contain groups");
	ck_aerr(&r, "m.json: accounts[0].users[0].groups",
	    "11 groups: a user may belong to at most 10");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_managed_policy_references)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'111111111111','policies':[{"
	    "'name':'Mine','document':" ALLOW_ALL "}]},{'id':'222222222222',"
	    "'users':[{'name':'u','attachedPolicies':["
	    "'arn:aws:iam::111111111111:policy/Mine',"
	    "'arn:aws:iam::222222222222:policy/Nope','ReadOnly',"
	    "'arn:aws:iam::aws:policy/ReadOnlyAccess'],"
	    "'permissionsBoundary':'arn:aws:iam::222222222222:policy/B'}]}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[1].users[0].attachedPolicies[0]",
	    "belongs to account 111111111111");
	ck_aerr(&r, "m.json: accounts[1].users[0].attachedPolicies[1]",
	    "unknown managed policy "
	    "\"arn:aws:iam::222222222222:policy/Nope\"");
	ck_aerr(&r, "m.json: accounts[1].users[0].attachedPolicies[2]",
	    "not a managed policy ARN");
	ck_aerr(&r, "m.json: accounts[1].users[0].attachedPolicies[3]",
	    "no AWS managed policies file");
	ck_aerr(&r, "m.json: accounts[1].users[0].permissionsBoundary",
	    "unknown managed policy");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_aws_managed_unknown_name)
{
	iamc_account_options opt;
	ares r;

	memset(&opt, 0, sizeof(opt));
	opt.aws_managed = PDP_SOURCE_DIR
	    "/examples/account/aws-managed-policies.json";
	ares_compile_at(&r, "m.json", &opt, ACCOUNT("'roles':[{'name':'r',"
	    "'trustPolicy':" TRUST_ACCT("123456789012") ",'attachedPolicies':"
	    "['arn:aws:iam::aws:policy/AdministratorAccess',"
	    "'arn:aws:iam::aws:policy/NoSuchThing',"
	    "'arn:aws:iam::aws:policy/AdministratorAccess']}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].roles[0].attachedPolicies[1]",
	    "unknown AWS managed policy");
	ck_aerr(&r, "m.json: accounts[0].roles[0].attachedPolicies[2]",
	    "is attached twice");
	ares_fini(&r);

	opt.aws_managed = "/nonexistent/aws.json";
	ares_compile_at(&r, "m.json", &opt, ACCOUNT("'users':[{'name':'u'}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: --aws-managed", "cannot read AWS managed "
	    "policies file \"/nonexistent/aws.json\"");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_managed_policy_versions)
{
	ares r;

	ares_compile(&r, ACCOUNT("'policies':["
	    "{'name':'A','versions':[{'id':'v1','document':" ALLOW_ALL "},"
	    "{'id':'v2','document':" ALLOW_ALL "}]},"
	    "{'name':'B','versions':[{'id':'v1','document':" ALLOW_ALL "}],"
	    "'defaultVersion':'v3'},"
	    "{'name':'C','versions':[{'id':'1','document':" ALLOW_ALL "},"
	    "{'id':'v2','document':" ALLOW_ALL "},{'id':'v2','document':"
	    ALLOW_ALL "},{'id':'v4','document':" ALLOW_ALL "},{'id':'v5',"
	    "'document':" ALLOW_ALL "},{'id':'v6','document':" ALLOW_ALL "}],"
	    "'defaultVersion':'v2'},"
	    "{'name':'D','document':{'Statement':[{'Effect':'Allow',"
	    "'Action':'*','Resource':'*'}]}},"
	    "{'name':'d','document':" ALLOW_ALL "}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].policies[0]",
	    "defaultVersion is required");
	ck_aerr(&r, "m.json: accounts[0].policies[1].defaultVersion",
	    "must be the id of one of the versions");
	ck_aerr(&r, "m.json: accounts[0].policies[2].versions",
	    "6 versions: a managed policy may keep at most 5");
	ck_aerr(&r, "m.json: accounts[0].policies[2].versions[0].id",
	    "a version id is");
	ck_aerr(&r, "m.json: accounts[0].policies[2].versions[2].id",
	    "version \"v2\" is defined twice");
	ck_aerr(&r, "m.json: accounts[0].policies[3].document",
	    "Policy document must be version 2012-10-17 or greater.");
	ck_aerr(&r, "m.json: accounts[0].policies[4]",
	    "managed policy \"d\" is defined twice");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_role_fields)
{
	ares r;

	ares_compile(&r, ACCOUNT("'roles':[{'name':'r','trustPolicy':"
	    "{" V12 ",'Statement':[{'Effect':'Allow','Action':"
	    "'sts:AssumeRole'}]},'maxSessionDuration':60,"
	    "'id':'AIDAXXXXXXXXXXXXXXXX','tags':{'aws:team':'x','Team':'a',"
	    "'team':'b'},'colour':'blue'}]"));
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].roles[0].trustPolicy: Statement[0]",
	    "Missing required field Principal");
	ck_aerr(&r, "m.json: accounts[0].roles[0].maxSessionDuration",
	    "from 3600 to 43200");
	ck_aerr(&r, "m.json: accounts[0].roles[0].id",
	    "expected \"AROA\" followed by");
	ck_aerr(&r, "m.json: accounts[0].roles[0].tags[\"aws:team\"]",
	    "reserved for AWS");
	ck_aerr(&r, "m.json: accounts[0].roles[0].tags.team",
	    "differs from \"Team\" only in case");
	ck_aerr(&r, "m.json: accounts[0].roles[0].colour",
	    "unknown field \"colour\"");
	ares_fini(&r);
}
END_TEST

// Tag limits count characters, not bytes: a key of 128 two-byte
// letters is accepted, one of 129 is not.
START_TEST(test_account_tag_limits_count_characters)
{
	char key[2 * 129 + 1], model[1024];
	ares r;

	for (int n = 128; n <= 129; n++) {
		for (int i = 0; i < n; i++)
			memcpy(key + 2 * i, "\xc3\xa9", 2);
		key[2 * n] = '\0';
		snprintf(model, sizeof(model), ACCOUNT("'users':[{'name':'u',"
		    "'tags':{'%s':'v'}}]"), key);
		ares_compile(&r, model);
		if (n == 128)
			ck_aclean(&r);
		else
			ck_arejected(&r);
		ares_fini(&r);
	}
}
END_TEST

START_TEST(test_account_error_duplicate_unique_ids)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'111111111111','users':[{'name':"
	    "'a','id':'AIDAAAAAAAAAAAAAAAAA'}]},{'id':'222222222222','users':"
	    "[{'name':'b','id':'AIDAAAAAAAAAAAAAAAAA'}]}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[1].users[0].id", "unique id "
	    "\"AIDAAAAAAAAAAAAAAAAA\" is also used at "
	    "accounts[0].users[0].id");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_access_keys_reach_the_bundle)
{
	ares r;
	const char *owner;
	size_t n;
	bool active;

	ares_compile(&r, ACCOUNT("'users':[{'name':'ann','path':'/ops/',"
	    "'accessKeys':[{'accessKeyId':'AKIAANNEXAMPLE000001'},"
	    "{'accessKeyId':'AKIAANNEXAMPLE000002','status':'Inactive'}]}],"
	    "'rootAccessKeys':[{'accessKeyId':'AKIAROOTEXAMPLE00001',"
	    "'status':'Active'}]"));
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAANNEXAMPLE000001", 20,
	    &owner, &n, &active), PDP_OK);
	ck_assert(active);
	ck_assert(n == 38 && memcmp(owner,
	    "arn:aws:iam::123456789012:user/ops/ann", n) == 0);
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAANNEXAMPLE000002", 20,
	    &owner, &n, &active), PDP_OK);
	ck_assert(!active);
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAROOTEXAMPLE00001", 20,
	    &owner, &n, &active), PDP_OK);
	ck_assert(active);
	ck_assert(n == 30 && memcmp(owner, "arn:aws:iam::123456789012:root",
	    n) == 0);
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAANNEXAMPLE000003", 20,
	    &owner, &n, &active), PDP_ENOENT);
	pdp_bundle_close(b);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_access_key_of_a_user_with_a_long_path)
{
	// The longest path IAM allows (512 characters): the key's owner is
	// the user's whole ARN.
	char path[513], model[1024], want[640];
	ares r;
	const char *owner;
	size_t n;
	bool active;

	memset(path, 'p', 512);
	path[0] = path[511] = '/';
	path[512] = '\0';
	snprintf(model, sizeof(model), ACCOUNT("'users':[{'name':'ann',"
	    "'path':'%s','accessKeys':[{'accessKeyId':"
	    "'AKIAANNEXAMPLE000001'}]}]"), path);
	snprintf(want, sizeof(want), "arn:aws:iam::123456789012:user%sann",
	    path);
	ares_compile(&r, model);
	ck_aclean(&r);
	pdp_bundle *b = ares_open(&r, 1);
	ck_assert_int_eq(pdp_bundle_access_key(b, "AKIAANNEXAMPLE000001", 20,
	    &owner, &n, &active), PDP_OK);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(owner, want, n) == 0);
	pdp_bundle_close(b);
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_access_keys)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'111111111111','users':[{'name':"
	    "'a','accessKeys':[{'accessKeyId':'ASIAAAAAAAAAAAAAAAAA'},"
	    "{'accessKeyId':'AKIAAAAAAAAAAAAAAAAA','status':'active'},"
	    "{'accessKeyId':'AKIABBBBBBBBBBBBBBBB','secret':'x'}]}],"
	    "'rootAccessKeys':{}},{'id':'222222222222','rootAccessKeys':["
	    "{'accessKeyId':'AKIACCCCCCCCCCCCCCCC'},"
	    "{'accessKeyId':'AKIACCCCCCCCCCCCCCCC'}]}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].users[0].accessKeys", "3 access "
	    "keys: IAM allows at most 2");
	ck_aerr(&r, "m.json: accounts[0].users[0].accessKeys[0].accessKeyId",
	    "must be \"AKIA\"");
	ck_aerr(&r, "m.json: accounts[0].users[0].accessKeys[1].status",
	    "\"Active\" or \"Inactive\"");
	ck_aerr(&r, "m.json: accounts[0].users[0].accessKeys[2].secret",
	    "unknown");
	ck_aerr(&r, "m.json: accounts[0].rootAccessKeys", "must be an array");
	ck_aerr(&r, "m.json: accounts[1].rootAccessKeys[1]", "access key "
	    "\"AKIACCCCCCCCCCCCCCCC\" is also at "
	    "accounts[1].rootAccessKeys[0]");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_resource_policies)
{
	ares r;

	ares_compile(&r, "{'accounts':[{'id':'111111111111',"
	    "'resourcePolicies':"
	    "{'arn:aws:s3:::b':{'file':'nope.json'},"
	    "'arn:aws:iam::111111111111:role/r':" ALLOW_ALL ","
	    "'arn:aws:sqs:eu-west-1:222222222222:q':" ALLOW_ALL ","
	    "'bucket':" ALLOW_ALL "}},{'id':'222222222222','resourcePolicies':"
	    "{'arn:aws:s3:::b':{" V12 ",'Statement':[{'Effect':'Allow',"
	    "'Principal':'*','Action':'s3:GetObject'}]}}}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].resourcePolicies[\"arn:aws:s3:::b\"]",
	    "cannot read policy file \"nope.json\"");
	ck_aerr(&r, "m.json: accounts[0].resourcePolicies"
	    "[\"arn:aws:iam::111111111111:role/r\"]", "is its trustPolicy");
	ck_aerr(&r, "m.json: accounts[0].resourcePolicies"
	    "[\"arn:aws:sqs:eu-west-1:222222222222:q\"]",
	    "belongs to account \"222222222222\"");
	ck_aerr(&r, "m.json: accounts[0].resourcePolicies.bucket",
	    "is not an ARN");
	ck_aerr(&r, "m.json: accounts[1].resourcePolicies[\"arn:aws:s3:::b\"]",
	    "already has a policy at accounts[0]");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_in_document_file_names_file_and_reference)
{
	char dir[] = "/tmp/account_test_XXXXXX";
	char path[256], model[256];
	FILE *f;
	ares r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:GetObject\"}]}", f);
	fclose(f);
	snprintf(model, sizeof(model), "%s/model.json", dir);
	ares_compile_at(&r, model, NULL, ACCOUNT("'users':[{'name':'u',"
	    "'inlinePolicies':{'p':{'file':'bad.json'}}}]"));
	ck_arejected(&r);
	char want[300];
	snprintf(want, sizeof(want), "%s: Statement[0]", path);
	ck_aerr(&r, want, "(from accounts[0].users[0].inlinePolicies.p)");
	ares_fini(&r);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_account_error_organization)
{
	ares r;

	ares_compile(&r, "{'organization':{'managementAccount':'999999999999',"
	    "'serviceControlPolicies':{'FullAWSAccess':" ALLOW_ALL "},"
	    "'root':{'scps':['Nope'],'accounts':['123456789012',"
	    "'123456789012','555555555555'],'ous':[{'name':'a','ous':[{'name':"
	    "'b','ous':[{'name':'c','ous':[{'name':'d','ous':[{'name':'e',"
	    "'ous':[{'name':'f'}]}]}]}]}]},{'name':'a'}]}},"
	    "'accounts':[{'id':'123456789012'}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: organization.managementAccount",
	    "unknown account \"999999999999\"");
	ck_aerr(&r,
	    "m.json: organization.serviceControlPolicies.FullAWSAccess",
	    "is the name of the AWS managed policy");
	ck_aerr(&r, "m.json: organization.root.scps[0]",
	    "unknown SCP \"Nope\"");
	ck_aerr(&r, "m.json: organization.root.accounts[1]",
	    "placed twice in the organization");
	ck_aerr(&r, "m.json: organization.root.accounts[2]",
	    "unknown account \"555555555555\"");
	ck_aerr(&r, "m.json: organization.root.ous[0].ous[0].ous[0].ous[0]."
	    "ous[0].ous", "OUs nest at most 5 deep");
	ck_aerr(&r, "m.json: organization.root.ous[1]",
	    "OU \"a\" is defined twice under the same parent");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_error_quotas_and_json)
{
	char model[8192];
	size_t off;
	ares r;

	// Inline policies of one user: 2048 characters in all.
	off = (size_t) snprintf(model, sizeof(model), "{'accounts':[{'id':"
	    "'123456789012','users':[{'name':'u','inlinePolicies':{");
	for (int i = 0; i < 30; i++)
		off += (size_t) snprintf(model + off, sizeof(model) - off,
		    "%s'p%d':" ALLOW_ALL, i ? "," : "", i);
	snprintf(model + off, sizeof(model) - off, "}}]}]}");
	ares_compile(&r, model);
	ck_arejected(&r);
	ck_aerr(&r, "m.json: accounts[0].users[0]",
	    "a user may have at most 2048");
	ares_fini(&r);

	ares_compile(&r, "{'accounts':[{'id':'123456789012','id':'1'}]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json", "invalid JSON at line 1");
	ares_fini(&r);

	ares_compile(&r, "{'revision':-1,'acounts':[]}");
	ck_arejected(&r);
	ck_aerr(&r, "m.json: revision", "non-negative integer");
	ck_aerr(&r, "m.json: acounts", "unknown field \"acounts\"");
	ck_aerr(&r, "m.json: accounts", "missing accounts");
	ares_fini(&r);
}
END_TEST

START_TEST(test_account_missing_model_file_is_eio)
{
	iamc_builder *b;
	iamc_diags d;

	ck_assert_int_eq(iamc_builder_open(&b), PDP_OK);
	iamc_diags_init(&d);
	ck_assert_int_eq(iamc_account_compile("/nonexistent/model.json", NULL,
	    b, &d, NULL), PDP_EIO);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].path, "/nonexistent/model.json");
	iamc_diags_fini(&d);
	iamc_builder_close(b);
}
END_TEST

// --- the command ------------------------------------------------------------

static int
run_iamc(const char *args)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s/compiler/iamc %s >/dev/null 2>&1",
	    PDP_BINARY_DIR, args);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_account_cli_compile_writes_bundle_atomically)
{
	char dir[] = "/tmp/account_cli_XXXXXX", out[256], tmp[300], args[768];
	struct stat sb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/acme.pdpb", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	snprintf(args, sizeof(args), "compile %s -o %s --revision 42 --quiet",
	    EXAMPLE, out);
	ck_assert_int_eq(run_iamc(args), 0);
	ck_assert_int_ne(stat(tmp, &sb), 0); // renamed, not left behind
	pdp_bundle *b = NULL;
	char err[256];
	ck_assert_int_eq(pdp_bundle_open(out, &b, err, sizeof(err)), PDP_OK);
	ck_assert_uint_eq(pdp_bundle_revision(b), 42);
	ck_assert_uint_eq(pdp_bundle_principals(b), 8);
	pdp_bundle_close(b);

	// Usage errors exit 2; a model with errors exits 1 and leaves the
	// old bundle in place.
	ck_assert_int_eq(run_iamc("compile"), 2);
	snprintf(args, sizeof(args), "compile %s", EXAMPLE);
	ck_assert_int_eq(run_iamc(args), 2);
	snprintf(args, sizeof(args), "compile %s -o %s --revision x", EXAMPLE,
	    out);
	ck_assert_int_eq(run_iamc(args), 2);
	snprintf(args, sizeof(args), "compile %s/none.json -o %s", dir, out);
	ck_assert_int_eq(run_iamc(args), 1);
	ck_assert_int_eq(pdp_bundle_open(out, &b, err, sizeof(err)), PDP_OK);
	ck_assert_uint_eq(pdp_bundle_revision(b), 42);
	pdp_bundle_close(b);
	unlink(out);
	rmdir(dir);
}
END_TEST

static Suite *
account_suite(void)
{
	Suite *s = suite_create("account");
	TCase *ex = tcase_create("example");
	TCase *own = tcase_create("models");
	TCase *err = tcase_create("errors");

	tcase_add_checked_fixture(ex, example_setup, example_teardown);
	tcase_add_test(ex, test_account_example_compiles);
	tcase_add_test(ex,
	    test_account_user_allowed_through_group_inline_policy);
	tcase_add_test(ex,
	    test_account_managed_policy_default_version_attaches);
	tcase_add_test(ex,
	    test_account_scp_denies_member_account_not_management);
	tcase_add_test(ex, test_account_boundary_limits_user);
	tcase_add_test(ex, test_account_trust_policy_decides_assume_role);
	tcase_add_test(ex, test_account_role_session_abac_uses_role_tags);
	tcase_add_test(ex, test_account_tag_limits_count_characters);
	tcase_add_test(ex, test_account_session_policy_by_arn_narrows_session);
	tcase_add_test(ex, test_account_cross_account_bucket_policy);
	tcase_add_test(ex, test_account_unknown_principal_is_enoent);
	suite_add_tcase(s, ex);

	tcase_add_test(own,
	    test_account_principal_tags_and_unique_id_reach_conditions);
	tcase_add_test(own,
	    test_account_trust_policy_found_with_and_without_path);
	tcase_add_test(own, test_account_unique_id_is_deterministic);
	tcase_add_test(own, test_account_same_policies_share_one_set);
	tcase_add_test(own, test_account_outside_organization_has_no_scp);
	tcase_add_test(own,
	    test_account_empty_scp_level_is_error_missing_is_full_access);
	tcase_add_test(own, test_account_cli_compile_writes_bundle_atomically);
	tcase_set_timeout(own, 30);
	suite_add_tcase(s, own);

	tcase_add_test(err, test_account_error_unknown_group_has_path);
	tcase_add_test(err, test_account_error_every_problem_at_once);
	tcase_add_test(err, test_account_error_names_and_duplicates);
	tcase_add_test(err, test_account_error_group_cannot_list_groups);
	tcase_add_test(err, test_account_error_managed_policy_references);
	tcase_add_test(err, test_account_error_aws_managed_unknown_name);
	tcase_add_test(err, test_account_error_managed_policy_versions);
	tcase_add_test(err, test_account_error_role_fields);
	tcase_add_test(err, test_account_error_duplicate_unique_ids);
	tcase_add_test(err, test_account_access_keys_reach_the_bundle);
	tcase_add_test(err, test_account_access_key_of_a_user_with_a_long_path);
	tcase_add_test(err, test_account_error_access_keys);
	tcase_add_test(err, test_account_error_resource_policies);
	tcase_add_test(err,
	    test_account_error_in_document_file_names_file_and_reference);
	tcase_add_test(err, test_account_error_organization);
	tcase_add_test(err, test_account_error_quotas_and_json);
	tcase_add_test(err, test_account_missing_model_file_is_eio);
	suite_add_tcase(s, err);
	return s;
}

int
main(void)
{
	return run_suite(account_suite());
}
