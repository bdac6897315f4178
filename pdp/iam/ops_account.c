// ops_account.c - account-level operations. CloseAccount is a root-only
// task (iam-semantics 14): no policy, not even Allow *:*, lets another
// caller do it.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "mfa.h"

static int
close_account(iamsi_ctx *c)
{
	char arn[64];
	int rv;

	if (!iamsi_root_only(c, "account:CloseAccount"))
		return PDP_EINVAL;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", c->account);
	if (!iamsi_authorize(c, "account:CloseAccount", arn, NULL))
		return PDP_EINVAL;
	if ((rv = iams_store_account_delete(c->st, c->account)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
get_account_summary(iamsi_ctx *c)
{
	static const struct {
		const char *name;
		iams_kind kind;
	} kinds[] = {
		{"Users", IAMS_USER}, {"Groups", IAMS_GROUP},
		{"Roles", IAMS_ROLE},
	};
	char arn[64];
	json_t *m;
	uint32_t n;
	int rv;

	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:*", c->account);
	if (!iamsi_authorize(c, "iam:GetAccountSummary", arn, NULL))
		return PDP_EINVAL;
	m = json_object();
	json_object_set_new(c->resp, "SummaryMap", m);
	for (size_t i = 0; i < 3; i++) {
		if ((rv = iams_store_entity_count(c->st, c->account,
		    kinds[i].kind, &n)) != PDP_OK)
			return iamsi_store_fail(c, rv, NULL);
		json_object_set_new(m, kinds[i].name, json_integer(n));
	}
	if ((rv = iams_store_policy_count(c->st, c->account, &n)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	json_object_set_new(m, "Policies", json_integer(n));
	if ((rv = iamsi_mfa_summary(c, m)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	json_object_set_new(m, "UsersQuota",
	    json_integer(c->s->users_max));
	json_object_set_new(m, "GroupsQuota",
	    json_integer(IAMSI_GROUPS_PER_ACCOUNT));
	json_object_set_new(m, "RolesQuota",
	    json_integer(IAMSI_ROLES_PER_ACCOUNT));
	json_object_set_new(m, "PoliciesQuota",
	    json_integer(IAMSI_POLICIES_PER_ACCOUNT));
	json_object_set_new(m, "PolicyVersionsInUseQuota", json_integer(
	    IAMSI_VERSIONS_MAX));
	return PDP_OK;
}

const iamsi_op iamsi_ops_account[] = {
	{"CloseAccount", close_account, true},
	{"GetAccountSummary", get_account_summary, false},
	{NULL, NULL, false},
};
