// gen.c - request generation for `pdpbench micro`: the universe of real
// action names, requests proposed from a principal's compiled policies,
// and the fill loop that keeps a proposal only when its decision is the
// one it was meant to exercise.

#define _POSIX_C_SOURCE 200809L

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "micro.h"

typedef struct act {
	char *svc;  // folded
	char *name; // folded
	char *text; // as written
} act;

struct bench_gen {
	act *v;
	size_t n;
};

static char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p == NULL)
		bench_die("out of memory");
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
act_cmp(const void *x, const void *y)
{
	const act *a = x, *b = y;
	int c = strcmp(a->svc, b->svc);
	return c ? c : strcmp(a->name, b->name);
}

bench_gen *
bench_gen_open(const pdpi_policy *const *v, size_t n)
{
	bench_gen *g = calloc(1, sizeof(*g));
	size_t cap = 0;

	if (g == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		for (uint32_t s = 0; v[i] && s < v[i]->nstmts; s++) {
			const pdpi_stmt *st = &v[i]->stmts[s];
			for (uint32_t k = 0; k < st->nactions; k++) {
				const pdpi_action *a = &st->actions[k];
				if (a->kind != PDPI_ACT_EXACT)
					continue;
				if (g->n == cap) {
					cap = cap ? 2 * cap : 1024;
					g->v =
					    realloc(g->v, cap * sizeof(*g->v));
					if (g->v == NULL)
						bench_die("out of memory");
				}
				g->v[g->n].svc = xstrndup(a->svc.p, a->svc.n);
				g->v[g->n].name =
				    xstrndup(a->name.p, a->name.n);
				g->v[g->n].text =
				    xstrndup(a->text.p, a->text.n);
				g->n++;
			}
		}
	}
	qsort(g->v, g->n, sizeof(*g->v), act_cmp);
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (k > 0 && act_cmp(&g->v[k - 1], &g->v[i]) == 0) {
			free(g->v[i].svc);
			free(g->v[i].name);
			free(g->v[i].text);
			continue;
		}
		g->v[k++] = g->v[i];
	}
	g->n = k;
	if (g->n == 0)
		bench_die("no exact actions to build requests from");
	return g;
}

void
bench_gen_close(bench_gen *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].svc);
		free(g->v[i].name);
		free(g->v[i].text);
	}
	free(g->v);
	free(g);
}

size_t
bench_gen_size(const bench_gen *g)
{
	return g->n;
}

// svc_range finds the universe entries of service `svc` (folded).
static void
svc_range(
    const bench_gen *g, const char *svc, size_t n, size_t *lo, size_t *hi)
{
	size_t a = 0, b = g->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;
		int c = strncmp(g->v[m].svc, svc, n);
		if (c == 0 && g->v[m].svc[n] != '\0')
			c = 1;
		if (c < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < g->n && strncmp(g->v[a].svc, svc, n) == 0 &&
	    g->v[a].svc[n] == '\0')
		a++;
	*hi = a;
}

static bool
name_glob(const pdpi_action *a, const char *name)
{
	char pat[256];
	if (a->name.n >= sizeof(pat))
		return false;
	memcpy(pat, a->name.p, a->name.n);
	pat[a->name.n] = '\0';
	// IAM action patterns know only * and ?; names hold neither [ nor \.
	return fnmatch(pat, name, FNM_NOESCAPE) == 0;
}

static bool
action_matches(const pdpi_action *a, const act *u)
{
	switch (a->kind) {
	case PDPI_ACT_ALL:
		return true;
	case PDPI_ACT_EXACT:
		return strlen(u->svc) == a->svc.n &&
		    memcmp(u->svc, a->svc.p, a->svc.n) == 0 &&
		    strlen(u->name) == a->name.n &&
		    memcmp(u->name, a->name.p, a->name.n) == 0;
	case PDPI_ACT_GLOB:
		return strlen(u->svc) == a->svc.n &&
		    memcmp(u->svc, a->svc.p, a->svc.n) == 0 &&
		    name_glob(a, u->name);
	default:
		return false;
	}
}

// expand turns an action pattern into a real action name that it
// matches, drawn from the universe; a pattern that matches no known
// action is filled in ("Get*" -> "GetX").
static const char *
expand(
    const bench_gen *g, bench_rng *rng, const pdpi_action *a, iamc_arena *ar)
{
	size_t lo, hi, nm = 0;

	if (a->kind == PDPI_ACT_EXACT)
		return bench_printf(ar, "%.*s", (int) a->text.n, a->text.p);
	if (a->kind == PDPI_ACT_ALL)
		return g->v[bench_below(rng, (uint32_t) g->n)].text;
	if (a->kind != PDPI_ACT_GLOB)
		return NULL;
	svc_range(g, a->svc.p, a->svc.n, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		nm += name_glob(a, g->v[i].name);
	if (nm > 0) {
		size_t k = bench_below(rng, (uint32_t) nm);
		for (size_t i = lo; i < hi; i++)
			if (name_glob(a, g->v[i].name) && k-- == 0)
				return g->v[i].text;
	}
	char *s = bench_printf(ar, "%.*s", (int) a->text.n, a->text.p);
	for (char *p = s; *p; p++)
		if (*p == '*' || *p == '?')
			*p = 'X';
	return s;
}

// not_listed draws a universe action that none of st's actions names
// (for NotAction statements).
static const char *
not_listed(const bench_gen *g, bench_rng *rng, const pdpi_stmt *st)
{
	for (int tries = 0; tries < 16; tries++) {
		const act *u = &g->v[bench_below(rng, (uint32_t) g->n)];
		bool hit = false;
		for (uint32_t k = 0; k < st->nactions && !hit; k++)
			hit = action_matches(&st->actions[k], u);
		if (!hit)
			return u->text;
	}
	return NULL;
}

// svc_of returns the service prefix of an action text.
static const char *
svc_of(const char *action, iamc_arena *a)
{
	const char *c = strchr(action, ':');
	return bench_printf(a, "%.*s", c ? (int) (c - action) : 0, action);
}

static const char *
generic_arn(bench_rng *rng, const char *action, iamc_arena *a)
{
	return bench_printf(a,
	    "arn:aws:%s:us-east-1:" BENCH_ACCOUNT ":resource/r%u",
	    svc_of(action, a), bench_below(rng, 1000));
}

// concretize turns a resource pattern into an ARN it matches: wildcards
// filled in, the region and account fields made the caller's, policy
// variables given the values the caller will have.
static const char *
concretize(const pdpi_resource *r, const char *user, iamc_arena *a)
{
	const char *t = r->text;
	size_t n = r->text_len;
	char *out = iamc_arena_alloc(a, 4 * n + 256);
	size_t o = 0;
	int field = 0;

	if (out == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		if (field < 5 && t[i] == ':') {
			out[o++] = ':';
			field++;
			if (field == 3 || field == 4) {
				// Region and account: make them concrete.
				size_t j = i + 1;
				while (j < n && t[j] != ':')
					j++;
				bool empty = j == i + 1;
				bool wild =
				    memchr(t + i + 1, '*', j - i - 1) ||
				    memchr(t + i + 1, '$', j - i - 1) ||
				    memchr(t + i + 1, '?', j - i - 1);
				if (wild ||
				    (field == 4 && !empty &&
				        j - i - 1 != 12)) {
					const char *v = field == 3 ?
					    "us-east-1" :
					    BENCH_ACCOUNT;
					o +=
					    (size_t) sprintf(out + o, "%s", v);
					i = j - 1;
				}
			}
			continue;
		}
		if (t[i] == '$' && i + 1 < n && t[i + 1] == '{') {
			const char *end = memchr(t + i, '}', n - i);
			if (end != NULL) {
				size_t vn = (size_t) (end - t) - i - 2;
				const char *var = t + i + 2;
				if (vn == 12 &&
				    strncasecmp(var, "aws:username", 12) == 0)
					o += (size_t) sprintf(
					    out + o, "%s", user);
				else
					o += (size_t) sprintf(out + o, "v");
				i = (size_t) (end - t);
				continue;
			}
		}
		if (t[i] == '*')
			o += (size_t) sprintf(out + o, "x1");
		else if (t[i] == '?')
			out[o++] = 'a';
		else
			out[o++] = t[i];
	}
	out[o] = '\0';
	return out;
}

static const char *
stmt_resource(const pdpi_stmt *st, bench_rng *rng, const char *action,
    const char *user, iamc_arena *a)
{
	if (!st->has_resource || st->nresources == 0 || st->not_resource)
		return generic_arn(rng, action, a);
	const pdpi_resource *r =
	    &st->resources[bench_below(rng, st->nresources)];
	if (r->kind != PDPI_RES_ARN)
		return generic_arn(rng, action, a);
	return concretize(r, user, a);
}

// pick_stmt draws a statement of the set with the effect wanted and a
// shape fit for the intent.
static const pdpi_stmt *
pick_stmt(
    bench_rng *rng, const pdpi_policy *const *set, uint32_t n, int intent)
{
	for (int tries = 0; tries < 64; tries++) {
		const pdpi_policy *p = set[bench_below(rng, n)];
		if (p->nstmts == 0)
			continue;
		const pdpi_stmt *st = &p->stmts[bench_below(rng, p->nstmts)];
		bool exact = false, wild = st->not_action;
		for (uint32_t k = 0; k < st->nactions; k++) {
			exact |= st->actions[k].kind == PDPI_ACT_EXACT;
			wild |= st->actions[k].kind == PDPI_ACT_GLOB ||
			    st->actions[k].kind == PDPI_ACT_ALL;
		}
		switch (intent) {
		case BENCH_HIT:
			if (st->effect == PDPI_ALLOW && !st->not_action &&
			    exact)
				return st;
			break;
		case BENCH_WILD:
			if (st->effect == PDPI_ALLOW && wild)
				return st;
			break;
		case BENCH_DENY:
			if (st->effect == PDPI_DENY)
				return st;
			break;
		default:
			return st;
		}
	}
	return NULL;
}

static const char *
stmt_action(const bench_gen *g, bench_rng *rng, const pdpi_stmt *st,
    int intent, iamc_arena *a)
{
	if (st->not_action)
		return not_listed(g, rng, st);
	for (int tries = 0; tries < 16; tries++) {
		const pdpi_action *x =
		    &st->actions[bench_below(rng, st->nactions)];
		if (intent == BENCH_HIT && x->kind != PDPI_ACT_EXACT)
			continue;
		if (intent == BENCH_WILD && x->kind == PDPI_ACT_EXACT)
			continue;
		return expand(g, rng, x, a);
	}
	return NULL;
}

bool
bench_propose_psets(
    void *ctx, bench_rng *rng, int intent, pdp_request *q, iamc_arena *a)
{
	const bench_psets *ps = ctx;
	uint32_t p = bench_below(rng, ps->nprincipals);
	uint32_t s = ps->set_of[p];
	const char *action, *res;

	memset(q, 0, sizeof(*q));
	q->principal = ps->arns[p];
	q->context = ps->ctx;
	q->ncontext = ps->nctx;
	if (intent == BENCH_MISS) {
		action = ps->g->v[bench_below(rng, (uint32_t) ps->g->n)].text;
		q->action = action;
		q->resource = generic_arn(rng, action, a);
		return true;
	}
	const pdpi_stmt *st = pick_stmt(rng, ps->sets[s], ps->setn[s], intent);
	if (st == NULL || st->nactions == 0)
		return false;
	action = stmt_action(ps->g, rng, st, intent, a);
	if (action == NULL)
		return false;
	res = stmt_resource(st, rng, action, ps->names[p], a);
	q->action = action;
	q->resource = res;
	return true;
}

static bool
expected(int intent, pdp_effect e)
{
	switch (intent) {
	case BENCH_HIT:
	case BENCH_WILD:
		return e == PDP_ALLOW;
	case BENCH_MISS:
		return e == PDP_IMPLICIT_DENY;
	default:
		return e == PDP_EXPLICIT_DENY;
	}
}

// pack copies the requests' principals, actions and resources into one
// buffer, each request's strings together and the requests in pool order,
// as a server holds a request it has just read: the workers then stream
// through the pool, instead of gathering each request's strings from
// wherever its proposal left them among rejected ones. The pool's cache
// misses stay out of the decisions' figures and its memory out of the
// bundle's way.
static void
pack(bench_reqs *r)
{
	size_t len = 0;
	for (size_t i = 0; i < r->n; i++) {
		const pdp_request *q = &r->v[i];
		len += strlen(q->principal) + strlen(q->action) + 2;
		if (q->resource != NULL)
			len += strlen(q->resource) + 1;
	}
	char *o = r->text = malloc(len);
	if (o == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < r->n; i++) {
		const char **s[] = {&r->v[i].principal, &r->v[i].action,
		    &r->v[i].resource};
		for (size_t k = 0; k < 3; k++) {
			if (*s[k] == NULL)
				continue;
			size_t sl = strlen(*s[k]) + 1;
			memcpy(o, *s[k], sl);
			*s[k] = o;
			o += sl;
		}
	}
}

void
bench_reqs_fill(bench_world *w, size_t n, bench_rng *rng, bench_propose_fn fn,
    void *ctx, const double quota[BENCH_NINTENTS])
{
	bench_reqs *r = &w->reqs;
	size_t want[BENCH_NINTENTS], budget = 200 * n, kept = 0;

	r->v = calloc(n, sizeof(*r->v));
	r->intent = calloc(n, sizeof(*r->intent));
	if (r->v == NULL || r->intent == NULL)
		bench_die("out of memory");
	for (int i = 0; i < BENCH_NINTENTS; i++)
		want[i] = (size_t) (quota[i] * (double) n + 0.5);
	// Pass 1 keeps only proposals decided as intended; pass 2 (only
	// when pass 1 ran out of budget) keeps anything decided.
	for (int pass = 0; pass < 2 && kept < n; pass++) {
		size_t tries = 0;
		while (kept < n && tries < budget) {
			// The intent furthest below its share goes next.
			int it = -1;
			double worst = 2.0;
			for (int i = 0; i < BENCH_NINTENTS; i++) {
				if (want[i] == 0 && pass == 0)
					continue;
				double f = want[i] ? (double) r->by_intent[i] /
				        (double) want[i] :
				                     1.0;
				if (f < worst &&
				    (pass == 1 || r->by_intent[i] < want[i])) {
					worst = f;
					it = i;
				}
			}
			if (it < 0)
				it = (int) bench_below(rng, BENCH_NINTENTS);
			tries++;
			r->attempts++;
			pdp_request q;
			if (!fn(ctx, rng, it, &q, w->strs)) {
				if (pass == 0 && tries > budget / 2 &&
				    r->by_intent[it] == 0)
					want[it] = 0; // cannot make this kind
				continue;
			}
			pdp_decision d;
			pdp_bundle_authorize(w->b, &q, &d, NULL);
			if (d.err != PDP_OK)
				continue;
			if (pass == 0 && !expected(it, d.effect))
				continue;
			r->v[kept] = q;
			r->intent[kept] = (uint8_t) it;
			r->by_intent[it]++;
			kept++;
		}
		if (kept < n)
			bench_progress("%s: quotas not met after %zu "
			               "proposals; filling the rest unchecked",
			    w->name, tries);
	}
	if (kept == 0)
		bench_die("%s: could not generate any request", w->name);
	r->n = kept;
	// Shuffle (Fisher-Yates) so that intents interleave as in traffic.
	for (size_t i = kept - 1; i > 0; i--) {
		size_t j = bench_below(rng, (uint32_t) (i + 1));
		pdp_request t = r->v[i];
		r->v[i] = r->v[j];
		r->v[j] = t;
		uint8_t k = r->intent[i];
		r->intent[i] = r->intent[j];
		r->intent[j] = k;
	}
	pack(r);
	for (size_t i = 0; i < kept; i++) {
		pdp_decision d;
		pdp_bundle_authorize(w->b, &r->v[i], &d, NULL);
		if (d.err != PDP_OK)
			r->errors++;
		else if (d.effect == PDP_ALLOW)
			r->allow++;
		else if (d.effect == PDP_EXPLICIT_DENY)
			r->explicit_++;
		else
			r->implicit++;
	}
}
