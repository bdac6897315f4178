// util.c - what every IAM operation shares: AWS errors, request
// parameters, IAM's name, path and size rules (iam-semantics 13), policy
// documents checked by the policy compiler, random ids and dates.

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "iamc.h"
#include "iamsi.h"

// --- errors ------------------------------------------------------------------

static int
status_of(const char *code)
{
	static const struct {
		const char *code;
		int status;
	} map[] = {
		{"NoSuchEntity", 404},
		{"EntityAlreadyExists", 409},
		{"LimitExceeded", 409},
		{"DeleteConflict", 409},
		{"EntityTemporarilyUnmodifiable", 409},
		{"AccessDenied", 403},
		{"InvalidAuthenticationCode", 403},
		{"InvalidClientTokenId", 403},
		{"ExpiredToken", 403},
		{"ReportNotPresent", 410},
		{"ReportExpired", 410},
		{"ServiceFailure", 500},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return 400; // ValidationError, InvalidInput, MalformedPolicyDocument
}

void
iamsi_error_set(iams_error *e, const char *code, const char *msg)
{
	if (e == NULL)
		return;
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->message, sizeof(e->message), "%s", msg);
	e->status = status_of(code);
}

int
iamsi_fail(iamsi_ctx *c, const char *code, const char *fmt, ...)
{
	char msg[sizeof(c->err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	iamsi_error_set(c->err, code, msg);
	return PDP_EINVAL;
}

int
iamsi_store_fail(iamsi_ctx *c, int rv, const char *what)
{
	if (rv == PDP_ENOENT && what != NULL)
		return iamsi_fail(c, "NoSuchEntity", "%s", what);
	iamsi_fail(c, "ServiceFailure", "the store failed: %s",
	    rv == PDP_ENOMEM ? "out of memory" : iams_store_errmsg(c->st));
	return rv == PDP_ENOMEM ? PDP_ENOMEM : PDP_EIO;
}

// --- parameters --------------------------------------------------------------

const char *
iamsi_str(iamsi_ctx *c, const char *name, bool *bad)
{
	const json_t *v = c->params ? json_object_get(c->params, name) : NULL;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		iamsi_fail(c, "ValidationError", "%s must be a string", name);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

const char *
iamsi_need(iamsi_ctx *c, const char *name)
{
	bool bad = false;
	const char *v = iamsi_str(c, name, &bad);

	if (v == NULL && !bad)
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value null at '%c%s' failed to satisfy "
		    "constraint: Member must not be null",
		    name[0] + ('a' - 'A'), name + 1);
	return v;
}

bool
iamsi_bool(iamsi_ctx *c, const char *name, bool dflt, bool *out)
{
	const json_t *v = c->params ? json_object_get(c->params, name) : NULL;

	if (v == NULL || json_is_null(v)) {
		*out = dflt;
		return true;
	}
	if (!json_is_boolean(v)) {
		iamsi_fail(c, "ValidationError", "%s must be a boolean",
		    name);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool
iamsi_int(iamsi_ctx *c, const char *name, int64_t dflt, int64_t *out)
{
	const json_t *v = c->params ? json_object_get(c->params, name) : NULL;

	if (v == NULL || json_is_null(v)) {
		*out = dflt;
		return true;
	}
	if (!json_is_integer(v)) {
		iamsi_fail(c, "ValidationError", "%s must be an integer",
		    name);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

bool
iamsi_paging(iamsi_ctx *c, const char **marker, uint32_t *max)
{
	bool bad = false;
	int64_t n;

	*marker = iamsi_str(c, "Marker", &bad);
	if (bad || !iamsi_int(c, "MaxItems", 100, &n))
		return false;
	if (*marker != NULL && (strlen(*marker) == 0 ||
	    strlen(*marker) > 320)) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'marker' failed to satisfy "
		    "constraint: Member must have length between 1 and 320");
		return false;
	}
	if (n < 1 || n > 1000) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'maxItems' failed to satisfy "
		    "constraint: Member must have value between 1 and 1000",
		    (long long) n);
		return false;
	}
	*max = (uint32_t) n;
	return true;
}

// --- names and paths -----------------------------------------------------------

static bool
is_name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_+=,.@-", ch) != NULL;
}

// field_name turns "UserName" into AWS's "userName" for messages.
static void
field_name(const char *field, char *out, size_t len)
{
	snprintf(out, len, "%s", field);
	if (out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char) (out[0] + ('a' - 'A'));
}

bool
iamsi_check_name(iamsi_ctx *c, const char *field, const char *v, size_t max)
{
	char f[64];
	size_t n = strlen(v);

	field_name(field, f, sizeof(f));
	if (n < 1 || n > max) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%s' at '%s' failed to satisfy "
		    "constraint: Member must have length less than or equal "
		    "to %zu", v, f, max);
		return false;
	}
	for (const char *p = v; *p; p++) {
		if (!is_name_char((unsigned char) *p)) {
			iamsi_fail(c, "ValidationError", "The specified "
			    "value for %s is invalid. It must contain only "
			    "alphanumeric characters and/or the following: "
			    "+=,.@_-", f);
			return false;
		}
	}
	return true;
}

bool
iamsi_check_path(iamsi_ctx *c, const char *field, const char *v)
{
	size_t n = strlen(v);
	bool ok = n >= 1 && n <= IAMSI_PATH_MAX && v[0] == '/' &&
	    v[n - 1] == '/';

	for (size_t i = 1; ok && i + 1 < n; i++)
		ok = v[i] >= 0x21 && v[i] <= 0x7e;
	if (!ok) {
		char f[64];
		field_name(field, f, sizeof(f));
		iamsi_fail(c, "ValidationError", "The specified value for %s "
		    "is invalid. It must begin and end with / and contain "
		    "only alphanumeric characters and/or / characters.", f);
	}
	return ok;
}

bool
iamsi_check_policy_path(iamsi_ctx *c, const char *field, const char *v)
{
	size_t n = strlen(v);
	bool ok = n >= 1 && n <= IAMSI_PATH_MAX && v[0] == '/' &&
	    v[n - 1] == '/';

	// ((/[A-Za-z0-9\.,\+@=_-]+)*)/ : no empty segment.
	for (size_t i = 1; ok && i < n; i++) {
		if (v[i] == '/')
			ok = v[i - 1] != '/';
		else
			ok = is_name_char((unsigned char) v[i]);
	}
	if (!ok) {
		char f[64];
		field_name(field, f, sizeof(f));
		iamsi_fail(c, "ValidationError", "The specified value for %s "
		    "is invalid. It must begin and end with / and contain "
		    "only alphanumeric characters and/or / characters.", f);
	}
	return ok;
}

size_t
iamsi_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char) *s & 0xC0) != 0x80; // not a continuation
	return n;
}

bool
iamsi_check_description(iamsi_ctx *c, const char *v)
{
	if (v != NULL && iamsi_chars(v) > IAMSI_DESC_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'description' failed to satisfy "
		    "constraint: Member must have length less than or equal "
		    "to %d", IAMSI_DESC_MAX);
		return false;
	}
	return true;
}

size_t
iamsi_doc_size(const char *doc)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *) doc; *p; p++)
		n += *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		    (*p & 0xC0) != 0x80;
	return n;
}

bool
iamsi_check_document(iamsi_ctx *c, const char *doc, pdp_policy_type type,
    bool managed, size_t *size)
{
	size_t len = strlen(doc);
	const pdpi_policy *p;
	iamc_diags d;
	iamc_arena *a;
	int rv;

	if (len < 1 || len > IAMSI_DOC_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'policyDocument' failed to satisfy "
		    "constraint: Member must have length between 1 and %d",
		    IAMSI_DOC_MAX);
		return false;
	}
	if ((a = iamc_arena_open()) == NULL) {
		iamsi_fail(c, "ServiceFailure", "out of memory");
		return false;
	}
	iamc_diags_init(&d);
	rv = iamc_policy_compile_text(a, doc, len, type, "document", &p, &d);
	// Collect the errors, then what managed policies need beyond the
	// grammar, which the account model (and so the bundle) insists on.
	char msg[sizeof(c->err->message)];
	size_t off = 0;
	msg[0] = '\0';
	for (size_t i = 0; i < d.n && off < sizeof(msg); i++) {
		if (d.v[i].severity != IAMC_ERROR)
			continue;
		off += (size_t) snprintf(msg + off, sizeof(msg) - off, "%s%s%s%s",
		    off ? "; " : "", d.v[i].path, d.v[i].path[0] ? ": " : "",
		    d.v[i].message);
	}
	iamc_diags_fini(&d);
	iamc_arena_close(a);
	if (rv == PDP_ENOMEM) {
		iamsi_fail(c, "ServiceFailure", "out of memory");
		return false;
	}
	if (rv != PDP_OK) {
		iamsi_fail(c, "MalformedPolicyDocument", "%s", msg[0] ? msg :
		    "Syntax errors in policy.");
		return false;
	}
	if (managed) {
		json_t *j = json_loadb(doc, len, 0, NULL);
		const json_t *v = json_object_get(j, "Version");
		bool ok = json_is_string(v) &&
		    strcmp(json_string_value(v), "2012-10-17") == 0;
		json_decref(j);
		if (!ok) {
			iamsi_fail(c, "MalformedPolicyDocument", "Policy "
			    "document must be version 2012-10-17 or "
			    "greater.");
			return false;
		}
	}
	*size = iamsi_doc_size(doc);
	if (managed && *size > IAMSI_MANAGED_SIZE) {
		iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "PolicySize: %d", IAMSI_MANAGED_SIZE);
		return false;
	}
	return true;
}

// --- ids, ARNs, dates ------------------------------------------------------------

void
iamsi_random_id(const char *prefix, size_t n, char *out)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char r[64];
	size_t k = strlen(prefix);

	if (n == 0 || n > sizeof(r))
		n = 16;
	// 32 symbols: every byte maps without bias. A failing RNG is fatal
	// for ids that must not collide or be guessed.
	if (RAND_bytes(r, (int) n) != 1)
		abort();
	memcpy(out, prefix, k);
	for (size_t i = 0; i < n; i++)
		out[k + i] = set[r[i] & 31];
	out[k + n] = '\0';
}

void
iamsi_arn(char *out, size_t len, const char *account, const char *type,
    const char *path, const char *name)
{
	snprintf(out, len, "arn:aws:iam::%s:%s%s%s", account, type,
	    path ? path : "/", name);
}

json_t *
iamsi_date(int64_t t)
{
	char buf[32];
	time_t tt = (time_t) t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}
