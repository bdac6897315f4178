// model.c - the store as an account model (compiler/ACCOUNT.md), and the
// bundle rebuilt from it after every committed change. Going through the
// model keeps one compiler: what the service decides with is exactly
// what `iamc compile` makes of `iamc export`'s file.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamc_account.h"
#include "iamc_bundle.h"
#include "iamsi.h"

typedef struct walk {
	iams_store *st;
	json_t *arr;     // where entities go
	bool all_versions;
	int rv;
} walk;

static int
add_inline(void *arg, const char *name, const char *doc)
{
	json_t *obj = arg;
	json_t *j = json_loads(doc, 0, NULL);

	if (j == NULL)
		return PDP_ECORRUPT;
	return json_object_set_new(obj, name, j) ? PDP_ENOMEM : PDP_OK;
}

static int
add_tag(void *arg, const char *key, const char *value)
{
	return json_object_set_new(arg, key, json_string(value)) ?
	    PDP_ENOMEM : PDP_OK;
}

static int
add_attached(void *arg, const iams_policy *p)
{
	return json_array_append_new(arg, json_string(p->arn)) ?
	    PDP_ENOMEM : PDP_OK;
}

static int
add_group_name(void *arg, const iams_entity *e)
{
	return json_array_append_new(arg, json_string(e->name)) ?
	    PDP_ENOMEM : PDP_OK;
}

// add_key exports an access key's id and status: never its secret.
static int
add_key(void *arg, const iams_key *k)
{
	json_t *o = json_pack("{s:s, s:s}", "accessKeyId", k->key_id,
	    "status", k->active ? "Active" : "Inactive");

	return o == NULL || json_array_append_new(arg, o) ? PDP_ENOMEM :
	    PDP_OK;
}

// add_root_keys exports the root user's access keys as the account's
// "rootAccessKeys".
static int
add_root_keys(void *arg, const iams_entity *e)
{
	walk *w = arg;
	json_t *keys = json_array();

	if (keys == NULL || json_object_set_new(w->arr, "rootAccessKeys",
	    keys) != 0)
		return PDP_ENOMEM;
	return iams_store_key_list(w->st, e->eid, add_key, keys);
}

// entity_json writes what users, groups and roles share.
static int
entity_json(walk *w, const iams_entity *e, json_t **out)
{
	json_t *o = json_object(), *inl = json_object(), *att = json_array();
	int rv;

	if (o == NULL || inl == NULL || att == NULL) {
		json_decref(o);
		json_decref(inl);
		json_decref(att);
		return PDP_ENOMEM;
	}
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "path", json_string(e->path));
	json_object_set_new(o, "inlinePolicies", inl);
	json_object_set_new(o, "attachedPolicies", att);
	if ((rv = iams_store_inline_list(w->st, e->eid, add_inline, inl)) ||
	    (rv = iams_store_attached(w->st, e->eid, add_attached, att)))
		goto fail;
	if (e->kind == IAMS_USER || e->kind == IAMS_ROLE) {
		json_t *tags = json_object();
		json_object_set_new(o, "id", json_string(e->uid));
		json_object_set_new(o, "tags", tags);
		if ((rv = iams_store_tag_list(w->st, false, e->eid, add_tag,
		    tags)) != PDP_OK)
			goto fail;
		if (e->boundary) {
			iams_policy p;
			if ((rv = iams_store_policy_by_pid(w->st, e->boundary,
			    &p)) != PDP_OK)
				goto fail;
			json_object_set_new(o, "permissionsBoundary",
			    json_string(p.arn));
			iams_policy_fini(&p);
		}
	}
	if (e->kind == IAMS_USER) {
		json_t *g = json_array();
		json_object_set_new(o, "groups", g);
		if ((rv = iams_store_member_groups(w->st, e->eid,
		    add_group_name, g)) != PDP_OK)
			goto fail;
		json_t *keys = json_array();
		json_object_set_new(o, "accessKeys", keys);
		if ((rv = iams_store_key_list(w->st, e->eid, add_key,
		    keys)) != PDP_OK)
			goto fail;
	}
	if (e->kind == IAMS_ROLE) {
		json_t *t = json_loads(e->trust ? e->trust : "", 0, NULL);
		if (t == NULL) {
			rv = PDP_ECORRUPT;
			goto fail;
		}
		json_object_set_new(o, "trustPolicy", t);
		json_object_set_new(o, "maxSessionDuration",
		    json_integer(e->max_session));
	}
	*out = o;
	return PDP_OK;
fail:
	json_decref(o);
	return rv;
}

static int
add_entity(void *arg, const iams_entity *e)
{
	walk *w = arg;
	json_t *o;
	int rv;

	if ((rv = entity_json(w, e, &o)) != PDP_OK)
		return rv;
	return json_array_append_new(w->arr, o) ? PDP_ENOMEM : PDP_OK;
}

static int
add_version(void *arg, const iams_version *v)
{
	json_t *o = json_object();
	json_t *d = json_loads(v->document, 0, NULL);

	if (o == NULL || d == NULL) {
		json_decref(o);
		json_decref(d);
		return d == NULL ? PDP_ECORRUPT : PDP_ENOMEM;
	}
	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "document", d);
	return json_array_append_new(arg, o) ? PDP_ENOMEM : PDP_OK;
}

static int
add_policy(void *arg, const iams_policy *p)
{
	walk *w = arg;
	json_t *o = json_object();
	int rv;

	if (o == NULL)
		return PDP_ENOMEM;
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "path", json_string(p->path));
	if (p->description != NULL)
		json_object_set_new(o, "description",
		    json_string(p->description));
	if (w->all_versions) {
		json_t *v = json_array();
		json_object_set_new(o, "versions", v);
		json_object_set_new(o, "defaultVersion",
		    json_string(p->default_version));
		rv = iams_store_version_list(w->st, p->pid, add_version, v);
	} else {
		iams_version v;
		rv = iams_store_version_get(w->st, p->pid, p->default_version,
		    &v);
		if (rv == PDP_OK) {
			json_t *d = json_loads(v.document, 0, NULL);
			rv = d ? PDP_OK : PDP_ECORRUPT;
			json_object_set_new(o, "document", d);
			iams_version_fini(&v);
		}
	}
	if (rv != PDP_OK) {
		json_decref(o);
		return rv;
	}
	return json_array_append_new(w->arr, o) ? PDP_ENOMEM : PDP_OK;
}

typedef struct aws_docs {
	iams_store *st;
	json_t *map;    // name -> document
} aws_docs;

// add_aws_doc adds an AWS managed policy's default document, under its
// name as the account model looks it up.
static int
add_aws_doc(void *arg, const iams_policy *p)
{
	aws_docs *a = arg;
	iams_version v;
	int rv;

	if ((rv = iams_store_version_get(a->st, p->pid, p->default_version,
	    &v)) != PDP_OK)
		return rv;
	json_t *d = json_loads(v.document, 0, NULL);
	iams_version_fini(&v);
	if (d == NULL)
		return PDP_ECORRUPT;
	return json_object_set_new(a->map, p->name, d) ? PDP_ENOMEM : PDP_OK;
}

static int
add_account_id(void *arg, const char *id)
{
	return json_array_append_new(arg, json_string(id)) ? PDP_ENOMEM :
	    PDP_OK;
}

int
iamsi_model(iams_store *st, bool all_versions, json_t **out)
{
	json_t *model = json_object(), *accounts = json_array();
	json_t *ids = json_array();
	uint64_t rev = 0;
	walk w = {.st = st, .all_versions = all_versions};
	int rv;

	if (model == NULL || accounts == NULL || ids == NULL) {
		rv = PDP_ENOMEM;
		goto fail;
	}
	if ((rv = iams_store_revision(st, &rev)) != PDP_OK ||
	    (rv = iams_store_account_list(st, add_account_id, ids)) != PDP_OK)
		goto fail;
	json_object_set_new(model, "revision", json_integer((json_int_t) rev));
	json_object_set(model, "accounts", accounts);
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id) {
		const char *acc = json_string_value(id);
		json_t *a = json_object();
		static const struct {
			const char *field;
			iams_kind kind;
		} kinds[] = {
			{"groups", IAMS_GROUP},
			{"roles", IAMS_ROLE},
			{"users", IAMS_USER},
		};
		json_array_append_new(accounts, a);
		json_object_set_new(a, "id", json_string(acc));
		w.arr = json_array();
		json_object_set_new(a, "policies", w.arr);
		if ((rv = iams_store_policy_list(st, acc, NULL, false, NULL, 0,
		    add_policy, &w)) != PDP_OK)
			goto fail;
		for (size_t k = 0; k < 3; k++) {
			w.arr = json_array();
			json_object_set_new(a, kinds[k].field, w.arr);
			if ((rv = iams_store_entity_list(st, acc,
			    kinds[k].kind, NULL, NULL, 0, add_entity, &w)) !=
			    PDP_OK)
				goto fail;
		}
		w.arr = a;
		if ((rv = iams_store_entity_list(st, acc, IAMS_ROOT, NULL,
		    NULL, 0, add_root_keys, &w)) != PDP_OK)
			goto fail;
	}
	// The AWS managed policies something attaches, with their
	// documents: the model compiles on its own, and a bundle holds
	// only those.
	aws_docs ad = {.st = st, .map = json_object()};
	if (ad.map == NULL || (rv = iams_store_policies_used(st,
	    IAMS_AWS_ACCOUNT, add_aws_doc, &ad)) != PDP_OK) {
		json_decref(ad.map);
		rv = ad.map ? rv : PDP_ENOMEM;
		goto fail;
	}
	if (json_object_size(ad.map) > 0)
		json_object_set_new(model, "awsManagedPolicies", ad.map);
	else
		json_decref(ad.map);
	json_decref(accounts);
	json_decref(ids);
	*out = model;
	return PDP_OK;
fail:
	json_decref(model);
	json_decref(accounts);
	json_decref(ids);
	return rv;
}

int
iams_export(iams_service *s, bool all_versions, json_t **model)
{
	int rv;

	pthread_mutex_lock(&s->mu);
	if ((rv = iams_store_begin(s->st, false)) == PDP_OK) {
		rv = iamsi_model(s->st, all_versions, model);
		iams_store_rollback(s->st);
	}
	pthread_mutex_unlock(&s->mu);
	return rv;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

// iamsi_rebuild_full compiles the account model of the store, read in
// one read transaction, exactly as `iamc compile` compiles an export.
int
iamsi_rebuild_full(iams_service *s, void **data, size_t *len, uint64_t *rev,
    bool *empty, char *err, size_t errlen)
{
	json_t *model = NULL;
	iamc_builder *b = NULL;
	iamc_diags d;
	int rv;

	iamc_diags_init(&d);
	*data = NULL;
	*empty = false;
	if ((rv = iams_store_begin(s->st, false)) != PDP_OK) {
		snprintf(err, errlen, "store: %s", iams_store_errmsg(s->st));
		goto out;
	}
	rv = iamsi_model(s->st, false, &model);
	iams_store_rollback(s->st);
	if (rv != PDP_OK) {
		snprintf(err, errlen, "reading the store: %s (%s)",
		    pdp_strerror(rv), iams_store_errmsg(s->st));
		goto out;
	}
	*rev = (uint64_t) json_integer_value(json_object_get(model,
	    "revision"));
	if (json_array_size(json_object_get(model, "accounts")) == 0) {
		*empty = true;
		goto out;
	}
	if ((rv = iamc_builder_open(&b)) != PDP_OK) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	// What `iamc compile` reads from the export's text, without
	// writing the text and reading it back.
	rv = iamc_account_compile_json(model, "store", NULL, b, &d, NULL);
	if (rv != PDP_OK) {
		// The operations check everything the model checks, so this
		// is a bug; say what the compiler said.
		snprintf(err, errlen, "compiling the store: %s%s%s",
		    d.n ? d.v[0].path : pdp_strerror(rv), d.n ? ": " : "",
		    d.n ? d.v[0].message : "");
		goto out;
	}
	if ((rv = iamc_builder_write(b, *rev, data, len)) != PDP_OK)
		snprintf(err, errlen, "writing the bundle: %s",
		    pdp_strerror(rv));
out:
	iamc_builder_close(b);
	json_decref(model);
	iamc_diags_fini(&d);
	return rv;
}

// publish loads bundle bytes (verifying them as any bundle is verified;
// the bundle takes them over) and makes them live; an empty store has no
// bundle.
static int
publish(iams_service *s, void *data, size_t len, uint64_t rev, bool empty,
    char *err, size_t errlen)
{
	pdp_bundle *bundle = NULL;
	int rv;

	if (empty) {
		free(data);
		pdp_engine_swap(s->engine, NULL);
		len = 0;
	} else if ((rv = pdp_bundle_open_owned(data, len, &bundle, err,
	    errlen)) != PDP_OK) {
		return rv;
	} else {
		pdp_engine_swap(s->engine, bundle);
		pdp_bundle_close(bundle);
	}
	s->stats.revision = rev;
	s->stats.bundle_bytes = len;
	return PDP_OK;
}

int
iamsi_rebuild(iams_service *s, char *err, size_t errlen)
{
	uint64_t t0 = mono_ns(), rev = 0;
	void *data = NULL;
	size_t len = 0;
	bool full = true, empty = false;
	int rv = PDP_ECORRUPT;

	if (!s->full_only) {
		rv = iamsi_live_build(s->live, s->st, &data, &len, &rev, &full,
		    &empty, err, errlen);
		if (rv == PDP_OK)
			rv = publish(s, data, len, rev, empty, err, errlen);
		else
			free(data);
		data = NULL;
		if (rv != PDP_OK) {
			// Never a wrong bundle: forget the compiled store and
			// compile the account model instead.
			fprintf(stderr, "iam: incremental rebuild failed (%s); "
			    "rebuilding in full\n", err);
			iamsi_live_invalidate(s->live);
			s->stats.fallbacks++;
		}
	}
	if (rv != PDP_OK) {
		full = true;
		rv = iamsi_rebuild_full(s, &data, &len, &rev, &empty, err,
		    errlen);
		if (rv == PDP_OK)
			rv = publish(s, data, len, rev, empty, err, errlen);
		else
			free(data);
	}
	if (rv != PDP_OK) {
		// Fail closed: the last bundle may allow what the store no
		// longer does.
		pdp_engine_swap(s->engine, NULL);
		s->stale = true;
		return rv;
	}
	s->stale = false;
	s->stats.rebuilds++;
	s->stats.last_full = full;
	s->stats.live_ns = mono_ns();
	s->stats.rebuild_ms = (double) (s->stats.live_ns - t0) / 1e6;
	return PDP_OK;
}
