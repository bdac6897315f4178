// eval.c - statement applicability and AWS's decision algorithm over the
// policies of one request (iam-semantics 2.4, 2.5, 5.2-5.5).
//
// Two passes, as AWS's enforcement code does: first every applicable
// policy is searched for an explicit Deny; then the Allow rules decide,
// from RCPs and SCPs down to session policies. Allocates nothing.

#include <string.h>

#include "decide.h"
#include "fold.h"
#include "glob.h"
#include "scan.h"

// How a resource-policy statement names the principal (iam-semantics 5.3).
enum {
	CAT_DIRECT = 1u << 0,   // exactly this user, session, service ...
	CAT_WILDCARD = 1u << 1, // "*"
	CAT_ROLE = 1u << 2,     // the role whose session this is
	CAT_PARENT = 1u << 3,   // the user behind a federated-user session
	CAT_ACCOUNT = 1u << 4,  // the principal's account: delegates to IAM
	CAT_ANY = 0x1f,
};

static bool
str_eq(pdpi_str a, pdpi_str b)
{
	return pdpi_str_eq(a, b);
}

static bool
str_is(pdpi_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.n == n && memcmp(a.p, lit, n) == 0;
}

static bool
is_authenticated(const pdpi_who *who)
{
	return who->kind == PDPI_WHO_ROOT || who->kind == PDPI_WHO_USER ||
	    who->kind == PDPI_WHO_ROLE_SESSION ||
	    who->kind == PDPI_WHO_FEDUSER || who->kind == PDPI_WHO_OTHER;
}

// The role id part of a session's aws:userid ("AROA...:session").
static pdpi_str
role_id(pdpi_str userid)
{
	const char *colon = memchr(userid.p, ':', userid.n);
	if (colon != NULL)
		userid.n = (uint32_t) (colon - userid.p);
	return userid;
}

// principal_category says how principal element `p` names the caller of
// `r`: one CAT_ bit, or 0 when it does not name it.
static unsigned
principal_category(const pdpi_principal *p, const pdpi_req *r)
{
	const pdpi_who *who = &r->who;
	pdpi_str uid;

	switch (p->kind) {
	case PDPI_PRIN_ALL:
		return CAT_WILDCARD;
	case PDPI_PRIN_ACCOUNT:
		return (is_authenticated(who) && str_eq(p->account,
		    who->account)) ? CAT_ACCOUNT : 0;
	case PDPI_PRIN_USER:
		// User names are case-sensitive; the path is not part of
		// the identity. A federated user's parent user grants as
		// PARENT (iam-semantics 5.3).
		if (who->kind == PDPI_WHO_FEDUSER)
			return (who->parent.n > 0 && str_eq(p->account,
			    who->account) && str_eq(p->name, who->parent)) ?
			    CAT_PARENT : 0;
		return (who->kind == PDPI_WHO_USER && str_eq(p->account,
		    who->account) && str_eq(p->name, who->name)) ?
		    CAT_DIRECT : 0;
	case PDPI_PRIN_ROLE:
		// Role names are unique ignoring case.
		return (who->kind == PDPI_WHO_ROLE_SESSION &&
		    str_eq(p->account, who->account) &&
		    pdpi_eq_fold(p->name.p, p->name.n, who->name.p,
		    who->name.n)) ? CAT_ROLE : 0;
	case PDPI_PRIN_SESSION:
		return (who->kind == PDPI_WHO_ROLE_SESSION &&
		    str_eq(p->account, who->account) &&
		    pdpi_eq_fold(p->name.p, p->name.n, who->name.p,
		    who->name.n) && str_eq(p->session, who->session)) ?
		    CAT_DIRECT : 0;
	case PDPI_PRIN_FEDUSER:
		return (who->kind == PDPI_WHO_FEDUSER && str_eq(p->account,
		    who->account) && str_eq(p->name, who->name)) ?
		    CAT_DIRECT : 0;
	case PDPI_PRIN_UNIQUE_ID:
		uid = pdpi_req_userid(r);
		if (uid.n == 0)
			return 0;
		if (who->kind == PDPI_WHO_USER)
			return str_eq(p->name, uid) ? CAT_DIRECT : 0;
		if (who->kind == PDPI_WHO_ROLE_SESSION)
			return str_eq(p->name, role_id(uid)) ? CAT_ROLE : 0;
		return 0;
	case PDPI_PRIN_SERVICE:
		return (who->kind == PDPI_WHO_SERVICE &&
		    pdpi_eq_fold(p->name.p, p->name.n, who->name.p,
		    who->name.n)) ? CAT_DIRECT : 0;
	default:
		// Federated, CanonicalUser and other ARNs name exactly
		// one caller.
		return (who->arn.n > 0 && str_eq(p->name.n ? p->name : p->text,
		    who->arn)) ? CAT_DIRECT : 0;
	}
}

// listed reports whether a NotPrincipal list names one element of the
// caller's identity chain: 0 the account, 1 the user/role/federated user,
// 2 the role session.
static bool
listed(const pdpi_stmt *st, const pdpi_req *r, int level)
{
	const pdpi_who *who = &r->who;

	for (uint32_t i = 0; i < st->nprincipals; i++) {
		const pdpi_principal *p = &st->principals[i];
		if (p->kind == PDPI_PRIN_ALL)
			return true;
		unsigned c = principal_category(p, r);
		if (level == 0 && c == CAT_ACCOUNT)
			return true;
		if (level == 1 && (c == CAT_ROLE ||
		    (c == CAT_DIRECT && who->kind != PDPI_WHO_ROLE_SESSION)))
			return true;
		if (level == 2 && c == CAT_DIRECT)
			return true;
	}
	return false;
}

// not_principal_matches applies a Deny+NotPrincipal statement to `who`:
// the caller escapes only when every element of its identity chain is
// listed (account, then user or role, then session). A user or role with
// a permissions boundary never escapes (iam-semantics 2.5).
static bool
not_principal_matches(const pdpi_scan *s, const pdpi_stmt *st)
{
	const pdpi_req *r = s->r;
	const pdpi_who *who = &r->who;

	switch (who->kind) {
	case PDPI_WHO_USER:
	case PDPI_WHO_ROLE_SESSION:
		if (s->w->has_boundary)
			return true;
		if (!listed(st, r, 0) || !listed(st, r, 1))
			return true;
		return who->kind == PDPI_WHO_ROLE_SESSION &&
		    !listed(st, r, 2);
	case PDPI_WHO_FEDUSER:
		return !listed(st, r, 0) || !listed(st, r, 1);
	case PDPI_WHO_ROOT:
		return !listed(st, r, 0);
	case PDPI_WHO_ANONYMOUS:
		for (uint32_t i = 0; i < st->nprincipals; i++)
			if (st->principals[i].kind == PDPI_PRIN_ALL)
				return false;
		return true;
	default:
		for (uint32_t i = 0; i < st->nprincipals; i++)
			if (principal_category(&st->principals[i], r))
				return false;
		return true;
	}
}

static bool
action_match(const pdpi_action *a, const pdpi_req *r)
{
	switch (a->kind) {
	case PDPI_ACT_ALL:
		return true;
	case PDPI_ACT_EXACT:
		return str_eq(a->svc, r->svc) && str_eq(a->name, r->aname);
	case PDPI_ACT_GLOB:
		return str_eq(a->svc, r->svc) &&
		    pdpi_match_shaped(a->shape, a->name.p, a->name.n,
		    r->aname.p, r->aname.n);
	default:
		return false;
	}
}

static bool
actions_match(const pdpi_stmt *st, const pdpi_req *r)
{
	for (uint32_t i = 0; i < st->nactions; i++)
		if (action_match(&st->actions[i], r))
			return !st->not_action;
	return st->not_action;
}

// seg_match globs one ARN segment; "*" and segments without a wildcard
// (the loader marks them literal) are decided without the matcher.
static inline bool
seg_match(pdpi_str pat, bool literal, pdpi_str text)
{
	if (literal)
		return str_eq(pat, text);
	if (pat.n == 1 && pat.p[0] == '*')
		return true;
	return pdpi_glob(pat.p, NULL, pat.n, text.p, text.n);
}

static bool
resource_match(pdpi_scan *s, const pdpi_resource *res)
{
	const pdpi_req *r = s->r;
	pdpi_str rest;
	const uint8_t *lit;

	if (res->kind == PDPI_RES_ALL)
		return true;
	// Only "*" covers a request on "*" (actions without resource-level
	// permissions) or on anything that is not an ARN.
	if (res->kind != PDPI_RES_ARN || !r->res_arn)
		return false;
	for (int i = 0; i < 5; i++)
		if (!seg_match(res->seg[i], (res->literal >> i) & 1,
		    r->rseg[i]))
			return false;
	if (res->rest.nparts == 0)
		return pdpi_match_shaped(res->shape, res->rest.text.p,
		    res->rest.text.n, r->rrest.p, r->rrest.n);
	// A variable without a value makes the pattern match nothing.
	if (pdpi_tmpl_expand(s, &res->rest, &rest, &lit) != PDPI_EXPAND_OK)
		return false;
	return pdpi_glob(rest.p, lit, rest.n, r->rrest.p, r->rrest.n);
}

static bool
resources_match(pdpi_scan *s, const pdpi_stmt *st)
{
	if (!st->has_resource)
		return true; // the policy's own resource
	for (uint32_t i = 0; i < st->nresources; i++)
		if (resource_match(s, &st->resources[i]))
			return !st->not_resource;
	return st->not_resource;
}

// cond_eval judges a condition; without an explanation (which lists
// every key missing), a condition the loader found alike to another is
// judged once per decision: its answer depends on the request only.
static bool
cond_eval(pdpi_scan *s, const pdpi_cond *c)
{
	if (c->memo == PDPI_NO_MEMO || s->ex != NULL)
		return pdpi_cond_eval(s, c);
	if (!s->memo_ready) {
		memset(s->memo, 0, s->w->nmemo);
		s->memo_ready = true;
	}
	if (s->memo[c->memo] == 0)
		s->memo[c->memo] = pdpi_cond_eval(s, c) ? 1 : 2;
	return s->memo[c->memo] == 1;
}

static bool
conds_match(pdpi_scan *s, const pdpi_stmt *st)
{
	bool all = true;

	for (uint32_t i = 0; i < st->nconds; i++) {
		if (!cond_eval(s, &st->conds[i])) {
			all = false;
			// Explanations want every missing key, so they
			// evaluate the whole block.
			if (s->ex == NULL)
				return false;
		}
	}
	return all;
}

// stmt_applies returns the CAT_ bits by which statement `st` applies to
// the request, or 0 when it does not apply. Statements of policies
// without a Principal element apply to their owner (CAT_DIRECT).
static unsigned
stmt_applies(pdpi_scan *s, const pdpi_policy *p, const pdpi_stmt *st,
    bool action_known)
{
	unsigned cat = CAT_DIRECT;

	if (!action_known && !actions_match(st, s->r))
		return 0;
	if (pdpi_names_principal(p->type)) {
		if (!st->has_principal)
			return 0;
		if (st->not_principal) {
			if (!not_principal_matches(s, st))
				return 0;
			cat = CAT_WILDCARD;
		} else {
			cat = 0;
			for (uint32_t i = 0; i < st->nprincipals; i++)
				cat |= principal_category(&st->principals[i],
				    s->r);
			if (cat == 0)
				return 0;
		}
	}
	// Either order gives the same answer, but for what a plugin or a
	// policy variable might do on the way, and for the keys an
	// explanation lists as missing; conditions on the request's own
	// keys are usually the cheaper test.
	if (st->conds_first && s->ex == NULL) {
		if (!conds_match(s, st) || !resources_match(s, st))
			return 0;
	} else if (!resources_match(s, st) || !conds_match(s, st)) {
		return 0;
	}
	return cat;
}

static void
record(pdpi_scan *s, const pdpi_policy *p, const pdpi_stmt *st)
{
	pdpi_explain *ex = s->ex;

	if (ex->nmatched == PDPI_EXPLAIN_MATCHES) {
		ex->matched_truncated = true;
		return;
	}
	ex->matched[ex->nmatched].policy = p;
	ex->matched[ex->nmatched].stmt = st;
	ex->nmatched++;
}

// scan_stmt judges one statement of `p` with the wanted effect; `keep`
// records it as deciding when it applies. `action_known`: a table said
// its actions match the request's.
static unsigned
scan_stmt(pdpi_scan *s, const pdpi_policy *p, const pdpi_stmt *st,
    uint8_t effect, bool keep, bool action_known)
{
	if (st->effect != effect)
		return 0;
	unsigned c = stmt_applies(s, p, st, action_known);
	if (c != 0 && keep && s->ex != NULL)
		record(s, p, st);
	return c;
}

// scan_policy returns the CAT_ bits of the statements of `p` with
// `effect` that apply. `full`: look at every statement (explanations,
// categories); else stop at the first. `keep`: record them as deciding.
static unsigned
scan_policy(pdpi_scan *s, const pdpi_policy *p, uint8_t effect, bool full,
    bool keep)
{
	unsigned acc = 0;

	if (p == NULL)
		return 0;
	for (uint32_t i = 0; i < p->nstmts; i++) {
		acc |= scan_stmt(s, p, &p->stmts[i], effect, keep, false);
		if (acc != 0 && !full)
			break;
	}
	return acc;
}

// set_cands returns the candidates of a set's table with `effect`. Both
// passes over a set read the same lookup, kept in the scan.
static pdpi_cands
set_cands(pdpi_scan *s, const pdpi_table *t, uint8_t effect)
{
	pdpi_lookup *lk = NULL;

	for (uint32_t i = 0; i < s->nlookups; i++)
		if (s->lookups[i].t == t)
			lk = &s->lookups[i];
	if (lk == NULL) {
		lk = &s->lookups[s->nlookups < PDPI_LOOKUPS ? s->nlookups++ :
		    PDPI_LOOKUPS - 1];
		lk->t = t;
		pdpi_table_lookup(t, s->r->folded, s->r->ahash, s->r->svc,
		    lk->c);
	}
	return lk->c[effect == PDPI_ALLOW];
}

// pattern_known says whether the patterns of service-list entry i match
// the request's action: a positive pattern when it matches (its
// statement judged once, on the first that does); a NotAction's when
// none of the statement's patterns, the entries that follow, matches.
// *last is the index of the last entry of the statement consumed.
static bool
pattern_known(const pdpi_req *r, const pdpi_stmt *st, pdpi_cands c,
    uint32_t i, uint32_t *last)
{
	const uint32_t *e = c.v + (size_t) i * 3;
	bool hit = false;

	*last = i;
	if (!(e[1] & PDPI_CAND_NOT))
		return action_match(&st->actions[e[2]], r);
	for (uint32_t j = i; j < c.n; j++) {
		const uint32_t *f = c.v + (size_t) j * 3;
		if (f[0] != e[0] || f[1] != e[1])
			break;
		*last = j;
		hit = hit || action_match(&st->actions[f[2]], r);
	}
	return !hit;
}

// scan_cands judges a table's candidates, in (policy, statement) order.
// A statement the table says applies whenever its actions match is not
// read at all.
static unsigned
scan_cands(pdpi_scan *s, const pdpi_pset *set, pdpi_cands c, bool keep)
{
	unsigned acc = 0;
	bool full = s->ex != NULL;
	const uint32_t *judged = NULL; // the last statement judged

	for (uint32_t i = 0; i < c.n; i++) {
		const uint32_t *e = c.v + (size_t) i * c.width;
		const pdpi_policy *p = set->v[e[0]];
		const pdpi_stmt *st;
		bool known = (e[1] & PDPI_CAND_KNOWN) != 0;
		if (c.width == 3 && e[2] != PDPI_CAND_NOACT) {
			if (judged != NULL && judged[0] == e[0] &&
			    judged[1] == e[1])
				continue;
			st = &p->stmts[e[1] & PDPI_CAND_INDEX];
			if (!pattern_known(s->r, st, c, i, &i))
				continue;
			judged = e;
			known = true;
		}
		unsigned cat;
		if (known && (e[1] & PDPI_CAND_ALWAYS)) {
			// Neither the policy's record nor the statement is
			// read, but for an explanation.
			cat = CAT_DIRECT;
			if (keep && s->ex != NULL)
				record(s, p, &p->stmts[e[1] & PDPI_CAND_INDEX]);
		} else {
			st = &p->stmts[e[1] & PDPI_CAND_INDEX];
			// Without an explanation, a statement one of whose
			// plain conditions was found false already cannot
			// apply: its answer depends on the request alone.
			if (st->guard != PDPI_NO_MEMO && s->memo_ready &&
			    s->memo[st->guard] == 2 && s->ex == NULL)
				continue;
			cat = stmt_applies(s, p, st, known);
			if (cat != 0 && keep && s->ex != NULL)
				record(s, p, st);
		}
		acc |= cat;
		if (acc != 0 && !full)
			break;
	}
	return acc;
}

static unsigned
scan_set(pdpi_scan *s, const pdpi_pset *set, uint8_t effect, bool keep)
{
	unsigned acc = 0;
	bool full = s->ex != NULL;

	// Only statements that can match the action are judged.
	if (set->table != NULL)
		return scan_cands(s, set, set_cands(s, set->table, effect),
		    keep);
	for (uint32_t i = 0; i < set->n; i++) {
		acc |= scan_policy(s, set->v[i], effect, full, keep);
		if (acc != 0 && !full)
			break;
	}
	return acc;
}

// AWS's wording of "with an explicit deny in a <type> policy".
static const char *const deny_reason[] = {
	[PDP_POLICY_IDENTITY] = "explicit deny in an identity-based policy",
	[PDP_POLICY_RESOURCE] = "explicit deny in a resource-based policy",
	[PDP_POLICY_TRUST] = "explicit deny in a role trust policy",
	[PDP_POLICY_SCP] = "explicit deny in a service control policy",
	[PDP_POLICY_RCP] = "explicit deny in a resource control policy",
	[PDP_POLICY_BOUNDARY] = "explicit deny in a permissions boundary",
	[PDP_POLICY_SESSION] = "explicit deny in a session policy",
	[PDP_POLICY_AWS_MANAGED] = "explicit deny in an identity-based policy",
};

// A KMS key is authorized by its key policy first: the key policy must
// allow, or name the account to let IAM policies allow. Actions that are
// not on a key (kms:ListKeys, kms:CreateKey on "*") follow the general
// rules.
static bool
is_kms_key_action(const pdpi_req *r)
{
	return str_is(r->svc, "kms") && r->res_arn &&
	    str_is(r->rseg[2], "kms") && r->rrest.n > 4 &&
	    memcmp(r->rrest.p, "key/", 4) == 0;
}

static pdp_effect
finish(pdpi_scan *s, pdp_effect e, uint8_t type, const char *reason)
{
	if (s->overflow) {
		// A template did not fit the scratch buffer: some
		// statement could not be judged, so nothing is allowed.
		e = PDP_EXPLICIT_DENY;
		reason = "a policy variable expanded past the evaluator's "
		    "limit";
	}
	if (s->hooks != NULL && s->hooks->err != PDP_OK) {
		// A plugin could not answer: fail closed.
		e = PDP_IMPLICIT_DENY;
		reason = s->hooks->why;
	}
	if (s->reason != NULL)
		*s->reason = reason;
	if (s->ex != NULL) {
		s->ex->reason = reason;
		s->ex->deny_type = type;
		if (e == PDP_IMPLICIT_DENY)
			s->ex->nmatched = 0;
	}
	return e;
}

pdp_effect
pdpi_decide(const pdpi_world *w, const pdpi_req *r, pdpi_explain *ex,
    const char **reason, pdpi_hooks *hooks)
{
	pdpi_scan s;
	const pdpi_who *who = &r->who;
	bool full = ex != NULL;
	int deny_type = -1;

	s.r = r;
	s.w = w;
	s.ex = ex;
	s.reason = reason;
	s.hooks = hooks;
	s.ncustom = 0;
	s.nlookups = 0;
	if (w->looked.t != NULL)
		s.lookups[s.nlookups++] = w->looked;
	s.memo_ready = false;
	s.ip_p = NULL;
	s.overflow = false;
	if (ex != NULL)
		memset(ex, 0, sizeof(*ex));

	// sts:GetCallerIdentity needs no permission and ignores denies.
	if (str_is(r->svc, "sts") && str_is(r->aname, "getcalleridentity") &&
	    is_authenticated(who))
		return finish(&s, PDP_ALLOW, 0,
		    "sts:GetCallerIdentity needs no permission");

	// SCPs limit principals of member accounts, except service-linked
	// roles; RCPs limit every caller of member-account resources
	// except service-linked roles.
	bool slr = who->kind == PDPI_WHO_ROLE_SESSION && who->service_linked;
	uint32_t nscp = (w->nscp > 0 && is_authenticated(who) && !slr) ?
	    w->nscp : 0;
	uint32_t nrcp = slr ? 0 : w->nrcp;

	// 1. An explicit Deny in any applicable policy decides.
#define DENY(type, found) \
	do { \
		if ((found) && deny_type < 0) \
			deny_type = (type); \
		if (deny_type >= 0 && !full) \
			goto denied; \
	} while (0)
	for (uint32_t i = 0; i < nscp; i++)
		DENY(PDP_POLICY_SCP, scan_set(&s, &w->scp[i], PDPI_DENY, true));
	for (uint32_t i = 0; i < nrcp; i++)
		DENY(PDP_POLICY_RCP, scan_set(&s, &w->rcp[i], PDPI_DENY, true));
	DENY(w->resource ? w->resource->type : PDP_POLICY_RESOURCE,
	    scan_policy(&s, w->resource, PDPI_DENY, full, true));
	DENY(PDP_POLICY_IDENTITY, scan_set(&s, &w->identity, PDPI_DENY, true));
	if (w->has_boundary)
		DENY(PDP_POLICY_BOUNDARY,
		    scan_set(&s, &w->boundary, PDPI_DENY, true));
	if (w->has_session)
		DENY(PDP_POLICY_SESSION,
		    scan_set(&s, &w->session, PDPI_DENY, true));
#undef DENY
	if (deny_type >= 0)
		goto denied;

	// 2. Allows. In an explanation every set is scanned, so that the
	// missing context keys are complete; otherwise sets are scanned
	// only as far as the decision needs.
	bool rcp_ok = true, scp_ok = true;
	for (uint32_t i = 0; i < nrcp && (rcp_ok || full); i++)
		if (!scan_set(&s, &w->rcp[i], PDPI_ALLOW, false))
			rcp_ok = false;
	for (uint32_t i = 0; i < nscp && (scp_ok || full); i++)
		if (!scan_set(&s, &w->scp[i], PDPI_ALLOW, false))
			scp_ok = false;
	unsigned rbp = w->resource ?
	    scan_policy(&s, w->resource, PDPI_ALLOW, true, true) : 0;
	bool id_allow = scan_set(&s, &w->identity, PDPI_ALLOW, true) != 0;
	bool pb_ok = !w->has_boundary ||
	    scan_set(&s, &w->boundary, PDPI_ALLOW, false) != 0;
	bool sp_ok;
	if (w->has_session)
		sp_ok = scan_set(&s, &w->session, PDPI_ALLOW, false) != 0;
	else
		// Without session policies a role session keeps its role's
		// permissions; a federated user has none.
		sp_ok = who->kind != PDPI_WHO_FEDUSER;
	if (who->kind == PDPI_WHO_USER || who->kind == PDPI_WHO_ROOT)
		sp_ok = true;

	if (!rcp_ok)
		return finish(&s, PDP_IMPLICIT_DENY, PDP_POLICY_RCP,
		    "no resource control policy allows the action");
	if (!scp_ok)
		return finish(&s, PDP_IMPLICIT_DENY, PDP_POLICY_SCP,
		    "no service control policy allows the action");

	bool trust = pdpi_req_is_trust_action(r);
	bool explicit_grant = trust || is_kms_key_action(r);
	bool same = r->resource_account.n > 0 &&
	    str_eq(r->resource_account, who->account);
	pdp_effect allow = PDP_ALLOW, deny = PDP_IMPLICIT_DENY;

	if (who->kind == PDPI_WHO_ROOT) {
		if (trust && str_is(r->aname, "assumerole"))
			return finish(&s, deny, PDP_POLICY_TRUST,
			    "roles may not be assumed by root accounts");
		if (explicit_grant && rbp == 0)
			return finish(&s, deny, PDP_POLICY_RESOURCE,
			    "no resource-based policy allows the action");
		if (same)
			return finish(&s, allow, 0,
			    "the root user has full access to its account");
		return (rbp & (CAT_DIRECT | CAT_WILDCARD | CAT_ACCOUNT)) ?
		    finish(&s, allow, 0, "allowed by a resource-based "
		    "policy") : finish(&s, deny, PDP_POLICY_RESOURCE,
		    "no resource-based policy allows the action");
	}
	if (who->kind == PDPI_WHO_ANONYMOUS || who->kind == PDPI_WHO_SERVICE) {
		unsigned need = CAT_WILDCARD;
		if (who->kind == PDPI_WHO_SERVICE)
			need |= CAT_DIRECT;
		return (rbp & need) ? finish(&s, allow, 0,
		    "allowed by a resource-based policy") : finish(&s, deny,
		    PDP_POLICY_RESOURCE,
		    "no resource-based policy allows the action");
	}

	bool id_path = id_allow && pb_ok && sp_ok;
	// Which policy type to blame when the identity path fails.
	uint8_t id_blame = !id_allow ? PDP_POLICY_IDENTITY : !pb_ok ?
	    PDP_POLICY_BOUNDARY : PDP_POLICY_SESSION;
	const char *id_reason = !id_allow ?
	    "no identity-based policy allows the action" : !pb_ok ?
	    "no permissions boundary allows the action" :
	    "no session policy allows the action";

	if (same && explicit_grant) {
		if (rbp & (CAT_DIRECT | CAT_WILDCARD)) {
			// Naming the caller in a trust policy is enough,
			// but its permissions boundary still applies.
			if (trust && !pb_ok)
				return finish(&s, deny, PDP_POLICY_BOUNDARY,
				    "no permissions boundary allows the "
				    "action");
			return finish(&s, allow, 0,
			    "allowed by a resource-based policy");
		}
		if (rbp & (CAT_ROLE | CAT_PARENT))
			return (pb_ok && sp_ok) ? finish(&s, allow, 0,
			    "allowed by a resource-based policy") :
			    finish(&s, deny, !pb_ok ? PDP_POLICY_BOUNDARY :
			    PDP_POLICY_SESSION, !pb_ok ? "no permissions "
			    "boundary allows the action" : "no session "
			    "policy allows the action");
		if (rbp & CAT_ACCOUNT)
			return id_path ? finish(&s, allow, 0,
			    "allowed by an identity-based policy") :
			    finish(&s, deny, id_blame, id_reason);
		return finish(&s, deny, trust ? PDP_POLICY_TRUST :
		    PDP_POLICY_RESOURCE, trust ? "no role trust policy "
		    "allows the action" : "no resource-based policy allows "
		    "the action");
	}
	if (same) {
		if (rbp & (CAT_DIRECT | CAT_WILDCARD))
			return finish(&s, allow, 0,
			    "allowed by a resource-based policy");
		if ((rbp & (CAT_ROLE | CAT_PARENT)) && pb_ok && sp_ok)
			return finish(&s, allow, 0,
			    "allowed by a resource-based policy");
		return id_path ? finish(&s, allow, 0,
		    "allowed by an identity-based policy") :
		    finish(&s, deny, id_blame, id_reason);
	}
	// Cross-account: the principal's account and the resource's both
	// have to allow.
	if (!id_path)
		return finish(&s, deny, id_blame, id_reason);
	if ((rbp & CAT_ANY) == 0)
		return finish(&s, deny, trust ? PDP_POLICY_TRUST :
		    PDP_POLICY_RESOURCE, "cross-account access needs a "
		    "resource-based policy that allows the action");
	return finish(&s, allow, 0,
	    "allowed by identity-based and resource-based policies");

denied:
	return finish(&s, PDP_EXPLICIT_DENY, (uint8_t) deny_type,
	    deny_reason[deny_type]);
}
