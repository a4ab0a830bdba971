/*
 * arm64 port at EL1 (GICv3), bare on QEMU virt or as a Bulkhead realtime
 * cell: shared definitions. Runs with its MMU and caches on (mmu.h): RAM
 * Normal write-back, MMIO Device-nGnRnE.
 */
#ifndef RT_ARM64_H
#define RT_ARM64_H

#include <stdbool.h>
#include <stdint.h>
#include <aarch64/sysreg.h>
#include <bulkhead/bootinfo.h>

#define RT_ARM64_MAX_CPUS 8 /* keep in sync with head.S */
#define RT_ARM64_STACK_SIZE 16384 /* per CPU boot/idle stack, keep in sync with head.S */
#define RT_ARM64_SGI_RESCHED BH_ARM64_SGI_RT_RESCHED
#define RT_ARM64_PPI_VTIMER 27

/*
 * Where this run's resources are (platform.c): from the boot info in a cell,
 * from the boot loader's device tree when bare (QEMU virt's layout when there
 * is none). Written by the boot CPU
 * before any other CPU starts, read-only afterwards.
 */
struct rt_arm64_platform {
	const struct bh_boot_info *info; /* NULL: bare */
	const void *dtb; /* bare: the device tree read, NULL: none (QEMU virt assumed) */
	uintptr_t uart; /* bare: the console PL011 (mapped as a device), 0: none (output dropped); 0
			   in a cell */
	bool psci_smc; /* PSCI conduit: SMC, else HVC */
	unsigned ncpus;
	uint64_t mpidr[RT_ARM64_MAX_CPUS];
	uintptr_t gicr[RT_ARM64_MAX_CPUS]; /* RD frame; SGI frame at +0x10000 */
	uint32_t logical[RT_ARM64_MAX_CPUS]; /* the hypervisor's CPU numbers */
	uintptr_t gicd;
};

extern struct rt_arm64_platform rt_arm64_plat;

void rt_arm64_platform_init(uint64_t x0, uint64_t entry_el);
int64_t rt_arm64_psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

void rt_arm64_console_puts(const char *s);
/* A panic: the console is synchronous from here, what was queued is written. */
void rt_arm64_console_panic(void);
void rt_arm64_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void rt_arm64_exit(int code);

void rt_arm64_gic_dist_init(void);
void rt_arm64_gic_cpu_init(void);
void rt_arm64_gic_send_sgi(unsigned cpu, unsigned sgi);
void rt_arm64_timer_init(void);

/* Disarms the one-shot (its interrupt is level: it would fire again at once).
 * Inline: the timer interrupt's first step. */
static inline void rt_arm64_timer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
}

#endif
