// arena.c - the compiler's bump allocator: one arena per compile, freed
// at once. Memory is zeroed and aligned to 16 bytes.

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamc.h"
#include "fold.h"
#include "iamci.h"

#define ARENA_ALIGN 16
#define ARENA_CHUNK (16 * 1024)

// The header size is a multiple of ARENA_ALIGN, and malloc returns memory
// aligned for any type, so every offset rounded to 16 stays aligned.
typedef struct chunk {
	struct chunk *next;
	size_t cap;
	size_t used;
	size_t pad_;
} chunk;

_Static_assert(sizeof(chunk) % ARENA_ALIGN == 0, "chunk header alignment");

struct iamc_arena {
	chunk *head;
	// Fault injection for tests: allocations left before failing;
	// SIZE_MAX means never fail.
	size_t fail_after;
};

iamc_arena *
iamc_arena_open(void)
{
	iamc_arena *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->fail_after = SIZE_MAX;
	return a;
}

void
iamc_arena_close(iamc_arena *a)
{
	if (a == NULL)
		return;
	for (chunk *c = a->head, *next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void
iamci_arena_fail_after(iamc_arena *a, size_t n)
{
	a->fail_after = n;
}

void *
iamc_arena_alloc(iamc_arena *a, size_t n)
{
	chunk *c = a->head;
	void *p;

	if (a->fail_after != SIZE_MAX) {
		if (a->fail_after == 0)
			return NULL;
		a->fail_after--;
	}
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_CHUNK)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK / 2 ? n : ARENA_CHUNK;
		// calloc zeroes the chunk once; a bump allocator never hands
		// the same bytes out twice, so they stay zero until used.
		chunk *nc = calloc(1, sizeof(chunk) + cap);
		if (nc == NULL)
			return NULL;
		nc->cap = cap;
		if (c != NULL && n > ARENA_CHUNK / 2) {
			// A big block gets its own chunk behind the current
			// one, so the current chunk's free space stays usable.
			nc->next = c->next;
			c->next = nc;
			nc->used = n;
			return (char *) (nc + 1);
		}
		nc->next = c;
		a->head = nc;
		c = nc;
	}
	p = (char *) (c + 1) + c->used;
	c->used += n;
	return p;
}

char *
iamc_arena_strdup(iamc_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = iamc_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
iamci_alloc(iamci_ctx *c, size_t n)
{
	void *p = iamc_arena_alloc(c->a, n);

	if (p == NULL)
		c->nomem = true;
	return p;
}

bool
iamci_str(iamci_ctx *c, const char *s, size_t n, pdpi_str *out)
{
	char *p = iamc_arena_strdup(c->a, s, n);

	if (p == NULL || n > UINT32_MAX) {
		c->nomem = true;
		return false;
	}
	out->p = p;
	out->n = (uint32_t) n;
	return true;
}

bool
iamci_str_fold(iamci_ctx *c, const char *s, size_t n, pdpi_str *out)
{
	if (!iamci_str(c, s, n, out))
		return false;
	pdpi_fold_utf8((char *) out->p, out->p, n);
	return true;
}
