/*
 * Which machine this image runs on. As a cell the hypervisor enters with x0 =
 * the boot info (magic checked): CPUs, redistributors and the distributor
 * come from it, PSCI goes through SMC (trapped and emulated). Bare, x0 is the
 * boot loader's device tree (QEMU -kernel, U-Boot booti), or 0 under QEMU's
 * generic loader, which leaves its tree at the start of RAM (hw/arm/boot.c:
 * without -kernel the DTB goes to the RAM base for firmware to find): GICv3,
 * console PL011, PSCI conduit and CPUs come from the tree (dt_machine.c).
 * Only with no tree at all is QEMU virt's layout assumed.
 */
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "arm64.h"
#include "dt_machine.h"

_Static_assert(RT_DT_MAX_CPUS == RT_ARM64_MAX_CPUS, "dt_machine.h and arm64.h disagree");

#define PSCI_AFFINITY_INFO 0xc4000004ull
#define QEMU_VIRT_RAM 0x40000000ul /* where QEMU leaves its DTB for firmware */
#define QEMU_VIRT_GICD 0x08000000ul
#define QEMU_VIRT_GICR 0x080a0000ul
#define QEMU_VIRT_GICR_SIZE 0x00f60000ul
#define QEMU_VIRT_PL011 0x09000000ul
#define DTB_MAX_SIZE (2u << 20)
#define FDT_MAGIC_LE 0xedfe0dd0u /* 0xd00dfeed, big-endian in memory */
#define GICR_TYPER 0x8
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST (1u << 4)
#define GICR_FRAMES_V3 0x20000ul /* RD + SGI frames */
#define GICR_FRAMES_V4 0x40000ul /* + VLPI frames */

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

/* GICR_TYPER[63:32] is Aff3.Aff2.Aff1.Aff0 of the CPU the frame serves. */
static uint32_t gicr_affinity(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xff) << 24 | ((mpidr >> 16) & 0xff) << 16 |
			  ((mpidr >> 8) & 0xff) << 8 | (mpidr & 0xff));
}

/* Bare only: the redistributor whose GICR_TYPER names this affinity. */
static uintptr_t find_gicr(const struct rt_dt_machine *m, uint64_t mpidr)
{
	for (unsigned r = 0; r < m->gicr_regions; r++) {
		uintptr_t end = (uintptr_t)(m->gicr_base[r] + m->gicr_size[r]);

		for (uintptr_t rd = (uintptr_t)m->gicr_base[r]; rd < end;) {
			uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);

			if ((uint32_t)(typer >> 32) == gicr_affinity(mpidr))
				return rd;
			if (typer & GICR_TYPER_LAST)
				break;
			rd += (typer & GICR_TYPER_VLPIS) ? GICR_FRAMES_V4 : GICR_FRAMES_V3;
		}
	}
	rtarch_panic("gic: no redistributor for a CPU");
}

/* x0, else QEMU's copy at the RAM base (generic loader), when it holds an FDT header. */
static const void *find_dtb(uint64_t x0)
{
	if (x0 && (x0 & 7) == 0 && *(volatile uint32_t *)(uintptr_t)x0 == FDT_MAGIC_LE)
		return (const void *)(uintptr_t)x0;
	if (x0 == 0 && *(volatile uint32_t *)QEMU_VIRT_RAM == FDT_MAGIC_LE)
		return (const void *)QEMU_VIRT_RAM;
	return NULL;
}

/* No device tree: QEMU virt's layout, CPUs counted with PSCI AFFINITY_INFO. */
static void qemu_virt_machine(struct rt_dt_machine *m)
{
	m->gicd = QEMU_VIRT_GICD;
	m->gicr_base[0] = QEMU_VIRT_GICR;
	m->gicr_size[0] = QEMU_VIRT_GICR_SIZE;
	m->gicr_regions = 1;
	m->uart = QEMU_VIRT_PL011;
	m->ncpus = 1;
	m->mpidr[0] = qemu_virt_mpidr(0);
	while (m->ncpus < RT_ARM64_MAX_CPUS &&
	       rt_arm64_psci(PSCI_AFFINITY_INFO, qemu_virt_mpidr(m->ncpus), 0, 0) >= 0) {
		m->mpidr[m->ncpus] = qemu_virt_mpidr(m->ncpus);
		m->ncpus++;
	}
}

/* The boot CPU is logical CPU 0, wherever the tree lists it. */
static void put_boot_cpu_first(struct rt_dt_machine *m)
{
	uint64_t self = read_sysreg(mpidr_el1) & 0xff00ffffffull;

	for (unsigned i = 1; i < m->ncpus; i++)
		if (m->mpidr[i] == self) {
			m->mpidr[i] = m->mpidr[0];
			m->mpidr[0] = self;
		}
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

static void init_bare(uint64_t x0, uint64_t entry_el)
{
	struct rt_arm64_platform *p = &rt_arm64_plat;
	struct rt_dt_machine m;

	p->dtb = find_dtb(x0);
	/* Without a /psci node: started at EL2 (virtualization=on) firmware
	 * answers SMC; at EL1, HVC. */
	if (!p->dtb || rt_dt_machine_read(p->dtb, DTB_MAX_SIZE, &m) != 0) {
		p->dtb = NULL;
		p->psci_smc = entry_el == 2;
		qemu_virt_machine(&m);
	} else {
		p->psci_smc = m.psci == RT_DT_PSCI_NONE ? entry_el == 2 : m.psci == RT_DT_PSCI_SMC;
		put_boot_cpu_first(&m);
	}
	p->gicd = (uintptr_t)m.gicd;
	p->uart = (uintptr_t)m.uart;
	p->ncpus = m.ncpus;
	for (unsigned i = 0; i < m.ncpus; i++) {
		p->mpidr[i] = m.mpidr[i];
		p->gicr[i] = find_gicr(&m, m.mpidr[i]);
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
		init_bare(x0, entry_el);
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
