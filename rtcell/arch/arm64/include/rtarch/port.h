/*
 * arm64: the hooks the interrupt and scheduling paths call most often,
 * inline. Out of line each was a branch, a return and, in its caller, a
 * stack frame and register moves around the call: on the timer -> thread
 * path (docs/measuring.md, "Where the instructions go") the calls cost more
 * than the system-register accesses they wrap.
 */
#ifndef RTARCH_PORT_H
#define RTARCH_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <aarch64/sysreg.h>

#define RT_ARM64_DAIF_I (1u << 7)

/* The logical id the boot code put in TPIDR_EL1. */
static inline unsigned rtarch_cpu_id(void)
{
	return (unsigned)read_sysreg(tpidr_el1);
}

/* Spin-wait hint. Inline also because a call in a lock's spin loop made
 * every function taking a lock set up a stack frame, waited or not. */
static inline void rtarch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

static inline unsigned long rtarch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" : : : "memory");
	return flags;
}

static inline void rtarch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

static inline bool rtarch_irq_flags_masked(unsigned long flags)
{
	return (flags & RT_ARM64_DAIF_I) != 0;
}

static inline bool rtarch_irqs_disabled(void)
{
	return rtarch_irq_flags_masked(read_sysreg(daif));
}

/* The generic counter; the ISB keeps the read from moving before earlier
 * instructions (a span's end must not be read early). */
static inline uint64_t rtarch_cycles(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

#endif
