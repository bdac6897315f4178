// jsonl.c - `pdpbench micro --workload FILE`: times decisions over an
// eval-format JSON-lines file (docs/eval-format.md), as the peer
// comparison in bench/peers/ does for the other engines.
//
// Each distinct (principal, identity policies, boundary) becomes one user
// of one bundle, compiled once; the lines become requests against it.
// What `iamc eval` would decide from the line alone, the bundle decides
// the same way, with two limits said here: lines with resource policies,
// SCPs, RCPs or session policies are refused (the bundle would hold them
// per resource or per account, not per line), and a user that appears
// with different policies on different lines is renamed ("alice~2"),
// which changes what ${aws:username} expands to.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "micro.h"

typedef struct who {
	uint64_t hash;     // of the key below
	char *key;         // principal ARN + policies, compact JSON
	char *acct, *base; // account, name as the lines give it
	const char *arn;   // the (possibly renamed) ARN requests use
} who;

typedef struct file {
	iamc_builder *bld;
	iamc_arena *strs;
	who *v;
	size_t n, cap;
	char **accts;
	size_t nacct;
	size_t lineno;
} file;

static void
fail(const file *f, const char *msg)
{
	bench_die("line %zu: %s", f->lineno, msg);
}

static bool
nonempty(const json_t *v)
{
	return v != NULL && !json_is_null(v) &&
	    !(json_is_array(v) && json_array_size(v) == 0);
}

// compile_list compiles a list of POLICY values (documents or
// {"name", "document"}) into a set.
static uint32_t
compile_list(
    file *f, const json_t *list, pdp_policy_type type, const char *kind)
{
	size_t n = json_array_size(list);
	const pdpi_policy **v = calloc(n + 1, sizeof(*v));
	uint32_t set;

	if (v == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *el = json_array_get(list, i);
		const json_t *doc = el;
		char name[64];
		snprintf(name, sizeof(name), "%s[%zu]", kind, i);
		const json_t *jn = json_object_get(el, "name");
		if (json_is_string(jn) && json_object_get(el, "document")) {
			snprintf(
			    name, sizeof(name), "%s", json_string_value(jn));
			doc = json_object_get(el, "document");
		}
		iamc_diags d;
		iamc_diags_init(&d);
		if (iamc_policy_compile(iamc_builder_arena(f->bld), doc, type,
		        name, &v[i], &d) != PDP_OK) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s: %s: %s", name,
			    d.n ? d.v[0].path : "", d.n ? d.v[0].message : "");
			fail(f, msg);
		}
		iamc_diags_fini(&d);
	}
	if (iamc_builder_set(f->bld, v, (uint32_t) n, true, &set) != PDP_OK)
		fail(f, "builder: set");
	free(v);
	return set;
}

static void
need_account(file *f, const char *acct)
{
	for (size_t i = 0; i < f->nacct; i++)
		if (strcmp(f->accts[i], acct) == 0)
			return;
	if (iamc_builder_account(f->bld, acct, NULL, 0, NULL, 0) != PDP_OK)
		fail(f, "builder: account");
	f->accts = realloc(f->accts, (f->nacct + 1) * sizeof(*f->accts));
	if (f->accts == NULL)
		bench_die("out of memory");
	f->accts[f->nacct++] = bench_strdup(f->strs, acct);
}

// resolve returns the ARN under which this line's principal and policies
// live in the bundle, adding the principal the first time.
static const char *
resolve(file *f, const char *arn, const json_t *line)
{
	json_t *k = json_pack("{s:s, s:O?, s:O?}", "p", arn, "i",
	    json_object_get(line, "identityPolicies"), "b",
	    json_object_get(line, "permissionBoundaries"));
	char *key = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = XXH3_64bits(key, strlen(key));
	size_t same_name = 0;
	char acct[13], path[1024], name[256];

	json_decref(k);
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].hash == h && strcmp(f->v[i].key, key) == 0) {
			free(key);
			return f->v[i].arn;
		}
	// arn:aws:iam::ACCOUNT:user/path/name or
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	uint32_t kind;
	const char *rest;
	if (strncmp(arn, "arn:aws:iam::", 13) == 0 && strlen(arn) > 26 &&
	    strncmp(arn + 25, ":user/", 6) == 0) {
		kind = PDPB_USER;
		rest = arn + 30;
		const char *slash = strrchr(rest, '/');
		size_t pn = (size_t) (slash - rest) + 1;
		if (pn >= sizeof(path) ||
		    strlen(slash + 1) >= sizeof(name) - 8)
			fail(f, "principal too long");
		memcpy(path, rest, pn);
		path[pn] = '\0';
		snprintf(name, sizeof(name), "%s", slash + 1);
	} else if (strncmp(arn, "arn:aws:sts::", 13) == 0 &&
	    strlen(arn) > 26 && strncmp(arn + 25, ":assumed-role/", 14) == 0) {
		kind = PDPB_ROLE;
		rest = arn + 39;
		const char *slash = strchr(rest, '/');
		if (slash == NULL ||
		    (size_t) (slash - rest) >= sizeof(name) - 8)
			fail(f, "bad assumed-role ARN");
		snprintf(
		    name, sizeof(name), "%.*s", (int) (slash - rest), rest);
		snprintf(path, sizeof(path), "/");
	} else {
		fail(f, "only user and assumed-role principals are supported");
	}
	memcpy(acct, arn + 13, 12);
	acct[12] = '\0';
	need_account(f, acct);
	for (size_t i = 0; i < f->n; i++)
		same_name += strcmp(f->v[i].acct, acct) == 0 &&
		    strcmp(f->v[i].base, name) == 0;
	char final[300];
	if (same_name > 0)
		snprintf(final, sizeof(final), "%s~%zu", name, same_name + 1);
	else
		snprintf(final, sizeof(final), "%s", name);

	iamc_principal_spec ps = {.kind = kind,
	    .account = acct,
	    .name = final,
	    .path = path,
	    .identity = PDPB_NONE,
	    .boundary = PDPB_NONE};
	const json_t *ip = json_object_get(line, "identityPolicies");
	const json_t *pb = json_object_get(line, "permissionBoundaries");
	json_t *none = json_array();
	ps.identity = compile_list(
	    f, json_is_array(ip) ? ip : none, PDP_POLICY_IDENTITY, "identity");
	json_decref(none);
	if (json_is_array(pb))
		ps.boundary =
		    compile_list(f, pb, PDP_POLICY_BOUNDARY, "boundary");
	if (iamc_builder_principal(f->bld, &ps) != PDP_OK)
		fail(f, "builder: principal");

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (f->v == NULL)
			bench_die("out of memory");
	}
	who *w = &f->v[f->n++];
	w->hash = h;
	w->key = key;
	w->acct = bench_strdup(f->strs, acct);
	w->base = bench_strdup(f->strs, name);
	if (kind == PDPB_USER)
		w->arn = bench_printf(
		    f->strs, "arn:aws:iam::%s:user%s%s", acct, path, final);
	else
		w->arn = bench_printf(f->strs,
		    "arn:aws:sts::%s:assumed-role/"
		    "%s/%s",
		    acct, final, strchr(rest, '/') + 1);
	return w->arn;
}

// value_text renders a context value as `iamc eval` does.
static const char *
value_text(file *f, const json_t *v)
{
	if (json_is_string(v))
		return bench_strdup(f->strs, json_string_value(v));
	if (json_is_integer(v))
		return bench_printf(
		    f->strs, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return bench_printf(f->strs, "%.17g", json_real_value(v));
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	fail(f, "context values must be strings, numbers or booleans");
	return NULL;
}

static const char *
opt_string(file *f, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		fail(f, "request field is not a string");
	return bench_strdup(f->strs, json_string_value(v));
}

// expectation reads the benchmark-only "expectDetail" (or "expect") field
// that bench/peers/gen-workload.py writes: -1 none, else a pdp_effect, or
// 3 for a plain "Deny" (either kind).
static int
expectation(const json_t *line)
{
	const json_t *d = json_object_get(line, "expectDetail");
	const json_t *e = json_object_get(line, "expect");
	const char *s = json_is_string(d) ? json_string_value(d) :
	    json_is_string(e)             ? json_string_value(e) :
	                                    NULL;

	if (s == NULL)
		return -1;
	if (strcmp(s, "Allow") == 0)
		return PDP_ALLOW;
	if (strcmp(s, "ExplicitDeny") == 0)
		return PDP_EXPLICIT_DENY;
	if (strcmp(s, "ImplicitDeny") == 0)
		return PDP_IMPLICIT_DENY;
	return 3;
}

static void
read_line(file *f, const json_t *line, pdp_request *q)
{
	static const char *const refused[] = {
	    "resourcePolicy", "scps", "rcps", "sessionPolicy"};
	const json_t *req = json_object_get(line, "request");

	for (size_t i = 0; i < 4; i++)
		if (nonempty(json_object_get(line, refused[i])))
			fail(f,
			    "resource policies, SCPs, RCPs and session "
			    "policies are not supported by the micro file "
			    "workload");
	if (!json_is_object(req))
		fail(f, "request: missing");
	const char *principal = opt_string(f, req, "principal");
	const char *action = opt_string(f, req, "action");
	if (principal == NULL || action == NULL)
		fail(f, "request.principal and request.action are required");
	memset(q, 0, sizeof(*q));
	q->principal = resolve(f, principal, line);
	q->action = action;
	q->resource = opt_string(f, req, "resource");
	q->resource_account = opt_string(f, req, "resourceAccount");
	const json_t *ctx = json_object_get(req, "context");
	if (json_is_object(ctx) && json_object_size(ctx) > 0) {
		size_t n = json_object_size(ctx), i = 0;
		pdp_context_entry *e =
		    iamc_arena_alloc(f->strs, n * sizeof(*e));
		const char *k;
		json_t *v;
		if (e == NULL)
			bench_die("out of memory");
		json_object_foreach((json_t *) ctx, k, v)
		{
			size_t nv = json_is_array(v) ? json_array_size(v) : 1;
			const char **vals = iamc_arena_alloc(
			    f->strs, (nv + 1) * sizeof(*vals));
			if (vals == NULL)
				bench_die("out of memory");
			for (size_t j = 0; j < nv; j++)
				vals[j] = value_text(f,
				    json_is_array(v) ? json_array_get(v, j) :
				                       v);
			e[i].key = bench_strdup(f->strs, k);
			e[i].values = vals;
			e[i].nvalues = (uint32_t) nv;
			e[i].multi = json_is_array(v);
			i++;
		}
		q->context = e;
		q->ncontext = (uint32_t) n;
	}
}

int
bench_file_workload(const char *path, const bench_opts *o)
{
	FILE *fp = fopen(path, "r");
	file f = {0};
	bench_world w;
	char *buf = NULL;
	signed char *expect = NULL;
	size_t bcap = 0, cap = 0;
	ssize_t len;

	if (fp == NULL) {
		fprintf(stderr,
		    "pdpbench micro: %s: not a workload name and "
		    "not a readable file\n",
		    path);
		return 2;
	}
	if (o->nmany != 1) {
		fclose(fp);
		fprintf(stderr, "pdpbench micro: --many takes one value with "
		    "a FILE workload\n");
		return 2;
	}
	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "file");
	if (iamc_builder_open(&f.bld) != PDP_OK ||
	    (f.strs = iamc_arena_open()) == NULL)
		bench_die("out of memory");
	w.strs = f.strs;
	uint64_t t0 = bench_now_ns();
	while ((len = getline(&buf, &bcap, fp)) > 0) {
		f.lineno++;
		if (strspn(buf, " \t\r\n") == (size_t) len)
			continue;
		json_error_t e;
		json_t *line = json_loadb(buf, (size_t) len, 0, &e);
		if (!json_is_object(line))
			fail(&f, e.text);
		if (w.reqs.n == cap) {
			cap = cap ? 2 * cap : 1024;
			w.reqs.v = realloc(w.reqs.v, cap * sizeof(*w.reqs.v));
			expect = realloc(expect, cap * sizeof(*expect));
			if (w.reqs.v == NULL || expect == NULL)
				bench_die("out of memory");
		}
		expect[w.reqs.n] = (signed char) expectation(line);
		read_line(&f, line, &w.reqs.v[w.reqs.n++]);
		json_decref(line);
	}
	free(buf);
	fclose(fp);
	if (w.reqs.n == 0)
		bench_die("%s: no lines", path);
	char err[256];
	if (iamc_builder_write(f.bld, 1, &w.data, &w.len) != PDP_OK ||
	    pdp_bundle_open_mem(w.data, w.len, &w.b, err, sizeof(err)))
		bench_die("%s: bundle: %s", path, err);
	uint64_t t1 = bench_now_ns();
	bench_progress("%s: %zu lines, %zu principals, bundle %zu bytes "
	               "(%.1f ms); timing %.1f s",
	    path, w.reqs.n, f.n, w.len, (double) (t1 - t0) / 1e6, o->seconds);

	size_t allow = 0, deny = 0, errors = 0, expected = 0, mismatch = 0;
	for (size_t i = 0; i < w.reqs.n; i++) {
		pdp_decision d;
		pdp_bundle_authorize(w.b, &w.reqs.v[i], &d, NULL);
		errors += d.err != PDP_OK;
		if (d.effect == PDP_ALLOW)
			allow++;
		else
			deny++;
		// A line that says what it expects is checked, so that the
		// figures are for the right decisions.
		if (expect[i] >= 0) {
			expected++;
			bool ok = expect[i] == 3 ? d.effect != PDP_ALLOW :
			                           (int) d.effect == expect[i];
			mismatch += !ok;
		}
	}
	if (mismatch > 0)
		bench_progress("%s: %zu of %zu lines decided otherwise than "
		               "their expectDetail/expect field",
		    path, mismatch, expected);
	if (errors > 0)
		bench_progress("%s: %zu lines could not be decided (they "
		               "count as Deny)",
		    path, errors);
	bench_result r;
	bench_measure(w.b, &w.reqs, 1, o->many[0], o->seconds, false, &r);
	// Lines are timed in file order, over and over; the one JSON
	// object is what bench/peers/peers.mjs reads.
	printf("{\"decisions\": %zu, \"median_ns\": %.1f, \"p99_ns\": %.1f, "
	       "\"decisions_per_sec\": %.0f, \"allow\": %zu, \"deny\": %zu, "
	       "\"errors\": %zu, \"principals\": %zu, \"batch\": %d, "
	       "\"many\": %d, \"alloc_bytes_per_decision\": %.4f, "
	       "\"checked\": %zu, \"mismatched\": %zu}\n",
	    w.reqs.n, r.median_ns, r.p99_ns, r.dps, allow, deny, errors, f.n,
	    BENCH_BATCH, r.many, r.bytes_per_dec, expected, mismatch);
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i].key);
	free(f.v);
	free(f.accts);
	free(expect);
	iamc_builder_close(f.bld);
	bench_world_fini(&w);
	(void) o;
	return 0;
}
