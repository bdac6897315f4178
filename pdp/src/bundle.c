// bundle.c - opening a bundle: map, verify every header field, section
// and reference (proto/bundle.md), and rebuild its policies as programs.
//
// Nothing in a bundle is trusted: a bundle that passes these checks can
// be decided against without any further bounds check, and one that
// fails is never used.

#define _DEFAULT_SOURCE // MAP_POPULATE
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bundle.h"
#include "prefault.h"
#include "fold.h"
#include "glob.h"
#include "scan.h"

// Large blocks (a bundle's bytes, its programs) come straight from the
// kernel, 2 MiB-aligned and marked for huge pages where the kernel
// offers them: a large bundle then costs far fewer page faults to load
// and TLB misses to decide against. Small ones come from malloc.
#define BIG_BLOCK (2u << 20)

static void *
block_alloc(size_t n, bool *mapped)
{
	*mapped = false;
	if (n < BIG_BLOCK)
		return calloc(1, n ? n : 1);
	size_t len = (n + BIG_BLOCK - 1) & ~(size_t) (BIG_BLOCK - 1);
	char *p = mmap(NULL, len + BIG_BLOCK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return calloc(1, n);
	// Keep the aligned part; give back the rest.
	char *a = (char *) (((uintptr_t) p + BIG_BLOCK - 1) &
	    ~(uintptr_t) (BIG_BLOCK - 1));
	if (a > p)
		munmap(p, (size_t) (a - p));
	if (a + len < p + len + BIG_BLOCK)
		munmap(a + len, (size_t) (p + len + BIG_BLOCK - (a + len)));
#ifdef MADV_HUGEPAGE
	madvise(a, len, MADV_HUGEPAGE);
#endif
	*mapped = true;
	return a;
}

static void
block_free(void *p, size_t n, bool mapped)
{
	if (!mapped) {
		free(p);
		return;
	}
	size_t len = (n + BIG_BLOCK - 1) & ~(size_t) (BIG_BLOCK - 1);
	munmap(p, len);
}

// release gives back a bundle's bytes as they were obtained.
static void
release(void *base, size_t size, int owner)
{
	if (owner == PDPI_OWN_FILE)
		munmap(base, size);
	else
		block_free(base, size, owner == PDPI_OWN_BLOCK);
}

// The loader's state while checking one bundle.
typedef struct ld {
	const char *base;
	size_t size;
	const pdpb_section *sec[PDPB_SEC_MAX + 1];
	uint32_t nstrings;
	char *err;
	size_t errlen;
} ld;

static int fail(ld *l, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(ld *l, int code, const char *fmt, ...)
{
	va_list ap;

	if (l->err != NULL && l->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const void *
sec_data(const ld *l, int id)
{
	return l->base + l->sec[id]->offset;
}

static uint32_t
sec_count(const ld *l, int id)
{
	return l->sec[id]->count;
}

// Record sizes by section id (1: a byte section).
static const size_t rec_size[PDPB_SEC_MAX + 1] = {
	[PDPB_SEC_STRINGS] = 1,
	[PDPB_SEC_POLICIES] = sizeof(pdpb_policy),
	[PDPB_SEC_STMTS] = sizeof(pdpb_stmt),
	[PDPB_SEC_ACTIONS] = sizeof(pdpb_action),
	[PDPB_SEC_RESOURCES] = sizeof(pdpb_resource),
	[PDPB_SEC_PRINS] = sizeof(pdpb_prin),
	[PDPB_SEC_CONDS] = sizeof(pdpb_cond),
	[PDPB_SEC_CVALUES] = sizeof(pdpb_cvalue),
	[PDPB_SEC_PARTS] = sizeof(pdpb_part),
	[PDPB_SEC_SETS] = sizeof(pdpb_set),
	[PDPB_SEC_SETIDX] = 4,
	[PDPB_SEC_TABLES] = 1,
	[PDPB_SEC_ACCOUNTS] = sizeof(pdpb_account),
	[PDPB_SEC_LEVELS] = 4,
	[PDPB_SEC_PRINCIPALS] = sizeof(pdpb_principal),
	[PDPB_SEC_TAGS] = sizeof(pdpb_tag),
	[PDPB_SEC_RPOLICIES] = sizeof(pdpb_rpolicy),
	[PDPB_SEC_NAMED] = sizeof(pdpb_named),
	[PDPB_SEC_PRINFO] = sizeof(pdpb_prinfo),
	[PDPB_SEC_ACCESS_KEYS] = sizeof(pdpb_access_key),
};

static const char *const sec_name[PDPB_SEC_MAX + 1] = {
	"", "strings", "policies", "statements", "actions", "resources",
	"principal elements", "conditions", "condition values", "parts",
	"sets", "set members", "tables", "accounts", "levels", "principals",
	"tags", "resource policies", "named policies", "principal info",
	"access keys",
};

// check_header verifies the header and the section directory
// (R-BUNDLE-001 .. R-BUNDLE-010).
static int
check_header(ld *l, bool verify_checksum)
{
	pdpb_header h;

	if (l->size < sizeof(h))
		return fail(l, PDP_ECORRUPT, "truncated: %zu bytes is smaller "
		    "than the %zu-byte header", l->size, sizeof(h));
	memcpy(&h, l->base, sizeof(h));
	if (memcmp(h.magic, PDPB_MAGIC, 8) != 0) // R-BUNDLE-001
		return fail(l, PDP_ECORRUPT, "not a bundle: bad magic");
	if (h.endian != PDPB_ENDIAN_PROBE) // R-BUNDLE-002
		return fail(l, PDP_EVERSION, "bundle was written on a machine "
		    "of another byte order");
	if (h.version != PDPB_VERSION) // R-BUNDLE-003
		return fail(l, PDP_EVERSION, "bundle format version %u; this "
		    "library reads version %u", h.version, PDPB_VERSION);
	if (h.size != l->size) // R-BUNDLE-004
		return fail(l, PDP_ECORRUPT, "truncated or padded: header "
		    "says %llu bytes, file has %zu", (unsigned long long) h.size,
		    l->size);
	if (verify_checksum) { // R-BUNDLE-005
		XXH3_state_t st;
		const uint64_t zero = 0;
		size_t at = offsetof(pdpb_header, checksum);
		XXH3_64bits_reset(&st);
		XXH3_64bits_update(&st, l->base, at);
		XXH3_64bits_update(&st, &zero, sizeof(zero));
		XXH3_64bits_update(&st, l->base + at + 8, l->size - at - 8);
		if (XXH3_64bits_digest(&st) != h.checksum)
			return fail(l, PDP_ECORRUPT, "checksum mismatch: the "
			    "bundle is corrupt");
	}
	if (h.flags != 0 || h.reserved != 0) // R-BUNDLE-006
		return fail(l, PDP_EVERSION, "unknown header flags 0x%x",
		    h.flags);
	if (h.directory % 8 != 0 || h.directory > l->size ||
	    (uint64_t) h.nsections * sizeof(pdpb_section) >
	    l->size - h.directory) // R-BUNDLE-007
		return fail(l, PDP_ECORRUPT, "section directory out of bounds");
	const pdpb_section *dir = (const pdpb_section *) (l->base +
	    h.directory);
	for (uint32_t i = 0; i < h.nsections; i++) {
		const pdpb_section *s = &dir[i];
		if (s->id == 0 || s->id > PDPB_SEC_MAX)
			return fail(l, PDP_EVERSION, "unknown section id %u",
			    s->id); // R-BUNDLE-008
		if (l->sec[s->id] != NULL)
			return fail(l, PDP_ECORRUPT, "section %s appears twice",
			    sec_name[s->id]);
		if (s->offset % 8 != 0 || s->offset > l->size ||
		    s->size > l->size - s->offset) // R-BUNDLE-009
			return fail(l, PDP_ECORRUPT, "section %s out of bounds",
			    sec_name[s->id]);
		if ((uint64_t) s->count * rec_size[s->id] != s->size)
			return fail(l, PDP_ECORRUPT, "section %s: %u records "
			    "do not fill %u bytes", sec_name[s->id], s->count,
			    s->size); // R-BUNDLE-010
		l->sec[s->id] = s;
	}
	for (int id = 1; id <= PDPB_SEC_MAX; id++)
		if (l->sec[id] == NULL)
			return fail(l, PDP_ECORRUPT, "section %s is missing",
			    sec_name[id]);
	l->nstrings = l->sec[PDPB_SEC_STRINGS]->size;
	return PDP_OK;
}

static bool
str_ok(const ld *l, pdpb_str s)
{
	return s.off <= l->nstrings && s.len <= l->nstrings - s.off;
}

static bool
range_ok(uint32_t first, uint32_t n, uint32_t count)
{
	return first <= count && n <= count - first;
}

static bool
part_ok(const ld *l, const pdpb_part *q)
{
	return q->kind <= PDPI_PART_ESC && q->has_default <= 1 &&
	    str_ok(l, q->s) && str_ok(l, q->dflt);
}

// tmpl_ok checks a template's text and the range of its parts (each
// part is checked on its own, check_programs).
static bool
tmpl_ok(const ld *l, const pdpb_tmpl *t)
{
	return str_ok(l, t->text) &&
	    range_ok(t->parts, t->nparts, sec_count(l, PDPB_SEC_PARTS));
}

// check_programs verifies every policy record and what it references
// (R-BUNDLE-020 .. R-BUNDLE-027).
static int
check_programs(ld *l)
{
	const pdpb_policy *pol = sec_data(l, PDPB_SEC_POLICIES);
	const pdpb_stmt *st = sec_data(l, PDPB_SEC_STMTS);
	const pdpb_action *ac = sec_data(l, PDPB_SEC_ACTIONS);
	const pdpb_resource *rs = sec_data(l, PDPB_SEC_RESOURCES);
	const pdpb_prin *pr = sec_data(l, PDPB_SEC_PRINS);
	const pdpb_cond *cd = sec_data(l, PDPB_SEC_CONDS);
	const pdpb_cvalue *cv = sec_data(l, PDPB_SEC_CVALUES);

	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_POLICIES); i++)
		if (!str_ok(l, pol[i].name) ||
		    pol[i].type > PDP_POLICY_AWS_MANAGED || pol[i].vars > 1 ||
		    !range_ok(pol[i].stmts, pol[i].nstmts,
		    sec_count(l, PDPB_SEC_STMTS)))
			return fail(l, PDP_ECORRUPT, "policy %u is corrupt",
			    i); // R-BUNDLE-020
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_STMTS); i++) {
		const pdpb_stmt *s = &st[i];
		if ((s->effect != PDPI_ALLOW && s->effect != PDPI_DENY) ||
		    s->flags > 31 || !str_ok(l, s->sid) ||
		    !range_ok(s->actions, s->nactions,
		    sec_count(l, PDPB_SEC_ACTIONS)) ||
		    !range_ok(s->resources, s->nresources,
		    sec_count(l, PDPB_SEC_RESOURCES)) ||
		    !range_ok(s->principals, s->nprincipals,
		    sec_count(l, PDPB_SEC_PRINS)) ||
		    !range_ok(s->conds, s->nconds,
		    sec_count(l, PDPB_SEC_CONDS)))
			return fail(l, PDP_ECORRUPT, "statement %u is corrupt",
			    i); // R-BUNDLE-021
	}
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_ACTIONS); i++)
		if (ac[i].kind > PDPI_ACT_NONE || !str_ok(l, ac[i].svc) ||
		    !str_ok(l, ac[i].name) || !str_ok(l, ac[i].text))
			return fail(l, PDP_ECORRUPT, "action %u is corrupt",
			    i); // R-BUNDLE-022
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_RESOURCES); i++) {
		bool ok = rs[i].kind <= PDPI_RES_NONE &&
		    tmpl_ok(l, &rs[i].rest) && str_ok(l, rs[i].text);
		for (int k = 0; k < 5 && ok; k++)
			ok = str_ok(l, rs[i].seg[k]);
		if (!ok)
			return fail(l, PDP_ECORRUPT, "resource %u is corrupt",
			    i); // R-BUNDLE-023
	}
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_PRINS); i++)
		if (pr[i].kind > PDPI_PRIN_OTHER || !str_ok(l, pr[i].account) ||
		    !str_ok(l, pr[i].name) || !str_ok(l, pr[i].session) ||
		    !str_ok(l, pr[i].text))
			return fail(l, PDP_ECORRUPT, "principal element %u is "
			    "corrupt", i); // R-BUNDLE-024
	// A value's typed form is read according to its condition's
	// operator, so two conditions must never share a value: each
	// condition's values follow the previous condition's, in order.
	uint32_t next_value = 0;
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_CONDS); i++) {
		if (cd[i].op > PDPI_COP_NULL || cd[i].set > PDPI_SET_ALL ||
		    cd[i].negated > 1 || cd[i].if_exists > 1 ||
		    cd[i].flags > PDPB_COND_CUSTOM ||
		    !str_ok(l, cd[i].opname) || !str_ok(l, cd[i].key) ||
		    !str_ok(l, cd[i].keytext) ||
		    cd[i].values != next_value ||
		    !range_ok(cd[i].values, cd[i].nvalues,
		    sec_count(l, PDPB_SEC_CVALUES)))
			return fail(l, PDP_ECORRUPT, "condition %u is corrupt",
			    i); // R-BUNDLE-025
		next_value += cd[i].nvalues;
	}
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_CVALUES); i++)
		if (!tmpl_ok(l, &cv[i].t) || cv[i].ok > 1)
			return fail(l, PDP_ECORRUPT, "condition value %u is "
			    "corrupt", i); // R-BUNDLE-026
	// Every part, even one no template names: the loader reads the
	// key of every variable part (interning it).
	const pdpb_part *pt = sec_data(l, PDPB_SEC_PARTS);
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_PARTS); i++)
		if (!part_ok(l, &pt[i]))
			return fail(l, PDP_ECORRUPT, "template part %u is "
			    "corrupt", i); // R-BUNDLE-027
	// Typed values are checked where their operator is known.
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_CONDS); i++) {
		for (uint32_t k = 0; k < cd[i].nvalues; k++) {
			const pdpb_cvalue *v = &cv[cd[i].values + k];
			bool ok = true;
			if (cd[i].op == PDPI_COP_IP)
				ok = (v->v.ip.family == 4 && v->v.ip.bits <= 32)
				    || (v->v.ip.family == 6 &&
				    v->v.ip.bits <= 128) || !v->ok;
			else if (cd[i].op == PDPI_COP_BINARY)
				ok = str_ok(l, v->v.bin);
			else if (cd[i].op == PDPI_COP_BOOL ||
			    cd[i].op == PDPI_COP_NULL)
				ok = v->v.b <= 1;
			else if (cd[i].op >= PDPI_COP_DATE_EQ &&
			    cd[i].op <= PDPI_COP_DATE_GE)
				ok = v->v.date.nsec >= 0 &&
				    v->v.date.nsec < 1000000000;
			if (!ok)
				return fail(l, PDP_ECORRUPT, "condition value "
				    "%u is corrupt", cd[i].values + k);
		}
	}
	return PDP_OK;
}

// What records of the hash tables may refer to.
typedef struct limits {
	uint32_t npolicies, nsets, naccounts;
} limits;

// principal_ok checks a principal slot and its info (R-BUNDLE-034): what
// they refer to, and that the slot's hash is that of its kind, account
// and name (a wrong one would hide the principal).
static bool
principal_ok(const ld *l, const pdpb_principal *p, const pdpb_prinfo *x,
    const limits *lim)
{
	const char *strings = l->base + l->sec[PDPB_SEC_STRINGS]->offset;
	const pdpb_tag *tags = sec_data(l, PDPB_SEC_TAGS);
	const pdpb_account *acc = sec_data(l, PDPB_SEC_ACCOUNTS);
	bool ok = str_ok(l, p->arn) && p->name_len <= p->arn.len &&
	    str_ok(l, x->unique_id) &&
	    p->kind >= PDPB_ROOT && p->kind <= PDPB_FEDUSER && p->flags <= 7 &&
	    p->account < lim->naccounts &&
	    (p->identity == PDPB_NONE || p->identity < lim->nsets) &&
	    (p->boundary == PDPB_NONE || p->boundary < lim->nsets) &&
	    ((p->flags & PDPB_HAS_BOUNDARY) != 0) ==
	    (p->boundary != PDPB_NONE) &&
	    range_ok(x->tags, x->ntags, sec_count(l, PDPB_SEC_TAGS));
	for (uint32_t k = 0; ok && k < x->ntags; k++)
		ok = str_ok(l, tags[x->tags + k].key) &&
		    str_ok(l, tags[x->tags + k].value);
	if (!ok)
		return false;
	// Account ids were checked with the accounts.
	pdpb_str id = acc[p->account].id;
	const char *name = strings + p->arn.off + p->arn.len - p->name_len;
	if (p->hash != pdpb_principal_hash(p->kind, strings + id.off, id.len,
	    name, p->name_len))
		return false;
	// The name the slot holds is the ARN's, zero-padded.
	uint32_t in = p->name_len < PDPB_NAME_INLINE ? p->name_len :
	    PDPB_NAME_INLINE;
	if (memcmp(p->name, name, in) != 0)
		return false;
	for (uint32_t k = in; k < PDPB_NAME_INLINE; k++)
		if (p->name[k] != 0)
			return false;
	// A canonical user's ARN is arn:aws:iam::ACCOUNT:user/NAME.
	return !(p->flags & PDPB_CANONICAL) || (p->kind == PDPB_USER &&
	    p->arn.len == 13 + id.len + 6 + p->name_len &&
	    memcmp(strings + p->arn.off, "arn:aws:iam::", 13) == 0 &&
	    memcmp(strings + p->arn.off + 13, strings + id.off, id.len) == 0 &&
	    memcmp(strings + p->arn.off + 13 + id.len, ":user/", 6) == 0);
}

// check_principals verifies the principal table: a power-of-two size,
// an empty slot (a probe stops there), its info beside it, and every
// slot (R-BUNDLE-034).
static int
check_principals(ld *l, const limits *lim)
{
	const pdpb_principal *p = sec_data(l, PDPB_SEC_PRINCIPALS);
	const pdpb_prinfo *x = sec_data(l, PDPB_SEC_PRINFO);
	uint32_t n = sec_count(l, PDPB_SEC_PRINCIPALS), empty = 0;

	if (n & (n - 1) || n == 0)
		return fail(l, PDP_ECORRUPT, "principal table size %u is not "
		    "a power of two", n);
	if (sec_count(l, PDPB_SEC_PRINFO) != n)
		return fail(l, PDP_ECORRUPT, "principal info has %u records "
		    "for %u principal slots", sec_count(l, PDPB_SEC_PRINFO), n);
	static const pdpb_principal none;
	for (uint32_t i = 0; i < n; i++) {
		// An empty slot is zeroed: a record with kind 0 would be
		// hidden.
		if (p[i].kind == 0 && memcmp(&p[i], &none, sizeof(none)) == 0) {
			empty++;
			continue;
		}
		if (!principal_ok(l, &p[i], &x[i], lim))
			return fail(l, PDP_ECORRUPT, "principal slot %u is "
			    "corrupt", i);
	}
	if (empty == 0)
		return fail(l, PDP_ECORRUPT, "principal table is full");
	return PDP_OK;
}

// rpolicy_ok: a resource policy names a policy (R-BUNDLE-035).
static bool
rpolicy_ok(const ld *l, const void *rec, const limits *lim)
{
	(void) l;
	return ((const pdpb_rpolicy *) rec)->policy < lim->npolicies;
}

// named_ok: a named policy names a set (R-BUNDLE-036).
static bool
named_ok(const ld *l, const void *rec, const limits *lim)
{
	(void) l;
	return ((const pdpb_named *) rec)->set < lim->nsets;
}

// access_key_ok: an access key names its owner and has a status
// (R-BUNDLE-037).
static bool
access_key_ok(const ld *l, const void *rec, const limits *lim)
{
	const pdpb_access_key *k = rec;
	(void) lim;
	return str_ok(l, k->principal) && k->principal.len > 0 &&
	    (k->status == PDPB_KEY_ACTIVE || k->status == PDPB_KEY_INACTIVE);
}

// check_table verifies one of the hash tables whose records start with
// the key's xxh3 and the key (pdpb.h): a power-of-two size, at least one
// empty slot (a probe stops there), every key in the strings with its
// right hash (a wrong one would hide the record), and what `rec_ok`
// checks of the rest of each record.
static int
check_table(ld *l, int id, const char *what,
    bool (*rec_ok)(const ld *, const void *, const limits *),
    const limits *lim)
{
	const char *strings = l->base + l->sec[PDPB_SEC_STRINGS]->offset;
	const char *recs = sec_data(l, id);
	uint32_t n = sec_count(l, id), empty = 0;

	if (n & (n - 1) || n == 0)
		return fail(l, PDP_ECORRUPT, "%s table size %u is not a power "
		    "of two", what, n);
	for (uint32_t i = 0; i < n; i++) {
		const char *rec = recs + (size_t) i * rec_size[id];
		uint64_t hash;
		pdpb_str key;
		memcpy(&hash, rec, sizeof(hash));
		memcpy(&key, rec + sizeof(hash), sizeof(key));
		if (key.len == 0) {
			empty++;
			continue;
		}
		if (!str_ok(l, key) ||
		    XXH3_64bits(strings + key.off, key.len) != hash ||
		    !rec_ok(l, rec, lim))
			return fail(l, PDP_ECORRUPT, "%s slot %u is corrupt",
			    what, i);
	}
	if (empty == 0)
		return fail(l, PDP_ECORRUPT, "%s table is full", what);
	return PDP_OK;
}

// stmt_bits gives each statement its PDPI_STMT_ bits (table.h): Deny,
// no condition with a Resource every request matches (as
// pdpi_stmt_always says of programs), NotAction.
static void
stmt_bits(const ld *l, uint8_t *bits)
{
	const pdpb_stmt *st = sec_data(l, PDPB_SEC_STMTS);
	const pdpb_resource *rs = sec_data(l, PDPB_SEC_RESOURCES);

	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_STMTS); i++) {
		bool res = !(st[i].flags & PDPB_HAS_RESOURCE);
		for (uint32_t k = 0; !res && !(st[i].flags & PDPB_NOT_RESOURCE)
		    && k < st[i].nresources; k++)
			res = rs[st[i].resources + k].kind == PDPI_RES_ALL;
		bits[i] = (st[i].effect == PDPI_DENY ? PDPI_STMT_DENY : 0) |
		    (st[i].nconds == 0 && res ? PDPI_STMT_ALWAYS : 0) |
		    (st[i].flags & PDPB_NOT_ACTION ? PDPI_STMT_NOTACTION : 0);
	}
}

// check_index verifies sets, tables, accounts, principals, tags and the
// resource and named policy tables (R-BUNDLE-030 .. R-BUNDLE-036). `tmp`
// has room for a set's members (three words each) and a byte for each
// statement.
static int
check_index(ld *l, uint32_t *tmp)
{
	const pdpb_set *sets = sec_data(l, PDPB_SEC_SETS);
	const uint32_t *setidx = sec_data(l, PDPB_SEC_SETIDX);
	const uint32_t *levels = sec_data(l, PDPB_SEC_LEVELS);
	const pdpb_policy *pol = sec_data(l, PDPB_SEC_POLICIES);
	const char *tables = sec_data(l, PDPB_SEC_TABLES);
	uint32_t npol = sec_count(l, PDPB_SEC_POLICIES);
	uint32_t nsets = sec_count(l, PDPB_SEC_SETS);
	uint32_t tsize = l->sec[PDPB_SEC_TABLES]->size;
	uint32_t nmax = sec_count(l, PDPB_SEC_SETIDX) + 1;
	uint32_t *nstmts = tmp, *first = tmp + nmax;
	uint8_t *type = (uint8_t *) (tmp + 2 * nmax);
	uint8_t *bits = type + nmax;
	pdpi_table_env env = {0, nstmts, first, type,
	    sec_data(l, PDPB_SEC_STMTS), bits};
	int rv;

	stmt_bits(l, bits);
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_SETIDX); i++)
		if (setidx[i] >= npol)
			return fail(l, PDP_ECORRUPT, "set member %u names no "
			    "policy", i); // R-BUNDLE-030
	for (uint32_t i = 0; i < nsets; i++) {
		const pdpb_set *s = &sets[i];
		if (!range_ok(s->first, s->n, sec_count(l, PDPB_SEC_SETIDX)))
			return fail(l, PDP_ECORRUPT, "set %u is corrupt", i);
		if (s->table == PDPB_NONE)
			continue;
		for (uint32_t k = 0; k < s->n; k++) {
			const pdpb_policy *p = &pol[setidx[s->first + k]];
			nstmts[k] = p->nstmts;
			first[k] = p->stmts;
			type[k] = (uint8_t) p->type;
		}
		env.npolicies = s->n;
		if (s->table % 8 != 0 || s->table > tsize ||
		    s->table_size > tsize - s->table ||
		    !pdpi_table_check((const uint32_t *) (tables + s->table),
		    s->table_size, &env)) // R-BUNDLE-031
			return fail(l, PDP_ECORRUPT, "decision table of set %u "
			    "is corrupt", i);
	}
	for (uint32_t i = 0; i < sec_count(l, PDPB_SEC_LEVELS); i++)
		if (levels[i] >= nsets)
			return fail(l, PDP_ECORRUPT, "organization level %u "
			    "names no set", i); // R-BUNDLE-032
	const pdpb_account *acc = sec_data(l, PDPB_SEC_ACCOUNTS);
	uint32_t nacc = sec_count(l, PDPB_SEC_ACCOUNTS);
	uint32_t nlev = sec_count(l, PDPB_SEC_LEVELS);
	for (uint32_t i = 0; i < nacc; i++) {
		if (!str_ok(l, acc[i].id) ||
		    !range_ok(acc[i].scp, acc[i].nscp, nlev) ||
		    !range_ok(acc[i].rcp, acc[i].nrcp, nlev))
			return fail(l, PDP_ECORRUPT, "account %u is corrupt",
			    i); // R-BUNDLE-033
		// Sorted by id: lookups bisect.
		if (i > 0) {
			pdpb_str a = acc[i - 1].id, b = acc[i].id;
			size_t n = a.len < b.len ? a.len : b.len;
			int c = memcmp(l->base + l->sec[PDPB_SEC_STRINGS]->offset +
			    a.off, l->base + l->sec[PDPB_SEC_STRINGS]->offset +
			    b.off, n);
			if (c > 0 || (c == 0 && a.len >= b.len))
				return fail(l, PDP_ECORRUPT, "accounts are not "
				    "sorted");
		}
	}
	// R-BUNDLE-034 .. 037: the four hash tables.
	limits lim = {npol, nsets, nacc};
	if ((rv = check_principals(l, &lim)) != PDP_OK ||
	    (rv = check_table(l, PDPB_SEC_RPOLICIES, "resource policy",
	    rpolicy_ok, &lim)) != PDP_OK ||
	    (rv = check_table(l, PDPB_SEC_NAMED, "named policy", named_ok,
	    &lim)) != PDP_OK ||
	    (rv = check_table(l, PDPB_SEC_ACCESS_KEYS, "access key",
	    access_key_ok, &lim)) != PDP_OK)
		return rv;
	return PDP_OK;
}

static pdpi_str
S(const pdp_bundle *b, pdpb_str s)
{
	return pdpi_bundle_str(b, s);
}

static pdpi_tmpl
T(const pdp_bundle *b, const pdpb_tmpl *t, pdpi_part *parts)
{
	pdpi_tmpl r;
	r.text = S(b, t->text);
	r.nparts = t->nparts;
	r.parts = t->nparts ? &parts[t->parts] : NULL;
	return r;
}

void
pdpi_prefault(void *p, size_t n)
{
#if defined(MADV_POPULATE_WRITE)
	const uintptr_t page = 4096;
	uintptr_t a = ((uintptr_t) p + page - 1) & ~(page - 1);
	uintptr_t z = ((uintptr_t) p + n) & ~(page - 1);

	if (n >= (1u << 20) && z > a)
		(void) madvise((void *) a, z - a, MADV_POPULATE_WRITE);
#else
	(void) p;
	(void) n;
#endif
}

// Interning context keys: every key a condition or a policy variable
// names gets a slot (up to PDPI_KEY_SLOTS), so that a decision maps its
// context to slots once and each test reads its key directly.
typedef struct interner {
	pdpi_str *key;
	uint64_t *hash;
	uint32_t *index;
	uint32_t n, cap, mask;
	uint64_t lens[2];
} interner;

static pdpi_keyref
intern(interner *in, pdpi_str key)
{
	pdpi_keyref ref = {PDPI_NO_SLOT, pdpi_key_class(key)};
	uint64_t h = pdpi_key_hash(key.p, key.n);
	uint32_t i = (uint32_t) h & in->mask, s;

	// A slot is found by its hash alone (request.c), so each slot has
	// its own: a key whose hash another key has keeps no slot and is
	// searched for instead.
	for (; (s = in->index[i]) != 0; i = (i + 1) & in->mask) {
		if (in->hash[s - 1] != h)
			continue;
		if (pdpi_eq_fold(in->key[s - 1].p, in->key[s - 1].n, key.p,
		    key.n))
			ref.slot = s - 1;
		return ref;
	}
	if (in->n < in->cap) {
		ref.slot = in->n++;
		in->key[ref.slot] = key;
		in->hash[ref.slot] = h;
		in->index[i] = ref.slot + 1;
		if (key.n < 128)
			in->lens[key.n >> 6] |= 1ull << (key.n & 63);
	}
	return ref;
}

// plain_cond: a condition on the request alone, with no policy variable
// and no plugin key: its answer depends on nothing else, and judging it
// has no effect on the way.
static bool
plain_cond(const pdpi_cond *c)
{
	if (c->custom)
		return false;
	for (uint32_t k = 0; k < c->nvalues; k++)
		if (c->values[k].t.nparts > 0)
			return false;
	return true;
}

// plain_stmt: a statement whose conditions and resources use no policy
// variable and no plugin key, so that judging either first gives the
// same answer with no difference on the way (eval.c).
static bool
plain_stmt(const pdpi_stmt *st)
{
	for (uint32_t i = 0; i < st->nresources; i++)
		if (st->resources[i].rest.nparts > 0)
			return false;
	for (uint32_t i = 0; i < st->nconds; i++)
		if (!plain_cond(&st->conds[i]))
			return false;
	return st->nconds > 0;
}

// Conditions alike (same operator, key and values) share a memo id, so
// that a decision judges each once (eval.c). The ids are found with a
// temporary table of the first condition of each id.
typedef struct memos {
	const pdpi_cond **first; // by id
	uint64_t *hash;          // by id
	uint32_t *index;         // id + 1, probed from hash & mask; 0 empty
	uint32_t n, cap, mask;
} memos;

static uint64_t
cond_hash(const pdpi_cond *c)
{
	uint64_t h = pdpb_fold_mix((uint64_t) c->op | (uint64_t) c->set << 8 |
	    (uint64_t) c->negated << 16 | (uint64_t) c->if_exists << 24 |
	    (uint64_t) c->nvalues << 32, c->key.p, c->key.n);
	for (uint32_t k = 0; k < c->nvalues; k++)
		h = pdpb_fold_mix(h, c->values[k].t.text.p,
		    c->values[k].t.text.n);
	return pdpb_fmix64(h);
}

static bool
cond_alike(const pdpi_cond *a, const pdpi_cond *b)
{
	if (a->op != b->op || a->set != b->set || a->negated != b->negated ||
	    a->if_exists != b->if_exists || a->nvalues != b->nvalues ||
	    !pdpi_eq_fold(a->key.p, a->key.n, b->key.p, b->key.n))
		return false;
	for (uint32_t k = 0; k < a->nvalues; k++) {
		const pdpi_cvalue *x = &a->values[k], *y = &b->values[k];
		// The typed forms are compared as stored (zeroed around what
		// the operator reads); a binary value by its bytes.
		if (x->ok != y->ok || !pdpi_str_eq(x->t.text, y->t.text) ||
		    (a->op == PDPI_COP_BINARY ?
		    !pdpi_str_eq(x->v.bin, y->v.bin) :
		    memcmp(&x->v, &y->v, sizeof(x->v)) != 0))
			return false;
	}
	return true;
}

static uint32_t
memo_id(memos *m, const pdpi_cond *c)
{
	if (!plain_cond(c) || m->cap == 0)
		return PDPI_NO_MEMO;
	uint64_t h = cond_hash(c);
	uint32_t i = (uint32_t) h & m->mask, s;
	for (; (s = m->index[i]) != 0; i = (i + 1) & m->mask)
		if (m->hash[s - 1] == h && cond_alike(m->first[s - 1], c))
			return s - 1;
	if (m->n == m->cap)
		return PDPI_NO_MEMO;
	m->first[m->n] = c;
	m->hash[m->n] = h;
	m->index[i] = ++m->n;
	return m->n - 1;
}

// memo_ids gives alike plain conditions their memo ids, at most
// PDPI_MEMO_MAX of them; *n gets their number.
static int
memo_ids(pdpi_cond *cd, uint32_t nc, uint32_t *n)
{
	memos m;

	memset(&m, 0, sizeof(m));
	m.cap = nc < PDPI_MEMO_MAX ? nc : PDPI_MEMO_MAX;
	uint32_t nindex = 1;
	while (nindex < 2 * m.cap)
		nindex *= 2;
	m.mask = nindex - 1;
	m.first = malloc((m.cap + 1) * sizeof(*m.first));
	m.hash = malloc((m.cap + 1) * sizeof(*m.hash));
	m.index = calloc(nindex, sizeof(*m.index));
	int rv = PDP_ENOMEM;
	if (m.first != NULL && m.hash != NULL && m.index != NULL) {
		for (uint32_t i = 0; i < nc; i++)
			cd[i].memo = memo_id(&m, &cd[i]);
		*n = m.n;
		rv = PDP_OK;
	}
	free(m.first);
	free(m.hash);
	free(m.index);
	return rv;
}

// The layouts build() relies on (program.h), on 64-bit targets.
_Static_assert(sizeof(void *) != 8 || (sizeof(pdpi_resource) == 128 &&
    sizeof(pdpi_stmt) == 80 && offsetof(pdpi_stmt, principals) == 48),
    "program records keep their cache-line layout");

static void *
take(char **m, size_t n)
{
	void *p = *m;
	*m += n;
	return p;
}

// build rebuilds programs and sets from the checked sections. One
// allocation holds every array.
static int
build(ld *l, pdp_bundle *b)
{
	uint32_t np = sec_count(l, PDPB_SEC_POLICIES);
	uint32_t ns = sec_count(l, PDPB_SEC_STMTS);
	uint32_t na = sec_count(l, PDPB_SEC_ACTIONS);
	uint32_t nr = sec_count(l, PDPB_SEC_RESOURCES);
	uint32_t npr = sec_count(l, PDPB_SEC_PRINS);
	uint32_t nc = sec_count(l, PDPB_SEC_CONDS);
	uint32_t nv = sec_count(l, PDPB_SEC_CVALUES);
	uint32_t nq = sec_count(l, PDPB_SEC_PARTS);
	uint32_t nset = sec_count(l, PDPB_SEC_SETS);
	uint32_t nsi = sec_count(l, PDPB_SEC_SETIDX);
	uint32_t nlev = sec_count(l, PDPB_SEC_LEVELS);
	size_t total = (size_t) np * sizeof(pdpi_policy) +
	    (size_t) ns * sizeof(pdpi_stmt) + (size_t) na * sizeof(pdpi_action) +
	    (size_t) nr * sizeof(pdpi_resource) +
	    (size_t) npr * sizeof(pdpi_principal) +
	    (size_t) nc * sizeof(pdpi_cond) + (size_t) nv * sizeof(pdpi_cvalue) +
	    (size_t) nq * sizeof(pdpi_part) + (size_t) nset * sizeof(pdpi_pset) +
	    (size_t) nset * sizeof(pdpi_table) +
	    (size_t) nsi * sizeof(pdpi_policy *) +
	    (size_t) nlev * sizeof(pdpi_pset) + 16;
	// Key slots: at most one per condition and variable part, and
	// PDPI_KEY_SLOTS; the index at most half full.
	uint32_t nkeys = nc + nq < PDPI_KEY_SLOTS ? nc + nq : PDPI_KEY_SLOTS;
	uint32_t nindex = 1;
	while (nindex < 2 * nkeys)
		nindex *= 2;
	total += (size_t) nkeys * (sizeof(pdpi_str) + sizeof(uint64_t)) +
	    (size_t) nindex * sizeof(uint32_t);
	bool mapped;
	char *m = block_alloc(total, &mapped);
	if (m == NULL)
		return fail(l, PDP_ENOMEM, "out of memory");
	pdpi_prefault(m, total);
	b->mem = m;
	b->mem_size = total;
	b->mem_mapped = mapped;
	// Every record type holds a pointer, so consecutive arrays stay
	// aligned. Statements and resources come first, on cache lines
	// (the block is 2 MiB-aligned when large): the fields a decision
	// reads then take as few lines as program.h intends.
#define TAKE(type, n) ((type *) take(&m, (size_t) (n) * sizeof(type)))
	pdpi_resource *rs = TAKE(pdpi_resource, nr);
	pdpi_stmt *st = TAKE(pdpi_stmt, ns);
	pdpi_policy *pol = TAKE(pdpi_policy, np);
	pdpi_action *ac = TAKE(pdpi_action, na);
	pdpi_principal *pr = TAKE(pdpi_principal, npr);
	pdpi_cond *cd = TAKE(pdpi_cond, nc);
	pdpi_cvalue *cv = TAKE(pdpi_cvalue, nv);
	pdpi_part *pa = TAKE(pdpi_part, nq);
	pdpi_pset *sets = TAKE(pdpi_pset, nset);
	pdpi_table *tbl = TAKE(pdpi_table, nset);
	const pdpi_policy **members = TAKE(const pdpi_policy *, nsi);
	pdpi_pset *levels = TAKE(pdpi_pset, nlev);
	interner in = {TAKE(pdpi_str, nkeys), TAKE(uint64_t, nkeys),
	    TAKE(uint32_t, nindex), 0, nkeys, nindex - 1, {0, 0}};
#undef TAKE

	const pdpb_part *dpa = sec_data(l, PDPB_SEC_PARTS);
	for (uint32_t i = 0; i < nq; i++) {
		pa[i].kind = (uint8_t) dpa[i].kind;
		pa[i].has_default = dpa[i].has_default != 0;
		pa[i].s = S(b, dpa[i].s);
		pa[i].dflt = S(b, dpa[i].dflt);
		if (pa[i].kind == PDPI_PART_VAR)
			pa[i].ref = intern(&in, pa[i].s);
	}
	const pdpb_action *dac = sec_data(l, PDPB_SEC_ACTIONS);
	for (uint32_t i = 0; i < na; i++) {
		ac[i].kind = (uint8_t) dac[i].kind;
		ac[i].svc = S(b, dac[i].svc);
		ac[i].name = S(b, dac[i].name);
		ac[i].shape = pdpi_shape_of(ac[i].name.p, ac[i].name.n);
		ac[i].text = S(b, dac[i].text);
	}
	const pdpb_resource *drs = sec_data(l, PDPB_SEC_RESOURCES);
	for (uint32_t i = 0; i < nr; i++) {
		rs[i].kind = (uint8_t) drs[i].kind;
		for (int k = 0; k < 5; k++) {
			rs[i].seg[k] = S(b, drs[i].seg[k]);
			if (!pdpi_has_wildcard(rs[i].seg[k].p, rs[i].seg[k].n))
				rs[i].literal |= (uint8_t) (1u << k);
		}
		rs[i].rest = T(b, &drs[i].rest, pa);
		rs[i].shape = rs[i].rest.nparts > 0 ? PDPI_SHAPE_GLOB :
		    pdpi_shape_of(rs[i].rest.text.p, rs[i].rest.text.n);
		pdpi_res_set_text(&rs[i], S(b, drs[i].text));
	}
	const pdpb_prin *dpr = sec_data(l, PDPB_SEC_PRINS);
	for (uint32_t i = 0; i < npr; i++) {
		pr[i].kind = (uint8_t) dpr[i].kind;
		pr[i].account = S(b, dpr[i].account);
		pr[i].name = S(b, dpr[i].name);
		pr[i].session = S(b, dpr[i].session);
		pr[i].text = S(b, dpr[i].text);
	}
	const pdpb_cond *dcd = sec_data(l, PDPB_SEC_CONDS);
	const pdpb_cvalue *dcv = sec_data(l, PDPB_SEC_CVALUES);
	for (uint32_t i = 0; i < nc; i++) {
		cd[i].op = dcd[i].op;
		cd[i].set = dcd[i].set;
		cd[i].negated = dcd[i].negated != 0;
		cd[i].if_exists = dcd[i].if_exists != 0;
		cd[i].custom = (dcd[i].flags & PDPB_COND_CUSTOM) != 0;
		cd[i].opname = S(b, dcd[i].opname);
		cd[i].key = S(b, dcd[i].key);
		cd[i].keytext = S(b, dcd[i].keytext);
		if (!cd[i].custom)
			cd[i].ref = intern(&in, cd[i].key);
		else
			cd[i].ref.slot = PDPI_NO_SLOT; // the provider's
		cd[i].memo = PDPI_NO_MEMO; // after the values, below
		cd[i].nvalues = dcd[i].nvalues;
		cd[i].values = &cv[dcd[i].values];
		for (uint32_t k = 0; k < dcd[i].nvalues; k++) {
			const pdpb_cvalue *d = &dcv[dcd[i].values + k];
			pdpi_cvalue *v = &cv[dcd[i].values + k];
			v->t = T(b, &d->t, pa);
			v->ok = d->ok != 0;
			switch (cd[i].op) {
			case PDPI_COP_NUM_EQ: case PDPI_COP_NUM_LT:
			case PDPI_COP_NUM_LE: case PDPI_COP_NUM_GT:
			case PDPI_COP_NUM_GE:
				v->v.num = d->v.num;
				break;
			case PDPI_COP_DATE_EQ: case PDPI_COP_DATE_LT:
			case PDPI_COP_DATE_LE: case PDPI_COP_DATE_GT:
			case PDPI_COP_DATE_GE:
				v->v.date.sec = d->v.date.sec;
				v->v.date.nsec = d->v.date.nsec;
				break;
			case PDPI_COP_BOOL: case PDPI_COP_NULL:
				v->v.b = d->v.b != 0;
				break;
			case PDPI_COP_IP:
				v->v.ip.family = d->v.ip.family;
				v->v.ip.bits = d->v.ip.bits;
				memcpy(v->v.ip.addr, d->v.ip.addr, 16);
				break;
			case PDPI_COP_BINARY:
				v->v.bin = S(b, d->v.bin);
				break;
			default:
				break;
			}
		}
	}
	if (memo_ids(cd, nc, &b->nmemo) != PDP_OK)
		return fail(l, PDP_ENOMEM, "out of memory");
	const pdpb_stmt *dst = sec_data(l, PDPB_SEC_STMTS);
	for (uint32_t i = 0; i < ns; i++) {
		const pdpb_stmt *d = &dst[i];
		st[i].effect = (uint8_t) d->effect;
		st[i].not_action = d->flags & PDPB_NOT_ACTION;
		st[i].not_resource = d->flags & PDPB_NOT_RESOURCE;
		st[i].has_resource = d->flags & PDPB_HAS_RESOURCE;
		st[i].has_principal = d->flags & PDPB_HAS_PRINCIPAL;
		st[i].not_principal = d->flags & PDPB_NOT_PRINCIPAL;
		st[i].index = d->index;
		st[i].sid = S(b, d->sid);
		st[i].nactions = d->nactions;
		st[i].actions = &ac[d->actions];
		st[i].nresources = d->nresources;
		st[i].resources = &rs[d->resources];
		st[i].nprincipals = d->nprincipals;
		st[i].principals = &pr[d->principals];
		st[i].nconds = d->nconds;
		st[i].conds = &cd[d->conds];
		st[i].conds_first = plain_stmt(&st[i]);
		st[i].guard = st[i].conds_first ? st[i].conds[0].memo :
		    PDPI_NO_MEMO;
	}
	const pdpb_policy *dpol = sec_data(l, PDPB_SEC_POLICIES);
	for (uint32_t i = 0; i < np; i++) {
		pol[i].name = S(b, dpol[i].name);
		pol[i].type = (uint8_t) dpol[i].type;
		pol[i].vars = dpol[i].vars != 0;
		pol[i].nstmts = dpol[i].nstmts;
		pol[i].stmts = &st[dpol[i].stmts];
	}
	const uint32_t *dsi = sec_data(l, PDPB_SEC_SETIDX);
	for (uint32_t i = 0; i < nsi; i++)
		members[i] = &pol[dsi[i]];
	const pdpb_set *dset = sec_data(l, PDPB_SEC_SETS);
	const char *tables = sec_data(l, PDPB_SEC_TABLES);
	for (uint32_t i = 0; i < nset; i++) {
		sets[i].n = dset[i].n;
		sets[i].v = &members[dset[i].first];
		if (dset[i].table != PDPB_NONE) {
			tbl[i].w = (const uint32_t *) (tables + dset[i].table);
			tbl[i].size = dset[i].table_size;
			sets[i].table = &tbl[i];
		}
	}
	const uint32_t *dlev = sec_data(l, PDPB_SEC_LEVELS);
	for (uint32_t i = 0; i < nlev; i++)
		levels[i] = sets[dlev[i]];

	b->policies = pol;
	b->npolicies = np;
	b->sets = sets;
	b->nsets = nset;
	b->levels = levels;
	b->keys.n = in.n;
	b->keys.key = in.key;
	b->keys.hash = in.hash;
	b->keys.mask = in.mask;
	b->keys.lens[0] = in.lens[0];
	b->keys.lens[1] = in.lens[1];
	b->keys.index = in.index;
	return PDP_OK;
}

// read_ahead says whether batches read ahead in a bundle that takes
// `bytes` with its programs: from PDPI_AHEAD_BYTES on, unless the
// environment's PDP_READ_AHEAD says "always" or "never" (for measuring;
// read once per bundle, never on the decision path).
static bool
read_ahead(size_t bytes)
{
	const char *v = getenv("PDP_READ_AHEAD");

	if (v != NULL && strcmp(v, "always") == 0)
		return true;
	if (v != NULL && strcmp(v, "never") == 0)
		return false;
	return bytes >= PDPI_AHEAD_BYTES;
}

int
pdpi_bundle_load(void *base, size_t size, int owner, bool verify_checksum,
    pdp_bundle **out, char *err, size_t errlen)
{
	ld l;
	pdp_bundle *b = NULL;
	uint32_t *nstmts = NULL;
	int rv;

	memset(&l, 0, sizeof(l));
	l.base = base;
	l.size = size;
	l.err = err;
	l.errlen = errlen;
	if ((rv = check_header(&l, verify_checksum)) != PDP_OK ||
	    (rv = check_programs(&l)) != PDP_OK)
		goto fail;
	nstmts = malloc(((size_t) sec_count(&l, PDPB_SEC_SETIDX) + 1) *
	    (2 * sizeof(*nstmts) + 1) + sec_count(&l, PDPB_SEC_STMTS));
	b = calloc(1, sizeof(*b));
	if (nstmts == NULL || b == NULL) {
		rv = fail(&l, PDP_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rv = check_index(&l, nstmts)) != PDP_OK)
		goto fail;
	b->base = base;
	b->size = size;
	b->owner = owner;
	b->strings = l.base + l.sec[PDPB_SEC_STRINGS]->offset;
	b->nstrings = l.nstrings;
	if ((rv = build(&l, b)) != PDP_OK)
		goto fail;
	memcpy(&b->revision, l.base + offsetof(pdpb_header, revision), 8);
	b->accounts = sec_data(&l, PDPB_SEC_ACCOUNTS);
	b->naccounts = sec_count(&l, PDPB_SEC_ACCOUNTS);
	b->principals = sec_data(&l, PDPB_SEC_PRINCIPALS);
	b->prinfo = sec_data(&l, PDPB_SEC_PRINFO);
	b->nprincipal_slots = sec_count(&l, PDPB_SEC_PRINCIPALS);
	for (uint32_t i = 0; i < b->nprincipal_slots; i++)
		b->nprincipals += b->principals[i].kind != 0;
	b->tags = sec_data(&l, PDPB_SEC_TAGS);
	b->ntags = sec_count(&l, PDPB_SEC_TAGS);
	b->rpolicies = sec_data(&l, PDPB_SEC_RPOLICIES);
	b->nrpolicy_slots = sec_count(&l, PDPB_SEC_RPOLICIES);
	for (uint32_t i = 0; i < b->nrpolicy_slots; i++)
		b->nrpolicies += b->rpolicies[i].arn.len != 0;
	b->named = sec_data(&l, PDPB_SEC_NAMED);
	b->nnamed_slots = sec_count(&l, PDPB_SEC_NAMED);
	b->access_keys = sec_data(&l, PDPB_SEC_ACCESS_KEYS);
	b->naccess_key_slots = sec_count(&l, PDPB_SEC_ACCESS_KEYS);
	b->ahead = read_ahead(b->size + b->mem_size);
	atomic_init(&b->refs, 1);
	free(nstmts);
	*out = b;
	return PDP_OK;
fail:
	if (b != NULL)
		block_free(b->mem, b->mem_size, b->mem_mapped);
	free(b);
	free(nstmts);
	release(base, size, owner);
	return rv;
}

int
pdp_bundle_open_mem(const void *data, size_t len, pdp_bundle **out,
    char *err, size_t errlen)
{
	// Every block's alignment (malloc's 16, or 2 MiB) satisfies every
	// record's.
	bool big;
	void *copy = block_alloc(len, &big);

	if (copy == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	memcpy(copy, data, len);
	return pdpi_bundle_load(copy, len, big ? PDPI_OWN_BLOCK :
	    PDPI_OWN_MALLOC, true, out, err, errlen);
}

int
pdp_bundle_open_owned(void *data, size_t len, pdp_bundle **out, char *err,
    size_t errlen)
{
	// Copying a large bundle costs as much as checking it: skip it
	// when the caller's bytes can be the bundle's.
	if (data == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no bundle");
		return PDP_EINVAL;
	}
	return pdpi_bundle_load(data, len, false, true, out, err, errlen);
}

int
pdp_bundle_open(const char *path, pdp_bundle **out, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? PDP_ENOENT : PDP_EIO;
	}
	if (st.st_size < (off_t) sizeof(pdpb_header)) {
		close(fd);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: truncated: %lld bytes is "
			    "smaller than the bundle header", path,
			    (long long) st.st_size);
		return PDP_ECORRUPT;
	}
	// Every page is read by the checks: map them all at once rather
	// than fault them in one by one.
	void *base = mmap(NULL, (size_t) st.st_size, PROT_READ,
	    MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PDP_EIO;
	}
	int rv = pdpi_bundle_load(base, (size_t) st.st_size, PDPI_OWN_FILE,
	    true, out,
	    err, errlen);
	if (rv != PDP_OK && err != NULL && errlen > 0) {
		// Name the file in front of the loader's message.
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	return rv;
}

void
pdp_bundle_hold(pdp_bundle *b)
{
	atomic_fetch_add(&b->refs, 1);
}

void
pdp_bundle_close(pdp_bundle *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	block_free(b->mem, b->mem_size, b->mem_mapped);
	release(b->base, b->size, b->owner);
	free(b);
}

uint64_t
pdp_bundle_revision(const pdp_bundle *b)
{
	return b->revision;
}

size_t
pdp_bundle_principals(const pdp_bundle *b)
{
	return b->nprincipals;
}
