/*
 * Bare-metal arm64 port at EL1 (QEMU virt, GICv3): shared definitions.
 * Runs with the MMU off (fine on QEMU TCG; a board needs the MMU and caches
 * on before exclusives and unaligned accesses behave: a documented TODO).
 */
#ifndef RT_ARM64_H
#define RT_ARM64_H

#include <stdint.h>

#define RT_ARM64_MAX_CPUS 4
#define RT_ARM64_STACK_SIZE 16384      /* per CPU boot/idle stack, keep in sync with head.S */
#define RT_ARM64_SGI_RESCHED 0
#define RT_ARM64_PPI_VTIMER 27

#define read_sysreg(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" : : : "memory")

/* QEMU virt with GICv3: logical CPU n has Aff1 = n / 8, Aff0 = n % 8. */
static inline uint64_t rt_arm64_mpidr_of(unsigned cpu)
{
	return ((uint64_t)(cpu / 8) << 8) | (cpu % 8);
}

void rt_arm64_console_puts(const char *s);
void rt_arm64_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void rt_arm64_exit(int code);

void rt_arm64_gic_dist_init(void);
void rt_arm64_gic_cpu_init(void);
void rt_arm64_gic_send_sgi(unsigned cpu, unsigned sgi);
void rt_arm64_timer_init(void);
void rt_arm64_timer_stop(void);

void rt_arm64_selftest_start(void);

#endif
