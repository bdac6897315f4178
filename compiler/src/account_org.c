// account_org.c - the organization of the account model: its SCPs and
// RCPs, the tree root -> OUs -> accounts, and the SCP and RCP levels
// each member account gets from its place in the tree (iam-semantics
// 5.1: every level on the path must allow; the management account is
// not limited by either).

#include <string.h>

#include "iamci_account.h"

#define OU_DEPTH_MAX 5       // OUs nest at most five deep under the root
#define ORG_NAME_MAX 128

// The walk's state: the levels of the current path, root first.
typedef struct walk {
	iamci_smap scps, rcps; // name -> iamci_doc
	iamci_level scp[OU_DEPTH_MAX + 2];
	iamci_level rcp[OU_DEPTH_MAX + 2];
	uint32_t depth;
	iamci_smap placed;     // account id -> where it was placed
} walk;

// policies reads a map of organization policy name -> document.
static void
policies(iamci_am *m, const json_t *org, const char *where, const char *key,
    pdp_policy_type type, iamci_smap *out)
{
	const json_t *v = json_object_get(org, key);
	char *base = iamci_am_key(m, where, key);
	const char *name;
	json_t *doc;

	if (v == NULL || base == NULL)
		return;
	if (!json_is_object(v)) {
		iamci_am_error(m, NULL, base, "%s must be an object of policy "
		    "name to document", key);
		return;
	}
	json_object_foreach((json_t *) v, name, doc) {
		char *w = iamci_am_key(m, base, name);
		size_t n = strlen(name);
		if (w == NULL)
			return;
		if (n == 0 || n > ORG_NAME_MAX) {
			iamci_am_error(m, NULL, w, "a policy name has 1 to %d "
			    "characters", ORG_NAME_MAX);
			continue;
		}
		if ((type == PDP_POLICY_SCP &&
		    strcmp(name, "FullAWSAccess") == 0) ||
		    (type == PDP_POLICY_RCP &&
		    strcmp(name, "RCPFullAWSAccess") == 0)) {
			iamci_am_error(m, NULL, w, "\"%s\" is the name of the "
			    "AWS managed policy", name);
			continue;
		}
		iamci_doc *d = iamci_am_alloc(m, sizeof(*d));
		if (d == NULL)
			return;
		iamci_am_doc(m, doc, w, type, name, d);
		iamci_smap_put(m, out, name, d);
		iamci_am_push(m, &m->orgv, &m->norgv, &m->orgcap, d);
	}
}

// attach reads the "scps" or "rcps" list of a node into one level.
static void
attach(iamci_am *m, walk *k, const json_t *node, const char *where,
    bool scp, iamci_level *out)
{
	const char *key = scp ? "scps" : "rcps";
	const json_t *v = json_object_get(node, key);
	char *base = iamci_am_key(m, where, key);
	size_t n = json_array_size(v);

	memset(out, 0, sizeof(*out));
	if (base == NULL)
		return;
	if (v != NULL && !json_is_array(v)) {
		iamci_am_error(m, NULL, base, "%s must be an array of policy "
		    "names", key);
		return;
	}
	out->v = iamci_am_alloc(m, (n + 1) * sizeof(*out->v));
	if (out->v == NULL)
		return;
	if (scp && v == NULL) {
		// AWS attaches FullAWSAccess to every node it creates.
		out->v[out->n++] = m->full_scp;
		return;
	}
	if (scp && n == 0) {
		iamci_am_error(m, NULL, base, "at least one SCP must be "
		    "attached (AWS does not let the last one be detached); "
		    "\"FullAWSAccess\" allows everything");
		return;
	}
	// RCPFullAWSAccess is attached to every node and cannot be
	// detached; it comes first in each RCP level.
	if (!scp)
		out->v[out->n++] = m->full_rcp;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s[%zu]", base, i);
		iamci_doc *d = NULL;
		if (w == NULL)
			return;
		if (!json_is_string(e)) {
			iamci_am_error(m, NULL, w,
			    "a policy is attached by its "
			    "name, a string");
			continue;
		}
		const char *name = json_string_value(e);
		if (scp && strcmp(name, "FullAWSAccess") == 0)
			d = m->full_scp;
		else if (!scp && strcmp(name, "RCPFullAWSAccess") == 0)
			continue; // attached already
		else
			d = iamci_smap_get(scp ? &k->scps : &k->rcps, name);
		if (d == NULL) {
			iamci_am_error(m, NULL, w, "unknown %s \"%s\" (not in "
			    "organization.%s)", scp ? "SCP" : "RCP", name,
			    scp ? "serviceControlPolicies" :
			    "resourceControlPolicies");
			continue;
		}
		bool dup = false;
		for (uint32_t j = 0; j < out->n; j++)
			dup |= out->v[j] == d;
		if (dup) {
			iamci_am_error(m, NULL, w, "%s \"%s\" is attached "
			    "twice", scp ? "SCP" : "RCP", name);
			continue;
		}
		out->v[out->n++] = d;
	}
}

// copy_levels gives account `a` the levels of the path plus its own.
static void
copy_levels(iamci_am *m, walk *k, iamci_account *a)
{
	uint32_t n = k->depth + 1;

	a->scp = iamci_am_alloc(m, n * sizeof(*a->scp));
	a->rcp = iamci_am_alloc(m, n * sizeof(*a->rcp));
	if (a->scp == NULL || a->rcp == NULL)
		return;
	memcpy(a->scp, k->scp, n * sizeof(*a->scp));
	memcpy(a->rcp, k->rcp, n * sizeof(*a->rcp));
	a->nscp = a->nrcp = n;
}

static void
place_account(iamci_am *m, walk *k, const json_t *e, const char *w)
{
	static const char *const known[] = {"id", "scps", "rcps", NULL};
	const json_t *id = e;

	if (json_is_object(e)) {
		iamci_am_fields(m, e, w, known);
		id = json_object_get(e, "id");
	}
	const char *s = iamci_account_id_check(m, id, json_is_object(e) ?
	    iamci_am_key(m, w, "id") : w);
	if (s == NULL)
		return;
	iamci_account *a = iamci_smap_get(&m->accmap, s);
	if (a == NULL) {
		iamci_am_error(m, NULL, w, "unknown account \"%s\" (not in "
		    "accounts)", s);
		return;
	}
	const char *prev = iamci_smap_put(m, &k->placed, s, (void *) w);
	if (prev != NULL) {
		iamci_am_error(m, NULL, w, "account %s is placed twice in the "
		    "organization: also at %s", s, prev);
		return;
	}
	// The account's own level: what is attached to the account.
	uint32_t d = k->depth;
	k->depth++;
	attach(m, k, json_is_object(e) ? e : NULL, w, true, &k->scp[d + 1]);
	attach(m, k, json_is_object(e) ? e : NULL, w, false, &k->rcp[d + 1]);
	a->in_org = true;
	// SCPs and RCPs do not affect the management account.
	if (m->mgmt == NULL || strcmp(m->mgmt, s) != 0)
		copy_levels(m, k, a);
	k->depth--;
}

static void
node(iamci_am *m, walk *k, const json_t *n, const char *where, bool root)
{
	static const char *const root_fields[] = {"scps", "rcps", "ous",
	    "accounts", NULL};
	static const char *const ou_fields[] = {"name", "id", "scps", "rcps",
	    "ous", "accounts", NULL};

	if (!json_is_object(n)) {
		iamci_am_error(m, NULL, where, "%s must be an object",
		    root ? "the root" : "an OU");
		return;
	}
	iamci_am_fields(m, n, where, root ? root_fields : ou_fields);
	if (!root) {
		const json_t *nm = json_object_get(n, "name");
		if (!json_is_string(nm) || json_string_length(nm) == 0 ||
		    json_string_length(nm) > ORG_NAME_MAX)
			iamci_am_error(m, NULL, iamci_am_key(m, where, "name"),
			    "an OU needs a name of 1 to %d characters",
			    ORG_NAME_MAX);
	}
	attach(m, k, n, where, true, &k->scp[k->depth]);
	attach(m, k, n, where, false, &k->rcp[k->depth]);

	const json_t *acc = json_object_get(n, "accounts");
	char *aw = iamci_am_key(m, where, "accounts");
	if (acc != NULL && !json_is_array(acc))
		iamci_am_error(m, NULL, aw, "accounts must be an array of "
		    "account ids or {\"id\": ..., \"scps\": [...]} objects");
	for (size_t i = 0; aw != NULL && i < json_array_size(acc); i++) {
		char *w = iamci_am_where(m, "%s[%zu]", aw, i);
		if (w != NULL)
			place_account(m, k, json_array_get(acc, i), w);
	}

	const json_t *ous = json_object_get(n, "ous");
	char *ow = iamci_am_key(m, where, "ous");
	if (ous != NULL && !json_is_array(ous))
		iamci_am_error(m, NULL, ow, "ous must be an array");
	if (json_array_size(ous) > 0 && k->depth == OU_DEPTH_MAX) {
		iamci_am_error(m, NULL, ow, "OUs nest at most %d deep under "
		    "the root", OU_DEPTH_MAX);
		return;
	}
	for (size_t i = 0; ow != NULL && i < json_array_size(ous); i++) {
		const json_t *ou = json_array_get(ous, i);
		char *w = iamci_am_where(m, "%s[%zu]", ow, i);
		if (w == NULL)
			return;
		// OU names are unique among siblings.
		for (size_t j = 0; j < i; j++) {
			const json_t *a = json_object_get(json_array_get(ous,
			    j), "name");
			const json_t *b = json_object_get(ou, "name");
			if (json_is_string(a) && json_equal((json_t *) a,
			    (json_t *) b))
				iamci_am_error(m, NULL, w,
				    "OU \"%s\" is defined "
				    "twice under the same parent",
				    json_string_value(b));
		}
		k->depth++;
		node(m, k, ou, w, false);
		k->depth--;
	}
}

void
iamci_org_read(iamci_am *m, const json_t *org, const char *where)
{
	static const char *const known[] = {"managementAccount",
	    "serviceControlPolicies", "resourceControlPolicies", "root",
	    NULL};
	walk k;

	if (org == NULL)
		return;
	if (!json_is_object(org)) {
		iamci_am_error(m, NULL, where, "organization must be an "
		    "object");
		return;
	}
	memset(&k, 0, sizeof(k));
	iamci_am_fields(m, org, where, known);
	const json_t *mg = json_object_get(org, "managementAccount");
	char *mw = iamci_am_key(m, where, "managementAccount");
	// Optional: without one, every account in the tree is a member.
	m->mgmt = mg ? iamci_account_id_check(m, mg, mw) : NULL;
	if (m->mgmt != NULL && iamci_smap_get(&m->accmap, m->mgmt) == NULL)
		iamci_am_error(m, NULL, mw, "unknown account \"%s\" (not in "
		    "accounts)", m->mgmt);
	policies(m, org, where, "serviceControlPolicies", PDP_POLICY_SCP,
	    &k.scps);
	policies(m, org, where, "resourceControlPolicies", PDP_POLICY_RCP,
	    &k.rcps);
	const json_t *root = json_object_get(org, "root");
	char *rw = iamci_am_key(m, where, "root");
	if (root == NULL)
		iamci_am_error(m, NULL, where, "missing root: the tree of OUs "
		    "and accounts");
	else if (rw != NULL)
		node(m, &k, root, rw, true);
	if (m->mgmt != NULL && iamci_smap_get(&k.placed, m->mgmt) == NULL)
		iamci_am_error(m, NULL, mw, "the management account %s is not "
		    "placed in the organization tree", m->mgmt);
	iamci_smap_fini(&k.scps);
	iamci_smap_fini(&k.rcps);
	iamci_smap_fini(&k.placed);
}
