/*
 * The realtime kernel's own stage-1 tables (EL1, TTBR0, identity map, 4 KiB
 * granule, 39-bit input addresses). Built once by the boot CPU with the MMU
 * off, then every CPU switches its MMU and caches on with the same tables
 * (head.S, rt_arm64_mmu_on). The builder is plain C with no arch
 * dependency, so tests/unit walks its tables on the host.
 *
 * What is mapped, and nothing else:
 * - the image: [start, text_end) read-only executable, [text_end,
 *   rodata_end) read-only, [rodata_end, end) read-write (data, .bss, stacks,
 *   these tables); Normal write-back, inner shareable;
 * - each range the platform names: the cell's RAM Normal write-back inner
 *   shareable; channels and the hypervisor status page Normal
 *   Non-cacheable, like their other users (Linux's bhctl reads them through
 *   /dev/mem, which maps them non-cacheable; the hypervisor cleans every
 *   status update to memory); MMIO Device-nGnRnE. Everything but the
 *   image's text is never executable.
 * The ranges come from the boot info in a cell and from the platform's
 * description when bare (rt_arm64_mmu_ranges); the builder only takes them.
 */
#ifndef RT_ARM64_MMU_H
#define RT_ARM64_MMU_H

#include <stdint.h>
#include <arm64/pgtable.h>

#define RT_MMU_VA_BITS 39u

/* MAIR_EL1 indexes. */
#define RT_MMU_MAIR_DEVICE 0u /* Device-nGnRnE */
#define RT_MMU_MAIR_NORMAL 1u /* Normal, inner/outer write-back, read/write-allocate */
#define RT_MMU_MAIR_NC 2u /* Normal, inner/outer non-cacheable */
#define RT_MMU_MAIR_VALUE \
	(0x00ull << (8 * RT_MMU_MAIR_DEVICE) | 0xffull << (8 * RT_MMU_MAIR_NORMAL) | \
	 0x44ull << (8 * RT_MMU_MAIR_NC))

/* Stage-1 leaf bits (the rest are in arm64/pgtable.h). */
#define RT_S1_ATTR_INDEX(i) ((uint64_t)(i) << 2)
#define RT_S1_ATTR_INDEX_MASK (7ull << 2)
#define RT_S1_AP_RO (1ull << 7) /* AP[2]: read-only; AP[1] = 0: no EL0 access */
#define RT_S1_SH_MASK (3ull << 8)
#define RT_S1_PXN (1ull << 53)
#define RT_S1_UXN (1ull << 54)
#define RT_S1_XN (RT_S1_PXN | RT_S1_UXN)

#define RT_S1_NORMAL (RT_S1_ATTR_INDEX(RT_MMU_MAIR_NORMAL) | PT_AF | PT_SH_INNER)
#define RT_S1_TEXT (RT_S1_NORMAL | RT_S1_AP_RO | RT_S1_UXN)
#define RT_S1_RODATA (RT_S1_NORMAL | RT_S1_AP_RO | RT_S1_XN)
#define RT_S1_DATA (RT_S1_NORMAL | RT_S1_XN)
#define RT_S1_DEVICE (RT_S1_ATTR_INDEX(RT_MMU_MAIR_DEVICE) | PT_AF | RT_S1_XN)
#define RT_S1_SHARED (RT_S1_ATTR_INDEX(RT_MMU_MAIR_NC) | PT_AF | PT_SH_INNER | RT_S1_XN)
#define RT_S1_SHARED_RO (RT_S1_SHARED | RT_S1_AP_RO)

enum rt_mmu_kind {
	RT_MMU_RAM, /* Normal WB, read-write, never executable */
	RT_MMU_RAM_RO, /* Normal WB, read-only, never executable */
	RT_MMU_DEVICE, /* Device-nGnRnE, read-write, never executable */
	RT_MMU_SHARED, /* Normal non-cacheable, read-write, never executable */
	RT_MMU_SHARED_RO, /* Normal non-cacheable, read-only, never executable */
};

struct rt_mmu_range {
	uint64_t base;
	uint64_t size;
	enum rt_mmu_kind kind;
};

/* The image's bounds (the linker's symbols); each a multiple of 4 KiB. */
struct rt_mmu_image {
	uint64_t start;
	uint64_t text_end;
	uint64_t rodata_end;
	uint64_t end;
};

/*
 * Builds `t` (pt_init with RT_MMU_VA_BITS and `pa_bits`, pages from `pool`)
 * mapping the image and then the ranges, rounded out to whole pages. A range
 * may overlap the image or another range (a RAM region holds the image and
 * the boot info, a device may appear twice): what is already mapped keeps
 * its mapping, so the image's attributes win and the first range naming a
 * page decides it. Returns 0 or a pt_map/pt_init error (-BH_ERANGE: a range
 * beyond 2^39, -BH_ENOMEM: out of table pages).
 */
int rt_mmu_build(struct pt_table *t, unsigned int pa_bits, const struct pt_pool *pool,
		 const struct rt_mmu_image *image, const struct rt_mmu_range *ranges,
		 unsigned int count);

/* TCR_EL1 for these tables: T0SZ, walks inner-shareable write-back, no TTBR1 walks. */
uint64_t rt_mmu_tcr(unsigned int pa_range_field);

#endif
