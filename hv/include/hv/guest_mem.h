/*
 * Access to a cell's memory on the cell's behalf (hypercall arguments). A
 * guest-physical range is usable only when it lies wholly inside one of the
 * cell's RAM or channel regions with the needed access right; device
 * regions never qualify. The hypervisor identity-maps RAM, so the host
 * physical address is also the pointer.
 */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include <hv/cell.h>

/* Returns the host pointer for [guest_phys, +size) or NULL if not allowed. */
void *guest_mem_range(const struct cell *cell, uint64_t guest_phys, uint64_t size_bytes,
		      uint32_t need_flags);

/*
 * Copies between the hypervisor and a range of a cell's memory (a pointer
 * from guest_mem_range or the cell's boot info) so that the exchange holds
 * whatever the cell's cache state: the hypervisor's mapping is cacheable,
 * the cell may read and write with its caches off (docs/design.md, "Cache
 * coherency between the hypervisor and the cells").
 * guest_mem_read: clean+invalidate the cell's bytes to the point of
 * coherency, then copy them out (a caches-on writer's dirty line reaches
 * memory first; no stale line of ours hides a caches-off writer's bytes).
 * guest_mem_write: the same discard first (so the bytes of a partly written
 * line that we do not write are the cell's current ones), copy in, then
 * clean to the point of coherency (a caches-off reader sees them).
 */
void guest_mem_read(void *dst, const void *cell_src, size_t size);
void guest_mem_write(void *cell_dst, const void *src, size_t size);

#endif
