// bundle_write.c - serializes compiled policies, sets, accounts and
// principals into a bundle file (proto/bundle.md, proto/pdpb.h).

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "iamc_bundle.h"
#include "iamc_table.h"
#include "prefault.h"
#include "table.h"

// A growing byte buffer.
typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void *
buf_grow(buf *b, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->n + n)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return NULL;
		b->p = p;
		b->cap = cap;
	}
	void *r = b->p + b->n;
	memset(r, 0, n);
	b->n += n;
	return r;
}

// An open-addressing map from a 64-bit hash to a 32-bit value. The caller
// resolves collisions by comparing the candidates it gets back.
typedef struct hmap {
	uint64_t *h;
	uint32_t *v;
	uint32_t cap, n; // cap is a power of two; v == UINT32_MAX: empty
} hmap;

static int
hmap_grow(hmap *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 1024;
	uint64_t *h = malloc(cap * sizeof(*h));
	uint32_t *v = malloc(cap * sizeof(*v));
	if (h == NULL || v == NULL) {
		free(h);
		free(v);
		return -1;
	}
	memset(v, 0xff, cap * sizeof(*v));
	for (uint32_t i = 0; i < m->cap; i++) {
		if (m->v[i] == UINT32_MAX)
			continue;
		uint32_t j = (uint32_t) m->h[i] & (cap - 1);
		while (v[j] != UINT32_MAX)
			j = (j + 1) & (cap - 1);
		h[j] = m->h[i];
		v[j] = m->v[i];
	}
	free(m->h);
	free(m->v);
	m->h = h;
	m->v = v;
	m->cap = cap;
	return 0;
}

// hmap_next iterates the values stored under hash h: start with *i =
// UINT32_MAX; returns false when there are no more.
static bool
hmap_next(const hmap *m, uint64_t h, uint32_t *i, uint32_t *val)
{
	if (m->cap == 0)
		return false;
	uint32_t j = *i == UINT32_MAX ? ((uint32_t) h & (m->cap - 1)) :
	    ((*i + 1) & (m->cap - 1));
	for (; m->v[j] != UINT32_MAX; j = (j + 1) & (m->cap - 1)) {
		if (m->h[j] == h) {
			*i = j;
			*val = m->v[j];
			return true;
		}
	}
	return false;
}

static int
hmap_put(hmap *m, uint64_t h, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap && hmap_grow(m) != 0)
		return -1;
	uint32_t j = (uint32_t) h & (m->cap - 1);
	while (m->v[j] != UINT32_MAX)
		j = (j + 1) & (m->cap - 1);
	m->h[j] = h;
	m->v[j] = val;
	m->n++;
	return 0;
}

static void
hmap_free(hmap *m)
{
	free(m->h);
	free(m->v);
}

// key_seen says whether `key` is among the keys remembered in `m`, whose
// values index an array of records that `get` reads the key of.
static bool
key_seen(const hmap *m, const char *key, uint64_t h,
    const char *(*get)(const iamc_builder *, uint32_t),
    const iamc_builder *b)
{
	uint32_t i = UINT32_MAX, v;

	while (hmap_next(m, h, &i, &v))
		if (strcmp(get(b, v), key) == 0)
			return true;
	return false;
}

// A principal as it will be written: everything it names is interned.
// Its key ("user:ACCOUNT:name", folded) only finds duplicates.
typedef struct pspec {
	char *arn;
	char *key;
	uint32_t name_len;
	uint64_t hash; // pdpb_principal_hash
	pdpb_str uid;
	uint32_t kind, flags, account, identity, boundary;
	uint32_t tags, ntags, max_session;
} pspec;

typedef struct rspec {
	const char *arn;
	uint64_t hash; // XXH3_64bits of arn
	uint32_t policy;
} rspec;

typedef struct nspec {
	const char *name;
	uint64_t hash; // XXH3_64bits of name
	uint32_t set;
} nspec;

typedef struct aspec {
	const char *id;
	uint32_t scp, nscp, rcp, nrcp; // into the levels buffer
} aspec;

struct iamc_builder {
	iamc_arena *a;
	int err;
	buf strings;
	hmap strmap;
	// Policies and their parts, in file order.
	buf policies, stmts, actions, resources, prins, conds, cvalues, parts;
	hmap polmap; // pointer -> policy index
	const pdpi_policy **polv;
	uint32_t npol, polcap;
	buf sets, setidx, tables;
	hmap setmap;
	buf levels;
	aspec *acc;
	uint32_t nacc, acccap;
	pspec *pr;
	uint32_t npr, prcap;
	rspec *rp;
	uint32_t nrp, rpcap;
	nspec *nm;
	uint32_t nnm, nmcap;
	buf tags;
	buf keys;    // pdpb_access_key records, placed in slots at write
	hmap keymap; // key id hash -> record index
	// Principal keys, resource ARNs and names seen, for refusing
	// duplicates without a scan per addition.
	hmap prmap, rpmap, nmmap;
	iamc_tables *cache; // decision tables kept across builders, or NULL
};

// A decision table kept for the policies it indexes, known by address.
typedef struct tentry {
	const pdpi_policy **v;
	uint32_t n;
	uint32_t *w;
	uint32_t size;
	bool used; // asked for since the last sweep
} tentry;

struct iamc_tables {
	tentry *e;
	uint32_t n, cap;
	hmap map; // hash of the policy addresses -> entry
};

// grow2 makes room for one more element in a malloc'd array.
static int
grow2(void **v, uint32_t *cap, uint32_t n, size_t size)
{
	if (n < *cap)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 64;
	void *p = realloc(*v, (size_t) nc * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = nc;
	return 0;
}

int
iamc_builder_open(iamc_builder **out)
{
	iamc_builder *b = calloc(1, sizeof(*b));

	if (b == NULL || (b->a = iamc_arena_open()) == NULL) {
		free(b);
		return PDP_ENOMEM;
	}
	// String offset 0 is the empty string.
	if (buf_grow(&b->strings, 1) == NULL) {
		iamc_builder_close(b);
		return PDP_ENOMEM;
	}
	*out = b;
	return PDP_OK;
}

void
iamc_builder_close(iamc_builder *b)
{
	if (b == NULL)
		return;
	buf *bufs[] = {&b->strings, &b->policies, &b->stmts, &b->actions,
	    &b->resources, &b->prins, &b->conds, &b->cvalues, &b->parts,
	    &b->sets, &b->setidx, &b->tables, &b->levels, &b->tags, &b->keys};
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		free(bufs[i]->p);
	hmap_free(&b->strmap);
	hmap_free(&b->polmap);
	hmap_free(&b->setmap);
	hmap_free(&b->keymap);
	hmap_free(&b->prmap);
	hmap_free(&b->rpmap);
	hmap_free(&b->nmmap);
	free(b->polv);
	for (uint32_t i = 0; i < b->npr; i++) {
		free(b->pr[i].arn);
		free(b->pr[i].key);
	}
	free(b->pr);
	free(b->acc);
	free(b->rp);
	free(b->nm);
	iamc_arena_close(b->a);
	free(b);
}

iamc_arena *
iamc_builder_arena(iamc_builder *b)
{
	return b->a;
}

// str interns s[0..n) in the string section.
static pdpb_str
str(iamc_builder *b, const char *s, size_t n)
{
	pdpb_str r = {0, 0};
	uint64_t h;
	uint32_t i = UINT32_MAX, off;

	if (n == 0 || b->err)
		return r;
	h = XXH3_64bits(s, n);
	while (hmap_next(&b->strmap, h, &i, &off)) {
		// Stored strings are followed by their length word.
		uint32_t len;
		memcpy(&len, b->strings.p + off - 4, 4);
		if (len == n && memcmp(b->strings.p + off, s, n) == 0) {
			r.off = off;
			r.len = (uint32_t) n;
			return r;
		}
	}
	char *p = buf_grow(&b->strings, 4 + n);
	if (p == NULL || n > UINT32_MAX) {
		b->err = PDP_ENOMEM;
		return r;
	}
	uint32_t len = (uint32_t) n;
	memcpy(p, &len, 4);
	memcpy(p + 4, s, n);
	off = (uint32_t) (p + 4 - b->strings.p);
	if (hmap_put(&b->strmap, h, off) != 0)
		b->err = PDP_ENOMEM;
	r.off = off;
	r.len = len;
	return r;
}

static pdpb_str
pstr(iamc_builder *b, pdpi_str s)
{
	return str(b, s.p, s.n);
}

static pdpb_str
cstr(iamc_builder *b, const char *s)
{
	return str(b, s, s ? strlen(s) : 0);
}

// rec appends one zeroed record to a section buffer and returns it.
#define REC(b, section, type) ((type *) rec(b, &(b)->section, sizeof(type)))

static void *
rec(iamc_builder *b, buf *x, size_t size)
{
	// After an error, and for empty records, writes go to a sink.
	static char sink[256];
	void *p;

	if (size == 0 || b->err)
		return memset(sink, 0, sizeof(sink));
	if ((p = buf_grow(x, size)) == NULL) {
		b->err = PDP_ENOMEM;
		return memset(sink, 0, sizeof(sink));
	}
	return p;
}

static uint32_t
count(const buf *x, size_t size)
{
	return (uint32_t) (x->n / size);
}

static pdpb_tmpl
tmpl(iamc_builder *b, const pdpi_tmpl *t)
{
	pdpb_tmpl r;

	r.text = pstr(b, t->text);
	r.parts = count(&b->parts, sizeof(pdpb_part));
	r.nparts = t->nparts;
	for (uint32_t i = 0; i < t->nparts; i++) {
		pdpb_part *p = REC(b, parts, pdpb_part);
		p->kind = t->parts[i].kind;
		p->has_default = t->parts[i].has_default;
		p->s = pstr(b, t->parts[i].s);
		p->dflt = pstr(b, t->parts[i].dflt);
	}
	return r;
}

static void
write_cond(iamc_builder *b, const pdpi_cond *c)
{
	uint32_t first = count(&b->cvalues, sizeof(pdpb_cvalue));

	// Values first, so that the condition can name their range.
	for (uint32_t i = 0; i < c->nvalues; i++) {
		const pdpi_cvalue *v = &c->values[i];
		pdpb_tmpl t = tmpl(b, &v->t);
		pdpb_cvalue *r = REC(b, cvalues, pdpb_cvalue);
		r->t = t;
		r->ok = v->ok;
		switch (c->op) {
		case PDPI_COP_NUM_EQ: case PDPI_COP_NUM_LT:
		case PDPI_COP_NUM_LE: case PDPI_COP_NUM_GT:
		case PDPI_COP_NUM_GE:
			r->v.num = v->v.num;
			break;
		case PDPI_COP_DATE_EQ: case PDPI_COP_DATE_LT:
		case PDPI_COP_DATE_LE: case PDPI_COP_DATE_GT:
		case PDPI_COP_DATE_GE:
			r->v.date.sec = v->v.date.sec;
			r->v.date.nsec = v->v.date.nsec;
			break;
		case PDPI_COP_BOOL: case PDPI_COP_NULL:
			r->v.b = v->v.b;
			break;
		case PDPI_COP_IP:
			r->v.ip.family = v->v.ip.family;
			r->v.ip.bits = v->v.ip.bits;
			memcpy(r->v.ip.addr, v->v.ip.addr, 16);
			break;
		case PDPI_COP_BINARY:
			// pstr grows only the strings buffer: r stays valid.
			r->v.bin = pstr(b, v->v.bin);
			break;
		default:
			break;
		}
	}
	pdpb_cond *r = REC(b, conds, pdpb_cond);
	r->op = c->op;
	r->set = c->set;
	r->negated = c->negated;
	r->if_exists = c->if_exists;
	r->flags = c->custom ? PDPB_COND_CUSTOM : 0;
	r->opname = pstr(b, c->opname);
	r->key = pstr(b, c->key);
	r->keytext = pstr(b, c->keytext);
	r->values = first;
	r->nvalues = c->nvalues;
}

static void
write_stmt(iamc_builder *b, const pdpi_stmt *st, pdpb_stmt *r)
{
	r->effect = st->effect;
	r->flags = (st->not_action ? PDPB_NOT_ACTION : 0) |
	    (st->not_resource ? PDPB_NOT_RESOURCE : 0) |
	    (st->has_resource ? PDPB_HAS_RESOURCE : 0) |
	    (st->has_principal ? PDPB_HAS_PRINCIPAL : 0) |
	    (st->not_principal ? PDPB_NOT_PRINCIPAL : 0);
	r->index = st->index;
	r->sid = pstr(b, st->sid);
	r->actions = count(&b->actions, sizeof(pdpb_action));
	r->nactions = st->nactions;
	for (uint32_t i = 0; i < st->nactions; i++) {
		const pdpi_action *a = &st->actions[i];
		pdpb_str svc = pstr(b, a->svc), name = pstr(b, a->name),
		    text = pstr(b, a->text);
		pdpb_action *x = REC(b, actions, pdpb_action);
		x->kind = a->kind;
		x->svc = svc;
		x->name = name;
		x->text = text;
	}
	r->resources = count(&b->resources, sizeof(pdpb_resource));
	r->nresources = st->nresources;
	for (uint32_t i = 0; i < st->nresources; i++) {
		const pdpi_resource *res = &st->resources[i];
		pdpb_resource tmp;
		memset(&tmp, 0, sizeof(tmp));
		tmp.kind = res->kind;
		for (int k = 0; k < 5; k++)
			tmp.seg[k] = pstr(b, res->seg[k]);
		tmp.rest = tmpl(b, &res->rest);
		tmp.text = pstr(b, pdpi_res_text(res));
		*REC(b, resources, pdpb_resource) = tmp;
	}
	r->principals = count(&b->prins, sizeof(pdpb_prin));
	r->nprincipals = st->nprincipals;
	for (uint32_t i = 0; i < st->nprincipals; i++) {
		const pdpi_principal *p = &st->principals[i];
		pdpb_prin tmp;
		memset(&tmp, 0, sizeof(tmp));
		tmp.kind = p->kind;
		tmp.account = pstr(b, p->account);
		tmp.name = pstr(b, p->name);
		tmp.session = pstr(b, p->session);
		tmp.text = pstr(b, p->text);
		*REC(b, prins, pdpb_prin) = tmp;
	}
	// Conditions are written after their values, so the range of a
	// statement's conditions is contiguous only if no other condition
	// interleaves: each statement writes its own in one go.
	r->conds = count(&b->conds, sizeof(pdpb_cond));
	r->nconds = st->nconds;
	for (uint32_t i = 0; i < st->nconds; i++)
		write_cond(b, &st->conds[i]);
}

// policy_index returns the index of policy p, serializing it the first
// time it is seen.
static uint32_t
policy_index(iamc_builder *b, const pdpi_policy *p)
{
	uint64_t h = XXH3_64bits(&p, sizeof(p));
	uint32_t i = UINT32_MAX, idx;

	while (hmap_next(&b->polmap, h, &i, &idx))
		if (b->polv[idx] == p)
			return idx;
	if (grow2((void **) &b->polv, &b->polcap, b->npol,
	    sizeof(*b->polv)) != 0 || hmap_put(&b->polmap, h, b->npol) != 0) {
		b->err = PDP_ENOMEM;
		return 0;
	}
	idx = b->npol;
	b->polv[b->npol++] = p;

	pdpb_policy pr;
	memset(&pr, 0, sizeof(pr));
	pr.name = pstr(b, p->name);
	pr.type = p->type;
	pr.vars = p->vars;
	pr.stmts = count(&b->stmts, sizeof(pdpb_stmt));
	pr.nstmts = p->nstmts;
	// Reserve the statements first: their children go elsewhere.
	uint32_t first = pr.stmts;
	for (uint32_t s = 0; s < p->nstmts; s++)
		(void) REC(b, stmts, pdpb_stmt);
	for (uint32_t s = 0; s < p->nstmts && !b->err; s++) {
		pdpb_stmt tmp;
		memset(&tmp, 0, sizeof(tmp));
		write_stmt(b, &p->stmts[s], &tmp);
		memcpy(b->stmts.p + (size_t) (first + s) * sizeof(pdpb_stmt),
		    &tmp, sizeof(tmp));
	}
	*REC(b, policies, pdpb_policy) = pr;
	return idx;
}

// --- decision tables kept across builders ------------------------------------

int
iamc_tables_open(iamc_tables **out)
{
	return (*out = calloc(1, sizeof(**out))) ? PDP_OK : PDP_ENOMEM;
}

void
iamc_tables_close(iamc_tables *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->n; i++) {
		free(t->e[i].v);
		free(t->e[i].w);
	}
	free(t->e);
	hmap_free(&t->map);
	free(t);
}

static uint64_t
tables_hash(const pdpi_policy *const *v, uint32_t n)
{
	return XXH3_64bits(v, n * sizeof(*v));
}

// tables_get returns the kept table of the n policies v (of
// tables_hash h), or NULL.
static const tentry *
tables_get(iamc_tables *t, const pdpi_policy *const *v, uint32_t n,
    uint64_t h)
{
	uint32_t i = UINT32_MAX, k;

	while (hmap_next(&t->map, h, &i, &k)) {
		tentry *e = &t->e[k];
		if (e->n == n && memcmp(e->v, v, n * sizeof(*v)) == 0) {
			e->used = true;
			return e;
		}
	}
	return NULL;
}

// tables_put keeps a copy of table `tb` of the n policies v (of
// tables_hash h); a failure only means it is not kept.
static void
tables_put(iamc_tables *t, const pdpi_policy *const *v, uint32_t n,
    uint64_t h, const pdpi_table *tb)
{
	tentry e = {.n = n, .size = tb->size, .used = true};

	if (grow2((void **) &t->e, &t->cap, t->n, sizeof(*t->e)) != 0)
		return;
	e.v = malloc((n + 1) * sizeof(*v));
	e.w = malloc(tb->size ? tb->size : 1);
	if (e.v == NULL || e.w == NULL ||
	    hmap_put(&t->map, h, t->n) != 0) {
		free(e.v);
		free(e.w);
		return;
	}
	memcpy(e.v, v, n * sizeof(*v));
	memcpy(e.w, tb->w, tb->size);
	t->e[t->n++] = e;
}

void
iamc_tables_sweep(iamc_tables *t)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		if (!t->e[i].used) {
			free(t->e[i].v);
			free(t->e[i].w);
			continue;
		}
		t->e[i].used = false;
		t->e[k++] = t->e[i];
	}
	t->n = k;
	// The map holds indices: make it anew. Out of memory, forget all.
	hmap_free(&t->map);
	memset(&t->map, 0, sizeof(t->map));
	for (uint32_t i = 0; i < t->n; i++) {
		if (hmap_put(&t->map, tables_hash(t->e[i].v, t->e[i].n), i)
		    != 0) {
			for (uint32_t j = 0; j < t->n; j++)
				t->e[j].used = false;
			iamc_tables_sweep(t);
			return;
		}
	}
}

void
iamc_builder_tables(iamc_builder *b, iamc_tables *t)
{
	b->cache = t;
}

// set_table adds the decision table of the n policies v to the tables
// section: the kept one, or a new one (then kept).
static void
set_table(iamc_builder *b, const pdpi_policy *const *v, uint32_t n,
    pdpb_set *rs)
{
	uint64_t h = b->cache ? tables_hash(v, n) : 0;
	const tentry *e = b->cache ? tables_get(b->cache, v, n, h) : NULL;
	pdpi_table t;

	if (e != NULL) {
		t.w = e->w;
		t.size = e->size;
	} else if (iamc_table_build(b->a, v, n, &t) != PDP_OK) {
		b->err = PDP_ENOMEM;
		return;
	} else if (b->cache != NULL) {
		tables_put(b->cache, v, n, h, &t);
	}
	// Tables are 8-aligned within their section.
	size_t pad = (8 - b->tables.n % 8) % 8;
	rec(b, &b->tables, pad);
	rs->table = (uint32_t) b->tables.n;
	rs->table_size = t.size;
	void *dst = rec(b, &b->tables, t.size);
	if (!b->err)
		memcpy(dst, t.w, t.size);
}

int
iamc_builder_set(iamc_builder *b, const pdpi_policy *const *v, uint32_t n,
    bool table, uint32_t *out)
{
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));
	uint32_t i = UINT32_MAX, si;

	if (idx == NULL)
		return PDP_ENOMEM;
	for (uint32_t k = 0; k < n; k++)
		idx[k] = policy_index(b, v[k]);
	uint64_t h = XXH3_64bits(idx, n * sizeof(*idx)) ^ (uint64_t) table;
	while (hmap_next(&b->setmap, h, &i, &si)) {
		const pdpb_set *s = (const pdpb_set *) b->sets.p + si;
		if (s->n == n && (s->table != PDPB_NONE) == table &&
		    memcmp(b->setidx.p + (size_t) s->first * 4, idx,
		    n * sizeof(*idx)) == 0) {
			free(idx);
			*out = si;
			return PDP_OK;
		}
	}
	pdpb_set rs;
	rs.first = count(&b->setidx, 4);
	rs.n = n;
	rs.table = PDPB_NONE;
	rs.table_size = 0;
	uint32_t *w = rec(b, &b->setidx, (size_t) n * 4);
	if (!b->err && n > 0)
		memcpy(w, idx, n * sizeof(*idx));
	if (table && !b->err)
		set_table(b, v, n, &rs);
	si = count(&b->sets, sizeof(pdpb_set));
	*REC(b, sets, pdpb_set) = rs;
	if (hmap_put(&b->setmap, h, si) != 0)
		b->err = PDP_ENOMEM;
	free(idx);
	*out = si;
	return b->err ? b->err : PDP_OK;
}

int
iamc_setlist_add(iamc_setlist *s, const pdpi_policy *p, bool managed)
{
	for (uint32_t i = 0; managed && i < s->n; i++)
		if (s->v[i] == p)
			return PDP_OK;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 32;
		const pdpi_policy **v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return PDP_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = p;
	return PDP_OK;
}

void
iamc_setlist_fini(iamc_setlist *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
find_account(const iamc_builder *b, const char *id)
{
	for (uint32_t i = 0; i < b->nacc; i++)
		if (strcmp(b->acc[i].id, id) == 0)
			return (int) i;
	return -1;
}

int
iamc_builder_account(iamc_builder *b, const char *id, const uint32_t *scp,
    uint32_t nscp, const uint32_t *rcp, uint32_t nrcp)
{
	if (find_account(b, id) >= 0)
		return PDP_EINVAL;
	if (grow2((void **) &b->acc, &b->acccap, b->nacc, sizeof(*b->acc)))
		return PDP_ENOMEM;
	aspec *a = &b->acc[b->nacc];
	a->id = iamc_arena_strdup(b->a, id, strlen(id));
	a->scp = count(&b->levels, 4);
	a->nscp = nscp;
	for (uint32_t i = 0; i < nscp; i++)
		*REC(b, levels, uint32_t) = scp[i];
	a->rcp = count(&b->levels, 4);
	a->nrcp = nrcp;
	for (uint32_t i = 0; i < nrcp; i++)
		*REC(b, levels, uint32_t) = rcp[i];
	if (a->id == NULL || b->err)
		return PDP_ENOMEM;
	b->nacc++;
	return PDP_OK;
}

// concat returns the n strings of v joined, malloc'd (snprintf costs
// more than the rest of adding a principal).
static char *
concat(const char *const *v, size_t n)
{
	size_t len[6], total = 1;
	char *out, *p;

	for (size_t i = 0; i < n; i++)
		total += len[i] = strlen(v[i]);
	if ((out = p = malloc(total)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, v[i], len[i]);
		p += len[i];
	}
	*p = '\0';
	return out;
}

// principal_key builds the lookup key of a principal (pdpb.h).
static char *
principal_key(uint32_t kind, const char *account, const char *name)
{
	static const char *const kinds[] = {"", "root", "user", "role",
	    "feduser"};
	char *k;

	if (kind == PDPB_ROOT)
		return concat((const char *[]){"root:", account}, 2);
	k = concat((const char *[]){kinds[kind], ":", account, ":", name}, 5);
	if (k != NULL && (kind == PDPB_ROLE || kind == PDPB_USER)) {
		// Names are unique ignoring case: fold the name part.
		for (char *p = k + strlen(kinds[kind]) + strlen(account) + 2;
		    *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char) (*p + 32);
	}
	return k;
}

// principal_arn builds the ARN of a principal.
static char *
principal_arn(uint32_t kind, const char *account, const char *path,
    const char *name)
{
	switch (kind) {
	case PDPB_ROOT:
		return concat((const char *[]){"arn:aws:iam::", account,
		    ":root"}, 3);
	case PDPB_USER:
		return concat((const char *[]){"arn:aws:iam::", account,
		    ":user", path, name}, 5);
	case PDPB_ROLE:
		return concat((const char *[]){"arn:aws:iam::", account,
		    ":role", path, name}, 5);
	default:
		return concat((const char *[]){"arn:aws:sts::", account,
		    ":federated-user/", name}, 4);
	}
}

static const char *
pr_key(const iamc_builder *b, uint32_t i)
{
	return b->pr[i].key;
}

static const char *
rp_key(const iamc_builder *b, uint32_t i)
{
	return b->rp[i].arn;
}

static const char *
nm_key(const iamc_builder *b, uint32_t i)
{
	return b->nm[i].name;
}

int
iamc_builder_principal(iamc_builder *b, const iamc_principal_spec *p)
{
	int acc;
	const char *path = p->path && p->path[0] ? p->path : "/";

	if (p->kind < PDPB_ROOT || p->kind > PDPB_FEDUSER ||
	    (acc = find_account(b, p->account)) < 0)
		return PDP_EINVAL;
	const char *name = p->kind == PDPB_ROOT || p->name == NULL ? "" :
	    p->name;
	if (strlen(name) > UINT16_MAX)
		return PDP_EINVAL;
	char *key = principal_key(p->kind, p->account, name);
	if (key == NULL)
		return PDP_ENOMEM;
	uint64_t kh = XXH3_64bits(key, strlen(key));
	if (key_seen(&b->prmap, key, kh, pr_key, b)) {
		free(key);
		return PDP_EINVAL;
	}
	char *arn = principal_arn(p->kind, p->account, path,
	    p->name ? p->name : "");
	if (arn == NULL ||
	    grow2((void **) &b->pr, &b->prcap, b->npr, sizeof(*b->pr)) ||
	    hmap_put(&b->prmap, kh, b->npr) != 0) {
		free(key);
		free(arn);
		return PDP_ENOMEM;
	}
	pspec *s = &b->pr[b->npr++];
	s->arn = arn;
	s->key = key;
	s->name_len = (uint32_t) strlen(name);
	s->hash = pdpb_principal_hash(p->kind, p->account, strlen(p->account),
	    name, strlen(name));
	s->uid = cstr(b, p->unique_id);
	s->kind = p->kind;
	s->flags = (p->boundary != PDPB_NONE ? PDPB_HAS_BOUNDARY : 0) |
	    (p->service_linked ? PDPB_SERVICE_LINKED : 0) |
	    (p->kind == PDPB_USER && strcmp(path, "/") == 0 ?
	    PDPB_CANONICAL : 0);
	s->account = (uint32_t) acc;
	s->identity = p->identity;
	s->boundary = p->boundary;
	s->max_session = p->max_session;
	s->tags = count(&b->tags, sizeof(pdpb_tag));
	s->ntags = p->ntags;
	for (uint32_t i = 0; i < p->ntags; i++) {
		pdpb_str k = cstr(b, p->tag_keys[i]);
		pdpb_str v = cstr(b, p->tag_values[i]);
		pdpb_tag *t = REC(b, tags, pdpb_tag);
		t->key = k;
		t->value = v;
	}
	return b->err ? b->err : PDP_OK;
}

int
iamc_builder_resource_policy(iamc_builder *b, const char *arn,
    const pdpi_policy *p)
{
	uint64_t h = XXH3_64bits(arn, strlen(arn));

	if (key_seen(&b->rpmap, arn, h, rp_key, b))
		return PDP_EINVAL;
	if (grow2((void **) &b->rp, &b->rpcap, b->nrp, sizeof(*b->rp)))
		return PDP_ENOMEM;
	b->rp[b->nrp].arn = iamc_arena_strdup(b->a, arn, strlen(arn));
	b->rp[b->nrp].hash = h;
	b->rp[b->nrp].policy = policy_index(b, p);
	if (b->rp[b->nrp].arn == NULL ||
	    hmap_put(&b->rpmap, h, b->nrp) != 0)
		return PDP_ENOMEM;
	b->nrp++;
	return b->err ? b->err : PDP_OK;
}

int
iamc_builder_named(iamc_builder *b, const char *name, uint32_t set)
{
	uint64_t h = XXH3_64bits(name, strlen(name));

	if (key_seen(&b->nmmap, name, h, nm_key, b))
		return PDP_EINVAL;
	if (grow2((void **) &b->nm, &b->nmcap, b->nnm, sizeof(*b->nm)))
		return PDP_ENOMEM;
	b->nm[b->nnm].name = iamc_arena_strdup(b->a, name, strlen(name));
	b->nm[b->nnm].hash = h;
	b->nm[b->nnm].set = set;
	if (b->nm[b->nnm].name == NULL ||
	    hmap_put(&b->nmmap, h, b->nnm) != 0)
		return PDP_ENOMEM;
	b->nnm++;
	return PDP_OK;
}

int
iamc_builder_access_key(iamc_builder *b, const char *id, const char *owner,
    bool active)
{
	size_t n = id ? strlen(id) : 0;
	uint64_t h = XXH3_64bits(id, n);
	uint32_t it = UINT32_MAX, k;
	pdpb_access_key *recs = (pdpb_access_key *) b->keys.p;

	if (n == 0 || owner == NULL || owner[0] == '\0')
		return PDP_EINVAL;
	while (hmap_next(&b->keymap, h, &it, &k))
		if (recs[k].id.len == n && memcmp(b->strings.p +
		    recs[k].id.off, id, n) == 0)
			return PDP_EINVAL;
	uint32_t at = count(&b->keys, sizeof(pdpb_access_key));
	pdpb_access_key *r = REC(b, keys, pdpb_access_key);
	r->hash = h;
	r->id = str(b, id, n);
	r->principal = cstr(b, owner);
	r->status = active ? PDPB_KEY_ACTIVE : PDPB_KEY_INACTIVE;
	if (!b->err && hmap_put(&b->keymap, h, at) != 0)
		b->err = PDP_ENOMEM;
	return b->err ? b->err : PDP_OK;
}

static uint32_t
pow2_slots(uint32_t n)
{
	uint32_t s = 1;
	while (s < (uint64_t) n * 2)
		s *= 2;
	return s;
}

// place_slot finds the free slot for hash h in a table of nslots records
// of `size` bytes whose first field is the 64-bit hash and whose key
// length (at byte `lenoff`) is 0 when empty.
static void *
place_slot(char *slots, uint32_t nslots, size_t size, size_t lenoff,
    uint64_t h)
{
	for (uint32_t i = (uint32_t) h & (nslots - 1);;
	    i = (i + 1) & (nslots - 1)) {
		char *s = slots + (size_t) i * size;
		uint32_t len;
		memcpy(&len, s + lenoff, 4);
		if (len == 0)
			return s;
	}
}

static int
acc_cmp(const void *x, const void *y)
{
	return strcmp(((const aspec *) x)->id, ((const aspec *) y)->id);
}

// Sections in file order.
enum { NSEC = PDPB_SEC_MAX };

int
iamc_builder_write(iamc_builder *b, uint64_t revision, void **data,
    size_t *len)
{
	buf accounts = {0}, principals = {0}, prinfo = {0}, rpol = {0};
	buf named = {0}, keys = {0};
	buf out = {0};
	uint32_t *remap = NULL;
	int rv = PDP_ENOMEM;

	if (b->err)
		return b->err;

	// Accounts, sorted by id so that lookups can bisect.
	remap = malloc((b->nacc + 1) * sizeof(*remap));
	aspec *sorted = malloc((b->nacc + 1) * sizeof(*sorted));
	if (remap == NULL || sorted == NULL) {
		free(sorted);
		goto out;
	}
	if (b->nacc > 0)
		memcpy(sorted, b->acc, b->nacc * sizeof(*sorted));
	qsort(sorted, b->nacc, sizeof(*sorted), acc_cmp);
	for (uint32_t i = 0; i < b->nacc; i++) {
		remap[find_account(b, sorted[i].id)] = i;
		pdpb_account *a = rec(b, &accounts, sizeof(*a));
		a->id = cstr(b, sorted[i].id);
		a->scp = sorted[i].scp;
		a->nscp = sorted[i].nscp;
		a->rcp = sorted[i].rcp;
		a->nrcp = sorted[i].nrcp;
	}
	free(sorted);

	// Principals: the hot records and, at the same index, the rest.
	uint32_t ns = pow2_slots(b->npr);
	if (rec(b, &principals, (size_t) ns * sizeof(pdpb_principal)) == NULL ||
	    rec(b, &prinfo, (size_t) ns * sizeof(pdpb_prinfo)) == NULL)
		goto out;
	uint32_t *slot_of = malloc(((size_t) ns + 1) * sizeof(*slot_of));
	if (slot_of == NULL)
		goto out;
	memset(slot_of, 0xff, (size_t) ns * sizeof(*slot_of));
	pdpb_principal *pv = (pdpb_principal *) principals.p;
	for (uint32_t i = 0; i < b->npr; i++) {
		const pspec *p = &b->pr[i];
		uint32_t at = (uint32_t) p->hash & (ns - 1);
		while (pv[at].kind != 0)
			at = (at + 1) & (ns - 1);
		pv[at].kind = (uint8_t) p->kind;
		slot_of[at] = i;
	}
	// In slot order, so that a reader checking every slot reads their
	// ARNs in order too.
	for (uint32_t at = 0; at < ns && !b->err; at++) {
		if (slot_of[at] == UINT32_MAX)
			continue;
		const pspec *p = &b->pr[slot_of[at]];
		pv[at].hash = p->hash;
		pv[at].arn = cstr(b, p->arn);
		pv[at].flags = (uint8_t) p->flags;
		pv[at].name_len = (uint16_t) p->name_len;
		memcpy(pv[at].name, p->arn + strlen(p->arn) - p->name_len,
		    p->name_len < PDPB_NAME_INLINE ? p->name_len :
		    PDPB_NAME_INLINE);
		pv[at].account = remap[p->account];
		pv[at].identity = p->identity;
		pv[at].boundary = p->boundary;
		pdpb_prinfo *x = (pdpb_prinfo *) prinfo.p + at;
		x->unique_id = p->uid;
		x->tags = p->tags;
		x->ntags = p->ntags;
		x->max_session = p->max_session;
	}
	free(slot_of);

	uint32_t nr = pow2_slots(b->nrp);
	if (rec(b, &rpol, (size_t) nr * sizeof(pdpb_rpolicy)) == NULL)
		goto out;
	for (uint32_t i = 0; i < b->nrp && !b->err; i++) {
		pdpb_rpolicy r;
		memset(&r, 0, sizeof(r));
		r.hash = b->rp[i].hash;
		r.arn = cstr(b, b->rp[i].arn);
		r.policy = b->rp[i].policy;
		memcpy(place_slot(rpol.p, nr, sizeof(r),
		    offsetof(pdpb_rpolicy, arn.len), r.hash), &r, sizeof(r));
	}

	uint32_t nn = pow2_slots(b->nnm);
	if (rec(b, &named, (size_t) nn * sizeof(pdpb_named)) == NULL)
		goto out;
	for (uint32_t i = 0; i < b->nnm && !b->err; i++) {
		pdpb_named r;
		memset(&r, 0, sizeof(r));
		r.hash = b->nm[i].hash;
		r.name = cstr(b, b->nm[i].name);
		r.set = b->nm[i].set;
		memcpy(place_slot(named.p, nn, sizeof(r),
		    offsetof(pdpb_named, name.len), r.hash), &r, sizeof(r));
	}

	uint32_t nk = count(&b->keys, sizeof(pdpb_access_key));
	uint32_t nks = pow2_slots(nk);
	if (rec(b, &keys, (size_t) nks * sizeof(pdpb_access_key)) == NULL)
		goto out;
	for (uint32_t i = 0; i < nk && !b->err; i++) {
		const pdpb_access_key *r = (const pdpb_access_key *) b->keys.p +
		    i;
		memcpy(place_slot(keys.p, nks, sizeof(*r),
		    offsetof(pdpb_access_key, id.len), r->hash), r,
		    sizeof(*r));
	}
	if (b->err) {
		rv = b->err;
		goto out;
	}

	struct {
		uint32_t id;
		const buf *x;
		size_t size;
	} secs[NSEC] = {
		{PDPB_SEC_STRINGS, &b->strings, 1},
		{PDPB_SEC_POLICIES, &b->policies, sizeof(pdpb_policy)},
		{PDPB_SEC_STMTS, &b->stmts, sizeof(pdpb_stmt)},
		{PDPB_SEC_ACTIONS, &b->actions, sizeof(pdpb_action)},
		{PDPB_SEC_RESOURCES, &b->resources, sizeof(pdpb_resource)},
		{PDPB_SEC_PRINS, &b->prins, sizeof(pdpb_prin)},
		{PDPB_SEC_CONDS, &b->conds, sizeof(pdpb_cond)},
		{PDPB_SEC_CVALUES, &b->cvalues, sizeof(pdpb_cvalue)},
		{PDPB_SEC_PARTS, &b->parts, sizeof(pdpb_part)},
		{PDPB_SEC_SETS, &b->sets, sizeof(pdpb_set)},
		{PDPB_SEC_SETIDX, &b->setidx, 4},
		{PDPB_SEC_TABLES, &b->tables, 1},
		{PDPB_SEC_ACCOUNTS, &accounts, sizeof(pdpb_account)},
		{PDPB_SEC_LEVELS, &b->levels, 4},
		{PDPB_SEC_PRINCIPALS, &principals, sizeof(pdpb_principal)},
		{PDPB_SEC_TAGS, &b->tags, sizeof(pdpb_tag)},
		{PDPB_SEC_RPOLICIES, &rpol, sizeof(pdpb_rpolicy)},
		{PDPB_SEC_NAMED, &named, sizeof(pdpb_named)},
		{PDPB_SEC_PRINFO, &prinfo, sizeof(pdpb_prinfo)},
		{PDPB_SEC_ACCESS_KEYS, &keys, sizeof(pdpb_access_key)},
	};
	// One allocation for the whole file: growing it by doubling would
	// copy it over and over.
	size_t total = sizeof(pdpb_header) + NSEC * sizeof(pdpb_section) + 8;
	for (int i = 0; i < NSEC; i++)
		total += secs[i].x->n + 8;
	if ((out.p = malloc(total)) == NULL) {
		rv = PDP_ENOMEM;
		goto out;
	}
	out.cap = total;
	pdpi_prefault(out.p, total);
	pdpb_header *h = rec(b, &out, sizeof(*h));
	size_t dir = out.n;
	rec(b, &out, NSEC * sizeof(pdpb_section));
	for (int i = 0; i < NSEC && !b->err; i++) {
		// Sections are 8-aligned; principal records do not straddle
		// cache lines.
		size_t align = secs[i].id == PDPB_SEC_PRINCIPALS ? 64 : 8;
		rec(b, &out, (align - out.n % align) % align);
		pdpb_section s;
		s.id = secs[i].id;
		s.offset = (uint32_t) out.n;
		s.size = (uint32_t) secs[i].x->n;
		s.count = (uint32_t) (secs[i].x->n / secs[i].size);
		if (out.n + secs[i].x->n > UINT32_MAX) {
			rv = PDP_ETOOBIG;
			goto out;
		}
		// Room was made above: copied, not zeroed first.
		if (secs[i].x->n > 0) {
			memcpy(out.p + out.n, secs[i].x->p, secs[i].x->n);
			out.n += secs[i].x->n;
		}
		if (!b->err)
			memcpy(out.p + dir + (size_t) i * sizeof(s), &s,
			    sizeof(s));
	}
	rec(b, &out, (8 - out.n % 8) % 8);
	if (b->err) {
		rv = b->err;
		goto out;
	}
	h = (pdpb_header *) out.p;
	memcpy(h->magic, PDPB_MAGIC, 8);
	h->version = PDPB_VERSION;
	h->endian = PDPB_ENDIAN_PROBE;
	h->size = out.n;
	h->checksum = 0;
	h->revision = revision;
	h->created = (uint64_t) time(NULL);
	h->nsections = NSEC;
	h->directory = (uint32_t) dir;
	h->checksum = XXH3_64bits(out.p, out.n);
	*data = out.p;
	*len = out.n;
	out.p = NULL;
	rv = PDP_OK;
out:
	free(remap);
	free(accounts.p);
	free(principals.p);
	free(prinfo.p);
	free(rpol.p);
	free(named.p);
	free(keys.p);
	free(out.p);
	return rv;
}
