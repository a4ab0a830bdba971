/*
 * EL1 helpers for test cells on top of the shared aarch64/sysreg.h: interrupt
 * masking, WFI and MMIO. Every system-register write that must take effect
 * before the next instruction is followed by isb() at the call site.
 */
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H

#include <aarch64/sysreg.h>

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

/* Aff3..Aff0 of an MPIDR, the form PSCI and the boot info use. */
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
