// authorize_test.c - deciding requests named by credentials
// (pdp_creds_authorize): who the session is, session policies as an
// intersection, session tags over principal tags, the context keys each
// credential type sets (iam-semantics 6.10), revocation by
// aws:TokenIssueTime, long-term keys and their status, refused tokens,
// and the cache.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "creds_helpers.h"

static pdp_bundle *g_b;
static pdp_creds_keyring *g_kr;
static pdp_creds_cache *g_c;
static int64_t g_now = 1100;
static bool g_mfa_verified; // decide() says an MFA code was verified now

static int64_t
test_clock(void *arg)
{
	(void) arg;
	return g_now;
}

static void
setup(void)
{
	g_b = th_bundle();
	g_kr = th_keyring(1);
	ck_assert_int_eq(pdp_creds_cache_alloc(g_kr, 16, &g_c), PDP_OK);
	pdp_creds_cache_set_clock(g_c, test_clock, NULL);
	g_now = 1100;
	g_mfa_verified = false;
}

static void
teardown(void)
{
	pdp_creds_cache_free(g_c);
	pdp_creds_keyring_free(g_kr);
	pdp_bundle_close(g_b);
}

// seal returns the token of `c` in a static buffer.
static const char *
seal(const pdp_creds_claims *c)
{
	static char tok[PDP_CREDS_TOKEN_MAX + 1];
	char err[256] = "";

	ck_assert_msg(pdp_creds_seal(g_kr, c, tok, sizeof(tok), NULL, err,
	    sizeof(err)) == PDP_OK, "%s", err);
	return tok;
}

typedef struct probe {
	const char *akid, *token;
	const pdp_context_entry *ctx;
	uint32_t nctx;
	const char *resource_account;
} probe;

static pdp_decision
decide(const probe *p, const char *action, const char *resource)
{
	pdp_creds_caller who = {.access_key_id = p->akid,
	    .session_token = p->token, .mfa_verified = g_mfa_verified};
	pdp_request q;
	pdp_decision d;

	memset(&q, 0, sizeof(q));
	q.action = action;
	q.resource = resource;
	q.context = p->ctx;
	q.ncontext = p->nctx;
	q.resource_account = p->resource_account;
	int rv = pdp_creds_authorize(g_c, g_b, &who, &q, &d, NULL);
	ck_assert_int_eq(rv, d.err);
	// A refusal is never an Allow.
	ck_assert(d.err == PDP_OK || d.effect != PDP_ALLOW);
	return d;
}

#define ck_decides(p, action, resource, want) do { \
	pdp_decision d_ = decide((p), (action), (resource)); \
	ck_assert_msg(d_.err == PDP_OK && d_.effect == (want), \
	    "%s on %s: %s (err %d: %s), want %s", (action), \
	    (resource) ? (resource) : "*", pdp_effect_name(d_.effect), \
	    d_.err, d_.reason ? d_.reason : "", pdp_effect_name(want)); \
} while (0)

#define ck_refused(p, action, want_err) do { \
	pdp_decision d_ = decide((p), (action), NULL); \
	ck_assert_msg(d_.err == (want_err) && d_.effect == PDP_IMPLICIT_DENY, \
	    "%s: err %d (%s), want %d", (action), d_.err, \
	    d_.reason ? d_.reason : "", (want_err)); \
} while (0)

#define ALLOW PDP_ALLOW
#define DENY PDP_IMPLICIT_DENY

// probes checks the values of the MFA, issue-time and source-identity
// keys through the Probe policy: `want` lists, in order, whether each
// probe allows.
static void
probes(const probe *p, const char *name, const char *const *acts,
    const bool *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pdp_decision d = decide(p, acts[i], NULL);
		ck_assert_msg(d.err == PDP_OK && (d.effect == PDP_ALLOW) ==
		    want[i], "%s: %s: %s (err %d %s), want %s", name, acts[i],
		    pdp_effect_name(d.effect), d.err, d.reason ? d.reason : "",
		    want[i] ? "Allow" : "a deny");
	}
}

static const char *const mfa_acts[] = {"probe:MfaTrue", "probe:MfaFalse",
    "probe:MfaAbsent", "probe:AgeAbsent", "probe:AgeUnder300",
    "probe:Issued1000", "probe:NoIssueTime"};
#define NMFA (sizeof(mfa_acts) / sizeof(mfa_acts[0]))

START_TEST(test_creds_role_session_is_the_role)
{
	pdp_creds_claims c = th_role_claims();
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};

	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	ck_decides(&p, "s3:DeleteObject", "arn:aws:s3:::data/x", DENY);
	// aws:PrincipalArn is the role's ARN, path included; aws:userid is
	// role-id:session.
	ck_decides(&p, "probe:RoleArn", NULL, ALLOW);
	ck_decides(&p, "probe:RoleUserId", NULL, ALLOW);
	ck_decides(&p, "probe:TeamBlue", NULL, ALLOW);
}
END_TEST

START_TEST(test_creds_session_policies_intersect)
{
	pdp_creds_claims c = th_role_claims();
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};
	pdp_decision d;

	// The role allows both; the session policy only reads.
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	d = decide(&p, "s3:PutObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	ck_assert_str_eq(d.reason, "no session policy allows the action");
	// A session policy never adds: the role does not allow ListBucket.
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
	p.token = seal(&c);
	ck_decides(&p, "s3:ListBucket", "arn:aws:s3:::data", DENY);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::data/x", ALLOW);
	// Managed session policies by ARN; with an inline one they are one
	// set: any of them allows, and any Deny denies.
	const char *arns[] = {"arn:aws:iam::111111111111:policy/SessReadOnly"};
	c.policy = NULL;
	c.policy_arns = arns;
	c.npolicy_arns = 1;
	p.token = seal(&c);
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::data/x", DENY);
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},"
	    "{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":"
	    "\"arn:aws:s3:::data/secret\"}]}";
	p.token = seal(&c);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::data/x", ALLOW);
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/secret");
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	ck_assert_str_eq(d.reason, "explicit deny in a session policy");
	// A managed session policy that no longer exists refuses.
	arns[0] = "arn:aws:iam::111111111111:policy/Gone";
	p.token = seal(&c);
	ck_refused(&p, "s3:GetObject", PDP_ENOENT);
}
END_TEST

START_TEST(test_creds_session_tags_override_principal_tags)
{
	pdp_creds_claims c = th_role_claims();
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};

	// The role's own tag.
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::teams/blue/x", ALLOW);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::teams/red/x", DENY);
	// A session tag replaces it, whatever the case of its key, and adds
	// new ones.
	pdp_creds_tag tags[] = {{"Team", "red"}, {"project", "p1"}};
	c.tags = tags;
	c.ntags = 2;
	p.token = seal(&c);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::teams/red/x", ALLOW);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::teams/blue/x", DENY);
	ck_decides(&p, "probe:TeamRed", NULL, ALLOW);
	ck_decides(&p, "probe:TeamBlue", NULL, DENY);
	ck_decides(&p, "probe:ProjectP1", NULL, ALLOW);
	// The caller cannot bring its own principal tags or MFA.
	const char *blue[] = {"blue"}, *yes[] = {"true"};
	pdp_context_entry ctx[] = {{"aws:principaltag/TEAM", blue, 1, false},
	    {"AWS:MultiFactorAuthPresent", yes, 1, false}};
	p.ctx = ctx;
	p.nctx = 2;
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::teams/blue/x", DENY);
	ck_decides(&p, "probe:TeamRed", NULL, ALLOW);
	ck_decides(&p, "probe:MfaTrue", NULL, DENY);
	// Nor add a tag the session lacks, nor a key long-term keys lack.
	const char *p1[] = {"p1"}, *red[] = {"red"};
	const char *t[] = {"1970-01-01T00:16:40Z"};
	pdp_context_entry more[] = {{"aws:PrincipalTag/project", p1, 1, false},
	    {"aws:PrincipalTag/team", red, 1, false},
	    {"aws:MultiFactorAuthPresent", yes, 1, false},
	    {"aws:TokenIssueTime", t, 1, false}};
	c.ntags = 0;
	p.token = seal(&c);
	p.ctx = more;
	p.nctx = 4;
	ck_decides(&p, "probe:ProjectP1", NULL, DENY);
	ck_decides(&p, "probe:TeamBlue", NULL, ALLOW);
	probe key = {"AKIAALICE00000000001", NULL, more, 4, NULL};
	ck_decides(&key, "probe:ProjectP1", NULL, DENY);
	ck_decides(&key, "probe:TeamRed", NULL, DENY);
	ck_decides(&key, "probe:MfaAbsent", NULL, ALLOW);
	ck_decides(&key, "probe:NoIssueTime", NULL, ALLOW);
}
END_TEST

START_TEST(test_creds_context_keys_per_credential_type)
{
	// Long-term keys: no MFA keys, no issue time (6.10).
	probe p = {"AKIAALICE00000000001", NULL, NULL, 0, NULL};
	const bool longterm[] = {false, false, true, true, false, false, true};
	probes(&p, "AKIA", mfa_acts, longterm, NMFA);
	ck_decides(&p, "probe:AliceUserId", NULL, ALLOW);

	// GetSessionToken without MFA: present and false, issue time set.
	pdp_creds_claims c = th_user_session_claims(false);
	p = (probe) {c.access_key_id, seal(&c), NULL, 0, NULL};
	const bool nomfa[] = {false, true, false, true, false, true, false};
	probes(&p, "GetSessionToken", mfa_acts, nomfa, NMFA);
	ck_decides(&p, "probe:AliceUserId", NULL, ALLOW);

	// With MFA (authenticated at 900): true, and the age counts from
	// then, at each request.
	c = th_user_session_claims(true);
	p.token = seal(&c);
	g_now = 1100;
	const bool mfa[] = {true, false, false, false, true, true, false};
	probes(&p, "GetSessionToken+MFA", mfa_acts, mfa, NMFA);
	g_now = 1300; // 400 s after the MFA: same token, from the cache
	ck_decides(&p, "probe:AgeUnder300", NULL, DENY);
	ck_decides(&p, "probe:MfaTrue", NULL, ALLOW);

	// AssumeRole: false even when MFA was used to assume the role, no
	// age (6.3).
	g_now = 1100;
	c = th_role_claims();
	c.mfa = true;
	c.mfa_time = 990;
	c.source_identity = "alice";
	p = (probe) {c.access_key_id, seal(&c), NULL, 0, NULL};
	const bool role[] = {false, true, false, true, false, true, false};
	probes(&p, "AssumeRole", mfa_acts, role, NMFA);
	ck_decides(&p, "probe:SourceAlice", NULL, ALLOW);

	// Federated users: neither MFA key (6.10), an issue time.
	c = th_fed_claims();
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
	p.token = seal(&c);
	const bool fed[] = {false, false, true, true, false, true, false};
	probes(&p, "GetFederationToken", mfa_acts, fed, NMFA);
	ck_decides(&p, "probe:FedUserId", NULL, ALLOW);
	ck_decides(&p, "probe:FedType", NULL, ALLOW);
	ck_decides(&p, "probe:SourceAlice", NULL, DENY);
	// The calling user's tags are the federated user's principal tags.
	ck_decides(&p, "probe:TeamBlue", NULL, ALLOW);
}
END_TEST

// A code the deciding service verified now (AssumeRole's TokenCode):
// MFA present, age 0, whatever the credentials say.
START_TEST(test_creds_mfa_verified_now)
{
	g_now = 1100;
	g_mfa_verified = true;
	// A role session, whose own MFA state is false.
	pdp_creds_claims c = th_role_claims();
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};
	const bool now[] = {true, false, false, false, true, true, false};
	probes(&p, "AssumeRole, a code verified now", mfa_acts, now, NMFA);
	// A GetSessionToken session whose MFA is 400 s old: age 0 now.
	c = th_user_session_claims(true);
	p.token = seal(&c);
	g_now = 1300;
	ck_decides(&p, "probe:AgeUnder300", NULL, ALLOW);
	// A long-term key, which has neither key of its own.
	probe key = {"AKIAALICE00000000001", NULL, NULL, 0, NULL};
	ck_decides(&key, "probe:MfaTrue", NULL, ALLOW);
	ck_decides(&key, "probe:AgeUnder300", NULL, ALLOW);
	g_mfa_verified = false;
	ck_decides(&key, "probe:MfaTrue", NULL, DENY);
	ck_decides(&p, "probe:AgeUnder300", NULL, DENY);
}
END_TEST

START_TEST(test_creds_federated_user_has_its_callers_policies)
{
	pdp_creds_claims c = th_fed_claims();
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};

	// No session policy: no permissions (6.5).
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", DENY);
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
	p.token = seal(&c);
	// alice's policies ∩ the session policy.
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	ck_decides(&p, "s3:PutObject", "arn:aws:s3:::data/x", DENY);
	// A bucket policy naming alice grants her federated user as its
	// parent, within the session policy (iam-semantics 5.3).
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::shared/x", ALLOW);
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}";
	p.token = seal(&c);
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::shared/x", DENY);
}
END_TEST

START_TEST(test_creds_revocation_by_token_issue_time)
{
	pdp_creds_claims c = th_role_claims();
	c.arn = "arn:aws:sts::111111111111:assumed-role/Revoked/s";
	c.policy_arn = "arn:aws:iam::111111111111:role/Revoked";
	c.user_id = "AROAEXAMPLEROLEID0002:s";
	probe p = {c.access_key_id, seal(&c), NULL, 0, NULL};
	pdp_decision d;

	// Issued at 1000, before the revocation instant (1500): denied.
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	// Issued after it: unaffected.
	c.issued = 2000;
	c.expires = 5000;
	g_now = 2100;
	p.token = seal(&c);
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	// The caller cannot claim a later issue time.
	c.issued = 1000;
	p.token = seal(&c);
	const char *late[] = {"2030-01-01T00:00:00Z"};
	pdp_context_entry ctx[] = {{"aws:TokenIssueTime", late, 1, false}};
	p.ctx = ctx;
	p.nctx = 1;
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	// The same Deny on a user leaves long-term keys alone (no
	// aws:TokenIssueTime) and revokes its older sessions.
	probe key = {"AKIABOB0000000000001", NULL, ctx, 1, NULL};
	ck_decides(&key, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	c = th_user_session_claims(false);
	c.arn = c.policy_arn = "arn:aws:iam::111111111111:user/bob";
	c.user_id = "AIDAEXAMPLEUSERID0002";
	p = (probe) {c.access_key_id, seal(&c), NULL, 0, NULL};
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
}
END_TEST

START_TEST(test_creds_long_term_keys_and_their_status)
{
	probe p = {"AKIAALICE00000000001", NULL, NULL, 0, NULL};
	pdp_decision d;

	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	p.akid = "AKIAALICE00000000002";
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.err, PDP_EINACTIVE);
	ck_assert_str_eq(d.reason, "the access key is inactive");
	p.akid = "AKIAUNKNOWN000000001";
	d = decide(&p, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_assert_int_eq(d.err, PDP_ENOENT);
	ck_assert_str_eq(d.reason, "unknown access key");
	p.akid = "AKIAALICE00000000001";
	p.token = "pdpst1.AAAA";
	ck_refused(&p, "s3:GetObject", PDP_EINVAL);
	p.akid = "alice";
	p.token = NULL;
	ck_refused(&p, "s3:GetObject", PDP_EINVAL);
}
END_TEST

START_TEST(test_creds_refused_tokens_deny_with_their_error)
{
	pdp_creds_claims c = th_role_claims();
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	probe p = {c.access_key_id, tok, NULL, 0, NULL};

	snprintf(tok, sizeof(tok), "%s", seal(&c));
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	// The token belongs to its own access key only.
	p.akid = "ASIAEXAMPLEKEY000002";
	ck_refused(&p, "s3:GetObject", PDP_EINVAL);
	p.akid = c.access_key_id;
	p.token = NULL;
	ck_refused(&p, "s3:GetObject", PDP_EINVAL);
	p.token = tok;
	// Expiry is checked on every request, cached or not.
	g_now = 4600;
	ck_refused(&p, "s3:GetObject", PDP_EEXPIRED);
	g_now = 1100;
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	// Altered, another keyring's, a removed key.
	tok[strlen(tok) - 6] ^= 1;
	ck_refused(&p, "s3:GetObject", PDP_ECORRUPT);
	pdp_creds_keyring *other = th_keyring(9);
	ck_assert_int_eq(pdp_creds_seal(other, &c, tok, sizeof(tok), NULL,
	    NULL, 0), PDP_OK);
	ck_refused(&p, "s3:GetObject", PDP_EUNKNOWNKEY);
	pdp_creds_keyring_free(other);
	uint8_t k[PDP_CREDS_KEY_BYTES];
	memset(k, 7, sizeof(k));
	ck_assert_int_eq(pdp_creds_keyring_alloc(&other), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_add(other, 1, k), PDP_OK);
	ck_assert_int_eq(pdp_creds_seal(other, &c, tok, sizeof(tok), NULL,
	    NULL, 0), PDP_OK);
	ck_refused(&p, "s3:GetObject", PDP_EWRONGKEY);
	pdp_creds_keyring_free(other);
	// A session of a role deleted and re-created under its name.
	c.user_id = "AROAOTHERROLEID00001:alice";
	snprintf(tok, sizeof(tok), "%s", seal(&c));
	ck_refused(&p, "s3:GetObject", PDP_ENOENT);
	// A request by credentials names no principal of its own.
	pdp_creds_caller who = {.access_key_id = c.access_key_id,
	    .session_token = tok};
	pdp_request q = {.principal = "arn:aws:iam::111111111111:root",
	    .action = "s3:GetObject"};
	pdp_decision d;
	ck_assert_int_eq(pdp_creds_authorize(g_c, g_b, &who, &q, &d, NULL),
	    PDP_EINVAL);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
}
END_TEST

START_TEST(test_creds_cache_hits_and_evictions)
{
	pdp_creds_claims c = th_role_claims();
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	probe p = {c.access_key_id, tok, NULL, 0, NULL};
	pdp_creds_cache_stats st;

	snprintf(tok, sizeof(tok), "%s", seal(&c));
	for (int i = 0; i < 5; i++)
		ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	pdp_creds_cache_stats_get(g_c, &st);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.hits, 4);
	// More sessions than the cache holds: the oldest go, and still
	// decide when they come back.
	for (int i = 0; i < 40; i++) {
		p.token = seal(&c);
		ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	}
	pdp_creds_cache_stats_get(g_c, &st);
	ck_assert_uint_gt(st.evictions, 0);
	p.token = tok;
	ck_decides(&p, "s3:GetObject", "arn:aws:s3:::data/x", ALLOW);
	// A refused token is counted and never cached.
	p.token = "pdpst1.AAAA";
	ck_refused(&p, "s3:GetObject", PDP_ECORRUPT);
	ck_refused(&p, "s3:GetObject", PDP_ECORRUPT);
	pdp_creds_cache_stats st2;
	pdp_creds_cache_stats_get(g_c, &st2);
	ck_assert_uint_eq(st2.refused, st.refused + 2);
}
END_TEST

START_TEST(test_creds_explanations_name_the_session_policy)
{
	pdp_creds_claims c = th_role_claims();
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoPut\","
	    "\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":"
	    "\"*\"},{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
	    "\"*\"}]}";
	pdp_creds_caller who = {.access_key_id = c.access_key_id,
	    .session_token = seal(&c)};
	pdp_request q = {.action = "s3:PutObject",
	    .resource = "arn:aws:s3:::data/x"};
	pdp_decision d;
	pdp_explanation ex;

	pdp_creds_authorize(g_c, g_b, &who, &q, &d, &ex);
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	ck_assert_int_eq(ex.deny_type, PDP_POLICY_SESSION);
	ck_assert_uint_ge(ex.nmatched, 1);
	ck_assert_uint_eq(ex.matched[0].sid_len, 5);
	ck_assert(memcmp(ex.matched[0].sid, "NoPut", 5) == 0);
}
END_TEST

// The request fields pdpcreds fills, used directly (pdp.h): a parent in
// another account, a stale unique id, too many session policies.
START_TEST(test_creds_core_request_fields)
{
	pdp_request q = {.principal =
	    "arn:aws:sts::111111111111:federated-user/fed",
	    .action = "s3:GetObject", .resource = "arn:aws:s3:::data/x",
	    .parent = "arn:aws:iam::222222222222:user/alice"};
	const char *sp[PDP_SESSION_POLICIES_MAX + 1];
	pdp_decision d;

	pdp_bundle_authorize(g_b, &q, &d, NULL);
	ck_assert_int_eq(d.err, PDP_EINVAL);
	q.parent = "arn:aws:iam::111111111111:user/nobody";
	pdp_bundle_authorize(g_b, &q, &d, NULL);
	ck_assert_int_eq(d.err, PDP_ENOENT);
	q.parent = "arn:aws:iam::111111111111:user/alice";
	q.session_policies = sp;
	for (int i = 0; i <= PDP_SESSION_POLICIES_MAX; i++)
		sp[i] = "arn:aws:iam::111111111111:policy/SessReadOnly";
	q.nsession_policies = 1;
	pdp_bundle_authorize(g_b, &q, &d, NULL);
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	q.nsession_policies = PDP_SESSION_POLICIES_MAX + 1;
	pdp_bundle_authorize(g_b, &q, &d, NULL);
	ck_assert_int_eq(d.err, PDP_ETOOBIG);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	// A role whose unique id is not the one the caller vouches for.
	pdp_request r = {.principal =
	    "arn:aws:sts::111111111111:assumed-role/Dev/s",
	    .action = "s3:GetObject", .resource = "arn:aws:s3:::data/x",
	    .principal_id = "AROAEXAMPLEROLEID0001"};
	pdp_bundle_authorize(g_b, &r, &d, NULL);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	r.principal_id = "AROAEXAMPLEROLEID0009";
	pdp_bundle_authorize(g_b, &r, &d, NULL);
	ck_assert_int_eq(d.err, PDP_ENOENT);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("creds_authorize");
	TCase *tc = tcase_create("authorize");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_creds_role_session_is_the_role);
	tcase_add_test(tc, test_creds_session_policies_intersect);
	tcase_add_test(tc, test_creds_session_tags_override_principal_tags);
	tcase_add_test(tc, test_creds_context_keys_per_credential_type);
	tcase_add_test(tc, test_creds_mfa_verified_now);
	tcase_add_test(tc, test_creds_federated_user_has_its_callers_policies);
	tcase_add_test(tc, test_creds_revocation_by_token_issue_time);
	tcase_add_test(tc, test_creds_long_term_keys_and_their_status);
	tcase_add_test(tc, test_creds_refused_tokens_deny_with_their_error);
	tcase_add_test(tc, test_creds_cache_hits_and_evictions);
	tcase_add_test(tc, test_creds_explanations_name_the_session_policy);
	tcase_add_test(tc, test_creds_core_request_fields);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
