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

#endif
