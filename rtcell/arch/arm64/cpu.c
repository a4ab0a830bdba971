/*
 * arm64 CPU hooks: WFI idle, the context switch and the first frame of a
 * thread (the logical id in TPIDR_EL1 and DAIF masking are inline:
 * rtarch/port.h). Interrupt windows need no code on real hardware
 * (interrupts are simply enabled there).
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/switch.h>

#include "arm64.h"
#include <aarch64/frame.h>

void rt_arm64_switch(uintptr_t *save, const uintptr_t *load, uint8_t *save_on_cpu);
void rt_arm64_thread_trampoline(void);

void rtarch_ipi_resched(unsigned cpu)
{
	rt_arm64_gic_send_sgi(cpu, RT_ARM64_SGI_RESCHED);
}

void rtarch_idle(void)
{
	__asm__ volatile("dsb sy\n\twfi" : : : "memory");
}

void rtarch_panic(const char *why)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
	rt_arm64_console_panic();
	rt_arm64_printf("rtcell panic on cpu%u: %s\n", rtarch_cpu_id(), why);
	rt_arm64_exit(1);
}

void rtarch_irq_window(void)
{
}

void rtarch_context_switch(struct rt_thread *prev, struct rt_thread *next)
{
	rt_arm64_switch(prev->arch_ctx, next->arch_ctx, &prev->on_cpu);
}

void rtarch_thread_setup(struct rt_thread *t)
{
	uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)15;

	for (unsigned i = 0; i < 16; i++)
		t->arch_ctx[i] = 0;
	t->arch_ctx[0] = (uintptr_t)t; /* x19 */
	t->arch_ctx[11] = (uintptr_t)rt_arm64_thread_trampoline; /* x30 */
	t->arch_ctx[12] = top; /* sp */
}

/*
 * First code of every thread. It was switched to from inside a measured
 * interrupts-off section (every switch happens in one); closing it also
 * unmasks interrupts, as the switching code would have on return.
 */
__attribute__((noreturn)) void rt_arm64_thread_start(struct rt_thread *t);
void rt_arm64_thread_start(struct rt_thread *t)
{
	rt_irq_on(0);
	t->entry(t->arg);
	rt_thread_exit();
	rtarch_panic("a dead thread was scheduled again");
}

void rt_arm64_bad_exception(unsigned kind, const struct exception_frame *f);
void rt_arm64_bad_exception(unsigned kind, const struct exception_frame *f)
{
	rt_arm64_console_panic();
	rt_arm64_printf("rtcell: unexpected exception %u on cpu%u: ESR %lx ELR %lx FAR %lx\n", kind,
			rtarch_cpu_id(), (unsigned long)read_sysreg(esr_el1), (unsigned long)f->elr,
			(unsigned long)read_sysreg(far_el1));
	rt_arm64_exit(2);
}
