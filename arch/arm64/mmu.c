/*
 * EL2 stage-1 identity map (see arm64/mmu.h). Secondaries switch the MMU on
 * with their caches still off, so the boot CPU cleans the few variables they
 * read before that to the point of coherency.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_cpu.h>
#include <arm64/mmu.h>
#include <arm64/pgtable.h>
#include <hv/page_pool.h>

/* MAIR_EL2 attribute indexes. */
#define MAIR_NORMAL_WB 0
#define MAIR_DEVICE_nGnRnE 1
#define MAIR_VALUE (0xffull << (8 * MAIR_NORMAL_WB) | 0x00ull << (8 * MAIR_DEVICE_nGnRnE))

#define S1_ATTR_INDEX(i) ((uint64_t)(i) << 2)
#define S1_XN (1ull << 54)
#define S1_NORMAL (S1_ATTR_INDEX(MAIR_NORMAL_WB) | PT_AF | PT_SH_INNER)
#define S1_DEVICE (S1_ATTR_INDEX(MAIR_DEVICE_nGnRnE) | PT_AF | S1_XN)

/* TCR_EL2 (non-VHE): RES1 bits 31 and 23; walks inner-shareable, write-back. */
#define TCR_RES1 ((1ull << 31) | (1ull << 23))
#define TCR_WALK_WB ((1ull << 8) | (1ull << 10) | (3ull << 12))

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)

#define DEVICE_SPACE_END (4ull << 30)

struct el2_mmu_config {
	uint64_t ttbr;
	uint64_t tcr;
};

static struct el2_mmu_config el2_config;
static struct pt_table el2_table;

const struct pt_pool *mmu_table_pool(void)
{
	static struct pt_pool pool;

	if (!pool.pages) {
		pool.pages = page_pool_pages();
		pool.count = HV_PAGE_POOL_PAGES;
		pool.next = page_pool_next();
		/* The hypervisor identity-maps its image: a page's address is its physical one. */
		pool.phys_base = (uintptr_t)pool.pages;
	}
	return &pool;
}

static const unsigned int parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

unsigned int mmu_pa_bits(void)
{
	unsigned int parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return parange < ARRAY_SIZE(parange_bits) ? parange_bits[parange] : 48;
}

static unsigned int pa_range_field(unsigned int bits)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(parange_bits); i++)
		if (parange_bits[i] == bits)
			return i;
	return 5;
}

static void sort_ram(struct ram_range *r, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && r[j].base < r[j - 1].base; j--) {
			struct ram_range tmp = r[j];

			r[j] = r[j - 1];
			r[j - 1] = tmp;
		}
}

/* RAM as normal memory; the gaps below 4 GiB as device memory. */
static int map_platform(const struct platform *plat)
{
	struct ram_range ram[HV_MAX_RAM_RANGES];
	uint64_t device_from = 0;
	int err;

	for (unsigned int i = 0; i < plat->ram_count; i++)
		ram[i] = plat->ram[i];
	sort_ram(ram, plat->ram_count);
	for (unsigned int i = 0; i < plat->ram_count; i++) {
		uint64_t base = ram[i].base & ~(PT_PAGE_BYTES - 1);
		uint64_t end = (ram[i].base + ram[i].size_bytes) & ~(PT_PAGE_BYTES - 1);

		if (base > device_from && device_from < DEVICE_SPACE_END) {
			uint64_t dev_end = base < DEVICE_SPACE_END ? base : DEVICE_SPACE_END;

			err = pt_map(&el2_table, device_from, device_from, dev_end - device_from,
				     S1_DEVICE);
			if (err)
				return err;
		}
		err = pt_map(&el2_table, base, base, end - base, S1_NORMAL);
		if (err)
			return err;
		device_from = end;
	}
	if (device_from < DEVICE_SPACE_END)
		return pt_map(&el2_table, device_from, device_from, DEVICE_SPACE_END - device_from,
			      S1_DEVICE);
	return 0;
}

int mmu_build_el2_map(const struct platform *plat)
{
	/*
	 * An identity map: input and output are both the CPU's physical address
	 * size, capped at the 48 bits a descriptor holds without 52-bit LPA.
	 * pt_map refuses RAM the platform reports beyond it.
	 */
	unsigned int va_bits = mmu_pa_bits() > 48 ? 48 : mmu_pa_bits();
	int err = pt_init(&el2_table, va_bits, va_bits, false, mmu_table_pool());

	if (!err)
		err = map_platform(plat);
	if (err)
		return err;
	el2_config.ttbr = (uintptr_t)el2_table.root;
	el2_config.tcr =
		TCR_RES1 | TCR_WALK_WB | (uint64_t)pa_range_field(va_bits) << 16 | (64 - va_bits);
	arch_cache_clean_range(&el2_config, sizeof(el2_config));
	return 0;
}

void mmu_enable_el2(void)
{
	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, el2_config.tcr);
	write_sysreg(ttbr0_el2, el2_config.ttbr);
	isb();
	__asm__ volatile("tlbi alle2\n dsb sy" ::: "memory");
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_C);
	isb();
}
