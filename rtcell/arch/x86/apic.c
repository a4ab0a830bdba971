/*
 * The local APIC in x2APIC mode (MSRs): the spurious vector, EOI, IPIs
 * within the cell (the reschedule IPI, the interrupt lines), and the
 * interrupt dispatch. In a realtime cell the hypervisor has put it in x2APIC
 * mode and passes its MSRs through except the ICR: a write there is checked
 * and exits, the self-IPI register does not. Bare, it is switched to x2APIC
 * mode here. Limit: one priority level (TPR 0), no IOAPIC lines.
 */
#include <rt/kernel.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <x86_64/io.h>
#include <x86_64/msr.h>

#include "x86.h"

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ICR 0x830
#define X2APIC_SELF_IPI 0x83f
#define SVR_ENABLE 0x100
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

void rt_x86_apic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_X2APIC)) {
		if (rt_x86_plat.info)
			rtarch_panic("the cell's local APIC is not in x2APIC mode");
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	}
	/* Bare, the BIOS left the 8259s delivering the PIT on vector 8, which
	 * would look like a double fault: the local APIC is the only path. */
	if (!rt_x86_plat.info) {
		outb(PIC1_DATA, 0xff);
		outb(PIC2_DATA, 0xff);
	}
	wrmsr(X2APIC_TPR, 0);
	wrmsr(X2APIC_SVR, SVR_ENABLE | RT_X86_VECTOR_SPURIOUS);
}

void rt_x86_apic_eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

/* To this CPU through the self-IPI register (never a hypervisor entry),
 * else a fixed, physical-destination ICR write. */
void rt_x86_apic_send(unsigned cpu, unsigned vector)
{
	if (cpu == rtarch_cpu_id())
		wrmsr(X2APIC_SELF_IPI, vector);
	else
		wrmsr(X2APIC_ICR, (uint64_t)rt_x86_plat.apic_id[cpu] << 32 | vector);
}

/* The lines are vectors every CPU's IDT has: nothing to route. */
void rtarch_irq_line_enable(unsigned irq, unsigned cpu)
{
	(void)cpu;
	if (irq >= RT_X86_LINES)
		rtarch_panic("interrupt line beyond the IDT's");
}

/* The local APIC has no split EOI: the hard handler's EOI lets every
 * priority in again, and a line has no active state to keep. Lines here are
 * IPIs, sent again only by a new event, so the handler thread's pending work
 * is never lost. */
void rtarch_irq_priority_drop(unsigned irq)
{
	(void)irq;
	rt_x86_apic_eoi();
}

void rtarch_irq_deactivate(unsigned irq)
{
	(void)irq;
}

/* Called by vectors.asm with the TSC read at entry. The masked span runs
 * from there to just before IRETQ, or to where the thread switched to
 * unmasks. */
void rt_x86_interrupt(unsigned vector, uint64_t entry_cycles);
void rt_x86_interrupt(unsigned vector, uint64_t entry_cycles)
{
	rt_csection_irq_entry(RT_CSITE(RT_CSECTION_IRQOFF), entry_cycles);
	rt_irq_enter();
	if (vector == RT_X86_VECTOR_TIMER) {
		rt_x86_apic_eoi();
		rt_timer_interrupt();
	} else if (vector == RT_X86_VECTOR_RESCHED) {
		rt_x86_apic_eoi();
		rt_sched_ipi();
	} else {
		rt_irq_dispatch(vector - RT_X86_VECTOR_LINE0);
	}
	rt_irq_exit();
	rt_csection_irq_return();
}
