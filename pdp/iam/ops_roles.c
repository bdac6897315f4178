// ops_roles.c - IAM roles: CreateRole (with its trust policy), GetRole,
// ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsi.h"

#define SESSION_MIN 3600
#define SESSION_MAX 43200

static json_t *
role_json(iamsi_ctx *c, const iams_entity *e, bool full)
{
	char arn[1024];
	json_t *o;

	iamsi_entity_arn(e, arn, sizeof(arn));
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "Path", e->path,
	    "RoleName", e->name, "RoleId", e->uid, "Arn", arn, "CreateDate",
	    iamsi_date(e->created), "AssumeRolePolicyDocument",
	    json_loads(e->trust ? e->trust : "{}", 0, NULL),
	    "MaxSessionDuration", (json_int_t) e->max_session);
	if (o == NULL)
		return NULL;
	if (e->description != NULL)
		json_object_set_new(o, "Description",
		    json_string(e->description));
	iamsi_boundary_json(c, o, e);
	if (full) {
		json_t *t = iamsi_tags_json(c, false, e->eid);
		if (json_array_size(t) > 0)
			json_object_set_new(o, "Tags", t);
		else
			json_decref(t);
		// Set by AssumeRole (iams_store_role_used): when, and where.
		json_object_set_new(o, "RoleLastUsed", e->last_used ?
		    json_pack("{s:o, s:s}", "LastUsedDate",
		    iamsi_date(e->last_used), "Region", IAMSI_REGION) :
		    json_object());
	}
	return o;
}

static bool
role_name(iamsi_ctx *c, const char **name)
{
	*name = iamsi_need(c, "RoleName");
	return *name != NULL && iamsi_check_name(c, "RoleName", *name,
	    IAMSI_ROLE_NAME_MAX);
}

// trust_check validates a trust policy with the compiler's trust rules
// and IAM's size quota for it.
static bool
trust_check(iamsi_ctx *c, const char *doc)
{
	size_t size;

	if (!iamsi_check_document(c, doc, PDP_POLICY_TRUST, false, &size))
		return false;
	if (size > IAMSI_TRUST_SIZE) {
		iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "ACLSizePerRole: %d", IAMSI_TRUST_SIZE);
		return false;
	}
	return true;
}

static bool
session_check(iamsi_ctx *c, int64_t v)
{
	if (v < SESSION_MIN || v > SESSION_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'maxSessionDuration' failed "
		    "to satisfy constraint: Member must have value between "
		    "%d and %d", (long long) v, SESSION_MIN, SESSION_MAX);
		return false;
	}
	return true;
}

static int
create_role(iamsi_ctx *c)
{
	bool bad = false;
	const char *name, *path = iamsi_str(c, "Path", &bad);
	const char *desc = iamsi_str(c, "Description", &bad);
	const char *pb = iamsi_str(c, "PermissionsBoundary", &bad);
	const char *trust;
	const json_t *tags = json_object_get(c->params, "Tags");
	char arn[1024], uid[32];
	iams_entity e, old;
	int64_t max, eid;
	uint32_t n;
	int rv;

	if (bad || !role_name(c, &name) ||
	    (trust = iamsi_need(c, "AssumeRolePolicyDocument")) == NULL ||
	    !iamsi_int(c, "MaxSessionDuration", SESSION_MIN, &max))
		return PDP_EINVAL;
	path = path ? path : "/";
	if (!iamsi_check_path(c, "Path", path) ||
	    !iamsi_check_description(c, desc) || !session_check(c, max) ||
	    !iamsi_tags_check(c, tags) || !trust_check(c, trust))
		return PDP_EINVAL;
	iamsi_arn(arn, sizeof(arn), c->account, "role", path, name);
	if (!iamsi_authorize(c, "iam:CreateRole", arn, tags))
		return PDP_EINVAL;
	if (json_array_size(tags) > 0 &&
	    !iamsi_authorize(c, "iam:TagRole", arn, tags))
		return PDP_EINVAL;
	memset(&e, 0, sizeof(e));
	if (!iamsi_boundary_param(c, pb, &e.boundary))
		return PDP_EINVAL;
	rv = iams_store_entity_get(c->st, c->account, IAMS_ROLE, name, &old);
	if (rv == PDP_OK) {
		iams_entity_fini(&old);
		return iamsi_fail(c, "EntityAlreadyExists", "Role with name "
		    "%s already exists.", name);
	}
	if (rv != PDP_ENOENT || (rv = iams_store_entity_count(c->st,
	    c->account, IAMS_ROLE, &n)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n >= IAMSI_ROLES_PER_ACCOUNT)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota "
		    "for RolesPerAccount: %d", IAMSI_ROLES_PER_ACCOUNT);
	iamsi_random_id("AROA", 16, uid);
	e.kind = IAMS_ROLE;
	e.account = c->account;
	e.name = (char *) name;
	e.path = (char *) path;
	e.uid = uid;
	e.created = c->now;
	e.description = (char *) desc;
	e.trust = (char *) trust;
	e.max_session = max;
	if ((rv = iams_store_entity_insert(c->st, &e, &eid)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	e.eid = eid;
	if (!iamsi_tags_apply(c, false, eid, tags))
		return PDP_EINVAL;
	c->changed = true;
	json_object_set_new(c->resp, "Role", role_json(c, &e, true));
	return PDP_OK;
}

static int
get_role(iamsi_ctx *c)
{
	const char *name;
	iams_entity e;

	if (!role_name(c, &name) ||
	    !iamsi_entity_find(c, IAMS_ROLE, name, "iam:GetRole", &e))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "Role", role_json(c, &e, true));
	iams_entity_fini(&e);
	return PDP_OK;
}

static int
list_roles(iamsi_ctx *c)
{
	return iamsi_list_entities(c, IAMS_ROLE, "iam:ListRoles", "Roles",
	    role_json);
}

// update writes back a changed role record.
static int
update(iamsi_ctx *c, iams_entity *e)
{
	int rv = iams_store_entity_update(c->st, e);

	iams_entity_fini(e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
update_role(iamsi_ctx *c)
{
	bool bad = false, has_max;
	const char *name, *desc = iamsi_str(c, "Description", &bad);
	iams_entity e;
	int64_t max;

	if (bad || !role_name(c, &name) ||
	    !iamsi_int(c, "MaxSessionDuration", 0, &max))
		return PDP_EINVAL;
	has_max = json_object_get(c->params, "MaxSessionDuration") != NULL;
	if ((has_max && !session_check(c, max)) ||
	    !iamsi_check_description(c, desc))
		return PDP_EINVAL;
	if (!iamsi_entity_find(c, IAMS_ROLE, name, "iam:UpdateRole", &e))
		return PDP_EINVAL;
	if (has_max)
		e.max_session = max;
	if (desc != NULL) {
		char *d = strdup(desc);
		if (d == NULL) {
			iams_entity_fini(&e);
			return iamsi_fail(c, "ServiceFailure",
			    "out of memory");
		}
		free(e.description);
		e.description = d;
	}
	return update(c, &e);
}

static int
update_assume_role_policy(iamsi_ctx *c)
{
	const char *name, *doc;
	iams_entity e;

	if (!role_name(c, &name) ||
	    (doc = iamsi_need(c, "PolicyDocument")) == NULL ||
	    !trust_check(c, doc))
		return PDP_EINVAL;
	if (!iamsi_entity_find(c, IAMS_ROLE, name,
	    "iam:UpdateAssumeRolePolicy", &e))
		return PDP_EINVAL;
	char *d = strdup(doc);
	if (d == NULL) {
		iams_entity_fini(&e);
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	}
	free(e.trust);
	e.trust = d;
	return update(c, &e);
}

static int
delete_role(iamsi_ctx *c)
{
	const char *name;
	iamsi_counts n;
	iams_entity e;
	int rv;

	if (!role_name(c, &name) ||
	    !iamsi_entity_find(c, IAMS_ROLE, name, "iam:DeleteRole", &e))
		return PDP_EINVAL;
	rv = iamsi_count_entity(c, &e, &n);
	int64_t eid = e.eid;
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n.inl)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must delete policies first.");
	if (n.attached)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must detach all policies first.");
	if ((rv = iams_store_entity_delete(c->st, eid)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

const iamsi_op iamsi_ops_roles[] = {
	{"CreateRole", create_role, true},
	{"GetRole", get_role, false},
	{"ListRoles", list_roles, false},
	{"UpdateRole", update_role, true},
	{"UpdateAssumeRolePolicy", update_assume_role_policy, true},
	{"DeleteRole", delete_role, true},
	{NULL, NULL, false},
};
