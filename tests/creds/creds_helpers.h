// creds_helpers.h - keyrings and claims shared by the credentials tests.

#ifndef TESTS_CREDS_HELPERS_H
#define TESTS_CREDS_HELPERS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "iamc_account.h"
#include "pdp_creds.h"

// th_keyring returns a keyring with one key of id `id`, whose bytes
// derive from the id (so two keyrings made alike hold the same key).
static inline pdp_creds_keyring *
th_keyring(uint32_t id)
{
	pdp_creds_keyring *kr = NULL;
	uint8_t key[PDP_CREDS_KEY_BYTES];

	for (int i = 0; i < PDP_CREDS_KEY_BYTES; i++)
		key[i] = (uint8_t) (id * 31 + (uint32_t) i);
	ck_assert_int_eq(pdp_creds_keyring_alloc(&kr), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_add(kr, id, key), PDP_OK);
	return kr;
}

// th_role_claims: an AssumeRole session of role Dev (path /team/),
// issued at 1000 for an hour.
static inline pdp_creds_claims
th_role_claims(void)
{
	pdp_creds_claims c;

	memset(&c, 0, sizeof(c));
	c.type = PDP_CREDS_ASSUMED_ROLE;
	c.account = "111111111111";
	c.arn = "arn:aws:sts::111111111111:assumed-role/Dev/alice";
	c.policy_arn = "arn:aws:iam::111111111111:role/team/Dev";
	c.user_id = "AROAEXAMPLEROLEID0001:alice";
	c.access_key_id = "ASIAEXAMPLEKEY000001";
	c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	c.issued = 1000;
	c.expires = 4600;
	return c;
}

// th_user_session_claims: GetSessionToken credentials of user alice.
static inline pdp_creds_claims
th_user_session_claims(bool mfa)
{
	pdp_creds_claims c = th_role_claims();

	c.type = PDP_CREDS_SESSION_TOKEN;
	c.arn = "arn:aws:iam::111111111111:user/alice";
	c.policy_arn = c.arn;
	c.user_id = "AIDAEXAMPLEUSERID0001";
	c.mfa = mfa;
	c.mfa_time = mfa ? 900 : 0;
	return c;
}

// th_token_key_id reads the key id from a token's clear header.
static inline uint32_t
th_token_key_id(const char *tok)
{
	unsigned char bin[16];
	const char *b64 = tok + strlen(PDP_CREDS_TOKEN_PREFIX);

	ck_assert_int_eq(EVP_DecodeBlock(bin, (const unsigned char *) b64, 12),
	    9);
	return (uint32_t) bin[1] << 24 | (uint32_t) bin[2] << 16 |
	    (uint32_t) bin[3] << 8 | bin[4];
}

// The account the decision tests use. Probe is a managed policy whose
// actions each allow one value of one context key, so that a decision
// says what the context held.
#define TH_V "'Version':'2012-10-17'"
#define TH_PROBE(act, op, key, val) "{'Effect':'Allow','Action':'probe:" act \
	"','Resource':'*','Condition':{'" op "':{'" key "':'" val "'}}}"
#define TH_TRUST "{" TH_V ",'Statement':[{'Effect':'Allow','Principal':" \
	"{'AWS':'111111111111'},'Action':'sts:AssumeRole'}]}"
#define TH_REVOKE "'AWSRevokeOlderSessions':{" TH_V ",'Statement':[{" \
	"'Effect':'Deny','Action':'*','Resource':'*','Condition':{" \
	"'DateLessThan':{'aws:TokenIssueTime':'1970-01-01T00:25:00Z'}}}]}"
#define TH_DATA "{" TH_V ",'Statement':[{'Effect':'Allow','Action':" \
	"['s3:GetObject','s3:PutObject'],'Resource':'arn:aws:s3:::data/*'}]}"

static const char th_model[] = "{'accounts':[{'id':'111111111111',"
    "'policies':[{'name':'Probe','document':{" TH_V ",'Statement':["
    TH_PROBE("MfaTrue", "Bool", "aws:MultiFactorAuthPresent", "true") ","
    TH_PROBE("MfaFalse", "Bool", "aws:MultiFactorAuthPresent", "false") ","
    TH_PROBE("MfaAbsent", "Null", "aws:MultiFactorAuthPresent", "true") ","
    TH_PROBE("AgeAbsent", "Null", "aws:MultiFactorAuthAge", "true") ","
    TH_PROBE("AgeUnder300", "NumericLessThan", "aws:MultiFactorAuthAge",
	"300") ","
    TH_PROBE("Issued1000", "DateEquals", "aws:TokenIssueTime",
	"1970-01-01T00:16:40Z") ","
    TH_PROBE("NoIssueTime", "Null", "aws:TokenIssueTime", "true") ","
    TH_PROBE("SourceAlice", "StringEquals", "aws:SourceIdentity", "alice") ","
    TH_PROBE("TeamBlue", "StringEquals", "aws:PrincipalTag/team", "blue") ","
    TH_PROBE("TeamRed", "StringEquals", "aws:PrincipalTag/team", "red") ","
    TH_PROBE("ProjectP1", "StringEquals", "aws:PrincipalTag/project", "p1")
    "," TH_PROBE("RoleArn", "StringEquals", "aws:PrincipalArn",
	"arn:aws:iam::111111111111:role/team/Dev") ","
    TH_PROBE("RoleUserId", "StringEquals", "aws:userid",
	"AROAEXAMPLEROLEID0001:alice") ","
    TH_PROBE("AliceUserId", "StringEquals", "aws:userid",
	"AIDAEXAMPLEUSERID0001") ","
    TH_PROBE("FedUserId", "StringEquals", "aws:userid", "111111111111:fed")
    "," TH_PROBE("FedType", "StringEquals", "aws:PrincipalType",
	"FederatedUser") "]}},"
    "{'name':'SessReadOnly','document':{" TH_V ",'Statement':[{'Effect':"
    "'Allow','Action':['s3:GetObject','probe:*'],'Resource':'*'}]}}],"
    "'roles':[{'name':'Dev','path':'/team/','id':'AROAEXAMPLEROLEID0001',"
    "'tags':{'team':'blue'},'trustPolicy':" TH_TRUST ","
    "'attachedPolicies':['arn:aws:iam::111111111111:policy/Probe'],"
    "'inlinePolicies':{'data':" TH_DATA ",'teams':{" TH_V ",'Statement':[{"
    "'Effect':'Allow','Action':'s3:PutObject','Resource':"
    "'arn:aws:s3:::teams/${aws:PrincipalTag/team}/*'}]}}},"
    "{'name':'Revoked','id':'AROAEXAMPLEROLEID0002','trustPolicy':" TH_TRUST
    ",'inlinePolicies':{'all':" TH_DATA "," TH_REVOKE "}}],"
    "'users':[{'name':'alice','id':'AIDAEXAMPLEUSERID0001','tags':{'team':"
    "'blue'},'accessKeys':[{'accessKeyId':'AKIAALICE00000000001'},"
    "{'accessKeyId':'AKIAALICE00000000002','status':'Inactive'}],"
    "'attachedPolicies':['arn:aws:iam::111111111111:policy/Probe'],"
    "'inlinePolicies':{'data':" TH_DATA "}},"
    "{'name':'bob','id':'AIDAEXAMPLEUSERID0002','accessKeys':[{'accessKeyId':"
    "'AKIABOB0000000000001'}],'inlinePolicies':{'all':" TH_DATA ","
    TH_REVOKE "}}],"
    "'resourcePolicies':{'arn:aws:s3:::shared':{" TH_V ",'Statement':[{"
    "'Effect':'Allow','Principal':{'AWS':"
    "'arn:aws:iam::111111111111:user/alice'},'Action':'s3:GetObject',"
    "'Resource':'arn:aws:s3:::shared/*'}]}}}]}";

// th_bundle compiles th_model into a bundle.
static inline pdp_bundle *
th_bundle(void)
{
	char *text = strdup(th_model);
	iamc_builder *b = NULL;
	iamc_diags d;
	void *data = NULL;
	size_t len = 0;
	pdp_bundle *out = NULL;

	ck_assert_ptr_nonnull(text);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	ck_assert_int_eq(iamc_builder_open(&b), PDP_OK);
	iamc_diags_init(&d);
	int rv = iamc_account_compile_text(text, strlen(text), "creds.json",
	    NULL, b, &d, NULL);
	for (size_t i = 0; rv != PDP_OK && i < d.n; i++)
		fprintf(stderr, "%s: %s\n", d.v[i].path, d.v[i].message);
	ck_assert_int_eq(rv, PDP_OK);
	ck_assert_int_eq(iamc_builder_write(b, 1, &data, &len), PDP_OK);
	ck_assert_int_eq(pdp_bundle_open_mem(data, len, &out, NULL, 0),
	    PDP_OK);
	free(data);
	free(text);
	iamc_diags_fini(&d);
	iamc_builder_close(b);
	return out;
}

// th_fed_claims: a GetFederationToken session "fed" of alice.
static inline pdp_creds_claims
th_fed_claims(void)
{
	pdp_creds_claims c = th_role_claims();

	c.type = PDP_CREDS_FEDERATED_USER;
	c.arn = "arn:aws:sts::111111111111:federated-user/fed";
	c.policy_arn = "arn:aws:iam::111111111111:user/alice";
	c.user_id = "111111111111:fed";
	return c;
}

#endif // TESTS_CREDS_HELPERS_H
