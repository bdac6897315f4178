// creds.c - `pdpbench micro --workload creds` (pdpbench_creds): what
// naming the caller by credentials adds to one in-process decision.
// Each pair is the same decision made two ways, interleaved batch by
// batch:
//
//   session   an AssumeRole session by ASIA key + token (a cache hit:
//             pdp_creds_authorize) against the session's ARN
//             (pdp_bundle_authorize); the token carries one session tag
//             and the request an SDK-like context of five keys
//   policy    the same with an inline session policy in the token,
//             against the ARN with the same policy named in the bundle
//   longterm  an AKIA key (the bundle's key table) against the user's
//             ARN
//
// The ARN side gets the context keys the credentials would add
// (aws:TokenIssueTime, aws:MultiFactorAuthPresent, the session tag), so
// both sides evaluate the same conditions on the same values: the
// difference is the credentials' own work. The figure is the median over
// batches in ns per decision.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamc_account.h"
#include "micro.h"
#include "pdp_creds.h"
#include "pdpbench.h"

#define ACCT "111122223333"
#define V "\"Version\":\"2012-10-17\""
#define READS "{" V ",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":" \
	"[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"*\"," \
	"\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":" \
	"\"red\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}"
#define APP "{" V ",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":" \
	"[\"s3:*\",\"sqs:SendMessage\"],\"Resource\":[" \
	"\"arn:aws:s3:::app-${aws:PrincipalTag/team}/*\"," \
	"\"arn:aws:sqs:*:" ACCT ":jobs\"]},{\"Effect\":\"Deny\"," \
	"\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\"}]}"

static const char model[] = "{\"accounts\":[{\"id\":\"" ACCT "\","
    "\"policies\":[{\"name\":\"Reads\",\"document\":" READS "}],"
    "\"roles\":[{\"name\":\"App\",\"id\":\"AROABENCHROLE0000001\","
    "\"tags\":{\"team\":\"blue\"},\"trustPolicy\":{" V ",\"Statement\":"
    "[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},"
    "\"Action\":\"sts:AssumeRole\"}]},\"inlinePolicies\":{\"app\":" APP
    "}}],\"users\":[{\"name\":\"bob\",\"id\":\"AIDABENCHUSER0000001\","
    "\"tags\":{\"team\":\"red\"},\"accessKeys\":[{\"accessKeyId\":"
    "\"AKIABENCHBOB00000001\"}],\"inlinePolicies\":{\"app\":" APP "}}]}],"
    "\"sessionPolicies\":[\"arn:aws:iam::" ACCT ":policy/Reads\"]}";

// One way of making a decision.
typedef struct side {
	const pdp_bundle *b;
	pdp_creds_cache *c;       // NULL: by ARN
	pdp_creds_caller who;
	pdp_request q;
} side;

static void
die(const char *what, const char *why)
{
	bench_die("creds: %s: %s", what, why);
}

static int
decide(const void *arg)
{
	const side *s = arg;
	pdp_decision d;

	if (s->c != NULL)
		pdp_creds_authorize(s->c, s->b, &s->who, &s->q, &d, NULL);
	else
		pdp_bundle_authorize(s->b, &s->q, &d, NULL);
	return d.err == PDP_OK ? (int) d.effect : -1 - d.err;
}

static pdp_bundle *
compile_model(void)
{
	iamc_builder *b = NULL;
	iamc_diags d;
	void *data = NULL;
	size_t len = 0;
	pdp_bundle *out = NULL;
	char err[256] = "";

	iamc_diags_init(&d);
	if (iamc_builder_open(&b) != PDP_OK ||
	    iamc_account_compile_text(model, strlen(model), "creds-bench",
	    NULL, b, &d, NULL) != PDP_OK ||
	    iamc_builder_write(b, 1, &data, &len) != PDP_OK ||
	    pdp_bundle_open_mem(data, len, &out, err, sizeof(err)) != PDP_OK)
		die("model", d.n ? d.v[0].message : err);
	free(data);
	iamc_diags_fini(&d);
	iamc_builder_close(b);
	return out;
}

// The SDK-like context both sides carry; the ARN side adds what the
// credentials would (iam-semantics 6.10).
static const char *const v_ip[] = {"10.1.2.3"}, *const v_true[] = {"true"};
static const char *const v_region[] = {"eu-west-1"};
static const char *const v_time[] = {"2026-11-28T12:00:00Z"};
static const char *const v_agent[] = {"aws-sdk-go/1.44"};
static const char *const v_false[] = {"false"}, *const v_red[] = {"red"};
static const char *const v_iat[] = {"2026-11-28T11:00:00Z"};
static const pdp_context_entry sdk[] = {
	{"aws:SourceIp", v_ip, 1, false},
	{"aws:SecureTransport", v_true, 1, false},
	{"aws:RequestedRegion", v_region, 1, false},
	{"aws:CurrentTime", v_time, 1, false},
	{"aws:UserAgent", v_agent, 1, false},
	{"aws:PrincipalTag/team", v_red, 1, false},
	{"aws:TokenIssueTime", v_iat, 1, false},
	{"aws:MultiFactorAuthPresent", v_false, 1, false},
};

static void
usage(void)
{
	fprintf(stderr, "usage: pdpbench micro --workload creds "
	    "[--batches N] [--json]\n");
}

// seal_session seals the bench's App session, with `policy` (may be
// NULL) as its inline session policy.
static void
seal_session(const pdp_creds_keyring *kr, const char *policy, char *tok,
    size_t cap)
{
	static const pdp_creds_tag tags[] = {{"team", "red"}};
	pdp_creds_claims c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.type = PDP_CREDS_ASSUMED_ROLE;
	c.account = ACCT;
	c.arn = "arn:aws:sts::" ACCT ":assumed-role/App/s1";
	c.policy_arn = "arn:aws:iam::" ACCT ":role/App";
	c.user_id = "AROABENCHROLE0000001:s1";
	c.access_key_id = "ASIABENCHSESSION0001";
	c.secret_access_key = "benchsecretbenchsecretbenchsecretbench00";
	c.issued = (int64_t) time(NULL) - 60;
	c.expires = c.issued + 43200;
	c.tags = tags;
	c.ntags = 1;
	c.policy = policy;
	if (pdp_creds_seal(kr, &c, tok, cap, NULL, err, sizeof(err)) != PDP_OK)
		die("seal", err);
}

int
pdpbench_creds(int argc, char **argv)
{
	static char tok[2][PDP_CREDS_TOKEN_MAX + 1];
	int nbatch = 2000;
	bool json = false;
	pdp_creds_keyring *kr = NULL;
	pdp_creds_cache *c = NULL;

	if (!bench_pair_args(argc, argv, &nbatch, &json, NULL)) {
		usage();
		return 2;
	}
	pdp_bundle *b = compile_model();
	if (pdp_creds_keyring_alloc(&kr) != PDP_OK ||
	    pdp_creds_keyring_generate(kr, NULL) != PDP_OK ||
	    pdp_creds_cache_alloc(kr, 0, &c) != PDP_OK)
		die("keyring", "cannot make one");
	seal_session(kr, NULL, tok[0], sizeof(tok[0]));
	seal_session(kr, READS, tok[1], sizeof(tok[1]));

	static const char *const names[] = {
		"session (ASIA + token, cache hit) vs ARN",
		"session + inline policy vs ARN + named",
		"long-term key (AKIA) vs user ARN",
	};
	pdp_request base = {.action = "s3:GetObject",
	    .resource = "arn:aws:s3:::app-red/report.csv",
	    .resource_account = ACCT, .context = sdk, .ncontext = 5};
	side s[3][2];
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 3; i++) {
		s[i][0].b = s[i][1].b = b;
		s[i][0].q = s[i][1].q = base;
		s[i][1].c = c;
		s[i][0].q.ncontext = i < 2 ? 8 : 5;
		s[i][0].q.principal = i < 2 ?
		    "arn:aws:sts::" ACCT ":assumed-role/App/s1" :
		    "arn:aws:iam::" ACCT ":user/bob";
		s[i][1].who.access_key_id = i < 2 ? "ASIABENCHSESSION0001" :
		    "AKIABENCHBOB00000001";
		s[i][1].who.session_token = i < 2 ? tok[i] : NULL;
	}
	s[1][0].q.session_policy = "arn:aws:iam::" ACCT ":policy/Reads";
	for (int i = 0; i < 3; i++)
		if (decide(&s[i][0]) != PDP_ALLOW ||
		    decide(&s[i][1]) != PDP_ALLOW)
			die(names[i], "the two sides do not both allow");

	const void *sa[3], *sb[3];
	for (int i = 0; i < 3; i++) {
		sa[i] = &s[i][0];
		sb[i] = &s[i][1];
	}
	bench_pairs p = {.title = "pdpbench creds", .col_a = "by ARN",
	    .col_b = "by creds", .key_a = "arn_ns", .key_b = "creds_ns",
	    .decide = decide, .nbatch = nbatch, .json = json, .only = -1,
	    .n = 3, .names = names, .a = sa, .b = sb};
	bench_pairs_run(&p);
	pdp_creds_cache_stats st;
	pdp_creds_cache_stats_get(c, &st);
	if (!json)
		printf("cache: %llu hits, %llu misses\n",
		    (unsigned long long) st.hits,
		    (unsigned long long) st.misses);
	pdp_creds_cache_free(c);
	pdp_creds_keyring_free(kr);
	pdp_bundle_close(b);
	return 0;
}
