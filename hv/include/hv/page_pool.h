/*
 * The hypervisor's only allocator: zeroed 4 KiB pages from a fixed pool in
 * its own image, handed out in address order and never freed (every table is
 * built once at boot). Exhaustion is an error the caller reports, not a panic.
 */
#ifndef HV_PAGE_POOL_H
#define HV_PAGE_POOL_H

#include <lib/types.h>

#define HV_PAGE_BYTES 4096u
#define HV_PAGE_POOL_PAGES 1024u

/* A zeroed page, or NULL when the pool is empty. */
void *page_pool_alloc(void);

unsigned int page_pool_used(void);

/*
 * The pool as data, for a builder whose proof follows its tables by index
 * (the x86 EPT builder, vmx/ept.h): its HV_PAGE_POOL_PAGES pages, and the index
 * of the first free one, which page_pool_alloc and that builder both advance.
 */
void *page_pool_pages(void);
unsigned int *page_pool_next(void);

#endif
