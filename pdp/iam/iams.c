// iams.c - the IAM service's front door: open and close, the one entry
// point iams_call (parse the caller, run the operation in one store
// transaction, commit, make the change live), and self-authorization
// through the policy decision point.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "iamsi.h"

static const iamsi_op *const tables[] = {
	iamsi_ops_users, iamsi_ops_groups, iamsi_ops_roles,
	iamsi_ops_policies, iamsi_ops_inline, iamsi_ops_tags, iamsi_ops_keys,
	iamsi_ops_login, iamsi_ops_account, iamsi_ops_mfa, iamsi_ops_sts,
	iamsi_ops_report, iamsi_ops_trail,
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

// find_op finds operation `name` and its service's event source.
static const iamsi_op *
find_op(const char *name, const char **source)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (const iamsi_op *o = tables[t]; o->name != NULL; o++)
			if (strcmp(o->name, name) == 0) {
				*source = tables[t] == iamsi_ops_sts ?
				    "sts.amazonaws.com" :
				    tables[t] == iamsi_ops_trail ?
				    "cloudtrail.amazonaws.com" :
				    "iam.amazonaws.com";
				return o;
			}
	return NULL;
}

const char *const *
iams_op_names(void)
{
	static const char *names[160];

	if (names[0] == NULL) {
		size_t n = 0;
		for (size_t t = 0; t < NTABLES; t++)
			for (const iamsi_op *o = tables[t]; o->name != NULL &&
			    n + 1 < sizeof(names) / sizeof(names[0]); o++)
				names[n++] = o->name;
	}
	return names;
}

static int64_t
now_seconds(iams_service *s)
{
	return s->clock ? s->clock(s->clock_arg) : (int64_t) time(NULL);
}

int
iams_service_open(const char *path, const iams_options *opt,
    iams_service **out, char *err, size_t errlen)
{
	iams_service *s = calloc(1, sizeof(*s));
	int rv;

	if (s == NULL)
		return PDP_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	if (opt != NULL && opt->store_key != NULL) {
		memcpy(s->key, opt->store_key, IAMS_KEY_LEN);
		s->has_key = true;
	}
	s->users_max = opt && opt->users_max ? opt->users_max :
	    IAMSI_USERS_PER_ACCOUNT;
	s->argon2_kib = opt && opt->argon2_kib ? opt->argon2_kib : 19456;
	if (opt != NULL) {
		s->clock = opt->clock;
		s->clock_arg = opt->clock_arg;
	}
	s->full_only = opt && opt->full_rebuilds;
	if ((rv = iams_store_open(path, &s->st, err, errlen)) != PDP_OK)
		goto fail;
	if ((rv = pdp_engine_open(&s->engine)) != PDP_OK ||
	    (rv = iamsi_live_open(&s->live)) != PDP_OK)
		goto fail;
	if (opt != NULL && opt->aws_managed != NULL && (rv = iamsi_aws_load(s,
	    opt->aws_managed, err, errlen)) != PDP_OK)
		goto fail;
	if ((rv = iamsi_rebuild(s, err, errlen)) != PDP_OK ||
	    (rv = iamsi_keyring_open(s, now_seconds(s), err, errlen)) !=
	    PDP_OK)
		goto fail;
	*out = s;
	return PDP_OK;
fail:
	iams_service_close(s);
	return rv;
}

void
iams_service_close(iams_service *s)
{
	if (s == NULL)
		return;
	iamsi_keyring_close(s);
	pdp_engine_close(s->engine);
	iamsi_live_close(s->live);
	iams_store_close(s->st);
	pthread_mutex_destroy(&s->mu);
	// The store key must not outlive the service in freed memory.
	memset(s->key, 0, sizeof(s->key));
	free(s);
}

pdp_engine *
iams_service_engine(iams_service *s)
{
	return s->engine;
}

void
iams_service_stats(iams_service *s, iams_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->stats;
	pthread_mutex_unlock(&s->mu);
}

int
iams_service_batch(iams_service *s, bool on)
{
	char why[512];
	int rv = PDP_OK;

	pthread_mutex_lock(&s->mu);
	s->batch = on;
	if (!on && (rv = iamsi_rebuild(s, why, sizeof(why))) != PDP_OK)
		s->stats.rebuild_failures++;
	pthread_mutex_unlock(&s->mu);
	return rv;
}

// finish commits a call that wrote and makes it live: the revision
// grows inside the transaction, the commit makes it durable, the
// rebuild publishes it.
static int
finish(iamsi_ctx *c)
{
	int rv;

	if (!c->changed) {
		if ((rv = iams_store_commit(c->st)) != PDP_OK)
			return iamsi_store_fail(c, rv, NULL);
		return PDP_OK;
	}
	if ((rv = iams_store_bump(c->st)) != PDP_OK) {
		iams_store_rollback(c->st);
		return iamsi_store_fail(c, rv, NULL);
	}
	if ((rv = iams_store_commit(c->st)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->s->stats.commit_ns = (uint64_t) ts.tv_sec * 1000000000u +
	    (uint64_t) ts.tv_nsec;
	// The change is durable now; a failed rebuild keeps the previous
	// bundle live (decisions never fail) and is counted, and the next
	// commit rebuilds everything again.
	char why[512];
	if (c->s->batch)
		return PDP_OK;
	if (iamsi_rebuild(c->s, why, sizeof(why)) != PDP_OK) {
		c->s->stats.rebuild_failures++;
		fprintf(stderr, "iam: rebuild failed: %s\n", why);
	}
	return PDP_OK;
}

static int
iamsi_caller_parse(iamsi_ctx *c, const char *arn)
{
	const char *p;

	// arn:aws:iam::ACCOUNT:root | user/PATH/NAME, or an STS session.
	if (strncmp(arn, "arn:aws:iam::", 13) == 0)
		p = arn + 13;
	else if (strncmp(arn, "arn:aws:sts::", 13) == 0)
		p = arn + 13;
	else
		return PDP_EINVAL;
	if (strspn(p, "0123456789") != 12 || p[12] != ':')
		return PDP_EINVAL;
	memcpy(c->account, p, 12);
	c->account[12] = '\0';
	p += 13;
	if (strncmp(arn, "arn:aws:iam::", 13) == 0 && strcmp(p, "root") == 0)
		c->root = true;
	else if (strncmp(arn, "arn:aws:iam::", 13) == 0 &&
	    strncmp(p, "user/", 5) == 0) {
		const char *name = strrchr(p, '/') + 1;
		if (strlen(name) > IAMSI_USER_NAME_MAX)
			return PDP_EINVAL;
		snprintf(c->user, sizeof(c->user), "%s", name);
		c->is_user = true;
	}
	return PDP_OK;
}

void
iamsi_ctx_init(iamsi_ctx *c, iams_service *s, const json_t *params,
    iams_error *err)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->st = s->st;
	c->caller = "";
	c->params = params;
	c->err = err;
	c->now = now_seconds(s);
}

int
iams_call(iams_service *s, const char *caller_arn, const char *op,
    const json_t *params, json_t **response, iams_error *err)
{
	return iams_call_key(s, caller_arn, NULL, op, params, response, err);
}

int
iams_call_key(iams_service *s, const char *caller_arn,
    const char *access_key_id, const char *op, const json_t *params,
    json_t **response, iams_error *err)
{
	iams_error scratch;
	iamsi_ctx c;

	iamsi_ctx_init(&c, s, params, err ? err : &scratch);
	c.caller = caller_arn ? caller_arn : "";
	c.access_key_id = access_key_id;
	return iamsi_run(&c, op, response);
}

int
iamsi_trail_alone(iamsi_ctx *c, const char *op, int rv)
{
	const char *source;
	int wv;

	// An operation the service does not have is not an event.
	if (find_op(op ? op : "", &source) == NULL ||
	    (c->account[0] == '\0' &&
	    iamsi_caller_parse(c, c->caller) != PDP_OK))
		return rv;
	if ((wv = iams_store_begin(c->st, true)) == PDP_OK) {
		wv = iamsi_trail_record(c, op, source, rv == PDP_OK);
		if (wv == PDP_OK)
			wv = iams_store_commit(c->st);
		else
			iams_store_rollback(c->st);
	}
	if (wv == PDP_OK || rv != PDP_OK)
		return rv;
	return iamsi_store_fail(c, wv, NULL);
}

int
iamsi_run(iamsi_ctx *c, const char *op, json_t **response)
{
	iams_service *s = c->s;
	const char *source = NULL;
	int rv;

	const iamsi_op *o = find_op(op ? op : "", &source);
	if (o == NULL)
		return iamsi_fail(c, "InvalidAction", "The action %s is not "
		    "valid for this web service.", op ? op : "(none)");
	if (iamsi_caller_parse(c, c->caller) != PDP_OK)
		return iamsi_fail(c, "AccessDenied", "The caller %s is not "
		    "a valid principal ARN", c->caller);
	if ((c->resp = json_object()) == NULL)
		return iamsi_fail(c, "ServiceFailure", "out of memory");

	pthread_mutex_lock(&s->mu);
	if (c->params != NULL && !json_is_object(c->params)) {
		rv = iamsi_fail(c, "ValidationError", "the request "
		    "parameters must be an object");
		goto out;
	}
	// A failed rebuild left no bundle live; try again before deciding.
	char why[512];
	if (s->stale && iamsi_rebuild(s, why, sizeof(why)) != PDP_OK)
		fprintf(stderr, "iam: rebuild failed: %s\n", why);
	if ((rv = iams_store_begin(s->st, o->write)) != PDP_OK) {
		rv = iamsi_store_fail(c, rv, NULL);
		goto out;
	}
	rv = o->fn(c);
	// Every operation authorizes itself against its target; one that
	// returned without doing so is a bug, never an allow.
	if (rv == PDP_OK && !c->authorized)
		rv = iamsi_fail(c, "ServiceFailure", "%s was not authorized",
		    op);
	if (rv != PDP_OK) {
		iams_store_rollback(s->st);
		goto out;
	}
	// A write's event commits with it: an acknowledged change always
	// has its event, a rolled back one never.
	if (o->write && (rv = iamsi_trail_record(c, o->name, source,
	    true)) != PDP_OK) {
		iams_store_rollback(s->st);
		rv = iamsi_store_fail(c, rv, NULL);
		goto out;
	}
	rv = finish(c);
	if (rv == PDP_OK && o->write)
		goto done;
out:
	rv = iamsi_trail_alone(c, o->name, rv);
done:
	pthread_mutex_unlock(&s->mu);
	if (rv != PDP_OK) {
		json_decref(c->resp);
		return rv;
	}
	*response = c->resp;
	return PDP_OK;
}

// --- self-authorization ------------------------------------------------------------

bool
iamsi_authorize(iamsi_ctx *c, const char *action, const char *resource,
    const json_t *tags)
{
	return iamsi_authorize_ctx(c, action, resource, tags, NULL, 0, false);
}

// resource_tags returns the tags of the IAM user or role that `resource`
// names, when it exists (a new reference), or NULL: a user's or role's
// tags are its aws:ResourceTag and iam:ResourceTag keys, for the calls
// that act on it and for AssumeRole.
static json_t *
resource_tags(iamsi_ctx *c, const char *resource)
{
	static const char pre[] = "arn:aws:iam::";
	const size_t np = sizeof(pre) - 1;
	char account[13], arn[1100];
	iams_entity e;
	iams_kind kind;

	if (strncmp(resource, pre, np) != 0 || strlen(resource) < np + 13 ||
	    resource[np + 12] != ':')
		return NULL;
	const char *rest = resource + np + 13;
	if (strncmp(rest, "user/", 5) == 0)
		kind = IAMS_USER;
	else if (strncmp(rest, "role/", 5) == 0)
		kind = IAMS_ROLE;
	else
		return NULL;
	memcpy(account, resource + np, 12);
	account[12] = '\0';
	memset(&e, 0, sizeof(e));
	if (iams_store_entity_get(c->st, account, kind, strrchr(rest, '/') + 1,
	    &e) != PDP_OK)
		return NULL;
	// The name found it; the path must be the entity's too.
	iamsi_entity_arn(&e, arn, sizeof(arn));
	json_t *tags = strcasecmp(arn, resource) == 0 ?
	    iamsi_tags_json(c, false, e.eid) : NULL;
	iams_entity_fini(&e);
	return tags;
}

bool
iamsi_authorize_ctx(iamsi_ctx *c, const char *action, const char *resource,
    const json_t *tags, const pdp_context_entry *extra, uint32_t nextra,
    bool mfa)
{
	pdp_context_entry ctx[3 * IAMSI_TAGS_MAX + 1 + IAMSI_EXTRA_MAX];
	const char *vals[IAMSI_TAGS_MAX];
	const char *keys[IAMSI_TAGS_MAX];
	char names[IAMSI_TAGS_MAX][IAMSI_TAG_KEY_MAX + 32];
	const char *rvals[IAMSI_TAGS_MAX];
	char rnames[2 * IAMSI_TAGS_MAX][IAMSI_TAG_KEY_MAX + 32];
	pdp_request req;
	pdp_decision d;
	pdp_explanation ex;
	uint32_t n = 0, nr = 0;
	json_t *rtags = resource_tags(c, resource);

	memset(&req, 0, sizeof(req));
	req.principal = c->caller;
	req.action = action;
	req.resource = resource;
	// AWS managed policies are every account's to read and attach:
	// decided as resources of the caller's own account, not of "aws".
	if (strncmp(resource, "arn:aws:iam::aws:policy/", 24) == 0)
		req.resource_account = c->account;
	// aws:RequestTag/KEY and aws:TagKeys, so that tag-based policies
	// can govern who tags what (iam-semantics 7.1).
	if (json_is_array(tags)) {
		size_t i;
		const json_t *t;
		json_array_foreach(tags, i, t) {
			const char *k = json_string_value(
			    json_object_get(t, "Key"));
			const char *v = json_string_value(
			    json_object_get(t, "Value"));
			if (k == NULL || v == NULL || n >= IAMSI_TAGS_MAX)
				continue;
			snprintf(names[n], sizeof(names[n]),
			    "aws:RequestTag/%s", k);
			keys[n] = k;
			vals[n] = v;
			ctx[n].key = names[n];
			ctx[n].values = &vals[n];
			ctx[n].nvalues = 1;
			ctx[n].multi = false;
			n++;
		}
		if (n > 0) {
			ctx[n].key = "aws:TagKeys";
			ctx[n].values = keys;
			ctx[n].nvalues = n;
			ctx[n].multi = true;
			n++;
		}
	}
	// The target's own tags (IAM allows at most IAMSI_TAGS_MAX). In
	// role chaining they stay the role's: a transitive tag of the caller
	// does not stand for them (pdp/iam/README.md).
	size_t i;
	const json_t *t;
	json_array_foreach(rtags, i, t) {
		const char *k = json_string_value(json_object_get(t, "Key"));
		const char *v = json_string_value(json_object_get(t, "Value"));
		if (k == NULL || v == NULL || nr >= IAMSI_TAGS_MAX)
			continue;
		rvals[nr] = v;
		for (int iam = 0; iam < 2; iam++) {
			char *name = rnames[2 * nr + iam];
			snprintf(name, sizeof(rnames[0]), "%s:ResourceTag/%s",
			    iam ? "iam" : "aws", k);
			ctx[n++] = (pdp_context_entry) {name, &rvals[nr], 1,
			    false};
		}
		nr++;
	}
	// A key left out could leave a Deny's condition unmet: refuse.
	if (nextra > IAMSI_EXTRA_MAX) {
		json_decref(rtags);
		iamsi_fail(c, "ServiceFailure", "too many context keys");
		return false;
	}
	for (uint32_t j = 0; j < nextra; j++)
		ctx[n++] = extra[j];
	req.context = ctx;
	req.ncontext = n;
	iamsi_decide(c, &req, &d, &ex, mfa);
	json_decref(rtags);
	if (d.effect == PDP_ALLOW) {
		c->authorized = true;
		return true;
	}
	const char *who = c->root ? "Root" : "User";
	if (d.effect == PDP_EXPLICIT_DENY)
		iamsi_fail(c, "AccessDenied", "%s: %s is not authorized to "
		    "perform: %s on resource: %s with an explicit deny in "
		    "an %s policy", who, c->caller, action, resource,
		    pdp_policy_type_name(ex.deny_type));
	else if (d.err != PDP_OK)
		// Not decided (an unknown principal, refused credentials):
		// denied, and why.
		iamsi_fail(c, "AccessDenied", "%s: %s is not authorized to "
		    "perform: %s on resource: %s (%s)", who, c->caller, action,
		    resource, d.reason ? d.reason : pdp_strerror(d.err));
	else
		iamsi_fail(c, "AccessDenied", "%s: %s is not authorized to "
		    "perform: %s on resource: %s because no %s policy allows "
		    "the %s action", who, c->caller, action, resource,
		    pdp_policy_type_name(ex.deny_type), action);
	return false;
}

bool
iamsi_root_only(iamsi_ctx *c, const char *action)
{
	if (c->root)
		return true;
	iamsi_fail(c, "AccessDenied", "User: %s is not authorized to "
	    "perform: %s: this task requires the account's root user",
	    c->caller, action);
	return false;
}

// --- accounts ------------------------------------------------------------------

int
iamsi_account_insert(iams_store *st, const char *id, int64_t now)
{
	iams_entity root;
	int64_t eid;
	int rv = iams_store_account_create(st, id, now);

	if (rv != PDP_OK)
		return rv;
	memset(&root, 0, sizeof(root));
	root.kind = IAMS_ROOT;
	root.account = (char *) id;
	root.name = "root";
	root.path = "/";
	root.uid = (char *) id; // root's aws:userid is the account id
	root.created = now;
	rv = iams_store_entity_insert(st, &root, &eid);
	// A root's unique id (the account id) is never taken by another.
	return rv == PDP_EINVAL ? PDP_EIO : rv;
}

int
iams_account_create(iams_service *s, const char *id, iams_error *err)
{
	iamsi_ctx c;
	int rv;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.st = s->st;
	c.err = err;
	c.now = now_seconds(s);
	if (id == NULL || strlen(id) != 12 || strspn(id, "0123456789") != 12)
		return iamsi_fail(&c, "ValidationError", "an account id is "
		    "12 digits");
	pthread_mutex_lock(&s->mu);
	if ((rv = iams_store_begin(s->st, true)) != PDP_OK) {
		rv = iamsi_store_fail(&c, rv, NULL);
		goto out;
	}
	rv = iamsi_account_insert(s->st, id, c.now);
	if (rv == PDP_EINVAL) {
		iams_store_rollback(s->st);
		rv = iamsi_fail(&c, "EntityAlreadyExists", "Account %s "
		    "already exists.", id);
		goto out;
	}
	if (rv != PDP_OK) {
		iams_store_rollback(s->st);
		rv = iamsi_store_fail(&c, rv, NULL);
		goto out;
	}
	c.changed = true;
	rv = finish(&c);
out:
	pthread_mutex_unlock(&s->mu);
	return rv;
}
