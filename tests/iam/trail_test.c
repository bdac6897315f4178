// trail_test.c - the audit trail on a service whose clock the test moves:
// the event of every call (root, an IAM user, an assumed-role session;
// success, API errors and AccessDenied; a known key's bad signature),
// no secret in any event, a
// write's event kept with it, LookupEvents (attributes, time range,
// paging, MaxResults, errors, order, account scoping, authorization)
// and the pruning of events past 90 days.

#include "helpers.h"
#include "check_main.h"

#include <time.h>

#include <sqlite3.h>

#include "iams_auth.h"

#define T0 1750000000 // the test clock's start: 2025-06-15T15:06:40Z
#define DAY 86400
#define OTHER "444455556666"
#define OTHER_ROOT "arn:aws:iam::444455556666:root"
#define BOB "arn:aws:iam::111122223333:user/bob"
#define ADMIN "arn:aws:iam::111122223333:user/admin"
#define RUNNER "arn:aws:iam::111122223333:user/runner"
#define HIDDEN "HIDDEN_DUE_TO_SECURITY_REASONS"

static char path[64];
static iams_service *s;
static int64_t now;

static void
setup(void)
{
	s = open_clocked(path, &now, T0, OTHER);
}

static void
teardown(void)
{
	close_service(s, path);
}

// lookup calls LookupEvents as `caller` with params `p` (stolen): the
// response, or NULL with the error code in `code`.
static json_t *
lookup(const char *caller, json_t *p, char *code)
{
	return call_j(s, caller, "LookupEvents", p, code);
}

// lookup_by is LookupEvents as root with one attribute; it must succeed.
static json_t *
lookup_by(const char *key, const char *value)
{
	char code[48];
	json_t *r = lookup(ROOT, json_pack("{s:[{s:s, s:s}]}",
	    "LookupAttributes", "AttributeKey", key, "AttributeValue", value),
	    code);

	ck_assert_msg(r != NULL, "LookupEvents: %s", code);
	return r;
}

// record returns event i of a LookupEvents answer, its CloudTrailEvent
// parsed (a new reference).
static json_t *
record(const json_t *r, size_t i)
{
	const json_t *e = json_array_get(json_object_get(r, "Events"), i);
	json_t *ev;

	ck_assert_ptr_nonnull(e);
	ev = json_loads(json_string_value(json_object_get(e,
	    "CloudTrailEvent")), 0, NULL);
	ck_assert_ptr_nonnull(ev);
	// The summary agrees with the record.
	ck_assert_str_eq(json_string_value(json_object_get(e, "EventId")),
	    json_string_value(json_object_get(ev, "eventID")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "EventName")),
	    json_string_value(json_object_get(ev, "eventName")));
	return ev;
}

// only_event is the single event of `name` (as root's lookup sees it).
static json_t *
only_event(const char *name)
{
	json_t *r = lookup_by("EventName", name);

	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 1);
	json_t *ev = record(r, 0);
	json_decref(r);
	return ev;
}

// field is the string at a dotted path ("userIdentity.type"), or NULL.
static const char *
field(const json_t *o, const char *dotted)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(dotted, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int) (dot - dotted),
		    dotted);
		o = json_object_get(o, key);
		dotted = dot + 1;
	}
	return json_string_value(json_object_get(o, dotted));
}

// grant puts an inline policy allowing `action` on "*" on user `name`.
static void
grant(const char *name, const char *action)
{
	char doc[256];

	snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\",\"Statement\":"
	    "[{\"Effect\":\"Allow\",\"Action\":\"%s\",\"Resource\":\"*\"}]}",
	    action);
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    name, "PolicyName", "p", "PolicyDocument", doc));
}

static void
user(const char *name)
{
	OKJ(s, ROOT, "CreateUser", json_pack("{s:s}", "UserName", name));
}

START_TEST(test_root_event)
{
	user("alice");
	json_t *ev = only_event("CreateUser");
	ck_assert_str_eq(field(ev, "eventVersion"), "1.11");
	ck_assert_str_eq(field(ev, "eventTime"), "2025-06-15T15:06:40Z");
	ck_assert_str_eq(field(ev, "eventSource"), "iam.amazonaws.com");
	ck_assert_str_eq(field(ev, "awsRegion"), "us-east-1");
	ck_assert_str_eq(field(ev, "eventType"), "AwsApiCall");
	ck_assert_str_eq(field(ev, "recipientAccountId"), ACCT);
	ck_assert_str_eq(field(ev, "userIdentity.type"), "Root");
	ck_assert_str_eq(field(ev, "userIdentity.principalId"), ACCT);
	ck_assert_str_eq(field(ev, "userIdentity.arn"), ROOT);
	ck_assert_str_eq(field(ev, "userIdentity.accountId"), ACCT);
	ck_assert_ptr_null(json_object_get(json_object_get(ev,
	    "userIdentity"), "accessKeyId"));
	ck_assert_str_eq(field(ev, "requestParameters.userName"), "alice");
	ck_assert_str_eq(field(ev, "responseElements.user.userName"),
	    "alice");
	ck_assert(json_is_false(json_object_get(ev, "readOnly")));
	ck_assert_ptr_null(json_object_get(ev, "errorCode"));
	ck_assert_uint_eq(strlen(field(ev, "eventID")), 36);
	ck_assert_int_eq(field(ev, "eventID")[14], '4');
	json_decref(ev);

	// A read: readOnly, and its answer is not recorded.
	json_decref(call_as(s, ROOT, "GetUser", "{\"UserName\":\"alice\"}",
	    NULL));
	ev = only_event("GetUser");
	ck_assert(json_is_true(json_object_get(ev, "readOnly")));
	ck_assert(json_is_null(json_object_get(ev, "responseElements")));
	json_decref(ev);

	// An API error: its code and message, no answer.
	FAILS(s, ROOT, "CreateUser", "{\"UserName\":\"alice\"}",
	    "EntityAlreadyExists");
	json_t *r = lookup_by("EventName", "CreateUser");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 2);
	ev = record(r, 0); // newest first
	ck_assert_str_eq(field(ev, "errorCode"), "EntityAlreadyExists");
	ck_assert_ptr_nonnull(field(ev, "errorMessage"));
	ck_assert(json_is_null(json_object_get(ev, "responseElements")));
	json_decref(ev);
	json_decref(r);
}
END_TEST

START_TEST(test_user_event)
{
	iams_error e;
	json_t *resp = NULL, *ev;
	char akid[] = "AKIATESTTESTTEST0001";

	user("bob");
	grant("bob", "iam:GetUser");
	json_t *u = call_as(s, ROOT, "GetUser", "{\"UserName\":\"bob\"}", NULL);
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", field(u, "User.UserId"));
	json_decref(u);

	// Signed with a key: the event names it.
	ck_assert_int_eq(iams_call_key(s, BOB, akid, "GetUser", NULL, &resp,
	    &e), PDP_OK);
	json_decref(resp);
	json_t *r = lookup_by("EventName", "GetUser");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 2);
	ev = record(r, 0);
	const json_t *sum = json_array_get(json_object_get(r, "Events"), 0);
	ck_assert_str_eq(field(sum, "Username"), "bob");
	ck_assert_str_eq(field(sum, "AccessKeyId"), akid);
	ck_assert_str_eq(field(sum, "ReadOnly"), "true");
	ck_assert_str_eq(field(ev, "userIdentity.type"), "IAMUser");
	ck_assert_str_eq(field(ev, "userIdentity.principalId"), uid);
	ck_assert_str_eq(field(ev, "userIdentity.arn"), BOB);
	ck_assert_str_eq(field(ev, "userIdentity.userName"), "bob");
	ck_assert_str_eq(field(ev, "userIdentity.accessKeyId"), akid);
	json_decref(ev);
	json_decref(r);

	// AccessDenied is recorded with its code.
	FAILS(s, BOB, "DeleteUser", "{\"UserName\":\"bob\"}", "AccessDenied");
	ev = only_event("DeleteUser");
	ck_assert_str_eq(field(ev, "errorCode"), "AccessDenied");
	ck_assert_str_eq(field(ev, "userIdentity.userName"), "bob");
	json_decref(ev);
}
END_TEST

START_TEST(test_refused_signature)
{
	char sig[IAMS_SIG_HEX + 1], caller[2048];
	const char *wrong = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12";
	const char *params = "{\"UserName\":\"carol\"}";
	iams_error e;

	user("bob");
	json_t *k = call_as(s, ROOT, "CreateAccessKey", "{\"UserName\":\"bob\"}",
	    NULL);
	ck_assert_ptr_nonnull(k);
	const char *akid = field(k, "AccessKey.AccessKeyId");
	iams_signed r = {"iam", "CreateUser", params, strlen(params), 7,
	    (uint64_t) T0, akid, NULL, sig};
	ck_assert_int_eq(iams_sign(wrong, &r, sig), PDP_OK);
	ck_assert_int_eq(iams_authenticate(s, &r, T0, caller, sizeof(caller),
	    &e), PDP_EINVAL);
	ck_assert_str_eq(e.code, "SignatureDoesNotMatch");
	// Bob's key is known: the refusal is his event, without the
	// request's unvouched fields.
	json_t *l = lookup_by("AccessKeyId", akid);
	ck_assert_int_eq(json_array_size(json_object_get(l, "Events")), 1);
	json_t *ev = record(l, 0);
	ck_assert_str_eq(field(ev, "eventName"), "CreateUser");
	ck_assert_str_eq(field(ev, "errorCode"), "SignatureDoesNotMatch");
	ck_assert_str_eq(field(ev, "userIdentity.arn"), BOB);
	ck_assert_str_eq(field(ev, "userIdentity.accessKeyId"), akid);
	ck_assert(json_is_null(json_object_get(ev, "requestParameters")));
	json_decref(ev);
	json_decref(l);
	// An unknown key has no caller to record.
	r.access_key_id = "AKIANOSUCHKEY0000000";
	ck_assert_int_eq(iams_sign(wrong, &r, sig), PDP_OK);
	ck_assert_int_eq(iams_authenticate(s, &r, T0, caller, sizeof(caller),
	    &e), PDP_EINVAL);
	ck_assert_str_eq(e.code, "InvalidClientTokenId");
	l = lookup_by("AccessKeyId", "AKIANOSUCHKEY0000000");
	ck_assert_int_eq(json_array_size(json_object_get(l, "Events")), 0);
	json_decref(l);
	json_decref(k);
}
END_TEST

// assume assumes role "app": its Credentials (a new reference).
static json_t *
assume(const char *session)
{
	// Root may not assume a role (AWS): a user allowed everything does.
	user("runner");
	grant("runner", "*");
	OKJ(s, ROOT, "CreateRole", json_pack("{s:s, s:s}", "RoleName", "app",
	    "AssumeRolePolicyDocument", TRUST));
	OKJ(s, ROOT, "PutRolePolicy", json_pack("{s:s, s:s, s:s}", "RoleName",
	    "app", "PolicyName", "p", "PolicyDocument", ALLOW_ALL));
	json_t *r = call_j(s, RUNNER, "AssumeRole", json_pack("{s:s, s:s}",
	    "RoleArn", "arn:aws:iam::111122223333:role/app", "RoleSessionName",
	    session), NULL);
	ck_assert_ptr_nonnull(r);
	json_t *c = json_incref(json_object_get(r, "Credentials"));
	json_decref(r);
	return c;
}

START_TEST(test_session_event)
{
	iams_error e;
	json_t *resp = NULL;
	json_t *creds = assume("s1");
	const char *akid = field(creds, "AccessKeyId");

	ck_assert_int_eq(iams_call_session(s, akid, field(creds,
	    "SessionToken"), "GetCallerIdentity", NULL, &resp, &e), PDP_OK);
	json_decref(resp);
	json_t *ev = only_event("GetCallerIdentity");
	ck_assert_str_eq(field(ev, "eventSource"), "sts.amazonaws.com");
	ck_assert_str_eq(field(ev, "userIdentity.type"), "AssumedRole");
	ck_assert_str_eq(field(ev, "userIdentity.arn"),
	    "arn:aws:sts::111122223333:assumed-role/app/s1");
	ck_assert_str_eq(field(ev, "userIdentity.accessKeyId"), akid);
	ck_assert(strncmp(field(ev, "userIdentity.principalId"), "AROA", 4) ==
	    0);
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.type"), "Role");
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.arn"),
	    "arn:aws:iam::111122223333:role/app");
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.attributes.mfaAuthenticated"),
	    "false");
	json_decref(ev);
	// The session's events are found by its access key id and name.
	json_t *r = lookup_by("AccessKeyId", akid);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 1);
	ck_assert_str_eq(field(json_array_get(json_object_get(r, "Events"), 0),
	    "Username"), "s1");
	json_decref(r);

	// AssumeRole's event: STS's, its credentials without secrets.
	ev = only_event("AssumeRole");
	ck_assert_str_eq(field(ev, "eventSource"), "sts.amazonaws.com");
	ck_assert_str_eq(field(ev, "requestParameters.roleSessionName"), "s1");
	ck_assert_str_eq(field(ev, "responseElements.credentials.accessKeyId"),
	    akid);
	ck_assert_ptr_null(field(ev,
	    "responseElements.credentials.sessionToken"));
	ck_assert_ptr_null(field(ev,
	    "responseElements.credentials.secretAccessKey"));
	json_decref(ev);
	json_decref(creds);
}
END_TEST

START_TEST(test_federated_event)
{
	iams_error e;
	json_t *resp = NULL;

	user("runner");
	grant("runner", "*");
	json_t *r = call_j(s, RUNNER, "GetFederationToken", json_pack(
	    "{s:s, s:s}", "Name", "fed", "Policy", ALLOW_ALL), NULL);
	ck_assert_ptr_nonnull(r);
	const json_t *c = json_object_get(r, "Credentials");
	ck_assert_int_eq(iams_call_session(s, field(c, "AccessKeyId"),
	    field(c, "SessionToken"), "GetCallerIdentity", NULL, &resp, &e),
	    PDP_OK);
	json_decref(resp);
	json_t *ev = only_event("GetCallerIdentity");
	ck_assert_str_eq(field(ev, "userIdentity.type"), "FederatedUser");
	ck_assert_str_eq(field(ev, "userIdentity.arn"),
	    "arn:aws:sts::111122223333:federated-user/fed");
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.type"), "IAMUser");
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.arn"), RUNNER);
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.userName"), "runner");
	json_t *u = call_as(s, ROOT, "GetUser", "{\"UserName\":\"runner\"}",
	    NULL);
	ck_assert_str_eq(field(ev,
	    "userIdentity.sessionContext.sessionIssuer.principalId"),
	    field(u, "User.UserId"));
	json_decref(u);
	json_decref(ev);
	// The event of GetFederationToken itself is read-only (Get*): its
	// answer, credentials and all, is not recorded.
	ev = only_event("GetFederationToken");
	ck_assert(json_is_null(json_object_get(ev, "responseElements")));
	json_decref(ev);
	json_decref(r);
}
END_TEST

// all_events is every event of the account's last 90 days as JSON text,
// paged through with NextToken 7 at a time.
static char *
all_events(const char *caller)
{
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap), code[48];
	char *token = NULL;

	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	do {
		json_t *p = json_pack("{s:i}", "MaxResults", 7);
		if (token != NULL)
			json_object_set_new(p, "NextToken", json_string(token));
		free(token);
		token = NULL;
		json_t *r = lookup(caller, p, code);
		ck_assert_msg(r != NULL, "LookupEvents: %s", code);
		ck_assert_uint_le(json_array_size(json_object_get(r, "Events")),
		    7);
		char *t = json_dumps(r, JSON_COMPACT);
		size_t n = strlen(t);
		ck_assert_uint_lt(len + n + 1, cap);
		memcpy(out + len, t, n + 1);
		len += n;
		free(t);
		if (json_object_get(r, "NextToken") != NULL)
			token = strdup(field(r, "NextToken"));
		json_decref(r);
	} while (token != NULL);
	return out;
}

// no_trace asserts that `secret` is nowhere in the events nor in the
// store's files.
static void
no_trace(const char *events, const char *secret)
{
	char wal[80];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	ck_assert_msg(strstr(events, secret) == NULL, "a secret in an event");
	ck_assert(!file_has(path, secret, strlen(secret)));
	ck_assert(!file_has(wal, secret, strlen(secret)));
}

START_TEST(test_no_secrets)
{
	char c1[7], c2[7], q1[16], q2[16];
	const char *password = "Tr0ub4dor&3-correct-horse";

	user("alice");
	json_t *k = call_as(s, ROOT, "CreateAccessKey",
	    "{\"UserName\":\"alice\"}", NULL);
	ck_assert_ptr_nonnull(k);
	json_t *lp = json_pack("{s:s, s:s}", "UserName", "alice", "Password",
	    password);
	OKJ(s, ROOT, "CreateLoginProfile", lp);
	json_t *v = call_as(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"alice-phone\"}", NULL);
	ck_assert_ptr_nonnull(v);
	const char *seed = field(v, "VirtualMFADevice.Base32StringSeed");
	code_of(seed, T0 / 30 - 1, c1);
	code_of(seed, T0 / 30, c2);
	OKJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber",
	    field(v, "VirtualMFADevice.SerialNumber"), "AuthenticationCode1",
	    c1, "AuthenticationCode2", c2));
	json_t *creds = assume("s1");

	char *events = all_events(ROOT);
	no_trace(events, field(k, "AccessKey.SecretAccessKey"));
	no_trace(events, password);
	no_trace(events, seed);
	no_trace(events, field(creds, "SecretAccessKey"));
	no_trace(events, field(creds, "SessionToken"));
	// The codes as values (six digits may occur in an id by chance).
	snprintf(q1, sizeof(q1), "\\\"%s\\\"", c1);
	snprintf(q2, sizeof(q2), "\\\"%s\\\"", c2);
	ck_assert_ptr_null(strstr(events, q1));
	ck_assert_ptr_null(strstr(events, q2));
	// Where they were: hidden as AWS hides them.
	json_t *ev = only_event("CreateLoginProfile");
	ck_assert_str_eq(field(ev, "requestParameters.password"), HIDDEN);
	json_decref(ev);
	ev = only_event("EnableMFADevice");
	ck_assert_str_eq(field(ev, "requestParameters.authenticationCode1"),
	    HIDDEN);
	json_decref(ev);
	// The key's id stays: it is no secret.
	ev = only_event("CreateAccessKey");
	ck_assert_str_eq(field(ev, "responseElements.accessKey.accessKeyId"),
	    field(k, "AccessKey.AccessKeyId"));
	ck_assert_ptr_null(json_object_get(json_object_get(json_object_get(ev,
	    "responseElements"), "accessKey"), "secretAccessKey"));
	json_decref(ev);
	free(events);
	json_decref(creds);
	json_decref(v);
	json_decref(k);
}
END_TEST

START_TEST(test_kept_with_the_change)
{
	char err[512];
	iams_service *s2;
	iams_options o = clocked_options(&now);

	user("alice");
	// Another handle on the store sees the change and its event.
	ck_assert_int_eq(iams_service_open(path, &o, &s2, err, sizeof(err)),
	    PDP_OK);
	json_t *r = call_as(s2, ROOT, "LookupEvents",
	    "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\","
	    "\"AttributeValue\":\"CreateUser\"}]}", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 1);
	json_decref(r);
	iams_service_close(s2);
	// A write that fails leaves no change and no successful event.
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"nobody\"}",
	    "NoSuchEntity");
	json_t *ev = only_event("DeleteUser");
	ck_assert_str_eq(field(ev, "errorCode"), "NoSuchEntity");
	json_decref(ev);
}
END_TEST

// sql runs statements on the service's store through a connection of
// its own.
static void
sql(const char *text)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

START_TEST(test_no_change_without_its_event)
{
	// Every event insert fails: a write is not acknowledged, nor kept,
	// and a read is not answered (fail closed).
	sql("CREATE TRIGGER no_events BEFORE INSERT ON events "
	    "BEGIN SELECT RAISE(ABORT, 'refused'); END");
	FAILS(s, ROOT, "CreateUser", "{\"UserName\":\"alice\"}",
	    "ServiceFailure");
	FAILS(s, ROOT, "GetUser", NULL, "ServiceFailure");
	sql("DROP TRIGGER no_events");
	FAILS(s, ROOT, "GetUser", "{\"UserName\":\"alice\"}", "NoSuchEntity");
	json_t *r = lookup_by("EventName", "CreateUser");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 0);
	json_decref(r);
}
END_TEST

START_TEST(test_lookup)
{
	char code[48];

	// Ten calls, a minute apart.
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof(name), "u%d", i);
		user(name);
		now += 60;
	}
	json_t *r = lookup(ROOT, NULL, code);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 10);
	ck_assert_ptr_null(json_object_get(r, "NextToken"));
	// Newest first.
	json_t *ev = record(r, 0);
	ck_assert_str_eq(field(ev, "requestParameters.userName"), "u9");
	json_decref(ev);
	json_decref(r);

	// Paging through the ten: 4, 4, 2, no event twice, oldest last.
	r = lookup(ROOT, json_pack("{s:i, s:[{s:s, s:s}]}", "MaxResults", 4,
	    "LookupAttributes", "AttributeKey", "EventName", "AttributeValue",
	    "CreateUser"), code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 4);
	char tok[64];
	snprintf(tok, sizeof(tok), "%s", field(r, "NextToken"));
	json_decref(r);
	r = lookup(ROOT, json_pack("{s:i, s:s, s:[{s:s, s:s}]}", "MaxResults",
	    4, "NextToken", tok, "LookupAttributes", "AttributeKey",
	    "EventName", "AttributeValue", "CreateUser"), code);
	ev = record(r, 0);
	ck_assert_str_eq(field(ev, "requestParameters.userName"), "u5");
	json_decref(ev);
	snprintf(tok, sizeof(tok), "%s", field(r, "NextToken"));
	json_decref(r);
	r = lookup(ROOT, json_pack("{s:i, s:s, s:[{s:s, s:s}]}", "MaxResults",
	    4, "NextToken", tok, "LookupAttributes", "AttributeKey",
	    "EventName", "AttributeValue", "CreateUser"), code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 2);
	ck_assert_ptr_null(json_object_get(r, "NextToken"));
	ev = record(r, 1);
	ck_assert_str_eq(field(ev, "requestParameters.userName"), "u0");
	json_decref(ev);
	json_decref(r);

	// The time range: u2 to u4 (inclusive), as ISO 8601 and as seconds.
	r = lookup(ROOT, json_pack("{s:s, s:I}", "StartTime",
	    "2025-06-15T15:08:40Z", "EndTime", (json_int_t) (T0 + 240)), code);
	ck_assert_msg(r != NULL, "%s", code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 3);
	json_decref(r);

	// The attributes.
	// Root's 10 calls and 5 lookups.
	r = lookup_by("Username", "root");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 15);
	ev = record(r, 0);
	char id[40];
	snprintf(id, sizeof(id), "%s", field(ev, "eventID"));
	json_decref(ev);
	json_decref(r);
	r = lookup_by("EventId", id);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 1);
	json_decref(r);
	r = lookup_by("ReadOnly", "true"); // the lookups so far
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 7);
	json_decref(r);
	r = lookup_by("ReadOnly", "false");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 10);
	json_decref(r);
	r = lookup_by("EventSource", "cloudtrail.amazonaws.com");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 9);
	ev = record(r, 0);
	ck_assert_str_eq(field(ev, "eventName"), "LookupEvents");
	json_decref(ev);
	json_decref(r);
	r = lookup_by("Username", "nobody");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 0);
	json_decref(r);

	// Errors.
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:i}", "MaxResults", 0),
	    code));
	ck_assert_str_eq(code, "InvalidMaxResultsException");
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:i}", "MaxResults", 51),
	    code));
	ck_assert_str_eq(code, "InvalidMaxResultsException");
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:I, s:I}", "StartTime",
	    (json_int_t) T0 + 10, "EndTime", (json_int_t) T0), code));
	ck_assert_str_eq(code, "InvalidTimeRangeException");
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:s}", "NextToken",
	    "not-a-token"), code));
	ck_assert_str_eq(code, "InvalidNextTokenException");
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}",
	    "LookupAttributes", "AttributeKey", "EventName", "AttributeValue",
	    "a", "AttributeKey", "Username", "AttributeValue", "b"), code));
	ck_assert_str_eq(code, "InvalidLookupAttributesException");
	ck_assert_ptr_null(lookup(ROOT, json_pack("{s:[{s:s, s:s}]}",
	    "LookupAttributes", "AttributeKey", "Colour", "AttributeValue",
	    "a"), code));
	ck_assert_str_eq(code, "InvalidLookupAttributesException");
	// ... and these failed lookups are events too.
	r = lookup_by("EventName", "LookupEvents");
	ev = record(r, 0);
	ck_assert_str_eq(field(ev, "errorCode"),
	    "InvalidLookupAttributesException");
	json_decref(ev);
	json_decref(r);
}
END_TEST

START_TEST(test_scope_and_authorization)
{
	char code[48];

	user("bob");
	user("admin");
	grant("admin", "cloudtrail:LookupEvents");
	OKJ(s, OTHER_ROOT, "CreateUser", json_pack("{s:s}", "UserName",
	    "carol"));
	// Each account sees its own events only.
	json_t *r = lookup_by("EventName", "CreateUser");
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 2);
	json_decref(r);
	r = lookup(OTHER_ROOT, NULL, code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 1);
	json_t *ev = record(r, 0);
	ck_assert_str_eq(field(ev, "requestParameters.userName"), "carol");
	ck_assert_str_eq(field(ev, "recipientAccountId"), OTHER);
	json_decref(ev);
	json_decref(r);
	// A user needs cloudtrail:LookupEvents.
	ck_assert_ptr_null(lookup(BOB, NULL, code));
	ck_assert_str_eq(code, "AccessDenied");
	r = lookup(ADMIN, NULL, code);
	ck_assert_msg(r != NULL, "%s", code);
	ev = record(r, 0);
	// Bob's denied lookup, the newest event before this one.
	ck_assert_str_eq(field(ev, "eventName"), "LookupEvents");
	ck_assert_str_eq(field(ev, "eventSource"), "cloudtrail.amazonaws.com");
	ck_assert_str_eq(field(ev, "errorCode"), "AccessDenied");
	ck_assert_str_eq(field(ev, "userIdentity.userName"), "bob");
	json_decref(ev);
	json_decref(r);
}
END_TEST

START_TEST(test_pruned_after_90_days)
{
	char code[48];

	user("old");
	now += 89 * DAY;
	user("new");
	json_t *r = lookup(ROOT, json_pack("{s:i}", "StartTime", 0), code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 2);
	json_decref(r);
	now += 2 * DAY; // "old" is 91 days old, "new" 2
	user("newer");
	r = lookup(ROOT, json_pack("{s:i}", "StartTime", 0), code);
	// new, newer and the lookup at day 89; old is gone.
	ck_assert_int_eq(json_array_size(json_object_get(r, "Events")), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *ev = record(r, i);
		const char *u = field(ev, "requestParameters.userName");
		ck_assert(u == NULL || strcmp(u, "old") != 0);
		json_decref(ev);
	}
	json_decref(r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_trail");
	TCase *tc = tcase_create("trail");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_root_event);
	tcase_add_test(tc, test_user_event);
	tcase_add_test(tc, test_session_event);
	tcase_add_test(tc, test_refused_signature);
	tcase_add_test(tc, test_federated_event);
	tcase_add_test(tc, test_no_secrets);
	tcase_add_test(tc, test_kept_with_the_change);
	tcase_add_test(tc, test_no_change_without_its_event);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_scope_and_authorization);
	tcase_add_test(tc, test_pruned_after_90_days);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
