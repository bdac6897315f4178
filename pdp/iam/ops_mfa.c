// ops_mfa.c - MFA devices: CreateVirtualMFADevice, EnableMFADevice,
// DeactivateMFADevice, ResyncMFADevice, GetMFADevice, ListMFADevices,
// ListVirtualMFADevices, DeleteVirtualMFADevice; our root-only
// CreateHardwareMFADevice and DeleteHardwareMFADevice (AWS registers
// hardware tokens through its own channel) and ListHardwareMFADevices;
// the code check STS uses (mfa.h); sealing with the store key.
//
// Seeds are TOTP keys (totp.c): sealed under the store key with the
// device's serial as additional data, shown once (CreateVirtualMFADevice),
// never logged. Every accepted code moves the device's last step forward
// in the same transaction, so a code is good once. MFA state is not in
// the bundle: these writes commit without a revision bump or rebuild.

#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mfa.h"
#include "totp.h"

#define SEED_LEN 40      // AWS's virtual seeds: 64 base32 characters
#define SEED_MIN 16      // RFC 4226 R6: 128 bits at least
#define SEED_MAX 64
#define SERIAL_MIN 9     // AWS's serialNumberType
#define SERIAL_MAX 256
#define DEVICE_NAME_MAX 226
#define B32_MAX (SEED_MAX * 8 / 5 + 2)

// --- sealing ---------------------------------------------------------------------

bool
iamsi_seal(const uint8_t key[IAMS_KEY_LEN], const char *ad,
    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *x;
	int len = 0, ok;

	if (n == 0 || n > INT_MAX / 2 || (x = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	ok = RAND_bytes(out, IAMSI_SEAL_NONCE) == 1 &&
	    EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
	    EVP_EncryptUpdate(x, NULL, &len, (const uint8_t *) ad,
	    (int) strlen(ad)) == 1 &&
	    EVP_EncryptUpdate(x, out + IAMSI_SEAL_NONCE, &len, in, (int) n) ==
	    1 && EVP_EncryptFinal_ex(x, out + IAMSI_SEAL_NONCE + len, &len) ==
	    1 && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, IAMSI_SEAL_TAG,
	    out + IAMSI_SEAL_NONCE + n) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

bool
iamsi_unseal(const uint8_t key[IAMS_KEY_LEN], const char *ad,
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *x;
	size_t n = len - IAMSI_SEAL_OVERHEAD;
	int k = 0, ok;

	if (len <= IAMSI_SEAL_OVERHEAD || len > INT_MAX / 2 ||
	    (x = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	ok = EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
	    EVP_DecryptUpdate(x, NULL, &k, (const uint8_t *) ad,
	    (int) strlen(ad)) == 1 &&
	    EVP_DecryptUpdate(x, out, &k, in + IAMSI_SEAL_NONCE, (int) n) ==
	    1 && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, IAMSI_SEAL_TAG,
	    (void *) (in + IAMSI_SEAL_NONCE + n)) == 1 &&
	    EVP_DecryptFinal_ex(x, out + k, &k) == 1;
	EVP_CIPHER_CTX_free(x);
	if (!ok)
		OPENSSL_cleanse(out, n);
	return ok;
}

// --- parameters ------------------------------------------------------------------

// check_serial applies AWS's serialNumberType: 9-256 of [\w+=/:,.@-].
static bool
check_serial(iamsi_ctx *c, const char *v)
{
	size_t n = strlen(v);
	bool ok = n >= SERIAL_MIN && n <= SERIAL_MAX;

	for (const char *p = v; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_+=/:,.@-", *p) != NULL;
	if (!ok)
		iamsi_fail(c, "ValidationError", "1 validation error detected: "
		    "Value at 'serialNumber' failed to satisfy constraint: "
		    "Member must have length between %d and %d and satisfy "
		    "regular expression pattern: [\\w+=/:,.@-]+", SERIAL_MIN,
		    SERIAL_MAX);
	return ok;
}

static const char *
need_serial(iamsi_ctx *c)
{
	const char *v = iamsi_need(c, "SerialNumber");

	return v != NULL && check_serial(c, v) ? v : NULL;
}

// is_code: exactly six decimal digits.
static bool
is_code(const char *v)
{
	return strlen(v) == IAMS_TOTP_DIGITS &&
	    strspn(v, "0123456789") == IAMS_TOTP_DIGITS;
}

// code_param reads a code: a string of 6 digits, or the number the iam
// command makes of one (its leading zeros restored). The value is never
// echoed in an error.
static bool
code_param(iamsi_ctx *c, const char *field, char out[IAMS_TOTP_DIGITS + 1])
{
	const json_t *v = json_object_get(c->params, field);
	const char *s;

	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) < 1000000) {
		iams_otp_format((uint32_t) json_integer_value(v),
		    IAMS_TOTP_DIGITS, out);
		return true;
	}
	if ((s = iamsi_need(c, field)) == NULL)
		return false;
	if (!is_code(s)) {
		iamsi_fail(c, "ValidationError", "1 validation error detected: "
		    "Value at '%c%s' failed to satisfy constraint: Member must "
		    "have length %d and satisfy regular expression pattern: "
		    "[\\d]+", field[0] + ('a' - 'A'), field + 1,
		    IAMS_TOTP_DIGITS);
		return false;
	}
	memcpy(out, s, IAMS_TOTP_DIGITS + 1);
	return true;
}

// mfa_arn writes the resource a device is authorized on: its serial when
// that is an ARN (virtual devices), else arn:aws:iam::ACCOUNT:mfa/SERIAL.
static void
mfa_arn(iamsi_ctx *c, const char *serial, char *out, size_t len)
{
	if (strncmp(serial, "arn:", 4) == 0)
		snprintf(out, len, "%s", serial);
	else
		iamsi_arn(out, len, c->account, "mfa", "/", serial);
}

static const char *
user_name(iamsi_ctx *c, const iams_entity *e)
{
	return e->kind == IAMS_ROOT ? c->account : e->name;
}

// --- codes -------------------------------------------------------------------------

// device_seed unseals the seed of device m into seed (SEED_MAX bytes).
static bool
device_seed(iamsi_ctx *c, const iams_mfa *m, uint8_t *seed, size_t *n)
{
	if (!c->s->has_key || m->seed_len > SEED_MAX + IAMSI_SEAL_OVERHEAD ||
	    !iamsi_unseal(c->s->key, m->serial, m->seed, m->seed_len, seed)) {
		iamsi_fail(c, "ServiceFailure", "the seed of MFA device %s "
		    "cannot be unsealed with the store key", m->serial);
		return false;
	}
	*n = m->seed_len - IAMSI_SEAL_OVERHEAD;
	return true;
}

// code_is compares the code of `step` with `code` in constant time.
static bool
code_is(const uint8_t *seed, size_t n, int64_t step, const char *code)
{
	char text[IAMS_TOTP_DIGITS + 1];
	uint32_t v;
	bool eq;

	if (!iams_totp(seed, n, step, IAMS_TOTP_DIGITS, &v))
		return false;
	iams_otp_format(v, IAMS_TOTP_DIGITS, text);
	eq = CRYPTO_memcmp(text, code, IAMS_TOTP_DIGITS) == 0;
	OPENSSL_cleanse(text, sizeof(text));
	return eq;
}

// first_match returns the first step t in [lo, hi], later than `after`,
// whose code is code1 and, when code2 is given, whose next step's code is
// code2 (two consecutive codes); -1 when there is none.
static int64_t
first_match(const uint8_t *seed, size_t n, int64_t lo, int64_t hi,
    int64_t after, const char *code1, const char *code2)
{
	if (lo <= after)
		lo = after + 1;
	for (int64_t t = lo < 0 ? 0 : lo; t <= hi; t++)
		if (code_is(seed, n, t, code1) &&
		    (code2 == NULL || code_is(seed, n, t + 1, code2)))
			return t;
	return -1;
}

// check_pair finds two consecutive codes whose second step lies within
// `window` steps of `center`, after the device's last step: on success
// the device's last step becomes the second code's step.
static bool
check_pair(iamsi_ctx *c, iams_mfa *m, int64_t center, int64_t window,
    const char *code1, const char *code2)
{
	uint8_t seed[SEED_MAX];
	size_t n;
	int64_t t;

	if (!device_seed(c, m, seed, &n))
		return false;
	t = first_match(seed, n, center - window - 1, center + window - 1,
	    m->last_step, code1, code2);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (t < 0) {
		iamsi_fail(c, "InvalidAuthenticationCode", "Authentication code "
		    "for device is not valid.");
		return false;
	}
	m->last_step = t + 1;
	return true;
}

// --- finding users and devices -------------------------------------------------------

// find_device looks up a device of the caller's account by serial.
static bool
find_device(iamsi_ctx *c, const char *serial, iams_mfa *m)
{
	int rv = iams_store_mfa_get(c->st, c->account, serial, m);

	if (rv == PDP_ENOENT)
		iamsi_fail(c, "NoSuchEntity", "MFA device with serial number "
		    "%s does not exist.", serial);
	else if (rv != PDP_OK)
		iamsi_store_fail(c, rv, NULL);
	return rv == PDP_OK;
}

// target_user resolves UserName (absent: the caller, root included; AWS
// requires it for Enable and Resync, we let root name itself this way)
// and authorizes `action` on it. Root's devices are root's alone.
static bool
target_user(iamsi_ctx *c, const char *action, iams_entity *e)
{
	if (!iamsi_self_or_named(c, action, e))
		return false;
	if (e->kind == IAMS_ROOT && !iamsi_root_only(c, action)) {
		iams_entity_fini(e);
		return false;
	}
	return true;
}

// user_device resolves the user and SerialNumber, which must be enabled
// for that user (NoSuchEntity otherwise).
static bool
user_device(iamsi_ctx *c, const char *action, const char *serial,
    iams_entity *e, iams_mfa *m)
{
	if (!target_user(c, action, e))
		return false;
	if (!find_device(c, serial, m)) {
		iams_entity_fini(e);
		return false;
	}
	if (m->eid != e->eid) {
		iamsi_fail(c, "NoSuchEntity", "MFA device with serial number %s "
		    "is not enabled for user %s.", serial, user_name(c, e));
		iams_mfa_fini(m);
		iams_entity_fini(e);
		return false;
	}
	return true;
}

static int
save(iamsi_ctx *c, const iams_mfa *m)
{
	int rv = iams_store_mfa_update(c->st, m);

	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

// --- creating devices ----------------------------------------------------------------

// uri_label percent-encodes all but RFC 3986's unreserved characters.
static void
uri_label(const char *in, char *out, size_t len)
{
	size_t k = 0;

	for (; *in && k + 4 < len; in++) {
		unsigned char ch = (unsigned char) *in;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL)
			out[k++] = (char) ch;
		else
			k += (size_t) snprintf(out + k, len - k, "%%%02X", ch);
	}
	out[k] = '\0';
}

// insert_device seals `seed` and stores the device; EntityAlreadyExists
// when the serial (or a virtual device's name) is taken.
static bool
insert_device(iamsi_ctx *c, iams_mfa *m, const uint8_t *seed, size_t n)
{
	uint8_t sealed[SEED_MAX + IAMSI_SEAL_OVERHEAD];
	int rv;

	if (!c->s->has_key) {
		iamsi_fail(c, "ServiceFailure", "the service has no store key "
		    "to seal seeds with");
		return false;
	}
	if (!iamsi_seal(c->s->key, m->serial, seed, n, sealed)) {
		iamsi_fail(c, "ServiceFailure", "sealing the seed failed");
		return false;
	}
	m->account = c->account;
	m->seed = sealed;
	m->seed_len = n + IAMSI_SEAL_OVERHEAD;
	m->created = c->now;
	rv = iams_store_mfa_insert(c->st, m, &m->did);
	m->seed = NULL;
	if (rv == PDP_EINVAL)
		iamsi_fail(c, "EntityAlreadyExists", "MFADevice entity at the "
		    "same path and name already exists.");
	else if (rv != PDP_OK)
		iamsi_store_fail(c, rv, NULL);
	return rv == PDP_OK;
}

static bool
set_tags(iamsi_ctx *c, int64_t did, const json_t *tags)
{
	size_t i;
	const json_t *t;

	json_array_foreach(tags, i, t) {
		int rv = iams_store_mfa_tag_set(c->st, did,
		    json_string_value(json_object_get(t, "Key")),
		    json_string_value(json_object_get(t, "Value")));
		if (rv != PDP_OK) {
			iamsi_store_fail(c, rv, NULL);
			return false;
		}
	}
	return true;
}

// virtual_response is CreateVirtualMFADevice's answer: the only time the
// seed leaves the store, in base32 and in the otpauth:// URI that AWS's
// QRCodePNG encodes (we have no QR encoder: OtpauthURI is ours).
static bool
virtual_response(iamsi_ctx *c, const iams_mfa *m, const uint8_t *seed,
    const json_t *tags)
{
	char b32[B32_MAX], label[3 * DEVICE_NAME_MAX + 1], uri[1024];
	json_t *o;

	iams_base32_encode(seed, SEED_LEN, b32, sizeof(b32));
	uri_label(m->name, label, sizeof(label));
	snprintf(uri, sizeof(uri), "otpauth://totp/%s@%s?secret=%s", label,
	    c->account, b32);
	o = json_pack("{s:s, s:s, s:s}", "SerialNumber", m->serial,
	    "Base32StringSeed", b32, "OtpauthURI", uri);
	OPENSSL_cleanse(b32, sizeof(b32));
	OPENSSL_cleanse(uri, sizeof(uri));
	if (o == NULL) {
		iamsi_fail(c, "ServiceFailure", "out of memory");
		return false;
	}
	if (json_array_size(tags) > 0)
		json_object_set_new(o, "Tags", json_deep_copy(tags));
	json_object_set_new(c->resp, "VirtualMFADevice", o);
	return true;
}

static int
create_virtual_mfa_device(iamsi_ctx *c)
{
	bool bad = false;
	const char *name = iamsi_need(c, "VirtualMFADeviceName");
	const char *path = iamsi_str(c, "Path", &bad);
	const json_t *tags = json_object_get(c->params, "Tags");
	char arn[1024];
	uint8_t seed[SEED_LEN];
	iams_mfa m;
	uint32_t n;
	int rv;

	if (name == NULL || bad)
		return PDP_EINVAL;
	path = path ? path : "/";
	if (!iamsi_check_name(c, "VirtualMFADeviceName", name,
	    DEVICE_NAME_MAX) || !iamsi_check_path(c, "Path", path) ||
	    !iamsi_tags_check(c, tags))
		return PDP_EINVAL;
	// Root's device name is root's (AWS's console makes it for root).
	if (strcasecmp(name, IAMSI_MFA_ROOT_NAME) == 0 &&
	    !iamsi_root_only(c, "iam:CreateVirtualMFADevice"))
		return PDP_EINVAL;
	iamsi_arn(arn, sizeof(arn), c->account, "mfa", path, name);
	if (!iamsi_authorize(c, "iam:CreateVirtualMFADevice", arn, tags) ||
	    (json_array_size(tags) > 0 &&
	    !iamsi_authorize(c, "iam:TagMFADevice", arn, tags)))
		return PDP_EINVAL;
	// Virtual devices, assigned or not, count against the user quota.
	if ((rv = iams_store_mfa_count(c->st, c->account, 0, true, &n)))
		return iamsi_store_fail(c, rv, NULL);
	if (n >= c->s->users_max)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "VirtualMFADevicesPerAccount: %u", c->s->users_max);
	if (RAND_bytes(seed, sizeof(seed)) != 1)
		return iamsi_fail(c, "ServiceFailure", "no randomness");
	memset(&m, 0, sizeof(m));
	m.serial = arn;
	m.name = (char *) name;
	m.path = (char *) path;
	m.is_virtual = true;
	bool ok = insert_device(c, &m, seed, sizeof(seed)) &&
	    set_tags(c, m.did, tags) && virtual_response(c, &m, seed, tags);
	OPENSSL_cleanse(seed, sizeof(seed));
	return ok ? PDP_OK : PDP_EINVAL;
}

// create_hardware_mfa_device (ours, root only) registers a TOTP token by
// its serial and the base32 seed from the vendor's seed file.
static int
create_hardware_mfa_device(iamsi_ctx *c)
{
	const char *serial = need_serial(c);
	const char *text = serial ? iamsi_need(c, "Base32StringSeed") : NULL;
	uint8_t seed[SEED_MAX];
	size_t n = 0;
	char arn[1024];
	iams_mfa m;

	if (text == NULL)
		return PDP_EINVAL;
	if (strncmp(serial, "arn:", 4) == 0)
		return iamsi_fail(c, "InvalidInput", "A hardware MFA device's "
		    "serial number cannot be an ARN: ARNs name virtual "
		    "devices.");
	mfa_arn(c, serial, arn, sizeof(arn));
	if (!iamsi_root_only(c, "iam:CreateHardwareMFADevice") ||
	    !iamsi_authorize(c, "iam:CreateHardwareMFADevice", arn, NULL))
		return PDP_EINVAL;
	bool ok = iams_base32_decode(text, seed, sizeof(seed), &n) &&
	    n >= SEED_MIN;
	if (!ok) {
		OPENSSL_cleanse(seed, sizeof(seed));
		return iamsi_fail(c, "InvalidInput", "Base32StringSeed must be "
		    "base32 (RFC 4648) of %d to %d bytes.", SEED_MIN,
		    SEED_MAX);
	}
	memset(&m, 0, sizeof(m));
	m.serial = (char *) serial;
	m.name = (char *) serial;
	m.path = "/";
	ok = insert_device(c, &m, seed, n);
	OPENSSL_cleanse(seed, sizeof(seed));
	if (!ok)
		return PDP_EINVAL;
	json_object_set_new(c->resp, "MFADevice", json_pack("{s:s}",
	    "SerialNumber", serial));
	return PDP_OK;
}

// delete_device is DeleteVirtualMFADevice, and our root-only
// DeleteHardwareMFADevice: only an unassigned device goes.
static int
delete_device(iamsi_ctx *c, bool hardware)
{
	const char *action = hardware ? "iam:DeleteHardwareMFADevice" :
	    "iam:DeleteVirtualMFADevice";
	const char *serial = need_serial(c);
	char arn[1024];
	iams_mfa m;
	int rv;

	if (serial == NULL || (hardware && !iamsi_root_only(c, action)))
		return PDP_EINVAL;
	mfa_arn(c, serial, arn, sizeof(arn));
	if (!iamsi_authorize(c, action, arn, NULL) ||
	    !find_device(c, serial, &m))
		return PDP_EINVAL;
	if (m.is_virtual == hardware)
		rv = iamsi_fail(c, "NoSuchEntity", "%s with serial number %s "
		    "does not exist.", hardware ? "Hardware MFA device" :
		    "VirtualMFADevice", serial);
	else if (m.eid != 0)
		rv = iamsi_fail(c, "DeleteConflict", "MFA %s in use. Must "
		    "deactivate first.", hardware ? "device" : "VirtualDevice");
	else if (strcasecmp(m.name, IAMSI_MFA_ROOT_NAME) == 0 &&
	    !iamsi_root_only(c, action))
		rv = PDP_EINVAL;
	else if ((rv = iams_store_mfa_delete(c->st, m.did)) != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	iams_mfa_fini(&m);
	return rv;
}

// KIND_OP makes the handler of one kind's variant of an operation.
#define KIND_OP(name, fn, kind) \
	static int name(iamsi_ctx *c) { return fn(c, kind); }
KIND_OP(delete_virtual_mfa_device, delete_device, false)
KIND_OP(delete_hardware_mfa_device, delete_device, true)

// --- enabling and using devices ---------------------------------------------------------

// Enable and Resync read a serial and two codes first: bad input fails
// before anything is looked up.
typedef struct pair_req {
	const char *serial;
	char code1[IAMS_TOTP_DIGITS + 1], code2[IAMS_TOTP_DIGITS + 1];
} pair_req;

static bool
pair_params(iamsi_ctx *c, pair_req *p)
{
	return (p->serial = need_serial(c)) != NULL &&
	    code_param(c, "AuthenticationCode1", p->code1) &&
	    code_param(c, "AuthenticationCode2", p->code2);
}

static int
enable_mfa_device(iamsi_ctx *c)
{
	pair_req p;
	iams_entity e;
	iams_mfa m;
	uint32_t n = 0;
	int rv = PDP_EINVAL;

	if (!pair_params(c, &p) || !target_user(c, "iam:EnableMFADevice", &e))
		return PDP_EINVAL;
	if (!find_device(c, p.serial, &m)) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	if (m.eid != 0)
		iamsi_fail(c, "EntityAlreadyExists", "MFA device %s is already "
		    "in use.", p.serial);
	else if (m.is_virtual && e.kind != IAMS_ROOT &&
	    strcasecmp(m.name, IAMSI_MFA_ROOT_NAME) == 0)
		iamsi_fail(c, "AccessDenied", "%s is the root user's device.",
		    p.serial);
	else if ((rv = iams_store_mfa_count(c->st, c->account, e.eid, false,
	    &n)) != PDP_OK)
		rv = iamsi_store_fail(c, rv, NULL);
	else if (n >= IAMSI_MFA_PER_USER)
		rv = iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "MFADevicesPerUser: %d", IAMSI_MFA_PER_USER);
	else if (!check_pair(c, &m, iams_totp_step(c->now) + m.drift,
	    IAMSI_MFA_SKEW, p.code1, p.code2))
		rv = PDP_EINVAL;
	else {
		m.eid = e.eid;
		m.enabled = c->now;
		rv = save(c, &m);
	}
	iams_mfa_fini(&m);
	iams_entity_fini(&e);
	return rv;
}

static int
deactivate_mfa_device(iamsi_ctx *c)
{
	const char *serial = need_serial(c);
	iams_entity e;
	iams_mfa m;
	int rv;

	if (serial == NULL || !user_device(c, "iam:DeactivateMFADevice",
	    serial, &e, &m))
		return PDP_EINVAL;
	// The last step stays: re-enabling the device cannot replay a code.
	m.eid = 0;
	rv = save(c, &m);
	iams_mfa_fini(&m);
	iams_entity_fini(&e);
	return rv;
}

// resync_mfa_device searches a wide window around now for two
// consecutive codes and remembers how far the device's clock is off.
static int
resync_mfa_device(iamsi_ctx *c)
{
	int64_t now = iams_totp_step(c->now);
	pair_req p;
	iams_entity e;
	iams_mfa m;
	int rv = PDP_EINVAL;

	if (!pair_params(c, &p) || !user_device(c, "iam:ResyncMFADevice",
	    p.serial, &e, &m))
		return PDP_EINVAL;
	if (check_pair(c, &m, now, IAMSI_MFA_RESYNC, p.code1, p.code2)) {
		m.drift = m.last_step - now;
		rv = save(c, &m);
	}
	iams_mfa_fini(&m);
	iams_entity_fini(&e);
	return rv;
}

static int
get_mfa_device(iamsi_ctx *c)
{
	const char *serial = need_serial(c);
	iams_entity e;
	iams_mfa m;

	if (serial == NULL || !user_device(c, "iam:GetMFADevice", serial, &e,
	    &m))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "UserName",
	    json_string(user_name(c, &e)));
	json_object_set_new(c->resp, "SerialNumber", json_string(m.serial));
	json_object_set_new(c->resp, "EnableDate", iamsi_date(m.enabled));
	iams_mfa_fini(&m);
	iams_entity_fini(&e);
	return PDP_OK;
}

// owned_device finds device `serial` enabled for the principal `arn`:
// root or an IAM user of the caller's account (no other principal has
// devices). PDP_ENOENT when there is no such device for it.
static int
owned_device(iamsi_ctx *c, const char *serial, const char *arn,
    iams_mfa *m)
{
	char prefix[32];
	const char *p;
	iams_entity e;
	int rv = PDP_ENOENT;

	snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:", c->account);
	if (strncmp(arn, prefix, strlen(prefix)) != 0)
		return PDP_ENOENT;
	p = arn + strlen(prefix);
	if (strcmp(p, "root") == 0)
		rv = iams_store_entity_get(c->st, c->account, IAMS_ROOT,
		    "root", &e);
	else if (strncmp(p, "user/", 5) == 0)
		rv = iams_store_entity_get(c->st, c->account, IAMS_USER,
		    strrchr(p, '/') + 1, &e);
	if (rv != PDP_OK)
		return rv;
	if ((rv = iams_store_mfa_get(c->st, c->account, serial, m)) ==
	    PDP_OK && m->eid != e.eid) {
		iams_mfa_fini(m);
		rv = PDP_ENOENT;
	}
	iams_entity_fini(&e);
	return rv;
}

bool
iamsi_mfa_verify(iamsi_ctx *c, const char *serial, const char *code,
    const char *owner_arn)
{
	uint8_t seed[SEED_MAX];
	size_t n;
	iams_mfa m;
	int rv;

	if (serial == NULL || !check_serial(c, serial))
		return false;
	if (code == NULL || !is_code(code)) {
		iamsi_fail(c, "ValidationError", "1 validation error detected: "
		    "Value at 'tokenCode' failed to satisfy constraint: Member "
		    "must have length %d and satisfy regular expression "
		    "pattern: [\\d]*", IAMS_TOTP_DIGITS);
		return false;
	}
	rv = owned_device(c, serial, owner_arn ? owner_arn : c->caller, &m);
	if (rv == PDP_ENOENT) {
		iamsi_fail(c, "AccessDenied", "MultiFactorAuthentication "
		    "failed, unable to validate MFA code. Please verify your "
		    "MFA serial number is valid and associated with this "
		    "user.");
		return false;
	}
	if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	rv = PDP_EINVAL;
	if (device_seed(c, &m, seed, &n)) {
		int64_t now = iams_totp_step(c->now) + m.drift;
		int64_t t = first_match(seed, n, now - IAMSI_MFA_SKEW,
		    now + IAMSI_MFA_SKEW, m.last_step, code, NULL);
		OPENSSL_cleanse(seed, sizeof(seed));
		if (t < 0) {
			iamsi_fail(c, "AccessDenied", "MultiFactorAuthentication "
			    "failed with invalid MFA one time pass code.");
		} else {
			m.last_step = t;
			rv = save(c, &m);
		}
	}
	iams_mfa_fini(&m);
	return rv == PDP_OK;
}

// --- listing ------------------------------------------------------------------------

typedef struct mlister {
	iamsi_ctx *c;
	const iams_entity *user; // ListMFADevices: whose devices
	json_t *arr;
	uint32_t max, n;
	char last[SERIAL_MAX + 1];
	bool truncated;
	int (*fn)(struct mlister *l, const iams_mfa *m, json_t *o);
} mlister;

static int
list_one(void *arg, const iams_mfa *m)
{
	mlister *l = arg;
	json_t *o;

	if (l->n == l->max) {
		l->truncated = true;
		return PDP_OK;
	}
	l->n++;
	snprintf(l->last, sizeof(l->last), "%s", m->serial);
	if ((o = json_pack("{s:s}", "SerialNumber", m->serial)) == NULL ||
	    json_array_append_new(l->arr, o) != 0)
		return PDP_ENOMEM;
	return l->fn(l, m, o);
}

// walk lists the devices of `eid` in `status` of `kind` into field, with
// AWS's Marker and MaxItems.
static int
walk(iamsi_ctx *c, mlister *l, const char *field, int64_t eid,
    iams_mfa_status status, iams_mfa_kind kind)
{
	const char *marker;
	int rv;

	l->c = c;
	if (!iamsi_paging(c, &marker, &l->max))
		return PDP_EINVAL;
	if ((l->arr = json_array()) == NULL)
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	json_object_set_new(c->resp, field, l->arr);
	rv = iams_store_mfa_list(c->st, c->account, eid, status, kind, marker,
	    l->max + 1, list_one, l);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	json_object_set_new(c->resp, "IsTruncated",
	    json_boolean(l->truncated));
	if (l->truncated)
		json_object_set_new(c->resp, "Marker", json_string(l->last));
	return PDP_OK;
}

static int
user_item(mlister *l, const iams_mfa *m, json_t *o)
{
	json_object_set_new(o, "UserName", json_string(user_name(l->c,
	    l->user)));
	json_object_set_new(o, "EnableDate", iamsi_date(m->enabled));
	return PDP_OK;
}

static int
list_mfa_devices(iamsi_ctx *c)
{
	iams_entity e;
	mlister l = {.user = &e, .fn = user_item};
	int rv;

	if (!target_user(c, "iam:ListMFADevices", &e))
		return PDP_EINVAL;
	rv = walk(c, &l, "MFADevices", e.eid, IAMS_MFA_ASSIGNED, IAMS_MFA_ALL);
	iams_entity_fini(&e);
	return rv;
}

static int
tag_item(void *arg, const char *key, const char *value)
{
	json_t *t = json_pack("{s:s, s:s}", "Key", key, "Value", value);

	return t && json_array_append_new(arg, t) == 0 ? PDP_OK : PDP_ENOMEM;
}

// device_item is the VirtualMFADevice shape without its seed: the user
// it is enabled for, when, and its tags.
static int
device_item(mlister *l, const iams_mfa *m, json_t *o)
{
	iams_entity e;
	json_t *tags;
	int rv;

	if (m->eid != 0) {
		rv = iams_store_entity_by_eid(l->c->st, m->eid, &e);
		if (rv != PDP_OK)
			return rv;
		json_object_set_new(o, "User", iamsi_user_json(l->c, &e,
		    false));
		json_object_set_new(o, "EnableDate", iamsi_date(m->enabled));
		iams_entity_fini(&e);
	}
	if ((tags = json_array()) == NULL)
		return PDP_ENOMEM;
	rv = iams_store_mfa_tag_list(l->c->st, m->did, tag_item, tags);
	if (rv == PDP_OK && json_array_size(tags) > 0)
		json_object_set(o, "Tags", tags);
	json_decref(tags);
	return rv;
}

// list_devices is ListVirtualMFADevices and our ListHardwareMFADevices.
static int
list_devices(iamsi_ctx *c, iams_mfa_kind kind)
{
	static const char *const words[] = {"Any", "Assigned", "Unassigned"};
	bool bad = false;
	const char *status = iamsi_str(c, "AssignmentStatus", &bad);
	bool hw = kind == IAMS_MFA_HARDWARE;
	mlister l = {.fn = device_item};
	char arn[64];
	int k = 0;

	if (bad)
		return PDP_EINVAL;
	while (status != NULL && k < 3 && strcmp(status, words[k]) != 0)
		k++;
	if (k == 3)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%s' at 'assignmentStatus' failed to "
		    "satisfy constraint: Member must satisfy enum value set: "
		    "[Assigned, Unassigned, Any]", status);
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:mfa/*", c->account);
	if (!iamsi_authorize(c, hw ? "iam:ListHardwareMFADevices" :
	    "iam:ListVirtualMFADevices", arn, NULL))
		return PDP_EINVAL;
	return walk(c, &l, hw ? "HardwareMFADevices" : "VirtualMFADevices", 0,
	    (iams_mfa_status) k, kind);
}

KIND_OP(list_virtual_mfa_devices, list_devices, IAMS_MFA_VIRTUAL)
KIND_OP(list_hardware_mfa_devices, list_devices, IAMS_MFA_HARDWARE)

typedef struct msum {
	int64_t root;
	uint32_t in_use;
	bool root_mfa;
} msum;

static int
sum_one(void *arg, int64_t eid, uint32_t n)
{
	msum *m = arg;

	m->in_use += n;
	m->root_mfa |= eid == m->root;
	return PDP_OK;
}

int
iamsi_mfa_summary(iamsi_ctx *c, json_t *map)
{
	iams_entity root;
	msum m = {0};
	uint32_t all = 0;
	int rv;

	rv = iams_store_entity_get(c->st, c->account, IAMS_ROOT, "root",
	    &root);
	if (rv != PDP_OK)
		return rv;
	m.root = root.eid;
	iams_entity_fini(&root);
	if ((rv = iams_store_mfa_count(c->st, c->account, 0, false, &all)) ||
	    (rv = iams_store_mfa_per_entity(c->st, c->account, sum_one, &m)))
		return rv;
	json_object_set_new(map, "MFADevices", json_integer(all));
	json_object_set_new(map, "MFADevicesInUse", json_integer(m.in_use));
	json_object_set_new(map, "AccountMFAEnabled",
	    json_integer(m.root_mfa));
	return PDP_OK;
}

// Every write here is a write of the store (the write lock) that leaves
// c->changed alone: no bundle holds MFA state.
const iamsi_op iamsi_ops_mfa[] = {
	{"CreateVirtualMFADevice", create_virtual_mfa_device, true},
	{"EnableMFADevice", enable_mfa_device, true},
	{"DeactivateMFADevice", deactivate_mfa_device, true},
	{"ResyncMFADevice", resync_mfa_device, true},
	{"GetMFADevice", get_mfa_device, false},
	{"ListMFADevices", list_mfa_devices, false},
	{"ListVirtualMFADevices", list_virtual_mfa_devices, false},
	{"DeleteVirtualMFADevice", delete_virtual_mfa_device, true},
	{"CreateHardwareMFADevice", create_hardware_mfa_device, true},
	{"DeleteHardwareMFADevice", delete_hardware_mfa_device, true},
	{"ListHardwareMFADevices", list_hardware_mfa_devices, false},
	{NULL, NULL, false},
};
