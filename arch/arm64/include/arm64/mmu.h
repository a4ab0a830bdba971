/*
 * The hypervisor's own EL2 translation: an identity map of RAM (normal,
 * write-back) and of the device space below 4 GiB (device-nGnRnE), built
 * once by the boot CPU and switched on by every CPU.
 */
#ifndef ARM64_MMU_H
#define ARM64_MMU_H

#include <arm64/pgtable.h>
#include <hv/platform.h>

/* Boot CPU: builds the tables. Returns 0 or a negative error. */
int mmu_build_el2_map(const struct platform *plat);

/* Every CPU (boot CPU first): switches the EL2 MMU and caches on. */
void mmu_enable_el2(void);

/*
 * The hypervisor's page pool as the table builder takes it (arm64/pgtable.h):
 * page_pool_alloc and the builder advance the same next index.
 */
const struct pt_pool *mmu_table_pool(void);

/* Physical address size of this CPU in bits (ID_AA64MMFR0_EL1.PARange). */
unsigned int mmu_pa_bits(void);

#endif
