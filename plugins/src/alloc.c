// alloc.c - the memory cap of a sandboxed lua_State: a lua_Alloc that
// keeps count of what the state holds and refuses growth past the cap.
// Lua answers a refusal with a full collection and one more try, then a
// memory error, which unwinds to the worker's lua_pcall and decides Deny.

#include <stdlib.h>

#include "pdpli.h"

void *
pdpli_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	pdpli_mem *m = ud;
	// Without a block, osize is the kind of object Lua wants, not a
	// size.
	size_t old = ptr != NULL ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		m->used -= old;
		return NULL;
	}
	// Shrinking always succeeds, so a full state can still free.
	if (nsize > old && nsize - old > m->cap - m->used) {
		m->hit = true;
		return NULL;
	}
	p = realloc(ptr, nsize);
	if (p == NULL)
		return NULL;
	m->used = m->used - old + nsize;
	return p;
}
