// table_build.c - builds a hashed decision table (pdp/src/table.h) for a
// set of compiled policies.

#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "iamc.h"
#include "iamc_table.h"
#include "table.h"

// A statement named by key (an exact action "svc:name", or a service).
typedef struct keyed {
	const char *key;
	uint32_t len;
	uint32_t pi, si;
} keyed;

typedef struct vec {
	keyed *v;
	size_t n, cap;
} vec;

static int
vec_push(vec *x, const char *key, uint32_t len, uint32_t pi, uint32_t si)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		keyed *v = realloc(x->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (keyed){key, len, pi, si};
	return 0;
}

static int
keyed_cmp(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->pi != y->pi)
		return x->pi < y->pi ? -1 : 1;
	return x->si < y->si ? -1 : x->si > y->si;
}

// Pairs sort by (policy, statement), the known-action flag aside.
static int
pair_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	uint32_t xs = x[1] & ~PDPI_CAND_KNOWN, ys = y[1] & ~PDPI_CAND_KNOWN;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return xs < ys ? -1 : xs > ys;
}

// The block under construction: a growing array of words.
typedef struct block {
	uint32_t *w;
	size_t n, cap;
	int err;
} block;

static uint32_t
block_reserve(block *b, size_t words)
{
	if (b->n + words > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + words)
			cap *= 2;
		uint32_t *w = realloc(b->w, cap * sizeof(*w));
		if (w == NULL) {
			b->err = 1;
			return 0;
		}
		memset(w + b->cap, 0, (cap - b->cap) * sizeof(*w));
		b->w = w;
		b->cap = cap;
	}
	uint32_t off = (uint32_t) (b->n * 4);
	b->n += words;
	return off;
}

// A candidate list being assembled (pairs of words).
typedef struct pairs {
	uint32_t *v;
	size_t n, cap;
} pairs;

static int
pairs_push(pairs *p, uint32_t pi, uint32_t si)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		uint32_t *v = realloc(p->v, cap * 2 * sizeof(*v));
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[2 * p->n] = pi;
	p->v[2 * p->n + 1] = si;
	p->n++;
	return 0;
}

// emit_list sorts and dedups the pairs and appends them to the block.
static void
emit_list(block *b, pairs *p, uint32_t *off, uint32_t *n)
{
	size_t k = 0;

	if (p->n > 0)
		qsort(p->v, p->n, 2 * sizeof(uint32_t), pair_cmp);
	for (size_t i = 0; i < p->n; i++) {
		// A statement listed twice is known to match if either entry
		// says so.
		if (k > 0 && p->v[2 * k - 2] == p->v[2 * i] &&
		    (p->v[2 * k - 1] & ~PDPI_CAND_KNOWN) ==
		    (p->v[2 * i + 1] & ~PDPI_CAND_KNOWN)) {
			p->v[2 * k - 1] |= p->v[2 * i + 1] & PDPI_CAND_KNOWN;
			continue;
		}
		p->v[2 * k] = p->v[2 * i];
		p->v[2 * k + 1] = p->v[2 * i + 1];
		k++;
	}
	*off = block_reserve(b, 2 * k);
	*n = (uint32_t) k;
	if (!b->err && k > 0)
		memcpy((char *) b->w + *off, p->v, k * 2 * sizeof(uint32_t));
}

static uint32_t
pow2_for(size_t nkeys)
{
	uint32_t n = 1;
	if (nkeys == 0)
		return 0;
	while (n < nkeys * 2)
		n *= 2;
	return n;
}

// Distinct keys of a sorted vec, as [start, end) ranges.
typedef struct group {
	size_t start, end;
} group;

static size_t
group_keys(const vec *x, group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (i == 0 || x->v[i].len != x->v[i - 1].len ||
		    memcmp(x->v[i].key, x->v[i - 1].key, x->v[i].len) != 0) {
			if (n > 0)
				g[n - 1].end = i;
			g[n++].start = i;
		}
	}
	if (n > 0)
		g[n - 1].end = x->n;
	return n;
}

// place puts a key into an open-addressing slot array in the block.
static void
place(block *b, uint32_t slots_off, uint32_t nslots, uint32_t key_off,
    const char *key, uint32_t len, uint32_t list_off, uint32_t list_n)
{
	uint64_t h = pdpi_hash(key, len);
	uint32_t mask = nslots - 1;
	for (uint32_t i = (uint32_t) h & mask;; i = (i + 1) & mask) {
		uint32_t *s = (uint32_t *) ((char *) b->w + slots_off) +
		    (size_t) i * PDPI_TABLE_SLOT_WORDS;
		if (s[3] != 0)
			continue;
		s[0] = (uint32_t) h;
		s[1] = (uint32_t) (h >> 32);
		s[2] = key_off;
		s[3] = len;
		s[4] = list_off;
		s[5] = list_n;
		return;
	}
}

int
iamc_table_build(iamc_arena *a, const pdpi_policy *const *v, uint32_t n,
    pdpi_table *out)
{
	vec exact = {0}, glob = {0};
	pairs global = {0}, tmp = {0};
	block b = {0};
	group *ge = NULL, *gg = NULL;
	int rv = PDP_ENOMEM;

	for (uint32_t pi = 0; pi < n; pi++) {
		for (uint32_t si = 0; si < v[pi]->nstmts; si++) {
			const pdpi_stmt *st = &v[pi]->stmts[si];
			bool all = st->not_action;
			for (uint32_t k = 0; k < st->nactions && !all; k++) {
				const pdpi_action *ac = &st->actions[k];
				if (ac->kind == PDPI_ACT_ALL)
					all = true;
			}
			if (all) {
				// "*" matches every action; NotAction has to be
				// judged against the request's.
				uint32_t flag = st->not_action ? 0 :
				    PDPI_CAND_KNOWN;
				if (pairs_push(&global, pi, si | flag) != 0)
					goto out;
				continue;
			}
			for (uint32_t k = 0; k < st->nactions; k++) {
				const pdpi_action *ac = &st->actions[k];
				int e = 0;
				if (ac->kind == PDPI_ACT_EXACT) {
					uint32_t kn = ac->svc.n + 1 + ac->name.n;
					char *key = iamc_arena_alloc(a, kn);
					if (key == NULL)
						goto out;
					memcpy(key, ac->svc.p, ac->svc.n);
					key[ac->svc.n] = ':';
					memcpy(key + ac->svc.n + 1, ac->name.p,
					    ac->name.n);
					e = vec_push(&exact, key, kn, pi, si);
				}
				else if (ac->kind == PDPI_ACT_GLOB)
					e = vec_push(&glob, ac->svc.p,
					    ac->svc.n, pi, si);
				if (e != 0)
					goto out;
			}
		}
	}
	if (exact.n > 0)
		qsort(exact.v, exact.n, sizeof(keyed), keyed_cmp);
	if (glob.n > 0)
		qsort(glob.v, glob.n, sizeof(keyed), keyed_cmp);
	ge = malloc((exact.n + 1) * sizeof(*ge));
	gg = malloc((glob.n + 1) * sizeof(*gg));
	if (ge == NULL || gg == NULL)
		goto out;
	size_t nge = group_keys(&exact, ge), ngg = group_keys(&glob, gg);

	uint32_t nslots = pow2_for(nge), nsvc = pow2_for(ngg);
	block_reserve(&b, PDPI_TABLE_HEADER_WORDS);
	uint32_t slots_off = block_reserve(&b,
	    (size_t) nslots * PDPI_TABLE_SLOT_WORDS);
	uint32_t svc_off = block_reserve(&b,
	    (size_t) nsvc * PDPI_TABLE_SLOT_WORDS);
	uint32_t glob_off, glob_n;
	emit_list(&b, &global, &glob_off, &glob_n);

	// Strings: every distinct key once, laid out after the lists.
	size_t strsize = 0;
	for (size_t i = 0; i < nge; i++)
		strsize += exact.v[ge[i].start].len;
	for (size_t i = 0; i < ngg; i++)
		strsize += glob.v[gg[i].start].len;

	uint32_t *klist = malloc((nge + ngg + 1) * 2 * sizeof(uint32_t));
	if (klist == NULL)
		goto out;
	// Exact keys: their own statements, the matching patterns of their
	// service, and the global list.
	for (size_t i = 0; i < nge; i++) {
		const keyed *k0 = &exact.v[ge[i].start];
		const char *colon = memchr(k0->key, ':', k0->len);
		uint32_t sl = (uint32_t) (colon - k0->key);
		tmp.n = 0;
		for (size_t j = ge[i].start; j < ge[i].end; j++)
			if (pairs_push(&tmp, exact.v[j].pi,
			    exact.v[j].si | PDPI_CAND_KNOWN))
				goto out_k;
		for (size_t j = 0; j < glob.n; j++) {
			const keyed *g = &glob.v[j];
			if (g->len != sl || memcmp(g->key, k0->key, sl) != 0)
				continue;
			const pdpi_stmt *st = &v[g->pi]->stmts[g->si];
			for (uint32_t q = 0; q < st->nactions; q++) {
				const pdpi_action *ac = &st->actions[q];
				if (ac->kind == PDPI_ACT_GLOB &&
				    ac->svc.n == sl &&
				    memcmp(ac->svc.p, k0->key, sl) == 0 &&
				    pdpi_glob(ac->name.p, NULL, ac->name.n,
				    colon + 1, k0->len - sl - 1)) {
					if (pairs_push(&tmp, g->pi,
					    g->si | PDPI_CAND_KNOWN))
						goto out_k;
					break;
				}
			}
		}
		for (size_t j = 0; j < global.n; j++)
			if (pairs_push(&tmp, global.v[2 * j],
			    global.v[2 * j + 1]))
				goto out_k;
		emit_list(&b, &tmp, &klist[2 * i], &klist[2 * i + 1]);
	}
	for (size_t i = 0; i < ngg; i++) {
		tmp.n = 0;
		for (size_t j = gg[i].start; j < gg[i].end; j++)
			if (pairs_push(&tmp, glob.v[j].pi, glob.v[j].si))
				goto out_k;
		for (size_t j = 0; j < global.n; j++)
			if (pairs_push(&tmp, global.v[2 * j],
			    global.v[2 * j + 1]))
				goto out_k;
		emit_list(&b, &tmp, &klist[2 * (nge + i)],
		    &klist[2 * (nge + i) + 1]);
	}
	uint32_t str_off = block_reserve(&b, (strsize + 3) / 4);
	if (b.err)
		goto out_k;
	uint32_t pos = 0;
	for (size_t i = 0; i < nge + ngg; i++) {
		const keyed *k = i < nge ? &exact.v[ge[i].start] :
		    &glob.v[gg[i - nge].start];
		memcpy((char *) b.w + str_off + pos, k->key, k->len);
		if (i < nge)
			place(&b, slots_off, nslots, pos, k->key, k->len,
			    klist[2 * i], klist[2 * i + 1]);
		else
			place(&b, svc_off, nsvc, pos, k->key, k->len,
			    klist[2 * i], klist[2 * i + 1]);
		pos += k->len;
	}
	b.w[0] = PDPI_TABLE_MAGIC;
	b.w[1] = (uint32_t) (b.n * 4);
	b.w[2] = nslots;
	b.w[3] = slots_off;
	b.w[4] = nsvc;
	b.w[5] = svc_off;
	b.w[6] = glob_off;
	b.w[7] = glob_n;
	b.w[8] = glob_off;
	b.w[9] = 0;
	b.w[10] = str_off;
	b.w[11] = (uint32_t) strsize;

	uint32_t *copy = iamc_arena_alloc(a, b.n * 4);
	if (copy == NULL)
		goto out_k;
	memcpy(copy, b.w, b.n * 4);
	out->w = copy;
	out->size = (uint32_t) (b.n * 4);
	rv = PDP_OK;
out_k:
	free(klist);
out:
	free(exact.v);
	free(glob.v);
	free(global.v);
	free(tmp.v);
	free(b.w);
	free(ge);
	free(gg);
	return rv;
}
