// authorize.c - deciding a request against a bundle: find the principal,
// its policy sets, the resource's policy and the organization's SCPs and
// RCPs, add the context keys AWS derives, then run pdpi_decide.
//
// This is the decision path: it allocates nothing and takes no lock.
// Every buffer is on the stack and bounded; a request that does not fit
// is refused with PDP_ETOOBIG (and denied), never truncated.

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bundle.h"
#include "fold.h"
#include "request.h"
#include "view.h"

#define PRINCIPAL_MAX 2048 // bytes of a principal ARN
#define ACTION_MAX 256     // bytes of an action
#define VALUES_MAX 1024    // context values in one request
#define AHEAD 16           // requests a batch reads ahead together
#define LOOK_STMTS 4       // statements of a list a batch asks for

static int
refuse(pdp_decision *out, int err, const char *reason)
{
	out->effect = PDP_IMPLICIT_DENY;
	out->err = err;
	out->reason = reason;
	return err;
}

static bool
str_eq(pdpi_str a, pdpi_str b)
{
	return pdpi_str_eq(a, b);
}

// The resource-policy and named-policy tables share one layout: open
// addressing over records that start with the key's xxh3 and
// the key itself (pdpb.h); an empty slot (key length 0) ends a probe.
typedef struct slot_head {
	uint64_t hash;
	pdpb_str key;
} slot_head;

_Static_assert(offsetof(pdpb_rpolicy, arn) == offsetof(slot_head, key) &&
    offsetof(pdpb_named, name) == offsetof(slot_head, key) &&
    offsetof(pdpb_access_key, id) == offsetof(slot_head, key),
    "hash-table records start with their hash and key");

// find_slot returns the record of `size` bytes keyed by key[0..n) in a
// table of nslots (a power of two), or NULL.
static const void *
find_slot(const pdp_bundle *b, const void *slots, uint32_t nslots,
    size_t size, const char *key, size_t n)
{
	uint64_t h = XXH3_64bits(key, n);
	uint32_t mask = nslots - 1;

	for (uint32_t i = (uint32_t) h & mask, k = 0; k < nslots;
	    i = (i + 1) & mask, k++) {
		const char *rec = (const char *) slots + (size_t) i * size;
		slot_head head;
		memcpy(&head, rec, sizeof(head));
		if (head.key.len == 0)
			return NULL;
		if (head.hash == h && head.key.len == n &&
		    memcmp(b->strings + head.key.off, key, n) == 0)
			return rec;
	}
	return NULL;
}

static const pdpb_rpolicy *
find_rpolicy(const pdp_bundle *b, const char *arn, size_t n)
{
	return find_slot(b, b->rpolicies, b->nrpolicy_slots,
	    sizeof(pdpb_rpolicy), arn, n);
}

static const pdpb_named *
find_named(const pdp_bundle *b, const char *name, size_t n)
{
	return find_slot(b, b->named, b->nnamed_slots, sizeof(pdpb_named),
	    name, n);
}

int
pdp_bundle_access_key(const pdp_bundle *b, const char *akid, size_t n,
    const char **owner, size_t *owner_len, bool *active)
{
	const pdpb_access_key *k;

	if (b == NULL || akid == NULL || n == 0)
		return PDP_ENOENT;
	k = find_slot(b, b->access_keys, b->naccess_key_slots,
	    sizeof(pdpb_access_key), akid, n);
	if (k == NULL)
		return PDP_ENOENT;
	*owner = b->strings + k->principal.off;
	*owner_len = k->principal.len;
	*active = k->status == PDPB_KEY_ACTIVE;
	return PDP_OK;
}

// find_account bisects the sorted account table.
static const pdpb_account *
find_account(const pdp_bundle *b, pdpi_str id)
{
	uint32_t lo = 0, hi = b->naccounts;

	if (id.n == 0)
		return NULL; // services and anonymous callers: no account
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		pdpi_str a = pdpi_bundle_str(b, b->accounts[mid].id);
		size_t n = a.n < id.n ? a.n : id.n;
		int c = memcmp(a.p, id.p, n);
		if (c == 0)
			c = (a.n > id.n) - (a.n < id.n);
		if (c == 0)
			return &b->accounts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

// The kinds of caller with a record of their own, as pdpb kinds.
static const uint8_t rec_kind[] = {
	[PDPI_WHO_ROOT] = PDPB_ROOT, [PDPI_WHO_USER] = PDPB_USER,
	[PDPI_WHO_ROLE_SESSION] = PDPB_ROLE, [PDPI_WHO_FEDUSER] = PDPB_FEDUSER,
	[PDPI_WHO_SERVICE] = 0, [PDPI_WHO_ANONYMOUS] = 0, [PDPI_WHO_OTHER] = 0,
};

// principal_hash is the hash of the caller's slot (proto/bundle.md): its
// kind, account and name (none for root).
static uint64_t
principal_hash(const pdpi_who *who)
{
	return pdpb_principal_hash(rec_kind[who->kind], who->account.p,
	    who->account.n, who->name.p, who->name.n);
}

// name_eq compares the name of record p with `name` (ignoring case for
// a role): from the record when it holds the whole name, else from the
// tail of its ARN.
static bool
name_eq(const pdp_bundle *b, const pdpb_principal *p, pdpi_str name,
    bool fold)
{
	const char *n = p->name;
	if (p->name_len > PDPB_NAME_INLINE)
		n = b->strings + p->arn.off + p->arn.len - p->name_len;
	return fold ? pdpi_eq_fold(n, p->name_len, name.p, name.n) :
	    pdpi_mem_eq(n, name.p, name.n);
}

// find_principal finds the caller's record by its slot's hash `h`, then
// compares the kind, the account, and the name: a user's whole ARN
// exactly (users are named by ARN, path included; for the canonical ARN
// of both the name says as much), a role's name ignoring case, a
// federated user's exactly.
static const pdpb_principal *
find_principal(const pdp_bundle *b, const pdpi_who *who, uint64_t h)
{
	uint8_t kind = rec_kind[who->kind];
	pdpi_str name = who->name; // none for root
	uint32_t mask = b->nprincipal_slots - 1;

	for (uint32_t i = (uint32_t) h & mask, k = 0; k < b->nprincipal_slots;
	    i = (i + 1) & mask, k++) {
		const pdpb_principal *p = &b->principals[i];
		if (p->kind == 0)
			return NULL;
		if (p->hash != h || p->kind != kind || p->name_len != name.n ||
		    !str_eq(pdpi_bundle_str(b, b->accounts[p->account].id),
		    who->account))
			continue;
		bool same;
		if (kind == PDPB_USER)
			same = (p->flags & PDPB_CANONICAL) && who->canonical ?
			    name_eq(b, p, name, false) :
			    str_eq(pdpi_bundle_str(b, p->arn), who->arn);
		else
			same = kind == PDPB_ROOT ||
			    name_eq(b, p, name, kind == PDPB_ROLE);
		if (same)
			return p;
	}
	return NULL;
}

static void
explain_out(const pdpi_explain *ie, pdp_explanation *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->nmatched = ie->nmatched;
	ex->matched_truncated = ie->matched_truncated;
	for (uint32_t i = 0; i < ie->nmatched && i < PDP_EXPLAIN_MAX; i++) {
		const pdpi_match *m = &ie->matched[i];
		pdp_statement_ref *r = &ex->matched[i];
		r->policy = m->policy->name.p;
		r->policy_len = m->policy->name.n;
		r->sid = m->stmt->sid.n ? m->stmt->sid.p : "";
		r->sid_len = m->stmt->sid.n;
		r->index = m->stmt->index;
		r->effect = m->stmt->effect == PDPI_ALLOW ? PDP_ALLOW :
		    PDP_EXPLICIT_DENY;
	}
	ex->nmissing = ie->nmissing;
	ex->missing_truncated = ie->missing_truncated;
	for (uint32_t i = 0; i < ie->nmissing && i < PDP_EXPLAIN_MAX; i++) {
		ex->missing[i] = ie->missing[i].p;
		ex->missing_len[i] = ie->missing[i].n;
	}
	ex->deny_type = (pdp_policy_type) ie->deny_type;
}

// The stack of one decision. Only what a decision uses is written: the
// context is read where the caller left it until a condition asks for a
// key (pdpi_lazy), and the implied keys are spelled out only for a
// provider's view.
typedef struct frame {
	pdpi_req *r; // the request as read_request read it
	pdpi_world w;
	pdpi_pset session;
	const pdpi_policy *spol[PDP_SESSION_POLICIES_MAX];
	pdpi_lazy lz;
	pdpi_ckey ctx[PDP_CONTEXT_MAX];
	pdpi_str vals[VALUES_MAX];
	char derived[512];
	pdpi_ckey implied[PDPI_TAGS_MAX + PDPI_DERIVED_MAX];
	pdpi_str ivals[PDPI_TAGS_MAX + PDPI_DERIVED_MAX];
	char tagkeys[PDPI_TAGS_MAX][PDPI_TAGKEY_MAX];
} frame;

// add_context checks the caller's context and points the request at it
// without reading its strings: the entries are filled when a condition
// first needs a key (pdpi_req_key), or for a provider (spell_context).
static int
add_context(frame *f, const pdp_bundle *b, const pdp_request *q,
    const pdpb_principal *rec, pdp_decision *out)
{
	uint32_t nv = 0;

	if (q->ncontext > PDP_CONTEXT_MAX)
		return refuse(out, PDP_ETOOBIG, "too many context keys");
	for (uint32_t i = 0; i < q->ncontext; i++) {
		const pdp_context_entry *e = &q->context[i];
		if (e->key == NULL || (e->nvalues > 0 && e->values == NULL))
			return refuse(out, PDP_EINVAL, "context entry without "
			    "key or values");
		if (e->nvalues > VALUES_MAX - nv)
			return refuse(out, PDP_ETOOBIG, "too many context "
			    "values");
		for (uint32_t j = 0; j < e->nvalues; j++)
			if (e->values[j] == NULL)
				return refuse(out, PDP_EINVAL, "context value "
				    "is NULL");
		nv += e->nvalues;
	}
	f->r->ctx = f->ctx;
	f->r->nctx = q->ncontext;
	f->r->implied = NULL;
	f->r->nimplied = 0;
	f->lz.keys = &b->keys;
	f->lz.raw = q->context;
	f->lz.ctx = f->ctx;
	f->lz.vals = f->vals;
	f->lz.mapped = false;
	f->lz.derived = false;
	f->lz.info = rec != NULL ? &b->prinfo[rec - b->principals] : NULL;
	f->lz.tags = b->tags;
	f->lz.strings = b->strings;
	f->lz.uid = false;
	f->r->lz = &f->lz;
	return PDP_OK;
}

// spell_context learns every length of the context and spells out the
// implied keys (the principal's tags as aws:PrincipalTag/<key>, then the
// derived keys): a provider's view lists and searches them all.
static void
spell_context(frame *f, const pdp_bundle *b)
{
	uint32_t m = 0, nv = 0;

	for (uint32_t i = 0; i < f->r->nctx; i++) {
		const pdp_context_entry *e = &f->lz.raw[i];
		pdpi_ckey *k = &f->ctx[i];
		k->key.p = e->key;
		k->key.n = (uint32_t) strlen(e->key);
		k->multi = e->multi;
		k->nvals = e->nvalues;
		k->vals = &f->vals[nv];
		for (uint32_t j = 0; j < e->nvalues; j++) {
			f->vals[nv].p = e->values[j];
			f->vals[nv++].n = (uint32_t) strlen(e->values[j]);
		}
	}
	f->lz.raw = NULL;
	const pdpb_prinfo *x = f->lz.info;
	for (uint32_t i = 0; x != NULL && i < x->ntags && i < PDPI_TAGS_MAX;
	    i++) {
		const pdpb_tag *t = &b->tags[x->tags + i];
		pdpi_str tk = pdpi_bundle_str(b, t->key);
		size_t len = PDPI_PTAG_LEN + tk.n;
		if (len >= PDPI_TAGKEY_MAX)
			continue; // longer than any valid tag key
		memcpy(f->tagkeys[i], PDPI_PTAG, PDPI_PTAG_LEN);
		memcpy(f->tagkeys[i] + PDPI_PTAG_LEN, tk.p, tk.n);
		f->ivals[m] = pdpi_bundle_str(b, t->value);
		f->implied[m].key.p = f->tagkeys[i];
		f->implied[m].key.n = (uint32_t) len;
		f->implied[m].multi = false;
		f->implied[m].nvals = 1;
		f->implied[m].vals = &f->ivals[m];
		m++;
	}
	f->r->who.user_id = pdpi_req_userid(f->r);
	m += pdpi_req_derive(&f->r->who, f->implied + m, f->ivals + m,
	    f->derived, sizeof(f->derived));
	f->r->implied = f->implied;
	f->r->nimplied = m;
}

// find_parent resolves a federated user whose request names the user (or
// root) that called GetFederationToken: that user's record gives the
// identity policies, boundary and tags (iam-semantics 6.5), and a
// resource policy naming it grants as PARENT (5.3).
static int
find_parent(frame *f, const pdp_bundle *b, const char *parent,
    const pdpb_principal **recp, pdp_decision *out)
{
	pdpi_who *who = &f->r->who, p;
	size_t n = strlen(parent);

	if (n > PRINCIPAL_MAX || !pdpi_who_parse(&p, parent, n, NULL, 0) ||
	    (p.kind != PDPI_WHO_USER && p.kind != PDPI_WHO_ROOT) ||
	    !str_eq(p.account, who->account))
		return refuse(out, PDP_EINVAL, "a federated user's parent is "
		    "a user or root of the same account");
	// A user is found by its ARN, path included.
	*recp = find_principal(b, &p, principal_hash(&p));
	if (p.kind == PDPI_WHO_USER && *recp == NULL)
		return refuse(out, PDP_ENOENT, "unknown principal");
	who->parent = p.name;
	return PDP_OK;
}

// What a decision knows once it has read its request (read_request),
// and, in a batch, what the passes ahead of the decisions found.
typedef struct reading {
	pdpi_req r;
	char action[ACTION_MAX];   // the folded action
	uint64_t ph;               // the hash of the caller's slot
	bool sought;               // the caller's record was looked up
	const pdpb_principal *rec; // ahead, and found (NULL: none)
	pdpi_lookup lk;            // its identity table's lookup, if made
	                           // ahead (lk.t NULL: not made)
} reading;

// find_caller resolves the caller to its principal record. Root needs
// none; services and anonymous callers have none.
static int
find_caller(frame *f, const pdp_bundle *b, const pdp_request *q,
    const reading *rd, const pdpb_principal **recp, pdp_decision *out)
{
	pdpi_who *who = &f->r->who;
	const pdpb_principal *rec = NULL;
	int rv;

	switch (who->kind) {
	case PDPI_WHO_SERVICE:
	case PDPI_WHO_ANONYMOUS:
		*recp = NULL;
		return PDP_OK;
	case PDPI_WHO_OTHER:
		return refuse(out, PDP_EINVAL, "the principal is not a "
		    "user, role session, federated user, root, service or "
		    "anonymous caller");
	default:
		break;
	}
	if (who->kind == PDPI_WHO_FEDUSER && q->parent != NULL) {
		if ((rv = find_parent(f, b, q->parent, &rec, out)) != PDP_OK)
			return rv;
		*recp = rec;
		return PDP_OK;
	}
	rec = rd->sought ? rd->rec : find_principal(b, who, rd->ph);
	if (rec == NULL && who->kind != PDPI_WHO_ROOT)
		return refuse(out, PDP_ENOENT, "unknown principal");
	if (rec != NULL && q->principal_id != NULL) {
		pdpi_str uid = pdpi_bundle_str(b,
		    b->prinfo[rec - b->principals].unique_id);
		pdpi_str want = {q->principal_id, strlen(q->principal_id)};
		if (uid.n > 0 && !str_eq(uid, want))
			return refuse(out, PDP_ENOENT, "the credentials' "
			    "principal no longer exists (its unique id has "
			    "changed)");
	}
	// Its unique id (aws:userid) is read when asked for
	// (pdpi_req_userid).
	if (rec != NULL) {
		who->service_linked = (rec->flags & PDPB_SERVICE_LINKED) != 0;
		// aws:PrincipalArn of a role session: the role's ARN, path
		// included.
		if (who->kind == PDPI_WHO_ROLE_SESSION)
			who->role_arn = pdpi_bundle_str(b, rec->arn);
	}
	*recp = rec;
	return PDP_OK;
}

// add_session appends policies to the session set. PDP_ETOOBIG past
// PDP_SESSION_POLICIES_MAX.
static int
add_session(frame *f, const pdpi_policy *const *v, const pdpi_policy *arr,
    uint32_t n, pdp_decision *out)
{
	if (n > PDP_SESSION_POLICIES_MAX - f->session.n)
		return refuse(out, PDP_ETOOBIG, "too many session policies");
	for (uint32_t i = 0; i < n; i++)
		f->spol[f->session.n++] = v ? v[i] : &arr[i];
	return PDP_OK;
}

// session_set gathers the session policies: the one named, the list
// named, and every policy of a session bundle, judged as one set
// (iam-semantics 6.7). One named policy alone keeps its set's table.
static int
session_set(frame *f, const pdp_bundle *b, const pdp_request *q,
    pdp_decision *out)
{
	uint32_t nn = q->nsession_policies;
	int rv;

	if (q->session_policy == NULL && nn == 0 && q->session_bundle == NULL)
		return PDP_OK;
	if (nn > 0 && q->session_policies == NULL)
		return refuse(out, PDP_EINVAL, "session policies counted but "
		    "not given");
	f->w.has_session = true;
	f->session.n = 0;
	f->session.v = f->spol;
	f->session.table = NULL;
	for (uint32_t i = 0; i <= nn; i++) {
		const char *name = i == 0 ? q->session_policy :
		    q->session_policies[i - 1];
		if (name == NULL && i == 0)
			continue;
		const pdpb_named *nm = name ? find_named(b, name,
		    strlen(name)) : NULL;
		if (nm == NULL)
			return refuse(out, PDP_ENOENT,
			    "unknown session policy");
		const pdpi_pset *set = &b->sets[nm->set];
		if (nn == 0 && q->session_bundle == NULL) {
			f->w.session = *set;
			return PDP_OK;
		}
		if ((rv = add_session(f, set->v, NULL, set->n, out)) != PDP_OK)
			return rv;
	}
	if (q->session_bundle != NULL &&
	    (rv = add_session(f, NULL, q->session_bundle->policies,
	    q->session_bundle->npolicies, out)) != PDP_OK)
		return rv;
	f->w.session = f->session;
	return PDP_OK;
}

static void
set_levels(const pdp_bundle *b, const pdpb_account *a, bool scp, uint32_t *n,
    const pdpi_pset **v)
{
	*n = 0;
	*v = NULL;
	if (a == NULL)
		return;
	*n = scp ? a->nscp : a->nrcp;
	*v = &b->levels[scp ? a->scp : a->rcp];
}

// find_resource_policy looks the resource up; an S3 object falls back to
// its bucket's policy.
static const pdpi_policy *
find_resource_policy(const pdp_bundle *b, const pdpi_req *r)
{
	const pdpb_rpolicy *p;

	if (b->nrpolicies == 0 ||
	    (r->resource.n == 1 && r->resource.p[0] == '*'))
		return NULL;
	p = find_rpolicy(b, r->resource.p, r->resource.n);
	if (p == NULL && r->res_arn && r->rseg[2].n == 2 &&
	    memcmp(r->rseg[2].p, "s3", 2) == 0) {
		const char *slash = memchr(r->rrest.p, '/', r->rrest.n);
		if (slash != NULL)
			p = find_rpolicy(b, r->resource.p,
			    (size_t) (slash - r->resource.p));
	}
	return p ? &b->policies[p->policy] : NULL;
}

// read_request starts a decision with what the request alone gives: the
// caller parsed and the hash of its slot (the slot asked for), the
// action folded and hashed, the resource split. It clears *out; on an
// error it refuses the request there.
static int
read_request(reading *rd, const pdp_bundle *b, const pdp_request *q,
    pdp_decision *out)
{
	pdpi_req *r = &rd->r;

	memset(out, 0, sizeof(*out));
	out->revision = b ? b->revision : 0;
	rd->sought = false;
	rd->rec = NULL;
	rd->lk.t = NULL;
	if (b == NULL)
		return refuse(out, PDP_ENOENT, "no bundle loaded");
	if (q == NULL || q->principal == NULL || q->action == NULL)
		return refuse(out, PDP_EINVAL, "request lacks a principal or "
		    "an action");
	// The request's strings are read one after the other: ask for
	// the later ones now, so that they arrive together.
	__builtin_prefetch(q->action);
	__builtin_prefetch(q->resource);
	__builtin_prefetch(q->context);
	size_t pn = strlen(q->principal), an = strlen(q->action);
	if (pn > PRINCIPAL_MAX || an > ACTION_MAX)
		return refuse(out, PDP_ETOOBIG, "principal or action too long");
	r->lz = NULL;
	if (!pdpi_who_parse(&r->who, q->principal, pn, NULL, 0))
		return refuse(out, PDP_EINVAL, "the principal is not an ARN, "
		    "a service principal or \"anonymous\"");
	// Ask for the caller's slot: it arrives while the action and the
	// resource are read.
	rd->ph = principal_hash(&r->who);
	__builtin_prefetch(&b->principals[rd->ph & (b->nprincipal_slots - 1)]);
	pdpi_req_set_action(r, q->action, an, rd->action, ACTION_MAX);
	const char *res = q->resource ? q->resource : "*";
	pdpi_req_set_resource(r, res, strlen(res), q->resource_account);
	return PDP_OK;
}

// decide_read finishes a decision whose request read_request has read:
// the caller's record and policy sets, the context, a provider's rules,
// the organization's levels and the resource's policy, then pdpi_decide.
static int
decide_read(frame *f, reading *rd, const pdp_bundle *b, const pdp_request *q,
    pdp_decision *out, pdp_explanation *ex)
{
	const pdpb_principal *rec;
	int rv;

	f->r = &rd->r;
	// The world starts with no policy (a boundary or session set is
	// read only when its flag says it is there).
	f->w.identity = (pdpi_pset){0, NULL, NULL};
	f->w.has_boundary = false;
	f->w.has_session = false;
	f->w.nmemo = b->nmemo;
	if ((rv = find_caller(f, b, q, rd, &rec, out)) != PDP_OK ||
	    (rv = add_context(f, b, q, rec, out)) != PDP_OK)
		return rv;

	f->w.looked.t = NULL;
	if (rec != NULL && rec->identity != PDPB_NONE) {
		f->w.identity = b->sets[rec->identity];
		if (rd->lk.t != NULL && rd->lk.t == f->w.identity.table)
			f->w.looked = rd->lk;
		else if (f->w.identity.table != NULL)
			pdpi_table_prefetch(f->w.identity.table, rd->r.ahash);
	}
	if (rec != NULL && rec->boundary != PDPB_NONE) {
		f->w.has_boundary = true;
		f->w.boundary = b->sets[rec->boundary];
	}
	if ((rv = session_set(f, b, q, out)) != PDP_OK)
		return rv;
	// A provider's check (tag rules) sees the whole context and may
	// change it or refuse the request before any policy is read.
	if (q->provider != NULL)
		spell_context(f, b);
	pdp_view view = {f->r, f->ctx, (uint32_t) (sizeof(f->ctx) /
	    sizeof(f->ctx[0]))};
	pdpi_hooks hooks = {q->provider, &view, PDP_OK, NULL};
	if (q->provider != NULL && q->provider->check != NULL) {
		const char *why = NULL;
		rv = q->provider->check(q->provider->arg, &view, &why);
		if (rv == PDP_EPOLICY) {
			out->effect = PDP_EXPLICIT_DENY;
			out->reason = why ? why : "denied by a plugin rule";
			return PDP_OK;
		}
		if (rv != PDP_OK)
			return refuse(out, PDP_EPLUGIN,
			    why ? why : "a plugin failed");
	}
	// The caller's record names its account; the resource is usually
	// the caller's account's.
	const pdpb_account *pa = rec != NULL ? &b->accounts[rec->account] :
	    find_account(b, f->r->who.account);
	const pdpb_account *ra = str_eq(f->r->resource_account,
	    f->r->who.account) ? pa : find_account(b, f->r->resource_account);
	set_levels(b, pa, true, &f->w.nscp, &f->w.scp);
	set_levels(b, ra, false, &f->w.nrcp, &f->w.rcp);
	f->w.resource = find_resource_policy(b, f->r);

	if (ex == NULL) {
		out->effect = pdpi_decide(&f->w, f->r, NULL, &out->reason,
		    &hooks);
	} else {
		pdpi_explain ie;
		out->effect = pdpi_decide(&f->w, f->r, &ie, &out->reason,
		    &hooks);
		explain_out(&ie, ex);
	}
	if (hooks.err != PDP_OK)
		out->err = hooks.err;
	return out->err;
}

// One call inlines its whole path, as it did before the batch path came
// to share read_request and decide_read: 2,022 instructions a decision
// against 2,082 with the two called (bench/README.md, Batches).
__attribute__((flatten)) int
pdp_bundle_authorize(const pdp_bundle *b, const pdp_request *q,
    pdp_decision *out, pdp_explanation *ex)
{
	frame f;
	reading rd;
	int rv;

	if (ex != NULL)
		memset(ex, 0, sizeof(*ex));
	if ((rv = read_request(&rd, b, q, out)) != PDP_OK)
		return rv;
	return decide_read(&f, &rd, b, q, out, ex);
}

// look_ahead finds the caller's record as find_caller would, for a
// caller with a record of its own, and asks for the line of its identity
// table that the lookup reads first. Returns that table, or NULL.
static const pdpi_table *
look_ahead(const pdp_bundle *b, const pdp_request *q, reading *rd)
{
	uint8_t kind = rd->r.who.kind;

	if (rec_kind[kind] == 0 || (kind == PDPI_WHO_FEDUSER &&
	    q->parent != NULL))
		return NULL;
	rd->rec = find_principal(b, &rd->r.who, rd->ph);
	rd->sought = true;
	if (rd->rec == NULL || rd->rec->identity == PDPB_NONE)
		return NULL;
	const pdpi_table *t = b->sets[rd->rec->identity].table;
	if (t != NULL)
		pdpi_table_prefetch(t, rd->r.ahash);
	return t;
}

// read_stmt returns the statement of candidate i of list c, or NULL when
// the decision will not read it: the table alone says it applies (a
// service list's entry with a pattern is read to match the pattern).
static const pdpi_stmt *
read_stmt(const pdpi_pset *set, pdpi_cands c, uint32_t i)
{
	const uint32_t *e = c.v + (size_t) i * c.width;

	if ((e[1] & PDPI_CAND_KNOWN) && (e[1] & PDPI_CAND_ALWAYS) &&
	    (c.width == 2 || e[2] == PDPI_CAND_NOACT))
		return NULL;
	return &set->v[e[0]]->stmts[e[1] & PDPI_CAND_INDEX];
}

// look_up makes the identity table's lookup (its entry asked for by the
// pass before) and asks for the first statements of each list that the
// decision will read.
static void
look_up(const pdp_bundle *b, const pdpi_table *t, reading *rd)
{
	const pdpi_pset *set = &b->sets[rd->rec->identity];
	const pdpi_req *r = &rd->r;

	rd->lk.t = t;
	pdpi_table_lookup(t, r->folded, r->ahash, r->svc, rd->lk.c);
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; i < rd->lk.c[k].n && i < LOOK_STMTS; i++) {
			const pdpi_stmt *st = read_stmt(set, rd->lk.c[k], i);
			if (st != NULL)
				__builtin_prefetch(st);
		}
}

// look_in asks for the first resource and condition of the statements
// look_up asked for, which have arrived by now.
static void
look_in(const pdp_bundle *b, const reading *rd)
{
	const pdpi_pset *set = &b->sets[rd->rec->identity];

	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; i < rd->lk.c[k].n && i < LOOK_STMTS; i++) {
			const pdpi_stmt *st = read_stmt(set, rd->lk.c[k], i);
			if (st != NULL && st->nresources > 0)
				__builtin_prefetch(st->resources);
			if (st != NULL && st->nconds > 0)
				__builtin_prefetch(st->conds);
		}
}

// decide_ahead decides a batch in groups of AHEAD (b not NULL). Each pass
// over a group asks for the lines that the next pass reads, so that the
// group's misses overlap instead of following one another: the callers'
// slots, their tables' slots, the entries, the candidates' statements,
// their resources and conditions; then the decisions. Never inlined: its
// frame (about 53 KB) is for large bundles only.
static __attribute__((noinline)) int
decide_ahead(const pdp_bundle *b, const pdp_request *q, size_t n,
    pdp_decision *out)
{
	frame f;
	reading rd[AHEAD];
	const pdpi_table *t[AHEAD];
	int first = PDP_OK;

	for (size_t at = 0; at < n; at += AHEAD) {
		size_t m = n - at < AHEAD ? n - at : AHEAD;
		const pdp_request *g = q != NULL ? q + at : NULL;
		pdp_decision *o = out + at;
		int rv[AHEAD];
		for (size_t i = 0; i < m; i++)
			rv[i] = read_request(&rd[i], b, g ? &g[i] : NULL, &o[i]);
		for (size_t i = 0; i < m; i++)
			t[i] = rv[i] == PDP_OK ? look_ahead(b, &g[i], &rd[i]) :
			    NULL;
		for (size_t i = 0; i < m; i++)
			if (t[i] != NULL)
				pdpi_table_prefetch_entry(t[i], rd[i].r.ahash);
		for (size_t i = 0; i < m; i++)
			if (t[i] != NULL)
				look_up(b, t[i], &rd[i]);
		for (size_t i = 0; i < m; i++)
			if (t[i] != NULL)
				look_in(b, &rd[i]);
		for (size_t i = 0; i < m; i++) {
			if (rv[i] == PDP_OK)
				rv[i] = decide_read(&f, &rd[i], b, &g[i], &o[i],
				    NULL);
			if (rv[i] != PDP_OK && first == PDP_OK)
				first = rv[i];
		}
	}
	return first;
}

int
pdp_bundle_authorize_many(const pdp_bundle *b, const pdp_request *q,
    size_t n, pdp_decision *out)
{
	int first = PDP_OK;

	if (n > 0 && out == NULL)
		return PDP_EINVAL;
	if (b != NULL && b->ahead)
		return decide_ahead(b, q, n, out);
	// A bundle that fits in cache has no misses to overlap: reading
	// ahead would only cost.
	for (size_t i = 0; i < n; i++) {
		int rv = pdp_bundle_authorize(b, q ? &q[i] : NULL, &out[i],
		    NULL);
		if (rv != PDP_OK && first == PDP_OK)
			first = rv;
	}
	return first;
}
