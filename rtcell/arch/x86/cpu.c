/*
 * x86-64 CPU hooks: the logical id from the x2APIC id, RFLAGS.IF masking,
 * STI;HLT idle, the context switch and the first frame of a thread, fatal
 * exceptions. Interrupt windows need no code (interrupts are simply on).
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/switch.h>
#include <x86_64/insn.h>
#include <x86_64/msr.h>

#include "console_port.h"
#include "x86.h"

#define RFLAGS_RESERVED_ONE (1ul << 1)

void rt_x86_switch(uintptr_t *save, const uintptr_t *load, uint8_t *save_on_cpu);
void rt_x86_thread_trampoline(void);

/*
 * The CPU a panic or an exception report names. Before platform.c has a CPU
 * (ncpus 0) the x2APIC may still be off, and reading its id would fault
 * inside the report itself: the boot CPU is 0 then.
 */
static unsigned cpu_for_report(void)
{
	return rt_x86_plat.ncpus ? rtarch_cpu_id() : 0;
}

void rtarch_ipi_resched(unsigned cpu)
{
	rt_x86_apic_send(cpu, RT_X86_VECTOR_RESCHED);
}

/* STI's one-instruction shadow makes STI;HLT atomic: an interrupt pending
 * before it ends the HLT instead of being taken before it. The interrupt is
 * taken here, in the idle thread, before CLI masks again. */
void rtarch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

void rtarch_panic(const char *why)
{
	__asm__ volatile("cli" : : : "memory");
	rt_console_panic();
	rt_x86_printf("rtcell panic on cpu%u: %s\n", cpu_for_report(), why);
	rt_x86_exit(1);
}

void rtarch_irq_window(void)
{
}

void rtarch_context_switch(struct rt_thread *prev, struct rt_thread *next)
{
	rt_x86_switch(prev->arch_ctx, next->arch_ctx, &prev->on_cpu);
}

/* arch_ctx: RBX RBP R12..R15 RSP (switch.asm). The stack's top slot is the
 * trampoline, so that after its RET RSP is 16-byte aligned, as at a call. */
void rtarch_thread_setup(struct rt_thread *t)
{
	uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)15;

	for (unsigned i = 0; i < 16; i++)
		t->arch_ctx[i] = 0;
	*(uintptr_t *)(top - 8) = (uintptr_t)rt_x86_thread_trampoline;
	t->arch_ctx[0] = (uintptr_t)t; /* rbx */
	t->arch_ctx[6] = top - 8; /* rsp */
}

/*
 * First code of every thread. It was switched to from inside a measured
 * interrupts-off section (every switch happens in one); closing it also
 * unmasks interrupts (RFLAGS as a thread runs), as the switching code would
 * have on return.
 */
__attribute__((noreturn)) void rt_x86_thread_start(struct rt_thread *t);
void rt_x86_thread_start(struct rt_thread *t)
{
	rt_irq_on(RFLAGS_RESERVED_ONE | RT_X86_RFLAGS_IF);
	t->entry(t->arg);
	rt_thread_exit();
	rtarch_panic("a dead thread was scheduled again");
}

struct exception_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

void rt_x86_exception(unsigned vector, uint64_t error, const struct exception_frame *f);
void rt_x86_exception(unsigned vector, uint64_t error, const struct exception_frame *f)
{
	rt_console_panic();
	rt_x86_printf("rtcell: unexpected exception %u on cpu%u: error %lx CS:RIP %lx:%lx "
		      "SS:RSP %lx:%lx RFLAGS %lx CR2 %lx\n",
		      vector, cpu_for_report(), (unsigned long)error, (unsigned long)f->cs,
		      (unsigned long)f->rip, (unsigned long)f->ss, (unsigned long)f->rsp,
		      (unsigned long)f->rflags, (unsigned long)read_cr2());
	rt_x86_exit(2);
}
