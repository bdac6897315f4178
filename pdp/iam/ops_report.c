// ops_report.c - the credential report: GenerateCredentialReport and
// GetCredentialReport (AWS's "Getting credential reports for your AWS
// account"). The report is AWS's CSV of the account's root and users
// with the state of their passwords, MFA and access keys. It is made
// from the store in the call (never STARTED or INPROGRESS: the answer is
// COMPLETE and ReportInProgress never happens) and kept in the store,
// one per account, with the time it was generated: a report younger than
// four hours is kept by GenerateCredentialReport, and an older one is
// ReportExpired to GetCredentialReport.

#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "iamsi.h"

#define REPORT_TTL (4 * 3600) // seconds a report stays current

// The columns, in AWS's order.
enum {
	C_USER, C_ARN, C_CREATED, C_PW_ENABLED, C_PW_USED, C_PW_CHANGED,
	C_PW_NEXT, C_MFA,
	C_KEY1, // active, last_rotated, last_used_date, _region, _service
	C_KEY2 = C_KEY1 + 5,
	C_CERT1_ACTIVE = C_KEY2 + 5, C_CERT1_ROTATED, C_CERT2_ACTIVE,
	C_CERT2_ROTATED,
	NCOLS
};

static const char *const header[NCOLS] = {
	"user", "arn", "user_creation_time", "password_enabled",
	"password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated",
	"access_key_1_last_used_date", "access_key_1_last_used_region",
	"access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated",
	"access_key_2_last_used_date", "access_key_2_last_used_region",
	"access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active",
	"cert_2_last_rotated",
};

#define TIME_LEN 26 // "2024-05-01T10:00:00+00:00"

// One row: its values, and the text they point into.
typedef struct row {
	const char *v[NCOLS];
	char arn[1100];
	char created[TIME_LEN], pw_changed[TIME_LEN], pw_next[TIME_LEN];
	struct {
		char rotated[TIME_LEN], used[TIME_LEN];
		char region[64], service[64];
	} key[IAMSI_KEYS_PER_USER];
	uint32_t nkeys;
} row;

// What every row of one report shares.
typedef struct report {
	iamsi_ctx *c;
	FILE *out;
	int64_t max_age;       // the password policy's, in seconds; 0: none
	int64_t *mfa;          // entities with an MFA device enabled, in
	size_t nmfa, capmfa;   // eid order
} report;

// report_time writes Unix seconds as the report's ISO 8601 form.
static void
report_time(int64_t t, char out[TIME_LEN])
{
	time_t tt = (time_t) t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, TIME_LEN, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

// csv_field writes one value, quoted as RFC 4180 says when it holds a
// comma, a quote or a line break (IAM names may hold commas; paths may
// hold quotes).
static void
csv_field(FILE *f, const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, f);
	} else {
		fputc('"', f);
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc(last ? '\n' : ',', f);
}

static void
csv_row(FILE *f, const char *const v[NCOLS])
{
	for (size_t i = 0; i < NCOLS; i++)
		csv_field(f, v[i], i + 1 == NCOLS);
}

static int
mfa_one(void *arg, int64_t eid, uint32_t n)
{
	report *r = arg;

	(void) n;
	if (r->nmfa == r->capmfa) {
		size_t cap = r->capmfa ? 2 * r->capmfa : 16;
		int64_t *m = realloc(r->mfa, cap * sizeof(*m));

		if (m == NULL)
			return PDP_ENOMEM;
		r->mfa = m;
		r->capmfa = cap;
	}
	r->mfa[r->nmfa++] = eid;
	return PDP_OK;
}

static int
cmp_eid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

static bool
mfa_active(const report *r, int64_t eid)
{
	return r->nmfa > 0 && bsearch(&eid, r->mfa, r->nmfa,
	    sizeof(*r->mfa), cmp_eid) != NULL;
}

// key_one fills the columns of the row's next access key (the store
// lists them oldest first: key 1 is the older).
static int
key_one(void *arg, const iams_key *k)
{
	row *w = arg;
	uint32_t i = w->nkeys++;
	const char **v;

	if (i >= IAMSI_KEYS_PER_USER)
		return PDP_OK;
	v = &w->v[i == 0 ? C_KEY1 : C_KEY2];
	v[0] = k->active ? "true" : "false";
	// AWS: N/A when the key is not active.
	if (k->active) {
		report_time(k->created, w->key[i].rotated);
		v[1] = w->key[i].rotated;
	}
	if (k->last_used != 0) {
		report_time(k->last_used, w->key[i].used);
		v[2] = w->key[i].used;
	}
	if (k->last_region != NULL) {
		snprintf(w->key[i].region, sizeof(w->key[i].region), "%s",
		    k->last_region);
		v[3] = w->key[i].region;
	}
	if (k->last_service != NULL) {
		snprintf(w->key[i].service, sizeof(w->key[i].service), "%s",
		    k->last_service);
		v[4] = w->key[i].service;
	}
	return PDP_OK;
}

// row_write writes the row of the root or user `e`.
static int
row_write(report *r, const iams_entity *e)
{
	iams_login l;
	row w;
	int rv;

	memset(&w, 0, sizeof(w));
	for (size_t i = 0; i < NCOLS; i++)
		w.v[i] = "N/A";
	iamsi_entity_arn(e, w.arn, sizeof(w.arn));
	w.v[C_ARN] = w.arn;
	report_time(e->created, w.created);
	w.v[C_CREATED] = w.created;
	if (e->kind == IAMS_ROOT) {
		// AWS's root row: its password columns are not_supported, and
		// the service records no sign-in.
		w.v[C_USER] = "<root_account>";
		w.v[C_PW_ENABLED] = "not_supported";
		w.v[C_PW_USED] = "no_information";
		w.v[C_PW_CHANGED] = "not_supported";
		w.v[C_PW_NEXT] = "not_supported";
	} else if ((rv = iams_store_login_get(r->c->st, e->eid, &l)) ==
	    PDP_OK) {
		w.v[C_USER] = e->name;
		w.v[C_PW_ENABLED] = "true";
		w.v[C_PW_USED] = "no_information"; // sign-ins are not recorded
		report_time(l.changed, w.pw_changed);
		w.v[C_PW_CHANGED] = w.pw_changed;
		if (r->max_age > 0) {
			report_time(l.changed + r->max_age, w.pw_next);
			w.v[C_PW_NEXT] = w.pw_next;
		}
		iams_login_fini(&l);
	} else if (rv == PDP_ENOENT) {
		w.v[C_USER] = e->name;
		w.v[C_PW_ENABLED] = "false";
	} else {
		return rv;
	}
	w.v[C_MFA] = mfa_active(r, e->eid) ? "true" : "false";
	w.v[C_KEY1] = w.v[C_KEY2] = "false";
	if ((rv = iams_store_key_list(r->c->st, e->eid, key_one, &w)) !=
	    PDP_OK)
		return rv;
	// No X.509 signing certificates here.
	w.v[C_CERT1_ACTIVE] = w.v[C_CERT2_ACTIVE] = "false";
	csv_row(r->out, w.v);
	return PDP_OK;
}

static int
user_one(void *arg, const iams_entity *e)
{
	return row_write(arg, e);
}

// report_make writes the account's report into *csv (malloc'd) and *len.
static int
report_make(iamsi_ctx *c, char **csv, size_t *len)
{
	report r = {.c = c};
	iams_pwpolicy p;
	iams_entity root;
	int rv;

	if ((rv = iams_store_pwpolicy_get(c->st, c->account, &p)) == PDP_OK)
		r.max_age = (int64_t) p.max_age * 86400;
	else if (rv != PDP_ENOENT)
		return rv;
	if ((rv = iams_store_mfa_per_entity(c->st, c->account, mfa_one,
	    &r)) != PDP_OK) {
		free(r.mfa);
		return rv;
	}
	*csv = NULL;
	if ((r.out = open_memstream(csv, len)) == NULL) {
		free(r.mfa);
		return PDP_ENOMEM;
	}
	csv_row(r.out, header);
	rv = iams_store_entity_get(c->st, c->account, IAMS_ROOT, "root",
	    &root);
	if (rv == PDP_OK) {
		rv = row_write(&r, &root);
		iams_entity_fini(&root);
	}
	if (rv == PDP_OK)
		rv = iams_store_entity_list(c->st, c->account, IAMS_USER, NULL,
		    NULL, 0, user_one, &r);
	// A write that failed (out of memory) leaves the stream in error.
	if (ferror(r.out) && rv == PDP_OK)
		rv = PDP_ENOMEM;
	if (fclose(r.out) != 0 && rv == PDP_OK)
		rv = PDP_ENOMEM;
	free(r.mfa);
	if (rv != PDP_OK) {
		free(*csv);
		*csv = NULL;
	}
	return rv;
}

static int
generate_credential_report(iamsi_ctx *c)
{
	int64_t generated = 0;
	char *csv = NULL;
	size_t len = 0;
	int rv;

	if (!iamsi_authorize(c, "iam:GenerateCredentialReport", "*", NULL))
		return PDP_EINVAL;
	// Only the kept report's age matters here, not its text.
	rv = iams_store_report_get(c->st, c->account, &generated, NULL, NULL);
	if (rv != PDP_OK && rv != PDP_ENOENT)
		return iamsi_store_fail(c, rv, NULL);
	bool fresh = rv == PDP_OK && c->now - generated < REPORT_TTL;
	if (!fresh) {
		if ((rv = report_make(c, &csv, &len)) != PDP_OK)
			return iamsi_store_fail(c, rv, NULL);
		rv = iams_store_report_put(c->st, c->account, c->now, csv,
		    len);
		free(csv);
		if (rv != PDP_OK)
			return iamsi_store_fail(c, rv, NULL);
	}
	json_object_set_new(c->resp, "State", json_string("COMPLETE"));
	json_object_set_new(c->resp, "Description", json_string(fresh ?
	    "The report is less than 4 hours old: it was kept." :
	    "A new report was generated."));
	return PDP_OK;
}

static int
get_credential_report(iamsi_ctx *c)
{
	int64_t generated = 0;
	char *csv = NULL, *b64;
	size_t len = 0;
	int rv;

	if (!iamsi_authorize(c, "iam:GetCredentialReport", "*", NULL))
		return PDP_EINVAL;
	rv = iams_store_report_get(c->st, c->account, &generated, &csv, &len);
	if (rv == PDP_ENOENT)
		return iamsi_fail(c, "ReportNotPresent", "Credential report "
		    "not present. Call GenerateCredentialReport first.");
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (c->now - generated >= REPORT_TTL) {
		free(csv);
		return iamsi_fail(c, "ReportExpired", "The credential report "
		    "is older than 4 hours. Call GenerateCredentialReport for "
		    "a new one.");
	}
	if (len > (size_t) INT_MAX / 4 * 3 ||
	    (b64 = malloc(4 * ((len + 2) / 3) + 1)) == NULL) {
		free(csv);
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	}
	EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) csv,
	    (int) len);
	free(csv);
	json_object_set_new(c->resp, "Content", json_string(b64));
	free(b64);
	json_object_set_new(c->resp, "ReportFormat", json_string("text/csv"));
	json_object_set_new(c->resp, "GeneratedTime", iamsi_date(generated));
	return PDP_OK;
}

// GenerateCredentialReport writes the store (the report) but nothing a
// bundle holds: c->changed stays false.
const iamsi_op iamsi_ops_report[] = {
	{"GenerateCredentialReport", generate_credential_report, true},
	{"GetCredentialReport", get_credential_report, false},
	{NULL, NULL, false},
};
