// workload.c - the worlds `pdpbench micro` decides against: accounts of
// principals attaching real AWS managed policies (corpus, scale), an
// ABAC account with tags, conditions and policy variables, and accounts
// whose principals hold 10 to 10,000 statements. Each is built with the
// bundle builder in-process, and its requests are generated before any
// timing starts.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "micro.h"

// The context an SDK call typically carries.
static const char *const v_ip[] = {"10.1.2.3"};
static const char *const v_true[] = {"true"};
static const char *const v_false[] = {"false"};
static const char *const v_region[] = {"us-east-1"};
static const char *const v_time[] = {"2025-06-01T12:00:00Z"};
static const char *const v_age[] = {"300"};
static const pdp_context_entry default_ctx[] = {
    {"aws:SourceIp", v_ip, 1, false},
    {"aws:MultiFactorAuthPresent", v_true, 1, false},
    {"aws:MultiFactorAuthAge", v_age, 1, false},
    {"aws:RequestedRegion", v_region, 1, false},
    {"aws:SecureTransport", v_true, 1, false},
    {"aws:CurrentTime", v_time, 1, false},
    {"aws:ViaAWSService", v_false, 1, false},
};
#define NDEFAULT_CTX (sizeof(default_ctx) / sizeof(default_ctx[0]))

// Shares of the request pool: hits by exact action, hits through a
// wildcard or NotAction, implicit denies, explicit denies.
static const double default_quota[BENCH_NINTENTS] = {0.35, 0.15, 0.30, 0.20};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL)
		bench_die("out of memory");
	return p;
}

// --- The corpus -----------------------------------------------------------

// denies_all reports whether a Deny statement covers every action on
// every resource without a condition (AWSDenyAll, the quarantine
// policies): a principal holding one decides ExplicitDeny for everything.
static bool
denies_all(const json_t *st)
{
	const json_t *a = json_object_get(st, "Action");
	const json_t *r = json_object_get(st, "Resource");
	if (json_object_get(st, "Condition") != NULL)
		return false;
	bool star =
	    json_is_string(a) && strcmp(json_string_value(a), "*") == 0;
	if (json_is_array(a))
		for (size_t i = 0; i < json_array_size(a); i++)
			star |= json_is_string(json_array_get(a, i)) &&
			    strcmp(json_string_value(json_array_get(a, i)),
			        "*") == 0;
	return star &&
	    (r == NULL || !json_is_string(r) ||
	        strcmp(json_string_value(r), "*") == 0);
}

void
bench_corpus_load(bench_corpus *c, const char *path)
{
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e);
	const char *name;
	json_t *doc;
	size_t i = 0;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(root))
		bench_die("%s: %s (line %d)", path, e.text, e.line);
	c->n = json_object_size(root);
	c->names = xcalloc(c->n, sizeof(*c->names));
	c->texts = xcalloc(c->n, sizeof(*c->texts));
	c->lens = xcalloc(c->n, sizeof(*c->lens));
	c->has_deny = xcalloc(c->n, sizeof(*c->has_deny));
	c->deny_all = xcalloc(c->n, sizeof(*c->deny_all));
	c->progs = xcalloc(c->n, sizeof(*c->progs));
	json_object_foreach(root, name, doc)
	{
		c->names[i] = strdup(name);
		c->texts[i] =
		    json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (c->names[i] == NULL || c->texts[i] == NULL)
			bench_die("out of memory");
		c->lens[i] = strlen(c->texts[i]);
		json_t *sts = json_object_get(doc, "Statement");
		size_t ns = json_is_array(sts) ? json_array_size(sts) : 1;
		for (size_t k = 0; k < ns; k++) {
			json_t *st =
			    json_is_array(sts) ? json_array_get(sts, k) : sts;
			const json_t *ef = json_object_get(st, "Effect");
			if (json_is_string(ef) &&
			    strcmp(json_string_value(ef), "Deny") == 0) {
				c->has_deny[i] = true;
				c->deny_all[i] |= denies_all(st);
			}
		}
		i++;
	}
	json_decref(root);

	// Programs for request generation: compiled once, not timed.
	c->arena = iamc_arena_open();
	if (c->arena == NULL)
		bench_die("out of memory");
	for (i = 0; i < c->n; i++) {
		iamc_diags d;
		iamc_diags_init(&d);
		(void) iamc_policy_compile_text(c->arena, c->texts[i],
		    c->lens[i], PDP_POLICY_AWS_MANAGED, c->names[i],
		    &c->progs[i], &d);
		iamc_diags_fini(&d);
	}
	c->gen = bench_gen_open(c->progs, c->n);
}

void
bench_corpus_fini(bench_corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->texts[i]);
	}
	free(c->names);
	free(c->texts);
	free(c->lens);
	free(c->has_deny);
	free(c->deny_all);
	free(c->progs);
	bench_gen_close(c->gen);
	iamc_arena_close(c->arena);
}

// compile_text compiles one policy into the builder's arena or dies.
static const pdpi_policy *
compile_text(iamc_builder *bld, const char *text, size_t len,
    pdp_policy_type type, const char *name, bool may_fail)
{
	const pdpi_policy *p = NULL;
	iamc_diags d;

	iamc_diags_init(&d);
	int rv = iamc_policy_compile_text(
	    iamc_builder_arena(bld), text, len, type, name, &p, &d);
	if (rv != PDP_OK && !may_fail) {
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].severity == IAMC_ERROR)
				bench_die("%s: %s: %s: %s", name,
				    pdp_strerror(rv), d.v[i].path,
				    d.v[i].message);
		bench_die("%s: %s", name, pdp_strerror(rv));
	}
	iamc_diags_fini(&d);
	return rv == PDP_OK ? p : NULL;
}

void
bench_corpus_compile_all(const bench_corpus *c, double *compile_ms,
    double *bundle_ms, size_t *bytes, size_t *failed)
{
	iamc_builder *bld;
	const pdpi_policy **v = xcalloc(c->n, sizeof(*v));
	void *data;
	size_t len;

	if (iamc_builder_open(&bld) != PDP_OK)
		bench_die("out of memory");
	*failed = 0;
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < c->n; i++) {
		v[i] = compile_text(bld, c->texts[i], c->lens[i],
		    PDP_POLICY_AWS_MANAGED, c->names[i], true);
		*failed += v[i] == NULL;
	}
	uint64_t t1 = bench_now_ns();
	// Into a bundle: one role per policy, each with its decision table.
	if (iamc_builder_account(bld, BENCH_ACCOUNT, NULL, 0, NULL, 0))
		bench_die("builder: account");
	for (size_t i = 0; i < c->n; i++) {
		uint32_t set;
		if (v[i] == NULL)
			continue;
		if (iamc_builder_set(bld, &v[i], 1, true, &set) != PDP_OK)
			bench_die("builder: set");
		char name[64];
		snprintf(name, sizeof(name), "role%04zu", i);
		iamc_principal_spec ps = {.kind = PDPB_ROLE,
		    .account = BENCH_ACCOUNT,
		    .name = name,
		    .identity = set,
		    .boundary = PDPB_NONE};
		if (iamc_builder_principal(bld, &ps) != PDP_OK)
			bench_die("builder: principal");
	}
	if (iamc_builder_write(bld, 1, &data, &len) != PDP_OK)
		bench_die("builder: write");
	uint64_t t2 = bench_now_ns();
	*compile_ms = (double) (t1 - t0) / 1e6;
	*bundle_ms = (double) (t2 - t0) / 1e6;
	*bytes = len;
	free(data);
	free(v);
	iamc_builder_close(bld);
}

// --- Building a world -------------------------------------------------------

static void
world_begin(bench_world *w, const char *name)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->strs = iamc_arena_open();
	if (w->strs == NULL)
		bench_die("out of memory");
}

// world_write serializes the builder and opens the bundle from memory.
static void
world_write(bench_world *w, iamc_builder *bld)
{
	char err[256];

	if (iamc_builder_write(bld, 1, &w->data, &w->len) != PDP_OK)
		bench_die("%s: builder write failed", w->name);
	if (pdp_bundle_open_mem(w->data, w->len, &w->b, err, sizeof(err)))
		bench_die("%s: bundle does not open: %s", w->name, err);
}

void
bench_world_fini(bench_world *w)
{
	pdp_bundle_close(w->b);
	free(w->data);
	free(w->reqs.v);
	free(w->reqs.intent);
	free(w->reqs.text);
	iamc_arena_close(w->strs);
	memset(w, 0, sizeof(*w));
}

static void
add_users(iamc_builder *bld, bench_world *w, uint32_t n,
    const uint32_t *set_of, const uint32_t *set_index, char **names,
    char **arns, uint32_t ntags, const char *const *const *tag_keys,
    const char *const *const *tag_values)
{
	for (uint32_t p = 0; p < n; p++) {
		names[p] = bench_printf(w->strs, "u%06u", p);
		arns[p] = bench_printf(w->strs,
		    "arn:aws:iam::" BENCH_ACCOUNT ":user/%s", names[p]);
		iamc_principal_spec ps = {.kind = PDPB_USER,
		    .account = BENCH_ACCOUNT,
		    .name = names[p],
		    .identity = set_index[set_of[p]],
		    .boundary = PDPB_NONE,
		    .ntags = ntags,
		    .tag_keys = tag_keys ? tag_keys[p] : NULL,
		    .tag_values = tag_values ? tag_values[p] : NULL};
		if (iamc_builder_principal(bld, &ps) != PDP_OK)
			bench_die("%s: builder principal", w->name);
	}
}

static void
fill_psets(bench_world *w, const bench_opts *o, const bench_gen *g, uint32_t n,
    char **names, char **arns, const uint32_t *set_of,
    const pdpi_policy ***sets, const uint32_t *setn)
{
	bench_psets ps = {.g = g,
	    .nprincipals = n,
	    .arns = (const char *const *) arns,
	    .names = (const char *const *) names,
	    .set_of = set_of,
	    .sets = (const pdpi_policy *const *const *) sets,
	    .setn = setn,
	    .ctx = default_ctx,
	    .nctx = NDEFAULT_CTX};
	bench_rng rng = {o->seed ^ 0x9e3779b97f4a7c15ull};

	bench_reqs_fill(
	    w, o->nreqs, &rng, bench_propose_psets, &ps, default_quota);
}

void
bench_build_corpus(bench_world *w, const char *name, const bench_corpus *c,
    uint32_t nprincipals, uint32_t nsets, const bench_opts *o)
{
	bench_rng rng = {o->seed};
	iamc_builder *bld;
	uint32_t *pick = xcalloc((size_t) nsets * 10, sizeof(*pick));
	uint32_t *setn = xcalloc(nsets, sizeof(*setn));
	uint32_t *set_index = xcalloc(nsets, sizeof(*set_index));
	uint32_t *set_of = xcalloc(nprincipals, sizeof(*set_of));
	const pdpi_policy ***sets = xcalloc(nsets, sizeof(*sets));
	const pdpi_policy **compiled = xcalloc(c->n, sizeof(*compiled));
	char **names = xcalloc(nprincipals, sizeof(*names));
	char **arns = xcalloc(nprincipals, sizeof(*arns));
	uint32_t *usable = xcalloc(c->n, sizeof(*usable)), nusable = 0;
	uint32_t *denying = xcalloc(c->n, sizeof(*denying)), ndenying = 0;
	size_t nst = 0;

	world_begin(w, name);
	w->nprincipals = nprincipals;
	w->nsets = nsets;
	for (uint32_t i = 0; i < c->n; i++) {
		if (c->progs[i] == NULL || c->deny_all[i])
			continue;
		usable[nusable++] = i;
		if (c->has_deny[i])
			denying[ndenying++] = i;
	}
	// Each set: ten distinct policies; three sets in ten also hold one
	// with Deny statements, so that explicit denies occur.
	for (uint32_t s = 0; s < nsets; s++) {
		uint32_t *v = &pick[(size_t) s * 10];
		for (uint32_t k = 0; k < 10; k++) {
			uint32_t x;
			bool dup;
			do {
				x = (k == 0 && ndenying > 0 &&
				        bench_below(&rng, 10) < 3) ?
				    denying[bench_below(&rng, ndenying)] :
				    usable[bench_below(&rng, nusable)];
				dup = false;
				for (uint32_t j = 0; j < k; j++)
					dup |= v[j] == x;
			} while (dup);
			v[k] = x;
		}
	}
	if (iamc_builder_open(&bld) != PDP_OK)
		bench_die("out of memory");
	// Compile what the sets use (from JSON text: this is timed).
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < (size_t) nsets * 10; i++) {
		uint32_t x = pick[i];
		if (compiled[x] == NULL)
			compiled[x] =
			    compile_text(bld, c->texts[x], c->lens[x],
			        PDP_POLICY_AWS_MANAGED, c->names[x], false);
	}
	uint64_t t1 = bench_now_ns();
	if (iamc_builder_account(bld, BENCH_ACCOUNT, NULL, 0, NULL, 0))
		bench_die("builder: account");
	for (uint32_t s = 0; s < nsets; s++) {
		sets[s] = xcalloc(10, sizeof(**sets));
		for (uint32_t k = 0; k < 10; k++) {
			sets[s][k] = compiled[pick[(size_t) s * 10 + k]];
			nst += sets[s][k]->nstmts;
		}
		setn[s] = 10;
		if (iamc_builder_set(bld, sets[s], 10, true, &set_index[s]))
			bench_die("builder: set");
	}
	for (uint32_t p = 0; p < nprincipals; p++)
		set_of[p] =
		    nsets == nprincipals ? p : bench_below(&rng, nsets);
	add_users(bld, w, nprincipals, set_of, set_index, names, arns, 0, NULL,
	    NULL);
	world_write(w, bld);
	uint64_t t2 = bench_now_ns();
	w->compile_ms = (double) (t1 - t0) / 1e6;
	w->build_ms = (double) (t2 - t1) / 1e6;
	w->stmts = (double) nst / nsets;

	bench_progress("%s: %u principals, %u sets, bundle %zu bytes; "
	               "generating requests",
	    w->name, nprincipals, nsets, w->len);
	fill_psets(w, o, c->gen, nprincipals, names, arns, set_of, sets, setn);
	// The sets point into the builder's arena, which the requests no
	// longer need.
	for (uint32_t s = 0; s < nsets; s++)
		free(sets[s]);
	iamc_builder_close(bld);
	free(pick);
	free(setn);
	free(set_index);
	free(set_of);
	free(sets);
	free(compiled);
	free(names);
	free(arns);
	free(usable);
	free(denying);
}

// --- Accounts of 10 to 10,000 statements ----------------------------------
// Two shapes: every principal holds all N statements (statements per
// principal: a stress beyond what AWS's limits allow one identity), or
// the N statements are the account's, in policies of ten, and each
// principal attaches ten of them (statements per account: a user may
// attach ten managed policies by default).

// stmt_json appends one synthetic statement drawn from real action names.
static size_t
stmt_json(char *out, size_t cap, bench_rng *rng, const char *const *univ,
    uint32_t nuniv, uint32_t id)
{
	size_t o = 0;
	// One statement in twenty denies, the tenth of the first ten
	// included, so that even the smallest account has one.
	bool deny = id % 20 == 9;
	// Shapes in the corpus's proportions (of 8,853 statements: 0.2%
	// NotAction, 4% "svc:*", 4% other patterns), per mille.
	uint32_t shape = bench_below(rng, 1000);
	// The fifth statement always has a pattern, so that every account
	// takes the same mix of requests, wildcards included (without it
	// the 10-statement account had none to make).
	if (id == 4)
		shape = 2 + shape % 80;

#define PUT(...) (o += (size_t) snprintf(out + o, cap - o, __VA_ARGS__))
	// The resource names the service of the statement's first action:
	// a service field may not hold wildcards.
	char svc[64] = "ec2";
	PUT("{\"Sid\":\"S%u\",\"Effect\":\"%s\",", id,
	    deny ? "Deny" : "Allow");
	if (shape < 2) {
		PUT("\"NotAction\":[\"iam:*\",\"organizations:*\"],");
	} else {
		PUT("\"Action\":[");
		// 6.5 actions a statement on average, as in the corpus.
		uint32_t na = 1 + bench_below(rng, 12);
		for (uint32_t k = 0; k < na; k++) {
			const char *a = univ[bench_below(rng, nuniv)];
			if (k == 0)
				snprintf(svc, sizeof(svc), "%.*s",
				    (int) strcspn(a, ":"), a);
			if (shape < 42 && k == 0) {
				PUT("\"%s:*\",", svc);
			} else if (shape < 82 && k == 0) {
				// A pattern: the first letters of a real
				// action name and a star.
				const char *colon = strchr(a, ':');
				int keep = (int) (colon - a) + 4;
				PUT("\"%.*s*\",", keep, a);
			} else {
				PUT("\"%s\",", a);
			}
		}
		o--; // the last comma
		PUT("],");
	}
	if (bench_below(rng, 2) == 0)
		PUT("\"Resource\":\"*\"");
	else if (strcmp(svc, "iam") == 0 || strcmp(svc, "sts") == 0)
		// IAM checks its resource types.
		PUT("\"Resource\":\"arn:aws:iam::" BENCH_ACCOUNT
		    ":role/s%u-*\"",
		    id);
	else
		PUT("\"Resource\":[\"arn:aws:%s:*:" BENCH_ACCOUNT
		    ":thing/s%u-*\",\"arn:aws:s3:::bucket-%u/*\"]",
		    svc, id, id);
	uint32_t cond = bench_below(rng, 100);
	if (shape < 2)
		// NotAction covers nearly every action: keep it to admins
		// (nobody here), so that misses stay misses; every request
		// still judges it.
		PUT(",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/"
		    "role\":\"admin\"}}");
	else if (cond < 10)
		PUT(",\"Condition\":{\"StringEquals\":{\"aws:"
		    "RequestedRegion\":"
		    "[\"us-east-1\",\"eu-west-1\"]}}");
	else if (cond < 20)
		PUT(",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":"
		    "\"10.0.0.0/8\"}}");
	PUT("}");
#undef PUT
	return o;
}

void
bench_build_stmts(bench_world *w, const bench_corpus *c, uint32_t nstmts,
    bool per_account, const bench_opts *o)
{
	bench_rng rng = {o->seed + nstmts};
	iamc_builder *bld;
	uint32_t npol = (nstmts + 9) / 10, nprincipals = 100;
	// Per account, each principal its own ten policies (all of them in
	// an account of up to ten policies).
	uint32_t per = per_account && npol > 10 ? 10 : npol;
	uint32_t nsets = per < npol ? nprincipals : 1;
	const pdpi_policy **pol = xcalloc(npol, sizeof(*pol));
	char **texts = xcalloc(npol, sizeof(*texts));
	const char **univ = xcalloc(c->n * 64, sizeof(*univ));
	uint32_t nuniv = 0;
	char buf[1024];

	char wname[64];
	// Per account, the name carries the account's count: each of its
	// principals holds 100 statements from 1,000 on.
	if (per_account)
		snprintf(wname, sizeof(wname), "scale-account-%u", nstmts);
	else
		snprintf(wname, sizeof(wname), "scale-statements");
	world_begin(w, wname);
	// Real action names, as written, from the corpus programs.
	for (size_t i = 0; i < c->n && nuniv < c->n * 64; i++)
		for (uint32_t s = 0; c->progs[i] && s < c->progs[i]->nstmts;
		     s++)
			for (uint32_t k = 0;
			     k < c->progs[i]->stmts[s].nactions &&
			     nuniv < c->n * 64;
			     k++) {
				const pdpi_action *a =
				    &c->progs[i]->stmts[s].actions[k];
				if (a->kind == PDPI_ACT_EXACT)
					univ[nuniv++] = a->text.p;
			}
	for (uint32_t p = 0; p < npol; p++) {
		size_t cap = 64 + 10 * sizeof(buf), n = 0;
		char *t = xcalloc(cap, 1);
		n += (size_t) snprintf(t, cap,
		    "{\"Version\":\"2012-10-17\","
		    "\"Statement\":[");
		for (uint32_t s = 0; s < 10 && p * 10 + s < nstmts; s++) {
			size_t k = stmt_json(
			    buf, sizeof(buf), &rng, univ, nuniv, p * 10 + s);
			memcpy(t + n, buf, k);
			n += k;
			t[n++] = ',';
		}
		t[n - 1] = ']';
		t[n++] = '}';
		t[n] = '\0';
		texts[p] = t;
	}
	if (iamc_builder_open(&bld) != PDP_OK)
		bench_die("out of memory");
	uint64_t t0 = bench_now_ns();
	for (uint32_t p = 0; p < npol; p++) {
		char name[32];
		snprintf(name, sizeof(name), "Synthetic%04u", p);
		pol[p] = compile_text(bld, texts[p], strlen(texts[p]),
		    PDP_POLICY_IDENTITY, name, false);
	}
	uint64_t t1 = bench_now_ns();
	const pdpi_policy ***sets = xcalloc(nsets, sizeof(*sets));
	uint32_t *setn = xcalloc(nsets, sizeof(*setn));
	uint32_t *set_index = xcalloc(nsets, sizeof(*set_index));
	uint32_t nst = 0;
	if (iamc_builder_account(bld, BENCH_ACCOUNT, NULL, 0, NULL, 0))
		bench_die("builder: account");
	for (uint32_t s = 0; s < nsets; s++) {
		sets[s] = xcalloc(per, sizeof(**sets));
		for (uint32_t k = 0; k < per; k++) {
			uint32_t x = k;
			bool dup = per < npol;
			while (dup) { // ten distinct policies
				x = bench_below(&rng, npol);
				dup = false;
				for (uint32_t j = 0; j < k; j++)
					dup |= sets[s][j] == pol[x];
			}
			sets[s][k] = pol[x];
			nst += pol[x]->nstmts;
		}
		setn[s] = per;
		if (iamc_builder_set(bld, sets[s], per, true, &set_index[s]))
			bench_die("builder: set");
	}
	char **names = xcalloc(nprincipals, sizeof(*names));
	char **arns = xcalloc(nprincipals, sizeof(*arns));
	uint32_t *set_of = xcalloc(nprincipals, sizeof(*set_of));
	for (uint32_t p = 0; p < nprincipals; p++)
		set_of[p] = nsets == 1 ? 0 : p;
	add_users(bld, w, nprincipals, set_of, set_index, names, arns, 0,
	    NULL, NULL);
	world_write(w, bld);
	uint64_t t2 = bench_now_ns();
	w->nprincipals = nprincipals;
	w->nsets = nsets;
	w->stmts = (double) nst / nsets;
	w->compile_ms = (double) (t1 - t0) / 1e6;
	w->build_ms = (double) (t2 - t1) / 1e6;

	bench_progress("%s: %u statements in the account, %.0f per "
	               "principal, bundle %zu bytes; generating requests",
	    w->name, nstmts, w->stmts, w->len);
	fill_psets(w, o, c->gen, nprincipals, names, arns, set_of, sets, setn);
	iamc_builder_close(bld);
	for (uint32_t s = 0; s < nsets; s++)
		free(sets[s]);
	free(sets);
	free(setn);
	free(set_index);
	for (uint32_t p = 0; p < npol; p++)
		free(texts[p]);
	free(texts);
	free(pol);
	free(univ);
	free(names);
	free(arns);
	free(set_of);
}
