// table_build.c - builds a hashed decision table (pdp/src/table.h) for a
// set of compiled policies.

#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "iamc.h"
#include "iamc_table.h"
#include "table.h"

// A candidate: policy in the set, statement with its flags, and the
// action index of a service pattern (PDPI_CAND_NOACT otherwise).
typedef struct cand {
	uint32_t pi, si, k;
} cand;

// A candidate keyed by an exact action ("svc:name") or a service ("svc").
typedef struct keyed {
	const char *key;
	uint32_t len;
	bool deny; // its statement's effect is Deny
	bool neg;  // the action is in a NotAction element
	cand c;
} keyed;

typedef struct vec {
	keyed *v;
	size_t n, cap;
} vec;

static int
vec_push(vec *x, const char *key, uint32_t len, bool deny, bool neg, cand c)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		keyed *v = realloc(x->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (keyed){key, len, deny, neg, c};
	return 0;
}

static int
key_cmp(const keyed *x, const keyed *y)
{
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

// Candidates sort by (policy, statement, action), the flags aside: the
// order in which the evaluator judges them.
static int
cand_cmp(const cand *x, const cand *y)
{
	uint32_t xs = x->si & PDPI_CAND_INDEX, ys = y->si & PDPI_CAND_INDEX;
	if (x->pi != y->pi)
		return x->pi < y->pi ? -1 : 1;
	if (xs != ys)
		return xs < ys ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static int
keyed_cmp(const void *a, const void *b)
{
	int c = key_cmp(a, b);
	return c != 0 ? c : cand_cmp(&((const keyed *) a)->c,
	    &((const keyed *) b)->c);
}

static int
cand_qcmp(const void *a, const void *b)
{
	return cand_cmp(a, b);
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

// A candidate list being assembled.
typedef struct cands {
	cand *v;
	size_t n, cap;
} cands;

static int
cands_push(cands *p, cand c)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		cand *v = realloc(p->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = c;
	return 0;
}

// emit_list sorts the candidates, merges the entries of one statement
// (in a pair list: it is known to match if any entry says so) and
// appends them to the block as `width`-word entries.
static void
emit_list(block *b, cands *p, uint32_t width, uint32_t *off, uint32_t *n)
{
	size_t k = 0;

	if (p->n > 0)
		qsort(p->v, p->n, sizeof(cand), cand_qcmp);
	for (size_t i = 0; i < p->n; i++) {
		cand *last = k > 0 ? &p->v[k - 1] : NULL;
		if (last != NULL && last->pi == p->v[i].pi &&
		    (last->si & PDPI_CAND_INDEX) ==
		    (p->v[i].si & PDPI_CAND_INDEX) &&
		    (width == 2 || last->k == p->v[i].k)) {
			last->si |= p->v[i].si;
			continue;
		}
		p->v[k++] = p->v[i];
	}
	*off = block_reserve(b, width * k);
	*n = (uint32_t) k;
	if (b->err)
		return;
	uint32_t *w = (uint32_t *) ((char *) b->w + *off);
	for (size_t i = 0; i < k; i++, w += width) {
		w[0] = p->v[i].pi;
		w[1] = p->v[i].si;
		if (width == 3)
			w[2] = p->v[i].k;
	}
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
		if (i == 0 || key_cmp(&x->v[i], &x->v[i - 1]) != 0) {
			if (n > 0)
				g[n - 1].end = i;
			g[n++].start = i;
		}
	}
	if (n > 0)
		g[n - 1].end = x->n;
	return n;
}

// find_group bisects the groups of a sorted vec for key s[0..n).
static const group *
find_group(const vec *x, const group *g, size_t ng, const char *s,
    uint32_t n)
{
	keyed want = {s, n, false, false, {0, 0, 0}};
	size_t lo = 0, hi = ng;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&x->v[g[mid].start], &want);
		if (c == 0)
			return &g[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

// place puts the entry at `entry` (of a key of hash h) into an
// open-addressing slot array in the block.
static void
place(block *b, uint32_t slots_off, uint32_t nslots, uint64_t h,
    uint32_t entry)
{
	uint32_t mask = nslots - 1;
	for (uint32_t i = (uint32_t) h & mask;; i = (i + 1) & mask) {
		uint32_t *s = (uint32_t *) ((char *) b->w + slots_off) +
		    (size_t) i * PDPI_TABLE_SLOT_WORDS;
		if (s[1] != 0)
			continue;
		s[0] = (uint32_t) (h >> 32);
		s[1] = entry;
		return;
	}
}

// The statements sorted by key while the table is built.
typedef struct sorted {
	vec exact, glob;     // by "svc:name"; patterns by "svc"
	cands global[2];     // "*", Deny and Allow
	cands nots[2];       // NotAction, Deny and Allow
	group *ge, *gg;
	size_t nge, ngg;
} sorted;

// collect sorts every statement of the set into exact actions, service
// patterns, "*" and NotAction. The actions of a NotAction statement are
// indexed too (neg), so that its exact actions have slots and its
// patterns service slots.
static int
collect(iamc_arena *a, const pdpi_policy *const *v, uint32_t n, sorted *x)
{
	for (uint32_t pi = 0; pi < n; pi++) {
		if (v[pi]->nstmts > PDPI_CAND_INDEX)
			return -1;
		for (uint32_t si = 0; si < v[pi]->nstmts; si++) {
			const pdpi_stmt *st = &v[pi]->stmts[si];
			bool deny = st->effect == PDPI_DENY;
			bool neg = st->not_action;
			uint32_t flags = pdpi_stmt_always(v[pi]->type, st) ?
			    PDPI_CAND_ALWAYS : 0;
			bool all = false;
			for (uint32_t k = 0; k < st->nactions && !all; k++)
				all = st->actions[k].kind == PDPI_ACT_ALL;
			cand whole = {pi, si | flags | PDPI_CAND_KNOWN,
			    PDPI_CAND_NOACT};
			if (all && neg)
				continue; // NotAction "*" matches nothing
			if (all || neg) {
				// "*" matches every action; NotAction is
				// placed per slot.
				cands *to = all ? &x->global[!deny] :
				    &x->nots[!deny];
				if (cands_push(to, whole) != 0)
					return -1;
				if (all)
					continue;
			}
			for (uint32_t k = 0; k < st->nactions; k++) {
				const pdpi_action *ac = &st->actions[k];
				cand c = {pi, si | flags, k};
				int e = 0;
				if (ac->kind == PDPI_ACT_EXACT) {
					uint32_t kn = ac->svc.n + 1 + ac->name.n;
					char *key = iamc_arena_alloc(a, kn);
					if (key == NULL)
						return -1;
					memcpy(key, ac->svc.p, ac->svc.n);
					key[ac->svc.n] = ':';
					memcpy(key + ac->svc.n + 1, ac->name.p,
					    ac->name.n);
					c.si |= PDPI_CAND_KNOWN;
					e = vec_push(&x->exact, key, kn, deny,
					    neg, c);
				} else if (ac->kind == PDPI_ACT_GLOB) {
					e = vec_push(&x->glob, ac->svc.p,
					    ac->svc.n, deny, neg, c);
				}
				if (e != 0)
					return -1;
			}
		}
	}
	if (x->exact.n > 0)
		qsort(x->exact.v, x->exact.n, sizeof(keyed), keyed_cmp);
	if (x->glob.n > 0)
		qsort(x->glob.v, x->glob.n, sizeof(keyed), keyed_cmp);
	x->ge = malloc((x->exact.n + 1) * sizeof(*x->ge));
	x->gg = malloc((x->glob.n + 1) * sizeof(*x->gg));
	if (x->ge == NULL || x->gg == NULL)
		return -1;
	x->nge = group_keys(&x->exact, x->ge);
	x->ngg = group_keys(&x->glob, x->gg);
	return 0;
}

// same_stmt: two candidates of one statement.
static bool
same_stmt(const cand *a, const cand *b)
{
	return a->pi == b->pi && (a->si & PDPI_CAND_INDEX) ==
	    (b->si & PDPI_CAND_INDEX);
}

// push_nots appends the NotAction statements of `list` but those in
// `skip` (sorted, as `list` is): those have entries of their own or
// cannot match.
static int
push_nots(cands *tmp, const cands *list, const cands *skip)
{
	size_t j = 0;

	for (size_t i = 0; i < list->n; i++) {
		while (j < skip->n && cand_cmp(&skip->v[j], &list->v[i]) < 0 &&
		    !same_stmt(&skip->v[j], &list->v[i]))
			j++;
		if (j < skip->n && same_stmt(&skip->v[j], &list->v[i]))
			continue;
		if (cands_push(tmp, list->v[i]) != 0)
			return -1;
	}
	return 0;
}

// exact_lists emits the Deny and Allow lists of one exact action: the
// statements naming it, the patterns of its service that match it, "*",
// and the NotAction statements that neither name it nor match it by a
// pattern.
static int
exact_lists(block *b, const pdpi_policy *const *v, const sorted *x,
    const group *g, cands *tmp, cands *skip, uint32_t lists[4])
{
	const keyed *k0 = &x->exact.v[g->start];
	const char *colon = memchr(k0->key, ':', k0->len);
	uint32_t sl = (uint32_t) (colon - k0->key);
	const group *pg = find_group(&x->glob, x->gg, x->ngg, k0->key, sl);

	for (int d = 0; d < 2; d++) {
		tmp->n = 0;
		skip->n = 0;
		for (size_t j = g->start; j < g->end; j++) {
			const keyed *e = &x->exact.v[j];
			if (e->deny == !d &&
			    cands_push(e->neg ? skip : tmp, e->c) != 0)
				return -1;
		}
		for (size_t j = pg ? pg->start : 0; pg && j < pg->end; j++) {
			const keyed *p = &x->glob.v[j];
			const pdpi_action *ac = &v[p->c.pi]->stmts[p->c.si &
			    PDPI_CAND_INDEX].actions[p->c.k];
			cand c = {p->c.pi, p->c.si | PDPI_CAND_KNOWN,
			    PDPI_CAND_NOACT};
			if (p->deny == !d && pdpi_glob(ac->name.p, NULL,
			    ac->name.n, colon + 1, k0->len - sl - 1) &&
			    cands_push(p->neg ? skip : tmp, c) != 0)
				return -1;
		}
		for (size_t j = 0; j < x->global[d].n; j++)
			if (cands_push(tmp, x->global[d].v[j]) != 0)
				return -1;
		if (skip->n > 0)
			qsort(skip->v, skip->n, sizeof(cand), cand_qcmp);
		if (push_nots(tmp, &x->nots[d], skip) != 0)
			return -1;
		emit_list(b, tmp, 2, &lists[2 * d], &lists[2 * d + 1]);
	}
	return 0;
}

// service_lists emits the Deny and Allow lists of one service: an entry
// per pattern of the service (NotAction ones marked), "*", and the
// NotAction statements without a pattern of the service.
static int
service_lists(block *b, const sorted *x, const group *g, cands *tmp,
    cands *skip, uint32_t lists[4])
{
	for (int d = 0; d < 2; d++) {
		tmp->n = 0;
		skip->n = 0;
		for (size_t j = g->start; j < g->end; j++) {
			const keyed *e = &x->glob.v[j];
			cand c = e->c;
			if (e->deny != !d)
				continue;
			if (e->neg)
				c.si |= PDPI_CAND_NOT;
			if (cands_push(tmp, c) != 0 ||
			    (e->neg && cands_push(skip, c) != 0))
				return -1;
		}
		for (size_t j = 0; j < x->global[d].n; j++)
			if (cands_push(tmp, x->global[d].v[j]) != 0)
				return -1;
		if (push_nots(tmp, &x->nots[d], skip) != 0)
			return -1;
		emit_list(b, tmp, 3, &lists[2 * d], &lists[2 * d + 1]);
	}
	return 0;
}

int
iamc_table_build(iamc_arena *a, const pdpi_policy *const *v, uint32_t n,
    pdpi_table *out)
{
	sorted x;
	cands tmp = {0}, skip = {0};
	block b = {0};
	int rv = PDP_ENOMEM;

	memset(&x, 0, sizeof(x));
	if (collect(a, v, n, &x) != 0)
		goto out;

	uint32_t nslots = pow2_for(x.nge), nsvc = pow2_for(x.ngg);
	block_reserve(&b, PDPI_TABLE_HEADER_WORDS);
	uint32_t slots_off = block_reserve(&b,
	    (size_t) nslots * PDPI_TABLE_SLOT_WORDS);
	uint32_t svc_off = block_reserve(&b,
	    (size_t) nsvc * PDPI_TABLE_SLOT_WORDS);
	uint32_t glob[4];
	for (int d = 0; d < 2; d++) {
		tmp.n = 0;
		skip.n = 0;
		for (size_t j = 0; j < x.global[d].n; j++)
			if (cands_push(&tmp, x.global[d].v[j]) != 0)
				goto out;
		if (push_nots(&tmp, &x.nots[d], &skip) != 0)
			goto out;
		emit_list(&b, &tmp, 2, &glob[2 * d], &glob[2 * d + 1]);
	}

	// Each key is laid out in its entry, just before its lists, so
	// that a lookup that compares the key finds the lists beside it.
	for (size_t i = 0; i < x.nge + x.ngg; i++) {
		const keyed *k = i < x.nge ? &x.exact.v[x.ge[i].start] :
		    &x.glob.v[x.gg[i - x.nge].start];
		uint32_t eoff = block_reserve(&b, PDPI_TABLE_ENTRY_WORDS +
		    (k->len + 3) / 4);
		uint32_t lists[4];
		if (b.err)
			goto out;
		memcpy((char *) b.w + eoff + 4 * PDPI_TABLE_ENTRY_WORDS,
		    k->key, k->len);
		if (i < x.nge ? exact_lists(&b, v, &x, &x.ge[i], &tmp, &skip,
		    lists) != 0 : service_lists(&b, &x, &x.gg[i - x.nge],
		    &tmp, &skip, lists) != 0)
			goto out;
		if (b.err)
			goto out;
		// The two lists follow the key, Deny first (emit_list
		// reserves as it goes).
		uint32_t *e = (uint32_t *) ((char *) b.w + eoff);
		e[0] = k->len;
		e[1] = lists[1];
		e[2] = lists[3];
		place(&b, i < x.nge ? slots_off : svc_off, i < x.nge ? nslots :
		    nsvc, pdpi_hash(k->key, k->len), eoff);
	}
	b.w[0] = PDPI_TABLE_MAGIC;
	b.w[1] = (uint32_t) (b.n * 4);
	b.w[2] = nslots;
	b.w[3] = slots_off;
	b.w[4] = nsvc;
	b.w[5] = svc_off;
	memcpy(&b.w[6], glob, sizeof(glob));

	uint32_t *copy = iamc_arena_alloc(a, b.n * 4);
	if (copy == NULL)
		goto out;
	memcpy(copy, b.w, b.n * 4);
	out->w = copy;
	out->size = (uint32_t) (b.n * 4);
	rv = PDP_OK;
out:
	free(x.exact.v);
	free(x.glob.v);
	free(x.global[0].v);
	free(x.global[1].v);
	free(x.nots[0].v);
	free(x.nots[1].v);
	free(skip.v);
	free(x.ge);
	free(x.gg);
	free(tmp.v);
	free(b.w);
	return rv;
}
