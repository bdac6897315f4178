// fixture.c - the realistic bundle of fixture.h, built from policy JSON
// through the compiler and the bundle builder, as `iamc compile` does.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "fixture.h"
#include "iamc.h"
#include "iamc_bundle.h"

// Policies are written with ' for " so they read as JSON.
static const char p_alice_home[] =
    "{'Version':'2012-10-17','Statement':["
    "{'Sid':'Home','Effect':'Allow','Action':['s3:GetObject',"
    "'s3:PutObject','s3:DeleteObject'],"
    "'Resource':'arn:aws:s3:::corp/home/${aws:username}/*'},"
    "{'Sid':'List','Effect':'Allow','Action':'s3:ListBucket',"
    "'Resource':'arn:aws:s3:::corp','Condition':{'StringLike':"
    "{'s3:prefix':['home/${aws:username}/*','']}}},"
    "{'Sid':'NoDelete','Effect':'Deny','Action':'s3:DeleteObject',"
    "'Resource':'*'},"
    "{'Sid':'Kms','Effect':'Allow','Action':'kms:Encrypt',"
    "'Resource':'*'}]}";
static const char p_alice_alt[] =
    "{'Version':'2012-10-17','Statement':[{'Sid':'NoRead',"
    "'Effect':'Deny','Action':'s3:GetObject','Resource':'*'}]}";
static const char p_admin[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Action':'*','Resource':'*'}]}";
static const char p_boundary_s3[] =
    "{'Version':'2012-10-17','Statement':[{'Sid':'S3Only',"
    "'Effect':'Allow','Action':'s3:*','Resource':'*'},"
    "{'Sid':'NotOutside','Effect':'Deny','NotAction':['s3:*','ec2:*'],"
    "'Resource':'*','Condition':{'NotIpAddressIfExists':"
    "{'aws:SourceIp':['10.0.0.0/8','2001:db8::/32']}}}]}";
static const char p_deployer[] =
    "{'Version':'2012-10-17','Statement':["
    "{'Sid':'Queues','Effect':'Allow','Action':'sqs:*',"
    "'Resource':'arn:aws:sqs:*:111111111111:*'},"
    "{'Sid':'Team','Effect':'Allow','Action':'ec2:*Instances',"
    "'Resource':'*','Condition':{'StringEquals':"
    "{'ec2:ResourceTag/team':'${aws:PrincipalTag/team}'},"
    "'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'},"
    "'DateGreaterThan':{'aws:CurrentTime':'2020-01-01T00:00:00Z'}}},"
    "{'Sid':'Key','Effect':'Allow','Action':'kms:Decrypt',"
    "'Resource':'arn:aws:kms:us-east-1:111111111111:key/*'},"
    "{'Sid':'Tags','Effect':'Deny','Action':'ec2:CreateTags',"
    "'Resource':'*','Condition':{'ForAnyValue:StringNotLike':"
    "{'aws:TagKeys':['team','env*']}}}]}";
static const char p_auditor[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Action':['s3:Get*','s3:List*'],'Resource':'*'}]}";
static const char p_bucket[] =
    "{'Version':'2012-10-17','Statement':["
    "{'Sid':'Audit','Effect':'Allow','Principal':{'AWS':"
    "'arn:aws:iam::222222222222:role/auditor'},'Action':'s3:GetObject',"
    "'Resource':'arn:aws:s3:::corp/public/*'},"
    "{'Sid':'Locked','Effect':'Deny','Principal':'*',"
    "'Action':'s3:PutObject','Resource':'arn:aws:s3:::corp/locked/*'},"
    "{'Sid':'Guard','Effect':'Deny','NotPrincipal':{'AWS':["
    "'arn:aws:iam::111111111111:root',"
    "'arn:aws:iam::111111111111:user/eng/alice']},"
    "'Action':'s3:DeleteBucket','Resource':'arn:aws:s3:::corp'}]}";
static const char p_trust[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Principal':{'AWS':'arn:aws:iam::111111111111:user/eng/alice'},"
    "'Action':'sts:AssumeRole','Condition':{'Bool':"
    "{'aws:MultiFactorAuthPresent':'true'}}}]}";
static const char p_key[] =
    "{'Version':'2012-10-17','Statement':[{'Sid':'EnableIam',"
    "'Effect':'Allow','Principal':{'AWS':'111111111111'},"
    "'Action':'kms:*','Resource':'*'}]}";
static const char p_session[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Action':['s3:Get*','kms:Decrypt'],'Resource':'*'}]}";
static const char p_scp_full[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Action':'*','Resource':'*'}]}";
static const char p_scp_ou[] =
    "{'Version':'2012-10-17','Statement':["
    "{'Effect':'Allow','Action':'*','Resource':'*'},"
    "{'Sid':'NoTerminate','Effect':'Deny',"
    "'Action':'ec2:TerminateInstances','Resource':'*'},"
    "{'Sid':'OddKey','Effect':'Deny','Action':'ec2:ImportKeyPair',"
    "'Resource':'*','Condition':{'BinaryEquals':"
    "{'ec2:PublicKey':'QUJD'}}}]}";
static const char p_rcp_full[] =
    "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
    "'Principal':'*','Action':'*','Resource':'*'}]}";
static const char p_rcp_tls[] =
    "{'Version':'2012-10-17','Statement':[{'Sid':'Tls','Effect':'Deny',"
    "'Principal':'*','Action':'s3:*','Resource':'*','Condition':"
    "{'BoolIfExists':{'aws:SecureTransport':'false'}}}]}";

static int
compile(iamc_builder *b, const char *text, pdp_policy_type type,
    const char *name, const pdpi_policy **out, char *err, size_t errlen)
{
	size_t n = strlen(text);
	char *s = malloc(n + 1);
	iamc_diags d;
	int rv;

	if (s == NULL)
		return PDP_ENOMEM;
	for (size_t i = 0; i <= n; i++)
		s[i] = text[i] == '\'' ? '"' : text[i];
	iamc_diags_init(&d);
	rv = iamc_policy_compile_text(iamc_builder_arena(b), s, n, type, name,
	    out, &d);
	if (rv != PDP_OK)
		snprintf(err, errlen, "%s: %s %s", name,
		    d.n ? d.v[0].path : "", d.n ? d.v[0].message : "");
	iamc_diags_fini(&d);
	free(s);
	return rv;
}

#define C(text, type, name, pp) \
	do { \
		if ((rv = compile(b, text, type, name, pp, err, errlen)) != \
		    PDP_OK) \
			goto out; \
	} while (0)
#define OK(call) \
	do { \
		if ((rv = (call)) != PDP_OK) { \
			snprintf(err, errlen, "%s failed: %s", #call, \
			    pdp_strerror(rv)); \
			goto out; \
		} \
	} while (0)

int
fx_bundle(int variant, uint64_t revision, void **data, size_t *len,
    char *err, size_t errlen)
{
	iamc_builder *b = NULL;
	const pdpi_policy *home, *alt, *admin, *bnd, *dep, *aud, *bucket,
	    *trust, *key, *sess, *scpf, *scpou, *rcpf, *rcptls;
	uint32_t s_alice, s_admin, s_bnd, s_dep, s_aud, s_sess, s_scpf,
	    s_scpou, s_rcpf, s_rcptls;
	int rv;

	if ((rv = iamc_builder_open(&b)) != PDP_OK)
		return rv;
	C(p_alice_home, PDP_POLICY_IDENTITY, "AliceHome", &home);
	C(p_alice_alt, PDP_POLICY_IDENTITY, "AliceNoRead", &alt);
	C(p_admin, PDP_POLICY_AWS_MANAGED,
	    "arn:aws:iam::aws:policy/AdministratorAccess", &admin);
	C(p_boundary_s3, PDP_POLICY_BOUNDARY, "S3Boundary", &bnd);
	C(p_deployer, PDP_POLICY_IDENTITY, "Deployer", &dep);
	C(p_auditor, PDP_POLICY_IDENTITY, "Auditor", &aud);
	C(p_bucket, PDP_POLICY_RESOURCE, "corp-bucket", &bucket);
	C(p_trust, PDP_POLICY_TRUST, "deployer-trust", &trust);
	C(p_key, PDP_POLICY_RESOURCE, "key-k1", &key);
	C(p_session, PDP_POLICY_SESSION, "SessionReadOnly", &sess);
	C(p_scp_full, PDP_POLICY_SCP, "FullAWSAccess", &scpf);
	C(p_scp_ou, PDP_POLICY_SCP, "OuGuard", &scpou);
	C(p_rcp_full, PDP_POLICY_RCP, "RCPFullAWSAccess", &rcpf);
	C(p_rcp_tls, PDP_POLICY_RCP, "RequireTls", &rcptls);

	const pdpi_policy *alice_v[] = {home, alt};
	OK(iamc_builder_set(b, alice_v, variant == 1 ? 2 : 1, true,
	    &s_alice));
	OK(iamc_builder_set(b, &admin, 1, true, &s_admin));
	OK(iamc_builder_set(b, &bnd, 1, true, &s_bnd));
	OK(iamc_builder_set(b, &dep, 1, true, &s_dep));
	OK(iamc_builder_set(b, &aud, 1, false, &s_aud));
	OK(iamc_builder_set(b, &sess, 1, true, &s_sess));
	OK(iamc_builder_set(b, &scpf, 1, false, &s_scpf));
	OK(iamc_builder_set(b, &scpou, 1, true, &s_scpou));
	const pdpi_policy *rcp_v[] = {rcpf, rcptls};
	OK(iamc_builder_set(b, &rcpf, 1, false, &s_rcpf));
	OK(iamc_builder_set(b, rcp_v, 2, true, &s_rcptls));

	uint32_t scp[] = {s_scpf, s_scpou}, rcp[] = {s_rcpf, s_rcptls};
	OK(iamc_builder_account(b, FX_OTHER, NULL, 0, NULL, 0));
	OK(iamc_builder_account(b, FX_MEMBER, scp, 2, rcp, 2));

	static const char *const red_k[] = {"team", "cost-center"};
	static const char *const red_v[] = {"red", "42"};
	static const char *const blue_k[] = {"team"};
	static const char *const blue_v[] = {"blue"};
	iamc_principal_spec p;
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_USER;
	p.account = FX_MEMBER;
	p.name = "alice";
	p.path = "/eng/";
	p.unique_id = "AIDAALICE00000000001";
	p.identity = s_alice;
	p.boundary = PDPB_NONE;
	p.ntags = 2;
	p.tag_keys = red_k;
	p.tag_values = red_v;
	OK(iamc_builder_principal(b, &p));
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_USER;
	p.account = FX_MEMBER;
	p.name = "bob";
	p.unique_id = "AIDABOB0000000000001";
	p.identity = s_admin;
	p.boundary = s_bnd;
	OK(iamc_builder_principal(b, &p));
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_ROLE;
	p.account = FX_MEMBER;
	p.name = "Deployer";
	p.unique_id = "AROADEPLOYER00000001";
	p.identity = s_dep;
	p.boundary = PDPB_NONE;
	p.ntags = 1;
	p.tag_keys = blue_k;
	p.tag_values = blue_v;
	p.max_session = 3600;
	OK(iamc_builder_principal(b, &p));
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_ROLE;
	p.account = FX_OTHER;
	p.name = "auditor";
	p.unique_id = "AROAAUDITOR000000001";
	p.identity = s_aud;
	p.boundary = PDPB_NONE;
	OK(iamc_builder_principal(b, &p));
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_ROOT;
	p.account = FX_MEMBER;
	p.identity = PDPB_NONE;
	p.boundary = PDPB_NONE;
	OK(iamc_builder_principal(b, &p));
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_FEDUSER;
	p.account = FX_MEMBER;
	p.name = "carol";
	p.identity = s_aud;
	p.boundary = PDPB_NONE;
	OK(iamc_builder_principal(b, &p));

	OK(iamc_builder_resource_policy(b, "arn:aws:s3:::corp", bucket));
	OK(iamc_builder_resource_policy(b,
	    "arn:aws:iam::111111111111:role/Deployer", trust));
	OK(iamc_builder_resource_policy(b,
	    "arn:aws:kms:us-east-1:111111111111:key/k1", key));
	OK(iamc_builder_named(b,
	    "arn:aws:iam::111111111111:policy/SessionReadOnly", s_sess));
	OK(iamc_builder_access_key(b, FX_ALICE_KEY,
	    "arn:aws:iam::111111111111:user/eng/alice", true));
	OK(iamc_builder_access_key(b, FX_BOB_KEY,
	    "arn:aws:iam::111111111111:user/bob", false));
	for (int i = 0; variant == 2 && i < FX_PAD; i++) {
		char arn[64];
		snprintf(arn, sizeof(arn), "arn:aws:s3:::fixture-pad-%06d", i);
		OK(iamc_builder_resource_policy(b, arn, bucket));
	}
	OK(iamc_builder_write(b, revision, data, len));
out:
	iamc_builder_close(b);
	return rv;
}

// --- Requests --------------------------------------------------------------

#define ALICE "arn:aws:iam::111111111111:user/eng/alice"
#define BOB "arn:aws:iam::111111111111:user/bob"
#define DEPLOYER "arn:aws:sts::111111111111:assumed-role/Deployer/s1"
#define AUDITOR "arn:aws:sts::222222222222:assumed-role/auditor/a1"
#define ROOT "arn:aws:iam::111111111111:root"
#define CAROL "arn:aws:sts::111111111111:federated-user/carol"
#define SESSION_RO "arn:aws:iam::111111111111:policy/SessionReadOnly"
#define HOME "arn:aws:s3:::corp/home/alice/notes.txt"
#define KEY1 "arn:aws:kms:us-east-1:111111111111:key/k1"
#define DEPLOYER_ROLE "arn:aws:iam::111111111111:role/Deployer"

static const char *const v_true[] = {"true"};
static const char *const v_false[] = {"false"};
static const char *const v_home_docs[] = {"home/alice/docs/"};
static const char *const v_home_bob[] = {"home/bob/"};
static const char *const v_ip_out[] = {"192.0.2.1"};
static const char *const v_ip_in[] = {"10.1.2.3"};
static const char *const v_blue[] = {"blue"};
static const char *const v_red[] = {"red"};
static const char *const v_age_new[] = {"100"};
static const char *const v_age_old[] = {"7200"};
static const char *const v_now[] = {"2024-05-01T00:00:00Z"};
static const char *const v_keys_bad[] = {"team", "owner"};
static const char *const v_keys_ok[] = {"team", "env-prod"};

#define E(k, v) {k, v, sizeof(v) / sizeof(v[0]), false}
#define EM(k, v) {k, v, sizeof(v) / sizeof(v[0]), true}
#define CTX(a) a, sizeof(a) / sizeof(a[0])

static const pdp_context_entry c_tls[] = {E("aws:SecureTransport", v_true)};
static const pdp_context_entry c_plain[] = {
    E("aws:SecureTransport", v_false)};
static const pdp_context_entry c_list_own[] = {
    E("aws:SecureTransport", v_true), E("s3:prefix", v_home_docs)};
static const pdp_context_entry c_list_bob[] = {
    E("aws:SecureTransport", v_true), E("s3:prefix", v_home_bob)};
static const pdp_context_entry c_ip_out[] = {E("aws:SourceIp", v_ip_out)};
static const pdp_context_entry c_ip_in[] = {E("AWS:SOURCEIP", v_ip_in)};
static const pdp_context_entry c_team_blue[] = {
    E("ec2:ResourceTag/team", v_blue),
    E("aws:MultiFactorAuthAge", v_age_new), E("aws:CurrentTime", v_now)};
static const pdp_context_entry c_team_red[] = {
    E("ec2:ResourceTag/team", v_red),
    E("aws:MultiFactorAuthAge", v_age_new), E("aws:CurrentTime", v_now)};
static const pdp_context_entry c_mfa_old[] = {
    E("ec2:resourcetag/TEAM", v_blue),
    E("aws:MultiFactorAuthAge", v_age_old), E("aws:CurrentTime", v_now)};
static const pdp_context_entry c_keys_bad[] = {EM("aws:TagKeys", v_keys_bad)};
static const pdp_context_entry c_keys_ok[] = {EM("aws:TagKeys", v_keys_ok)};
static const pdp_context_entry c_mfa[] = {
    E("aws:MultiFactorAuthPresent", v_true)};

#define R(p, a, r, ra) .principal = p, .action = a, .resource = r, \
	.resource_account = ra
#define A PDP_ALLOW
#define X PDP_EXPLICIT_DENY
#define I PDP_IMPLICIT_DENY

const fx_case fx_cases[] = {
	{"alice reads her home", {R(ALICE, "s3:GetObject", HOME, FX_MEMBER),
	    .context = CTX(c_tls)}, A, X, PDP_OK},
	{"alice reads with a folded action", {R(ALICE, "S3:getobject", HOME,
	    FX_MEMBER), .context = CTX(c_tls)}, A, X, PDP_OK},
	{"alice reads bob's home", {R(ALICE, "s3:GetObject",
	    "arn:aws:s3:::corp/home/bob/x", FX_MEMBER),
	    .context = CTX(c_tls)}, I, X, PDP_OK},
	{"alice deletes: identity deny", {R(ALICE, "s3:DeleteObject", HOME,
	    FX_MEMBER), .context = CTX(c_tls)}, X, X, PDP_OK},
	{"alice over plain http: RCP deny", {R(ALICE, "s3:GetObject", HOME,
	    FX_MEMBER), .context = CTX(c_plain)}, X, X, PDP_OK},
	{"alice lists her prefix", {R(ALICE, "s3:ListBucket",
	    "arn:aws:s3:::corp", FX_MEMBER), .context = CTX(c_list_own)},
	    A, A, PDP_OK},
	{"alice lists bob's prefix", {R(ALICE, "s3:ListBucket",
	    "arn:aws:s3:::corp", FX_MEMBER), .context = CTX(c_list_bob)},
	    I, I, PDP_OK},
	{"alice encrypts under the key policy", {R(ALICE, "kms:Encrypt",
	    KEY1, NULL)}, A, A, PDP_OK},
	{"alice assumes Deployer with MFA", {R(ALICE, "sts:AssumeRole",
	    DEPLOYER_ROLE, NULL), .context = CTX(c_mfa)}, A, A, PDP_OK},
	{"alice assumes Deployer without MFA", {R(ALICE, "sts:AssumeRole",
	    DEPLOYER_ROLE, NULL)}, I, I, PDP_OK},
	{"alice asks who she is", {R(ALICE, "sts:GetCallerIdentity", NULL,
	    NULL)}, A, A, PDP_OK},
	{"bob runs instances: boundary", {R(BOB, "ec2:RunInstances", NULL,
	    NULL)}, I, I, PDP_OK},
	{"bob off-network: boundary deny", {R(BOB, "iam:ListUsers", NULL,
	    NULL), .context = CTX(c_ip_out)}, X, X, PDP_OK},
	{"bob on-network: boundary implicit", {R(BOB, "iam:ListUsers", NULL,
	    NULL), .context = CTX(c_ip_in)}, I, I, PDP_OK},
	{"bob lists the bucket", {R(BOB, "s3:ListBucket", "arn:aws:s3:::corp",
	    FX_MEMBER), .context = CTX(c_tls)}, A, A, PDP_OK},
	{"bob terminates: SCP deny", {R(BOB, "ec2:TerminateInstances", NULL,
	    NULL)}, X, X, PDP_OK},
	{"bob deletes the bucket: NotPrincipal", {R(BOB, "s3:DeleteBucket",
	    "arn:aws:s3:::corp", FX_MEMBER), .context = CTX(c_tls)}, X, X,
	    PDP_OK},
	{"bob assumes Deployer: boundary deny without SourceIp",
	    {R(BOB, "sts:AssumeRole", DEPLOYER_ROLE, NULL),
	    .context = CTX(c_mfa)}, X, X, PDP_OK},
	{"deployer starts a team instance", {R(DEPLOYER, "ec2:StartInstances",
	    NULL, NULL), .context = CTX(c_team_blue)}, A, A, PDP_OK},
	{"deployer starts another team's", {R(DEPLOYER, "ec2:StartInstances",
	    NULL, NULL), .context = CTX(c_team_red)}, I, I, PDP_OK},
	{"deployer with stale MFA", {R(DEPLOYER, "ec2:StopInstances", NULL,
	    NULL), .context = CTX(c_mfa_old)}, I, I, PDP_OK},
	{"deployer tags with a stray key", {R(DEPLOYER, "ec2:CreateTags",
	    NULL, NULL), .context = CTX(c_keys_bad)}, X, X, PDP_OK},
	{"deployer tags with good keys", {R(DEPLOYER, "ec2:CreateTags", NULL,
	    NULL), .context = CTX(c_keys_ok)}, I, I, PDP_OK},
	{"deployer sends a message", {R(DEPLOYER, "sqs:SendMessage",
	    "arn:aws:sqs:us-east-1:111111111111:jobs", NULL)}, A, A, PDP_OK},
	{"deployer under a session policy", {R(DEPLOYER, "sqs:SendMessage",
	    "arn:aws:sqs:us-east-1:111111111111:jobs", NULL),
	    .session_policy = SESSION_RO}, I, I, PDP_OK},
	{"deployer decrypts", {R(DEPLOYER, "kms:Decrypt", KEY1, NULL)}, A, A,
	    PDP_OK},
	{"deployer decrypts in session", {R(DEPLOYER, "kms:Decrypt", KEY1,
	    NULL), .session_policy = SESSION_RO}, A, A, PDP_OK},
	{"deployer decrypts a key without policy", {R(DEPLOYER,
	    "kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/k2",
	    NULL)}, I, I, PDP_OK},
	{"auditor reads cross-account", {R(AUDITOR, "s3:GetObject",
	    "arn:aws:s3:::corp/public/r.pdf", FX_MEMBER),
	    .context = CTX(c_tls)}, A, A, PDP_OK},
	{"auditor reads private cross-account", {R(AUDITOR, "s3:GetObject",
	    "arn:aws:s3:::corp/private/r.pdf", FX_MEMBER),
	    .context = CTX(c_tls)}, I, I, PDP_OK},
	{"root writes", {R(ROOT, "s3:PutObject", "arn:aws:s3:::corp/x",
	    FX_MEMBER), .context = CTX(c_tls)}, A, A, PDP_OK},
	{"root writes a locked key", {R(ROOT, "s3:PutObject",
	    "arn:aws:s3:::corp/locked/x", FX_MEMBER), .context = CTX(c_tls)},
	    X, X, PDP_OK},
	{"root assumes a role", {R(ROOT, "sts:AssumeRole", DEPLOYER_ROLE,
	    NULL), .context = CTX(c_mfa)}, I, I, PDP_OK},
	{"anonymous reads", {R("anonymous", "s3:GetObject",
	    "arn:aws:s3:::corp/public/x", FX_MEMBER), .context = CTX(c_tls)},
	    I, I, PDP_OK},
	{"anonymous reads over plain http: RCP deny", {R("anonymous",
	    "s3:GetObject", "arn:aws:s3:::corp/public/x", FX_MEMBER)}, X, X,
	    PDP_OK},
	{"service reads", {R("cloudtrail.amazonaws.com", "s3:GetObject",
	    "arn:aws:s3:::corp/public/x", FX_MEMBER), .context = CTX(c_tls)},
	    I, I, PDP_OK},
	{"federated user without session policy", {R(CAROL, "s3:GetObject",
	    "arn:aws:s3:::corp/public/x", FX_MEMBER), .context = CTX(c_tls)},
	    I, I, PDP_OK},
	{"federated user with session policy", {R(CAROL, "s3:GetObject",
	    "arn:aws:s3:::corp/public/x", FX_MEMBER), .context = CTX(c_tls),
	    .session_policy = SESSION_RO}, A, A, PDP_OK},
	{"unknown user", {R("arn:aws:iam::111111111111:user/mallory",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	{"alice without her path", {R("arn:aws:iam::111111111111:user/alice",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	// A user is named by its exact ARN: bob's is canonical (path "/",
	// partition aws), and each of these differs from it.
	{"bob with a path", {R("arn:aws:iam::111111111111:user/x/bob",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	{"bob in capitals", {R("arn:aws:iam::111111111111:user/BOB",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	{"bob in another partition", {R("arn:aws-cn:iam::111111111111:user/bob",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	{"bob with a region", {R("arn:aws:iam:us-east-1:111111111111:user/bob",
	    "s3:GetObject", HOME, FX_MEMBER)}, I, I, PDP_ENOENT},
	{"unknown session policy", {R(DEPLOYER, "sqs:SendMessage", NULL,
	    NULL), .session_policy = "nope"}, I, I, PDP_ENOENT},
	{"not a principal", {R("not-a-principal", "s3:GetObject", NULL,
	    NULL)}, I, I, PDP_EINVAL},
};
const size_t fx_ncases = sizeof(fx_cases) / sizeof(fx_cases[0]);

// check_many decides every case again through pdp_bundle_authorize_many,
// in batches of `per`, and compares each answer with the case's (and its
// reason and revision with those of one call).
static size_t
check_many(const pdp_bundle *b, int variant, size_t per, bool ahead)
{
	pdp_request *q = calloc(fx_ncases, sizeof(*q));
	pdp_decision *d = calloc(fx_ncases, sizeof(*d));
	size_t bad = 0;

	if (q == NULL || d == NULL) {
		printf("out of memory\n");
		free(q);
		free(d);
		return 1;
	}
	for (size_t i = 0; i < fx_ncases; i++)
		q[i] = fx_cases[i].req;
	// A bundle this small is decided one by one unless told to read
	// ahead as a large one is.
	bool was = b->ahead;
	((pdp_bundle *) b)->ahead = ahead;
	for (size_t at = 0; at < fx_ncases; at += per) {
		size_t n = fx_ncases - at < per ? fx_ncases - at : per;
		int first = PDP_OK;
		for (size_t i = at; i < at + n && first == PDP_OK; i++)
			first = fx_cases[i].want_err;
		int rv = pdp_bundle_authorize_many(b, q + at, n, d + at);
		if (rv != first) {
			printf("batch of %zu from case %zu (%s): returned %d, "
			    "want %d\n", n, at, ahead ? "ahead" : "one by one",
			    rv, first);
			bad++;
		}
	}
	((pdp_bundle *) b)->ahead = was;
	for (size_t i = 0; i < fx_ncases; i++) {
		const fx_case *c = &fx_cases[i];
		pdp_effect want = variant ? c->want_alt : c->want;
		pdp_decision one;
		pdp_bundle_authorize(b, &c->req, &one, NULL);
		if (d[i].err != c->want_err || d[i].effect != want ||
		    d[i].reason == NULL || one.reason == NULL ||
		    strcmp(d[i].reason, one.reason) != 0 ||
		    d[i].revision != one.revision) {
			printf("fixture case \"%s\" (variant %d, batches of "
			    "%zu, %s): got %s err %d (%s), want %s err %d\n",
			    c->name, variant, per, ahead ? "ahead" :
			    "one by one", pdp_effect_name(d[i].effect),
			    d[i].err, d[i].reason ? d[i].reason : "no reason",
			    pdp_effect_name(want), c->want_err);
			bad++;
		}
	}
	free(q);
	free(d);
	return bad;
}

size_t
fx_check_all(const pdp_bundle *b, int variant)
{
	size_t bad = 0;
	pdp_explanation ex;

	for (size_t i = 0; i < fx_ncases; i++) {
		const fx_case *c = &fx_cases[i];
		pdp_effect want = variant ? c->want_alt : c->want;
		for (int k = 0; k < 2; k++) {
			pdp_decision d;
			int rv = pdp_bundle_authorize(b, &c->req, &d,
			    k ? &ex : NULL);
			if (rv != c->want_err || d.err != c->want_err ||
			    d.effect != want || d.reason == NULL) {
				printf("fixture case \"%s\" (variant %d, %s "
				    "explanation): got %s err %d (%s), want "
				    "%s err %d\n", c->name, variant,
				    k ? "with" : "without",
				    pdp_effect_name(d.effect), d.err,
				    d.reason ? d.reason : "no reason",
				    pdp_effect_name(want), c->want_err);
				bad++;
			}
		}
	}
	static const size_t per[] = {1, 5, 16, 17, SIZE_MAX};
	for (size_t k = 0; k < sizeof(per) / sizeof(per[0]); k++)
		for (int ahead = 0; ahead < 2; ahead++)
			bad += check_many(b, variant, per[k], ahead);
	return bad;
}
