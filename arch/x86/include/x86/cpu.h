/*
 * The hypervisor's per-CPU block reached through GS (the instructions
 * themselves: x86_64/insn.h). GS base is set before anything may ask
 * which CPU it runs on (console lock, panic), first thing on every CPU.
 */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <hv/platform.h>
#include <lib/types.h>
#include <x86_64/insn.h>

/* Stack sizes per CPU: the main stack, and one for #DF/#NMI (IST). */
#define X86_STACK_SIZE 16384
#define X86_IST_STACK_SIZE 4096

/* This CPU's APIC id as CPUID reports it (x2APIC id when leaf 0xB exists). */
uint32_t x86_cpuid_apic_id(void);

/*
 * Per-CPU state. `self` must stay first: x86_this_cpu() reads it at %gs:0.
 * Written only by its own CPU after x86_cpu_init_this().
 */
struct x86_cpu {
	struct x86_cpu *self;
	unsigned int index;
	uint32_t apic_id;
	bool vmxon_done;
	uint32_t vmcs_revision;
	/* Set while the exception handler runs, to stop recursive dumps. */
	bool in_exception;
};

extern struct x86_cpu x86_cpus[HV_MAX_CPUS];

/* Points GS at x86_cpus[index] on the calling CPU. */
void x86_cpu_init_this(unsigned int index, uint32_t apic_id);

static inline struct x86_cpu *x86_this_cpu(void)
{
	struct x86_cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
