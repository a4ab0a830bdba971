/*
 * The hypervisor's IDT and its one handler: any exception or interrupt the
 * hypervisor takes is a broken invariant, so it dumps the machine state and
 * ends the run with the failure marker. A fault while dumping parks the CPU
 * (hv_fail_stop's reentry guard) instead of recursing.
 */
#include <hv/console.h>
#include <hv/panic.h>
#include <x86/cpu.h>
#include <x86/gdt.h>
#include <x86/idt.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t x86_exception_stubs[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static bool idt_built;

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "res", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static void idt_build(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t addr = x86_exception_stubs[v];
		struct idt_gate *g = &idt[v];

		g->offset_lo = addr & 0xffff;
		g->selector = X86_SEL_CODE64;
		g->ist = v == 8 ? X86_IST_DOUBLE_FAULT : v == 2 ? X86_IST_NMI : 0;
		g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		g->offset_mid = addr >> 16 & 0xffff;
		g->offset_hi = addr >> 32;
		g->reserved = 0;
	}
	idt_built = true;
}

void x86_idt_load_this(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	if (!idt_built)
		idt_build();
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void x86_exception_entry(struct x86_exception_frame *f)
{
	struct x86_cpu *cpu = x86_this_cpu();
	const char *name =
		f->vector < 32 && vector_names[f->vector] ? vector_names[f->vector] : "interrupt";

	if (cpu->in_exception) {
		console_print_unlocked("\nhv: nested exception vector %llu on cpu %u, RIP 0x%llx\n",
				       (unsigned long long)f->vector, cpu->index,
				       (unsigned long long)f->rip);
		hv_fail_stop();
	}
	cpu->in_exception = true;
	console_print_unlocked("\nhv: unexpected exception %s (vector %llu) on cpu %u, "
			       "error code 0x%llx\n",
			       name, (unsigned long long)f->vector, cpu->index,
			       (unsigned long long)f->error_code);
	console_print_unlocked("  RIP 0x%016llx  CS  0x%04llx  RFLAGS 0x%016llx\n",
			       (unsigned long long)f->rip, (unsigned long long)f->cs,
			       (unsigned long long)f->rflags);
	console_print_unlocked("  RSP 0x%016llx  SS  0x%04llx\n", (unsigned long long)f->rsp,
			       (unsigned long long)f->ss);
	console_print_unlocked("  CR0 0x%016llx  CR2 0x%016llx  CR3 0x%016llx  CR4 0x%016llx\n",
			       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
			       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	console_print_unlocked("  RAX 0x%016llx  RBX 0x%016llx  RCX 0x%016llx  RDX 0x%016llx\n",
			       (unsigned long long)f->rax, (unsigned long long)f->rbx,
			       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	console_print_unlocked("  RSI 0x%016llx  RDI 0x%016llx  RBP 0x%016llx  R8  0x%016llx\n",
			       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
			       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	console_print_unlocked("  R9  0x%016llx  R10 0x%016llx  R11 0x%016llx  R12 0x%016llx\n",
			       (unsigned long long)f->r9, (unsigned long long)f->r10,
			       (unsigned long long)f->r11, (unsigned long long)f->r12);
	console_print_unlocked("  R13 0x%016llx  R14 0x%016llx  R15 0x%016llx\n",
			       (unsigned long long)f->r13, (unsigned long long)f->r14,
			       (unsigned long long)f->r15);
	hv_fail_stop();
}
