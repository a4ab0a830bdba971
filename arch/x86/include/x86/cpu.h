/*
 * CPU registers and instructions (CPUID, control registers, TSC) and the
 * per-CPU block reached through GS. GS base is set before anything may ask
 * which CPU it runs on (console lock, panic), first thing on every CPU.
 */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <hv/platform.h>
#include <lib/types.h>

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_VMXE (1ull << 13)
#define X86_RFLAGS_CF (1ull << 0)
#define X86_RFLAGS_ZF (1ull << 6)

/* Stack sizes per CPU: the main stack, and one for #DF/#NMI (IST). */
#define X86_STACK_SIZE 16384
#define X86_IST_STACK_SIZE 4096

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

#define X86_DEFINE_CR(n) \
	static inline uint64_t read_cr##n(void) \
	{ \
		uint64_t v; \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); \
		return v; \
	} \
	static inline void write_cr##n(uint64_t v) \
	{ \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
X86_DEFINE_CR(0)
X86_DEFINE_CR(2)
X86_DEFINE_CR(3)
X86_DEFINE_CR(4)
#undef X86_DEFINE_CR

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

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
