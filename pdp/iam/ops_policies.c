// ops_policies.c - managed policies (customer managed ones, and AWS
// managed ones, read-only, when the store holds them) and their versions,
// and attaching them: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
// CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions,
// SetDefaultPolicyVersion, DeletePolicyVersion, Attach/Detach and
// ListAttached for users, groups and roles, ListEntitiesForPolicy.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsi.h"

static const char aws_prefix[] = "arn:aws:iam::aws:policy/";

bool
iamsi_policy_find(iamsi_ctx *c, const char *arn, const char *action,
    iams_policy *out)
{
	char prefix[64];
	int rv;

	if (strncmp(arn, "arn:aws:iam::", 13) != 0 ||
	    strstr(arn, ":policy/") == NULL) {
		iamsi_fail(c, "InvalidInput", "ARN %s is not valid.", arn);
		return false;
	}
	if (action != NULL && !iamsi_authorize(c, action, arn, NULL))
		return false;
	snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:policy/",
	    c->account);
	bool aws = strncmp(arn, aws_prefix, sizeof(aws_prefix) - 1) == 0;
	rv = aws || strncmp(arn, prefix, strlen(prefix)) == 0 ?
	    iams_store_policy_get(c->st, arn, out) : PDP_ENOENT;
	// An account sees how it uses an AWS managed policy, not how
	// others do.
	if (rv == PDP_OK && aws && (rv = iams_store_policy_usage(c->st,
	    out->pid, c->account, &out->attachments, &out->boundaries)) !=
	    PDP_OK)
		iams_policy_fini(out);
	if (rv == PDP_ENOENT) {
		iamsi_fail(c, "NoSuchEntity", "Policy %s does not exist or is "
		    "not attachable.", arn);
		return false;
	}
	if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	return true;
}

bool
iamsi_policy_writable(iamsi_ctx *c, const iams_policy *p, const char *action)
{
	if (strcmp(p->account, IAMS_AWS_ACCOUNT) != 0)
		return true;
	iamsi_fail(c, "AccessDenied", "%s: %s is not authorized to perform: "
	    "%s on resource: policy %s: AWS managed policies cannot be "
	    "changed", c->root ? "Root" : "User", c->caller, action, p->arn);
	return false;
}

static json_t *
policy_json(iamsi_ctx *c, const iams_policy *p, bool tags)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, "
	    "s:o}", "PolicyName", p->name, "PolicyId", p->policy_id, "Arn",
	    p->arn, "Path", p->path, "DefaultVersionId", p->default_version,
	    "AttachmentCount", (json_int_t) p->attachments,
	    "PermissionsBoundaryUsageCount", (json_int_t) p->boundaries,
	    "IsAttachable", 1, "CreateDate", iamsi_date(p->created),
	    "UpdateDate", iamsi_date(p->updated));

	if (o == NULL)
		return NULL;
	if (p->description != NULL)
		json_object_set_new(o, "Description",
		    json_string(p->description));
	if (tags) {
		json_t *t = iamsi_tags_json(c, true, p->pid);
		if (json_array_size(t) > 0)
			json_object_set_new(o, "Tags", t);
		else
			json_decref(t);
	}
	return o;
}

static json_t *
version_json(const iams_version *v, bool is_default, bool doc)
{
	json_t *o = json_pack("{s:s, s:b, s:o}", "VersionId", v->id,
	    "IsDefaultVersion", is_default, "CreateDate",
	    iamsi_date(v->created));

	if (o != NULL && doc)
		json_object_set_new(o, "Document",
		    json_loads(v->document, 0, NULL));
	return o;
}

static int
create_policy(iamsi_ctx *c)
{
	bool bad = false;
	const char *name = iamsi_need(c, "PolicyName");
	const char *path = iamsi_str(c, "Path", &bad);
	const char *desc = iamsi_str(c, "Description", &bad);
	const char *doc = iamsi_str(c, "PolicyDocument", &bad);
	const json_t *tags = json_object_get(c->params, "Tags");
	char arn[1024], id[32];
	iams_policy p;
	iams_version v;
	size_t size;
	uint32_t n;
	int rv;

	if (name == NULL || bad || (doc == NULL &&
	    (doc = iamsi_need(c, "PolicyDocument")) == NULL))
		return PDP_EINVAL;
	path = path ? path : "/";
	if (!iamsi_check_name(c, "PolicyName", name, IAMSI_POLICY_NAME_MAX) ||
	    !iamsi_check_policy_path(c, "Path", path) ||
	    !iamsi_check_description(c, desc) || !iamsi_tags_check(c, tags) ||
	    !iamsi_check_document(c, doc, PDP_POLICY_IDENTITY, true, &size))
		return PDP_EINVAL;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:policy%s%s", c->account,
	    path, name);
	if (!iamsi_authorize(c, "iam:CreatePolicy", arn, tags))
		return PDP_EINVAL;
	if (json_array_size(tags) > 0 &&
	    !iamsi_authorize(c, "iam:TagPolicy", arn, tags))
		return PDP_EINVAL;
	if ((rv = iams_store_policy_count(c->st, c->account, &n)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n >= IAMSI_POLICIES_PER_ACCOUNT)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota "
		    "for PoliciesPerAccount: %d", IAMSI_POLICIES_PER_ACCOUNT);
	memset(&p, 0, sizeof(p));
	iamsi_random_id("ANPA", 16, id);
	p.account = c->account;
	p.name = (char *) name;
	p.path = (char *) path;
	p.arn = arn;
	p.policy_id = id;
	p.description = (char *) desc;
	p.default_version = "v1";
	p.next_version = 2;
	p.created = p.updated = c->now;
	// Names are unique in the account ignoring case, whatever the path:
	// the store's unique index says so.
	rv = iams_store_policy_insert(c->st, &p, &p.pid);
	if (rv == PDP_EINVAL)
		return iamsi_fail(c, "EntityAlreadyExists", "A policy called "
		    "%s already exists. Duplicate names are not allowed.",
		    name);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	v.id = "v1";
	v.document = (char *) doc;
	v.created = c->now;
	if ((rv = iams_store_version_insert(c->st, p.pid, &v)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (!iamsi_tags_apply(c, true, p.pid, tags))
		return PDP_EINVAL;
	c->changed = true;
	json_object_set_new(c->resp, "Policy", policy_json(c, &p, true));
	return PDP_OK;
}

// find_arn reads PolicyArn and finds the policy, authorizing `action`.
static bool
find_arn(iamsi_ctx *c, const char *action, iams_policy *p)
{
	const char *arn = iamsi_need(c, "PolicyArn");

	return arn != NULL && iamsi_policy_find(c, arn, action, p);
}

static int
get_policy(iamsi_ctx *c)
{
	iams_policy p;

	if (!find_arn(c, "iam:GetPolicy", &p))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "Policy", policy_json(c, &p, true));
	iams_policy_fini(&p);
	return PDP_OK;
}

typedef struct plister {
	iamsi_ctx *c;
	json_t *arr;
	uint32_t max, n;
	const char *mark;  // what markers of this listing begin with
	char last[140];
	bool truncated;
} plister;

static int
list_one(void *arg, const iams_policy *p)
{
	plister *l = arg;

	if (l->n == l->max) {
		l->truncated = true;
		return PDP_OK;
	}
	l->n++;
	snprintf(l->last, sizeof(l->last), "%s%s", l->mark, p->name);
	return json_array_append_new(l->arr, policy_json(l->c, p, false)) ?
	    PDP_ENOMEM : PDP_OK;
}

// Scope All lists the account's own policies, then AWS's; a marker in
// AWS's part begins with this (policy names never hold a slash).
#define AWS_MARK "aws/"

static int
list_policies(iamsi_ctx *c)
{
	bool bad = false, only;
	const char *scope = iamsi_str(c, "Scope", &bad);
	const char *prefix = iamsi_str(c, "PathPrefix", &bad);
	const char *marker;
	char arn[64];
	plister l = {.c = c, .mark = ""};
	int rv = PDP_OK;

	if (bad || !iamsi_bool(c, "OnlyAttached", false, &only) ||
	    !iamsi_paging(c, &marker, &l.max))
		return PDP_EINVAL;
	if (scope != NULL && strcmp(scope, "All") != 0 &&
	    strcmp(scope, "AWS") != 0 && strcmp(scope, "Local") != 0)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%s' at 'scope' failed to satisfy "
		    "constraint: Member must satisfy enum value set: [All, "
		    "AWS, Local]", scope);
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:policy/*", c->account);
	if (!iamsi_authorize(c, "iam:ListPolicies", arn, NULL))
		return PDP_EINVAL;
	l.arr = json_array();
	json_object_set_new(c->resp, "Policies", l.arr);
	bool in_aws = marker != NULL && strncmp(marker, AWS_MARK,
	    strlen(AWS_MARK)) == 0;
	if ((scope == NULL || strcmp(scope, "AWS") != 0) && !in_aws)
		rv = iams_store_policy_list(c->st, c->account, prefix, only,
		    marker, l.max + 1, list_one, &l);
	if (rv == PDP_OK && !l.truncated && (scope == NULL ||
	    strcmp(scope, "Local") != 0)) {
		l.mark = AWS_MARK;
		rv = iams_store_policy_list_in(c->st, IAMS_AWS_ACCOUNT,
		    c->account, prefix, only, in_aws ? marker +
		    strlen(AWS_MARK) : NULL, l.max - l.n + 1, list_one, &l);
	}
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	json_object_set_new(c->resp, "IsTruncated",
	    json_boolean(l.truncated));
	if (l.truncated)
		json_object_set_new(c->resp, "Marker", json_string(l.last));
	return PDP_OK;
}

static int
count_version(void *arg, const iams_version *v)
{
	(void) v;
	(*(uint32_t *) arg)++;
	return PDP_OK;
}

static int
delete_policy(iamsi_ctx *c)
{
	iams_policy p;
	uint32_t n = 0;
	int rv;

	if (!find_arn(c, "iam:DeletePolicy", &p))
		return PDP_EINVAL;
	if (!iamsi_policy_writable(c, &p, "iam:DeletePolicy")) {
		iams_policy_fini(&p);
		return PDP_EINVAL;
	}
	rv = iams_store_version_list(c->st, p.pid, count_version, &n);
	if (rv == PDP_OK && (p.attachments || p.boundaries))
		rv = iamsi_fail(c, "DeleteConflict", "Cannot delete a policy "
		    "attached to entities.");
	else if (rv == PDP_OK && n > 1)
		rv = iamsi_fail(c, "DeleteConflict", "This policy has more "
		    "than one version. Before you delete a policy, you must "
		    "delete the policy's versions. The default version is "
		    "deleted with the policy.");
	else if (rv == PDP_OK &&
	    (rv = iams_store_policy_delete(c->st, p.pid)) == PDP_OK)
		c->changed = true;
	else if (rv != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	iams_policy_fini(&p);
	return rv;
}

// version_id checks AWS's pattern v[1-9][0-9]*(\.[A-Za-z0-9-]*)?.
static bool
version_id(iamsi_ctx *c, const char *id)
{
	const char *p = id;
	bool ok = p[0] == 'v' && p[1] >= '1' && p[1] <= '9';

	for (p += ok ? 2 : 0; ok && *p >= '0' && *p <= '9'; p++)
		;
	if (ok && *p == '.')
		for (p++; *p && (strchr("-", *p) || (*p >= '0' &&
		    *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z')); p++)
			;
	if (!ok || *p != '\0') {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%s' at 'versionId' failed to satisfy "
		    "constraint: Member must satisfy regular expression "
		    "pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", id);
		return false;
	}
	return true;
}

static int
create_policy_version(iamsi_ctx *c)
{
	const char *doc = iamsi_need(c, "PolicyDocument");
	char id[32];
	iams_policy p;
	iams_version v;
	uint32_t n = 0;
	size_t size;
	bool def;
	int rv;

	if (doc == NULL || !iamsi_bool(c, "SetAsDefault", false, &def) ||
	    !iamsi_check_document(c, doc, PDP_POLICY_IDENTITY, true, &size))
		return PDP_EINVAL;
	if (!find_arn(c, "iam:CreatePolicyVersion", &p))
		return PDP_EINVAL;
	if (!iamsi_policy_writable(c, &p, "iam:CreatePolicyVersion")) {
		iams_policy_fini(&p);
		return PDP_EINVAL;
	}
	if ((rv = iams_store_version_list(c->st, p.pid, count_version, &n)))
		goto fail;
	if (n >= IAMSI_VERSIONS_MAX) {
		iams_policy_fini(&p);
		return iamsi_fail(c, "LimitExceeded", "A managed policy can "
		    "have up to %d versions. Before you create a new "
		    "version, you must delete an existing version.",
		    IAMSI_VERSIONS_MAX);
	}
	snprintf(id, sizeof(id), "v%lld", (long long) p.next_version);
	v.id = id;
	v.document = (char *) doc;
	v.created = c->now;
	if ((rv = iams_store_version_insert(c->st, p.pid, &v)) != PDP_OK)
		goto fail;
	p.next_version++;
	p.updated = c->now;
	char *old = p.default_version;
	if (def)
		p.default_version = id;
	rv = iams_store_policy_update(c->st, &p);
	p.default_version = old;
	if (rv != PDP_OK)
		goto fail;
	iams_policy_fini(&p);
	c->changed = true;
	json_object_set_new(c->resp, "PolicyVersion", version_json(&v, def,
	    false));
	return PDP_OK;
fail:
	iams_policy_fini(&p);
	return iamsi_store_fail(c, rv, NULL);
}

// find_version reads PolicyArn and VersionId (authorizing `action`;
// `write`: the policy must be one the account may change).
static bool
find_version(iamsi_ctx *c, const char *action, bool write, iams_policy *p,
    iams_version *v)
{
	const char *id = iamsi_need(c, "VersionId");
	int rv;

	if (id == NULL || !version_id(c, id) || !find_arn(c, action, p))
		return false;
	if (write && !iamsi_policy_writable(c, p, action)) {
		iams_policy_fini(p);
		return false;
	}
	if ((rv = iams_store_version_get(c->st, p->pid, id, v)) != PDP_OK) {
		iamsi_store_fail(c, rv, "Policy version does not exist.");
		iams_policy_fini(p);
		return false;
	}
	return true;
}

static int
get_policy_version(iamsi_ctx *c)
{
	iams_policy p;
	iams_version v;

	if (!find_version(c, "iam:GetPolicyVersion", false, &p, &v))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "PolicyVersion", version_json(&v,
	    strcmp(v.id, p.default_version) == 0, true));
	iams_version_fini(&v);
	iams_policy_fini(&p);
	return PDP_OK;
}

typedef struct vlister {
	json_t *arr;
	const char *def;
} vlister;

static int
list_version(void *arg, const iams_version *v)
{
	vlister *l = arg;

	return json_array_append_new(l->arr, version_json(v,
	    strcmp(v->id, l->def) == 0, false)) ? PDP_ENOMEM : PDP_OK;
}

static int
list_policy_versions(iamsi_ctx *c)
{
	iams_policy p;
	vlister l;
	int rv;

	if (!find_arn(c, "iam:ListPolicyVersions", &p))
		return PDP_EINVAL;
	l.arr = json_array();
	l.def = p.default_version;
	json_object_set_new(c->resp, "Versions", l.arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_version_list(c->st, p.pid, list_version, &l);
	iams_policy_fini(&p);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

static int
set_default_policy_version(iamsi_ctx *c)
{
	iams_policy p;
	iams_version v;
	int rv;

	if (!find_version(c, "iam:SetDefaultPolicyVersion", true, &p, &v))
		return PDP_EINVAL;
	char *old = p.default_version;
	p.default_version = v.id;
	p.updated = c->now;
	rv = iams_store_policy_update(c->st, &p);
	p.default_version = old;
	iams_version_fini(&v);
	iams_policy_fini(&p);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
delete_policy_version(iamsi_ctx *c)
{
	iams_policy p;
	iams_version v;
	int rv;

	if (!find_version(c, "iam:DeletePolicyVersion", true, &p, &v))
		return PDP_EINVAL;
	if (strcmp(v.id, p.default_version) == 0)
		rv = iamsi_fail(c, "DeleteConflict", "Cannot delete the "
		    "default version of a policy.");
	else if ((rv = iams_store_version_delete(c->st, p.pid, v.id)) !=
	    PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	else
		c->changed = true;
	iams_version_fini(&v);
	iams_policy_fini(&p);
	return rv;
}

// --- attachments ---------------------------------------------------------------

static const struct {
	iams_kind kind;
	const char *param, *word;
	uint32_t max;
} owners[] = {
	{IAMS_USER, "UserName", "User", IAMSI_ATTACH_USER},
	{IAMS_GROUP, "GroupName", "Group", IAMSI_ATTACH_GROUP},
	{IAMS_ROLE, "RoleName", "Role", IAMSI_ATTACH_ROLE},
};

static int
count_p(void *arg, const iams_policy *p)
{
	(void) p;
	(*(uint32_t *) arg)++;
	return PDP_OK;
}

// owner finds the user, group or role named by its param, authorizing
// iam:VERB{User,Group,Role}SUFFIX on it.
static bool
owner(iamsi_ctx *c, int k, const char *verb, const char *suffix,
    iams_entity *e)
{
	const char *name = iamsi_need(c, owners[k].param);
	char action[96];

	if (name == NULL || !iamsi_check_name(c, owners[k].param, name,
	    owners[k].kind == IAMS_GROUP ? IAMSI_GROUP_NAME_MAX :
	    IAMSI_USER_NAME_MAX))
		return false;
	snprintf(action, sizeof(action), "iam:%s%s%s", verb, owners[k].word,
	    suffix);
	return iamsi_entity_find(c, owners[k].kind, name, action, e);
}

static int
attach(iamsi_ctx *c, int k)
{
	const char *arn = iamsi_need(c, "PolicyArn");
	iams_entity e;
	iams_policy p;
	uint32_t n = 0;
	int rv;

	if (arn == NULL || !owner(c, k, "Attach", "Policy", &e))
		return PDP_EINVAL;
	if (!iamsi_policy_find(c, arn, NULL, &p)) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	rv = iams_store_attached(c->st, e.eid, count_p, &n);
	if (rv == PDP_OK && n >= owners[k].max) {
		rv = iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "PoliciesPer%s: %u", owners[k].word, owners[k].max);
	} else if (rv == PDP_OK) {
		rv = iams_store_attach(c->st, e.eid, p.pid);
		if (rv == PDP_OK)
			c->changed = true;
		else if (rv == PDP_EINVAL) // attached already: no change
			rv = PDP_OK;
		else
			rv = iamsi_store_fail(c, rv, NULL);
	} else {
		rv = iamsi_store_fail(c, rv, NULL);
	}
	iams_entity_fini(&e);
	iams_policy_fini(&p);
	return rv;
}

static int
detach(iamsi_ctx *c, int k)
{
	const char *arn = iamsi_need(c, "PolicyArn");
	iams_entity e;
	iams_policy p;
	int rv;

	if (arn == NULL || !owner(c, k, "Detach", "Policy", &e))
		return PDP_EINVAL;
	if (!iamsi_policy_find(c, arn, NULL, &p)) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	rv = iams_store_detach(c->st, e.eid, p.pid);
	if (rv == PDP_ENOENT)
		rv = iamsi_fail(c, "NoSuchEntity", "Policy %s was not found.",
		    arn);
	else if (rv != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	else
		c->changed = true;
	iams_entity_fini(&e);
	iams_policy_fini(&p);
	return rv;
}

static int
attached_one(void *arg, const iams_policy *p)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s}",
	    "PolicyName", p->name, "PolicyArn", p->arn)) ? PDP_ENOMEM : PDP_OK;
}

static int
list_attached(iamsi_ctx *c, int k)
{
	iams_entity e;
	json_t *arr;
	int rv;

	if (!owner(c, k, "ListAttached", "Policies", &e))
		return PDP_EINVAL;
	arr = json_array();
	json_object_set_new(c->resp, "AttachedPolicies", arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_attached(c->st, e.eid, attached_one, arr);
	iams_entity_fini(&e);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

#define OWNER_OPS(word, k) \
	static int attach_##word(iamsi_ctx *c) { return attach(c, k); } \
	static int detach_##word(iamsi_ctx *c) { return detach(c, k); } \
	static int list_attached_##word(iamsi_ctx *c) \
	{ return list_attached(c, k); }
OWNER_OPS(user, 0)
OWNER_OPS(group, 1)
OWNER_OPS(role, 2)

static int
entity_one(void *arg, const iams_entity *e)
{
	iamsi_ctx *c = arg;
	json_t *resp = c->resp;
	static const char *const field[] = {NULL, "PolicyUsers",
	    "PolicyGroups", "PolicyRoles"};
	static const char *const name[] = {NULL, "UserName", "GroupName",
	    "RoleName"};
	static const char *const id[] = {NULL, "UserId", "GroupId", "RoleId"};

	// Other accounts may attach the same AWS managed policy.
	if (e->kind == IAMS_ROOT || strcmp(e->account, c->account) != 0)
		return PDP_OK;
	return json_array_append_new(json_object_get(resp, field[e->kind]),
	    json_pack("{s:s, s:s}", name[e->kind], e->name, id[e->kind],
	    e->uid)) ? PDP_ENOMEM : PDP_OK;
}

static int
list_entities_for_policy(iamsi_ctx *c)
{
	iams_policy p;
	int rv;

	if (!find_arn(c, "iam:ListEntitiesForPolicy", &p))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "PolicyGroups", json_array());
	json_object_set_new(c->resp, "PolicyUsers", json_array());
	json_object_set_new(c->resp, "PolicyRoles", json_array());
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_attached_to(c->st, p.pid, entity_one, c);
	iams_policy_fini(&p);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

const iamsi_op iamsi_ops_policies[] = {
	{"CreatePolicy", create_policy, true},
	{"GetPolicy", get_policy, false},
	{"ListPolicies", list_policies, false},
	{"DeletePolicy", delete_policy, true},
	{"CreatePolicyVersion", create_policy_version, true},
	{"GetPolicyVersion", get_policy_version, false},
	{"ListPolicyVersions", list_policy_versions, false},
	{"SetDefaultPolicyVersion", set_default_policy_version, true},
	{"DeletePolicyVersion", delete_policy_version, true},
	{"AttachUserPolicy", attach_user, true},
	{"DetachUserPolicy", detach_user, true},
	{"ListAttachedUserPolicies", list_attached_user, false},
	{"AttachGroupPolicy", attach_group, true},
	{"DetachGroupPolicy", detach_group, true},
	{"ListAttachedGroupPolicies", list_attached_group, false},
	{"AttachRolePolicy", attach_role, true},
	{"DetachRolePolicy", detach_role, true},
	{"ListAttachedRolePolicies", list_attached_role, false},
	{"ListEntitiesForPolicy", list_entities_for_policy, false},
	{NULL, NULL, false},
};
