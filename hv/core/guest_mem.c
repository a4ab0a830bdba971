/*
 * Guest-physical ranges a hypercall may touch (hv/guest_mem.h). Checked
 * against the config's regions, not the page tables: the config is the
 * source of truth and is never changed after boot.
 */
#include <arch/arch_cpu.h>
#include <hv/guest_mem.h>
#include <lib/string.h>

void *guest_mem_range(const struct cell *cell, uint64_t guest_phys, uint64_t size_bytes,
		      uint32_t need_flags)
{
	if (size_bytes == 0 || guest_phys + size_bytes < guest_phys)
		return NULL;
	for (uint32_t i = 0; i < cell->desc->region_count; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);

		/* The status page's host_phys is a placeholder: never a hypercall buffer. */
		if (r->flags & (BH_MEM_DEVICE | BH_MEM_HV_STATUS))
			continue;
		if ((r->flags & need_flags) != need_flags)
			continue;
		if (guest_phys < r->guest_phys || guest_phys - r->guest_phys >= r->size_bytes)
			continue;
		if (size_bytes > r->size_bytes - (guest_phys - r->guest_phys))
			return NULL; /* runs off the end of the region: no straddling */
		return (void *)(uintptr_t)(r->host_phys + (guest_phys - r->guest_phys));
	}
	return NULL;
}

void guest_mem_read(void *dst, const void *cell_src, size_t size)
{
	arch_cache_clean_inval_range(cell_src, size);
	memcpy(dst, cell_src, size);
}

void guest_mem_write(void *cell_dst, const void *src, size_t size)
{
	arch_cache_clean_inval_range(cell_dst, size);
	memcpy(cell_dst, src, size);
	arch_cache_clean_range(cell_dst, size);
}
