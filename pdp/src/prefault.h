// prefault.h - large fresh allocations faulted in at once. A bundle of
// megabytes is written, then read, page after page of memory the
// allocator has just handed over; where each page fault is dear (a
// virtual machine), taking them one at a time costs as much as the work.

#ifndef PDPI_PREFAULT_H
#define PDPI_PREFAULT_H

#include <stddef.h>

// pdpi_prefault asks the kernel to map the pages of [p, p + n) for
// writing in one go when n is a megabyte or more. Only advice: where the
// kernel cannot, nothing changes.
void pdpi_prefault(void *p, size_t n);

#endif // PDPI_PREFAULT_H
