/*
 * The other CPUs, started with INIT-SIPI-SIPI through the hypervisor's AP
 * trampoline (x86_64/ap_trampoline.h), copied to TRAMPOLINE_PHYS. Bare,
 * without ACPI, the CPUs are found by starting x2APIC ids 1, 2, ... in turn
 * until one does not answer within ARRIVE_NS (Bochs numbers its CPUs 0..n-1;
 * a board needs the MADT). In a cell the boot info lists them, the
 * hypervisor emulates INIT and SIPI within the cell, and the trampoline's
 * page must be RAM of the cell's (a region below 1 MiB, since a SIPI vector
 * names a page there). A started CPU sets up its IDT and x2APIC, then waits
 * until the boot CPU has initialised the kernel.
 */
#include <lib/string.h>
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/timer.h>
#include <x86_64/ap_trampoline.h>
#include <x86_64/insn.h>
#include <x86_64/msr.h>

#include "x86.h"

/* Below 1 MiB (a SIPI vector is a page number) and above the BIOS data
 * area; nothing of the boot loader's is needed any more. */
#define TRAMPOLINE_PHYS 0x8000u
#define ARRIVE_NS 20000000ull
#define X2APIC_ICR 0x830
#define ICR_INIT_ASSERT (5u << 8 | 1u << 14)
#define ICR_STARTUP (6u << 8)

void rt_x86_ap_entry(void);
void rt_x86_secondary_main(uint64_t cpu);

static uint8_t ap_stacks[RT_X86_MAX_CPUS][RT_X86_STACK_BYTES] __attribute__((aligned(16)));
static unsigned arrived; /* CPUs that reached C code */
static unsigned online; /* CPUs with their timer set up, about to idle */
static bool kernel_ready;

static void delay_ns(uint64_t ns)
{
	uint64_t end = rtarch_now_ns() + ns;

	while (rtarch_now_ns() < end)
		rtarch_cpu_relax();
}

static bool wait_for_arrival(unsigned count, uint64_t ns)
{
	uint64_t end = rtarch_now_ns() + ns;

	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < count)
		if (rtarch_now_ns() >= end)
			return false;
	return true;
}

/* true when the CPU with `apic_id` came up as `cpu`. */
static bool start_cpu(unsigned cpu, uint32_t apic_id)
{
	struct x86_trampoline_params *p =
		(struct x86_trampoline_params *)(uintptr_t)(TRAMPOLINE_PHYS +
							    TRAMPOLINE_PARAMS_OFFSET);
	uint64_t dest = (uint64_t)apic_id << 32;

	p->cr3 = read_cr3();
	p->stack_top = (uint64_t)(uintptr_t)&ap_stacks[cpu][RT_X86_STACK_BYTES];
	p->entry = (uint64_t)(uintptr_t)rt_x86_ap_entry;
	p->cpu = cpu;
	__atomic_store_n(&p->alive, 0, __ATOMIC_SEQ_CST);
	wrmsr(X2APIC_ICR, dest | ICR_INIT_ASSERT);
	delay_ns(TRAMPOLINE_INIT_TO_SIPI_US * 1000ull);
	wrmsr(X2APIC_ICR, dest | ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
	delay_ns(TRAMPOLINE_SIPI_TO_SIPI_US * 1000ull);
	if (!__atomic_load_n(&p->alive, __ATOMIC_ACQUIRE))
		wrmsr(X2APIC_ICR, dest | ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
	return wait_for_arrival(cpu, ARRIVE_NS);
}

static size_t trampoline_bytes(void)
{
	return (uintptr_t)x86_trampoline_end - (uintptr_t)x86_trampoline_start;
}

void rt_x86_smp_start_others(void)
{
	memcpy((void *)(uintptr_t)TRAMPOLINE_PHYS, x86_trampoline_start, trampoline_bytes());
	for (unsigned cpu = 1; cpu < RT_X86_MAX_CPUS; cpu++) {
		/* The CPU reads its id from the table: fill it before it runs. */
		rt_x86_platform_set_apic_id(cpu, cpu);
		if (!start_cpu(cpu, cpu))
			break;
		rt_x86_platform_add_cpu(cpu);
	}
}

/* true when one of the cell's RAM regions holds the trampoline's bytes. */
static bool cell_owns_trampoline_page(const struct bh_boot_info *info)
{
	for (uint32_t i = 0; i < info->region_count && i < BH_BOOTINFO_MAX_REGIONS; i++) {
		const struct bh_boot_region *r = &info->regions[i];

		if (r->guest_phys <= TRAMPOLINE_PHYS &&
		    TRAMPOLINE_PHYS + trampoline_bytes() <= r->guest_phys + r->size_bytes &&
		    (r->flags & BH_REGION_WRITE) && (r->flags & BH_REGION_EXEC))
			return true;
	}
	return false;
}

void rt_x86_smp_start_cell_cpus(void)
{
	const struct rt_x86_platform *p = &rt_x86_plat;

	if (p->ncpus == 1)
		return;
	if (!cell_owns_trampoline_page(p->info)) {
		rt_x86_printf("rtcell: the cell has %u CPUs; starting them needs writable, "
			      "executable RAM at guest-physical 0x%x (below 1 MiB, for the SIPI "
			      "trampoline)\n",
			      p->ncpus, TRAMPOLINE_PHYS);
		rtarch_panic("no RAM for the start-up trampoline");
	}
	memcpy((void *)(uintptr_t)TRAMPOLINE_PHYS, x86_trampoline_start, trampoline_bytes());
	for (unsigned cpu = 1; cpu < p->ncpus; cpu++) {
		if (start_cpu(cpu, p->apic_id[cpu]))
			continue;
		rt_x86_printf("rtcell: CPU %u (x2APIC id %u) did not start\n", cpu,
			      p->apic_id[cpu]);
		rtarch_panic("a CPU of the cell did not start");
	}
}

void rt_x86_smp_release(void)
{
	__atomic_store_n(&kernel_ready, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&online, __ATOMIC_ACQUIRE) < rt_x86_plat.ncpus - 1)
		rtarch_cpu_relax();
}

/* head.asm's rt_x86_ap_entry, on ap_stacks[cpu] with this kernel's GDT. */
void rt_x86_secondary_main(uint64_t cpu)
{
	rt_x86_idt_load();
	rt_x86_apic_init();
	__atomic_store_n(&arrived, (unsigned)cpu, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&kernel_ready, __ATOMIC_ACQUIRE))
		rtarch_cpu_relax();
	rt_x86_timer_init();
	__atomic_fetch_add(&online, 1, __ATOMIC_ACQ_REL);
	__asm__ volatile("sti" : : : "memory");
	rt_idle_loop();
}
