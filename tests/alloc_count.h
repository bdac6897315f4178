// alloc_count.h - a counting allocator for the tests that prove a path
// allocates nothing (tests/pdp/alloc_test.c, tests/creds/alloc_test.c).
// Include it in exactly one file of a test program, after defining
// _GNU_SOURCE.
//
// In the normal build it defines malloc and friends, forwarding to
// glibc's __libc_* entry points (glibc supports replacing the allocator
// this way), so every allocation in the process is seen, libc's own
// included. Under AddressSanitizer, which owns malloc, the sanitizer's
// allocation hooks count instead. counter_install() once, then
// count_begin() ... count_end() returns the allocations in between.

#ifndef TESTS_ALLOC_COUNT_H
#define TESTS_ALLOC_COUNT_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_ASAN 1
#endif
#endif

static atomic_bool counting;
static atomic_long nallocs;

static inline void
seen(void)
{
	if (atomic_load_explicit(&counting, memory_order_relaxed))
		atomic_fetch_add_explicit(&nallocs, 1, memory_order_relaxed);
}

#ifdef ALLOC_ASAN

// From <sanitizer/allocator_interface.h>, which gcc does not install;
// libasan exports it.
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));

static void
on_malloc(const volatile void *p, size_t n)
{
	(void) p;
	(void) n;
	seen();
}

static void
on_free(const volatile void *p)
{
	(void) p;
}

static void
counter_install(void)
{
	if (!__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free)) {
		fprintf(stderr, "alloc_test: cannot install the sanitizer's "
		    "allocation hooks\n");
		abort();
	}
}

#else

#include <malloc.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

void *
malloc(size_t n)
{
	seen();
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	seen();
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	seen();
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	seen();
	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	p = __libc_memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	seen();
	return __libc_memalign(align, n);
}

void *
memalign(size_t align, size_t n)
{
	seen();
	return __libc_memalign(align, n);
}

static void
counter_install(void)
{
}

#endif

static void
count_begin(void)
{
	atomic_store(&nallocs, 0);
	atomic_store(&counting, true);
}

static long
count_end(void)
{
	atomic_store(&counting, false);
	return atomic_load(&nallocs);
}

#endif // TESTS_ALLOC_COUNT_H
