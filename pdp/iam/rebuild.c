// rebuild.c - the incremental rebuild. The service keeps the store's
// users, groups, roles and managed policies in memory between commits,
// with every policy document compiled once (cached by what it is named
// in explanations and a hash of its text). A commit reads back only the
// entities and policies it touched (the store records them, store.h),
// recompiles only documents that changed, then feeds the builder from
// memory, writes the bundle and swaps it in.
//
// One compiler: documents go through iamc_policy_compile_ex with the
// types and names the account model gives them, and the builder is fed
// in the order iamc_account_compile feeds it (compiler/ACCOUNT.md, "What
// the bundle holds"), so the bundle is the one `iamc compile` makes of
// `iam export`, byte for byte but for its creation time (tests/iam).

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "iamc_bundle.h"
#include "iamsi.h"

// A compiled document: its name in explanations, its text's hash.
typedef struct rb_doc {
	char *name;
	uint64_t hash;
	const pdpi_policy *p;
} rb_doc;

// A managed policy and its default version.
typedef struct rb_pol {
	int64_t pid;
	char *account;  // an account id, or "aws"
	char *name;
	char *arn;
	rb_doc doc;
	uint64_t mark;  // the feed that named it last (AWS managed)
} rb_pol;

// A user, group or role.
typedef struct rb_ent {
	int64_t eid;
	iams_kind kind;
	char *account, *name, *path, *uid;
	char **tagk, **tagv;
	uint32_t ntags;
	rb_doc *inl;       // inline policies, in name order
	uint32_t ninl;
	int64_t *att;      // attached policies, in attachment order
	uint32_t natt;
	int64_t *groups;   // users: their groups, in name order
	uint32_t ngroups;
	int64_t boundary;  // 0: none
	rb_doc trust;      // roles
	uint32_t max_session;
	char **keyid;      // users and root: long-term access key ids ...
	bool *keyon;       // ... and whether each is active
	uint32_t nkeys;
} rb_ent;

// A growing array of pointers, optionally kept sorted by key.
typedef struct rb_vec {
	void **v;
	uint32_t n, cap;
} rb_vec;

struct iamsi_live {
	bool valid;
	uint64_t revision;   // the store revision the cache reflects
	iamc_arena *arena;   // every compiled document
	iamc_tables *tables; // decision tables of their sets, by address
	uint32_t ndocs;      // documents compiled into the arena ...
	uint32_t dead;       // ... of which no longer used
	rb_vec ents;         // rb_ent, by eid
	rb_vec pols;         // rb_pol, by pid
	rb_vec accounts;     // char *, by id
	rb_vec order;        // groups, roles, users in feed order
	rb_vec named;        // customer managed policies in feed order
	bool reorder;        // order and named must be sorted whole
	uint64_t feeds;
	bool fail_next;      // tests: the next build fails
	char *err;           // where a failure is described
	size_t errlen;
};

// An incremental rebuild gives up (and reloads everything) past this
// many touched entities and policies: reading them one by one costs
// more than reading the whole store.
#define RB_MANY 2000

// --- vectors ----------------------------------------------------------------

static int
vec_push(rb_vec *x, void *p)
{
	if (x->n == x->cap) {
		uint32_t cap = x->cap ? x->cap * 2 : 64;
		void **v = realloc(x->v, cap * sizeof(*v));
		if (v == NULL)
			return PDP_ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = p;
	return PDP_OK;
}

// The key of an entity or a policy: both begin with it.
static int64_t
key_of(const void *p)
{
	return *(const int64_t *) p;
}

// vec_find returns the position of `key` in a vector sorted by key, or
// where it would go (and *found false).
static uint32_t
vec_find(const rb_vec *x, int64_t key, bool *found)
{
	uint32_t lo = 0, hi = x->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int64_t k = key_of(x->v[mid]);
		if (k == key) {
			*found = true;
			return mid;
		}
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void *
vec_get(const rb_vec *x, int64_t key)
{
	bool found;
	uint32_t i = vec_find(x, key, &found);

	return found ? x->v[i] : NULL;
}

static int
insert_at(rb_vec *x, uint32_t i, void *p)
{
	if (vec_push(x, p) != PDP_OK)
		return PDP_ENOMEM;
	memmove(x->v + i + 1, x->v + i, (x->n - 1 - i) * sizeof(*x->v));
	x->v[i] = p;
	return PDP_OK;
}

static void *
remove_at(rb_vec *x, uint32_t i)
{
	void *p = x->v[i];

	memmove(x->v + i, x->v + i + 1, (x->n - 1 - i) * sizeof(*x->v));
	x->n--;
	return p;
}

// vec_insert inserts p in key order; its key is not in the vector.
static int
vec_insert(rb_vec *x, void *p)
{
	bool found;

	return insert_at(x, vec_find(x, key_of(p), &found), p);
}

static void *
vec_take(rb_vec *x, int64_t key)
{
	bool found;
	uint32_t i = vec_find(x, key, &found);

	return found ? remove_at(x, i) : NULL;
}

// --- records ------------------------------------------------------------------

static void
doc_drop(iamsi_live *lv, rb_doc *d)
{
	if (d->p != NULL)
		lv->dead++;
	free(d->name);
	memset(d, 0, sizeof(*d));
}

static void
pol_free(iamsi_live *lv, rb_pol *p)
{
	if (p == NULL)
		return;
	doc_drop(lv, &p->doc);
	free(p->account);
	free(p->name);
	free(p->arn);
	free(p);
}

static void
ent_free(iamsi_live *lv, rb_ent *e)
{
	if (e == NULL)
		return;
	for (uint32_t i = 0; i < e->ntags; i++) {
		free(e->tagk[i]);
		free(e->tagv[i]);
	}
	for (uint32_t i = 0; i < e->ninl; i++)
		doc_drop(lv, &e->inl[i]);
	doc_drop(lv, &e->trust);
	for (uint32_t i = 0; i < e->nkeys; i++)
		free(e->keyid[i]);
	free(e->keyid);
	free(e->keyon);
	free(e->tagk);
	free(e->tagv);
	free(e->inl);
	free(e->att);
	free(e->groups);
	free(e->account);
	free(e->name);
	free(e->path);
	free(e->uid);
	free(e);
}

// fail says why the rebuild failed (the first reason wins) and returns
// the error, never PDP_OK.
static int fail(iamsi_live *lv, int rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(iamsi_live *lv, int rv, const char *fmt, ...)
{
	va_list ap;

	if (lv->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(lv->err, lv->errlen, fmt, ap);
		va_end(ap);
	}
	return rv == PDP_OK ? PDP_ECORRUPT : rv;
}

// compile compiles document `text` into *d, named `name`, unless `old`
// is that very document compiled already: then it moves over.
static int
compile(iamsi_live *lv, const char *text, pdp_policy_type type,
    const char *name, rb_doc *old, rb_doc *d)
{
	uint64_t h = XXH3_64bits(text, strlen(text));
	iamc_diags dg;
	json_error_t je;
	json_t *j;
	int rv;

	memset(d, 0, sizeof(*d));
	if (old != NULL && old->p != NULL && old->hash == h &&
	    strcmp(old->name, name) == 0) {
		*d = *old;
		memset(old, 0, sizeof(*old));
		return PDP_OK;
	}
	if ((d->name = strdup(name)) == NULL)
		return PDP_ENOMEM;
	d->hash = h;
	// The account model loads documents rejecting duplicate keys; so
	// does this.
	if ((j = json_loads(text, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return fail(lv, PDP_ECORRUPT, "document of %s is not JSON",
		    name);
	iamc_diags_init(&dg);
	rv = iamc_policy_compile_ex(lv->arena, j, type, d->name, NULL, &d->p,
	    &dg);
	json_decref(j);
	if (rv != PDP_OK)
		fail(lv, rv, "%s: %s%s%s", name, dg.n ? dg.v[0].path :
		    pdp_strerror(rv), dg.n ? ": " : "",
		    dg.n ? dg.v[0].message : "");
	iamc_diags_fini(&dg);
	if (rv == PDP_OK)
		lv->ndocs++;
	return rv;
}

// --- the feed order ------------------------------------------------------------

static int
kind_rank(iams_kind k)
{
	return k == IAMS_GROUP ? 0 : k == IAMS_ROLE ? 1 : k == IAMS_USER ? 2 :
	    3;
}

// The account model lists an account's groups, roles and users each in
// name order (ignoring case, as the store sorts them).
static int
order_cmp(const void *a, const void *b)
{
	const rb_ent *x = *(rb_ent *const *) a, *y = *(rb_ent *const *) b;
	int c = strcmp(x->account, y->account);

	if (c == 0)
		c = kind_rank(x->kind) - kind_rank(y->kind);
	return c ? c : strcasecmp(x->name, y->name);
}

static int
named_cmp(const void *a, const void *b)
{
	const rb_pol *x = *(rb_pol *const *) a, *y = *(rb_pol *const *) b;
	int c = strcmp(x->account, y->account);

	return c ? c : strcasecmp(x->name, y->name);
}

// sorted_find returns where `p` sorts in `x` (sorted by `cmp`), and
// whether an element there sorts equal.
static uint32_t
sorted_find(const rb_vec *x, void *p, int (*cmp)(const void *,
    const void *), bool *found)
{
	uint32_t lo = 0, hi = x->n;

	*found = false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = cmp(&x->v[mid], &p);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

// sorted_add and sorted_del keep the feed order as records come, go or
// change names; while a whole sort is due (lv->reorder) they wait.
static int
sorted_add(iamsi_live *lv, rb_vec *x, void *p,
    int (*cmp)(const void *, const void *))
{
	bool found;
	uint32_t i;

	if (lv->reorder)
		return PDP_OK;
	i = sorted_find(x, p, cmp, &found);
	return insert_at(x, i, p);
}

static void
sorted_del(iamsi_live *lv, rb_vec *x, void *p,
    int (*cmp)(const void *, const void *))
{
	bool found;
	uint32_t i;

	if (lv->reorder)
		return;
	i = sorted_find(x, p, cmp, &found);
	if (!found || x->v[i] != p) {
		// Not where its key says: sort everything again.
		lv->reorder = true;
		return;
	}
	remove_at(x, i);
}

static bool
is_named(const rb_pol *p)
{
	return strcmp(p->account, IAMS_AWS_ACCOUNT) != 0;
}

// --- reading the store -------------------------------------------------------

// The context of reading one entity back.
typedef struct reading {
	iamsi_live *lv;
	iams_store *st;
	rb_ent *e, *old;
	int rv;
} reading;

static rb_doc *
old_inline(rb_ent *old, const char *name)
{
	for (uint32_t i = 0; old != NULL && i < old->ninl; i++)
		if (old->inl[i].name != NULL && strcmp(old->inl[i].name,
		    name) == 0)
			return &old->inl[i];
	return NULL;
}

static int
read_inline(void *arg, const char *pname, const char *doc)
{
	static const char *const word[] = {"root", "user", "group", "role"};
	reading *r = arg;
	rb_ent *e = r->e;
	char name[512];

	rb_doc *v = realloc(e->inl, (e->ninl + 1) * sizeof(*v));
	if (v == NULL)
		return PDP_ENOMEM;
	e->inl = v;
	snprintf(name, sizeof(name), "%s/%s/inline/%s", word[e->kind],
	    e->name, pname);
	int rv = compile(r->lv, doc, PDP_POLICY_IDENTITY, name,
	    old_inline(r->old, name), &e->inl[e->ninl]);
	e->ninl++;
	return rv;
}

static int
read_tag(void *arg, const char *key, const char *value)
{
	rb_ent *e = ((reading *) arg)->e;
	char **k = realloc(e->tagk, (e->ntags + 1) * sizeof(*k));
	if (k != NULL)
		e->tagk = k;
	char **v = realloc(e->tagv, (e->ntags + 1) * sizeof(*v));
	if (v != NULL)
		e->tagv = v;
	if (k == NULL || v == NULL)
		return PDP_ENOMEM;
	e->tagk[e->ntags] = strdup(key);
	e->tagv[e->ntags] = strdup(value);
	e->ntags++;
	return e->tagk[e->ntags - 1] && e->tagv[e->ntags - 1] ? PDP_OK :
	    PDP_ENOMEM;
}

// read_akey notes a long-term access key: its id and status, never its
// secret (the bundle's key table, compiler/ACCOUNT.md).
static int
read_akey(void *arg, const iams_key *k)
{
	rb_ent *e = ((reading *) arg)->e;
	char **id = realloc(e->keyid, (e->nkeys + 1) * sizeof(*id));
	if (id != NULL)
		e->keyid = id;
	bool *on = realloc(e->keyon, (e->nkeys + 1) * sizeof(*on));
	if (on != NULL)
		e->keyon = on;
	if (id == NULL || on == NULL)
		return PDP_ENOMEM;
	if ((e->keyid[e->nkeys] = strdup(k->key_id)) == NULL)
		return PDP_ENOMEM;
	e->keyon[e->nkeys++] = k->active;
	return PDP_OK;
}

static int
push_key(int64_t **v, uint32_t *n, int64_t key)
{
	int64_t *x = realloc(*v, (*n + 1) * sizeof(*x));

	if (x == NULL)
		return PDP_ENOMEM;
	x[(*n)++] = key;
	*v = x;
	return PDP_OK;
}

static int load_policy(iamsi_live *lv, iams_store *st, const iams_policy *p);

// read_attached notes an attached policy, loading it when it is an AWS
// managed policy that nothing attached before.
static int
read_attached(void *arg, const iams_policy *p)
{
	reading *r = arg;
	int rv;

	if (vec_get(&r->lv->pols, p->pid) == NULL &&
	    (rv = load_policy(r->lv, r->st, p)) != PDP_OK)
		return rv;
	return push_key(&r->e->att, &r->e->natt, p->pid);
}

static int
read_group(void *arg, const iams_entity *g)
{
	rb_ent *e = ((reading *) arg)->e;

	return push_key(&e->groups, &e->ngroups, g->eid);
}

static char *
dup_or(const char *s, bool *nomem)
{
	char *d = strdup(s ? s : "");

	*nomem |= d == NULL;
	return d;
}

// need_policy makes sure policy `pid` is in the cache.
static int
need_policy(iamsi_live *lv, iams_store *st, int64_t pid)
{
	iams_policy p;
	int rv;

	if (pid == 0 || vec_get(&lv->pols, pid) != NULL)
		return PDP_OK;
	if ((rv = iams_store_policy_by_pid(st, pid, &p)) != PDP_OK)
		return fail(lv, rv, "reading boundary policy %lld",
		    (long long) pid);
	rv = load_policy(lv, st, &p);
	iams_policy_fini(&p);
	return rv;
}

// load_entity reads everything the bundle needs of entity `e` and puts
// it in the cache in place of what it had.
static int
load_entity(iamsi_live *lv, iams_store *st, const iams_entity *se)
{
	bool nomem = false;
	rb_ent *e = calloc(1, sizeof(*e)), *old;
	int rv;

	if (e == NULL)
		return PDP_ENOMEM;
	e->eid = se->eid;
	e->kind = se->kind;
	e->account = dup_or(se->account, &nomem);
	e->name = dup_or(se->name, &nomem);
	e->path = dup_or(se->path, &nomem);
	e->uid = dup_or(se->uid, &nomem);
	e->boundary = se->kind == IAMS_GROUP ? 0 : se->boundary;
	e->max_session = (uint32_t) se->max_session;
	if (nomem) {
		ent_free(lv, e);
		return PDP_ENOMEM;
	}
	reading r = {.lv = lv, .st = st, .e = e,
	    .old = vec_get(&lv->ents, se->eid)};
	rv = iams_store_inline_list(st, e->eid, read_inline, &r);
	if (rv == PDP_OK)
		rv = iams_store_attached(st, e->eid, read_attached, &r);
	if (rv == PDP_OK && e->kind != IAMS_GROUP)
		rv = iams_store_tag_list(st, false, e->eid, read_tag, &r);
	if (rv == PDP_OK && e->kind == IAMS_USER)
		rv = iams_store_member_groups(st, e->eid, read_group, &r);
	if (rv == PDP_OK && (e->kind == IAMS_USER || e->kind == IAMS_ROOT))
		rv = iams_store_key_list(st, e->eid, read_akey, &r);
	if (rv == PDP_OK)
		rv = need_policy(lv, st, e->boundary);
	if (rv == PDP_OK && e->kind == IAMS_ROLE) {
		char name[512];
		snprintf(name, sizeof(name), "role/%s/trust", e->name);
		rv = compile(lv, se->trust ? se->trust : "", PDP_POLICY_TRUST,
		    name, r.old ? &r.old->trust : NULL, &e->trust);
	}
	if (rv == PDP_OK && (old = r.old) != NULL) {
		// The feed order holds the record: it stays and takes the new
		// contents. It moves when its name (or, for a key used again,
		// its kind or account) changes.
		bool moved = strcmp(old->name, e->name) != 0 ||
		    old->kind != e->kind ||
		    strcmp(old->account, e->account) != 0;
		if (moved)
			sorted_del(lv, &lv->order, old, order_cmp);
		rb_ent tmp = *old;
		*old = *e;
		*e = tmp;
		if (moved)
			rv = sorted_add(lv, &lv->order, old, order_cmp);
	} else if (rv == PDP_OK) {
		// Once in the cache, the record is the cache's to free.
		if ((rv = vec_insert(&lv->ents, e)) == PDP_OK)
			return sorted_add(lv, &lv->order, e, order_cmp);
	}
	ent_free(lv, e);
	return rv;
}

static int
load_policy(iamsi_live *lv, iams_store *st, const iams_policy *sp)
{
	bool nomem = false;
	rb_pol *p = calloc(1, sizeof(*p)), *old;
	iams_version v;
	int rv;

	if (p == NULL)
		return PDP_ENOMEM;
	p->pid = sp->pid;
	p->account = dup_or(sp->account, &nomem);
	p->name = dup_or(sp->name, &nomem);
	p->arn = dup_or(sp->arn, &nomem);
	if (nomem) {
		pol_free(lv, p);
		return PDP_ENOMEM;
	}
	old = vec_get(&lv->pols, sp->pid);
	if ((rv = iams_store_version_get(st, sp->pid, sp->default_version,
	    &v)) != PDP_OK) {
		pol_free(lv, p);
		return fail(lv, rv, "reading the default version of %s",
		    sp->arn);
	}
	bool aws = strcmp(sp->account, IAMS_AWS_ACCOUNT) == 0;
	rv = compile(lv, v.document, aws ? PDP_POLICY_AWS_MANAGED :
	    PDP_POLICY_IDENTITY, sp->arn, old ? &old->doc : NULL, &p->doc);
	iams_version_fini(&v);
	if (rv == PDP_OK && old != NULL) {
		// In place, as for entities.
		bool moved = strcmp(old->name, p->name) != 0 ||
		    strcmp(old->account, p->account) != 0;
		if (moved && is_named(old))
			sorted_del(lv, &lv->named, old, named_cmp);
		rb_pol tmp = *old;
		*old = *p;
		*p = tmp;
		if (moved && is_named(old))
			rv = sorted_add(lv, &lv->named, old, named_cmp);
	} else if (rv == PDP_OK) {
		if ((rv = vec_insert(&lv->pols, p)) == PDP_OK)
			return is_named(p) ? sorted_add(lv, &lv->named, p,
			    named_cmp) : PDP_OK;
	}
	pol_free(lv, p);
	return rv;
}

// drop_group takes a deleted group out of its users' lists.
static void
drop_group(iamsi_live *lv, int64_t geid)
{
	for (uint32_t i = 0; i < lv->ents.n; i++) {
		rb_ent *u = lv->ents.v[i];
		uint32_t k = 0;
		for (uint32_t j = 0; j < u->ngroups; j++)
			if (u->groups[j] != geid)
				u->groups[k++] = u->groups[j];
		u->ngroups = k;
	}
}

// group_after says whether group `a` sorts after group `b` by name.
static bool
group_after(const iamsi_live *lv, int64_t a, int64_t b)
{
	const rb_ent *x = vec_get(&lv->ents, a), *y = vec_get(&lv->ents, b);

	return x && y && strcasecmp(x->name, y->name) > 0;
}

// regroup sorts again the group lists that hold a renamed group.
static void
regroup(iamsi_live *lv, int64_t geid)
{
	for (uint32_t i = 0; i < lv->ents.n; i++) {
		rb_ent *u = lv->ents.v[i];
		bool has = false;
		for (uint32_t j = 0; j < u->ngroups; j++)
			has |= u->groups[j] == geid;
		// Ten groups at most: an insertion sort.
		for (uint32_t j = 1; has && j < u->ngroups; j++) {
			int64_t g = u->groups[j];
			uint32_t k = j;
			for (; k > 0 && group_after(lv, u->groups[k - 1], g);
			    k--)
				u->groups[k] = u->groups[k - 1];
			u->groups[k] = g;
		}
	}
}

static int
refresh_entity(iamsi_live *lv, iams_store *st, int64_t eid)
{
	iams_entity e;
	rb_ent *old = vec_get(&lv->ents, eid);
	bool group = old != NULL && old->kind == IAMS_GROUP;
	char *oldname = group ? strdup(old->name) : NULL;
	int rv = iams_store_entity_by_eid(st, eid, &e);

	if (rv == PDP_ENOENT) {
		rb_ent *gone = vec_take(&lv->ents, eid);
		if (gone != NULL)
			sorted_del(lv, &lv->order, gone, order_cmp);
		ent_free(lv, gone);
		if (group)
			drop_group(lv, eid);
		rv = PDP_OK;
	} else if (rv == PDP_OK) {
		rv = load_entity(lv, st, &e);
		if (rv == PDP_OK && group && (oldname == NULL ||
		    strcmp(oldname, e.name) != 0))
			regroup(lv, eid);
		iams_entity_fini(&e);
	}
	free(oldname);
	return rv;
}

static int
refresh_policy(iamsi_live *lv, iams_store *st, int64_t pid)
{
	iams_policy p;
	int rv = iams_store_policy_by_pid(st, pid, &p);

	if (rv == PDP_ENOENT) {
		rb_pol *gone = vec_take(&lv->pols, pid);
		if (gone != NULL && is_named(gone))
			sorted_del(lv, &lv->named, gone, named_cmp);
		pol_free(lv, gone);
		return PDP_OK;
	}
	if (rv != PDP_OK)
		return rv;
	// AWS managed policies come in when something attaches them.
	if (strcmp(p.account, IAMS_AWS_ACCOUNT) != 0 ||
	    vec_get(&lv->pols, pid) != NULL)
		rv = load_policy(lv, st, &p);
	iams_policy_fini(&p);
	return rv;
}

// --- loading everything -------------------------------------------------------

static void
live_clear(iamsi_live *lv)
{
	for (uint32_t i = 0; i < lv->ents.n; i++)
		ent_free(lv, lv->ents.v[i]);
	for (uint32_t i = 0; i < lv->pols.n; i++)
		pol_free(lv, lv->pols.v[i]);
	for (uint32_t i = 0; i < lv->accounts.n; i++)
		free(lv->accounts.v[i]);
	lv->ents.n = lv->pols.n = lv->accounts.n = 0;
	lv->order.n = lv->named.n = 0;
	// Tables know policies by address: they go with the arena.
	iamc_tables_close(lv->tables);
	lv->tables = NULL;
	iamc_arena_close(lv->arena);
	lv->arena = NULL;
	lv->ndocs = lv->dead = 0;
	lv->valid = false;
}

typedef struct loading {
	iamsi_live *lv;
	iams_store *st;
} loading;

static int
load_one_entity(void *arg, const iams_entity *e)
{
	loading *l = arg;

	return load_entity(l->lv, l->st, e);
}

static int
load_one_policy(void *arg, const iams_policy *p)
{
	loading *l = arg;

	return load_policy(l->lv, l->st, p);
}

static int
load_account(void *arg, const char *id)
{
	loading *l = arg;
	char *d = strdup(id);
	int rv;

	if (d == NULL || vec_push(&l->lv->accounts, d) != PDP_OK) {
		free(d);
		return PDP_ENOMEM;
	}
	if ((rv = iams_store_policy_list(l->st, id, NULL, false, NULL, 0,
	    load_one_policy, l)) != PDP_OK)
		return rv;
	// Root is in the cache for its access keys only.
	for (int k = IAMS_ROOT; k <= IAMS_ROLE && rv == PDP_OK; k++)
		rv = iams_store_entity_list(l->st, id, (iams_kind) k, NULL,
		    NULL, 0, load_one_entity, l);
	return rv;
}

// live_load reads the whole store into an empty cache.
static int
live_load(iamsi_live *lv, iams_store *st)
{
	loading l = {.lv = lv, .st = st};

	live_clear(lv);
	if ((lv->arena = iamc_arena_open()) == NULL ||
	    iamc_tables_open(&lv->tables) != PDP_OK)
		return PDP_ENOMEM;
	lv->reorder = true;
	return iams_store_account_list(st, load_account, &l);
}

// --- feeding the builder ------------------------------------------------------

static int
reorder(iamsi_live *lv)
{
	lv->order.n = lv->named.n = 0;
	for (uint32_t i = 0; i < lv->ents.n; i++)
		if (vec_push(&lv->order, lv->ents.v[i]) != PDP_OK)
			return PDP_ENOMEM;
	for (uint32_t i = 0; i < lv->pols.n; i++) {
		rb_pol *p = lv->pols.v[i];
		if (is_named(p) && vec_push(&lv->named, p) != PDP_OK)
			return PDP_ENOMEM;
	}
	if (lv->order.n > 1)
		qsort(lv->order.v, lv->order.n, sizeof(void *), order_cmp);
	if (lv->named.n > 1)
		qsort(lv->named.v, lv->named.n, sizeof(void *), named_cmp);
	lv->reorder = false;
	return PDP_OK;
}

static const rb_pol *
policy(iamsi_live *lv, int64_t pid)
{
	const rb_pol *p = vec_get(&lv->pols, pid);

	if (p == NULL || p->doc.p == NULL)
		fail(lv, PDP_ECORRUPT, "policy %lld is not in the cache",
		    (long long) pid);
	return p;
}

// add_own adds an entity's inline policies, then its attached ones; a
// managed policy already in the set is kept at its first place.
static int
add_own(iamsi_live *lv, iamc_setlist *s, const rb_ent *e)
{
	int rv = PDP_OK;

	for (uint32_t i = 0; i < e->ninl && rv == PDP_OK; i++)
		rv = iamc_setlist_add(s, e->inl[i].p, false);
	for (uint32_t i = 0; i < e->natt && rv == PDP_OK; i++) {
		const rb_pol *p = policy(lv, e->att[i]);
		rv = p ? iamc_setlist_add(s, p->doc.p, true) : PDP_ECORRUPT;
	}
	return rv;
}

// feed_keys records the access keys of the user or root whose ARN is
// `owner`.
static int
feed_keys(iamc_builder *b, const rb_ent *e, const char *owner)
{
	int rv = PDP_OK;

	for (uint32_t i = 0; i < e->nkeys && rv == PDP_OK; i++)
		rv = iamc_builder_access_key(b, e->keyid[i], owner,
		    e->keyon[i]);
	return rv;
}

static int
feed_entity(iamsi_live *lv, iamc_builder *b, iamc_setlist *s, const rb_ent *e)
{
	iamc_principal_spec ps;
	bool role = e->kind == IAMS_ROLE;
	int rv;

	memset(&ps, 0, sizeof(ps));
	s->n = 0;
	rv = add_own(lv, s, e);
	for (uint32_t g = 0; g < e->ngroups && rv == PDP_OK; g++) {
		const rb_ent *ge = vec_get(&lv->ents, e->groups[g]);
		rv = ge ? add_own(lv, s, ge) : fail(lv, PDP_ECORRUPT,
		    "a group of user %s is not in the cache", e->name);
	}
	if (rv != PDP_OK)
		return rv;
	ps.identity = ps.boundary = PDPB_NONE;
	if (s->n > 0 && (rv = iamc_builder_set(b, s->v, s->n, true,
	    &ps.identity)) != PDP_OK)
		return rv;
	if (e->boundary != 0) {
		const rb_pol *p = policy(lv, e->boundary);
		if (p == NULL)
			return PDP_ECORRUPT;
		if ((rv = iamc_builder_set(b, &p->doc.p, 1, true,
		    &ps.boundary)) != PDP_OK)
			return rv;
	}
	ps.kind = role ? PDPB_ROLE : PDPB_USER;
	ps.account = e->account;
	ps.name = e->name;
	ps.path = e->path;
	ps.unique_id = e->uid;
	ps.service_linked = role && strncmp(e->path, "/aws-service-role/",
	    18) == 0;
	ps.ntags = e->ntags;
	ps.tag_keys = (const char *const *) e->tagk;
	ps.tag_values = (const char *const *) e->tagv;
	ps.max_session = role ? e->max_session : 0;
	if ((rv = iamc_builder_principal(b, &ps)) != PDP_OK)
		return rv;
	if (!role) {
		char arn[1024];
		snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user%s%s",
		    e->account, e->path, e->name);
		return feed_keys(b, e, arn);
	}
	// The trust policy under the role's ARN without and with its path,
	// as the account model stores it.
	char arn[1024];
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s", e->account,
	    e->name);
	if ((rv = iamc_builder_resource_policy(b, arn, e->trust.p)) !=
	    PDP_OK || strcmp(e->path, "/") == 0)
		return rv;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role%s%s", e->account,
	    e->path, e->name);
	return iamc_builder_resource_policy(b, arn, e->trust.p);
}

static int
feed_named(iamc_builder *b, const rb_pol *p)
{
	uint32_t set;
	int rv = iamc_builder_set(b, &p->doc.p, 1, true, &set);

	return rv == PDP_OK ? iamc_builder_named(b, p->arn, set) : rv;
}

// name_aws notes AWS managed policy `pid` in `aws` when first met.
static int
name_aws(iamsi_live *lv, rb_vec *aws, int64_t pid)
{
	rb_pol *p = vec_get(&lv->pols, pid);

	if (p == NULL || strcmp(p->account, IAMS_AWS_ACCOUNT) != 0 ||
	    p->mark == lv->feeds)
		return PDP_OK;
	p->mark = lv->feeds;
	return vec_push(aws, p);
}

// aws_order lists the AWS managed policies the store references, in the
// order the account model's links meet them: per account its groups'
// attachments, then each role's and each user's attachments and
// boundary.
static int
aws_order(iamsi_live *lv, rb_vec *aws)
{
	int rv = PDP_OK;

	lv->feeds++;
	for (uint32_t i = 0; i < lv->order.n && rv == PDP_OK; i++) {
		const rb_ent *e = lv->order.v[i];
		for (uint32_t k = 0; k < e->natt && rv == PDP_OK; k++)
			rv = name_aws(lv, aws, e->att[k]);
		if (rv == PDP_OK && e->boundary != 0)
			rv = name_aws(lv, aws, e->boundary);
	}
	return rv;
}

// feed gives the builder what iamc_account_compile would give it for
// the account model of the cache (no organization, no resource-based
// policies but trust policies, no sessionPolicies).
static int
feed(iamsi_live *lv, iamc_builder *b)
{
	rb_vec aws = {0};
	iamc_setlist s = {0};
	int rv = PDP_OK;

	for (uint32_t i = 0; i < lv->accounts.n && rv == PDP_OK; i++)
		rv = iamc_builder_account(b, lv->accounts.v[i], NULL, 0, NULL,
		    0);
	uint32_t e = 0, p = 0;
	for (uint32_t i = 0; i < lv->accounts.n && rv == PDP_OK; i++) {
		const char *acc = lv->accounts.v[i];
		iamc_principal_spec root;
		memset(&root, 0, sizeof(root));
		root.kind = PDPB_ROOT;
		root.account = acc;
		root.identity = root.boundary = PDPB_NONE;
		rv = iamc_builder_principal(b, &root);
		// Roles, then users (groups sort first and are skipped).
		for (int pass = 0; pass < 2 && rv == PDP_OK; pass++) {
			for (uint32_t k = e; k < lv->order.n && rv == PDP_OK;
			    k++) {
				const rb_ent *x = lv->order.v[k];
				if (strcmp(x->account, acc) != 0)
					break;
				if (x->kind == (pass ? IAMS_USER : IAMS_ROLE))
					rv = feed_entity(lv, b, &s, x);
				else if (pass && x->kind == IAMS_ROOT) {
					char arn[64];
					snprintf(arn, sizeof(arn),
					    "arn:aws:iam::%s:root", acc);
					rv = feed_keys(b, x, arn);
				}
			}
		}
		while (e < lv->order.n && strcmp(((rb_ent *)
		    lv->order.v[e])->account, acc) <= 0)
			e++;
		for (; p < lv->named.n && rv == PDP_OK &&
		    strcmp(((rb_pol *) lv->named.v[p])->account, acc) <= 0;
		    p++)
			if (strcmp(((rb_pol *) lv->named.v[p])->account, acc)
			    == 0)
				rv = feed_named(b, lv->named.v[p]);
	}
	if (rv == PDP_OK)
		rv = aws_order(lv, &aws);
	for (uint32_t i = 0; i < aws.n && rv == PDP_OK; i++)
		rv = feed_named(b, aws.v[i]);
	free(aws.v);
	iamc_setlist_fini(&s);
	return rv;
}

// --- the rebuild ----------------------------------------------------------------

// What the store recorded since the last rebuild.
typedef struct delta {
	int64_t *ev, *pv;  // touched entities and policies
	uint32_t ne, np;
	bool accounts;
	uint32_t revisions;
	int64_t max_revision;
} delta;

static int
note_change(void *arg, int kind, int64_t id)
{
	delta *d = arg;

	switch (kind) {
	case IAMS_CHANGE_ENTITY:
		return push_key(&d->ev, &d->ne, id);
	case IAMS_CHANGE_POLICY:
		return push_key(&d->pv, &d->np, id);
	case IAMS_CHANGE_ACCOUNTS:
		d->accounts = true;
		return PDP_OK;
	case IAMS_CHANGE_REVISION:
		d->revisions++;
		if (id > d->max_revision)
			d->max_revision = id;
		return PDP_OK;
	default:
		return PDP_ECORRUPT;
	}
}

// apply brings the cache up to date with the touched entities and
// policies; false: it must be loaded whole instead.
static int
apply(iamsi_live *lv, iams_store *st, const delta *d, uint64_t rev,
    bool *whole)
{
	int rv = PDP_OK;

	// Only this handle's commits may lie between the cache and the
	// store: another writer's changes were not recorded.
	*whole = !lv->valid || d->accounts ||
	    rev != lv->revision + d->revisions ||
	    (d->revisions > 0 && (uint64_t) d->max_revision != rev) ||
	    d->ne + d->np > RB_MANY ||
	    // Compiled documents no longer used are reclaimed by reloading
	    // once they outnumber the live ones.
	    (lv->dead > 1024 && lv->dead > lv->ndocs - lv->dead);
	if (*whole)
		return PDP_OK;
	for (uint32_t i = 0; i < d->np && rv == PDP_OK; i++)
		rv = refresh_policy(lv, st, d->pv[i]);
	for (uint32_t i = 0; i < d->ne && rv == PDP_OK; i++)
		rv = refresh_entity(lv, st, d->ev[i]);
	return rv;
}

// live_update reads what changed (or everything) inside one read
// transaction and brings the cache to the store's revision.
static int
live_update(iamsi_live *lv, iams_store *st, bool *full, uint64_t *rev)
{
	delta d;
	bool whole = true;
	int rv;

	memset(&d, 0, sizeof(d));
	if ((rv = iams_store_begin(st, false)) != PDP_OK)
		return fail(lv, rv, "store: %s", iams_store_errmsg(st));
	rv = iams_store_revision(st, rev);
	if (rv == PDP_OK)
		rv = iams_store_changes(st, note_change, &d);
	if (rv == PDP_OK)
		rv = apply(lv, st, &d, *rev, &whole);
	if (rv == PDP_OK && whole)
		rv = live_load(lv, st);
	if (rv == PDP_OK && lv->reorder)
		rv = reorder(lv);
	iams_store_rollback(st);
	// What was recorded is in the cache now, or the cache is invalid
	// and the next rebuild reads everything: either way forget it.
	if (iams_store_changes_clear(st) != PDP_OK && rv == PDP_OK)
		rv = fail(lv, PDP_EIO, "store: %s", iams_store_errmsg(st));
	free(d.ev);
	free(d.pv);
	if (rv == PDP_OK && (lv->arena == NULL || lv->tables == NULL))
		rv = PDP_ENOMEM;
	*full = whole;
	if (rv == PDP_OK) {
		lv->valid = true;
		lv->revision = *rev;
	} else {
		lv->valid = false;
		fail(lv, rv, "incremental rebuild: %s", pdp_strerror(rv));
	}
	return rv;
}

int
iamsi_live_open(iamsi_live **out)
{
	return (*out = calloc(1, sizeof(**out))) ? PDP_OK : PDP_ENOMEM;
}

void
iamsi_live_close(iamsi_live *lv)
{
	if (lv == NULL)
		return;
	live_clear(lv);
	free(lv->ents.v);
	free(lv->pols.v);
	free(lv->accounts.v);
	free(lv->order.v);
	free(lv->named.v);
	free(lv);
}

void
iamsi_live_invalidate(iamsi_live *lv)
{
	lv->valid = false;
}

void
iamsi_live_fail_next(iamsi_live *lv)
{
	lv->fail_next = true;
}

int
iamsi_live_build(iamsi_live *lv, iams_store *st, void **data, size_t *len,
    uint64_t *rev, bool *full, bool *empty, char *err, size_t errlen)
{
	iamc_builder *b = NULL;
	int rv;

	lv->err = err;
	lv->errlen = errlen;
	err[0] = '\0';
	*data = NULL;
	*empty = false;
	if ((rv = live_update(lv, st, full, rev)) != PDP_OK)
		return rv;
	if (lv->accounts.n == 0) {
		*empty = true;
		return PDP_OK;
	}
	if ((rv = iamc_builder_open(&b)) != PDP_OK)
		return fail(lv, rv, "out of memory");
	iamc_builder_tables(b, lv->tables);
	rv = feed(lv, b);
	if (rv == PDP_OK && lv->fail_next) {
		lv->fail_next = false;
		rv = fail(lv, PDP_ECORRUPT, "failure injected by a test");
	}
	if (rv == PDP_OK)
		rv = iamc_builder_write(b, *rev, data, len);
	// The sets no longer in the bundle let go of their tables.
	if (rv == PDP_OK)
		iamc_tables_sweep(lv->tables);
	iamc_builder_close(b);
	if (rv != PDP_OK) {
		lv->valid = false;
		fail(lv, rv, "feeding the builder: %s", pdp_strerror(rv));
	}
	return rv;
}
