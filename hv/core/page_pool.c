/*
 * Boot-time page pool (see hv/page_pool.h). Only the boot CPU allocates, before
 * secondaries start, so no lock; the pool lives in .bss and is therefore
 * already zero.
 */
#include <hv/page_pool.h>

static uint8_t pool[HV_PAGE_POOL_PAGES][HV_PAGE_BYTES] __attribute__((aligned(HV_PAGE_BYTES)));
static unsigned int pool_next;

void *page_pool_alloc(void)
{
	if (pool_next == HV_PAGE_POOL_PAGES)
		return NULL;
	return pool[pool_next++];
}

unsigned int page_pool_used(void)
{
	return pool_next;
}

void *page_pool_pages(void)
{
	return pool;
}

unsigned int *page_pool_next(void)
{
	return &pool_next;
}
