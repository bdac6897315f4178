// table.c - looking up and checking hashed decision tables (table.h).

#include <string.h>

#include "table.h"

// slot_find probes an open-addressing slot array for key s[0..n).
static const uint32_t *
slot_find(const pdpi_table *t, uint32_t off, uint32_t nslots, const char *s,
    size_t n, uint64_t h)
{
	const uint32_t *w = t->w;
	const char *strings = (const char *) w + w[10];
	uint32_t mask = nslots - 1;

	if (nslots == 0)
		return NULL;
	for (uint32_t i = (uint32_t) h & mask, k = 0; k < nslots;
	    i = (i + 1) & mask, k++) {
		const uint32_t *slot = (const uint32_t *) ((const char *) w +
		    off) + (size_t) i * PDPI_TABLE_SLOT_WORDS;
		if (slot[3] == 0)
			return NULL; // empty: the key is not here
		// The hash only narrows; the full key decides.
		if (slot[0] == (uint32_t) h && slot[1] == (uint32_t) (h >> 32) &&
		    slot[3] == n && pdpi_mem_eq(strings + slot[2], s, n))
			return slot;
	}
	return NULL;
}

static pdpi_cands
cands_at(const pdpi_table *t, uint32_t off, uint32_t n, uint32_t width)
{
	pdpi_cands c;
	c.v = (const uint32_t *) ((const char *) t->w + off);
	c.n = n;
	c.width = width;
	return c;
}

void
pdpi_table_lookup(const pdpi_table *t, pdpi_str action, uint64_t ah,
    pdpi_str svc, pdpi_cands out[2])
{
	const uint32_t *w = t->w;
	const uint32_t *slot;

	slot = slot_find(t, w[3], w[2], action.p, action.n, ah);
	if (slot != NULL) {
		out[0] = cands_at(t, slot[4], slot[5], 2);
		out[1] = cands_at(t, slot[6], slot[7], 2);
		return;
	}
	slot = w[4] == 0 ? NULL : slot_find(t, w[5], w[4], svc.p, svc.n,
	    pdpi_hash(svc.p, svc.n));
	if (slot != NULL) {
		out[0] = cands_at(t, slot[4], slot[5], 3);
		out[1] = cands_at(t, slot[6], slot[7], 3);
		return;
	}
	out[0] = cands_at(t, w[6], w[7], 2);
	out[1] = cands_at(t, w[8], w[9], 2);
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
		if (s[3] == 0) {
			empty++;
			continue;
		}
		if ((uint64_t) s[2] + s[3] > w[11] ||
		    !list_ok(w, size, s[4], s[5], width, true, env) ||
		    !list_ok(w, size, s[6], s[7], width, false, env))
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
	if (w[10] > sz || w[11] > sz - w[10])
		return false;
	return slots_ok(w, sz, w[3], w[2], 2, env) &&
	    slots_ok(w, sz, w[5], w[4], 3, env) &&
	    list_ok(w, sz, w[6], w[7], 2, true, env) &&
	    list_ok(w, sz, w[8], w[9], 2, false, env);
}
