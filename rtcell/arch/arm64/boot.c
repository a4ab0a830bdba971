/*
 * Boot of the bare realtime kernel: the boot CPU sets up the GIC and timer,
 * counts the CPUs PSCI knows, initialises the kernel, starts the others, and
 * becomes CPU 0's idle thread. Limit: QEMU virt addresses, no DTB parsing.
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>

#include "arm64.h"

#define PSCI_AFFINITY_INFO 0xc4000004ull
#define PSCI_CPU_ON 0xc4000003ull

uint8_t rt_arm64_cpu_stacks[RT_ARM64_MAX_CPUS + 1][RT_ARM64_STACK_SIZE]
	__attribute__((aligned(16)));
uint8_t rt_arm64_emergency_stacks[RT_ARM64_MAX_CPUS + 1][4096] __attribute__((aligned(16)));

static bool psci_smc;
static unsigned cpus_online;

void rt_arm64_secondary_entry(void);

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* Started at EL2, firmware (QEMU) answers SMC; started at EL1, HVC. */
	if (psci_smc)
		__asm__ volatile("smc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return (int64_t)x0;
}

void rt_arm64_boot_main(uint64_t dtb, uint64_t entry_el);
void rt_arm64_boot_main(uint64_t dtb, uint64_t entry_el)
{
	unsigned ncpus = 1;

	psci_smc = entry_el == 2;
	rt_arm64_printf("rtcell: bare EL1 boot, dtb %lx, entered at EL%lu\n", (unsigned long)dtb,
			(unsigned long)entry_el);
	while (ncpus < RT_ARM64_MAX_CPUS &&
	       psci_call(PSCI_AFFINITY_INFO, rt_arm64_mpidr_of(ncpus), 0, 0) >= 0)
		ncpus++;
	rt_kernel_init(ncpus);
	rt_arm64_timer_init();
	rt_arm64_gic_dist_init();
	rt_arm64_gic_cpu_init();
	__atomic_store_n(&cpus_online, 1, __ATOMIC_RELEASE);
	for (unsigned cpu = 1; cpu < ncpus; cpu++) {
		int64_t ret = psci_call(PSCI_CPU_ON, rt_arm64_mpidr_of(cpu),
					(uint64_t)rt_arm64_secondary_entry, cpu);

		if (ret != 0)
			rt_arm64_printf("rtcell: CPU_ON cpu%u answered %ld\n", cpu, (long)ret);
	}
	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < ncpus)
		;
	rt_arm64_printf("rtcell: %u CPUs online\n", ncpus);
	/* From here on this context is CPU 0's idle thread: interrupts on. */
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	rt_arm64_selftest_start();
	rt_idle_loop();
}

void rt_arm64_secondary_main(unsigned cpu);
void rt_arm64_secondary_main(unsigned cpu)
{
	(void)cpu;
	rt_arm64_timer_init();
	rt_arm64_gic_cpu_init();
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_ACQ_REL);
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	rt_idle_loop();
}
