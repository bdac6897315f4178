// ops_sts.c - AWS STS: AssumeRole, GetSessionToken, GetFederationToken
// and GetCallerIdentity, with AWS's request fields, response shapes and
// error codes (iam-semantics 6). The credentials they issue carry their
// session in the session token (sts_session.c), which the PDP opens to
// decide the session's requests.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mfa.h"

// Durations in seconds (iam-semantics 13.4).
#define DURATION_MIN 900
#define ROLE_DURATION_MAX 43200  // AssumeRole's DurationSeconds shape
#define ROLE_DEFAULT 3600
#define CHAINED_MAX 3600         // role chaining
#define TOKEN_MAX 129600         // GetSessionToken, GetFederationToken
#define TOKEN_DEFAULT 43200
#define ROOT_MAX 3600            // ... for the root user

// Session policies: the Policy field's own limit, and the plaintext of
// the inline policy and the ARNs together (iam-semantics 6.7).
#define POLICY_MAX 2048
// Our packed form is the session's plaintext: the inline policy and the
// policy ARNs (whitespace not counted) and the session tags' keys and
// values. It travels in the session token, base64'd; a budget of 2,560
// characters keeps a token near 4 KB, which pdpd's default --max-string
// takes. PackedPolicySize is the share of this budget used.
#define PACKED_MAX 2560

// The fields of an STS request (each NULL or 0 when absent).
typedef struct stsreq {
	const char *role_arn, *session_name, *policy, *external_id;
	const char *serial, *code, *source_identity, *name;
	const json_t *policy_arns, *tags, *transitive;
	int64_t duration;
	bool has_duration;
	bool mfa;              // SerialNumber and TokenCode were verified
	size_t packed;         // characters of the packed form
} stsreq;

// A new session's claims, with room for their lists.
typedef struct grant {
	pdp_creds_claims c;
	pdp_creds_tag tags[PDP_CREDS_TAGS_MAX];
	const char *transitive[PDP_CREDS_TAGS_MAX];
	const char *arns[PDP_CREDS_POLICY_ARNS_MAX];
} grant;

static void
grant_init(grant *g, pdp_creds_type type)
{
	memset(g, 0, sizeof(*g));
	g->c.type = type;
	g->c.tags = g->tags;
	g->c.transitive = g->transitive;
	g->c.policy_arns = g->arns;
}

// --- field checks -----------------------------------------------------------

static void
camel(const char *field, char *out, size_t len)
{
	snprintf(out, len, "%s", field);
	if (out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char) (out[0] + ('a' - 'A'));
}

// check_text checks a field's length and that it is made of \w and the
// `extra` characters, as AWS's pattern `pattern` says. Values are not
// echoed: some (ExternalId, TokenCode) are not for logs.
static bool
check_text(iamsi_ctx *c, const char *field, const char *v, size_t min,
    size_t max, const char *extra, const char *pattern)
{
	char f[64];
	size_t n = strlen(v);

	camel(field, f, sizeof(f));
	if (n < min || n > max) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at '%s' failed to satisfy constraint: "
		    "Member must have length between %zu and %zu", f, min,
		    max);
		return false;
	}
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char) *p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' ||
		    strchr(extra, ch) != NULL)
			continue;
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at '%s' failed to satisfy constraint: "
		    "Member must satisfy regular expression pattern: %s", f,
		    pattern);
		return false;
	}
	return true;
}

// check_list checks that list field `field` is a list of at most `max`
// items.
static bool
check_list(iamsi_ctx *c, const char *field, const json_t *v, size_t max,
    const char *items)
{
	char f[64];

	if (json_is_array(v) && json_array_size(v) <= max)
		return true;
	camel(field, f, sizeof(f));
	iamsi_fail(c, "ValidationError", "1 validation error detected: Value "
	    "at '%s' failed to satisfy constraint: Member must be a list of "
	    "at most %zu %s", f, max, items);
	return false;
}

// read_fields reads the string fields every STS operation may take; a
// field of another type is a ValidationError.
static bool
read_fields(iamsi_ctx *c, stsreq *q)
{
	bool bad = false;

	memset(q, 0, sizeof(*q));
	q->role_arn = iamsi_str(c, "RoleArn", &bad);
	q->session_name = iamsi_str(c, "RoleSessionName", &bad);
	q->policy = iamsi_str(c, "Policy", &bad);
	q->external_id = iamsi_str(c, "ExternalId", &bad);
	q->serial = iamsi_str(c, "SerialNumber", &bad);
	q->code = iamsi_str(c, "TokenCode", &bad);
	q->source_identity = iamsi_str(c, "SourceIdentity", &bad);
	q->name = iamsi_str(c, "Name", &bad);
	q->policy_arns = json_object_get(c->params, "PolicyArns");
	q->tags = json_object_get(c->params, "Tags");
	q->transitive = json_object_get(c->params, "TransitiveTagKeys");
	q->has_duration = json_object_get(c->params, "DurationSeconds") !=
	    NULL;
	return !bad && iamsi_int(c, "DurationSeconds", 0, &q->duration);
}

// check_duration applies DurationSeconds' range (its shape: 900 up to
// `max`), or sets the default.
static bool
check_duration(iamsi_ctx *c, stsreq *q, int64_t max, int64_t dflt)
{
	if (!q->has_duration) {
		q->duration = dflt;
		return true;
	}
	if (q->duration < DURATION_MIN || q->duration > max) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'durationSeconds' failed to "
		    "satisfy constraint: Member must have value %s %lld",
		    (long long) q->duration, q->duration < DURATION_MIN ?
		    "greater than or equal to" : "less than or equal to",
		    (long long) (q->duration < DURATION_MIN ? DURATION_MIN :
		    max));
		return false;
	}
	return true;
}

// check_mfa verifies SerialNumber and TokenCode (given together or not
// at all) against the caller's device; a code is good once.
static bool
check_mfa(iamsi_ctx *c, stsreq *q)
{
	if (q->serial == NULL && q->code == NULL)
		return true;
	if (q->serial == NULL || q->code == NULL) {
		iamsi_fail(c, "ValidationError", "SerialNumber and TokenCode "
		    "must be given together");
		return false;
	}
	if (!iamsi_mfa_verify(c, q->serial, q->code, NULL))
		return false;
	q->mfa = true;
	return true;
}

// --- session policies -------------------------------------------------------

// check_policies validates Policy (with the policy compiler, as a
// session policy) and PolicyArns (at most 10 customer managed policies
// of `account`), and counts their plaintext.
static bool
check_policies(iamsi_ctx *c, stsreq *q, const char *account, grant *g)
{
	char prefix[64];
	size_t i, plain = 0;
	const json_t *d;

	if (q->policy != NULL) {
		size_t size;
		if (strlen(q->policy) > POLICY_MAX) {
			iamsi_fail(c, "ValidationError", "1 validation error "
			    "detected: Value at 'policy' failed to satisfy "
			    "constraint: Member must have length less than or "
			    "equal to %d", POLICY_MAX);
			return false;
		}
		if (!iamsi_check_document(c, q->policy, PDP_POLICY_SESSION,
		    false, &size))
			return false;
		plain += size;
		g->c.policy = q->policy;
	}
	if (q->policy_arns == NULL)
		goto done;
	if (!check_list(c, "PolicyArns", q->policy_arns,
	    PDP_CREDS_POLICY_ARNS_MAX, "{\"arn\": ARN}"))
		return false;
	snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:policy/", account);
	json_array_foreach(q->policy_arns, i, d) {
		const char *arn = json_string_value(json_object_get(d, "arn"));
		iams_policy p;
		int rv;
		if (arn == NULL || strlen(arn) < 20 || strlen(arn) > 2048) {
			iamsi_fail(c, "ValidationError", "1 validation error "
			    "detected: Value at 'policyArns.%zu.member.arn' "
			    "failed to satisfy constraint: Member must have "
			    "length between 20 and 2048", i + 1);
			return false;
		}
		// Managed session policies live in the role's account (the
		// caller's for GetFederationToken); AWS managed policies
		// are not in the store.
		rv = strncmp(arn, prefix, strlen(prefix)) == 0 ?
		    iams_store_policy_get(c->st, arn, &p) : PDP_ENOENT;
		if (rv == PDP_ENOENT) {
			iamsi_fail(c, "InvalidParameterValue", "Policy %s "
			    "does not exist or is not attachable.", arn);
			return false;
		}
		if (rv != PDP_OK) {
			iamsi_store_fail(c, rv, NULL);
			return false;
		}
		iams_policy_fini(&p);
		plain += strlen(arn);
		g->arns[g->c.npolicy_arns++] = arn;
	}
done:
	if (plain > POLICY_MAX) {
		iamsi_fail(c, "PackedPolicyTooLarge", "The session policies "
		    "have %zu characters; the inline policy and the policy "
		    "ARNs together may have %d.", plain, POLICY_MAX);
		return false;
	}
	q->packed += plain;
	return true;
}

// --- session tags -----------------------------------------------------------

// check_tags validates Tags as IAM tags, with STS's error codes, and
// TransitiveTagKeys, which must each name one of them.
static bool
check_tags(iamsi_ctx *c, stsreq *q)
{
	size_t i, j;
	const json_t *k;

	if (!iamsi_tags_check(c, q->tags)) {
		// IAM says InvalidInput where STS says InvalidParameterValue.
		if (strcmp(c->err->code, "InvalidInput") == 0)
			snprintf(c->err->code, sizeof(c->err->code),
			    "InvalidParameterValue");
		return false;
	}
	if (q->transitive == NULL)
		return true;
	if (!check_list(c, "TransitiveTagKeys", q->transitive,
	    IAMSI_TAGS_MAX, "tag keys"))
		return false;
	json_array_foreach(q->transitive, i, k) {
		const char *key = json_string_value(k);
		bool found = false;
		const json_t *t;
		if (key == NULL || strlen(key) < 1 ||
		    strlen(key) > IAMSI_TAG_KEY_MAX) {
			iamsi_fail(c, "ValidationError", "1 validation error "
			    "detected: Value at 'transitiveTagKeys.%zu.member'"
			    " failed to satisfy constraint: Member must have "
			    "length between 1 and %d", i + 1,
			    IAMSI_TAG_KEY_MAX);
			return false;
		}
		json_array_foreach(q->tags, j, t)
			found |= strcasecmp(key, json_string_value(
			    json_object_get(t, "Key"))) == 0;
		if (!found) {
			iamsi_fail(c, "InvalidParameterValue", "The specified "
			    "transitive tag key must be included in the "
			    "requested tags.");
			return false;
		}
	}
	return true;
}

static bool
is_transitive(const stsreq *q, const char *key)
{
	size_t i;
	const json_t *k;

	json_array_foreach(q->transitive, i, k)
		if (strcasecmp(json_string_value(k), key) == 0)
			return true;
	return false;
}

// inherited says whether tag i of the calling session is transitive.
static bool
inherited(const pdp_creds_claims *from, uint32_t i)
{
	for (uint32_t j = 0; j < from->ntransitive; j++)
		if (strcasecmp(from->transitive[j], from->tags[i].key) == 0)
			return true;
	return false;
}

// add_tag adds a tag to the new session, and to `all` ([{Key, Value}],
// for aws:RequestTag and sts:TagSession).
static bool
add_tag(iamsi_ctx *c, stsreq *q, grant *g, json_t *all, const char *k,
    const char *v, bool transitive)
{
	if (g->c.ntags >= PDP_CREDS_TAGS_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: the session tags and the transitive tags of "
		    "the calling session together exceed %d",
		    PDP_CREDS_TAGS_MAX);
		return false;
	}
	g->tags[g->c.ntags++] = (pdp_creds_tag) {k, v};
	if (transitive)
		g->transitive[g->c.ntransitive++] = k;
	q->packed += strlen(k) + strlen(v);
	if (json_array_append_new(all, json_pack("{s:s, s:s}", "Key", k,
	    "Value", v)) != 0) {
		iamsi_fail(c, "ServiceFailure", "out of memory");
		return false;
	}
	return true;
}

// session_tags makes the new session's tags: the tags passed, then the
// transitive tags of the calling session, which stay transitive and may
// not be set again (iam-semantics 6.8).
static bool
session_tags(iamsi_ctx *c, stsreq *q, grant *g, json_t *all)
{
	const pdp_creds_claims *from = c->session;
	size_t i;
	const json_t *t;

	json_array_foreach(q->tags, i, t) {
		const char *k = json_string_value(json_object_get(t, "Key"));
		const char *v = json_string_value(json_object_get(t, "Value"));
		for (uint32_t j = 0; from != NULL && j < from->ntags; j++) {
			if (inherited(from, j) &&
			    strcasecmp(from->tags[j].key, k) == 0) {
				iamsi_fail(c, "InvalidParameterValue", "One of "
				    "the specified transitive tag keys can't "
				    "be set because it conflicts with a "
				    "transitive tag key from the calling "
				    "session.");
				return false;
			}
		}
		if (!add_tag(c, q, g, all, k, v, is_transitive(q, k)))
			return false;
	}
	for (uint32_t j = 0; from != NULL && j < from->ntags; j++)
		if (inherited(from, j) && !add_tag(c, q, g, all,
		    from->tags[j].key, from->tags[j].value, true))
			return false;
	return true;
}

// packed_size says how much of the packed budget the session uses, in
// percent; more than 100 fails.
static bool
packed_size(iamsi_ctx *c, const stsreq *q, int *pct)
{
	*pct = (int) ((q->packed * 100 + PACKED_MAX - 1) / PACKED_MAX);
	if (*pct > 100) {
		iamsi_fail(c, "PackedPolicyTooLarge", "Packed size of "
		    "session policies and tags is %d%% of the limit: the "
		    "request exceeds it.", *pct);
		return false;
	}
	return true;
}

// --- credentials ------------------------------------------------------------

// issue seals session `g` and puts its Credentials in the response, with
// PackedPolicySize when the request passed policies or tags.
static int
issue(iamsi_ctx *c, const stsreq *q, grant *g)
{
	json_t *cred;
	int pct;

	g->c.issued = c->now;
	g->c.expires = c->now + q->duration;
	if (!packed_size(c, q, &pct) || !iamsi_session_issue(c, &g->c, &cred))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "Credentials", cred);
	if (q->policy != NULL || q->policy_arns != NULL || g->c.ntags > 0)
		json_object_set_new(c->resp, "PackedPolicySize",
		    json_integer(pct));
	return PDP_OK;
}

// caller_entity finds the caller's own user (or root) record.
static bool
caller_entity(iamsi_ctx *c, iams_entity *e)
{
	int rv = iams_store_entity_get(c->st, c->account,
	    c->root ? IAMS_ROOT : IAMS_USER, c->root ? "root" : c->user, e);

	if (rv == PDP_ENOENT) {
		iamsi_fail(c, "InvalidClientTokenId", "The security token "
		    "included in the request is invalid.");
		return false;
	}
	if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	return true;
}

// long_term_only refuses a caller with temporary credentials: only an
// IAM user or the root user with their own keys may call `op`.
static bool
long_term_only(iamsi_ctx *c, const char *op)
{
	if (c->session == NULL && (c->root || c->is_user))
		return true;
	iamsi_fail(c, "AccessDenied", "Cannot call %s with session "
	    "credentials", op);
	return false;
}

// --- AssumeRole -------------------------------------------------------------

typedef struct roleref {
	char account[13];
	char name[IAMSI_ROLE_NAME_MAX + 1];
	const char *arn;       // as the caller wrote it
} roleref;

// parse_role splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
static bool
parse_role(iamsi_ctx *c, const char *arn, roleref *r)
{
	const char *p = arn + 13, *name;

	if (strlen(arn) < 20 || strlen(arn) > 2048) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'roleArn' failed to satisfy "
		    "constraint: Member must have length between 20 and "
		    "2048");
		return false;
	}
	if (strncmp(arn, "arn:aws:iam::", 13) != 0 ||
	    strspn(p, "0123456789") != 12 || strncmp(p + 12, ":role/", 6) ||
	    (name = strrchr(p, '/') + 1)[0] == '\0' ||
	    strlen(name) > IAMSI_ROLE_NAME_MAX) {
		iamsi_fail(c, "ValidationError", "%s is invalid", arn);
		return false;
	}
	memcpy(r->account, p, 12);
	r->account[12] = '\0';
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->arn = arn;
	return true;
}

// assume_checks validates AssumeRole's fields before any decision.
static bool
assume_checks(iamsi_ctx *c, stsreq *q, roleref *r)
{
	if (!read_fields(c, q))
		return false;
	if (q->role_arn == NULL || q->session_name == NULL) {
		iamsi_need(c, q->role_arn ? "RoleSessionName" : "RoleArn");
		return false;
	}
	if (!parse_role(c, q->role_arn, r) ||
	    !check_text(c, "RoleSessionName", q->session_name, 2, 64,
	    "+=,.@-", "[\\w+=,.@-]*") ||
	    !check_duration(c, q, ROLE_DURATION_MAX, ROLE_DEFAULT) ||
	    (q->external_id != NULL && !check_text(c, "ExternalId",
	    q->external_id, 2, 1224, "+=,.@:/-", "[\\w+=,.@:\\/-]*")) ||
	    (q->source_identity != NULL && !check_text(c, "SourceIdentity",
	    q->source_identity, 2, 64, "+=,.@-", "[\\w+=,.@-]*")) ||
	    !check_tags(c, q))
		return false;
	return true;
}

// Who may assume a role: an IAM user, a role session (chaining), or a
// user's GetSessionToken session; not root, not a federated user.
static bool
may_assume(iamsi_ctx *c)
{
	if (c->root && c->session == NULL) {
		iamsi_fail(c, "AccessDenied", "Roles may not be assumed by "
		    "root accounts.");
		return false;
	}
	if (c->session != NULL &&
	    c->session->type == PDP_CREDS_FEDERATED_USER) {
		iamsi_fail(c, "AccessDenied", "Cannot call AssumeRole with "
		    "federated user credentials");
		return false;
	}
	return true;
}

// source_identity resolves the new session's source identity: set once,
// it carries through chaining and cannot change.
static bool
source_identity(iamsi_ctx *c, const stsreq *q, const char **out)
{
	const char *had = c->session ? c->session->source_identity : NULL;

	*out = q->source_identity ? q->source_identity : had;
	if (had != NULL && q->source_identity != NULL &&
	    strcmp(had, q->source_identity) != 0) {
		iamsi_fail(c, "AccessDenied", "User: %s is not authorized to "
		    "perform: sts:SetSourceIdentity: the source identity of "
		    "the session is already set and cannot be changed",
		    c->caller);
		return false;
	}
	return true;
}

// trust decides the AssumeRole request: sts:AssumeRole on the role, and
// sts:TagSession and sts:SetSourceIdentity when the session gets tags or
// a source identity. The role's trust policy is its resource policy in
// the bundle, so the PDP applies AWS's same-account and cross-account
// rules (the caller's identity policies where they are needed).
static bool
trust(iamsi_ctx *c, const stsreq *q, const roleref *r, const json_t *tags,
    const char *srcid)
{
	pdp_context_entry x[8];
	const char *tk[PDP_CREDS_TAGS_MAX], *yes = "true", *zero = "0";
	uint32_t n = 0, ntk = 0;
	size_t i;
	const json_t *k;

#define PUT(name, v, cnt, m) (x[n++] = (pdp_context_entry) {name, v, cnt, m})
	PUT("sts:RoleSessionName", &q->session_name, 1, false);
	if (q->external_id != NULL)
		PUT("sts:ExternalId", &q->external_id, 1, false);
	if (srcid != NULL)
		PUT("sts:SourceIdentity", &srcid, 1, false);
	json_array_foreach(q->transitive, i, k)
		tk[ntk++] = json_string_value(k);
	if (ntk > 0)
		PUT("sts:TransitiveTagKeys", tk, ntk, true);
	// MFA given to AssumeRole counts for the trust policy only.
	if (q->mfa) {
		PUT("aws:MultiFactorAuthPresent", &yes, 1, false);
		PUT("aws:MultiFactorAuthAge", &zero, 1, false);
	}
#undef PUT
	// An MFA code verified now counts whatever the caller's own MFA
	// state (a session's token says false without MFA).
	if (!iamsi_authorize_ctx(c, "sts:AssumeRole", r->arn, tags, x, n,
	    q->mfa))
		return false;
	if (json_array_size(tags) > 0 && !iamsi_authorize_ctx(c,
	    "sts:TagSession", r->arn, tags, x, n, q->mfa))
		return false;
	if (srcid != NULL && !iamsi_authorize_ctx(c, "sts:SetSourceIdentity",
	    r->arn, tags, x, n, q->mfa))
		return false;
	return true;
}

// role_duration applies the role's MaxSessionDuration and the one-hour
// cap of role chaining.
static bool
role_duration(iamsi_ctx *c, const stsreq *q, const iams_entity *role,
    bool chained)
{
	if (chained && q->duration > CHAINED_MAX) {
		iamsi_fail(c, "ValidationError", "The requested "
		    "DurationSeconds exceeds the 1 hour session limit for "
		    "roles assumed by role chaining.");
		return false;
	}
	if (q->duration > role->max_session) {
		iamsi_fail(c, "ValidationError", "The requested "
		    "DurationSeconds exceeds the MaxSessionDuration set for "
		    "this role.");
		return false;
	}
	return true;
}

// assumed fills the new role session's names from the role's record.
static void
assumed(const iams_entity *role, const char *session, grant *g,
    char *arn, char *uid, char *role_arn)
{
	snprintf(arn, 256, "arn:aws:sts::%s:assumed-role/%s/%s",
	    role->account, role->name, session);
	snprintf(uid, 256, "%s:%s", role->uid, session);
	iamsi_entity_arn(role, role_arn, 1100);
	g->c.account = role->account;
	g->c.arn = arn;
	g->c.policy_arn = role_arn;
	g->c.user_id = uid;
}

static int
assume_role(iamsi_ctx *c)
{
	grant g;
	iams_entity role;
	char arn[256], uid[256], role_arn[1100];
	const char *srcid;
	json_t *tags = json_array();
	stsreq q;
	roleref r;
	int rv = PDP_EINVAL;

	grant_init(&g, PDP_CREDS_ASSUMED_ROLE);
	memset(&role, 0, sizeof(role));
	if (tags == NULL)
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	if (!assume_checks(c, &q, &r) || !may_assume(c) ||
	    !source_identity(c, &q, &srcid) ||
	    !session_tags(c, &q, &g, tags) || !check_mfa(c, &q) ||
	    !trust(c, &q, &r, tags, srcid))
		goto out;
	// The trust policy allowed it, so the role exists unless the store
	// changed since the bundle was built.
	rv = iams_store_entity_get(c->st, r.account, IAMS_ROLE, r.name,
	    &role);
	if (rv != PDP_OK) {
		rv = rv == PDP_ENOENT ? iamsi_fail(c, "AccessDenied", "User: "
		    "%s is not authorized to perform: sts:AssumeRole on "
		    "resource: %s", c->caller, r.arn) :
		    iamsi_store_fail(c, rv, NULL);
		goto out;
	}
	// Chaining: the caller is a role session (with its token, or named
	// by its ARN on a trusted local transport).
	g.c.chained = c->session ? c->session->type ==
	    PDP_CREDS_ASSUMED_ROLE : strstr(c->caller, ":assumed-role/") !=
	    NULL;
	rv = PDP_EINVAL;
	if (!role_duration(c, &q, &role, g.c.chained) ||
	    !check_policies(c, &q, r.account, &g))
		goto out;
	assumed(&role, q.session_name, &g, arn, uid, role_arn);
	g.c.source_identity = srcid;
	if ((rv = issue(c, &q, &g)) != PDP_OK)
		goto out;
	// GetRole's RoleLastUsed, at most once a minute as a key's use; it
	// changes no decision, so no rebuild, and a failure to record it
	// never fails the call.
	if (c->now - role.last_used >= IAMSI_LAST_USED_EVERY)
		(void) iams_store_role_used(c->st, role.eid, c->now);
	json_object_set_new(c->resp, "AssumedRoleUser", json_pack("{s:s, "
	    "s:s}", "AssumedRoleId", uid, "Arn", arn));
	if (srcid != NULL)
		json_object_set_new(c->resp, "SourceIdentity",
		    json_string(srcid));
out:
	iams_entity_fini(&role);
	json_decref(tags);
	return rv;
}

// --- GetSessionToken, GetFederationToken ------------------------------------

// token_duration: 900 s to 36 h for users (12 h by default); the root
// user's sessions last at most an hour: longer requests are cut to one
// hour, as AWS does.
static bool
token_duration(iamsi_ctx *c, stsreq *q)
{
	if (!check_duration(c, q, TOKEN_MAX, c->root ? ROOT_MAX :
	    TOKEN_DEFAULT))
		return false;
	if (c->root && q->duration > ROOT_MAX)
		q->duration = ROOT_MAX;
	return true;
}

static int
get_session_token(iamsi_ctx *c)
{
	grant g;
	iams_entity e;
	stsreq q;
	int rv;

	grant_init(&g, PDP_CREDS_SESSION_TOKEN);
	if (!read_fields(c, &q) || !token_duration(c, &q) ||
	    !long_term_only(c, "GetSessionToken") || !caller_entity(c, &e))
		return PDP_EINVAL;
	// sts:GetSessionToken needs no permission: policies cannot govern
	// it (iam-semantics 6.4). Only an MFA code, when given, must hold.
	c->authorized = true;
	if (!check_mfa(c, &q)) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	g.c.account = c->account;
	g.c.arn = c->caller;
	g.c.policy_arn = c->caller;
	g.c.user_id = e.uid;
	g.c.mfa = q.mfa;
	g.c.mfa_time = q.mfa ? c->now : 0;
	rv = issue(c, &q, &g);
	iams_entity_fini(&e);
	return rv;
}

static int
get_federation_token(iamsi_ctx *c)
{
	grant g;
	char arn[128], uid[64];
	json_t *tags = json_array();
	stsreq q;
	int rv = PDP_EINVAL;

	grant_init(&g, PDP_CREDS_FEDERATED_USER);
	if (tags == NULL)
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	if (!read_fields(c, &q))
		goto out;
	if (q.name == NULL) {
		iamsi_need(c, "Name");
		goto out;
	}
	// Federated users take no transitive tags: they assume no roles.
	q.transitive = NULL;
	if (!check_text(c, "Name", q.name, 2, 32, "+=,.@-",
	    "[\\w+=,.@-]*") || !token_duration(c, &q) ||
	    !check_tags(c, &q) || !long_term_only(c, "GetFederationToken") ||
	    !session_tags(c, &q, &g, tags))
		goto out;
	snprintf(arn, sizeof(arn), "arn:aws:sts::%s:federated-user/%s",
	    c->account, q.name);
	snprintf(uid, sizeof(uid), "%s:%s", c->account, q.name);
	if (!iamsi_authorize(c, "sts:GetFederationToken", arn, tags) ||
	    (json_array_size(tags) > 0 &&
	    !iamsi_authorize(c, "sts:TagSession", arn, tags)) ||
	    !check_policies(c, &q, c->account, &g))
		goto out;
	g.c.account = c->account;
	g.c.arn = arn;
	g.c.policy_arn = c->caller;
	g.c.user_id = uid;
	if ((rv = issue(c, &q, &g)) != PDP_OK)
		goto out;
	json_object_set_new(c->resp, "FederatedUser", json_pack("{s:s, s:s}",
	    "FederatedUserId", uid, "Arn", arn));
out:
	json_decref(tags);
	return rv;
}

// --- GetCallerIdentity ------------------------------------------------------

// caller_id finds the caller's aws:userid: its session's, or its user's
// (root's is the account id).
static bool
caller_id(iamsi_ctx *c, char *out, size_t len)
{
	iams_entity e;

	if (c->session != NULL) {
		snprintf(out, len, "%s", c->session->user_id);
		return true;
	}
	// A session named by its ARN alone (a trusted local transport)
	// has no token to say its id.
	if (!c->root && !c->is_user) {
		iamsi_fail(c, "InvalidClientTokenId", "The security token "
		    "included in the request is invalid.");
		return false;
	}
	if (!caller_entity(c, &e))
		return false;
	snprintf(out, len, "%s", e.uid);
	iams_entity_fini(&e);
	return true;
}

static int
get_caller_identity(iamsi_ctx *c)
{
	char uid[256];

	// sts:GetCallerIdentity needs no permission and succeeds even under
	// an explicit Deny (iam-semantics 5.5).
	c->authorized = true;
	if (!caller_id(c, uid, sizeof(uid)))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "UserId", json_string(uid));
	json_object_set_new(c->resp, "Account", json_string(c->account));
	json_object_set_new(c->resp, "Arn", json_string(c->caller));
	return PDP_OK;
}

// AssumeRole and GetSessionToken write: a verified MFA code is recorded
// so that it cannot be used again.
const iamsi_op iamsi_ops_sts[] = {
	{"AssumeRole", assume_role, true},
	{"GetSessionToken", get_session_token, true},
	{"GetFederationToken", get_federation_token, false},
	{"GetCallerIdentity", get_caller_identity, false},
	{"RotateSessionKeys", iamsi_sts_rotate, true},
	{NULL, NULL, false},
};
