// report_test.c - the credential report (GenerateCredentialReport,
// GetCredentialReport) on a service whose clock the test moves: every
// column of the root's row and of users with and without a password,
// MFA and zero, one or two access keys; CSV quoting; the four-hour rules;
// a report read by another handle on the store; per-account reports; and
// self-authorization.

#include "helpers.h"
#include "check_main.h"

#include <time.h>

#include <openssl/evp.h>

#include "iams_auth.h"
#include "totp.h"

#define T0 1750000000 // the test clock's start: 2025-06-15T15:06:40Z
#define HOURS4 (4 * 3600)
#define OTHER "444455556666"
#define OTHER_ROOT "arn:aws:iam::444455556666:root"
#define BOB "arn:aws:iam::111122223333:user/bob"
#define ADMIN "arn:aws:iam::111122223333:user/admin"
#define RFC_KEY_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // RFC 6238's seed

#define HEADER "user,arn,user_creation_time,password_enabled," \
	"password_last_used,password_last_changed,password_next_rotation," \
	"mfa_active,access_key_1_active,access_key_1_last_rotated," \
	"access_key_1_last_used_date,access_key_1_last_used_region," \
	"access_key_1_last_used_service,access_key_2_active," \
	"access_key_2_last_rotated,access_key_2_last_used_date," \
	"access_key_2_last_used_region,access_key_2_last_used_service," \
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
// The columns of a user without a password, MFA, keys or certificates
// after its creation time.
#define BARE "false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A," \
	"false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"

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

// iso writes Unix seconds as the report's time form.
static const char *
iso(int64_t t, char out[32])
{
	time_t tt = (time_t) t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return out;
}

// get_report calls GetCredentialReport on `svc` as `caller`: the decoded
// CSV (malloc'd) and its GeneratedTime into gen (32 bytes), or NULL with
// the error code in `code`.
static char *
get_report(iams_service *svc, const char *caller, char gen[32],
    char *code)
{
	json_t *r = call_as(svc, caller, "GetCredentialReport", NULL, code);

	if (r == NULL)
		return NULL;
	ck_assert_str_eq(json_string_value(json_object_get(r,
	    "ReportFormat")), "text/csv");
	snprintf(gen, 32, "%s", json_string_value(json_object_get(r,
	    "GeneratedTime")));
	const char *b64 = json_string_value(json_object_get(r, "Content"));
	ck_assert_ptr_nonnull(b64);
	size_t n = strlen(b64);
	ck_assert_uint_eq(n % 4, 0);
	char *csv = malloc(n / 4 * 3 + 1);
	ck_assert_ptr_nonnull(csv);
	int len = EVP_DecodeBlock((unsigned char *) csv,
	    (const unsigned char *) b64, (int) n);
	ck_assert_int_ge(len, 0);
	// EVP_DecodeBlock counts the padding's bytes too.
	while (n > 0 && b64[--n] == '=')
		len--;
	csv[len] = '\0';
	json_decref(r);
	return csv;
}

// report_of is get_report that must succeed.
static char *
report_of(iams_service *svc, const char *caller, char gen[32])
{
	char code[48];
	char *csv = get_report(svc, caller, gen, code);

	ck_assert_msg(csv != NULL, "GetCredentialReport: %s", code);
	return csv;
}

// report_fails is get_report that must fail with `want`.
static void
report_fails(iams_service *svc, const char *caller, const char *want)
{
	char code[48], gen[32];

	ck_assert_ptr_null(get_report(svc, caller, gen, code));
	ck_assert_str_eq(code, want);
}

// line returns the i-th line of `csv` (no newline) in out.
static const char *
line(const char *csv, int i, char *out, size_t len)
{
	const char *p = csv, *e;

	while (i-- > 0) {
		p = strchr(p, '\n');
		ck_assert_msg(p != NULL, "the report has too few lines:\n%s",
		    csv);
		p++;
	}
	e = strchr(p, '\n');
	ck_assert_msg(e != NULL, "line not ended:\n%s", csv);
	snprintf(out, len, "%.*s", (int) (e - p), p);
	return out;
}

static int
lines(const char *csv)
{
	int n = 0;

	for (const char *p = csv; *p; p++)
		n += *p == '\n';
	return n;
}

static void
generate(iams_service *svc, const char *caller, const char *state)
{
	char code[48];
	json_t *r = call_as(svc, caller, "GenerateCredentialReport", NULL,
	    code);

	ck_assert_msg(r != NULL, "GenerateCredentialReport: %s", code);
	ck_assert_str_eq(json_string_value(json_object_get(r, "State")),
	    state);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r,
	    "Description")));
	json_decref(r);
}

// create_key makes an access key for `user` (NULL: root) and returns its
// id and secret (41 bytes each).
static void
create_key(const char *user, char id[41], char secret[41])
{
	char code[48];
	json_t *p = user ? json_pack("{s:s}", "UserName", user) : NULL;
	json_t *r = call_j(s, ROOT, "CreateAccessKey", p, code);

	ck_assert_msg(r != NULL, "CreateAccessKey: %s", code);
	json_t *k = json_object_get(r, "AccessKey");
	snprintf(id, 41, "%s", json_string_value(json_object_get(k,
	    "AccessKeyId")));
	snprintf(secret, 41, "%s", json_string_value(json_object_get(k,
	    "SecretAccessKey")));
	json_decref(r);
}

// use_key authenticates a request signed with the key for `service`,
// as pdpd does: the key's last use is recorded.
static void
use_key(const char *id, const char *secret, const char *service)
{
	char sig[IAMS_SIG_HEX + 1], caller[2048];
	iams_signed r = {service, "GetCallerIdentity", "{}", 2, 1,
	    (uint64_t) now, id, NULL, NULL};
	iams_error e;

	ck_assert_int_eq(iams_sign(secret, &r, sig), PDP_OK);
	r.signature = sig;
	ck_assert_msg(iams_authenticate(s, &r, now, caller, sizeof(caller),
	    &e) == PDP_OK, "%s", e.message);
}

// enable_mfa registers a hardware token and enables it for `user`.
static void
enable_mfa(const char *user)
{
	uint8_t seed[64];
	char c1[7], c2[7];
	uint32_t v;
	size_t n;
	int64_t step = now / IAMS_TOTP_PERIOD;

	OKJ(s, ROOT, "CreateHardwareMFADevice", json_pack("{s:s, s:s}",
	    "SerialNumber", "GAHT00000001", "Base32StringSeed", RFC_KEY_B32));
	ck_assert(iams_base32_decode(RFC_KEY_B32, seed, sizeof(seed), &n));
	ck_assert(iams_totp(seed, n, step - 1, 6, &v));
	iams_otp_format(v, 6, c1);
	ck_assert(iams_totp(seed, n, step, 6, &v));
	iams_otp_format(v, 6, c2);
	OKJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", user, "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2));
}

START_TEST(test_every_column)
{
	char id[41], secret[41], gen[32], got[2048], want[2048];
	char t[8][32];

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	OK(s, "CreateUser", "{\"UserName\":\"e,ve\"}");
	OK(s, "UpdateAccountPasswordPolicy", "{\"MaxPasswordAge\":90}");
	now = T0 + 100;
	OK(s, "CreateLoginProfile", "{\"UserName\":\"alice\",\"Password\":"
	    "\"Correct-Horse-1\"}");
	// alice: key 1 inactive, key 2 used for STS.
	now = T0 + 200;
	create_key("alice", id, secret);
	OKJ(s, ROOT, "UpdateAccessKey", json_pack("{s:s, s:s, s:s}",
	    "UserName", "alice", "AccessKeyId", id, "Status", "Inactive"));
	now = T0 + 300;
	create_key("alice", id, secret);
	now = T0 + 400;
	use_key(id, secret, "sts");
	enable_mfa("alice");
	// root: one key, never used.
	now = T0 + 500;
	create_key(NULL, id, secret);
	now = T0 + 600;
	generate(s, ROOT, "COMPLETE");
	char *csv = report_of(s, ROOT, gen);
	ck_assert_str_eq(gen, "2025-06-15T15:16:40Z");
	ck_assert_int_eq(lines(csv), 5);
	ck_assert_str_eq(line(csv, 0, got, sizeof(got)), HEADER);
	// The root's row first, with AWS's root conventions.
	snprintf(want, sizeof(want), "<root_account>,"
	    "arn:aws:iam::111122223333:root,2025-06-15T15:06:40+00:00,"
	    "not_supported,no_information,not_supported,not_supported,false,"
	    "true,%s,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
	    iso(T0 + 500, t[0]));
	ck_assert_str_eq(line(csv, 1, got, sizeof(got)), want);
	// alice: password (next rotation 90 days after it was set), MFA,
	// an inactive key 1, key 2 used in us-east-1 for sts.
	snprintf(want, sizeof(want), "alice,"
	    "arn:aws:iam::111122223333:user/alice,%s,true,no_information,%s,"
	    "%s,true,false,N/A,N/A,N/A,N/A,true,%s,%s,us-east-1,sts,"
	    "false,N/A,false,N/A", iso(T0, t[1]), iso(T0 + 100, t[2]),
	    iso(T0 + 100 + 90 * 86400, t[3]), iso(T0 + 300, t[4]),
	    iso(T0 + 400, t[5]));
	ck_assert_str_eq(line(csv, 2, got, sizeof(got)), want);
	// bob: nothing at all.
	snprintf(want, sizeof(want), "bob,arn:aws:iam::111122223333:user/bob,"
	    "%s," BARE, iso(T0, t[6]));
	ck_assert_str_eq(line(csv, 3, got, sizeof(got)), want);
	// A name with a comma is quoted, and so is its ARN.
	snprintf(want, sizeof(want), "\"e,ve\","
	    "\"arn:aws:iam::111122223333:user/e,ve\",%s," BARE,
	    iso(T0, t[7]));
	ck_assert_str_eq(line(csv, 4, got, sizeof(got)), want);
	free(csv);
}
END_TEST

START_TEST(test_no_rotation_without_max_age)
{
	char gen[32], got[2048], want[2048], t[2][32];

	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateLoginProfile", "{\"UserName\":\"alice\",\"Password\":"
	    "\"Correct-Horse-1\"}");
	generate(s, ROOT, "COMPLETE");
	char *csv = report_of(s, ROOT, gen);
	snprintf(want, sizeof(want), "alice,"
	    "arn:aws:iam::111122223333:user/alice,%s,true,no_information,%s,"
	    "N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
	    "false,N/A,false,N/A", iso(T0, t[0]), iso(T0, t[1]));
	ck_assert_str_eq(line(csv, 2, got, sizeof(got)), want);
	free(csv);
}
END_TEST

START_TEST(test_four_hours)
{
	char gen[32];
	char *csv;

	// Nothing to get before the first GenerateCredentialReport.
	report_fails(s, ROOT, "ReportNotPresent");
	generate(s, ROOT, "COMPLETE");
	OK(s, "CreateUser", "{\"UserName\":\"zed\"}");
	// Within four hours the report is kept: the same time, no zed.
	now = T0 + HOURS4 - 1;
	generate(s, ROOT, "COMPLETE");
	csv = report_of(s, ROOT, gen);
	ck_assert_str_eq(gen, "2025-06-15T15:06:40Z");
	ck_assert_ptr_null(strstr(csv, "zed"));
	free(csv);
	// Four hours on, it has expired; a new one has zed.
	now = T0 + HOURS4;
	report_fails(s, ROOT, "ReportExpired");
	generate(s, ROOT, "COMPLETE");
	csv = report_of(s, ROOT, gen);
	ck_assert_str_eq(gen, "2025-06-15T19:06:40Z");
	ck_assert_ptr_nonnull(strstr(csv, "\nzed,"));
	free(csv);
	// Reports are per account.
	report_fails(s, OTHER_ROOT, "ReportNotPresent");
}
END_TEST

// The report lives in the store: another handle (another process) reads
// it, and keeps it within four hours.
START_TEST(test_kept_in_the_store)
{
	char gen[32], err[512];
	iams_service *s2 = NULL;
	iams_options o = clocked_options(&now);

	generate(s, ROOT, "COMPLETE");
	ck_assert_msg(iams_service_open(path, &o, &s2, err, sizeof(err)) ==
	    PDP_OK, "%s", err);
	now = T0 + 60;
	char *csv = report_of(s2, ROOT, gen);
	ck_assert_str_eq(gen, "2025-06-15T15:06:40Z");
	ck_assert(strncmp(csv, "user,arn,", 9) == 0);
	free(csv);
	generate(s2, ROOT, "COMPLETE");
	csv = report_of(s, ROOT, gen);
	ck_assert_str_eq(gen, "2025-06-15T15:06:40Z");
	free(csv);
	iams_service_close(s2);
}
END_TEST

// put_policy gives `user` inline policy `name`: one statement of
// `effect` for `action` on Resource "*".
static void
put_policy(const char *user, const char *name, const char *effect,
    const char *action)
{
	char doc[256];

	snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\","
	    "\"Statement\":[{\"Effect\":\"%s\",\"Action\":\"%s\","
	    "\"Resource\":\"*\"}]}", effect, action);
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    user, "PolicyName", name, "PolicyDocument", doc));
}

START_TEST(test_authorization)
{
	char gen[32];
	char *csv;

	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	OK(s, "CreateUser", "{\"UserName\":\"admin\"}");
	put_policy("admin", "all", "Allow", "*");
	// bob has no permission: denied both, before anything exists.
	FAILS(s, BOB, "GenerateCredentialReport", NULL, "AccessDenied");
	report_fails(s, BOB, "AccessDenied");
	// Not root-only: an administrator may.
	generate(s, ADMIN, "COMPLETE");
	csv = report_of(s, ADMIN, gen);
	free(csv);
	// Each action on its own, on Resource "*".
	put_policy("bob", "gen", "Allow", "iam:GenerateCredentialReport");
	generate(s, BOB, "COMPLETE");
	report_fails(s, BOB, "AccessDenied");
	put_policy("bob", "get", "Allow", "iam:GetCredentialReport");
	csv = report_of(s, BOB, gen);
	free(csv);
	// An explicit Deny wins over the administrator's Allow.
	put_policy("admin", "deny", "Deny", "iam:GetCredentialReport");
	report_fails(s, ADMIN, "AccessDenied");
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_report");
	TCase *tc = tcase_create("report");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_column);
	tcase_add_test(tc, test_no_rotation_without_max_age);
	tcase_add_test(tc, test_four_hours);
	tcase_add_test(tc, test_kept_in_the_store);
	tcase_add_test(tc, test_authorization);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
