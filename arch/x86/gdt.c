/*
 * GDT and per-CPU TSS. Descriptors for all HV_MAX_CPUS TSSs are built once by
 * the boot CPU before any AP starts; each CPU then only loads them (TR marks
 * its own descriptor busy, so descriptors are never shared).
 */
#include <hv/platform.h>
#include <lib/string.h>
#include <x86/cpu.h>
#include <x86/gdt.h>

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "TSS layout (SDM vol. 3 fig. 8-11)");

#define GDT_ENTRIES (3 + 2 * HV_MAX_CPUS)

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss[HV_MAX_CPUS] __attribute__((aligned(16)));
static uint8_t ist_stacks[HV_MAX_CPUS][2][X86_IST_STACK_SIZE] __attribute__((aligned(16)));
static bool gdt_built;

static void gdt_build(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	for (unsigned int i = 0; i < HV_MAX_CPUS; i++) {
		struct tss64 *t = &tss[i];
		uint64_t base = (uint64_t)(uintptr_t)t;
		uint64_t limit = sizeof(*t) - 1;

		memset(t, 0, sizeof(*t));
		t->ist[X86_IST_DOUBLE_FAULT - 1] =
			(uint64_t)(uintptr_t)&ist_stacks[i][0][X86_IST_STACK_SIZE];
		t->ist[X86_IST_NMI - 1] =
			(uint64_t)(uintptr_t)&ist_stacks[i][1][X86_IST_STACK_SIZE];
		t->iomap_base = sizeof(*t); /* no I/O bitmap */
		/* 64-bit available TSS (type 9), present. */
		gdt[3 + 2 * i] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
				 ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
		gdt[4 + 2 * i] = base >> 32;
	}
	gdt_built = true;
}

uint64_t x86_gdt_tss_base(unsigned int cpu)
{
	return (uint64_t)(uintptr_t)&tss[cpu];
}

void x86_gdt_load_this(unsigned int cpu)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	if (!gdt_built)
		gdt_build();
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 :
			 : "m"(gdtr), "i"(X86_SEL_CODE64), "i"(X86_SEL_DATA)
			 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(X86_SEL_TSS0 + 16 * cpu) : "memory");
}
