// store.c - `iamc export` and `iamc import`: the IAM store (pdp/iam) as
// an account model file (compiler/ACCOUNT.md), and an account model file
// loaded into a store. What the service decides with is what `iamc
// compile` makes of the exported file.
//
//   iamc export --store PATH [-o FILE.json] [--all-versions]
//   iamc import --store PATH ACCOUNT.json [--quiet]

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "commands.h"
#include "iamc_account.h"
#include "iams_auth.h"

static void
store_usage(FILE *f)
{
	fprintf(f, "usage: iamc export --store PATH [-o FILE.json] "
	    "[--all-versions]\n"
	    "       iamc import --store PATH ACCOUNT.json [--quiet]\n");
}

// open_store opens the service on `path`; with `create` the store and its
// key file are made when absent (as `iam init` makes them).
static iams_service *
open_store(const char *path, bool create)
{
	uint8_t key[IAMS_KEY_LEN];
	// A store made here holds the AWS managed policies, as `iam init`
	// makes it.
	iams_options opt = {.store_key = key,
	    .aws_managed = create ? iams_aws_managed_default() : NULL};
	iams_service *s = NULL;
	char err[1024];
	int rv;

	if (!create && access(path, F_OK) != 0) {
		fprintf(stderr, "iamc: %s: no store (iam init or iamc import "
		    "creates one)\n", path);
		return NULL;
	}
	if ((rv = iams_keyfile_load(path, create, key, err, sizeof(err))) ==
	    PDP_OK)
		rv = iams_service_open(path, &opt, &s, err, sizeof(err));
	OPENSSL_cleanse(key, sizeof(key));
	if (rv != PDP_OK) {
		fprintf(stderr, "iamc: %s\n", err);
		return NULL;
	}
	return s;
}

int
iamc_cmd_export(int argc, char **argv)
{
	const char *store = NULL, *out = NULL;
	bool all = false;
	json_t *model = NULL;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--all-versions") == 0)
			all = true;
		else {
			store_usage(stderr);
			return 2;
		}
	}
	if (store == NULL) {
		store_usage(stderr);
		return 2;
	}
	iams_service *s = open_store(store, false);
	if (s == NULL)
		return 1;
	int rv = iams_export(s, all, &model);
	iams_service_close(s);
	if (rv != PDP_OK) {
		fprintf(stderr, "iamc export: %s: %s\n", store,
		    pdp_strerror(rv));
		return 1;
	}
	char *text = json_dumps(model, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(model);
	if (text == NULL) {
		fprintf(stderr, "iamc export: out of memory\n");
		return 1;
	}
	size_t n = strlen(text);
	text[n++] = '\n'; // json_dumps's NUL becomes the last line's end
	int werr = 0;
	if (out == NULL || strcmp(out, "-") == 0)
		werr = fwrite(text, 1, n, stdout) == n ? 0 : EIO;
	else
		werr = iamc_cli_write_atomic(out, text, n);
	free(text);
	if (werr != 0) {
		fprintf(stderr, "iamc export: %s: %s\n", out ? out : "stdout",
		    strerror(werr));
		return 1;
	}
	return 0;
}

// --- import ---------------------------------------------------------------------

// resolve replaces the {"file": PATH} document under holder[key] with
// the file's JSON, PATH relative to the model's folder `dir` ("" or
// ending in '/'), as the compiler reads it.
static bool
resolve(json_t *holder, const char *key, const char *dir)
{
	json_t *doc = json_object_get(holder, key);
	const char *f = json_object_size(doc) == 1 ?
	    json_string_value(json_object_get(doc, "file")) : NULL;
	char path[4096];
	json_error_t je;

	if (f == NULL)
		return true;
	snprintf(path, sizeof(path), "%s%s", f[0] == '/' ? "" : dir, f);
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		fprintf(stderr, "iamc import: %s: %s\n", path, je.text);
		return false;
	}
	return json_object_set_new(holder, key, j) == 0;
}

static bool
resolve_inline(json_t *e, const char *dir)
{
	json_t *inl = json_object_get(e, "inlinePolicies");
	const char *k;
	json_t *v;
	bool ok = true;

	json_object_foreach(inl, k, v)
		ok = ok && resolve(inl, k, dir);
	(void) v;
	return ok;
}

// resolve_docs inlines every document the store keeps: managed policy
// versions, inline policies and trust policies.
static bool
resolve_docs(json_t *model, const char *dir)
{
	static const char *const kinds[] = {"groups", "roles", "users"};
	size_t i, j, k;
	json_t *a, *e, *v;
	bool ok = true;

	json_array_foreach(json_object_get(model, "accounts"), i, a) {
		json_array_foreach(json_object_get(a, "policies"), j, e) {
			ok = ok && resolve(e, "document", dir);
			json_array_foreach(json_object_get(e, "versions"), k,
			    v)
				ok = ok && resolve(v, "document", dir);
		}
		for (k = 0; k < 3; k++)
			json_array_foreach(json_object_get(a, kinds[k]), j, e)
				ok = ok && resolve_inline(e, dir) &&
				    resolve(e, "trustPolicy", dir);
	}
	return ok;
}

// validate checks the model as `iamc compile` does, printing every
// problem; true when it has no error.
static bool
validate(const char *model, bool quiet, iamc_account_stats *st)
{
	iamc_account_options opt;
	iamc_builder *b = NULL;
	iamc_diags d;
	int rv;

	memset(&opt, 0, sizeof(opt));
	iamc_diags_init(&d);
	if ((rv = iamc_builder_open(&b)) == PDP_OK)
		rv = iamc_account_compile(model, &opt, b, &d, st);
	iamc_builder_close(b);
	iamc_cli_print_diags(&d, quiet);
	iamc_diags_fini(&d);
	if (rv != PDP_OK && rv != PDP_EPOLICY && rv != PDP_EIO)
		fprintf(stderr, "iamc import: %s: %s\n", model,
		    pdp_strerror(rv));
	return rv == PDP_OK;
}

static size_t
count_policies(const json_t *model)
{
	size_t i, n = 0;
	const json_t *a;

	json_array_foreach(json_object_get(model, "accounts"), i, a)
		n += json_array_size(json_object_get(a, "policies"));
	return n;
}

// load reads the validated model with its documents inlined.
static json_t *
load(const char *file)
{
	const char *slash = strrchr(file, '/');
	char dir[4096];
	json_error_t je;
	json_t *model = json_load_file(file, JSON_REJECT_DUPLICATES, &je);

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int) (slash - file + 1) :
	    0, file);
	if (model == NULL)
		fprintf(stderr, "iamc import: %s: %s\n", file, je.text);
	else if (!resolve_docs(model, dir)) {
		json_decref(model);
		model = NULL;
	}
	return model;
}

static void
remove_store(const char *path)
{
	static const char *const ext[] = {"", ".key", "-wal", "-shm"};
	char p[4096];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
}

int
iamc_cmd_import(int argc, char **argv)
{
	const char *store = NULL, *file = NULL;
	bool quiet = false;
	iamc_account_stats st;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0 ||
		    strcmp(argv[i], "-q") == 0)
			quiet = true;
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else {
			store_usage(stderr);
			return 2;
		}
	}
	if (store == NULL || file == NULL) {
		store_usage(stderr);
		return 2;
	}
	json_t *model = NULL;
	if (!validate(file, quiet, &st) || (model = load(file)) == NULL)
		return 1;
	bool existed = access(store, F_OK) == 0;
	iams_service *s = open_store(store, true);
	if (s == NULL) {
		json_decref(model);
		return 1;
	}
	iamc_diags d;
	iams_error e;
	iams_stats ss;
	iamc_diags_init(&d);
	int rv = iams_import(s, model, file, &d, &e);
	iams_service_stats(s, &ss);
	iams_service_close(s);
	iamc_cli_print_diags(&d, quiet);
	iamc_diags_fini(&d);
	if (rv != PDP_OK && rv != PDP_EPOLICY)
		fprintf(stderr, "iamc import: %s (%s)\n", e.message, e.code);
	if (rv != PDP_OK && !existed)
		remove_store(store); // made for this import, and still empty
	if (rv == PDP_OK && !quiet)
		printf("%s: imported %u accounts (%u users, %u groups, %u "
		    "roles, %zu managed policies) into %s at revision %llu\n",
		    file, st.accounts, st.users, st.groups, st.roles,
		    count_policies(model), store,
		    (unsigned long long) ss.revision);
	json_decref(model);
	return rv == PDP_OK ? 0 : 1;
}
