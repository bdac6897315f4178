// account_build.c - the last two steps of an account compile: compile
// every policy document of a validated model (reporting each problem at
// its file and JSON path), then feed accounts, principals, policy sets,
// resource policies and named policies to the bundle builder.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamci_account.h"

#define MANAGED_SIZE_MAX 6144

// Warnings of the policy compiler that the account layer replaces with
// errors of its own (managed policies must have a Version and fit 6144
// characters; inline policies are counted per entity).
static bool
superseded(const iamci_doc *doc, const iamc_diag *dg)
{
	if (doc->quota == IAMCI_Q_NONE || dg->severity != IAMC_WARNING)
		return false;
	return strstr(dg->message, "a managed policy may have at most") !=
	    NULL || (doc->quota == IAMCI_Q_MANAGED &&
	    strncmp(dg->message, "missing Version", 15) == 0);
}

// doc_report adds a diagnostic found at `path` inside document `doc`:
// "FILE: WHERE-IN-FILE: PATH-IN-DOCUMENT", and for a document of its own
// file, where the model refers to it.
static void
doc_report(iamci_am *m, const iamci_doc *doc, iamc_severity sev,
    const char *path, const char *msg)
{
	char where[IAMCI_PATH_MAX * 2 + 256];
	const char *inner = doc->inner ? doc->inner : "";

	snprintf(where, sizeof(where), "%s%s%s%s%s", doc->file,
	    inner[0] ? ": " : "", inner, path[0] ? ": " : "", path);
	if (doc->ref != NULL)
		iamc_diags_add(m->d, sev, where, "%s (from %s)", msg,
		    doc->ref);
	else
		iamc_diags_add(m->d, sev, where, "%s", msg);
}

// managed_checks applies what CreatePolicy demands beyond the grammar.
static void
managed_checks(iamci_am *m, const iamci_doc *doc)
{
	const json_t *v = json_object_get(doc->json, "Version");

	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), "2012-10-17") != 0)
		doc_report(m, doc, IAMC_ERROR, v ? "Version" : "", "Policy "
		    "document must be version 2012-10-17 or greater. (a "
		    "managed policy needs \"Version\": \"2012-10-17\")");
	char *text = json_dumps(doc->json, JSON_COMPACT);
	size_t n = 0;
	if (text == NULL) {
		m->nomem = true;
		return;
	}
	for (const unsigned char *p = (const unsigned char *) text; *p; p++)
		n += *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		    (*p & 0xC0) != 0x80;
	free(text);
	if (n > MANAGED_SIZE_MAX) {
		char msg[160];
		snprintf(msg, sizeof(msg), "policy has %zu characters "
		    "(whitespace not counted); a managed policy may have at "
		    "most %d", n, MANAGED_SIZE_MAX);
		doc_report(m, doc, IAMC_ERROR, "", msg);
	}
}

static void
compile_doc(iamci_am *m, iamc_arena *a, iamci_doc *doc)
{
	iamc_diags local;

	if (doc->json == NULL || doc->done)
		return;
	doc->done = true;
	if (doc->quota == IAMCI_Q_MANAGED)
		managed_checks(m, doc);
	iamc_diags_init(&local);
	int rv = iamc_policy_compile_ex(a, doc->json, doc->type, doc->name,
	    m->policy, &doc->p, &local);
	if (rv == PDP_ENOMEM)
		m->nomem = true;
	if (rv == PDP_OK)
		m->ncompiled++;
	for (size_t i = 0; i < local.n; i++) {
		if (!superseded(doc, &local.v[i]))
			doc_report(m, doc, local.v[i].severity,
			    local.v[i].path, local.v[i].message);
	}
	// A diagnostic lost to memory must still fail the compile.
	if (local.nerrors > 0 && rv == PDP_OK)
		m->nomem = true;
	iamc_diags_fini(&local);
}

static void
compile_inline(iamci_am *m, iamc_arena *a, iamci_inline *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		compile_doc(m, a, &v[i].doc);
}

int
iamci_am_compile(iamci_am *m, iamc_builder *b)
{
	iamc_arena *a = iamc_builder_arena(b);

	compile_doc(m, a, m->full_scp);
	compile_doc(m, a, m->full_rcp);
	for (uint32_t i = 0; i < m->norgv; i++)
		compile_doc(m, a, m->orgv[i]);
	for (uint32_t i = 0; i < m->nawsv; i++)
		compile_doc(m, a, &((iamci_managed *) m->awsv[i])->doc);
	for (uint32_t i = 0; i < m->nacc && !m->nomem; i++) {
		iamci_account *ac = &m->acc[i];
		for (uint32_t k = 0; k < ac->npolicies; k++) {
			iamci_managed *p = &ac->policies[k];
			compile_doc(m, a, &p->doc);
			for (uint32_t v = 0; v < p->nversions; v++)
				compile_doc(m, a, &p->versions[v]);
		}
		for (uint32_t k = 0; k < ac->ngroups; k++)
			compile_inline(m, a, ac->groups[k].inl,
			    ac->groups[k].ninl);
		for (uint32_t k = 0; k < ac->nroles; k++) {
			compile_inline(m, a, ac->roles[k].inl,
			    ac->roles[k].ninl);
			compile_doc(m, a, &ac->roles[k].trust);
		}
		for (uint32_t k = 0; k < ac->nusers; k++)
			compile_inline(m, a, ac->users[k].inl,
			    ac->users[k].ninl);
		for (uint32_t k = 0; k < ac->nrpols; k++)
			compile_doc(m, a, &ac->rpols[k].doc);
	}
	return m->nomem ? PDP_ENOMEM : PDP_OK;
}

// --- feeding the builder ----------------------------------------------------

// A managed policy attached to a user, a role or a group is the same
// compiled program everywhere; one that appears twice in a set (a user
// and one of its groups attach it) is kept once, at its first place.
static int
add_entity(iamc_setlist *s, const iamci_inline *inl, uint32_t ninl,
    iamci_managed *const *att, uint32_t natt)
{
	int rv = PDP_OK;

	for (uint32_t i = 0; i < ninl && rv == PDP_OK; i++)
		rv = iamc_setlist_add(s, inl[i].doc.p, false);
	for (uint32_t i = 0; i < natt && rv == PDP_OK; i++)
		rv = iamc_setlist_add(s, att[i]->doc.p, true);
	return rv;
}

static int
one_set(iamc_builder *b, const pdpi_policy *p, uint32_t *out)
{
	return iamc_builder_set(b, &p, 1, true, out);
}

static int
feed_levels(iamci_am *m, iamc_builder *b, iamc_setlist *s, const iamci_level *lv,
    uint32_t n, uint32_t *out)
{
	int rv;

	(void) m;
	for (uint32_t i = 0; i < n; i++) {
		s->n = 0;
		for (uint32_t k = 0; k < lv[i].n; k++)
			if ((rv = iamc_setlist_add(s, lv[i].v[k]->p, false)) != PDP_OK)
				return rv;
		if ((rv = iamc_builder_set(b, s->v, s->n, true, &out[i])) !=
		    PDP_OK)
			return rv;
	}
	return PDP_OK;
}

static int
feed_account(iamci_am *m, iamc_builder *b, iamc_setlist *s, const iamci_account *a)
{
	uint32_t scp[8], rcp[8]; // at most root, five OUs and the account
	int rv;

	if (a->nscp > 8 || a->nrcp > 8)
		return PDP_EINVAL;
	if ((rv = feed_levels(m, b, s, a->scp, a->nscp, scp)) != PDP_OK ||
	    (rv = feed_levels(m, b, s, a->rcp, a->nrcp, rcp)) != PDP_OK)
		return rv;
	return iamc_builder_account(b, a->id, scp, a->nscp, rcp, a->nrcp);
}

// feed_keys records the access keys of the user or root whose ARN is
// `owner`.
static int
feed_keys(iamc_builder *b, const iamci_keys *k, const char *owner)
{
	int rv = PDP_OK;

	for (uint32_t i = 0; i < k->n && rv == PDP_OK; i++)
		rv = iamc_builder_access_key(b, k->id[i], owner, k->active[i]);
	return rv;
}

static int
feed_entity(iamc_builder *b, iamc_setlist *s, const iamci_account *a,
    const iamci_entity *e, bool role)
{
	iamc_principal_spec ps;
	int rv;

	memset(&ps, 0, sizeof(ps));
	s->n = 0;
	rv = add_entity(s, e->inl, e->ninl, e->att, e->natt);
	for (uint32_t g = 0; !role && g < e->ngroups && rv == PDP_OK; g++)
		rv = add_entity(s, e->groups[g]->inl, e->groups[g]->ninl,
		    e->groups[g]->att, e->groups[g]->natt);
	if (rv != PDP_OK)
		return rv;
	ps.identity = PDPB_NONE;
	ps.boundary = PDPB_NONE;
	if (s->n > 0 && (rv = iamc_builder_set(b, s->v, s->n, true,
	    &ps.identity)) != PDP_OK)
		return rv;
	if (e->boundary != NULL &&
	    (rv = one_set(b, e->boundary->doc.p, &ps.boundary)) != PDP_OK)
		return rv;
	ps.kind = role ? PDPB_ROLE : PDPB_USER;
	ps.account = a->id;
	ps.name = e->name;
	ps.path = e->path;
	ps.unique_id = e->uid;
	ps.service_linked = e->service_linked;
	ps.ntags = e->tags.n;
	ps.tag_keys = e->tags.k;
	ps.tag_values = e->tags.v;
	ps.max_session = role ? e->max_session : 0;
	if ((rv = iamc_builder_principal(b, &ps)) != PDP_OK)
		return rv;
	if (!role) {
		// A path of up to 512 characters and a name of 64 fit.
		char arn[1024];
		snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user%s%s", a->id,
		    e->path, e->name);
		return feed_keys(b, &e->keys, arn);
	}

	// The trust policy is the role's resource-based policy. Sessions
	// find it under the role's ARN without its path; a request naming
	// the role by its full ARN (AssumeRole's RoleArn) finds it too. A
	// path of up to 512 characters and a name of 64 fit.
	char arn[1024];
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s", a->id,
	    e->name);
	if ((rv = iamc_builder_resource_policy(b, arn, e->trust.p)) !=
	    PDP_OK || strcmp(e->path, "/") == 0)
		return rv;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role%s%s", a->id, e->path,
	    e->name);
	return iamc_builder_resource_policy(b, arn, e->trust.p);
}

// feed_named lets requests name a managed policy by its ARN (a session
// policy passed as PolicyArns).
static int
feed_named(iamc_builder *b, const iamci_managed *p, uint32_t *count)
{
	uint32_t set;
	int rv;

	if ((rv = one_set(b, p->doc.p, &set)) != PDP_OK ||
	    (rv = iamc_builder_named(b, p->arn, set)) != PDP_OK)
		return rv;
	(*count)++;
	return PDP_OK;
}

int
iamci_am_feed(iamci_am *m, iamc_builder *b, const iamc_account_options *opt,
    iamc_account_stats *st)
{
	iamc_setlist s = {0};
	size_t total = 0, done = 0;
	size_t every = opt && opt->progress_every ? opt->progress_every :
	    1000;
	int rv = PDP_OK;

	for (uint32_t i = 0; i < m->nacc; i++)
		total += 1 + m->acc[i].nusers + m->acc[i].nroles;
	for (uint32_t i = 0; i < m->nacc && rv == PDP_OK; i++)
		rv = feed_account(m, b, &s, &m->acc[i]);
	for (uint32_t i = 0; i < m->nacc && rv == PDP_OK; i++) {
		const iamci_account *a = &m->acc[i];
		iamc_principal_spec root;
		memset(&root, 0, sizeof(root));
		root.kind = PDPB_ROOT;
		root.account = a->id;
		root.identity = PDPB_NONE;
		root.boundary = PDPB_NONE;
		rv = iamc_builder_principal(b, &root);
		if (rv == PDP_OK) {
			char arn[64];
			snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root",
			    a->id);
			rv = feed_keys(b, &a->root_keys, arn);
		}
		done++;
		for (uint32_t k = 0; k < a->nroles && rv == PDP_OK; k++) {
			rv = feed_entity(b, &s, a, &a->roles[k], true);
			if (++done % every == 0 && opt && opt->progress)
				opt->progress(opt->progress_arg, done, total);
		}
		for (uint32_t k = 0; k < a->nusers && rv == PDP_OK; k++) {
			rv = feed_entity(b, &s, a, &a->users[k], false);
			if (++done % every == 0 && opt && opt->progress)
				opt->progress(opt->progress_arg, done, total);
		}
		st->users += a->nusers;
		st->roles += a->nroles;
		st->groups += a->ngroups;
		for (uint32_t k = 0; k < a->nrpols && rv == PDP_OK; k++)
			rv = iamc_builder_resource_policy(b, a->rpols[k].arn,
			    a->rpols[k].doc.p);
		for (uint32_t k = 0; k < a->npolicies && rv == PDP_OK; k++)
			rv = feed_named(b, &a->policies[k], &st->named);
		st->resource_policies += a->nrpols + a->nroles;
	}
	for (uint32_t i = 0; i < m->nawsv && rv == PDP_OK; i++)
		rv = feed_named(b, m->awsv[i], &st->named);
	if (rv == PDP_OK && opt && opt->progress)
		opt->progress(opt->progress_arg, done, total);
	st->accounts = m->nacc;
	st->policies = m->ncompiled;
	st->principals = (uint32_t) done;
	iamc_setlist_fini(&s);
	return rv;
}
