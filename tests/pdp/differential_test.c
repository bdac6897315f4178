// differential_test.c - the compiled decision tables against the naive
// oracle (oracle.c). Random worlds (accounts with SCP and RCP levels,
// users, roles, sessions, boundaries, resource and trust policies,
// session policies) are built from (a) AWS managed policies of the corpus
// and (b) generated policies that exercise wildcards, NotAction,
// NotResource, NotPrincipal, conditions and variables. Each world is
// compiled into a bundle with the builder; random requests are decided by
// pdp_bundle_authorize (with and without an explanation) and by the
// oracle, which must agree on every decision. Seeded, so deterministic:
// a disagreement names its world and seed.

#define _GNU_SOURCE

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bundle.h"
#include "check_main.h"
#include "iamc.h"
#include "iamc_bundle.h"
#include "oracle.h"

#if defined(__SANITIZE_ADDRESS__)
#define DIFF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DIFF_SANITIZED 1
#endif
#endif

#define ACC_A "111111111111"
#define ACC_B "222222222222"

// --- Randomness -------------------------------------------------------------

static uint64_t rs;

static uint64_t
rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t
pick(size_t n)
{
	return (size_t) (rnd() % n);
}

static bool
chance(int percent)
{
	return (int) pick(100) < percent;
}

#define ONE_OF(a) (a[pick(sizeof(a) / sizeof(a[0]))])

// --- The callers ------------------------------------------------------------

enum {
	C_ALICE, C_BOB, C_BUILDER, C_OPS, C_CARL, C_XACCT, C_FED, C_SLR,
	C_ROOT_A, C_ROOT_B, C_ANON, C_SERVICE, NCALLERS,
};

static const char *const tk_alice[] = {"team"};
static const char *const tv_alice[] = {"red"};
static const char *const tk_bob[] = {"team", "env"};
static const char *const tv_bob[] = {"blue", "prod"};
static const char *const tk_builder[] = {"team"};
static const char *const tv_builder[] = {"red"};

typedef struct caller {
	oracle_caller oc;
	const char *principal; // as the request names it
	uint32_t kind;         // PDPB_*; 0: no record (anonymous, service)
	bool boundary;         // gets a permissions boundary
} caller;

static const caller callers[NCALLERS] = {
	[C_ALICE] = {{ORACLE_USER, ACC_A, "alice", "/eng/", NULL,
	    "AIDAALICE0000000001", 1, tk_alice, tv_alice, false, false},
	    "arn:aws:iam::111111111111:user/eng/alice", PDPB_USER, false},
	[C_BOB] = {{ORACLE_USER, ACC_A, "bob", "/", NULL,
	    "AIDABOB00000000001", 2, tk_bob, tv_bob, true, false},
	    "arn:aws:iam::111111111111:user/bob", PDPB_USER, true},
	[C_BUILDER] = {{ORACLE_ROLE_SESSION, ACC_A, "Builder", "/", "s1",
	    "AROABUILDER0000001", 1, tk_builder, tv_builder, false, false},
	    "arn:aws:sts::111111111111:assumed-role/Builder/s1", PDPB_ROLE,
	    false},
	[C_OPS] = {{ORACLE_ROLE_SESSION, ACC_A, "ops", "/", "night",
	    "AROAOPS0000000001", 0, NULL, NULL, true, false},
	    "arn:aws:sts::111111111111:assumed-role/ops/night", PDPB_ROLE,
	    true},
	[C_CARL] = {{ORACLE_USER, ACC_B, "carl", "/", NULL,
	    "AIDACARL000000001", 0, NULL, NULL, false, false},
	    "arn:aws:iam::222222222222:user/carl", PDPB_USER, false},
	[C_XACCT] = {{ORACLE_ROLE_SESSION, ACC_B, "xacct", "/", "x1",
	    "AROAXACCT00000001", 0, NULL, NULL, false, false},
	    "arn:aws:sts::222222222222:assumed-role/xacct/x1", PDPB_ROLE,
	    false},
	[C_FED] = {{ORACLE_FEDUSER, ACC_A, "fed", NULL, NULL, NULL, 0, NULL,
	    NULL, false, false},
	    "arn:aws:sts::111111111111:federated-user/fed", PDPB_FEDUSER,
	    false},
	[C_SLR] = {{ORACLE_ROLE_SESSION, ACC_A, "AWSServiceRoleForThing",
	    "/", "svc", "AROASLR0000000001", 0, NULL, NULL, false, true},
	    "arn:aws:sts::111111111111:assumed-role/"
	    "AWSServiceRoleForThing/svc",
	    PDPB_ROLE, false},
	[C_ROOT_A] = {{ORACLE_ROOT, ACC_A, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL, false, false}, "arn:aws:iam::111111111111:root", PDPB_ROOT,
	    false},
	[C_ROOT_B] = {{ORACLE_ROOT, ACC_B, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL, false, false}, "arn:aws:iam::222222222222:root", PDPB_ROOT,
	    false},
	[C_ANON] = {{ORACLE_ANONYMOUS, "", NULL, NULL, NULL, NULL, 0, NULL,
	    NULL, false, false}, "anonymous", 0, false},
	[C_SERVICE] = {{ORACLE_SERVICE, "", "lambda.amazonaws.com", NULL,
	    NULL, NULL, 0, NULL, NULL, false, false}, "lambda.amazonaws.com",
	    0, false},
};

// --- Universes for generated policies and requests -------------------------

static const char *const g_actions[] = {"*", "s3:*", "s3:Get*",
    "s3:GetObject", "s3:PutObject", "s3:List*", "s3:?etObject",
    "S3:getobject", "s3:*Object", "s3:ListBucket", "sqs:SendMessage",
    "sqs:*", "kms:Decrypt", "kms:*", "ec2:*Instances", "ec2:RunInstances",
    "iam:PassRole", "iam:*", "sts:AssumeRole", "sts:*", "s3:Delete*",
    "kms:Encrypt", "sqs:Receive?essage", "ec2:Describe*"};
static const char *const rq_actions[] = {"s3:GetObject", "s3:PutObject",
    "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketPolicy",
    "sqs:SendMessage", "sqs:ReceiveMessage", "kms:Decrypt", "kms:Encrypt",
    "ec2:RunInstances", "ec2:StartInstances", "ec2:DescribeImages",
    "iam:PassRole", "iam:ListUsers", "sts:AssumeRole", "sts:TagSession",
    "sts:GetCallerIdentity", "S3:GETOBJECT", "s3:getobject",
    "lambda:InvokeFunction", "dynamodb:GetItem"};
static const char *const g_resources[] = {"*", "arn:aws:s3:::bkt-a",
    "arn:aws:s3:::bkt-a/*", "arn:aws:s3:::bkt-*/*",
    "arn:aws:s3:::bkt-a/home/${aws:username}/*",
    "arn:aws:s3:::bkt-a/${aws:PrincipalTag/team, 'shared'}/*",
    "arn:aws:s3:::bkt-?/pub*", "arn:aws:sqs:*:111111111111:q*",
    "arn:aws:sqs:us-east-1:*:*", "arn:aws:kms:*:*:key/*",
    "arn:aws:iam::111111111111:role/*", "arn:aws:iam::*:role/Builder",
    "arn:aws:ec2:*:*:instance/*", "arn:aws:s3:*",
    "arn:aws:s3:::bkt-a/${*}x", "arn:aws:s3:::bkt-a/home/${aws:userid}/*",
    "arn:aws:s3:::bkt-b/*", "arn:aws:s3:::*log*",
    "arn:aws:kms:us-east-1:111111111111:key/k1",
    "arn:aws:sqs:us-east-1:222222222222:q2"};
static const char *const rq_resources[] = {"*", "arn:aws:s3:::bkt-a",
    "arn:aws:s3:::bkt-a/home/alice/f.txt", "arn:aws:s3:::bkt-a/home/bob/x",
    "arn:aws:s3:::bkt-a/red/doc", "arn:aws:s3:::bkt-a/shared/doc",
    "arn:aws:s3:::bkt-a/*x", "arn:aws:s3:::bkt-a/ax",
    "arn:aws:s3:::bkt-b/pub/1", "arn:aws:s3:::bkt-b",
    "arn:aws:s3:::bkt-a/home/AIDAALICE0000000001/k",
    "arn:aws:s3:::my-logs-1/a",
    "arn:aws:sqs:us-east-1:111111111111:q1",
    "arn:aws:sqs:us-east-1:222222222222:q2",
    "arn:aws:kms:us-east-1:111111111111:key/k1",
    "arn:aws:kms:us-east-1:222222222222:key/k9",
    "arn:aws:iam::111111111111:role/Builder",
    "arn:aws:iam::111111111111:role/ops",
    "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
    "arn:aws:lambda:us-east-1:111111111111:function:f:prod"};
static const char *const g_principals[] = {"'*'", "{'AWS':'*'}",
    "{'AWS':'111111111111'}", "{'AWS':'arn:aws:iam::111111111111:root'}",
    "{'AWS':'arn:aws:iam::111111111111:user/eng/alice'}",
    "{'AWS':'arn:aws:iam::111111111111:role/Builder'}",
    "{'AWS':'arn:aws:iam::111111111111:role/BUILDER'}",
    "{'AWS':'arn:aws:iam::222222222222:role/xacct'}",
    "{'AWS':'arn:aws:sts::111111111111:assumed-role/Builder/s1'}",
    "{'AWS':'AIDABOB00000000001'}", "{'AWS':'AROAOPS0000000001'}",
    "{'Service':'lambda.amazonaws.com'}", "{'AWS':'222222222222'}",
    "{'AWS':'arn:aws:iam::222222222222:user/carl'}",
    "{'AWS':'arn:aws:sts::111111111111:federated-user/fed'}",
    "{'AWS':['arn:aws:iam::111111111111:user/bob','222222222222']}",
    "{'AWS':['111111111111','arn:aws:iam::111111111111:role/ops',"
    "'arn:aws:sts::111111111111:assumed-role/ops/night']}",
    "{'AWS':'arn:aws:iam::111111111111:role/AWSServiceRoleForThing'}"};

// Condition keys: request values and policy values from the same pools.
typedef struct ckey {
	const char *key;
	const char *const *ops;     // operators that suit the key
	const char *const *pvals;   // policy values
	const char *const *rvals;   // request values
	bool multi;                 // a list key (aws:TagKeys)
} ckey;

#define L(...) (const char *const[]) {__VA_ARGS__, NULL}

static const ckey keys[] = {
	{"aws:username", L("StringEquals", "StringNotEquals", "StringLike",
	    "StringEqualsIgnoreCase"), L("alice", "bob", "ALICE", "a*"),
	    L("alice", "mallory"), false},
	{"aws:PrincipalTag/team", L("StringEquals", "StringNotEquals",
	    "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
	    L("red", "blue", "RED", "${aws:PrincipalTag/team}", ""),
	    L("green", "red"), false},
	{"s3:prefix", L("StringLike", "StringNotLike", "StringEquals"),
	    L("home/${aws:username}/*", "pub*", "", "a?c", "${*}*",
	    "home/${aws:PrincipalTag/team, 'none'}/*"),
	    L("home/alice/x", "pub/a", "", "abc", "*x", "home/none/1",
	    "home/red/2"), false},
	{"aws:RequestTag/env", L("StringEquals", "StringNotEquals",
	    "StringLike", "Null"), L("prod", "dev", "${aws:PrincipalTag/env}",
	    "p*"), L("prod", "dev", ""), false},
	{"aws:SourceArn", L("ArnLike", "ArnNotLike", "ArnEquals",
	    "StringLike"), L("arn:aws:sqs:*:111111111111:*",
	    "arn:aws:s3:::bkt-*", "arn:aws:*:*:${aws:PrincipalAccount}:*",
	    "not-an-arn"), L("arn:aws:sqs:us-east-1:111111111111:q1",
	    "arn:aws:s3:::bkt-a", "arn:aws:sqs:us-east-1:222222222222:q1:x",
	    "garbage"), false},
	{"aws:PrincipalArn", L("ArnEquals", "ArnNotEquals", "StringEquals",
	    "ArnLike"), L("arn:aws:iam::111111111111:role/Builder",
	    "arn:aws:iam::111111111111:user/eng/*",
	    "arn:aws:iam::*:root"), L("arn:aws:iam::111111111111:role/x"),
	    false},
	{"aws:MultiFactorAuthAge", L("NumericLessThan",
	    "NumericGreaterThanEquals", "NumericNotEquals", "NumericEquals"),
	    L("3600", "300", "3600.0", "-1", "1e3"),
	    L("100", "5000", "3600", "abc", "3600.00", "+300"), false},
	{"s3:max-keys", L("NumericLessThanEquals", "NumericGreaterThan",
	    "NumericEquals"), L("10", "10.5", "0"),
	    L("10", "9", "10.0", "x", "-0"), false},
	{"aws:CurrentTime", L("DateGreaterThan", "DateLessThan",
	    "DateEquals", "DateNotEquals", "DateLessThanEquals"),
	    L("2020-01-01T00:00:00Z", "1700000000", "2030-01-01",
	    "2024-01-01T01:00:00+01:00", "2024-06-01T12:00:00.5Z"),
	    L("2024-01-01T00:00:00Z", "1500000000",
	    "2031-05-05T10:00:00+02:00",
	    "garbage", "2024-06-01T12:00:00.500Z", "1704067200"), false},
	{"aws:SecureTransport", L("Bool"), L("true", "false", "TRUE"),
	    L("true", "false", "True", "yes"), false},
	{"aws:MultiFactorAuthPresent", L("Bool", "Null"), L("true",
	    "false"), L("true", "false"), false},
	{"aws:SourceIp", L("IpAddress", "NotIpAddress"), L("10.0.0.0/8",
	    "192.0.2.0/24", "2001:db8::/32", "203.0.113.5", "10.1.2.3/16"),
	    L("10.1.2.3", "192.0.2.77", "2001:db8::1", "not-an-ip",
	    "10.0.0.0/8", "203.0.113.5"), false},
	{"aws:TagKeys", L("StringEquals", "StringLike", "StringNotLike"),
	    L("team", "env*", "owner", ""), L("team", "env-x", "owner",
	    "TEAM"), true},
	{"aws:TokenIssueTime", L("Null", "DateGreaterThan"),
	    L("true", "false", "2023-01-01T00:00:00Z"),
	    L("2024-01-01T00:00:00Z"), false},
	{"aws:PrincipalType", L("StringEquals", "StringNotEquals"),
	    L("User", "AssumedRole", "Account", "Anonymous"), L("User"),
	    false},
	{"aws:userid", L("StringEquals", "StringLike"),
	    L("AIDABOB00000000001", "AROABUILDER0000001:*", "${aws:userid}",
	    "111111111111"), L("x"), false},
	{"aws:PrincipalAccount", L("StringEquals", "StringNotEquals"),
	    L("111111111111", "222222222222", "anonymous"), L("333333333333"),
	    false},
	{"ec2:ResourceTag/team", L("StringEquals", "StringNotEquals"),
	    L("${aws:PrincipalTag/team}", "red"), L("red", "blue"), false},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static size_t
list_len(const char *const *l)
{
	size_t n = 0;
	while (l[n] != NULL)
		n++;
	return n;
}

// --- JSON helpers -----------------------------------------------------------

// jq parses JSON written with ' for ".
static json_t *
jq(const char *text)
{
	char buf[4096];
	json_error_t e;
	size_t n = strlen(text);

	ck_assert_uint_lt(n, sizeof(buf));
	for (size_t i = 0; i <= n; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	json_t *j = json_loads(buf, JSON_DECODE_ANY, &e);
	ck_assert_msg(j != NULL, "%s: %s", buf, e.text);
	return j;
}

static json_t *
str_or_list(const char *const *pool, size_t npool, size_t max)
{
	size_t n = 1 + pick(max);
	if (n == 1 && chance(60))
		return json_string(pool[pick(npool)]);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(pool[pick(npool)]));
	return a;
}

// gen_value gives a condition value: usually a string, sometimes an
// unquoted number or boolean, sometimes a list.
static json_t *
gen_values(const ckey *k, const char *op)
{
	size_t np = list_len(k->pvals);
	size_t n = chance(70) ? 1 : 1 + pick(3);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		const char *v = k->pvals[pick(np)];
		if (strstr(op, "Numeric") && strcmp(v, "300") == 0 &&
		    chance(50))
			json_array_append_new(a, json_integer(300));
		else if ((strstr(op, "Bool") || strstr(op, "Null")) &&
		    chance(30))
			json_array_append_new(a, json_boolean(
			    strcmp(v, "true") == 0));
		else
			json_array_append_new(a, json_string(v));
	}
	if (n == 1 && chance(70)) {
		json_t *one = json_incref(json_array_get(a, 0));
		json_decref(a);
		return one;
	}
	return a;
}

static json_t *
gen_condition(void)
{
	json_t *c = json_object();
	size_t nops = 1 + pick(2);

	for (size_t i = 0; i < nops; i++) {
		const ckey *k = &keys[pick(NKEYS)];
		const char *base = k->ops[pick(list_len(k->ops))];
		char op[128];
		bool isnull = strcmp(base, "Null") == 0;
		const char *set = "";
		if (!isnull && (k->multi ? chance(85) : chance(12)))
			set = chance(50) ? "ForAnyValue:" : "ForAllValues:";
		snprintf(op, sizeof(op), "%s%s%s", set, base,
		    (!isnull && chance(20)) ? "IfExists" : "");
		json_t *m = json_object_get(c, op);
		if (m == NULL) {
			m = json_object();
			json_object_set_new(c, op, m);
		}
		// Null takes true/false whatever the key.
		json_t *v;
		if (isnull)
			v = chance(50) ? json_string(chance(50) ? "true" :
			    "false") : json_boolean(chance(50));
		else
			v = gen_values(k, base);
		// Key names are case-insensitive: vary their case.
		char key[128];
		snprintf(key, sizeof(key), "%s", k->key);
		if (chance(15))
			for (char *p = key; *p; p++)
				*p = (char) toupper((unsigned char) *p);
		json_object_set_new(m, key, v);
	}
	return c;
}

enum gkind { G_IDENTITY, G_RESOURCE, G_TRUST, G_SCP, G_RCP };

static json_t *
gen_statement(enum gkind kind, bool allow)
{
	json_t *st = json_object();

	json_object_set_new(st, "Effect", json_string(allow ? "Allow" :
	    "Deny"));
	if (chance(30)) {
		char sid[16];
		snprintf(sid, sizeof(sid), "S%u", (unsigned) pick(1000));
		json_object_set_new(st, "Sid", json_string(sid));
	}
	if (kind == G_TRUST) {
		static const char *const ta[] = {"sts:AssumeRole",
		    "sts:TagSession", "sts:*", "sts:Assume*"};
		json_object_set_new(st, "Action", str_or_list(ta, 4, 2));
	} else if (kind == G_RCP) {
		static const char *const ra[] = {"s3:*", "s3:GetObject",
		    "sqs:*", "kms:Decrypt", "sts:AssumeRole", "s3:Put*"};
		json_object_set_new(st, "Action", str_or_list(ra, 6, 2));
	} else {
		json_object_set_new(st, chance(15) ? "NotAction" : "Action",
		    str_or_list(g_actions, sizeof(g_actions) /
		    sizeof(g_actions[0]), 3));
	}
	if (kind != G_TRUST)
		json_object_set_new(st, chance(12) ? "NotResource" :
		    "Resource", str_or_list(g_resources,
		    sizeof(g_resources) / sizeof(g_resources[0]), 2));
	if (kind == G_RCP) {
		json_object_set_new(st, "Principal", json_string("*"));
	} else if (kind == G_RESOURCE || kind == G_TRUST) {
		json_t *p = jq(ONE_OF(g_principals));
		json_object_set_new(st, (!allow && kind == G_RESOURCE &&
		    !json_is_string(p) && chance(30)) ? "NotPrincipal" :
		    "Principal", p);
	}
	if (chance(kind == G_RCP ? 80 : 45))
		json_object_set_new(st, "Condition", gen_condition());
	return st;
}

static json_t *
gen_policy(enum gkind kind)
{
	json_t *doc = json_object();
	json_t *sts = json_array();
	size_t n = 1 + pick(4);

	// A few policies without Version: their ${...} are literal text.
	json_object_set_new(doc, "Version", json_string(kind == G_RCP ||
	    chance(93) ? "2012-10-17" : "2008-10-17"));
	if (kind == G_RCP) {
		// Customer RCPs only deny; RCPFullAWSAccess is added apart.
		for (size_t i = 0; i < n; i++)
			json_array_append_new(sts, gen_statement(kind, false));
	} else {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(sts, gen_statement(kind,
			    kind == G_SCP ? chance(60) : chance(70)));
	}
	if (kind == G_SCP && chance(60))
		json_array_append_new(sts, jq("{'Effect':'Allow',"
		    "'Action':'*','Resource':'*'}"));
	json_object_set_new(doc, "Statement", sts);
	return doc;
}

// --- The corpus -------------------------------------------------------------

static json_t *corpus;
static json_t **corpus_v;
static size_t corpus_n;

static void
load_corpus(void)
{
	const char *path = getenv("PDP_CORPUS");
	json_error_t e;
	const char *name;
	json_t *doc;

	if (path == NULL)
		path = PDP_SOURCE_DIR "/tests/data/"
		    "aws-managed-policies.json";
	corpus = json_load_file(path, 0, &e);
	ck_assert_msg(corpus != NULL, "%s: %s (set PDP_CORPUS)", path, e.text);
	corpus_v = calloc(json_object_size(corpus), sizeof(*corpus_v));
	ck_assert_ptr_nonnull(corpus_v);
	json_object_foreach(corpus, name, doc)
		corpus_v[corpus_n++] = doc;
	ck_assert_uint_gt(corpus_n, 100);
}

// --- Worlds -----------------------------------------------------------------

#define SET_MAX 6
#define LEVELS_MAX 3
#define RP_MAX 8
#define NSESS 2

typedef struct wset {
	size_t n;
	json_t *v[SET_MAX];
	const pdpi_policy *p[SET_MAX];
	oracle_set os;
} wset;

typedef struct rpol {
	const char *arn;
	const char *account;
	json_t *doc;
	const pdpi_policy *p;
} rpol;

typedef struct world {
	int index;
	uint64_t seed;
	bool from_corpus;
	iamc_builder *b;
	pdp_bundle *bundle;
	wset ident[NCALLERS];
	bool has_ident[NCALLERS];
	wset bnd[NCALLERS];
	wset scp[2][LEVELS_MAX]; // [0] account A, [1] account B
	size_t nscp[2];
	oracle_set scp_os[2][LEVELS_MAX];
	wset rcp[2][LEVELS_MAX];
	size_t nrcp[2];
	oracle_set rcp_os[2][LEVELS_MAX];
	rpol rp[RP_MAX];
	size_t nrp;
	wset sess[NSESS];
	// Corpus worlds: what their policies name, to aim requests at.
	const char *acts[4096];
	size_t nacts;
	const char *ress[1024];
	size_t nress;
	const char *ckeys[64];
	const json_t *cvals[64];
	size_t nckeys;
	size_t skipped; // documents the compiler refused
} world;

static json_t *rcp_full;

// compile_doc compiles one document into the builder's arena; NULL when
// the compiler refuses it (a corpus policy over a quota, say).
static const pdpi_policy *
compile_doc(world *w, json_t *doc, pdp_policy_type type)
{
	iamc_diags d;
	const pdpi_policy *p = NULL;
	char name[32];

	snprintf(name, sizeof(name), "p%zu", w->skipped);
	iamc_diags_init(&d);
	if (iamc_policy_compile(iamc_builder_arena(w->b), doc, type, name, &p,
	    &d) != PDP_OK)
		p = NULL;
	iamc_diags_fini(&d);
	return p;
}

// add_doc appends a document to a set, generating (or drawing from the
// corpus) until one compiles.
static void
add_doc(world *w, wset *s, enum gkind g, pdp_policy_type type, bool corpus_ok)
{
	for (int tries = 0; tries < 50; tries++) {
		json_t *doc;
		if (corpus_ok && w->from_corpus && chance(85))
			doc = json_incref(corpus_v[pick(corpus_n)]);
		else
			doc = gen_policy(g);
		const pdpi_policy *p = compile_doc(w, doc, type);
		if (p != NULL) {
			s->v[s->n] = doc;
			s->p[s->n++] = p;
			return;
		}
		w->skipped++;
		json_decref(doc);
	}
	ck_abort_msg("world %d: no policy of type %d compiles", w->index,
	    type);
}

static uint32_t
builder_set(world *w, wset *s, bool table)
{
	uint32_t idx;
	ck_assert_int_eq(iamc_builder_set(w->b, s->p, (uint32_t) s->n, table,
	    &idx), PDP_OK);
	s->os.n = s->n;
	s->os.v = s->v;
	return idx;
}

// collect gathers, from a corpus world's identity documents, the
// actions, resources and condition keys they name.
static void
collect(world *w, const json_t *doc)
{
	const json_t *sts = json_object_get(doc, "Statement");
	size_t n = json_is_array(sts) ? json_array_size(sts) : 1;

	for (size_t i = 0; i < n; i++) {
		const json_t *st = json_is_array(sts) ?
		    json_array_get(sts, i) : sts;
		const char *f[] = {"Action", "NotAction", "Resource",
		    "NotResource"};
		for (int k = 0; k < 4; k++) {
			const json_t *el = json_object_get(st, f[k]);
			size_t m = json_is_array(el) ? json_array_size(el) : 1;
			for (size_t j = 0; el != NULL && j < m; j++) {
				const char *s = json_string_value(
				    json_is_array(el) ? json_array_get(el, j) :
				    el);
				if (s == NULL)
					continue;
				if (k < 2 && w->nacts < 4096)
					w->acts[w->nacts++] = s;
				else if (k >= 2 && w->nress < 1024)
					w->ress[w->nress++] = s;
			}
		}
		const char *op, *key;
		json_t *keysobj, *v;
		json_object_foreach(json_object_get(st, "Condition"), op,
		    keysobj) {
			json_object_foreach(keysobj, key, v) {
				if (w->nckeys < 64) {
					w->ckeys[w->nckeys] = key;
					w->cvals[w->nckeys++] = v;
				}
			}
		}
	}
}

static void
build_world(world *w, int index, uint64_t seed, bool from_corpus)
{
	uint32_t ident[NCALLERS], bnd[NCALLERS], lv[2][2][LEVELS_MAX];
	void *data;
	size_t len;
	char err[256];

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->seed = seed;
	w->from_corpus = from_corpus;
	rs = seed;
	ck_assert_int_eq(iamc_builder_open(&w->b), PDP_OK);

	// Identity sets and boundaries of the principals with records.
	for (int c = 0; c < NCALLERS; c++) {
		ident[c] = bnd[c] = PDPB_NONE;
		if (callers[c].kind == 0 || callers[c].kind == PDPB_ROOT)
			continue;
		if (c == C_FED) {
			// A federated user has its IAM user's policies.
			w->ident[c] = w->ident[C_ALICE];
			w->has_ident[c] = true;
			ident[c] = ident[C_ALICE];
			continue;
		}
		size_t n = 1 + pick(from_corpus ? 3 : 2);
		for (size_t i = 0; i < n; i++)
			add_doc(w, &w->ident[c], G_IDENTITY, chance(50) ?
			    PDP_POLICY_IDENTITY : PDP_POLICY_AWS_MANAGED,
			    true);
		w->has_ident[c] = true;
		ident[c] = builder_set(w, &w->ident[c], chance(85));
		if (from_corpus)
			for (size_t i = 0; i < w->ident[c].n; i++)
				collect(w, w->ident[c].v[i]);
		if (callers[c].boundary) {
			add_doc(w, &w->bnd[c], G_IDENTITY,
			    PDP_POLICY_BOUNDARY, true);
			bnd[c] = builder_set(w, &w->bnd[c], chance(85));
		}
	}
	// Organization levels: account A is always a member, B sometimes.
	for (int a = 0; a < 2; a++) {
		bool member = a == 0 || chance(30);
		w->nscp[a] = member ? 1 + pick(2) : 0;
		w->nrcp[a] = member && chance(70) ? 1 + pick(2) : 0;
		for (size_t l = 0; l < w->nscp[a]; l++) {
			wset *s = &w->scp[a][l];
			size_t n = 1 + pick(2);
			for (size_t i = 0; i < n; i++)
				add_doc(w, s, G_SCP, PDP_POLICY_SCP,
				    chance(30));
			lv[a][0][l] = builder_set(w, s, chance(50));
			w->scp_os[a][l] = s->os;
		}
		for (size_t l = 0; l < w->nrcp[a]; l++) {
			wset *s = &w->rcp[a][l];
			// Every RCP level holds RCPFullAWSAccess.
			s->v[0] = json_incref(rcp_full);
			s->p[0] = compile_doc(w, rcp_full, PDP_POLICY_RCP);
			ck_assert_ptr_nonnull(s->p[0]);
			s->n = 1;
			size_t n = pick(3);
			for (size_t i = 0; i < n; i++)
				add_doc(w, s, G_RCP, PDP_POLICY_RCP, false);
			lv[a][1][l] = builder_set(w, s, chance(50));
			w->rcp_os[a][l] = s->os;
		}
	}
	ck_assert_int_eq(iamc_builder_account(w->b, ACC_A, lv[0][0],
	    (uint32_t) w->nscp[0], lv[0][1], (uint32_t) w->nrcp[0]), PDP_OK);
	ck_assert_int_eq(iamc_builder_account(w->b, ACC_B, lv[1][0],
	    (uint32_t) w->nscp[1], lv[1][1], (uint32_t) w->nrcp[1]), PDP_OK);

	for (int c = 0; c < NCALLERS; c++) {
		const caller *k = &callers[c];
		if (k->kind == 0)
			continue;
		iamc_principal_spec p;
		memset(&p, 0, sizeof(p));
		p.kind = k->kind;
		p.account = k->oc.account;
		p.name = k->oc.name ? k->oc.name : "";
		p.path = k->oc.kind == ORACLE_USER ? k->oc.path : NULL;
		p.unique_id = k->oc.unique_id;
		p.identity = ident[c];
		p.boundary = bnd[c];
		p.service_linked = k->oc.service_linked;
		p.ntags = (uint32_t) k->oc.ntags;
		p.tag_keys = k->oc.tag_keys;
		p.tag_values = k->oc.tag_values;
		ck_assert_int_eq(iamc_builder_principal(w->b, &p), PDP_OK);
	}

	// Resource-based policies, a trust policy and a key policy.
	static const struct {
		const char *arn, *account;
		enum gkind g;
	} rps[] = {
		{"arn:aws:s3:::bkt-a", ACC_A, G_RESOURCE},
		{"arn:aws:s3:::bkt-b", ACC_B, G_RESOURCE},
		{"arn:aws:sqs:us-east-1:111111111111:q1", ACC_A, G_RESOURCE},
		{"arn:aws:kms:us-east-1:111111111111:key/k1", ACC_A,
		    G_RESOURCE},
		{"arn:aws:iam::111111111111:role/Builder", ACC_A, G_TRUST},
		{"arn:aws:iam::111111111111:role/ops", ACC_A, G_TRUST},
	};
	for (size_t i = 0; i < sizeof(rps) / sizeof(rps[0]); i++) {
		if (chance(20))
			continue;
		wset tmp;
		memset(&tmp, 0, sizeof(tmp));
		add_doc(w, &tmp, rps[i].g, rps[i].g == G_TRUST ?
		    PDP_POLICY_TRUST : PDP_POLICY_RESOURCE, false);
		rpol *r = &w->rp[w->nrp++];
		r->arn = rps[i].arn;
		r->account = rps[i].account;
		r->doc = tmp.v[0];
		r->p = tmp.p[0];
		ck_assert_int_eq(iamc_builder_resource_policy(w->b, r->arn,
		    r->p), PDP_OK);
	}
	for (int i = 0; i < NSESS; i++) {
		char name[16];
		add_doc(w, &w->sess[i], G_IDENTITY, PDP_POLICY_SESSION, true);
		snprintf(name, sizeof(name), "sp%d", i);
		ck_assert_int_eq(iamc_builder_named(w->b, name,
		    builder_set(w, &w->sess[i], chance(50))), PDP_OK);
	}

	ck_assert_int_eq(iamc_builder_write(w->b, (uint64_t) index, &data,
	    &len), PDP_OK);
	ck_assert_msg(pdp_bundle_open_mem(data, len, &w->bundle, err,
	    sizeof(err)) == PDP_OK, "world %d: %s", index, err);
	free(data);
}

static void
free_wset(wset *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_decref(s->v[i]);
}

static void
free_world(world *w)
{
	for (int c = 0; c < NCALLERS; c++)
		if (c != C_FED)
			free_wset(&w->ident[c]);
	for (int c = 0; c < NCALLERS; c++)
		free_wset(&w->bnd[c]);
	for (int a = 0; a < 2; a++) {
		for (size_t l = 0; l < w->nscp[a]; l++)
			free_wset(&w->scp[a][l]);
		for (size_t l = 0; l < w->nrcp[a]; l++)
			free_wset(&w->rcp[a][l]);
	}
	for (size_t i = 0; i < w->nrp; i++)
		json_decref(w->rp[i].doc);
	for (int i = 0; i < NSESS; i++)
		free_wset(&w->sess[i]);
	pdp_bundle_close(w->bundle);
	iamc_builder_close(w->b);
}

// --- Requests ---------------------------------------------------------------

#define CTX_N 24

typedef struct req {
	int caller;
	char action[256];
	char resource[512];
	const char *racct;     // as passed to the library (NULL: derive)
	char racct_eff[16];    // what the oracle is told
	int session;           // -1 none
	pdp_context_entry pc[CTX_N];
	oracle_ctx oc[CTX_N];
	size_t nctx;
	const char *vals[CTX_N][4];
	char keybuf[CTX_N][128];
	char valbuf[CTX_N][4][256];
} req;

// concretize replaces the wildcards of a policy pattern with text, so a
// request can hit the pattern (or narrowly miss it).
static void
concretize(char *out, size_t cap, const char *pat, bool fold_case)
{
	static const char *const stars[] = {"", "x", "ab/c", "Foo", "a:b"};
	size_t n = 0;

	for (const char *p = pat; *p && n + 8 < cap; p++) {
		if (p[0] == '$' && p[1] == '{') {
			const char *e = strchr(p, '}');
			if (e != NULL) {
				const char *v = chance(50) ? "alice" : "red";
				n += (size_t) snprintf(out + n, cap - n, "%s",
				    v);
				p = e;
				continue;
			}
		}
		if (*p == '*') {
			n += (size_t) snprintf(out + n, cap - n, "%s",
			    ONE_OF(stars));
		} else if (*p == '?') {
			out[n++] = 'q';
		} else {
			char c = *p;
			if (fold_case && chance(10))
				c = (char) (isupper((unsigned char) c) ?
				    tolower((unsigned char) c) :
				    toupper((unsigned char) c));
			out[n++] = c;
		}
	}
	out[n] = '\0';
}

static void
add_ctx(req *q, const char *key, const char *const *vals, size_t n,
    bool multi)
{
	size_t i = q->nctx++;
	snprintf(q->keybuf[i], sizeof(q->keybuf[0]), "%s", key);
	if (chance(15))
		for (char *p = q->keybuf[i]; *p; p++)
			*p = (char) (chance(50) ? toupper((unsigned char) *p) :
			    tolower((unsigned char) *p));
	for (size_t k = 0; k < n && k < 4; k++) {
		snprintf(q->valbuf[i][k], sizeof(q->valbuf[0][0]), "%s",
		    vals[k]);
		q->vals[i][k] = q->valbuf[i][k];
	}
	q->pc[i].key = q->keybuf[i];
	q->pc[i].values = q->vals[i];
	q->pc[i].nvalues = (uint32_t) n;
	q->pc[i].multi = multi;
	q->oc[i].key = q->keybuf[i];
	q->oc[i].values = q->vals[i];
	q->oc[i].nvalues = n;
	q->oc[i].multi = multi;
}

static void
gen_context(world *w, req *q)
{
	for (size_t i = 0; i < NKEYS && q->nctx < CTX_N; i++) {
		const ckey *k = &keys[i];
		if (chance(45))
			continue;
		const char *v[4];
		size_t nr = list_len(k->rvals), np = list_len(k->pvals);
		size_t n = k->multi ? pick(4) : 1;
		for (size_t j = 0; j < n; j++)
			v[j] = chance(60) ? k->rvals[pick(nr)] :
			    k->pvals[pick(np)];
		// A single-valued key given as a list now and then.
		add_ctx(q, k->key, v, n, k->multi || chance(6));
	}
	// Corpus worlds: the keys their own conditions test.
	for (size_t i = 0; i < w->nckeys && q->nctx < CTX_N; i++) {
		if (chance(50))
			continue;
		const json_t *pv = w->cvals[i];
		const json_t *one = json_is_array(pv) ?
		    json_array_get(pv, pick(json_array_size(pv) + 1)) : pv;
		char buf[256];
		const char *v = json_string_value(one);
		if (v != NULL && chance(70))
			concretize(buf, sizeof(buf), v, false);
		else if (json_is_true(one) || json_is_false(one))
			snprintf(buf, sizeof(buf), "%s", json_is_true(one) ?
			    "true" : "false");
		else
			snprintf(buf, sizeof(buf), "%s", chance(50) ? "x" :
			    "true");
		const char *vv[1] = {buf};
		add_ctx(q, w->ckeys[i], vv, 1, chance(10));
	}
}

static const char *
arn_account(const char *arn, char *buf, size_t cap)
{
	// The fifth field of an ARN.
	const char *p = arn;
	for (int i = 0; i < 4 && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (p == NULL || strncmp(arn, "arn:", 4) != 0)
		return "";
	const char *e = strchr(p, ':');
	size_t n = e ? (size_t) (e - p) : 0;
	if (n >= cap)
		n = 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void
gen_request(world *w, req *q)
{
	memset(q, 0, sizeof(*q));
	q->caller = (int) pick(NCALLERS);
	if (w->from_corpus && w->nacts > 0 && chance(70))
		concretize(q->action, sizeof(q->action),
		    w->acts[pick(w->nacts)], true);
	else
		snprintf(q->action, sizeof(q->action), "%s",
		    ONE_OF(rq_actions));
	if (strcmp(q->action, "*") == 0 || strchr(q->action, ':') == NULL)
		snprintf(q->action, sizeof(q->action), "%s",
		    ONE_OF(rq_actions));
	if (w->from_corpus && w->nress > 0 && chance(50))
		concretize(q->resource, sizeof(q->resource),
		    w->ress[pick(w->nress)], false);
	else
		snprintf(q->resource, sizeof(q->resource), "%s",
		    ONE_OF(rq_resources));
	// The resource's account: S3 ARNs have none, so name it.
	char buf[16];
	const char *ra = arn_account(q->resource, buf, sizeof(buf));
	if (strncmp(q->resource, "arn:aws:s3:::bkt-a", 18) == 0)
		q->racct = ACC_A;
	else if (strncmp(q->resource, "arn:aws:s3:::bkt-b", 18) == 0)
		q->racct = ACC_B;
	else if (chance(20))
		q->racct = chance(50) ? ACC_A : ACC_B;
	else
		q->racct = NULL;
	snprintf(q->racct_eff, sizeof(q->racct_eff), "%s", q->racct ?
	    q->racct : ra[0] ? ra : callers[q->caller].oc.account);
	q->session = -1;
	if ((callers[q->caller].oc.kind == ORACLE_ROLE_SESSION ||
	    callers[q->caller].oc.kind == ORACLE_FEDUSER) && chance(35))
		q->session = (int) pick(NSESS);
	gen_context(w, q);
}

// find_rp finds the resource's policy; an S3 object uses its bucket's.
static const rpol *
find_rp(const world *w, const char *res)
{
	for (size_t i = 0; i < w->nrp; i++)
		if (strcmp(w->rp[i].arn, res) == 0)
			return &w->rp[i];
	if (strncmp(res, "arn:aws:s3:::", 13) == 0) {
		const char *slash = strchr(res + 13, '/');
		for (size_t i = 0; slash && i < w->nrp; i++)
			if (strlen(w->rp[i].arn) == (size_t) (slash - res) &&
			    strncmp(w->rp[i].arn, res, (size_t) (slash -
			    res)) == 0)
				return &w->rp[i];
	}
	return NULL;
}

static int
acct_index(const char *a)
{
	if (a != NULL && strcmp(a, ACC_A) == 0)
		return 0;
	if (a != NULL && strcmp(a, ACC_B) == 0)
		return 1;
	return -1;
}

static void
oracle_world_of(world *w, const req *q, oracle_world *ow)
{
	const caller *k = &callers[q->caller];
	static json_t *none[1];

	memset(ow, 0, sizeof(*ow));
	ow->identity.v = none;
	if (w->has_ident[q->caller])
		ow->identity = w->ident[q->caller].os;
	if (k->boundary) {
		ow->has_boundary = true;
		ow->boundary = w->bnd[q->caller].os;
	}
	if (q->session >= 0) {
		ow->has_session = true;
		ow->session = w->sess[q->session].os;
	}
	const rpol *r = strcmp(q->resource, "*") ? find_rp(w, q->resource) :
	    NULL;
	ow->resource = r ? r->doc : NULL;
	int pa = acct_index(k->oc.account);
	if (pa >= 0) {
		ow->nscp = w->nscp[pa];
		ow->scp = w->scp_os[pa];
	}
	int ra = acct_index(q->racct_eff);
	if (ra >= 0) {
		ow->nrcp = w->nrcp[ra];
		ow->rcp = w->rcp_os[ra];
	}
}

// --- Reporting --------------------------------------------------------------

static void
dump_doc(const char *what, const json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	printf("    %s: %s\n", what, s ? s : "?");
	free(s);
}

static void
dump_set(const char *what, const oracle_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		dump_doc(what, s->v[i]);
}

static void
report(const world *w, const req *q, const oracle_world *ow,
    pdp_effect got, const char *reason, pdp_effect want, const char *why)
{
	printf("DISAGREEMENT world %d (seed %llu, %s): engine %s (%s), "
	    "oracle %s (%s)\n", w->index, (unsigned long long) w->seed,
	    w->from_corpus ? "corpus" : "generated", pdp_effect_name(got),
	    reason ? reason : "", pdp_effect_name(want), why ? why : "");
	printf("  principal %s action %s resource %s resource_account %s "
	    "(given %s) session %d\n", callers[q->caller].principal,
	    q->action, q->resource, q->racct_eff, q->racct ? q->racct :
	    "NULL", q->session);
	for (size_t i = 0; i < q->nctx; i++) {
		printf("  context %s%s =", q->pc[i].key, q->pc[i].multi ?
		    " (list)" : "");
		for (uint32_t k = 0; k < q->pc[i].nvalues; k++)
			printf(" \"%s\"", q->pc[i].values[k]);
		printf("\n");
	}
	dump_set("identity", &ow->identity);
	if (ow->has_boundary)
		dump_set("boundary", &ow->boundary);
	if (ow->has_session)
		dump_set("session", &ow->session);
	if (ow->resource)
		dump_doc("resource", ow->resource);
	for (size_t i = 0; i < ow->nscp; i++)
		dump_set("scp level", &ow->scp[i]);
	for (size_t i = 0; i < ow->nrcp; i++)
		dump_set("rcp level", &ow->rcp[i]);
}

// --- The test ---------------------------------------------------------------

static size_t
requests_wanted(void)
{
	const char *env = getenv("PDP_DIFF_REQUESTS");
	if (env != NULL && atol(env) > 0)
		return (size_t) atol(env);
#ifdef DIFF_SANITIZED
	return 150000;
#else
	return 300000;
#endif
}

// A batch of requests waiting to be decided together: the requests,
// what the library was given, and what it answered one by one. 37: two
// whole groups of those the library reads ahead together, and a part.
#define BATCH 37
static req pend[BATCH];
static pdp_request pend_pr[BATCH];
static char pend_sname[BATCH][16];
static pdp_decision pend_d[BATCH];

// check_batch decides the n waiting requests in one call of
// pdp_bundle_authorize_many, reading ahead as in a large bundle, and
// returns how many answers differ from the ones given one by one.
static size_t
check_batch(const world *w, size_t n)
{
	pdp_decision d[BATCH];
	size_t bad = 0;

	int first = PDP_OK;
	for (size_t i = 0; i < n && first == PDP_OK; i++)
		first = pend_d[i].err;
	w->bundle->ahead = true;
	int rv = pdp_bundle_authorize_many(w->bundle, pend_pr, n, d);
	w->bundle->ahead = false;
	if (rv != first) {
		printf("BATCH DISAGREEMENT world %d: the batch returned %d, "
		    "its first error is %d\n", w->index, rv, first);
		bad++;
	}
	for (size_t i = 0; i < n; i++) {
		const pdp_decision *s = &pend_d[i];
		if (d[i].effect == s->effect && d[i].err == s->err &&
		    d[i].revision == s->revision && d[i].reason != NULL &&
		    s->reason != NULL && strcmp(d[i].reason, s->reason) == 0)
			continue;
		if (bad++ < 4)
			printf("BATCH DISAGREEMENT world %d: %s %s on %s: "
			    "one by one %s (%s), in a batch %s (%s)\n",
			    w->index, pend_pr[i].principal, pend_pr[i].action,
			    pend_pr[i].resource ? pend_pr[i].resource : "NULL",
			    pdp_effect_name(s->effect), s->reason,
			    pdp_effect_name(d[i].effect), d[i].reason);
	}
	return bad;
}

START_TEST(test_differential_engine_agrees_with_oracle)
{
	size_t batched = 0, batched_bad = 0;
	size_t want = requests_wanted(), per_world = 400;
	size_t nworlds = (want + per_world - 1) / per_world;
	size_t total = 0, bad = 0, shown = 0, skipped = 0, counts[3] = {0};
	size_t by_mode[2] = {0};
	struct timespec t0, t1;

#ifdef DIFF_SANITIZED
	printf("differential: sanitizer build: %zu requests (the Release "
	    "build runs 300000; PDP_DIFF_REQUESTS overrides)\n", want);
#endif
	clock_gettime(CLOCK_MONOTONIC, &t0);
	load_corpus();
	rcp_full = jq("{'Version':'2012-10-17','Statement':[{'Effect':"
	    "'Allow','Principal':'*','Action':'*','Resource':'*'}]}");
	for (size_t wi = 0; wi < nworlds; wi++) {
		static world w;
		bool from_corpus = wi % 2 == 0;
		build_world(&w, (int) wi, 0x5eed0000ull + wi, from_corpus);
		skipped += w.skipped;
		size_t npend = 0;
		for (size_t i = 0; i < per_world && total < want; i++) {
			// Requests wait in batches of BATCH to be decided
			// again together, reading ahead.
			req *q = &pend[npend];
			gen_request(&w, q);
			pdp_request *pp = &pend_pr[npend];
			pdp_request pr;
			memset(&pr, 0, sizeof(pr));
			pr.principal = callers[q->caller].principal;
			pr.action = q->action;
			pr.resource = strcmp(q->resource, "*") ? q->resource :
			    (chance(50) ? "*" : NULL);
			pr.resource_account = q->racct;
			pr.context = q->pc;
			pr.ncontext = (uint32_t) q->nctx;
			char *sname = pend_sname[npend];
			if (q->session >= 0) {
				snprintf(sname, sizeof(pend_sname[0]),
				    "sp%d", q->session);
				pr.session_policy = sname;
			}
			*pp = pr;
			pdp_decision d, dx;
			pdp_explanation ex;
			pdp_bundle_authorize(w.bundle, &pr, &d, NULL);
			pdp_bundle_authorize(w.bundle, &pr, &dx, &ex);

			oracle_request oq;
			oracle_world ow;
			const char *why = NULL;
			memset(&oq, 0, sizeof(oq));
			oq.who = callers[q->caller].oc;
			oq.action = q->action;
			oq.resource = q->resource;
			oq.resource_account = q->racct_eff;
			oq.ctx = q->oc;
			oq.nctx = q->nctx;
			oracle_world_of(&w, q, &ow);
			pdp_effect want_e = oracle_decide(&ow, &oq, &why);

			pend_d[npend++] = d;
			if (npend == BATCH || i + 1 == per_world ||
			    total + 1 == want) {
				batched_bad += check_batch(&w, npend);
				batched += npend;
				npend = 0;
			}
			total++;
			by_mode[from_corpus]++;
			counts[want_e]++;
			bool ok = d.err == PDP_OK && dx.err == PDP_OK &&
			    d.effect == want_e && dx.effect == want_e;
			if (!ok) {
				bad++;
				if (shown++ < 8) {
					if (d.err != PDP_OK || dx.effect !=
					    d.effect)
						printf("(engine err %d, with "
						    "explanation %s)\n", d.err,
						    pdp_effect_name(
						    dx.effect));
					report(&w, q, &ow, d.effect, d.reason,
					    want_e, why);
					fflush(stdout);
				}
			}
		}
		free_world(&w);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("differential: %zu requests (%zu corpus, %zu generated) in "
	    "%zu worlds, %.1f s: %zu allow, %zu explicit deny, %zu implicit "
	    "deny; %zu disagreements; %zu documents refused by the compiler "
	    "and redrawn\n", total, by_mode[1], by_mode[0], nworlds,
	    (double) (t1.tv_sec - t0.tv_sec) +
	    (double) (t1.tv_nsec - t0.tv_nsec) / 1e9, counts[PDP_ALLOW],
	    counts[PDP_EXPLICIT_DENY], counts[PDP_IMPLICIT_DENY], bad,
	    skipped);
	fflush(stdout);
	json_decref(rcp_full);
	json_decref(corpus);
	free(corpus_v);
	ck_assert_uint_ge(total, want);
	// Every outcome must be well represented, or the test proves little.
	ck_assert_uint_gt(counts[PDP_ALLOW], total / 20);
	ck_assert_uint_gt(counts[PDP_EXPLICIT_DENY], total / 20);
	ck_assert_uint_gt(counts[PDP_IMPLICIT_DENY], total / 20);
	ck_assert_msg(bad == 0, "%zu of %zu decisions disagree with the "
	    "oracle (first ones above)", bad, total);
	printf("differential: %zu requests decided again in batches of %d, "
	    "reading ahead: %zu differ\n", batched, BATCH, batched_bad);
	ck_assert_uint_eq(batched, total);
	ck_assert_msg(batched_bad == 0, "%zu of %zu decisions differ in a "
	    "batch (first ones above)", batched_bad, batched);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("differential");
	TCase *tc = tcase_create("oracle");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_differential_engine_agrees_with_oracle);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
