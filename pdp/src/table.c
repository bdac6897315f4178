// table.c - looking up and checking hashed decision tables (table.h).

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "table.h"

uint64_t
pdpi_hash(const char *s, size_t n)
{
	return XXH3_64bits(s, n);
}

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
		    slot[3] == n && memcmp(strings + slot[2], s, n) == 0)
			return slot;
	}
	return NULL;
}

static pdpi_cands
cands_at(const pdpi_table *t, uint32_t off, uint32_t n)
{
	pdpi_cands c;
	c.v = (const uint32_t *) ((const char *) t->w + off);
	c.n = n;
	return c;
}

pdpi_cands
pdpi_table_lookup(const pdpi_table *t, pdpi_str action, uint64_t ah,
    pdpi_str svc, uint64_t sh)
{
	const uint32_t *w = t->w;
	const uint32_t *slot;

	slot = slot_find(t, w[3], w[2], action.p, action.n, ah);
	if (slot != NULL)
		return cands_at(t, slot[4], slot[5]);
	slot = slot_find(t, w[5], w[4], svc.p, svc.n, sh);
	if (slot != NULL)
		return cands_at(t, slot[4], slot[5]);
	return cands_at(t, w[6], w[7]);
}

// in_block reports whether [off, off + words * 4) lies inside the table.
static bool
in_block(uint32_t size, uint32_t off, uint64_t words)
{
	return off % 4 == 0 && off <= size && words * 4 <= size - off;
}

static bool
list_ok(const uint32_t *w, uint32_t size, uint32_t off, uint32_t n,
    uint32_t npolicies, const uint32_t *nstmts)
{
	if (!in_block(size, off, (uint64_t) n * 2))
		return false;
	const uint32_t *v = (const uint32_t *) ((const char *) w + off);
	for (uint32_t i = 0; i < n; i++)
		if (v[2 * i] >= npolicies ||
		    (v[2 * i + 1] & ~PDPI_CAND_KNOWN) >= nstmts[v[2 * i]])
			return false;
	return true;
}

static bool
slots_ok(const uint32_t *w, uint32_t size, uint32_t off, uint32_t nslots,
    uint32_t npolicies, const uint32_t *nstmts)
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
		    !list_ok(w, size, s[4], s[5], npolicies, nstmts))
			return false;
	}
	// Probing stops at an empty slot: a full table could loop.
	return nslots == 0 || empty > 0;
}

bool
pdpi_table_check(const uint32_t *w, size_t size, uint32_t npolicies,
    const uint32_t *nstmts)
{
	if (size < PDPI_TABLE_HEADER_WORDS * 4 || size > UINT32_MAX ||
	    w[0] != PDPI_TABLE_MAGIC || w[1] != size)
		return false;
	uint32_t sz = (uint32_t) size;
	if (w[10] > sz || w[11] > sz - w[10])
		return false;
	return slots_ok(w, sz, w[3], w[2], npolicies, nstmts) &&
	    slots_ok(w, sz, w[5], w[4], npolicies, nstmts) &&
	    list_ok(w, sz, w[6], w[7], npolicies, nstmts) &&
	    in_block(sz, w[8], (uint64_t) w[9] * 2);
}
