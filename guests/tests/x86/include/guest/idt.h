/*
 * An x86-64 test cell's IDT: 64-bit interrupt gates (DPL 0, the runtime's
 * code selector) on stubs such as those of guest/interrupt_stub.inc.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>
#include <x86_64/idt_gate.h>

#define GUEST_IDT_VECTORS 256
#define GUEST_CODE_SELECTOR 0x08

static inline void idt_set_gate(struct x86_idt_gate *idt, unsigned int vector, const void *stub)
{
	idt[vector] = x86_idt_interrupt_gate((uint64_t)(uintptr_t)stub, GUEST_CODE_SELECTOR);
}

/* Loads `idt` (GUEST_IDT_VECTORS gates) into IDTR. */
static inline void idt_load(const struct x86_idt_gate *idt)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed))
	idtr = { GUEST_IDT_VECTORS * sizeof(struct x86_idt_gate) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

#endif
