// ops_groups.c - IAM groups and membership: CreateGroup, GetGroup,
// ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup,
// ListGroupsForUser. Groups hold users only: they never nest.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "iamsi.h"

static json_t *
group_json(iamsi_ctx *c, const iams_entity *e, bool unused)
{
	char arn[1024];

	(void) c;
	(void) unused;
	iamsi_entity_arn(e, arn, sizeof(arn));
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", e->path,
	    "GroupName", e->name, "GroupId", e->uid, "Arn", arn,
	    "CreateDate", iamsi_date(e->created));
}

static json_t *
member_json(iamsi_ctx *c, const iams_entity *e)
{
	char arn[1024];

	(void) c;
	iamsi_entity_arn(e, arn, sizeof(arn));
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", e->path,
	    "UserName", e->name, "UserId", e->uid, "Arn", arn,
	    "CreateDate", iamsi_date(e->created));
}

static bool
group_name(iamsi_ctx *c, const char **name)
{
	*name = iamsi_need(c, "GroupName");
	return *name != NULL && iamsi_check_name(c, "GroupName", *name,
	    IAMSI_GROUP_NAME_MAX);
}

static int
create_group(iamsi_ctx *c)
{
	bool bad = false;
	const char *name, *path = iamsi_str(c, "Path", &bad);
	char arn[1024], uid[32];
	iams_entity e, old;
	uint32_t n;
	int64_t eid;
	int rv;

	if (bad || !group_name(c, &name))
		return PDP_EINVAL;
	path = path ? path : "/";
	if (!iamsi_check_path(c, "Path", path))
		return PDP_EINVAL;
	iamsi_arn(arn, sizeof(arn), c->account, "group", path, name);
	if (!iamsi_authorize(c, "iam:CreateGroup", arn, NULL))
		return PDP_EINVAL;
	rv = iams_store_entity_get(c->st, c->account, IAMS_GROUP, name, &old);
	if (rv == PDP_OK) {
		iams_entity_fini(&old);
		return iamsi_fail(c, "EntityAlreadyExists", "Group with name "
		    "%s already exists.", name);
	}
	if (rv != PDP_ENOENT || (rv = iams_store_entity_count(c->st,
	    c->account, IAMS_GROUP, &n)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n >= IAMSI_GROUPS_PER_ACCOUNT)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota "
		    "for GroupsPerAccount: %d", IAMSI_GROUPS_PER_ACCOUNT);
	memset(&e, 0, sizeof(e));
	iamsi_random_id("AGPA", 16, uid);
	e.kind = IAMS_GROUP;
	e.account = c->account;
	e.name = (char *) name;
	e.path = (char *) path;
	e.uid = uid;
	e.created = c->now;
	if ((rv = iams_store_entity_insert(c->st, &e, &eid)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	json_object_set_new(c->resp, "Group", group_json(c, &e, false));
	return PDP_OK;
}

typedef struct members {
	iamsi_ctx *c;
	json_t *arr;
} members;

static int
add_member(void *arg, const iams_entity *e)
{
	members *m = arg;

	return json_array_append_new(m->arr, member_json(m->c, e)) ?
	    PDP_ENOMEM : PDP_OK;
}

static int
get_group(iamsi_ctx *c)
{
	const char *name;
	iams_entity g;
	members m = {.c = c};
	int rv;

	if (!group_name(c, &name) ||
	    !iamsi_entity_find(c, IAMS_GROUP, name, "iam:GetGroup", &g))
		return PDP_EINVAL;
	m.arr = json_array();
	json_object_set_new(c->resp, "Group", group_json(c, &g, false));
	json_object_set_new(c->resp, "Users", m.arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_member_users(c->st, g.eid, add_member, &m);
	iams_entity_fini(&g);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

static int
list_groups(iamsi_ctx *c)
{
	return iamsi_list_entities(c, IAMS_GROUP, "iam:ListGroups", "Groups",
	    group_json);
}

static int
delete_group(iamsi_ctx *c)
{
	const char *name;
	iamsi_counts n;
	iams_entity g;
	int rv;

	if (!group_name(c, &name) ||
	    !iamsi_entity_find(c, IAMS_GROUP, name, "iam:DeleteGroup", &g))
		return PDP_EINVAL;
	rv = iamsi_count_entity(c, &g, &n);
	int64_t eid = g.eid;
	iams_entity_fini(&g);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n.members)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must remove users from group first.");
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

static int
count_group(void *arg, const iams_entity *e)
{
	(void) e;
	(*(uint32_t *) arg)++;
	return PDP_OK;
}

// membership finds the group (authorizing `action` on it) and the user.
static bool
membership(iamsi_ctx *c, const char *action, iams_entity *g,
    iams_entity *u)
{
	const char *gname, *uname;

	if (!group_name(c, &gname) || (uname = iamsi_need(c, "UserName")) ==
	    NULL || !iamsi_check_name(c, "UserName", uname,
	    IAMSI_USER_NAME_MAX))
		return false;
	if (!iamsi_entity_find(c, IAMS_GROUP, gname, action, g))
		return false;
	if (!iamsi_entity_find(c, IAMS_USER, uname, NULL, u)) {
		iams_entity_fini(g);
		return false;
	}
	return true;
}

static int
add_user_to_group(iamsi_ctx *c)
{
	iams_entity g, u;
	uint32_t n = 0;
	int rv;

	if (!membership(c, "iam:AddUserToGroup", &g, &u))
		return PDP_EINVAL;
	rv = iams_store_member_groups(c->st, u.eid, count_group, &n);
	if (rv == PDP_OK && n >= IAMSI_GROUPS_PER_USER) {
		rv = iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "GroupsPerUser: %d", IAMSI_GROUPS_PER_USER);
	} else if (rv == PDP_OK) {
		rv = iams_store_member_add(c->st, g.eid, u.eid);
		// Adding a member twice is not an error in IAM.
		if (rv == PDP_EINVAL)
			rv = PDP_OK;
		else if (rv == PDP_OK)
			c->changed = true;
		if (rv != PDP_OK)
			rv = iamsi_store_fail(c, rv, NULL);
	} else {
		rv = iamsi_store_fail(c, rv, NULL);
	}
	iams_entity_fini(&g);
	iams_entity_fini(&u);
	return rv;
}

static int
remove_user_from_group(iamsi_ctx *c)
{
	iams_entity g, u;
	int rv;

	if (!membership(c, "iam:RemoveUserFromGroup", &g, &u))
		return PDP_EINVAL;
	rv = iams_store_member_remove(c->st, g.eid, u.eid);
	if (rv == PDP_ENOENT)
		rv = iamsi_fail(c, "NoSuchEntity", "User %s is not in group "
		    "%s.", u.name, g.name);
	else if (rv != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	else
		c->changed = true;
	iams_entity_fini(&g);
	iams_entity_fini(&u);
	return rv;
}

static int
add_group(void *arg, const iams_entity *e)
{
	members *m = arg;

	return json_array_append_new(m->arr, group_json(m->c, e, false)) ?
	    PDP_ENOMEM : PDP_OK;
}

static int
list_groups_for_user(iamsi_ctx *c)
{
	const char *name = iamsi_need(c, "UserName");
	members m = {.c = c};
	iams_entity u;
	int rv;

	if (name == NULL || !iamsi_check_name(c, "UserName", name,
	    IAMSI_USER_NAME_MAX) || !iamsi_entity_find(c, IAMS_USER, name,
	    "iam:ListGroupsForUser", &u))
		return PDP_EINVAL;
	m.arr = json_array();
	json_object_set_new(c->resp, "Groups", m.arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_member_groups(c->st, u.eid, add_group, &m);
	iams_entity_fini(&u);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

const iamsi_op iamsi_ops_groups[] = {
	{"CreateGroup", create_group, true},
	{"GetGroup", get_group, false},
	{"ListGroups", list_groups, false},
	{"DeleteGroup", delete_group, true},
	{"AddUserToGroup", add_user_to_group, true},
	{"RemoveUserFromGroup", remove_user_from_group, true},
	{"ListGroupsForUser", list_groups_for_user, false},
	{NULL, NULL, false},
};
