/*
 * x86-64: the hooks the interrupt and scheduling paths call most often,
 * inline, as on arm64 (its port.h says why inlining pays). The Bochs profile
 * of the timer -> thread path (docs/measuring.md, "Where the instructions
 * go") found ten calls of rtarch_cpu_id and a dozen of the RFLAGS hooks on
 * it, each a call, a return and register moves around it.
 */
#ifndef RTARCH_PORT_H
#define RTARCH_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <x86_64/insn.h>
#include <x86_64/msr.h>

#define RT_X86_RFLAGS_IF (1ul << 9)
#define RT_X86_X2APIC_ID 0x802
/* x2APIC ids the kernel can map to its CPU numbers: platform.c refuses others. */
#define RT_X86_APIC_IDS 256

/* Logical CPU of each x2APIC id (platform.c fills it before interrupts are on). */
extern uint8_t rt_x86_cpu_of_apic[RT_X86_APIC_IDS];

/* The x2APIC id register is the CPU's own (passed through in a realtime cell:
 * no exit), so one read and one load name the CPU wherever the thread runs. */
static inline unsigned rtarch_cpu_id(void)
{
	return rt_x86_cpu_of_apic[(uint32_t)rdmsr(RT_X86_X2APIC_ID) % RT_X86_APIC_IDS];
}

static inline void rtarch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline unsigned long rtarch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void rtarch_irq_restore(unsigned long flags)
{
	__asm__ volatile("push %0; popfq" : : "r"(flags) : "memory", "cc");
}

static inline bool rtarch_irq_flags_masked(unsigned long flags)
{
	return (flags & RT_X86_RFLAGS_IF) == 0;
}

static inline bool rtarch_irqs_disabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; pop %0" : "=r"(flags));
	return rtarch_irq_flags_masked(flags);
}

static inline uint64_t rtarch_cycles(void)
{
	return rdtsc();
}

#endif
