/*
 * The interrupt descriptor table: the 32 exceptions (fatal), the timer, the
 * reschedule IPI, the sixteen interrupt lines and the spurious vector
 * (vectors.asm). Every gate is a 64-bit interrupt gate (IF cleared on entry)
 * on the running stack: no IST, the kernel never changes privilege.
 */
#include <stdint.h>
#include <x86_64/idt_gate.h>

#include "x86.h"

#define SEL_CODE64 0x08
#define EXCEPTIONS 32

/* vectors.asm: the stubs, and their addresses in vector order. */
extern const uint64_t rt_x86_exception_stubs[EXCEPTIONS];
extern const uint64_t rt_x86_line_stubs[RT_X86_LINES];
extern char rt_x86_vector_64[], rt_x86_vector_65[], rt_x86_vector_spurious[];

static struct x86_idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned vector, uint64_t at)
{
	idt[vector] = x86_idt_interrupt_gate(at, SEL_CODE64);
}

void rt_x86_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < EXCEPTIONS; v++)
		set_gate(v, rt_x86_exception_stubs[v]);
	set_gate(RT_X86_VECTOR_TIMER, (uintptr_t)rt_x86_vector_64);
	set_gate(RT_X86_VECTOR_RESCHED, (uintptr_t)rt_x86_vector_65);
	for (unsigned line = 0; line < RT_X86_LINES; line++)
		set_gate(RT_X86_VECTOR_LINE0 + line, rt_x86_line_stubs[line]);
	set_gate(RT_X86_VECTOR_SPURIOUS, (uintptr_t)rt_x86_vector_spurious);
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
