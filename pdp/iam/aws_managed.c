// aws_managed.c - loading AWS managed policies into the store, once.
// The file maps each policy name to its document (the shape of the
// repository's tests/data/aws-managed-policies.json); a companion file
// beside it, NAME-meta.json, gives each policy's path, default version
// id and dates. Without it every policy sits at path "/" with version
// v1, created at load time.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamc_account.h"
#include "iamsi.h"

// iso_seconds reads "2015-02-06T18:39:46Z" as Unix seconds; `dflt` when
// absent or not of that form.
static int64_t
iso_seconds(const char *s, int64_t dflt)
{
	int y, mo, d, h, mi, se;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h,
	    &mi, &se) != 6 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return dflt;
	// Days from the civil date (proleptic Gregorian), then seconds.
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + se;
}

// meta_path writes where the companion file of `path` is.
static void
meta_path(const char *path, char *out, size_t len)
{
	size_t n = strlen(path);

	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		n -= 5;
	snprintf(out, len, "%.*s-meta.json", (int) n, path);
}

static bool
path_ok(const char *p)
{
	size_t n = strlen(p);

	return n >= 1 && n <= IAMSI_PATH_MAX && p[0] == '/' &&
	    p[n - 1] == '/' && strstr(p, "//") == NULL;
}

// load_one validates and stores one policy.
static int
load_one(iams_store *st, const char *name, json_t *doc, const json_t *meta,
    int64_t now, char *err, size_t errlen)
{
	const char *path = json_string_value(json_object_get(meta, "path"));
	const char *ver = json_string_value(json_object_get(meta, "version"));
	char arn[1024], id[21], *text = NULL;
	iamc_arena *a = iamc_arena_open();
	const pdpi_policy *p;
	iamc_diags d;
	iams_policy pol;
	iams_version v;
	int rv;

	path = path ? path : "/";
	ver = ver ? ver : "v1";
	snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy%s%s", path, name);
	iamc_diags_init(&d);
	if (strlen(name) == 0 || strlen(name) > IAMSI_POLICY_NAME_MAX ||
	    strchr(name, '/') != NULL || !path_ok(path) || ver[0] != 'v') {
		snprintf(err, errlen, "AWS managed policy \"%s\": bad name, "
		    "path or version", name);
		rv = PDP_EINVAL;
		goto out;
	}
	// A policy that does not compile would fail every rebuild that
	// attaches it: refuse the file instead.
	if (a == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		rv = PDP_ENOMEM;
		goto out;
	}
	if ((rv = iamc_policy_compile_ex(a, doc, PDP_POLICY_AWS_MANAGED, arn,
	    NULL, &p, &d)) != PDP_OK) {
		snprintf(err, errlen, "AWS managed policy %s: %s%s%s", name,
		    d.n ? d.v[0].path : pdp_strerror(rv), d.n ? ": " : "",
		    d.n ? d.v[0].message : "");
		goto out;
	}
	memset(&pol, 0, sizeof(pol));
	iamc_account_unique_id("ANPA", IAMS_AWS_ACCOUNT, name, id);
	pol.account = IAMS_AWS_ACCOUNT;
	pol.name = (char *) name;
	pol.path = (char *) path;
	pol.arn = arn;
	pol.policy_id = id;
	pol.default_version = (char *) ver;
	pol.next_version = strtol(ver + 1, NULL, 10) + 1;
	pol.created = iso_seconds(json_string_value(json_object_get(meta,
	    "created")), now);
	pol.updated = iso_seconds(json_string_value(json_object_get(meta,
	    "updated")), pol.created);
	v.id = (char *) ver;
	v.document = text;
	v.created = pol.updated;
	if ((rv = iams_store_policy_insert(st, &pol, &pol.pid)) != PDP_OK ||
	    (rv = iams_store_version_insert(st, pol.pid, &v)) != PDP_OK)
		snprintf(err, errlen, "storing AWS managed policy %s: %s",
		    name, iams_store_errmsg(st));
out:
	free(text);
	iamc_diags_fini(&d);
	iamc_arena_close(a);
	return rv;
}

static int
load_all(iams_store *st, json_t *docs, json_t *meta, int64_t now, char *err,
    size_t errlen)
{
	const char *name;
	json_t *doc;
	int rv;

	if ((rv = iams_store_aws_account(st, now)) != PDP_OK) {
		snprintf(err, errlen, "store: %s", iams_store_errmsg(st));
		return rv;
	}
	json_object_foreach(docs, name, doc) {
		if ((rv = load_one(st, name, doc, json_object_get(meta, name),
		    now, err, errlen)) != PDP_OK)
			return rv;
	}
	return iams_store_bump(st);
}

int
iamsi_aws_load(iams_service *s, const char *path, char *err, size_t errlen)
{
	char mp[4096];
	json_error_t je;
	json_t *docs = NULL, *meta = NULL;
	uint32_t n = 0;
	int rv;

	if ((rv = iams_store_begin(s->st, true)) != PDP_OK) {
		snprintf(err, errlen, "store: %s", iams_store_errmsg(s->st));
		return rv;
	}
	// Loaded once: the store keeps them, the file is not read again.
	if ((rv = iams_store_aws_count(s->st, &n)) != PDP_OK || n > 0) {
		iams_store_rollback(s->st);
		return rv;
	}
	if ((docs = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL || !json_is_object(docs)) {
		snprintf(err, errlen, "%s: %s", path, docs ? "not an object "
		    "of policy name to document" : je.text);
		rv = PDP_EINVAL;
		goto out;
	}
	meta_path(path, mp, sizeof(mp));
	FILE *f = fopen(mp, "r");
	if (f != NULL) {
		fclose(f);
		meta = json_load_file(mp, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(meta)) {
			snprintf(err, errlen, "%s: %s", mp, meta ? "not an "
			    "object of policy name to facts" : je.text);
			rv = PDP_EINVAL;
			goto out;
		}
	}
	rv = load_all(s->st, docs, meta, (int64_t) time(NULL), err, errlen);
out:
	if (rv == PDP_OK)
		rv = iams_store_commit(s->st);
	else
		iams_store_rollback(s->st);
	json_decref(docs);
	json_decref(meta);
	return rv;
}
