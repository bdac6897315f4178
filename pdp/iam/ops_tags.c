// ops_tags.c - tags of users, roles and customer managed policies:
// Tag/Untag/List{User,Role,Policy}Tags, with IAM's limits (50 tags, key
// 1-128 and value 0-256 characters, no "aws:" prefix) and case rules
// (user and role keys ignore case; policy keys do not).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "iamsi.h"

// target finds the owner: k 0 user, 1 role, 2 policy. *pid / *eid get
// its key.
static bool
target(iamsi_ctx *c, int k, const char *action, int64_t *owner)
{
	static const char *const param[] = {"UserName", "RoleName"};
	static const iams_kind kinds[] = {IAMS_USER, IAMS_ROLE};

	if (k == 2) {
		const char *arn = iamsi_need(c, "PolicyArn");
		iams_policy p;
		if (arn == NULL || !iamsi_policy_find(c, arn, action, &p))
			return false;
		// AWS managed policies can be listed, not tagged.
		bool ok = (action != NULL && strncmp(action, "iam:List", 8) ==
		    0) || iamsi_policy_writable(c, &p, action ? action :
		    "iam:TagPolicy");
		*owner = p.pid;
		iams_policy_fini(&p);
		return ok;
	}
	const char *name = iamsi_need(c, param[k]);
	iams_entity e;
	if (name == NULL || !iamsi_check_name(c, param[k], name,
	    IAMSI_USER_NAME_MAX) ||
	    !iamsi_entity_find(c, kinds[k], name, action, &e))
		return false;
	*owner = e.eid;
	iams_entity_fini(&e);
	return true;
}

static const char *const words[] = {"User", "Role", "Policy"};

static int
tag(iamsi_ctx *c, int k)
{
	const json_t *tags = json_object_get(c->params, "Tags");
	char action[32];
	int64_t owner;

	if (tags == NULL)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value null at 'tags' failed to satisfy "
		    "constraint: Member must not be null");
	if (!iamsi_tags_check(c, tags))
		return PDP_EINVAL;
	snprintf(action, sizeof(action), "iam:Tag%s", words[k]);
	// The request's tags go to the decision: tag-based policies can
	// govern who sets which tag.
	if (!target(c, k, NULL, &owner))
		return PDP_EINVAL;
	c->authorized = false;
	char arn[1024];
	if (k == 2) {
		snprintf(arn, sizeof(arn), "%s",
		    json_string_value(json_object_get(c->params,
		    "PolicyArn")));
	} else {
		iams_entity e;
		if (iams_store_entity_by_eid(c->st, owner, &e) != PDP_OK)
			return iamsi_store_fail(c, PDP_EIO, NULL);
		iamsi_entity_arn(&e, arn, sizeof(arn));
		iams_entity_fini(&e);
	}
	if (!iamsi_authorize(c, action, arn, tags))
		return PDP_EINVAL;
	return iamsi_tags_apply(c, k == 2, owner, tags) ? PDP_OK : PDP_EINVAL;
}

static int
untag(iamsi_ctx *c, int k)
{
	const json_t *keys = json_object_get(c->params, "TagKeys");
	char action[32];
	int64_t owner;
	size_t i;
	const json_t *key;

	if (!json_is_array(keys))
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value null at 'tagKeys' failed to satisfy "
		    "constraint: Member must not be null");
	if (json_array_size(keys) > IAMSI_TAGS_MAX)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'tagKeys' failed to satisfy "
		    "constraint: Member must have length less than or equal "
		    "to %d", IAMSI_TAGS_MAX);
	json_array_foreach(keys, i, key) {
		if (!json_is_string(key) || json_string_length(key) < 1 ||
		    iamsi_chars(json_string_value(key)) > IAMSI_TAG_KEY_MAX)
			return iamsi_fail(c, "ValidationError", "each tag key "
			    "is a string of 1 to %d characters",
			    IAMSI_TAG_KEY_MAX);
	}
	snprintf(action, sizeof(action), "iam:Untag%s", words[k]);
	if (!target(c, k, action, &owner))
		return PDP_EINVAL;
	// Removing a key that is not there is not an error in IAM.
	json_array_foreach(keys, i, key) {
		int rv = iams_store_tag_delete(c->st, k == 2, owner,
		    json_string_value(key));
		if (rv == PDP_OK)
			c->changed = true;
		else if (rv != PDP_ENOENT)
			return iamsi_store_fail(c, rv, NULL);
	}
	return PDP_OK;
}

static int
list_tags(iamsi_ctx *c, int k)
{
	char action[32];
	int64_t owner;

	snprintf(action, sizeof(action), "iam:List%sTags", words[k]);
	if (!target(c, k, action, &owner))
		return PDP_EINVAL;
	json_t *t = iamsi_tags_json(c, k == 2, owner);
	if (t == NULL)
		return iamsi_store_fail(c, PDP_EIO, NULL);
	json_object_set_new(c->resp, "Tags", t);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	return PDP_OK;
}

#define TAG_OPS(word, k) \
	static int tag_##word(iamsi_ctx *c) { return tag(c, k); } \
	static int untag_##word(iamsi_ctx *c) { return untag(c, k); } \
	static int list_##word(iamsi_ctx *c) { return list_tags(c, k); }
TAG_OPS(user, 0)
TAG_OPS(role, 1)
TAG_OPS(policy, 2)

const iamsi_op iamsi_ops_tags[] = {
	{"TagUser", tag_user, true},
	{"UntagUser", untag_user, true},
	{"ListUserTags", list_user, false},
	{"TagRole", tag_role, true},
	{"UntagRole", untag_role, true},
	{"ListRoleTags", list_role, false},
	{"TagPolicy", tag_policy, true},
	{"UntagPolicy", untag_policy, true},
	{"ListPolicyTags", list_policy, false},
	{NULL, NULL, false},
};
