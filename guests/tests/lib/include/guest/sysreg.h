/*
 * EL1 system register access for test cells. Names the assembler knows are
 * used directly; every write that must take effect before the next
 * instruction is followed by isb() at the call site.
 */
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H

#include <stdint.h>

#define read_sysreg(name)                                                  \
	({                                                                 \
		uint64_t value_;                                           \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));          \
		value_;                                                    \
	})

#define write_sysreg(name, value)                                                  \
	__asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

/* Orders this CPU's memory accesses against other CPUs' (flags between cells' CPUs). */
static inline void dmb_ish(void)
{
	__asm__ volatile("dmb ish" : : : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

static inline void irq_unmask(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_mask(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline void serror_unmask(void)
{
	__asm__ volatile("msr daifclr, #4" : : : "memory");
}

static inline void wait_for_interrupt(void)
{
	__asm__ volatile("wfi" : : : "memory");
}

/* CurrentEL holds the exception level in bits [3:2]. */
static inline unsigned int current_el(void)
{
	return (unsigned int)(read_sysreg(CurrentEL) >> 2) & 3;
}

/* Aff3..Aff0 of an MPIDR, the form PSCI and the boot info use. */
#define MPIDR_AFFINITY_MASK 0xff00ffffffull

static inline uint64_t mpidr_affinity(uint64_t mpidr)
{
	return mpidr & MPIDR_AFFINITY_MASK;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)addr = value;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr;
}

static inline void mmio_write64(uint64_t addr, uint64_t value)
{
	*(volatile uint64_t *)(uintptr_t)addr = value;
}

#endif
