// wire_test.c - the wire codec (proto/wire.c) without a server: requests
// and replies round-trip; the bounds check refuses what the spec's
// R-WIRE rules refuse; decoding reuses the zone.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "iam_pack.h"
#include "wire.h"

static pdpw_decoder dec;
static pdpw_encoder enc;

static void
setup(void)
{
	ck_assert_int_eq(pdpw_decoder_init(&dec, NULL, 0), PDPW_OK);
	pdpw_encoder_init(&enc);
}

static void
teardown(void)
{
	pdpw_decoder_fini(&dec);
	pdpw_encoder_fini(&enc);
}

START_TEST(test_wire_authorize_round_trip)
{
	const char *one[] = {"10.0.0.1"};
	const char *tags[] = {"a", "b"};
	pdpw_ctx ctx[] = {{"aws:SourceIp", one, 1, false},
	    {"aws:TagKeys", tags, 2, true}};
	pdpw_authz a = {.principal = "arn:aws:iam::1:user/u",
	    .action = "s3:GetObject", .resource = "arn:aws:s3:::b/k",
	    .resource_account = "222222222222",
	    .session_policy = "arn:aws:iam::1:policy/S", .context = ctx,
	    .ncontext = 2};
	pdpw_request q;
	const char *why;

	ck_assert_int_eq(pdpw_encode_authz_req(&enc, 42, PDPW_OP_EXPLAIN, &a),
	    PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	ck_assert_uint_eq(q.version, PDPW_VERSION);
	ck_assert_uint_eq(q.id, 42);
	ck_assert_int_eq(q.op, PDPW_OP_EXPLAIN);
	ck_assert_uint_eq(q.nitems, 1);
	const pdpw_authz *d = &q.items[0];
	ck_assert_str_eq(d->principal, a.principal);
	ck_assert_str_eq(d->action, a.action);
	ck_assert_str_eq(d->resource, a.resource);
	ck_assert_str_eq(d->resource_account, a.resource_account);
	ck_assert_str_eq(d->session_policy, a.session_policy);
	ck_assert_uint_eq(d->ncontext, 2);
	ck_assert_str_eq(d->context[0].key, "aws:SourceIp");
	ck_assert(!d->context[0].multi);
	ck_assert_str_eq(d->context[0].values[0], "10.0.0.1");
	ck_assert(d->context[1].multi);
	ck_assert_uint_eq(d->context[1].nvalues, 2);
	ck_assert_str_eq(d->context[1].values[1], "b");
}
END_TEST

START_TEST(test_wire_batch_and_results_round_trip)
{
	pdpw_authz v[3];
	pdpw_result res[3] = {{PDPW_OK, PDPW_ALLOW, NULL},
	    {PDPW_OK, PDPW_EXPLICIT_DENY, "denied"},
	    {PDPW_ENOENT, PDPW_ALLOW, "unknown principal"}};
	pdpw_request q;
	pdpw_reply r;
	const char *why;

	for (int i = 0; i < 3; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].principal = "p";
		v[i].action = "s3:GetObject";
	}
	ck_assert_int_eq(pdpw_encode_batch_req(&enc, 9, v, 3), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	ck_assert_int_eq(q.op, PDPW_OP_BATCH);
	ck_assert_uint_eq(q.nitems, 3);
	ck_assert_ptr_null(q.items[2].resource);

	ck_assert_int_eq(pdpw_encode_batch(&enc, 9, 5, res, 3), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_reply(&dec, enc.p, enc.n, &r, &why),
	    PDPW_OK);
	ck_assert_uint_eq(r.id, 9);
	ck_assert_uint_eq(r.revision, 5);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_uint_eq(r.nresults, 3);
	ck_assert_int_eq(r.results[0].decision, PDPW_ALLOW);
	ck_assert_int_eq(r.results[1].decision, PDPW_EXPLICIT_DENY);
	ck_assert_str_eq(r.results[1].reason, "denied");
	// R-WIRE-021: a result that could not decide is never an Allow,
	// whatever the caller put in its decision.
	ck_assert_int_eq(r.results[2].status, PDPW_ENOENT);
	ck_assert_int_eq(r.results[2].decision, PDPW_IMPLICIT_DENY);
	ck_assert_str_eq(r.results[2].reason, "unknown principal");
}
END_TEST

START_TEST(test_wire_error_reply_is_a_deny)
{
	pdpw_reply r;
	const char *why;

	ck_assert_int_eq(pdpw_encode_error(&enc, 3, PDPW_OP_AUTHORIZE,
	    PDPW_ETYPE, "principal: not a string", 8), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_reply(&dec, enc.p, enc.n, &r, &why),
	    PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_ETYPE);
	ck_assert_str_eq(r.error, "principal: not a string");
	ck_assert_int_eq(r.result.decision, PDPW_IMPLICIT_DENY);
	ck_assert_uint_eq(r.revision, 8);
	ck_assert_int_eq(r.op, PDPW_OP_AUTHORIZE);
}
END_TEST

START_TEST(test_wire_stats_round_trip)
{
	pdpw_stats s, *g;
	pdpw_reply r;
	const char *why;

	memset(&s, 0, sizeof(s));
	s.uptime_ms = 1234;
	s.workers = 2;
	s.requests = 99;
	s.decisions[PDPW_ALLOW] = 50;
	s.decisions[PDPW_EXPLICIT_DENY] = 7;
	s.errors[PDPW_ENOENT] = 3;
	s.errors[PDPW_EMALFORMED] = 2;
	s.latency_count = 60;
	s.latency_ns[0] = 1000;
	s.latency_ns[3] = 9000;
	s.latency_max_ns = 12000;
	s.reloads = 4;
	s.reload_failures = 1;
	s.dlog_enabled = true;
	s.dlog_dropped = 11;
	ck_assert_int_eq(pdpw_encode_stats(&enc, 1, 77, &s), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_reply(&dec, enc.p, enc.n, &r, &why),
	    PDPW_OK);
	g = &r.stats;
	ck_assert_uint_eq(g->uptime_ms, 1234);
	ck_assert_uint_eq(g->requests, 99);
	ck_assert_uint_eq(g->decisions[PDPW_ALLOW], 50);
	ck_assert_uint_eq(g->decisions[PDPW_EXPLICIT_DENY], 7);
	ck_assert_uint_eq(g->errors[PDPW_ENOENT], 3);
	ck_assert_uint_eq(g->errors[PDPW_EMALFORMED], 2);
	ck_assert_uint_eq(g->latency_ns[0], 1000);
	ck_assert_uint_eq(g->latency_ns[3], 9000);
	ck_assert_uint_eq(g->latency_max_ns, 12000);
	ck_assert_uint_eq(g->reloads, 4);
	ck_assert_uint_eq(g->reload_failures, 1);
	ck_assert(g->dlog_enabled);
	ck_assert_uint_eq(g->dlog_dropped, 11);
	ck_assert_uint_eq(r.revision, 77);
}
END_TEST

static int
check(const void *p, size_t n)
{
	pdpw_limits lim;
	const char *why;

	pdpw_limits_default(&lim);
	lim.max_depth = 4;
	lim.max_str = 8;
	lim.max_msg = 64;
	return pdpw_check(&lim, p, n, &why);
}

START_TEST(test_wire_check_limits)
{
	// R-WIRE-002: size; R-WIRE-003: depth; R-WIRE-004: string length.
	static const char big[65] = {0};
	ck_assert_int_eq(check(big, 65), PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x91\x91\x91\x91\x91\x01", 6),
	    PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x91\x91\x91\x91\x01", 5), PDPW_OK);
	ck_assert_int_eq(check("\xa9" "123456789", 10), PDPW_ETOOBIG);
	ck_assert_int_eq(check("\xa8" "12345678", 9), PDPW_OK);
	ck_assert_int_eq(check("\xc4\x09" "123456789", 11), PDPW_ETOOBIG);
	// Claimed sizes beyond the message.
	ck_assert_int_eq(check("\xdd\x7f\xff\xff\xff", 5), PDPW_EMALFORMED);
	ck_assert_int_eq(check("\xdf\x00\x00\x00\x02\x01\x01\x01", 8),
	    PDPW_EMALFORMED);
	ck_assert_int_eq(check("\xdb\x00\x00\x00\x04" "ab", 7),
	    PDPW_EMALFORMED);
	ck_assert_int_eq(check("\xcf\x00", 2), PDPW_EMALFORMED);
	// Only the top map's params (and session_token) may hold a string
	// longer than max-string: not a value after a scalar value and a
	// key that is no string, not a string nested anywhere.
	ck_assert_int_eq(check("\x81\xa6" "params" "\xb4"
	    "12345678901234567890", 29), PDPW_OK);
	ck_assert_int_eq(check("\x81\xa5" "other" "\xb4"
	    "12345678901234567890", 28), PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x82\xa6" "params" "\x01" "\x05" "\xb4"
	    "12345678901234567890", 31), PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x81\xa6" "params" "\x91\xb4"
	    "12345678901234567890", 30), PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x81\xa1" "a" "\x91\xa9" "123456789", 14),
	    PDPW_ETOOBIG);
	ck_assert_int_eq(check("\x81\xa1" "a" "\x91\xa8" "12345678", 13),
	    PDPW_OK);
	ck_assert_int_eq(check("\x81\xa1" "a" "\x91\xa8" "1234567", 12),
	    PDPW_EMALFORMED);
	ck_assert_int_eq(check("\xc1", 1), PDPW_EMALFORMED);
	ck_assert_int_eq(check("\x01\x02", 2), PDPW_EMALFORMED);
	ck_assert_int_eq(check("", 0), PDPW_EMALFORMED);
	// Every scalar form passes.
	ck_assert_int_eq(check("\x96\xc0\xc2\xcb\0\0\0\0\0\0\0\0\xd0\xff"
	    "\xd4\x01\x02\xff", 18), PDPW_OK);
}
END_TEST

START_TEST(test_wire_decoder_reuses_its_zone)
{
	pdpw_authz a = {.principal = "arn:aws:iam::1:user/u",
	    .action = "s3:GetObject"};
	pdpw_request q;
	const char *why;

	ck_assert_int_eq(pdpw_encode_authz_req(&enc, 1, PDPW_OP_AUTHORIZE,
	    &a), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	const char *first = q.items[0].principal;
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q,
		    &why), PDPW_OK);
	// The same bytes of the same chunk: nothing was allocated anew.
	ck_assert_ptr_eq(q.items[0].principal, first);
}
END_TEST

START_TEST(test_wire_context_values_as_text)
{
	msgpack_sbuffer sb;
	msgpack_packer p;
	pdpw_request q;
	const char *why;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&p, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&p, 5);
	msgpack_pack_str_with_body(&p, "v", 1);
	msgpack_pack_uint32(&p, 1);
	msgpack_pack_str_with_body(&p, "op", 2);
	msgpack_pack_str_with_body(&p, "authorize", 9);
	msgpack_pack_str_with_body(&p, "principal", 9);
	msgpack_pack_str_with_body(&p, "p", 1);
	msgpack_pack_str_with_body(&p, "action", 6);
	msgpack_pack_str_with_body(&p, "a:b", 3);
	msgpack_pack_str_with_body(&p, "context", 7);
	msgpack_pack_map(&p, 3);
	msgpack_pack_str_with_body(&p, "n", 1);
	msgpack_pack_int(&p, -12);
	msgpack_pack_str_with_body(&p, "b", 1);
	msgpack_pack_true(&p);
	msgpack_pack_str_with_body(&p, "f", 1);
	msgpack_pack_double(&p, 1.5);
	ck_assert_int_eq(pdpw_decode_request(&dec, sb.data, sb.size, &q, &why),
	    PDPW_ETYPE);
	msgpack_sbuffer_destroy(&sb);
}
END_TEST

START_TEST(test_wire_iam_round_trip)
{
	const char params[] = "{\"UserName\":\"alice\"}";
	pdpw_iam a = {"iam", "CreateUser", params, sizeof(params) - 1,
	    "AKIAEXAMPLE000000000", NULL, 1700000000, "ab12"};
	pdpw_request q;
	pdpw_reply r;
	const char *why;

	ck_assert_int_eq(pdpw_encode_iam_req(&enc, 9, &a), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	ck_assert_int_eq(q.op, PDPW_OP_IAM);
	ck_assert_uint_eq(q.id, 9);
	ck_assert_ptr_nonnull(q.iam);
	ck_assert_str_eq(q.iam->service, "iam");
	ck_assert_str_eq(q.iam->action, "CreateUser");
	ck_assert_uint_eq(q.iam->params_len, sizeof(params) - 1);
	ck_assert_str_eq(q.iam->params, params);
	ck_assert_str_eq(q.iam->access_key_id, "AKIAEXAMPLE000000000");
	ck_assert_ptr_null(q.iam->session_token);
	ck_assert_uint_eq(q.iam->timestamp, 1700000000);
	ck_assert_str_eq(q.iam->signature, "ab12");

	// A reply with AWS's response, then one with AWS's error.
	pdpw_iam_result ok = {"{\"User\":{}}", 11, NULL, NULL, 200};
	ck_assert_int_eq(pdpw_encode_iam(&enc, 9, 4, &ok), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_reply(&dec, enc.p, enc.n, &r, &why),
	    PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_uint_eq(r.revision, 4);
	ck_assert_str_eq(r.iam.result, "{\"User\":{}}");
	ck_assert_uint_eq(r.iam.http_status, 200);
	ck_assert_ptr_null(r.iam.aws_code);
	pdpw_iam_result bad = {NULL, 0, "NoSuchEntity", "no alice", 404};
	ck_assert_int_eq(pdpw_encode_iam(&enc, 9, 4, &bad), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_reply(&dec, enc.p, enc.n, &r, &why),
	    PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_ptr_null(r.iam.result);
	ck_assert_str_eq(r.iam.aws_code, "NoSuchEntity");
	ck_assert_str_eq(r.iam.aws_message, "no alice");
	ck_assert_uint_eq(r.iam.http_status, 404);
}
END_TEST

// pack_iam packs {v, op: iam, service, action, KEY: a string of n bytes}
// into buf; returns the length.
static size_t
pack_iam(char *buf, const char *key, size_t n, bool twice)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	th_pack_iam_head(&pk, "ListUsers", 1 + twice);
	for (int i = 0; i <= twice; i++) {
		th_pack_str(&pk, key);
		msgpack_pack_str(&pk, n);
		char *body = malloc(n);
		memset(body, 'x', n);
		msgpack_pack_str_body(&pk, body, n);
		free(body);
	}
	memcpy(buf, sb.data, sb.size);
	size_t len = sb.size;
	msgpack_sbuffer_destroy(&sb);
	return len;
}

// R-WIRE-004: a call's request fields (policy documents) may be longer
// than max-string; other strings may not; a field given twice is
// refused (R-WIRE-012); params is required.
START_TEST(test_wire_iam_limits)
{
	static char buf[64 << 10];
	pdpw_request q;
	const char *why;
	size_t n;

	n = pack_iam(buf, "params", 20000, false);
	ck_assert_int_eq(pdpw_decode_request(&dec, buf, n, &q, &why),
	    PDPW_OK);
	ck_assert_uint_eq(q.iam->params_len, 20000);
	n = pack_iam(buf, "signature", 20000, false);
	ck_assert_int_eq(pdpw_decode_request(&dec, buf, n, &q, &why),
	    PDPW_ETOOBIG);
	n = pack_iam(buf, "signature", 64, false);
	ck_assert_int_eq(pdpw_decode_request(&dec, buf, n, &q, &why),
	    PDPW_EINVAL);
	ck_assert_str_eq(why, "params is missing");
	n = pack_iam(buf, "params", 10, true);
	ck_assert_int_eq(pdpw_decode_request(&dec, buf, n, &q, &why),
	    PDPW_EINVAL);
	ck_assert_str_eq(why, "a field is given twice");
	// An authorize string stays held to max-string.
	pdpw_authz a = {0};
	char *big = malloc(5000);
	memset(big, 'p', 4999);
	big[4999] = '\0';
	a.principal = big;
	a.action = "s3:GetObject";
	ck_assert_int_eq(pdpw_encode_authz_req(&enc, 1, PDPW_OP_AUTHORIZE,
	    &a), PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_ETOOBIG);
	free(big);
}
END_TEST

// R-WIRE-013: the caller is named by principal, or by akid (with token
// for a session), never both; a request by akid carries no session
// policy of its own.
START_TEST(test_wire_caller_by_access_key_r013)
{
	pdpw_authz a = {.akid = "ASIAEXAMPLE000000001",
	    .token = "pdpst1.AAAA", .action = "s3:GetObject"};
	pdpw_request q;
	const char *why;

	ck_assert_int_eq(pdpw_encode_authz_req(&enc, 7, PDPW_OP_AUTHORIZE, &a),
	    PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	ck_assert_ptr_null(q.items[0].principal);
	ck_assert_str_eq(q.items[0].akid, a.akid);
	ck_assert_str_eq(q.items[0].token, a.token);
	a.token = NULL;
	a.akid = "AKIAEXAMPLE000000001";
	ck_assert_int_eq(pdpw_encode_authz_req(&enc, 7, PDPW_OP_AUTHORIZE, &a),
	    PDPW_OK);
	ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q, &why),
	    PDPW_OK);
	ck_assert_ptr_null(q.items[0].token);

	struct {
		const char *principal, *akid, *token, *session, *why;
	} bad[] = {
		{"arn:aws:iam::1:user/u", "AKIAEXAMPLE000000001", NULL, NULL,
		    "not both"},
		{"arn:aws:iam::1:user/u", NULL, "pdpst1.AAAA", NULL, "not both"},
		{NULL, NULL, "pdpst1.AAAA", NULL, "token without akid"},
		{NULL, "ASIAEXAMPLE000000001", "pdpst1.AAAA", "p",
		    "from its token"},
		{NULL, NULL, NULL, NULL, "principal is missing"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pdpw_authz b = {.principal = bad[i].principal,
		    .akid = bad[i].akid, .token = bad[i].token,
		    .session_policy = bad[i].session, .action = "s3:GetObject"};
		ck_assert_int_eq(pdpw_encode_authz_req(&enc, 1,
		    PDPW_OP_AUTHORIZE, &b), PDPW_OK);
		ck_assert_int_eq(pdpw_decode_request(&dec, enc.p, enc.n, &q,
		    &why), PDPW_EINVAL);
		ck_assert_msg(strstr(why, bad[i].why) != NULL, "%zu: %s", i,
		    why);
	}
	// The statuses of refused credentials have names.
	ck_assert_str_eq(pdpw_status_name(PDPW_EEXPIRED), "EEXPIRED");
	ck_assert_str_eq(pdpw_status_name(PDPW_EINACTIVE), "EINACTIVE");
	ck_assert_str_eq(pdpw_status_name(PDPW_EUNKNOWNKEY), "EUNKNOWNKEY");
	ck_assert_str_eq(pdpw_status_name(PDPW_EWRONGKEY), "EWRONGKEY");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("codec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wire_authorize_round_trip);
	tcase_add_test(tc, test_wire_batch_and_results_round_trip);
	tcase_add_test(tc, test_wire_error_reply_is_a_deny);
	tcase_add_test(tc, test_wire_stats_round_trip);
	tcase_add_test(tc, test_wire_check_limits);
	tcase_add_test(tc, test_wire_decoder_reuses_its_zone);
	tcase_add_test(tc, test_wire_context_values_as_text);
	tcase_add_test(tc, test_wire_iam_round_trip);
	tcase_add_test(tc, test_wire_iam_limits);
	tcase_add_test(tc, test_wire_caller_by_access_key_r013);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
