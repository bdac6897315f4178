// helpers.h - shared by the IAM service tests: a fresh store per test
// and one-line calls with parameters written as JSON text.

#ifndef TESTS_IAM_HELPERS_H
#define TESTS_IAM_HELPERS_H

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iams.h"
#include "totp.h"

#define ACCT "111122223333"
#define ROOT "arn:aws:iam::111122223333:root"

static const uint8_t test_key[IAMS_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

// test_clock is a clock for iams_options: the int64_t that clock_arg
// points to, which the test moves instead of sleeping.
static inline int64_t
test_clock(void *arg)
{
	return *(const int64_t *) arg;
}

// open_service_with opens a service with options `opt` on a new
// temporary store with the test account created; the path is written to
// `path` (64 bytes).
static inline iams_service *
open_service_with(char *path, const iams_options *opt)
{
	iams_service *s = NULL;
	iams_error e;
	char err[512];
	int fd;

	snprintf(path, 64, "/tmp/iam_test_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	ck_assert_msg(iams_service_open(path, opt, &s, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	ck_assert_int_eq(iams_account_create(s, ACCT, &e), PDP_OK);
	return s;
}

// clocked_options are the tests' options on the test clock, which reads
// *now.
static inline iams_options
clocked_options(int64_t *now)
{
	iams_options o = {.store_key = test_key, .argon2_kib = 64,
	    .clock = test_clock, .clock_arg = now};

	return o;
}

// open_clocked opens a service on the test clock, set to `start`, with
// the test account and a second account `other`.
static inline iams_service *
open_clocked(char *path, int64_t *now, int64_t start, const char *other)
{
	iams_options o = clocked_options(now);
	iams_service *s;
	iams_error e;

	*now = start;
	s = open_service_with(path, &o);
	ck_assert_int_eq(iams_account_create(s, other, &e), PDP_OK);
	return s;
}

// open_service is open_service_with the tests' options.
static inline iams_service *
open_service(char *path, uint32_t users_max)
{
	iams_options opt = {.store_key = test_key, .users_max = users_max,
	    .argon2_kib = 64};

	return open_service_with(path, &opt);
}

static inline void
close_service(iams_service *s, const char *path)
{
	char p[80];

	iams_service_close(s);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

// call runs `op` with params from JSON text; returns the response (NULL
// on an error, whose code goes to *code when given).
static inline json_t *
call_as(iams_service *s, const char *caller, const char *op,
    const char *params, char *code)
{
	json_t *p = params ? json_loads(params, 0, NULL) : NULL;
	json_t *r = NULL;
	iams_error e;

	ck_assert_msg(params == NULL || p != NULL, "bad test JSON: %s",
	    params);
	memset(&e, 0, sizeof(e));
	int rv = iams_call(s, caller, op, p, &r, &e);
	json_decref(p);
	if (code != NULL)
		snprintf(code, 48, "%s", rv == PDP_OK ? "" : e.code);
	return rv == PDP_OK ? r : NULL;
}

// call_j is call_as with params as a JSON value (reference stolen).
static inline json_t *
call_j(iams_service *s, const char *caller, const char *op, json_t *p,
    char *code)
{
	json_t *r = NULL;
	iams_error e;

	memset(&e, 0, sizeof(e));
	int rv = iams_call(s, caller, op, p, &r, &e);
	json_decref(p);
	if (code != NULL)
		snprintf(code, 48, "%s", rv == PDP_OK ? "" : e.code);
	return rv == PDP_OK ? r : NULL;
}

// OKJ / FAILSJ are OK / FAILS with a json_pack'd params value.
#define OKJ(s, caller, op, p) do { \
	char code_[48]; \
	json_t *r_ = call_j(s, caller, op, p, code_); \
	ck_assert_msg(r_ != NULL, "%s failed: %s", op, code_); \
	json_decref(r_); \
} while (0)
#define FAILSJ(s, caller, op, p, want) do { \
	char code_[48]; \
	json_t *r_ = call_j(s, caller, op, p, code_); \
	ck_assert_msg(r_ == NULL, "%s succeeded, wanted %s", op, want); \
	ck_assert_str_eq(code_, want); \
} while (0)

// ok runs a call as root that must succeed; the response is dropped.
#define OK(s, op, params) do { \
	char code_[48]; \
	json_t *r_ = call_as(s, ROOT, op, params, code_); \
	ck_assert_msg(r_ != NULL, "%s failed: %s", op, code_); \
	json_decref(r_); \
} while (0)

// FAILS runs a call as `caller` that must fail with `want`.
#define FAILS(s, caller, op, params, want) do { \
	char code_[48]; \
	json_t *r_ = call_as(s, caller, op, params, code_); \
	ck_assert_msg(r_ == NULL, "%s succeeded, wanted %s", op, want); \
	ck_assert_str_eq(code_, want); \
} while (0)

// decide asks the service's engine.
static inline pdp_effect
decide(iams_service *s, const char *principal, const char *action,
    const char *resource)
{
	pdp_request req;
	pdp_decision d;

	memset(&req, 0, sizeof(req));
	req.principal = principal;
	req.action = action;
	req.resource = resource;
	pdp_authorize(iams_service_engine(s), &req, &d, NULL);
	return d.effect;
}

#define ALLOW_ALL "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":" \
	"\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define S3_READ "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":" \
	"\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
#define TRUST "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":" \
	"\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"}," \
	"\"Action\":\"sts:AssumeRole\"}]}"

// file_has says whether the bytes of `needle` occur in file p.
static inline bool
file_has(const char *p, const void *needle, size_t n)
{
	FILE *f = fopen(p, "rb");
	static char buf[1 << 22];
	size_t len;

	if (f == NULL)
		return false;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

// code_of writes the code of `step` for a seed (base32) into out.
static inline void
code_of(const char *b32, int64_t step, char out[7])
{
	uint8_t seed[64];
	size_t n;
	uint32_t v;

	ck_assert(iams_base32_decode(b32, seed, sizeof(seed), &n));
	ck_assert(iams_totp(seed, n, step, 6, &v));
	iams_otp_format(v, 6, out);
}

#endif // TESTS_IAM_HELPERS_H
