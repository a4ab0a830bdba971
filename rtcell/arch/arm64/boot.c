/*
 * Boot of the realtime kernel on arm64: the boot CPU learns the machine
 * (platform.c), sets up the GIC and timer, initialises the kernel, starts the
 * other CPUs with PSCI CPU_ON, and becomes CPU 0's idle thread after handing
 * over to the image's application (rt_app_start). Start-up only: every
 * hypervisor entry here (CPU_ON, GICD writes) happens before steady state.
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/platform.h>
#include <rtarch/timer.h>

#include "arm64.h"

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

	rt_arm64_platform_init(x0, entry_el);
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
