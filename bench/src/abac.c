// abac.c - the ABAC workload of `pdpbench micro`: one account whose users
// share a set of tag-driven policies (conditions on principal, resource
// and request tags, policy variables in resources and condition values,
// IpAddress, Bool, Numeric, Date, Null and ForAnyValue operators, a
// NotAction statement) and a guardrail policy of explicit denies.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "micro.h"

static const char *const abac_policies[][2] = {
    {"AbacEc2",
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"StartStopOwnTeam\",\"Effect\":\"Allow\",\"Action\":["
        "\"ec2:StartInstances\",\"ec2:StopInstances\","
        "\"ec2:RebootInstances\"],\"Resource\":\"arn:aws:ec2:*:*:instance/*\","
        "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":"
        "\"${aws:PrincipalTag/team}\"}}},"
        "{\"Sid\":\"Describe\",\"Effect\":\"Allow\",\"Action\":["
        "\"ec2:Describe*\",\"ec2:Get*\"],\"Resource\":\"*\"},"
        "{\"Sid\":\"TagOwn\",\"Effect\":\"Allow\",\"Action\":\"ec2:"
        "CreateTags\","
        "\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringEquals\":{"
        "\"aws:TagKeys\":[\"team\",\"env\",\"cost-center\"]},"
        "\"StringEquals\":{\"aws:RequestTag/team\":"
        "\"${aws:PrincipalTag/team}\"}}},"
        "{\"Sid\":\"RunNeedsTeamTag\",\"Effect\":\"Deny\",\"Action\":"
        "\"ec2:RunInstances\",\"Resource\":\"arn:aws:ec2:*:*:instance/*\","
        "\"Condition\":{\"Null\":{\"aws:RequestTag/team\":\"true\"}}},"
        "{\"Sid\":\"Run\",\"Effect\":\"Allow\",\"Action\":\"ec2:"
        "RunInstances\","
        "\"Resource\":\"*\"}]}"},
    {"AbacS3",
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"TeamRead\",\"Effect\":\"Allow\",\"Action\":["
        "\"s3:GetObject\",\"s3:GetObjectVersion\",\"s3:GetObjectTagging\"],"
        "\"Resource\":\"arn:aws:s3:::data-${aws:PrincipalTag/team}/*\","
        "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\","
        "\"172.16.0.0/12\"]}}},"
        "{\"Sid\":\"TeamWrite\",\"Effect\":\"Allow\",\"Action\":["
        "\"s3:PutObject\",\"s3:DeleteObject\"],"
        "\"Resource\":\"arn:aws:s3:::data-${aws:PrincipalTag/team}/*\","
        "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"},"
        "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}},"
        "{\"Sid\":\"HomeList\",\"Effect\":\"Allow\",\"Action\":"
        "\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::home\","
        "\"Condition\":{\"StringLike\":{\"s3:prefix\":["
        "\"${aws:username}/*\",\"shared/*\"]}}},"
        "{\"Sid\":\"HomeRW\",\"Effect\":\"Allow\",\"Action\":["
        "\"s3:GetObject\",\"s3:PutObject\"],"
        "\"Resource\":\"arn:aws:s3:::home/${aws:username}/*\"}]}"},
    {"AbacDynamo",
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"TeamTables\",\"Effect\":\"Allow\",\"Action\":["
        "\"dynamodb:GetItem\",\"dynamodb:Query\",\"dynamodb:PutItem\","
        "\"dynamodb:UpdateItem\"],"
        "\"Resource\":\"arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/"
        "team}-*\","
        "\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":"
        "\"2020-01-01T00:00:00Z\"},\"DateLessThan\":{\"aws:CurrentTime\":"
        "\"2035-01-01T00:00:00Z\"}}},"
        "{\"Sid\":\"ProdReadOnly\",\"Effect\":\"Deny\",\"Action\":["
        "\"dynamodb:PutItem\",\"dynamodb:UpdateItem\","
        "\"dynamodb:DeleteItem\"],\"Resource\":\"arn:aws:dynamodb:*:*:table/"
        "*\","
        "\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/env\":\"prod\"},"
        "\"StringNotEquals\":{\"aws:PrincipalTag/role\":\"oncall\"}}}]}"},
    {"AbacGuardrails",
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"DenyOffNet\",\"Effect\":\"Deny\",\"Action\":\"*\","
        "\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":"
        "["
        "\"10.0.0.0/8\",\"172.16.0.0/12\",\"192.168.0.0/16\"]},"
        "\"Bool\":{\"aws:ViaAWSService\":\"false\"}}},"
        "{\"Sid\":\"DenyIam\",\"Effect\":\"Deny\",\"Action\":[\"iam:*\","
        "\"organizations:*\",\"account:*\"],\"Resource\":\"*\","
        "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalTag/role\":"
        "\"admin\"}}},"
        "{\"Sid\":\"DenyDeleteNoMfa\",\"Effect\":\"Deny\",\"Action\":["
        "\"s3:DeleteObject\",\"s3:DeleteBucket\",\"dynamodb:DeleteTable\"],"
        "\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{"
        "\"aws:MultiFactorAuthPresent\":\"false\"}}}]}"},
    {"AbacPowerUser",
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"PowerUser\",\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\","
        "\"organizations:*\",\"account:*\"],\"Resource\":\"*\","
        "\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/role\":"
        "\"admin\"}}},"
        "{\"Sid\":\"Observe\",\"Effect\":\"Allow\",\"Action\":[\"logs:Get*\","
        "\"logs:Describe*\",\"logs:FilterLogEvents\",\"cloudwatch:List*\","
        "\"cloudwatch:Get*\"],\"Resource\":\"*\"}]}"},
};
#define NPOLICIES (sizeof(abac_policies) / sizeof(abac_policies[0]))
#define NTEAMS    20

typedef struct user {
	const char *name, *arn;
	uint32_t team;
	bool prod, admin, oncall;
} user;

typedef struct abac {
	user *u;
	uint32_t n;
} abac;

// A request context under construction.
typedef struct ctx {
	pdp_context_entry e[16];
	uint32_t n;
} ctx;

static void
put(ctx *c, iamc_arena *a, const char *key, const char *val)
{
	const char **v = iamc_arena_alloc(a, sizeof(*v));
	if (v == NULL)
		bench_die("out of memory");
	v[0] = val;
	c->e[c->n++] = (pdp_context_entry) {key, v, 1, false};
}

static void
put_sdk(ctx *c, iamc_arena *a, const char *ip, bool mfa, const char *age)
{
	put(c, a, "aws:SourceIp", ip);
	put(c, a, "aws:MultiFactorAuthPresent", mfa ? "true" : "false");
	put(c, a, "aws:MultiFactorAuthAge", age);
	put(c, a, "aws:CurrentTime", "2025-06-01T12:00:00Z");
	put(c, a, "aws:RequestedRegion", "us-east-1");
	put(c, a, "aws:SecureTransport", "true");
	put(c, a, "aws:ViaAWSService", "false");
}

static const char *
pick(bench_rng *r, const char *const *v, uint32_t n)
{
	return v[bench_below(r, n)];
}

#define PICK(r, ...)                                 \
	pick(r, (const char *const[]) {__VA_ARGS__}, \
	    sizeof((const char *const[]) {__VA_ARGS__}) / sizeof(char *))

// find_user draws a user with the wanted role (-1: any; 0 plain; 1
// admin; 2 prod and not oncall).
static const user *
find_user(const abac *ab, bench_rng *r, int want)
{
	for (int tries = 0; tries < 1000; tries++) {
		const user *u = &ab->u[bench_below(r, ab->n)];
		if (want < 0 || (want == 0 && !u->admin) ||
		    (want == 1 && u->admin) ||
		    (want == 2 && u->prod && !u->oncall && !u->admin))
			return u;
	}
	return &ab->u[0];
}

static bool
propose(void *vctx, bench_rng *r, int intent, pdp_request *q, iamc_arena *a)
{
	const abac *ab = vctx;
	ctx c = {.n = 0};
	const user *u = find_user(ab, r, -1);
	uint32_t other = (u->team + 1 + bench_below(r, NTEAMS - 1)) % NTEAMS;
	uint32_t team = u->team;
	const char *ip = PICK(r, "10.1.2.3", "10.200.7.1", "172.16.5.9");
	bool mfa = true;
	const char *age = "300";
	uint32_t t;

	memset(q, 0, sizeof(*q));
	switch (intent) {
	case BENCH_HIT:
		t = bench_below(r, 7);
		if (t == 0) {
			q->action = PICK(r, "ec2:StartInstances",
			    "ec2:StopInstances", "ec2:RebootInstances");
			q->resource = bench_printf(a,
			    "arn:aws:ec2:us-east-1:" BENCH_ACCOUNT
			    ":instance/i-%08x",
			    bench_below(r, 1u << 30));
			put(&c, a, "aws:ResourceTag/team",
			    bench_printf(a, "team%02u", team));
		} else if (t == 1 || t == 2) {
			q->action = t == 1 ? "s3:GetObject" : "s3:PutObject";
			q->resource =
			    bench_printf(a, "arn:aws:s3:::data-team%02u/k/%u",
			        team, bench_below(r, 100000));
		} else if (t == 3) {
			q->action = "s3:ListBucket";
			q->resource = "arn:aws:s3:::home";
			put(&c, a, "s3:prefix",
			    bench_printf(a, "%s/docs/", u->name));
		} else if (t == 4) {
			q->action =
			    PICK(r, "dynamodb:GetItem", "dynamodb:Query");
			q->resource = bench_printf(a,
			    "arn:aws:dynamodb:"
			    "us-east-1:" BENCH_ACCOUNT
			    ":table/team%02u-orders",
			    team);
		} else if (t == 5) {
			q->action = "ec2:CreateTags";
			q->resource = "arn:aws:ec2:us-east-1:" BENCH_ACCOUNT
			              ":instance/i-0abc";
			const char **keys =
			    iamc_arena_alloc(a, 2 * sizeof(*keys));
			if (keys == NULL)
				bench_die("out of memory");
			keys[0] = "team";
			keys[1] = "env";
			c.e[c.n++] =
			    (pdp_context_entry) {"aws:TagKeys", keys, 2, true};
			put(&c, a, "aws:RequestTag/team",
			    bench_printf(a, "team%02u", team));
		} else {
			q->action = "ec2:RunInstances";
			q->resource = "arn:aws:ec2:us-east-1:" BENCH_ACCOUNT
			              ":instance/*";
			put(&c, a, "aws:RequestTag/team",
			    bench_printf(a, "team%02u", team));
		}
		break;
	case BENCH_WILD:
		t = bench_below(r, 3);
		if (t == 0) {
			q->action = PICK(r, "ec2:DescribeInstances",
			    "ec2:DescribeVolumes", "ec2:DescribeSubnets",
			    "ec2:GetConsoleOutput");
		} else if (t == 1) {
			q->action = PICK(r, "logs:GetLogEvents",
			    "logs:DescribeLogGroups", "cloudwatch:ListMetrics",
			    "cloudwatch:GetMetricData");
		} else {
			// NotAction: admins may do anything but IAM.
			u = find_user(ab, r, 1);
			q->action =
			    PICK(r, "sqs:SendMessage", "lambda:InvokeFunction",
			        "kinesis:PutRecord", "sns:Publish");
		}
		q->resource = "*";
		break;
	case BENCH_MISS:
		t = bench_below(r, 6);
		if (t == 0) {
			q->action = "ec2:StopInstances";
			q->resource = "arn:aws:ec2:us-east-1:" BENCH_ACCOUNT
			              ":instance/i-0def";
			put(&c, a, "aws:ResourceTag/team",
			    bench_printf(a, "team%02u", other));
		} else if (t == 1) {
			q->action = "s3:GetObject";
			q->resource =
			    bench_printf(a, "arn:aws:s3:::data-team%02u/k/%u",
			        other, bench_below(r, 100000));
		} else if (t == 2) {
			q->action = "s3:ListBucket";
			q->resource = "arn:aws:s3:::home";
			put(&c, a, "s3:prefix", "someone-else/");
		} else if (t == 3) {
			q->action = "dynamodb:GetItem";
			q->resource = bench_printf(a,
			    "arn:aws:dynamodb:"
			    "us-east-1:" BENCH_ACCOUNT
			    ":table/team%02u-orders",
			    other);
		} else if (t == 4) {
			u = find_user(ab, r, 0);
			q->action = PICK(r, "sqs:SendMessage", "sns:Publish");
			q->resource = "*";
		} else {
			q->action = "s3:PutObject";
			q->resource = bench_printf(
			    a, "arn:aws:s3:::data-team%02u/k", team);
			age = "7200"; // MFA too old
		}
		break;
	default:
		t = bench_below(r, 5);
		if (t == 0) {
			ip = "203.0.113.9"; // off the corporate network
			q->action = PICK(r, "s3:GetObject",
			    "ec2:StartInstances", "dynamodb:Query");
			q->resource = bench_printf(
			    a, "arn:aws:s3:::data-team%02u/k", team);
		} else if (t == 1) {
			u = find_user(ab, r, 0);
			q->action =
			    PICK(r, "iam:CreateUser", "iam:AttachUserPolicy",
			        "organizations:LeaveOrganization");
			q->resource = "*";
		} else if (t == 2) {
			mfa = false;
			q->action = "s3:DeleteObject";
			q->resource = bench_printf(
			    a, "arn:aws:s3:::data-team%02u/k", team);
		} else if (t == 3) {
			q->action = "ec2:RunInstances";
			q->resource = "arn:aws:ec2:us-east-1:" BENCH_ACCOUNT
			              ":instance/*";
		} else {
			u = find_user(ab, r, 2);
			q->action = "dynamodb:PutItem";
			q->resource = bench_printf(a,
			    "arn:aws:dynamodb:"
			    "us-east-1:" BENCH_ACCOUNT
			    ":table/team%02u-orders",
			    u->team);
		}
		break;
	}
	q->principal = u->arn;
	put_sdk(&c, a, ip, mfa, age);
	pdp_context_entry *e = iamc_arena_alloc(a, c.n * sizeof(*e));
	if (e == NULL)
		bench_die("out of memory");
	memcpy(e, c.e, c.n * sizeof(*e));
	q->context = e;
	q->ncontext = c.n;
	return true;
}

void
bench_build_abac(bench_world *w, uint32_t nprincipals, const bench_opts *o)
{
	static const double quota[BENCH_NINTENTS] = {0.35, 0.15, 0.30, 0.20};
	bench_rng rng = {o->seed ^ 0xabac};
	iamc_builder *bld;
	const pdpi_policy *pol[NPOLICIES];
	uint32_t set, nst = 0;
	abac ab = {.n = nprincipals};

	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "abac");
	if ((w->strs = iamc_arena_open()) == NULL ||
	    iamc_builder_open(&bld) != PDP_OK ||
	    (ab.u = calloc(nprincipals, sizeof(*ab.u))) == NULL)
		bench_die("out of memory");
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < NPOLICIES; i++) {
		iamc_diags d;
		iamc_diags_init(&d);
		int rv = iamc_policy_compile_text(iamc_builder_arena(bld),
		    abac_policies[i][1], strlen(abac_policies[i][1]),
		    PDP_POLICY_IDENTITY, abac_policies[i][0], &pol[i], &d);
		if (rv != PDP_OK)
			bench_die("%s: %s: %s %s", abac_policies[i][0],
			    pdp_strerror(rv), d.n ? d.v[0].path : "",
			    d.n ? d.v[0].message : "");
		iamc_diags_fini(&d);
		nst += pol[i]->nstmts;
	}
	uint64_t t1 = bench_now_ns();
	if (iamc_builder_account(bld, BENCH_ACCOUNT, NULL, 0, NULL, 0) ||
	    iamc_builder_set(bld, pol, NPOLICIES, true, &set))
		bench_die("builder: set");
	for (uint32_t p = 0; p < nprincipals; p++) {
		user *u = &ab.u[p];
		u->name = bench_printf(w->strs, "u%06u", p);
		u->arn = bench_printf(w->strs,
		    "arn:aws:iam::" BENCH_ACCOUNT ":user/%s", u->name);
		u->team = bench_below(&rng, NTEAMS);
		u->prod = bench_below(&rng, 2) == 0;
		uint32_t role = bench_below(&rng, 100);
		u->admin = role < 5;
		u->oncall = role >= 5 && role < 15;
		const char *keys[] = {"team", "env", "role", "cost-center"};
		const char *vals[] = {
		    bench_printf(w->strs, "team%02u", u->team),
		    u->prod ? "prod" : "dev",
		    u->admin      ? "admin" :
		        u->oncall ? "oncall" :
		                    "dev",
		    bench_printf(w->strs, "cc%03u", bench_below(&rng, 50))};
		iamc_principal_spec ps = {.kind = PDPB_USER,
		    .account = BENCH_ACCOUNT,
		    .name = u->name,
		    .identity = set,
		    .boundary = PDPB_NONE,
		    .ntags = 4,
		    .tag_keys = keys,
		    .tag_values = vals};
		if (iamc_builder_principal(bld, &ps) != PDP_OK)
			bench_die("builder: principal");
	}
	char err[256];
	if (iamc_builder_write(bld, 1, &w->data, &w->len) != PDP_OK ||
	    pdp_bundle_open_mem(w->data, w->len, &w->b, err, sizeof(err)))
		bench_die("abac: bundle");
	uint64_t t2 = bench_now_ns();
	w->nprincipals = nprincipals;
	w->nsets = 1;
	w->stmts = nst;
	w->compile_ms = (double) (t1 - t0) / 1e6;
	w->build_ms = (double) (t2 - t1) / 1e6;
	bench_progress("abac: %u principals, bundle %zu bytes; generating "
	               "requests",
	    nprincipals, w->len);
	bench_reqs_fill(w, o->nreqs, &rng, propose, &ab, quota);
	iamc_builder_close(bld);
	free(ab.u);
}
