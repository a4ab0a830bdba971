/*
 * An x86-64 test cell's IDT: 64-bit interrupt gates (DPL 0, the runtime's
 * code selector) on stubs such as those of guest/interrupt_stub.inc.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>

#define GUEST_IDT_VECTORS 256
#define GUEST_CODE_SELECTOR 0x08
#define GUEST_GATE_INTERRUPT_64 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

static inline void idt_set_gate(struct idt_gate *idt, unsigned int vector, const void *stub)
{
	uint64_t at = (uint64_t)(uintptr_t)stub;

	idt[vector] = (struct idt_gate){
		(uint16_t)at,         GUEST_CODE_SELECTOR,  0, GUEST_GATE_INTERRUPT_64,
		(uint16_t)(at >> 16), (uint32_t)(at >> 32), 0
	};
}

/* Loads `idt` (GUEST_IDT_VECTORS gates) into IDTR. */
static inline void idt_load(const struct idt_gate *idt)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed))
	idtr = { GUEST_IDT_VECTORS * sizeof(struct idt_gate) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

#endif
