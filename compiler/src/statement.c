// statement.c - one policy statement: its elements, which of them the
// policy type requires or forbids (section 1.10 of the spec), and the
// warnings Access Analyzer gives for risky shapes.

#include <string.h>

#include "iamci.h"

static const char *const stmt_keys[] = {
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
	"Resource", "NotResource", "Condition",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

// Identity-style policies name no principal: the principal is whoever
// the policy is attached to.
static bool
identity_style(pdp_policy_type t)
{
	return t == PDP_POLICY_IDENTITY || t == PDP_POLICY_AWS_MANAGED ||
	    t == PDP_POLICY_BOUNDARY || t == PDP_POLICY_SESSION ||
	    t == PDP_POLICY_SCP;
}

// IAM itself stores these types and checks Sids against [0-9A-Za-z]*.
static bool
iam_sid_rules(pdp_policy_type t)
{
	return t == PDP_POLICY_IDENTITY || t == PDP_POLICY_AWS_MANAGED ||
	    t == PDP_POLICY_BOUNDARY || t == PDP_POLICY_SESSION;
}

static bool
is_star(const json_t *v)
{
	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	return json_is_string(v) && strcmp(json_string_value(v), "*") == 0;
}

// empty reports a list value that counts as missing ("[]").
static bool
empty(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) == 0;
}

static bool
eq_nocase(const char *s, const char *lower)
{
	for (; *s != '\0' && *lower != '\0'; s++, lower++) {
		char ch = *s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char) (ch + 32);
		if (ch != *lower)
			return false;
	}
	return *s == *lower;
}

static void
sid_compile(iamci_ctx *c, const char *path, const json_t *v, pdpi_stmt *st)
{
	char p[IAMCI_PATH_MAX];
	const char *s;
	size_t n;

	iamci_path(p, "%s.Sid", path);
	if (!json_is_string(v)) {
		iamci_error(c, p, "Sid must be a string");
		return;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z'))
			continue;
		if (iam_sid_rules(c->type))
			iamci_error(c, p, "Statement IDs (SID) must be "
			    "alpha-numeric. Check that your input satisfies "
			    "the regular expression [0-9A-Za-z]*");
		else if (c->type == PDP_POLICY_TRUST)
			iamci_warn(c, p, "IAM expects statement IDs (SID) to "
			    "match [0-9A-Za-z]*");
		break;
	}
	iamci_str(c, s, n, &st->sid);
}

static void
effect_compile(iamci_ctx *c, const char *path, const json_t *v,
    pdpi_stmt *st)
{
	char p[IAMCI_PATH_MAX];
	const char *s;

	iamci_path(p, "%s.Effect", path);
	if (v == NULL) {
		iamci_error(c, path, "missing required element \"Effect\""
		    IAMCI_AWS_SYNTAX);
		return;
	}
	if (!json_is_string(v)) {
		iamci_error(c, p, "Effect must be a string");
		return;
	}
	s = json_string_value(v);
	if (strcmp(s, "Allow") == 0) {
		st->effect = PDPI_ALLOW;
	} else if (strcmp(s, "Deny") == 0) {
		st->effect = PDPI_DENY;
	} else if (eq_nocase(s, "allow") || eq_nocase(s, "deny")) {
		iamci_error(c, p, "The policy failed legacy parsing: Effect "
		    "must be \"Allow\" or \"Deny\" (case-sensitive), not "
		    "\"%s\"", s);
	} else {
		iamci_error(c, p, "Effect must be \"Allow\" or \"Deny\", not "
		    "\"%s\"" IAMCI_AWS_SYNTAX, s);
	}
}

// rcp_full_access reports the exact shape of AWS's RCPFullAWSAccess, the
// one RCP statement that may Allow.
static bool
rcp_full_access(const json_t *v)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *) v, key, val) {
		if (strcmp(key, "Sid") == 0 || strcmp(key, "Effect") == 0)
			continue;
		if ((strcmp(key, "Action") == 0 ||
		    strcmp(key, "Resource") == 0) && is_star(val))
			continue;
		if (strcmp(key, "Principal") == 0 && json_is_string(val) &&
		    strcmp(json_string_value(val), "*") == 0)
			continue;
		return false;
	}
	return json_object_get(v, "Action") != NULL &&
	    json_object_get(v, "Resource") != NULL &&
	    json_object_get(v, "Principal") != NULL;
}

static void
actions(iamci_ctx *c, const char *path, const json_t *v, pdpi_stmt *st)
{
	const json_t *act = json_object_get(v, "Action");
	const json_t *nact = json_object_get(v, "NotAction");
	const char *what = act != NULL ? "Action" : "NotAction";
	const json_t *use = act != NULL ? act : nact;
	char p[IAMCI_PATH_MAX];

	if (act != NULL && nact != NULL) {
		iamci_error(c, path, "a statement must not contain both "
		    "Action and NotAction" IAMCI_AWS_SYNTAX);
		return;
	}
	if (use == NULL || empty(use)) {
		iamci_error(c, path, "Policy statement must contain actions.");
		return;
	}
	iamci_path(p, "%s.%s", path, what);
	st->not_action = nact != NULL;
	st->nactions = iamci_actions_compile(c, p, what, use, &st->actions);
	if (c->type == PDP_POLICY_RCP && nact != NULL)
		iamci_error(c, p, "NotAction is not supported in resource "
		    "control policies");
	if (c->type == PDP_POLICY_RCP && st->effect == PDPI_DENY) {
		for (uint32_t i = 0; i < st->nactions; i++) {
			if (st->actions[i].kind == PDPI_ACT_ALL)
				iamci_error(c, p, "a resource control "
				    "policy must not use \"*\" as an action; "
				    "name the service, e.g. \"s3:*\"");
		}
	}
	if (nact != NULL && st->effect == PDPI_ALLOW)
		iamci_warn(c, p, "\"Allow\" with NotAction allows every "
		    "action not listed, in every service; prefer Action");
}

static void
resources(iamci_ctx *c, const char *path, const json_t *v, pdpi_stmt *st)
{
	const json_t *res = json_object_get(v, "Resource");
	const json_t *nres = json_object_get(v, "NotResource");
	const char *what = res != NULL ? "Resource" : "NotResource";
	const json_t *use = res != NULL ? res : nres;
	char p[IAMCI_PATH_MAX];

	if (res != NULL && nres != NULL) {
		iamci_error(c, path, "a statement must not contain both "
		    "Resource and NotResource" IAMCI_AWS_SYNTAX);
		return;
	}
	iamci_path(p, "%s.%s", path, what);
	if (c->type == PDP_POLICY_TRUST) {
		if (use != NULL)
			iamci_error(c, p, "Has prohibited field %s", what);
		return;
	}
	if (use == NULL && c->type == PDP_POLICY_RESOURCE)
		return; // the resource the policy is attached to
	if (use == NULL || empty(use)) {
		iamci_error(c, path,
		    "Policy statement must contain resources.");
		return;
	}
	st->has_resource = true;
	st->not_resource = nres != NULL;
	st->nresources = iamci_resources_compile(c, p, what, use,
	    &st->resources);
	if (nres != NULL && st->effect == PDPI_ALLOW)
		iamci_warn(c, p, "\"Allow\" with NotResource allows every "
		    "resource not listed; prefer Resource");
}

static void
principals(iamci_ctx *c, const char *path, const json_t *v, pdpi_stmt *st)
{
	const json_t *pr = json_object_get(v, "Principal");
	const json_t *npr = json_object_get(v, "NotPrincipal");
	const char *what = pr != NULL ? "Principal" : "NotPrincipal";
	const json_t *use = pr != NULL ? pr : npr;
	char p[IAMCI_PATH_MAX];

	iamci_path(p, "%s.%s", path, what);
	if (identity_style(c->type)) {
		if (use != NULL)
			iamci_error(c, p, "Policy document should not specify "
			    "a principal.");
		return;
	}
	if (pr != NULL && npr != NULL) {
		iamci_error(c, path, "a statement must not contain both "
		    "Principal and NotPrincipal" IAMCI_AWS_SYNTAX);
		return;
	}
	if (use == NULL) {
		iamci_error(c, path, "Missing required field Principal");
		return;
	}
	if (npr != NULL && c->type == PDP_POLICY_TRUST) {
		iamci_error(c, p, "Has prohibited field NotPrincipal");
		return;
	}
	if (npr != NULL && c->type == PDP_POLICY_RCP) {
		iamci_error(c, p, "NotPrincipal is not supported in resource "
		    "control policies");
		return;
	}
	if (c->type == PDP_POLICY_RCP &&
	    !(json_is_string(pr) && strcmp(json_string_value(pr), "*") == 0)) {
		iamci_error(c, p, "the Principal of a resource control policy "
		    "must be \"*\"");
		return;
	}
	st->has_principal = true;
	st->not_principal = npr != NULL;
	st->nprincipals = iamci_principals_compile(c, p, what, use,
	    &st->principals);
	if (npr == NULL)
		return;
	if (st->effect == PDPI_ALLOW) {
		iamci_error(c, p, "NotPrincipal can only be used with "
		    "\"Deny\"");
		return;
	}
	iamci_warn(c, p, "\"Deny\" with NotPrincipal is hard to get right; "
	    "prefer Principal \"*\" with a condition on aws:PrincipalArn");
	iamci_principals_check_not(c, p, st->principals, st->nprincipals);
}

void
iamci_stmt_compile(iamci_ctx *c, const char *path, uint32_t index,
    const json_t *v, pdpi_stmt *st)
{
	char p[IAMCI_PATH_MAX];
	const char *key;
	json_t *val;

	st->index = index;
	if (!iamci_str(c, "", 0, &st->sid))
		return;
	if (!json_is_object(v)) {
		iamci_error(c, path, "a statement must be an object");
		return;
	}
	json_object_foreach((json_t *) v, key, val) {
		bool known = false;
		for (size_t i = 0; i < NELEM(stmt_keys); i++)
			known = known || strcmp(key, stmt_keys[i]) == 0;
		if (!known) {
			iamci_path(p, "%s.%s", path, key);
			iamci_error(c, p, "unknown element \"%s\""
			    IAMCI_AWS_SYNTAX, key);
		}
	}
	if ((val = json_object_get(v, "Sid")) != NULL)
		sid_compile(c, path, val, st);
	effect_compile(c, path, json_object_get(v, "Effect"), st);
	if (c->type == PDP_POLICY_RCP && st->effect == PDPI_ALLOW &&
	    !rcp_full_access(v)) {
		iamci_path(p, "%s.Effect", path);
		iamci_error(c, p, "Effect must be \"Deny\" in a resource "
		    "control policy (only RCPFullAWSAccess may use "
		    "\"Allow\")");
	}
	principals(c, path, v, st);
	actions(c, path, v, st);
	resources(c, path, v, st);
	if ((val = json_object_get(v, "Condition")) != NULL) {
		iamci_path(p, "%s.Condition", path);
		st->nconds = iamci_conds_compile(c, p, val, st->effect,
		    &st->conds);
	}
}
