/*
 * Per-cell stage-2 translation (IPA -> PA): one table set and one VMID per
 * cell, built at boot and never changed. The IPA size follows the CPU's
 * physical address range (at most 48 bits); stage2_map_region refuses
 * (-BH_ERANGE) an IPA or a PA range beyond it rather than truncate it.
 */
#ifndef ARM64_STAGE2_H
#define ARM64_STAGE2_H

#include <lib/types.h>

int stage2_create(unsigned int cell_id);
int stage2_map_region(unsigned int cell_id, uint64_t ipa, uint64_t pa, uint64_t size_bytes,
		      uint32_t bh_mem_flags);
/* VTTBR_EL2 and VTCR_EL2 values for the cell's CPUs. */
uint64_t stage2_vttbr(unsigned int cell_id);
uint64_t stage2_vtcr(void);

#endif
