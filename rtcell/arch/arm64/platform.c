/*
 * Which machine this image runs on. As a cell the hypervisor enters with x0 =
 * the boot info (magic checked): CPUs, redistributors and the distributor
 * come from it, PSCI goes through SMC (trapped and emulated). Bare, x0 is 0
 * (QEMU's generic loader) or a DTB (-kernel), which is not parsed: the
 * built-in QEMU virt GICv3 layout is used and CPUs are counted with PSCI.
 */
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "arm64.h"

#define PSCI_AFFINITY_INFO 0xc4000004ull
#define QEMU_VIRT_GICD 0x08000000ul
#define QEMU_VIRT_GICR 0x080a0000ul
#define QEMU_VIRT_UART 0x09000000ul /* console.c's PL011 */
#define GICR_STRIDE 0x20000ul
#define GICR_TYPER 0x8
#define GICR_TYPER_LAST (1u << 4)

struct rt_arm64_platform rt_arm64_plat;

int64_t rt_arm64_psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (rt_arm64_plat.psci_smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

/* QEMU virt: logical CPU n has Aff1 = n / 8, Aff0 = n % 8. */
static uint64_t qemu_virt_mpidr(unsigned cpu)
{
	return ((uint64_t)(cpu / 8) << 8) | (cpu % 8);
}

/* Bare only: the redistributor whose GICR_TYPER names this affinity. */
static uintptr_t qemu_virt_gicr(uint64_t mpidr)
{
	uint32_t want = (uint32_t)(((mpidr >> 8) & 0xff) << 8 | (mpidr & 0xff));

	for (uintptr_t rd = QEMU_VIRT_GICR;; rd += GICR_STRIDE) {
		uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);

		if ((uint32_t)(typer >> 32) == want)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	rtarch_panic("gic: no redistributor for a CPU");
}

static void init_from_boot_info(const struct bh_boot_info *info)
{
	struct rt_arm64_platform *p = &rt_arm64_plat;

	p->info = info;
	p->psci_smc = true;
	p->ncpus = info->cpu_count < RT_ARM64_MAX_CPUS ? info->cpu_count : RT_ARM64_MAX_CPUS;
	p->gicd = (uintptr_t)info->gicd_base;
	for (unsigned i = 0; i < p->ncpus; i++) {
		p->mpidr[i] = info->cpu_mpidr[i];
		p->gicr[i] = (uintptr_t)info->cpu_gicr_base[i];
		p->logical[i] = info->cpu_logical[i];
	}
}

static void init_bare(uint64_t entry_el)
{
	struct rt_arm64_platform *p = &rt_arm64_plat;
	unsigned n = 1;

	/* Started at EL2 (virtualization=on) firmware answers SMC; at EL1, HVC. */
	p->psci_smc = entry_el == 2;
	p->gicd = QEMU_VIRT_GICD;
	p->uart = QEMU_VIRT_UART;
	while (n < RT_ARM64_MAX_CPUS &&
	       rt_arm64_psci(PSCI_AFFINITY_INFO, qemu_virt_mpidr(n), 0, 0) >= 0)
		n++;
	p->ncpus = n;
	for (unsigned i = 0; i < n; i++) {
		p->mpidr[i] = qemu_virt_mpidr(i);
		p->gicr[i] = qemu_virt_gicr(p->mpidr[i]);
		p->logical[i] = i;
	}
}

void rt_arm64_platform_init(uint64_t x0, uint64_t entry_el)
{
	const struct bh_boot_info *info = (const struct bh_boot_info *)(uintptr_t)x0;

	if (x0 && (x0 & 7) == 0 && info->magic == BH_BOOTINFO_MAGIC &&
	    info->version == BH_BOOTINFO_VERSION && info->cpu_count > 0)
		init_from_boot_info(info);
	else
		init_bare(entry_el);
}

const struct bh_boot_info *rtarch_boot_info(void)
{
	return rt_arm64_plat.info;
}

unsigned rtarch_cpu_logical(unsigned cpu)
{
	return rt_arm64_plat.logical[cpu];
}

uint64_t rtarch_cpu_hwid(unsigned cpu)
{
	return rt_arm64_plat.mpidr[cpu];
}

void rtarch_send_sgi(unsigned cpu, unsigned sgi)
{
	rt_arm64_gic_send_sgi(cpu, sgi);
}
