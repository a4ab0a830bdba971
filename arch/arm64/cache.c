/*
 * Data-cache maintenance to the point of coherency (hv/include/arch/arch_cpu.h),
 * the one place the arm64 hypervisor cleans or invalidates by address. Every
 * exchange with a cell's memory goes through these (docs/design.md, "Cache
 * coherency between the hypervisor and the cells"): the hypervisor maps all
 * RAM Normal write-back, while a cell may read or write the same memory with
 * its caches off (at boot, or always), and FEAT_S2FWB is not relied upon.
 * Lines are CTR_EL0.DminLine, the smallest data-cache line of the system;
 * `dsb sy` waits until the operations reach every observer.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_cpu.h>

static uint64_t dcache_line_bytes(void)
{
	/* CTR_EL0.DminLine: log2 of the smallest data cache line, in 4-byte words. */
	return 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void arch_cache_clean_range(const void *start, size_t size)
{
	uint64_t line = dcache_line_bytes();
	uintptr_t p = (uintptr_t)start & ~(uintptr_t)(line - 1);

	for (; p < (uintptr_t)start + size; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

void arch_cache_clean_inval_range(const void *start, size_t size)
{
	uint64_t line = dcache_line_bytes();
	uintptr_t p = (uintptr_t)start & ~(uintptr_t)(line - 1);

	for (; p < (uintptr_t)start + size; p += line)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}
