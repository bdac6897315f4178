// plugins.c - `pdpbench micro --workload plugins` (pdpbench_plugins): what
// Lua plugins add to one in-process decision. Four pairs of the same
// decision, each timed with and without the plugin worker's provider:
//
//   key     a policy tests corp:BusinessHours, which the plugin computes;
//           without plugins the request carries the key in its context,
//           so both sides evaluate the same condition on the same value
//   tag     a tagging request (aws:RequestTag/env) that the tag rule
//           checks; without plugins no rule runs
//   unref   plugins loaded, but the decision tests no plugin key and is
//           no tagging request: once with only the key's plugin loaded,
//           once with the tag rule loaded too (which must look at the
//           request's keys to know it is no tagging request)
//
// Method: batches of decisions timed with CLOCK_MONOTONIC, the two
// sides of a pair interleaved batch by batch (so drift hits both alike);
// the figure is the median over batches, in ns per decision (bench_pair,
// pair.c). The plugins are written to a temporary directory: the
// business-hours key and the tag rule of plugins/examples, without
// tenant_from_path, whose check runs on every request and so would be
// measured by every pair.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iamc.h"
#include "iamc_eval.h"
#include "iamc_plugins.h"
#include "micro.h"
#include "pdpbench.h"
#include "pdpl.h"

static const char key_json[] = "{\"name\": \"business_hours\", \"keys\": "
    "{\"corp:BusinessHours\": \"Bool\"}}\n";
// plugins/examples/business_hours.lua on the clock path (no time in the
// request): what a deployment runs.
static const char key_lua[] =
    "local OPEN, CLOSE = 9, 17\n"
    "return { keys = { ['corp:BusinessHours'] = function(req)\n"
    "  local t = os.time()\n"
    "  local wday = (t // 86400 + 4) % 7\n"
    "  local hour = (t % 86400) // 3600\n"
    "  return wday >= 1 and wday <= 5 and hour >= OPEN and hour < CLOSE\n"
    "end } }\n";
static const char tag_json[] = "{\"name\": \"tag_policy\", \"check\": "
    "\"tagging\"}\n";
static const char tag_lua[] =
    "local ALLOWED_VALUES = { env = { prod = true, staging = true, "
    "dev = true } }\n"
    "return { check = function(req)\n"
    "  local tags = req:request_tags()\n"
    "  for k, v in pairs(tags) do\n"
    "    if k:find('%u') then\n"
    "      return false, 'lowercase-keys: tag key ' .. k\n"
    "    end\n"
    "    local allowed = ALLOWED_VALUES[k]\n"
    "    if allowed and v ~= false and not allowed[v] then\n"
    "      return false, 'allowed-values: tag ' .. k\n"
    "    end\n"
    "  end\n"
    "end }\n";

// Both policies of a line: the key's statement and unconditioned ones.
#define POLICY "{\"Version\":\"2012-10-17\",\"Statement\":[" \
	"{\"Effect\":\"Allow\",\"Action\":\"s3:DeleteObject\"," \
	"\"Resource\":\"*\",\"Condition\":{\"Bool\":" \
	"{\"corp:BusinessHours\":\"%s\"}}}," \
	"{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"," \
	"\"ec2:CreateTags\"],\"Resource\":\"*\"}]}"

#define LINE "{\"identityPolicies\":[" POLICY "],\"request\":{" \
	"\"principal\":\"arn:aws:iam::111122223333:user/alice\"," \
	"\"action\":\"%s\",\"resource\":\"arn:aws:s3:::reports/q1.csv\"," \
	"\"context\":{\"aws:SourceIp\":\"10.1.2.3\"%s}}}"

typedef struct side {
	json_t *in;          // the line: the request borrows its strings
	iamc_eval_prep *prep;
	pdp_request req;
} side;

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "pdpbench plugins: %s: %s\n", what, why);
	exit(2);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0)
		die(path, "cannot write");
}

// prepare compiles one line; `provider` goes into the request.
static void
prepare(side *s, const char *action, const char *want, const char *ctx,
    const iamc_eval_options *opt, const pdp_provider *provider)
{
	char line[2048], err[1024];
	json_error_t je;

	snprintf(line, sizeof(line), LINE, want, action, ctx);
	if ((s->in = json_loads(line, 0, &je)) == NULL)
		die("line", je.text);
	if (iamc_eval_prepare_ex(s->in, opt, &s->prep, err, sizeof(err)) !=
	    PDP_OK)
		die("prepare", err);
	s->req = *iamc_eval_prep_request(s->prep);
	s->req.provider = provider;
}

static int
decide(const void *arg)
{
	const side *s = arg;
	pdp_decision d;

	pdp_bundle_authorize(iamc_eval_prep_bundle(s->prep), &s->req, &d,
	    NULL);
	return d.err == PDP_OK ? (int) d.effect : -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pdpbench micro --workload plugins "
	    "[--batches N] [--case 0-3] [--json]\n");
}

// open_plugins writes the plugins into a new directory `dir` (the tag
// rule only when `tags`) and opens a host and one worker on it.
static void
open_plugins(char *dir, bool tags, pdpl_host **host, pdpl_worker **w,
    iamc_plugin_keys **keys)
{
	char err[1024];

	if (mkdtemp(dir) == NULL)
		die(dir, "cannot create");
	write_file(dir, "business_hours.json", key_json);
	write_file(dir, "business_hours.lua", key_lua);
	if (tags) {
		write_file(dir, "tag_policy.json", tag_json);
		write_file(dir, "tag_policy.lua", tag_lua);
	}
	if (pdpl_host_open(dir, NULL, host, err, sizeof(err)) != PDP_OK ||
	    pdpl_worker_open(*host, w, err, sizeof(err)) != PDP_OK ||
	    iamc_plugin_keys_open(dir, keys, err, sizeof(err)) != PDP_OK)
		die(dir, err);
}

static void
remove_dir(const char *dir)
{
	static const char *const f[] = {"business_hours.json",
	    "business_hours.lua", "tag_policy.json", "tag_policy.lua"};
	char path[512];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
pdpbench_plugins(int argc, char **argv)
{
	char dir[] = "/tmp/pdpbench_plugins_XXXXXX";
	char dir2[] = "/tmp/pdpbench_plugins_XXXXXX";
	int nbatch = 2000, only = -1;
	bool json = false;
	pdpl_host *host, *host2;
	pdpl_worker *w, *w2;
	iamc_plugin_keys *keys, *keys2;

	if (!bench_pair_args(argc, argv, &nbatch, &json, &only)) {
		usage();
		return 2;
	}
	open_plugins(dir, true, &host, &w, &keys);
	open_plugins(dir2, false, &host2, &w2, &keys2);
	const pdp_provider *prov = pdpl_worker_provider(w);
	const pdp_provider *prov2 = pdpl_worker_provider(w2);
	iamc_eval_options with = {iamc_plugin_keys_options(keys), prov};

	// The key's value is computed now, so that both sides decide the
	// same way: the context of the baseline carries what Lua says.
	side probe;
	prepare(&probe, "s3:DeleteObject", "true", "", &with, prov);
	const char *val = decide(&probe) == PDP_ALLOW ? "true" : "false";
	iamc_eval_prep_free(probe.prep);
	json_decref(probe.in);

	static const char *const names[] = {
		"plugin key (corp:BusinessHours)",
		"tag rule (tag_policy, aws:RequestTag/env)",
		"key plugin loaded, not referenced",
		"key + tag rule loaded, neither used",
	};
	side s[4][2];
	char ctx[128];
	snprintf(ctx, sizeof(ctx), ",\"corp:BusinessHours\":\"%s\"", val);
	prepare(&s[0][0], "s3:DeleteObject", val, ctx, NULL, NULL);
	prepare(&s[0][1], "s3:DeleteObject", val, "", &with, prov);
	prepare(&s[1][0], "ec2:CreateTags", val, ",\"aws:RequestTag/env\":"
	    "\"prod\",\"aws:TagKeys\":[\"env\"]", NULL, NULL);
	prepare(&s[1][1], "ec2:CreateTags", val, ",\"aws:RequestTag/env\":"
	    "\"prod\",\"aws:TagKeys\":[\"env\"]", &with, prov);
	prepare(&s[2][0], "s3:GetObject", val, "", NULL, NULL);
	prepare(&s[2][1], "s3:GetObject", val, "", &with, prov2);
	prepare(&s[3][0], "s3:GetObject", val, "", NULL, NULL);
	prepare(&s[3][1], "s3:GetObject", val, "", &with, prov);
	for (int i = 0; i < 4; i++)
		if (decide(&s[i][0]) != decide(&s[i][1]) ||
		    decide(&s[i][1]) != PDP_ALLOW)
			die(names[i], "the two sides decide differently");

	const void *sa[4], *sb[4];
	for (int i = 0; i < 4; i++) {
		sa[i] = &s[i][0];
		sb[i] = &s[i][1];
	}
	bench_pairs p = {.title = "pdpbench plugins", .col_a = "without",
	    .col_b = "with", .key_a = "without_ns", .key_b = "with_ns",
	    .decide = decide, .nbatch = nbatch, .json = json, .only = only,
	    .n = 4, .names = names, .a = sa, .b = sb};
	bench_pairs_run(&p);
	pdpl_stats st;
	pdpl_host_stats(host, &st);
	if (!json)
		printf("plugin calls %llu, errors %llu, timeouts %llu, "
		    "memory %llu\n", (unsigned long long) st.calls,
		    (unsigned long long) st.errors,
		    (unsigned long long) st.timeouts,
		    (unsigned long long) st.memory);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 2; j++) {
			iamc_eval_prep_free(s[i][j].prep);
			json_decref(s[i][j].in);
		}
	iamc_plugin_keys_close(keys);
	iamc_plugin_keys_close(keys2);
	pdpl_worker_close(w);
	pdpl_worker_close(w2);
	pdpl_host_close(host);
	pdpl_host_close(host2);
	remove_dir(dir);
	remove_dir(dir2);
	return 0;
}
