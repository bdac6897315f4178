// helpers.h - shared by the plugin tests: plugin directories written on
// the fly, a host and worker over them, and eval-format lines decided
// with the worker's provider through pdp_bundle_authorize.

#ifndef TESTS_PLUGINS_HELPERS_H
#define TESTS_PLUGINS_HELPERS_H

#define _POSIX_C_SOURCE 200809L

#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iamc.h"
#include "iamc_eval.h"
#include "iamc_plugins.h"
#include "pdpl.h"

// tdir_make creates a fresh temporary directory in buf.
static inline void
tdir_make(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/pdpl_test_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

// tdir_write writes `text` to dir/name.
static inline void
tdir_write(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

// tdir_plugin writes NAME.json and NAME.lua.
static inline void
tdir_plugin(const char *dir, const char *name, const char *manifest,
    const char *lua)
{
	char file[128];

	snprintf(file, sizeof(file), "%s.json", name);
	tdir_write(dir, file, manifest);
	snprintf(file, sizeof(file), "%s.lua", name);
	tdir_write(dir, file, lua);
}

// tdir_remove removes the directory and its files.
static inline void
tdir_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

// A plugin directory opened for deciding: host, worker and the keys the
// compiler learns from the manifests.
typedef struct tplug {
	pdpl_host *host;
	pdpl_worker *worker;
	iamc_plugin_keys *keys;
	iamc_eval_options opt;
} tplug;

static inline void
tplug_open_opts(tplug *t, const char *dir, const pdpl_options *o)
{
	char err[1024] = "";

	memset(t, 0, sizeof(*t));
	ck_assert_msg(pdpl_host_open(dir, o, &t->host, err, sizeof(err)) ==
	    PDP_OK, "host: %s", err);
	ck_assert_msg(pdpl_worker_open(t->host, &t->worker, err,
	    sizeof(err)) == PDP_OK, "worker: %s", err);
	ck_assert_msg(iamc_plugin_keys_open(dir, &t->keys, err,
	    sizeof(err)) == PDP_OK, "keys: %s", err);
	t->opt.compile = iamc_plugin_keys_options(t->keys);
	t->opt.provider = pdpl_worker_provider(t->worker);
}

static inline void
tplug_open(tplug *t, const char *dir)
{
	tplug_open_opts(t, dir, NULL);
}

static inline void
tplug_close(tplug *t)
{
	pdpl_worker_close(t->worker);
	pdpl_host_close(t->host);
	iamc_plugin_keys_close(t->keys);
}

// A decision and a copy of its reason (the worker's buffer is reused).
typedef struct tdec {
	pdp_effect effect;
	int err;
	char reason[512];
} tdec;

// tdecide decides eval-format line `json` (single quotes stand for
// double quotes) with options `opt` (may be NULL).
static inline tdec
tdecide(const iamc_eval_options *opt, const char *json)
{
	char *s = strdup(json), err[1024] = "";
	json_error_t je;
	iamc_eval_prep *p;
	pdp_decision d;
	tdec r;

	ck_assert_ptr_nonnull(s);
	for (char *c = s; *c; c++)
		if (*c == '\'')
			*c = '"';
	json_t *in = json_loads(s, 0, &je);
	ck_assert_msg(in != NULL, "bad test JSON: %s: %s", je.text, s);
	ck_assert_msg(iamc_eval_prepare_ex(in, opt, &p, err, sizeof(err)) ==
	    PDP_OK, "prepare: %s", err);
	pdp_bundle_authorize(iamc_eval_prep_bundle(p),
	    iamc_eval_prep_request(p), &d, NULL);
	memset(&r, 0, sizeof(r));
	r.effect = d.effect;
	r.err = d.err;
	snprintf(r.reason, sizeof(r.reason), "%s", d.reason ? d.reason : "");
	iamc_eval_prep_free(p);
	json_decref(in);
	free(s);
	return r;
}

// run_suite runs a suite and turns failures into the exit status.
static inline int
run_suite(Suite *s)
{
	return pdp_run_suite(s);
}

#endif // TESTS_PLUGINS_HELPERS_H
