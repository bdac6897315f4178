// account.c - compiling an account model (compiler/ACCOUNT.md) into a
// bundle builder: load the model, define every account, resolve every
// reference, place the accounts in the organization, compile every
// document, and only when nothing was wrong feed the builder.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamci_account.h"

// The AWS managed SCP attached by default to every node of an
// organization, and the RCP attached to every node that cannot be
// detached (iam-semantics 5.1).
static const char full_scp[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"*\",\"Resource\":\"*\"}]}";
static const char full_rcp[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

// builtin makes a document of AWS's own from its text.
static iamci_doc *
builtin(iamci_am *m, const char *text, pdp_policy_type type,
    const char *name)
{
	iamci_doc *d = iamci_am_alloc(m, sizeof(*d));
	json_t *j = json_loads(text, 0, NULL);

	if (d == NULL || j == NULL ||
	    json_object_set_new(m->files, name, j) != 0) {
		m->nomem = true;
		return NULL;
	}
	d->json = j;
	d->file = "(AWS)";
	d->inner = name;
	d->type = type;
	d->name = name;
	return d;
}

static bool
am_init(iamci_am *m, const char *path, iamc_diags *d)
{
	memset(m, 0, sizeof(*m));
	m->d = d;
	m->a = iamc_arena_open();
	m->files = json_object();
	if (m->a == NULL || m->files == NULL)
		return false;
	m->file = iamci_am_strdup(m, path);
	const char *slash = strrchr(path, '/');
	m->dir = slash ? iamci_am_where(m, "%.*s", (int) (slash - path + 1),
	    path) : iamci_am_strdup(m, "");
	m->full_scp = builtin(m, full_scp, PDP_POLICY_SCP, "FullAWSAccess");
	m->full_rcp = builtin(m, full_rcp, PDP_POLICY_RCP,
	    "RCPFullAWSAccess");
	return !m->nomem;
}

static void
am_fini(iamci_am *m)
{
	for (uint32_t i = 0; i < m->nacc; i++)
		iamci_smap_fini(&m->acc[i].groupmap);
	iamci_smap_fini(&m->accmap);
	iamci_smap_fini(&m->cmmap);
	iamci_smap_fini(&m->awsmap);
	iamci_smap_fini(&m->uidmap);
	iamci_smap_fini(&m->keymap);
	iamci_smap_fini(&m->rpolmap);
	json_decref(m->files);
	json_decref(m->aws);
	json_decref(m->root);
	iamc_arena_close(m->a);
}

// load_aws loads the AWS managed policies file: the caller's, else the
// one the model names, else the policies the model gives itself.
static void
load_aws(iamci_am *m, const iamc_account_options *opt)
{
	const json_t *v = json_object_get(m->root, "awsManagedPolicies");
	const char *path, *where;

	if (opt != NULL && opt->aws_managed != NULL) {
		path = iamci_am_strdup(m, opt->aws_managed);
		where = "--aws-managed";
	} else if (v == NULL) {
		return;
	} else if (json_is_object(v)) {
		// In the model itself (an export of the IAM service holds
		// the ones it attaches): reported against the model.
		m->aws = json_incref((json_t *) v);
		m->aws_file = m->file;
		m->aws_inline = true;
		return;
	} else if (!json_is_string(v)) {
		iamci_am_error(m, NULL, "awsManagedPolicies", "must be the "
		    "path of a JSON file of policy name to document, or such "
		    "an object");
		m->aws_failed = true;
		return;
	} else {
		path = iamci_am_resolve(m, json_string_value(v));
		where = "awsManagedPolicies";
	}
	if (path == NULL)
		return;
	m->aws_file = path;
	m->aws = iamci_am_load_json(m, path, where,
	    "AWS managed policies file");
	if (m->aws != NULL && !json_is_object(m->aws)) {
		iamci_am_error(m, path, NULL, "the AWS managed policies file "
		    "must be a JSON object of policy name to document");
		json_decref(m->aws);
		m->aws = NULL;
	}
	m->aws_failed = m->aws == NULL;
}

static void
read_accounts(iamci_am *m)
{
	static const char *const known[] = {"id", "name", "description",
	    "users", "groups", "roles", "policies", "resourcePolicies",
	    "rootAccessKeys", NULL};
	const json_t *v = json_object_get(m->root, "accounts");
	size_t n = json_array_size(v);

	if (!json_is_array(v) || n == 0) {
		iamci_am_error(m, NULL, "accounts", "%s", v == NULL ?
		    "missing accounts: a model has at least one account" :
		    "accounts must be a non-empty array");
		return;
	}
	m->acc = iamci_am_alloc(m, n * sizeof(*m->acc));
	if (m->acc == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(v, i);
		char *w = iamci_am_where(m, "accounts[%zu]", i);
		if (w == NULL)
			return;
		if (!json_is_object(o)) {
			iamci_am_error(m, NULL, w, "an account must be an "
			    "object");
			continue;
		}
		iamci_am_fields(m, o, w, known);
		const char *id = iamci_account_id_check(m,
		    json_object_get(o, "id"), iamci_am_key(m, w, "id"));
		if (id == NULL)
			continue;
		iamci_account *a = &m->acc[m->nacc];
		a->id = id;
		a->where = w;
		const iamci_account *prev = iamci_smap_put(m, &m->accmap, id,
		    a);
		if (prev != NULL) {
			iamci_am_error(m, NULL, w, "account %s is defined "
			    "twice: also at %s", id, prev->where);
			continue;
		}
		m->nacc++;
		iamci_iam_define(m, a, o);
		iamci_keys_check(m, json_object_get(o, "rootAccessKeys"),
		    iamci_am_key(m, w, "rootAccessKeys"), &a->root_keys);
	}
	for (uint32_t i = 0; i < m->nacc; i++)
		iamci_iam_link(m, &m->acc[i]);
}

// session_policies resolves "sessionPolicies": managed policies that
// requests may name as session policies although nothing attaches them
// (customer managed policies can always be named).
static void
session_policies(iamci_am *m)
{
	const json_t *v = json_object_get(m->root, "sessionPolicies");

	if (v != NULL && !json_is_array(v)) {
		iamci_am_error(m, NULL, "sessionPolicies", "sessionPolicies "
		    "must be an array of managed policy ARNs");
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		char *w = iamci_am_where(m, "sessionPolicies[%zu]", i);
		if (w != NULL)
			iamci_managed_ref(m, NULL, json_array_get(v, i), w);
	}
}

static int
run(iamci_am *m, const iamc_account_options *opt, iamc_builder *b,
    iamc_account_stats *st)
{
	static const char *const known[] = {"revision", "description",
	    "awsManagedPolicies", "sessionPolicies", "organization",
	    "accounts", NULL};
	size_t errors = m->d->nerrors;
	int rv;

	if (!json_is_object(m->root)) {
		iamci_am_error(m, NULL, NULL,
		    "an account model must be a JSON "
		    "object");
		return PDP_EPOLICY;
	}
	iamci_am_fields(m, m->root, "", known);
	const json_t *rev = json_object_get(m->root, "revision");
	if (rev != NULL) {
		if (!json_is_integer(rev) || json_integer_value(rev) < 0)
			iamci_am_error(m, NULL, "revision", "revision must be "
			    "a non-negative integer");
		else {
			st->has_revision = true;
			st->revision = (uint64_t) json_integer_value(rev);
		}
	}
	m->policy = opt != NULL ? opt->policy : NULL;
	load_aws(m, opt);
	read_accounts(m);
	session_policies(m);
	iamci_org_read(m, json_object_get(m->root, "organization"),
	    "organization");
	// Documents are compiled even when the model has errors, so that
	// every problem is reported at once.
	if (!m->nomem)
		iamci_am_compile(m, b);
	if (m->nomem)
		return PDP_ENOMEM;
	if (m->d->nerrors > errors)
		return PDP_EPOLICY;
	rv = iamci_am_feed(m, b, opt, st);
	// The model was checked; the builder refusing it is our bug.
	return rv == PDP_EINVAL ? PDP_ECORRUPT : rv;
}

static int
compile_root(json_t *root, const json_error_t *jerr, const char *path,
    const iamc_account_options *opt, iamc_builder *b, iamc_diags *d,
    iamc_account_stats *stats)
{
	iamc_account_stats local;
	iamci_am m;
	int rv;

	memset(&local, 0, sizeof(local));
	if (!am_init(&m, path, d)) {
		json_decref(root);
		am_fini(&m);
		return PDP_ENOMEM;
	}
	m.root = root;
	if (root == NULL) {
		if (json_error_code(jerr) == json_error_out_of_memory) {
			rv = PDP_ENOMEM;
		} else {
			iamci_am_error(&m, NULL, NULL, "invalid JSON at line "
			    "%d, column %d: %s", jerr->line, jerr->column,
			    jerr->text);
			rv = PDP_EPOLICY;
		}
	} else {
		rv = run(&m, opt, b, &local);
	}
	am_fini(&m);
	if (rv == PDP_OK && stats != NULL)
		*stats = local;
	return rv;
}

int
iamc_account_compile_text(const char *text, size_t len, const char *path,
    const iamc_account_options *opt, iamc_builder *b, iamc_diags *d,
    iamc_account_stats *stats)
{
	json_error_t jerr;

	if (text == NULL || path == NULL || b == NULL || d == NULL)
		return PDP_EINVAL;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	return compile_root(root, &jerr, path, opt, b, d, stats);
}

int
iamc_account_compile_json(json_t *model, const char *path,
    const iamc_account_options *opt, iamc_builder *b, iamc_diags *d,
    iamc_account_stats *stats)
{
	if (model == NULL || path == NULL || b == NULL || d == NULL)
		return PDP_EINVAL;
	// compile_root keeps the model until it is done, then drops it.
	return compile_root(json_incref(model), NULL, path, opt, b, d, stats);
}

int
iamc_account_compile(const char *path, const iamc_account_options *opt,
    iamc_builder *b, iamc_diags *d, iamc_account_stats *stats)
{
	json_error_t jerr;
	FILE *f;

	if (path == NULL || b == NULL || d == NULL)
		return PDP_EINVAL;
	if ((f = fopen(path, "rb")) == NULL) {
		iamc_diags_add(d, IAMC_ERROR, path, "cannot read the account "
		    "model: %s", strerror(errno));
		return PDP_EIO;
	}
	json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	return compile_root(root, &jerr, path, opt, b, d, stats);
}
