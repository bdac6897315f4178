// import.c - an account model into the store (iams_import): the inverse
// of model.c's export. The model was validated by the compiler already;
// here it is checked for what the store cannot hold, then written in one
// transaction, so that an import lands whole or not at all.

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamc_account.h"
#include "iamsi.h"

typedef struct imp {
	iams_store *st;
	const char *file;
	iams_error *err;
	const char *account;
	int64_t now;
} imp;

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

// --- what the store cannot hold ----------------------------------------------

static void
refuse(iamc_diags *d, const char *file, const char *path, const char *what)
{
	char p[512];

	snprintf(p, sizeof(p), "%s: %s", file, path);
	iamc_diags_add(d, IAMC_ERROR, p, "the IAM store holds no %s", what);
}

// skip_keys warns that access keys are not imported: a model holds their
// ids and status only, and a key whose secret is lost can never sign.
static void
skip_keys(const json_t *keys, const char *file, const char *path,
    const char *field, iamc_diags *d)
{
	char p[384];

	if (json_array_size(keys) == 0)
		return;
	snprintf(p, sizeof(p), "%s: %s.%s", file, path, field);
	iamc_diags_add(d, IAMC_WARNING, p, "%zu access keys not imported: "
	    "secrets are never exported; create new keys",
	    json_array_size(keys));
}

// check_entity warns of what is not imported of an entity.
static void
check_entity(const json_t *e, const char *file, const char *path,
    iamc_diags *d)
{
	skip_keys(json_object_get(e, "accessKeys"), file, path,
	    "accessKeys", d);
}

static void
check_model(const json_t *model, const char *file, iamc_diags *d)
{
	static const char *const kinds[] = {"groups", "roles", "users"};
	char path[256];
	size_t i, j;
	const json_t *a, *e;

	if (json_object_get(model, "organization") != NULL)
		refuse(d, file, "organization", "organization (SCPs, RCPs): "
		    "import its accounts alone, or serve the model with "
		    "iamc compile and pdpd --bundle");
	if (json_array_size(json_object_get(model, "sessionPolicies")) > 0)
		refuse(d, file, "sessionPolicies", "list of session policies "
		    "(every customer managed policy may be one already)");
	json_array_foreach(json_object_get(model, "accounts"), i, a) {
		if (json_object_size(json_object_get(a, "resourcePolicies")) >
		    0) {
			snprintf(path, sizeof(path),
			    "accounts[%zu].resourcePolicies", i);
			refuse(d, file, path, "resource-based policies: they "
			    "live in bundles made by iamc compile");
		}
		snprintf(path, sizeof(path), "accounts[%zu]", i);
		skip_keys(json_object_get(a, "rootAccessKeys"), file, path,
		    "rootAccessKeys", d);
		for (size_t k = 0; k < 3; k++)
			json_array_foreach(json_object_get(a, kinds[k]), j, e) {
				snprintf(path, sizeof(path),
				    "accounts[%zu].%s[%zu]", i, kinds[k], j);
				check_entity(e, file, path, d);
			}
	}
}

// --- writing ---------------------------------------------------------------------

// fail fills the error with `code` and "FILE: PATH: message".
static int
fail(imp *m, int rv, const char *code, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 5, 6)));

static int
fail(imp *m, int rv, const char *code, const char *path, const char *fmt,
    ...)
{
	char msg[1024], full[sizeof(m->err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s: %s: %s", m->file, path, msg);
	iamsi_error_set(m->err, code, full);
	return rv;
}

static int
store_fail(imp *m, int rv, const char *path)
{
	if (rv == PDP_EINVAL)
		return fail(m, PDP_EINVAL, "EntityAlreadyExists", path, "the "
		    "store refused it as a duplicate (a unique id in use?)");
	return fail(m, rv == PDP_ENOMEM ? PDP_ENOMEM : PDP_EIO,
	    "ServiceFailure", path, "the store failed: %s",
	    iams_store_errmsg(m->st));
}

// doc_text: the store keeps documents as JSON text.
static char *
doc_text(const json_t *doc)
{
	return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static int
put_version(imp *m, int64_t pid, const char *id, const json_t *doc,
    int64_t created, const char *path)
{
	char *text = doc_text(doc);
	iams_version v = {(char *) id, text, created};
	int rv = text ? iams_store_version_insert(m->st, pid, &v) : PDP_ENOMEM;

	free(text);
	return rv == PDP_OK ? PDP_OK : store_fail(m, rv, path);
}

static int
put_policy(imp *m, const json_t *p, const char *path)
{
	const json_t *vers = json_object_get(p, "versions"), *v;
	const char *dflt = str(p, "defaultVersion");
	char arn[1024], id[32];
	iams_policy pol;
	int64_t next = 2;
	size_t i;
	int rv;

	memset(&pol, 0, sizeof(pol));
	pol.account = (char *) m->account;
	pol.name = (char *) str(p, "name");
	pol.path = (char *) (str(p, "path") ? str(p, "path") : "/");
	iamsi_arn(arn, sizeof(arn), m->account, "policy", pol.path, pol.name);
	iamsi_random_id("ANPA", 16, id);
	pol.arn = arn;
	pol.policy_id = id;
	pol.description = (char *) str(p, "description");
	json_array_foreach(vers, i, v) {
		int64_t n = strtoll(str(v, "id") + 1, NULL, 10);
		next = n + 1 > next ? n + 1 : next;
		if (dflt == NULL && json_array_size(vers) == 1)
			dflt = str(v, "id");
	}
	pol.default_version = (char *) (dflt ? dflt : "v1");
	pol.next_version = next;
	pol.created = pol.updated = m->now;
	if ((rv = iams_store_policy_insert(m->st, &pol, &pol.pid)) != PDP_OK)
		return store_fail(m, rv, path);
	if (vers == NULL)
		return put_version(m, pol.pid, "v1",
		    json_object_get(p, "document"), m->now, path);
	json_array_foreach(vers, i, v)
		if ((rv = put_version(m, pol.pid, str(v, "id"),
		    json_object_get(v, "document"), m->now, path)) != PDP_OK)
			return rv;
	return PDP_OK;
}

// policy_pid finds a managed policy of the store by ARN: a customer
// managed one imported before, or an AWS managed one the store holds
// (`iam init` and `iamc import` load them into a new store).
static int
policy_pid(imp *m, const char *arn, int64_t *pid, const char *path)
{
	iams_policy p;
	int rv = iams_store_policy_get(m->st, arn, &p);

	if (rv == PDP_ENOENT)
		return fail(m, PDP_EINVAL, "NoSuchEntity", path, "no policy %s "
		    "in the store", arn);
	if (rv != PDP_OK)
		return store_fail(m, rv, path);
	*pid = p.pid;
	iams_policy_fini(&p);
	return PDP_OK;
}

// put_parts writes what hangs off a new entity: tags, inline policies,
// attached policies and (users) group memberships.
static int
put_parts(imp *m, int64_t eid, const json_t *e, const char *path)
{
	const char *k;
	const json_t *v;
	size_t i;
	int64_t pid;
	int rv = PDP_OK;

	json_object_foreach((json_t *) json_object_get(e, "tags"), k, v)
		if (rv == PDP_OK)
			rv = iams_store_tag_set(m->st, false, eid, k,
			    json_string_value(v));
	json_object_foreach((json_t *) json_object_get(e, "inlinePolicies"),
	    k, v) {
		char *text = rv == PDP_OK ? doc_text(v) : NULL;
		if (rv == PDP_OK)
			rv = text ? iams_store_inline_put(m->st, eid, k, text) :
			    PDP_ENOMEM;
		free(text);
	}
	if (rv != PDP_OK)
		return store_fail(m, rv, path);
	json_array_foreach(json_object_get(e, "attachedPolicies"), i, v) {
		if ((rv = policy_pid(m, json_string_value(v), &pid, path)) !=
		    PDP_OK)
			return rv;
		if ((rv = iams_store_attach(m->st, eid, pid)) != PDP_OK)
			return store_fail(m, rv, path);
	}
	json_array_foreach(json_object_get(e, "groups"), i, v) {
		iams_entity g;
		rv = iams_store_entity_get(m->st, m->account, IAMS_GROUP,
		    json_string_value(v), &g);
		if (rv == PDP_OK) {
			rv = iams_store_member_add(m->st, g.eid, eid);
			iams_entity_fini(&g);
		}
		if (rv != PDP_OK)
			return store_fail(m, rv, path);
	}
	return PDP_OK;
}

static int
put_entity(imp *m, iams_kind kind, const json_t *e, const char *path)
{
	const json_t *max = json_object_get(e, "maxSessionDuration");
	const char *boundary = str(e, "permissionsBoundary");
	char uid[160], *trust = NULL;
	iams_entity en;
	int64_t eid;
	int rv;

	memset(&en, 0, sizeof(en));
	en.kind = kind;
	en.account = (char *) m->account;
	en.name = (char *) str(e, "name");
	en.path = (char *) (str(e, "path") ? str(e, "path") : "/");
	en.description = (char *) str(e, "description");
	en.created = m->now;
	// Without an id, the one iamc compile derives: aws:userid is then
	// the same whichever way the model is served.
	if (kind == IAMS_GROUP)
		iamsi_random_id("AGPA", 16, uid);
	else if (str(e, "id") != NULL)
		snprintf(uid, sizeof(uid), "%s", str(e, "id"));
	else
		iamc_account_unique_id(kind == IAMS_USER ? "AIDA" : "AROA",
		    m->account, en.name, uid);
	en.uid = uid;
	if (kind == IAMS_ROLE) {
		if ((trust = doc_text(json_object_get(e, "trustPolicy"))) ==
		    NULL)
			return store_fail(m, PDP_ENOMEM, path);
		en.trust = trust;
		en.max_session = max ? json_integer_value(max) : 3600;
	}
	rv = boundary ? policy_pid(m, boundary, &en.boundary, path) : PDP_OK;
	if (rv == PDP_OK &&
	    (rv = iams_store_entity_insert(m->st, &en, &eid)) != PDP_OK)
		rv = store_fail(m, rv, path);
	free(trust);
	return rv == PDP_OK ? put_parts(m, eid, e, path) : rv;
}

static int
put_account(imp *m, const json_t *a, size_t ai)
{
	static const struct {
		const char *field;
		iams_kind kind;
	} kinds[] = {
		{"groups", IAMS_GROUP}, {"roles", IAMS_ROLE},
		{"users", IAMS_USER},
	};
	char path[256];
	size_t i;
	const json_t *e;
	int rv;

	m->account = str(a, "id");
	snprintf(path, sizeof(path), "accounts[%zu]", ai);
	rv = iamsi_account_insert(m->st, m->account, m->now);
	if (rv == PDP_EINVAL)
		return fail(m, PDP_EINVAL, "EntityAlreadyExists", path,
		    "account %s is in the store already (an import adds new "
		    "accounts only; nothing was imported)", m->account);
	if (rv != PDP_OK)
		return store_fail(m, rv, path);
	json_array_foreach(json_object_get(a, "policies"), i, e) {
		snprintf(path, sizeof(path), "accounts[%zu].policies[%zu]",
		    ai, i);
		if ((rv = put_policy(m, e, path)) != PDP_OK)
			return rv;
	}
	// Groups before users, whose memberships name them.
	for (size_t k = 0; k < 3; k++)
		json_array_foreach(json_object_get(a, kinds[k].field), i, e) {
			snprintf(path, sizeof(path), "accounts[%zu].%s[%zu]",
			    ai, kinds[k].field, i);
			if ((rv = put_entity(m, kinds[k].kind, e, path)) !=
			    PDP_OK)
				return rv;
		}
	return PDP_OK;
}

static int
put_model(imp *m, const json_t *model)
{
	const json_t *rev = json_object_get(model, "revision"), *a;
	size_t i;
	int rv;

	json_array_foreach(json_object_get(model, "accounts"), i, a)
		if ((rv = put_account(m, a, i)) != PDP_OK)
			return rv;
	rv = iams_store_revision_raise(m->st, json_is_integer(rev) &&
	    json_integer_value(rev) > 0 ? (uint64_t) json_integer_value(rev) :
	    0);
	return rv == PDP_OK ? PDP_OK : store_fail(m, rv, "revision");
}

int
iams_import(iams_service *s, const json_t *model, const char *file,
    iamc_diags *d, iams_error *err)
{
	imp m = {s->st, file, err, NULL, (int64_t) time(NULL)};
	size_t before = d->nerrors;
	char why[512];
	int rv;

	check_model(model, file, d);
	if (d->nerrors > before)
		return PDP_EPOLICY;
	pthread_mutex_lock(&s->mu);
	if ((rv = iams_store_begin(s->st, true)) != PDP_OK) {
		rv = store_fail(&m, rv, "");
		goto out;
	}
	if ((rv = put_model(&m, model)) != PDP_OK) {
		iams_store_rollback(s->st);
		goto out;
	}
	if ((rv = iams_store_commit(s->st)) != PDP_OK) {
		rv = store_fail(&m, rv, "");
		goto out;
	}
	if (!s->batch && (rv = iamsi_rebuild(s, why, sizeof(why))) != PDP_OK) {
		s->stats.rebuild_failures++;
		rv = fail(&m, PDP_EIO, "ServiceFailure", "", "imported, but "
		    "the bundle did not rebuild: %s", why);
	}
out:
	pthread_mutex_unlock(&s->mu);
	return rv;
}
