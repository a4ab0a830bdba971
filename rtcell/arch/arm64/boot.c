/*
 * Boot of the realtime kernel on arm64: the boot CPU learns the machine
 * (platform.c) and builds its stage-1 tables (mmu.h) with the MMU off, then,
 * with the MMU and caches on (head.S), sets up the GIC and timer, initialises the kernel, starts
 * the other CPUs with PSCI CPU_ON, and becomes CPU 0's idle thread after handing over to the
 * image's application (rt_app_start). Start-up only: every hypervisor entry here (CPU_ON, GICD
 * writes) happens before steady state.
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/platform.h>
#include <rtarch/timer.h>

#include "arm64.h"
#include "mmu.h"

#define PSCI_CPU_ON 0xc4000003ull

uint8_t rt_arm64_cpu_stacks[RT_ARM64_MAX_CPUS + 1][RT_ARM64_STACK_SIZE]
	__attribute__((aligned(16)));
uint8_t rt_arm64_emergency_stacks[RT_ARM64_MAX_CPUS + 1][4096] __attribute__((aligned(16)));

void rt_arm64_secondary_entry(void);

#define CPU_START_RETRY_NS 100000000ull /* 100 ms */
#define CPU_START_TRIES 10

static unsigned cpus_online;
static uint8_t cpu_up[RT_ARM64_MAX_CPUS];

static unsigned online(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

static void start_cpu(unsigned cpu)
{
	int64_t ret = rt_arm64_psci(PSCI_CPU_ON, rt_arm64_plat.mpidr[cpu],
				    (uint64_t)rt_arm64_secondary_entry, cpu);

	if (ret != 0)
		rt_arm64_printf("rtcell: CPU_ON cpu%u (mpidr %lx) answered %ld\n", cpu,
				(unsigned long)rt_arm64_plat.mpidr[cpu], (long)ret);
}

/*
 * Translation tables: page-aligned pages in .bss (zeroed by head.S). The
 * image needs 1 root + 2 level-2 + 1-2 level-3 tables, each device frame
 * region a level-3 table, the RAM regions' unaligned ends a few more.
 */
#define MMU_POOL_PAGES 24
#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)
/* RES1 bits, A (alignment checks: the kernel's accesses are aligned), SA. */
#define SCTLR_BASE 0x30d0080aull
#define GICD_BYTES 0x10000ull
#define GICR_BYTES 0x20000ull /* RD frame + SGI frame */
#define UART_BYTES 0x1000ull

static uint64_t mmu_pool[MMU_POOL_PAGES][PT_ENTRIES] __attribute__((aligned(4096)));
static unsigned mmu_pool_used;

/* head.S reads it with each CPU's MMU off: written only with the boot CPU's MMU off. */
struct rt_arm64_mmu_regs {
	uint64_t mair, tcr, ttbr0, sctlr;
} rt_arm64_mmu_regs;

extern char _start[], rt_text_end[], rt_rodata_end[], rt_image_end[];

static enum rt_mmu_kind kind_of_region(uint32_t flags)
{
	bool ro = !(flags & BH_REGION_WRITE);

	if (flags & BH_REGION_DEVICE)
		return RT_MMU_DEVICE;
	if (flags & (BH_REGION_HV_STATUS | BH_REGION_COMM))
		return ro ? RT_MMU_SHARED_RO : RT_MMU_SHARED;
	return ro ? RT_MMU_RAM_RO : RT_MMU_RAM;
}

/*
 * What the kernel touches besides its image. In a cell: every region and
 * channel of the boot info (RAM Normal write-back; channels and the status
 * page Normal non-cacheable, as their other users map them: mmu.h; devices
 * Device-nGnRnE), the distributor and this cell's redistributors. Bare: the GIC frames and the
 * UART the platform found (platform.c).
 */
static unsigned mmu_ranges(struct rt_mmu_range *r, unsigned max)
{
	const struct rt_arm64_platform *p = &rt_arm64_plat;
	const struct bh_boot_info *info = p->info;
	unsigned n = 0;

#define ADD(b, s, k) \
	do { \
		if (n < max) \
			r[n++] = (struct rt_mmu_range){ (b), (s), (k) }; \
	} while (0)
	if (info) {
		for (uint32_t i = 0; i < info->region_count && i < BH_BOOTINFO_MAX_REGIONS; i++)
			ADD(info->regions[i].guest_phys, info->regions[i].size_bytes,
			    kind_of_region(info->regions[i].flags));
		for (uint32_t i = 0; i < info->channel_count && i < BH_BOOTINFO_MAX_CHANNELS; i++)
			ADD(info->channels[i].guest_phys, info->channels[i].size_bytes,
			    kind_of_region(info->channels[i].flags | BH_REGION_COMM));
	}
	ADD(p->gicd, GICD_BYTES, RT_MMU_DEVICE);
	for (unsigned cpu = 0; cpu < p->ncpus; cpu++)
		ADD(p->gicr[cpu], GICR_BYTES, RT_MMU_DEVICE);
	if (p->uart)
		ADD(p->uart, UART_BYTES, RT_MMU_DEVICE);
#undef ADD
	if (n == max)
		rtarch_panic("mmu: too many ranges");
	return n;
}

static const unsigned parange_bits[] = { 32, 36, 40, 42, 44, 48 };

/* Boot CPU, MMU off: learns the machine, builds the tables, fills rt_arm64_mmu_regs. */
void rt_arm64_boot_early(uint64_t x0, uint64_t entry_el);
void rt_arm64_boot_early(uint64_t x0, uint64_t entry_el)
{
	static struct pt_table table;
	struct rt_mmu_range
		ranges[BH_BOOTINFO_MAX_REGIONS + BH_BOOTINFO_MAX_CHANNELS + RT_ARM64_MAX_CPUS + 3];
	const struct rt_mmu_image image = {
		(uintptr_t)_start,
		(uintptr_t)rt_text_end,
		(uintptr_t)rt_rodata_end,
		(uintptr_t)rt_image_end,
	};
	/* The table keeps the pool. The MMU is off: a page's address is its physical one. */
	static struct pt_pool pool;
	unsigned parange = (unsigned)(read_sysreg(id_aa64mmfr0_el1) & 0xf);

	if (parange >= sizeof(parange_bits) / sizeof(parange_bits[0]))
		parange = 5;
	rt_arm64_platform_init(x0, entry_el);
	pool = (struct pt_pool){ mmu_pool, MMU_POOL_PAGES, &mmu_pool_used, (uintptr_t)mmu_pool };
	unsigned n = mmu_ranges(ranges, sizeof(ranges) / sizeof(ranges[0]));
	int err = rt_mmu_build(&table, parange_bits[parange], &pool, &image, ranges, n);

	if (err) {
		rt_arm64_printf("rtcell: stage-1 tables: error %d\n", err);
		rtarch_panic("cannot build the stage-1 tables");
	}
	rt_arm64_mmu_regs.mair = RT_MMU_MAIR_VALUE;
	rt_arm64_mmu_regs.tcr = rt_mmu_tcr(parange);
	rt_arm64_mmu_regs.ttbr0 = (uintptr_t)table.root;
	rt_arm64_mmu_regs.sctlr = SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_WXN;
}

static void report_bare_machine(const struct rt_arm64_platform *p)
{
	if (p->dtb)
		rt_arm64_printf("rtcell: machine from the device tree at %lx\n",
				(unsigned long)(uintptr_t)p->dtb);
	else
		rt_arm64_printf("rtcell: no device tree: QEMU virt's layout assumed\n");
	rt_arm64_printf("rtcell: GICD %lx, GICR of cpu0 %lx, PL011 %lx, PSCI by %s\n",
			(unsigned long)p->gicd, (unsigned long)p->gicr[0], (unsigned long)p->uart,
			p->psci_smc ? "SMC" : "HVC");
}

void rt_arm64_boot_main(uint64_t x0, uint64_t entry_el);
void rt_arm64_boot_main(uint64_t x0, uint64_t entry_el)
{
	const struct rt_arm64_platform *p = &rt_arm64_plat;
	uint64_t sctlr = read_sysreg(sctlr_el1);

	rt_arm64_printf(
		"rtcell: MMU %s, D-cache %s, I-cache %s, WXN %s (SCTLR_EL1 %lx, %u table pages)\n",
		(sctlr & SCTLR_M) ? "on" : "off", (sctlr & SCTLR_C) ? "on" : "off",
		(sctlr & SCTLR_I) ? "on" : "off", (sctlr & SCTLR_WXN) ? "on" : "off",
		(unsigned long)sctlr, mmu_pool_used);
	if (p->info)
		rt_arm64_printf("rtcell: cell \"%s\" id %u, %u CPUs, %s\n", p->info->cell_name,
				p->info->cell_id, p->ncpus,
				(p->info->flags & BH_BOOT_REALTIME) ? "realtime" : "NOT realtime");
	else
		rt_arm64_printf("rtcell: bare EL1 boot (x0 %lx, entered at EL%lu), %u CPUs\n",
				(unsigned long)x0, (unsigned long)entry_el, p->ncpus);
	if (!p->info)
		report_bare_machine(p);
	rt_kernel_init(p->ncpus);
	rt_arm64_timer_init();
	rt_arm64_gic_dist_init();
	rt_arm64_gic_cpu_init();
	__atomic_store_n(&cpus_online, 1, __ATOMIC_RELEASE);
	for (unsigned cpu = 1; cpu < p->ncpus; cpu++)
		start_cpu(cpu);
	/* WFE, not a bare spin: an emulator running the CPUs in turn
	 * (QEMU -icount) moves on to the others at once. */
	for (unsigned tries = 1; online() < p->ncpus; tries++) {
		uint64_t give_up = rtarch_now_ns() + CPU_START_RETRY_NS;

		while (online() < p->ncpus && rtarch_now_ns() < give_up)
			__asm__ volatile("wfe" : : : "memory");
		if (online() == p->ncpus || tries == CPU_START_TRIES)
			break;
		/* A CPU_ON can be lost when it reaches the hypervisor before the
		 * target CPU has started waiting for one: ask again. A CPU that is
		 * merely slow answers ALREADY_ON / ON_PENDING and is not disturbed. */
		for (unsigned cpu = 1; cpu < p->ncpus; cpu++)
			if (!__atomic_load_n(&cpu_up[cpu], __ATOMIC_ACQUIRE)) {
				rt_arm64_printf(
					"rtcell: cpu%u not online after %u ms: CPU_ON again\n", cpu,
					(unsigned)(tries * CPU_START_RETRY_NS / 1000000));
				start_cpu(cpu);
			}
	}
	if (online() < p->ncpus)
		rtarch_panic("a CPU did not come online");
	rt_arm64_printf("rtcell: %u CPUs online\n", p->ncpus);
	/* From here on this context is CPU 0's idle thread: interrupts on. */
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	rt_app_start();
	rt_idle_loop();
}

void rt_arm64_secondary_main(unsigned cpu);
void rt_arm64_secondary_main(unsigned cpu)
{
	rt_arm64_timer_init();
	rt_arm64_gic_cpu_init();
	__atomic_store_n(&cpu_up[cpu], 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_ACQ_REL);
	__asm__ volatile("dsb ish\n\tsev" : : : "memory");
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	rt_idle_loop();
}
