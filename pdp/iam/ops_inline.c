// ops_inline.c - inline policies of users, groups and roles
// (Put/Get/Delete/List{User,Group,Role}Policy) and permissions boundaries
// (Put/Delete{User,Role}PermissionsBoundary).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsi.h"

static const struct {
	iams_kind kind;
	const char *param, *word;
	size_t name_max;
	size_t total; // inline characters per entity, whitespace not counted
} owners[] = {
	{IAMS_USER, "UserName", "User", IAMSI_USER_NAME_MAX,
	    IAMSI_INLINE_USER},
	{IAMS_GROUP, "GroupName", "Group", IAMSI_GROUP_NAME_MAX,
	    IAMSI_INLINE_GROUP},
	{IAMS_ROLE, "RoleName", "Role", IAMSI_ROLE_NAME_MAX,
	    IAMSI_INLINE_ROLE},
};

static bool
owner(iamsi_ctx *c, int k, const char *verb, const char *suffix,
    iams_entity *e)
{
	const char *name = iamsi_need(c, owners[k].param);
	char action[96];

	if (name == NULL || !iamsi_check_name(c, owners[k].param, name,
	    owners[k].name_max))
		return false;
	snprintf(action, sizeof(action), "iam:%s%s%s", verb, owners[k].word,
	    suffix);
	return iamsi_entity_find(c, owners[k].kind, name, action, e);
}

static bool
policy_name(iamsi_ctx *c, const char **name)
{
	*name = iamsi_need(c, "PolicyName");
	return *name != NULL && iamsi_check_name(c, "PolicyName", *name,
	    IAMSI_POLICY_NAME_MAX);
}

typedef struct sizer {
	const char *skip; // the policy being replaced
	size_t total;
} sizer;

static int
add_size(void *arg, const char *name, const char *doc)
{
	sizer *s = arg;

	if (strcmp(name, s->skip) != 0)
		s->total += iamsi_doc_size(doc);
	return PDP_OK;
}

static int
put_policy(iamsi_ctx *c, int k)
{
	const char *name, *doc;
	iams_entity e;
	size_t size;
	int rv;

	if (!policy_name(c, &name) ||
	    (doc = iamsi_need(c, "PolicyDocument")) == NULL ||
	    !iamsi_check_document(c, doc, PDP_POLICY_IDENTITY, false, &size))
		return PDP_EINVAL;
	if (!owner(c, k, "Put", "Policy", &e))
		return PDP_EINVAL;
	sizer s = {.skip = name, .total = size};
	rv = iams_store_inline_list(c->st, e.eid, add_size, &s);
	if (rv == PDP_OK && s.total > owners[k].total)
		rv = iamsi_fail(c, "LimitExceeded", "Maximum policy size of "
		    "%zu bytes exceeded for %s %s", owners[k].total,
		    owners[k].word, e.name);
	else if (rv == PDP_OK && (rv = iams_store_inline_put(c->st, e.eid,
	    name, doc)) == PDP_OK)
		c->changed = true;
	else if (rv != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	iams_entity_fini(&e);
	return rv;
}

static int
get_policy(iamsi_ctx *c, int k)
{
	const char *name;
	iams_entity e;
	char *doc = NULL;
	int rv;

	if (!policy_name(c, &name) || !owner(c, k, "Get", "Policy", &e))
		return PDP_EINVAL;
	rv = iams_store_inline_get(c->st, e.eid, name, &doc);
	if (rv == PDP_OK) {
		json_object_set_new(c->resp, owners[k].param,
		    json_string(e.name));
		json_object_set_new(c->resp, "PolicyName", json_string(name));
		json_object_set_new(c->resp, "PolicyDocument",
		    json_loads(doc, 0, NULL));
	} else if (rv == PDP_ENOENT) {
		rv = iamsi_fail(c, "NoSuchEntity", "The %s policy with name "
		    "%s cannot be found.", owners[k].word, name);
	} else {
		rv = iamsi_store_fail(c, rv, NULL);
	}
	free(doc);
	iams_entity_fini(&e);
	return rv;
}

static int
delete_policy(iamsi_ctx *c, int k)
{
	const char *name;
	iams_entity e;
	int rv;

	if (!policy_name(c, &name) || !owner(c, k, "Delete", "Policy", &e))
		return PDP_EINVAL;
	rv = iams_store_inline_delete(c->st, e.eid, name);
	if (rv == PDP_ENOENT)
		rv = iamsi_fail(c, "NoSuchEntity", "The %s policy with name "
		    "%s cannot be found.", owners[k].word, name);
	else if (rv != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	else
		c->changed = true;
	iams_entity_fini(&e);
	return rv;
}

static int
name_one(void *arg, const char *name, const char *doc)
{
	(void) doc;
	return json_array_append_new(arg, json_string(name)) ? PDP_ENOMEM :
	    PDP_OK;
}

static int
list_policies(iamsi_ctx *c, int k)
{
	iams_entity e;
	json_t *arr;
	int rv;

	if (!owner(c, k, "List", "Policies", &e))
		return PDP_EINVAL;
	arr = json_array();
	json_object_set_new(c->resp, "PolicyNames", arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_inline_list(c->st, e.eid, name_one, arr);
	iams_entity_fini(&e);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

// --- permissions boundaries ------------------------------------------------------

static int
set_boundary(iamsi_ctx *c, int k, bool put)
{
	const char *arn = NULL;
	iams_entity e;
	int64_t pid = 0;
	int rv;

	if (put && (arn = iamsi_need(c, "PermissionsBoundary")) == NULL)
		return PDP_EINVAL;
	if (!owner(c, k, put ? "Put" : "Delete", "PermissionsBoundary", &e))
		return PDP_EINVAL;
	if (put && !iamsi_boundary_param(c, arn, &pid)) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	if (!put && e.boundary == 0) {
		iams_entity_fini(&e);
		return iamsi_fail(c, "NoSuchEntity", "The %s with name %s "
		    "has no permissions boundary.", owners[k].word, e.name);
	}
	e.boundary = pid;
	rv = iams_store_entity_update(c->st, &e);
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

#define OWNER_OPS(word, k) \
	static int put_##word(iamsi_ctx *c) { return put_policy(c, k); } \
	static int get_##word(iamsi_ctx *c) { return get_policy(c, k); } \
	static int delete_##word(iamsi_ctx *c) \
	{ return delete_policy(c, k); } \
	static int list_##word(iamsi_ctx *c) { return list_policies(c, k); }
OWNER_OPS(user, 0)
OWNER_OPS(group, 1)
OWNER_OPS(role, 2)

static int
put_user_boundary(iamsi_ctx *c)
{
	return set_boundary(c, 0, true);
}

static int
delete_user_boundary(iamsi_ctx *c)
{
	return set_boundary(c, 0, false);
}

static int
put_role_boundary(iamsi_ctx *c)
{
	return set_boundary(c, 2, true);
}

static int
delete_role_boundary(iamsi_ctx *c)
{
	return set_boundary(c, 2, false);
}

const iamsi_op iamsi_ops_inline[] = {
	{"PutUserPolicy", put_user, true},
	{"GetUserPolicy", get_user, false},
	{"DeleteUserPolicy", delete_user, true},
	{"ListUserPolicies", list_user, false},
	{"PutGroupPolicy", put_group, true},
	{"GetGroupPolicy", get_group, false},
	{"DeleteGroupPolicy", delete_group, true},
	{"ListGroupPolicies", list_group, false},
	{"PutRolePolicy", put_role, true},
	{"GetRolePolicy", get_role, false},
	{"DeleteRolePolicy", delete_role, true},
	{"ListRolePolicies", list_role, false},
	{"PutUserPermissionsBoundary", put_user_boundary, true},
	{"DeleteUserPermissionsBoundary", delete_user_boundary, true},
	{"PutRolePermissionsBoundary", put_role_boundary, true},
	{"DeleteRolePermissionsBoundary", delete_role_boundary, true},
	{NULL, NULL, false},
};
