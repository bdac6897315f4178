// table.c - looking up and checking hashed decision tables (table.h).

#include <string.h>

#include "table.h"

// entry_find probes an open-addressing slot array for key s[0..n) of
// hash h and returns its entry, or NULL.
static const uint32_t *
entry_find(const uint32_t *w, uint32_t off, uint32_t nslots, const char *s,
    size_t n, uint64_t h)
{
	const uint32_t *slots = (const uint32_t *) ((const char *) w + off);
	uint32_t mask = nslots - 1, tag = (uint32_t) (h >> 32);

	if (nslots == 0)
		return NULL;
	for (uint32_t i = (uint32_t) h & mask, k = 0; k < nslots;
	    i = (i + 1) & mask, k++) {
		const uint32_t *slot = slots + (size_t) i * PDPI_TABLE_SLOT_WORDS;
		if (slot[1] == 0)
			return NULL; // empty: the key is not here
		if (slot[0] != tag)
			continue;
		// The hash only narrows; the full key decides.
		const uint32_t *e = (const uint32_t *) ((const char *) w +
		    slot[1]);
		if (e[0] == n && pdpi_mem_eq((const char *) (e +
		    PDPI_TABLE_ENTRY_WORDS), s, n))
			return e;
	}
	return NULL;
}

void
pdpi_table_prefetch_entry(const pdpi_table *t, uint64_t ah)
{
	const uint32_t *w = t->w;
	const uint32_t *slots = (const uint32_t *) ((const char *) w + w[3]);
	uint32_t mask = w[2] - 1, tag = (uint32_t) (ah >> 32);

	if (w[2] == 0)
		return;
	for (uint32_t i = (uint32_t) ah & mask, k = 0; k < w[2];
	    i = (i + 1) & mask, k++) {
		const uint32_t *slot = slots + (size_t) i * PDPI_TABLE_SLOT_WORDS;
		if (slot[1] == 0)
			return;
		if (slot[0] == tag) {
			__builtin_prefetch((const char *) w + slot[1]);
			return;
		}
	}
}

// entry_cands points out[] at an entry's two lists of `width` words.
static void
entry_cands(const uint32_t *e, uint32_t width, pdpi_cands out[2])
{
	const uint32_t *v = e + PDPI_TABLE_ENTRY_WORDS + (e[0] + 3) / 4;
	out[0] = (pdpi_cands){v, e[1], width};
	out[1] = (pdpi_cands){v + (size_t) width * e[1], e[2], width};
}

void
pdpi_table_lookup(const pdpi_table *t, pdpi_str action, uint64_t ah,
    pdpi_str svc, pdpi_cands out[2])
{
	const uint32_t *w = t->w;
	const uint32_t *e;

	e = entry_find(w, w[3], w[2], action.p, action.n, ah);
	if (e != NULL) {
		entry_cands(e, 2, out);
		return;
	}
	e = w[4] == 0 ? NULL : entry_find(w, w[5], w[4], svc.p, svc.n,
	    pdpi_hash(svc.p, svc.n));
	if (e != NULL) {
		entry_cands(e, 3, out);
		return;
	}
	out[0] = (pdpi_cands){(const uint32_t *) ((const char *) w + w[6]),
	    w[7], 2};
	out[1] = (pdpi_cands){(const uint32_t *) ((const char *) w + w[8]),
	    w[9], 2};
}

// in_block reports whether [off, off + words * 4) lies inside the table.
static bool
in_block(uint32_t size, uint32_t off, uint64_t words)
{
	return off % 4 == 0 && off <= size && words * 4 <= size - off;
}

// list_ok checks a list of n entries of `width` words: each names a
// statement of the set of the list's effect (`deny`), with flags that
// hold and, in a service list, an action of that statement or
// PDPI_CAND_NOACT.
static bool
list_ok(const uint32_t *w, uint32_t size, uint32_t off, uint32_t n,
    uint32_t width, bool deny, const pdpi_table_env *env)
{
	if (!in_block(size, off, (uint64_t) n * width))
		return false;
	const uint32_t *v = (const uint32_t *) ((const char *) w + off);
	for (uint32_t i = 0; i < n; i++, v += width) {
		uint32_t pi = v[0], si = v[1] & PDPI_CAND_INDEX;
		if (pi >= env->npolicies || si >= env->nstmts[pi])
			return false;
		uint8_t bits = env->bits[env->first[pi] + si];
		if (((bits & PDPI_STMT_DENY) != 0) != deny)
			return false;
		if ((v[1] & PDPI_CAND_ALWAYS) && (!(bits & PDPI_STMT_ALWAYS) ||
		    pdpi_names_principal(env->type[pi])))
			return false;
		// Only a service pattern can be a NotAction's, and must be
		// when its statement is one.
		bool pat = width == 3 && v[2] != PDPI_CAND_NOACT;
		if ((v[1] & PDPI_CAND_NOT) && !pat)
			return false;
		if (pat && (v[2] >= env->stmts[env->first[pi] + si].nactions ||
		    ((v[1] & PDPI_CAND_NOT) != 0) !=
		    ((bits & PDPI_STMT_NOTACTION) != 0)))
			return false;
	}
	return true;
}

// slots_ok checks a slot array and the entries its slots point to.
static bool
slots_ok(const uint32_t *w, uint32_t size, uint32_t off, uint32_t nslots,
    uint32_t width, const pdpi_table_env *env)
{
	if (nslots & (nslots - 1))
		return false; // not a power of two
	if (!in_block(size, off, (uint64_t) nslots * PDPI_TABLE_SLOT_WORDS))
		return false;
	const uint32_t *s = (const uint32_t *) ((const char *) w + off);
	uint32_t empty = 0;
	for (uint32_t i = 0; i < nslots; i++, s += PDPI_TABLE_SLOT_WORDS) {
		uint32_t eo = s[1];
		if (eo == 0) {
			empty++;
			continue;
		}
		if (!in_block(size, eo, PDPI_TABLE_ENTRY_WORDS))
			return false;
		const uint32_t *e = (const uint32_t *) ((const char *) w + eo);
		uint64_t lists = (uint64_t) eo + 4 * PDPI_TABLE_ENTRY_WORDS +
		    4 * (((uint64_t) e[0] + 3) / 4);
		if (e[0] == 0 || lists > size ||
		    !list_ok(w, size, (uint32_t) lists, e[1], width, true,
		    env) ||
		    !list_ok(w, size, (uint32_t) (lists + 4ull * width * e[1]),
		    e[2], width, false, env))
			return false;
	}
	// Probing stops at an empty slot: a full table could loop.
	return nslots == 0 || empty > 0;
}

bool
pdpi_table_check(const uint32_t *w, size_t size, const pdpi_table_env *env)
{
	if (size < PDPI_TABLE_HEADER_WORDS * 4 || size > UINT32_MAX ||
	    w[0] != PDPI_TABLE_MAGIC || w[1] != size)
		return false;
	uint32_t sz = (uint32_t) size;
	return slots_ok(w, sz, w[3], w[2], 2, env) &&
	    slots_ok(w, sz, w[5], w[4], 3, env) &&
	    list_ok(w, sz, w[6], w[7], 2, true, env) &&
	    list_ok(w, sz, w[8], w[9], 2, false, env);
}
