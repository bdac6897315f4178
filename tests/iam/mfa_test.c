// mfa_test.c - MFA devices: HOTP/TOTP against the RFC 4226 and RFC 6238
// vectors, base32 against RFC 4648's, and the IAM operations through
// iams_call on a service whose clock the test moves (no sleeping):
// two-code enablement, skew, replay, limits, every error code, root's
// device, self-authorization, sealed seeds, and the code check STS uses.

#include "helpers.h"
#include "check_main.h"

#include "iamsi.h"
#include "mfa.h"
#include "totp.h"

// --- RFC vectors --------------------------------------------------------------------

static const uint8_t rfc_key[] = "12345678901234567890"; // 20 bytes used
#define RFC_KEY_LEN 20
#define RFC_KEY_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

START_TEST(test_hotp_rfc4226_appendix_d)
{
	// HOTP values and the truncated decimals (mod 10^8) of Appendix D.
	static const uint32_t six[] = {755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489};
	static const uint32_t dec[] = {1284755224, 1094287082, 137359152,
	    1726969429, 1640338314, 868254676, 1918287922, 82162583,
	    673399871, 645520489};
	uint32_t v;

	for (uint64_t i = 0; i < 10; i++) {
		ck_assert(iams_hotp(rfc_key, RFC_KEY_LEN, i, 6, &v));
		ck_assert_uint_eq(v, six[i]);
		ck_assert(iams_hotp(rfc_key, RFC_KEY_LEN, i, 8, &v));
		ck_assert_uint_eq(v, dec[i] % 100000000u);
		ck_assert(iams_hotp(rfc_key, RFC_KEY_LEN, i, 7, &v));
		ck_assert_uint_eq(v, dec[i] % 10000000u);
	}
	v = 42;
	ck_assert(!iams_hotp(rfc_key, RFC_KEY_LEN, 0, 5, &v));
	ck_assert(!iams_hotp(rfc_key, RFC_KEY_LEN, 0, 9, &v));
	ck_assert(!iams_hotp(rfc_key, 0, 0, 6, &v));
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_totp_rfc6238_appendix_b)
{
	// The SHA-1 rows: time, T, the 8-digit TOTP.
	static const struct {
		int64_t t, step;
		const char *code;
	} rows[] = {
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	};
	char text[9];
	uint32_t v;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t step = iams_totp_step(rows[i].t);
		ck_assert_int_eq(step, rows[i].step);
		ck_assert(iams_totp(rfc_key, RFC_KEY_LEN, step, 8, &v));
		iams_otp_format(v, 8, text);
		ck_assert_str_eq(text, rows[i].code);
		// The 6-digit code AWS's devices show: the last six digits.
		ck_assert(iams_totp(rfc_key, RFC_KEY_LEN, step, 6, &v));
		iams_otp_format(v, 6, text);
		ck_assert_str_eq(text, rows[i].code + 2);
	}
	// Steps floor, also before 1970; negative steps have no code.
	ck_assert_int_eq(iams_totp_step(29), 0);
	ck_assert_int_eq(iams_totp_step(30), 1);
	ck_assert_int_eq(iams_totp_step(-1), -1);
	ck_assert_int_eq(iams_totp_step(-30), -1);
	ck_assert_int_eq(iams_totp_step(-31), -2);
	ck_assert(!iams_totp(rfc_key, RFC_KEY_LEN, -1, 6, &v));
}
END_TEST

START_TEST(test_base32_rfc4648)
{
	static const char *const plain[] = {"f", "fo", "foo", "foob",
	    "fooba", "foobar"};
	static const char *const enc[] = {"MY", "MZXQ", "MZXW6", "MZXW6YQ",
	    "MZXW6YTB", "MZXW6YTBOI"};
	static const char *const padded[] = {"MY======", "MZXQ====",
	    "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
	char out[64];
	uint8_t raw[64];
	size_t n;

	for (size_t i = 0; i < 6; i++) {
		ck_assert_uint_eq(iams_base32_encode((const uint8_t *) plain[i],
		    strlen(plain[i]), out, sizeof(out)), strlen(enc[i]));
		ck_assert_str_eq(out, enc[i]);
		ck_assert(iams_base32_decode(enc[i], raw, sizeof(raw), &n));
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert(memcmp(raw, plain[i], n) == 0);
		ck_assert(iams_base32_decode(padded[i], raw, sizeof(raw), &n));
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert(memcmp(raw, plain[i], n) == 0);
	}
	ck_assert_uint_eq(iams_base32_encode(rfc_key, RFC_KEY_LEN, out,
	    sizeof(out)), 32);
	ck_assert_str_eq(out, RFC_KEY_B32);
	// Tolerant input: case, spaces and dashes between groups.
	ck_assert(iams_base32_decode("gezd gnbv-gy3t qojq GEZDGNBV gy3tqojq",
	    raw, sizeof(raw), &n));
	ck_assert_uint_eq(n, RFC_KEY_LEN);
	ck_assert(memcmp(raw, rfc_key, n) == 0);
	ck_assert(iams_base32_decode("", raw, sizeof(raw), &n));
	ck_assert_uint_eq(n, 0);
	// Not base32: bad characters, impossible lengths, data after '=',
	// more bytes than the buffer.
	ck_assert(!iams_base32_decode("MZ1W", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MZ8W", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MZ_W", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("M", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MZX", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MZXW6Y", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MY=Y", raw, sizeof(raw), &n));
	ck_assert(!iams_base32_decode("MZXW6YTBOI", raw, 5, &n));
	// Encoding into too small a buffer writes nothing.
	ck_assert_uint_eq(iams_base32_encode((const uint8_t *) "foobar", 6,
	    out, 10), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

// --- the service, with a clock the test moves ---------------------------------------------

#define ALICE "arn:aws:iam::111122223333:user/alice"
#define BOB "arn:aws:iam::111122223333:user/bob"
#define ADMIN "arn:aws:iam::111122223333:user/admin"
#define MFA_ARN(name) "arn:aws:iam::111122223333:mfa/" name
#define ROOT_DEVICE MFA_ARN("root-account-mfa-device")
#define T0 56666667 // the test's "now", in 30-second steps

static char path[64];
static iams_service *s;
static int64_t now_s;

// at sets the clock to 10 seconds into time step `step`.
static void
at(int64_t step)
{
	now_s = step * IAMS_TOTP_PERIOD + 10;
}

static iams_service *
open_at(char *p, uint32_t users_max, const uint8_t *key)
{
	iams_options opt = {.store_key = key, .users_max = users_max,
	    .argon2_kib = 64, .clock = test_clock, .clock_arg = &now_s};

	return open_service_with(p, &opt);
}

static void
setup(void)
{
	at(T0);
	s = open_at(path, 0, test_key);
	OK(s, "CreateUser", "{\"UserName\":\"alice\"}");
	OK(s, "CreateUser", "{\"UserName\":\"bob\"}");
	OK(s, "CreateUser", "{\"UserName\":\"admin\"}");
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "admin", "PolicyName", "all", "PolicyDocument", ALLOW_ALL));
}

static void
teardown(void)
{
	close_service(s, path);
}

// enable calls EnableMFADevice with the codes of steps s1 and s2 (for
// `user`; NULL: the caller) and returns the error code ("" on success).
static const char *
enable(const char *caller, const char *user, const char *serial,
    const char *b32, int64_t s1, int64_t s2)
{
	static char code[48];
	char c1[7], c2[7];

	code_of(b32, s1, c1);
	code_of(b32, s2, c2);
	json_t *p = json_pack("{s:s, s:s, s:s}", "SerialNumber", serial,
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2);
	if (user != NULL)
		json_object_set_new(p, "UserName", json_string(user));
	json_decref(call_j(s, caller, "EnableMFADevice", p, code));
	return code;
}

// hardware registers a token with the RFC seed as root.
static void
hardware(const char *serial)
{
	OKJ(s, ROOT, "CreateHardwareMFADevice", json_pack("{s:s, s:s}",
	    "SerialNumber", serial, "Base32StringSeed", RFC_KEY_B32));
}

// alice_token registers a token and enables it for alice at T0.
static void
alice_token(const char *serial)
{
	hardware(serial);
	ck_assert_str_eq(enable(ROOT, "alice", serial, RFC_KEY_B32, T0 - 1,
	    T0), "");
}

// create_virtual makes a virtual device as `caller` and returns its seed
// (base32, 64 characters) in seed.
static void
create_virtual(const char *caller, const char *name, char seed[65])
{
	char code[48];
	json_t *r = call_j(s, caller, "CreateVirtualMFADevice",
	    json_pack("{s:s}", "VirtualMFADeviceName", name), code);

	ck_assert_msg(r != NULL, "CreateVirtualMFADevice %s: %s", name, code);
	const char *b = json_string_value(json_object_get(json_object_get(r,
	    "VirtualMFADevice"), "Base32StringSeed"));
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(strlen(b), 64);
	snprintf(seed, 65, "%s", b);
	json_decref(r);
}

// verify runs iamsi_mfa_verify as STS would, inside a write transaction
// of its own; returns the error code ("" when the code was accepted).
static const char *
verify(const char *caller, const char *serial, const char *code,
    const char *owner)
{
	static char out[48];
	iams_error e;
	iamsi_ctx c;

	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	c.s = s;
	c.st = s->st;
	c.caller = caller;
	c.err = &e;
	c.now = now_s;
	snprintf(c.account, sizeof(c.account), "%s", ACCT);
	ck_assert_int_eq(iams_store_begin(c.st, true), PDP_OK);
	bool ok = iamsi_mfa_verify(&c, serial, code, owner);
	if (ok)
		ck_assert_int_eq(iams_store_commit(c.st), PDP_OK);
	else
		iams_store_rollback(c.st);
	ck_assert(ok == (e.code[0] == '\0'));
	snprintf(out, sizeof(out), "%s", e.code);
	return out;
}

static const char *
verify_step(const char *serial, int64_t step)
{
	char c[7];

	code_of(RFC_KEY_B32, step, c);
	return verify(ALICE, serial, c, NULL);
}

START_TEST(test_virtual_device_lifecycle)
{
	char code[48], seed[65];
	json_t *r = call_as(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"alice-phone\",\"Path\":\"/eng/\","
	    "\"Tags\":[{\"Key\":\"owner\",\"Value\":\"alice\"}]}", code);
	ck_assert_msg(r != NULL, "%s", code);
	json_t *d = json_object_get(r, "VirtualMFADevice");
	ck_assert_str_eq(json_string_value(json_object_get(d, "SerialNumber")),
	    MFA_ARN("eng/alice-phone"));
	snprintf(seed, sizeof(seed), "%s", json_string_value(
	    json_object_get(d, "Base32StringSeed")));
	ck_assert_uint_eq(strlen(seed), 64);
	char uri[256];
	snprintf(uri, sizeof(uri), "otpauth://totp/alice-phone@%s?secret=%s",
	    ACCT, seed);
	ck_assert_str_eq(json_string_value(json_object_get(d, "OtpauthURI")),
	    uri);
	ck_assert_int_eq(json_array_size(json_object_get(d, "Tags")), 1);
	json_decref(r);

	// The seed is in the store sealed only: neither its bytes nor its
	// text are in the database files.
	uint8_t raw[64];
	size_t n;
	char wal[80];
	ck_assert(iams_base32_decode(seed, raw, sizeof(raw), &n));
	ck_assert_uint_eq(n, 40);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	ck_assert(file_has(wal, MFA_ARN("eng/alice-phone"),
	    strlen(MFA_ARN("eng/alice-phone"))) || file_has(path,
	    MFA_ARN("eng/alice-phone"), strlen(MFA_ARN("eng/alice-phone"))));
	ck_assert(!file_has(path, raw, n) && !file_has(wal, raw, n));
	ck_assert(!file_has(path, seed, 16) && !file_has(wal, seed, 16));

	r = call_as(s, ROOT, "ListVirtualMFADevices",
	    "{\"AssignmentStatus\":\"Unassigned\"}", code);
	d = json_array_get(json_object_get(r, "VirtualMFADevices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(d, "SerialNumber")),
	    MFA_ARN("eng/alice-phone"));
	ck_assert_ptr_null(json_object_get(d, "User"));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(d, "Tags"), 0), "Key")), "owner");
	json_decref(r);

	// Two consecutive codes, the second one now.
	ck_assert_str_eq(enable(ROOT, "alice", MFA_ARN("eng/alice-phone"),
	    seed, T0 - 1, T0), "");
	r = call_as(s, ROOT, "ListMFADevices", "{\"UserName\":\"alice\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "MFADevices")), 1);
	d = json_array_get(json_object_get(r, "MFADevices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(d, "UserName")),
	    "alice");
	ck_assert_ptr_nonnull(json_object_get(d, "EnableDate"));
	json_decref(r);
	r = call_as(s, ROOT, "ListVirtualMFADevices",
	    "{\"AssignmentStatus\":\"Assigned\"}", code);
	d = json_array_get(json_object_get(r, "VirtualMFADevices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d,
	    "User"), "Arn")), ALICE);
	char *text = json_dumps(r, 0);
	ck_assert_ptr_null(strstr(text, seed)); // shown once, at creation
	free(text);
	json_decref(r);
	r = call_as(s, ALICE, "ListVirtualMFADevices",
	    "{\"AssignmentStatus\":\"Unassigned\"}", code);
	ck_assert_ptr_null(r); // alice has no IAM permissions
	r = call_as(s, ADMIN, "ListVirtualMFADevices",
	    "{\"AssignmentStatus\":\"Unassigned\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r,
	    "VirtualMFADevices")), 0);
	json_decref(r);
	r = call_as(s, ROOT, "GetMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"" MFA_ARN("eng/alice-phone") "\"}", code);
	ck_assert_msg(r != NULL, "%s", code);
	ck_assert_str_eq(json_string_value(json_object_get(r, "UserName")),
	    "alice");
	json_decref(r);

	// Assigned: neither the device nor its user can go.
	FAILS(s, ROOT, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("eng/alice-phone") "\"}", "DeleteConflict");
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"alice\"}",
	    "DeleteConflict");
	r = call_as(s, ROOT, "GetAccountSummary", NULL, code);
	json_t *m = json_object_get(r, "SummaryMap");
	ck_assert_int_eq(json_integer_value(json_object_get(m, "MFADevices")),
	    1);
	ck_assert_int_eq(json_integer_value(json_object_get(m,
	    "MFADevicesInUse")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(m,
	    "AccountMFAEnabled")), 0);
	json_decref(r);

	OK(s, "DeactivateMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"" MFA_ARN("eng/alice-phone") "\"}");
	FAILS(s, ROOT, "DeactivateMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"" MFA_ARN("eng/alice-phone") "\"}",
	    "NoSuchEntity");
	r = call_as(s, ROOT, "ListMFADevices", "{\"UserName\":\"alice\"}",
	    code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "MFADevices")), 0);
	json_decref(r);
	OK(s, "DeleteUser", "{\"UserName\":\"alice\"}");
	OK(s, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("eng/alice-phone") "\"}");
	FAILS(s, ROOT, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("eng/alice-phone") "\"}", "NoSuchEntity");
}
END_TEST

START_TEST(test_enable_needs_two_consecutive_codes)
{
	char c0[7], c1[7], cm1[7];

	hardware("GAHT00000001");
	code_of(RFC_KEY_B32, T0 - 1, cm1);
	code_of(RFC_KEY_B32, T0, c0);
	code_of(RFC_KEY_B32, T0 + 1, c1);
	// The codes around now differ (the seed and time are fixed), so
	// each refusal below is the rule, not chance.
	ck_assert_str_ne(c0, c1);
	ck_assert_str_ne(c0, cm1);
	ck_assert_str_ne(c1, cm1);
	// The same code twice, two codes a step apart, reversed order.
	ck_assert_str_eq(enable(ROOT, "alice", "GAHT00000001", RFC_KEY_B32, T0,
	    T0), "InvalidAuthenticationCode");
	ck_assert_str_eq(enable(ROOT, "alice", "GAHT00000001", RFC_KEY_B32,
	    T0 - 1, T0 + 1), "InvalidAuthenticationCode");
	ck_assert_str_eq(enable(ROOT, "alice", "GAHT00000001", RFC_KEY_B32, T0,
	    T0 - 1), "InvalidAuthenticationCode");
	// A wrong code: AWS's 403.
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "UserName", "alice",
	    "SerialNumber", "GAHT00000001", "AuthenticationCode1", "000000",
	    "AuthenticationCode2", c0);
	json_t *r = NULL;
	iams_error e;
	ck_assert_int_eq(iams_call(s, ROOT, "EnableMFADevice", p, &r, &e),
	    PDP_EINVAL);
	ck_assert_str_eq(e.code, "InvalidAuthenticationCode");
	ck_assert_int_eq(e.status, 403);
	ck_assert_ptr_null(strstr(e.message, c0)); // codes are not echoed
	json_decref(p);
	// Malformed codes are ValidationErrors.
	FAILSJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", "12345", "AuthenticationCode2", c0),
	    "ValidationError");
	FAILSJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", c0, "AuthenticationCode2", "12345a"),
	    "ValidationError");
	FAILSJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", c0), "ValidationError");
	FAILSJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:s, s:i}",
	    "UserName", "alice", "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", c0, "AuthenticationCode2", 1000000),
	    "ValidationError");
	// Consecutive codes as numbers, as the iam command passes them
	// (leading zeros lost and restored).
	OKJ(s, ROOT, "EnableMFADevice", json_pack("{s:s, s:s, s:I, s:I}",
	    "UserName", "alice", "SerialNumber", "GAHT00000001",
	    "AuthenticationCode1", (json_int_t) atoi(c0),
	    "AuthenticationCode2", (json_int_t) atoi(c1)));
	// Enabled once only, for anyone.
	ck_assert_str_eq(enable(ROOT, "alice", "GAHT00000001", RFC_KEY_B32,
	    T0 + 1, T0 + 2), "EntityAlreadyExists");
	ck_assert_str_eq(enable(ROOT, "bob", "GAHT00000001", RFC_KEY_B32,
	    T0 + 1, T0 + 2), "EntityAlreadyExists");
}
END_TEST

START_TEST(test_enable_skew)
{
	// The second code may be one step either side of now, not two.
	static const struct {
		int k;
		const char *want;
	} cases[] = {
		{-2, "InvalidAuthenticationCode"}, {-1, ""}, {0, ""}, {1, ""},
		{2, "InvalidAuthenticationCode"},
	};

	hardware("GAHT00000002");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		// A fresh minute each round, so that no code was used yet.
		at(T0 + 10 * (int64_t) i);
		int64_t t = T0 + 10 * (int64_t) i + cases[i].k;
		ck_assert_msg(strcmp(enable(ROOT, "alice", "GAHT00000002",
		    RFC_KEY_B32, t - 1, t), cases[i].want) == 0, "skew %d",
		    cases[i].k);
		if (cases[i].want[0] == '\0')
			OK(s, "DeactivateMFADevice", "{\"UserName\":\"alice\","
			    "\"SerialNumber\":\"GAHT00000002\"}");
	}
}
END_TEST

START_TEST(test_verify_skew_and_replay)
{
	alice_token("GAHT00000003");
	// The enabling codes cannot sign in afterwards.
	ck_assert_str_eq(verify_step("GAHT00000003", T0), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 - 1), "AccessDenied");
	at(T0 + 10);
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 8), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 12), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 9), "");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 9), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 11), "");
	// Now an earlier step within the window is a replay too.
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 10), "AccessDenied");
	at(T0 + 20);
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 20), "");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 20), "AccessDenied");

	// The last step is in the store: a restart does not forget it.
	iams_service_close(s);
	char err[256];
	iams_options opt = clocked_options(&now_s);
	ck_assert_int_eq(iams_service_open(path, &opt, &s, err, sizeof(err)),
	    PDP_OK);
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 20), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000003", T0 + 21), "");
}
END_TEST

START_TEST(test_verify_checks_the_owner)
{
	char c[7];

	alice_token("GAHT00000004");
	at(T0 + 5);
	code_of(RFC_KEY_B32, T0 + 5, c);
	// Not bob's device, no role session's, no unknown device.
	ck_assert_str_eq(verify(BOB, "GAHT00000004", c, NULL), "AccessDenied");
	ck_assert_str_eq(verify(ALICE, "GAHT00000004", c, BOB),
	    "AccessDenied");
	ck_assert_str_eq(verify("arn:aws:sts::111122223333:assumed-role/r/s",
	    "GAHT00000004", c, NULL), "AccessDenied");
	ck_assert_str_eq(verify(ALICE, "GAHT99999999", c, NULL),
	    "AccessDenied");
	ck_assert_str_eq(verify(ALICE, "GAHT00000004",
	    "12345", NULL), "ValidationError");
	ck_assert_str_eq(verify(ALICE, "short", c, NULL), "ValidationError");
	// None of that used the code: alice's own call does, by her ARN
	// with a path or by the owner argument.
	ck_assert_str_eq(verify("arn:aws:iam::111122223333:user/x/alice",
	    "GAHT00000004", c, NULL), "");
	code_of(RFC_KEY_B32, T0 + 6, c);
	ck_assert_str_eq(verify(ROOT, "GAHT00000004", c, ALICE), "");
	// A deactivated device proves nothing.
	OK(s, "DeactivateMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"GAHT00000004\"}");
	at(T0 + 9);
	code_of(RFC_KEY_B32, T0 + 9, c);
	ck_assert_str_eq(verify(ALICE, "GAHT00000004", c, NULL),
	    "AccessDenied");
}
END_TEST

START_TEST(test_resync)
{
	alice_token("GAHT00000005");
	// The token's clock runs 20 steps (10 minutes) ahead.
	at(T0 + 30);
	ck_assert_str_eq(verify_step("GAHT00000005", T0 + 50), "AccessDenied");
	ck_assert_str_eq(enable(ROOT, "alice", "GAHT00000005", RFC_KEY_B32,
	    T0 + 49, T0 + 50), "EntityAlreadyExists");
	char c1[7], c2[7], c3[7];
	code_of(RFC_KEY_B32, T0 + 49, c1);
	code_of(RFC_KEY_B32, T0 + 50, c2);
	code_of(RFC_KEY_B32, T0 + 48, c3);
	FAILSJ(s, ROOT, "ResyncMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000005",
	    "AuthenticationCode1", c2, "AuthenticationCode2", c1),
	    "InvalidAuthenticationCode");
	FAILSJ(s, ROOT, "ResyncMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "bob", "SerialNumber", "GAHT00000005",
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2),
	    "NoSuchEntity");
	OKJ(s, ROOT, "ResyncMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000005",
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2));
	// The resync codes are used; the drift is remembered.
	FAILSJ(s, ROOT, "ResyncMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000005",
	    "AuthenticationCode1", c3, "AuthenticationCode2", c1),
	    "InvalidAuthenticationCode");
	ck_assert_str_eq(verify_step("GAHT00000005", T0 + 50), "AccessDenied");
	at(T0 + 32);
	ck_assert_str_eq(verify_step("GAHT00000005", T0 + 32), "AccessDenied");
	ck_assert_str_eq(verify_step("GAHT00000005", T0 + 52), "");
	// Further than the resync window is too far.
	at(T0 + 100);
	code_of(RFC_KEY_B32, T0 + 100 + IAMSI_MFA_RESYNC + 1, c1);
	code_of(RFC_KEY_B32, T0 + 100 + IAMSI_MFA_RESYNC + 2, c2);
	FAILSJ(s, ROOT, "ResyncMFADevice", json_pack("{s:s, s:s, s:s, s:s}",
	    "UserName", "alice", "SerialNumber", "GAHT00000005",
	    "AuthenticationCode1", c1, "AuthenticationCode2", c2),
	    "InvalidAuthenticationCode");
}
END_TEST

START_TEST(test_limits)
{
	char serial[32];

	// Eight devices per user, any mix; the ninth is refused.
	for (int i = 0; i < IAMSI_MFA_PER_USER + 1; i++) {
		snprintf(serial, sizeof(serial), "GAHT1000000%d", i);
		hardware(serial);
		at(T0 + 10 * i);
		ck_assert_str_eq(enable(ROOT, "alice", serial, RFC_KEY_B32,
		    T0 + 10 * i - 1, T0 + 10 * i), i < IAMSI_MFA_PER_USER ?
		    "" : "LimitExceeded");
	}
	// Deactivating one makes room again.
	OK(s, "DeactivateMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"GAHT10000000\"}");
	at(T0 + 200);
	ck_assert_str_eq(enable(ROOT, "alice", serial, RFC_KEY_B32, T0 + 199,
	    T0 + 200), "");
	// Root has its own eight.
	ck_assert_str_eq(enable(ROOT, NULL, "GAHT10000000", RFC_KEY_B32,
	    T0 + 200, T0 + 201), "");

	// Virtual devices per account are held to the user quota.
	close_service(s, path);
	s = open_at(path, 3, test_key);
	char seed[65];
	create_virtual(ROOT, "one", seed);
	create_virtual(ROOT, "two", seed);
	create_virtual(ROOT, "three", seed);
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"four\"}", "LimitExceeded");
	OK(s, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("two") "\"}");
	create_virtual(ROOT, "four", seed);
	// Paging, by serial number.
	char code[48];
	json_t *r = call_as(s, ROOT, "ListVirtualMFADevices",
	    "{\"MaxItems\":2}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r,
	    "VirtualMFADevices")), 2);
	ck_assert(json_is_true(json_object_get(r, "IsTruncated")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "Marker")),
	    MFA_ARN("one"));
	json_decref(r);
	r = call_as(s, ROOT, "ListVirtualMFADevices", "{\"MaxItems\":2,"
	    "\"Marker\":\"" MFA_ARN("one") "\"}", code);
	ck_assert_int_eq(json_array_size(json_object_get(r,
	    "VirtualMFADevices")), 1);
	ck_assert(json_is_false(json_object_get(r, "IsTruncated")));
	json_decref(r);

	// Without a store key no seed can be sealed.
	close_service(s, path);
	s = open_at(path, 0, NULL);
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"phone\"}", "ServiceFailure");
}
END_TEST

START_TEST(test_error_codes)
{
	char seed[65], name[240];

	FAILS(s, ROOT, "CreateVirtualMFADevice", "{}", "ValidationError");
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"a b\"}", "ValidationError");
	memset(name, 'n', 226);
	name[226] = '\0';
	OKJ(s, ROOT, "CreateVirtualMFADevice", json_pack("{s:s}",
	    "VirtualMFADeviceName", name));
	name[226] = 'n';
	name[227] = '\0';
	FAILSJ(s, ROOT, "CreateVirtualMFADevice", json_pack("{s:s}",
	    "VirtualMFADeviceName", name), "ValidationError");
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"p\",\"Path\":\"eng\"}",
	    "ValidationError");
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"p\",\"Tags\":[{\"Key\":\"aws:x\","
	    "\"Value\":\"v\"}]}", "InvalidInput");
	create_virtual(ROOT, "phone", seed);
	// Names are unique in the account, whatever the path or case.
	FAILS(s, ROOT, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"PHONE\",\"Path\":\"/x/\"}",
	    "EntityAlreadyExists");

	FAILS(s, ROOT, "EnableMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"short\",\"AuthenticationCode1\":\"123456\","
	    "\"AuthenticationCode2\":\"123456\"}", "ValidationError");
	FAILS(s, ROOT, "EnableMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"" MFA_ARN("phone!") "\","
	    "\"AuthenticationCode1\":\"123456\","
	    "\"AuthenticationCode2\":\"123456\"}", "ValidationError");
	ck_assert_str_eq(enable(ROOT, "nobody", MFA_ARN("phone"), seed, T0 - 1,
	    T0), "NoSuchEntity");
	ck_assert_str_eq(enable(ROOT, "alice", MFA_ARN("nothing"), seed,
	    T0 - 1, T0), "NoSuchEntity");
	ck_assert_str_eq(enable(ROOT, "alice", MFA_ARN("phone"), seed, T0 - 1,
	    T0), "");
	FAILS(s, ROOT, "DeactivateMFADevice", "{\"UserName\":\"bob\","
	    "\"SerialNumber\":\"" MFA_ARN("phone") "\"}", "NoSuchEntity");
	FAILS(s, ROOT, "GetMFADevice", "{\"UserName\":\"bob\","
	    "\"SerialNumber\":\"" MFA_ARN("phone") "\"}", "NoSuchEntity");
	FAILS(s, ROOT, "DeactivateMFADevice", "{\"UserName\":\"alice\","
	    "\"SerialNumber\":\"" MFA_ARN("nothing") "\"}", "NoSuchEntity");
	FAILS(s, ROOT, "DeactivateMFADevice", "{\"UserName\":\"alice\"}",
	    "ValidationError");
	FAILS(s, ROOT, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("nothing") "\"}", "NoSuchEntity");
	FAILS(s, ROOT, "ListVirtualMFADevices",
	    "{\"AssignmentStatus\":\"Bogus\"}", "ValidationError");
	FAILS(s, ROOT, "ListVirtualMFADevices", "{\"MaxItems\":0}",
	    "ValidationError");
	FAILS(s, ROOT, "ListMFADevices", "{\"UserName\":\"nobody\"}",
	    "NoSuchEntity");

	// Hardware tokens: root registers them, by serial and seed.
	FAILS(s, ADMIN, "CreateHardwareMFADevice", "{\"SerialNumber\":"
	    "\"GAHT20000000\",\"Base32StringSeed\":\"" RFC_KEY_B32 "\"}",
	    "AccessDenied");
	FAILS(s, ROOT, "CreateHardwareMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("token") "\",\"Base32StringSeed\":\"" RFC_KEY_B32 "\"}",
	    "InvalidInput");
	FAILS(s, ROOT, "CreateHardwareMFADevice", "{\"SerialNumber\":"
	    "\"GAHT20000000\",\"Base32StringSeed\":\"not base32!\"}",
	    "InvalidInput");
	FAILS(s, ROOT, "CreateHardwareMFADevice", "{\"SerialNumber\":"
	    "\"GAHT20000000\",\"Base32StringSeed\":\"GEZDGNBVGY3TQOJQ\"}",
	    "InvalidInput"); // 80 bits: RFC 4226 wants 128 at least
	FAILS(s, ROOT, "CreateHardwareMFADevice", "{\"SerialNumber\":"
	    "\"GAHT20000000\"}", "ValidationError");
	hardware("GAHT20000000");
	FAILS(s, ROOT, "CreateHardwareMFADevice", "{\"SerialNumber\":"
	    "\"GAHT20000000\",\"Base32StringSeed\":\"" RFC_KEY_B32 "\"}",
	    "EntityAlreadyExists");
	// Each delete operation deletes its own kind only.
	FAILS(s, ROOT, "DeleteVirtualMFADevice",
	    "{\"SerialNumber\":\"GAHT20000000\"}", "NoSuchEntity");
	FAILS(s, ROOT, "DeleteHardwareMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("phone") "\"}", "NoSuchEntity");
	FAILS(s, ADMIN, "DeleteHardwareMFADevice",
	    "{\"SerialNumber\":\"GAHT20000000\"}", "AccessDenied");
	ck_assert_str_eq(enable(ROOT, "bob", "GAHT20000000", RFC_KEY_B32,
	    T0 - 1, T0), "");
	FAILS(s, ROOT, "DeleteHardwareMFADevice",
	    "{\"SerialNumber\":\"GAHT20000000\"}", "DeleteConflict");
	FAILS(s, ROOT, "DeleteUser", "{\"UserName\":\"bob\"}",
	    "DeleteConflict");
	char code[48];
	json_t *r = call_as(s, ADMIN, "ListHardwareMFADevices", NULL, code);
	ck_assert_msg(r != NULL, "%s", code);
	json_t *d = json_array_get(json_object_get(r, "HardwareMFADevices"),
	    0);
	ck_assert_str_eq(json_string_value(json_object_get(d,
	    "SerialNumber")), "GAHT20000000");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d,
	    "User"), "UserName")), "bob");
	json_decref(r);
	OK(s, "DeactivateMFADevice", "{\"UserName\":\"bob\","
	    "\"SerialNumber\":\"GAHT20000000\"}");
	OK(s, "DeleteHardwareMFADevice", "{\"SerialNumber\":\"GAHT20000000\"}");
	r = call_as(s, ADMIN, "ListHardwareMFADevices", NULL, code);
	ck_assert_int_eq(json_array_size(json_object_get(r,
	    "HardwareMFADevices")), 0);
	json_decref(r);
}
END_TEST

START_TEST(test_root_device)
{
	char seed[65], code[48], c[7];

	// root-account-mfa-device is root's name: not even Allow *:* takes
	// it.
	FAILS(s, ADMIN, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"root-account-mfa-device\"}",
	    "AccessDenied");
	create_virtual(ROOT, "root-account-mfa-device", seed);
	// Root enables its own device (UserName absent: the caller).
	ck_assert_str_eq(enable(ROOT, NULL, ROOT_DEVICE, seed, T0 - 1, T0),
	    "");
	json_t *r = call_as(s, ROOT, "ListMFADevices", NULL, code);
	json_t *d = json_array_get(json_object_get(r, "MFADevices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(d, "SerialNumber")),
	    ROOT_DEVICE);
	ck_assert_str_eq(json_string_value(json_object_get(d, "UserName")),
	    ACCT);
	json_decref(r);
	r = call_as(s, ADMIN, "ListVirtualMFADevices", NULL, code);
	d = json_array_get(json_object_get(r, "VirtualMFADevices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d,
	    "User"), "Arn")), ROOT);
	json_decref(r);
	r = call_as(s, ROOT, "GetAccountSummary", NULL, code);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r,
	    "SummaryMap"), "AccountMFAEnabled")), 1);
	json_decref(r);
	// Root signs in with it; others cannot use or touch it.
	at(T0 + 3);
	code_of(seed, T0 + 3, c);
	ck_assert_str_eq(verify(ADMIN, ROOT_DEVICE, c, NULL), "AccessDenied");
	ck_assert_str_eq(verify(ROOT, ROOT_DEVICE, c, NULL), "");
	FAILS(s, ADMIN, "DeactivateMFADevice", "{\"SerialNumber\":\""
	    ROOT_DEVICE "\"}", "NoSuchEntity");
	FAILS(s, ADMIN, "DeactivateMFADevice", "{\"UserName\":\"admin\","
	    "\"SerialNumber\":\"" ROOT_DEVICE "\"}", "NoSuchEntity");
	FAILS(s, ADMIN, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    ROOT_DEVICE "\"}", "DeleteConflict");
	OK(s, "DeactivateMFADevice", "{\"SerialNumber\":\"" ROOT_DEVICE "\"}");
	FAILS(s, ADMIN, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    ROOT_DEVICE "\"}", "AccessDenied");
	// Nor can an administrator enable root's device for itself.
	at(T0 + 10);
	ck_assert_str_eq(enable(ADMIN, NULL, ROOT_DEVICE, seed, T0 + 9,
	    T0 + 10), "AccessDenied");
	OK(s, "DeleteVirtualMFADevice", "{\"SerialNumber\":\"" ROOT_DEVICE
	    "\"}");
}
END_TEST

START_TEST(test_self_authorization)
{
	char seed[65], code[48];

	// bob has no IAM permissions: every MFA call is denied.
	FAILS(s, BOB, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"bob\"}", "AccessDenied");
	FAILS(s, BOB, "ListMFADevices", NULL, "AccessDenied");
	FAILS(s, BOB, "ListVirtualMFADevices", NULL, "AccessDenied");
	FAILS(s, BOB, "ListHardwareMFADevices", NULL, "AccessDenied");
	create_virtual(ROOT, "spare", seed);
	ck_assert_str_eq(enable(BOB, NULL, MFA_ARN("spare"), seed, T0 - 1,
	    T0), "AccessDenied");
	FAILS(s, BOB, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("spare") "\"}", "AccessDenied");
	FAILS(s, BOB, "DeactivateMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("spare") "\"}", "AccessDenied");
	FAILS(s, BOB, "GetMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("spare") "\"}", "AccessDenied");
	FAILS(s, BOB, "ResyncMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("spare") "\",\"AuthenticationCode1\":\"123456\","
	    "\"AuthenticationCode2\":\"123456\"}", "AccessDenied");

	// AWS's self-managed MFA policy: his own device and user only.
	OKJ(s, ROOT, "PutUserPolicy", json_pack("{s:s, s:s, s:s}", "UserName",
	    "bob", "PolicyName", "own-mfa", "PolicyDocument",
	    "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateVirtualMFADevice\","
	    "\"iam:DeleteVirtualMFADevice\"],\"Resource\":"
	    "\"arn:aws:iam::*:mfa/${aws:username}\"},"
	    "{\"Effect\":\"Allow\",\"Action\":[\"iam:EnableMFADevice\","
	    "\"iam:DeactivateMFADevice\",\"iam:ListMFADevices\","
	    "\"iam:ResyncMFADevice\",\"iam:GetMFADevice\"],\"Resource\":"
	    "\"arn:aws:iam::*:user/${aws:username}\"}]}"));
	create_virtual(BOB, "bob", seed);
	FAILS(s, BOB, "CreateVirtualMFADevice",
	    "{\"VirtualMFADeviceName\":\"alice\"}", "AccessDenied");
	// Tags need iam:TagMFADevice too.
	FAILS(s, BOB, "CreateVirtualMFADevice", "{\"VirtualMFADeviceName\":"
	    "\"bob\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
	    "AccessDenied");
	ck_assert_str_eq(enable(BOB, "alice", MFA_ARN("bob"), seed, T0 - 1, T0),
	    "AccessDenied");
	ck_assert_str_eq(enable(BOB, NULL, MFA_ARN("bob"), seed, T0 - 1, T0),
	    "");
	json_t *r = call_as(s, BOB, "ListMFADevices", NULL, code);
	ck_assert_int_eq(json_array_size(json_object_get(r, "MFADevices")), 1);
	json_decref(r);
	FAILS(s, BOB, "ListMFADevices", "{\"UserName\":\"alice\"}",
	    "AccessDenied");
	r = call_as(s, BOB, "GetMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("bob") "\"}", code);
	ck_assert_msg(r != NULL, "%s", code);
	json_decref(r);
	OK(s, "CreateUser", "{\"UserName\":\"carol\"}");
	FAILS(s, BOB, "DeactivateMFADevice", "{\"UserName\":\"carol\","
	    "\"SerialNumber\":\"" MFA_ARN("bob") "\"}", "AccessDenied");
	OKJ(s, BOB, "DeactivateMFADevice", json_pack("{s:s}", "SerialNumber",
	    MFA_ARN("bob")));
	OKJ(s, BOB, "DeleteVirtualMFADevice", json_pack("{s:s}",
	    "SerialNumber", MFA_ARN("bob")));
	FAILS(s, BOB, "DeleteVirtualMFADevice", "{\"SerialNumber\":\""
	    MFA_ARN("spare") "\"}", "AccessDenied");
}
END_TEST

// per_entity collects iams_store_mfa_per_entity's answer.
static int
collect(void *arg, int64_t eid, uint32_t n)
{
	uint32_t *out = arg;

	ck_assert_int_lt(eid, 16);
	out[eid] = n;
	return PDP_OK;
}

START_TEST(test_store_queries)
{
	uint32_t per[16] = {0}, n = 99;
	iams_entity root, alice;
	char seed[65];

	// MFA devices came with migration 2; later ones may follow.
	ck_assert_int_ge(iams_store_schema_version(s->st), 2);
	alice_token("GAHT30000001");
	alice_token("GAHT30000002");
	create_virtual(ROOT, "r", seed);
	ck_assert_str_eq(enable(ROOT, NULL, MFA_ARN("r"), seed, T0 - 1, T0),
	    "");
	ck_assert_int_eq(iams_store_begin(s->st, false), PDP_OK);
	ck_assert_int_eq(iams_store_entity_get(s->st, ACCT, IAMS_ROOT, "root",
	    &root), PDP_OK);
	ck_assert_int_eq(iams_store_entity_get(s->st, ACCT, IAMS_USER, "alice",
	    &alice), PDP_OK);
	ck_assert_int_eq(iams_store_mfa_per_entity(s->st, ACCT, collect, per),
	    PDP_OK);
	ck_assert_uint_eq(per[alice.eid], 2);
	ck_assert_uint_eq(per[root.eid], 1);
	ck_assert_int_eq(iams_store_mfa_count(s->st, ACCT, alice.eid, false,
	    &n), PDP_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(iams_store_mfa_count(s->st, ACCT, 0, true, &n),
	    PDP_OK);
	ck_assert_uint_eq(n, 1);
	// The stored seed is sealed: longer than the seed, and only the
	// store key with the device's serial opens it.
	iams_mfa m;
	uint8_t out[64];
	ck_assert_int_eq(iams_store_mfa_get(s->st, ACCT, "GAHT30000001", &m),
	    PDP_OK);
	ck_assert_uint_eq(m.seed_len, RFC_KEY_LEN + IAMSI_SEAL_OVERHEAD);
	ck_assert(iamsi_unseal(test_key, "GAHT30000001", m.seed, m.seed_len,
	    out));
	ck_assert(memcmp(out, rfc_key, RFC_KEY_LEN) == 0);
	ck_assert(!iamsi_unseal(test_key, "GAHT30000002", m.seed, m.seed_len,
	    out));
	uint8_t other[IAMS_KEY_LEN] = {9};
	ck_assert(!iamsi_unseal(other, "GAHT30000001", m.seed, m.seed_len,
	    out));
	iams_mfa_fini(&m);
	iams_store_rollback(s->st);
	iams_entity_fini(&root);
	iams_entity_fini(&alice);
	// Closing the account takes its devices along.
	OK(s, "CloseAccount", NULL);
	ck_assert_int_eq(iams_store_begin(s->st, false), PDP_OK);
	ck_assert_int_eq(iams_store_mfa_get(s->st, ACCT, "GAHT30000001", &m),
	    PDP_ENOENT);
	iams_store_rollback(s->st);
}
END_TEST

// ops_keys.c's opener of access-key secrets, which shares the sealing.
bool iamsi_key_open(const uint8_t key[IAMS_KEY_LEN], const char *key_id,
    const uint8_t *sealed, size_t len, char *out);

START_TEST(test_access_keys_share_the_seal)
{
	char code[48], secret[41];
	json_t *r = call_as(s, ROOT, "CreateAccessKey",
	    "{\"UserName\":\"alice\"}", code);
	json_t *k = json_object_get(r, "AccessKey");
	const char *id = json_string_value(json_object_get(k, "AccessKeyId"));
	iams_key key;

	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(iams_store_begin(s->st, false), PDP_OK);
	ck_assert_int_eq(iams_store_key_get(s->st, id, &key), PDP_OK);
	ck_assert_uint_eq(key.secret_len, 40 + IAMSI_SEAL_OVERHEAD);
	ck_assert(iamsi_key_open(test_key, id, key.secret, key.secret_len,
	    secret));
	ck_assert_str_eq(secret, json_string_value(json_object_get(k,
	    "SecretAccessKey")));
	ck_assert(!iamsi_key_open(test_key, "AKIAOTHERKEYID000000",
	    key.secret, key.secret_len, secret));
	ck_assert_str_eq(secret, "");
	iams_key_fini(&key);
	iams_store_rollback(s->st);
	json_decref(r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_mfa");
	TCase *rfc = tcase_create("rfc");
	tcase_add_test(rfc, test_hotp_rfc4226_appendix_d);
	tcase_add_test(rfc, test_totp_rfc6238_appendix_b);
	tcase_add_test(rfc, test_base32_rfc4648);
	suite_add_tcase(su, rfc);
	TCase *tc = tcase_create("ops");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_virtual_device_lifecycle);
	tcase_add_test(tc, test_enable_needs_two_consecutive_codes);
	tcase_add_test(tc, test_enable_skew);
	tcase_add_test(tc, test_verify_skew_and_replay);
	tcase_add_test(tc, test_verify_checks_the_owner);
	tcase_add_test(tc, test_resync);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_error_codes);
	tcase_add_test(tc, test_root_device);
	tcase_add_test(tc, test_self_authorization);
	tcase_add_test(tc, test_store_queries);
	tcase_add_test(tc, test_access_keys_share_the_seal);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
