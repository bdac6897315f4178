// iam_test.c - pdpd serving an IAM store (pdpd --store): IAM calls over
// the wire (op iam) and their errors, request signatures and every way
// they fail, a user without IAM permissions denied, decisions that
// follow committed changes, authorization that keeps flowing while an
// IAM call waits on the store, and how --store is configured.

#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <msgpack.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"
#include "iam_pack.h"
#include "iams_auth.h"
#include "store.h"

#define ROOT "arn:aws:iam::111122223333:root"

typedef struct creds {
	char akid[32];
	char secret[64];
} creds;

static th_server srv;
static creds root_key, bob_key;
static atomic_uint_fast64_t next_id = 100;

// --- the store --------------------------------------------------------------

static json_t *
svc_call(iams_service *s, const char *caller, const char *op,
    const char *params)
{
	json_t *p = json_loads(params, 0, NULL), *resp = NULL;
	iams_error e;

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(iams_call(s, caller, op, p, &resp, &e) == PDP_OK,
	    "%s: %s: %s", op, e.code, e.message);
	json_decref(p);
	return resp;
}

static void
new_key(iams_service *s, const char *params, creds *out)
{
	json_t *r = svc_call(s, ROOT, "CreateAccessKey", params);
	json_t *k = json_object_get(r, "AccessKey");

	snprintf(out->akid, sizeof(out->akid), "%s", json_string_value(
	    json_object_get(k, "AccessKeyId")));
	snprintf(out->secret, sizeof(out->secret), "%s", json_string_value(
	    json_object_get(k, "SecretAccessKey")));
	json_decref(r);
}

// make_store: the account with its root (and root's access key), alice
// without any policy, bob without any policy and with an access key.
static void
make_store(void)
{
	uint8_t key[IAMS_KEY_LEN];
	iams_options opt = {.store_key = key, .argon2_kib = 64};
	iams_service *s = NULL;
	iams_error e;
	char err[512];

	ck_assert_msg(iams_keyfile_load(srv.store, true, key, err,
	    sizeof(err)) == PDP_OK, "%s", err);
	ck_assert_msg(iams_service_open(srv.store, &opt, &s, err,
	    sizeof(err)) == PDP_OK, "%s", err);
	ck_assert_int_eq(iams_account_create(s, TH_ACCOUNT, &e), PDP_OK);
	json_decref(svc_call(s, ROOT, "CreateUser", "{\"UserName\":\"alice\"}"));
	json_decref(svc_call(s, ROOT, "CreateUser", "{\"UserName\":\"bob\"}"));
	new_key(s, "{}", &root_key);
	new_key(s, "{\"UserName\":\"bob\"}", &bob_key);
	iams_service_close(s);
}

static void
setup_store(const char *const *args)
{
	th_setup(&srv, false);
	th_use_store(&srv);
	make_store();
	ck_assert_int_eq(th_start(&srv, args), 0);
}

static void
teardown(void)
{
	if (srv.pid > 0)
		ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	th_cleanup(&srv);
}

// --- calls --------------------------------------------------------------------

// One IAM call, and the ways a test may spoil its signature.
typedef struct call {
	const char *service;     // NULL: "iam"
	const char *action;
	const char *params;      // NULL: "{}"
	const creds *key;        // NULL: no credentials at all
	const char *akid;        // overrides key->akid
	const char *secret;      // overrides key->secret when signing
	const char *token;       // a session token
	int64_t skew;            // seconds added to the timestamp
	uint64_t sign_id;        // nonzero: sign this id, send another
	const char *sign_params; // sign these params, send `params`
	const char *signature;   // send this instead of the signature
} call;

static void
do_call(pdpc_client *c, const call *k, pdpw_reply *r)
{
	char sig[IAMS_SIG_HEX + 1];
	uint64_t id = atomic_fetch_add(&next_id, 1);
	const char *params = k->params ? k->params : "{}";
	const char *secret = k->secret ? k->secret :
	    k->key ? k->key->secret : NULL;
	pdpw_iam q = {k->service ? k->service : "iam", k->action, params,
	    strlen(params), k->akid ? k->akid : k->key ? k->key->akid : NULL,
	    k->token, (uint64_t) (time(NULL) + k->skew), NULL};

	if (secret != NULL) {
		const char *sp = k->sign_params ? k->sign_params : params;
		iams_signed sg = {q.service, q.action, sp, strlen(sp),
		    k->sign_id ? k->sign_id : id, q.timestamp,
		    q.access_key_id, q.session_token, NULL};
		ck_assert_int_eq(iams_sign(secret, &sg, sig), PDP_OK);
		q.signature = sig;
	}
	if (k->signature != NULL)
		q.signature = k->signature;
	ck_assert_msg(pdpc_iam(c, id, &q, r) == PDPW_OK, "%s",
	    pdpc_errmsg(c));
}

// ok checks that the call succeeded and returns AWS's response.
static json_t *
ok(const pdpw_reply *r)
{
	ck_assert_int_eq(r->status, PDPW_OK);
	ck_assert_msg(r->iam.aws_code == NULL, "%s: %s", r->iam.aws_code,
	    r->iam.aws_message);
	ck_assert_uint_eq(r->iam.http_status, 200);
	json_t *j = json_loadb(r->iam.result, r->iam.result_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	return j;
}

static void
aws_error(const pdpw_reply *r, const char *code, uint32_t http)
{
	ck_assert_int_eq(r->status, PDPW_OK);
	ck_assert_ptr_null(r->iam.result);
	ck_assert_ptr_nonnull(r->iam.aws_code);
	ck_assert_str_eq(r->iam.aws_code, code);
	ck_assert_uint_eq(r->iam.http_status, http);
	ck_assert(r->iam.aws_message != NULL && r->iam.aws_message[0]);
}

static void
root_ok(pdpc_client *c, const char *action, const char *params,
    pdpw_reply *r)
{
	call k = {.action = action, .params = params, .key = &root_key};

	do_call(c, &k, r);
	json_decref(ok(r));
}

static int
decide(pdpc_client *c, const char *principal, const char *action,
    const char *resource, uint64_t *rev)
{
	pdpw_authz a = th_authz(principal, action, resource);
	pdpw_reply r;

	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	ck_assert_msg(r.status == PDPW_OK, "%s", r.error);
	if (rev != NULL)
		*rev = r.revision;
	return r.result.decision;
}

// --- tests ----------------------------------------------------------------------

START_TEST(test_iam_calls_and_their_errors)
{
	pdpc_client *c;
	pdpw_reply r;
	uint64_t rev0;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	decide(c, TH_ALICE, "s3:GetObject", NULL, &rev0);
	// A call that writes answers AWS's response and the revision that
	// is live once it committed.
	call k = {.action = "CreateUser", .params = "{\"UserName\":\"carol\","
	    "\"Path\":\"/staff/\"}", .key = &root_key};
	do_call(c, &k, &r);
	json_t *j = ok(&r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "User"), "Arn")), "arn:aws:iam::111122223333:user/staff/carol");
	json_decref(j);
	ck_assert_uint_gt(r.revision, rev0);
	// AWS's errors, with AWS's codes and HTTP statuses.
	do_call(c, &k, &r);
	aws_error(&r, "EntityAlreadyExists", 409);
	k.action = "FlyToTheMoon";
	do_call(c, &k, &r);
	aws_error(&r, "InvalidAction", 400);
	call bad = {.action = "ListUsers", .params = "[1]", .key = &root_key};
	do_call(c, &bad, &r);
	aws_error(&r, "ValidationError", 400);
	bad.params = "{\"a\":";
	do_call(c, &bad, &r);
	aws_error(&r, "ValidationError", 400);
	bad.params = "{\"a\":1,\"a\":2}"; // duplicate keys are refused
	do_call(c, &bad, &r);
	aws_error(&r, "ValidationError", 400);
	// An action of the other service.
	call sts = {.service = "sts", .action = "CreateUser",
	    .key = &root_key};
	do_call(c, &sts, &r);
	aws_error(&r, "InvalidAction", 400);
	sts.service = "iam";
	sts.action = "GetCallerIdentity";
	do_call(c, &sts, &r);
	aws_error(&r, "InvalidAction", 400);
	// A service pdpd does not serve is not an IAM request at all.
	call ec2 = {.service = "ec", .action = "RunInstances",
	    .key = &root_key};
	do_call(c, &ec2, &r);
	ck_assert_int_eq(r.status, PDPW_EINVAL);
	ck_assert_ptr_nonnull(strstr(r.error, "service"));
	// Reads, with the response in AWS's shape.
	call list = {.action = "ListUsers", .params = "{\"PathPrefix\":"
	    "\"/staff/\"}", .key = &root_key};
	do_call(c, &list, &r);
	j = ok(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "Users")), 1);
	json_decref(j);
	// There is no bundle file to reload; health and stats still work.
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_EDENIED);
	ck_assert_ptr_nonnull(strstr(r.error, "IAM store"));
	ck_assert_int_eq(pdpc_health(c, &r), PDPW_OK);
	ck_assert(r.health.serving);
	ck_assert_int_eq(pdpc_stats(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_uint_ge(r.stats.requests, 10);
	pdpc_close(c);
}
END_TEST

// raw sends {v, id, op: iam, service, action, params, FIELD: VALUE...}
// built by `extra`, for what a well-behaved client never sends.
static void
raw(pdpc_client *c, void (*extra)(msgpack_packer *), uint32_t nextra,
    pdpw_reply *r)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	th_pack_iam_head(&pk, "ListUsers", 2 + nextra);
	th_pack_str(&pk, "id");
	msgpack_pack_uint32(&pk, 5);
	th_pack_str(&pk, "params");
	th_pack_str(&pk, "{}");
	extra(&pk);
	ck_assert_int_eq(pdpc_call(c, sb.data, sb.size, r), PDPW_OK);
	msgpack_sbuffer_destroy(&sb);
}

static void
extra_text_time(msgpack_packer *pk)
{
	th_pack_str(pk, "timestamp");
	th_pack_str(pk, "now");
}

static void
extra_twice(msgpack_packer *pk)
{
	th_pack_str(pk, "action");
	th_pack_str(pk, "DeleteUser");
}

static void
extra_none(msgpack_packer *pk)
{
	(void) pk;
}

START_TEST(test_iam_malformed_messages)
{
	pdpc_client *c;
	pdpw_reply r;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	raw(c, extra_text_time, 1, &r);
	ck_assert_int_eq(r.status, PDPW_ETYPE);
	raw(c, extra_twice, 1, &r);
	ck_assert_int_eq(r.status, PDPW_EINVAL);
	// Well formed, but with no credentials: AWS's answer.
	raw(c, extra_none, 0, &r);
	aws_error(&r, "MissingAuthenticationToken", 403);
	call k = {.action = "ListUsers", .key = &root_key,
	    .signature = "not hex"};
	do_call(c, &k, &r);
	aws_error(&r, "IncompleteSignature", 400);
	pdpc_close(c);
}
END_TEST

START_TEST(test_iam_signature_failures)
{
	char zeros[IAMS_SIG_HEX + 1];
	pdpc_client *c;
	pdpw_reply r;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	memset(zeros, '0', IAMS_SIG_HEX);
	zeros[IAMS_SIG_HEX] = '\0';
	call k = {.action = "ListUsers", .key = &root_key, .signature = zeros};
	do_call(c, &k, &r); // a bad signature
	aws_error(&r, "SignatureDoesNotMatch", 403);
	call wrong = {.action = "ListUsers", .key = &root_key,
	    .secret = bob_key.secret}; // signed with another key's secret
	do_call(c, &wrong, &r);
	aws_error(&r, "SignatureDoesNotMatch", 403);
	call tampered = {.action = "CreateUser", .key = &root_key,
	    .params = "{\"UserName\":\"mallory\"}", .sign_params = "{}"};
	do_call(c, &tampered, &r); // fields changed after signing
	aws_error(&r, "SignatureDoesNotMatch", 403);
	call replayed = {.action = "ListUsers", .key = &root_key,
	    .sign_id = 1}; // the signature of another request id
	do_call(c, &replayed, &r);
	aws_error(&r, "SignatureDoesNotMatch", 403);
	call old = {.action = "ListUsers", .key = &root_key, .skew = -301};
	do_call(c, &old, &r); // expired
	aws_error(&r, "RequestExpired", 400);
	old.skew = 301; // from the future
	do_call(c, &old, &r);
	aws_error(&r, "RequestExpired", 400);
	old.skew = -250; // within five minutes
	do_call(c, &old, &r);
	json_decref(ok(&r));
	call unknown = {.action = "ListUsers", .key = &root_key,
	    .akid = "AKIAUNKNOWNKEY000000"};
	do_call(c, &unknown, &r);
	aws_error(&r, "InvalidClientTokenId", 403);
	// Session credentials are not verified yet (STS fills the branch).
	call session = {.action = "ListUsers", .key = &root_key,
	    .akid = "ASIAEXAMPLESESSION00", .token = "token"};
	do_call(c, &session, &r);
	aws_error(&r, "InvalidClientTokenId", 403);
	session.akid = NULL; // a token with a long-term key
	do_call(c, &session, &r);
	aws_error(&r, "InvalidClientTokenId", 403);
	// An inactive key is refused as an unknown one is.
	char params[256];
	snprintf(params, sizeof(params), "{\"UserName\":\"bob\","
	    "\"AccessKeyId\":\"%s\",\"Status\":\"Inactive\"}", bob_key.akid);
	root_ok(c, "UpdateAccessKey", params, &r);
	call bob = {.action = "ListUsers", .key = &bob_key};
	do_call(c, &bob, &r);
	aws_error(&r, "InvalidClientTokenId", 403);
	snprintf(params, sizeof(params), "{\"UserName\":\"bob\","
	    "\"AccessKeyId\":\"%s\",\"Status\":\"Active\"}", bob_key.akid);
	root_ok(c, "UpdateAccessKey", params, &r);
	do_call(c, &bob, &r); // authenticated again, and then not allowed
	aws_error(&r, "AccessDenied", 403);
	// Its use is recorded: GetAccessKeyLastUsed.
	snprintf(params, sizeof(params), "{\"AccessKeyId\":\"%s\"}",
	    bob_key.akid);
	call lu = {.action = "GetAccessKeyLastUsed", .params = params,
	    .key = &root_key};
	do_call(c, &lu, &r);
	json_t *j = ok(&r);
	json_t *u = json_object_get(j, "AccessKeyLastUsed");
	ck_assert_str_eq(json_string_value(json_object_get(u, "ServiceName")),
	    "iam");
	ck_assert_ptr_nonnull(json_object_get(u, "LastUsedDate"));
	json_decref(j);
	pdpc_close(c);
}
END_TEST

START_TEST(test_iam_user_without_permissions_is_denied)
{
	pdpc_client *c;
	pdpw_reply r;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	call k = {.action = "ListUsers", .key = &bob_key};
	do_call(c, &k, &r);
	aws_error(&r, "AccessDenied", 403);
	ck_assert_ptr_nonnull(strstr(r.iam.aws_message, TH_BOB));
	call create = {.action = "CreateUser", .params = "{\"UserName\":"
	    "\"eve\"}", .key = &bob_key};
	do_call(c, &create, &r);
	aws_error(&r, "AccessDenied", 403);
	// Root grants it; the next call is allowed.
	root_ok(c, "CreatePolicy", "{\"PolicyName\":\"list\",\"PolicyDocument"
	    "\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"iam:ListUsers\\\","
	    "\\\"Resource\\\":\\\"*\\\"}]}\"}", &r);
	root_ok(c, "AttachUserPolicy", "{\"UserName\":\"bob\",\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/list\"}", &r);
	do_call(c, &k, &r);
	json_t *j = ok(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "Users")), 2);
	json_decref(j);
	do_call(c, &create, &r); // still not CreateUser
	aws_error(&r, "AccessDenied", 403);
	pdpc_close(c);
}
END_TEST

#define READ_POLICY "{\"PolicyName\":\"read\",\"PolicyDocument\":\"{" \
	"\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{" \
	"\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\"," \
	"\\\"Resource\\\":\\\"arn:aws:s3:::reports/*\\\"}]}\"}"
#define ALICE_READ "{\"UserName\":\"alice\",\"PolicyArn\":" \
	"\"arn:aws:iam::111122223333:policy/read\"}"
#define REPORT "arn:aws:s3:::reports/q1.csv"

START_TEST(test_iam_decisions_follow_commits)
{
	pdpc_client *c;
	pdpw_reply r;
	uint64_t rev;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", REPORT, NULL),
	    PDPW_IMPLICIT_DENY);
	root_ok(c, "CreatePolicy", READ_POLICY, &r);
	root_ok(c, "AttachUserPolicy", ALICE_READ, &r);
	uint64_t committed = r.revision;
	// The first request after the reply is decided by the change.
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", REPORT, &rev),
	    PDPW_ALLOW);
	ck_assert_uint_ge(rev, committed);
	root_ok(c, "DetachUserPolicy", ALICE_READ, &r);
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", REPORT, &rev),
	    PDPW_IMPLICIT_DENY);
	ck_assert_uint_ge(rev, r.revision);
	// A user created over the wire is a principal at once.
	pdpw_authz a = th_authz("arn:aws:iam::111122223333:user/dan",
	    "s3:GetObject", REPORT);
	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_ENOENT);
	root_ok(c, "CreateUser", "{\"UserName\":\"dan\"}", &r);
	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_int_eq(r.result.decision, PDPW_IMPLICIT_DENY);
	pdpc_close(c);
}
END_TEST

// decide_as decides a request whose caller is named by access key id
// (and session token) and returns the reply's status, or the decision
// when the status is OK.
static int
decide_as(pdpc_client *c, const char *akid, const char *token,
    const char *action, const char *resource)
{
	pdpw_authz a = th_authz(NULL, action, resource);
	pdpw_reply r;

	a.akid = akid;
	a.token = token;
	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	return r.status == PDPW_OK ? r.result.decision : -r.status;
}

// pdpd --store decides callers named by credentials with the store's
// own keys: a long-term key by the bundle's key table, a session token
// issued over the wire by the store's STS keyring, still after the
// keyring rotates (old keys open, the new key seals).
START_TEST(test_iam_decides_by_credentials)
{
	pdpc_client *c;
	pdpw_reply r;

	setup_store(NULL);
	c = th_client(&srv, 5000);
	root_ok(c, "CreatePolicy", READ_POLICY, &r);
	root_ok(c, "AttachUserPolicy", "{\"UserName\":\"bob\",\"PolicyArn\":"
	    "\"arn:aws:iam::111122223333:policy/read\"}", &r);
	ck_assert_int_eq(decide_as(c, bob_key.akid, NULL, "s3:GetObject",
	    REPORT), PDPW_ALLOW);
	ck_assert_int_eq(decide_as(c, "AKIAUNKNOWN000000000", NULL,
	    "s3:GetObject", REPORT), -PDPW_ENOENT);

	// bob's session (GetSessionToken) decides as bob.
	call k = {.service = "sts", .action = "GetSessionToken",
	    .key = &bob_key};
	do_call(c, &k, &r);
	json_t *j = ok(&r), *cr = json_object_get(j, "Credentials");
	char akid[32], token[8192];
	snprintf(akid, sizeof(akid), "%s", json_string_value(
	    json_object_get(cr, "AccessKeyId")));
	snprintf(token, sizeof(token), "%s", json_string_value(
	    json_object_get(cr, "SessionToken")));
	json_decref(j);
	ck_assert_int_eq(decide_as(c, akid, token, "s3:GetObject", REPORT),
	    PDPW_ALLOW);
	ck_assert_int_eq(decide_as(c, akid, token, "s3:PutObject", REPORT),
	    PDPW_IMPLICIT_DENY);
	token[strlen(token) / 2] ^= 1; // tampered
	ck_assert_int_lt(decide_as(c, akid, token, "s3:GetObject", REPORT), 0);
	token[strlen(token) / 2] ^= 1;

	// After a rotation the old token still opens, and a new one too.
	call rot = {.service = "sts", .action = "RotateSessionKeys",
	    .key = &root_key};
	do_call(c, &rot, &r);
	json_decref(ok(&r));
	ck_assert_int_eq(decide_as(c, akid, token, "s3:GetObject", REPORT),
	    PDPW_ALLOW);
	do_call(c, &k, &r);
	j = ok(&r);
	cr = json_object_get(j, "Credentials");
	ck_assert_int_eq(decide_as(c, json_string_value(json_object_get(cr,
	    "AccessKeyId")), json_string_value(json_object_get(cr,
	    "SessionToken")), "s3:GetObject", REPORT), PDPW_ALLOW);
	json_decref(j);
	pdpc_close(c);
}
END_TEST

typedef struct iam_caller {
	pthread_t thr;
	atomic_bool done;
	pdpw_reply r;
	char user[32];
} iam_caller;

static void *
iam_caller_main(void *arg)
{
	iam_caller *ic = arg;
	pdpc_client *c = th_client(&srv, 30000);
	char params[64];

	snprintf(params, sizeof(params), "{\"UserName\":\"%s\"}", ic->user);
	call k = {.action = "CreateUser", .params = params, .key = &root_key};
	do_call(c, &k, &ic->r);
	atomic_store(&ic->done, true);
	pdpc_close(c);
	return NULL;
}

static uint64_t
requests(pdpc_client *c)
{
	pdpw_reply r;

	ck_assert_int_eq(pdpc_stats(c, &r), PDPW_OK);
	return r.stats.requests;
}

// stall locks the store with a write transaction of its own, starts a
// CreateUser of `user` in ic, and returns once a worker has taken the
// call (each stats request counts itself; the IAM call makes one more):
// the call then waits on the store until release.
static iams_store *
stall(pdpc_client *c, iam_caller *ic, const char *user)
{
	iams_store *lock = NULL;
	char err[256];

	ck_assert_int_eq(iams_store_open(srv.store, &lock, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(iams_store_begin(lock, true), PDP_OK);
	memset(ic, 0, sizeof(*ic));
	snprintf(ic->user, sizeof(ic->user), "%s", user);
	uint64_t base = requests(c), polls = 0;
	ck_assert_int_eq(pthread_create(&ic->thr, NULL, iam_caller_main, ic),
	    0);
	while (requests(c) != base + ++polls + 1)
		ck_assert_uint_lt(polls, 5000);
	return lock;
}

// release lets the stalled call commit and checks that it succeeded.
static void
release(iams_store *lock, iam_caller *ic)
{
	iams_store_rollback(lock);
	iams_store_close(lock);
	pthread_join(ic->thr, NULL);
	json_decref(ok(&ic->r));
}

// With one worker, an IAM call that cannot commit (the test holds the
// store's write lock) must not hold the decision context: authorize
// requests are answered while it waits, then it completes.
START_TEST(test_iam_call_does_not_stall_decisions)
{
	static const char *const one[] = {"--workers", "1", NULL};
	iam_caller ic;
	pdpc_client *c;

	setup_store(one);
	c = th_client(&srv, 5000);
	// The one worker took the call, which waits on the store.
	iams_store *lock = stall(c, &ic, "waiting");
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", REPORT,
		    NULL), PDPW_IMPLICIT_DENY);
	// The call cannot have committed: the store is still locked.
	ck_assert(!atomic_load(&ic.done));
	release(lock, &ic);
	pdpc_close(c);
}
END_TEST

// More calls than --iam-queue allows are answered Throttling at once,
// by the worker, while the queue's call waits on the store.
START_TEST(test_iam_queue_full_is_throttling)
{
	static const char *const one[] = {"--iam-queue", "1", NULL};
	iam_caller ic;
	pdpc_client *c;
	pdpw_reply r;

	setup_store(one);
	c = th_client(&srv, 5000);
	iams_store *lock = stall(c, &ic, "first");
	call k = {.action = "CreateUser", .params = "{\"UserName\":"
	    "\"second\"}", .key = &root_key};
	do_call(c, &k, &r);
	aws_error(&r, "Throttling", 400);
	ck_assert(!atomic_load(&ic.done));
	release(lock, &ic);
	// Room again once the IAM thread has sent its reply and counted
	// the call out, which may be just after the reply arrived.
	for (int i = 0; i < 500; i++) {
		do_call(c, &k, &r);
		if (r.iam.aws_code == NULL ||
		    strcmp(r.iam.aws_code, "Throttling") != 0)
			break;
		usleep(10000);
	}
	json_decref(ok(&r));
	pdpc_close(c);
}
END_TEST

typedef struct hammer {
	pthread_t thr;
	atomic_bool *stop;
	uint64_t ok, failed;
} hammer;

static void *
hammer_main(void *arg)
{
	hammer *h = arg;
	pdpc_client *c = th_client(&srv, 5000);
	pdpw_authz a = th_authz(TH_ALICE, "s3:GetObject", REPORT);
	pdpw_reply r;

	while (!atomic_load(h->stop)) {
		if (pdpc_authorize(c, &a, &r) == PDPW_OK &&
		    r.status == PDPW_OK)
			h->ok++;
		else
			h->failed++;
	}
	pdpc_close(c);
	return NULL;
}

// Decisions keep flowing, none failing, while IAM writes commit and
// swap the bundle under them.
START_TEST(test_iam_writes_under_load_fail_no_decision)
{
	atomic_bool stop = false;
	hammer h[2];
	pdpc_client *c;
	pdpw_reply r;
	char params[64];

	setup_store(NULL);
	c = th_client(&srv, 30000);
	for (int i = 0; i < 2; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].stop = &stop;
		ck_assert_int_eq(pthread_create(&h[i].thr, NULL, hammer_main,
		    &h[i]), 0);
	}
	root_ok(c, "CreatePolicy", READ_POLICY, &r);
	for (int i = 0; i < 10; i++) {
		snprintf(params, sizeof(params), "{\"UserName\":\"u%d\"}", i);
		root_ok(c, "CreateUser", params, &r);
		root_ok(c, i % 2 ? "DetachUserPolicy" : "AttachUserPolicy",
		    ALICE_READ, &r);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(h[i].thr, NULL);
		ck_assert_uint_eq(h[i].failed, 0);
		ck_assert_uint_gt(h[i].ok, 0);
	}
	pdpc_close(c);
}
END_TEST

// A pdpd serving a bundle file has no IAM service to call.
START_TEST(test_iam_needs_a_store)
{
	pdpc_client *c;
	pdpw_reply r;

	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	c = th_client(&srv, 5000);
	call k = {.action = "ListUsers", .key = &root_key};
	snprintf(root_key.akid, sizeof(root_key.akid), "AKIANOSTORE000000000");
	snprintf(root_key.secret, sizeof(root_key.secret), "secret");
	do_call(c, &k, &r);
	ck_assert_int_eq(r.status, PDPW_EDENIED);
	ck_assert_ptr_nonnull(strstr(r.error, "--store"));
	pdpc_close(c);
}
END_TEST

// --store from a config file; SIGHUP ignored with a log line; what
// pdpd refuses to serve: no store, a store without an account, --store
// with --bundle or --plugins. --help documents it.
START_TEST(test_iam_store_configuration)
{
	static char out[16384];
	char conf[256], body[512], url[256];

	th_setup(&srv, false);
	th_use_store(&srv);
	const char *help[] = {TH_PDPD, "--help", NULL};
	ck_assert_int_eq(th_run(help, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "--store PATH"));
	snprintf(url, sizeof(url), "ipc://%s/other.ipc", srv.dir);
	const char *none[] = {TH_PDPD, "--store", srv.store, "--listen", url,
	    NULL};
	ck_assert_int_eq(th_run(none, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "no store"));
	ck_assert_int_ne(access(srv.store, F_OK), 0); // and made none
	const char *both[] = {TH_PDPD, "--store", srv.store, "--bundle", "b",
	    "--listen", url, NULL};
	ck_assert_int_eq(th_run(both, out, sizeof(out)), 2);
	const char *plug[] = {TH_PDPD, "--store", srv.store, "--plugins", "d",
	    "--listen", url, NULL};
	ck_assert_int_eq(th_run(plug, out, sizeof(out)), 2);
	// A store without an account has nothing to decide with.
	uint8_t key[IAMS_KEY_LEN];
	iams_options opt = {.store_key = key};
	iams_service *s;
	ck_assert_int_eq(iams_keyfile_load(srv.store, true, key, body,
	    sizeof(body)), PDP_OK);
	ck_assert_int_eq(iams_service_open(srv.store, &opt, &s, body,
	    sizeof(body)), PDP_OK);
	ck_assert_int_eq(th_run(none, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "holds no account"));
	iams_error e;
	ck_assert_int_eq(iams_account_create(s, TH_ACCOUNT, &e), PDP_OK);
	iams_service_close(s);
	// From the config file, the store is served.
	snprintf(conf, sizeof(conf), "%s/pdpd.conf", srv.dir);
	snprintf(body, sizeof(body), "store = %s\nlisten = %s\n", srv.store,
	    srv.url);
	ck_assert_int_eq(th_write_file(conf, body, strlen(body)), 0);
	const char *argv[] = {TH_PDPD, "--config", conf, NULL};
	ck_assert_int_eq(th_spawn(&srv, argv), 0);
	kill(srv.pid, SIGHUP);
	char *log = NULL;
	for (int i = 0; i < 500; i++) {
		free(log);
		log = th_log(&srv);
		if (strstr(log, "reload_ignored") != NULL)
			break;
		usleep(10000);
	}
	ck_assert_ptr_nonnull(strstr(log, "reload_ignored"));
	free(log);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("pdpd_iam");
	TCase *tc = tcase_create("iam");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_iam_calls_and_their_errors);
	tcase_add_test(tc, test_iam_malformed_messages);
	tcase_add_test(tc, test_iam_signature_failures);
	tcase_add_test(tc, test_iam_user_without_permissions_is_denied);
	tcase_add_test(tc, test_iam_decisions_follow_commits);
	tcase_add_test(tc, test_iam_call_does_not_stall_decisions);
	tcase_add_test(tc, test_iam_queue_full_is_throttling);
	tcase_add_test(tc, test_iam_writes_under_load_fail_no_decision);
	tcase_add_test(tc, test_iam_needs_a_store);
	tcase_add_test(tc, test_iam_store_configuration);
	tcase_add_test(tc, test_iam_decides_by_credentials);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
