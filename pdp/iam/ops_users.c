// ops_users.c - IAM users: CreateUser, GetUser, ListUsers, UpdateUser,
// DeleteUser; and what users, groups and roles share: finding an entity
// with its authorization, ARNs, and tags with IAM's rules.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsi.h"

static const char *const kind_word[] = {"root", "user", "group", "role"};

void
iamsi_entity_arn(const iams_entity *e, char *out, size_t len)
{
	if (e->kind == IAMS_ROOT)
		snprintf(out, len, "arn:aws:iam::%s:root", e->account);
	else
		iamsi_arn(out, len, e->account, kind_word[e->kind], e->path,
		    e->name);
}

bool
iamsi_entity_find(iamsi_ctx *c, iams_kind kind, const char *name,
    const char *action, iams_entity *out)
{
	char arn[1024];
	int rv = iams_store_entity_get(c->st, c->account, kind, name, out);

	if (rv != PDP_OK && rv != PDP_ENOENT) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	// Authorize first, on the ARN AWS would use: a caller without the
	// permission learns nothing about what exists.
	if (rv == PDP_OK)
		iamsi_entity_arn(out, arn, sizeof(arn));
	else
		iamsi_arn(arn, sizeof(arn), c->account, kind_word[kind], "/",
		    name);
	if (action != NULL && !iamsi_authorize(c, action, arn, NULL)) {
		if (rv == PDP_OK)
			iams_entity_fini(out);
		return false;
	}
	if (rv == PDP_ENOENT) {
		iamsi_fail(c, "NoSuchEntity", "The %s with name %s cannot be "
		    "found.", kind_word[kind], name);
		return false;
	}
	return true;
}

// --- tags ----------------------------------------------------------------------

static int
tag_json(void *arg, const char *key, const char *value)
{
	json_t *t = json_pack("{s:s, s:s}", "Key", key, "Value", value);

	return t && json_array_append_new(arg, t) == 0 ? PDP_OK : PDP_ENOMEM;
}

json_t *
iamsi_tags_json(iamsi_ctx *c, bool policy, int64_t owner)
{
	json_t *a = json_array();

	if (a != NULL && iams_store_tag_list(c->st, policy, owner, tag_json,
	    a) != PDP_OK) {
		json_decref(a);
		return NULL;
	}
	return a;
}

// tag_text: letters, digits, spaces and _.:/=+-@ (non-ASCII passes: the
// account model does not judge Unicode categories either).
static bool
tag_text(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;
		if (ch < 0x80 && !((ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) &&
		    strchr(" _.:/=+-@", ch) == NULL)
			return false;
	}
	return true;
}

bool
iamsi_tags_check(iamsi_ctx *c, const json_t *tags)
{
	size_t i, j;
	const json_t *t;

	if (tags == NULL)
		return true;
	if (!json_is_array(tags)) {
		iamsi_fail(c, "ValidationError", "Tags must be a list of "
		    "{Key, Value}");
		return false;
	}
	if (json_array_size(tags) > IAMSI_TAGS_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'tags' failed to satisfy constraint: "
		    "Member must have length less than or equal to %d",
		    IAMSI_TAGS_MAX);
		return false;
	}
	json_array_foreach(tags, i, t) {
		const char *k = json_string_value(json_object_get(t, "Key"));
		const char *v = json_string_value(json_object_get(t, "Value"));
		if (k == NULL || v == NULL) {
			iamsi_fail(c, "ValidationError", "each tag needs a "
			    "string Key and Value");
			return false;
		}
		if (k[0] == '\0' || iamsi_chars(k) > IAMSI_TAG_KEY_MAX ||
		    !tag_text(k)) {
			iamsi_fail(c, "ValidationError", "1 validation error "
			    "detected: Value '%s' at 'tags.%zu.member.key' "
			    "failed to satisfy constraint: Member must have "
			    "length between 1 and %d and satisfy regular "
			    "expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
			    k, i + 1, IAMSI_TAG_KEY_MAX);
			return false;
		}
		if (iamsi_chars(v) > IAMSI_TAG_VALUE_MAX || !tag_text(v)) {
			iamsi_fail(c, "ValidationError", "1 validation error "
			    "detected: Value at 'tags.%zu.member.value' failed "
			    "to satisfy constraint: Member must have length "
			    "less than or equal to %d and satisfy regular "
			    "expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
			    i + 1, IAMSI_TAG_VALUE_MAX);
			return false;
		}
		if (strncasecmp(k, "aws:", 4) == 0 ||
		    strncasecmp(v, "aws:", 4) == 0) {
			iamsi_fail(c, "InvalidInput", "User-defined tag keys "
			    "and values can't begin with the reserved prefix "
			    "aws:.");
			return false;
		}
		for (j = 0; j < i; j++) {
			const char *o = json_string_value(json_object_get(
			    json_array_get(tags, j), "Key"));
			if (strcasecmp(o, k) == 0) {
				iamsi_fail(c, "InvalidInput", "Duplicate tag "
				    "keys found. Please note that Tag keys are "
				    "case insensitive.");
				return false;
			}
		}
	}
	return true;
}

typedef struct tagcount {
	const json_t *tags;
	bool policy;
	uint32_t kept; // existing tags the request does not replace
} tagcount;

static int
count_kept(void *arg, const char *key, const char *value)
{
	tagcount *tc = arg;
	size_t i;
	const json_t *t;

	(void) value;
	json_array_foreach(tc->tags, i, t) {
		const char *k = json_string_value(json_object_get(t, "Key"));
		if (tc->policy ? strcmp(k, key) == 0 :
		    strcasecmp(k, key) == 0)
			return PDP_OK;
	}
	tc->kept++;
	return PDP_OK;
}

bool
iamsi_tags_apply(iamsi_ctx *c, bool policy, int64_t owner,
    const json_t *tags)
{
	tagcount tc = {.tags = tags, .policy = policy};
	size_t i;
	const json_t *t;
	int rv;

	if (tags == NULL || json_array_size(tags) == 0)
		return true;
	if ((rv = iams_store_tag_list(c->st, policy, owner, count_kept,
	    &tc)) != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	if (tc.kept + json_array_size(tags) > IAMSI_TAGS_MAX) {
		iamsi_fail(c, "LimitExceeded", "The number of tags has "
		    "reached the maximum limit of %d.", IAMSI_TAGS_MAX);
		return false;
	}
	json_array_foreach(tags, i, t) {
		rv = iams_store_tag_set(c->st, policy, owner,
		    json_string_value(json_object_get(t, "Key")),
		    json_string_value(json_object_get(t, "Value")));
		if (rv != PDP_OK) {
			iamsi_store_fail(c, rv, NULL);
			return false;
		}
	}
	c->changed = true;
	return true;
}

// --- users ---------------------------------------------------------------------

// user_json is AWS's User shape.
static json_t *
user_json(iamsi_ctx *c, const iams_entity *e, bool tags)
{
	char arn[1024];
	json_t *o;

	iamsi_entity_arn(e, arn, sizeof(arn));
	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", e->path,
	    "UserName", e->kind == IAMS_ROOT ? c->account : e->name,
	    "UserId", e->uid, "Arn", arn, "CreateDate",
	    iamsi_date(e->created));
	if (o == NULL)
		return NULL;
	iamsi_boundary_json(c, o, e);
	if (tags) {
		json_t *t = iamsi_tags_json(c, false, e->eid);
		if (json_array_size(t) > 0)
			json_object_set_new(o, "Tags", t);
		else
			json_decref(t);
	}
	return o;
}

void
iamsi_boundary_json(iamsi_ctx *c, json_t *o, const iams_entity *e)
{
	iams_policy p;

	if (e->boundary && iams_store_policy_by_pid(c->st, e->boundary, &p) ==
	    PDP_OK) {
		json_object_set_new(o, "PermissionsBoundary",
		    json_pack("{s:s, s:s}", "PermissionsBoundaryType",
		    "Policy", "PermissionsBoundaryArn", p.arn));
		iams_policy_fini(&p);
	}
}

bool
iamsi_boundary_param(iamsi_ctx *c, const char *arn, int64_t *pid)
{
	iams_policy p;

	*pid = 0;
	if (arn == NULL)
		return true;
	if (!iamsi_policy_find(c, arn, NULL, &p))
		return false;
	*pid = p.pid;
	iams_policy_fini(&p);
	return true;
}

static int
create_user(iamsi_ctx *c)
{
	bool bad = false;
	const char *name = iamsi_need(c, "UserName");
	const char *path = iamsi_str(c, "Path", &bad);
	const char *pb = iamsi_str(c, "PermissionsBoundary", &bad);
	const json_t *tags = json_object_get(c->params, "Tags");
	char arn[1024], uid[32];
	iams_entity e, old;
	uint32_t n;
	int64_t eid;
	int rv;

	if (name == NULL || bad)
		return PDP_EINVAL;
	path = path ? path : "/";
	if (!iamsi_check_name(c, "UserName", name, IAMSI_USER_NAME_MAX) ||
	    !iamsi_check_path(c, "Path", path) || !iamsi_tags_check(c, tags))
		return PDP_EINVAL;
	iamsi_arn(arn, sizeof(arn), c->account, "user", path, name);
	if (!iamsi_authorize(c, "iam:CreateUser", arn, tags))
		return PDP_EINVAL;
	if (json_array_size(tags) > 0 &&
	    !iamsi_authorize(c, "iam:TagUser", arn, tags))
		return PDP_EINVAL;
	memset(&e, 0, sizeof(e));
	if (!iamsi_boundary_param(c, pb, &e.boundary))
		return PDP_EINVAL;
	rv = iams_store_entity_get(c->st, c->account, IAMS_USER, name, &old);
	if (rv == PDP_OK) {
		iams_entity_fini(&old);
		return iamsi_fail(c, "EntityAlreadyExists", "User with name "
		    "%s already exists.", name);
	}
	if (rv != PDP_ENOENT ||
	    (rv = iams_store_entity_count(c->st, c->account, IAMS_USER, &n)))
		return iamsi_store_fail(c, rv, NULL);
	if (n >= c->s->users_max)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota "
		    "for UsersPerAccount: %u", c->s->users_max);
	iamsi_random_id("AIDA", 16, uid);
	e.kind = IAMS_USER;
	e.account = c->account;
	e.name = (char *) name;
	e.path = (char *) path;
	e.uid = uid;
	e.created = c->now;
	if ((rv = iams_store_entity_insert(c->st, &e, &eid)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	e.eid = eid;
	if (!iamsi_tags_apply(c, false, eid, tags))
		return PDP_EINVAL;
	c->changed = true;
	json_object_set_new(c->resp, "User", user_json(c, &e, true));
	return PDP_OK;
}

// self_or_named resolves an optional UserName: absent means the caller
// (AWS's rule for GetUser, access keys and login profiles).
static bool
self_or_named(iamsi_ctx *c, const char *action, iams_entity *e)
{
	bool bad = false;
	const char *name = iamsi_str(c, "UserName", &bad);

	if (bad)
		return false;
	if (name != NULL)
		return iamsi_check_name(c, "UserName", name,
		    IAMSI_USER_NAME_MAX) && iamsi_entity_find(c, IAMS_USER,
		    name, action, e);
	if (!c->root && !c->is_user) {
		iamsi_fail(c, "ValidationError", "Must specify userName "
		    "when calling with non-User credentials");
		return false;
	}
	if (!iamsi_authorize(c, action, c->caller, NULL))
		return false;
	int rv = c->root ? iams_store_entity_get(c->st, c->account, IAMS_ROOT,
	    "root", e) : iams_store_entity_get(c->st, c->account, IAMS_USER,
	    c->user, e);
	if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, "The user cannot be found.");
		return false;
	}
	return true;
}

bool
iamsi_self_or_named(iamsi_ctx *c, const char *action, iams_entity *e)
{
	return self_or_named(c, action, e);
}

json_t *
iamsi_user_json(iamsi_ctx *c, const iams_entity *e, bool tags)
{
	return user_json(c, e, tags);
}

static int
get_user(iamsi_ctx *c)
{
	iams_entity e;

	if (!self_or_named(c, "iam:GetUser", &e))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "User", user_json(c, &e, true));
	iams_entity_fini(&e);
	return PDP_OK;
}

typedef struct lister {
	iamsi_ctx *c;
	json_t *arr;
	uint32_t max, n;
	char last[130];
	bool truncated;
	json_t *(*fn)(iamsi_ctx *, const iams_entity *, bool);
} lister;

static int
list_one(void *arg, const iams_entity *e)
{
	lister *l = arg;

	if (l->n == l->max) {
		l->truncated = true;
		return PDP_OK;
	}
	l->n++;
	snprintf(l->last, sizeof(l->last), "%s", e->name);
	return json_array_append_new(l->arr, l->fn(l->c, e, false)) ?
	    PDP_ENOMEM : PDP_OK;
}

int
iamsi_list_entities(iamsi_ctx *c, iams_kind kind, const char *action,
    const char *field, json_t *(*fn)(iamsi_ctx *, const iams_entity *,
    bool))
{
	bool bad = false;
	const char *prefix = iamsi_str(c, "PathPrefix", &bad);
	const char *marker;
	char arn[128];
	lister l = {.c = c, .fn = fn};
	int rv;

	if (bad || !iamsi_paging(c, &marker, &l.max))
		return PDP_EINVAL;
	if (prefix != NULL && (strlen(prefix) < 1 ||
	    strlen(prefix) > IAMSI_PATH_MAX || prefix[0] != '/'))
		return iamsi_fail(c, "ValidationError", "The specified value "
		    "for pathPrefix is invalid.");
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:%s/*", c->account,
	    kind_word[kind]);
	if (!iamsi_authorize(c, action, arn, NULL))
		return PDP_EINVAL;
	if ((l.arr = json_array()) == NULL)
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	json_object_set_new(c->resp, field, l.arr);
	rv = iams_store_entity_list(c->st, c->account, kind, prefix, marker,
	    l.max + 1, list_one, &l);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	json_object_set_new(c->resp, "IsTruncated",
	    json_boolean(l.truncated));
	if (l.truncated)
		json_object_set_new(c->resp, "Marker", json_string(l.last));
	return PDP_OK;
}

static int
list_users(iamsi_ctx *c)
{
	return iamsi_list_entities(c, IAMS_USER, "iam:ListUsers", "Users",
	    user_json);
}

static int
update_user(iamsi_ctx *c)
{
	bool bad = false;
	const char *name = iamsi_need(c, "UserName");
	const char *nname = iamsi_str(c, "NewUserName", &bad);
	const char *npath = iamsi_str(c, "NewPath", &bad);
	iams_entity e, other;
	int rv;

	if (name == NULL || bad)
		return PDP_EINVAL;
	if (!iamsi_check_name(c, "UserName", name, IAMSI_USER_NAME_MAX) ||
	    (nname && !iamsi_check_name(c, "NewUserName", nname,
	    IAMSI_USER_NAME_MAX)) ||
	    (npath && !iamsi_check_path(c, "NewPath", npath)))
		return PDP_EINVAL;
	if (!iamsi_entity_find(c, IAMS_USER, name, "iam:UpdateUser", &e))
		return PDP_EINVAL;
	if (nname != NULL) {
		rv = iams_store_entity_get(c->st, c->account, IAMS_USER, nname,
		    &other);
		if (rv == PDP_OK) {
			bool same = other.eid == e.eid;
			iams_entity_fini(&other);
			if (!same) {
				iams_entity_fini(&e);
				return iamsi_fail(c, "EntityAlreadyExists",
				    "User with name %s already exists.",
				    nname);
			}
		}
	}
	char *oname = e.name, *opath = e.path;
	e.name = nname ? (char *) nname : oname;
	e.path = npath ? (char *) npath : opath;
	rv = iams_store_entity_update(c->st, &e);
	e.name = oname;
	e.path = opath;
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
count_any(void *arg)
{
	(*(uint32_t *) arg)++;
	return PDP_OK;
}

// Callbacks of each shape that only count.
static int
count_e(void *arg, const iams_entity *e)
{
	(void) e;
	return count_any(arg);
}

static int
count_p(void *arg, const iams_policy *p)
{
	(void) p;
	return count_any(arg);
}

static int
count_s(void *arg, const char *a, const char *b)
{
	(void) a;
	(void) b;
	return count_any(arg);
}

static int
count_k(void *arg, const iams_key *k)
{
	(void) k;
	return count_any(arg);
}

int
iamsi_count_entity(iamsi_ctx *c, const iams_entity *e, iamsi_counts *n)
{
	iams_login l;
	int rv;

	memset(n, 0, sizeof(*n));
	if ((rv = iams_store_attached(c->st, e->eid, count_p,
	    &n->attached)) || (rv = iams_store_inline_list(c->st, e->eid,
	    count_s, &n->inl)))
		return rv;
	if (e->kind == IAMS_USER || e->kind == IAMS_ROOT) {
		if ((rv = iams_store_member_groups(c->st, e->eid, count_e,
		    &n->groups)) || (rv = iams_store_key_list(c->st, e->eid,
		    count_k, &n->keys)))
			return rv;
		rv = iams_store_login_get(c->st, e->eid, &l);
		if (rv == PDP_OK) {
			n->login = true;
			iams_login_fini(&l);
		} else if (rv != PDP_ENOENT) {
			return rv;
		}
	}
	if (e->kind == IAMS_GROUP)
		return iams_store_member_users(c->st, e->eid, count_e,
		    &n->members);
	return PDP_OK;
}

static int
delete_user(iamsi_ctx *c)
{
	const char *name = iamsi_need(c, "UserName");
	iamsi_counts n;
	iams_entity e;
	int rv;

	if (name == NULL || !iamsi_check_name(c, "UserName", name,
	    IAMSI_USER_NAME_MAX))
		return PDP_EINVAL;
	if (!iamsi_entity_find(c, IAMS_USER, name, "iam:DeleteUser", &e))
		return PDP_EINVAL;
	rv = iamsi_count_entity(c, &e, &n);
	int64_t eid = e.eid;
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (n.login)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must delete login profile first.");
	if (n.keys)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must delete access keys first.");
	// Enabled MFA devices (deactivated ones no longer belong to it).
	uint32_t mfa = 0;
	if ((rv = iams_store_mfa_count(c->st, c->account, eid, false,
	    &mfa)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (mfa)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must delete MFA device first.");
	if (n.inl)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must delete policies first.");
	if (n.attached)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must detach all policies first.");
	if (n.groups)
		return iamsi_fail(c, "DeleteConflict", "Cannot delete entity, "
		    "must remove users from group first.");
	if ((rv = iams_store_entity_delete(c->st, eid)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

const iamsi_op iamsi_ops_users[] = {
	{"CreateUser", create_user, true},
	{"GetUser", get_user, false},
	{"ListUsers", list_users, false},
	{"UpdateUser", update_user, true},
	{"DeleteUser", delete_user, true},
	{NULL, NULL, false},
};
