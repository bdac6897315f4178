// service_test.c - the IAM service's operations through iams_call:
// success paths, every error code, limits at and just past their bound,
// self-authorization, root-only tasks and live decisions.

#include "helpers.h"
#include "check_main.h"

// nm returns PREFIX followed by i, in one of a few rotating buffers.
static const char *
nm(const char *prefix, int i)
{
	static char buf[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s%d", prefix, i);
	return buf[k];
}

static char path[64];
static iams_service *s;

static void
setup(void)
{
	s = open_service(path, 0);
}

static void
teardown(void)
{
	close_service(s, path);
}

#define ALICE "arn:aws:iam::111122223333:user/alice"

START_TEST(test_users_create_get_list_update_delete)
{
	char code[48];
	json_t *r = call_as(s, ROOT, "CreateUser", "{\"UserName\":\"alice\","
	    "\"Path\":\"/eng/\",\"Tags\":[{\"Key\":\"team\",\"Value\":"
	    "\"x\"}]}", code);
	ck_assert_ptr_nonnull(r);
	json_t *u = json_object_get(r, "User");
	ck_assert_str_eq(json_string_value(json_object_get(u, "Arn")),
	    "arn:aws:iam::111122223333:user/eng/alice");
	ck_assert(strncmp(json_string_value(json_object_get(u, "UserId")),
	    "AIDA", 4) == 0);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(u,
	    "UserId"))), 20);
	ck_assert_ptr_nonnull(json_object_get(u, "CreateDate"));
	ck_assert_int_eq(json_array_size(json_object_get(u, "Tags")), 1);
	json_decref(r);

	FAILS(s, ROOT, "CreateUser", "{\"UserName\":\"ALICE\"}",
	    "EntityAlreadyExists");
	FAILS(s, ROOT, "GetUser", "{\"UserName\":\"bob\"}", "NoSuchEntity");
	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	OK(s, "CreateUser", "{\"UserName\":\"carol\"}");

	r = call_as(s, ROOT, "ListUsers", "{\"MaxItems\":2}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Users")), 2);
	ck_assert(json_is_true(json_object_get(r, "IsTruncated")));
	char marker[64];
	snprintf(marker, sizeof(marker), "{\"Marker\":\"%s\"}",
	    json_string_value(json_object_get(r, "Marker")));
	json_decref(r);
	r = call_as(s, ROOT, "ListUsers", marker, code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Users")), 1);
	ck_assert(json_is_false(json_object_get(r, "IsTruncated")));
	json_decref(r);
	r = call_as(s, ROOT, "ListUsers", "{\"PathPrefix\":\"/eng/\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Users")), 1);
	json_decref(r);

	OK(s, "UpdateUser", "{\"UserName\":\"bob\",\"NewUserName\":\"robert\","
	    "\"NewPath\":\"/ops/\"}");
	r = call_as(s, ROOT, "GetUser", "{\"UserName\":\"robert\"}", code);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "User"), "Path")), "/ops/");
	json_decref(r);
	FAILS(s, ROOT, "UpdateUser", "{\"UserName\":\"robert\","
	    "\"NewUserName\":\"Carol\"}", "EntityAlreadyExists");
	OK(s, "DeleteUser", "{\"UserName\":\"robert\"}");
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"robert\"}",
	    "NoSuchEntity");
}
END_TEST

START_TEST(test_validation_errors)
{
	char name[160];
	memset(name, 'a', 64);
	name[64] = '\0';
	OKJ(s, ROOT, "CreateUser", json_pack("{s:s}", "UserName", name));
	name[64] = 'a';
	name[65] = '\0';
	FAILSJ(s, ROOT, "CreateUser", json_pack("{s:s}", "UserName", name),
	    "ValidationError");
	FAILS(s, ROOT, "CreateUser", "{\"UserName\":\"a b\"}",
	    "ValidationError");
	FAILS(s, ROOT, "CreateUser", "{}", "ValidationError");
	FAILS(s, ROOT, "CreateUser", "{\"UserName\":\"x\",\"Path\":\"eng\"}",
	    "ValidationError");
	FAILS(s, ROOT, "CreateUser", "{\"UserName\":7}", "ValidationError");
	FAILS(s, ROOT, "ListUsers", "{\"MaxItems\":0}", "ValidationError");
	FAILS(s, ROOT, "ListUsers", "{\"MaxItems\":1001}", "ValidationError");
	FAILS(s, ROOT, "NoSuchOperation", "{}", "InvalidAction");
	memset(name, 'g', 128);
	name[128] = '\0';
	OKJ(s, ROOT, "CreateGroup", json_pack("{s:s}", "GroupName", name));
	name[128] = 'g';
	name[129] = '\0';
	FAILSJ(s, ROOT, "CreateGroup", json_pack("{s:s}", "GroupName", name),
	    "ValidationError");
}
END_TEST

START_TEST(test_users_per_account_limit)
{
	char p2[64];
	iams_service *t = open_service(p2, 3);
	OK(t, "CreateUser", "{\"UserName\":\"u1\"}");
	OK(t, "CreateUser", "{\"UserName\":\"u2\"}");
	OK(t, "CreateUser", "{\"UserName\":\"u3\"}");
	FAILS(t, ROOT, "CreateUser", "{\"UserName\":\"u4\"}",
	    "LimitExceeded");
	close_service(t, p2);
}
END_TEST

START_TEST(test_groups_and_membership)
{
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateGroup", "{\"GroupName\":\"devs\"}");
	FAILS(s, ROOT, "CreateGroup", "{\"GroupName\":\"DEVS\"}",
	    "EntityAlreadyExists");
	OK(s, "AddUserToGroup", "{\"GroupName\":\"devs\","
	    "\"UserName\":\"alice\"}");
	json_t *r = call_as(s, ROOT, "GetGroup", "{\"GroupName\":\"devs\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Users")), 1);
	json_decref(r);
	r = call_as(s, ROOT, "ListGroupsForUser", "{\"UserName\":\"alice\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Groups")), 1);
	json_decref(r);
	FAILS(s, ROOT, "DeleteGroup", "{\"GroupName\":\"devs\"}",
	    "DeleteConflict");
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"alice\"}",
	    "DeleteConflict");
	FAILS(s, ROOT, "AddUserToGroup", "{\"GroupName\":\"nope\","
	    "\"UserName\":\"alice\"}", "NoSuchEntity");
	// Ten groups per user, not eleven.
	for (int i = 1; i < 10; i++) {
		OKJ(s, ROOT, "CreateGroup", json_pack("{s:s}", "GroupName",
		    nm("g", i)));
		OKJ(s, ROOT, "AddUserToGroup", json_pack("{s:s, s:s}",
		    "GroupName", nm("g", i), "UserName", "alice"));
	}
	OK(s, "CreateGroup", "{\"GroupName\":\"g10\"}");
	FAILS(s, ROOT, "AddUserToGroup", "{\"GroupName\":\"g10\","
	    "\"UserName\":\"alice\"}", "LimitExceeded");
	OK(s, "RemoveUserFromGroup", "{\"GroupName\":\"devs\","
	    "\"UserName\":\"alice\"}");
	FAILS(s, ROOT, "RemoveUserFromGroup", "{\"GroupName\":\"devs\","
	    "\"UserName\":\"alice\"}", "NoSuchEntity");
	OK(s, "DeleteGroup", "{\"GroupName\":\"devs\"}");
	r = call_as(s, ROOT, "ListGroups", NULL, code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Groups")), 10);
	json_decref(r);
}
END_TEST

START_TEST(test_roles)
{
	char code[48];
	OKJ(s, ROOT, "CreateRole", json_pack("{s:s, s:s}", "RoleName", "app",
	    "AssumeRolePolicyDocument", TRUST));
	json_t *r = call_as(s, ROOT, "GetRole", "{\"RoleName\":\"APP\"}",
	    code);
	json_t *role = json_object_get(r, "Role");
	ck_assert_int_eq(json_integer_value(json_object_get(role,
	    "MaxSessionDuration")), 3600);
	ck_assert(strncmp(json_string_value(json_object_get(role, "RoleId")),
	    "AROA", 4) == 0);
	json_decref(r);
	// A trust policy without a Principal is malformed.
	FAILSJ(s, ROOT, "CreateRole", json_pack("{s:s, s:s}", "RoleName",
	    "bad", "AssumeRolePolicyDocument", S3_READ),
	    "MalformedPolicyDocument");
	OK(s, "UpdateRole", "{\"RoleName\":\"app\","
	    "\"MaxSessionDuration\":43200}");
	FAILS(s, ROOT, "UpdateRole", "{\"RoleName\":\"app\","
	    "\"MaxSessionDuration\":43201}", "ValidationError");
	FAILS(s, ROOT, "UpdateRole", "{\"RoleName\":\"app\","
	    "\"MaxSessionDuration\":3599}", "ValidationError");
	OKJ(s, ROOT, "UpdateAssumeRolePolicy", json_pack("{s:s, s:s}",
	    "RoleName", "app", "PolicyDocument", TRUST));
	r = call_as(s, ROOT, "ListRoles", NULL, code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Roles")), 1);
	json_decref(r);
	ck_assert_int_eq(decide(s, ROOT, "sts:AssumeRole",
	    "arn:aws:iam::111122223333:role/app"), PDP_IMPLICIT_DENY);
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "p", "PolicyDocument", S3_READ));
	FAILS(s, ROOT, "DeleteRole", "{\"RoleName\":\"app\"}",
	    "DeleteConflict");
	OK(s, "DeleteRolePolicy", "{\"RoleName\":\"app\",\"PolicyName\":"
	    "\"p\"}");
	OK(s, "DeleteRole", "{\"RoleName\":\"app\"}");
	FAILS(s, ROOT, "GetRole", "{\"RoleName\":\"app\"}", "NoSuchEntity");
}
END_TEST

START_TEST(test_managed_policies_and_versions)
{
	char code[48], arn[] = "arn:aws:iam::111122223333:policy/read";
	json_t *r = call_j(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}",
	    "PolicyName", "read", "PolicyDocument", S3_READ), code);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "Policy"), "DefaultVersionId")), "v1");
	json_decref(r);
	FAILSJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "READ", "PolicyDocument", S3_READ), "EntityAlreadyExists");
	FAILSJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "bad", "PolicyDocument", "{\"Statement\":[{\"Effect\":\"Alow\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}]}"),
	    "MalformedPolicyDocument");
	// Managed policies need Version 2012-10-17.
	FAILSJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "old", "PolicyDocument", "{\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}]}"),
	    "MalformedPolicyDocument");
	for (int i = 2; i <= 5; i++)
		OKJ(s, ROOT, "CreatePolicyVersion", json_pack("{s:s, s:s, "
		    "s:b}", "PolicyArn", arn, "PolicyDocument", S3_READ,
		    "SetAsDefault", i == 5));
	FAILSJ(s, ROOT, "CreatePolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "PolicyDocument", S3_READ), "LimitExceeded");
	r = call_j(s, ROOT, "GetPolicy", json_pack("{s:s}", "PolicyArn", arn),
	    code);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "Policy"), "DefaultVersionId")), "v5");
	json_decref(r);
	FAILSJ(s, ROOT, "DeletePolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "v5"), "DeleteConflict");
	FAILSJ(s, ROOT, "SetDefaultPolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "v9"), "NoSuchEntity");
	FAILSJ(s, ROOT, "SetDefaultPolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "x1"), "ValidationError");
	OKJ(s, ROOT, "SetDefaultPolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "v2"));
	FAILSJ(s, ROOT, "DeletePolicy", json_pack("{s:s}", "PolicyArn", arn),
	    "DeleteConflict");
	for (int i = 1; i <= 5; i++) {
		if (i == 2)
			continue;
		OKJ(s, ROOT, "DeletePolicyVersion", json_pack("{s:s, s:s}",
		    "PolicyArn", arn, "VersionId", nm("v", i)));
	}
	r = call_j(s, ROOT, "ListPolicyVersions", json_pack("{s:s}",
	    "PolicyArn", arn), code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Versions")), 1);
	json_decref(r);
	// A new version after deletions does not reuse an id.
	r = call_j(s, ROOT, "CreatePolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "PolicyDocument", S3_READ), code);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "PolicyVersion"), "VersionId")), "v6");
	json_decref(r);
	OKJ(s, ROOT, "DeletePolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "v6"));
	OKJ(s, ROOT, "DeletePolicy", json_pack("{s:s}", "PolicyArn", arn));
	FAILSJ(s, ROOT, "GetPolicy", json_pack("{s:s}", "PolicyArn", arn),
	    "NoSuchEntity");
	FAILSJ(s, ROOT, "GetPolicy", json_pack("{s:s}", "PolicyArn", "nope"),
	    "InvalidInput");
}
END_TEST

START_TEST(test_attach_and_live_decisions)
{
	char code[48], arn[] = "arn:aws:iam::111122223333:policy/read";
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "read", "PolicyDocument", S3_READ));
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", arn));
	// Live: the decision reflects the commit as soon as the call returns.
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_ALLOW);
	json_t *r = call_j(s, ROOT, "ListEntitiesForPolicy",
	    json_pack("{s:s}", "PolicyArn", arn), code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "PolicyUsers")),
	    1);
	json_decref(r);
	r = call_as(s, ROOT, "ListAttachedUserPolicies",
	    "{\"UserName\":\"alice\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r,
	    "AttachedPolicies")), 1);
	json_decref(r);
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"alice\"}",
	    "DeleteConflict");
	FAILSJ(s, ROOT, "DeletePolicy", json_pack("{s:s}", "PolicyArn", arn),
	    "DeleteConflict");
	// Via a group.
	OKJ(s, ROOT, "DetachUserPolicy", json_pack("{s:s, s:s}", "UserName",
	    "alice", "PolicyArn", arn));
	FAILSJ(s, ROOT, "DetachUserPolicy", json_pack("{s:s, s:s}",
	    "UserName", "alice", "PolicyArn", arn), "NoSuchEntity");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	OK(s, "CreateGroup", "{\"GroupName\":\"readers\"}");
	OKJ(s, ROOT, "AttachGroupPolicy", json_pack("{s:s, s:s}", "GroupName",
	    "readers", "PolicyArn", arn));
	OK(s, "AddUserToGroup", "{\"GroupName\":\"readers\","
	    "\"UserName\":\"alice\"}");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_ALLOW);
	// A new default version changes the decision.
	OKJ(s, ROOT, "CreatePolicyVersion", json_pack("{s:s, s:s, s:b}",
	    "PolicyArn", arn, "PolicyDocument", "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\","
	    "\"Resource\":\"*\"}]}", "SetAsDefault", 1));
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_EXPLICIT_DENY);
	// Boundary: an allow outside the boundary is not allowed.
	OKJ(s, ROOT, "SetDefaultPolicyVersion", json_pack("{s:s, s:s}",
	    "PolicyArn", arn, "VersionId", "v1"));
	OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "none", "PolicyDocument", "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
	    "\"Resource\":\"*\"}]}"));
	OK(s, "PutUserPermissionsBoundary", "{\"UserName\":\"alice\","
	    "\"PermissionsBoundary\":\"arn:aws:iam::111122223333:policy/"
	    "none\"}");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_IMPLICIT_DENY);
	OK(s, "DeleteUserPermissionsBoundary", "{\"UserName\":\"alice\"}");
	FAILS(s, ROOT, "DeleteUserPermissionsBoundary",
	    "{\"UserName\":\"alice\"}", "NoSuchEntity");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject",
	    "arn:aws:s3:::b/k"), PDP_ALLOW);
}
END_TEST

START_TEST(test_attach_limits)
{
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	for (int i = 0; i < 21; i++)
		OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}",
		    "PolicyName", nm("p", i), "PolicyDocument", S3_READ));
	for (int i = 0; i < 20; i++)
		OKJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}",
		    "UserName", "alice", "PolicyArn",
		    nm("arn:aws:iam::111122223333:policy/p", i)));
	FAILSJ(s, ROOT, "AttachUserPolicy", json_pack("{s:s, s:s}",
	    "UserName", "alice", "PolicyArn",
	    "arn:aws:iam::111122223333:policy/p20"), "LimitExceeded");
	OK(s, "CreateGroup", "{\"GroupName\":\"g\"}");
	for (int i = 0; i < 10; i++)
		OKJ(s, ROOT, "AttachGroupPolicy", json_pack("{s:s, s:s}",
		    "GroupName", "g", "PolicyArn",
		    nm("arn:aws:iam::111122223333:policy/p", i)));
	FAILSJ(s, ROOT, "AttachGroupPolicy", json_pack("{s:s, s:s}",
	    "GroupName", "g", "PolicyArn",
	    "arn:aws:iam::111122223333:policy/p10"), "LimitExceeded");
	OKJ(s, ROOT, "CreateRole", json_pack("{s:s, s:s}", "RoleName", "r",
	    "AssumeRolePolicyDocument", TRUST));
	for (int i = 0; i < 21; i++)
		OKJ(s, ROOT, "AttachRolePolicy", json_pack("{s:s, s:s}",
		    "RoleName", "r", "PolicyArn",
		    nm("arn:aws:iam::111122223333:policy/p", i)));
}
END_TEST

START_TEST(test_inline_policies_and_size)
{
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "read", "PolicyDocument", S3_READ));
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_ALLOW);
	json_t *r = call_as(s, ROOT, "GetUserPolicy", "{\"UserName\":"
	    "\"alice\",\"PolicyName\":\"read\"}", code);
	ck_assert(json_is_object(json_object_get(r, "PolicyDocument")));
	json_decref(r);
	r = call_as(s, ROOT, "ListUserPolicies", "{\"UserName\":\"alice\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "PolicyNames")),
	    1);
	json_decref(r);
	FAILS(s, ROOT, "GetUserPolicy", "{\"UserName\":\"alice\","
	    "\"PolicyName\":\"nope\"}", "NoSuchEntity");
	FAILSJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}",
	    "UserName", "alice", "PolicyName", "bad name", "PolicyDocument",
	    S3_READ), "ValidationError");
	// 2,048 characters per user in all: a big second policy is over.
	char big[3000];
	int n = snprintf(big, sizeof(big), "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
	    "\"Resource\":[");
	for (int i = 0; n < 2000; i++)
		n += snprintf(big + n, sizeof(big) - (size_t) n,
		    "%s\"arn:aws:s3:::bucket%d/*\"", i ? "," : "", i);
	snprintf(big + n, sizeof(big) - (size_t) n, "]}]}");
	FAILSJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}",
	    "UserName", "alice", "PolicyName", "big", "PolicyDocument", big),
	    "LimitExceeded");
	// The same text fits a group (5,120) and a role.
	OK(s, "CreateGroup", "{\"GroupName\":\"g\"}");
	OKJ(s, ROOT, "PutGroupPolicy", json_pack("{s:s, s:s, s:s}",
	    "GroupName", "g", "PolicyName", "big", "PolicyDocument", big));
	OK(s, "DeleteGroupPolicy", "{\"GroupName\":\"g\",\"PolicyName\":"
	    "\"big\"}");
	FAILS(s, ROOT, "DeleteGroupPolicy", "{\"GroupName\":\"g\","
	    "\"PolicyName\":\"big\"}", "NoSuchEntity");
	OK(s, "DeleteUserPolicy", "{\"UserName\":\"alice\",\"PolicyName\":"
	    "\"read\"}");
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_IMPLICIT_DENY);
}
END_TEST

START_TEST(test_tags)
{
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "TagUser", "{\"UserName\":\"alice\",\"Tags\":[{\"Key\":"
	    "\"Department\",\"Value\":\"finance\"}]}");
	// User keys ignore case: this replaces, with the new spelling.
	OK(s, "TagUser", "{\"UserName\":\"alice\",\"Tags\":[{\"Key\":"
	    "\"department\",\"Value\":\"hr\"}]}");
	json_t *r = call_as(s, ROOT, "ListUserTags", "{\"UserName\":"
	    "\"alice\"}", code);
	json_t *t = json_object_get(r, "Tags");
	ck_assert_int_eq(json_array_size(t), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(t,
	    0), "Key")), "department");
	json_decref(r);
	FAILS(s, ROOT, "TagUser", "{\"UserName\":\"alice\",\"Tags\":[{\"Key\":"
	    "\"aws:x\",\"Value\":\"v\"}]}", "InvalidInput");
	FAILS(s, ROOT, "TagUser", "{\"UserName\":\"alice\",\"Tags\":[{\"Key\":"
	    "\"a!\",\"Value\":\"v\"}]}", "ValidationError");
	FAILS(s, ROOT, "TagUser", "{\"UserName\":\"alice\",\"Tags\":[{\"Key\":"
	    "\"\",\"Value\":\"v\"}]}", "ValidationError");
	// Key 128 and value 256 characters pass; one more fails.
	char k[140], v[270];
	memset(k, 'k', 128);
	k[128] = '\0';
	memset(v, 'v', 256);
	v[256] = '\0';
	OKJ(s, ROOT, "TagUser", json_pack("{s:s, s:[{s:s, s:s}]}", "UserName",
	    "alice", "Tags", "Key", k, "Value", v));
	k[128] = 'k';
	k[129] = '\0';
	FAILSJ(s, ROOT, "TagUser", json_pack("{s:s, s:[{s:s, s:s}]}",
	    "UserName", "alice", "Tags", "Key", k, "Value", "x"),
	    "ValidationError");
	v[256] = 'v';
	v[257] = '\0';
	FAILSJ(s, ROOT, "TagUser", json_pack("{s:s, s:[{s:s, s:s}]}",
	    "UserName", "alice", "Tags", "Key", "x", "Value", v),
	    "ValidationError");
	// Limits count characters, not bytes: 128 two-byte letters (é)
	// make a key, 129 do not.
	char wide[2 * 130 + 1];
	for (int i = 0; i < 128; i++)
		memcpy(wide + 2 * i, "\xc3\xa9", 2);
	wide[256] = '\0';
	OKJ(s, ROOT, "TagUser", json_pack("{s:s, s:[{s:s, s:s}]}", "UserName",
	    "alice", "Tags", "Key", wide, "Value", wide));
	OKJ(s, ROOT, "UntagUser", json_pack("{s:s, s:[s]}", "UserName",
	    "alice", "TagKeys", wide));
	memcpy(wide + 256, "\xc3\xa9", 3);
	FAILSJ(s, ROOT, "TagUser", json_pack("{s:s, s:[{s:s, s:s}]}",
	    "UserName", "alice", "Tags", "Key", wide, "Value", "x"),
	    "ValidationError");
	// 50 tags in all: alice has 2, so 48 more fit and 49 do not.
	json_t *tags = json_array();
	for (int i = 0; i < 49; i++)
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key",
		    nm("t", i), "Value", ""));
	FAILSJ(s, ROOT, "TagUser", json_pack("{s:s, s:O}", "UserName",
	    "alice", "Tags", tags), "LimitExceeded");
	json_array_remove(tags, 48);
	OKJ(s, ROOT, "TagUser", json_pack("{s:s, s:O}", "UserName", "alice",
	    "Tags", tags));
	json_decref(tags);
	tags = json_array();
	for (int i = 0; i < 51; i++)
		json_array_append_new(tags, json_pack("{s:s, s:s}", "Key",
		    nm("n", i), "Value", ""));
	FAILSJ(s, ROOT, "TagUser", json_pack("{s:s, s:o}", "UserName",
	    "alice", "Tags", tags), "ValidationError");
	OK(s, "UntagUser", "{\"UserName\":\"alice\",\"TagKeys\":"
	    "[\"DEPARTMENT\"]}");
	r = call_as(s, ROOT, "ListUserTags", "{\"UserName\":\"alice\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Tags")), 49);
	json_decref(r);
	// Tags become aws:PrincipalTag in decisions.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "alice", "PolicyName", "tagged", "PolicyDocument",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":"
	    "{\"StringEquals\":{\"aws:PrincipalTag/t1\":\"\"}}}]}"));
	ck_assert_int_eq(decide(s, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
	    PDP_ALLOW);
	// Policy tag keys are case-sensitive: both spellings coexist.
	OKJ(s, ROOT, "CreatePolicy", json_pack("{s:s, s:s}", "PolicyName",
	    "p", "PolicyDocument", S3_READ));
	OK(s, "TagPolicy", "{\"PolicyArn\":\"arn:aws:iam::111122223333:policy"
	    "/p\",\"Tags\":[{\"Key\":\"Cost\",\"Value\":\"a\"},{\"Key\":"
	    "\"team\",\"Value\":\"b\"}]}");
	OK(s, "TagPolicy", "{\"PolicyArn\":\"arn:aws:iam::111122223333:policy"
	    "/p\",\"Tags\":[{\"Key\":\"cost\",\"Value\":\"a\"}]}");
	r = call_as(s, ROOT, "ListPolicyTags", "{\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/p\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Tags")), 3);
	json_decref(r);
	OKJ(s, ROOT, "CreateRole", json_pack("{s:s, s:s, s:[{s:s, s:s}]}",
	    "RoleName", "r", "AssumeRolePolicyDocument", TRUST, "Tags", "Key",
	    "a", "Value", "b"));
	OK(s, "UntagRole", "{\"RoleName\":\"r\",\"TagKeys\":[\"A\"]}");
	r = call_as(s, ROOT, "ListRoleTags", "{\"RoleName\":\"r\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Tags")), 0);
	json_decref(r);
}
END_TEST

START_TEST(test_access_keys)
{
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	json_t *r = call_as(s, ROOT, "CreateAccessKey", "{\"UserName\":"
	    "\"alice\"}", code);
	json_t *k = json_object_get(r, "AccessKey");
	const char *id = json_string_value(json_object_get(k, "AccessKeyId"));
	ck_assert(strncmp(id, "AKIA", 4) == 0);
	ck_assert_int_eq(strlen(id), 20);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(k,
	    "SecretAccessKey"))), 40);
	char p[128];
	snprintf(p, sizeof(p), "{\"UserName\":\"alice\",\"AccessKeyId\":"
	    "\"%s\",\"Status\":\"Inactive\"}", id);
	OK(s, "UpdateAccessKey", p);
	FAILS(s, ROOT, "UpdateAccessKey", "{\"UserName\":\"alice\","
	    "\"AccessKeyId\":\"AKIAAAAAAAAAAAAAAAAA\",\"Status\":\"Active\"}",
	    "NoSuchEntity");
	FAILS(s, ROOT, "UpdateAccessKey", "{\"UserName\":\"alice\","
	    "\"AccessKeyId\":\"AKIAAAAAAAAAAAAAAAAA\",\"Status\":\"On\"}",
	    "ValidationError");
	snprintf(p, sizeof(p), "{\"AccessKeyId\":\"%s\"}", id);
	json_t *lu = call_as(s, ROOT, "GetAccessKeyLastUsed", p, code);
	ck_assert_str_eq(json_string_value(json_object_get(lu, "UserName")),
	    "alice");
	json_decref(lu);
	OK(s, "CreateAccessKey", "{\"UserName\":\"alice\"}");
	FAILS(s, ROOT, "CreateAccessKey", "{\"UserName\":\"alice\"}",
	    "LimitExceeded");
	json_t *l = call_as(s, ROOT, "ListAccessKeys", "{\"UserName\":"
	    "\"alice\"}", code);
	json_t *md = json_object_get(l, "AccessKeyMetadata");
	ck_assert_int_eq(json_array_size(md), 2);
	// Listing never shows a secret.
	ck_assert_ptr_null(json_object_get(json_array_get(md, 0),
	    "SecretAccessKey"));
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"alice\"}",
	    "DeleteConflict");
	size_t i;
	json_t *m;
	json_array_foreach(md, i, m) {
		snprintf(p, sizeof(p), "{\"UserName\":\"alice\","
		    "\"AccessKeyId\":\"%s\"}", json_string_value(
		    json_object_get(m, "AccessKeyId")));
		OK(s, "DeleteAccessKey", p);
	}
	json_decref(l);
	json_decref(r);
	OK(s, "DeleteUser", "{\"UserName\":\"alice\"}");
	// Root's own keys: root only.
	OK(s, "CreateAccessKey", NULL);
}
END_TEST

// The live bundle knows every access key by id, with its status: a
// request may name its caller by key (pdp_creds_authorize).
START_TEST(test_access_keys_reach_the_live_bundle)
{
	char code[48], p[160];
	const char *owner;
	size_t n;
	bool active;

	OK(s, "CreateUser", "{\"UserName\":\"alice\",\"Path\":\"/eng/\"}");
	json_t *r = call_as(s, ROOT, "CreateAccessKey", "{\"UserName\":"
	    "\"alice\"}", code);
	const char *id = json_string_value(json_object_get(json_object_get(r,
	    "AccessKey"), "AccessKeyId"));
	json_t *rr = call_as(s, ROOT, "CreateAccessKey", NULL, code);
	const char *rid = json_string_value(json_object_get(json_object_get(
	    rr, "AccessKey"), "AccessKeyId"));
	pdp_bundle *b = pdp_engine_acquire(iams_service_engine(s));
	ck_assert_int_eq(pdp_bundle_access_key(b, id, strlen(id), &owner, &n,
	    &active), PDP_OK);
	ck_assert(active);
	ck_assert(n == strlen("arn:aws:iam::" ACCT ":user/eng/alice") &&
	    memcmp(owner, "arn:aws:iam::" ACCT ":user/eng/alice", n) == 0);
	ck_assert_int_eq(pdp_bundle_access_key(b, rid, strlen(rid), &owner,
	    &n, &active), PDP_OK);
	ck_assert(n == strlen("arn:aws:iam::" ACCT ":root") &&
	    memcmp(owner, "arn:aws:iam::" ACCT ":root", n) == 0);
	pdp_bundle_close(b);
	snprintf(p, sizeof(p), "{\"UserName\":\"alice\",\"AccessKeyId\":"
	    "\"%s\",\"Status\":\"Inactive\"}", id);
	OK(s, "UpdateAccessKey", p);
	b = pdp_engine_acquire(iams_service_engine(s));
	ck_assert_int_eq(pdp_bundle_access_key(b, id, strlen(id), &owner, &n,
	    &active), PDP_OK);
	ck_assert(!active);
	pdp_bundle_close(b);
	// The export carries ids and status, never a secret.
	json_t *m = NULL;
	ck_assert_int_eq(iams_export(s, true, &m), PDP_OK);
	char *text = json_dumps(m, 0);
	ck_assert_ptr_nonnull(strstr(text, id));
	ck_assert_ptr_nonnull(strstr(text, "rootAccessKeys"));
	ck_assert_ptr_null(strstr(text, json_string_value(json_object_get(
	    json_object_get(r, "AccessKey"), "SecretAccessKey"))));
	free(text);
	json_decref(m);
	json_decref(r);
	json_decref(rr);
}
END_TEST

START_TEST(test_login_profiles_and_password_policy)
{
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	FAILS(s, ROOT, "CreateLoginProfile", "{\"UserName\":\"alice\","
	    "\"Password\":\"short\"}", "PasswordPolicyViolation");
	OK(s, "CreateLoginProfile", "{\"UserName\":\"alice\",\"Password\":"
	    "\"Correct-Horse-1\"}");
	FAILS(s, ROOT, "CreateLoginProfile", "{\"UserName\":\"alice\","
	    "\"Password\":\"Correct-Horse-1\"}", "EntityAlreadyExists");
	json_t *r = call_as(s, ROOT, "GetLoginProfile", "{\"UserName\":"
	    "\"alice\"}", code);
	ck_assert_ptr_null(json_object_get(json_object_get(r,
	    "LoginProfile"), "Password"));
	json_decref(r);
	OK(s, "UpdateAccountPasswordPolicy", "{\"MinimumPasswordLength\":12,"
	    "\"RequireNumbers\":true,\"PasswordReusePrevention\":3,"
	    "\"AllowUsersToChangePassword\":true}");
	FAILS(s, ROOT, "UpdateAccountPasswordPolicy",
	    "{\"MinimumPasswordLength\":5}", "ValidationError");
	FAILS(s, ROOT, "UpdateAccountPasswordPolicy",
	    "{\"PasswordReusePrevention\":25}", "ValidationError");
	FAILS(s, ROOT, "UpdateAccountPasswordPolicy",
	    "{\"MaxPasswordAge\":1096}", "ValidationError");
	r = call_as(s, ROOT, "GetAccountPasswordPolicy", NULL, code);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r,
	    "PasswordPolicy"), "MinimumPasswordLength")), 12);
	json_decref(r);
	// alice may change her own password, with the policy applied.
	OK(s, "PutUserPolicy", "{\"UserName\":\"alice\",\"PolicyName\":\"pw\","
	    "\"PolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
	    "\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":"
	    "\\\"iam:ChangePassword\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}");
	FAILS(s, ALICE, "ChangePassword", "{\"OldPassword\":\"wrong\","
	    "\"NewPassword\":\"Another-Horse-2\"}", "InvalidInput");
	FAILS(s, ALICE, "ChangePassword", "{\"OldPassword\":"
	    "\"Correct-Horse-1\",\"NewPassword\":\"no-digits-here\"}",
	    "PasswordPolicyViolation");
	FAILS(s, ALICE, "ChangePassword", "{\"OldPassword\":"
	    "\"Correct-Horse-1\",\"NewPassword\":\"Correct-Horse-1\"}",
	    "PasswordPolicyViolation");
	json_decref(call_as(s, ALICE, "ChangePassword", "{\"OldPassword\":"
	    "\"Correct-Horse-1\",\"NewPassword\":\"Another-Horse-2\"}",
	    code));
	ck_assert_str_eq(code, "");
	// Reuse prevention remembers the earlier password.
	FAILS(s, ROOT, "UpdateLoginProfile", "{\"UserName\":\"alice\","
	    "\"Password\":\"Correct-Horse-1\"}", "PasswordPolicyViolation");
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"alice\"}",
	    "DeleteConflict");
	OK(s, "DeleteLoginProfile", "{\"UserName\":\"alice\"}");
	FAILS(s, ROOT, "GetLoginProfile", "{\"UserName\":\"alice\"}",
	    "NoSuchEntity");
	OK(s, "DeleteAccountPasswordPolicy", NULL);
	FAILS(s, ROOT, "GetAccountPasswordPolicy", NULL, "NoSuchEntity");
}
END_TEST

START_TEST(test_self_authorization)
{
	#define BOB "arn:aws:iam::111122223333:user/bob"
	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	// bob has no IAM permissions: every call is denied.
	FAILS(s, BOB, "CreateUser", "{\"UserName\":\"eve\"}", "AccessDenied");
	FAILS(s, BOB, "ListUsers", NULL, "AccessDenied");
	FAILS(s, BOB, "GetUser", "{\"UserName\":\"nobody\"}", "AccessDenied");
	// A policy allowing users under /team/ only.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "bob", "PolicyName", "team", "PolicyDocument",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":[\"iam:CreateUser\",\"iam:GetUser\"],\"Resource\":"
	    "\"arn:aws:iam::111122223333:user/team/*\"}]}"));
	OK(s, "CreateUser", "{\"UserName\":\"x\"}");
	char code[48];
	json_t *r = call_as(s, BOB, "CreateUser", "{\"UserName\":\"eve\","
	    "\"Path\":\"/team/\"}", code);
	ck_assert_msg(r != NULL, "%s", code);
	json_decref(r);
	FAILS(s, BOB, "CreateUser", "{\"UserName\":\"mallory\"}",
	    "AccessDenied");
	FAILS(s, BOB, "DeleteUser", "{\"UserName\":\"eve\"}", "AccessDenied");
	// An unknown caller is denied too.
	FAILS(s, "arn:aws:iam::111122223333:user/ghost", "ListUsers", NULL,
	    "AccessDenied");
	FAILS(s, "not-an-arn", "ListUsers", NULL, "AccessDenied");
	// An explicit deny wins over an allow.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "bob", "PolicyName", "deny", "PolicyDocument",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
	    "\"Action\":\"iam:CreateUser\",\"Resource\":\"*\"}]}"));
	FAILS(s, BOB, "CreateUser", "{\"UserName\":\"eve2\","
	    "\"Path\":\"/team/\"}", "AccessDenied");
}
END_TEST

START_TEST(test_root_versus_administrator)
{
	#define ADMIN "arn:aws:iam::111122223333:user/admin"
	char code[48];
	OK(s, "CreateUser", "{\"UserName\":\"admin\"}");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "admin", "PolicyName", "all", "PolicyDocument", ALLOW_ALL));
	json_t *r = call_as(s, ADMIN, "CreateUser", "{\"UserName\":\"u\"}",
	    code);
	ck_assert_msg(r != NULL, "%s", code);
	json_decref(r);
	r = call_as(s, ADMIN, "GetAccountSummary", NULL, code);
	ck_assert_ptr_nonnull(r);
	json_decref(r);
	// Root-only tasks stay root's, even for Allow *:*.
	FAILS(s, ADMIN, "CloseAccount", NULL, "AccessDenied");
	// The administrator can lock itself out; root restores it.
	OKJ(s, ADMIN, "PutUserPolicy", json_pack("{s:s, s:s, s:s}",
	    "UserName", "admin", "PolicyName", "all", "PolicyDocument",
	    S3_READ));
	FAILS(s, ADMIN, "ListUsers", NULL, "AccessDenied");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "admin", "PolicyName", "all", "PolicyDocument", ALLOW_ALL));
	r = call_as(s, ADMIN, "ListUsers", NULL, code);
	ck_assert_ptr_nonnull(r);
	json_decref(r);
	// An explicit deny limits the administrator, not root.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "admin", "PolicyName", "deny", "PolicyDocument",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
	    "\"Action\":\"iam:DeleteUser\",\"Resource\":\"*\"}]}"));
	FAILS(s, ADMIN, "DeleteUser", "{\"UserName\":\"u\"}", "AccessDenied");
	OK(s, "DeleteUser", "{\"UserName\":\"u\"}");
	OK(s, "CloseAccount", NULL);
	FAILS(s, ROOT, "ListUsers", NULL, "AccessDenied");
}
END_TEST

START_TEST(test_export_is_an_account_model)
{
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateGroup", "{\"GroupName\":\"g\"}");
	OK(s, "AddUserToGroup", "{\"GroupName\":\"g\",\"UserName\":"
	    "\"alice\"}");
	json_t *m = NULL;
	ck_assert_int_eq(iams_export(s, true, &m), PDP_OK);
	json_t *a = json_array_get(json_object_get(m, "accounts"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(a, "id")), ACCT);
	ck_assert_int_eq(json_array_size(json_object_get(a, "users")), 1);
	json_decref(m);
	iams_stats st;
	iams_service_stats(s, &st);
	ck_assert_int_eq(st.rebuild_failures, 0);
	ck_assert_uint_gt(st.rebuilds, 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_service");
	TCase *tc = tcase_create("ops");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_users_create_get_list_update_delete);
	tcase_add_test(tc, test_validation_errors);
	tcase_add_test(tc, test_users_per_account_limit);
	tcase_add_test(tc, test_groups_and_membership);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_managed_policies_and_versions);
	tcase_add_test(tc, test_attach_and_live_decisions);
	tcase_add_test(tc, test_attach_limits);
	tcase_add_test(tc, test_inline_policies_and_size);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_access_keys);
	tcase_add_test(tc, test_access_keys_reach_the_live_bundle);
	tcase_add_test(tc, test_login_profiles_and_password_policy);
	tcase_add_test(tc, test_self_authorization);
	tcase_add_test(tc, test_root_versus_administrator);
	tcase_add_test(tc, test_export_is_an_account_model);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
